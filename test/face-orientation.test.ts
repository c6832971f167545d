/**
 * Faces at any roll (src/face/orientation.ts): fixtures/face/orientation.mp4 turns the portrait through the whole
 * circle (scripts/make-face-orientation-fixtures.mjs; each roll on two frames, a detector frame and a tracked one).
 * Every frame must give the face with its landmarks on the right facial parts (the upright frame's turned by the
 * known roll), roll near the truth and the eyes not swapped; past 90 degrees yaw and pitch are null (gimbal lock).
 * Before orientation.ts, at 135 degrees no face was found and at 150-240 an upright mesh lay over the inverted face
 * (landmarks 1.0-1.2 IOD off, eyes swapped, roll 165-180 degrees off, mesh_score 0.73-1), exit 0 without a word.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cropRoll, orientBoxes, refinedReading, ROLL_REFINE_MIN, surelyUpright, uprightScore, VIEW_SIDE, type DetectorBox } from '../src/face/orientation.js';
import { FaceEngine } from '../src/face/engine.js';
import { defaultModelDir } from '../src/face/models.js';
import { ffmpegBinaries } from '../src/media/ffmpeg-path.js';
// @ts-expect-error plain ES module without types
import { decodeRgb, forwardSimilarity, renderSimilarity } from '../scripts/face-render.mjs';
import { faceSummaryWarnings } from '../src/face/summary-warnings.js';
import { guardedPose } from '../src/face/quality.js';
import { FIXTURES, runFaceInProcess, tempDir, type CliResult } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

interface Rec {
  frame: number;
  face_found: boolean;
  roll_deg: number;
  yaw_deg: number | null;
  pitch_deg: number | null;
  pose_gimbal_lock: boolean;
  iod_px: number;
  landmarks: Array<[number, number, number]>;
}
const META = JSON.parse(readFileSync(join(FIXTURES, 'face', 'orientation.json'), 'utf8')) as { centre: [number, number]; rolls_deg: number[]; frames_per_roll: number };
const wrap = (d: number) => ((((d % 360) + 540) % 360) - 180);
/** Eye corners, nose tip, mouth corners. */
const POINTS = [33, 263, 1, 61, 291];

let tmp: { dir: string; cleanup: () => void };
let run: CliResult;
let recs: Rec[];
let summary: Record<string, unknown>;

beforeAll(async () => {
  tmp = tempDir('mmprep-orient-');
  const out = join(tmp.dir, 'o.jsonl');
  const sum = join(tmp.dir, 's.json');
  run = await runFaceInProcess(['face', join(FIXTURES, 'face', 'orientation.mp4'), '-o', out, '--summary', sum]);
  recs = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);
  summary = JSON.parse(readFileSync(sum, 'utf8')) as Record<string, unknown>;
}, 120_000);
afterAll(() => tmp?.cleanup());

/** The upright frame's point k turned by `roll` degrees (clockwise) about the render's centre. */
function truth(k: number, roll: number): [number, number] {
  const [cx, cy] = META.centre;
  const [x, y] = recs[0].landmarks[k];
  const a = (roll * Math.PI) / 180;
  return [cx + (x - cx) * Math.cos(a) - (y - cy) * Math.sin(a), cy + (x - cx) * Math.sin(a) + (y - cy) * Math.cos(a)];
}

describe('faces at any roll', () => {
  it('finds the face on every frame, exit 0, no warning', () => {
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(/warning/);
    expect(recs).toHaveLength(META.rolls_deg.length * META.frames_per_roll);
    expect(recs.filter((r) => !r.face_found).map((r) => r.frame)).toEqual([]);
    expect(summary.faces_read_turned).toBeGreaterThan(0);
    expect(summary.faces_rejected_orientation).toBe(0);
  });

  // Measured (Debian ffmpeg 5.1): roll within 2.1 degrees, landmarks within 0.053 IOD of the turned upright frame's on
  // every frame; before: no face at 135, 1.0-1.2 IOD and roll 165-180 degrees off at 150-240.
  it('puts the landmarks on the right parts, roll near the truth, the eyes not swapped', () => {
    const iod = recs[0].iod_px;
    for (const r of recs.slice(1)) {
      const roll = META.rolls_deg[Math.floor(r.frame / META.frames_per_roll)];
      const err = POINTS.reduce((s, k) => s + Math.hypot(truth(k, roll)[0] - r.landmarks[k][0], truth(k, roll)[1] - r.landmarks[k][1]), 0) / POINTS.length;
      expect(err / iod, `frame ${r.frame} (roll ${roll})`).toBeLessThan(0.12);
      expect(Math.abs(wrap(r.roll_deg - recs[0].roll_deg - roll)), `frame ${r.frame} roll`).toBeLessThan(5);
      const [rx, ry] = truth(33, roll);
      const d = (k: number) => Math.hypot(r.landmarks[k][0] - rx, r.landmarks[k][1] - ry);
      expect(d(33), `frame ${r.frame}: subject's right eye where the left one is`).toBeLessThan(d(263));
    }
  });

  it('nulls yaw and pitch past 90 degrees of roll (gimbal lock), also upside down', () => {
    for (const r of recs) {
      const roll = wrap(META.rolls_deg[Math.floor(r.frame / META.frames_per_roll)]);
      if (Math.abs(roll) < 90) continue;
      expect(r.pose_gimbal_lock, `frame ${r.frame}`).toBe(true);
      expect([r.yaw_deg, r.pitch_deg]).toEqual([null, null]);
    }
  });
});

// trial33: a camera turned a quarter without rotation metadata: every face read at roll ~90 degrees, yaw and pitch
// null, the mouth's MAR 0.056 against 0.204 upright, and nothing on stderr. The advice in the warning must work.
describe('a sideways camera (faces_read_sideways)', () => {
  it('warns when most face frames read rolled near 90 degrees, naming the rotation that turns them upright', async () => {
    const side = join(tmp.dir, 'side.mp4');
    ffmpegSync(['-i', join(FIXTURES, 'face', 'transform.mp4'), '-frames:v', '6', '-vf', 'transpose=1', '-c:v', 'libx264', '-crf', '18', '-pix_fmt', 'yuv420p', side]);
    const sum = join(tmp.dir, 'side.json');
    const r = await runFaceInProcess(['face', side, '-o', join(tmp.dir, 'side.jsonl'), '--summary', sum]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(sum, 'utf8')) as Record<string, unknown>;
    expect([s.faces_read_sideways, s.faces_read_sideways_direction]).toEqual([s.frames_with_face, 'clockwise']);
    expect(s.frames_with_face).toBeGreaterThan(3);
    const lines = r.stderr.trim().split('\n').filter((l) => /faces_read_sideways/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/warning: \d+ of \d+ frames with a face read it rolled clockwise by about 90 degrees .*-metadata:s:v:0 rotate=90 .*transpose=2/);
    // The advice: the rotation metadata it names turns the picture upright (read with either ffmpeg build).
    const fixed = join(tmp.dir, 'fixed.mp4');
    ffmpegSync(['-i', side, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', fixed]);
    const f = await runFaceInProcess(['face', fixed, '-o', join(tmp.dir, 'fixed.jsonl'), '--summary', join(tmp.dir, 'fixed.json')]);
    expect(f.code, f.stderr).toBe(0);
    expect(f.stderr).not.toMatch(/faces_read_sideways/);
    expect(JSON.parse(readFileSync(join(tmp.dir, 'fixed.json'), 'utf8')).faces_read_sideways).toBe(0);
  }, 120_000);

  // ttrial57b: a picture shown upside down (rotation metadata 180 degrees wrong): roll -177 on every frame, yaw and
  // pitch null, and no line on stderr. Now a warning whose advice turns it upright.
  it('warns when most face frames read upside down, and its advice turns the picture upright', async () => {
    const down = join(tmp.dir, 'down.mp4');
    ffmpegSync(['-i', join(FIXTURES, 'face', 'transform.mp4'), '-frames:v', '6', '-vf', 'hflip,vflip', '-c:v', 'libx264', '-crf', '18', '-pix_fmt', 'yuv420p', down]);
    const r = await runFaceInProcess(['face', down, '-o', join(tmp.dir, 'down.jsonl'), '--summary', join(tmp.dir, 'down.json')]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(join(tmp.dir, 'down.json'), 'utf8')) as Record<string, number>;
    expect(s.frames_with_face).toBeGreaterThan(3);
    expect([s.faces_read_upside_down, s.faces_read_sideways]).toEqual([s.frames_with_face, 0]);
    const lines = r.stderr.trim().split('\n').filter((l) => /faces_read_upside_down/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/warning: \d+ of \d+ frames with a face read it upside down .*-vf hflip,vflip/);
    const fixed = join(tmp.dir, 'up.mp4');
    ffmpegSync(['-i', down, '-vf', 'hflip,vflip', '-c:v', 'libx264', '-crf', '18', '-pix_fmt', 'yuv420p', fixed]);
    const f = await runFaceInProcess(['face', fixed, '-o', join(tmp.dir, 'up.jsonl'), '--summary', join(tmp.dir, 'up.json')]);
    expect(f.code, f.stderr).toBe(0);
    expect(f.stderr).not.toMatch(/faces_read_upside_down/);
    expect(JSON.parse(readFileSync(join(tmp.dir, 'up.json'), 'utf8')).faces_read_upside_down).toBe(0);
  }, 120_000);

  it('says nothing when half the face frames or fewer are sideways; the other direction names the other turn', () => {
    const w = (n: number, dir: 'clockwise' | 'counterclockwise') => faceSummaryWarnings({ frames_analysed: 80, frames_with_face: 75, faces_read_sideways: n, faces_read_sideways_direction: dir });
    expect(w(37, 'clockwise')).toEqual([]);
    expect(w(38, 'counterclockwise')).toHaveLength(1);
    expect(w(38, 'counterclockwise')[0]).toMatch(/^38 of 75 frames with a face read it rolled counter-clockwise .*rotate=270 .*transpose=1/);
  });
});

describe('pose of an upside-down face', () => {
  // Human's Y-Z-X angles for Megamind.avi turned 180 degrees (its other solution): yaw 166.6, pitch 177.8, roll -0.56.
  // Before, |roll| <= 60 let them through as a frontal, upright head (pose_gimbal_lock false).
  it('is gimbal-locked with the full-range in-plane roll, not Human\'s other Euler solution', () => {
    const r = recs.find((x) => META.rolls_deg[Math.floor(x.frame / META.frames_per_roll)] === 180)!;
    const p = guardedPose(Float64Array.from(r.landmarks.flat()), 166.6, 177.8, -0.56);
    expect(p.lock).toBe(true);
    expect([p.yaw, p.pitch]).toEqual([null, null]);
    expect(Math.abs(wrap(p.roll! - 180 - recs[0].roll_deg))).toBeLessThan(5);
  });
});

/** A detector box centred at (x, y), 100 px, with its mouth-to-nose keypoint axis pointing `up` (radians, image axes). */
function box(x: number, y: number, up: number, confidence: number): DetectorBox {
  const n: [number, number] = [x + 10 * Math.cos(up), y + 10 * Math.sin(up)];
  const m: [number, number] = [x - 10 * Math.cos(up), y - 10 * Math.sin(up)];
  return { startPoint: [x - 50, y - 50], endPoint: [x + 50, y + 50], landmarks: [m, m, n, m, m, m], confidence, size: [100, 100] };
}
const UP = -Math.PI / 2;

describe('orientBoxes (two readings of one face)', () => {
  it('keeps the frame reading when it scores higher, takes the turned one when that does', () => {
    const u = box(100, 100, UP, 0.9);
    const t = box(102, 98, -UP, 0.6);
    expect(orientBoxes([u], [t], 1, 0.5)).toEqual({ boxes: [u], turned: 0, contested: [], agreeing: [] });
    const u2 = box(100, 100, UP, 0.6);
    const t2 = box(102, 98, -UP, 0.9);
    expect(orientBoxes([u2], [t2], 1, 0.5)).toEqual({ boxes: [t2], turned: 1, contested: [], agreeing: [] });
  });

  it('sends opposite readings that score alike to the upright views (a tie); the warning names faces left out', () => {
    // Before 2026-12-07 such a face was left out here, before the views were asked: a still, upright, frontal portrait
    // read 0.758 upright and 0.714 turned lost every frame (ttrial57b); its upright view scores 0.95, the other 0.76.
    const u = box(100, 100, UP, 0.8);
    const t = box(100, 100, -UP, 0.82);
    const r = orientBoxes([u], [t], 1, 0.5);
    expect(r).toEqual({ boxes: [u], turned: 0, contested: [{ taken: u, other: t, takenTurned: false, tie: true }], agreeing: [] });
    const w = faceSummaryWarnings({ frames_analysed: 10, frames_with_face: 9, faces_rejected_orientation: 1, faces_rejected_orientation_first_t_s: 0.4 });
    expect(w.join('\n')).toMatch(/1 face\(s\) left out on detector frames \(first at 0\.40 s\).*upside down.*hflip,vflip/);
  });

  it('skips the turned reading only when every face is read upright at 0.9 or more', () => {
    expect(surelyUpright([box(100, 100, UP, 0.95)], 0.5)).toBe(true);
    expect(surelyUpright([box(100, 100, UP, 0.95), box(300, 300, UP, 0.3)], 0.5)).toBe(true);
    expect(surelyUpright([box(100, 100, UP, 0.85)], 0.5)).toBe(false);
    expect(surelyUpright([box(100, 100, UP + Math.PI / 3, 0.95)], 0.5)).toBe(false);
    expect(surelyUpright([box(100, 100, UP, 0.95), box(300, 300, -UP, 0.6)], 0.5)).toBe(false);
    expect(surelyUpright([], 0.5)).toBe(false);
  });

  it('leaves candidates below --min-confidence as the detector gave them; adds a face found only turned', () => {
    const weak = box(100, 100, UP, 0.3);
    expect(orientBoxes([weak], [box(100, 100, -UP, 0.32)], 1, 0.5)).toEqual({ boxes: [weak], turned: 0, contested: [], agreeing: [] });
    const only = box(300, 300, -UP, 0.8);
    expect(orientBoxes([], [only, box(100, 100, UP, 0.3)], 1, 0.5)).toEqual({ boxes: [only], turned: 1, contested: [], agreeing: [] });
  });
});

describe('contested readings (opposite, a narrow lead: ORIENTATION_CONFIRM)', () => {
  it('marks a reading that beats an opposite one by under 0.15 as contested, with the other reading', () => {
    const u = box(100, 100, UP, 0.66);
    const t = box(101, 99, -UP, 0.59);
    expect(orientBoxes([u], [t], 1, 0.5)).toEqual({ boxes: [u], turned: 0, contested: [{ taken: u, other: t, takenTurned: false }], agreeing: [] });
    const t2 = box(101, 99, -UP, 0.8);
    expect(orientBoxes([u], [t2], 1, 0.5).contested).toEqual([{ taken: t2, other: u, takenTurned: true }]);
    // Not contested: a clear lead, or two readings pointing the same way.
    expect(orientBoxes([box(100, 100, UP, 0.85)], [box(100, 100, -UP, 0.6)], 1, 0.5).contested).toEqual([]);
    expect(orientBoxes([u], [box(101, 99, UP + 0.3, 0.62)], 1, 0.5).contested).toEqual([]);
  });

  it('scores an upright view by the centred, upright face BlazeFace finds in it', () => {
    const c = VIEW_SIDE / 2;
    expect(uprightScore([box(c, c, UP, 0.8)])).toBe(0.8);
    expect(uprightScore([box(c, c, -UP, 0.9), box(c + 5, c, UP, 0.6)])).toBe(0.6);
    expect(uprightScore([box(c, c, UP + Math.PI / 3, 0.9)])).toBe(0);
    expect(uprightScore([box(10, 10, UP, 0.9)])).toBe(0);
  });

  // fixtures/face/orientation-contested.mp4 (scripts/make-face-orientation-fixtures.mjs): the portrait at zoom 2 turned
  // 219, 222 and 237 degrees, each after a black frame, on two frames. BlazeFace's upright reading points the wrong way
  // and beats the right, turned one by 0.06-0.08; before the arbitration an upright mesh lay 0.87-0.97 IOD off on all
  // six frames (det 0.76-0.83), exit 0. Measured after (both ffmpeg builds): 0.013-0.026 IOD.
  it('takes the reading BlazeFace finds upright when the face is turned upright by it: right landmarks on every frame', async () => {
    const meta = JSON.parse(readFileSync(join(FIXTURES, 'face', 'orientation-contested.json'), 'utf8')) as { centre: [number, number]; frames: Array<number | string> };
    const out = join(tmp.dir, 'contested.jsonl');
    const r = await runFaceInProcess(['face', join(FIXTURES, 'face', 'orientation-contested.mp4'), '-o', out]);
    expect(r.code).toBe(0);
    const cr = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);
    expect(cr).toHaveLength(meta.frames.length);
    const [cx, cy] = meta.centre;
    const iod = cr[0].iod_px;
    meta.frames.forEach((f, k) => {
      if (typeof f !== 'number') return;
      expect(cr[k].face_found, `frame ${k} (${f} deg)`).toBe(true);
      const a = (f * Math.PI) / 180;
      const err = POINTS.reduce((s, p) => {
        const [x, y] = cr[0].landmarks[p];
        const q = [cx + (x - cx) * Math.cos(a) - (y - cy) * Math.sin(a), cy + (x - cx) * Math.sin(a) + (y - cy) * Math.cos(a)];
        return s + Math.hypot(cr[k].landmarks[p][0] - q[0], cr[k].landmarks[p][1] - q[1]);
      }, 0);
      expect(err / POINTS.length / iod, `frame ${k} (${f} deg)`).toBeLessThan(0.12);
    });
  }, 120_000);
});

describe('strongly rolled faces: the crop re-read upright (ROLL_REFINE)', () => {
  it('maps the upright view\'s reading back: keypoints turned by the view\'s axis, centre moved, side kept', () => {
    const c = VIEW_SIDE / 2;
    const b = box(300, 200, 0, 0.8); // read at 90 degrees of roll (axis to the image's right)
    expect(cropRoll(b)).toBeCloseTo(Math.PI / 2, 9);
    // The view shows the face 30 degrees further on (clockwise), centred: the reading becomes 120 degrees.
    const r = refinedReading(b, [box(c, c, UP + Math.PI / 6, 0.7)], 0.5)!;
    expect(cropRoll(r)).toBeCloseTo((2 * Math.PI) / 3, 9);
    expect([(r.startPoint[0] + r.endPoint[0]) / 2, (r.startPoint[1] + r.endPoint[1]) / 2]).toEqual([300, 200]);
    expect(r.endPoint[0] - r.startPoint[0]).toBe(100);
    expect(r.confidence).toBe(0.8);
    // A centre 20 view pixels below the middle is 20 * (100 / 0.5 / 256) px along the view's down: the image's left.
    const moved = refinedReading(b, [box(c, c + 20, UP + Math.PI / 6, 0.7)], 0.5)!;
    expect((moved.startPoint[0] + moved.endPoint[0]) / 2).toBeCloseTo(300 - Math.round((20 * 100) / 0.5 / 256), 0);
    // Nothing to correct (within ROLL_REFINE_MIN), no confident centred face, or one far from upright: no change.
    expect(refinedReading(b, [box(c, c, UP + ROLL_REFINE_MIN / 2, 0.9)], 0.5)).toBeNull();
    expect(refinedReading(b, [box(c, c, UP + Math.PI / 6, 0.4)], 0.5)).toBeNull();
    expect(refinedReading(b, [box(20, 20, UP + Math.PI / 6, 0.9)], 0.5)).toBeNull();
    expect(refinedReading(b, [box(c, c, UP + Math.PI / 2, 0.9)], 0.5)).toBeNull();
  });

  // scripts/measure-face-turned.mjs: the portrait at zoom 1.6 turned 115 and 250 degrees. BlazeFace's keypoints put
  // the crop 46 and 30 degrees off the face (e.g. 72.7 where the face is at 118.5), the mesh followed its crop (own
  // roll 69.6) and lay 0.37 and 0.32 IOD off with mesh score 1.0 (the sweep's wrong frames). After: 0.0x IOD.
  it('puts the mesh on the right parts where the detector\'s keypoints turned the crop 30-46 degrees off', async () => {
    const [W, H, zoom] = [400, 400, 1.6];
    const src = decodeRgb(ffmpegBinaries().ffmpeg.path, join(FIXTURES, 'face', 'astronaut.png')) as Buffer;
    const base = { sx: 225, sy: 150, ox: W / 2, oy: H / 2, mirror: false, scale: zoom, rotation_deg: 0 };
    const engine = await FaceEngine.create({ backend: 'wasm', modelDir: defaultModelDir(), maxFaces: 1, detectorMinConfidence: 0.1, minConfidence: 0.5 });
    const at = async (deg: number) => (await engine.analyse({ data: renderSimilarity(src, 512, 512, W, H, { ...base, rotation_deg: deg }), width: W, height: H, redetect: true })).faces;
    const [up] = await at(0);
    const iod = Math.hypot(up.mesh[3 * 33] - up.mesh[3 * 263], up.mesh[3 * 33 + 1] - up.mesh[3 * 263 + 1]);
    for (const deg of [115, 250]) {
      const [f] = await at(deg);
      expect(f, `${deg} deg`).toBeDefined();
      const err = POINTS.reduce((s, i) => {
        const [x, y] = forwardSimilarity({ ...base, rotation_deg: deg }, base.sx + (up.mesh[3 * i] - W / 2) / zoom, base.sy + (up.mesh[3 * i + 1] - H / 2) / zoom) as [number, number];
        return s + Math.hypot(f.mesh[3 * i] - x, f.mesh[3 * i + 1] - y);
      }, 0);
      expect(err / POINTS.length / iod, `${deg} deg`).toBeLessThan(0.12);
    }
  }, 120_000);
});
