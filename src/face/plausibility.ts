/**
 * Is a mesh a human face? The detector (BlazeFace) and the mesh's face-presence score both fire on animal faces and
 * some patterns (on OpenCV's baboon.jpg: det 0.53-0.56, mesh 0.87-0.96), and then the mesh often collapses onto
 * one feature. A human face mesh has an anthropometric layout whatever the pose, so we check pose-invariant ratios
 * of 3-D distances between mesh points (the z of the mesh is on the x/y pixel scale) and the mesh's size against the
 * detector's box. The bounds were set on measured human and non-human material (scripts/measure-face-plausibility.mjs,
 * docs/face.md "No faces on non-faces") with a margin on the human side.
 */
import { meshBounds } from './features.js';

type Mesh = ArrayLike<number>; // flat x, y, z

function d3(m: Mesh, a: number, b: number): number {
  return Math.hypot(m[3 * a] - m[3 * b], m[3 * a + 1] - m[3 * b + 1], m[3 * a + 2] - m[3 * b + 2]);
}

function mid3(m: Mesh, a: number, b: number): [number, number, number] {
  return [(m[3 * a] + m[3 * b]) / 2, (m[3 * a + 1] + m[3 * b + 1]) / 2, (m[3 * a + 2] + m[3 * b + 2]) / 2];
}

/** Mirror pairs (subject's right, left) of the MediaPipe mesh: eye corners, brow ends, mouth corners, cheeks, jaw. */
const PAIRS: ReadonlyArray<readonly [number, number]> = [
  [33, 263], [133, 362], [70, 300], [107, 336], [61, 291], [234, 454], [172, 397], [50, 280],
];
/** Midline points: forehead, nose bridge, nose tip, upper lip, chin. */
const MIDLINE = [10, 168, 4, 0, 152] as const;

export interface PlausibilityFeatures {
  /** Largest side of the mesh's 2-D extent over the largest side of the detector box. */
  extent_to_box: number;
  /** Mean relative difference of left and right 3-D distances to midline points over the mirror pairs (0 = symmetric). */
  asymmetry: number;
  /** Outer-eye-corner distance over face width (234-454), 3-D. */
  iod_to_face_width: number;
  /** Eye-centre midpoint to mouth-centre distance over the outer-eye-corner distance, 3-D. */
  eye_mouth_to_iod: number;
  /** Right-eye width over left-eye width (corners), 3-D. */
  eye_width_ratio: number;
}

export function plausibilityFeatures(m: Mesh, box: readonly [number, number, number, number]): PlausibilityFeatures {
  const { x0, y0, x1, y1 } = meshBounds(m);
  let asym = 0;
  let n = 0;
  for (const [a, b] of PAIRS) {
    for (const c of MIDLINE) {
      const da = d3(m, a, c);
      const db = d3(m, b, c);
      if (da + db > 0) {
        asym += Math.abs(da - db) / ((da + db) / 2);
        n++;
      }
    }
  }
  const iod = d3(m, 33, 263);
  const eyeMid = mid3(m, 33, 263);
  const mouthMid = mid3(m, 61, 291);
  const em = Math.hypot(eyeMid[0] - mouthMid[0], eyeMid[1] - mouthMid[1], eyeMid[2] - mouthMid[2]);
  return {
    extent_to_box: Math.max(x1 - x0, y1 - y0) / Math.max(box[2], box[3], 1e-9),
    asymmetry: n ? asym / n : Infinity,
    iod_to_face_width: iod / Math.max(d3(m, 234, 454), 1e-9),
    eye_mouth_to_iod: em / Math.max(iod, 1e-9),
    eye_width_ratio: d3(m, 33, 133) / Math.max(d3(m, 362, 263), 1e-9),
  };
}

/** Accepted range of each feature (see the module comment for where they come from). */
export const PLAUSIBLE: { [K in keyof PlausibilityFeatures]: [number, number] } = {
  // Human meshes measured: 0.61-0.73 (the detector box is 1.4-1.6 times the mesh); a mesh shrunk onto one feature is far below.
  extent_to_box: [0.5, 0.85],
  // Human 0.02-0.31 (strong yaw and cartoon faces at the top).
  asymmetry: [0, 0.4],
  // Human 0.45-0.68.
  iod_to_face_width: [0.4, 0.8],
  // Human 0.56-0.88, up to 1.01 on animated film faces laughing or in the background (Megamind.avi mirrored); baboon
  // meshes up to 1.28 (the mesh's mouth on the muzzle, far below the eyes).
  eye_mouth_to_iod: [0.45, 1.15],
  // Human 0.68-1.25, 2.02 on a turned background face in Megamind.avi; meshes collapsed onto one eye of the baboon
  // 0.33-0.56 (or 5.8).
  eye_width_ratio: [0.6, 2.2],
};

/**
 * Largest cheek skin texture (visibility.ts skinContrast) of a face: skin is smooth, patterns are not. Measured: human
 * faces 0.08-0.87 (the top on animated film faces), ring patterns taken for faces 1.40.
 */
export const SKIN_CONTRAST_MAX = 1.1;

/**
 * The first feature outside its range, or null when the mesh is a plausible human face. `skin` (the cheeks' texture
 * measured in the picture, visibility.ts skinContrast) is checked when given.
 */
export function implausibility(m: Mesh, box: readonly [number, number, number, number], skin?: number | null): string | null {
  const f = plausibilityFeatures(m, box);
  for (const k of Object.keys(PLAUSIBLE) as Array<keyof PlausibilityFeatures>) {
    const [lo, hi] = PLAUSIBLE[k];
    if (!(f[k] >= lo && f[k] <= hi)) return `${k} ${f[k].toFixed(3)} outside [${lo}, ${hi}]`;
  }
  if (skin !== undefined && skin !== null && skin > SKIN_CONTRAST_MAX) return `skin_contrast ${skin.toFixed(3)} above ${SKIN_CONTRAST_MAX}`;
  return null;
}
