/**
 * Planning figures from the ICC: the standard error of measurement SEM = SD sqrt(1 - ICC) (Weir 2005, J. Strength
 * Cond. Res. 19(1); SD of all ratings the ICC used, from the ANOVA sums of squares) and the Spearman-Brown number of
 * raters whose mean reaches a target reliability: m = rho* (1 - rho) / (rho (1 - rho*)) for the single-rater ICC rho
 * (Spearman 1910, Brown 1910; Shrout & Fleiss 1979, eq. 16), rounded up; also from the CI's lower bound.
 * Above MAX_PLANNED_RATERS the figure is null with a reason: such a count says "not reachable" (an ICC of 1e-16, i.e.
 * zero up to rounding, once printed 104708691336364020 raters).
 */
import type { IccResult } from './icc.js';
import type { IccType } from './types.js';

export interface Planning {
  icc_type: IccType;
  icc: number | null;
  /** SD of the ratings the ICC used. */
  sd: number | null;
  /** SD sqrt(1 - ICC), in rating units. */
  sem: number | null;
  target_icc: number;
  /** Raters whose mean reaches target_icc (Spearman-Brown), from the point ICC and from its lower 95 % bound. */
  raters_needed: number | null;
  raters_needed_ci_lower: number | null;
  /** Why raters_needed (then raters_needed_ci_lower) is null, else why the lower-bound figure is. */
  reason: string | null;
}

/** A planned rater count above this is reported as not reachable (null with a reason), not as a number. */
export const MAX_PLANNED_RATERS = 1000;

/** How a planned rater count reads in the text and HTML reports: a null count of a defined ICC is "not reachable"
 *  (the reason is printed beside it); of an undefined ICC, '—'. */
export function plannedRatersText(icc: number | null, raters: number | null): string {
  return raters !== null ? String(raters) : icc === null ? '—' : 'not reachable';
}

/** Spearman-Brown: raters needed for a mean of raters with single-rater reliability rho to reach target. */
export function spearmanBrownRaters(rho: number | null, target: number): number | null {
  return ratersFor(rho, target).raters;
}

function ratersFor(rho: number | null, target: number): { raters: number | null; why: string | null } {
  if (rho === null) return { raters: null, why: null };
  if (!(rho > 0)) return { raters: null, why: 'not positive: no number of raters reaches the target' };
  if (rho >= target) return { raters: 1, why: null };
  if (target >= 1) return { raters: null, why: 'a target ICC of 1 is reached by no finite number of raters' };
  const m = Math.ceil((target * (1 - rho)) / (rho * (1 - target)) - 1e-9);
  if (m > MAX_PLANNED_RATERS) return { raters: null, why: `${rho.toPrecision(2)}: over ${MAX_PLANNED_RATERS} raters needed, not reachable` };
  return { raters: m, why: null };
}

/** Planning figures for the single-rater form of `type` (ICC2k -> ICC2 etc.). */
export function planning(icc: IccResult, type: IccType, target: number): Planning {
  const single = type.replace('k', '') as IccType;
  const row = icc.rows.find((r) => r.type === single);
  const ms = icc.mean_squares;
  const n = icc.n_targets;
  const k = icc.n_raters;
  let sd: number | null = null;
  if (ms && n * k > 1) sd = Math.sqrt(((n - 1) * ms.msb + (k - 1) * ms.msj + (n - 1) * (k - 1) * ms.mse) / (n * k - 1));
  const rho = row?.icc ?? null;
  const lower = row?.ci95[0] ?? null;
  const point = ratersFor(rho, target);
  const fromLower = ratersFor(lower, target);
  const reason =
    rho === null
      ? row?.reason ?? icc.reason ?? 'ICC undefined'
      : point.why !== null
        ? `the ICC is ${point.why}`
        : lower !== null && lower <= 0
          ? 'the lower 95% bound is not positive: no number of raters is assured'
          : fromLower.why !== null
            ? `the lower 95% bound is ${fromLower.why}`
            : null;
  return {
    icc_type: single,
    icc: rho,
    sd,
    sem: sd !== null && rho !== null ? sd * Math.sqrt(Math.max(0, 1 - rho)) : null,
    target_icc: target,
    raters_needed: point.raters,
    raters_needed_ci_lower: fromLower.raters,
    reason,
  };
}
