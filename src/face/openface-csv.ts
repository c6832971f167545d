/**
 * `--format openface`: OpenFace 2.0's CSV (FeatureExtraction / FaceLandmarkVidMulti, RecorderCSV.cpp) for the columns
 * mmprep can fill, with OpenFace's names, order, units and ", " separator, so analysis scripts written for OpenFace
 * read it unchanged. One row per face per frame (a frame without a face: one row with success 0, face_id 0 and
 * confidence 0 as OpenFace writes them, and empty cells).
 *
 * Filled: frame (1-based, as OpenFace counts), face_id, timestamp (s), confidence (min of detector and mesh scores),
 * success, gaze_0_* / gaze_1_* (unit vectors, camera coordinates; eye 0 is the subject's right eye, the image's left,
 * as OpenFace's eye 0 from points 36-41), gaze_angle_x/y (radians), pose_Rx/Ry/Rz (radians, OpenFace's
 * R = Rx·Ry·Rz, pose.ts), x_0..67 / y_0..67 (the 68-point subset, source pixels).
 * Not written, because mmprep does not estimate them (docs/face.md lists them): X/Y/Z_0..67 (OpenFace's landmarks in
 * millimetres, camera coordinates: mmprep has pixels and a relative depth only, and under OpenFace's names a script
 * would compute millimetres from them without a word; ttrial44a: a "camera distance" of 16 mm), eye_lmk_* (OpenFace's
 * 56-point eye model), pose_Tx/Ty/Tz (mm), p_scale, p_rx.., p_0.. (PDM parameters), AUxx_r / AUxx_c.
 */
import { DLIB68_FROM_MESH } from './landmarks68.js';
import { headRotation, openfaceEuler } from './pose.js';
import type { FaceFields, FaceRecord } from './extract.js';

const idx = Array.from({ length: 68 }, (_, i) => i);

/** OpenFace 2.0's column names, in its order, for what mmprep writes. */
export const OPENFACE_COLUMNS: readonly string[] = [
  'frame', 'face_id', 'timestamp', 'confidence', 'success',
  'gaze_0_x', 'gaze_0_y', 'gaze_0_z', 'gaze_1_x', 'gaze_1_y', 'gaze_1_z', 'gaze_angle_x', 'gaze_angle_y',
  'pose_Rx', 'pose_Ry', 'pose_Rz',
  ...idx.map((i) => `x_${i}`), ...idx.map((i) => `y_${i}`),
];

/** OpenFace 2.0 columns mmprep leaves out (it cannot estimate them); for docs and the test. */
export const OPENFACE_MISSING = ['X_0..67', 'Y_0..67', 'Z_0..67', 'eye_lmk_x_0..55', 'eye_lmk_y_0..55', 'eye_lmk_X/Y/Z_0..55', 'pose_Tx', 'pose_Ty', 'pose_Tz', 'p_scale', 'p_rx', 'p_ry', 'p_rz', 'p_tx', 'p_ty', 'p_0..33', 'AUxx_r', 'AUxx_c'];

const fmt = (v: number | null | undefined, d: number): string => (v === null || v === undefined || !Number.isFinite(v) ? '' : String(Math.round(v * 10 ** d) / 10 ** d).replace(/^-0$/, '0'));

/** The OpenFace row values of one face (cells in OPENFACE_COLUMNS order), or of a frame without a face. */
function faceCells(rec: FaceRecord, f: FaceFields | null): string[] {
  // A frame without a face: face_id 0, confidence 0 and success 0, as OpenFace writes them (RecorderCSV.cpp).
  const head = [String(rec.frame + 1), f ? String(f.face_id) : '0', fmt(rec.t_s, 6)];
  if (!f) return [...head, '0', '0', ...new Array<string>(OPENFACE_COLUMNS.length - 5).fill('')];
  const lm = f.landmarks;
  const hasMesh = lm.length >= 468;
  const flat = new Float64Array(lm.length * 3);
  lm.forEach((p, i) => flat.set(p, 3 * i));
  // No pose for a face cut by the picture's edge (quality.ts MESH_OUTSIDE_POSE_MAX), as in the JSONL records.
  const e = hasMesh && f.pose_null_reason !== 'face_outside_picture' ? openfaceEuler(headRotation(flat)) : null;
  const g0 = f.gaze_right;
  const g1 = f.gaze_left;
  const pts = hasMesh ? DLIB68_FROM_MESH.map((i) => lm[i]) : null;
  const col = (k: 0 | 1, d: number) => idx.map((i) => (pts ? fmt(pts[i][k], d) : ''));
  return [
    ...head,
    fmt(Math.min(f.det_score, f.mesh_score), 3),
    '1',
    fmt(g0?.[0], 6), fmt(g0?.[1], 6), fmt(g0?.[2], 6), fmt(g1?.[0], 6), fmt(g1?.[1], 6), fmt(g1?.[2], 6),
    fmt(f.gaze_angle_x_rad, 3), fmt(f.gaze_angle_y_rad, 3),
    fmt(e?.rx, 3), fmt(e?.ry, 3), fmt(e?.rz, 3),
    ...col(0, 2), ...col(1, 2),
  ];
}

/** OpenFace rows (each a record whose keys are the header cells) for one mmprep record: one per face, or one. */
export function openfaceRows(rec: FaceRecord): Array<Record<string, string>> {
  const faces = rec.face_found ? [rec as unknown as FaceFields, ...rec.faces].sort((a, b) => a.face_id - b.face_id) : [null];
  // OpenFace separates cells with ", ": header cells and values after the first carry the leading space; an empty
  // cell stays empty (read as missing, not as a string " ").
  return faces.map((f) => Object.fromEntries(faceCells(rec, f).map((v, i) => [i ? ` ${OPENFACE_COLUMNS[i]}` : OPENFACE_COLUMNS[i], i && v !== '' ? ` ${v}` : v])));
}
