/**
 * An MPEG-TS whose 33-bit PTS wraps is decoded from its first frame (ttrial46 row 8: the demo camera remuxed to TS
 * with its PTS wrapping 1.7 s in was refused, "candidate at 3.905 s does not stand out"; g/wrap_20.ts "no flash").
 * After ffmpeg's wrap correction the frames before the wrap have negative times and the file's start time is
 * negative; the video decoder turned "no start" into an input seek to time 0, which dropped those frames, and the
 * TS demuxer (no index) landed at the key frame 1.68 s in: the flash at 1.5 s was never decoded. A TS seek lands at
 * the key frame after its target (no index) also without a wrap: such files are seeked UNINDEXED_SEEK_BACK_S earlier.
 * Inputs: fixtures/demo/s01_camera.mp4 copied into TS (packets unchanged; -output_ts_offset makes the wrap).
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoDecoder } from '../src/media/decode-video.js';
import { probe } from '../src/media/probe.js';
import { FIXTURES, runCliInProcess, tempDir } from './helpers/cli.js';
import { ffmpegOutputs } from './helpers/ffmpeg.js';

const CAM = join(FIXTURES, 'demo', 's01_camera.mp4');
let tmp: { dir: string; cleanup: () => void };

beforeAll(() => {
  tmp = tempDir('mmprep-ts-wrap-');
  copyFileSync(join(FIXTURES, 'demo', 's01_lav.flac'), join(tmp.dir, 'lav.flac'));
  ffmpegOutputs([
    ['-i', CAM, '-c', 'copy', '-output_ts_offset', '95442', '-f', 'mpegts', join(tmp.dir, 'wrap.ts')],
    ['-i', CAM, '-c', 'copy', '-f', 'mpegts', join(tmp.dir, 'plain.ts')],
    // 30 s: a window 20.1 s in is seeked 10 s early, to 8.7 s in the file, between key frames
    ['-stream_loop', '2', '-i', CAM, '-c', 'copy', '-f', 'mpegts', join(tmp.dir, 'long.ts')],
  ]);
}, 60_000);
afterAll(() => tmp?.cleanup());

interface Placed {
  kind: string;
  offset_s: number;
}

async function firstFrameS(file: string, start?: number): Promise<number> {
  const probed = await probe(file);
  const dec = await VideoDecoder.open(file, { start, maxSide: 64, pixelFormat: 'gray', probed, end: (start ?? 0) + 1 });
  for await (const f of dec) return f.t_s;
  throw new Error('no frame');
}

describe('MPEG-TS video decoding', () => {
  it('a wrapped TS decodes from its first frame, at its negative start (was the key frame 1.68 s in)', async () => {
    const file = join(tmp.dir, 'wrap.ts');
    const probed = await probe(file);
    const v0 = probed.streams.find((s) => s.type === 'video')?.start_time_s as number;
    expect(v0).toBeLessThan(0);
    expect(await firstFrameS(file)).toBeCloseTo(v0, 6);
  });

  it('a TS seeked to 2.0 s shows its frames from 2.0 s on (was the key frame after it, 3.42 s)', async () => {
    const t = await firstFrameS(join(tmp.dir, 'plain.ts'), 2.0);
    expect(t).toBeGreaterThanOrEqual(2.0 - 1e-9);
    expect(t).toBeLessThan(2.0 + 0.041);
  });

  it('the frames a TS seek decodes before the window are not counted as damage (were 12 "co located POCs" errors)', async () => {
    const file = join(tmp.dir, 'long.ts');
    const probed = await probe(file);
    const dec = await VideoDecoder.open(file, { start: 20.1, end: 21.1, maxSide: 64, pixelFormat: 'gray', probed, countDamage: true });
    let frames = 0;
    for await (const f of dec) frames += f.damaged ? 0 : 1;
    expect(frames).toBe(25);
    expect(dec.decodeErrors).toEqual({ errors: 0, concealed_frames: 0 });
  });

  it('sync places the wrapped TS camera: picture and sound as for the MP4 it was copied from (was exit 2, "does not stand out")', async () => {
    const run = async (cam: string): Promise<Placed[]> => {
      const r = await runCliInProcess(['sync', 'lav.flac', cam, '-o', `${cam}.json`, '--quiet'], { cwd: tmp.dir });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return JSON.parse(readFileSync(join(tmp.dir, `${cam}.json`), 'utf8')).streams.filter((s: Placed) => s.kind !== 'reference');
    };
    copyFileSync(CAM, join(tmp.dir, 'cam.mp4'));
    const [ts, mp4] = [await run('wrap.ts'), await run('cam.mp4')];
    const skew = (p: Placed[]): number => (p.find((s) => s.kind === 'video')?.offset_s as number) - (p.filter((s) => s.kind === 'audio')[1]?.offset_s as number);
    expect(Math.abs(skew(ts) - skew(mp4))).toBeLessThan(0.001);
  });
});
