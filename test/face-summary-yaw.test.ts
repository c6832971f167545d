/**
 * The summary's share_abs_yaw_over_30 counts the yaw the records carry as pose_Ry (OpenFace's convention, the mesh's
 * head axes with depth on the pixel scale: pose.ts), not Human's own yaw, which reads smaller on the same head
 * (docs/face.md "Head pose: signs"). Heads of known turn: a real mesh (fixtures/face/nonface-meshes.json, a face the
 * plausibility check keeps) turned to frontal by its own head axes, then about its vertical axis by known angles.
 * No model runs: the records are built from these meshes (FaceRecordBuilder), as extract.ts builds them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FaceRecordBuilder, type FaceRecord } from '../src/face/extract.js';
import type { RawFace } from '../src/face/engine.js';
import { openfaceRows } from '../src/face/openface-csv.js';
import { apply, headRotation, type Mat3, type Vec3 } from '../src/face/pose.js';
import { FIXTURES } from './helpers/cli.js';

const HUMAN = (JSON.parse(readFileSync(join(FIXTURES, 'face', 'nonface-meshes.json'), 'utf8')) as { human_meshes: Array<{ landmarks: Vec3[] }> }).human_meshes;
const transpose = (r: Mat3): Mat3 => [0, 1, 2].map((i) => [r[0][i], r[1][i], r[2][i]]) as Mat3;
/** Rotation about the camera's vertical axis (y down): positive turns the nose towards the image's left (pose.ts). */
const turnY = (a: number): Mat3 => [
  [Math.cos(a), 0, Math.sin(a)],
  [0, 1, 0],
  [-Math.sin(a), 0, Math.cos(a)],
];

/** The mesh turned frontal by its own head axes, then by `r`, about its centroid (flat x, y, z). */
function turned(points: Vec3[], r: Mat3): Float64Array {
  const flat = Float64Array.from(points.flat());
  const back = transpose(headRotation(flat));
  const c = [0, 1, 2].map((k) => points.reduce((s, p) => s + p[k], 0) / points.length) as Vec3;
  const out = new Float64Array(flat.length);
  points.forEach((p, i) => {
    const q = apply(r, apply(back, [p[0] - c[0], p[1] - c[1], p[2] - c[2]]));
    out.set([q[0] + c[0], q[1] + c[1], q[2] + c[2]], 3 * i);
  });
  return out;
}

function raw(mesh: Float64Array, humanYawRad: number): RawFace {
  const xs = Array.from(mesh).filter((_, i) => i % 3 === 0);
  const ys = Array.from(mesh).filter((_, i) => i % 3 === 1);
  const box: [number, number, number, number] = [Math.min(...xs), Math.min(...ys), Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)];
  // crop_px 192: z stays as given (extract.ts scales z by crop_px / 192), on the scale the turn was made on.
  return { det_score: 0.9, mesh_score: 0.95, box, mesh, crop_px: 192, yaw: humanYawRad, pitch: 0, roll: 0, expr: null, iris_mode: 'native' };
}

describe('share_abs_yaw_over_30 (summary) against the records\' pose_Ry', () => {
  it('counts the heads the OpenFace CSV shows turned more than 30 degrees, with pose_Ry following the known turn', () => {
    const b = new FaceRecordBuilder({ scale: 1, width: 640, height: 480, minConfidence: 0.5, normalized: false, blinkEar: 0.2, plausibility: false });
    const turnsDeg = [0, 10, -20, 25, 35, -35, 40, -45];
    const recs: FaceRecord[] = [];
    turnsDeg.forEach((deg, k) => {
      const a = (deg * Math.PI) / 180;
      // Human's yaw on such a head reads about 0.6-0.8 of pose_Ry (docs/face.md): under 30 degrees for all of these.
      recs.push(b.build(k, k / 10, [raw(turned(HUMAN[k % HUMAN.length].landmarks, turnY(a)), 0.6 * a)]));
    });
    const poseRy = recs.map((r) => Number(openfaceRows(r)[0][' pose_Ry']));
    // pose_Ry is the known turn, in sign and scale (radians).
    poseRy.forEach((v, k) => expect(v, `turn ${turnsDeg[k]}`).toBeCloseTo((turnsDeg[k] * Math.PI) / 180, 2));
    const over = poseRy.filter((v) => Math.abs(v) > Math.PI / 6).length;
    expect(over).toBe(4);
    expect(b.summaryStats().share_abs_yaw_over_30).toBe(over / turnsDeg.length);
  });

  it('leaves gimbal-locked heads (upside down) out of the share, as before', () => {
    const b = new FaceRecordBuilder({ scale: 1, width: 640, height: 480, minConfidence: 0.5, normalized: false, blinkEar: 0.2, plausibility: false });
    const upsideDown: Mat3 = [
      [-1, 0, 0],
      [0, -1, 0],
      [0, 0, 1],
    ];
    const r = b.build(0, 0, [raw(turned(HUMAN[0].landmarks, upsideDown), 0)]);
    expect(r.pose_gimbal_lock).toBe(true);
    // A second later (the flip check, flip.ts, leaves out an upright reading within 0.5 s of the upside-down one).
    b.build(1, 1.0, [raw(turned(HUMAN[0].landmarks, turnY(0.7)), 0.3)]);
    expect(b.summaryStats().share_abs_yaw_over_30).toBe(1);
    expect(b.summaryStats().share_abs_yaw_over_30_reason).toBeNull();
  });

  // trial30 N3: a phone clip without its rotation metadata (face at roll -95 degrees) had every face gimbal-locked and
  // the summary said share_abs_yaw_over_30: null with no reason.
  it('is null with a reason when every face is gimbal-locked, and when no frame has a face', () => {
    const opts = { scale: 1, width: 640, height: 480, minConfidence: 0.5, normalized: false, blinkEar: 0.2, plausibility: false };
    const b = new FaceRecordBuilder(opts);
    // In-plane turn by -95 degrees (about the camera axis), Human's roll with it.
    const a = (-95 * Math.PI) / 180;
    const roll95: Mat3 = [
      [Math.cos(a), -Math.sin(a), 0],
      [Math.sin(a), Math.cos(a), 0],
      [0, 0, 1],
    ];
    for (let k = 0; k < 3; k++) {
      const rec = b.build(k, k / 10, [{ ...raw(turned(HUMAN[k % HUMAN.length].landmarks, roll95), 0), roll: a }]);
      expect(rec.pose_gimbal_lock).toBe(true);
    }
    const s = b.summaryStats();
    expect(s.share_abs_yaw_over_30).toBeNull();
    expect(s.share_abs_yaw_over_30_reason).toMatch(/^every frame with a face \(3\) has pose_gimbal_lock/);
    const none = new FaceRecordBuilder(opts);
    none.build(0, 0, []);
    expect(none.summaryStats().share_abs_yaw_over_30_reason).toBe('no frame with a face');
  });
});
