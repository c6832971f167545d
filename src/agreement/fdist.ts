/**
 * F distribution via @stdlib (a maintained implementation of the regularized incomplete beta and its inverse), not a
 * hand-written one. The upper tail uses P(F(d1,d2) > f) = P(F(d2,d1) < 1/f), which keeps small p-values precise
 * instead of cancelling in 1 - cdf.
 *
 * The two @stdlib packages are loaded on first use: together they are ~420 CommonJS files that cost ~0.25 CPU s to
 * load, which `mmprep agreement --help`, a ratings file refused as bad input, `dataset validate` and the like never
 * need. CommonJS, so a synchronous require keeps these functions synchronous.
 */
import { createRequire } from 'node:module';
import type FCdf from '@stdlib/stats-base-dists-f-cdf';
import type FQuantile from '@stdlib/stats-base-dists-f-quantile';
import type Erfc from '@stdlib/math-base-special-erfc';

const require = createRequire(import.meta.url);
let cdfFn: typeof FCdf | null = null;
let quantileFn: typeof FQuantile | null = null;
let erfcFn: typeof Erfc | null = null;
const fCdf = (x: number, d1: number, d2: number): number => (cdfFn ??= require('@stdlib/stats-base-dists-f-cdf') as typeof FCdf)(x, d1, d2);
const fQuantile = (p: number, d1: number, d2: number): number =>
  (quantileFn ??= require('@stdlib/stats-base-dists-f-quantile') as typeof FQuantile)(p, d1, d2);

/** P(X > f) for X ~ F(d1, d2). f = +Infinity gives 0, f = 0 gives 1. */
export function fUpperTail(f: number, d1: number, d2: number): number {
  if (f === Infinity) return 0;
  if (f <= 0) return 1;
  const p = fCdf(1 / f, d2, d1);
  return Math.min(1, Math.max(0, p));
}

/** The p-quantile of F(d1, d2). */
export function fQuantileOf(p: number, d1: number, d2: number): number {
  return fQuantile(p, d1, d2);
}

/** Two-sided Student t critical value t_{1-a/2, df} from the F quantile: t^2 ~ F(1, df). */
export function tCritical(df: number, level = 0.95): number {
  if (!(df > 0)) return NaN;
  return Math.sqrt(fQuantile(level, 1, df));
}

/**
 * Two-sided normal p-value P(|Z| > |z|) = erfc(|z| / sqrt 2) (R: 2 * (1 - pnorm(abs(z))), as irr's kappam.fleiss; the
 * erfc form keeps p below 1e-16 instead of cancelling to 0).
 */
export function normalTwoSidedP(z: number): number {
  if (Number.isNaN(z)) return NaN;
  return (erfcFn ??= require('@stdlib/math-base-special-erfc') as typeof Erfc)(Math.abs(z) / Math.SQRT2);
}
