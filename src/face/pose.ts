/**
 * Head axes from the mesh and their Euler angles in OpenFace's convention, plus the gimbal-lock guard for Human's
 * yaw/pitch/roll.
 *
 * Axes (as Human's face/angles.ts builds them): x from the face-oval point 234 (subject's right cheek, image left) to
 * 454, y from the forehead 10 to the chin 152, z = x × y (pointing away from the camera for a frontal face), then x
 * re-orthogonalised. In camera coordinates (x right, y down, z away from the camera: OpenFace's) the columns of
 * R = [x y z] turn the head frame into the camera frame, so a frontal upright face has R = I.
 *
 * Human's yaw/pitch/roll decompose R in the order Y-Z-X (geometrictools.com "Euler angles"): the middle angle is roll,
 * so at roll ±90° yaw and pitch are undefined (gimbal lock) and near it they amplify mesh noise by 1/cos(roll).
 */
export type Vec3 = [number, number, number];
export type Mat3 = [Vec3, Vec3, Vec3]; // rows

/**
 * Beyond this |roll| Human's yaw and pitch are reported as null. Roll sweep of the frontal portrait
 * (scripts/measure-face-quality.mjs roll): yaw/pitch errors 4°/4° at 30° roll, 11°/9° at 60°, 15°/12° at 65°, 24°/17° at
 * -75°, then undefined at ±90° (1/cos roll amplification of mesh noise).
 */
export const GIMBAL_ROLL_DEG = 60;

const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
export const norm = (v: Vec3): Vec3 => {
  const l = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / l, v[1] / l, v[2] / l];
};
const pt = (m: ArrayLike<number>, i: number): Vec3 => [m[3 * i], m[3 * i + 1], m[3 * i + 2]];

/** Rotation matrix (rows) whose columns are the head's x, y, z axes in camera coordinates. */
export function headRotation(m: ArrayLike<number>): Mat3 {
  const y = norm(sub(pt(m, 152), pt(m, 10)));
  const x0 = norm(sub(pt(m, 454), pt(m, 234)));
  const z = norm(cross(x0, y));
  const x = cross(y, z);
  return [
    [x[0], y[0], z[0]],
    [x[1], y[1], z[1]],
    [x[2], y[2], z[2]],
  ];
}

export const apply = (r: Mat3, v: Vec3): Vec3 => [
  r[0][0] * v[0] + r[0][1] * v[1] + r[0][2] * v[2],
  r[1][0] * v[0] + r[1][1] * v[1] + r[1][2] * v[2],
  r[2][0] * v[0] + r[2][1] * v[1] + r[2][2] * v[2],
];

/**
 * Euler angles of R = Rx(rx)·Ry(ry)·Rz(rz), OpenFace's convention (RotationHelpers.h RotationMatrix2Euler; pose_Rx,
 * pose_Ry, pose_Rz in radians): rx pitch (positive: head down), ry yaw (positive: the nose turns towards the image's
 * left, i.e. the subject turns to their right), rz roll (positive: clockwise on screen). Its gimbal lock is at yaw ±90°,
 * which a face seen by the mesh never reaches.
 */
export function openfaceEuler(r: Mat3): { rx: number; ry: number; rz: number } {
  const ry = Math.asin(Math.max(-1, Math.min(1, r[0][2])));
  const rx = Math.atan2(-r[1][2], r[2][2]);
  const rz = Math.atan2(-r[0][1], r[0][0]);
  return { rx, ry, rz };
}

/** In-plane angle of the forehead-to-chin axis, full range (-180°, 180°], positive clockwise on screen. */
export function inPlaneRollDeg(r: Mat3): number {
  return (Math.atan2(-r[0][1], r[1][1]) * 180) / Math.PI;
}
