/**
 * openSMILE-style functionals of a frame series (openSMILE's cFunctionalMoments / Percentiles / Regression):
 * mean, standard deviation (population, divisor N, as openSMILE), percentiles 5 / 50 / 95 (linear interpolation
 * between order statistics, numpy's default) and the least-squares slope against time in units per second.
 */
import { selectKth } from '../common/select.js';

export interface Functionals {
  n: number;
  mean: number | null;
  sd: number | null;
  p5: number | null;
  p50: number | null;
  p95: number | null;
  slope_per_s: number | null;
}

export function percentileSorted(a: Float64Array | Float32Array, q: number): number {
  const pos = (a.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(a.length - 1, lo + 1);
  return a[lo] + (pos - lo) * (a[hi] - a[lo]);
}


/** Percentile q of the values (linear interpolation between order statistics, numpy's default); reorders a. */
export function percentileSelect(a: Float64Array, q: number): number {
  const pos = (a.length - 1) * q;
  const lo = Math.floor(pos);
  const vlo = selectKth(a, lo);
  if (lo + 1 >= a.length || pos === lo) return vlo;
  return vlo + (pos - lo) * (minFrom(a, lo + 1) - vlo);
}

/** Smallest of a[from .. to). */
function minFrom(a: Float64Array, from: number, to = a.length): number {
  let v = Infinity;
  for (let i = from; i < to; i++) if (a[i] < v) v = a[i];
  return v;
}

/**
 * Percentiles 5, 50 and 95 of a (reordered), equal to percentileSelect of each: the median's selection leaves
 * a[0 .. mid) <= a[mid] <= a[mid+1 ..), so order statistic k < mid is selected among a[0 .. mid) only and k > mid
 * among a[mid+1 ..) only; the next order statistic after k is the smallest of the rest of k's part (a[mid] after
 * the lower part). Same order statistics, same interpolation: same values, about half the passes over the data.
 */
export function percentiles5_50_95(a: Float64Array): [number, number, number] {
  return (a.length >= SAMPLED_MIN ? sampledPercentiles5_50_95(a) : null) ?? selectedPercentiles5_50_95(a);
}

/** percentiles5_50_95 by selection (Hoare's FIND on the whole array, then on its halves); reorders a. */
export function selectedPercentiles5_50_95(a: Float64Array): [number, number, number] {
  const n = a.length;
  const mid = Math.floor((n - 1) * 0.5);
  const vmid = selectKth(a, mid);
  const upperMin = mid + 1 < n ? minFrom(a, mid + 1) : vmid;
  const pos50 = (n - 1) * 0.5;
  const p50 = mid + 1 >= n || pos50 === mid ? vmid : vmid + (pos50 - mid) * (upperMin - vmid);
  const lower = (q: number) => {
    const pos = (n - 1) * q;
    const lo = Math.floor(pos);
    if (lo === mid) return pos === lo || lo + 1 >= n ? a[mid] : a[mid] + (pos - lo) * (upperMin - a[mid]);
    const vlo = selectKth(a.subarray(0, mid), lo);
    if (pos === lo) return vlo;
    return vlo + (pos - lo) * ((lo + 1 < mid ? minFrom(a, lo + 1, mid) : a[mid]) - vlo);
  };
  const upper = (q: number) => {
    const pos = (n - 1) * q;
    const lo = Math.floor(pos);
    if (lo === mid) return pos === lo || lo + 1 >= n ? a[mid] : a[mid] + (pos - lo) * (upperMin - a[mid]);
    const vlo = selectKth(a.subarray(mid + 1), lo - mid - 1);
    if (lo + 1 >= n || pos === lo) return vlo;
    return vlo + (pos - lo) * (minFrom(a, lo + 1) - vlo);
  };
  return [lower(0.05), p50, upper(0.95)];
}

/** Below this many values percentiles5_50_95 selects directly (the sample would be most of the data). */
const SAMPLED_MIN = 16384;
/** Values in the sample that brackets each order statistic. */
const SAMPLE = 2048;
/** Scratch for the values inside the three brackets (reused). */
let bracketed = [new Float64Array(0), new Float64Array(0), new Float64Array(0)];

/**
 * The same three percentiles from order statistics found by sampling (Floyd & Rivest 1975, "Algorithm 489: SELECT"):
 * a pseudo-random sample of SAMPLE values, sorted, gives for each wanted rank r a bracket [L, U] of values that holds
 * ranks r and r + 1 with near certainty (the sample rank +- 4 standard deviations); one pass counts the values below
 * L and gathers those within [L, U], and the order statistics are selected among the gathered ones. Each bracket is
 * checked (count below <= r and r + 1 < count below + gathered), so the values are exactly the order statistics
 * selection gives (a zero may be -0 where selection gives 0: JSON and the writers print both as 0), or null (the
 * caller then selects on the whole array; never seen on speech). Does not reorder a.
 */
export function sampledPercentiles5_50_95(a: Float64Array): [number, number, number] | null {
  const n = a.length;
  const sample = new Float64Array(SAMPLE);
  let x = 12345;
  for (let j = 0; j < SAMPLE; j++) {
    x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
    sample[j] = a[x % n];
  }
  sample.sort();
  const qs = [0.05, 0.5, 0.95];
  const ranks = qs.map((q) => Math.floor((n - 1) * q));
  const lo = new Float64Array(3);
  const hi = new Float64Array(3);
  for (let b = 0; b < 3; b++) {
    const p = ranks[b] / n;
    const margin = Math.ceil(4 * Math.sqrt(SAMPLE * p * (1 - p))) + 4;
    const at = (ranks[b] + 0.5) * (SAMPLE / n);
    const i0 = Math.floor(at) - margin;
    const i1 = Math.ceil(at) + margin;
    lo[b] = i0 < 0 ? -Infinity : sample[i0];
    hi[b] = i1 >= SAMPLE ? Infinity : sample[i1];
  }
  if (bracketed[0].length < n) bracketed = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  const below = gatherBrackets(a, lo, hi, bracketed);
  const stats: number[][] = [];
  for (let b = 0; b < 3; b++) {
    const r = ranks[b];
    const m = below[b + 3];
    if (below[b] > r || (r + 1 < n && r + 1 >= below[b] + m)) return null;
    const buf = bracketed[b].subarray(0, m);
    const k = r - below[b];
    const v = selectKth(buf, k);
    stats.push([v, k + 1 < m ? minFrom(buf, k + 1) : v]);
  }
  return [interpolated(n, 0.05, stats[0]), interpolated(n, 0.5, stats[1]), interpolated(n, 0.95, stats[2])];
}

/** Percentile q from order statistics lo = floor((n - 1) q) and lo + 1 (as selectedPercentiles5_50_95 does). */
function interpolated(n: number, q: number, [vlo, vnext]: number[]): number {
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  if (lo + 1 >= n || pos === lo) return vlo;
  return vlo + (pos - lo) * (vnext - vlo);
}

/**
 * One pass for three brackets: counts of values below lo[b] (out[b]) and the values within [lo[b], hi[b]] copied to
 * into[b] (their counts in out[3 + b]).
 */
function gatherBrackets(a: Float64Array, lo: Float64Array, hi: Float64Array, into: Float64Array[]): Int32Array {
  const [l0, l1, l2] = lo;
  const [h0, h1, h2] = hi;
  const [d0, d1, d2] = into;
  let c0 = 0;
  let c1 = 0;
  let c2 = 0;
  let m0 = 0;
  let m1 = 0;
  let m2 = 0;
  // Branch-free: each value is stored at every bracket's next slot and kept (the count advanced) only when inside;
  // the comparisons are coin flips near the median, which a branch would mispredict.
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    const b0 = (v < l0) as unknown as number;
    const b1 = (v < l1) as unknown as number;
    const b2 = (v < l2) as unknown as number;
    c0 += b0;
    c1 += b1;
    c2 += b2;
    d0[m0] = v;
    d1[m1] = v;
    d2[m2] = v;
    m0 += ((v <= h0) as unknown as number) & (b0 ^ 1);
    m1 += ((v <= h1) as unknown as number) & (b1 ^ 1);
    m2 += ((v <= h2) as unknown as number) & (b2 ^ 1);
  }
  return Int32Array.of(c0, c1, c2, m0, m1, m2);
}

/** Scratch for the values of one series and their frame indices (reused: the summary takes ~50 series). */
let scratch = new Float64Array(0);
let scratchIdx = new Int32Array(0);

/*
 * Gathers the used, finite values (and their frame indices) into vals / idx; returns how many. One copy per array
 * type so that each loop reads one element kind: a loop over ArrayLike<number> fed Float64Array, Float32Array and
 * plain arrays boxes every value it reads (V8 heap numbers, ~140 MB per 10-min summary).
 */
function gather64(values: Float64Array, n: number, stride: number, offset: number, use: ArrayLike<number> | undefined, vals: Float64Array, idx: Int32Array): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (use && !use[i]) continue;
    const v = values[offset + i * stride];
    if (!Number.isFinite(v)) continue;
    vals[m] = v;
    idx[m++] = i;
  }
  return m;
}

function gather32(values: Float32Array, n: number, stride: number, offset: number, use: ArrayLike<number> | undefined, vals: Float64Array, idx: Int32Array): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (use && !use[i]) continue;
    const v = values[offset + i * stride];
    if (!Number.isFinite(v)) continue;
    vals[m] = v;
    idx[m++] = i;
  }
  return m;
}

function gatherAny(values: ArrayLike<number>, n: number, stride: number, offset: number, use: ArrayLike<number> | undefined, vals: Float64Array, idx: Int32Array): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (use && !use[i]) continue;
    const v = values[offset + i * stride];
    if (!Number.isFinite(v)) continue;
    vals[m] = v;
    idx[m++] = i;
  }
  return m;
}

/** Mean of vals[0..m), and the sums of squared deviations of the values, of the indices, and of their products. */
function moments(vals: Float64Array, idx: Int32Array, m: number, all: boolean): [number, number, number, number] {
  const mean = sumF64(vals, m) / m;
  const [im, sii] = all ? indexMomentsAll(idx, m) : indexMoments(idx, m);
  return [mean, sumSqDevF64(vals, m, mean), sii, sumCrossDev(vals, idx, m, mean, im)];
}

function indexMoments(idx: Int32Array, m: number): [number, number] {
  const im = sumI32(idx, m) / m;
  return [im, sumSqDevI32(idx, m, im)];
}

/**
 * indexMoments when every frame was used (idx = 0 .. m - 1): the same sums for every such series of m frames (the
 * MFCC and delta series of a file), so they are computed once per m.
 */
let allMoments: { m: number; im: number; sii: number } = { m: -1, im: NaN, sii: NaN };
function indexMomentsAll(idx: Int32Array, m: number): [number, number] {
  if (allMoments.m !== m) {
    const [im, sii] = indexMoments(idx, m);
    allMoments = { m, im, sii };
  }
  return [allMoments.im, allMoments.sii];
}

/*
 * One sum per loop, each function ending in `return` of a local: V8 compiles a long loop on-stack (OSR) before the
 * code after it has run, and code there without type feedback (the old single moments() built its result array
 * after two loops) deoptimised the function at the loop's exit, once per series (up to 80 times per summary,
 * node --trace-deopt). Each sum adds the same terms in the same order as before (same bits).
 */
function sumF64(a: Float64Array, m: number): number {
  let s = 0;
  for (let j = 0; j < m; j++) s += a[j];
  return s;
}

function sumI32(a: Int32Array, m: number): number {
  let s = 0;
  for (let j = 0; j < m; j++) s += a[j];
  return s;
}

function sumSqDevF64(a: Float64Array, m: number, mean: number): number {
  let s = 0;
  for (let j = 0; j < m; j++) {
    const d = a[j] - mean;
    s += d * d;
  }
  return s;
}

function sumSqDevI32(a: Int32Array, m: number, mean: number): number {
  let s = 0;
  for (let j = 0; j < m; j++) {
    const d = a[j] - mean;
    s += d * d;
  }
  return s;
}

function sumCrossDev(vals: Float64Array, idx: Int32Array, m: number, mean: number, im: number): number {
  let s = 0;
  for (let j = 0; j < m; j++) s += (idx[j] - im) * (vals[j] - mean);
  return s;
}

/*
 * The loops live in small functions (gather*, moments, selectKth, minFrom): V8 optimises each once. With the loops
 * inline, functionals() itself was compiled on-stack mid-loop and deoptimised at the first line after it that had
 * not run yet, about 60 times per summary (node --trace-deopt), each time recompiled.
 */
/**
 * Functionals of a frame series: frame i has value values[offset + i*stride] at time i*dt; frames where
 * `use[i]` is 0 are skipped (e.g. unvoiced F0). Non-finite values are skipped too.
 */
export function functionals(values: ArrayLike<number>, n: number, dt: number, stride = 1, offset = 0, use?: ArrayLike<number>): Functionals {
  if (scratch.length < n) {
    scratch = new Float64Array(n);
    scratchIdx = new Int32Array(n);
  }
  const vals = scratch;
  const idx = scratchIdx;
  const m =
    values instanceof Float64Array
      ? gather64(values, n, stride, offset, use, vals, idx)
      : values instanceof Float32Array
        ? gather32(values, n, stride, offset, use, vals, idx)
        : gatherAny(values, n, stride, offset, use, vals, idx);
  if (m === 0) return { n: 0, mean: null, sd: null, p5: null, p50: null, p95: null, slope_per_s: null };
  const [mean, ss, sii, siv] = moments(vals, idx, m, m === n);
  const [p5, p50, p95] = percentiles5_50_95(vals.subarray(0, m));
  return {
    n: m,
    mean,
    sd: Math.sqrt(ss / m),
    p5,
    p50,
    p95,
    slope_per_s: sii > 0 ? siv / sii / dt : null,
  };
}
