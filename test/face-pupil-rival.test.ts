/**
 * The pixel iris fit refuses an eye with two dark discs of the iris's size (src/face/pupil.ts RIVAL_MAX; ttrial44a):
 * on face_swapped.jpg's light irises the winner between a shadowed corner and the iris flipped with 1-px changes of
 * the mesh, and gaze_angle_x swung 0.3 rad on identical frames. Then both eyes fall back to the iris model (the same
 * method on both sides). Synthetic eyes on a plain skin picture, a mesh holding only the points pupil.ts reads; no
 * face model involved.
 */
import { describe, expect, it } from 'vitest';
import { EYE_OPENING, IRIS_OVER_IOD, irisFit, meshPupils } from '../src/face/pupil.js';

const W = 320;
const H = 100;
const SKIN = [196, 150, 130];
const SCLERA = [222, 214, 208];
const IRIS = [92, 70, 58];
const CY = 50.4;
const CENTRES = { right: 90.3, left: 230.3 };

/** An almond opening of 16 points, from the image-left corner over the top and back (the mesh's contour order). */
function opening(cx: number): Array<[number, number]> {
  const pts: Array<[number, number]> = [];
  for (let k = 0; k < 16; k++) {
    const a = Math.PI - (k * 2 * Math.PI) / 16;
    pts.push([cx + 30 * Math.cos(a), CY - (Math.sin(a) > 0 ? 13 : 10) * Math.sin(a)]);
  }
  return pts;
}

/** A 478-point mesh (flat x, y, z) with the two eye contours placed; the other points at the origin. */
function mesh(): Float64Array {
  const m = new Float64Array(478 * 3);
  for (const side of ['right', 'left'] as const) {
    opening(CENTRES[side]).forEach(([x, y], k) => {
      m[3 * EYE_OPENING[side][k]] = x;
      m[3 * EYE_OPENING[side][k] + 1] = y;
    });
  }
  return m;
}

/** The iris radius meshPupils asks for (outer corners 33 and 263 are 200 px apart: 13.1 px). */
const IRIS_R = IRIS_OVER_IOD * 200;

/** Skin, each opening filled with sclera, and dark discs of the iris's radius at the given x (per eye), at CY. */
function picture(irises: { right: number[]; left: number[] }): Uint8Array {
  const img = new Uint8Array(W * H * 3);
  const polys = { right: opening(CENTRES.right), left: opening(CENTRES.left) };
  const inside = (p: Array<[number, number]>, x: number, y: number) => {
    let c = false;
    for (let i = 0, j = p.length - 1; i < p.length; j = i++) if (p[i][1] > y !== p[j][1] > y && x < ((p[j][0] - p[i][0]) * (y - p[i][1])) / (p[j][1] - p[i][1]) + p[i][0]) c = !c;
    return c;
  };
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const [px, py] = [x + 0.5, y + 0.5];
      let colour = SKIN;
      for (const side of ['right', 'left'] as const) {
        if (!inside(polys[side], px, py)) continue;
        colour = irises[side].some((ix) => Math.hypot(px - ix, py - CY) < IRIS_R) ? IRIS : SCLERA;
      }
      img.set(colour, 3 * (y * W + x));
    }
  }
  return img;
}

describe('pixel iris fit: a rival dark disc makes the fit ambiguous (pupil.ts RIVAL_MAX)', () => {
  it('finds one clear iris per eye (within 1 px) and calls neither ambiguous', () => {
    const img = picture({ right: [CENTRES.right - 6], left: [CENTRES.left + 4] });
    const p = meshPupils(img, W, H, mesh());
    expect(p.ambiguous ?? false).toBe(false);
    expect(Math.hypot(p.right![0] - (CENTRES.right - 6), p.right![1] - CY)).toBeLessThan(1);
    expect(Math.hypot(p.left![0] - (CENTRES.left + 4), p.left![1] - CY)).toBeLessThan(1);
  });

  it('gives no pixel centre for either eye when one eye shows two equal dark discs', () => {
    // Two discs 2.2 iris radii apart in the right eye: each scores the same, the winner is a coin toss of the grid.
    const img = picture({ right: [CENTRES.right - 14.5, CENTRES.right + 14.5], left: [CENTRES.left] });
    const fit = irisFit(img, W, H, opening(CENTRES.right).flat(), IRIS_R);
    expect(fit.centre).not.toBeNull();
    expect(fit.ambiguous).toBe(true);
    expect(irisFit(img, W, H, opening(CENTRES.left).flat(), IRIS_R).ambiguous).toBe(false);
    // Both eyes then use the iris model alone (gaze.ts eyeGaze without a pupil): the same method on both sides.
    expect(meshPupils(img, W, H, mesh())).toEqual({ right: null, left: null, ambiguous: true });
  });
});
