/**
 * Is a mesh a human face? The detector (BlazeFace) and the mesh's face-presence score both fire on animal faces and
 * some patterns (on OpenCV's baboon.jpg: det 0.53-0.56, mesh 0.87-0.96), and then the mesh often collapses onto
 * one feature. A human face mesh has an anthropometric layout whatever the pose, so we check pose-invariant ratios
 * of 3-D distances between mesh points (z as Human gives it, in the mesh model's 192-pixel crop units, not the x/y scale of the records' landmarks) and the mesh's size against the
 * detector's box. The bounds were set on measured human and non-human material (scripts/measure-face-quality.mjs
 * plausibility, docs/face.md "No faces on non-faces") with a margin on the human side. Left/right measures (asymmetry,
 * the eye-width ratio) get a larger allowance on a turned head (yaw estimated from the mesh: the nose tip's distances
 * to the two cheek-side oval points, the 2-D head-pose cue of e.g. Gee & Cipolla 1994), since the far side of a
 * turned face is foreshortened in the mesh too.
 */
import { lookChroma, type Look } from './appearance.js';
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
  /**
   * The ratio the bound reads: eye_width_ratio, or on a turned face whose far eye reads the wider the same with z on
   * the pixel scale (FAR_EYE_WIDTH_NOTE; needs the mesh crop's side, else eye_width_ratio).
   */
  eye_width_ratio_checked: number;
  /** Forehead top (10) to chin (152) over the outer-eye-corner distance, 3-D: a muzzle makes the face long. */
  face_length_to_iod: number;
  /**
   * The same face length over twice the near eye's outer corner to the nose bridge (168) on a turned face (|yaw_proxy|
   * > YAW_FREE; else equal to face_length_to_iod): the mesh places the far eye's corner, hidden behind the nose, too far
   * out (FAR_EYE_NOTE), so a turned face reads short over the corner-to-corner distance. The lower bound reads this one.
   */
  face_length_to_near_iod: number;
  /** (|nose tip - 234| - |nose tip - 454|) / their sum in the picture plane: 0 frontal, towards +-1 in profile. */
  yaw_proxy: number;
}

function d2(m: Mesh, a: number, b: number): number {
  return Math.hypot(m[3 * a] - m[3 * b], m[3 * a + 1] - m[3 * b + 1]);
}

/** Side of the mesh model's input crop: z comes in these units (extract.ts MESH_INPUT_PX). */
const MESH_INPUT_PX = 192;

/** 3-D distance with z, in the mesh model's 192-pixel crop units, brought onto the x, y pixel scale (crop side / 192). */
function d3px(m: Mesh, a: number, b: number, cropPx: number): number {
  return Math.hypot(m[3 * a] - m[3 * b], m[3 * a + 1] - m[3 * b + 1], ((m[3 * a + 2] - m[3 * b + 2]) * cropPx) / MESH_INPUT_PX);
}

/**
 * The eye-width ratio the bound reads (FAR_EYE_WIDTH_NOTE): on a turned face (|yaw_proxy| > YAW_FREE) whose far eye
 * reads the wider, both widths with z on the pixel scale (`cropPx`, the mesh crop's side); else the 3-D ratio as is.
 */
function checkedEyeWidthRatio(m: Mesh, yawProxy: number, cropPx: number | undefined): number {
  const asIs = d3(m, 33, 133) / Math.max(d3(m, 362, 263), 1e-9);
  if (!(Math.abs(yawProxy) > YAW_FREE) || !(cropPx !== undefined && cropPx > 0)) return asIs;
  // yaw_proxy < 0: the nose nearer the subject's right cheek (234) in the picture, so the right eye (33-133) is the far one.
  const farWider = yawProxy < 0 ? asIs > 1 : asIs < 1;
  return farWider ? d3px(m, 33, 133, cropPx) / Math.max(d3px(m, 362, 263, cropPx), 1e-9) : asIs;
}

export function plausibilityFeatures(m: Mesh, box: readonly [number, number, number, number], cropPx?: number): PlausibilityFeatures {
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
  const yawProxy = (d2(m, 4, 234) - d2(m, 4, 454)) / Math.max(d2(m, 4, 234) + d2(m, 4, 454), 1e-9);
  const lengthIod = Math.abs(yawProxy) > YAW_FREE ? 2 * Math.min(d3(m, 33, 168), d3(m, 263, 168)) : iod;
  const eyeMid = mid3(m, 33, 263);
  const mouthMid = mid3(m, 61, 291);
  const em = Math.hypot(eyeMid[0] - mouthMid[0], eyeMid[1] - mouthMid[1], eyeMid[2] - mouthMid[2]);
  return {
    extent_to_box: Math.max(x1 - x0, y1 - y0) / Math.max(box[2], box[3], 1e-9),
    asymmetry: n ? asym / n : Infinity,
    iod_to_face_width: iod / Math.max(d3(m, 234, 454), 1e-9),
    eye_mouth_to_iod: em / Math.max(iod, 1e-9),
    eye_width_ratio: d3(m, 33, 133) / Math.max(d3(m, 362, 263), 1e-9),
    eye_width_ratio_checked: checkedEyeWidthRatio(m, yawProxy, cropPx),
    face_length_to_iod: d3(m, 10, 152) / Math.max(iod, 1e-9),
    face_length_to_near_iod: d3(m, 10, 152) / Math.max(lengthIod, 1e-9),
    yaw_proxy: yawProxy,
  };
}

type Bounded = 'extent_to_box' | 'iod_to_face_width' | 'eye_mouth_to_iod' | 'face_length_to_iod';

/** Accepted range of the pose-independent features (see the module comment for where they come from). */
export const PLAUSIBLE: Record<Bounded, [number, number]> = {
  // Human meshes measured: 0.54-0.89 (the top on close-ups whose box comes from the previous frame's mesh); a mesh
  // shrunk onto one feature is far below.
  extent_to_box: [0.5, 0.95],
  // Human 0.37-0.70 (the bottom on a turned face in a PASCAL VOC photo).
  iod_to_face_width: [0.33, 0.8],
  // Human 0.54-1.02 (the top on animated film faces laughing, Megamind.avi); baboon meshes up to 1.52 (the mesh's
  // mouth on the muzzle, far below the eyes).
  eye_mouth_to_iod: [0.45, 1.15],
  // Human 1.14-2.89; meshes stretched over the baboon's eye and muzzle 3.13-5.37. The lower bound is checked on
  // face_length_to_near_iod (FAR_EYE_NOTE): human 1.28-2.64 there (ttrial52's pictures and the plausibility sets, 700
  // meshes at 0.5; the bottom is basketball1.png, 0.92 over the corner-to-corner distance).
  face_length_to_iod: [1.0, 3.1],
};

/**
 * FAR_EYE_NOTE. The mesh of a turned face places the far eye's outer corner too far from the nose bridge: on OpenCV's
 * basketball1/2.png (a 45-degree head, |yaw_proxy| 0.61-0.87) the far corner lies 2.7-3.3 times as far from point 168
 * in 3-D as the near one (frontal faces: up to 1.26), so the corner-to-corner distance grows and basketball1's face
 * length read 0.92 eye distances (ttrial52, under the bound of 1.0, the face dropped at its own size, 2x and 3x).
 * Over twice the near half it reads 1.28-1.33 (frontal faces of the plausibility sets: 1.62-2.11 over the eye distance).
 */

/**
 * FAR_EYE_WIDTH_NOTE. The mesh's x, y are pixels, its z the mesh model's 192-pixel crop units, so in the 3-D eye widths
 * depth counts 192 / (crop side) times as much as width: 2.4x on the 79-px face of dlib's PASCAL VOC 2008_007676.jpg,
 * 4x on basketball1's 48 px. The mesh sets a turned face's far outer eye corner deep behind the nose, so the far eye
 * reads the wider: 2008_007676 (yaw_proxy -0.32) 1.873, beyond exp(0.627), and dropped (tface53a); with z on the
 * pixel scale 1.01. The bound keeps the crop-unit reading otherwise, and on a weak detection (det under
 * WEAK_DET_SCORE): it alone rejects baboon meshes that read human with z on the pixel scale, near-frontal ones
 * (nonface-meshes.json bab-gamma, bab-crop-face) and, at --min-confidence 0.3, three turned ones whose far eye reads
 * the wider (baboon, baboon-600px twice: det 0.40-0.49, yaw_proxy 0.35-0.36, 0.97-1.01 on the pixel scale).
 */

/**
 * Left/right bounds that widen with the head's turn: with t = max(0, |yaw_proxy| - YAW_FREE), asymmetry <= base +
 * slope * t and |ln eye_width_ratio| <= base + slope * t. Humans measured: |ln ratio| up to 0.51 on a frontal face (a
 * dimmed 150-px LFW photo) and 0.92 at |yaw_proxy| 0.73 (a 45-degree head in OpenCV's basketball1.png), asymmetry up
 * to 0.50 there. Baboon meshes collapsed onto one eye: |ln ratio| up to 1.8 at |yaw_proxy| < 0.35.
 */
export const YAW_FREE = 0.3;
export const POSE_BOUNDS = {
  asymmetry: { base: 0.4, slope: 0.5 },
  log_eye_width_ratio: { base: 0.6, slope: 1.2 },
} as const;

/**
 * Largest cheek skin texture (visibility.ts skinContrast) of a face: skin is smooth, patterns are not. Measured: human
 * faces 0.08-0.87 (the top on animated film faces), ring patterns taken for faces 1.40.
 */
export const SKIN_CONTRAST_MAX = 1.1;

/**
 * A weak detection with an unsure mesh whose 2-D and 3-D turns disagree is not a face: detector score under
 * WEAK_DET_SCORE, mesh score under WEAK_MESH_SCORE, and |yaw_proxy + sin(Human's yaw)| over WEAK_YAW_DISAGREE (the
 * mesh's outline turned one way, its 3-D pose not, or the other way). ttrial44a: dlib's video_frames (an empty room)
 * kept one frame with a mesh over an armchair and a bookshelf: det 0.58, mesh 0.76, yaw_proxy -0.644 against yaw
 * 0.225 rad (disagreement 0.421), every ratio of PLAUSIBLE inside its human range. The two scores alone would also
 * drop real faces: the second faces of Megamind.avi and Megamind_bugy.avi frame 10 in the plausibility sets (det
 * 0.57-0.60, mesh 0.47-0.81; disagreement 0.19 and 0.135), the only human readings under both scores of 331. Human readings measured: disagreement up to 0.35 on Megamind (docs/face.md "No faces on
 * non-faces"), so the margin is thin (0.35 against 0.42) and the bound is one case's: the squirrel's readings
 * (0.13-0.51) overlap both. The trial's real clips never reach it: confidence min(det, mesh) 0.78-1.00 on every face.
 */
export const WEAK_DET_SCORE = 0.65;
export const WEAK_MESH_SCORE = 0.9;
export const WEAK_YAW_DISAGREE = 0.38;

/**
 * A grey face in a colour picture is no face: skin has a colour of its own. The cheeks' chromaticity distance from grey
 * (appearance.ts skinChroma, lookChroma) reads 0.0044-0.0048 on OpenCV's ml.png, a grey cartoon robot the mesh reads as
 * a frontal face inside every human range (det 0.51-0.54; 0.0088-0.0118 at det 0.42), and 0.024-0.34 on the human faces
 * of colour pictures measured (scripts/measure-face-verdicts.mjs: the plausibility splits, Megamind.avi's blue skin).
 * A picture's own colour varies: with ffmpeg's colour filters on those faces, saturation at a fifth 0.010-0.058 (and
 * 0.0049 on a grey picture's faint tint), a cool cast (12000 K) 0.0145 and up, tungsten, green, sepia and dim 0.037 and
 * up, a black-and-white camera 0. So a face is grey only when both hold: chroma under GREY_FACE_MAX, and under
 * GREY_FACE_RATIO times the frame's (appearance.ts frameChroma, the 99th percentile of its pixels') in a frame with
 * colour (GREY_FACE_FRAME_MIN; a grey picture reads 0.0007). Ratios measured: robot 0.028-0.030, human faces 0.048 and
 * up (0.094 and up at a fifth of the saturation, 0.030 under the cool cast, whose faces the chroma bound keeps). A
 * black-and-white photo held up in a colour frame is rejected so too.
 */
export const GREY_FACE_MAX = 0.008;
export const GREY_FACE_RATIO = 0.06;
export const GREY_FACE_FRAME_MIN = 0.02;

/**
 * What the check reads beyond the mesh: the cheeks' chromaticity and the frame's colour (GREY_FACE_RATIO), the mesh
 * crop's side in pixels (FAR_EYE_WIDTH_NOTE); null when not measured.
 */
export interface FaceContext {
  look: Look | null;
  frame: number | null;
  crop_px?: number | null;
}

/**
 * How far the face's chroma lies above the grey-face bound, the larger of its margins to GREY_FACE_MAX and to
 * GREY_FACE_RATIO times the frame's (negative: rejected); null when the bound does not apply (nothing measured, or a
 * frame without colour).
 */
export function greyFaceMargin(c: FaceContext | undefined): number | null {
  if (!c || !c.look || c.frame === null || !(c.frame >= GREY_FACE_FRAME_MIN)) return null;
  const chroma = lookChroma(c.look);
  return Math.max(chroma - GREY_FACE_MAX, chroma - GREY_FACE_RATIO * c.frame);
}

function colourReason(c: FaceContext | undefined): string | null {
  const margin = greyFaceMargin(c);
  if (margin === null || margin >= 0 || !c?.look || c.frame === null) return null;
  return `skin_chroma ${lookChroma(c.look).toFixed(4)} under ${GREY_FACE_MAX} and under ${GREY_FACE_RATIO} x the frame's ${c.frame.toFixed(4)}: a grey face in a colour picture`;
}

/** Why a weak reading is no face (WEAK_DET_SCORE), or null; `yaw` Human's, radians. */
function weakReason(f: PlausibilityFeatures, s: { det: number; mesh: number; yaw: number | null }): string | null {
  if (!(s.det < WEAK_DET_SCORE && s.mesh < WEAK_MESH_SCORE) || s.yaw === null) return null;
  const disagree = Math.abs(f.yaw_proxy + Math.sin(s.yaw));
  if (!(disagree > WEAK_YAW_DISAGREE)) return null;
  return `weak detection: det_score ${s.det.toFixed(2)} under ${WEAK_DET_SCORE}, mesh_score ${s.mesh.toFixed(2)} under ${WEAK_MESH_SCORE}, yaw_proxy ${f.yaw_proxy.toFixed(2)} against yaw ${s.yaw.toFixed(2)} rad (|yaw_proxy + sin yaw| ${disagree.toFixed(2)} over ${WEAK_YAW_DISAGREE})`;
}

/** poseReason's reading of the eye-width ratio: the far-eye reading (FAR_EYE_WIDTH_NOTE) only for a confident detection. */
function poseReason(f: PlausibilityFeatures, det: number | null): string | null {
  const t = Math.max(0, Math.abs(f.yaw_proxy) - YAW_FREE);
  const asymMax = POSE_BOUNDS.asymmetry.base + POSE_BOUNDS.asymmetry.slope * t;
  if (!(f.asymmetry <= asymMax)) return `asymmetry ${f.asymmetry.toFixed(3)} above ${asymMax.toFixed(3)} at yaw_proxy ${f.yaw_proxy.toFixed(2)}`;
  const ratioMax = POSE_BOUNDS.log_eye_width_ratio.base + POSE_BOUNDS.log_eye_width_ratio.slope * t;
  const ratio = det !== null && det >= WEAK_DET_SCORE ? f.eye_width_ratio_checked : f.eye_width_ratio;
  const lr = Math.abs(Math.log(ratio));
  const pixelZ = ratio !== f.eye_width_ratio ? ` (${f.eye_width_ratio.toFixed(3)} with z in crop units)` : '';
  if (!(lr <= ratioMax)) return `eye_width_ratio ${ratio.toFixed(3)}${pixelZ} beyond exp(+-${ratioMax.toFixed(3)}) at yaw_proxy ${f.yaw_proxy.toFixed(2)}`;
  return null;
}

/**
 * The first feature outside its range, or null when the mesh is a plausible human face. `skin` (the cheeks' texture
 * measured in the picture, visibility.ts skinContrast), `scores` (the detector's and the mesh's, WEAK_DET_SCORE) and
 * `context` (the cheeks' and the frame's chroma, GREY_FACE_RATIO; the crop side, FAR_EYE_WIDTH_NOTE) are read when
 * given.
 */
export function implausibility(m: Mesh, box: readonly [number, number, number, number], skin?: number | null, scores?: { det: number; mesh: number; yaw: number | null }, context?: FaceContext): string | null {
  const f = plausibilityFeatures(m, box, context?.crop_px ?? undefined);
  const weak = scores ? weakReason(f, scores) : null;
  if (weak) return weak;
  for (const k of Object.keys(PLAUSIBLE) as Bounded[]) {
    const [lo, hi] = PLAUSIBLE[k];
    const low = k === 'face_length_to_iod' ? Math.max(f[k], f.face_length_to_near_iod) : f[k];
    if (!(low >= lo && f[k] <= hi)) return `${k} ${f[k].toFixed(3)}${low !== f[k] ? ` (${low.toFixed(3)} over the near eye's half)` : ''} outside [${lo}, ${hi}]`;
  }
  const pose = poseReason(f, scores ? scores.det : null);
  if (pose) return pose;
  if (skin !== undefined && skin !== null && skin > SKIN_CONTRAST_MAX) return `skin_contrast ${skin.toFixed(3)} above ${SKIN_CONTRAST_MAX}`;
  return colourReason(context);
}
