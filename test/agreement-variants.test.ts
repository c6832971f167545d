/**
 * An annotation lead's ratings file with ids and labels typed two ways ('R3' for 'r3', 'T0' for 't0', 'Sad' for
 * 'sad', 'Valence' for 'valence'): they stay apart (as psych, irr, pandas count them) but are said, in the JSON, the
 * table and one stderr line each, exit 0. They used to change the figures silently (an extra rater, target, label or
 * dimension). Negative controls: the demo ratings and distinct ids like r1/r2 give no such warning.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeAgreement, type DimensionResult, ratingsFromRows } from '../src/agreement/index.js';
import { readRatings } from '../src/agreement/read.js';
import type { SpellingVariantsWarning } from '../src/agreement/variants.js';
import { FIXTURES, runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-variants-');
afterAll(() => tmp.cleanup());

function file(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

/** Long ratings: targets t0..t(n-1), raters r1..r3, one dimension; `edit` rewrites single rows. */
function longCsv(n: number, edit: (row: string, i: number) => string = (r) => r): string {
  const rows: string[] = [];
  for (let t = 0; t < n; t++) for (const r of ['r1', 'r2', 'r3']) rows.push(`t${t},${r},${1 + ((t * 3 + r.charCodeAt(1)) % 5)}`);
  return ['target,rater,rating', ...rows.map(edit)].join('\n') + '\n';
}

const spelling = (d: Pick<DimensionResult, 'warnings'>) => d.warnings.filter((w): w is SpellingVariantsWarning => w.code === 'spelling_variants');

describe('ids and labels that differ only in case or separators', () => {
  it("a rater typed 'R3' once: a warning naming both spellings with their counts, one stderr line, exit 0", async () => {
    const p = file('rater.csv', longCsv(6, (row, i) => (i === 8 ? row.replace(',r3,', ',R3,') : row)));
    const r = await runCliInProcess(['agreement', p, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout).dimensions[0];
    expect(d.n_raters).toBe(4);
    expect(spelling(d)).toEqual([{ code: 'spelling_variants', kind: 'rater', names: [['r3', 'R3']], where: expect.any(Array), message: expect.stringContaining("'r3' (5 ratings), 'R3' (1 rating") }]);
    // the less used spelling's line and column, so that the lead can fix it (before: the names only)
    expect(r.stderr).toBe(`mmprep agreement: warning: ${p}: raters that differ only in case, spaces, '-' or '_' are counted as different raters: 'r3' (5 ratings), 'R3' (1 rating, line 10 of column 'rater') (if they are one rater, write one spelling in the file)\n`);
    expect(spelling(d)[0].where).toEqual([{ name: 'R3', n: 1, places: [{ line: 10, row: null, column: 'rater' }] }]);
    const table = await runCliInProcess(['agreement', p]);
    expect(table.stdout).toContain("Warning: raters that differ only in case, spaces, '-' or '_'");
  });

  it("targets 't0'/'T 0' and labels 'sad'/'Sad' are named; dimensions 'valence'/'Valence' on the less used one", async () => {
    const targets = analyzeAgreement(await readRatings(file('target.csv', longCsv(4, (row, i) => (i === 1 ? row.replace('t0,', 'T 0,') : row)))));
    expect(spelling(targets.dimensions[0])).toMatchObject([{ kind: 'target', names: [['t0', 'T 0']] }]);
    const labels = analyzeAgreement(
      ratingsFromRows(
        [['t1', 'a', 'sad'], ['t1', 'b', 'Sad'], ['t2', 'a', 'happy'], ['t2', 'b', 'happy'], ['t3', 'a', 'sad'], ['t3', 'b', 'sad']].map(([target, rater, rating]) => ({ target, rater, rating })),
        { categorical: true },
      ),
    );
    expect(labels.dimensions[0].categories).toEqual(['Sad', 'happy', 'sad']);
    expect(spelling(labels.dimensions[0])).toMatchObject([{ kind: 'label', names: [['sad', 'Sad']] }]);
    const rows = [];
    for (let t = 0; t < 4; t++) for (const rater of ['r1', 'r2']) for (const dimension of ['valence', 'arousal']) rows.push({ target: `t${t}`, rater, rating: t + (rater === 'r1' ? 1 : 2), dimension: t === 3 && dimension === 'valence' ? 'Valence' : dimension });
    const dims = analyzeAgreement(ratingsFromRows(rows)).dimensions;
    expect(dims.map((d) => [d.dimension, spelling(d).map((w) => w.kind)])).toEqual([['valence', []], ['arousal', []], ['Valence', ['dimension']]]);
  });

  it("a dimension typed 'Valence' on one row (one rater there): exit 2 names the dimension column and the other spelling", async () => {
    const rows = ['target,rater,dimension,rating'];
    for (let t = 0; t < 4; t++) for (const r of ['r1', 'r2']) for (const d of ['valence', 'arousal']) rows.push(`t${t},${r},${t === 2 && r === 'r2' && d === 'valence' ? 'Valence' : d},${t + 1}`);
    const p = file('dimension.csv', rows.join('\n') + '\n');
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mmprep: ${p}:12, column dimension: fewer than two raters in dimension 'Valence' (found 1: 'r2'); dimension 'Valence' differs from 'valence' only in case, spaces, '-' or '_': write one spelling\n`);
  });

  it("numeric ids written two ways ('1', '01', '1.0'; '007' and '7'): said as spellings of one rater / target (a sixth trial: three raters, no word)", async () => {
    const p = file('numeric-ids.csv', 'target,rater,rating\n007,1,3\n007,01,4\n8,1,5\n8,01,5\n9,1,2\n9,01,1\n7,1.0,4\n7,01,4\n');
    const r = await runCliInProcess(['agreement', p, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout).dimensions[0];
    expect(d.n_raters).toBe(3);
    expect(spelling(d)).toMatchObject([
      { kind: 'rater', names: [['01', '1', '1.0']] },
      { kind: 'target', names: [['007', '7']] },
    ]);
    expect(r.stderr).toContain(`mmprep agreement: warning: ${p}: raters that differ only in case, spaces, '-', '_' or a number's zeros ('7', '007', '7.0') are counted as different raters: '01' (4 ratings), '1' (3 ratings, lines 2, 4, 6 of column 'rater'), '1.0' (1 rating, line 8 of column 'rater') (if they are one rater, write one spelling in the file)\n`);
    // ids that are other numbers (10 and 1, 1.5 and 15) are not spellings of one another
    const other = analyzeAgreement(await readRatings(file('numeric-other.csv', 'target,rater,rating\n1,10,3\n1,1,4\n15,10,5\n15,1,5\n1.5,10,2\n1.5,1,1\nv1.05,1,2\nv1.05,10,2\nv1.5,1,3\nv1.5,10,3\n')));
    expect(other.dimensions.flatMap(spelling)).toEqual([]);
  });

  it("ids that differ in a number's leading zeros inside them ('rater01' beside 'rater1'): said, with the lines (a lead's trial: two raters, no word)", async () => {
    const p = file('zeros-inside.csv', longCsv(6, (row, i) => (i >= 15 ? row.replace(',r2,', ',r02,') : row)));
    const d = analyzeAgreement(await readRatings(p)).dimensions[0];
    expect(spelling(d)).toMatchObject([{ kind: 'rater', names: [['r2', 'r02']], where: [{ name: 'r02', n: 1, places: [{ line: 18, column: 'rater' }] }] }]);
    // a wide file: the spelling is a column of the header; in-memory rows give row numbers
    const wide = analyzeAgreement(await readRatings(file('zeros-wide.csv', 'target,rater1,rater01,rater2\nt1,1,,2\nt2,2,3,2\nt3,3,,3\n'))).dimensions[0];
    expect(spelling(wide)[0].message).toContain("'rater01' (1 rating, column 'rater01' of the header, line 1)");
    const rows = analyzeAgreement(ratingsFromRows(['a', 'b', 'A'].flatMap((rater, r) => [1, 2, 3].map((t) => ({ target: `t${t}`, rater, rating: t + r }))))).dimensions[0];
    expect(spelling(rows)[0].message).toContain("'A' (3 ratings, rows 7, 8, 9 of column 'rater')");
  });

  it("an id with a zero-width space pasted in ('r2\\u200b', which prints as 'r2'): a spelling variant shown escaped, not a typo of 'r2'", async () => {
    const p = file('zero-width.csv', longCsv(6, (row, i) => (i >= 15 ? row.replace(',r2,', ',r2\u200b,') : row)));
    const r = await runCliInProcess(['agreement', p, '--json']);
    const d = JSON.parse(r.stdout).dimensions[0];
    expect(d.warnings.map((w: { code: string }) => w.code)).toEqual(['spelling_variants']);
    expect(spelling(d)[0].names).toEqual([['r2', 'r2\u200b']]);
    expect(r.stderr).toContain("raters that differ only in case, spaces, '-', '_' or characters that print as nothing (shown as \\uXXXX) are counted as different raters: 'r2' (5 ratings), 'r2\\u200b' (1 rating, line 18 of column 'rater')");
  });

  it('negative controls: the demo ratings and ids such as r1/r2, s01_u0/s01_u1 give no spelling warning', async () => {
    const demo = analyzeAgreement(await readRatings(join(FIXTURES, 'demo', 'ratings.csv')));
    expect(demo.dimensions.flatMap(spelling)).toEqual([]);
    expect(analyzeAgreement(await readRatings(file('plain.csv', longCsv(12)))).dimensions.flatMap(spelling)).toEqual([]);
  });
});

describe("labels one letter apart ('hapy' beside 'happy'): label_typo (ttrial56: an annotation lead's export, kappa lowered, no word)", () => {
  /** 12 targets, raters a, b, c; labels happy/angry/calm; `edit` rewrites single rows. */
  function labelsCsv(edit: (row: string, i: number) => string = (r) => r): string {
    const labels = ['happy', 'angry', 'calm'];
    const rows: string[] = [];
    for (let t = 0; t < 12; t++) for (const r of ['a', 'b', 'c']) rows.push(`t${t},${r},${labels[(t + (r === 'c' && t % 4 === 0 ? 1 : 0)) % 3]}`);
    return ['target,rater,rating', ...rows.map(edit)].join('\n') + '\n';
  }
  const typos = (d: DimensionResult) => d.warnings.filter((w) => w.code === 'label_typo');

  it('each typo is named with its line, the label it is a letter from, exit 0; the figures are unchanged (never merged)', async () => {
    const p = file('label-typo.csv', labelsCsv((row, i) => (i === 0 ? row.replace(',happy', ',hapy') : i === 4 ? row.replace(',angry', ',angery') : row)));
    const r = await runCliInProcess(['agreement', p, '--categorical', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout).dimensions[0];
    expect(d.categories).toEqual(['angery', 'angry', 'calm', 'happy', 'hapy']);
    expect(typos(d)).toEqual([
      { code: 'label_typo', labels: ['angery', 'angry'], where: [{ name: 'angery', n: 1, places: [{ line: 6, row: null, column: 'rating' }] }], message: expect.any(String) },
      { code: 'label_typo', labels: ['hapy', 'happy'], where: [{ name: 'hapy', n: 1, places: [{ line: 2, row: null, column: 'rating' }] }], message: expect.any(String) },
    ]);
    expect(r.stderr).toContain(`mmprep agreement: warning: ${p}: label 'hapy' (1 rating, line 2 of column 'rating') is one letter from label 'happy' (11) and is counted as a category of its own, which lowers every kappa and alpha: if it is 'happy', correct it in the file\n`);
  });

  it("negative controls: labels a letter apart used alike ('calm'/'palm'), 3 letters ('sad'/'mad'), digits only ('lvl1'/'lvl2'), --levels (refused there with 'did you mean')", async () => {
    const alike = analyzeAgreement(await readRatings(file('palm.csv', labelsCsv((row) => (row.includes(',b,') ? row.replace(',calm', ',palm') : row))), { categorical: true }));
    expect(alike.dimensions[0].categories).toContain('palm');
    expect(typos(alike.dimensions[0])).toEqual([]);
    const short = ratingsFromRows(['sad', 'sad', 'sad', 'mad', 'sad', 'sad', 'sad', 'sad'].map((rating, i) => ({ target: `t${i >> 1}`, rater: `r${i % 2}`, rating })), { categorical: true });
    expect(typos(analyzeAgreement(short).dimensions[0])).toEqual([]);
    const digits = ratingsFromRows(['lvl1', 'lvl1', 'lvl1', 'lvl2', 'lvl1', 'lvl1', 'lvl1', 'lvl1'].map((rating, i) => ({ target: `t${i >> 1}`, rater: `r${i % 2}`, rating })), { categorical: true });
    expect(typos(analyzeAgreement(digits).dimensions[0])).toEqual([]);
    const p = file('levels-typo.csv', labelsCsv((row, i) => (i === 0 ? row.replace(',happy', ',hapy') : row)));
    const r = await runCliInProcess(['agreement', p, '--levels', 'calm,happy,angry']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("did you mean 'happy'?");
  });
});
