/**
 * Chance-corrected agreement for categories: Fleiss' kappa (Fleiss 1971) for many raters on the targets every
 * rater labelled, Cohen's kappa (Cohen 1960) for two raters, unweighted and weighted (Cohen 1968) with linear
 * 1 - |i-j|/(K-1) or quadratic 1 - (i-j)^2/(K-1)^2 weights on the category index (categories: the sorted union of
 * values the pair used), and percent agreement.
 */
import { normalTwoSidedP } from './fdist.js';
import { equalPairs, type ByTarget } from './layout.js';

export interface KappaValue {
  kappa: number | null;
  reason: string | null;
  /** Large-sample standard error (Fleiss, Cohen & Everitt 1969); only where defined for the coefficient. */
  se?: number | null;
  /** kappa +- 1.96 SE, upper end capped at 1. */
  ci95_asymptotic?: [number, number] | null;
  /** Why `se` is null where kappa is not (the asymptotic variance degenerates to 0), else null. */
  se_reason?: string | null;
}

export interface FleissResult extends KappaValue {
  n_subjects_used: number;
  n_categories: number;
  /** SE under H0 kappa = 0 (Fleiss, Nee & Landis 1979; irr kappam.fleiss), its z and two-sided p; null with kappa. */
  se_null: number | null;
  z: number | null;
  p: number | null;
}

/**
 * The ratings per target Fleiss' kappa is taken on: every rater's (the targets every rater labelled, as irr's
 * kappam.fleiss on the raters' columns), or, where no target has every rater's but every target has the same number
 * m >= 2 (a crowd design, CREMA-D's: each clip rated by 5 raters of a pool), that m: Fleiss (1971) asks for m ratings
 * of each subject, not by the same raters (irr's kappam.fleiss on the n x m table of those ratings). Decided on all
 * targets, so that a bootstrap resample keeps the design. Before 2026-12-08 such a sheet read "no target was labelled
 * by every rater" (ttrial59c).
 */
export function fleissRatingsPerTarget(bt: ByTarget): { m: number; crowd: boolean } {
  const every = { m: bt.nRaters, crowd: false };
  let m = -1;
  for (let t = 0; t < bt.nTargets; t++) {
    const n = bt.start[t + 1] - bt.start[t];
    if (n === bt.nRaters) return every;
    if (m !== -1 && n !== m) return every;
    m = n;
  }
  return m >= 2 ? { m, crowd: true } : every;
}

/**
 * Fleiss' kappa over the given targets (default all) that have all k raters, with the null variance of Fleiss, Nee &
 * Landis (1979), Fleiss, Levin & Paik (2003) sec. 18.1, as irr::kappam.fleiss prints z and p:
 * var0 = 2 / ((sum p_j q_j)^2 n k (k - 1)) * ((sum p_j q_j)^2 - sum p_j q_j (q_j - p_j)).
 * k is every rater's count, or the ratings per target of a crowd design (fleissRatingsPerTarget).
 */
export function fleissKappa(bt: ByTarget, units?: ArrayLike<number>, k = bt.nRaters): FleissResult {
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
  const none = { se_null: null, z: null, p: null };
  if (nSub === 0) return { kappa: null, reason: 'no target was labelled by every rater', n_subjects_used: 0, n_categories: totals.size, ...none };
  const pBar = sumP / nSub;
  let pe = 0;
  let pq = 0;
  let pqqp = 0;
  for (const c of totals.values()) {
    const pj = c / (nSub * k);
    pe += pj ** 2;
    pq += pj * (1 - pj);
    pqqp += pj * (1 - pj) * (1 - 2 * pj);
  }
  if (pe >= 1) return { kappa: null, reason: 'a single category was used: chance agreement is 1', n_subjects_used: nSub, n_categories: totals.size, ...none };
  const kappa = (pBar - pe) / (1 - pe);
  const var0 = (2 / (pq * pq * nSub * k * (k - 1))) * (pq * pq - pqqp);
  const se = var0 > 0 ? Math.sqrt(var0) : null;
  const z = se === null ? null : kappa / se;
  return { kappa, reason: null, n_subjects_used: nSub, n_categories: totals.size, se_null: se, z, p: z === null ? null : normalTwoSidedP(z) };
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
export function cohenKappaPairs(x: Float64Array, y: Float64Array, span?: number): Omit<CohenResult, 'raters'> {
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
  // Weights by position: the index among the values used, or with `span` the value itself (category codes 0..span-1
  // of a declared scale: --levels).
  const pos = span ? cats : cats.map((_, i) => i);
  const range = span ? span - 1 : K - 1;
  return {
    n_pairs: n,
    categories: cats,
    unweighted: kappaFromTable(table, K, (i, j) => (i === j ? 1 : 0)),
    linear: kappaFromTable(table, K, (i, j) => 1 - Math.abs(pos[i] - pos[j]) / range),
    quadratic: kappaFromTable(table, K, (i, j) => 1 - ((pos[i] - pos[j]) * (pos[i] - pos[j])) / (range * range)),
  };
}

/**
 * Weighted kappa of a K x K contingency table with its large-sample standard error under the alternative
 * (Fleiss, Cohen & Everitt 1969; the ASE of SAS PROC FREQ and statsmodels cohens_kappa std_kappa):
 * var = [sum_ij p_ij (w_ij - (wbar_i. + wbar_.j)(1 - kappa))^2 - (kappa - pe (1 - kappa))^2] / (n (1 - pe)^2),
 * wbar_i. = sum_j p_.j w_ij, wbar_.j = sum_i p_i. w_ij; CI kappa +- 1.96 SE.
 */
export function kappaFromTable(table: Float64Array, K: number, w: (i: number, j: number) => number): KappaValue {
  let n = 0;
  for (const c of table) n += c;
  if (n === 0) return { kappa: null, reason: 'no target rated by both raters', se: null, ci95_asymptotic: null, se_reason: null };
  const row = new Float64Array(K);
  const col = new Float64Array(K);
  for (let i = 0; i < K; i++)
    for (let j = 0; j < K; j++) {
      row[i] += table[i * K + j] / n;
      col[j] += table[i * K + j] / n;
    }
  let po = 0;
  let pe = 0;
  for (let i = 0; i < K; i++)
    for (let j = 0; j < K; j++) {
      po += (w(i, j) * table[i * K + j]) / n;
      pe += w(i, j) * row[i] * col[j];
    }
  if (pe >= 1 - 1e-12) return { kappa: null, reason: 'chance agreement is 1 (one category only)', se: null, ci95_asymptotic: null, se_reason: null };
  const kappa = (po - pe) / (1 - pe);
  const wRow = new Float64Array(K);
  const wCol = new Float64Array(K);
  for (let i = 0; i < K; i++)
    for (let j = 0; j < K; j++) {
      wRow[i] += col[j] * w(i, j);
      wCol[j] += row[i] * w(i, j);
    }
  let a = 0;
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) a += (table[i * K + j] / n) * (w(i, j) - (wRow[i] + wCol[j]) * (1 - kappa)) ** 2;
  const c = (kappa - pe * (1 - kappa)) ** 2;
  // The delta-method variance is a quadratic form, >= 0; it is exactly 0 (up to rounding) where the table sits at a
  // stationary point of kappa: raters who always agree (kappa 1), never agree with balanced margins (kappa -1), or
  // each use a single category. psych::cohen.kappa and statsmodels then print SE 0 and a zero-width CI, which claims
  // certainty the data do not have: null with a reason instead.
  if (a - c <= 1e-12 * Math.max(1, a)) return { kappa, reason: null, se: null, ci95_asymptotic: null, se_reason: degenerateSeReason(table, K, kappa) };
  const se = Math.sqrt((a - c) / (n * (1 - pe) ** 2));
  return { kappa, reason: null, se, ci95_asymptotic: [kappa - 1.959963984540054 * se, Math.min(1, kappa + 1.959963984540054 * se)], se_reason: null };
}

function degenerateSeReason(table: Float64Array, K: number, kappa: number): string {
  let diag = 0;
  let n = 0;
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) {
    n += table[i * K + j];
    if (i === j) diag += table[i * K + j];
  }
  const what = diag === n ? 'the raters agree on every target' : diag === 0 ? 'the raters agree on no target' : `kappa ${kappa.toFixed(3)} is at a stationary point of the table`;
  return `asymptotic SE undefined: ${what}, where the large-sample variance (Fleiss, Cohen & Everitt 1969) is 0 (psych and statsmodels print SE 0); use --bootstrap for an interval`;
}

export function cohenKappa(bt: ByTarget, a: number, b: number, raterIds: string[], units?: ArrayLike<number>, span?: number): CohenResult {
  const { x, y } = ratingPairs(bt, a, b, units);
  return { raters: [raterIds[a], raterIds[b]], ...cohenKappaPairs(x, y, span) };
}

export interface PercentAgreement {
  /** Share of targets with >= 2 ratings on which every rating is the same (irr::agree, tolerance 0). */
  all_agree: number | null;
  /** Share of agreeing pairs among all pairs of ratings of the same target. */
  pairwise: number | null;
  n_targets: number;
  /** With --tolerance: the same shares when ratings at most that far apart count as agreeing. */
  within_tolerance?: ToleranceAgreement;
}

/** Percent agreement within a tolerance (extended percentage agreement, irr::agree(ratings, tolerance)). */
export interface ToleranceAgreement {
  tolerance: number;
  /** What the tolerance is counted in: the ratings' own numbers, or positions on the --levels scale. */
  unit: 'rating' | 'level';
  /** Share of targets with >= 2 ratings whose ratings span at most the tolerance (max - min <= tolerance). */
  all_within: number | null;
  /** Share of the pairs of ratings of a target at most the tolerance apart. */
  pairwise_within: number | null;
  n_targets: number;
  /** Why the shares are null (text labels without an order), else null. */
  reason: string | null;
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

/**
 * Percent agreement within `tol` (irr::agree(ratings, tolerance): a target agrees when max - min <= tol; irr counts
 * the complete targets, here every target with >= 2 ratings, as percentAgreement), and the share of rating pairs at
 * most `tol` apart. `score` maps a stored value to the number compared (a category code to its value or position).
 * A difference within 8 ulps of the values counts as equal to `tol` (3.5 - 2.4 = 1.1000000000000001 is within 1.1).
 */
export function agreementWithinTolerance(bt: ByTarget, tol: number, score: (v: number) => number, units?: ArrayLike<number>): Pick<ToleranceAgreement, 'all_within' | 'pairwise_within' | 'n_targets'> {
  let nT = 0;
  let allWithin = 0;
  let pairs = 0;
  let close = 0;
  const nU = units ? units.length : bt.nTargets;
  for (let i = 0; i < nU; i++) {
    const t = units ? units[i] : i;
    const m = bt.start[t + 1] - bt.start[t];
    if (m < 2) continue;
    const x = Float64Array.from(bt.value.subarray(bt.start[t], bt.start[t + 1]), score).sort();
    const limit = tol + 8 * Number.EPSILON * Math.max(Math.abs(x[0]), Math.abs(x[m - 1]), tol);
    nT++;
    if (x[m - 1] - x[0] <= limit) allWithin++;
    pairs += (m * (m - 1)) / 2;
    // sorted: for each a, the ratings after it up to a + limit
    for (let a = 0, b = 0; a < m; a++) {
      while (b + 1 < m && x[b + 1] - x[a] <= limit) b++;
      close += b - a;
      if (b === a) b++;
    }
  }
  return { all_within: nT ? allWithin / nT : null, pairwise_within: pairs ? close / pairs : null, n_targets: nT };
}

export interface CategoryKappa {
  category: string;
  kappa: number | null;
  /** Share p_j of the ratings (on the complete targets) in this category: a kappa of a rare category rests on few. */
  share: number | null;
  /** SE under the null hypothesis kappa_j = 0, sqrt(2 / (n m (m - 1))) (Fleiss, Nee & Landis 1979; Fleiss, Levin &
   *  Paik 2003, sec. 18.1; irr kappam.fleiss detail since 0.6). */
  se_null: number | null;
  z: number | null;
  /** Two-sided p of z (irr kappam.fleiss(detail = TRUE) p.value, there rounded to 3 decimals). */
  p: number | null;
  /** With --bootstrap: the SD of the replicates and the percentile CI. */
  se_bootstrap: number | null;
  ci95: [number, number] | null;
  reason: string | null;
}

/**
 * Fleiss' (1971) kappa per category on the targets every rater labelled (m raters each), or a crowd design's m ratings:
 * kappa_j = 1 - sum_i x_ij (m - x_ij) / (n m (m - 1) p_j (1 - p_j)), with z = kappa_j / sqrt(2 / (n m (m - 1))) and
 * its two-sided normal p; irr::kappam.fleiss(detail = TRUE).
 */
export function fleissPerCategory(bt: ByTarget, categories: string[], units?: ArrayLike<number>, m = bt.nRaters): CategoryKappa[] {
  const q = categories.length;
  const x = new Float64Array(q);
  const total = new Float64Array(q);
  const disagree = new Float64Array(q);
  let n = 0;
  const nU = units ? units.length : bt.nTargets;
  for (let i = 0; i < nU; i++) {
    const t = units ? units[i] : i;
    if (bt.start[t + 1] - bt.start[t] !== m) continue;
    n++;
    x.fill(0);
    for (let j = bt.start[t]; j < bt.start[t + 1]; j++) x[bt.value[j]]++;
    for (let c = 0; c < q; c++) {
      total[c] += x[c];
      disagree[c] += x[c] * (m - x[c]);
    }
  }
  const seNull = n > 0 ? Math.sqrt(2 / (n * m * (m - 1))) : null;
  return categories.map((category, c) => {
    const p = n ? total[c] / (n * m) : 0;
    if (n === 0) return { category, kappa: null, share: null, se_null: null, z: null, p: null, se_bootstrap: null, ci95: null, reason: 'no target was labelled by every rater' };
    // on the complete targets only: a label of the incomplete ones is not 'never used' (a 4th coder on 3 of 24 clips)
    const on = n < nU ? ` on the ${n} targets every rater labelled` : '';
    if (p === 0 || p === 1) return { category, kappa: null, share: p, se_null: seNull, z: null, p: null, se_bootstrap: null, ci95: null, reason: p === 0 ? `category never used${on}` : `every rating${on} is this category` };
    const kappa = 1 - disagree[c] / (n * m * (m - 1) * p * (1 - p));
    const z = seNull ? kappa / seNull : null;
    return { category, kappa, share: p, se_null: seNull, z, p: z === null ? null : normalTwoSidedP(z), se_bootstrap: null, ci95: null, reason: null };
  });
}
