/**
 * Calibrated confidence for a flash detection: how often does this same file produce a pulse score this high at
 * times without a pulse? The null sample is the best pulse score over all regions at every candidate onset frame away
 * from the detection (the same maximum the detection itself is, so like is compared with like). Its upper tail is
 * modelled by peaks over a threshold with an exponential (generalised Pareto with shape 0) excess distribution
 * (Davison & Smith 1990, "Models for exceedances over high thresholds", JRSS B 52:393-442), which extrapolates
 * beyond the largest null score; the per-frame exceedance probability is never taken below 1/(100·N) for N null
 * frames (no claim two decades beyond the data). The expected number of false pulses at least this strong in the
 * searched span of m frames is λ = m·p, and confidence = exp(-λ) (at most 0.999), the Poisson probability of none: it
 * is below 1 by construction and falls as the searched span grows (an unguided search over a whole window needs a larger
 * margin than a search within a few frames of the camera's own beep).
 *
 * Small nulls (flashes: `calibrate(..., { bounded: true })`): a search window of a 10 fps camera gives about 90 null
 * frames, so the tail above the 90th percentile is fitted to some 9 scores and its scale is itself uncertain. The
 * scale used is then a one-sided 80 % upper confidence bound of an exponential mean from its k exceedances,
 * β·2k/χ²(0.2; 2k) (2k·β̂/β is χ² with 2k degrees of freedom for exponential excesses; Wilson-Hilferty for the
 * quantile): 1.7·β for k = 4 (a 3.5 s clip at 25 fps), 1.4·β for k = 9, 1.2·β for k = 25, 1.1·β for k = 100, so fewer
 * null frames give less confidence, never more. (80 %, not 95 %: at 95 % an 18 px corner LED at 2x the clutter of a
 * 40-frame null fell to 0.93; the clutter that looks like a pulse is told apart by its shape, looseFitReason.) The
 * beep's null (tone-null.ts, thousands of samples per chunk) keeps the point estimate.
 */

export interface NullSummary {
  /** Null frames used. */
  n: number;
  p95: number;
  max: number;
  /** Tail threshold (90th percentile) and mean excess over it. */
  u: number;
  beta: number;
  /** Exceedances of u (the tail's sample size) and the 80 % upper confidence bound of beta from them. */
  k: number;
  beta_up: number;
  /** Sorted null scores (ascending), for empirical exceedance counts. */
  sorted: Float64Array;
}

export function summariseNull(scores: ArrayLike<number>): NullSummary {
  const vals: number[] = [];
  for (let i = 0; i < scores.length; i++) if (Number.isFinite(scores[i])) vals.push(scores[i]);
  const sorted = Float64Array.from(vals).sort();
  const n = sorted.length;
  if (n === 0) return { n: 0, p95: 0, max: 0, u: 0, beta: 1, k: 0, beta_up: 1, sorted };
  const q = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.floor(p * (n - 1))))];
  const u = q(0.9);
  let ex = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (sorted[i] > u) {
      ex += sorted[i] - u;
      k++;
    }
  }
  const beta = Math.max(0.25, k ? ex / k : 1);
  return { n, p95: q(0.95), max: sorted[n - 1], u, beta, k, beta_up: beta * upperBoundFactor(k), sorted };
}

/** 2k/χ²(0.2; 2k): the one-sided 80 % upper confidence bound of an exponential mean over its estimate from k values. */
export function upperBoundFactor(k: number): number {
  const kk = Math.max(1, k);
  return (2 * kk) / chi2Lower20(2 * kk);
}

/** The 20 % quantile of χ² with nu degrees of freedom (Wilson & Hilferty 1931; exact for nu = 2: -2 ln 0.8). */
function chi2Lower20(nu: number): number {
  if (nu <= 2) return -2 * Math.log(0.8);
  const a = 2 / (9 * nu);
  return nu * (1 - a - 0.8416212 * Math.sqrt(a)) ** 3;
}

/** Per-frame probability that a time without a pulse scores at least z here (empirical below the tail threshold). */
export function exceedanceP(nul: NullSummary, z: number, bounded = false): number {
  if (nul.n === 0) return 1;
  const floor = 1 / (100 * nul.n);
  if (z <= nul.u) {
    // Count of null scores >= z (binary search on the sorted sample), +1 for the detection itself.
    let lo = 0;
    let hi = nul.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (nul.sorted[mid] < z) lo = mid + 1;
      else hi = mid;
    }
    return Math.max(floor, (nul.n - lo + 1) / (nul.n + 1));
  }
  const tail = Math.max(1, nul.n - Math.floor(0.9 * (nul.n - 1)) - 1) / nul.n;
  return Math.max(floor, tail * Math.exp(-(z - nul.u) / (bounded ? nul.beta_up : nul.beta)));
}

export const MAX_CONFIDENCE = 0.999;

export interface Calibration {
  /** Expected false pulses at least this strong in the searched span. */
  expected_false: number;
  confidence: number;
}

/** `bounded`: the tail's scale from its upper confidence bound (small nulls: flashes; see the header). */
export function calibrate(nul: NullSummary, z: number, searchedFrames: number, opts: { bounded?: boolean } = {}): Calibration {
  const lambda = Math.max(1, searchedFrames) * exceedanceP(nul, z, opts.bounded ?? false);
  // A search window's null sample cannot support more than 0.999 (nor should three decimals ever print 1.000).
  return { expected_false: lambda, confidence: Math.min(MAX_CONFIDENCE, Math.exp(-lambda)) };
}

/** Pulse fit residual (RMS, fraction of the rise) above which a candidate fits a light's pulse only loosely. */
export const LOOSE_FIT = 0.1;
/** A guided candidate with a loose fit is placed only this many times over its window's pulse-free maximum. */
export const CLEAR_MARGIN = 2;

/**
 * The shape's say where the null cannot tell. A light switching on is a clean box through the exposure model: an
 * LED's fit residual (RMS of the exposure-integrated pulse fit, flash-pulse.ts fitPulse) is a few % of its rise
 * (at most 7 % on the real-footage set); a person or an object passing through a region brightens it too, but
 * raggedly (a pedestrian in vtest.avi 16 %, a slide change with an occlusion in a held-out scene 18 %). A loose fit
 * is not placed unguided (no beep of the camera's own confirms it), nor guided unless it scores CLEAR_MARGIN x the
 * window's own pulse-free maximum: below that the null's tail, fitted to the few largest of ~100 frames, cannot tell
 * a light from the clutter, and the pedestrian at 1.3x was placed with confidence 0.9986 (issue 11). Returns the
 * reason (one line) or null when the shape does not stand in the way.
 */
export function looseFitReason(c: { score: number; nullMax: number; rms: number; amp: number; guided: boolean }): string | null {
  if (c.rms <= LOOSE_FIT * c.amp) return null;
  const fit = `fits a light's pulse only loosely (residual ${((100 * c.rms) / c.amp).toFixed(0)} % of its rise; an object passing through looks like this)`;
  if (!c.guided) return `${fit}, and no beep of the camera's own confirms it`;
  if (c.score < CLEAR_MARGIN * c.nullMax) return `${fit} and scores only ${(c.score / Math.max(1e-9, c.nullMax)).toFixed(1)}x this file's strongest pulse-free event (${c.nullMax.toFixed(1)})`;
  return null;
}
