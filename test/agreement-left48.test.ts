/**
 * Agreement items a trial noticed and session 48 left (ttrial48a, tagree48): the gold file's float noise
 * ('"sd":0.20999999999999996'), a zero-width bias CI ([-0.500, -0.500]), 2-4 targets with no word outside the gate
 * (ICC(3,1) 1.000 [1.000, 1.000] on 2 targets), gold labels from one rating with no word, and `joy_1, joy_2` (a
 * dimension outside the known words) refused with advice that did not say how to get it read. In-process, small files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeAgreement } from '../src/agreement/index.js';
import { readRatings } from '../src/agreement/read.js';
import { runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-left48-');
afterAll(() => tmp.cleanup());

function file(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

describe('gold labels are written without float noise (7 significant digits, as dataset build writes them)', () => {
  // t1: 4.75, 4.96, 5.17 give sd 0.20999999999999996 in doubles; t2: 0.1, 0.2 give mean and median 0.15000000000000002
  const rows = ['t1,a,4.75', 't1,b,4.96', 't1,c,5.17', 't2,a,0.1', 't2,b,0.2', 't3,a,2', 't3,b,3', 't3,c,3'];
  const p = file('noise.csv', 'target,rater,rating\n' + rows.join('\n') + '\n');

  it('jsonl and csv: sd 0.21, mean and median 0.15, share 0.6666667; the ratings as read; the same bytes twice', async () => {
    const gj = join(tmp.dir, 'gold.jsonl');
    const r = await runCliInProcess(['agreement', p, '--gold', gj]);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(gj, 'utf8');
    expect(text).not.toMatch(/\d{12}/);
    const g = text.trim().split('\n').map((l) => JSON.parse(l));
    expect([g[0].mean, g[0].sd, g[0].label]).toEqual([4.96, 0.21, 4.96]);
    expect([g[1].mean, g[1].median, g[1].label]).toEqual([0.15, 0.15, 0.15]);
    expect([g[2].mean, g[2].majority_share]).toEqual([2.666667, 0.6666667]);
    expect(g[0].ratings).toEqual({ a: 4.75, b: 4.96, c: 5.17 });
    await runCliInProcess(['agreement', p, '--gold', gj]);
    expect(readFileSync(gj, 'utf8')).toBe(text);
    const gc = join(tmp.dir, 'gold.csv');
    await runCliInProcess(['agreement', p, '--gold', gc, '--gold-aggregate', 'median']);
    expect(readFileSync(gc, 'utf8')).not.toMatch(/\d{12}/);
  });
});

describe("a rater's bias CI of zero width is '—' with the reason, not [x, x]", () => {
  it('two targets, each rater a constant offset (ttrial48a G7): null CI, reason, table line; JSON keeps the bias', async () => {
    const p = file('g7.csv', 'target,rater,rating\na,r1,3\na,r2,4\na,r3,3\nb,r1,6\nb,r2,7\nb,r3,6\n');
    const d = analyzeAgreement(await readRatings(p)).dimensions[0];
    const r1 = d.raters[0];
    expect([r1.bias, r1.bias_ci95]).toEqual([-0.5, null]);
    expect(r1.bias_ci95_reason).toBe("the differences from the others' mean are the same on each of the 2 targets compared (no spread): a t interval would have zero width and claim a certainty 2 targets cannot give");
    const r = await runCliInProcess(['agreement', p]);
    expect(r.stdout).not.toContain('[-0.500, -0.500]');
    expect(r.stdout).toMatch(/\n {2}r1 +2 +4\.500 +-0\.500 — /);
    expect(r.stdout).toContain("\n  bias CI —: r1, r2, r3: the differences from the others' mean are the same on each of the 2 targets compared");
  });

  it('a rater exactly 2 above the others on every target keeps the bias flag; raters whose differences vary keep their CI', async () => {
    const rows: string[] = [];
    for (let t = 0; t < 12; t++) {
      const v = [1 + (t % 5), 1 + ((t * 3) % 5), 2 + ((t * 2) % 4), 1 + ((t + 2) % 5)];
      v.forEach((x, i) => rows.push(`t${t},r${i + 1},${x}`));
      rows.push(`t${t},r5,${v.reduce((a, b) => a + b, 0) / 4 + 2}`);
    }
    const p = file('offset.csv', 'target,rater,rating\n' + rows.join('\n') + '\n');
    const d = analyzeAgreement(await readRatings(p)).dimensions[0];
    const r5 = d.raters.find((x) => x.rater === 'r5')!;
    expect([r5.bias, r5.bias_ci95]).toEqual([2, null]);
    expect(r5.flags).toContain('bias');
    for (const x of d.raters.filter((x) => x.rater !== 'r5')) expect([x.bias_ci95?.length, x.bias_ci95_reason]).toEqual([2, null]);
  });
});

describe('few_targets: figures from 2-4 targets are said to be no measure of agreement, gate or not', () => {
  const long = (rows: Array<[string, string, number | string]>) => 'target,rater,rating\n' + rows.map((r) => r.join(',')).join('\n') + '\n';

  it('2 targets (ttrial48a G7: ICC(3,1) 1.000 [1.000, 1.000]): JSON, table and stderr, with the degrees of freedom and Koo & Li', async () => {
    const p = file('two.csv', 'target,rater,rating\na,r1,3\na,r2,4\na,r3,3\nb,r1,6\nb,r2,7\nb,r3,6\n');
    const d = analyzeAgreement(await readRatings(p)).dimensions[0];
    const w = d.warnings.find((x) => x.code === 'few_targets');
    expect(w).toMatchObject({ code: 'few_targets', n_targets: 2, min_targets: 5, figure: 'all' });
    expect(w!.message).toMatch(/^only 2 targets are rated by two or more raters, and every agreement figure here comes from them: below 5 targets an ICC, alpha or kappa is no measure of agreement: the ICC's variance between targets rests on 1 degree of freedom \(relative SE 141 %\).*Koo & Li 2016 advise at least 30 targets.*rate more targets$/);
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`mmprep agreement: warning: ${p}: only 2 targets are rated`);
    expect(r.stdout).toContain('\nWarning: only 2 targets are rated');
  });

  it('labels on 4 targets: said without the ICC; a dimension named', async () => {
    const rows: Array<[string, string, string]> = [];
    ['x', 'y', 'x', 'y'].forEach((v, t) => ['A', 'B', 'C'].forEach((r, i) => rows.push([`t${t}`, r, i === 2 && t === 2 ? 'y' : v])));
    const p = file('labels4.csv', long(rows).replace('target,rater,rating\n', 'target,rater,dimension,rating\n').replace(/^(t\d,\w),/gm, '$1,emotion,'));
    const w = analyzeAgreement(await readRatings(p, { categorical: true })).dimensions[0].warnings.find((x) => x.code === 'few_targets');
    expect(w?.message).toMatch(/^only 4 targets in dimension 'emotion' are rated by two or more raters.*below 5 targets alpha or a kappa is no measure of agreement: each target is 1\/4 of the observed agreement/);
    expect(w?.message).not.toMatch(/ICC|Koo/);
  });

  it('the ICC on 3 complete targets of 6 (the others rated by two of three raters) is said as the ICC', async () => {
    const rows: Array<[string, string, number]> = [];
    for (let t = 0; t < 6; t++) for (const [i, r] of ['r1', 'r2', 'r3'].entries()) if (!(t >= 3 && i === t - 3)) rows.push([`t${t}`, r, 1 + ((t * 2 + i) % 5)]);
    const d = analyzeAgreement(await readRatings(file('icc3.csv', long(rows)))).dimensions[0];
    expect(d.icc!.n_targets).toBe(3);
    const w = d.warnings.find((x) => x.code === 'few_targets');
    expect(w).toMatchObject({ n_targets: 3, figure: 'icc' });
    expect(w!.message).toMatch(/^the ICC comes from 3 targets \(those every rater rated; the other figures from 6\): below 5 targets/);
  });

  it('negative controls: 5 targets, and 1 target rated twice (its figures are null with their reasons)', async () => {
    const five: Array<[string, string, number]> = [];
    for (let t = 0; t < 5; t++) for (const [i, r] of ['r1', 'r2'].entries()) five.push([`t${t}`, r, 1 + ((t * 3 + i) % 7)]);
    expect(analyzeAgreement(await readRatings(file('five.csv', long(five)))).dimensions[0].warnings.map((w) => w.code)).not.toContain('few_targets');
    const one = analyzeAgreement(await readRatings(file('one.csv', long([['a', 'r1', 3], ['a', 'r2', 4], ['b', 'r1', 5]])))).dimensions[0];
    expect(one.warnings.map((w) => w.code)).not.toContain('few_targets');
  });
});

describe('single_rating_targets: gold labels that rest on one rating are said', () => {
  // ttrial48a L2: 24 clips rated by r1-r3, 6 more by r1 alone
  const wide = (n: number, single: number) => {
    const rows = ['clip,r1,r2,r3'];
    for (let t = 0; t < n; t++) rows.push([`clip${t + 1}`, 1 + ((t * 3) % 7), 1 + ((t * 3 + 1) % 7), 1 + ((t * 2) % 7)].join(','));
    for (let t = n; t < n + single; t++) rows.push(`clip${t + 1},${1 + (t % 7)},,`);
    return rows.join('\n') + '\n';
  };

  it('6 of 30 targets rated by r1 alone: JSON (count, first 5 ids, raters), table, stderr, and with --gold', async () => {
    const p = file('l2.csv', wide(24, 6));
    const d = analyzeAgreement(await readRatings(p)).dimensions[0];
    const w = d.warnings.find((x) => x.code === 'single_rating_targets');
    expect(w).toMatchObject({ n_single: 6, n_targets: 30, targets: ['clip25', 'clip26', 'clip27', 'clip28', 'clip29'], raters: [['r1', 6]] });
    expect(w!.message).toBe(
      "6 of 30 targets have a single rating ('clip25', 'clip26', 'clip27', 'clip28', 'clip29', … 1 more; all by rater 'r1'): their gold label is that one rater's rating, " +
        'with no second rating to check it, and they carry no agreement (a target shows it from two ratings); have a second rater rate them, or keep them out of the ' +
        "training labels (n_ratings 1 in the --gold file, one rating in a dataset record's ratings)",
    );
    const gold = join(tmp.dir, 'l2-gold.jsonl');
    const r = await runCliInProcess(['agreement', p, '--gold', gold]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`mmprep agreement: warning: ${p}: 6 of 30 targets have a single rating`);
    expect(r.stdout).toContain('\nWarning: 6 of 30 targets have a single rating');
    const singles = readFileSync(gold, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((g) => g.n_ratings === 1);
    expect(singles.map((g) => g.target)).toEqual(['clip25', 'clip26', 'clip27', 'clip28', 'clip29', 'clip30']);
  });

  it('one target, rated by another rater each: singular words and every rater named; none when every target has two ratings', async () => {
    const p = file('one-single.csv', 'target,rater,rating\n' + ['a,r1,3', 'a,r2,4', 'b,r1,5', 'b,r2,5', 'c,r1,2', 'c,r2,3', 'd,r2,6', 'e,r1,1', 'e,r2,2', 'f,r1,4', 'f,r2,4'].join('\n') + '\n');
    const w = analyzeAgreement(await readRatings(p)).dimensions[0].warnings.find((x) => x.code === 'single_rating_targets');
    expect(w?.message).toMatch(/^1 of 6 targets has a single rating \('d'; all by rater 'r2'\): its gold label is that one rater's rating, .* it carries no agreement .*rate it, or keep it out/);
    const mixed = file('two-singles.csv', 'target,rater,rating\n' + ['a,r1,3', 'a,r2,4', 'b,r1,5', 'c,r2,2', 'd,r1,6', 'e,r1,1', 'e,r2,2'].join('\n') + '\n');
    expect(analyzeAgreement(await readRatings(mixed)).dimensions[0].warnings.find((x) => x.code === 'single_rating_targets')).toMatchObject({ n_single: 3, raters: [['r1', 2], ['r2', 1]] });
    expect(analyzeAgreement(await readRatings(file('none.csv', wide(6, 0)))).dimensions[0].warnings.map((x) => x.code)).not.toContain('single_rating_targets');
  });
});

describe("WORD_NUMBER columns: 'joy_1, joy_2, anger_1, anger_2' are read; an unknown pair is refused with the rename that reads it", () => {
  const M = [[3, 4, 2, 2], [6, 5, 1, 2], [2, 2, 6, 5], [7, 6, 1, 1], [4, 5, 3, 4], [1, 2, 7, 6], [5, 5, 2, 3], [6, 7, 1, 2]];
  const grid = (cols: string[]) => ['clip', ...cols].join(',') + '\n' + M.map((row, i) => [`c${i}`, ...row].join(',')).join('\n') + '\n';

  it("half the words known ('anger'): read as raters 1, 2 in dimensions joy and anger, with the note", async () => {
    const t = await readRatings(file('joy-anger.csv', grid(['joy_1', 'joy_2', 'anger_1', 'anger_2'])));
    expect(t.dimensions.map((d) => [d.name, d.raters, Array.from(d.value)])).toEqual([
      ['joy', ['1', '2'], [3, 4, 6, 5, 2, 2, 7, 6, 4, 5, 1, 2, 5, 5, 6, 7]],
      ['anger', ['1', '2'], [2, 2, 1, 2, 6, 5, 1, 1, 3, 4, 7, 6, 2, 3, 1, 2]],
    ]);
    expect(t.notes?.join('\n')).toContain("columns named DIMENSION_RATER ('joy_1', 'joy_2', 'anger_1', …) are read as 2 raters ('1', '2') in 2 dimensions ('joy', 'anger')");
  });

  it("no word known ('joy', 'hope'; 'Anna', 'Ben'): refused (exit 2) naming the rename; the renamed columns are read", async () => {
    const p = file('joy-hope.csv', grid(['joy_1', 'joy_2', 'hope_1', 'hope_2']));
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^mmprep: ${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1, column joy_1: .*if they are dimensions, rename the columns with rater ids that are no bare numbers \\(joy_r1, joy_r2, hope_r1, hope_r2, …\\), which are read as DIMENSION_RATER .*if they are passes, write the file long, as target,rater,occasion,rating`));
    const t = await readRatings(file('joy-hope-renamed.csv', grid(['joy_r1', 'joy_r2', 'hope_r1', 'hope_r2'])));
    expect(t.dimensions.map((d) => [d.name, d.raters])).toEqual([['joy', ['r1', 'r2']], ['hope', ['r1', 'r2']]]);
    await expect(readRatings(file('anna-ben.csv', grid(['Anna_1', 'Anna_2', 'Ben_1', 'Ben_2'])))).rejects.toThrow(/rename the columns with rater ids that are no bare numbers \(Anna_r1, Anna_r2, Ben_r1, Ben_r2, …\)/);
  });
});
