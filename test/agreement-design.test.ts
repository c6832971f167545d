/**
 * Issue 14, items 3, 6 and 7: the label order (--levels), test-retest designs (intra-rater reliability against
 * psych::ICC, scripts/make-agreement-peer-fixtures.py) and the planning figures (SEM, Spearman-Brown raters).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeAgreement, goldLabels, readRatings } from '../src/agreement/index.js';
import { spearmanBrownRaters } from '../src/agreement/planning.js';
import { FIXTURES, runCliInProcess, tempDir } from './helpers/cli.js';

const DIR = join(FIXTURES, 'agreement');
let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('mmprep-agr-design-')));
afterAll(() => cleanup());

describe('--levels', () => {
  const csv = 'target,A,B\nt1,low,low\nt2,mid,high\nt3,high,high\nt4,low,mid\nt5,mid,mid\nt6,high,mid\nt7,low,low\n';
  it('fixes the order for weighted kappa and ordinal alpha; an unknown label is exit 2 naming line and column', async () => {
    const p = join(dir, 'levels.csv');
    writeFileSync(p, csv);
    const plain = JSON.parse((await runCliInProcess(['agreement', p, '--categorical', '--json'])).stdout).dimensions[0];
    expect(plain.cohen_kappa.linear.kappa).toBeNull();
    expect(plain.order_reason).toMatch(/--levels/);
    const r = await runCliInProcess(['agreement', p, '--levels', 'low,mid,high', '--json']);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout).dimensions[0];
    expect(d.categories).toEqual(['low', 'mid', 'high']);
    // 7 pairs; codes (0,0) (1,2) (2,2) (0,1) (1,1) (2,1) (0,0): linear weights 1 - |i-j|/2
    const po = (1 + 0.5 + 1 + 0.5 + 1 + 0.5 + 1) / 7;
    const rowP = [3 / 7, 2 / 7, 2 / 7];
    const colP = [2 / 7, 3 / 7, 2 / 7];
    let pe = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) pe += (1 - Math.abs(i - j) / 2) * rowP[i] * colP[j];
    expect(d.cohen_kappa.linear.kappa).toBeCloseTo((po - pe) / (1 - pe), 12);
    expect(d.krippendorff_alpha.ordinal.alpha).not.toBeNull();
    expect(d.gwet_ac2_linear.coefficient).not.toBeNull();
    const lf = join(dir, 'levels.txt');
    writeFileSync(lf, 'low\nmid\nhigh\n');
    const viaFile = JSON.parse((await runCliInProcess(['agreement', p, '--levels-file', lf, '--json'])).stdout).dimensions[0];
    expect(viaFile.cohen_kappa.linear.kappa).toBe(d.cohen_kappa.linear.kappa);
    // the same file saved by Notepad as 'Unicode' (UTF-16 with a BOM) reads the same (ttrial55b: its labels were UTF-16 bytes read as UTF-8)
    const lf16 = join(dir, 'levels16.txt');
    writeFileSync(lf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('low\r\nmid\r\nhigh\r\n', 'utf16le')]));
    const via16 = JSON.parse((await runCliInProcess(['agreement', p, '--levels-file', lf16, '--json'])).stdout).dimensions[0];
    expect(via16.cohen_kappa.linear.kappa).toBe(d.cohen_kappa.linear.kappa);
    const bad = await runCliInProcess(['agreement', p, '--levels', 'low,high']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(`mmprep: ${p}:3, column A: label 'mid' is not one of --levels (low, high): add it to --levels, or leave its ratings out with --na mid`);
    // a level typed in another case names the level (a sixth trial: 'Strongly disagree' for 'strongly disagree')
    const cased = await runCliInProcess(['agreement', p, '--levels', 'low,Mid,high']);
    expect(cased.code).toBe(2);
    expect(cased.stderr.trim()).toBe(`mmprep: ${p}:3, column A: label 'mid' is not one of --levels (low, Mid, high): it differs from 'Mid' only in case, spaces, '-' or '_' (write 'Mid')`);
  });
});

describe('test-retest', () => {
  const file = join(DIR, 'data', 'retest_two_raters.csv');
  const ref = JSON.parse(readFileSync(join(DIR, 'expected', 'retest_two_raters.psych.json'), 'utf8'));
  it('an occasion column gives intra-rater ICC(3,1) per rater equal to psych; inter-rater figures on the first occasion', async () => {
    const d = analyzeAgreement(await readRatings(file)).dimensions[0];
    expect(d.test_retest!.occasions).toEqual(['s1', 's2']);
    expect(d.test_retest!.n_ratings_repeated).toBe(24);
    for (const r of d.test_retest!.raters) {
      const want = ref.intra_icc3[r.rater];
      expect(Math.abs(r.icc3!.icc! - want.icc)).toBeLessThan(1e-9);
      expect(Math.abs(r.icc3!.ci95[0]! - want.ci95[0])).toBeLessThan(1e-9);
      expect(Math.abs(r.icc3!.ci95[1]! - want.ci95[1])).toBeLessThan(1e-9);
    }
    expect(Math.abs(d.icc!.rows.find((x) => x.type === 'ICC2')!.icc! - ref.inter_first_occasion.ICC2)).toBeLessThan(1e-9);
    expect(d.n_ratings).toBe(24);
    const gold = [...goldLabels(await readRatings(file))];
    expect(gold).toHaveLength(12);
    expect(gold.every((g) => g.n_ratings === 2)).toBe(true); // first occasion of A and B
  });
  it('without the occasion column: duplicates are exit 2 with a hint, --repeated reads them as occasions', async () => {
    const p = join(dir, 'repeated.csv');
    const lines = readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    writeFileSync(p, 'target,rater,rating\n' + lines.map((c) => `${c[0]},${c[1]},${c[3]}`).join('\n') + '\n');
    const refused = await runCliInProcess(['agreement', p]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/duplicate rating of target 'clip1' by rater 'A'.*--repeated/);
    const r = await runCliInProcess(['agreement', p, '--repeated', '--json']);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout).dimensions[0];
    expect(d.test_retest.occasions).toEqual(['1', '2']);
    expect(Math.abs(d.test_retest.raters[1].icc3.icc - ref.intra_icc3.B.icc)).toBeLessThan(1e-9);
    const labels = await runCliInProcess(['agreement', p, '--repeated', '--categorical', '--json']);
    const k = JSON.parse(labels.stdout).dimensions[0].test_retest.raters[0];
    expect(k.kappa.kappa).not.toBeNull(); // labels: Cohen's kappa between the two occasions
    expect(k.identical).toBeCloseTo(4 / 12, 12); // rater A repeats clips with c mod 3 = 1 exactly
  });
});

describe('planning figures', () => {
  it('Spearman-Brown raters and SEM on Shrout & Fleiss (1979): consistent with psych ICC2k and the ratings SD', async () => {
    const t = await readRatings(join(DIR, 'data', 'sf_shrout_fleiss_1979.csv'));
    const d = analyzeAgreement(t, { targetIcc: 0.75 }).dimensions[0];
    const icc2 = d.icc!.rows.find((r) => r.type === 'ICC2')!.icc!;
    const sb = (rho: number, m: number) => (m * rho) / (1 + (m - 1) * rho);
    // psych's ICC2k for the 4 judges is the Spearman-Brown step-up of ICC2
    const psych = JSON.parse(readFileSync(join(DIR, 'expected', 'sf_shrout_fleiss_1979.icc.json'), 'utf8')).icc.find((r: { type: string }) => r.type === 'ICC2k').icc;
    expect(Math.abs(sb(icc2, 4) - psych)).toBeLessThan(1e-12);
    const m = d.planning!.raters_needed!;
    expect(sb(icc2, m)).toBeGreaterThanOrEqual(0.75);
    expect(sb(icc2, m - 1)).toBeLessThan(0.75);
    expect(m).toBe(8);
    const v = Array.from(t.dimensions[0].value);
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const sd = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (v.length - 1));
    expect(d.planning!.sd).toBeCloseTo(sd, 12);
    expect(d.planning!.sem).toBeCloseTo(sd * Math.sqrt(1 - icc2), 12);
    expect(spearmanBrownRaters(-0.1, 0.75)).toBeNull();
    expect(spearmanBrownRaters(0.8, 0.75)).toBe(1);
  });
  it('an ICC that is zero up to rounding (1e-16) gives "not reachable" with a reason, not 3e16 raters (trial item 2)', async () => {
    expect(spearmanBrownRaters(0.003, 0.75)).toBe(997); // 0.75 * 0.997 / (0.003 * 0.25), under the cap
    expect(spearmanBrownRaters(0.002, 0.75)).toBeNull(); // 1497 > MAX_PLANNED_RATERS
    // Two raters with no agreement beyond chance: ICC2 is 1e-16 in floating point (exactly 0 in exact arithmetic).
    const p = join(dir, 'zero-icc.csv');
    writeFileSync(p, 'target,A,B\nt1,3,4\nt2,5,3\nt3,4,1\nt4,5,2\nt5,1,1\nt6,2,4\n');
    const json = await runCliInProcess(['agreement', p, '--json']);
    const pl = JSON.parse(json.stdout).dimensions[0].planning;
    expect(Math.abs(pl.icc)).toBeLessThan(1e-12);
    expect(pl.raters_needed).toBeNull();
    expect(pl.reason).toMatch(/over 1000 raters needed, not reachable|not positive/);
    const text = await runCliInProcess(['agreement', p]);
    expect(text.stdout).toMatch(/raters for ICC >= 0\.75: not reachable \(from the lower 95% bound: not reachable\)/);
    // The HTML report says the same as the text (it showed '—', which reads as "not computed").
    const html = join(dir, 'zero-icc.html');
    expect((await runCliInProcess(['agreement', p, '--report', html])).code).toBe(0);
    const planningHtml = /<h3>Planning<\/h3><p>(.*?)<\/p>/s.exec(readFileSync(html, 'utf8'))![1];
    expect(planningHtml).toContain("reaches ICC 0.75: <b>not reachable</b> (from the CI's lower bound: not reachable)");
  });
});
