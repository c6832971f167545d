#!/usr/bin/env node
// A long ratings CSV with thousands of raters, for docs/benchmarks-history.md "Many raters" (the agreement command's cost at
// crowd scale): raters with random ids of 4-8 letters, each rating 2, 5, 10, 20 or 40 of 4,000 targets, integers 1-7.
// Usage: node scripts/make-many-raters.mjs RATERS OUT.csv [SEED]   (deterministic for a given seed)
import { writeFileSync } from 'node:fs';
import { mulberry32 } from './rng.mjs';

const [nArg, out, seedArg] = process.argv.slice(2);
if (!nArg || !out) {
  console.error('usage: node scripts/make-many-raters.mjs RATERS OUT.csv [SEED]');
  process.exit(2);
}
// mulberry32 (scripts/rng.mjs): a small seeded generator, so the file is the same on every machine.
const random = mulberry32(Number(seedArg ?? 1));
const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
const TARGETS = 4000;
const rows = ['target,rater,rating'];
for (let r = 0; r < Number(nArg); r++) {
  let id = '';
  for (let k = int(4, 8); k > 0; k--) id += String.fromCharCode(97 + int(0, 25));
  const picked = new Set();
  const want = [2, 5, 10, 20, 40][int(0, 4)];
  while (picked.size < want) picked.add(int(0, TARGETS - 1));
  for (const t of picked) rows.push(`t${t},${id},${int(1, 7)}`);
}
writeFileSync(out, rows.join('\n') + '\n');
console.log(`${out}: ${Number(nArg)} raters, ${rows.length - 1} ratings`);
