/**
 * Diagnostics an annotation lead can act on.
 *
 * Per rater: items rated; bias = mean of (own rating - mean of the other raters of the same target) with a t-based
 * 95 % CI; Pearson correlation with that leave-one-out mean; drift = bias over the last third of the rater's work
 * minus bias over the first third (when the file has an order/time column); categorical data: share of targets where
 * the rater gave the others' majority label. Flags use robust z-scores across raters (median and 1.4826 MAD;
 * Iglewicz & Hoaglin's 3.5 cut-off) so that one outlying rater cannot mask itself.
 *
 * Per target: number of ratings, mean, median, SD, range, or for labels the majority label and its share; ranked
 * most contested first (SD descending; majority share ascending), with robust outliers of spread (and label targets
 * without a strict majority) marked contested.
 */
import { fUpperTail, tCritical } from './fdist.js';
import type { ByTarget } from './layout.js';
import type { RatingsDimension } from './types.js';

export interface RaterDiagnostics {
  rater: string;
  n_items: number;
  /** Items that had at least one other rating (the basis of bias and correlation). */
  n_compared: number;
  mean: number | null;
  bias: number | null;
  bias_ci95: [number, number] | null;
  corr_loo: number | null;
  /** Categorical: share of items where the rater matched the others' majority label. */
  agreement_with_majority: number | null;
  /** Numeric: mean |own rating - mean of the other raters| (agreement with the leave-one-out mean). */
  mean_abs_diff_loo: number | null;
  /** Its standard error (SD of the |differences| / sqrt(n)). */
  mean_abs_diff_se: number | null;
  drift: number | null;
  drift_n: [number, number] | null;
  /** Welch t-test p of last third against first third. */
  drift_p: number | null;
  flags: string[];
  /** Why bias_ci95 is null though a bias exists: one target compared, or differences without spread (a zero-width
   *  t interval [x, x] claimed certainty from 2 targets, ttrial48a G7); null otherwise. */
  bias_ci95_reason: string | null;
}

export interface TargetDiagnostics {
  rank: number;
  target: string;
  n_ratings: number;
  mean: number | null;
  median: number | null;
  sd: number | null;
  min: number | null;
  max: number | null;
  range: number | null;
  majority: string | null;
  majority_share: number | null;
  contested: boolean;
}

export const FLAG_Z = 3.5;
/** Robust z across raters needs the rater's own value against at least four others (median and MAD of 4+ values). */
export const MIN_RATERS_FOR_FLAGS = 5;
/**
 * Differences that matter, from the median of the other raters: a flag needs the robust z AND this much. Agreement
 * figures in their own units; bias and mean |difference| in units of the rating range (max - min of the dimension).
 */
export const FLAG_MIN_DIFF = { corr_loo: 0.1, agreement_with_majority: 0.15, bias_of_range: 0.1, drift_of_range: 0.1, mean_abs_diff_of_range: 0.1, sd_of_range: 0.1 };

/** The median of xs (the mean of the middle two for an even count); xs is not changed. */
export function median(xs: number[]): number {
  const s = Float64Array.from(xs).sort(); // native numeric sort: fast on 200k targets
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Robust z-scores (x - median) / (1.4826 MAD); falls back to the mean absolute deviation when the MAD is 0. */
export function robustZ(xs: Array<number | null>): Array<number | null> {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length < 3) return xs.map(() => null);
  const med = median(v);
  let scale = 1.4826 * median(v.map((x) => Math.abs(x - med)));
  if (!(scale > 0)) scale = 1.2533 * (v.reduce((s, x) => s + Math.abs(x - med), 0) / v.length);
  if (!(scale > 0)) return xs.map(() => null);
  return xs.map((x) => (x === null || !Number.isFinite(x) ? null : (x - med) / scale));
}

/**
 * Each value against the median and 1.4826 MAD of the OTHER values (leave-one-out, so an outlier cannot inflate the
 * scale that judges it), together with that median; null below `minN` values. MAD 0: mean absolute deviation x 1.2533.
 */
export function robustZLoo(xs: Array<number | null>, minN = MIN_RATERS_FOR_FLAGS): Array<{ z: number; median: number } | null> {
  const idx = xs.map((x, i) => (x !== null && Number.isFinite(x) ? i : -1)).filter((i) => i >= 0);
  if (idx.length < minN) return xs.map(() => null);
  // Sorted once; each value's others are the sorted values without its position, so the median and the MAD of the
  // others cost O(n) per value instead of two sorts (5 s CPU at 5,000 raters before, a lead's trial).
  const order = Int32Array.from(idx).sort((a, b) => (xs[a] as number) - (xs[b] as number));
  const sorted = Float64Array.from(order, (j) => xs[j] as number);
  const pos = new Map<number, number>();
  order.forEach((j, p) => pos.set(j, p));
  return xs.map((x, i) => {
    if (x === null || !Number.isFinite(x)) return null;
    const p = pos.get(i) as number;
    const at = (q: number) => sorted[q < p ? q : q + 1];
    const m = sorted.length - 1;
    const med = m % 2 ? at(m >> 1) : (at((m >> 1) - 1) + at(m >> 1)) / 2;
    let scale = 1.4826 * medianDeviation(sorted, p, med);
    if (!(scale > 0)) scale = 1.2533 * (idx.reduce((s, j) => (j === i ? s : s + Math.abs((xs[j] as number) - med)), 0) / m);
    const d = x - med;
    return { z: scale > 0 ? d / scale : d === 0 ? 0 : Math.sign(d) * Infinity, median: med };
  });
}

/** The median of |v - med| over the sorted values but the one at `skip`: the deviations merged outward from med. */
function medianDeviation(sorted: Float64Array, skip: number, med: number): number {
  const m = sorted.length - 1;
  const want = m >> 1; // 0-based rank of the upper middle deviation
  let lo = upperBound(sorted, med) - 1;
  let hi = lo + 1;
  let prev = NaN;
  for (let k = 0; k <= want; k++) {
    if (lo === skip) lo--;
    if (hi === skip) hi++;
    const dl = lo >= 0 ? med - sorted[lo] : Infinity;
    const dh = hi <= m ? sorted[hi] - med : Infinity;
    const dev = dl <= dh ? Math.abs(sorted[lo--] - med) : Math.abs(sorted[hi++] - med);
    if (k === want) return m % 2 ? dev : (prev + dev) / 2;
    prev = dev;
  }
  return NaN;
}

/** The first index whose value is above x (values sorted ascending). */
export function upperBound(sorted: Float64Array, x: number): number {
  let [a, b] = [0, sorted.length];
  while (a < b) {
    const c = (a + b) >> 1;
    if (sorted[c] <= x) a = c + 1;
    else b = c;
  }
  return a;
}

export interface DiagnosticsOptions {
  /** Raters with fewer items than this are flagged 'few_items' (default: max(5, 20 % of the median rater's count)). */
  minItems?: number;
}

/** Per rater: items rated and the sum of the ratings; per rating (bt order): what the other raters of its target said. */
interface OthersPerRating {
  nItems: Float64Array;
  sum: Float64Array;
  /** The others' mean, or for labels 1/0 = matches the others' (possibly tied) majority; NaN without another rating. */
  other: Float64Array;
}

/** The leave-one-out reference of every rating. Typed arrays: no per-rating allocation on a million ratings. */
function othersPerRating(bt: ByTarget, categorical: boolean): OthersPerRating {
  const k = bt.nRaters;
  const nItems = new Float64Array(k);
  const sum = new Float64Array(k);
  const other = new Float64Array(bt.value.length).fill(NaN);
  const counts = new Map<number, number>();
  for (let t = 0; t < bt.nTargets; t++) {
    const a = bt.start[t];
    const b = bt.start[t + 1];
    const m = b - a;
    let s = 0;
    for (let j = a; j < b; j++) {
      s += bt.value[j];
      nItems[bt.rater[j]]++;
      sum[bt.rater[j]] += bt.value[j];
    }
    if (m < 2) continue;
    if (categorical) {
      counts.clear();
      for (let j = a; j < b; j++) counts.set(bt.value[j], (counts.get(bt.value[j]) ?? 0) + 1);
      for (let j = a; j < b; j++) {
        const v = bt.value[j];
        let best = 0;
        for (const [c, n] of counts) best = Math.max(best, c === v ? n - 1 : n);
        other[j] = (counts.get(v) ?? 0) - 1 === best && best > 0 ? 1 : 0;
      }
    } else {
      for (let j = a; j < b; j++) other[j] = (s - bt.value[j]) / (m - 1);
    }
  }
  return { nItems, sum, other };
}

/** Per rater over its compared ratings: count, means, and centred sums (exact for ratings far from zero). */
interface RaterMoments {
  n: Float64Array;
  mDiff: Float64Array;
  mOwn: Float64Array;
  mOth: Float64Array;
  ssDiff: Float64Array;
  absDiff: Float64Array;
  absSq: Float64Array;
  sxx: Float64Array;
  syy: Float64Array;
  sxy: Float64Array;
}

/** Pass 1: counts and means per rater; pass 2: centred sums of squares and products around them. */
function raterMoments(bt: ByTarget, other: Float64Array, diff: (j: number) => number): RaterMoments {
  const k = bt.nRaters;
  const N = bt.value.length;
  const [n, mDiff, mOwn, mOth] = [0, 0, 0, 0].map(() => new Float64Array(k));
  for (let j = 0; j < N; j++) {
    if (Number.isNaN(other[j])) continue;
    const r = bt.rater[j];
    n[r]++;
    mDiff[r] += diff(j);
    mOwn[r] += bt.value[j];
    mOth[r] += other[j];
  }
  for (let r = 0; r < k; r++) {
    if (n[r] > 0) {
      mDiff[r] /= n[r];
      mOwn[r] /= n[r];
      mOth[r] /= n[r];
    }
  }
  const [ssDiff, absDiff, absSq, sxx, syy, sxy] = [0, 0, 0, 0, 0, 0].map(() => new Float64Array(k));
  for (let j = 0; j < N; j++) {
    if (Number.isNaN(other[j])) continue;
    const r = bt.rater[j];
    ssDiff[r] += (diff(j) - mDiff[r]) ** 2;
    absDiff[r] += Math.abs(diff(j));
    absSq[r] += diff(j) ** 2;
    const x = bt.value[j] - mOwn[r];
    const y = other[j] - mOth[r];
    sxx[r] += x * x;
    syy[r] += y * y;
    sxy[r] += x * y;
  }
  return { n, mDiff, mOwn, mOth, ssDiff, absDiff, absSq, sxx, syy, sxy };
}

/** Each rater's compared ratings (bt indices), grouped by rater in bt order: `index[start[r] .. start[r + 1])`. */
function comparedByRater(bt: ByTarget, other: Float64Array): { index: Int32Array; start: Int32Array } {
  const k = bt.nRaters;
  const N = bt.value.length;
  const start = new Int32Array(k + 1);
  for (let j = 0; j < N; j++) if (!Number.isNaN(other[j])) start[bt.rater[j] + 1]++;
  for (let r = 0; r < k; r++) start[r + 1] += start[r];
  const pos = start.slice(0, k);
  const index = new Int32Array(start[k]);
  for (let j = 0; j < N; j++) if (!Number.isNaN(other[j])) index[pos[bt.rater[j]]++] = j;
  return { index, start };
}

interface RaterDrift {
  drift: number | null;
  drift_n: [number, number] | null;
  drift_p: number | null;
}

/** Drift of rater r: mean diff over the last third of its work (by the order column) minus the first third, Welch p. */
function raterDrift(order: Float64Array, bt: ByTarget, byRater: { index: Int32Array; start: Int32Array }, r: number, diff: (j: number) => number): RaterDrift {
  let idx = new Int32Array(byRater.start[r + 1] - byRater.start[r]);
  let len = 0;
  for (let q = byRater.start[r]; q < byRater.start[r + 1]; q++) if (Number.isFinite(order[bt.source[byRater.index[q]]])) idx[len++] = byRater.index[q];
  idx = idx.subarray(0, len);
  let sorted = true;
  for (let i = 1; sorted && i < len; i++) sorted = order[bt.source[idx[i - 1]]] <= order[bt.source[idx[i]]];
  // Files usually list ratings in work order: then no sort is needed. Ties keep bt order.
  if (!sorted) idx.sort((p, q) => order[bt.source[p]] - order[bt.source[q]] || p - q);
  const third = Math.floor(len / 3);
  if (third < 2) return { drift: null, drift_n: null, drift_p: null };
  const first: number[] = [];
  const last: number[] = [];
  for (let i = 0; i < third; i++) {
    first.push(diff(idx[i]));
    last.push(diff(idx[len - third + i]));
  }
  const drift = last.reduce((x, y) => x + y, 0) / third - first.reduce((x, y) => x + y, 0) / third;
  return { drift, drift_n: [third, third], drift_p: welchP(first, last) };
}

/**
 * The words of a bias CI left null: the differences' SD is 0 (up to rounding: 1e-10 of the ratings' magnitude), where
 * the t interval (Bland & Altman 1986's mean difference ± t SE) has zero width, a certainty no sample of differences
 * gives (as the kappas' and AC1's SE 0 is said, not printed); or a single target compared.
 */
function biasCiReason(n: number, sdDiff: number, magnitude: number): string | null {
  if (n === 1) return 'compared with the other raters on 1 target: no interval';
  if (n >= 2 && (sdDiff === 0 || sdDiff <= 1e-10 * magnitude)) return `the differences from the others' mean are the same on each of the ${n} targets compared (no spread): a t interval would have zero width and claim a certainty ${n} targets cannot give`;
  return null;
}

/** Bias with its t-based 95 % CI (null with the reason where undefined) and the leave-one-out correlation of a numeric rater. */
function raterBias(m: RaterMoments, r: number): { bias: number | null; ci: [number, number] | null; ciReason: string | null; corr: number | null } {
  const nr = m.n[r];
  if (!(nr > 0)) return { bias: null, ci: null, ciReason: null, corr: null };
  const bias = m.mDiff[r];
  const sdDiff = nr >= 2 ? Math.sqrt(m.ssDiff[r] / (nr - 1)) : 0;
  const ciReason = biasCiReason(nr, sdDiff, Math.abs(m.mOwn[r]) + Math.abs(m.mOth[r]));
  let ci: [number, number] | null = null;
  if (nr >= 2 && ciReason === null) {
    const h = tCritical(nr - 1) * (sdDiff / Math.sqrt(nr));
    ci = [bias - h, bias + h];
  }
  const corr = nr >= 3 && m.sxx[r] > 0 && m.syy[r] > 0 ? m.sxy[r] / Math.sqrt(m.sxx[r] * m.syy[r]) : null;
  return { bias, ci, ciReason, corr };
}

export function raterDiagnostics(d: RatingsDimension, bt: ByTarget, opts: DiagnosticsOptions = {}): RaterDiagnostics[] {
  const categorical = d.categories !== null;
  const { nItems, sum, other } = othersPerRating(bt, categorical);
  // diff per rating: own - others' mean (numeric) or the match indicator (labels)
  const diff = (j: number) => (categorical ? other[j] : bt.value[j] - other[j]);
  const m = raterMoments(bt, other, diff);
  // Drift needs each rater's compared ratings in work order.
  const byRater = d.order ? comparedByRater(bt, other) : null;
  const noDrift: RaterDrift = { drift: null, drift_n: null, drift_p: null };
  const out: RaterDiagnostics[] = [];
  for (let r = 0; r < bt.nRaters; r++) {
    const nr = m.n[r];
    const { bias, ci, ciReason, corr } = categorical ? { bias: null, ci: null, ciReason: null, corr: null } : raterBias(m, r);
    const drift = d.order && byRater && nr >= 6 ? raterDrift(d.order, bt, byRater, r, diff) : noDrift;
    out.push({
      rater: d.raters[r],
      n_items: nItems[r],
      n_compared: nr,
      mean: categorical || nItems[r] === 0 ? null : sum[r] / nItems[r],
      bias,
      bias_ci95: ci,
      corr_loo: corr,
      agreement_with_majority: categorical && nr ? m.mDiff[r] : null,
      mean_abs_diff_loo: categorical || nr === 0 ? null : m.absDiff[r] / nr,
      mean_abs_diff_se: categorical || nr < 2 ? null : Math.sqrt(Math.max(0, m.absSq[r] / nr - (m.absDiff[r] / nr) ** 2) / (nr - 1)),
      ...drift,
      flags: [],
      bias_ci95_reason: ciReason,
    });
  }
  flagRaters(out, d, opts);
  return out;
}

/** The rating range (max - min) of a dimension: the unit of the minimum differences for numeric ratings. */
function ratingRange(d: RatingsDimension): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of d.value) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi > lo ? hi - lo : 0;
}

/** Least ratings for the 'constant' flag: four equal ratings in a row are common chance on a 5-point scale. */
const MIN_RATINGS_CONSTANT = 5;

/**
 * Raters who gave one value to at least MIN_RATINGS_CONSTANT targets while the dimension's ratings vary (a
 * straight-liner, or a column filled down in a spreadsheet): their correlation is undefined and they dilute every
 * coefficient. Needs no other rater to compare with, so it is computed with any number of raters.
 */
function constantRaters(d: RatingsDimension): boolean[] {
  const first = new Float64Array(d.raters.length).fill(NaN);
  const n = new Int32Array(d.raters.length);
  const same = new Array<boolean>(d.raters.length).fill(true);
  let varies = false;
  for (let i = 0; i < d.value.length; i++) {
    const r = d.rater[i];
    const v = d.value[i];
    if (n[r] === 0) first[r] = v;
    else if (v !== first[r]) same[r] = false;
    n[r]++;
    if (v !== d.value[0]) varies = true;
  }
  return same.map((s, r) => varies && s && n[r] >= MIN_RATINGS_CONSTANT);
}

/**
 * Flags: a robust outlier among the raters (leave-one-out robust z beyond 3.5, Iglewicz & Hoaglin 1993; only with at
 * least MIN_RATERS_FOR_FLAGS raters) AND a difference from the others' median that matters (FLAG_MIN_DIFF).
 */
export function flagRaters(out: RaterDiagnostics[], d: RatingsDimension, opts: DiagnosticsOptions): void {
  const constant = constantRaters(d);
  const medItems = median(out.map((o) => o.n_items));
  const minItems = opts.minItems ?? Math.max(5, 0.2 * medItems);
  const range = ratingRange(d);
  const zBias = robustZLoo(out.map((o) => o.bias));
  const zCorr = robustZLoo(out.map((o) => o.corr_loo));
  const zAbs = robustZLoo(out.map((o) => o.mean_abs_diff_loo));
  const zAgree = robustZLoo(out.map((o) => o.agreement_with_majority));
  const zDrift = robustZLoo(out.map((o) => o.drift));
  const drifts = out.filter((o) => o.drift !== null).map((o) => Math.abs(o.drift!));
  // Twice the median |drift| is no MAD statistic: a median of three raters is enough for it.
  const medAbsDrift = drifts.length >= 3 ? median(drifts) : Infinity;
  const beyond = (zm: { z: number; median: number } | null, x: number | null, sign: 1 | -1, minDiff: number): boolean =>
    zm !== null && x !== null && sign * zm.z > FLAG_Z && sign * (x - zm.median) >= minDiff;
  // ... and beyond the rater's own sampling error (two SEs): a panel of 10 items cannot single out anyone by luck.
  const z196 = 1.959963984540054;
  const corrClear = (o: RaterDiagnostics, med: number) => o.corr_loo !== null && o.n_compared > 3 && Math.abs(Math.atanh(Math.min(0.999999, o.corr_loo)) - Math.atanh(Math.min(0.999999, med))) > z196 / Math.sqrt(o.n_compared - 3);
  const absClear = (o: RaterDiagnostics, med: number) => o.mean_abs_diff_loo !== null && o.mean_abs_diff_se !== null && o.mean_abs_diff_loo - med > z196 * o.mean_abs_diff_se;
  const agreeClear = (o: RaterDiagnostics, med: number) => o.agreement_with_majority !== null && o.n_compared > 0 && med - o.agreement_with_majority > z196 * Math.sqrt((med * (1 - med)) / o.n_compared);
  out.forEach((o, i) => {
    if (o.n_items < minItems) o.flags.push('few_items');
    if (constant[i]) o.flags.push('constant');
    const zb = zBias[i];
    if (zb && o.bias !== null && Math.abs(zb.z) > FLAG_Z && Math.abs(o.bias - zb.median) >= FLAG_MIN_DIFF.bias_of_range * range && biasExcludesZero(o)) o.flags.push('bias');
    if (beyond(zCorr[i], o.corr_loo, -1, FLAG_MIN_DIFF.corr_loo) && corrClear(o, zCorr[i]!.median)) o.flags.push('low_correlation');
    if (beyond(zAbs[i], o.mean_abs_diff_loo, 1, FLAG_MIN_DIFF.mean_abs_diff_of_range * range) && absClear(o, zAbs[i]!.median)) o.flags.push('far_from_others');
    // Drift: significant (Welch p < 0.001) and an outlier among raters (robust z, or at least twice the median
    // |drift|: one drifting rater also shifts the others' bias against the mean that includes it).
    const zd = zDrift[i];
    if (o.drift !== null && o.drift_p !== null && o.drift_p < 0.001 && Math.abs(o.drift) >= FLAG_MIN_DIFF.drift_of_range * range && ((zd !== null && Math.abs(zd.z) > FLAG_Z) || Math.abs(o.drift) >= 2 * medAbsDrift)) o.flags.push('drift');
    if (beyond(zAgree[i], o.agreement_with_majority, -1, FLAG_MIN_DIFF.agreement_with_majority) && agreeClear(o, zAgree[i]!.median)) o.flags.push('low_agreement');
  });
}

/** The bias is beyond its sampling error: its CI excludes 0, or (no CI) the same nonzero difference on 2+ targets. */
function biasExcludesZero(o: RaterDiagnostics): boolean {
  if (o.bias_ci95) return o.bias_ci95[0] > 0 || o.bias_ci95[1] < 0;
  return o.bias !== null && o.bias !== 0 && o.n_compared >= 2 && o.bias_ci95_reason !== null;
}

export function targetDiagnostics(d: RatingsDimension, bt: ByTarget): TargetDiagnostics[] {
  const categorical = d.categories !== null;
  const rows: TargetDiagnostics[] = [];
  const counts = new Map<number, number>();
  const buf: number[] = [];
  for (let t = 0; t < bt.nTargets; t++) {
    const a = bt.start[t];
    const b = bt.start[t + 1];
    const row = emptyTargetRow(d.targets[t], b - a);
    if (b > a) {
      if (categorical) fillMajority(row, d.categories!, bt.value, a, b, counts);
      else fillSpread(row, bt.value, a, b, buf);
    }
    rows.push(row);
  }
  const ranked = categorical ? rankByMajority(rows) : rankBySpread(rows, d);
  ranked.forEach((r, i) => (r.rank = i + 1));
  return ranked;
}

/** A target's row before its ratings are summarised (null figures, not contested). */
function emptyTargetRow(target: string, nRatings: number): TargetDiagnostics {
  return { rank: 0, target, n_ratings: nRatings, mean: null, median: null, sd: null, min: null, max: null, range: null, majority: null, majority_share: null, contested: false };
}

/** Majority label of ratings [a, b) and its share (ties go to the lower category index). */
function fillMajority(row: TargetDiagnostics, categories: string[], value: Float64Array, a: number, b: number, counts: Map<number, number>): void {
  counts.clear();
  for (let j = a; j < b; j++) counts.set(value[j], (counts.get(value[j]) ?? 0) + 1);
  let best = -1;
  let bestN = 0;
  for (const [c, n] of counts) if (n > bestN || (n === bestN && c < best)) {
    best = c;
    bestN = n;
  }
  row.majority = categories[best];
  row.majority_share = bestN / (b - a);
}

/** Mean, median, min, max, range and sample SD (n - 1) of ratings [a, b), sorted in buf. */
function fillSpread(row: TargetDiagnostics, value: Float64Array, a: number, b: number, buf: number[]): void {
  const m = b - a;
  buf.length = 0;
  let s = 0;
  for (let j = a; j < b; j++) {
    // insertion sort: a handful of ratings per target
    const v = value[j];
    let i = buf.length;
    buf.push(v);
    while (i > 0 && buf[i - 1] > v) {
      buf[i] = buf[i - 1];
      i--;
    }
    buf[i] = v;
    s += v;
  }
  const mean = s / m;
  row.mean = mean;
  row.median = m % 2 ? buf[m >> 1] : (buf[(m >> 1) - 1] + buf[m >> 1]) / 2;
  row.min = buf[0];
  row.max = buf[m - 1];
  row.range = buf[m - 1] - buf[0];
  if (m >= 2) {
    let ss = 0;
    for (const v of buf) ss += (v - mean) ** 2;
    row.sd = Math.sqrt(ss / (m - 1));
  }
}

/** Labels: contested when no label has more than half the ratings; weakest majority first (stable: file order). */
function rankByMajority(rows: TargetDiagnostics[]): TargetDiagnostics[] {
  for (const r of rows) r.contested = r.n_ratings >= 2 && r.majority_share !== null && r.majority_share <= 0.5;
  return rows.sort((p, q) => (p.majority_share ?? 2) - (q.majority_share ?? 2) || q.n_ratings - p.n_ratings);
}

/**
 * Numbers: contested is an outlier of spread (robust z > 3.5 across targets) whose SD also exceeds the median SD by a
 * tenth of the rating range (a difference that matters, not rounding between nearly equal SDs). Largest SD first,
 * then largest range; ties in file order.
 */
function rankBySpread(rows: TargetDiagnostics[], d: RatingsDimension): TargetDiagnostics[] {
  const sds = rows.map((r) => r.sd);
  const z = robustZ(sds);
  const known = sds.filter((v): v is number => v !== null);
  const medSd = known.length ? median(known) : 0;
  const minDiff = FLAG_MIN_DIFF.sd_of_range * ratingRange(d);
  rows.forEach((r, i) => (r.contested = r.sd !== null && r.sd > 0 && z[i] !== null && z[i]! > FLAG_Z && r.sd - medSd >= minDiff));
  const sd = Float64Array.from(rows, (r) => r.sd ?? -1);
  const range = Float64Array.from(rows, (r) => r.range ?? -1);
  return Array.from(spreadOrder(sd, range), (i) => rows[i]);
}

/**
 * Indices by sd descending, then range descending, then index: a counting sort on the ranks of the distinct (sd,
 * range) keys, few on a rating scale, where a comparator sort took ~0.15 s CPU on bench-agreement's 200,000 targets.
 * The comparator sort when the keys are many or a NaN makes the comparator's order undefined.
 */
function spreadOrder(sd: Float64Array, range: Float64Array): Int32Array {
  const n = sd.length;
  const order = new Int32Array(n);
  const sdRank = descendingRanks(sd);
  const rangeRank = descendingRanks(range);
  if (sdRank === null || rangeRank === null || sdRank.n * rangeRank.n > 2 * n + 1024) {
    for (let i = 0; i < n; i++) order[i] = i;
    return order.sort((p, q) => sd[q] - sd[p] || range[q] - range[p] || p - q);
  }
  const nKeys = sdRank.n * rangeRank.n;
  const key = new Int32Array(n);
  const start = new Int32Array(nKeys + 1);
  for (let i = 0; i < n; i++) start[(key[i] = sdRank.rank[i] * rangeRank.n + rangeRank.rank[i]) + 1]++;
  for (let k = 0; k < nKeys; k++) start[k + 1] += start[k];
  for (let i = 0; i < n; i++) order[start[key[i]]++] = i;
  return order;
}

/** Each value's rank among the distinct values, largest 0, and how many distinct values; null when one is NaN. */
function descendingRanks(x: Float64Array): { rank: Int32Array; n: number } | null {
  const sorted = Float64Array.from(x).sort();
  if (sorted.length && Number.isNaN(sorted[sorted.length - 1])) return null; // NaN sorts last
  const distinct: number[] = [];
  for (const v of sorted) if (distinct.length === 0 || v !== distinct[distinct.length - 1]) distinct.push(v);
  const asc = Float64Array.from(distinct);
  const rank = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) rank[i] = asc.length - upperBound(asc, x[i]);
  return { rank, n: asc.length };
}

/** Two-sided Welch t-test p-value (t^2 ~ F(1, df)). */
function welchP(a: number[], b: number[]): number | null {
  const mv = (x: number[]) => {
    const m = x.reduce((s, v) => s + v, 0) / x.length;
    return [m, x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1)];
  };
  const [ma, va] = mv(a);
  const [mb, vb] = mv(b);
  const se2 = va / a.length + vb / b.length;
  if (!(se2 > 0)) return ma === mb ? 1 : 0;
  const t2 = (ma - mb) ** 2 / se2;
  const df = se2 ** 2 / ((va / a.length) ** 2 / (a.length - 1) + (vb / b.length) ** 2 / (b.length - 1));
  return fUpperTail(t2, 1, df);
}
