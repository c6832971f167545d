/**
 * A rater who used the 1-7 scale the other way round (7 = low): before, the Raters table flagged them only as
 * low_correlation / far_from_others (5+ raters; with fewer, nothing), and the numeric_codes warning it set off said
 * "if they are category ids, pass --categorical". Now a reversed_scale warning names the rater and the recode.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeAgreement, ratingsFromRows } from '../src/agreement/index.js';
import { runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-reversed-');
afterAll(() => tmp.cleanup());

/** 20 clips rated 1-7 by `raters`; `rev` rates 8 - x; small disagreements among the others. */
function rows(raters: string[], rev: string[]) {
  const out = [];
  for (let t = 0; t < 20; t++) {
    for (const [j, r] of raters.entries()) {
      const x = Math.min(7, Math.max(1, 1 + (t % 7) + ((t + j) % 3 === 0 ? 1 : 0)));
      out.push({ target: `c${t}`, rater: r, rating: rev.includes(r) ? 8 - x : x });
    }
  }
  return out;
}
const warningsOf = (raters: string[], rev: string[]) => analyzeAgreement(ratingsFromRows(rows(raters, rev))).dimensions[0].warnings;

describe('reversed_scale', () => {
  it('names the rater who rates against the others (3 raters: no outlier flag computed), on stderr and in the table', async () => {
    const lines = ['clip,rater,rating', ...rows(['ann', 'bob', 'cy'], ['cy']).map((r) => `${r.target},${r.rater},${r.rating}`)];
    const p = join(tmp.dir, 'rev.csv');
    writeFileSync(p, lines.join('\n') + '\n');
    const r = await runCliInProcess(['agreement', p, '--target-col', 'clip']);
    expect(r.code).toBe(0);
    const line = "rater 'cy' rates against the others (correlation with their mean r = -0.";
    expect(r.stderr).toContain(line);
    expect(r.stderr).toContain('the scale used the other way round (7 for low)? if so, recode their ratings as 8 − rating, which assumes the scale runs 1 to 7 (the lowest and highest ratings in the file; if its ends are others, LOW + HIGH − rating: declare them with --scale LOW,HIGH), or leave them out (--exclude-rater cy)');
    expect(r.stdout).toContain(`Warning: ${line}`);
  });

  it('the recode uses the scale --scale declares, not the ratings seen (nobody gave 7 on the 1-7 scale: 7 − rating was suggested)', async () => {
    // the others use 1-5 of a 1-7 scale; cy's reversed ratings 8 - x avoid 7 (at most 6): the file spans 1 to 6
    const lines = ['clip,rater,rating'];
    for (let t = 0; t < 20; t++) {
      for (const [j, r] of ['ann', 'bob', 'cy'].entries()) {
        const x = Math.min(5, 1 + (t % 5) + ((t + j) % 3 === 0 ? 1 : 0));
        lines.push(`c${t},${r},${r === 'cy' ? Math.min(6, 8 - x) : x}`);
      }
    }
    const p = join(tmp.dir, 'rev-no7.csv');
    writeFileSync(p, lines.join('\n') + '\n');
    const seen = await runCliInProcess(['agreement', p, '--target-col', 'clip']);
    expect(seen.stderr).toContain('(6 for low)? if so, recode their ratings as 7 − rating, which assumes the scale runs 1 to 6 (the lowest and highest ratings in the file;');
    const declared = await runCliInProcess(['agreement', p, '--target-col', 'clip', '--scale', '1,7']);
    expect(declared.code).toBe(0);
    expect(declared.stderr).toContain('(7 for low)? if so, recode their ratings as 8 − rating (the scale --scale declares: 1 to 7), or leave them out');
    const narrow = await runCliInProcess(['agreement', p, '--target-col', 'clip', '--scale', '1,5']);
    expect(narrow.code).toBe(2);
    const code = join(tmp.dir, 'code99.csv');
    writeFileSync(code, 'clip,rater,rating\nc1,a,3\nc1,b,99\n');
    const r99 = await runCliInProcess(['agreement', code, '--target-col', 'clip', '--scale', '1,7']);
    expect(r99.stderr).toBe(`mmprep: ${code}:3, column rating: rating 99 is outside the scale 1 to 7 that --scale declares; a code for a missing rating? pass --na 99; correct the rating, or declare the scale the file uses\n`);
    expect(narrow.stderr).toMatch(/^mmprep: \S+rev-no7\.csv:\d+, column rating: rating 6 is outside the scale 1 to 5 that --scale declares; correct the rating, or declare the scale the file uses\n$/);
  });

  it('two raters running opposite: one warning naming both; none for raters who agree or for a table of category counts', () => {
    const two = warningsOf(['a', 'b'], ['b']).filter((w) => w.code === 'reversed_scale');
    expect(two.map((w) => w.message)).toEqual([expect.stringMatching(/^the two raters' ratings run opposite \(r = -0\.\d\d on 20 targets\): did 'a' or 'b' use the scale/)]);
    expect(warningsOf(['a', 'b', 'c', 'd', 'e'], []).some((w) => w.code === 'reversed_scale')).toBe(false);
    // Fleiss' counts layout read as raters: every row sums to 14, so every column runs against the rest (r = -1)
    const counts = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]];
    const table = ratingsFromRows(counts.flatMap((row, t) => row.map((v, j) => ({ target: `s${t}`, rater: `c${j}`, rating: v }))));
    expect(analyzeAgreement(table).dimensions[0].warnings.some((w) => w.code === 'reversed_scale')).toBe(false);
  });
});
