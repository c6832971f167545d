/**
 * A read-only trial by a new user (2026-12-03): an Excel export with a title row above the header, a rater on
 * milliseconds beside raters on seconds, the consensus the per-rater figures compare against, and ratings given as
 * rows (ratingsFromRows: dataset build's labels, JSON input) without the CSV reader's off-range rule.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInProcess, tempDir } from './helpers/cli.js';
import { analyzeAgreement, ratingsFromRows } from '../src/agreement/index.js';
import { consensusNote } from '../src/agreement/exclude.js';
import { binomialUpperTail } from '../src/agreement/identical-raters.js';
import { formatAgreementText } from '../src/agreement/format.js';

const tmp = tempDir('mmprep-agr-trialfix-');
afterAll(() => tmp.cleanup());

function file(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

const TITLE = "looks like a title, not a header: it names one column and the rows below hold more; the column names (target, rater, rating, or target and one column per rater) must be on line 1: delete the title row(s) above them (in the sheet, or the CSV's first line)";

describe('agreement: a title row above the header (A7)', () => {
  it("an Excel export's 'Ratings export 2026-11' in A1 is named as a title, line 1 (was: column 2 has no name)", async () => {
    const p = file('title.csv', 'Ratings export 2026-11,,\ntarget,rater,rating\nt1,a,3\nt1,b,4\nt2,a,5\nt2,b,5\n');
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mmprep: ${p}:1: line 1 ('Ratings export 2026-11') ${TITLE}\n`);
  });

  it('a title with no delimiter at all above a semicolon wide sheet is named too (was: this row has 4 cells, the header 1 columns)', async () => {
    const p = file('title-semi.csv', 'Ratings export 2026-11\ntarget;r1;r2;r3\nt1;3;4;3\nt2;5;5;4\n');
    const r = await runCliInProcess(['agreement', p, '--delimiter', 'semicolon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mmprep: ${p}:1: line 1 ('Ratings export 2026-11') ${TITLE}\n`);
  });

  it('negative controls: a header naming only the target, a one-column file: their own messages, not a title', async () => {
    const t = file('target-only.csv', 'target,,\nt1,3,4\n');
    const a = await runCliInProcess(['agreement', t]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("column 2 has no name in the header but holds data ('3')");
    const one = file('one-col.csv', 'score\n3\n4\n');
    const b = await runCliInProcess(['agreement', one]);
    expect(b.code).toBe(2);
    expect(b.stderr).not.toContain('title');
  });
});

/** Reaction times of 8 clips: three raters in seconds, the fourth (`odd`) in milliseconds. */
const RT = [0.42, 0.61, 0.35, 0.78, 0.5, 0.66, 0.39, 0.55];
function secondsAndMs(odd: string): string {
  const rows = ['target,rater,rating'];
  RT.forEach((v, t) =>
    ['r1', 'r2', 'r3', 'r4'].forEach((r, k) => rows.push(`c${t},${r},${r === odd ? Math.round((v + 0.01 * k) * 1000) : (v + 0.01 * k).toFixed(2)}`)),
  );
  return rows.join('\n') + '\n';
}

describe('agreement: one rater in milliseconds beside raters in seconds (A9)', () => {
  it('the rater in milliseconds is named as off the scale of the three in seconds (was: r1, a rater in seconds)', async () => {
    const p = file('rt-ms.csv', secondsAndMs('r4'));
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mmprep: .*rt-ms\.csv:\d+, column rating: rating \d+ by rater 'r4' \(its ratings span 380-810, median 555\) is off the scale of raters 'r1', 'r2', 'r3' \(ratings [\d.]+-[\d.]+, median [\d.]+\): ratings on two scales \(such as seconds and milliseconds/);
  });

  it('the same when the rater in milliseconds comes first in the file', async () => {
    const p = file('rt-ms-first.csv', secondsAndMs('r1'));
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/by rater 'r1' \(its ratings span \d+-\d+, median \d+\) is off the scale of raters 'r2', 'r3', 'r4'/);
  });

  it('one rater in whole seconds beside three in milliseconds: the one in seconds is named', async () => {
    const rows = ['target,rater,rating'];
    [3, 5, 2, 8, 4, 6, 7, 5].forEach((v, t) => ['r1', 'r2', 'r3', 'r4'].forEach((r, k) => rows.push(`c${t},${r},${r === 'r1' ? v : v * 1000 + 10 * k}`)));
    const r = await runCliInProcess(['agreement', file('s-ms.csv', rows.join('\n') + '\n')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/by rater 'r1' \(its ratings span 2-8, median 5\) is off the scale of raters 'r2', 'r3', 'r4'/);
  });
});

describe('agreement: which raters the consensus includes (A6)', () => {
  // six raters 1-9; r6 rates 4 above the others on every target (flagged: bias, far_from_others)
  const BASE = [3, 5, 2, 6, 4, 5, 3, 4, 2, 5, 3, 4];
  const rows = ['target,rater,rating'];
  BASE.forEach((b, t) => ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'].forEach((r, k) => rows.push(`c${t},${r},${r === 'r6' ? b + 4 : b + ((t + k) % 3 === 0 ? 1 : 0)}`)));
  const NOTE = "each rater is compared with every other rater (bias, r, mean |diff|), the flagged rater 'r6' among them, as psych's alpha r.drop compares each item with all the others; the gold labels count it too";

  it('the table, the JSON and the report say the flagged rater is in the consensus', async () => {
    const p = file('flagged.csv', rows.join('\n') + '\n');
    const report = join(tmp.dir, 'flagged.html');
    const t = await runCliInProcess(['agreement', p, '--report', report]);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/ r6 .*bias/);
    // (its ratings give r1 = r4 and r2 = r5, identical_raters: since ttrial56 the hint says to leave one of each out first)
    expect(t.stdout).toContain(`  (${NOTE})\n  (to see the figures without a flagged rater, run again with --exclude-rater r6; the flags of r6 are read against the rater(s) the warnings above name (constant, or identical to another), who move every other rater's bias and r: leave those out first (--exclude-rater r4,r5) and read the flags again)\n`);
    expect(readFileSync(report, 'utf8')).toContain(NOTE.replace(/'/g, '&#39;'));
    const j = await runCliInProcess(['agreement', p, '--json']);
    expect(JSON.parse(j.stdout).dimensions[0].consensus_note).toBe(NOTE);
    // labels: no bias, r or mean |diff| column to point at
    expect(consensusNote([{ rater: 'r6', flags: ['low_agreement'] }], true)).toBe(NOTE.replace('bias, r, mean |diff|', 'agreement with the majority'));
  });

  it('negative control: with no rater flagged there is no such line, consensus_note null', async () => {
    const p = file('unflagged.csv', rows.filter((l) => !l.includes(',r6,')).join('\n') + '\n');
    const j = await runCliInProcess(['agreement', p, '--json']);
    expect(JSON.parse(j.stdout).dimensions[0].raters.every((r: { flags: string[] }) => r.flags.length === 0)).toBe(true);
    expect(JSON.parse(j.stdout).dimensions[0].consensus_note).toBeNull();
  });
});

describe('ratingsFromRows: the CSV reader\'s off-range rule, warned', () => {
  const SHEET = [[3, 4, 3], [5, 5, 6], [2, 2, 1], [6, 5, 6], [4, 4, 3], [1, 2, 2], [7, 6, 6], [3, 3, 4]];
  const rows = (at: (t: number, k: number) => number | null) => SHEET.flatMap((x, t) => x.map((v, k) => ({ target: `c${t}`, rater: `r${k + 1}`, rating: at(t, k) ?? v })));

  it('a slip (44 beside 1-7) is warned as far_rating naming the row (was: read into every figure without a word)', () => {
    const w = analyzeAgreement(ratingsFromRows(rows((t, k) => (t === 3 && k === 1 ? 44 : null)))).dimensions[0].warnings.filter((x) => x.code === 'far_rating');
    expect(w).toEqual([expect.objectContaining({ code: 'far_rating', rater: 'r2', ratings: [{ value: 44, line: null, row: 11 }] })]);
    expect((w[0] as { message: string }).message).toMatch(/^rating 44 by rater 'r2' \(row 11\) is far beyond the other raters' ratings \(1 to 7\)/);
  });

  it('the scale option reads it, and refuses a rating outside the declared scale', () => {
    const r = rows((t, k) => (t === 3 && k === 1 ? 44 : null));
    expect(ratingsFromRows(r, { scale: [1, 50] }).dimensions[0].scale).toEqual([1, 50]);
    expect(() => ratingsFromRows(r, { scale: [1, 7] })).toThrow('rating 44 is outside the scale 1 to 7 that the scale option declares');
  });

  it('more far ratings than slips are warned (far_rating, row numbers), not refused', () => {
    const res = analyzeAgreement(ratingsFromRows(rows((t, k) => (k === 1 && t < 3 ? 40 : null))));
    expect(res.dimensions[0].warnings).toContainEqual(expect.objectContaining({ code: 'far_rating', rater: 'r2' }));
    expect(JSON.stringify(res.dimensions[0].warnings)).toContain('40 (row 2), 40 (row 5), 40 (row 8)');
  });

  it('negative control: the sheet as it is is read without a warning', () => {
    expect(analyzeAgreement(ratingsFromRows(rows(() => null))).dimensions[0].warnings).toEqual([]);
  });
});

describe("Fleiss' kappa of a crowd design (each target rated by another subset of raters, CREMA-D's; ttrial59c)", () => {
  // 6 clips, 3 ratings each from a pool of 6 raters (clip t: raters t, t+1, t+2 mod 6): no clip has every rater.
  const LABELS = [['a', 'a', 'b'], ['b', 'b', 'b'], ['a', 'c', 'c'], ['c', 'c', 'c'], ['a', 'a', 'a'], ['b', 'c', 'b']];
  const crowd = LABELS.flatMap((x, t) => x.map((v, k) => ({ target: `clip${t}`, rater: `r${((t + k) % 6) + 1}`, rating: v })));
  // Fleiss (1971) by hand: P_i = sum n_ij (n_ij - 1) / (m (m - 1)), p_j = share of all ratings.
  const P = LABELS.map((x) => ['a', 'b', 'c'].reduce((s, c) => { const n = x.filter((v) => v === c).length; return s + n * (n - 1); }, 0) / 6);
  const all = LABELS.flat();
  const pe = ['a', 'b', 'c'].reduce((s, c) => s + (all.filter((v) => v === c).length / all.length) ** 2, 0);
  const fleiss1971 = (P.reduce((a, b) => a + b, 0) / 6 - pe) / (1 - pe);

  it("Fleiss' kappa is Fleiss' (1971) on the m ratings of every target, and equals the Scott's pi row; per category too", () => {
    const r = analyzeAgreement(ratingsFromRows(crowd, { categorical: true }));
    const d = r.dimensions[0];
    expect(d.scott_pi?.coefficient).toBeCloseTo(fleiss1971, 12);
    expect(d.fleiss_kappa?.kappa).toBeCloseTo(fleiss1971, 12);
    expect(d.fleiss_kappa).toMatchObject({ reason: null, n_subjects_used: 6, ratings_per_target: 3 });
    // kappa_j = 1 - sum_i x_ij (m - x_ij) / (n m (m - 1) p_j q_j), Fleiss (1971) eq. 13, by hand.
    for (const c of ['a', 'b', 'c']) {
      const x = LABELS.map((r) => r.filter((v) => v === c).length);
      const pj = all.filter((v) => v === c).length / all.length;
      const kj = 1 - x.reduce((a, n) => a + n * (3 - n), 0) / (6 * 3 * 2 * pj * (1 - pj));
      expect(d.fleiss_per_category?.[c].kappa).toBeCloseTo(kj, 12);
    }
    expect(formatAgreementText(r)).toMatch(/Fleiss' kappa .*6 targets x 3 ratings \(each by other raters: Fleiss 1971\)/);
  });

  it('control: targets with different numbers of ratings keep the reason alone', () => {
    const d = analyzeAgreement(ratingsFromRows(crowd.slice(1), { categorical: true })).dimensions[0];
    expect(d.fleiss_kappa?.reason).toBe('no target was labelled by every rater');
  });
});

describe('identical_raters: a pair as alike as chance makes one among the pairs compared is not called a copy (ttrial59c)', () => {
  // A and B give the same label on every target; C agrees with them on 60 % (A-C, B-C: the median pair 0.6).
  const sheet = (n: number) => Array.from({ length: n }, (_, t) => {
    const v = ['x', 'y', 'z'][t % 3];
    const c = t % 5 < 3 ? v : ['y', 'z', 'x'][t % 3];
    return [{ target: `t${t}`, rater: 'A', rating: v }, { target: `t${t}`, rater: 'B', rating: v }, { target: `t${t}`, rater: 'C', rating: c }];
  }).flat();
  const copies = (n: number) => analyzeAgreement(ratingsFromRows(sheet(n), { categorical: true })).dimensions[0].warnings.filter((w) => w.code === 'identical_raters');

  it('10 of 10 identical at a 60 % median, over 3 pairs (0.6^10 x 3 = 0.018): no warning; 20 of 20 (1e-4): warned', () => {
    expect(copies(10)).toEqual([]);
    expect(copies(20)).toEqual([expect.objectContaining({ code: 'identical_raters', raters: ['A', 'B'], n_shared: 20, n_identical: 20 })]);
  });

  it('binomialUpperTail: P(X >= k), X ~ Binomial(n, p)', () => {
    expect(binomialUpperTail(10, 9, 0.5)).toBeCloseTo(11 / 1024, 15);
    expect(binomialUpperTail(10, 10, 0.6)).toBeCloseTo(0.6 ** 10, 15);
    expect(binomialUpperTail(5, 0, 0.3)).toBe(1);
  });
});
