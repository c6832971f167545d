/**
 * Detector skipping (issue 13, item 7): between detector frames each face is tracked from the previous frame's mesh,
 * and the crop's rotation comes from the mesh (of the previous frame, re-run with the current one when they disagree),
 * not from the detector's points of the block's first frame. On a head rolling by up to 26 degrees at up to 5 degrees
 * per frame, roll and landmarks stay within the fidelity bounds of test/face.test.ts (landmarks: median) while the
 * detector runs on a fraction of the frames.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoDecoder } from '../src/media/decode-video.js';
import { DETECT_EVERY, FramePool } from '../src/face/pool.js';
import { defaultModelDir } from '../src/face/models.js';
import type { FrameResult } from '../src/face/engine.js';
import { ffmpegSync } from './helpers/ffmpeg.js';
import { FIXTURES, tempDir } from './helpers/cli.js';

const FPS = 25;
const FRAMES = 16;
/** ffmpeg's rotate filter turns the picture clockwise by this many radians at time t. */
const angle = (t: number) => 0.45 * Math.sin((2 * Math.PI * t) / 1.2);

let tmp: { dir: string; cleanup: () => void };
const results: FrameResult[] = [];

beforeAll(async () => {
  tmp = tempDir('mmprep-track-');
  const clip = join(tmp.dir, 'roll.mp4');
  // The portrait (300 px) rolling about the picture's centre (320, 240).
  ffmpegSync([
    '-loop', '1', '-i', join(FIXTURES, 'face', 'astronaut.png'),
    '-filter_complex', `color=c=gray:s=640x480:r=${FPS}:d=1[bg];[0]scale=300:300,rotate=a='0.45*sin(2*PI*t/1.2)':c=gray[f];[bg][f]overlay=x=170:y=90:shortest=1`,
    '-frames:v', String(FRAMES), '-c:v', 'libx264', '-crf', '18', '-pix_fmt', 'yuv420p', clip,
  ]);
  const pool = new FramePool({ backend: 'wasm', modelDir: defaultModelDir(), maxFaces: 1, detectorMinConfidence: 0.1 }, 0);
  try {
    await pool.warm();
    const dec = await VideoDecoder.open(clip, { maxSide: 640, pixelFormat: 'rgb24' });
    for await (const f of dec) {
      pool.submit({ data: f.data.slice(), width: f.width, height: f.height });
      results.push(await pool.next());
      dec.release(f.data);
    }
  } finally {
    await pool.close();
  }
});
afterAll(() => tmp?.cleanup());

describe('tracking between detector frames', () => {
  it('runs the detector on a fraction of the frames', () => {
    expect(results).toHaveLength(FRAMES);
    expect(DETECT_EVERY).toBeGreaterThan(1);
    const detections = results.reduce((s, r) => s + (r.detections ?? 0), 0);
    expect(results[0].detections).toBe(1);
    expect(detections).toBeLessThanOrEqual(FRAMES / 2);
  });

  // Measured (Debian ffmpeg | npm ffmpeg): roll at most 1.6 | 1.6 degrees off, landmarks at most 2.6 | 3.1 % of the IOD
  // (median 2.3 | 2.4 %). With the crop rotated by the block's detector points instead (Human's own box reuse): roll up
  // to 6.3 | 6.7 degrees off, landmarks up to 7.6 | 9.2 %.
  it('roll within 3 degrees on every frame; landmarks within 4 % of the IOD on every frame and 3 % median', () => {
    const f0 = results[0].faces[0];
    const p0 = f0.mesh;
    const errs: number[] = [];
    for (let k = 0; k < FRAMES; k++) {
      const f = results[k].faces[0];
      expect(f).toBeDefined();
      const a = angle(k / FPS);
      expect(Math.abs(((f.roll as number) - (f0.roll as number) - a) * (180 / Math.PI))).toBeLessThan(3);
      // Frame 0's mesh turned by the known rotation about the centre (whole-pixel mesh coordinates: error >= 0.5 px).
      const [c, s] = [Math.cos(a), Math.sin(a)];
      let err = 0;
      for (let i = 0; i < 468; i++) {
        const dx = p0[3 * i] - 320;
        const dy = p0[3 * i + 1] - 240;
        err += Math.hypot(f.mesh[3 * i] - (320 + c * dx - s * dy), f.mesh[3 * i + 1] - (240 + s * dx + c * dy));
      }
      const iod = Math.hypot(f.mesh[3 * 33] - f.mesh[3 * 263], f.mesh[3 * 33 + 1] - f.mesh[3 * 263 + 1]);
      expect(err / 468 / iod).toBeLessThan(0.04);
      errs.push(err / 468 / iod);
    }
    errs.sort((a, b) => a - b);
    expect((errs[7] + errs[8]) / 2).toBeLessThan(0.03);
  });
});
