/**
 * Ratings grouped by target (compressed sparse rows): the shape every coefficient walks. Built in O(n) by a
 * counting sort; within a target, ratings keep file order.
 */
import type { RatingsDimension } from './types.js';

export interface ByTarget {
  nTargets: number;
  nRaters: number;
  /** start[t]..start[t+1] index `rater`/`value`/`source` of target t's ratings. */
  start: Int32Array;
  rater: Int32Array;
  value: Float64Array;
  /** Index of the rating in the dimension's arrays. */
  source: Int32Array;
}

export function byTarget(d: RatingsDimension): ByTarget {
  const n = d.value.length;
  const nT = d.targets.length;
  const start = new Int32Array(nT + 1);
  for (let i = 0; i < n; i++) start[d.target[i] + 1]++;
  for (let t = 0; t < nT; t++) start[t + 1] += start[t];
  const pos = start.slice(0, nT);
  const rater = new Int32Array(n);
  const value = new Float64Array(n);
  const source = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const j = pos[d.target[i]]++;
    rater[j] = d.rater[i];
    value[j] = d.value[i];
    source[j] = i;
  }
  return { nTargets: nT, nRaters: d.raters.length, start, rater, value, source };
}

/** Targets rated by every rater (the complete cases the ANOVA ICC uses). */
export function completeTargets(bt: ByTarget): Int32Array {
  const out: number[] = [];
  for (let t = 0; t < bt.nTargets; t++) if (bt.start[t + 1] - bt.start[t] === bt.nRaters) out.push(t);
  return Int32Array.from(out);
}

/** Dense n x k matrix (row-major) of the given targets, NaN where a rating is missing. */
export function denseRows(bt: ByTarget, targets: ArrayLike<number>): Float64Array {
  const k = bt.nRaters;
  const m = new Float64Array(targets.length * k).fill(NaN);
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i];
    for (let j = bt.start[t]; j < bt.start[t + 1]; j++) m[i * k + bt.rater[j]] = bt.value[j];
  }
  return m;
}

const pairMap = new Map<number, number>();
/**
 * Number of pairs i < j in values[a..b) with equal values (so that sum over categories of n_c^2 = m + 2 * pairs).
 * A double loop for the usual handful of raters per target (no allocation), a hash count above 32.
 */
export function equalPairs(values: Float64Array, a: number, b: number): number {
  const m = b - a;
  let e = 0;
  if (m <= 32) {
    for (let i = a; i < b; i++) {
      const v = values[i];
      for (let j = i + 1; j < b; j++) if (values[j] === v) e++;
    }
    return e;
  }
  pairMap.clear();
  for (let i = a; i < b; i++) pairMap.set(values[i], (pairMap.get(values[i]) ?? 0) + 1);
  for (const c of pairMap.values()) e += (c * (c - 1)) / 2;
  return e;
}
