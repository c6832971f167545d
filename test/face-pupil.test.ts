/**
 * The iris centre found in the pixels (src/face/pupil.ts, a dark-disc fit inside the eye opening; an experiment for
 * gaze, docs/face.md "Gaze"): synthetic eyes of known rotation (scripts/face-render.mjs drawEye) drawn on a plain skin
 * picture, so the drawn iris's centre is known exactly. No face model involved.
 */
import { describe, expect, it } from 'vitest';
import { irisCentre } from '../src/face/pupil.js';
// @ts-expect-error plain ES module without types
import { drawEye } from '../scripts/face-render.mjs';

const W = 160;
const H = 100;
const RAD = 24; // eyeball radius, px
const LOOK = { iris: [92, 70, 58], sclera: [222, 214, 208], seed: 1 };
/** An almond opening (16 points from the left corner, over the top and back), as the mesh's eye contour. */
function opening(cx: number, cy: number, half: number, top: number, bottom: number): Array<[number, number]> {
  const pts: Array<[number, number]> = [];
  for (let k = 0; k < 16; k++) {
    const a = Math.PI - (k * 2 * Math.PI) / 16;
    pts.push([cx + half * Math.cos(a), cy - (Math.sin(a) > 0 ? top : bottom) * Math.sin(a)]);
  }
  return pts;
}
function eyeImage(gx: number, gy: number, centre: [number, number]): { img: Buffer; open: Array<[number, number]> } {
  const skin = Buffer.alloc(W * H * 3);
  for (let i = 0; i < W * H; i++) skin.set([196, 150, 130], 3 * i);
  const v = [Math.tan(gx), Math.tan(gy), -1];
  const l = Math.hypot(v[0], v[1], v[2]);
  const open = opening(centre[0], centre[1] - 3, 30, 13, 10);
  return { img: drawEye(skin, W, H, { opening: open, centre, radius: RAD, g: v.map((c) => c / l), ...LOOK }) as Buffer, open };
}

describe('iris centre from the pixels (pupil.ts)', () => {
  it("finds a turned synthetic iris's outline centre (0.87 of the pupil's offset) within 0.9 px, mirror-symmetric within 0.2 px", () => {
    const centre: [number, number] = [80.3, 50.6];
    for (const [xd, yd] of [[0, 0], [-20, 0], [20, 0], [0, -12], [0, 12], [15, 10]]) {
      const gx = (xd * Math.PI) / 180;
      const gy = (yd * Math.PI) / 180;
      const { img, open } = eyeImage(gx, gy, centre);
      const p = irisCentre(img, W, H, open.flat(), 0.49 * RAD);
      expect(p, `${xd} ${yd}`).not.toBeNull();
      const v = [Math.tan(gx), Math.tan(gy), -1];
      const l = Math.hypot(v[0], v[1], v[2]);
      // Measured 0.09-0.24 px, and 0.64-0.72 px when the iris dips under the lower lid (gaze down): about 1.7 degrees
      // of this 24 px eyeball.
      const want = [centre[0] + (0.87 * RAD * v[0]) / l, centre[1] + (0.87 * RAD * v[1]) / l];
      expect(Math.hypot(p![0] - want[0], p![1] - want[1]), `${xd} ${yd}`).toBeLessThan(0.9);
      // The mirror image (pixels and opening flipped) gives the mirrored centre (within 0.2 px: the search grid, of
      // iris radius / 6 = 2 px, starts at the opening's left edge in both).
      const mirrored = Buffer.alloc(img.length);
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) img.copy(mirrored, 3 * (y * W + (W - 1 - x)), 3 * (y * W + x), 3 * (y * W + x) + 3);
      const q = irisCentre(mirrored, W, H, open.map(([x, y]) => [W - x, y]).flat(), 0.49 * RAD);
      expect(Math.abs(q![0] - (W - p![0])), `${xd} ${yd} mirror`).toBeLessThan(0.2);
      expect(Math.abs(q![1] - p![1]), `${xd} ${yd} mirror`).toBeLessThan(0.2);
    }
  });

  it('returns null without a dark disc of the size asked for (an opening of uniform skin)', () => {
    const skin = Buffer.alloc(W * H * 3, 180);
    expect(irisCentre(skin, W, H, opening(80, 50, 30, 13, 10).flat(), 0.49 * RAD)).toBeNull();
  });
});
