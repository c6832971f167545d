/**
 * A continuous gold trace (RECOLA/AVEC: one gold value per grid time, the mean or EWE of the raters' traces)
 * summarised over a record's span. Pure numeric kernel, no I/O.
 *
 * Rule: nearest-sample hold. Each gold sample stands for its grid cell, [t - h/2, t + h/2) with h the trace's grid step,
 * cut at the midpoint to a neighbour closer than h (a jittered grid). The window's value is the time-weighted mean of
 * the cells inside [a, b); on a full grid whose window edges fall between samples this is the mean of the samples in
 * the window, AVEC's window label (Valstar et al., AVEC 2016, "the label of a window is the average of the gold
 * standard over it"); a sample on an edge counts for the half of its cell inside. A grid time with no gold (no rater)
 * has no cell: it is uncovered, and `coverage` is the share of [a, b) the cells cover.
 */

export interface TraceSeries {
  /** Sample times (s), strictly increasing, on the clock the window's a, b are on. */
  t: ArrayLike<number>;
  /** Gold value per sample. */
  v: ArrayLike<number>;
  /** The raters' SD per sample (the file's `sd` column), or null when the file has none. */
  sd: ArrayLike<number> | null;
}

export interface TraceWindow {
  /** Time-weighted mean of the gold over the covered part of the window. */
  mean: number | null;
  /** Time-weighted (population) SD of the gold over the covered part: how much the gold moves within the window. */
  sd: number | null;
  /** Samples whose cell overlaps the window. */
  n_samples: number;
  /** Share of the window the samples' cells cover (0-1). */
  coverage: number;
  /** Time-weighted mean of the file's per-sample raters' SD (null without an `sd` column or a value). */
  raters_sd: number | null;
}

/** First index whose time is >= x (binary search). */
function lowerBound(t: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The cell [lo, hi) of sample i: h/2 either side, cut at the midpoint to a neighbour closer than h. */
function cellOf(t: ArrayLike<number>, i: number, h: number): [number, number] {
  const lo = i > 0 ? Math.max(t[i] - h / 2, (t[i - 1] + t[i]) / 2) : t[i] - h / 2;
  const hi = i + 1 < t.length ? Math.min(t[i] + h / 2, (t[i] + t[i + 1]) / 2) : t[i] + h / 2;
  return [lo, hi];
}

/** The trace `s` on the grid step `h` over the window [a, b). */
export function traceWindow(s: TraceSeries, h: number, a: number, b: number): TraceWindow {
  const len = b - a;
  let w = 0;
  let wv = 0;
  let wsd = 0;
  let wsdN = 0;
  let n = 0;
  const cells: Array<[number, number]> = [];
  for (let i = lowerBound(s.t, a - h); i < s.t.length && s.t[i] - h < b; i++) {
    const [lo, hi] = cellOf(s.t, i, h);
    const wi = Math.min(hi, b) - Math.max(lo, a);
    if (!(wi > 0)) continue;
    n++;
    w += wi;
    wv += wi * s.v[i];
    cells.push([i, wi]);
    const sdi = s.sd ? s.sd[i] : NaN;
    if (Number.isFinite(sdi)) (wsd += wi * sdi), (wsdN += wi);
  }
  if (n === 0 || !(len > 0)) return { mean: null, sd: null, n_samples: 0, coverage: 0, raters_sd: null };
  const mean = wv / w;
  let ss = 0;
  for (const [i, wi] of cells) ss += wi * (s.v[i] - mean) ** 2;
  // a constant gold gives 1e-17-sized SDs from rounding in the mean: below 1e-9 of the values' size it is 0
  const sd = Math.sqrt(ss / w);
  return { mean, sd: sd <= 1e-9 * Math.max(1, Math.abs(mean)) ? 0 : sd, n_samples: n, coverage: Math.min(1, w / len), raters_sd: wsdN > 0 ? wsd / wsdN : null };
}

/** The median of the positive steps between consecutive times (the grid step), or null with fewer than two samples. */
export function medianStep(series: Iterable<ArrayLike<number>>): number | null {
  const steps: number[] = [];
  for (const t of series) for (let i = 1; i < t.length; i++) steps.push(t[i] - t[i - 1]);
  if (steps.length === 0) return null;
  steps.sort((p, q) => p - q);
  const m = steps.length;
  return m % 2 ? steps[m >> 1] : (steps[(m >> 1) - 1] + steps[m >> 1]) / 2;
}

/**
 * A step that is not a whole number of grid steps (to a quarter step), or less than half of one: the grid changes
 * (two exports of different rates joined, a resampled stretch). A gap of whole steps (grid times no rater covered,
 * which the gold file does not write) is not irregular.
 */
export function irregularStep(d: number, h: number): boolean {
  if (d < h / 2) return true;
  const k = d / h;
  return Math.abs(k - Math.round(k)) > 0.25;
}
