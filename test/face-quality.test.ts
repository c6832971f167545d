/**
 * Issue 13, items 1-5: the 68-point subset against dlib's reference points, plausibility of the mesh, per-region
 * visibility (a covered eye is not a blink), the gimbal-lock guard, gaze, and the OpenFace-named CSV. Frames are
 * rendered here in JavaScript from fixtures/face/astronaut.png (scripts/face-render.mjs: the same pixels whatever the
 * ffmpeg build) and written losslessly (FFV1), then analysed in one run to keep the suite short.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractFace, type FaceRecord, type FaceSummary, type PlausibilityCandidate } from '../src/face/index.js';
import { DLIB68_FROM_MESH, DLIB68_FROM_MESH_V0, REGIONS68 } from '../src/face/landmarks68.js';
import { implausibility, PLAUSIBLE, plausibilityFeatures, POSE_BOUNDS } from '../src/face/plausibility.js';
import { regionContrast, skinContrast, VISIBILITY_REGIONS } from '../src/face/visibility.js';
import { faceQuality, visibilityFields } from '../src/face/quality.js';
import { OPENFACE_COLUMNS } from '../src/face/openface-csv.js';
import { headRotation, openfaceEuler } from '../src/face/pose.js';
import { ffmpegBinaries } from '../src/media/ffmpeg-path.js';
// @ts-expect-error plain ES module without types
import { decodeRgb, fillEllipse, lowLight, renderSimilarity, warpDisc } from '../scripts/face-render.mjs';
import { FIXTURES, runFaceInProcess, tempDir } from './helpers/cli.js';

type Pt = [number, number, number];
type Face = Record<string, unknown> & { landmarks: Pt[]; landmarks68: Pt[]; det_bbox_px: [number, number, number, number] };

const DIR = join(FIXTURES, 'face');
const REF = JSON.parse(readFileSync(join(DIR, 'dlib68-reference.json'), 'utf8')) as {
  width: number;
  height: number;
  renders: Array<{ name: string; transform: Record<string, number | boolean>; dlib_points: Array<[number, number]> }>;
};
const W = REF.width;
const H = REF.height;
/** Face centre of astronaut.png (as in scripts/measure-face68.mjs). */
const FACE = { x: 220, y: 121 };

let tmp: { dir: string; cleanup: () => void };
let recs: FaceRecord[];
const at: Record<string, number> = {};
let clip: string;
let summary: FaceSummary;
/** What the plausibility check saw (extractFace's onPlausibility). */
const candidates: PlausibilityCandidate[] = [];
/** The rendered frames by name (the picture cues of the plausibility check are measured on them). */
const pictures: Record<string, Buffer> = {};
/** Each frame's name (`at` keeps the last frame of a name). */
const frameNames: string[] = [];

function frameAt(src: Buffer, t: Record<string, number | boolean>): Buffer {
  return renderSimilarity(src, 512, 512, W, H, { sx: FACE.x, sy: FACE.y, ox: W / 2, oy: H / 2, mirror: false, rotation_deg: 0, scale: 2, ...t });
}
function mirrorImg(img: Buffer): Buffer {
  const out = Buffer.alloc(img.length);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) img.copy(out, 3 * (y * W + (W - 1 - x)), 3 * (y * W + x), 3 * (y * W + x) + 3);
  return out;
}
const mean2 = (pts: Array<[number, number]>) => [pts.reduce((s, p) => s + p[0], 0) / pts.length, pts.reduce((s, p) => s + p[1], 0) / pts.length];

beforeAll(async () => {
  tmp = tempDir('mmprep-face-quality-');
  const ffmpeg = ffmpegBinaries().ffmpeg.path;
  const src = decodeRgb(ffmpeg, join(DIR, 'astronaut.png')) as Buffer;
  const frames: Buffer[] = [];
  const add = (name: string, img: Buffer) => {
    at[name] = frames.length;
    frameNames.push(name);
    frames.push(img);
    pictures[name] = img;
  };
  for (const r of REF.renders) add(r.name, renderSimilarity(src, 512, 512, W, H, r.transform));
  // Occluders placed from dlib's points on the frontal render: a skin-coloured card over the right eye / the mouth.
  const front = REF.renders[0];
  const p = front.dlib_points;
  const eyeR = mean2(p.slice(36, 42));
  const eyeW = Math.hypot(p[39][0] - p[36][0], p[39][1] - p[36][1]);
  const mouth = mean2(p.slice(48, 60));
  const mouthW = Math.hypot(p[54][0] - p[48][0], p[54][1] - p[48][1]);
  const base = renderSimilarity(src, 512, 512, W, H, front.transform);
  add('eye-covered', fillEllipse(base, W, H, eyeR[0], eyeR[1], 0.9 * eyeW, 0.6 * eyeW, [196, 150, 130], 12));
  add('mouth-covered', fillEllipse(base, W, H, mouth[0], mouth[1], 0.8 * mouthW, 0.5 * mouthW, [196, 150, 130]));
  // In-plane rotation by a quarter turn either way (gimbal lock of Human's Y-Z-X angles).
  add('roll+90', frameAt(src, { rotation_deg: 90, scale: 1.8 }));
  add('roll-90', frameAt(src, { rotation_deg: -90, scale: 1.8 }));
  // Gaze: both irises moved by +-4 px horizontally at zoom 3 (iris centres of astronaut.png as mmprep finds them:
  // (204.9, 100.8) and (245.4, 103.2) source pixels, radius 4 (12 at zoom 3); scripts/measure-face-quality.mjs gaze),
  // and a mirror image.
  const g = frameAt(src, { scale: 3 });
  const iris = [[204.9, 100.8], [245.4, 103.2]].map(([x, y]) => [W / 2 + 3 * (x - FACE.x), H / 2 + 3 * (y - FACE.y)]);
  const shift = (img: Buffer, dx: number) => iris.reduce((acc, [x, y]) => warpDisc(acc, W, H, x, y, 1.1 * IRIS_R, 1.8 * IRIS_R, dx, 0) as Buffer, img);
  add('gaze0', g);
  add('gaze-left4', shift(g, -4));
  add('gaze-right4', shift(g, 4));
  add('gaze-right4-mirror', mirrorImg(shift(g, 4)));
  // The same picture a third of that size (the face ~100 px wide): for the depth's scale.
  add('zoom1', frameAt(src, { scale: 1 }));
  // A pattern Human takes for a face (det 0.65, mesh 0.85: concentric rings, 15 px apart); the check rejects it.
  const rings = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) rings.fill(Math.floor(Math.hypot(x - W / 2, y - H / 2) / 15) % 2 ? 220 : 40, 3 * (y * W + x), 3 * (y * W + x) + 3);
  add('rings', rings);
  // trial30 S3: a dark bar appears over both eyes (brows to below the lower lids; the uncovered frame before it), and
  // both eyes drawn closed (skin over each eye, a dark lash line; dimmed and noisy: a blink the visibility must keep).
  // The trial's bar in the portrait's own pixels (x 185-263, y 89-115: both eyes, the brows' lower edge to 12 px
  // under the eye line), drawn where the frontal render puts them.
  const eyeL = mean2(p.slice(42, 48));
  const k = front.transform.scale as number;
  const bar = (img: Buffer) => fillRect(img, W / 2 + k * (185 - FACE.x), H / 2 + k * (89 - FACE.y), W / 2 + k * (263 - FACE.x), H / 2 + k * (115 - FACE.y), [48, 48, 48]);
  // Three uncovered frames so that the detector's frame (every DETECT_EVERY = 8th, pool.ts) is uncovered and the bar's
  // frames are tracked, as in the trial (the detector alone, on a frame with both eyes covered, reads the face both
  // ways up and leaves it out: trial30 N1).
  for (let k = frames.length; k <= 16; k++) add('bar-before', base);
  add('bar-eyes', bar(base));
  add('bar-eyes-2', bar(base));
  add('bar-eyes-3', bar(base));
  const closed = (img: Buffer, c: number[]) => fillEllipse(fillEllipse(img, W, H, c[0], c[1], 0.7 * eyeW, 0.4 * eyeW, [196, 150, 130], 4), W, H, c[0], c[1] + 0.05 * eyeW, 0.55 * eyeW, 0.05 * eyeW, [40, 30, 30]);
  // An open frame just before (1 s): a blink closes eyes seen open (src/face/open-eyes.ts).
  add('closed-before', base);
  add('eyes-closed', lowLight(closed(closed(base, eyeR), eyeL), 0.25, 8));
  // ttrial48b W4: cheek skin copied over an eye (coverL_skin.mp4) and over both (coverB_tight.mp4), as the trial made
  // them (ffmpeg crop + overlay of the cheek 1.2 eye widths below), after the closed eyes: no open eye seen since.
  add('patch-left', cheekPatch(base, [eyeL], eyeW));
  add('patch-both', cheekPatch(base, [eyeR, eyeL], eyeW));
  add('patch-both-2', cheekPatch(base, [eyeR, eyeL], eyeW, 0.15));
  clip = join(tmp.dir, 'quality.mkv');
  const r = spawnSync(ffmpeg, ['-nostdin', '-y', '-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-r', '1', '-i', '-', '-c:v', 'ffv1', '-pix_fmt', 'bgr0', clip], { input: Buffer.concat(frames), maxBuffer: 2 ** 31 });
  expect(r.status).toBe(0);
  const out = join(tmp.dir, 'quality.jsonl');
  // In this thread (workers 0: the models are loaded here already; a worker thread loaded them again, ~1.5 CPU s).
  summary = (await extractFace(clip, { out, workers: 0, landmarks68: true, onPlausibility: (c) => candidates.push(c) }))!;
  recs = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as FaceRecord);
});
afterAll(() => tmp?.cleanup());

/** Fills the rectangle [x0, x1) x [y0, y1) (rounded) with a colour plus fillEllipse's texture of amplitude `tex`. */
function fillRect(img: Buffer, x0: number, y0: number, x1: number, y1: number, rgb: number[], tex = 0): Buffer {
  const out = Buffer.from(img);
  for (let y = Math.round(y0); y < Math.round(y1); y++) {
    for (let x = Math.round(x0); x < Math.round(x1); x++) {
      const t = tex ? tex * Math.sin(x * 0.7 + 0.3 * y) * Math.cos(y * 0.5) : 0;
      out.set(rgb.map((c) => Math.max(0, Math.min(255, Math.round(c + t)))), 3 * (y * W + x));
    }
  }
  return out;
}

/** Cheek skin (1.3 x 0.6 eye widths, from 1.2 eye widths below) copied over each eye centre, as the trial's patches. */
function cheekPatch(img: Buffer, eyes: number[][], eyeW: number, up = 0): Buffer {
  const out = Buffer.from(img);
  const w = Math.round(1.3 * eyeW);
  const h = Math.round(0.6 * eyeW);
  for (const [cx, cy] of eyes) {
    const x0 = Math.round(cx - w / 2);
    const y0 = Math.round(cy - h / 2 - up * eyeW);
    const dy = Math.round(1.2 * eyeW);
    for (let y = y0; y < y0 + h; y++) img.copy(out, 3 * (y * W + x0), 3 * ((y + dy) * W + x0), 3 * ((y + dy) * W + x0 + w));
  }
  return out;
}

/** Iris radius in the zoom-3 render (px), measured as for the centres above. */
const IRIS_R = 12;
const face = (name: string) => recs[at[name]] as unknown as Face;

describe('68-point subset against dlib (item 1)', () => {
  it('landmarks68 is the subset, and its NME per region against dlib stays within the bounds measured', () => {
    const nme = (map: readonly number[]) => {
      const out: Record<string, number> = {};
      for (const [region, [a, b]] of Object.entries(REGIONS68)) {
        let s = 0;
        let n = 0;
        for (const r of REF.renders) {
          const f = face(r.name);
          const d = r.dlib_points;
          const iod = Math.hypot(d[36][0] - d[45][0], d[36][1] - d[45][1]);
          for (let j = a; j < b; j++) {
            s += Math.hypot(f.landmarks[map[j]][0] - d[j][0], f.landmarks[map[j]][1] - d[j][1]) / iod;
            n++;
          }
        }
        out[region] = s / n;
      }
      return out;
    };
    for (const r of REF.renders) {
      const f = face(r.name);
      expect(f.landmarks68).toHaveLength(68);
      expect(f.landmarks68[8]).toEqual(f.landmarks[DLIB68_FROM_MESH[8]]);
    }
    const now = nme(DLIB68_FROM_MESH);
    // scripts/measure-face68.mjs on these renders: jaw 4.9 %, brows 4.4, nose 3.6, eyes 3.0, mouth 2.8 (of dlib's IOD).
    const bound = { jaw: 0.07, brows: 0.065, nose: 0.055, eyes: 0.045, mouth: 0.045 };
    for (const [region, b] of Object.entries(bound)) expect(now[region], region).toBeLessThan(b);
    // The subset documented before skipped the chin-side oval points: its jaw was 15 % off.
    expect(nme(DLIB68_FROM_MESH_V0).jaw).toBeGreaterThan(0.1);
  });
});

type FixtureMesh = { name: string; det_bbox_px: [number, number, number, number]; skin_contrast: number | null; rejected_for: string | null; landmarks: number[][] };

describe('plausibility (item 2)', () => {
  const fx = JSON.parse(readFileSync(join(DIR, 'nonface-meshes.json'), 'utf8')) as { meshes: FixtureMesh[]; human_meshes: FixtureMesh[] };
  const verdict = (m: FixtureMesh) => implausibility(Float64Array.from(m.landmarks.flat()), m.det_bbox_px, m.skin_contrast);

  // scripts/measure-face-quality.mjs plausibility reads these: before, it computed the ratios from the records'
  // landmarks, whose z is on the x, y pixel scale (the check reads the mesh model's crop-unit z), so its verdicts
  // drifted from the product's (three baboon variants "kept" that the product rejects).
  it("hands each candidate's figures and verdict, as the check computed them, to onPlausibility", () => {
    const found = recs.filter((r) => r.face_found).map((r) => r.frame);
    expect(candidates.filter((c) => c.why === null).map((c) => c.frame)).toEqual(found);
    expect(candidates.filter((c) => c.why !== null)).toHaveLength(summary.faces_rejected_implausible);
    for (const c of candidates.filter((k) => k.why === null)) {
      const rec = recs[c.frame] as unknown as Face;
      expect(c.det_score).toBeCloseTo(rec.det_score as number, 4);
      expect(c.mesh_score).toBeCloseTo(rec.mesh_score as number, 4);
      for (const [k, [lo, hi]] of Object.entries(PLAUSIBLE)) {
        const v = c[k as keyof typeof PLAUSIBLE];
        expect(v >= lo && v <= hi, `${k} ${v} frame ${c.frame}`).toBe(true);
      }
    }
  });

  // A user filtering records by reason counted fewer frames than the summary's counts said (a trial clip with a bar over
  // the mouth: records with face_found false and face_null_reason null beside faces_rejected_* > 0).
  it('every frame left without a face by a rejection says why, and the summary counts those records', () => {
    const rejected = new Set(candidates.filter((c) => c.why !== null).map((c) => c.frame));
    const byReason = (why: string) => recs.filter((r) => r.face_null_reason === why).length;
    expect(rejected.size).toBeGreaterThan(0);
    for (const r of recs) {
      if (r.face_found) expect(r.face_null_reason, `frame ${r.frame}`).toBeNull();
      else if (rejected.has(r.frame)) expect(['implausible', 'orientation_doubtful'], `frame ${r.frame}`).toContain(r.face_null_reason);
    }
    expect(byReason('implausible')).toBeGreaterThan(0);
    expect(summary.face_null_reasons).toEqual({ orientation_doubtful: byReason('orientation_doubtful'), implausible: byReason('implausible'), orientation_flip: byReason('orientation_flip'), rolled_low_mesh_score: byReason('rolled_low_mesh_score') });
    expect(summary.faces_rejected_implausible).toBeGreaterThanOrEqual(byReason('implausible'));
  });

  it('human meshes pass; baboon meshes (OpenCV sample, scores only) and a collapsed mesh are rejected', () => {
    for (const r of REF.renders) {
      const m = Float64Array.from(face(r.name).landmarks.flat());
      expect(implausibility(m, face(r.name).det_bbox_px, skinContrast(pictures[r.name], W, H, m)), r.name).toBeNull();
    }
    expect(fx.meshes.length).toBeGreaterThanOrEqual(10);
    for (const m of fx.meshes) expect(verdict(m), m.name).not.toBeNull();
    // A mesh shrunk onto its right eye (what the mesh did on the baboon), in the same detector box.
    const f = face('frontal-200');
    const c = f.landmarks[33];
    const collapsed = Float64Array.from(f.landmarks.flatMap((p) => [c[0] + 0.3 * (p[0] - c[0]), c[1] + 0.3 * (p[1] - c[1]), 0.3 * p[2]]));
    expect(plausibilityFeatures(collapsed, f.det_bbox_px).extent_to_box).toBeLessThan(0.5);
    expect(implausibility(collapsed, f.det_bbox_px)).toMatch(/extent_to_box/);
    // The ring pattern: found by Human above --min-confidence, rejected by the check (on its cheeks' texture).
    expect(face('rings').face_found).toBe(false);
    // Since the orientation check (orientation.ts) the rings are read both ways up by BlazeFace alike and left out there;
    // so are the frames with a dark bar over both eyes that have no face (trial30 N1; 'a dark bar over both eyes' below).
    const barLost = ['bar-eyes', 'bar-eyes-2', 'bar-eyes-3'].filter((n) => !face(n).face_found).length;
    expect(summary.faces_rejected_implausible + summary.faces_rejected_orientation).toBe(1 + barLost);
  });

  it('meshes stretched over the baboon eye and muzzle are rejected for their length', () => {
    const long = fx.meshes.filter((m) => m.rejected_for?.startsWith('face_length_to_iod'));
    for (const m of long) expect(plausibilityFeatures(Float64Array.from(m.landmarks.flat()), m.det_bbox_px).face_length_to_iod, m.name).toBeGreaterThan(3.1);
    // Baboon meshes (det 0.3-0.5) that pass every other bound: without the face length they would be kept.
    const saved = PLAUSIBLE.face_length_to_iod;
    PLAUSIBLE.face_length_to_iod = [0, Infinity];
    let onlyLength: string[];
    try {
      onlyLength = long.filter((m) => verdict(m) === null).map((m) => m.name);
    } finally {
      PLAUSIBLE.face_length_to_iod = saved;
    }
    expect(onlyLength.length, onlyLength.join(', ')).toBeGreaterThanOrEqual(2);
    // The human renders: about 2.
    for (const r of REF.renders) expect(plausibilityFeatures(Float64Array.from(face(r.name).landmarks.flat()), face(r.name).det_bbox_px).face_length_to_iod, r.name).toBeLessThan(2.6);
  });

  it('turned human faces are kept: the left/right bounds widen with the head turn', () => {
    expect(fx.human_meshes.length).toBeGreaterThanOrEqual(3);
    for (const m of fx.human_meshes) {
      expect(verdict(m), m.name).toBeNull();
      const f = plausibilityFeatures(Float64Array.from(m.landmarks.flat()), m.det_bbox_px);
      expect(Math.abs(f.yaw_proxy), m.name).toBeGreaterThan(0.45);
      // The bounds without the allowance (the frontal ones) would reject them.
      expect(f.asymmetry > POSE_BOUNDS.asymmetry.base || Math.abs(Math.log(f.eye_width_ratio)) > POSE_BOUNDS.log_eye_width_ratio.base, m.name).toBe(true);
    }
    // The same left/right disproportion on a frontal mesh is rejected.
    expect(fx.meshes.some((m) => /^(asymmetry|eye_width_ratio)/.test(m.rejected_for ?? ''))).toBe(true);
  });
});

describe('honest quality (item 3)', () => {
  it('a covered eye is not visible and not a blink; the other regions stay visible', () => {
    const open = face('frontal-200');
    for (const k of ['eye_right', 'eye_left', 'brow_right', 'brow_left', 'mouth']) expect(open[`visibility_${k}`], k).toBeGreaterThanOrEqual(0.5);
    expect(open.blink).toBe(false);
    expect(open.blink_null_reason).toBeNull();
    const eye = face('eye-covered');
    expect(eye.face_found).toBe(true);
    expect(eye.visibility_eye_right).toBeLessThan(0.5);
    expect(eye.visibility_eye_left).toBeGreaterThanOrEqual(0.5);
    expect(eye.blink).toBeNull();
    expect(eye.blink_null_reason).toBe('eye_not_visible');
    expect(eye.gaze_right).toBeNull();
    expect(eye.gaze_angle_x_rad).toBeNull();
    const mouth = face('mouth-covered');
    expect(mouth.visibility_mouth).toBeLessThan(0.5);
    expect(mouth.visibility_eye_right).toBeGreaterThanOrEqual(0.5);
  });

  // trial30 S4: under a card the mesh still draws lids and lips, and ear_right / mar were written (0.09-0.18 for an
  // open eye of 0.31-0.38) beside visibility 0. Each ratio is null with its region, with a reason as blink has.
  it('a covered eye has no EAR and a covered mouth no MAR, with a reason; visible regions keep theirs', () => {
    const eye = face('eye-covered');
    const mouth = face('mouth-covered');
    // Written before (main's source: ear_right and mar numbers here).
    expect([eye.ear_right, mouth.mar]).toEqual([null, null]);
    const open = face('frontal-200');
    for (const k of ['ear_left', 'ear_right', 'mar']) {
      expect(typeof open[k], k).toBe('number');
      expect(open[`${k}_null_reason`], k).toBeNull();
    }
    expect(eye.ear_right_null_reason).toBe('eye_not_visible');
    expect(eye.ear_left).toBeGreaterThan(0);
    expect(eye.ear_left_null_reason).toBeNull();
    expect(eye.mar).toBeGreaterThan(0);
    expect(eye.mar_null_reason).toBeNull();
    expect(mouth.mar_null_reason).toBe('mouth_not_visible');
    for (const k of ['ear_left', 'ear_right']) {
      expect(mouth[k], k).toBeGreaterThan(0);
      expect(mouth[`${k}_null_reason`], k).toBeNull();
    }
    // Every record: a ratio is null with a reason exactly when a face was found and its region is not visible.
    const pairs = [['ear_left', 'eye_left'], ['ear_right', 'eye_right'], ['mar', 'mouth']];
    for (const r of recs.filter((x) => x.face_found) as unknown as Face[]) {
      for (const [k, region] of pairs) {
        const hidden = !((r[`visibility_${region}`] as number | null) !== null && (r[`visibility_${region}`] as number) >= 0.5);
        expect(r[k] === null, `${k} frame ${r.frame}`).toBe(hidden);
        expect(r[`${k}_null_reason`] !== null, `${k} frame ${r.frame}`).toBe(hidden);
      }
    }
  });

  // trial30 S3: on the frame a dark card appeared over both eyes, the mesh put the eyes on the card's lower edge; the
  // eye ellipse's P90 - P10 spread read card against cheek as an eye (visibility 1 / 1) and the mesh's lids (EAR
  // 0.18 / 0.16) as a blink. Here the frontal picture's own mesh is moved onto the edge of a card over both eyes.
  it("an occluder's edge through the eye ellipse is not a visible eye, nor a blink (trial30 S3)", () => {
    const img = pictures['frontal-200'];
    const mesh = Float64Array.from(face('frontal-200').landmarks.flat());
    const ears = { left: 0.16, right: 0.18, mar: 0.2 };
    const quality = (m: Float64Array, pic: Buffer) => faceQuality(m, { contrast: regionContrast(pic, W, H, m), yaw: 0, pitch: 0, roll: 0 }, ears, 0.2);
    // Control: the uncovered eyes, with the same closed-looking ratios, are visible and a blink.
    const open = quality(mesh, img);
    expect([open.fields.visibility_eye_right, open.fields.visibility_eye_left]).toEqual([1, 1]);
    expect(open.blink).toBe(true);
    const y = (i: number) => mesh[3 * i + 1];
    const eyeLine = (y(33) + y(133) + y(362) + y(263)) / 4;
    const half = VISIBILITY_REGIONS.eye_right.minor * Math.hypot(mesh[3 * 133] - mesh[3 * 33], y(133) - y(33)); // ellipse half-height
    const edge = eyeLine + 1.2 * half; // the card covers both eyes, lower lids included
    const cards: Array<[string, number[], number]> = [['dark', [48, 48, 48], 0], ['dark textured', [48, 48, 48], 12], ['grey', [128, 128, 128], 0], ['skin', [196, 150, 130], 0]];
    for (const [name, rgb, tex] of cards) {
      const pic = fillRect(img, 0, 0, W, edge, rgb, tex);
      for (const off of [-0.5, 0, 0.5]) {
        const moved = mesh.map((v, i) => (i % 3 === 1 ? v + edge - eyeLine + off * half : v));
        const q = quality(moved, pic);
        const where = `${name} card, ellipse centre ${off} half-heights from its edge`;
        expect(q.fields.visibility_eye_right, where).toBeLessThan(0.5);
        expect(q.fields.visibility_eye_left, where).toBeLessThan(0.5);
        expect(q.blink, where).toBeNull();
        expect(q.fields.blink_null_reason, where).toBe('eye_not_visible');
        expect([q.ratios.left, q.ratios.right], where).toEqual([null, null]);
      }
    }
  });

  // trial33: a flat skin-coloured patch over eyes and nose, its upper edge across both eyes with the upper lids above
  // it: the mesh put the corner lines on that edge, the spread and the enclosed contrast read lid over patch as an
  // eye (visibility 1 / 0.5-0.56, 12 blinks on 73 covered frames); a patch over the mouth with the upper lip's border
  // above it read visibility_mouth 0.73 and kept mar 0.016-0.024. Here the frontal picture's own mesh, and a flat
  // skin-coloured card whose upper edge runs along the corner line or a quarter of the ellipse's half-height below it
  // (over the lower lids and the lower half of the irises; half a half-height below, the lower lids show, and the
  // right eye reads visible). A card under the ellipses leaves eyes and mouth visible.
  it('a flat skin-coloured cover over the lower part of the eyes or the mouth is not a visible eye or mouth (trial33)', () => {
    const img = pictures['frontal-200'];
    const mesh = Float64Array.from(face('frontal-200').landmarks.flat());
    const ears = { left: 0.16, right: 0.18, mar: 0.2 };
    const quality = (pic: Buffer) => faceQuality(mesh, { contrast: regionContrast(pic, W, H, mesh), yaw: 0, pitch: 0, roll: 0 }, ears, 0.2);
    const y = (i: number) => mesh[3 * i + 1];
    const halfOf = (a: number, b: number, minor: number) => minor * Math.hypot(mesh[3 * b] - mesh[3 * a], y(b) - y(a));
    const eyeLine = (y(33) + y(133) + y(362) + y(263)) / 4;
    const eyeHalf = halfOf(33, 133, VISIBILITY_REGIONS.eye_right.minor);
    const mouthLine = (y(61) + y(291)) / 2;
    const mouthHalf = halfOf(61, 291, VISIBILITY_REGIONS.mouth.minor);
    const skin = [196, 150, 130];
    for (const off of [0, 0.25]) {
      // Over the eyes down to the nose's tip (as trial33's palm3.mp4); the mouth stays uncovered.
      const eyes = quality(fillRect(img, 0, eyeLine + off * eyeHalf, W, y(4), skin));
      const where = `eyes, card edge ${off} half-heights under the corner line`;
      expect(eyes.fields.visibility_eye_right, where).toBeLessThan(0.5);
      expect(eyes.fields.visibility_eye_left, where).toBeLessThan(0.5);
      expect(eyes.blink, where).toBeNull();
      expect(eyes.fields.blink_null_reason, where).toBe('eye_not_visible');
      expect([eyes.ratios.left, eyes.ratios.right], where).toEqual([null, null]);
      expect(eyes.fields.visibility_mouth, where).toBeGreaterThanOrEqual(0.5);
      expect(eyes.ratios.mar, where).toBe(0.2);
      // Over the mouth and chin (as occl2.mp4); the eyes stay uncovered and a blink.
      const mouth = quality(fillRect(img, 0, mouthLine + off * mouthHalf, W, H, skin));
      const at = `mouth, card edge ${off} half-heights under the corner line`;
      expect(mouth.fields.visibility_mouth, at).toBeLessThan(0.5);
      expect(mouth.ratios.mar, at).toBeNull();
      expect(mouth.fields.mar_null_reason, at).toBe('mouth_not_visible');
      expect(mouth.fields.visibility_eye_right, at).toBeGreaterThanOrEqual(0.5);
      expect(mouth.fields.visibility_eye_left, at).toBeGreaterThanOrEqual(0.5);
      expect(mouth.blink, at).toBe(true);
    }
    const below = quality(fillRect(fillRect(img, 0, eyeLine + 1.2 * eyeHalf, W, y(4), skin), 0, mouthLine + 1.2 * mouthHalf, W, H, skin));
    expect([below.fields.visibility_eye_right, below.fields.visibility_eye_left, below.fields.visibility_mouth]).toEqual([1, 1, 1]);
    expect([below.blink, below.ratios.mar]).toEqual([true, 0.2]);
  });

  it('a dark bar over both eyes: no blink and eyes not visible on its frames; eyes drawn closed are still a blink', () => {
    const before = face('bar-before');
    expect([before.visibility_eye_right, before.visibility_eye_left]).toEqual([1, 1]);
    expect(before.blink).toBe(false);
    const barFrames = ['bar-eyes', 'bar-eyes-2', 'bar-eyes-3'];
    // Measured: the last one has a face (its eyes placed under the bar); the first two none (left out both ways up).
    expect(barFrames.some((n) => face(n).face_found)).toBe(true);
    for (const name of barFrames) {
      const f = face(name);
      if (!f.face_found) continue; // no face is no blink either
      expect(f.blink, name).not.toBe(true);
      expect(f.visibility_eye_right, name).toBeLessThan(0.5);
      expect(f.visibility_eye_left, name).toBeLessThan(0.5);
    }
    expect(recs.filter((r) => r.blink === true).map((r) => r.frame)).toEqual([at['eyes-closed']]);
    const closed = face('eyes-closed');
    expect(closed.visibility_eye_right).toBeGreaterThanOrEqual(0.5);
    expect(closed.visibility_eye_left).toBeGreaterThanOrEqual(0.5);
    expect(closed.blink).toBe(true);
  });

  // ttrial48b W4: the mesh draws an eye under a cheek-skin patch half shut (EAR 0.06-0.12 here), and the patch can
  // read visible (0.5-0.69 here; the trial's 0.5-0.75): blink was true (both eyes) or false (one eye). The closed
  // eyes just above, one second after an open frame, stay a blink.
  it('eyes under cheek-skin patches are not a blink either way: never seen open (eye_not_seen_open)', () => {
    expect(face('closed-before').blink).toBe(false);
    const left = face('patch-left');
    expect(left.visibility_eye_left as number).toBeGreaterThanOrEqual(0.5);
    expect(((left.ear_left as number) + (left.ear_right as number)) / 2).toBeGreaterThanOrEqual(0.2); // read open before
    const both = face('patch-both-2');
    expect(Math.min(both.visibility_eye_left as number, both.visibility_eye_right as number)).toBeGreaterThanOrEqual(0.5);
    expect(((both.ear_left as number) + (both.ear_right as number)) / 2).toBeLessThan(0.2); // read a blink before
    for (const f of [left, both]) expect([f.face_id, f.blink, f.blink_null_reason]).toEqual([face('eyes-closed').face_id, null, 'eye_not_seen_open']);
    expect(face('patch-both').blink).toBeNull(); // its right eye reads covered (visibility 0.46)
  });

  it('near +-90 degrees of roll yaw and pitch are null and flagged; roll is the in-plane angle', () => {
    for (const [name, want] of [['roll+90', 90], ['roll-90', -90]] as const) {
      const f = face(name);
      expect(f.face_found, name).toBe(true);
      expect(f.pose_gimbal_lock).toBe(true);
      expect(f.yaw_deg).toBeNull();
      expect(f.pitch_deg).toBeNull();
      expect(Math.abs((f.roll_deg as number) - want)).toBeLessThan(6);
    }
    expect(face('frontal-200').pose_gimbal_lock).toBe(false);
    expect(face('rot-25-150').pose_gimbal_lock).toBe(false);
  });

  it('bbox_px is the mesh extent; det_bbox_px the detector box', () => {
    const f = face('frontal-200');
    const xs = f.landmarks.slice(0, 468).map((p) => p[0]);
    const ys = f.landmarks.slice(0, 468).map((p) => p[1]);
    const b = f.bbox_px as number[];
    expect(b[0]).toBeCloseTo(Math.min(...xs), 1);
    expect(b[1]).toBeCloseTo(Math.min(...ys), 1);
    expect(b[2]).toBeCloseTo(Math.max(...xs) - Math.min(...xs), 1);
    expect(b[3]).toBeCloseTo(Math.max(...ys) - Math.min(...ys), 1);
    expect(f.det_bbox_px[2]).toBeGreaterThan(1.3 * b[2]);
  });
});

describe('gaze (item 4)', () => {
  it('follows irises moved by a known amount with the sign of OpenFace, and mirrors', () => {
    const g0 = face('gaze0');
    const l = face('gaze-left4');
    const r = face('gaze-right4');
    const m = face('gaze-right4-mirror');
    for (const f of [g0, l, r, m]) expect(f.gaze_angle_x_rad).not.toBeNull();
    // Eyeball radius in this render: 12 mm at 90 mm per 3-D outer-eye-corner distance.
    const lm = g0.landmarks;
    const eyeball = (12 * Math.hypot(lm[33][0] - lm[263][0], lm[33][1] - lm[263][1], lm[33][2] - lm[263][2])) / 90;
    const want = Math.asin(4 / eyeball);
    const dr = (r.gaze_angle_x_rad as number) - (g0.gaze_angle_x_rad as number);
    const dl = (l.gaze_angle_x_rad as number) - (g0.gaze_angle_x_rad as number);
    // Irises moved to the image's right: gaze_angle_x grows (OpenFace: atan2(g.x, -g.z)), and falls when moved left.
    // Measured 0.67 (right) and 0.98 (left) now (sub-pixel mesh points, refitted calibration; 0.61 / 1.00 with
    // whole-pixel points); before 0.76-1.06 of the geometric value asin(4 px / eyeball radius) as written (iris model and pixels, both
    // eyes in the model's trained orientation); 0.52-0.74 with Human's own flips (docs/face.md, "Gaze"). Bounds 0.2-1.2.
    expect(dr).toBeGreaterThan(0.2 * want);
    expect(dr).toBeLessThan(1.2 * want);
    expect(dl).toBeLessThan(-0.2 * want);
    expect(dl).toBeGreaterThan(-1.2 * want);
    // Mirror image: x changes sign, y stays. Measured x + x_m -0.069 and y - y_m +0.003 rad with the mesh's sub-pixel
    // points (backend.ts humanMeshSubpixel, gaze.ts refitted); -0.088 / -0.057 with Human's truncated coordinates put
    // back at the pixel's middle (engine.ts MESH_TRUNC_CENTRE) and the calibration refitted for depth on the pixel
    // scale; 0.044 / 0.068 before that. The truncation biased every picture's gaze towards the image's
    // right (mirror pairs of fixtures/face/transform.mp4: (x + x_m) / 2 +0.075 rad, now 0.00: face-gaze.test.ts), which
    // on this still render had happened to offset the rest of the mesh's left-right asymmetry (docs/face.md "Gaze").
    expect(Math.abs((m.gaze_angle_x_rad as number) + (r.gaze_angle_x_rad as number))).toBeLessThan(0.1);
    expect(Math.abs((m.gaze_angle_y_rad as number) - (r.gaze_angle_y_rad as number))).toBeLessThan(0.065);
    for (const v of [r.gaze_right, r.gaze_left, m.gaze_right] as number[][]) {
      expect(Math.hypot(v[0], v[1], v[2])).toBeCloseTo(1, 3);
      expect(v[2]).toBeLessThan(-0.8); // towards the camera: z negative
    }
  });
});

describe('sub-pixel landmarks (backend.ts humanMeshSubpixel; issue 13 items 3/4)', () => {
  // Human 3.3.6 truncated every mesh point to a whole pixel of the inference picture (facemeshutil transformRawCoords),
  // and mmprep added half a pixel: every landmark lay at k + 0.5 inference pixels, and on a still face an eye corner
  // jumped a whole pixel between frames (gaze y by ~11 degrees at an inter-ocular distance of 42 px: docs/face.md "Gaze").
  it("keeps the mesh model's own coordinates, not whole inference pixels", () => {
    const s = summary.inference_width / W;
    const onGrid: number[] = [];
    for (const r of recs) {
      for (const p of (r as unknown as Partial<Face>).landmarks ?? []) {
        for (const c of [p[0], p[1]]) onGrid.push(Math.abs(c * s - 0.5 - Math.round(c * s - 0.5)) < 0.01 ? 1 : 0);
      }
    }
    expect(onGrid.length).toBeGreaterThan(10 * 478 * 2);
    // Truncated: every coordinate on the grid (1.0); sub-pixel: about 2 % by chance (records keep 2 decimals).
    const share = onGrid.reduce((a, b) => a + b, 0) / onGrid.length;
    expect(share).toBeLessThan(0.1);
  });
  it('byte-identical frames read nearly the same gaze', () => {
    // The frontal render on frames 0 and 14-16 (detector frames 0 and 16) and 20, the tracked ones cropped where the
    // previous frame's mesh put the face. Range of gaze_angle_x / y over them (Debian's ffmpeg 5.1 and the npm build
    // alike): 0.058 / 0.091 rad with whole-pixel points, 0.033 / 0.045 with sub-pixel points.
    const same = recs.filter((_, i) => ['frontal-200', 'bar-before', 'closed-before'].includes(frameNames[i]));
    expect(same).toHaveLength(5);
    const range = (k: 'gaze_angle_x_rad' | 'gaze_angle_y_rad') => {
      const v = same.map((r) => r[k] as number);
      return Math.max(...v) - Math.min(...v);
    };
    expect(range('gaze_angle_x_rad')).toBeLessThan(0.05);
    expect(range('gaze_angle_y_rad')).toBeLessThan(0.07);
  });
});

describe('depth on the x, y pixel scale (landmarks z, OpenFace Z_* and pose_R*)', () => {
  // Human scales the mesh's x, y from the model's 192-px crop to the picture but leaves z in crop units; mmprep now
  // scales z too (extract.ts, engine.ts crop_px). Before 2026-12-02 z was 2.6x larger in relation to x at zoom 1 than
  // at zoom 3, so pose_Rx/Ry (and gaze, through the head axes) changed with the face's size: Megamind.avi's head at
  // its own size, a third of it and twice it read pose_Ry -20/-36/-11 degrees and pose_Rx 17/51/9 on the same frame.
  const extent = (lm: number[][], k: number) => Math.max(...lm.map((p) => p[k])) - Math.min(...lm.map((p) => p[k]));
  const pose = (f: Face) => openfaceEuler(headRotation(Float64Array.from(f.landmarks.flat())));
  it('the same face at two sizes has the same depth-to-width ratio and head pose', () => {
    const [small, large] = [face('zoom1'), face('gaze0')];
    const ratio = (f: Face) => extent(f.landmarks, 2) / extent(f.landmarks, 0);
    expect(ratio(small) / ratio(large)).toBeGreaterThan(0.85);
    expect(ratio(small) / ratio(large)).toBeLessThan(1 / 0.85);
    const [a, b] = [pose(small), pose(large)];
    expect(Math.abs(a.rx - b.rx)).toBeLessThan(0.05);
    expect(Math.abs(a.ry - b.ry)).toBeLessThan(0.05);
  });
});

describe('eye points from the iris model in its trained orientation (src/face/iris.ts, item 4)', () => {
  // Each eye reaches the iris model as MediaPipe feeds it (the subject's left eye flipped, the right as is), so a
  // picture's right eye and its mirror image's left eye are the same pixels to the model. With Human 3.3.6's own flips
  // (both eyes flipped) these points were 2.6-10.2 px off in the mirror image; measured 0.2-1.6 px now (sub-pixel mesh
  // points; 0-2.5 px when Human's were whole pixels). docs/face.md "Gaze".
  it('puts the eye corners and iris centres of a mirror image at the mirrored places', () => {
    const r = face('gaze-right4').landmarks;
    const m = face('gaze-right4-mirror').landmarks;
    const pairs = [[33, 263], [133, 362], [263, 33], [362, 133], [468, 473], [473, 468]];
    const off = pairs.map(([a, b]) => Math.hypot(m[a][0] - (W - r[b][0]), m[a][1] - r[b][1]));
    for (const d of off) expect(d).toBeLessThan(3);
  });
});

/** OpenFace 2.0's documented columns (wiki "Output Format"; RecorderCSV.cpp), in order, for a 68-point model. */
function openfaceDocumentedColumns(): string[] {
  const n = (p: string, k: number) => Array.from({ length: k }, (_, i) => `${p}${i}`);
  const aus = ['01', '02', '04', '05', '06', '07', '09', '10', '12', '14', '15', '17', '20', '23', '25', '26', '45'];
  return [
    'frame', 'face_id', 'timestamp', 'confidence', 'success',
    'gaze_0_x', 'gaze_0_y', 'gaze_0_z', 'gaze_1_x', 'gaze_1_y', 'gaze_1_z', 'gaze_angle_x', 'gaze_angle_y',
    ...n('eye_lmk_x_', 56), ...n('eye_lmk_y_', 56), ...n('eye_lmk_X_', 56), ...n('eye_lmk_Y_', 56), ...n('eye_lmk_Z_', 56),
    'pose_Tx', 'pose_Ty', 'pose_Tz', 'pose_Rx', 'pose_Ry', 'pose_Rz',
    ...n('x_', 68), ...n('y_', 68), ...n('X_', 68), ...n('Y_', 68), ...n('Z_', 68),
    'p_scale', 'p_rx', 'p_ry', 'p_rz', 'p_tx', 'p_ty', ...n('p_', 34),
    ...aus.map((a) => `AU${a}_r`), ...[...aus.slice(0, 16), '28', '45'].filter((v, i, s) => s.indexOf(v) === i).map((a) => `AU${a}_c`),
  ];
}

describe('--format openface (item 5)', () => {
  it("writes OpenFace's names in OpenFace's order and format, with the values of the JSONL records", async () => {
    const out = join(tmp.dir, 'of.csv');
    // The first three renders (frames 0-2 at 1 fps).
    const r = await runFaceInProcess(['face', clip, '-o', out, '--format', 'openface', '--end', '2.5']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    const head = lines[0].split(', ');
    expect(lines[0].startsWith('frame, face_id, timestamp, confidence, success, gaze_0_x')).toBe(true);
    expect(head).toEqual(OPENFACE_COLUMNS);
    // Every column is one of OpenFace's, in OpenFace's order; the ones left out are those mmprep cannot estimate.
    const doc = openfaceDocumentedColumns();
    const pos = head.map((c) => doc.indexOf(c));
    expect(pos.every((p) => p >= 0)).toBe(true);
    expect([...pos].sort((a, b) => a - b)).toEqual(pos);
    const missing = doc.filter((c) => !head.includes(c));
    expect(missing.every((c) => /^(eye_lmk_|pose_T|p_|AU|[XYZ]_)/.test(c))).toBe(true);
    expect(lines).toHaveLength(4);
    for (let k = 0; k < 3; k++) {
      const cells = lines[k + 1].split(',').map((c) => c.trim());
      const v = (c: string) => Number(cells[head.indexOf(c)]);
      const rec = recs[k] as unknown as Face;
      expect(v('frame')).toBe(k + 1); // OpenFace counts frames from 1
      expect(v('timestamp')).toBe(k);
      expect(v('success')).toBe(1);
      expect(v('face_id')).toBe(0);
      expect(v('confidence')).toBeCloseTo(Math.min(rec.det_score as number, rec.mesh_score as number), 3);
      expect(v('x_8')).toBe(rec.landmarks68[8][0]);
      expect(v('y_36')).toBe(rec.landmarks68[36][1]);
      // OpenFace's X/Y/Z are millimetres; mmprep has none: left out (test/face-openface-rows.test.ts).
      expect(head).not.toContain('X_8');
      expect(head).not.toContain('Z_30');
      expect(v('gaze_angle_x')).toBeCloseTo(rec.gaze_angle_x_rad as number, 3);
      expect(v('gaze_1_z')).toBeCloseTo((rec.gaze_left as number[])[2], 5);
    }
    // pose_Rz is the roll in radians (clockwise on screen positive), here the render's 25 degrees turn.
    const rot = lines[2].split(',').map((c) => c.trim());
    const frontal = lines[1].split(',').map((c) => c.trim());
    const dRz = Number(rot[head.indexOf('pose_Rz')]) - Number(frontal[head.indexOf('pose_Rz')]);
    expect(Math.abs(dRz - (25 * Math.PI) / 180)).toBeLessThan(0.06);
  });
});
