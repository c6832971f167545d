/**
 * Krippendorff's alpha for nominal, ordinal, interval and ratio data with missing values, following Krippendorff
 * (2011) "Computing Krippendorff's Alpha-Reliability": alpha = 1 - D_o / D_e over the coincidence matrix of the
 * pairable values (units with at least two values; others add nothing).
 *
 * Closed forms keep it O(n log n) on a million ratings: for the interval metric the within-unit sum over ordered
 * pairs is 2 m_u SS_u, and the expected one 2 n SS; the ordinal metric of Krippendorff equals the interval metric on
 * the "mid-rank" position P(c) = sum_{g<c} n_g + n_c / 2 of each value, since
 * sum_{g=c..k} n_g - (n_c + n_k)/2 = P(k) - P(c). The ratio metric ((c-k)/(c+k))^2 is summed over pairs of
 * distinct values.
 */
import { equalPairs, type ByTarget } from './layout.js';

export type AlphaMetric = 'nominal' | 'ordinal' | 'interval' | 'ratio';
export const ALPHA_METRICS: readonly AlphaMetric[] = ['nominal', 'ordinal', 'interval', 'ratio'];

export interface AlphaValue {
  alpha: number | null;
  reason: string | null;
}

/** Above this many distinct values the O(V^2) expected disagreement of the ratio metric is not attempted. */
export const RATIO_MAX_DISTINCT = 20000;

/** All units (targets) 0..n-1. */
export function allUnits(bt: ByTarget): Int32Array {
  const u = new Int32Array(bt.nTargets);
  for (let i = 0; i < u.length; i++) u[i] = i;
  return u;
}

/** Pairable values of the given units, with unit boundaries (units may repeat: bootstrap). */
interface Pairable {
  values: Float64Array;
  start: Int32Array; // per pairable unit
}

function pairable(bt: ByTarget, units: ArrayLike<number>): Pairable {
  let n = 0;
  let nu = 0;
  for (let i = 0; i < units.length; i++) {
    const t = units[i];
    const m = bt.start[t + 1] - bt.start[t];
    if (m >= 2) {
      n += m;
      nu++;
    }
  }
  const values = new Float64Array(n);
  const start = new Int32Array(nu + 1);
  let p = 0;
  let u = 0;
  for (let i = 0; i < units.length; i++) {
    const t = units[i];
    const a = bt.start[t];
    const b = bt.start[t + 1];
    if (b - a < 2) continue;
    for (let j = a; j < b; j++) values[p++] = bt.value[j];
    start[++u] = p;
  }
  return { values, start };
}

function intervalAlpha(values: Float64Array, start: Int32Array): AlphaValue {
  const n = values.length;
  if (n < 2) return { alpha: null, reason: 'fewer than two pairable values' };
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let ssTot = 0;
  for (let i = 0; i < n; i++) ssTot += (values[i] - mean) ** 2;
  let within = 0;
  for (let u = 0; u + 1 < start.length; u++) {
    const a = start[u];
    const b = start[u + 1];
    const m = b - a;
    let mu = 0;
    for (let j = a; j < b; j++) mu += values[j];
    mu /= m;
    let ss = 0;
    for (let j = a; j < b; j++) ss += (values[j] - mu) ** 2;
    within += (2 * m * ss) / (m - 1);
  }
  const dO = within / n;
  const dE = (2 * ssTot) / (n - 1);
  if (!(dE > 0) || ssTot <= n * (64 * Number.EPSILON * Math.abs(mean)) ** 2) {
    return { alpha: null, reason: 'fewer than two distinct values: expected disagreement is zero' };
  }
  return { alpha: 1 - dO / dE, reason: null };
}

/** Distinct sorted values with counts (hash counting while there are few distinct values, else a sort). */
function distinct(values: Float64Array): { vals: Float64Array; counts: Float64Array } {
  const few = new Map<number, number>();
  let i = 0;
  for (; i < values.length && few.size <= 4096; i++) few.set(values[i], (few.get(values[i]) ?? 0) + 1);
  if (i === values.length) {
    const vals = Float64Array.from(few.keys()).sort();
    return { vals, counts: Float64Array.from(vals, (v) => few.get(v)!) };
  }
  const s = Float64Array.from(values).sort();
  const vals: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && s[i] === s[i - 1]) counts[counts.length - 1]++;
    else {
      vals.push(s[i]);
      counts.push(1);
    }
  }
  return { vals: Float64Array.from(vals), counts: Float64Array.from(counts) };
}

function indexOfSorted(vals: Float64Array, v: number): number {
  let lo = 0;
  let hi = vals.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (vals[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function nominalAlpha(values: Float64Array, start: Int32Array): AlphaValue {
  const n = values.length;
  if (n < 2) return { alpha: null, reason: 'fewer than two pairable values' };
  const { vals, counts } = distinct(values);
  if (vals.length < 2) return { alpha: null, reason: 'fewer than two distinct values: expected disagreement is zero' };
  let sumSq = 0;
  for (let c = 0; c < counts.length; c++) sumSq += counts[c] * counts[c];
  const dE = (n * n - sumSq) / (n * (n - 1));
  let within = 0;
  for (let u = 0; u + 1 < start.length; u++) {
    const a = start[u];
    const b = start[u + 1];
    const m = b - a;
    // m^2 - sum_c n_uc^2 = m^2 - m - 2 * (equal pairs)
    within += (m * m - m - 2 * equalPairs(values, a, b)) / (m - 1);
  }
  const dO = within / n;
  return { alpha: 1 - dO / dE, reason: null };
}

function ordinalAlpha(values: Float64Array, start: Int32Array): AlphaValue {
  const n = values.length;
  if (n < 2) return { alpha: null, reason: 'fewer than two pairable values' };
  const { vals, counts } = distinct(values);
  if (vals.length < 2) return { alpha: null, reason: 'fewer than two distinct values: expected disagreement is zero' };
  const pos = new Float64Array(vals.length);
  let cum = 0;
  for (let c = 0; c < vals.length; c++) {
    pos[c] = cum + counts[c] / 2;
    cum += counts[c];
  }
  const ranked = new Float64Array(n);
  if (vals.length <= 4096) {
    const at = new Map<number, number>();
    vals.forEach((v, c) => at.set(v, pos[c]));
    for (let i = 0; i < n; i++) ranked[i] = at.get(values[i])!;
  } else for (let i = 0; i < n; i++) ranked[i] = pos[indexOfSorted(vals, values[i])];
  return intervalAlpha(ranked, start);
}

function ratioAlpha(values: Float64Array, start: Int32Array): AlphaValue {
  const n = values.length;
  if (n < 2) return { alpha: null, reason: 'fewer than two pairable values' };
  const { vals, counts } = distinct(values);
  if (vals.length < 2) return { alpha: null, reason: 'fewer than two distinct values: expected disagreement is zero' };
  if (vals.length > RATIO_MAX_DISTINCT) {
    return { alpha: null, reason: `more than ${RATIO_MAX_DISTINCT} distinct values: the ratio metric is not computed` };
  }
  const d2 = (c: number, k: number) => {
    const s = c + k;
    return s === 0 ? 0 : ((c - k) / s) ** 2;
  };
  let expected = 0;
  for (let i = 0; i < vals.length; i++) {
    for (let j = i + 1; j < vals.length; j++) expected += 2 * counts[i] * counts[j] * d2(vals[i], vals[j]);
  }
  const dE = expected / (n * (n - 1));
  let within = 0;
  for (let u = 0; u + 1 < start.length; u++) {
    const a = start[u];
    const b = start[u + 1];
    const m = b - a;
    let s = 0;
    for (let i = a; i < b; i++) for (let j = i + 1; j < b; j++) s += 2 * d2(values[i], values[j]);
    within += s / (m - 1);
  }
  const dO = within / n;
  if (!(dE > 0)) return { alpha: null, reason: 'expected disagreement is zero' };
  return { alpha: 1 - dO / dE, reason: null };
}

/** Krippendorff's alpha of the given units (default: all targets) under one metric. */
export function krippendorffAlpha(bt: ByTarget, metric: AlphaMetric, units: ArrayLike<number> = allUnits(bt)): AlphaValue {
  const { values, start } = pairable(bt, units);
  switch (metric) {
    case 'nominal':
      return nominalAlpha(values, start);
    case 'ordinal':
      return ordinalAlpha(values, start);
    case 'interval':
      return intervalAlpha(values, start);
    case 'ratio':
      return ratioAlpha(values, start);
  }
}
