/**
 * The refusal of a camera picture whose sound is muxed apart from it says so (ttrial46 row 9: the demo camera with
 * its sound muxed 0.3 s late was refused naming an unrelated candidate at 4.2 s, and the line advised
 * --share-camera-clock, which would place the picture 0.3 s off). Where the flash was found far from its own sound's
 * beep (0.5 s late) that evidence now leads the line; where nothing stands out at the beep (0.3 s late: the flash lies
 * outside the beep's span and, before helper tsync46a's flash.ts change, was taken for the guided candidate's tail),
 * the line says so and that the sound may be muxed with an offset. Inputs: fixtures/demo/s01_camera.mp4, sound
 * remuxed with -itsoffset (packets unchanged).
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCliInProcess, tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

const CAM = join(FIXTURES, 'demo', 's01_camera.mp4');
let tmp: { dir: string; cleanup: () => void };

beforeAll(() => {
  tmp = tempDir('mmprep-skew-line-');
  copyFileSync(join(FIXTURES, 'demo', 's01_lav.flac'), join(tmp.dir, 'lav.flac'));
  for (const d of ['0.3', '0.5']) ffmpegSync(['-i', CAM, '-itsoffset', d, '-i', CAM, '-map', '0:v', '-map', '1:a', '-c', 'copy', join(tmp.dir, `late${d}.mp4`)]);
}, 60_000);
afterAll(() => tmp?.cleanup());

async function refusal(cam: string): Promise<string> {
  const r = await runCliInProcess(['sync', 'lav.flac', cam, '-o', 'x.json', '--quiet'], { cwd: tmp.dir });
  expect(r.code).toBe(2);
  return r.stderr.trim();
}

describe('the refusal of a picture whose sound is muxed apart', () => {
  it('0.5 s late: the line begins with the flash lying 5xx ms before its own sound\'s beep (was after an unrelated reason)', async () => {
    expect(await refusal('late0.5.mp4')).toMatch(/late0\.5\.mp4: video stream 0 cannot be put on the reference clock: its flash candidate at 2\.1\d\d s lies 5\d\d ms before its own sound's beep at 2\.6\d\d s/);
  });

  it('0.3 s late: the line names the beep and a sound muxed with an offset (was only the 4.2 s candidate and --share-camera-clock)', async () => {
    const line = await refusal('late0.3.mp4');
    expect(line).toMatch(/its own sound's (start )?beep at 2\.4\d\d s/);
    expect(line).toMatch(/muxed with an offset/);
  });
});
