/**
 * Two recordings joined end to end (`cat a.vob b.vob`, as MPEG-PS/TS camcorder files are joined): the second one's
 * frame times restart at the first one's. A new user's trial (2026-12-02): `mmprep face` on two 3 s VOBs of the demo
 * camera joined with `cat` wrote 150 records whose times ran 0.54-3.50 s twice, exit 0. The video decoder now refuses
 * frame times that go back (exit 2, naming the file and the two times), and `face` leaves no output behind. The parts
 * here are 2 s (50 frames, 0.54-2.50 s; 3 s as in the trial until 2026-12-06): `face` analyses the first part's frames
 * before the refusal, 75 of them then. (Parts of 1 s or 1.2 s lose a frame at the join with both ffmpeg builds: the
 * times go back from 1.460 s to 0.500 s.)
 */
import { existsSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoDecoder } from '../src/media/decode-video.js';
import { FIXTURES, runFaceInProcess, tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-joined-'));
  const part = join(dir, 'part.vob');
  ffmpegSync(['-i', join(FIXTURES, 'demo', 's01_camera.mp4'), '-t', '2', '-c:v', 'mpeg2video', '-q:v', '4', '-c:a', 'mp2', '-f', 'vob', part]);
  writeFileSync(join(dir, 'joined.vob'), Buffer.concat([readFileSync(part), readFileSync(part)]));
});
afterAll(() => cleanup());

async function frameTimes(file: string): Promise<number[]> {
  const d = await VideoDecoder.open(file, { maxSide: 64, pixelFormat: 'gray' });
  const ts: number[] = [];
  for await (const f of d) ts.push(f.t_s);
  return ts;
}

describe('two recordings joined with cat', () => {
  it('one recording decodes with times that only go forward', async () => {
    const ts = await frameTimes(join(dir, 'part.vob'));
    expect(ts.length).toBe(50);
    expect(ts.every((t, i) => i === 0 || t > ts[i - 1])).toBe(true);
  });
  it('the joined file is refused where its times go back', async () => {
    await expect(frameTimes(join(dir, 'joined.vob'))).rejects.toThrow(/video frame times go back from 2\.500 s to 0\.540 s \(two recordings joined end to end/);
  });
  // main() in this process (runFaceInProcess: --workers 0, the face models of this process; a child with its worker
  // thread before 2026-12-06): the exit code, the line and the output left are main's.
  it('mmprep face: exit 2 naming the file, no output left (was 150 records, times twice over, exit 0)', async () => {
    const r = await runFaceInProcess(['face', join(dir, 'joined.vob'), '-o', join(dir, 'face.jsonl')]);
    expect(r.code).toBe(2);
    const named = join(dir, 'joined.vob').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(r.stderr).toMatch(new RegExp(`^mmprep: ${named}: its video frame times go back from 2\\.500 s to 0\\.540 s .*use each recording as a file of its own$`, 'm'));
    expect(existsSync(join(dir, 'face.jsonl'))).toBe(false);
  });
});
