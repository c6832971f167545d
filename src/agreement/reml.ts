/**
 * REML variance components of the crossed random-effects model y = mu + a_target + b_rater + e, fitted on every
 * observed rating (missing cells allowed), as lme4::lmer(values ~ 1 + (1|ID) + (1|Items)) does for psych::ICC's
 * default path (lmer=TRUE).
 *
 * The criterion is lme4's profiled REML deviance (Bates et al. 2015, "Fitting Linear Mixed-Effects Models Using
 * lme4", eq. 41) in the relative covariance factors theta = (sigma_a, sigma_b) / sigma:
 *   d(theta) = log det M(theta) + (N - 1) (1 + log(2 pi r2(theta) / (N - 1)))
 * where M is the system matrix of the penalised least squares problem in (random effects, intercept) and r2 its
 * penalised residual sum of squares. Targets are eliminated first (their block is diagonal), leaving a dense
 * (1 + k) x (1 + k) Schur complement: one evaluation costs O(sum over targets of (ratings per target)^2 + k^3), so
 * it is sparse-friendly in the number of targets. d is minimised by Nelder-Mead with restarts (theta enters squared,
 * so |theta| makes the boundary theta = 0 an interior point).
 */
import type { ByTarget } from './layout.js';

export interface RemlFit {
  sigma2_target: number;
  sigma2_rater: number;
  sigma2_residual: number;
  theta: [number, number];
  deviance: number;
  n_obs: number;
  evaluations: number;
}

function cholLogDetSolve(S: Float64Array, dim: number, b: Float64Array): { logdet: number; quad: number } | null {
  // In-place Cholesky of a copy; returns log det and b' S^-1 b.
  const L = Float64Array.from(S);
  for (let j = 0; j < dim; j++) {
    let d = L[j * dim + j];
    for (let p = 0; p < j; p++) d -= L[j * dim + p] ** 2;
    if (!(d > 0)) return null;
    const ljj = Math.sqrt(d);
    L[j * dim + j] = ljj;
    for (let i = j + 1; i < dim; i++) {
      let s = L[i * dim + j];
      for (let p = 0; p < j; p++) s -= L[i * dim + p] * L[j * dim + p];
      L[i * dim + j] = s / ljj;
    }
  }
  let logdet = 0;
  for (let j = 0; j < dim; j++) logdet += 2 * Math.log(L[j * dim + j]);
  // forward solve L z = b; quad = z'z
  const z = new Float64Array(dim);
  let quad = 0;
  for (let i = 0; i < dim; i++) {
    let s = b[i];
    for (let p = 0; p < i; p++) s -= L[i * dim + p] * z[p];
    z[i] = s / L[i * dim + i];
    quad += z[i] * z[i];
  }
  return { logdet, quad };
}

/** The REML problem's sufficient data, centred. */
class RemlProblem {
  readonly N: number;
  readonly k: number;
  readonly nT: number;
  readonly y: Float64Array;
  readonly yy: number;
  readonly ySumT: Float64Array;
  readonly ySumR: Float64Array;
  readonly cT: Float64Array;
  readonly cR: Float64Array;
  readonly sumY: number;
  evaluations = 0;

  constructor(readonly bt: ByTarget) {
    this.k = bt.nRaters;
    this.nT = bt.nTargets;
    this.N = bt.value.length;
    let mean = 0;
    for (let i = 0; i < this.N; i++) mean += bt.value[i];
    mean /= this.N;
    this.y = new Float64Array(this.N);
    for (let i = 0; i < this.N; i++) this.y[i] = bt.value[i] - mean;
    this.ySumT = new Float64Array(this.nT);
    this.cT = new Float64Array(this.nT);
    this.ySumR = new Float64Array(this.k);
    this.cR = new Float64Array(this.k);
    let yy = 0;
    let sumY = 0;
    for (let t = 0; t < this.nT; t++) {
      for (let j = bt.start[t]; j < bt.start[t + 1]; j++) {
        const v = this.y[j];
        this.ySumT[t] += v;
        this.cT[t]++;
        this.ySumR[bt.rater[j]] += v;
        this.cR[bt.rater[j]]++;
        yy += v * v;
        sumY += v;
      }
    }
    this.yy = yy;
    this.sumY = sumY;
  }

  /** Profiled REML deviance and the penalised RSS at theta. */
  evaluate(t1: number, t2: number): { dev: number; r2: number } {
    this.evaluations++;
    const { k, nT, bt } = this;
    const dim = 1 + k;
    const S = new Float64Array(dim * dim);
    const rr = new Float64Array(dim);
    S[0] = this.N;
    rr[0] = this.sumY;
    for (let r = 0; r < k; r++) {
      S[0 * dim + 1 + r] = S[(1 + r) * dim] = t2 * this.cR[r];
      S[(1 + r) * dim + 1 + r] = t2 * t2 * this.cR[r] + 1;
      rr[1 + r] = t2 * this.ySumR[r];
    }
    let logdet = 0;
    let quad = 0;
    const t12 = t1 * t2;
    for (let t = 0; t < nT; t++) {
      const c = this.cT[t];
      if (c === 0) continue;
      const d1 = t1 * t1 * c + 1;
      logdet += Math.log(d1);
      const rhs = t1 * this.ySumT[t];
      quad += (rhs * rhs) / d1;
      if (t1 === 0) continue;
      const inv = 1 / d1;
      const g0 = t1 * c;
      // S -= g g' / d1, rr -= g rhs / d1 with g = [t1 c, t1 t2 at each rater of t]
      S[0] -= g0 * g0 * inv;
      rr[0] -= g0 * rhs * inv;
      const a = bt.start[t];
      const b = bt.start[t + 1];
      for (let j = a; j < b; j++) {
        const rj = 1 + bt.rater[j];
        const x = g0 * t12 * inv;
        S[rj] -= x;
        S[rj * dim] -= x;
        rr[rj] -= t12 * rhs * inv;
        const tt = t12 * t12 * inv;
        for (let l = a; l < b; l++) S[rj * dim + 1 + bt.rater[l]] -= tt;
      }
    }
    const ch = cholLogDetSolve(S, dim, rr);
    if (!ch) return { dev: Infinity, r2: NaN };
    logdet += ch.logdet;
    quad += ch.quad;
    const r2 = Math.max(this.yy - quad, 0);
    const nu = this.N - 1;
    if (!(r2 > 0)) return { dev: -Infinity, r2 };
    const dev = logdet + nu * (1 + Math.log((2 * Math.PI * r2) / nu));
    return { dev, r2 };
  }
}

/** Nelder-Mead on R^2 (f is even in each coordinate). */
function nelderMead(f: (x: number, y: number) => number, x0: [number, number], step: number, sizeTol = 1e-8, maxIter = 2000, tol = 1e-14): { x: [number, number]; f: number } {
  let pts: Array<{ x: [number, number]; f: number }> = [
    { x: [x0[0], x0[1]], f: 0 },
    { x: [x0[0] + step, x0[1]], f: 0 },
    { x: [x0[0], x0[1] + step], f: 0 },
  ];
  for (const p of pts) p.f = f(p.x[0], p.x[1]);
  for (let it = 0; it < maxIter; it++) {
    pts.sort((a, b) => a.f - b.f);
    const [best, mid, worst] = pts;
    const spread = Math.abs(worst.f - best.f);
    const size = Math.max(Math.abs(worst.x[0] - best.x[0]), Math.abs(worst.x[1] - best.x[1]), Math.abs(mid.x[0] - best.x[0]), Math.abs(mid.x[1] - best.x[1]));
    const scaleX = 1 + Math.abs(best.x[0]) + Math.abs(best.x[1]);
    if ((spread <= tol * (1 + Math.abs(best.f)) && size < 1e-8 * scaleX) || size < sizeTol * scaleX) break;
    const c: [number, number] = [(best.x[0] + mid.x[0]) / 2, (best.x[1] + mid.x[1]) / 2];
    const at = (s: number): { x: [number, number]; f: number } => {
      const x: [number, number] = [c[0] + s * (worst.x[0] - c[0]), c[1] + s * (worst.x[1] - c[1])];
      return { x, f: f(x[0], x[1]) };
    };
    const r = at(-1);
    if (r.f < best.f) {
      const e = at(-2);
      pts = [best, mid, e.f < r.f ? e : r];
    } else if (r.f < mid.f) {
      pts = [best, mid, r];
    } else {
      const cc = r.f < worst.f ? at(-0.5) : at(0.5);
      if (cc.f < Math.min(r.f, worst.f)) pts = [best, mid, cc];
      else {
        const shrink = (p: { x: [number, number] }) => {
          const x: [number, number] = [best.x[0] + 0.5 * (p.x[0] - best.x[0]), best.x[1] + 0.5 * (p.x[1] - best.x[1])];
          return { x, f: f(x[0], x[1]) };
        };
        pts = [best, shrink(mid), shrink(worst)];
      }
    }
  }
  pts.sort((a, b) => a.f - b.f);
  return pts[0];
}

/** BFGS with central-difference gradients and Armijo backtracking, on R^2. */
function bfgs2(f: (x: number, y: number) => number, x0: [number, number], f0: number, maxIter = 60): { x: [number, number]; f: number } {
  const grad = (x: [number, number]): [number, number] => {
    const h0 = 1e-6 * (1 + Math.abs(x[0]));
    const h1 = 1e-6 * (1 + Math.abs(x[1]));
    return [(f(x[0] + h0, x[1]) - f(x[0] - h0, x[1])) / (2 * h0), (f(x[0], x[1] + h1) - f(x[0], x[1] - h1)) / (2 * h1)];
  };
  let x = x0;
  let fx = f0;
  let g = grad(x);
  let H = [1, 0, 0, 1]; // inverse Hessian approximation, row-major 2x2
  for (let it = 0; it < maxIter; it++) {
    let p: [number, number] = [-(H[0] * g[0] + H[1] * g[1]), -(H[2] * g[0] + H[3] * g[1])];
    let slope = p[0] * g[0] + p[1] * g[1];
    if (!(slope < 0)) {
      H = [1, 0, 0, 1];
      p = [-g[0], -g[1]];
      slope = -(g[0] * g[0] + g[1] * g[1]);
      if (!(slope < 0)) break;
    }
    let step = 1;
    let xn: [number, number] = x;
    let fn = fx;
    let ok = false;
    for (let ls = 0; ls < 40; ls++) {
      xn = [x[0] + step * p[0], x[1] + step * p[1]];
      fn = f(xn[0], xn[1]);
      if (fn <= fx + 1e-4 * step * slope) {
        ok = true;
        break;
      }
      step /= 2;
    }
    if (!ok) break;
    const sx: [number, number] = [xn[0] - x[0], xn[1] - x[1]];
    const gn = grad(xn);
    const y: [number, number] = [gn[0] - g[0], gn[1] - g[1]];
    const sy = sx[0] * y[0] + sx[1] * y[1];
    x = xn;
    const df = fx - fn;
    fx = fn;
    g = gn;
    if (Math.max(Math.abs(sx[0]), Math.abs(sx[1])) < 1e-10 * (1 + Math.abs(x[0]) + Math.abs(x[1])) || df < 1e-13 * (1 + Math.abs(fx))) break;
    if (sy > 1e-300) {
      // H+ = (I - rho s y') H (I - rho y s') + rho s s'
      const rho = 1 / sy;
      const Hy = [H[0] * y[0] + H[1] * y[1], H[2] * y[0] + H[3] * y[1]];
      const yHy = y[0] * Hy[0] + y[1] * Hy[1];
      H = [
        H[0] + (1 + rho * yHy) * rho * sx[0] * sx[0] - rho * (Hy[0] * sx[0] + sx[0] * Hy[0]),
        H[1] + (1 + rho * yHy) * rho * sx[0] * sx[1] - rho * (Hy[0] * sx[1] + sx[0] * Hy[1]),
        H[2] + (1 + rho * yHy) * rho * sx[1] * sx[0] - rho * (Hy[1] * sx[0] + sx[1] * Hy[0]),
        H[3] + (1 + rho * yHy) * rho * sx[1] * sx[1] - rho * (Hy[1] * sx[1] + sx[1] * Hy[1]),
      ];
    }
  }
  return { x, f: fx };
}

/** Golden-section minimisation on [a, b]. */
function golden(f: (x: number) => number, a: number, b: number, tol = 1e-12): { x: number; f: number } {
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < 200 && b - a > tol * (1 + Math.abs(c)); i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  return fc < fd ? { x: c, f: fc } : { x: d, f: fd };
}

/**
 * Fits the crossed model by REML. `start` (optional) is a guess of theta, e.g. from the ANOVA mean squares of the
 * complete targets; it saves the coarse search when it is better than the built-in rough start.
 */
export function fitCrossedReml(bt: ByTarget, start?: [number, number]): RemlFit {
  // The model is symmetric in targets and raters: eliminate the larger factor, keep the smaller one dense.
  if (bt.nRaters > bt.nTargets) {
    const f = fitCrossedReml(transpose(bt), start ? [start[1], start[0]] : undefined);
    return { ...f, sigma2_target: f.sigma2_rater, sigma2_rater: f.sigma2_target, theta: [f.theta[1], f.theta[0]] };
  }
  const P = new RemlProblem(bt);
  const dev = (a: number, b: number) => P.evaluate(Math.abs(a), Math.abs(b)).dev;
  const best = interiorOptimum(dev, roughStart(P), start);
  const th = bestWithBoundaries(dev, best);
  const { r2, dev: d } = P.evaluate(th[0], th[1]);
  const s2 = r2 / (P.N - 1);
  return {
    sigma2_target: th[0] * th[0] * s2,
    sigma2_rater: th[1] * th[1] * s2,
    sigma2_residual: s2,
    theta: [th[0], th[1]],
    deviance: d,
    n_obs: P.N,
    evaluations: P.evaluations,
  };
}

type Deviance = (a: number, b: number) => number;

/** A rough theta from moment estimates of the target and rater variances (mean squared target and rater means). */
function roughStart(P: RemlProblem): [number, number] {
  let mT = 0,
    nT = 0,
    mR = 0,
    nR = 0;
  for (let t = 0; t < P.nT; t++) if (P.cT[t] > 0) {
    mT += (P.ySumT[t] / P.cT[t]) ** 2;
    nT++;
  }
  for (let r = 0; r < P.k; r++) if (P.cR[r] > 0) {
    mR += (P.ySumR[r] / P.cR[r]) ** 2;
    nR++;
  }
  const tot = P.yy / P.N || 1;
  const vt = Math.max(mT / Math.max(nT, 1) / tot, 0.01);
  const vr = Math.max(mR / Math.max(nR, 1) / tot, 0.01);
  return [Math.sqrt(vt / (1 - Math.min(vt, 0.9))), Math.sqrt(vr)];
}

/**
 * Coarse Nelder-Mead (robust from a poor start; skipped when the caller's start is better than the rough one), then
 * quasi-Newton to polish (superlinear near the optimum), then a Nelder-Mead restart as a safeguard that only costs a
 * few evaluations when the optimum is already found.
 */
function interiorOptimum(dev: Deviance, rough: [number, number], start?: [number, number]): { x: [number, number]; f: number } {
  let best: { x: [number, number]; f: number };
  const fStart = start && start.every(Number.isFinite) ? dev(start[0], start[1]) : Infinity;
  if (fStart < dev(rough[0], rough[1])) best = { x: [start![0], start![1]], f: fStart };
  else best = nelderMead(dev, rough, 0.3, 1e-3);
  const polished = bfgs2(dev, [Math.abs(best.x[0]), Math.abs(best.x[1])], best.f);
  if (polished.f <= best.f) best = polished;
  const check = nelderMead(dev, [Math.abs(best.x[0]), Math.abs(best.x[1])], 1e-3 * (1 + Math.abs(best.x[0]) + Math.abs(best.x[1])), 1e-7);
  if (check.f < best.f) best = check;
  return best;
}

/**
 * The interior optimum against boundary candidates: one component at zero (lme4 often stops there), polished in 1-D
 * when they look better than (or as good as) the interior optimum with that component zeroed, and both at zero.
 */
function bestWithBoundaries(dev: Deviance, best: { x: [number, number]; f: number }): [number, number] {
  const span = 4 * (1 + Math.abs(best.x[0]) + Math.abs(best.x[1]));
  const cands = [{ x: [Math.abs(best.x[0]), Math.abs(best.x[1])] as [number, number], f: best.f }];
  const z1 = dev(Math.abs(best.x[0]), 0);
  const z2 = dev(0, Math.abs(best.x[1]));
  if (z1 <= best.f + 1e-3) {
    const b1 = golden((x) => dev(x, 0), 0, span, 1e-10);
    cands.push({ x: [b1.x, 0], f: b1.f });
  }
  if (z2 <= best.f + 1e-3) {
    const b2 = golden((x) => dev(0, x), 0, span, 1e-10);
    cands.push({ x: [0, b2.x], f: b2.f });
  }
  cands.push({ x: [0, 0], f: dev(0, 0) });
  cands.sort((a, b) => a.f - b.f);
  return cands[0].x;
}

/** The same ratings grouped by rater (raters play the targets' part). */
function transpose(bt: ByTarget): ByTarget {
  const n = bt.value.length;
  const k = bt.nRaters;
  const start = new Int32Array(k + 1);
  for (let j = 0; j < n; j++) start[bt.rater[j] + 1]++;
  for (let r = 0; r < k; r++) start[r + 1] += start[r];
  const pos = start.slice(0, k);
  const rater = new Int32Array(n);
  const value = new Float64Array(n);
  const source = new Int32Array(n);
  for (let t = 0; t < bt.nTargets; t++) {
    for (let j = bt.start[t]; j < bt.start[t + 1]; j++) {
      const q = pos[bt.rater[j]]++;
      rater[q] = t;
      value[q] = bt.value[j];
      source[q] = bt.source[j];
    }
  }
  return { nTargets: k, nRaters: bt.nTargets, start, rater, value, source };
}
