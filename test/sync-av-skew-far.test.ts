/**
 * A camera file whose sound is muxed far from its picture (`ffmpeg -itsoffset 0.5` on the sound, or an edit): its
 * own beep and its flash lie 0.5 s apart, more than the 50 ms a camera's sound and picture may be. The picture is
 * refused either way; a new user's trial (2026-12-02) followed the refusal's advice, --share-camera-clock, and the
 * picture was placed by that sound 0.51 s off (-1.12 s against the truth's -0.61 s) with exit 0 and a warning of "up
 * to 50 ms". Now --share-camera-clock does not place it, and the line names the measured distance instead of that
 * advice. Truth: the demo camera's flash at 2.11 s, its lav's beep at 1.50 s (fixtures/demo/truth.json).
 * The flash's onset, unguided, read 2.110 s before the fit's fast shutters (2026-12-04) and 2.102 s since: the demo's LED
 * is drawn on whole frames, which cannot tell the shutter (flash-pulse.ts fastShutters); the line is what is checked.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, tempDir, runCliInProcess } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-av-skew-far-'));
  const cam = join(FIXTURES, 'demo', 's01_camera.mp4');
  copyFileSync(join(FIXTURES, 'demo', 's01_lav.flac'), join(dir, 'lav.flac'));
  ffmpegSync(['-i', cam, '-itsoffset', '0.5', '-i', cam, '-map', '0:v', '-map', '1:a', '-c', 'copy', join(dir, 'cam-late-sound.mp4')]);
});
afterAll(() => cleanup());

const LINE = /cam-late-sound\.mp4: video stream 0 cannot be put on the reference clock: .*its flash candidate at 2\.1[01]\d s lies 5\d\d ms before its own sound's beep at 2\.6\d\d s, more than the 50 ms .*so --share-camera-clock does not place it either/;

describe("a camera whose sound is muxed 0.5 s after its picture", () => {
  it('refused without a hint to --share-camera-clock (exit 2)', async () => {
    const r = await runCliInProcess(['sync', 'lav.flac', 'cam-late-sound.mp4', '-o', 'a.json', '--quiet'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(LINE);
    expect(r.stderr).not.toMatch(/accepts it unmeasured/);
  });
  it('--share-camera-clock does not place the picture by that sound (was 0.51 s off, exit 0)', async () => {
    const r = await runCliInProcess(['sync', 'lav.flac', 'cam-late-sound.mp4', '-o', 'b.json', '--quiet', '--share-camera-clock'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(LINE);
  });
});
