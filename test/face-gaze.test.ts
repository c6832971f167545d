/**
 * Issue 13 item 4, gaze against known truth: synthetic eyeballs turned to known angles (scripts/face-render.mjs
 * drawEye) drawn into the eye openings of renders of fixtures/face/astronaut.png (fixtures/face/gaze-synthetic.json,
 * made by scripts/make-gaze-fixtures.mjs; scenes that played no part in fitting GAZE_CALIBRATION), and their mirror
 * images. Every frame follows a black one, so the face detector runs on it. Pixels are rendered here in JavaScript
 * (the same with any ffmpeg build) and written losslessly (FFV1).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractFace, type FaceRecord } from '../src/face/index.js';
import { eyeGaze, gazeAngles, NO_GAZE_CALIBRATION, type GazeCalibration } from '../src/face/gaze.js';
import { ffmpegBinaries } from '../src/media/ffmpeg-path.js';
import { eyeOpening, GAZE_OPENING_MIN, gazeFields, IRIS_CROP_SCALE, irisCropOutside, visibilityFields } from '../src/face/quality.js';
import { EYE_OPENING, type EyePupils } from '../src/face/pupil.js';
// @ts-expect-error plain ES module without types
import { decodeRgb, drawEye, renderSimilarity } from '../scripts/face-render.mjs';
import { FIXTURES, tempDir } from './helpers/cli.js';

type Eye = { opening: Array<[number, number]>; centre: [number, number]; radius: number };
type Scene = { name: string; transform: Record<string, number | boolean>; right: Eye; left: Eye };
const DIR = join(FIXTURES, 'face');
const FIX = JSON.parse(readFileSync(join(DIR, 'gaze-synthetic.json'), 'utf8')) as { width: number; height: number; look: { iris: number[]; sclera: number[]; seed: number }; scenes: Scene[] };
const W = FIX.width;
const H = FIX.height;
const RAD = Math.PI / 180;
/** Truths in degrees (OpenFace's gaze_angle_x, gaze_angle_y); `mirror` frames are mirror images of the scene's frame. */
const TRUTHS: Array<{ x: number; y: number; mirror?: boolean }> = [
  { x: 0, y: 0 },
  { x: -15, y: 0 },
  { x: 15, y: 0 },
  { x: 0, y: -12 },
  { x: 0, y: 12 },
  { x: 0, y: 0, mirror: true },
  { x: 15, y: 0, mirror: true },
  { x: 0, y: 12, mirror: true },
];

/** Unit vector whose OpenFace angles are (x, y) radians. */
const gazeVector = (x: number, y: number) => {
  const v = [Math.tan(x), Math.tan(y), -1];
  const l = Math.hypot(v[0], v[1], v[2]);
  return v.map((c) => c / l);
};
function mirrorImg(img: Buffer): Buffer {
  const out = Buffer.alloc(img.length);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) img.copy(out, 3 * (y * W + (W - 1 - x)), 3 * (y * W + x), 3 * (y * W + x) + 3);
  return out;
}

let tmp: { dir: string; cleanup: () => void };
const recs = new Map<string, FaceRecord>();
const key = (scene: string, t: { x: number; y: number; mirror?: boolean }) => `${scene} ${t.x} ${t.y}${t.mirror ? ' mirror' : ''}`;

beforeAll(async () => {
  tmp = tempDir('mmprep-face-gaze-');
  const ffmpeg = ffmpegBinaries().ffmpeg.path;
  const src = decodeRgb(ffmpeg, join(DIR, 'astronaut.png')) as Buffer;
  const black = Buffer.alloc(W * H * 3);
  const frames: Buffer[] = [];
  const keys: string[] = [];
  for (const s of FIX.scenes) {
    const base = renderSimilarity(src, 512, 512, W, H, s.transform) as Buffer;
    for (const t of TRUTHS) {
      const g = gazeVector(t.x * RAD, t.y * RAD);
      let img = base;
      for (const eye of [s.right, s.left]) img = drawEye(img, W, H, { ...eye, g, ...FIX.look }) as Buffer;
      frames.push(black, t.mirror ? mirrorImg(img) : img);
      keys.push(key(s.name, t));
    }
  }
  const clip = join(tmp.dir, 'gaze.mkv');
  const r = spawnSync(ffmpeg, ['-nostdin', '-y', '-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-r', '1', '-i', '-', '-c:v', 'ffv1', '-pix_fmt', 'bgr0', clip], { input: Buffer.concat(frames), maxBuffer: 2 ** 31 });
  expect(r.status).toBe(0);
  const out = join(tmp.dir, 'gaze.jsonl');
  // In this process (workers 0): the models load once for this file's three runs, not in a thread per run.
  await extractFace(clip, { out, workers: 0, maxFaces: 1 });
  const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as FaceRecord);
  keys.forEach((k, i) => recs.set(k, lines[2 * i + 1]));
});
afterAll(() => tmp?.cleanup());

/** Angles of a record's mesh under a calibration (to show what the uncorrected model gives on the same points). */
function anglesWith(rec: FaceRecord, cal: GazeCalibration): { x: number; y: number } {
  const m = Float64Array.from((rec as unknown as { landmarks: number[][] }).landmarks.flat());
  return gazeAngles(eyeGaze(m, 'right', undefined, cal)!, eyeGaze(m, 'left', undefined, cal)!);
}
/** What mmprep wrote. */
const written = (rec: FaceRecord) => ({ x: rec.gaze_angle_x_rad as number, y: rec.gaze_angle_y_rad as number });
/**
 * Per scene: slope (through 0) of the change of each angle from the scene's (0, 0) frame against the truth's, for the
 * written angles or those of the record's mesh under a calibration.
 */
function slopes(scene: string, cal: GazeCalibration | 'written'): { x: number; y: number } {
  const get = (rec: FaceRecord) => (cal === 'written' ? written(rec) : anglesWith(rec, cal));
  const z = get(recs.get(key(scene, TRUTHS[0]))!);
  const d = TRUTHS.filter((t) => !t.mirror && (t.x || t.y)).map((t) => ({ t, a: get(recs.get(key(scene, t))!) }));
  const s = (k: 'x' | 'y') => {
    const pts = d.filter((p) => p.t[k] !== 0);
    return pts.reduce((acc, p) => acc + (p.a[k] - z[k]) * p.t[k] * RAD, 0) / pts.reduce((acc, p) => acc + (p.t[k] * RAD) ** 2, 0);
  };
  return { x: s('x'), y: s('y') };
}

describe('gaze on synthetic eyes of known rotation (item 4)', () => {
  it('finds the face in every frame, with both eyes visible', () => {
    for (const [k, r] of recs) {
      expect(r.face_found, k).toBe(true);
      expect(r.gaze_angle_x_rad, k).not.toBeNull();
    }
  });

  // Measured (docs/face.md "Gaze"): slopes of the written angles 0.96/0.83 (x/y, upright) and 0.80/0.84 (turned -20
  // degrees), |error| at most 0.103 rad, with both eyes in the iris model's trained orientation and the pixels' iris
  // centre averaged in (iris.ts, pupil.ts); 0.78/0.65 and 0.89/0.81 with Human's own flips and the iris model alone.
  // OpenFace's model as is on the same points: 0.56/0.28 and 0.41/0.29.
  it('reads angles within 0.15 rad and changes at 0.7-1.3 of the truth; OpenFace\'s model as is reads about 0.3-0.5', () => {
    for (const s of FIX.scenes) {
      for (const t of TRUTHS.filter((q) => !q.mirror)) {
        const r = recs.get(key(s.name, t))!;
        expect(Math.abs((r.gaze_angle_x_rad as number) - t.x * RAD), `${s.name} ${t.x} ${t.y} x`).toBeLessThan(0.15);
        expect(Math.abs((r.gaze_angle_y_rad as number) - t.y * RAD), `${s.name} ${t.x} ${t.y} y`).toBeLessThan(0.15);
      }
      const cal = slopes(s.name, 'written');
      const raw = slopes(s.name, NO_GAZE_CALIBRATION);
      expect(cal.x, `${s.name} x`).toBeGreaterThan(0.7);
      expect(cal.x).toBeLessThan(1.3);
      expect(cal.y, `${s.name} y`).toBeGreaterThan(0.7);
      expect(cal.y).toBeLessThan(1.3);
      // Without the correction (the eye corners follow the iris: gaze.ts GazeCalibration).
      expect(raw.x).toBeLessThan(0.6);
      expect(raw.y).toBeLessThan(0.6);
    }
  });

  // Mirror images of the (0, 0), (15, 0) and (0, 12) frames. The changes from the (0, 0) frame mirror (x changes sign,
  // y stays): measured |dx + dx_mirror| 0.004-0.158 rad (the largest for (15, 0) turned by -20 degrees, whose mirror
  // image is turned by +20; 0.027-0.112 before Human's truncated coordinates were put back at the pixel's middle),
  // |dy - dy_mirror| 0.028-0.080 (0.028-0.107 before). The readings themselves: |x + x_mirror| 0.011-0.094 rad
  // (0.028-0.084 before); with Human's own flips (its two eyes went through the iris model differently) -0.05 to -0.195.
  // What remains is the face mesh's (it places the eye crops); the correction is mirror-symmetric (same numbers for
  // both eyes).
  it('is mirror-symmetric: a mirror image changes x by the opposite amount and y by the same', () => {
    for (const s of FIX.scenes) {
      const o0 = recs.get(key(s.name, { x: 0, y: 0 }))!;
      const m0 = recs.get(key(s.name, { x: 0, y: 0, mirror: true }))!;
      expect(Math.abs((o0.gaze_angle_x_rad as number) + (m0.gaze_angle_x_rad as number)), `${s.name} straight ahead`).toBeLessThan(0.12);
      for (const t of TRUTHS.filter((q) => q.mirror && (q.x || q.y))) {
        const m = recs.get(key(s.name, t))!;
        const o = recs.get(key(s.name, { x: t.x, y: t.y }))!;
        const dx = (o.gaze_angle_x_rad as number) - (o0.gaze_angle_x_rad as number);
        const dxm = (m.gaze_angle_x_rad as number) - (m0.gaze_angle_x_rad as number);
        const dy = (o.gaze_angle_y_rad as number) - (o0.gaze_angle_y_rad as number);
        const dym = (m.gaze_angle_y_rad as number) - (m0.gaze_angle_y_rad as number);
        expect(Math.abs(dx + dxm), `${s.name} ${t.x} ${t.y} x`).toBeLessThan(0.17);
        expect(Math.abs(dy - dym), `${s.name} ${t.x} ${t.y} y`).toBeLessThan(0.1);
        expect(Math.abs((o.gaze_angle_x_rad as number) + (m.gaze_angle_x_rad as number))).toBeLessThan(0.12);
      }
    }
  });

  // An untrustworthy eye is refused, not read (quality.ts GAZE_OPENING_MIN): messi5.jpg's eye, a 15-px face enlarged to a
  // thin slit, read 21-24 degrees off with openings of 0.34-0.55 eyeball radii (scripts/measure-gaze.mjs --cues); these
  // renders measured 0.67-0.98 and every frame keeps its gaze (first test). Here a real mesh of this set with one eye's
  // lids pressed together across the corner line (as messi5's slit) must come back null with the reason, and the
  // same mesh unpressed must keep its gaze.
  it('nulls gaze with a reason when an eye opening is too thin to place the iris', () => {
    const vis = visibilityFields({ eye_right: 100, eye_left: 100, brow_right: 100, brow_left: 100, mouth: 100 });
    for (const [k, rec] of recs) {
      const m = Float64Array.from((rec as unknown as { landmarks: number[][] }).landmarks.flat());
      for (const eye of ['right', 'left'] as const) expect(eyeOpening(m, eye), `${k} ${eye}`).toBeGreaterThan(GAZE_OPENING_MIN + 0.1);
    }
    const rec = recs.get(key(FIX.scenes[0].name, TRUTHS[0]))!;
    const m = Float64Array.from((rec as unknown as { landmarks: number[][] }).landmarks.flat());
    const pupils: EyePupils = { right: null, left: null };
    const kept = gazeFields(m, vis, 'native', pupils);
    expect(kept.gaze_angle_x_rad).not.toBeNull();
    expect(kept.gaze_null_reason).toBeNull();
    // Press the left eye's contour to 0.45 of its height about the corner line's midpoint.
    const [a, b] = [362, 263];
    const len = Math.hypot(m[3 * b] - m[3 * a], m[3 * b + 1] - m[3 * a + 1]);
    const [ux, uy] = [(m[3 * b] - m[3 * a]) / len, (m[3 * b + 1] - m[3 * a + 1]) / len];
    const [cx, cy] = [(m[3 * a] + m[3 * b]) / 2, (m[3 * a + 1] + m[3 * b + 1]) / 2];
    for (const i of EYE_OPENING.left) {
      const across = -(m[3 * i] - cx) * uy + (m[3 * i + 1] - cy) * ux;
      m[3 * i] -= -0.55 * across * uy;
      m[3 * i + 1] -= 0.55 * across * ux;
    }
    expect(eyeOpening(m, 'left')).toBeLessThan(GAZE_OPENING_MIN);
    const thin = gazeFields(m, vis, 'native', pupils);
    expect(thin.gaze_left).toBeNull();
    expect(thin.gaze_right).not.toBeNull();
    expect(thin.gaze_angle_x_rad).toBeNull();
    expect(thin.gaze_angle_y_rad).toBeNull();
    expect(thin.gaze_null_reason).toBe('eye_opening_thin');
    // An eye whose corner lies beyond the picture's edge (quality.ts, as its EAR): null with 'eye_outside_picture'.
    const whole = Float64Array.from((rec as unknown as { landmarks: number[][] }).landmarks.flat());
    const cut = gazeFields(whole, vis, 'native', pupils, { left: true, right: false });
    expect([cut.gaze_left, cut.gaze_angle_x_rad, cut.gaze_angle_y_rad, cut.gaze_null_reason]).toEqual([null, null, null, 'eye_outside_picture']);
    expect(cut.gaze_right).toEqual(kept.gaze_right);
    // An eye inside the picture whose iris crop (Human's 2.3 x the corners' box, squared) reaches past the edge: the
    // model reads padding beside it (the s01 camera cut at the left edge read 0.18-0.41 rad off): null with its reason.
    const [c0, c1] = [whole[3 * 362], whole[3 * 263]];
    const half = (IRIS_CROP_SCALE * Math.max(Math.abs(c1 - c0), Math.abs(whole[3 * 263 + 1] - whole[3 * 362 + 1]))) / 2;
    const eyeWidth = Math.hypot(c1 - c0, whole[3 * 263 + 1] - whole[3 * 362 + 1]);
    const right = Math.max(...[362, 263].map((i) => whole[3 * i]));
    expect(irisCropOutside(whole, 'left', right + 1, H)).toBe(true);
    // Past the edge by 0.15 eye widths: out; by 0.05 (within IRIS_CROP_OVERSHOOT_MAX): kept.
    expect(irisCropOutside(whole, 'left', (c0 + c1) / 2 + half - 0.15 * eyeWidth, H)).toBe(true);
    expect(irisCropOutside(whole, 'left', (c0 + c1) / 2 + half - 0.05 * eyeWidth, H)).toBe(false);
    expect(irisCropOutside(whole, 'left', W, H)).toBe(false);
    const near = gazeFields(whole, vis, 'native', pupils, { left: false, right: false, irisCropLeft: true });
    expect([near.gaze_left, near.gaze_angle_x_rad, near.gaze_null_reason]).toEqual([null, null, 'eye_crop_outside_picture']);
    expect(near.gaze_right).toEqual(kept.gaze_right);
  });
});

/**
 * A picture and its mirror image on video: gaze_angle_x must change sign, so (x + x_mirror) / 2 is a bias both share.
 * Human 3.3.6 truncates the mesh's and iris points' coordinates to whole pixels (on average half a pixel towards the
 * picture's top-left) while the iris centre found in the pixels (pupil.ts) is not truncated; the pupil then sat half a
 * pixel right of the eye corners in every picture, and gaze read towards the image's right. The first 30 frames of
 * fixtures/face/transform.mp4 (the portrait moving and rolling, 640 x 480) and their hflip copy, both written
 * losslessly: (x + x_m) / 2 averaged +0.058 rad (median |x + x_m| 0.122) before engine.ts MESH_TRUNC_CENTRE, -0.003
 * (0.061) after; all 75 frames +0.078 -> 0.003, and H.264 copies +0.075 -> -0.001, 3 s of OpenCV's Megamind.avi
 * +0.064 -> 0.017 (docs/face.md "Gaze").
 */
describe('gaze on a video and its mirror image', () => {
  it('shares no bias towards either side of the picture', async () => {
    const ffmpeg = ffmpegBinaries().ffmpeg.path;
    const x: Record<string, Array<number | null>> = {};
    for (const [name, vf] of [['plain', 'null'], ['mirror', 'hflip']]) {
      const clip = join(tmp.dir, `${name}.mkv`);
      const r = spawnSync(ffmpeg, ['-nostdin', '-y', '-v', 'error', '-i', join(DIR, 'transform.mp4'), '-vf', vf, '-frames:v', '30', '-an', '-c:v', 'ffv1', clip]);
      expect(r.status, String(r.stderr)).toBe(0);
      const out = join(tmp.dir, `${name}.jsonl`);
      await extractFace(clip, { out, workers: 0 });
      x[name] = readFileSync(out, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as FaceRecord).gaze_angle_x_rad as number | null);
    }
    const pairs = x.plain.flatMap((a, i) => (a !== null && x.mirror[i] !== null && x.mirror[i] !== undefined ? [(a + (x.mirror[i] as number)) / 2] : []));
    expect(pairs.length).toBeGreaterThan(20);
    const mean = pairs.reduce((s, v) => s + v, 0) / pairs.length;
    const sorted = pairs.map((v) => Math.abs(2 * v)).sort((a, b) => a - b);
    expect(Math.abs(mean)).toBeLessThan(0.025);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(0.09);
  }, 120_000);
});
