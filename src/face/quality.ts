/**
 * Record fields that say how far a face's numbers can be trusted: per-region visibility (visibility.ts), blink only
 * when both eyes are visible, head-pose gimbal lock (pose.ts), and gaze (gaze.ts) only from visible eyes.
 */
import { BIOCULAR_WIDTH_MM, EYEBALL_RADIUS_MM, eyeGaze, GAZE_CALIBRATION, GAZE_POINTS, gazeAngles, HUMAN_FLIP_CALIBRATION } from './gaze.js';
import type { IrisMode } from './iris.js';
import { EYE_OPENING, type EyePupils } from './pupil.js';
import { GIMBAL_ROLL_DEG, headRotation, inPlaneRollDeg } from './pose.js';
import { VISIBILITY_REFERENCE, VISIBILITY_REGION_NAMES, VISIBLE_MIN, type VisibilityRegion } from './visibility.js';

export type VisibilityFields = { [K in VisibilityRegion as `visibility_${K}`]: number | null };

export interface QualityFields extends VisibilityFields {
  /** Why `blink` is null when a face was found ('eye_outside_picture', 'eye_not_visible'), else null. */
  blink_null_reason: string | null;
  /**
   * Why `ear_left` / `ear_right` / `mar` is null when a face was found: 'eye_not_visible' / 'mouth_not_visible' (that
   * region's visibility under VISIBLE_MIN: the mesh draws a covered eye or mouth anyway, often closed), or
   * 'eye_outside_picture' (an EAR point beyond the picture's edge: a corner the mesh made up), else null.
   */
  ear_left_null_reason: string | null;
  ear_right_null_reason: string | null;
  mar_null_reason: string | null;
  /** Roll beyond ±GIMBAL_ROLL_DEG: yaw/pitch are null and roll is the in-plane angle. */
  pose_gimbal_lock: boolean | null;
  /** Unit gaze vectors, camera coordinates (x right, y down, z away from the camera), subject's right / left eye. */
  gaze_right: [number, number, number] | null;
  gaze_left: [number, number, number] | null;
  /** OpenFace 2.0's gaze angles in radians (mean of both eyes' vectors): x positive to the image's right, y down. */
  gaze_angle_x_rad: number | null;
  gaze_angle_y_rad: number | null;
  /**
   * Why the gaze fields are null when a face was found: 'eye_not_visible' (visibility.ts) or 'eye_opening_thin' (an
   * eye's opening under GAZE_OPENING_MIN eyeball radii: too little iris between the lids to place it) or
   * 'pupil_off_eyeball' (the corrected pupil lies on or beyond the eyeball's outline: no gaze direction meets it), or
   * 'eye_outside_picture' (an eye corner beyond the picture's edge: the eyeball centre would come from a corner the
   * mesh made up); else null.
   */
  gaze_null_reason: string | null;
  /**
   * The share of the mesh's points (478 with the irises) beyond the picture's edge: the mesh makes those up, and the
   * pose drifts with them (MESH_OUTSIDE_POSE_MAX). 0 for a face fully inside; null without a mesh.
   */
  mesh_outside_ratio: number | null;
  /**
   * Why yaw_deg / pitch_deg / roll_deg are null when a face was found: 'face_outside_picture' (mesh_outside_ratio over
   * MESH_OUTSIDE_POSE_MAX: all three null), 'gimbal_lock' (pose_gimbal_lock: yaw and pitch null); else null.
   */
  pose_null_reason: string | null;
}

export const QUALITY_FIELD_NAMES: ReadonlyArray<keyof QualityFields> = [
  ...VISIBILITY_REGION_NAMES.map((k) => `visibility_${k}` as const),
  'blink_null_reason', 'ear_left_null_reason', 'ear_right_null_reason', 'mar_null_reason', 'pose_gimbal_lock', 'gaze_right', 'gaze_left', 'gaze_angle_x_rad', 'gaze_angle_y_rad',
  'gaze_null_reason', 'mesh_outside_ratio', 'pose_null_reason',
];

const r = (v: number, d: number) => {
  const k = 10 ** d;
  const x = Math.round(v * k) / k;
  return Object.is(x, -0) ? 0 : x;
};

export function visibilityFields(contrast: Record<VisibilityRegion, number | null> | null | undefined): VisibilityFields {
  const out = {} as Record<string, number | null>;
  for (const k of VISIBILITY_REGION_NAMES) {
    const c = contrast?.[k];
    out[`visibility_${k}`] = c === null || c === undefined || !Number.isFinite(c) ? null : r(Math.min(1, c / VISIBILITY_REFERENCE[k]), 3);
  }
  return out as VisibilityFields;
}

export const visible = (v: number | null) => v !== null && v >= VISIBLE_MIN;

/**
 * Pose after the gimbal guard: Human's yaw/pitch/roll (degrees) unless |roll| > GIMBAL_ROLL_DEG, where yaw and pitch
 * are null and roll is the full-range in-plane angle of the forehead-chin axis from the mesh (`mesh` in any pixel scale).
 * The same when the face is upside down (in-plane angle beyond ±90°): Human's Y-Z-X decomposition then returns its
 * other solution (yaw and pitch near ±180°, roll = 180° − the true roll: −0.6° with yaw 167° and pitch 178° for a face
 * turned 180°, Megamind.avi; docs/face.md "Upside-down and strongly rolled faces"), which the |roll| test alone let through.
 */
export function guardedPose(mesh: Float64Array, yaw: number | null, pitch: number | null, roll: number | null): { yaw: number | null; pitch: number | null; roll: number | null; lock: boolean | null } {
  if (roll === null) return { yaw, pitch, roll, lock: null };
  if (mesh.length < 468 * 3) return { yaw, pitch, roll, lock: false };
  const inPlane = inPlaneRollDeg(headRotation(mesh));
  if (Math.abs(roll) <= GIMBAL_ROLL_DEG && Math.abs(inPlane) <= 90) return { yaw, pitch, roll, lock: false };
  return { yaw: null, pitch: null, roll: inPlane, lock: true };
}

/**
 * Largest share of the mesh's points beyond the picture's edge (mesh_outside_ratio) for which the pose is written.
 * Measured (session 58, tface58: the demo camera s01 cut by ffmpeg crop= at its left (x 100-150 of 320), right (width
 * 156-196) and top (y 70-116), 5 fps, 10 s each, every frame's pose against the uncut picture's on the same frame; the
 * largest of the yaw, pitch and roll differences, median (90th percentile), 612 face frames): 1.1 (1.5) degrees with
 * every point inside (the cut picture alone moves the detector's box), 1.7 (3.8) with up to 5 % outside, 5.2 (6.2) at
 * 5-10 %, 6.5 (7.3) at 10-15 %, 5.0-8.0 (8.8-10.7) at 15-40 %: yaw drifts sideways, pitch (9-10 degrees) with the
 * forehead cut. Past 5 % the error is four times the cut picture's own, said with nothing.
 */
export const MESH_OUTSIDE_POSE_MAX = 0.05;

/** Share of the mesh's points (x, y in the picture's pixels) beyond a width x height picture. */
export function meshOutsideRatio(m: ArrayLike<number>, width: number, height: number): number {
  const n = Math.floor(m.length / 3);
  let out = 0;
  for (let i = 0; i < n; i++) if (!(m[3 * i] >= 0 && m[3 * i] <= width && m[3 * i + 1] >= 0 && m[3 * i + 1] <= height)) out++;
  return n ? out / n : 0;
}

/** The pose with yaw, pitch and roll null past MESH_OUTSIDE_POSE_MAX of the mesh outside the picture, and its reason. */
function poseInside(pose: ReturnType<typeof guardedPose>, outsideRatio: number | null): { pose: ReturnType<typeof guardedPose>; why: string | null } {
  if (outsideRatio !== null && outsideRatio > MESH_OUTSIDE_POSE_MAX && pose.roll !== null) return { pose: { yaw: null, pitch: null, roll: null, lock: pose.lock }, why: 'face_outside_picture' };
  return { pose, why: pose.lock === true ? 'gimbal_lock' : null };
}

/**
 * Smallest eye opening, in eyeball radii (gaze.ts: 12 mm at 90 mm between the outer corners), for which gaze is
 * written. Below it less than about half the iris's height (0.98 radii) shows between the lids, and the iris centre is
 * placed from a sliver. Measured with synthetic eyes (scripts/measure-gaze.mjs --cues, docs/face.md "Gaze"): the
 * astronaut and face_swapped renders 0.52-0.98 (every frame kept), messi5's thin enlarged slit 0.34-0.55, read
 * 21-24 degrees off in x.
 */
export const GAZE_OPENING_MIN = 0.5;

/** An eye's opening: extent of its contour across the corner line (mesh points, EYE_OPENING) over the eyeball radius. */
export function eyeOpening(m: ArrayLike<number>, eye: 'right' | 'left'): number | null {
  const io = Math.hypot(m[3 * 33] - m[3 * 263], m[3 * 33 + 1] - m[3 * 263 + 1], m[3 * 33 + 2] - m[3 * 263 + 2]);
  const [a, b] = GAZE_POINTS[eye].corners;
  const ux = m[3 * b] - m[3 * a];
  const uy = m[3 * b + 1] - m[3 * a + 1];
  const len = Math.hypot(ux, uy);
  if (!(io > 0) || !(len > 0)) return null;
  const across = EYE_OPENING[eye].map((i) => (-(m[3 * i] - m[3 * a]) * uy + (m[3 * i + 1] - m[3 * a + 1]) * ux) / len);
  return (Math.max(...across) - Math.min(...across)) / ((EYEBALL_RADIUS_MM * io) / BIOCULAR_WIDTH_MM);
}

/**
 * Human 3.3.6's iris crop (face/iris.ts getEyeBox: the box of the eye's two corners enlarged by `face.iris.scale`,
 * default 2.3, and made square): the square the iris model reads an eye from.
 */
export const IRIS_CROP_SCALE = 2.3;

/** How far (in eye widths, the corners' distance) the iris crop may reach past the picture's edge (irisCropOutside). */
export const IRIS_CROP_OVERSHOOT_MAX = 0.1;

/**
 * Whether the iris model's square crop of an eye (IRIS_CROP_SCALE) reaches beyond a width x height picture by more
 * than IRIS_CROP_OVERSHOOT_MAX eye widths: the model then reads black padding beside the eye. `m` in the picture's
 * pixels. Measured (ttrial57b: the demo camera s01 cut by the picture's left, right and top edges and Megamind.avi cut
 * at the left, gaze against the uncut picture's on the same frames; the larger of the x and y differences, median):
 * 0.21-0.23 rad past by more than 0.2 eye widths, 0.11 by 0.1-0.2, 0.06-0.08 by up to 0.1, 0.05-0.07 inside.
 */
export function irisCropOutside(m: ArrayLike<number>, eye: 'right' | 'left', width: number, height: number): boolean {
  const [a, b] = GAZE_POINTS[eye].corners;
  const [dx, dy] = [m[3 * b] - m[3 * a], m[3 * b + 1] - m[3 * a + 1]];
  const half = (IRIS_CROP_SCALE * Math.max(Math.abs(dx), Math.abs(dy))) / 2;
  const cx = (m[3 * a] + m[3 * b]) / 2;
  const cy = (m[3 * a + 1] + m[3 * b + 1]) / 2;
  const over = Math.max(half - cx, cx + half - width, half - cy, cy + half - height);
  return over > IRIS_CROP_OVERSHOOT_MAX * Math.hypot(dx, dy);
}

/** Per eye: EAR points beyond the picture's edge (`left`, `right`), and the iris model's crop beyond it (`irisCrop*`). */
export interface EyesOutside {
  left: boolean;
  right: boolean;
  irisCropLeft?: boolean;
  irisCropRight?: boolean;
  /** meshOutsideRatio of the face's mesh (null without a mesh). */
  meshRatio?: number | null;
}

type GazeFields = Pick<QualityFields, 'gaze_right' | 'gaze_left' | 'gaze_angle_x_rad' | 'gaze_angle_y_rad' | 'gaze_null_reason'>;

/**
 * Gaze fields from a source-pixel mesh; an eye whose EAR points (corners included) lie beyond the picture's edge
 * (`outside`, as for its EAR), that is not visible, or whose opening is thinner than GAZE_OPENING_MIN, gets null, and
 * then so do the angles (with `gaze_null_reason`). `irisMode`: how the iris model saw the eyes (iris.ts), which decides
 * the calibration; `pupils`: the iris centres found in the pixels (pupil.ts, source pixels), averaged in where found.
 */
export function gazeFields(
  mesh: Float64Array,
  vis: VisibilityFields,
  irisMode: IrisMode = 'human',
  pupils: EyePupils | null = null,
  outside: EyesOutside = { left: false, right: false },
): GazeFields {
  const hasIris = mesh.length >= 478 * 3;
  const rot = hasIris ? headRotation(mesh) : null;
  const cal = irisMode === 'human' ? HUMAN_FLIP_CALIBRATION : GAZE_CALIBRATION;
  const reasons: string[] = [];
  const eye = (side: 'right' | 'left', v: number | null) => {
    if (!rot) return null;
    // An eye cut by the picture's edge: its eyeball centre (the corners' midpoint, gaze.ts) is made up too (ttrial57b:
    // a face cut by the left edge read gaze_angle_x -0.65 rad where the uncut picture reads -0.07).
    // Nor is an eye whose iris crop reaches past the edge read well (the model sees padding beside it; IRIS_CROP_SCALE).
    const cropOut = side === 'left' ? outside.irisCropLeft : outside.irisCropRight;
    const why = outside[side] ? 'eye_outside_picture' : cropOut ? 'eye_crop_outside_picture' : !visible(v) ? 'eye_not_visible' : !((eyeOpening(mesh, side) ?? 0) >= GAZE_OPENING_MIN) ? 'eye_opening_thin' : null;
    if (why) reasons.push(why);
    const g = why ? null : eyeGaze(mesh, side, rot, cal, pupils?.[side] ?? null);
    // A corrected pupil on or beyond the eyeball's outline: the ray misses the sphere and eyeGaze puts it on the
    // outline, a vector 90 degrees off the camera axis (angles of exactly +-pi/2 when both eyes do), not a reading.
    if (g && g[2] === 0) reasons.push('pupil_off_eyeball');
    return g && g[2] === 0 ? null : g;
  };
  const g0 = eye('right', vis.visibility_eye_right);
  const g1 = eye('left', vis.visibility_eye_left);
  const a = g0 && g1 ? gazeAngles(g0, g1) : null;
  const v = (g: [number, number, number] | null) => (g ? (g.map((x) => r(x, 5)) as [number, number, number]) : null);
  return { gaze_right: v(g0), gaze_left: v(g1), gaze_angle_x_rad: a ? r(a.x, 5) : null, gaze_angle_y_rad: a ? r(a.y, 5) : null, gaze_null_reason: reasons[0] ?? null };
}

/** A ratio (EAR or MAR) only where its region is visible; the reason when it had a value and is nulled. */
function guarded(v: number | null, vis: number | null, why: string): { v: number | null; why: string | null } {
  if (v === null || visible(vis)) return { v, why: null };
  return { v: null, why };
}

/**
 * The quality fields of one face plus the blink, ratios and pose they guard: blink only with both eyes visible, each
 * EAR only with its eye visible and MAR with the mouth, Human's pose (radians in) through the gimbal guard (degrees
 * out), gaze from visible eyes. `mesh` in source pixels.
 */
export function faceQuality(
  mesh: Float64Array,
  raw: { contrast?: Record<VisibilityRegion, number | null> | null; yaw: number | null; pitch: number | null; roll: number | null; iris_mode?: IrisMode; pupils?: EyePupils | null },
  ratios: { left: number | null; right: number | null; mar: number | null },
  blinkEar: number,
  outside: EyesOutside = { left: false, right: false },
): { blink: boolean | null; ratios: { left: number | null; right: number | null; mar: number | null }; pose: ReturnType<typeof guardedPose>; fields: QualityFields } {
  const deg = (v: number | null) => (v === null ? null : (v * 180) / Math.PI);
  const vis = visibilityFields(raw.contrast);
  // A covered eye is not a blink: blink needs both eyes visible in the picture (visibility.ts).
  const eyesVisible = visible(vis.visibility_eye_left) && visible(vis.visibility_eye_right);
  const hasEar = ratios.left !== null && ratios.right !== null;
  const eyesInside = !outside.left && !outside.right;
  const blink = hasEar && eyesVisible && eyesInside ? ((ratios.left as number) + (ratios.right as number)) / 2 < blinkEar : null;
  // Nor is a covered eye's or mouth's ratio a reading: the mesh's invented lids and lips (trial30 S4: 0.09-0.18 under a card).
  // An eye whose EAR points lie beyond the picture's edge has corners the mesh made up (ttrial48b W8: a face sliding
  // out, the outer corner at x 648-652 of 640, ear_left 0.25 against 0.33-0.38): null, 'eye_outside_picture'.
  const l = outside.left ? { v: null, why: 'eye_outside_picture' } : guarded(ratios.left, vis.visibility_eye_left, 'eye_not_visible');
  const rt = outside.right ? { v: null, why: 'eye_outside_picture' } : guarded(ratios.right, vis.visibility_eye_right, 'eye_not_visible');
  const m = guarded(ratios.mar, vis.visibility_mouth, 'mouth_not_visible');
  const meshRatio = outside.meshRatio ?? null;
  const { pose, why: poseWhy } = poseInside(guardedPose(mesh, deg(raw.yaw), deg(raw.pitch), deg(raw.roll)), meshRatio);
  const gaze = mesh.length >= 468 * 3 ? gazeFields(mesh, vis, raw.iris_mode ?? 'human', raw.pupils, outside) : { gaze_right: null, gaze_left: null, gaze_angle_x_rad: null, gaze_angle_y_rad: null, gaze_null_reason: null };
  const reasons = { blink_null_reason: hasEar && !eyesInside ? 'eye_outside_picture' : hasEar && !eyesVisible ? 'eye_not_visible' : null, ear_left_null_reason: l.why, ear_right_null_reason: rt.why, mar_null_reason: m.why };
  const fields: QualityFields = { ...vis, ...reasons, pose_gimbal_lock: pose.lock, ...gaze, mesh_outside_ratio: meshRatio === null ? null : r(meshRatio, 3), pose_null_reason: poseWhy };
  return { blink, ratios: { left: l.v, right: rt.v, mar: m.v }, pose, fields };
}
