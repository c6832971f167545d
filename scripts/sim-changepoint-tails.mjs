#!/usr/bin/env node
/**
 * The tails of a change point's error (tone-refine.ts MAX_SCATTER_SD_S): the argmax of a two-sided random walk with
 * drift (the log-likelihood ratio of a step of size delta in unit white noise as the change point moves; Hinkley 1970,
 * Biometrika 57:1-17; its variance 26 / delta^4 for small delta, Yao 1987), simulated. Prints its sd in units of
 * 1 / delta^2 (about 5.1) and the share of errors beyond 2, 3, 3.5, 4, 5 and 6 sd, and its 95th, 99th and 99.73th
 * percentiles in sd (a normal's: 1.96, 2.58, 3).
 *
 *   node scripts/sim-changepoint-tails.mjs [--runs N (default 20000)]
 *
 * Deterministic (mulberry32, fixed seed).
 */
import { rng } from './rng.mjs';

const i = process.argv.indexOf('--runs');
const R = i > 0 ? Number(process.argv[i + 1]) : 20000;
const { u, g } = rng(12345);
const d = 0.1; // delta per sample: small, so the walk is close to its continuous limit
const K = 4000; // samples each side: 40 units of 1 / delta^2, about 8 sd
/** The argmax of one side's walk (value, index from 1), its increments -d^2/2 + d z. */
function side() {
  let S = 0;
  let best = 0;
  let at = 0;
  for (let k = 1; k <= K; k++) {
    S += -d * d / 2 + d * g();
    if (S > best) [best, at] = [S, k];
  }
  return [best, at];
}
const err = [];
for (let r = 0; r < R; r++) {
  const [mr, kr] = side();
  const [ml, kl] = side();
  err.push((mr >= ml ? kr : -kl) * d * d);
}
const sd = Math.sqrt(err.reduce((a, e) => a + e * e, 0) / R);
const abs = err.map(Math.abs).sort((a, b) => a - b);
const q = (p) => abs[Math.min(R - 1, Math.floor(p * R))] / sd;
console.log(`runs ${R}: sd ${sd.toFixed(2)} (Hinkley: sqrt(26) = ${Math.sqrt(26).toFixed(2)}) in units of 1 / delta^2`);
for (const k of [2, 3, 3.5, 4, 5, 6]) console.log(`beyond ${k} sd: ${((100 * abs.filter((e) => e > k * sd).length) / R).toFixed(2)} %`);
console.log(`percentiles in sd: 95 % ${q(0.95).toFixed(2)}, 99 % ${q(0.99).toFixed(2)}, 99.73 % ${q(0.9973).toFixed(2)}`);
