#!/usr/bin/env node
// Continuous annotation traces for `mmprep agreement --traces` (fixtures/agreement/traces/, tests
// test/agreement-traces*.test.ts, references by scripts/trace-references.R). Deterministic (mulberry32, seed 60).
//   panel.csv: 4 targets of 30 s, 6 raters, arousal and valence in [-1, 1], long `target,rater,time_s,arousal,valence`.
//     Each target's true signal is a sum of 5 sinusoids (0.03-0.4 Hz, random phases) squashed by tanh; a rater writes
//     the signal delayed by their lag plus white noise (sd 0.08), rounded to 3 decimals, at their own step:
//       r1 lag 0   every 0.1 s      r2 lag 0 every 0.05 s     r3 lag 0.8 s every 0.1 s     r4 lag 2.4 s every 0.1 s
//       r5: arousal an unrelated signal (an outlier), valence reversed (-signal, lag 0)
//       r6: lag 0, but never moves in s02 (0 throughout) and stops at 15 s in s03
//   independent.csv: 3 targets of 30 s, 4 raters, each an independent random signal (negative control: no lag, r ~ 0).
// Usage: node scripts/make-trace-fixtures.mjs OUT_DIR
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from './rng.mjs';

const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/make-trace-fixtures.mjs OUT_DIR');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const random = mulberry32(60);
const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

/** A smooth signal in (-1, 1): tanh of a sum of 5 sinusoids. */
function signal() {
  const parts = Array.from({ length: 5 }, () => ({ f: 0.03 + 0.37 * random(), p: 2 * Math.PI * random(), a: 0.3 + 0.5 * random() }));
  return (t) => Math.tanh(parts.reduce((s, c) => s + c.a * Math.sin(2 * Math.PI * c.f * t + c.p), 0));
}

const DUR = 30;
const fmt = (v) => (Math.round(Math.max(-1, Math.min(1, v)) * 1000) / 1000).toString();
const time = (k, step) => (Math.round(k * step * 1000) / 1000).toString();

function panel() {
  const rows = ['target,rater,time_s,arousal,valence'];
  const raters = [
    { id: 'r1', lag: 0, step: 0.1 },
    { id: 'r2', lag: 0, step: 0.05 },
    { id: 'r3', lag: 0.8, step: 0.1 },
    { id: 'r4', lag: 2.4, step: 0.1 },
    { id: 'r5', lag: 0, step: 0.1 },
    { id: 'r6', lag: 0, step: 0.1 },
  ];
  for (const target of ['s01', 's02', 's03', 's04']) {
    const truth = { arousal: signal(), valence: signal() };
    const unrelated = signal();
    for (const r of raters) {
      const end = r.id === 'r6' && target === 's03' ? 15 : DUR;
      for (let k = 0; k * r.step <= end + 1e-9; k++) {
        const t = k * r.step;
        let a = truth.arousal(t - r.lag) + 0.08 * gauss();
        let v = truth.valence(t - r.lag) + 0.08 * gauss();
        if (r.id === 'r5') {
          a = unrelated(t) + 0.08 * gauss();
          v = -v;
        }
        if (r.id === 'r6' && target === 's02') a = v = 0;
        rows.push(`${target},${r.id},${time(k, r.step)},${fmt(a)},${fmt(v)}`);
      }
    }
  }
  return rows;
}

function independent() {
  const rows = ['target,rater,time_s,valence'];
  for (const target of ['u01', 'u02', 'u03'])
    for (const id of ['a', 'b', 'c', 'd']) {
      const s = signal();
      for (let k = 0; k * 0.1 <= DUR + 1e-9; k++) rows.push(`${target},${id},${time(k, 0.1)},${fmt(s(k * 0.1) + 0.08 * gauss())}`);
    }
  return rows;
}

for (const [name, rows] of [['panel.csv', panel()], ['independent.csv', independent()]]) {
  writeFileSync(join(out, name), rows.join('\n') + '\n');
  console.log(`${join(out, name)}: ${rows.length - 1} rows`);
}
