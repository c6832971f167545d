/**
 * Category ids written as numbers (1 = neutral, 2 = happy, 3 = sad) analysed without --categorical (a lead's trial:
 * read as a scale, an ICC and mean gold labels such as 2.2, exit 0, without a word). Said as a `numeric_codes` warning
 * (JSON, table, report, stderr) when the disagreements fall as chance pairs do or the rating column is named like
 * labels; a Likert item whose disagreements are near misses, two values, or --categorical say nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeAgreement, readRatings } from '../src/agreement/index.js';
import { FIXTURES, runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-codes-');
afterAll(() => tmp.cleanup());

function file(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

/** 24 clips, 4 raters; `rate(truth, t, r)` gives rater r's rating of clip t. */
function longCsv(rate: (truth: number, t: number, r: number) => number, column = 'rating'): string {
  const rows = [`target,rater,${column}`];
  for (let t = 0; t < 24; t++) for (let r = 0; r < 4; r++) rows.push(`c${t},r${r + 1},${rate(1 + (t % 3), t, r)}`);
  return rows.join('\n') + '\n';
}
/** Emotion ids 1-3: a rater who errs picks one of the two other ids, either as often. */
const ids = (truth: number, t: number, r: number) => ((t * 7 + r * 3) % 4 === 0 ? 1 + ((truth + (t % 2)) % 3) : truth);
/** A 1-5 scale: errors are near misses. */
const likert = (truth: number, t: number, r: number) => Math.min(5, (truth + (t % 5) > 5 ? truth : truth + (t % 3)) + ((t * 7 + r * 3) % 4 === 0 ? 1 : 0));

const codes = (d: { warnings: Array<{ code: string }> }) => d.warnings.filter((w) => w.code === 'numeric_codes');

describe('numeric category ids read as a scale', () => {
  it('disagreements as far apart as chance pairs: a numeric_codes warning on stderr, in the JSON, the table and the report; exit 0', async () => {
    const p = file('ids.csv', longCsv(ids));
    const report = join(tmp.dir, 'ids.html');
    const r = await runCliInProcess(['agreement', p, '--json', '--report', report]);
    expect(r.code, r.stderr).toBe(0);
    const [w] = codes(JSON.parse(r.stdout).dimensions[0]);
    expect(w).toMatchObject({ code: 'numeric_codes', values: [1, 2, 3], evidence: 'disagreements' });
    expect(r.stderr).toContain(`mmprep agreement: warning: ${p}: the ratings (1, 2, 3) are read as a scale (the ICC, interval alpha, rater bias and mean gold labels treat 3 as farther from 1 than 2 is), but their disagreements are as far apart as chance pairs`);
    expect(r.stderr).toContain('if they are category ids, pass --categorical');
    expect(readFileSync(report, 'utf8')).toContain('Warning: the ratings (1, 2, 3) are read as a scale');
    expect((await runCliInProcess(['agreement', p])).stdout).toContain('Warning: the ratings (1, 2, 3) are read as a scale');
    const cat = await runCliInProcess(['agreement', p, '--categorical', '--json']);
    expect(codes(JSON.parse(cat.stdout).dimensions[0])).toEqual([]);
  });

  it("a rating column named like labels ('emotion') holding whole numbers is said whatever the alpha", async () => {
    const d = analyzeAgreement(await readRatings(file('emotion.csv', longCsv(likert, 'emotion')), { ratingColumn: 'emotion' })).dimensions[0];
    expect(codes(d)).toMatchObject([{ evidence: 'column_name', message: expect.stringContaining("column 'emotion' holds whole numbers (1, 2, 3, 4, 5)") }]);
  });

  it('negative controls: a 1-5 scale with near misses, two values, the demo ratings', async () => {
    const scale = analyzeAgreement(await readRatings(file('likert.csv', longCsv(likert)))).dimensions[0];
    expect(scale.krippendorff_alpha.interval.alpha as number).toBeGreaterThan(scale.krippendorff_alpha.nominal.alpha as number);
    expect(codes(scale)).toEqual([]);
    const two = analyzeAgreement(await readRatings(file('two.csv', longCsv((truth, t, r) => 1 + (ids(truth, t, r) % 2))))).dimensions[0];
    expect(codes(two)).toEqual([]);
    const demo = analyzeAgreement(await readRatings(join(FIXTURES, 'demo', 'ratings.csv')));
    expect(demo.dimensions.flatMap(codes)).toEqual([]);
  });
});
