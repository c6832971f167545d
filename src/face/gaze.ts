/**
 * Eye gaze from the iris centre and the eye corners, after OpenFace 2.0's GazeAnalyser (GazeEstimation.cpp
 * EstimateGaze, GetGazeAngle; Wood et al. 2015): the eyeball centre is the midpoint of the eye corners plus a fixed
 * offset in the head frame, (0, -3.5, 7) mm, the eyeball a 12 mm sphere; the gaze vector runs from the eyeball centre
 * to where the ray through the pupil meets the sphere (the nearer intersection). Camera coordinates: x right, y down,
 * z away from the camera, so looking straight into the camera is (0, 0, -1).
 *
 * Differences from OpenFace, stated: mmprep has no camera intrinsics, so the ray through the pupil is parallel to the
 * optical axis (weak perspective, not a ray from the camera centre); millimetres come from the 3-D outer-eye-corner
 * distance taken as 90 mm (adult biocular width ex-ex; Farkas 1994); the pupil is the mean of Human's iris-model centre
 * point and the iris centre found in the pixels (pupil.ts), each offset from the corners corrected first
 * (GazeCalibration, PixelCalibration: Human's corners follow the iris). The angles are relative, not absolute: per-face
 * offsets of up to about 0.4 rad remain (docs/face.md "Gaze").
 */
import { irisMode, type IrisMode } from './iris.js';
import { apply, headRotation, norm, type Mat3, type Vec3 } from './pose.js';

export const EYEBALL_RADIUS_MM = 12;
export const EYEBALL_OFFSET_MM: Vec3 = [0, -3.5, 7];
export const BIOCULAR_WIDTH_MM = 90;

/** Mesh indices per eye (subject's right / left): corners and iris centre (Human appends the left iris first). */
export const GAZE_POINTS = {
  right: { corners: [33, 133], iris: 473 },
  left: { corners: [362, 263], iris: 468 },
} as const;

const pt = (m: ArrayLike<number>, i: number): Vec3 => [m[3 * i], m[3 * i + 1], m[3 * i + 2]];

/**
 * Correction of the pupil's offset from the eye corners' midpoint before the eyeball model, in the eye's frame (along
 * the corner line, and across it, image-down for an upright face): offset' = gain * offset - biases * eyeball radius.
 * Why: Human's iris model also returns the eye contour, corners included, which replaces the mesh's; its corners move
 * towards a turned iris by about a third of the iris's displacement, and its iris centre follows by about 0.8, so the
 * pupil-to-corners offset is under half the true one (synthetic eyes of known rotation drawn into real faces:
 * scripts/measure-gaze.mjs). Fitted there on the `fit` renders (one face, two sizes, upright; grid search, least
 * squares on both eyes' and each eye's angles: `--fit`) with both eyes in the iris model's trained orientation
 * (iris.ts 'native'), and checked on held-out renders (other sizes, turned heads, two other faces): docs/face.md
 * "Gaze" has the figures. Refitted 2026-12-03: the eyeball centre moved with the depth put on the pixel scale and the
 * landmarks with engine.ts MESH_TRUNC_CENTRE; refitted 2026-12-07 on the mesh's sub-pixel points (backend.ts
 * humanMeshSubpixel; before: 1.85 / 1.9 / 0 / -0.02). The fit's gain across the corner line grew from 1.9 to 2.7: whole-
 * pixel corners had added noise to the offsets, which least squares answers with a smaller gain.
 */
export interface GazeCalibration {
  gainAlong: number;
  gainAcross: number;
  /** Towards the nose, eyeball radii (the same for both eyes, so mirror images stay mirror images). */
  biasNasal: number;
  /** Downwards, eyeball radii. */
  biasAcross: number;
}
export const GAZE_CALIBRATION: GazeCalibration = { gainAlong: 1.9, gainAcross: 2.7, biasNasal: 0, biasAcross: -0.18 };
/** The same fit with Human's own eye flips (iris.ts 'human'; MMPREP_IRIS_MODE=human, for comparisons): correctIris's eyes. */
export const HUMAN_FLIP_CALIBRATION: GazeCalibration = { gainAlong: 1.8, gainAcross: 2.1, biasNasal: 0.26, biasAcross: -0.1 };
/**
 * The pixel estimate (pupil.ts: the iris's centre found in the picture) enters as offset' = gain / LIMBUS_DEPTH *
 * (pupil - eyeball centre + cornerPullAcross * (iris-model centre - eyeball centre) across the corner line) - biases *
 * eyeball radius, and is averaged with the iris model's (GAZE_CALIBRATION) offset. LIMBUS_DEPTH: the iris's outline
 * lies at cos(asin(5.9 / 12)) = 0.87 of the eyeball radius from its centre, so the dark disc's centre moves 0.87 as
 * far as the pupil. cornerPullAcross: Human's corners move across the corner line with the iris model's iris by about
 * 0.5 of its offset (least squares on the `fit` renders); the pixels' offset is measured from corners moved back.
 * Gains and biases fitted (coordinate descent, least squares on both eyes' and each eye's angles) on the `fit` renders
 * with GAZE_CALIBRATION: `node scripts/measure-gaze.mjs --set fit --fit --fit-pixel` (2026-12-03, iris.ts 'native';
 * refitted 2026-12-07 on sub-pixel mesh points: before 1.41 / 1.55 / -0.01 / 0.36).
 * mmprep's records average both (quality.ts gazeFields); an eye whose iris the pixels do not show uses the iris model
 * alone.
 */
export interface PixelCalibration {
  gainAlong: number;
  gainAcross: number;
  biasNasal: number;
  biasAcross: number;
  cornerPullAcross: number;
}
export const LIMBUS_DEPTH = 0.87;
export const PIXEL_CALIBRATION: PixelCalibration = { gainAlong: 1.36, gainAcross: 1.61, biasNasal: 0, biasAcross: 0.36, cornerPullAcross: 0.5 };
/** An eye's iris centre measured in the picture (pupil.ts), same pixels as the mesh. */
export type Pupil = readonly [number, number];
/** OpenFace's model as is (no correction): for comparisons. */
export const NO_GAZE_CALIBRATION: GazeCalibration = { gainAlong: 1, gainAcross: 1, biasNasal: 0, biasAcross: 0 };

/** One eye's frame in pixels: corners' midpoint, unit vector along the corners (towards the image's right), radius. */
interface EyeFrame {
  mid: [number, number];
  u: [number, number];
  rad: number;
  pxPerMm: number;
}

function eyeFrame(m: ArrayLike<number>, eye: 'right' | 'left'): EyeFrame | null {
  const io = Math.hypot(m[3 * 33] - m[3 * 263], m[3 * 33 + 1] - m[3 * 263 + 1], m[3 * 33 + 2] - m[3 * 263 + 2]);
  if (!(io > 0)) return null;
  const pxPerMm = io / BIOCULAR_WIDTH_MM;
  const [a, b] = GAZE_POINTS[eye].corners.map((i) => pt(m, i));
  const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
  if (!(len > 0)) return null;
  return { mid: [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2], u: [(b[0] - a[0]) / len, (b[1] - a[1]) / len], rad: EYEBALL_RADIUS_MM * pxPerMm, pxPerMm };
}

/** A point's offset from `from` in the eye frame: along the corner line, and across it (image-down when upright). */
const inFrame = (f: EyeFrame, p: ArrayLike<number>, from: ArrayLike<number>): [number, number] => {
  const x = p[0] - from[0];
  const y = p[1] - from[1];
  return [x * f.u[0] + y * f.u[1], -x * f.u[1] + y * f.u[0]];
};

/**
 * Unit gaze vector of one eye in camera coordinates; mesh in pixels (z on the same scale), 478 points. With `pupil`
 * (the iris centre found in the picture, pupil.ts) the pupil's offset is the mean of the iris model's (`cal`) and the
 * pixels' (`pixelCal`) estimates.
 */
export function eyeGaze(m: ArrayLike<number>, eye: 'right' | 'left', r: Mat3 = headRotation(m), cal: GazeCalibration = GAZE_CALIBRATION, pupil: Pupil | null = null, pixelCal: PixelCalibration = PIXEL_CALIBRATION): Vec3 | null {
  if (m.length < 478 * 3) return null;
  const f = eyeFrame(m, eye);
  if (!f) return null;
  const off = apply(r, EYEBALL_OFFSET_MM);
  // Eyeball centre = midpoint + R·offset (OpenFace); its offset from the midpoint in the eye frame, in px.
  const centre = [f.mid[0] + off[0] * f.pxPerMm, f.mid[1] + off[1] * f.pxPerMm];
  const [offAlong, offAcross] = inFrame(f, centre, f.mid);
  // The corner line runs towards the image's right: nasal for the right eye, temporal for the left.
  const nasal = eye === 'right' ? 1 : -1;
  const iris = pt(m, GAZE_POINTS[eye].iris);
  const q = inFrame(f, iris, f.mid);
  // Iris model: its offset from the midpoint corrected (GazeCalibration), then taken from the eyeball centre.
  let along = cal.gainAlong * q[0] - nasal * cal.biasNasal * f.rad - offAlong;
  let across = cal.gainAcross * q[1] - cal.biasAcross * f.rad - offAcross;
  if (pupil) {
    // Pixels: offset from the eyeball centre, across the corner line with the corners' pull by the iris model undone.
    const k = pixelCal;
    const s = inFrame(f, pupil, centre);
    const i = inFrame(f, iris, centre);
    along = (along + (k.gainAlong / LIMBUS_DEPTH) * s[0] - nasal * k.biasNasal * f.rad) / 2;
    across = (across + (k.gainAcross / LIMBUS_DEPTH) * (s[1] + k.cornerPullAcross * i[1]) - k.biasAcross * f.rad) / 2;
  }
  const dx = along * f.u[0] - across * f.u[1];
  const dy = along * f.u[1] + across * f.u[0];
  // Ray (p.x, p.y, t) meets the sphere where (t - c.z)^2 = rad^2 - dx^2 - dy^2; the nearer point (smaller t) is the
  // pupil's. A pupil outside the sphere's outline (mesh noise) is put on the outline.
  const h = Math.sqrt(Math.max(0, f.rad * f.rad - dx * dx - dy * dy));
  return norm([dx, dy, -h]);
}

/**
 * OpenFace's gaze angles (GazeAnalysis::GetGazeAngle) from the mean of both eyes' vectors g: x = atan2(g.x, -g.z)
 * (positive: gaze towards the image's right, the subject's left), y = atan2(g.y, -g.z) (positive: gaze down), radians.
 */
export function gazeAngles(g0: Vec3, g1: Vec3): { x: number; y: number } {
  const g: Vec3 = [(g0[0] + g1[0]) / 2, (g0[1] + g1[1]) / 2, (g0[2] + g1[2]) / 2];
  return { x: Math.atan2(g[0], -g[2]), y: Math.atan2(g[1], -g[2]) };
}

/**
 * With Human's own eye flips only (iris.ts 'human': the tensorflow backends, or MMPREP_IRIS_MODE=human). Offset of
 * Human's iris centres along the eye's corner line, towards the image's right, as a fraction of the corner distance: measured by mirror symmetry (a picture and its mirror image must give opposite horizontal iris offsets;
 * on the astronaut portrait both eyes showed +0.065 and +0.068 in both pictures, about 2 pixels of the iris model's
 * 64-pixel eye crop: scripts/measure-face-quality.mjs gaze). Subtracted by correctIris.
 */
export const IRIS_X_BIAS = 0.066;

/**
 * Puts Human's iris points where the picture has them (in place; flat x, y, z mesh of 478 points, any pixel scale),
 * when they came from Human's own eye flips (`mode` 'human'; the other modes feed both eyes as trained: nothing to do).
 * 1. Human 3.3.6 (src/face/iris.ts augmentIris) flips both eye crops before the iris model (getEyeBox(..., flip =
 *    true) for both eyes) but un-flips only the left eye's output (getEyeCoords(..., flip) is false for the right), so
 *    the subject's right iris (473-477) comes back mirrored about the centre of its eye box, the midpoint of the eye
 *    corners 33 and 133: an iris moved towards the image's left is reported moved to the right (measured with
 *    irises moved by known amounts). It is reflected back across the line through the corners' midpoint perpendicular
 *    to the corner line (the eye box is upright in the face crop, whose rotation follows the eyes).
 * 2. Both irises are then moved back by IRIS_X_BIAS along the corner line.
 */
export function correctIris(m: Float64Array, mode: IrisMode = irisMode()): void {
  if (m.length < 478 * 3) return;
  // Fed in the orientation the model was trained on (iris.ts 'native', 'mirror'), both eyes come back where they are.
  if (mode !== 'human') return;
  const fix = (a: number, b: number, first: number, reflect: boolean) => {
    const ax = m[3 * a];
    const ay = m[3 * a + 1];
    const bx = m[3 * b];
    const by = m[3 * b + 1];
    const len = Math.hypot(bx - ax, by - ay);
    if (!(len > 0)) return;
    const ux = (bx - ax) / len;
    const uy = (by - ay) / len;
    const cx = (ax + bx) / 2;
    const cy = (ay + by) / 2;
    for (let i = first; i < first + 5; i++) {
      const d = (m[3 * i] - cx) * ux + (m[3 * i + 1] - cy) * uy;
      const want = (reflect ? -d : d) - IRIS_X_BIAS * len;
      m[3 * i] += (want - d) * ux;
      m[3 * i + 1] += (want - d) * uy;
    }
  };
  // Corner lines run towards the image's right for an upright face: right eye 33 -> 133, left eye 362 -> 263.
  fix(33, 133, 473, true);
  fix(362, 263, 468, false);
}
