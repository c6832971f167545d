/**
 * The 68-point subset of the face mesh in the iBUG 300-W / dlib / OpenFace layout (0-based dlib order): jaw 0-16,
 * right brow 17-21, left brow 22-26, nose 27-35, right eye 36-41, left eye 42-47, outer lips 48-59, inner lips 60-67
 * ("right" is the subject's: image left).
 *
 * Fixed by measurement against dlib's 68-point shape predictor (shape_predictor_68_face_landmarks.dat, Debian
 * libdlib-data): scripts/measure-face68.mjs runs both on the same frames and, for each dlib point, takes the mesh
 * point with the least mean distance (normalised by dlib's outer-eye-corner distance) on one half of the rendered
 * portrait set; it is checked on the other half and on held-out film frames (docs/face.md has the NME table).
 */

/** The subset documented before the measurement (kept for comparison in scripts/measure-face68.mjs). */
export const DLIB68_FROM_MESH_V0: readonly number[] = [
  127, 234, 93, 132, 58, 172, 136, 150, 152, 379, 365, 397, 288, 361, 323, 454, 356,
  70, 63, 105, 66, 107,
  336, 296, 334, 293, 300,
  168, 197, 5, 4, 75, 97, 2, 326, 305,
  33, 160, 158, 133, 153, 144,
  362, 385, 387, 263, 373, 380,
  61, 39, 37, 0, 267, 269, 291, 405, 314, 17, 84, 181,
  78, 82, 13, 312, 308, 317, 14, 87,
];

/**
 * dlib point j (0..67) -> mesh index. Fitted left/right symmetric (a point and its mirror use mirrored mesh points,
 * from the mesh's canonical UV layout) on half of the material, checked on the other half (docs/face.md).
 */
export const DLIB68_FROM_MESH: readonly number[] = [
  // jaw 0-16 (image left to right over the chin)
  34, 227, 177, 215, 172, 136, 149, 148, 152, 377, 378, 365, 397, 435, 401, 447, 264,
  // right brow 17-21, left brow 22-26
  70, 63, 105, 66, 55, 285, 296, 334, 293, 300,
  // nose bridge 27-30, nostrils 31-35
  6, 197, 5, 4, 75, 97, 164, 326, 305,
  // right eye 36-41 (outer corner, upper lid, inner corner, lower lid), left eye 42-47
  33, 159, 157, 112, 153, 144, 341, 384, 386, 263, 373, 380,
  // outer lips 48-59 from the right corner, inner lips 60-67
  61, 80, 72, 11, 302, 310, 291, 405, 314, 17, 84, 181,
  78, 38, 13, 268, 308, 316, 15, 86,
];

/** dlib 68-point regions (0-based), as scripts/measure-face68.mjs reports them. */
export const REGIONS68 = {
  jaw: [0, 17],
  brows: [17, 27],
  nose: [27, 36],
  eyes: [36, 48],
  mouth: [48, 68],
} as const;

/** The 68 points of a flat mesh (x, y, z per point) in dlib order. */
export function landmarks68(mesh: ArrayLike<number>): Array<[number, number, number]> {
  return DLIB68_FROM_MESH.map((i) => [mesh[3 * i], mesh[3 * i + 1], mesh[3 * i + 2]] as [number, number, number]);
}
