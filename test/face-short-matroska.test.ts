/**
 * A Matroska video of one frame at 1 fps (its muxer's DURATION tag: 1 s) is a whole file: its frame lasts until 1 s.
 * The face decoder's truncation check took the last frame's length from the interval before it, 0 s for a single frame,
 * and refused the file as truncated ("its frames end at 0.000 s but its container records the stream's end at
 * 1.000 s"). A 10-frame file cut to its first frames must still be refused. Small frames, one worker.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/common/errors.js';
import { extractFace } from '../src/face/extract.js';
import { tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

const tmp = tempDir('mmprep-short-mkv-');
afterAll(() => tmp.cleanup());
const file = (name: string) => join(tmp.dir, name);

beforeAll(() => {
  for (const n of [1, 2]) ffmpegSync(['-f', 'lavfi', '-i', 'testsrc2=s=128x96:r=1', '-frames:v', String(n), '-c:v', 'ffv1', file(`frames-${n}.mkv`)]);
  ffmpegSync(['-f', 'lavfi', '-i', 'testsrc2=s=128x96:r=1', '-frames:v', '10', '-c:v', 'ffv1', file('whole-10.mkv')]);
  const whole = readFileSync(file('whole-10.mkv'));
  writeFileSync(file('cut.mkv'), whole.subarray(0, whole.length >> 2));
});

describe('a short Matroska video', () => {
  it('of one or two frames at 1 fps is analysed, every frame', async () => {
    for (const n of [1, 2]) {
      const s = (await extractFace(file(`frames-${n}.mkv`), { out: file(`frames-${n}.jsonl`), workers: 0 }))!;
      expect(s.frames_analysed, `${n} frames`).toBe(n);
    }
  });

  it('cut to its first frames is still refused as truncated, naming where its frames end', async () => {
    const err = await extractFace(file('cut.mkv'), { out: file('cut.jsonl'), workers: 0 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/video is truncated or corrupt: its frames end at [1-3]\.000 s but its container records the stream's end at 10\.000 s/);
  });
});
