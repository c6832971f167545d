#!/usr/bin/env node
/**
 * fixtures/dataset/gold-trace/gold.csv: a small gold trace in the format `mmprep agreement FILE --traces --gold` writes
 * (target,dimension,time_s,gold,sd,n_raters; one row per grid time, a grid time without a rater not written), for the
 * demo's sessions (10 s each), 0.04 s grid (RECOLA's 25 Hz). Deterministic: closed-form values, no randomness.
 *   s01 arousal: a ramp, gold = time_s / 10 (0 to 0.996), sd 0.1, 3 raters
 *   s01 valence: a step, -0.2 before 5 s, 0.4 from 5 s on, sd 0.05, 3 raters
 *   s02 arousal: the ramp, but no rater 4-6 s (not written): records over that stretch are covered in part
 *   s03: no trace (its records get no trace label, counted)
 * Usage: node scripts/make-gold-trace-fixture.mjs [out.csv]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? join(root, 'fixtures', 'dataset', 'gold-trace', 'gold.csv');
const STEP = 0.04;
const N = 250; // 10 s
const rows = ['target,dimension,time_s,gold,sd,n_raters'];
const fmt = (x) => Number(x.toFixed(4)).toString();
for (let k = 0; k < N; k++) rows.push(`s01,arousal,${fmt(k * STEP)},${fmt((k * STEP) / 10)},0.1,3`);
for (let k = 0; k < N; k++) rows.push(`s01,valence,${fmt(k * STEP)},${k * STEP < 5 - 1e-9 ? -0.2 : 0.4},0.05,3`);
for (let k = 0; k < N; k++) {
  const t = k * STEP;
  if (t > 4 - 1e-9 && t < 6 - 1e-9) continue;
  rows.push(`s02,arousal,${fmt(t)},${fmt(t / 10)},0.1,2`);
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, rows.join('\n') + '\n');
console.log(`${out}: ${rows.length - 1} rows`);
