/**
 * Detector skipping (issue 13, item 7): between detector frames each face is tracked from the previous frame's mesh,
 * and the crop's rotation comes from the mesh (of the previous frame, re-run with the current one when they disagree),
 * not from the detector's points of the block's first frame. On a head rolling by up to 26 degrees at up to 5 degrees
 * per frame, roll and landmarks stay within the fidelity bounds of test/face.test.ts (landmarks: median) while the
 * detector runs on a fraction of the frames. A face coming into the picture fast (trial30 S1) stays under its mesh on
 * the tracked frames after the detector frame that caught it at the edge.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoDecoder } from '../src/media/decode-video.js';
import { DETECT_EVERY, FramePool } from '../src/face/pool.js';
import { defaultModelDir } from '../src/face/models.js';
import type { FrameResult, RawFace } from '../src/face/engine.js';
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
  results.push(...(await poolResults(clip)));
});

/** Every frame of `clip` through one FramePool (wasm, one face, the detector's floor at 0.1), in order. */
async function poolResults(clip: string): Promise<FrameResult[]> {
  const out: FrameResult[] = [];
  const pool = new FramePool({ backend: 'wasm', modelDir: defaultModelDir(), maxFaces: 1, detectorMinConfidence: 0.1 }, 0);
  try {
    await pool.warm();
    const dec = await VideoDecoder.open(clip, { maxSide: 640, pixelFormat: 'rgb24' });
    for await (const f of dec) {
      pool.submit({ data: f.data.slice(), width: f.width, height: f.height });
      out.push(await pool.next());
      dec.release(f.data);
    }
  } finally {
    await pool.close();
  }
  return out;
}
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

/**
 * trial30 S1: the portrait (300 px, on grey 640x480 at 30 fps) comes into the picture from the left edge at 14 px a
 * frame (0.4 IOD, 0.17 of the face's crop), as in the trial's leave_mirror.mp4 frames 128-135 (its worst case; the
 * right-hand entry, leave.mp4, is measured in docs/face.md). The edge frame starts a detector block and the seven
 * frames after it are tracked. Truth: the mesh of the detector frame after them, the portrait still at a known x,
 * shifted by the overlay's known x. Before the mesh was re-read on a crop centred on it when it moved off its crop's
 * centre (engine.ts TRACK_MAX_SHIFT), the tracked mesh lagged behind the face and slid off it, mesh score 1.
 */
describe('a face coming into the picture fast', () => {
  const STEP = 14;
  const EDGE_X = 478;
  const REF_X = 170;
  const faces: RawFace[] = [];

  beforeAll(async () => {
    const clip = join(tmp.dir, 'enter.mp4');
    // Before the mirror, frames 0-7 (t = n / 30): x = 478 - 14 n (frame 0 at the right edge, the face partly out);
    // frame 8: x = 170. Mirrored, the portrait's left edge is at 640 - 300 - x.
    ffmpegSync([
      '-loop', '1', '-i', join(FIXTURES, 'face', 'astronaut.png'),
      '-filter_complex', `color=c=0x606060:s=640x480:r=30:d=1[bg];[0]scale=300:300[f];[bg][f]overlay=x='if(lt(t,0.25),${EDGE_X}-${STEP}*round(30*t),${REF_X})':y=90:shortest=1,hflip`,
      '-frames:v', '9', '-c:v', 'libx264', '-crf', '18', '-pix_fmt', 'yuv420p', clip,
    ]);
    faces.push(...(await poolResults(clip)).map((r) => r.faces[0]));
  });

  /** The largest distance of points 33, 263, 1, 61, 291, 152, 10 from the reference's shifted by dx, in the reference's IOD. */
  const error = (f: RawFace, r: RawFace, dx: number) => {
    const m = r.mesh;
    const iod = Math.hypot(m[3 * 33] - m[3 * 263], m[3 * 33 + 1] - m[3 * 263 + 1]);
    return Math.max(...[33, 263, 1, 61, 291, 152, 10].map((p) => Math.hypot(f.mesh[3 * p] - m[3 * p] - dx, f.mesh[3 * p + 1] - m[3 * p + 1]))) / iod;
  };

  // Measured, tracked frames 1-7 (Debian ffmpeg | npm ffmpeg): 0.04 | 0.04 IOD on each; with the tracked mesh kept
  // wherever it lies (before TRACK_MAX_SHIFT): 0.06-0.89 | 0.09-0.77 IOD, over 0.15 on frames 4-6 | 3-6.
  it('keeps the tracked mesh on the face: within 0.15 IOD on every tracked frame', () => {
    expect(faces).toHaveLength(9);
    const ref = faces[8];
    expect(ref).toBeDefined();
    for (let n = 1; n < 8; n++) {
      expect(faces[n], `frame ${n}`).toBeDefined();
      expect(error(faces[n], ref, -(EDGE_X - STEP * n - REF_X)), `frame ${n}`).toBeLessThan(0.15);
    }
  });
});
