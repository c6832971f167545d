/**
 * Index map of the MediaPipe Face Mesh (468 points) plus the 10 iris points Human appends (468..477).
 * "Right"/"left" are the subject's (MediaPipe convention): the subject's right eye is on the image's left.
 * Sources: MediaPipe face_mesh_connections.py (FACEMESH_LEFT_EYE, _RIGHT_EYE, _LIPS, _LEFT_EYEBROW, _RIGHT_EYEBROW,
 * _LEFT_IRIS, _RIGHT_IRIS) and Human's src/face/facemeshcoords.ts (meshAnnotations).
 */
export const MESH_POINTS = 468;
export const MESH_WITH_IRIS_POINTS = 478;

/** Cheek points (subject's right / left, on the cheekbones, above where a beard grows): skin texture and colour (visibility.ts skinContrast, appearance.ts skinChroma). */
export const CHEEK_POINTS = [50, 280] as const;

export const REGIONS = {
  rightEye: [33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173],
  leftEye: [263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398],
  rightBrow: [46, 53, 52, 65, 55, 70, 63, 105, 66, 107],
  leftBrow: [276, 283, 282, 295, 285, 300, 293, 334, 296, 336],
  lipsOuter: [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 185, 40, 39, 37, 0, 267, 269, 270, 409],
  lipsInner: [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 191, 80, 81, 82, 13, 312, 311, 310, 415],
  /**
   * Iris centre then 4 rim points. Human 3.3 appends the subject's LEFT iris (image right) at 468..472 and the right
   * at 473..477 (checked on the fixture portrait): the reverse of MediaPipe's own 478-point model.
   */
  rightIris: [473, 474, 475, 476, 477],
  leftIris: [468, 469, 470, 471, 472],
} as const;

/** Eye aspect ratio points p1..p6 (Soukupová & Čech 2016): p1/p4 corners, p2,p3 upper lid, p6,p5 lower lid. */
export const EAR_POINTS = {
  right: [33, 160, 158, 133, 153, 144],
  left: [362, 385, 387, 263, 373, 380],
} as const;

/** Mouth aspect ratio: inner-lip corners and three upper/lower inner-lip pairs. */
export const MAR_POINTS = { corners: [78, 308], pairs: [[82, 87], [13, 14], [312, 317]] } as const;

/** Outer eye corners used for the inter-ocular distance (the 300-W / iBUG normalisation). */
export const IOD_POINTS = [33, 263] as const;

/** The 68-point subset (iBUG 300-W / dlib layout), fixed by measurement: see landmarks68.ts. */
export { DLIB68_FROM_MESH } from './landmarks68.js';
