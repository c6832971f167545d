/**
 * Start-up check of a backend's output orientation: every run's engine (any backend: wasm, cpu, tensorflow,
 * tensorflow-gpu; with worker threads, the first worker's, which loads the same build as the others: pool.ts
 * workerSetup) analyses one known upright face before the first frame, and the engine refuses to start when the
 * face is not found or its landmarks are not where the wasm backend put them (eye corners, nose tip, mouth corners,
 * iris centres). A backend whose output is mirrored, turned, transposed or otherwise misplaced would otherwise give
 * landmarks, pose and gaze that look valid. The wasm backend's own orientation is tested on the whole circle of rolls
 * (test/face-orientation.test.ts); the tensorflow backends cannot be installed offline, so this check is what stands
 * between them and a wrong mesh.
 *
 * The frame (selfcheck-frame.ts) is fixtures/face/astronaut.png rendered at 144 x 144, turned 15 degrees and off
 * centre (a centred upright face mirrored is the same face), in grey levels; the expected points are the wasm
 * backend's on it; both are written by `node scripts/make-face-selfcheck.mjs`.
 */
import { inflateSync } from 'node:zlib';
import { correctIris } from './gaze.js';
import { CHECK_FRAME } from './selfcheck-frame.js';
import type { RawFace } from './engine.js';

/** A landmark may lie this far (fraction of the expected outer-eye-corner distance) from the expected place. */
export const CHECK_TOLERANCE_IOD = 0.1;

/** The points checked: mesh index and what it is (subject's right / left, as docs/face.md). */
export const CHECK_POINTS: ReadonlyArray<readonly [number, string]> = [
  [33, "right eye's outer corner"],
  [263, "left eye's outer corner"],
  [1, 'nose tip'],
  [61, "mouth's right corner"],
  [291, "mouth's left corner"],
  [468, 'left iris centre'],
  [473, 'right iris centre'],
];

export interface CheckFrame {
  width: number;
  height: number;
  /** Grey levels, one byte a pixel, deflated (zlib), base64. */
  gray_deflate_base64: string;
  /** Expected x, y (frame pixels) per mesh index of CHECK_POINTS. */
  points: Record<string, [number, number]>;
}

/** The check frame as rgb24 (grey in all three channels). */
export function checkFrame(frame: CheckFrame = CHECK_FRAME): { data: Uint8Array; width: number; height: number } {
  const gray = inflateSync(Buffer.from(frame.gray_deflate_base64, 'base64'));
  const data = new Uint8Array(gray.length * 3);
  for (let i = 0; i < gray.length; i++) data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = gray[i];
  return { data, width: frame.width, height: frame.height };
}

/**
 * The points a configuration produces: 478 (mesh and iris, the default), 468 (mesh without iris) or the detector's 6
 * keypoints (no mesh: right eye, left eye, nose, mouth, right ear, left ear, BlazeFace's order).
 */
export type CheckedPoints = 478 | 468 | 6;

/** With the mesh off, the detector's keypoints checked (keypoint index, mesh index of the nearest expected point). */
const KEYPOINTS_CHECKED: ReadonlyArray<readonly [number, number]> = [[0, 33], [1, 263], [2, 1]];

/**
 * The detector's eye keypoints are eye centres, a sixth of the eye distance from the outer corners expected: with
 * the mesh off a keypoint may lie this far. A mirrored, turned or transposed output moves them by about the whole
 * eye distance.
 */
export const KEYPOINT_TOLERANCE_IOD = 0.25;

/**
 * Why the engine's result on the check frame is wrong, or null when it is right: one face with det and mesh scores of
 * at least 0.5 and the configuration's points (`expected`), and every checked point within CHECK_TOLERANCE_IOD of its
 * expected place (iris points after correctIris, as extract.ts puts them; without the mesh, the detector's eye and
 * nose keypoints within KEYPOINT_TOLERANCE_IOD).
 */
export function orientationProblem(faces: RawFace[], frame: CheckFrame = CHECK_FRAME, expected: CheckedPoints = 478): string | null {
  const face = faces.find((f) => Math.min(f.det_score, f.mesh_score) >= 0.5);
  if (!face) return `no face found on the known face (${faces.length} candidate(s) under 0.5)`;
  if (face.mesh.length < expected * 3) return `the face came back with ${face.mesh.length / 3} landmarks, not ${expected}`;
  const mesh = Float64Array.from(face.mesh);
  if (expected === 478) correctIris(mesh, face.iris_mode ?? 'human');
  const e = frame.points;
  const iod = Math.hypot(e['33'][0] - e['263'][0], e['33'][1] - e['263'][1]);
  const checked = expected === 6 ? KEYPOINTS_CHECKED.map(([kp, k]) => [kp, k, `detector's ${CHECK_POINTS.find((c) => c[0] === k)![1]} keypoint`] as const)
    : CHECK_POINTS.filter(([k]) => k < expected).map(([k, name]) => [k, k, name] as const);
  const tolerance = expected === 6 ? KEYPOINT_TOLERANCE_IOD : CHECK_TOLERANCE_IOD;
  const allowed = tolerance * iod;
  let worst: { k: number; name: string; d: number } | null = null;
  for (const [i, k, name] of checked) {
    const d = Math.hypot(mesh[3 * i] - e[String(k)][0], mesh[3 * i + 1] - e[String(k)][1]);
    if (!worst || d > worst.d) worst = { k: i, name, d };
  }
  if (worst && worst.d > allowed) {
    return `the ${worst.name} (point ${worst.k}) came out ${worst.d.toFixed(1)} px from where it belongs (allowed ${allowed.toFixed(1)} px, ${tolerance} of the eye distance): its landmarks would be mirrored, turned or misplaced`;
  }
  return null;
}
