/**
 * The CI gate: every dimension must reach the minimum ICC (point value or the lower 95 % bound) and/or the minimum
 * Krippendorff's alpha. An undefined figure fails the gate (a release cannot prove its agreement with it).
 */
import type { AlphaMetric } from './alpha.js';
import type { AgreementResult } from './analyze.js';
import type { IccType } from './types.js';

export interface GateOptions {
  minIcc?: number;
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
}

export interface GateResult {
  passed: boolean;
  checks: GateCheck[];
  /** One line naming each failing dimension and figure (empty when passed). */
  message: string;
}

/** The figure, or 'undefined (why)': a bare 'undefined < 0.7' told neither the cause nor what to do. */
const fmt = (v: number | null, why: string | null) => (v === null ? `undefined (${why ?? 'not computed'})` : v.toFixed(4));

export function evaluateGate(result: AgreementResult, opts: GateOptions): GateResult {
  const checks: GateCheck[] = [];
  for (const d of result.dimensions) {
    const dim = d.dimension || '(all)';
    if (opts.minIcc !== undefined) {
      const type = opts.iccType ?? 'ICC2';
      const on = opts.gateOn ?? 'point';
      let value: number | null = null;
      let reason: string | null = d.icc ? null : 'no ICC for this dimension';
      if (d.icc) {
        const row = d.icc.rows.find((r) => r.type === type);
        value = row ? (on === 'point' ? row.icc : row.ci95[0]) : null;
        reason = value === null ? (row?.reason ?? 'no such ICC row') : null;
      }
      checks.push({ dimension: dim, figure: on === 'point' ? type : `${type} lower 95% bound`, value, min: opts.minIcc, passed: value !== null && value >= opts.minIcc, reason });
    }
    if (opts.minAlpha !== undefined) {
      const metric = opts.alphaMetric ?? (d.data_type === 'categorical' ? 'nominal' : 'interval');
      const { alpha: value, reason } = d.krippendorff_alpha[metric];
      checks.push({ dimension: dim, figure: `alpha (${metric})`, value, min: opts.minAlpha, passed: value !== null && value >= opts.minAlpha, reason: value === null ? reason : null });
    }
  }
  const failed = checks.filter((c) => !c.passed);
  return {
    passed: failed.length === 0,
    checks,
    message: failed.length
      ? `agreement gate failed: ${failed.map((c) => `dimension '${c.dimension}' ${c.figure} ${fmt(c.value, c.reason)} < ${c.min}`).join('; ')}`
      : '',
  };
}
