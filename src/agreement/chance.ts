/**
 * Chance-corrected agreement in Gwet's unified framework for any number of raters and missing ratings (Gwet 2014,
 * Handbook of Inter-Rater Reliability, 4th ed., ch. 2-5; the formulas of irrCAC's *.raw functions, R/agree.coeff3.raw.r):
 *
 *   pa = mean over units with r_i >= 2 of sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1)),  r*_ik = sum_l w_kl r_il
 *   AC1/AC2 (Gwet 2008):       pe = sum(w) / (q (q - 1)) * sum_k pi_k (1 - pi_k),   pi_k = mean_i r_ik / r_i
 *   Brennan-Prediger (1981):   pe = sum(w) / q^2
 *   Scott's pi / Fleiss (gen.): pe = sum_kl w_kl pi_k pi_l  (Fleiss' kappa over every unit; Scott's pi for 2 raters)
 *   Conger (1980):             pe = sum_kl w_kl (pbar_k pbar_l - s2_kl / r), p_gk = rater g's share of category k
 *
 * with the linearised variance of each (irrCAC: var = sum_i (c*_i - c)^2 / (n (n - 1))), a t(n - 1) 95 % CI whose
 * upper end is capped at 1, and a two-sided t p-value, all as irrCAC prints them. Units are the targets with at least
 * one rating (n); categories are codes 0..q-1.
 */
import { fUpperTail, tCritical } from './fdist.js';
import type { ByTarget } from './layout.js';

export interface ChanceCoefficient {
  coefficient: number | null;
  /** Standard error (Gwet's linearisation, as irrCAC); null with `se_reason` where that variance is 0. */
  se: number | null;
  /** Why `se` (and with it `ci95` and `p`) is null for a defined coefficient, else null. */
  se_reason: string | null;
  ci95: [number, number] | null;
  p: number | null;
  pa: number | null;
  pe: number | null;
  n_units: number;
  weights: 'unweighted' | 'linear' | 'quadratic';
  reason: string | null;
}

export type WeightName = 'unweighted' | 'linear' | 'quadratic';

/**
 * Agreement weights (Cohen 1968): identity, 1 - |k-l|/(q-1), 1 - (k-l)^2/(q-1)^2 on category indices, or, given the
 * categories' numeric values, on those: 1 - |x_k-x_l|/(max-min) and its square (irrCAC linear.weights and
 * quadratic.weights, which use the values when the categories are numbers and their ranks otherwise).
 */
export function weightMatrix(q: number, name: WeightName, values?: ArrayLike<number>): Float64Array {
  const w = new Float64Array(q * q);
  const x = (k: number) => (values ? values[k] : k);
  const span = values && q > 1 ? Math.max(...Array.from(values)) - Math.min(...Array.from(values)) : Math.max(q - 1, 1);
  for (let k = 0; k < q; k++)
    for (let l = 0; l < q; l++) {
      const d = Math.abs(x(k) - x(l)) / span;
      w[k * q + l] = name === 'unweighted' ? (k === l ? 1 : 0) : name === 'linear' ? 1 - d : 1 - d * d;
    }
  return w;
}

/** The n x q table of how many raters put unit i in category k, over targets with >= 1 rating. */
export interface UnitTable {
  n: number;
  q: number;
  /** Raters. */
  r: number;
  counts: Float64Array;
  ri: Float64Array;
  /** Per unit: the target index. */
  target: Int32Array;
}

export function unitTable(bt: ByTarget, code: ArrayLike<number>, q: number): UnitTable {
  const targets: number[] = [];
  for (let t = 0; t < bt.nTargets; t++) if (bt.start[t + 1] > bt.start[t]) targets.push(t);
  const n = targets.length;
  const counts = new Float64Array(n * q);
  const ri = new Float64Array(n);
  targets.forEach((t, i) => {
    for (let j = bt.start[t]; j < bt.start[t + 1]; j++) counts[i * q + code[j]]++;
    ri[i] = bt.start[t + 1] - bt.start[t];
  });
  return { n, q, r: bt.nRaters, counts, ri, target: Int32Array.from(targets) };
}

interface Shared {
  pa: number;
  n2: number;
  /** Per unit: weighted pa_i (0 when r_i < 2). */
  paI: Float64Array;
  pi: Float64Array;
  sumW: number;
}

function shared(u: UnitTable, w: Float64Array): Shared {
  const { n, q, counts, ri } = u;
  const paI = new Float64Array(n);
  const pi = new Float64Array(q);
  let n2 = 0;
  let paSum = 0;
  for (let i = 0; i < n; i++) {
    let sumQ = 0;
    for (let k = 0; k < q; k++) {
      const c = counts[i * q + k];
      if (c === 0) continue;
      let cw = 0;
      for (let l = 0; l < q; l++) cw += w[k * q + l] * counts[i * q + l];
      sumQ += c * (cw - 1);
      pi[k] += c / ri[i] / n;
    }
    if (ri[i] >= 2) {
      paI[i] = sumQ / (ri[i] * (ri[i] - 1));
      paSum += paI[i];
      n2++;
    }
  }
  let sumW = 0;
  for (const x of w) sumW += x;
  return { pa: n2 ? paSum / n2 : NaN, n2, paI, pi, sumW };
}

function none(u: UnitTable, weights: WeightName, reason: string): ChanceCoefficient {
  return { coefficient: null, se: null, se_reason: null, ci95: null, p: null, pa: null, pe: null, n_units: u.n, weights, reason };
}

/**
 * Why the linearised variance is 0: every target's term c*_i equals the coefficient. At perfect agreement irrCAC
 * (gwet.ac1.raw, bp.coeff.raw, ...) prints SE 0, CI (1, 1) and p 0 from the same formula; a certainty that a finite
 * sample of targets cannot give, so mmprep reports null with this reason (as for Cohen's kappa, kappa.ts).
 */
function zeroVarianceReason(pa: number, n: number): string {
  const what = pa === 1 ? 'the raters agree on every target' : pa === 0 ? 'no two ratings of any target agree' : 'every target contributes the same term';
  return `SE undefined: ${what}, where the linearised variance (Gwet 2008; irrCAC prints SE 0) is 0, which would claim certainty from ${n} targets`;
}

/**
 * Coefficient, SE, CI and p from pa, pe and the per-unit pe_i (null: pe does not depend on the unit, as for
 * Brennan-Prediger): c*_i = (n/n2)(pa_i - pe [r_i >= 2])/(1 - pe) - 2 (1 - c)(pe_i - pe)/(1 - pe).
 */
function finish(u: UnitTable, s: Shared, pe: number, peI: Float64Array | null, weights: WeightName): ChanceCoefficient {
  if (s.n2 === 0) return none(u, weights, 'no target has two or more ratings');
  if (!(pe < 1 - 1e-12)) return none(u, weights, 'chance agreement is 1 (a single category): undefined');
  const c = (s.pa - pe) / (1 - pe);
  const n = u.n;
  const result = { coefficient: c, se: null, se_reason: null, ci95: null, p: null, pa: s.pa, pe, n_units: n, weights, reason: null };
  if (n < 2) return { ...result, se_reason: 'SE undefined: one target only' };
  let ss = 0;
  for (let i = 0; i < n; i++) {
    let x = ((n / s.n2) * (s.paI[i] - (u.ri[i] >= 2 ? pe : 0))) / (1 - pe);
    if (peI) x -= (2 * (1 - c) * (peI[i] - pe)) / (1 - pe);
    ss += (x - c) ** 2;
  }
  // Terms equal up to rounding (each within 1e-12 of c): the variance is 0, not a measured precision.
  if (ss <= n * 1e-24) return { ...result, se_reason: zeroVarianceReason(s.pa, n) };
  const se = Math.sqrt(ss / (n * (n - 1)));
  const h = tCritical(n - 1) * se;
  return { ...result, se, ci95: [c - h, Math.min(1, c + h)], p: fUpperTail((c / se) ** 2, 1, n - 1) };
}

/** Gwet's AC1 (unweighted) or AC2 (weighted; `values`: numeric categories' values, see weightMatrix), Gwet (2008); irrCAC gwet.ac1.raw. */
export function gwetAc(u: UnitTable, weights: WeightName = 'unweighted', values?: ArrayLike<number>): ChanceCoefficient {
  const { n, q, counts, ri } = u;
  if (q < 2) return none(u, weights, 'one category only: chance agreement is 1');
  const w = weightMatrix(q, weights, values);
  const s = shared(u, w);
  const f = s.sumW / (q * (q - 1));
  let pe = 0;
  for (let k = 0; k < q; k++) pe += s.pi[k] * (1 - s.pi[k]);
  pe *= f;
  const peI = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let k = 0; k < q; k++) v += counts[i * q + k] * (1 - s.pi[k]);
    peI[i] = (f * v) / ri[i];
  }
  return finish(u, s, pe, peI, weights);
}

/**
 * Brennan & Prediger (1981): chance agreement sum(w)/q^2; irrCAC bp.coeff.raw. Unweighted it is Randolph's (2005)
 * free-marginal multirater kappa, statsmodels fleiss_kappa(method='randolph'), whose q is the count table's columns:
 * q here is the categories used, or every --levels level (a label nobody chose counts only when declared).
 */
export function brennanPrediger(u: UnitTable, weights: WeightName = 'unweighted'): ChanceCoefficient {
  if (u.q < 2) return none(u, weights, RANDOLPH_ONE_CATEGORY);
  const w = weightMatrix(u.q, weights);
  const s = shared(u, w);
  return finish(u, s, s.sumW / (u.q * u.q), null, weights);
}

/** One category in use: 1/q = 1, unless --levels declares the labels nobody chose (statsmodels' table has them). */
const RANDOLPH_ONE_CATEGORY =
  'one category only: chance agreement 1/q is 1; if the raters could choose others, give every possible label with --levels (e.g. --levels no,yes) and q counts them (Randolph 2005)';

/** Scott's pi generalised to many raters and missing ratings (Fleiss 1971 as in Gwet 2014; irrCAC fleiss.kappa.raw). */
export function scottPi(u: UnitTable, weights: WeightName = 'unweighted'): ChanceCoefficient {
  const { n, q, counts, ri } = u;
  const w = weightMatrix(q, weights);
  const s = shared(u, w);
  let pe = 0;
  const piW = new Float64Array(q);
  for (let k = 0; k < q; k++)
    for (let l = 0; l < q; l++) {
      pe += w[k * q + l] * s.pi[k] * s.pi[l];
      piW[k] += ((w[k * q + l] + w[l * q + k]) / 2) * s.pi[l];
    }
  const peI = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let k = 0; k < q; k++) v += counts[i * q + k] * piW[k];
    peI[i] = v / ri[i];
  }
  return finish(u, s, pe, peI, weights);
}

/**
 * Conger's (1980) kappa: chance agreement from each rater's own category distribution (Cohen's kappa for 2 raters).
 * `grid` is the dense n x r matrix of category codes (-1 = not rated) of the units of `u`. irrCAC conger.kappa.raw.
 */
export function congerKappa(u: UnitTable, grid: Int32Array, weights: WeightName = 'unweighted'): ChanceCoefficient {
  const { n, q, r } = u;
  if (r < 2) return none(u, weights, 'fewer than two raters');
  const w = weightMatrix(q, weights);
  const s = shared(u, w);
  const ng = new Float64Array(r);
  const pgk = new Float64Array(r * q);
  for (let i = 0; i < n; i++)
    for (let g = 0; g < r; g++) {
      const c = grid[i * r + g];
      if (c >= 0) {
        pgk[g * q + c]++;
        ng[g]++;
      }
    }
  for (let g = 0; g < r; g++) for (let k = 0; k < q; k++) pgk[g * q + k] /= ng[g];
  const pbar = new Float64Array(q);
  for (let g = 0; g < r; g++) for (let k = 0; k < q; k++) pbar[k] += pgk[g * q + k] / r;
  let pe = 0;
  for (let k = 0; k < q; k++)
    for (let l = 0; l < q; l++) {
      let cross = 0;
      for (let g = 0; g < r; g++) cross += pgk[g * q + k] * pgk[g * q + l];
      const s2 = (cross - r * pbar[k] * pbar[l]) / (r - 1);
      pe += w[k * q + l] * (pbar[k] * pbar[l] - s2 / r);
    }
  // Per-unit chance agreement (irrCAC's lambda_ig): sum over k of
  //   (w[k][c_ig] eps_ig - (eps_ig - n_g/n) (W p_g)_k) (n / n_g) (r pbar_k - p_gk)
  const wp = new Float64Array(r * q); // (W p_g)_k
  for (let g = 0; g < r; g++) for (let k = 0; k < q; k++) for (let l = 0; l < q; l++) wp[g * q + k] += w[k * q + l] * pgk[g * q + l];
  const peI = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let lam = 0;
    for (let g = 0; g < r; g++) {
      const c = grid[i * r + g];
      const eps = c >= 0 ? 1 : 0;
      for (let k = 0; k < q; k++) {
        const a = (eps ? w[k * q + c] : 0) - (eps - ng[g] / n) * wp[g * q + k];
        lam += a * (n / ng[g]) * (r * pbar[k] - pgk[g * q + k]);
      }
    }
    peI[i] = lam / (r * (r - 1));
  }
  return finish(u, s, pe, peI, weights);
}

/** Dense n x r category codes of the units of `u` (-1 = not rated). */
export function unitGrid(bt: ByTarget, code: ArrayLike<number>, u: UnitTable): Int32Array {
  const grid = new Int32Array(u.n * u.r).fill(-1);
  for (let i = 0; i < u.n; i++) {
    const t = u.target[i];
    for (let j = bt.start[t]; j < bt.start[t + 1]; j++) grid[i * u.r + bt.rater[j]] = code[j];
  }
  return grid;
}
