/**
 * Calibrated confidence for a flash detection: how often does this same file produce a pulse score this high at
 * times without a pulse? The null sample is the best pulse score over all regions at every candidate onset frame away
 * from the detection (the same maximum the detection itself is, so like is compared with like).
 *
 * Its upper tail is modelled as heavy (Pareto-like), because clutter in real footage is: a walking person or a
 * textured object crossing a still area scores a few times the usual clutter now and then (vtest.avi: a null whose
 * 14th-largest score is 13.5 has a largest of 123). Above the top k = 20 % of the N null scores (threshold u), the
 * exceedance probability is Weissman's extrapolation p(z) = (k/N)·(z/u)^(−1/ξ) with ξ from Hill's estimator
 * (Hill 1975, Ann. Stat. 3:1163; Weissman 1978, JASA 73:812). Both estimates are replaced by upper confidence bounds
 * that widen as the sample shrinks, so few null frames give less confidence, never more: ξ by ξ·(1 + 1/√k) (Hill's
 * standard error is ξ/√k), bounded to [0.2, 1] (never a tail lighter than a power law of exponent 5, nor one
 * heavier than 1/z); k/N by (k + 1 + √(k+1))/N. Below u the empirical count is used (+1 for the detection itself),
 * and the per-frame probability is never taken below 1/(100·N). The expected number of false pulses at least this
 * strong in the searched span of m frames is λ = m·p, and confidence = exp(−λ) (at most 0.999), the Poisson
 * probability of none: it falls as the searched span grows (an unguided search over a whole window needs a larger
 * margin than a search within a few frames of the camera's own beep). Was an exponential tail (shape 0) fitted by
 * its mean excess over the 90th percentile, which called a walking person's 19.2 against a null maximum of 14.9 (92
 * null frames of a 10 fps camera) 0.0014 expected false pulses (placed); the bounded heavy tail calls it 0.08.
 */

/** Tail share, bounds on the tail's shape and the width of the upper confidence bounds (in standard errors). */
const TAIL_SHARE = 0.2;
const XI_MIN = 0.2;
const XI_MAX = 1;
const BOUND_SE = 1;

export interface NullSummary {
  /** Null frames used. */
  n: number;
  p95: number;
  max: number;
  /** Tail threshold (the (k+1)-th largest score, at least 1) and the tail's size k. */
  u: number;
  k: number;
  /** Hill's estimate of the tail's shape, and the upper bound used (within [XI_MIN, XI_MAX]). */
  xi: number;
  xi_bound: number;
  /** Sorted null scores (ascending), for empirical exceedance counts. */
  sorted: Float64Array;
}

export function summariseNull(scores: ArrayLike<number>): NullSummary {
  const vals: number[] = [];
  for (let i = 0; i < scores.length; i++) if (Number.isFinite(scores[i])) vals.push(scores[i]);
  const sorted = Float64Array.from(vals).sort();
  const n = sorted.length;
  if (n < 3) return { n, p95: n ? sorted[n - 1] : 0, max: n ? sorted[n - 1] : 0, u: 1, k: 0, xi: XI_MAX, xi_bound: XI_MAX, sorted };
  const q = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.floor(p * (n - 1))))];
  const k = Math.min(n - 1, Math.max(2, n - 1 - Math.floor((1 - TAIL_SHARE) * (n - 1))));
  const u = Math.max(1, sorted[n - 1 - k]);
  // Hill (1975): the mean log excess of the top k over the threshold.
  let logs = 0;
  for (let i = n - k; i < n; i++) if (sorted[i] > u) logs += Math.log(sorted[i] / u);
  const xi = logs / k;
  const xi_bound = Math.min(XI_MAX, Math.max(XI_MIN, xi * (1 + BOUND_SE / Math.sqrt(k))));
  return { n, p95: q(0.95), max: sorted[n - 1], u, k, xi, xi_bound, sorted };
}

/** Per-frame probability that a time without a pulse scores at least z here (empirical up to the tail threshold). */
export function exceedanceP(nul: NullSummary, z: number): number {
  if (nul.n < 3) return 1;
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
  // Weissman (1978) with upper bounds on the tail's share (Poisson, BOUND_SE) and shape.
  const share = Math.min(1, (nul.k + 1 + BOUND_SE * Math.sqrt(nul.k + 1)) / nul.n);
  return Math.max(floor, Math.min(1, share * Math.pow(z / nul.u, -1 / nul.xi_bound)));
}

export const MAX_CONFIDENCE = 0.999;

export interface Calibration {
  /** Expected false pulses at least this strong in the searched span. */
  expected_false: number;
  confidence: number;
}

export function calibrate(nul: NullSummary, z: number, searchedFrames: number): Calibration {
  const lambda = Math.max(1, searchedFrames) * exceedanceP(nul, z);
  // A search window's null sample cannot support more than 0.999 (nor should three decimals ever print 1.000).
  return { expected_false: lambda, confidence: Math.min(MAX_CONFIDENCE, Math.exp(-lambda)) };
}
