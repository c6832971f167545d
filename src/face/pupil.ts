/**
 * The iris centre measured in the picture's pixels, for gaze (gaze.ts): Human's iris model follows a turned iris by
 * only a face-dependent fraction (0.2-0.8; docs/face.md "Gaze"), the pixels do not. A dark-disc fit inside the eye
 * opening: the iris is the darkest disc of its known size (0.49 of the eyeball radius: 5.9 mm of 12) against the
 * sclera around it, as in the circular templates of iris localisation (Daugman 1993's integro-differential operator
 * over circles of one radius, here on the area: mean of an annulus minus mean of the disc). The lids hide part of the
 * iris, so only pixels inside the opening count, and a centre is accepted only with enough of its disc visible.
 * The region is resampled so that the iris radius is IRIS_SAMPLES samples whatever the face's size: the cost per eye
 * is fixed (about 300 centres x 450 offsets; 1.4-1.9 ms CPU per face). engine.ts runs it on every face with iris
 * points when both eyes reach the iris model in its trained orientation (iris.ts); gaze.ts eyeGaze averages it in.
 */

/** Iris radius in samples of the resampled eye region. */
export const IRIS_SAMPLES = 6;
/** The mesh's eye opening is widened across the corner line by this factor about its centre (lids it places low). */
export const OPENING_WIDEN = 1.3;
/** A centre needs this share of its disc inside the opening. */
const MIN_COVER = 0.25;
/** The best disc must be darker than its annulus by this much (luma levels of 255), else no iris is found. */
const MIN_CONTRAST = 8;
/**
 * The fit is ambiguous when another local peak of the contrast map (a grid centre scoring at least its 8 neighbours,
 * outside the best centre's 8 neighbours) reaches this share of the best contrast: two dark places of the iris's
 * size (lashes, a shadowed corner, a light iris no darker than the shaded sclera), or one flat ridge, and which one
 * wins moves with a 1-px change of the mesh's opening. Measured (ttrial44a, 2026-12-06): Tom's and the dark clip's
 * eyes (clear irises) have no second peak above 0.32 of the best (mostly none of positive contrast); face_swapped's
 * light blue irises 0.96-1.00 on tracked frames (the winner flipped by 7 px with the detector's 8-frame cycle: gaze x
 * swung 0.3 rad on identical frames); a phone clip's small eyes 0.74-1.00.
 */
export const RIVAL_MAX = 0.5;

const luma = (d: ArrayLike<number>, o: number) => 0.299 * d[o] + 0.587 * d[o + 1] + 0.114 * d[o + 2];

function inPolygon(poly: number[], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 2; i < poly.length; j = i, i += 2) {
    const xi = poly[i];
    const yi = poly[i + 1];
    const xj = poly[j];
    const yj = poly[j + 1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Bilinear luminance at (x, y) frame pixels (pixel centres at +0.5), clamped to the frame. */
function sampleLuma(rgb: ArrayLike<number>, w: number, h: number, x: number, y: number): number {
  const sx = Math.min(w - 1, Math.max(0, x - 0.5));
  const sy = Math.min(h - 1, Math.max(0, y - 0.5));
  const x0 = Math.floor(sx);
  const y0 = Math.floor(sy);
  const x1 = Math.min(x0 + 1, w - 1);
  const y1 = Math.min(y0 + 1, h - 1);
  const fx = sx - x0;
  const fy = sy - y0;
  const top = luma(rgb, 3 * (y0 * w + x0)) * (1 - fx) + luma(rgb, 3 * (y0 * w + x1)) * fx;
  const bottom = luma(rgb, 3 * (y1 * w + x0)) * (1 - fx) + luma(rgb, 3 * (y1 * w + x1)) * fx;
  return top * (1 - fy) + bottom * fy;
}

/**
 * The eye region resampled: luminance and opening mask on a grid of step 1/scale px from (x0, y0), nx x ny samples,
 * stored with a margin of GRID_PAD empty (mask 0, luminance 0) samples on every side so that a disc around any centre
 * of the grid or next to it reads inside the arrays (no bounds tests). Cell (i, j) is at (j + GRID_PAD) * stride + i +
 * GRID_PAD. `mask` is 0 or 1 as a float, so that the sums can multiply by it instead of branching (discContrast).
 */
interface EyeGrid {
  lum: Float64Array;
  mask: Float64Array;
  nx: number;
  ny: number;
  stride: number;
  x0: number;
  y0: number;
  step: number;
  /** Index offsets of the disc-weighted samples (DISC_AT) and of the annulus-weighted ones (RING_AT) for this stride. */
  discAt: Int32Array;
  ringAt: Int32Array;
}

/** The opening (flat x, y polygon, frame px) widened across its long axis and resampled at `step` px. */
function eyeGrid(rgb: ArrayLike<number>, w: number, h: number, opening: number[], step: number): EyeGrid | null {
  const n = opening.length / 2;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < n; i++) {
    cx += opening[2 * i] / n;
    cy += opening[2 * i + 1] / n;
  }
  // Long axis from the first point to the one half-way round (the corners in the mesh's contour order).
  const k = Math.floor(n / 2);
  const len = Math.hypot(opening[2 * k] - opening[0], opening[2 * k + 1] - opening[1]);
  if (!(len > 0)) return null;
  const ux = (opening[2 * k] - opening[0]) / len;
  const uy = (opening[2 * k + 1] - opening[1]) / len;
  const poly = opening.slice();
  for (let i = 0; i < n; i++) {
    const dx = opening[2 * i] - cx;
    const dy = opening[2 * i + 1] - cy;
    const across = (-dx * uy + dy * ux) * (OPENING_WIDEN - 1);
    poly[2 * i] += -across * uy;
    poly[2 * i + 1] += across * ux;
  }
  const xs = poly.filter((_, i) => i % 2 === 0);
  const ys = poly.filter((_, i) => i % 2 === 1);
  const x0 = Math.min(...xs);
  const y0 = Math.min(...ys);
  const nx = Math.ceil((Math.max(...xs) - x0) / step) + 1;
  const ny = Math.ceil((Math.max(...ys) - y0) / step) + 1;
  if (nx * ny > 40000 || nx < 3 || ny < 3) return null;
  const stride = nx + 2 * GRID_PAD;
  const lum = new Float64Array(stride * (ny + 2 * GRID_PAD));
  const mask = new Float64Array(lum.length);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const x = x0 + i * step;
      const y = y0 + j * step;
      if (!inPolygon(poly, x, y)) continue;
      const k = (j + GRID_PAD) * stride + i + GRID_PAD;
      mask[k] = 1;
      lum[k] = sampleLuma(rgb, w, h, x, y);
    }
  }
  const at = (o: Int32Array) => {
    const out = new Int32Array(o.length);
    for (let k = 0; k < o.length; k++) out[k] = OFF_DY[o[k]] * stride + OFF_DX[o[k]];
    return out;
  };
  return { lum, mask, nx, ny, stride, x0, y0, step, discAt: at(DISC_AT), ringAt: at(RING_AT) };
}

/** Offsets (dx, dy in samples) within twice the iris radius, with the disc's soft (anti-aliased) weight. */
function discOffsets(r: number): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  const R = Math.ceil(2 * r);
  for (let dy = -R; dy <= R; dy++) {
    for (let dx = -R; dx <= R; dx++) {
      const d = Math.hypot(dx, dy);
      if (d < 2 * r) out.push([dx, dy, Math.min(1, Math.max(0, r + 0.5 - d))]);
    }
  }
  return out;
}
const OFFSETS = discOffsets(IRIS_SAMPLES);
const OFF_DX = Int32Array.from(OFFSETS, (o) => o[0]);
const OFF_DY = Int32Array.from(OFFSETS, (o) => o[1]);
const OFF_R = Math.ceil(2 * IRIS_SAMPLES);
const DISC_AREA = Math.PI * IRIS_SAMPLES * IRIS_SAMPLES;
/** Empty samples around the grid: a disc (radius OFF_R) about a centre one cell outside the grid stays inside. */
const GRID_PAD = OFF_R + 1;
/**
 * The offsets that weigh in the disc's sums (weight w > 0) and in the annulus's (1 - w > 0), each in OFFSETS order,
 * with their weights. An offset of weight 0 adds exactly +0 to the disc's sums (and one of weight 1 to the annulus's),
 * so leaving it out gives the same sums to the bit; so does adding an empty sample's 0 (mask and luminance 0).
 */
const DISC_AT = Int32Array.from(OFFSETS.flatMap((o, k) => (o[2] > 0 ? [k] : [])));
const RING_AT = Int32Array.from(OFFSETS.flatMap((o, k) => (o[2] < 1 ? [k] : [])));
const DISC_W = Float64Array.from(DISC_AT, (k) => OFFSETS[k][2]);
const RING_W = Float64Array.from(RING_AT, (k) => 1 - OFFSETS[k][2]);

/**
 * Annulus mean minus disc mean (opening samples only) for the disc centred on grid cell (i, j), which may lie one
 * cell outside the grid (the parabola's neighbours); -Infinity if hidden. Sums as weighted means over the offsets in
 * OFFSETS order (the padding and the split into two passes change no bit: see GRID_PAD, DISC_AT).
 */
function discContrast(g: EyeGrid, i: number, j: number): number {
  const base = (j + GRID_PAD) * g.stride + i + GRID_PAD;
  const { lum, mask, discAt, ringAt } = g;
  let si = 0;
  let wi = 0;
  for (let o = 0; o < discAt.length; o++) {
    const k = base + discAt[o];
    const w = DISC_W[o];
    si += w * lum[k];
    wi += w * mask[k];
  }
  let so = 0;
  let wo = 0;
  for (let o = 0; o < ringAt.length; o++) {
    const k = base + ringAt[o];
    const w = RING_W[o];
    so += w * lum[k];
    wo += w * mask[k];
  }
  if (wi < MIN_COVER * DISC_AREA || wo < 1) return -Infinity;
  return so / wo - si / wi;
}

/** Vertex of the parabola through three equally spaced scores, in steps from the middle (0 when not a peak). */
function parabolaPeak(a: number, b: number, c: number): number {
  const den = a - 2 * b + c;
  return Number.isFinite(den) && den < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / den)) : 0;
}

/** The highest local peak of `score` (nx x ny, -Infinity where hidden) outside the 8 neighbours of (bi, bj). */
function rivalPeak(score: Float64Array, nx: number, ny: number, bi: number, bj: number): number {
  let rival = -Infinity;
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const s = score[j * nx + i];
      if (!(s > rival) || (Math.abs(i - bi) <= 1 && Math.abs(j - bj) <= 1)) continue;
      let peak = true;
      for (let dj = -1; dj <= 1 && peak; dj++) {
        for (let di = -1; di <= 1 && peak; di++) {
          const ii = i + di;
          const jj = j + dj;
          if (ii >= 0 && jj >= 0 && ii < nx && jj < ny && score[jj * nx + ii] > s) peak = false;
        }
      }
      if (peak) rival = s;
    }
  }
  return rival;
}

/** An iris fit: the centre (frame px), or null when no disc was found; `ambiguous` when a rival peak (RIVAL_MAX) stands. */
export interface IrisFit {
  centre: [number, number] | null;
  ambiguous: boolean;
}

/**
 * The iris in an eye opening (flat x, y contour from corner to corner and back, frame px) of an rgb24 frame, for an
 * iris of `irisRadiusPx`: centre null when no disc of that size is visible and dark enough; `ambiguous` (centre kept)
 * when another dark disc scores nearly as well (RIVAL_MAX). The best grid centre is refined by a parabola through its
 * neighbours' scores.
 */
export function irisFit(rgb: ArrayLike<number>, width: number, height: number, opening: number[], irisRadiusPx: number): IrisFit {
  const none = { centre: null, ambiguous: false };
  if (!(irisRadiusPx > 0) || opening.length < 12) return none;
  const g = eyeGrid(rgb, width, height, opening, irisRadiusPx / IRIS_SAMPLES);
  if (!g) return none;
  const score = new Float64Array(g.nx * g.ny).fill(-Infinity);
  let best = -Infinity;
  let bi = -1;
  let bj = -1;
  for (let j = 0; j < g.ny; j++) {
    for (let i = 0; i < g.nx; i++) {
      if (!g.mask[(j + GRID_PAD) * g.stride + i + GRID_PAD]) continue;
      const s = (score[j * g.nx + i] = discContrast(g, i, j));
      if (s > best) {
        best = s;
        bi = i;
        bj = j;
      }
    }
  }
  if (bi < 0 || !(best >= MIN_CONTRAST)) return none;
  const di = parabolaPeak(discContrast(g, bi - 1, bj), best, discContrast(g, bi + 1, bj));
  const dj = parabolaPeak(discContrast(g, bi, bj - 1), best, discContrast(g, bi, bj + 1));
  const ambiguous = rivalPeak(score, g.nx, g.ny, bi, bj) >= RIVAL_MAX * best;
  return { centre: [g.x0 + (bi + di) * g.step, g.y0 + (bj + dj) * g.step], ambiguous };
}

/** The centre of irisFit, ambiguous or not (null when no disc was found). */
export function irisCentre(rgb: ArrayLike<number>, width: number, height: number, opening: number[], irisRadiusPx: number): [number, number] | null {
  return irisFit(rgb, width, height, opening, irisRadiusPx).centre;
}

/** Eye contours in order around the opening, corner first (MediaPipe face mesh; subject's right / left eye). */
export const EYE_OPENING = {
  right: [33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7],
  left: [362, 398, 384, 385, 386, 387, 388, 466, 263, 249, 390, 373, 374, 380, 381, 382],
} as const;
/** Iris radius over the outer-eye-corner distance (3-D): 0.49 of the 12 mm eyeball over 90 mm (gaze.ts). */
export const IRIS_OVER_IOD = (0.49 * 12) / 90;

/**
 * Both eyes' iris centres in a frame's pixels (subject's right / left eye), null where none was found. When either
 * eye's fit is ambiguous (irisFit), both are null and `ambiguous` is set: gaze then uses the iris model alone for both
 * eyes (gaze.ts), the same method on both sides, so a mirror image stays a mirror image.
 */
export interface EyePupils {
  right: [number, number] | null;
  left: [number, number] | null;
  ambiguous?: boolean;
}

/** Both eyes' iris centres (frame px) for a mesh in the frame's pixels (flat x, y, z; 468 or 478 points). */
export function meshPupils(rgb: ArrayLike<number>, width: number, height: number, m: ArrayLike<number>): EyePupils {
  const io = Math.hypot(m[3 * 33] - m[3 * 263], m[3 * 33 + 1] - m[3 * 263 + 1], m[3 * 33 + 2] - m[3 * 263 + 2]);
  const find = (idx: readonly number[]) => irisFit(rgb, width, height, idx.flatMap((i) => [m[3 * i], m[3 * i + 1]]), IRIS_OVER_IOD * io);
  const [right, left] = [find(EYE_OPENING.right), find(EYE_OPENING.left)];
  if (right.ambiguous || left.ambiguous) return { right: null, left: null, ambiguous: true };
  return { right: right.centre, left: left.centre };
}
