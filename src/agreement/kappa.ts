/**
 * Chance-corrected agreement for categories: Fleiss' kappa (Fleiss 1971) for many raters on the targets every
 * rater labelled, Cohen's kappa (Cohen 1960) for two raters, unweighted and weighted (Cohen 1968) with linear
 * 1 - |i-j|/(K-1) or quadratic 1 - (i-j)^2/(K-1)^2 weights on the category index (categories: the sorted union of
 * values the pair used), and percent agreement.
 */
import { equalPairs, type ByTarget } from './layout.js';

export interface KappaValue {
  kappa: number | null;
  reason: string | null;
}

export interface FleissResult extends KappaValue {
  n_subjects_used: number;
  n_categories: number;
}

/** Fleiss' kappa over the given targets (default all) that have all k raters. */
export function fleissKappa(bt: ByTarget, units?: ArrayLike<number>): FleissResult {
  const k = bt.nRaters;
  const totals = new Map<number, number>();
  let nSub = 0;
  let sumP = 0;
  const nU = units ? units.length : bt.nTargets;
  for (let i = 0; i < nU; i++) {
    const t = units ? units[i] : i;
    const a = bt.start[t];
    const b = bt.start[t + 1];
    if (b - a !== k) continue;
    nSub++;
    for (let j = a; j < b; j++) totals.set(bt.value[j], (totals.get(bt.value[j]) ?? 0) + 1);
    // P_i = (sum_c n_ic^2 - k) / (k (k - 1)) = 2 * equal pairs / (k (k - 1))
    sumP += (2 * equalPairs(bt.value, a, b)) / (k * (k - 1));
  }
  if (nSub === 0) return { kappa: null, reason: 'no target was labelled by every rater', n_subjects_used: 0, n_categories: totals.size };
  const pBar = sumP / nSub;
  let pe = 0;
  for (const c of totals.values()) pe += (c / (nSub * k)) ** 2;
  if (pe >= 1) return { kappa: null, reason: 'a single category was used: chance agreement is 1', n_subjects_used: nSub, n_categories: totals.size };
  return { kappa: (pBar - pe) / (1 - pe), reason: null, n_subjects_used: nSub, n_categories: totals.size };
}

export interface CohenResult {
  raters: [string, string] | null;
  n_pairs: number;
  categories: number[];
  unweighted: KappaValue;
  linear: KappaValue;
  quadratic: KappaValue;
}

/** Paired ratings of raters a and b over the given targets (default all). */
export function ratingPairs(bt: ByTarget, a: number, b: number, units?: ArrayLike<number>): { x: Float64Array; y: Float64Array } {
  const xs: number[] = [];
  const ys: number[] = [];
  const nU = units ? units.length : bt.nTargets;
  for (let i = 0; i < nU; i++) {
    const t = units ? units[i] : i;
    let va = NaN;
    let vb = NaN;
    for (let j = bt.start[t]; j < bt.start[t + 1]; j++) {
      if (bt.rater[j] === a) va = bt.value[j];
      else if (bt.rater[j] === b) vb = bt.value[j];
    }
    if (!Number.isNaN(va) && !Number.isNaN(vb)) {
      xs.push(va);
      ys.push(vb);
    }
  }
  return { x: Float64Array.from(xs), y: Float64Array.from(ys) };
}

/** Cohen's kappa (unweighted, linear, quadratic) from paired ratings. */
export function cohenKappaPairs(x: Float64Array, y: Float64Array): Omit<CohenResult, 'raters'> {
  const n = x.length;
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    seen.add(x[i]);
    seen.add(y[i]);
  }
  const cats = Array.from(seen).sort((p, q) => p - q);
  const K = cats.length;
  const none = (reason: string): KappaValue => ({ kappa: null, reason });
  if (n === 0) return { n_pairs: 0, categories: cats, unweighted: none('no target rated by both raters'), linear: none('no target rated by both raters'), quadratic: none('no target rated by both raters') };
  if (K < 2) return { n_pairs: n, categories: cats, unweighted: none('one category only'), linear: none('one category only'), quadratic: none('one category only') };
  const idx = new Map(cats.map((c, i) => [c, i]));
  const table = new Float64Array(K * K);
  for (let i = 0; i < n; i++) table[idx.get(x[i])! * K + idx.get(y[i])!]++;
  const row = new Float64Array(K);
  const col = new Float64Array(K);
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) {
    row[i] += table[i * K + j];
    col[j] += table[i * K + j];
  }
  const kappaW = (w: (i: number, j: number) => number): KappaValue => {
    let po = 0;
    let pe = 0;
    for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) {
      const wij = w(i, j);
      po += (wij * table[i * K + j]) / n;
      pe += (wij * row[i] * col[j]) / (n * n);
    }
    if (pe >= 1) return { kappa: null, reason: 'chance agreement is 1' };
    return { kappa: (po - pe) / (1 - pe), reason: null };
  };
  return {
    n_pairs: n,
    categories: cats,
    unweighted: kappaW((i, j) => (i === j ? 1 : 0)),
    linear: kappaW((i, j) => 1 - Math.abs(i - j) / (K - 1)),
    quadratic: kappaW((i, j) => 1 - ((i - j) * (i - j)) / ((K - 1) * (K - 1))),
  };
}

export function cohenKappa(bt: ByTarget, a: number, b: number, raterIds: string[], units?: ArrayLike<number>): CohenResult {
  const { x, y } = ratingPairs(bt, a, b, units);
  return { raters: [raterIds[a], raterIds[b]], ...cohenKappaPairs(x, y) };
}

export interface PercentAgreement {
  /** Share of targets with >= 2 ratings on which every rating is the same (irr::agree, tolerance 0). */
  all_agree: number | null;
  /** Share of agreeing pairs among all pairs of ratings of the same target. */
  pairwise: number | null;
  n_targets: number;
}

export function percentAgreement(bt: ByTarget, units?: ArrayLike<number>): PercentAgreement {
  let nT = 0;
  let allAgree = 0;
  let pairs = 0;
  let agreeing = 0;
  const nU = units ? units.length : bt.nTargets;
  for (let i = 0; i < nU; i++) {
    const t = units ? units[i] : i;
    const a = bt.start[t];
    const b = bt.start[t + 1];
    const m = b - a;
    if (m < 2) continue;
    nT++;
    const pairsHere = (m * (m - 1)) / 2;
    const eq = equalPairs(bt.value, a, b);
    if (eq === pairsHere) allAgree++;
    pairs += pairsHere;
    agreeing += eq;
  }
  return { all_agree: nT ? allAgree / nT : null, pairwise: pairs ? agreeing / pairs : null, n_targets: nT };
}
