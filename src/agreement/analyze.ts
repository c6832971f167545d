/**
 * One call that computes every agreement figure and diagnostic of a ratings table, per dimension.
 */
import { ALPHA_METRICS, krippendorffAlpha, type AlphaMetric } from './alpha.js';
import { bootstrapTargets, type BootstrapCi } from './bootstrap.js';
import { MIN_RATERS_FOR_FLAGS, raterDiagnostics, targetDiagnostics, type RaterDiagnostics, type TargetDiagnostics } from './diagnostics.js';
import { iccAnova, iccReml, type IccResult } from './icc.js';
import { agreementWithinTolerance, cohenKappa, fleissKappa, percentAgreement, type CohenResult, type FleissResult, type PercentAgreement, type ToleranceAgreement } from './kappa.js';
import { brennanPrediger, congerKappa, gwetAc, scottPi, unitGrid, unitTable, type ChanceCoefficient } from './chance.js';
import { fleissPerCategory, fleissRatingsPerTarget, type CategoryKappa } from './kappa.js';
import { byTarget, type ByTarget } from './layout.js';
import { cohenPairs, lightKappa, pairTables, type LightKappa, type PairKappa } from './pairs.js';
import { planning, type Planning } from './planning.js';
import { firstOccasion, intraRater, type IntraRater } from './retest.js';
import type { IccType, RatingsDimension, RatingsTable } from './types.js';
import { labelPlaces, placesText, raterPlaces, shownName, spellingGroups, spellingKey, spellingVariantWarnings, spellingWarning, type SpellingPlaces, type SpellingVariantsWarning } from './variants.js';
import { raterTargetCounts, raterTypoPairs } from './typos.js';
import { isOneLetterTypo, labelTypoPairs, labelUses } from './label-typos.js';
import { consensusNote, excludeOption, type ExcludedRater } from './exclude.js';
import { numericCodesWarning, type NumericCodesWarning } from './codes.js';
import { reversedScaleWarnings, type ReversedScaleWarning } from './reversed.js';
import { otherScaleWarnings, type OtherScaleWarning } from './other-scale.js';
import { farRatingWarnings, type FarRatingWarning } from './off-range.js';
import { timeGridNote } from './time-grid.js';
import { constantRaterWarnings, type ConstantRaterWarning } from './constant-rater.js';
import { identicalRatersWarnings, type IdenticalRatersWarning } from './identical-raters.js';
import { missedTargetsWarnings, sharedRaterWarnings, type MissedTargetsWarning, type SharedRaterWarning } from './sessions.js';
import { singleRatingWarnings, type SingleRatingWarning } from './single-rating.js';

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
  /** Planning figures: the ICC form (its single-rater form is used; default ICC2) and the target ICC (default 0.75). */
  iccType?: IccType;
  targetIcc?: number;
  /** Percent agreement also within this distance (irr::agree tolerance; --tolerance): numbers, or --levels positions. */
  tolerance?: number;
}

export interface AlphaEntry {
  alpha: number | null;
  ci95: [number, number] | null;
  reason: string | null;
}

export interface KappaEntry {
  kappa: number | null;
  /** Bootstrap percentile CI (--bootstrap). */
  ci95: [number, number] | null;
  reason: string | null;
  /** Cohen's kappa: large-sample SE (Fleiss, Cohen & Everitt 1969) and kappa +- 1.96 SE. */
  se?: number | null;
  ci95_asymptotic?: [number, number] | null;
}

/** Something the figures silently depend on, stated in the output and on stderr (one line each). */
export type AgreementWarning =
  | EmptyRaterWarning
  | SpellingVariantsWarning
  | IccFewTargetsWarning
  | RaterTypoWarning
  | LabelTypoWarning
  | DimensionTypoWarning
  | NumericCodesWarning
  | FarRatingWarning
  | ReversedScaleWarning
  | OtherScaleWarning
  | MissedTargetsWarning
  | SharedRaterWarning
  | ConstantRaterWarning
  | IdenticalRatersWarning
  | IccKFormsWarning
  | FewTargetsWarning
  | SingleRatingWarning;

/**
 * 'few_targets': every figure of the dimension (or its ICC, on the targets every rater rated) comes from 2 to
 * MIN_TARGETS - 1 targets. psych::ICC and pingouin print an ICC and CI from 2 targets without a word (ttrial48a G7:
 * ICC(3,1) 1.000 [1.000, 1.000] "excellent"), and only the gate's --min-icc-targets said anything.
 */
export interface FewTargetsWarning {
  code: 'few_targets';
  /** The targets the figures come from: rated by two or more raters (or, \`figure\` 'icc', the ICC's complete targets). */
  n_targets: number;
  min_targets: number;
  figure: 'all' | 'icc';
  message: string;
}

/**
 * 'icc_k_forms': under --missing model the k-rater ICCs are psych::ICC's, at k = every rater, while a gold label
 * averages fewer ratings (k_ratings): a crowd of 30 workers with 5-6 per clip read ICC(2,k) 0.983 "excellent" for the
 * 0.906 of a clip's mean rating (ttrial48a W11). Said with the figure at k_ratings (icc.rows_at_k_ratings).
 */
export interface IccKFormsWarning {
  code: 'icc_k_forms';
  k_raters: number;
  k_ratings: number;
  message: string;
}

/** 'dimension_typo': a dimension one letter from another with at least three times its ratings ('valance', 'valence'). */
export interface DimensionTypoWarning {
  code: 'dimension_typo';
  /** This dimension, then the one it is likely a typo of. */
  names: [string, string];
  message: string;
}

/** 'label_typo': two labels one letter apart, the rarer given at most a third as often (src/agreement/label-typos.ts). */
export interface LabelTypoWarning {
  code: 'label_typo';
  /** The rarer label, then the label it is likely a typo of. */
  labels: [string, string];
  /** Where the rarer label's first ratings are (as spelling_variants' `where`). */
  where: SpellingPlaces[];
  message: string;
}

/** 'rater_id_typo': two rater ids one letter apart that share no target, the rarer with a third of the other's (raterTypoWarnings). */
export interface RaterTypoWarning {
  code: 'rater_id_typo';
  /** The rarer id, then the id it is likely a typo of. */
  raters: [string, string];
  /** Where the rarer id's first ratings are (as spelling_variants' `where`). */
  where: SpellingPlaces[];
  message: string;
}

/**
 * 'icc_few_targets': the ICC (complete targets only) dropped more targets than it kept, mostly because of raters who
 * rated few of them (a new user's trial: a fourth rater with 2 of 20 clips left the ICC on 2 targets, exit 0, with the
 * count in the table's header only).
 */
export interface IccFewTargetsWarning {
  /** 'fleiss_few_targets': the same for Fleiss' kappa of labels (complete targets too). */
  code: 'icc_few_targets' | 'fleiss_few_targets';
  /** Raters who rated fewer than half of the targets, fewest first; when none did, the (up to 3) who missed the most. */
  raters: string[];
  message: string;
}

export interface EmptyRaterWarning {
  /** 'empty_rater': a rater (wide: a column) without a single rating in this dimension, left out of every figure. */
  code: 'empty_rater';
  rater: string;
  message: string;
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
  /** SEM and the Spearman-Brown number of raters for --target-icc (numeric ratings). */
  planning: Planning | null;
  /** Test-retest designs: occasions, and per rater the intra-rater reliability; inter-rater figures then use each
   *  rater's first occasion. Null without repeated ratings. */
  test_retest: { occasions: string[]; n_ratings_repeated: number; inter_rater_uses: string; raters: IntraRater[] } | null;
  krippendorff_alpha: Record<AlphaMetric, AlphaEntry>;
  /** Complete targets; se_null, z, p: the test of kappa = 0 as irr::kappam.fleiss prints it. */
  /** ratings_per_target: the m of a crowd design (no target rated by every rater, every target by m: kappa.ts
   *  fleissRatingsPerTarget), null where the targets every rater labelled are used. */
  fleiss_kappa: (KappaEntry & { n_subjects_used: number; n_categories: number; se_null: number | null; z: number | null; p: number | null; ratings_per_target: number | null }) | null;
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
  /** Categories have an order (numbers, or --levels): weighted kappas, ordinal alpha and AC2 are computed. */
  ordered: boolean;
  /** Why the order-based figures are null (text labels without --levels), else null. */
  order_reason: string | null;
  /** Chance-robust coefficients over every target with >= 2 ratings (Gwet 2014 / irrCAC), with SE, t CI and p. */
  gwet_ac1: ChanceCoefficient | null;
  gwet_ac2_linear: ChanceCoefficient | null;
  gwet_ac2_quadratic: ChanceCoefficient | null;
  brennan_prediger: ChanceCoefficient | null;
  /** Scott's pi generalised to many raters and missing ratings (Fleiss' kappa over every target, irrCAC). */
  scott_pi: ChanceCoefficient | null;
  conger: ChanceCoefficient | null;
  /** Fleiss' kappa per category (complete targets), keyed by category. */
  fleiss_per_category: Record<string, CategoryKappa> | null;
  /** Cohen's kappa with asymptotic SE for every rater pair. */
  cohen_pairs: PairKappa[] | null;
  cohen_pairs_reason: string | null;
  /** Light's kappa: mean of the pairwise Cohen's kappas. */
  light: (LightKappa & { se_bootstrap: number | null; ci95: [number, number] | null }) | null;
  /** Asymptotic SE of the first pair's unweighted Cohen's kappa (as SAS / statsmodels / irr print it). */
  cohen_ase: number | null;
  raters: RaterDiagnostics[];
  /** Why the rater outlier flags were not computed (fewer than MIN_RATERS_FOR_FLAGS raters), else null. */
  flags_note: string | null;
  /** Which raters the others' mean (bias, r, mean |diff|) and the gold labels include, when raters are flagged; else null. */
  consensus_note: string | null;
  /** Ranked, most contested first. */
  targets: TargetDiagnostics[];
  /** Warnings about the input behind these figures (empty rater columns); [] when none. */
  warnings: AgreementWarning[];
}

export interface AgreementResult {
  file: string;
  format: 'long' | 'wide';
  missing: 'drop' | 'model';
  bootstrap: { replicates: number; seed: number } | null;
  /** Raters left out by --exclude-rater (only when some were), with the ratings of theirs skipped. */
  excluded_raters?: ExcludedRater[];
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

/** Ratings as category codes 0..q-1 (labels: their index; whole numbers: the index among the sorted values). */
function categoryCodes(d: RatingsDimension, bt: ByTarget): { coded: ByTarget; categories: string[] } {
  if (d.categories) return { coded: bt, categories: d.categories };
  const { values, coded } = valueCodes(bt.value);
  return { coded: { ...bt, value: coded }, categories: values.map(String) };
}

/** Whole numbers below this are coded by a table (valueCodes). */
const CODE_TABLE = 1024;

/**
 * The distinct values of v ascending, and v as their indices: by a table when every value is a whole number 0..1023
 * (a rating scale: a Set and a Map over 1M ratings took ~0.2 s CPU on bench-agreement), else by a Set and a Map.
 */
function valueCodes(v: Float64Array): { values: number[]; coded: Float64Array } {
  let small = true;
  for (let i = 0; i < v.length && small; i++) small = Number.isInteger(v[i]) && v[i] >= 0 && v[i] < CODE_TABLE;
  if (!small) {
    const values = Array.from(new Set(v)).sort((a, b) => a - b);
    const index = new Map(values.map((x, i) => [x, i]));
    return { values, coded: Float64Array.from(v, (x) => index.get(x)!) };
  }
  const code = new Int32Array(CODE_TABLE).fill(-1);
  for (let i = 0; i < v.length; i++) code[v[i]] = 0;
  const values: number[] = [];
  for (let x = 0; x < CODE_TABLE; x++) if (code[x] === 0) code[x] = values.push(x) - 1;
  const coded = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) coded[i] = code[v[i]];
  return { values, coded };
}

/** The targets `units` (with repeats, for the bootstrap) as a ByTarget of their own. */
function subset(bt: ByTarget, units: ArrayLike<number>): ByTarget {
  let n = 0;
  for (let i = 0; i < units.length; i++) n += bt.start[units[i] + 1] - bt.start[units[i]];
  const start = new Int32Array(units.length + 1);
  const rater = new Int32Array(n);
  const value = new Float64Array(n);
  const source = new Int32Array(n);
  let o = 0;
  for (let i = 0; i < units.length; i++) {
    const t = units[i];
    for (let j = bt.start[t]; j < bt.start[t + 1]; j++, o++) {
      rater[o] = bt.rater[j];
      value[o] = bt.value[j];
      source[o] = bt.source[j];
    }
    start[i + 1] = o;
  }
  return { nTargets: units.length, nRaters: bt.nRaters, start, rater, value, source };
}

/** Conger's kappa needs a dense targets x raters grid: skipped above this many cells. */
const MAX_GRID_CELLS = 20_000_000;

function chanceCoefficients(d: RatingsDimension, bt: ByTarget, ordered: boolean, orderReason: string | null) {
  const { coded, categories } = categoryCodes(d, bt);
  const q = categories.length;
  // Numbers are weighted by value (1, 2, 5 are not evenly spaced), labels by their order, as irrCAC's weights do.
  const numericValues = d.categories ? undefined : categories.map(Number);
  const u = unitTable(coded, coded.value, q);
  const unorderedAc2 = (): ChanceCoefficient => ({ coefficient: null, se: null, se_reason: null, ci95: null, p: null, pa: null, pe: null, n_units: u.n, weights: 'linear', reason: orderReason });
  const conger =
    u.n * u.r <= MAX_GRID_CELLS
      ? congerKappa(u, unitGrid(coded, coded.value, u))
      : { ...unorderedAc2(), weights: 'unweighted' as const, reason: `more than ${MAX_GRID_CELLS} target x rater cells: Conger's kappa skipped` };
  const pt = pairTables(coded, coded.value, q);
  const pairs = pt ? cohenPairs(pt, d.raters) : null;
  const perCategoryList = fleissPerCategory(coded, categories, undefined, fleissRatingsPerTarget(coded).m);
  const perCategory: Record<string, CategoryKappa> = {};
  for (const c of perCategoryList) perCategory[c.category] = c;
  return {
    coded,
    categories,
    q,
    ac1: gwetAc(u, 'unweighted'),
    ac2Linear: ordered ? gwetAc(u, 'linear', numericValues) : unorderedAc2(),
    ac2Quadratic: ordered ? gwetAc(u, 'quadratic', numericValues) : { ...unorderedAc2(), weights: 'quadratic' as const },
    bp: brennanPrediger(u),
    scott: scottPi(u),
    conger,
    perCategory,
    pairs,
    pairsReason: pt ? null : 'too many rater pairs x categories for the pair matrix',
    light: pairs ? { ...lightKappa(pairs), se_bootstrap: null as number | null, ci95: null as [number, number] | null } : null,
  };
}

/**
 * A rater without a single rating is left out (pingouin's pivot_table drops an all-NaN rater column, Krippendorff's
 * alpha has no pairable value from it) rather than emptying every target by listwise deletion (psych/irr na.omit),
 * and said: it is usually a broken export or a rater who did not do the work (docs/agreement.md, Input).
 */
function emptyRaterWarnings(d: RatingsDimension, format: 'long' | 'wide' | undefined): AgreementWarning[] {
  const inDim = d.name ? ` of dimension '${d.name}'` : '';
  return (d.empty_raters ?? []).map((rater) => ({
    code: 'empty_rater' as const,
    rater,
    message:
      format === 'wide'
        ? `column '${rater}' has no rating in any row${inDim}: left out, ${d.raters.length} raters remain (check the export, or remove the column)`
        : `rater '${rater}' has only empty ratings${inDim.replace(' of ', ' in ')}: left out, ${d.raters.length} raters remain (check the export)`,
  }));
}

type ChanceFigures = ReturnType<typeof chanceCoefficients>;

/** Labels are ordered categories when every label is a number or --levels gave the order: then ordinal alpha too.
 *  Two categories: every order gives the same weights and metric, so binary text labels count as ordered. */
function labelOrder(d: RatingsDimension): { ordered: boolean; orderReason: string | null } {
  const ordered = d.categories === null || d.ordered === true || d.categories.length <= 2;
  const orderReason = ordered ? null : 'text labels have no order: give --levels (e.g. --levels low,mid,high) for weighted kappa, ordinal alpha and AC2';
  return { ordered, orderReason };
}

/** Krippendorff's alpha (Krippendorff 2011) for every metric the data allow; null with the reason for the others. */
function alphaEntries(bt: ByTarget, categorical: boolean, ordered: boolean, orderReason: string | null): { metrics: AlphaMetric[]; alpha: Record<AlphaMetric, AlphaEntry> } {
  const metrics: AlphaMetric[] = categorical ? ['nominal'] : [...ALPHA_METRICS];
  if (categorical && ordered) metrics.push('ordinal');
  const alpha = {} as Record<AlphaMetric, AlphaEntry>;
  for (const m of ALPHA_METRICS) {
    if (!metrics.includes(m)) {
      alpha[m] = { alpha: null, ci95: null, reason: m === 'ordinal' && orderReason ? `not defined for unordered category labels (${orderReason})` : 'not defined for unordered category labels' };
      continue;
    }
    const a = krippendorffAlpha(bt, m);
    alpha[m] = { alpha: a.alpha, ci95: null, reason: a.reason };
  }
  return { metrics, alpha };
}

/** Why numeric ratings get no kappas (not whole numbers, or more than `cap` distinct values); null when they do. */
function kappaReasonOf(d: RatingsDimension, categorical: boolean, cap: number): string | null {
  if (categorical) return null;
  if (!isIntegerValued(d.value)) return 'ratings are not whole numbers: kappas need categories';
  if (distinctCount(d.value, cap) > cap) return `more than ${cap} distinct values: kappas need categories`;
  return null;
}

/** With --levels the weights follow the declared scale (every level, used or not), as scikit-learn's labels= and
 *  irrCAC's categ.labels. */
function cohenSpan(d: RatingsDimension): number | undefined {
  return d.categories !== null && d.ordered && d.categories ? d.categories.length : undefined;
}

/** Fleiss' kappa (Fleiss 1971) and Cohen's kappa (Cohen 1960/1968) of the first two raters in file order (the pair
 *  of a two-rater design); the weighted kappas null with the reason for unordered labels. */
function kappaEntries(d: RatingsDimension, bt: ByTarget, ordered: boolean, orderReason: string | null): Pick<DimensionResult, 'fleiss_kappa' | 'cohen_kappa'> {
  const design = fleissRatingsPerTarget(bt);
  const f: FleissResult = fleissKappa(bt, undefined, design.m);
  const fleiss = { kappa: f.kappa, ci95: null, reason: f.reason, n_subjects_used: f.n_subjects_used, n_categories: f.n_categories, se_null: f.se_null, z: f.z, p: f.p, ratings_per_target: design.crowd ? design.m : null };
  const cohenRaw: CohenResult = cohenKappa(bt, 0, 1, d.raters, undefined, cohenSpan(d));
  const unordered = { kappa: null, reason: orderReason, se: null, ci95_asymptotic: null };
  const cohen = {
    raters: cohenRaw.raters!,
    n_pairs: cohenRaw.n_pairs,
    categories: d.categories ? cohenRaw.categories.map((c) => d.categories![c]) : cohenRaw.categories,
    unweighted: { ...cohenRaw.unweighted, ci95: null },
    linear: ordered ? { ...cohenRaw.linear, ci95: null } : { ...unordered, ci95: null },
    quadratic: ordered ? { ...cohenRaw.quadratic, ci95: null } : { ...unordered, ci95: null },
  };
  return { fleiss_kappa: fleiss, cohen_kappa: cohen };
}

/** The figures of one dimension that get bootstrap CIs; they are filled in place. */
interface BootstrapTargets {
  metrics: AlphaMetric[];
  alpha: Record<AlphaMetric, AlphaEntry>;
  fleiss: DimensionResult['fleiss_kappa'];
  cohen: DimensionResult['cohen_kappa'];
  ordered: boolean;
  chance: ChanceFigures | null;
}

/** The statistic of each figure on a resample of targets `u` (keys in a fixed order: the draws depend on it). */
function bootstrapStats(d: RatingsDimension, bt: ByTarget, f: BootstrapTargets): Record<string, (u: Int32Array) => number | null> {
  const { chance } = f;
  const stats: Record<string, (u: Int32Array) => number | null> = {};
  for (const m of f.metrics) stats[`alpha_${m}`] = (u) => krippendorffAlpha(bt, m, u).alpha;
  const fleissM = fleissRatingsPerTarget(bt).m;
  if (f.fleiss) stats.fleiss = (u) => fleissKappa(bt, u, fleissM).kappa;
  if (f.cohen) {
    const span = cohenSpan(d);
    stats.cohen_unweighted = (u) => cohenKappa(bt, 0, 1, d.raters, u, span).unweighted.kappa;
    if (f.ordered) stats.cohen_linear = (u) => cohenKappa(bt, 0, 1, d.raters, u, span).linear.kappa;
    if (f.ordered) stats.cohen_quadratic = (u) => cohenKappa(bt, 0, 1, d.raters, u, span).quadratic.kappa;
  }
  if (chance?.light) {
    stats.light = (u) => {
      const sb = subset(chance.coded, u);
      return lightKappa(cohenPairs(pairTables(sb, sb.value, chance.q)!, d.raters)).kappa;
    };
  }
  if (chance?.perCategory) {
    const perCategoryM = fleissRatingsPerTarget(chance.coded).m;
    for (const c of chance.categories.keys()) stats[`cat_${c}`] = (u) => fleissPerCategory(chance.coded, chance.categories, u, perCategoryM)[c].kappa;
  }
  return stats;
}

/** Seeded percentile CIs (--bootstrap N --seed S): targets resampled with replacement, written into the figures. */
function addBootstrapCis(d: RatingsDimension, bt: ByTarget, replicates: number, seed: number, f: BootstrapTargets): void {
  const { chance, cohen, fleiss, ordered } = f;
  const ci: Record<string, BootstrapCi> = bootstrapTargets(bt.nTargets, replicates, seed, bootstrapStats(d, bt, f));
  for (const m of f.metrics) f.alpha[m].ci95 = ci[`alpha_${m}`].ci95;
  if (fleiss) fleiss.ci95 = ci.fleiss.ci95;
  if (cohen) {
    cohen.unweighted.ci95 = ci.cohen_unweighted.ci95;
    if (ordered) cohen.linear.ci95 = ci.cohen_linear.ci95;
    if (ordered) cohen.quadratic.ci95 = ci.cohen_quadratic.ci95;
  }
  if (chance?.light) Object.assign(chance.light, { ci95: ci.light.ci95, se_bootstrap: ci.light.se });
  if (chance?.perCategory) chance.categories.forEach((name, c) => Object.assign(chance.perCategory![name], { ci95: ci[`cat_${c}`].ci95, se_bootstrap: ci[`cat_${c}`].se }));
}

/** The chance-robust and multi-rater coefficients as DimensionResult fields (null without categories). */
function chanceFields(chance: ChanceFigures | null, kappaReason: string | null) {
  return {
    gwet_ac1: chance?.ac1 ?? null,
    gwet_ac2_linear: chance?.ac2Linear ?? null,
    gwet_ac2_quadratic: chance?.ac2Quadratic ?? null,
    brennan_prediger: chance?.bp ?? null,
    scott_pi: chance?.scott ?? null,
    conger: chance?.conger ?? null,
    fleiss_per_category: chance?.perCategory ?? null,
    cohen_pairs: chance?.pairs ?? null,
    cohen_pairs_reason: chance?.pairsReason ?? kappaReason,
    light: chance?.light ?? null,
  };
}

/**
 * --tolerance: numbers (and labels that are all numbers) are compared by value, --levels labels by their position on
 * the declared scale; text labels without an order have no distance (null with the reason).
 */
function toleranceAgreement(d: RatingsDimension, bt: ByTarget, tolerance: number): ToleranceAgreement {
  const cats = d.categories;
  const numbers = cats ? cats.map((c) => Number(c)) : null;
  const byValue = cats === null || numbers!.every((v, i) => cats[i].trim() !== '' && Number.isFinite(v));
  if (!byValue && d.ordered !== true) {
    const reason = 'text labels have no order, so no distance: give --levels (e.g. --levels low,mid,high) to count a tolerance in levels';
    return { tolerance, unit: 'level', all_within: null, pairwise_within: null, n_targets: 0, reason };
  }
  const score = cats === null ? (v: number) => v : byValue ? (v: number) => numbers![v] : (v: number) => v;
  return { tolerance, unit: byValue ? 'rating' : 'level', ...agreementWithinTolerance(bt, tolerance, score), reason: null };
}

function flagsNote(nRaters: number): string | null {
  return nRaters < MIN_RATERS_FOR_FLAGS
    ? `${nRaters} raters: the outlier flags (bias, low_correlation, far_from_others, low_agreement) need at least ${MIN_RATERS_FOR_FLAGS} raters and are not computed; few_items, constant and drift are`
    : null;
}

export function analyzeDimension(dim: RatingsDimension, opts: AnalyzeOptions = {}, format?: 'long' | 'wide'): DimensionResult {
  // Test-retest: intra-rater figures from every occasion, inter-rater figures from each rater's first occasion.
  const retest = dim.occasion ? intraRater(dim) : null;
  const d = dim.occasion ? firstOccasion(dim) : dim;
  const bt = byTarget(d);
  const categorical = d.categories !== null;
  const replicates = opts.bootstrap ?? 0;
  const icc = categorical ? null : (opts.missing ?? 'drop') === 'model' ? iccReml(d, bt) : iccAnova(d, bt);
  const { ordered, orderReason } = labelOrder(d);
  const { metrics, alpha } = alphaEntries(bt, categorical, ordered, orderReason);
  const kappaReason = kappaReasonOf(d, categorical, opts.maxKappaCategories ?? 50);
  const kappas = kappaReason === null ? kappaEntries(d, bt, ordered, orderReason) : { fleiss_kappa: null, cohen_kappa: null };
  const chance = kappaReason === null ? chanceCoefficients(d, bt, ordered, orderReason) : null;
  const raters = raterDiagnostics(d, bt, { minItems: opts.minItems });
  const reversed = reversedScaleWarnings(d, raters);
  const numericCodes = numericCodesWarning(d, bt, alpha, reversed.flatMap((w) => w.raters));
  const iccFewTargets = iccFewTargetsWarnings(d, bt.nTargets, icc);
  if (replicates > 0) addBootstrapCis(d, bt, replicates, opts.seed ?? 1, { metrics, alpha, fleiss: kappas.fleiss_kappa, cohen: kappas.cohen_kappa, ordered, chance });
  return {
    dimension: d.name,
    data_type: categorical ? 'categorical' : 'numeric',
    n_targets: bt.nTargets,
    n_raters: bt.nRaters,
    n_ratings: d.value.length,
    n_missing: bt.nTargets * bt.nRaters - d.value.length,
    categories: d.categories,
    icc,
    planning: icc ? planning(icc, opts.iccType ?? 'ICC2', opts.targetIcc ?? 0.75) : null,
    test_retest: retest
      ? { occasions: dim.occasions ?? [], n_ratings_repeated: dim.value.length - d.value.length, inter_rater_uses: "each rater's first occasion", raters: retest }
      : null,
    krippendorff_alpha: alpha,
    ...kappas,
    percent_agreement: opts.tolerance === undefined ? percentAgreement(bt) : { ...percentAgreement(bt), within_tolerance: toleranceAgreement(d, bt, opts.tolerance) },
    kappa_reason: kappaReason,
    ordered,
    order_reason: orderReason,
    ...chanceFields(chance, kappaReason),
    cohen_ase: kappas.cohen_kappa?.unweighted.se ?? null,
    raters,
    flags_note: flagsNote(bt.nRaters),
    consensus_note: consensusNote(raters, d.categories !== null),
    targets: targetDiagnostics(d, bt),
    warnings: withMissedTargets(d, icc, [
      ...(numericCodes ? [numericCodes] : []),
      ...farRatingWarnings(dim),
      ...reversed,
      ...otherScaleWarnings(d),
      ...emptyRaterWarnings(dim, format),
      ...constantRaterWarnings(d, raters),
      ...identicalRatersWarnings(d, bt),
      ...spellingVariantWarnings(dim),
      ...raterTypoWarnings(d),
      ...labelTypoWarnings(d),
      ...sharedRaterWarnings(d),
      ...iccFewTargets,
      ...fewTargetsWarning(d, bt, icc, iccFewTargets.length > 0),
      ...singleRatingWarnings(d, bt),
      ...iccKFormsWarnings(d, icc),
      ...fleissFewTargetsWarnings(d, bt.nTargets, kappas.fleiss_kappa),
    ]),
  };
}

/**
 * The warnings with rater_missed_targets (src/agreement/sessions.ts) added for the raters no other warning explains:
 * a rater id typed another way (a spelling variant, a one-letter typo), whose missing targets are that warning's
 * subject, is not said twice; nor a rater the few-targets warnings name, unless the missed targets are whole sessions
 * or exports, which only this warning names (a trial, 2026-12-05: "rater 'chen' missed 24" hid "no rating in session
 * 's03'", the fact a lead acts on).
 */
function withMissedTargets(d: RatingsDimension, icc: IccResult | null, warnings: AgreementWarning[]): AgreementWarning[] {
  const typed = new Set<string>();
  const counted = new Set<string>();
  for (const w of warnings) {
    if (w.code === 'icc_few_targets' || w.code === 'fleiss_few_targets') for (const r of w.raters) counted.add(r);
    if (w.code === 'rater_id_typo') for (const r of w.raters) typed.add(r);
    if (w.code === 'spelling_variants' && w.kind === 'rater') for (const r of w.names.flat()) typed.add(r);
  }
  const missed = missedTargetsWarnings(d, icc?.method === 'anova').filter((w) => !typed.has(w.rater) && (!counted.has(w.rater) || w.missed_parts.length > 0));
  return [...warnings, ...missed];
}

/**
 * Fewer targets than this and the agreement figures are a check of the file, not a measure (FewTargetsWarning). Why 5:
 * every ICC divides by the between-target variance, estimated from n - 1 degrees of freedom; a variance on d degrees
 * of freedom has a relative standard error of sqrt(2/d) (a normal sample variance is sigma^2 chi-square(d) / d, whose
 * variance is 2 sigma^4 / d), 82 % or more below 5 targets (141 % at 2, 100 % at 3, 82 % at 4; 71 % at 5): one
 * target more or less moves the estimate across Koo & Li's bands. The F-based CI assumes normal target effects, which 4 values cannot show, and a zero
 * residual, which 2 or 3 targets give by chance, makes it [1, 1]. The same 5 is the least for a rater's few_items flag.
 * Koo & Li (2016) advise 30 for a reliability study: the gate's --min-icc-targets, said in the message.
 */
export const MIN_TARGETS = 5;

/** Targets with two or more ratings (those that carry agreement: alpha, AC1, the kappas over all targets, REML). */
function pairedTargets(bt: ByTarget): number {
  let n = 0;
  for (let t = 0; t < bt.nTargets; t++) if (bt.start[t + 1] - bt.start[t] >= 2) n++;
  return n;
}

/**
 * The few_targets warning: the dimension's targets rated by two or more raters, or else the ANOVA ICC's complete
 * targets (when icc_few_targets has not already said so), from 2 up to MIN_TARGETS - 1. Below 2 the figures are null
 * with their reasons.
 */
function fewTargetsWarning(d: RatingsDimension, bt: ByTarget, icc: IccResult | null, iccWarned: boolean): FewTargetsWarning[] {
  const inDim = d.name ? ` in dimension '${d.name}'` : '';
  const paired = pairedTargets(bt);
  const iccN = icc?.method === 'anova' && !iccWarned ? icc.n_targets : paired;
  const figure: FewTargetsWarning['figure'] = paired < MIN_TARGETS ? 'all' : 'icc';
  const n = figure === 'all' ? paired : iccN;
  if (n < 2 || n >= MIN_TARGETS) return [];
  const head =
    figure === 'all'
      ? `only ${n} targets${inDim} are rated by two or more raters, and every agreement figure here comes from them`
      : `the ICC${inDim} comes from ${n} targets (those every rater rated; the other figures from ${paired})`;
  const message = `${head}: ${d.categories ? fewLabelTargetsWhy(n) : fewNumericTargetsWhy(n)}; read the figures as a check of the file, and rate more targets`;
  return [{ code: 'few_targets', n_targets: n, min_targets: MIN_TARGETS, figure, message }];
}

/** Why n numeric targets (2 to 4) give no measure (MIN_TARGETS): the ICC's variance between targets and its CI. */
function fewNumericTargetsWhy(n: number): string {
  const rse = Math.round(100 * Math.sqrt(2 / (n - 1)));
  return (
    `below ${MIN_TARGETS} targets an ICC, alpha or kappa is no measure of agreement: the ICC's variance between targets rests on ${n - 1} degree${n === 2 ? '' : 's'} of freedom ` +
    `(relative SE ${rse} %), so one target more or less can move it across the scale, and its 95% CI assumes normal target effects, which ${n} targets cannot show ` +
    `(a CI of [1.000, 1.000] is no finding; Koo & Li 2016 advise at least 30 targets for a reliability study)`
  );
}

/** Why n labelled targets (2 to 4) give no measure: each is a quarter or more of the observed agreement. */
function fewLabelTargetsWhy(n: number): string {
  return (
    `below ${MIN_TARGETS} targets alpha or a kappa is no measure of agreement: each target is 1/${n} of the observed agreement, so one target more or less can move the figure across the scale, ` +
    `and no interval from ${n} targets (bootstrap or asymptotic) is a finding`
  );
}

/** The k-rater forms at every rater beside a gold label of fewer ratings (IccKFormsWarning). */
function iccKFormsWarnings(d: RatingsDimension, icc: IccResult | null): IccKFormsWarning[] {
  const at = icc?.rows_at_k_ratings?.find((r) => r.type === 'ICC2k');
  const kr = icc?.k_ratings;
  if (!icc || !at || at.icc === null || kr === undefined || kr > 0.9 * icc.n_raters) return [];
  const inDim = d.name ? ` of dimension '${d.name}'` : '';
  const ci = at.ci95[0] === null || at.ci95[1] === null ? '' : ` [${at.ci95[0].toFixed(3)}, ${at.ci95[1].toFixed(3)}]`;
  const message =
    `the k-rater ICCs${inDim} are at k = ${icc.n_raters} raters (psych::ICC's convention), but a target's mean rating averages ${kr.toFixed(1)} ratings here (harmonic mean): ` +
    `ICC(2,k) at k = ${kr.toFixed(1)} is ${at.icc.toFixed(3)}${ci} (icc.rows_at_k_ratings), the reliability of the gold label`;
  return [{ code: 'icc_k_forms', k_raters: icc.n_raters, k_ratings: kr, message }];
}

/**
 * An ICC on fewer complete targets (2 or more) than it dropped: said, naming the raters who rated under half of the
 * targets, or, when none did (ratings missing across the raters), the three who missed the most targets.
 */
function iccFewTargetsWarnings(d: RatingsDimension, nTargets: number, icc: IccResult | null): IccFewTargetsWarning[] {
  const inDim = d.name ? ` of dimension '${d.name}'` : '';
  const twice = icc?.n_targets_rated_twice;
  // --missing model on targets mostly rated once: the agreement rests on the few rated twice (ttrial48a W3).
  if (icc?.method === 'reml' && twice !== undefined && icc.rows.some((r) => r.icc !== null) && nTargets - twice > twice) {
    const head = `the ICC${inDim} (--missing model) rests on the ${twice} of ${nTargets} targets rated by two or more raters`;
    return fewTargetsWarnings(d, nTargets, head, "a target rated once tells the model only its rater's level", 'icc_few_targets');
  }
  // Under 2 complete targets there is no ICC to misread: its rows carry the reason (--missing model) instead.
  if (!icc || icc.method !== 'anova' || icc.n_targets < 2 || icc.n_targets_dropped <= icc.n_targets) return [];
  const head = `the ICC${inDim} uses ${icc.n_targets} of ${nTargets} targets (those every rater rated)`;
  return fewTargetsWarnings(d, nTargets, head, '--missing model uses every rating', 'icc_few_targets');
}

/**
 * Labels: Fleiss' kappa (and its per-category kappas) on fewer complete targets (2 or more) than it dropped, said as
 * the ICC's is (a 4th coder on 3 of 24 clips gave Fleiss' kappa 0.086 on those 3 beside Scott's pi 0.297 on all 24,
 * without a word, before 2026-12-02).
 */
function fleissFewTargetsWarnings(d: RatingsDimension, nTargets: number, fleiss: FleissResult | null): IccFewTargetsWarning[] {
  if (d.categories === null || !fleiss || fleiss.n_subjects_used < 2 || nTargets - fleiss.n_subjects_used <= fleiss.n_subjects_used) return [];
  const inDim = d.name ? ` of dimension '${d.name}'` : '';
  const head = `Fleiss' kappa${inDim} and its per-category kappas use ${fleiss.n_subjects_used} of ${nTargets} targets (those every rater labelled)`;
  return fewTargetsWarnings(d, nTargets, head, "Scott's pi (Fleiss on every target), AC1 and alpha use every rating", 'fleiss_few_targets');
}

/** The raters past the three named and how many targets they missed (it said "missed fewer" of raters who missed
 *  as many as the third: ttrial56). */
function moreMissed(rest: Array<{ n: number }>, nTargets: number): string {
  if (!rest.length) return '';
  const missed = rest.map((x) => nTargets - x.n);
  const [lo, hi] = [Math.min(...missed), Math.max(...missed)];
  return `; ${rest.length} more rater(s) missed ${lo === hi ? lo : `${lo} to ${hi}`}${rest.length > 1 && lo === hi ? ' each' : ''}`;
}

/**
 * A figure on fewer complete targets than it dropped: the raters who rated under half of the targets, or, when none
 * did (ratings missing across the raters), the three who missed the most targets.
 */
function fewTargetsWarnings(d: RatingsDimension, nTargets: number, head: string, alternative: string, code: IccFewTargetsWarning['code']): IccFewTargetsWarning[] {
  const counts = raterTargetCounts(d);
  const sparse = counts.filter((x) => x.n < nTargets / 2);
  const grid = timeGridNote(d);
  const why = grid ? `; ${grid}` : '';
  if (sparse.length) {
    const who = sparse.map((x) => `rater '${x.name}' rated ${x.n} of ${nTargets}`).join(', ');
    // leaving them out must leave two raters (it read '--exclude-rater r1,r2' beside a third rater only)
    const leave = d.raters.length - sparse.length >= 2 ? `, or leave ${sparse.length === 1 ? 'that rater' : 'such raters'} out (${excludeOption(sparse.map((x) => x.name))})` : '';
    const message = `${head}: ${who}${why}; ${alternative}${leave}`;
    return [{ code, raters: sparse.map((x) => x.name), message }];
  }
  const missing = counts.filter((x) => x.n < nTargets);
  const most = missing.slice(0, 3);
  const who = most.map((x) => `rater '${x.name}' missed ${nTargets - x.n}`).join(', ');
  const message =
    `${head}: ratings are missing across the raters (${who} of ${nTargets}${moreMissed(missing.slice(3), nTargets)})${why}; ` +
    `${alternative}, or have those raters rate the targets they missed`;
  return [{ code, raters: most.map((x) => x.name), message }];
}

/**
 * Rater ids one letter apart where the rarer rated at most a third as many targets and none of the other's
 * (src/agreement/typos.ts), each with the file lines of the rarer id's first ratings.
 */
function raterTypoWarnings(d: RatingsDimension): RaterTypoWarning[] {
  return raterTypoPairs(d).map(({ rare, twin }) => {
    const where = raterPlaces(d, rare.index, rare.nRatings);
    const message =
      `rater '${shownName(rare.name)}' (${rare.n} target${rare.n === 1 ? '' : 's'}, ${placesText(where)}) is one letter from rater '${shownName(twin.name)}' (${twin.n}), and they rated no target in common: ` +
      `one rater typed two ways? they are counted as two raters (every target lacks one of them for the ICC): write one id`;
    return { code: 'rater_id_typo', raters: [rare.name, twin.name], where: [where], message };
  });
}

/** Labels one letter apart, the rarer given at most a third as often (label-typos.ts), with the rarer's first lines. */
function labelTypoWarnings(d: RatingsDimension): LabelTypoWarning[] {
  const uses = labelUses(d);
  const names = d.categories ?? [];
  return labelTypoPairs(d).map(({ rare, twin }) => {
    const where = labelPlaces(d, rare, uses[rare]);
    const [a, b] = [shownName(names[rare]), shownName(names[twin])];
    const message =
      `label '${a}' (${uses[rare]} rating${uses[rare] === 1 ? '' : 's'}, ${placesText(where)}) is one letter from label '${b}' (${uses[twin]}) and is counted as a category of its own, ` +
      `which lowers every kappa and alpha: if it is '${b}', correct it in the file`;
    return { code: 'label_typo', labels: [names[rare], names[twin]], where: [where], message };
  });
}

/** Every agreement figure and diagnostic of a table, one entry per dimension (in file order). */
export function analyzeAgreement(table: RatingsTable, opts: AnalyzeOptions = {}): AgreementResult {
  const replicates = opts.bootstrap ?? 0;
  return {
    file: table.file,
    format: table.format,
    missing: opts.missing ?? 'drop',
    bootstrap: replicates > 0 ? { replicates, seed: opts.seed ?? 1 } : null,
    ...(table.excluded_raters ? { excluded_raters: table.excluded_raters } : {}),
    dimensions: withDimensionVariants(table.dimensions.map((d) => analyzeDimension(d, opts, table.format))),
  };
}

/** Dimension names that differ only in case or separators ('Valence', 'valence'): a warning on the less used ones. */
export function withDimensionVariants(dims: DimensionResult[]): DimensionResult[] {
  const groups = spellingGroups(dims.map((d) => d.dimension), dims.map((d) => d.n_ratings));
  for (const g of groups) {
    const w = spellingWarning('dimension', [g], 'rating');
    for (const d of dims) if (w && g.slice(1).some((v) => v.name === d.dimension)) d.warnings.push(w);
  }
  for (const d of dims) {
    const twin = dims.find((t) => t.n_ratings >= 3 * d.n_ratings && isOneLetterTypo(d.dimension, t.dimension));
    if (!twin) continue;
    const message = `dimension '${d.dimension}' (${d.n_ratings} ratings) is one letter from dimension '${twin.dimension}' (${twin.n_ratings}) and is analysed as a dimension of its own: if it is '${twin.dimension}', write one spelling in the file`;
    d.warnings.push({ code: 'dimension_typo', names: [d.dimension, twin.dimension], message });
  }
  return dims;
}

