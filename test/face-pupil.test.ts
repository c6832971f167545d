/**
 * The iris centre found in the pixels (src/face/pupil.ts, a dark-disc fit inside the eye opening; an experiment for
 * gaze, docs/face.md "Gaze"): synthetic eyes of known rotation (scripts/face-render.mjs drawEye) drawn on a plain skin
 * picture, so the drawn iris's centre is known exactly. No face model involved.
 */
import { describe, expect, it } from 'vitest';
import { IRIS_SAMPLES, OPENING_WIDEN, irisCentre } from '../src/face/pupil.js';
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

  it('gives, to the bit, the centre of the plain definition (every offset, bounds and mask tested) on random eyes', () => {
    // The search as first written (before the padded grid and the two passes over the weights; pupil.ts discContrast).
    const luma = (d: Uint8Array, o: number) => 0.299 * d[o] + 0.587 * d[o + 1] + 0.114 * d[o + 2];
    const inPoly = (poly: number[], x: number, y: number) => {
      let inside = false;
      for (let i = 0, j = poly.length - 2; i < poly.length; j = i, i += 2) {
        if (poly[i + 1] > y !== poly[j + 1] > y && x < ((poly[j] - poly[i]) * (y - poly[i + 1])) / (poly[j + 1] - poly[i + 1]) + poly[i]) inside = !inside;
      }
      return inside;
    };
    const sample = (rgb: Uint8Array, w: number, h: number, x: number, y: number) => {
      const sx = Math.min(w - 1, Math.max(0, x - 0.5));
      const sy = Math.min(h - 1, Math.max(0, y - 0.5));
      const [x0, y0] = [Math.floor(sx), Math.floor(sy)];
      const [x1, y1] = [Math.min(x0 + 1, w - 1), Math.min(y0 + 1, h - 1)];
      const [fx, fy] = [sx - x0, sy - y0];
      const top = luma(rgb, 3 * (y0 * w + x0)) * (1 - fx) + luma(rgb, 3 * (y0 * w + x1)) * fx;
      const bottom = luma(rgb, 3 * (y1 * w + x0)) * (1 - fx) + luma(rgb, 3 * (y1 * w + x1)) * fx;
      return top * (1 - fy) + bottom * fy;
    };
    const offs: Array<[number, number, number]> = [];
    const R = Math.ceil(2 * IRIS_SAMPLES);
    for (let dy = -R; dy <= R; dy++) {
      for (let dx = -R; dx <= R; dx++) {
        const d = Math.hypot(dx, dy);
        if (d < 2 * IRIS_SAMPLES) offs.push([dx, dy, Math.min(1, Math.max(0, IRIS_SAMPLES + 0.5 - d))]);
      }
    }
    const reference = (rgb: Uint8Array, w: number, h: number, open: number[], radius: number): [number, number] | null => {
      const n = open.length / 2;
      let [cx, cy] = [0, 0];
      for (let i = 0; i < n; i++) [cx, cy] = [cx + open[2 * i] / n, cy + open[2 * i + 1] / n];
      const k = Math.floor(n / 2);
      const len = Math.hypot(open[2 * k] - open[0], open[2 * k + 1] - open[1]);
      const [ux, uy] = [(open[2 * k] - open[0]) / len, (open[2 * k + 1] - open[1]) / len];
      const poly = open.slice();
      for (let i = 0; i < n; i++) {
        const across = (-(open[2 * i] - cx) * uy + (open[2 * i + 1] - cy) * ux) * (OPENING_WIDEN - 1);
        poly[2 * i] += -across * uy;
        poly[2 * i + 1] += across * ux;
      }
      const step = radius / IRIS_SAMPLES;
      const xs = poly.filter((_, i) => i % 2 === 0);
      const ys = poly.filter((_, i) => i % 2 === 1);
      const [gx0, gy0] = [Math.min(...xs), Math.min(...ys)];
      const nx = Math.ceil((Math.max(...xs) - gx0) / step) + 1;
      const ny = Math.ceil((Math.max(...ys) - gy0) / step) + 1;
      const lum = new Float64Array(nx * ny);
      const mask = new Uint8Array(nx * ny);
      for (let j = 0; j < ny; j++) {
        for (let i = 0; i < nx; i++) {
          if (!inPoly(poly, gx0 + i * step, gy0 + j * step)) continue;
          mask[j * nx + i] = 1;
          lum[j * nx + i] = sample(rgb, w, h, gx0 + i * step, gy0 + j * step);
        }
      }
      const score = (i: number, j: number) => {
        let si = 0;
        let wi = 0;
        let so = 0;
        let wo = 0;
        for (const [dx, dy, wt] of offs) {
          const x = i + dx;
          const y = j + dy;
          if (x < 0 || y < 0 || x >= nx || y >= ny || !mask[y * nx + x]) continue;
          const v = lum[y * nx + x];
          si += wt * v;
          wi += wt;
          so += (1 - wt) * v;
          wo += 1 - wt;
        }
        return wi < 0.25 * Math.PI * IRIS_SAMPLES * IRIS_SAMPLES || wo < 1 ? -Infinity : so / wo - si / wi;
      };
      let [best, bi, bj] = [-Infinity, -1, -1];
      for (let j = 0; j < ny; j++) {
        for (let i = 0; i < nx; i++) {
          const s = mask[j * nx + i] ? score(i, j) : -Infinity;
          if (s > best) [best, bi, bj] = [s, i, j];
        }
      }
      if (bi < 0 || !(best >= 8)) return null;
      const peak = (a: number, b: number, c: number) => {
        const den = a - 2 * b + c;
        return Number.isFinite(den) && den < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / den)) : 0;
      };
      const di = peak(score(bi - 1, bj), best, score(bi + 1, bj));
      const dj = peak(score(bi, bj - 1), best, score(bi, bj + 1));
      return [gx0 + (bi + di) * step, gy0 + (bj + dj) * step];
    };
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    let found = 0;
    // 6 drawn eyes (drawing is the slow part), each searched 5 ways: iris radii, and the eye cut by the picture's edge.
    for (let t = 0; t < 6; t++) {
      const centre: [number, number] = [40 + 80 * rnd(), 30 + 40 * rnd()];
      const { img, open } = eyeImage((rnd() - 0.5) * 0.8, (rnd() - 0.5) * 0.5, centre);
      for (let i = 0; i < img.length; i += 1 + Math.floor(7 * rnd())) img[i] = Math.min(255, img[i] + Math.floor(40 * rnd())); // noise
      for (let k = 0; k < 5; k++) {
        const shift = k === 4 ? -centre[0] + 10 * rnd() : 0;
        const o = open.map(([x, y]) => [x + shift, y]).flat();
        const radius = (0.3 + 0.4 * rnd()) * RAD;
        const want = reference(img, W, H, o, radius);
        if (want) found++;
        expect(irisCentre(img, W, H, o, radius), `eye ${t}, search ${k}`).toStrictEqual(want);
      }
    }
    expect(found).toBeGreaterThan(15);
  });
});
