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

export function percentileSorted(a: Float64Array, q: number): number {
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

/**
 * Functionals of a frame series: frame i has value values[offset + i*stride] at time i*dt; frames where
 * `use[i]` is 0 are skipped (e.g. unvoiced F0). Non-finite values are skipped too.
 */
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
function moments(vals: Float64Array, idx: Int32Array, m: number): [number, number, number, number] {
  const mean = sumF64(vals, m) / m;
  const im = sumI32(idx, m) / m;
  return [mean, sumSqDevF64(vals, m, mean), sumSqDevI32(idx, m, im), sumCrossDev(vals, idx, m, mean, im)];
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
  const [mean, ss, sii, siv] = moments(vals, idx, m);
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
