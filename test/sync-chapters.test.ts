/**
 * A camera recording split by the camera into parts (chapters, as at 4 GB): the first part holds the session's beep
 * and flash, the second none. Before 2026-12-02 the second part was refused with advice about its beep or LED
 * ("no 1000 Hz tone burst in the first 4 s ..., and cross-correlation with lav.wav is not conclusive"), which cannot
 * help; the line now also says that it may continue the first part and how to join them. The control: the join it
 * advises is placed by its own beep and flash. Session: a 30 s lav (16 kHz, speech-like bursts) with a beep at 1.5 s;
 * the camera (160x90, 25 fps, H.264 keyframes every 10 s, AAC; 320x180 until 2026-12-06, ~2.5 CPU s more to make and
 * read) started 0.3 s in, split at 10 s with `-c copy`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, runCliInProcess } from './helpers/cli.js';
import { addBeeps, ffmpeg, flashVideo, rng, talker, writeWavF32 } from './sync-media.js';

const SR = 16000;
const CAM0 = 0.3;
let dir: string;
let cleanup: () => void;

function session(seed: number, amp: number): Float32Array {
  const r = rng(seed);
  const x = talker(9, 30 * SR).map((v) => 0.3 * v + 0.003 * r.g());
  addBeeps(x, SR, [{ t_s: 1.5, dur_s: 0.2, amp }]);
  return x;
}

beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-chapters-'));
  writeWavF32(join(dir, 'lav.wav'), session(1, 0.5), SR);
  writeWavF32(join(dir, 'cam.wav'), session(2, 0.4).slice(Math.round(CAM0 * SR)), SR);
  const whole = join(dir, 'whole.mp4');
  flashVideo(whole, { fpsNum: 25, fpsDen: 1, seconds: 30 - CAM0, flashes: [{ t_s: 1.5 - CAM0, dur_s: 0.2 }], kind: 'corner', w: 160, h: 90, audio: join(dir, 'cam.wav') });
  ffmpeg(['-i', whole, '-t', '10', '-c', 'copy', join(dir, 'GH010001.mp4')]);
  ffmpeg(['-ss', '10', '-i', whole, '-c', 'copy', join(dir, 'GH020001.mp4')]);
});
afterAll(() => cleanup());

describe("a camera's recording split into chapters", () => {
  it('the second chapter: refused, saying it may continue the first and how to join them', async () => {
    const r = await runCliInProcess(['sync', 'lav.wav', 'GH010001.mp4', 'GH020001.mp4', '--search-s', '4', '-o', 'a.json', '--quiet'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mmprep: GH020001\.mp4: audio stream 0 cannot be put on the reference clock: no 1000 Hz tone burst in the first 4 s .*; if GH020001\.mp4 continues GH010001\.mp4 \(a camera splits a long recording into files of about 4 GB, chapters, and only the first holds the pulse\), join them in order and sync the joined file instead: ffmpeg -f concat -safe 0 -i parts\.txt -c copy GH010001-joined\.mp4, parts\.txt holding the lines file 'GH010001\.mp4' and file 'GH020001\.mp4' \(a pulse at the end too, --ends both, checks the later parts/m);
  });
  it('control: the join it advises is placed by its beep and flash', async () => {
    writeFileSync(join(dir, 'parts.txt'), "file 'GH010001.mp4'\nfile 'GH020001.mp4'\n");
    ffmpeg(['-f', 'concat', '-safe', '0', '-i', join(dir, 'parts.txt'), '-c', 'copy', join(dir, 'GH010001-joined.mp4')]);
    const r = await runCliInProcess(['sync', 'lav.wav', 'GH010001-joined.mp4', '--search-s', '4', '-o', '-', '--quiet'], { cwd: dir });
    expect(r.code).toBe(0);
    const streams = JSON.parse(r.stdout).streams;
    expect(streams.map((e: { method: string }) => e.method)).toEqual(['reference', 'tone', 'flash']);
    // The join keeps the AAC priming that the chapter's edit list removed (1024 samples, 64 ms at 16 kHz), picture
    // and sound alike: its times count from the priming's first sample (docs/sync.md "Timelines").
    expect(Math.abs(streams[1].offset_s - (CAM0 - 1024 / SR))).toBeLessThan(0.002);
    expect(Math.abs(streams[2].offset_s - streams[1].offset_s)).toBeLessThan(0.02);
  });
});
