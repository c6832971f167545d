/**
 * The CI gate: every dimension must reach the minimum ICC (point value or the lower 95 % bound) and/or the minimum
 * Krippendorff's alpha. An undefined figure fails the gate (a release cannot prove its agreement with it).
 */
import type { AlphaMetric } from './alpha.js';
import type { AgreementResult } from './analyze.js';
import type { IccType } from './types.js';

/**
 * The fewest targets an ICC may come from and pass --min-icc (`agreement` and `dataset validate`, flag
 * --min-icc-targets): Koo & Li (2016, J. Chiropr. Med. 15(2)) advise at least 30 heterogeneous targets (and 3 raters)
 * for a reliability study. An ICC from a handful of targets passed either gate, exit 0.
 */
export const DEFAULT_MIN_ICC_TARGETS = 30;

/** The words of an ICC that reaches --min-icc from too few targets (`counted`: the field the count came from). */
export function fewIccTargetsText(n: number, minTargets: number, counted: string, atMost = false): string {
  const advice = 'rate more targets, or give --min-icc-targets the number your study planned (0: not checked)';
  return `comes from ${atMost ? 'at most ' : ''}${n} targets (${counted}), fewer than --min-icc-targets ${minTargets} (Koo & Li 2016 advise at least 30): too few to show agreement; ${advice}`;
}

/** --min-icc-targets given without --min-icc (both commands): nothing to check, so refused. */
export function iccTargetsAloneText(minTargets: number): string {
  return `--min-icc-targets ${minTargets} has nothing to check without --min-icc: give --min-icc X, or drop --min-icc-targets`;
}

export interface GateOptions {
  minIcc?: number;
  /** With minIcc: the fewest targets the ICC may come from (default DEFAULT_MIN_ICC_TARGETS; 0: not checked). */
  minIccTargets?: number;
  iccType?: IccType;
  gateOn?: 'point' | 'lower';
  minAlpha?: number;
  /** Default: interval for numeric ratings, nominal for labels. */
  alphaMetric?: AlphaMetric;
}

export interface GateCheck {
  dimension: string;
  figure: string;
  value: number | null;
  min: number;
  passed: boolean;
  /** Why the figure is undefined (value null), from the analysis; null otherwise. */
  reason: string | null;
  /** An ICC check: the targets the ICC came from, and the fewest --min-icc-targets allows (null: not checked). */
  n_targets: number | null;
  min_targets: number | null;
  /** What n_targets counts, when not icc.n_targets (--missing model: the targets rated by two or more raters). */
  counted?: string;
  /** What may have raised the figure though the check is met: raters with identical ratings (identical_raters). */
  caveat?: string;
}

export interface GateResult {
  passed: boolean;
  checks: GateCheck[];
  /** One line naming each failing dimension and figure (empty when passed). */
  message: string;
}

/** The figure, or 'undefined (why)': a bare 'undefined < 0.7' told neither the cause nor what to do. */
const fmt = (v: number | null, why: string | null) => (v === null ? `undefined (${why ?? 'not computed'})` : v.toFixed(4));

/** The --min-icc check of one dimension: the ICC form's point value or lower bound, and the targets it came from. */
function iccCheck(d: AgreementResult['dimensions'][number], dim: string, opts: GateOptions & { minIcc: number }): GateCheck {
  const type = opts.iccType ?? 'ICC2';
  const on = opts.gateOn ?? 'point';
  let value: number | null = null;
  let reason: string | null = d.icc ? null : 'no ICC for this dimension';
  if (d.icc) {
    const row = d.icc.rows.find((r) => r.type === type);
    value = row ? (on === 'point' ? row.icc : row.ci95[0]) : null;
    reason = value === null ? (row?.reason ?? 'no such ICC row') : null;
  }
  const minTargets = opts.minIccTargets ?? DEFAULT_MIN_ICC_TARGETS;
  // Under --missing model the targets that count are those rated by two or more raters (a target rated once carries
  // no agreement: ttrial48a W3 passed a 30-target minimum on 59 targets of which one was rated twice).
  const n = d.icc ? (d.icc.n_targets_rated_twice ?? d.icc.n_targets) : null;
  const enough = minTargets <= 0 || (n !== null && n >= minTargets);
  const figure = on === 'point' ? type : `${type} lower 95% bound`;
  const counted = d.icc?.n_targets_rated_twice !== undefined ? { counted: 'icc.n_targets_rated_twice: targets rated by two or more raters' } : {};
  return { dimension: dim, figure, value, min: opts.minIcc, passed: value !== null && value >= opts.minIcc && enough, reason, n_targets: n, min_targets: minTargets > 0 ? minTargets : null, ...counted };
}

/** The failed check's words: below the minimum, undefined, or reached from too few targets. */
function failedText(c: GateCheck): string {
  const head = `dimension '${c.dimension}' ${c.figure} ${fmt(c.value, c.reason)}`;
  if (c.value !== null && c.value >= c.min && c.min_targets !== null) return `${head} ${fewIccTargetsText(c.n_targets ?? 0, c.min_targets, c.counted ?? 'icc.n_targets')}`;
  return `${head} < ${c.min}`;
}

/** The identical_raters pairs of a dimension, said on its gate line (a copied rater passed a gate, ttrial44b W2). */
function identicalCaveat(d: AgreementResult['dimensions'][number]): { caveat?: string } {
  const pairs = d.warnings.flatMap((w) => (w.code === 'identical_raters' ? [`'${w.raters[0]}' and '${w.raters[1]}'`] : []));
  return pairs.length ? { caveat: `raters ${pairs.join(', ')} gave identical ratings (identical_raters warning): a copy raises this figure` } : {};
}

export function evaluateGate(result: AgreementResult, opts: GateOptions): GateResult {
  const checks: GateCheck[] = [];
  for (const d of result.dimensions) {
    const dim = d.dimension || '(all)';
    if (opts.minIcc !== undefined) checks.push({ ...iccCheck(d, dim, { ...opts, minIcc: opts.minIcc }), ...identicalCaveat(d) });
    if (opts.minAlpha !== undefined) {
      const metric = opts.alphaMetric ?? (d.data_type === 'categorical' ? 'nominal' : 'interval');
      const { alpha: value, reason } = d.krippendorff_alpha[metric];
      checks.push({ dimension: dim, figure: `alpha (${metric})`, value, min: opts.minAlpha, passed: value !== null && value >= opts.minAlpha, reason: value === null ? reason : null, n_targets: null, min_targets: null, ...identicalCaveat(d) });
    }
  }
  const failed = checks.filter((c) => !c.passed);
  return { passed: failed.length === 0, checks, message: failed.length ? `agreement gate failed: ${failed.map(failedText).join('; ')}` : '' };
}
