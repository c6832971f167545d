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
 */

export interface NullSummary {
  /** Null frames used. */
  n: number;
  p95: number;
  max: number;
  /** Tail threshold (90th percentile) and mean excess over it. */
  u: number;
  beta: number;
  /** Sorted null scores (ascending), for empirical exceedance counts. */
  sorted: Float64Array;
}

export function summariseNull(scores: ArrayLike<number>): NullSummary {
  const vals: number[] = [];
  for (let i = 0; i < scores.length; i++) if (Number.isFinite(scores[i])) vals.push(scores[i]);
  const sorted = Float64Array.from(vals).sort();
  const n = sorted.length;
  if (n === 0) return { n: 0, p95: 0, max: 0, u: 0, beta: 1, sorted };
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
  return { n, p95: q(0.95), max: sorted[n - 1], u, beta, sorted };
}

/** Per-frame probability that a time without a pulse scores at least z here (empirical below the tail threshold). */
export function exceedanceP(nul: NullSummary, z: number): number {
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
  return Math.max(floor, tail * Math.exp(-(z - nul.u) / nul.beta));
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
