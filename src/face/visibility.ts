/**
 * Per-region visibility from the picture itself. The mesh model places every point whatever covers the face (a
 * covered eye gets mesh score 0.99-1.0 and is often drawn closed), so visibility is measured in the pixels: an eye,
 * a brow or a mouth always has dark structure (iris, lashes, brow hair, the lip line) against skin, a hand or a patch
 * over it does not. For each region we take an ellipse placed by stable mesh points (the corners, not the lids, so a
 * "closed" mesh does not shrink it) and compute the luminance spread P90 - P10 inside it divided by the mean
 * luminance of the face (a Weber contrast, unchanged by exposure). visibility = min(1, contrast / reference), the
 * reference being the contrast of the uncovered region on the calibration material (docs/face.md, "Visibility"). The
 * spread alone also reads an occluder's edge through the ellipse as an eye (trial30 S3), so an eye's contrast is the
 * smaller of the spread and its enclosed contrast (enclosedContrast: dark structure with lighter rims on both sides).
 * A flat cover over part of an eye or the mouth, the lids or a lip border showing beside it, passes both (trial33), so
 * those regions are also capped by their flatter outer band (flatterBand: lids and lip borders are never flat).
 */
import { meshBounds } from './features.js';
import { CHEEK_POINTS } from './landmarks.js';

/** Regions: ellipse centre on the midpoint of two mesh points, axes as fractions of their distance. */
export const VISIBILITY_REGIONS = {
  eye_right: { ends: [33, 133], major: 0.75, minor: 0.45 },
  eye_left: { ends: [362, 263], major: 0.75, minor: 0.45 },
  brow_right: { ends: [70, 107], major: 0.6, minor: 0.3 },
  brow_left: { ends: [336, 300], major: 0.6, minor: 0.3 },
  mouth: { ends: [61, 291], major: 0.65, minor: 0.45 },
} as const;
export type VisibilityRegion = keyof typeof VISIBILITY_REGIONS;
export const VISIBILITY_REGION_NAMES = Object.keys(VISIBILITY_REGIONS) as VisibilityRegion[];

/** Weber contrast of an uncovered region that maps to visibility 1 (set from the calibration material). */
export const VISIBILITY_REFERENCE: Record<VisibilityRegion, number> = {
  eye_right: 0.6,
  eye_left: 0.6,
  brow_right: 0.4,
  brow_left: 0.4,
  mouth: 0.4,
};

/** A region counts as visible from this score (blink needs both eyes visible). */
export const VISIBLE_MIN = 0.5;

const luma = (d: ArrayLike<number>, o: number) => 0.299 * d[o] + 0.587 * d[o + 1] + 0.114 * d[o + 2];

function percentile(sorted: ArrayLike<number>, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

/**
 * Luminance samples inside the ellipse (centre c, unit axis u, semi-axes a along u and b across), rgb24 picture, in a
 * typed array: its sort() is numeric and native (the same order as sorting numbers with a comparator, without calling
 * one per comparison).
 */
function ellipseLuma(d: ArrayLike<number>, w: number, h: number, c: [number, number], u: [number, number], a: number, b: number): Float64Array {
  const r = Math.ceil(Math.max(a, b));
  const ys = Math.max(0, Math.floor(c[1] - r));
  const ye = Math.min(h - 1, Math.ceil(c[1] + r));
  const xs = Math.max(0, Math.floor(c[0] - r));
  const xe = Math.min(w - 1, Math.ceil(c[0] + r));
  const out = new Float64Array(Math.max(0, ye - ys + 1) * Math.max(0, xe - xs + 1));
  let n = 0;
  for (let y = ys; y <= ye; y++) {
    for (let x = xs; x <= xe; x++) {
      const dx = x + 0.5 - c[0];
      const dy = y + 0.5 - c[1];
      const p = (dx * u[0] + dy * u[1]) / a;
      const q = (-dx * u[1] + dy * u[0]) / b;
      if (p * p + q * q <= 1) out[n++] = luma(d, 3 * (y * w + x));
    }
  }
  return out.subarray(0, n);
}

/** Mean luminance over the mesh's face area (a grid of samples inside the 468 points' box, central half). */
function faceMeanLuma(d: ArrayLike<number>, w: number, h: number, m: ArrayLike<number>): number {
  const { x0, y0, x1, y1 } = meshBounds(m);
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const hw = (x1 - x0) / 4;
  const hh = (y1 - y0) / 4;
  let s = 0;
  let n = 0;
  for (let k = 0; k < 15; k++) {
    for (let l = 0; l < 15; l++) {
      const x = Math.round(cx - hw + (2 * hw * k) / 14);
      const y = Math.round(cy - hh + (2 * hh * l) / 14);
      if (x < 0 || y < 0 || x >= w || y >= h) continue;
      s += luma(d, 3 * (y * w + x));
      n++;
    }
  }
  return n ? s / n : 0;
}

/** Luminance at (x, y) in source pixels (pixel centres at +0.5), bilinear; NaN off the picture. */
function lumaAt(d: ArrayLike<number>, w: number, h: number, x: number, y: number): number {
  const fx = x - 0.5;
  const fy = y - 0.5;
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  if (x0 < 0 || y0 < 0 || x0 + 1 >= w || y0 + 1 >= h) return NaN;
  const ax = fx - x0;
  const ay = fy - y0;
  const o = 3 * (y0 * w + x0);
  const top = (1 - ax) * luma(d, o) + ax * luma(d, o + 3);
  const bottom = (1 - ax) * luma(d, o + 3 * w) + ax * luma(d, o + 3 * w + 3);
  return (1 - ay) * top + ay * bottom;
}

/**
 * The eyes' enclosure test (enclosedContrast), in the eye ellipse's own units (p along the corner axis, q across; the
 * ellipse is p^2 + q^2 <= 1): columns across the eye at |p| <= along, every `step`, each the mean of `avg` samples
 * spread over the column's width (noise and texture average out; lids, lashes and edges run along p); rows every
 * `step` to |q| = reach (beyond the ellipse, so that a lash line the mesh puts low is still between the rims); a row
 * with |q| >= rim is on the upper or lower rim. The `columns` quantile of the columns' depths is the eye's (a quarter
 * of the columns must show it). `reference`: the enclosed contrast that counts as fully visible, as
 * VISIBILITY_REFERENCE is for the spread (docs/face.md "Visibility": uncovered eyes 0.72-1.1 on the fixtures, a card's
 * edge across the ellipse 0-0.016).
 */
export const ENCLOSURE = { along: 0.6, rim: 0.8, reach: 1.3, step: 0.1, avg: 5, columns: 0.75, reference: 0.25 } as const;

/**
 * ENCLOSURE's distances in steps, worked out once (in the function, the array their `.map` made was deoptimised
 * once per worker, "wrong map", and the function compiled by TurboFan twice).
 */
const ENCLOSURE_STEPS = (() => {
  const n = Math.round(1 / ENCLOSURE.step);
  const [along, reach, rim] = [ENCLOSURE.along, ENCLOSURE.reach, ENCLOSURE.rim].map((x) => Math.round(x * n));
  return { n, along, reach, rim };
})();

/** Luminance at (p, q) of the ellipse (centre c, unit axis u, semi-axes a, b): the mean across the column's width; NaN off the picture. */
function columnLuma(d: ArrayLike<number>, w: number, h: number, c: [number, number], u: [number, number], a: number, b: number, p: number, q: number): number {
  let s = 0;
  for (let t = 0; t < ENCLOSURE.avg; t++) {
    const pp = p + ((t + 0.5) / ENCLOSURE.avg - 0.5) * ENCLOSURE.step;
    s += lumaAt(d, w, h, c[0] + a * pp * u[0] - b * q * u[1], c[1] + a * pp * u[1] + b * q * u[0]);
  }
  return s / ENCLOSURE.avg;
}

/**
 * Weber contrast of the dark structure that lies between lighter rims, for the eyes. Across an eye (from above the
 * upper lid to below the lower one) its darkest pixels (pupil, iris, lashes; the lash line of a closed eye) have
 * lighter skin on both sides. An occluder's straight edge through the ellipse (trial30 S3: the mesh put both eyes on
 * the lower edge of a dark card, and the P90 - P10 spread read card against cheek as an eye) makes each line across
 * the ellipse a step, dark on one side and light on the other, and a step has no such valley whatever the edge's
 * angle (brightest of a rim <= darkest between). Per column: min(brightest of the upper rim, brightest of the lower
 * rim) - darkest between them, 0 if negative; the ENCLOSURE.columns quantile over the columns, over the face's mean
 * luminance. Null when a sample is off the picture.
 */
function enclosedContrast(d: ArrayLike<number>, w: number, h: number, c: [number, number], u: [number, number], a: number, b: number, mean: number): number | null {
  const { n, along, reach, rim } = ENCLOSURE_STEPS;
  const depths: number[] = [];
  for (let i = -along; i <= along; i++) {
    let [top, bottom, middle] = [-Infinity, -Infinity, Infinity];
    for (let j = -reach; j <= reach; j++) {
      const v = columnLuma(d, w, h, c, u, a, b, i / n, j / n);
      if (Number.isNaN(v)) return null;
      if (j <= -rim) top = Math.max(top, v);
      else if (j >= rim) bottom = Math.max(bottom, v);
      else middle = Math.min(middle, v);
    }
    depths.push(Math.max(0, Math.min(top, bottom) - middle));
  }
  depths.sort((x, y) => x - y);
  return percentile(depths, ENCLOSURE.columns) / mean;
}

/**
 * The outer bands of an eye's or the mouth's ellipse (|q| >= from, q across the corner line): lids, lashes, the lip
 * borders and the skin just beyond them, which varied on every uncovered region measured. A flat skin-coloured cover
 * over the lower (or upper) part of the region leaves one band flat (trial33: the mesh put both eyes' corner lines on
 * the upper edge of a patch over eyes and nose, where the upper lids still showed above it, and the mouth's on a
 * patch's upper edge; the spread and the enclosed contrast read the lids and the patch below them as an eye). The
 * region's contrast is capped by the flatter band's Weber spread, on its own reference (docs/face.md "Visibility":
 * uncovered bands 0.116-1.16 on the fixtures, Megamind.avi and blurred clips; a flat patch's 0.000).
 */
export const BANDS = { from: 0.4, reference: 0.1, regions: ['eye_right', 'eye_left', 'mouth'] as VisibilityRegion[] } as const;

/** Weber spread (P90 - P10 over `mean`) of the flatter outer band of an ellipse; null when a band has under 8 samples. */
function flatterBand(d: ArrayLike<number>, w: number, h: number, e: { c: [number, number]; u: [number, number]; a: number; b: number }, mean: number): number | null {
  const { c, u, a, b } = e;
  const r = Math.ceil(Math.max(a, b));
  const bands: number[][] = [[], []];
  for (let y = Math.max(0, Math.floor(c[1] - r)); y <= Math.min(h - 1, Math.ceil(c[1] + r)); y++) {
    for (let x = Math.max(0, Math.floor(c[0] - r)); x <= Math.min(w - 1, Math.ceil(c[0] + r)); x++) {
      const dx = x + 0.5 - c[0];
      const dy = y + 0.5 - c[1];
      const p = (dx * u[0] + dy * u[1]) / a;
      const q = (-dx * u[1] + dy * u[0]) / b;
      if (p * p + q * q <= 1 && Math.abs(q) >= BANDS.from) bands[q < 0 ? 0 : 1].push(luma(d, 3 * (y * w + x)));
    }
  }
  if (bands.some((v) => v.length < 8)) return null;
  const spread = (v: number[]) => {
    const s = Float64Array.from(v).sort();
    return (percentile(s, 0.9) - percentile(s, 0.1)) / mean;
  };
  return Math.min(spread(bands[0]), spread(bands[1]));
}

/** A region's contrast capped by its flatter outer band (on the region's scale); unchanged for regions without bands or off the picture. */
function bandCapped(contrast: number, d: ArrayLike<number>, w: number, h: number, m: ArrayLike<number>, name: VisibilityRegion, mean: number): number {
  if (!BANDS.regions.includes(name)) return contrast;
  const e = regionEllipse(m, name);
  const band = e ? flatterBand(d, w, h, e, mean) : null;
  return band === null ? contrast : Math.min(contrast, (band * VISIBILITY_REFERENCE[name]) / BANDS.reference);
}

/** Weber contrast (P90 - P10 over the face's mean luminance) per region; null when the ellipse is off the picture. */
export function regionContrast(d: ArrayLike<number>, w: number, h: number, m: ArrayLike<number>): Record<VisibilityRegion, number | null> {
  const mean = Math.max(faceMeanLuma(d, w, h, m), 8);
  const out = {} as Record<VisibilityRegion, number | null>;
  for (const name of VISIBILITY_REGION_NAMES) {
    const { ends, major, minor } = VISIBILITY_REGIONS[name];
    const ax = m[3 * ends[0]];
    const ay = m[3 * ends[0] + 1];
    const bx = m[3 * ends[1]];
    const by = m[3 * ends[1] + 1];
    const len = Math.hypot(bx - ax, by - ay);
    const v = len > 0 ? ellipseLuma(d, w, h, [(ax + bx) / 2, (ay + by) / 2], [(bx - ax) / len, (by - ay) / len], major * len, minor * len) : new Float64Array(0);
    if (v.length < 8) {
      out[name] = null;
      continue;
    }
    v.sort();
    const spread = (percentile(v, 0.9) - percentile(v, 0.1)) / mean;
    const own = name === 'eye_right' || name === 'eye_left' ? eyeContrast(spread, d, w, h, m, name, mean) : spread;
    out[name] = bandCapped(own, d, w, h, m, name, mean);
  }
  return out;
}

/** The eye ellipse of a region: centre, unit axis and semi-axes; null when its two mesh points coincide. */
function regionEllipse(m: ArrayLike<number>, name: VisibilityRegion): { c: [number, number]; u: [number, number]; a: number; b: number } | null {
  const { ends, major, minor } = VISIBILITY_REGIONS[name];
  const [ax, ay, bx, by] = [m[3 * ends[0]], m[3 * ends[0] + 1], m[3 * ends[1]], m[3 * ends[1] + 1]];
  const len = Math.hypot(bx - ax, by - ay);
  if (!(len > 0)) return null;
  return { c: [(ax + bx) / 2, (ay + by) / 2], u: [(bx - ax) / len, (by - ay) / len], a: major * len, b: minor * len };
}

/**
 * An eye's contrast: the spread, or the enclosed contrast on the spread's scale (times VISIBILITY_REFERENCE over
 * ENCLOSURE.reference) when that is smaller, so visibility = min(1, spread / its reference, enclosed / its reference).
 * An enclosure off the picture (null) leaves the spread.
 */
function eyeContrast(spread: number, d: ArrayLike<number>, w: number, h: number, m: ArrayLike<number>, name: 'eye_right' | 'eye_left', mean: number): number {
  const e = regionEllipse(m, name);
  const enclosed = e ? enclosedContrast(d, w, h, e.c, e.u, e.a, e.b, mean) : null;
  return enclosed === null ? spread : Math.min(spread, (enclosed * VISIBILITY_REFERENCE[name]) / ENCLOSURE.reference);
}

/** Each eye's two cues apart, the spread and the enclosed contrast (null off the picture); for scripts/measure-eye-enclosure.mjs. */
export function eyeCues(d: ArrayLike<number>, w: number, h: number, m: ArrayLike<number>): Record<'eye_right' | 'eye_left', { spread: number | null; enclosed: number | null }> {
  const mean = Math.max(faceMeanLuma(d, w, h, m), 8);
  const one = (name: 'eye_right' | 'eye_left') => {
    const e = regionEllipse(m, name);
    if (!e) return { spread: null, enclosed: null };
    const v = ellipseLuma(d, w, h, e.c, e.u, e.a, e.b).sort();
    const spread = v.length < 8 ? null : (percentile(v, 0.9) - percentile(v, 0.1)) / mean;
    return { spread, enclosed: enclosedContrast(d, w, h, e.c, e.u, e.a, e.b, mean) };
  };
  return { eye_right: one('eye_right'), eye_left: one('eye_left') };
}

/** The flatter outer band's Weber spread of a region (BANDS; null off the picture); for scripts/measure-eye-enclosure.mjs. */
export function bandCue(d: ArrayLike<number>, w: number, h: number, m: ArrayLike<number>, name: VisibilityRegion): number | null {
  const e = regionEllipse(m, name);
  return e ? flatterBand(d, w, h, e, Math.max(faceMeanLuma(d, w, h, m), 8)) : null;
}

/** Visibility scores (0..1) per region: contrast over the uncovered reference, capped at 1. */
export function regionVisibility(d: ArrayLike<number>, w: number, h: number, m: ArrayLike<number>): Record<VisibilityRegion, number | null> {
  const c = regionContrast(d, w, h, m);
  const out = {} as Record<VisibilityRegion, number | null>;
  for (const k of VISIBILITY_REGION_NAMES) out[k] = c[k] === null ? null : Math.min(1, (c[k] as number) / VISIBILITY_REFERENCE[k]);
  return out;
}

/** Cheek points for skinContrast (landmarks.ts; re-exported where scripts took them from). */
export { CHEEK_POINTS };

/**
 * Texture of the face's skin: the Weber contrast (as regionContrast) in a disc of radius 0.15 × the outer-eye-corner
 * distance on each cheek, the smoother cheek's value (one cheek may show background or hair when the head turns).
 * Skin is smooth; a pattern or fur taken for a face is not (plausibility.ts). Null when a disc is off the picture.
 */
export function skinContrast(d: ArrayLike<number>, w: number, h: number, m: ArrayLike<number>): number | null {
  const iod = Math.hypot(m[3 * 33] - m[3 * 263], m[3 * 33 + 1] - m[3 * 263 + 1]);
  if (!(iod > 0)) return null;
  const mean = Math.max(faceMeanLuma(d, w, h, m), 8);
  let best = Infinity;
  for (const p of CHEEK_POINTS) {
    const v = ellipseLuma(d, w, h, [m[3 * p], m[3 * p + 1]], [1, 0], 0.15 * iod, 0.15 * iod);
    if (v.length < 8) return null;
    v.sort();
    best = Math.min(best, (percentile(v, 0.9) - percentile(v, 0.1)) / mean);
  }
  return best;
}
