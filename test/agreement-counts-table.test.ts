/**
 * A table of category counts (Fleiss' layout: a row per subject, a column per category, how many of 14 raters chose
 * it; fixtures/agreement/data/fleiss_wikipedia_counts.csv) was read as a wide file of 5 raters: ICC, kappas and gold
 * labels of counts, exit 0. Now refused (exit 2) saying what it looks like; ratings whose rows do not share one sum
 * are read as before.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCliInProcess, tempDir } from './helpers/cli.js';
import { analyzeAgreement } from '../src/agreement/index.js';
import { readRatings } from '../src/agreement/read.js';

const tmp = tempDir('mmprep-agr-counts-');
afterAll(() => tmp.cleanup());

describe('a table of category counts', () => {
  it('is refused, numeric or --categorical, naming the sum', async () => {
    const p = join(FIXTURES, 'agreement', 'data', 'fleiss_wikipedia_counts.csv');
    for (const extra of [[], ['--categorical']]) {
      const r = await runCliInProcess(['agreement', p, ...extra]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`mmprep: ${p}:2, column c1: every row's ratings sum to 14 (10 rows, 5 columns of whole numbers from 0): a table of category counts (how many raters chose each category, Fleiss' layout) rather than ratings? agreement reads one rating per rater and target: write each rater's label in a column of their own (or as target,rater,rating rows)\n`);
    }
  });

  it('ratings whose rows share a sum on some rows only, or rows all alike, are read', async () => {
    for (const rows of [[[1, 2, 3], [3, 2, 1], [2, 2, 2], [4, 1, 1], [5, 4, 4], [1, 1, 2]], Array.from({ length: 6 }, () => [2, 3, 4])]) {
      const p = join(tmp.dir, 'ratings.csv');
      writeFileSync(p, ['clip,r0,r1,r2', ...rows.map((row, t) => `t${t},${row.join(',')}`)].join('\n') + '\n');
      expect(analyzeAgreement(await readRatings(p)).dimensions[0].n_raters).toBe(3);
    }
  });
});
