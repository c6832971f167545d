/**
 * One call that computes every agreement figure and diagnostic of a ratings table, per dimension.
 */
import { ALPHA_METRICS, krippendorffAlpha, type AlphaMetric } from './alpha.js';
import { bootstrapTargets, type BootstrapCi } from './bootstrap.js';
import { raterDiagnostics, targetDiagnostics, type RaterDiagnostics, type TargetDiagnostics } from './diagnostics.js';
import { iccAnova, iccReml, type IccResult } from './icc.js';
import { cohenKappa, fleissKappa, percentAgreement, type CohenResult, type FleissResult, type PercentAgreement } from './kappa.js';
import { byTarget } from './layout.js';
import type { RatingsDimension, RatingsTable } from './types.js';

export interface AnalyzeOptions {
  /** 'drop' (default): ICC on the targets every rater rated; 'model': REML on all ratings (psych lmer=TRUE). */
  missing?: 'drop' | 'model';
  /** Bootstrap replicates for the CIs of alpha and the kappas (0 = none; default 0). */
  bootstrap?: number;
  /** Seed of the bootstrap (default 1). */
  seed?: number;
  /** Raters with fewer items are flagged (default max(5, 20 % of the median)). */
  minItems?: number;
  /** Most distinct values for numeric ratings to be treated as categories by the kappas (default 50). */
  maxKappaCategories?: number;
}

export interface AlphaEntry {
  alpha: number | null;
  ci95: [number, number] | null;
  reason: string | null;
}

export interface KappaEntry {
  kappa: number | null;
  ci95: [number, number] | null;
  reason: string | null;
}

export interface DimensionResult {
  dimension: string;
  data_type: 'numeric' | 'categorical';
  n_targets: number;
  n_raters: number;
  n_ratings: number;
  /** Cells of the target x rater grid without a rating. */
  n_missing: number;
  categories: string[] | null;
  /** ICC family (numeric ratings); null for categorical labels. */
  icc: IccResult | null;
  krippendorff_alpha: Record<AlphaMetric, AlphaEntry>;
  fleiss_kappa: (KappaEntry & { n_subjects_used: number; n_categories: number }) | null;
  cohen_kappa: {
    raters: [string, string];
    n_pairs: number;
    /** Category values (numeric ratings) or labels (categorical), in weight order. */
    categories: Array<number | string>;
    unweighted: KappaEntry;
    linear: KappaEntry;
    quadratic: KappaEntry;
  } | null;
  percent_agreement: PercentAgreement;
  /** Why the kappas are null (continuous ratings), else null. */
  kappa_reason: string | null;
  raters: RaterDiagnostics[];
  /** Ranked, most contested first. */
  targets: TargetDiagnostics[];
}

export interface AgreementResult {
  file: string;
  format: 'long' | 'wide';
  missing: 'drop' | 'model';
  bootstrap: { replicates: number; seed: number } | null;
  dimensions: DimensionResult[];
}

function isIntegerValued(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isInteger(v[i])) return false;
  return true;
}

function distinctCount(v: Float64Array, cap: number): number {
  const s = new Set<number>();
  for (let i = 0; i < v.length; i++) {
    s.add(v[i]);
    if (s.size > cap) break;
  }
  return s.size;
}

export function analyzeDimension(d: RatingsDimension, opts: AnalyzeOptions = {}): DimensionResult {
  const bt = byTarget(d);
  const categorical = d.categories !== null;
  const missing = opts.missing ?? 'drop';
  const replicates = opts.bootstrap ?? 0;
  const seed = opts.seed ?? 1;

  const icc = categorical ? null : missing === 'model' ? iccReml(d, bt) : iccAnova(d, bt);

  const metrics: AlphaMetric[] = categorical ? ['nominal'] : [...ALPHA_METRICS];
  // Labels are ordered (sorted) categories only when every label is a number: then ordinal alpha makes sense too.
  if (categorical && d.categories!.every((c) => Number.isFinite(Number(c)) && c.trim() !== '')) metrics.push('ordinal');
  const alpha = {} as Record<AlphaMetric, AlphaEntry>;
  for (const m of ALPHA_METRICS) {
    if (!metrics.includes(m)) {
      alpha[m] = { alpha: null, ci95: null, reason: 'not defined for unordered category labels' };
      continue;
    }
    const a = krippendorffAlpha(bt, m);
    alpha[m] = { alpha: a.alpha, ci95: null, reason: a.reason };
  }

  const cap = opts.maxKappaCategories ?? 50;
  let kappaReason: string | null = null;
  if (!categorical) {
    if (!isIntegerValued(d.value)) kappaReason = 'ratings are not whole numbers: kappas need categories';
    else if (distinctCount(d.value, cap) > cap) kappaReason = `more than ${cap} distinct values: kappas need categories`;
  }
  let fleiss: DimensionResult['fleiss_kappa'] = null;
  let cohen: DimensionResult['cohen_kappa'] = null;
  let cohenRaw: CohenResult | null = null;
  if (kappaReason === null) {
    const f: FleissResult = fleissKappa(bt);
    fleiss = { kappa: f.kappa, ci95: null, reason: f.reason, n_subjects_used: f.n_subjects_used, n_categories: f.n_categories };
    // Cohen: the first two raters in file order (the pair of a two-rater design).
    cohenRaw = cohenKappa(bt, 0, 1, d.raters);
    cohen = {
      raters: cohenRaw.raters!,
      n_pairs: cohenRaw.n_pairs,
      categories: d.categories ? cohenRaw.categories.map((c) => d.categories![c]) : cohenRaw.categories,
      unweighted: { ...cohenRaw.unweighted, ci95: null },
      linear: { ...cohenRaw.linear, ci95: null },
      quadratic: { ...cohenRaw.quadratic, ci95: null },
    };
  }

  if (replicates > 0) {
    const stats: Record<string, (u: Int32Array) => number | null> = {};
    for (const m of metrics) stats[`alpha_${m}`] = (u) => krippendorffAlpha(bt, m, u).alpha;
    if (fleiss) stats.fleiss = (u) => fleissKappa(bt, u).kappa;
    if (cohen) {
      stats.cohen_unweighted = (u) => cohenKappa(bt, 0, 1, d.raters, u).unweighted.kappa;
      stats.cohen_linear = (u) => cohenKappa(bt, 0, 1, d.raters, u).linear.kappa;
      stats.cohen_quadratic = (u) => cohenKappa(bt, 0, 1, d.raters, u).quadratic.kappa;
    }
    const ci: Record<string, BootstrapCi> = bootstrapTargets(bt.nTargets, replicates, seed, stats);
    for (const m of metrics) alpha[m].ci95 = ci[`alpha_${m}`].ci95;
    if (fleiss) fleiss.ci95 = ci.fleiss.ci95;
    if (cohen) {
      cohen.unweighted.ci95 = ci.cohen_unweighted.ci95;
      cohen.linear.ci95 = ci.cohen_linear.ci95;
      cohen.quadratic.ci95 = ci.cohen_quadratic.ci95;
    }
  }

  return {
    dimension: d.name,
    data_type: categorical ? 'categorical' : 'numeric',
    n_targets: bt.nTargets,
    n_raters: bt.nRaters,
    n_ratings: d.value.length,
    n_missing: bt.nTargets * bt.nRaters - d.value.length,
    categories: d.categories,
    icc,
    krippendorff_alpha: alpha,
    fleiss_kappa: fleiss,
    cohen_kappa: cohen,
    percent_agreement: percentAgreement(bt),
    kappa_reason: kappaReason,
    raters: raterDiagnostics(d, bt, { minItems: opts.minItems }),
    targets: targetDiagnostics(d, bt),
  };
}

/** Every agreement figure and diagnostic of a table, one entry per dimension (in file order). */
export function analyzeAgreement(table: RatingsTable, opts: AnalyzeOptions = {}): AgreementResult {
  const replicates = opts.bootstrap ?? 0;
  return {
    file: table.file,
    format: table.format,
    missing: opts.missing ?? 'drop',
    bootstrap: replicates > 0 ? { replicates, seed: opts.seed ?? 1 } : null,
    dimensions: table.dimensions.map((d) => analyzeDimension(d, opts)),
  };
}
