/**
 * Intraclass correlations: the six forms of Shrout & Fleiss (1979) / McGraw & Wong (1996) with F tests and 95 %
 * confidence intervals exactly as R psych::ICC computes them (the classical two-way ANOVA path, lmer=FALSE, which is
 * also what pingouin.intraclass_corr does). The CI of ICC(2,1) uses the Satterthwaite-style df of psych
 * (McGraw & Wong 1996, eq. for case 2A as implemented in psych).
 */
import { fQuantileOf, fUpperTail } from './fdist.js';
import { byTarget, completeTargets, type ByTarget } from './layout.js';
import { fitCrossedReml } from './reml.js';
import { ICC_TYPES, type IccRow, type IccType, type KooLiBand, type RatingsDimension } from './types.js';

export interface MeanSquares {
  msb: number;
  msw: number;
  msj: number;
  mse: number;
  df_b: number;
  df_j: number;
  df_e: number;
}

export interface IccResult {
  method: 'anova' | 'reml';
  n_targets: number;
  n_raters: number;
  /** Targets left out (anova: incomplete targets, listwise as pingouin/psych missing=FALSE). */
  n_targets_dropped: number;
  mean_squares: MeanSquares | null;
  /** REML variance components (method 'reml' only). */
  variance_components: { target: number; rater: number; residual: number } | null;
  rows: IccRow[];
  reason: string | null;
  /**
   * REML only: the targets rated by two or more raters, on which alone the model can tell targets from raters (a
   * target rated once tells it only that rater's level), and the harmonic mean of the ratings per rated target: the
   * number of ratings a gold label averages (psych::ICC's k forms take the number of raters; the same when every rater
   * rated every target).
   */
  n_targets_rated_twice?: number;
  k_ratings?: number;
  /** REML with k_ratings under the raters: ICC1k, ICC2k, ICC3k at k = k_ratings (the rows' k forms are psych's, at every rater). */
  rows_at_k_ratings?: IccRow[];
}

const LABELS: Record<IccType, string> = {
  ICC1: 'ICC(1,1)',
  ICC2: 'ICC(2,1) = ICC(A,1)',
  ICC3: 'ICC(3,1) = ICC(C,1)',
  ICC1k: 'ICC(1,k)',
  ICC2k: 'ICC(2,k) = ICC(A,k)',
  ICC3k: 'ICC(3,k) = ICC(C,k)',
};

/** Koo & Li (2016): poor < .5 <= moderate < .75 <= good < .9 <= excellent. */
export function kooLiBand(v: number | null): KooLiBand | null {
  if (v === null || !Number.isFinite(v)) return null;
  if (v < 0.5) return 'poor';
  if (v < 0.75) return 'moderate';
  if (v < 0.9) return 'good';
  return 'excellent';
}

const dfOrNull = (df: number): number | null => (df >= 0 ? df : null);

function nullRow(type: IccType, df1: number, df2: number, reason: string, f: number = NaN): IccRow {
  // F (and its p) can be defined where the ICC is not: ICC1k with MSB = 0 has F = 0, p = 1.
  const fDefined = Number.isFinite(f) && df1 > 0 && df2 > 0;
  return {
    type,
    label: LABELS[type],
    icc: null,
    f: fDefined ? f : null,
    f_infinite: false,
    df1: dfOrNull(df1),
    df2: dfOrNull(df2),
    p: fDefined ? fUpperTail(f, df1, df2) : null,
    ci95: [null, null],
    band: null,
    band_ci: [null, null],
    band_judged: null,
    reason,
  };
}

const fin = (v: number): number | null => (Number.isFinite(v) ? v : null);

function makeRow(type: IccType, icc: number, f: number, df1: number, df2: number, lo: number, hi: number, reason: string | null): IccRow {
  if (!Number.isFinite(icc)) return nullRow(type, df1, df2, reason ?? 'undefined (zero variance)', f);
  const p = Number.isNaN(f) ? null : fUpperTail(f, df1, df2);
  const b = kooLiBand(icc);
  const bl = lo === -Infinity ? kooLiBand(-1) : kooLiBand(fin(lo)); // an unbounded lower bound is below any band
  const bh = kooLiBand(fin(hi));
  return {
    type,
    label: LABELS[type],
    icc,
    f: fin(f),
    f_infinite: f === Infinity,
    df1,
    df2,
    p,
    ci95: [fin(lo), fin(hi)],
    band: b,
    band_ci: [bl, bh],
    band_judged: bl && bh ? (bl === bh ? bl : `${bl} to ${bh}`) : null,
    reason,
  };
}

/**
 * Why a row's F is infinite (its error mean square is 0), in terms of that row's own form, or null when F is finite.
 * MSE = 0 with MSJ > 0 (raters that differ only by constant offsets: r3 = r1 + 1) is perfect consistency: ICC(3,1)
 * and ICC(3,k) are 1 with CI [1, 1], but absolute agreement, ICC(2,1) and ICC(2,k), is below 1 with a finite CI
 * (McGraw & Wong 1996, case A vs case C; psych::ICC gives ICC2 0.945 [0.304, 0.987] and ICC3 1 [1, 1] on such data).
 */
function infiniteFReason(type: IccType, f: number, msj: number, k: number): string | null {
  if (f !== Infinity) return null;
  if (type === 'ICC1' || type === 'ICC1k' || msj === 0) return 'perfect agreement: F is infinite, p 0, CI [1, 1] as a limit';
  const offsets = 'the raters differ only by constant offsets (MSE = 0, MSJ > 0)';
  if (type === 'ICC3' || type === 'ICC3k') return `perfect consistency: ${offsets}; F is infinite, p 0, CI [1, 1] as a limit; absolute agreement (ICC2) is below 1`;
  return `no residual error, but ${offsets}: F is infinite and p 0 (F tests rater-free consistency), while absolute agreement is below 1 and its CI is finite (psych's df at its limit, k - 1 = ${k - 1})`;
}

/** A row's own reason beside the reason for its infinite F, when it has both. */
function joinReasons(a: string | null, b: string | null): string | null {
  return a && b ? `${a}; ${b}` : (a ?? b);
}

function ratio(a: number, b: number): number {
  if (b === 0) return a > 0 ? Infinity : a < 0 ? -Infinity : NaN;
  return a / b;
}

/** 95 % CI of ICC(2,1) with psych's Satterthwaite-type df v (McGraw & Wong 1996, case 2A as implemented in psych). */
function icc2Ci(ms: MeanSquares, n: number, k: number, icc2: number): [number, number] {
  const { msb, msj, mse } = ms;
  const q = 0.975;
  if (mse === 0 && msj === 0) return [1, 1];
  const fj = ratio(msj, mse);
  let v: number;
  if (!Number.isFinite(fj)) {
    v = k - 1; // limit of vn/vd as MSJ/MSE -> infinity
  } else {
    const a = n * (1 + (k - 1) * icc2) - k * icc2;
    const vn = (k - 1) * (n - 1) * (k * icc2 * fj + a) ** 2;
    const vd = (n - 1) * k * k * icc2 * icc2 * fj * fj + a * a;
    v = vn / vd;
  }
  const f3u = fQuantileOf(q, n - 1, v);
  const f3l = fQuantileOf(q, v, n - 1);
  const l2 = (n * (msb - f3u * mse)) / (f3u * (k * msj + (k * n - k - n) * mse) + n * msb);
  const u2 = (n * (f3l * msb - mse)) / (k * msj + (k * n - k - n) * mse + n * f3l * msb);
  return [l2, u2];
}

/**
 * The six ICC rows from the mean squares of a two-way layout with n targets and k raters (psych::ICC's formulas;
 * alpha = 0.05). Infinite F (zero error) gives p 0 and, for the forms it makes 1, CI [1, 1], each row with the reason in
 * its own terms (infiniteFReason); 0/0 gives null with a reason.
 */
export function iccFromMeanSquares(ms: MeanSquares, n: number, k: number): IccRow[] {
  const { msb, msw, msj, mse } = ms;
  const df11n = n - 1;
  const df11d = n * (k - 1);
  const df21n = n - 1;
  const df21d = (n - 1) * (k - 1);
  if (msb === 0 && msw === 0 && msj === 0 && mse === 0) {
    return ICC_TYPES.map((t) => nullRow(t, t === 'ICC1' || t === 'ICC1k' ? df11n : df21n, t === 'ICC1' || t === 'ICC1k' ? df11d : df21d, 'all ratings are equal: zero variance, ICC undefined'));
  }
  const icc1 = ratio(msb - msw, msb + (k - 1) * msw);
  const icc2 = ratio(msb - mse, msb + (k - 1) * mse + (k * (msj - mse)) / n);
  const icc3 = ratio(msb - mse, msb + (k - 1) * mse);
  const icc1k = ratio(msb - msw, msb);
  const icc2kDenominator = msb + (msj - mse) / n; // <= 0 past the Spearman-Brown pole of ICC2: no ICC2k
  const icc2k = ratio(msb - mse, icc2kDenominator);
  const icc3k = ratio(msb - mse, msb);

  const f11 = ratio(msb, msw);
  const f21 = ratio(msb, mse);
  const q = 0.975;

  // ICC1 / ICC1k and ICC3 / ICC3k: the same F-ratio interval (Shrout & Fleiss 1979), each on its own F and df.
  const fRatioCi = (f: number, dfn: number, dfd: number): [number, number, number, number] => {
    if (f === Infinity) return [1, 1, 1, 1];
    const fl = f / fQuantileOf(q, dfn, dfd);
    const fu = f * fQuantileOf(q, dfd, dfn);
    return [(fl - 1) / (fl + k - 1), (fu - 1) / (fu + k - 1), 1 - 1 / fl, 1 - 1 / fu];
  };
  const [l1, u1, l1k, u1k] = fRatioCi(f11, df11n, df11d);
  const [l3, u3, l3k, u3k] = fRatioCi(f21, df21n, df21d);
  const [l2, u2] = icc2Ci(ms, n, k, icc2);
  const msbZero = msb === 0 ? 'all target means are equal (MSB = 0): the k-rater form divides by MSB; F and p are defined' : null;
  const l2k = spearmanBrownBound(l2, k);
  const u2k = spearmanBrownBound(u2, k);
  const poleReason = l2k === -Infinity ? `lower 95% bound unbounded: ICC(2,1)'s lower bound ${l2.toFixed(3)} is at or below -1/(k-1) = ${(-1 / (k - 1)).toFixed(3)}, the pole of the Spearman-Brown step to ${k} raters (psych::ICC prints k*L/(1+(k-1)*L) = ${((l2 * k) / (1 + l2 * (k - 1))).toFixed(3)}, a bound that is not one); more targets narrow it` : null;

  const why = (type: IccType, f: number, own: string | null) => joinReasons(infiniteFReason(type, f, msj, k), own);
  return [
    makeRow('ICC1', icc1, f11, df11n, df11d, l1, u1, why('ICC1', f11, null)),
    makeRow('ICC2', icc2, f21, df21n, df21d, l2, u2, why('ICC2', f21, null)),
    makeRow('ICC3', icc3, f21, df21n, df21d, l3, u3, why('ICC3', f21, null)),
    makeRow('ICC1k', icc1k, f11, df11n, df11d, l1k, u1k, why('ICC1k', f11, msbZero)),
    icc2kDenominator > 0
      ? makeRow('ICC2k', icc2k, f21, df21n, df21d, l2k, u2k, why('ICC2k', f21, poleReason))
      : nullRow('ICC2k', df21n, df21d, `undefined: MSB + (MSJ - MSE)/n = ${icc2kDenominator.toPrecision(4)} is not positive (less variance between targets than error: ICC(2,1) = ${icc2.toFixed(3)} is at or below -1/(k-1)), where psych::ICC prints ${icc2k.toFixed(3)}, beyond the ICC's range`, f21),
    makeRow('ICC3k', icc3k, f21, df21n, df21d, l3k, u3k, why('ICC3k', f21, msbZero)),
  ];
}

/**
 * A CI bound of the single-rater ICC carried to k raters by Spearman-Brown, k*x/(1+(k-1)*x) (psych::ICC's L2k/U2k).
 * The map rises from -Infinity just above its pole x = -1/(k-1); a bound at or below the pole has no finite image,
 * so it is -Infinity (reported null with a reason), never the positive number the formula gives past the pole.
 */
export function spearmanBrownBound(x: number, k: number): number {
  const d = 1 + x * (k - 1);
  return d <= 0 ? -Infinity : (x * k) / d;
}

/**
 * Two-way ANOVA mean squares of the complete targets. The data are centred on their mean first and every sum of
 * squares is a sum of squared deviations (never a difference of raw sums), so ratings near 1e9 lose nothing. Sums of
 * squares at the level of rounding noise of the centred data are exactly zero (perfect agreement stays exact).
 */
export function anovaMeanSquares(bt: ByTarget, targets: Int32Array): MeanSquares {
  const n = targets.length;
  const k = bt.nRaters;
  const { x, maxAbs } = centredCells(bt, targets);
  let { ssb, ssj, sse, ssw } = sumsOfSquares(x, n, k);
  // Rounding noise of the centred data: a few ulp of the largest magnitude per cell.
  const noise = n * k * (64 * Number.EPSILON * maxAbs) ** 2;
  const snap = (v: number) => (v <= noise ? 0 : v);
  ssb = snap(ssb);
  ssj = snap(ssj);
  sse = snap(sse);
  ssw = snap(ssw);
  const df_b = n - 1;
  const df_j = k - 1;
  const df_e = (n - 1) * (k - 1);
  return { msb: ssb / df_b, msw: ssw / (n * (k - 1)), msj: ssj / df_j, mse: sse / df_e, df_b, df_j, df_e };
}

/** The n x k ratings, cell(i, r) = rating of target targets[i] by rater r, minus their grand mean; and the largest |cell|. */
function centredCells(bt: ByTarget, targets: Int32Array): { x: Float64Array; maxAbs: number } {
  const k = bt.nRaters;
  const N = targets.length * k;
  const x = new Float64Array(N);
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i];
    for (let j = bt.start[t]; j < bt.start[t + 1]; j++) x[i * k + bt.rater[j]] = bt.value[j];
  }
  // Grand mean in two passes (the second corrects the first's rounding).
  let s = 0;
  for (let i = 0; i < N; i++) s += x[i];
  let gm = s / N;
  let c = 0;
  for (let i = 0; i < N; i++) c += x[i] - gm;
  gm += c / N;
  let maxAbs = 0;
  for (let i = 0; i < N; i++) {
    x[i] -= gm;
    const a = Math.abs(x[i]);
    if (a > maxAbs) maxAbs = a;
  }
  return { x, maxAbs };
}

/** Between-targets, between-raters, residual and within-target sums of squares of centred n x k cells (deviations only). */
function sumsOfSquares(x: Float64Array, n: number, k: number): { ssb: number; ssj: number; sse: number; ssw: number } {
  const rowMean = new Float64Array(n);
  const colMean = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    let rs = 0;
    for (let r = 0; r < k; r++) {
      rs += x[i * k + r];
      colMean[r] += x[i * k + r];
    }
    rowMean[i] = rs / k;
  }
  for (let r = 0; r < k; r++) colMean[r] /= n;
  let cm = 0; // mean of centred data (rounding residue)
  for (let r = 0; r < k; r++) cm += colMean[r];
  cm /= k;
  let ssb = 0,
    ssj = 0,
    sse = 0,
    ssw = 0;
  for (let i = 0; i < n; i++) ssb += (rowMean[i] - cm) ** 2;
  ssb *= k;
  for (let r = 0; r < k; r++) ssj += (colMean[r] - cm) ** 2;
  ssj *= n;
  for (let i = 0; i < n; i++) {
    const rm = rowMean[i];
    for (let r = 0; r < k; r++) {
      const v = x[i * k + r];
      ssw += (v - rm) ** 2;
      sse += (v - rm - colMean[r] + cm) ** 2;
    }
  }
  return { ssb, ssj, sse, ssw };
}

/** ICC family on the complete targets (targets missing any rater are dropped and counted). */
export function iccAnova(d: RatingsDimension, bt: ByTarget = byTarget(d)): IccResult {
  const k = bt.nRaters;
  const targets = completeTargets(bt);
  const n = targets.length;
  const dropped = bt.nTargets - n;
  if (n < 2) {
    const reason =
      n === 0
        ? 'no target was rated by every rater (use --missing model for REML on all ratings)'
        : 'fewer than two complete targets: ICC undefined';
    return {
      method: 'anova',
      n_targets: n,
      n_raters: k,
      n_targets_dropped: dropped,
      mean_squares: null,
      variance_components: null,
      rows: ICC_TYPES.map((t) => nullRow(t, n - 1, t.startsWith('ICC1') ? n * (k - 1) : (n - 1) * (k - 1), reason)),
      reason,
    };
  }
  const ms = anovaMeanSquares(bt, targets);
  const rows = iccFromMeanSquares(ms, n, k);
  return {
    method: 'anova',
    n_targets: n,
    n_raters: k,
    n_targets_dropped: dropped,
    mean_squares: ms,
    variance_components: null,
    rows,
    reason: rows.every((r) => r.icc === null) ? rows[0].reason : null,
  };
}

/**
 * ICC family from REML variance components on all observed ratings (psych::ICC's default lmer=TRUE path):
 * MSB = k s2_target + s2, MSJ = n s2_rater + s2, MSW = s2 + s2_rater, MSE = s2, with n all targets and k all raters.
 */
export function iccReml(d: RatingsDimension, bt: ByTarget = byTarget(d)): IccResult {
  const k = bt.nRaters;
  const n = bt.nTargets;
  const N = bt.value.length;
  // lme4 refuses a grouping factor with as many levels as observations (the components are not identifiable).
  if (n < 2 || n >= N || k >= N) {
    return nullReml(n, k, n < 2 ? 'fewer than two targets: ICC undefined' : 'too few ratings for the REML model: each grouping factor needs fewer levels than ratings');
  }
  // Start from the ANOVA estimates of the complete targets when there are some (exact REML for balanced data
  // with positive components): s2 = MSE, s2_target = (MSB - MSE)/k, s2_rater = (MSJ - MSE)/n.
  let start: [number, number] | undefined;
  const complete = completeTargets(bt);
  if (complete.length >= 3) {
    const a = anovaMeanSquares(bt, complete);
    if (a.mse > 0) {
      start = [Math.sqrt(Math.max((a.msb - a.mse) / k, 0) / a.mse), Math.sqrt(Math.max((a.msj - a.mse) / complete.length, 0) / a.mse)];
    }
  }
  const { twice, kRatings } = ratingsPerTarget(bt);
  if (twice < MIN_TARGETS_RATED_TWICE) return remlUnderlap(n, k, twice, kRatings);
  const fit = fitCrossedReml(bt, start);
  const ms = remlMeanSquares(fit, n, k);
  const rows = iccFromMeanSquares(ms, n, k);
  // The k-rater forms at the ratings a gold label averages (kRatings) beside psych's at every rater (ttrial48a W11: 30
  // crowd workers, 5-6 per clip: ICC(2,k) 0.983 at k = 30, 0.906 for the mean of a clip's ratings).
  const atK = kRatings < k ? iccFromMeanSquares(remlMeanSquares(fit, n, kRatings), n, kRatings).filter((r) => r.type.endsWith('k')) : undefined;
  return {
    method: 'reml',
    n_targets: n,
    n_raters: k,
    n_targets_dropped: 0,
    mean_squares: ms,
    variance_components: { target: fit.sigma2_target, rater: fit.sigma2_rater, residual: fit.sigma2_residual },
    rows,
    reason: rows.every((r) => r.icc === null) ? rows[0].reason : null,
    n_targets_rated_twice: twice,
    k_ratings: kRatings,
    ...(atK ? { rows_at_k_ratings: atK } : {}),
  };
}

/** Targets rated by two or more raters the REML ICC needs (the ANOVA path needs 2 complete targets). */
export const MIN_TARGETS_RATED_TWICE = 2;

/** The balanced-design mean squares the REML components stand for at k raters (psych::ICC lmer=TRUE's MSB, MSJ, MSW, MSE). */
function remlMeanSquares(fit: { sigma2_target: number; sigma2_rater: number; sigma2_residual: number }, n: number, k: number): MeanSquares {
  const s2 = fit.sigma2_residual;
  return { msb: k * fit.sigma2_target + s2, msj: n * fit.sigma2_rater + s2, msw: s2 + fit.sigma2_rater, mse: s2, df_b: n - 1, df_j: k - 1, df_e: (n - 1) * (k - 1) };
}

/** Targets with two or more ratings, and the harmonic mean of the ratings per rated target. */
function ratingsPerTarget(bt: ByTarget): { twice: number; kRatings: number } {
  let twice = 0;
  let rated = 0;
  let inverse = 0;
  for (let t = 0; t < bt.nTargets; t++) {
    const m = bt.start[t + 1] - bt.start[t];
    if (m === 0) continue;
    rated++;
    inverse += 1 / m;
    if (m >= 2) twice++;
  }
  return { twice, kRatings: rated ? rated / inverse : 0 };
}

/**
 * Under MIN_TARGETS_RATED_TWICE targets rated twice the model has no rater-to-rater comparison to rest on: its ICC is
 * the shrinkage of one pair (ttrial48a W3: an ELAN export whose raters cut their own segments, 1 of 59 targets rated
 * twice, gave ICC(2,1) 0.833 [0.758, 0.891] and passed the gate, as psych::ICC lmer=TRUE prints too). Null, with why.
 */
function remlUnderlap(n: number, k: number, twice: number, kRatings: number): IccResult {
  const reason = `only ${twice} of ${n} targets rated by two or more raters: no agreement to estimate (the model tells targets from raters only where raters rated the same target); have the raters rate the same targets, or, for segments each rater cut, match the segments first`;
  return { ...nullReml(n, k, reason), n_targets_rated_twice: twice, k_ratings: kRatings };
}

/** A REML result without figures: every row null with the reason. */
function nullReml(n: number, k: number, reason: string): IccResult {
  return {
    method: 'reml',
    n_targets: n,
    n_raters: k,
    n_targets_dropped: 0,
    mean_squares: null,
    variance_components: null,
    rows: ICC_TYPES.map((t) => nullRow(t, n - 1, t.startsWith('ICC1') ? n * (k - 1) : (n - 1) * (k - 1), reason)),
    reason,
  };
}
