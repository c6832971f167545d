/**
 * Inputs whose figures would otherwise be silently off: an empty rater column (left out and said), tied gold labels
 * (null with a reason, never a pick by category order), Cohen's kappa SE where the asymptotic variance degenerates
 * (null with a reason where psych/statsmodels print 0), and a --delimiter that leaves the header one column.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeAgreement, goldLabels, ratingsFromRows } from '../src/agreement/index.js';
import { kappaFromTable } from '../src/agreement/kappa.js';
import { renderReport } from '../src/agreement/report.js';
import { evaluateGate } from '../src/agreement/gate.js';
import { runCli, runCliInProcess, tempDir } from './helpers/cli.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('mmprep-agr-edges-')));
afterAll(() => cleanup());

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const unweighted = (i: number, j: number) => (i === j ? 1 : 0);

// 5 targets: fewer get a few_targets warning of their own (test/agreement-left48.test.ts), which is not the subject here
describe('a rater without any rating is left out and said', () => {
  it('wide: an empty column is a warning in the JSON and one stderr line naming it', async () => {
    const p = file('emptycol.csv', 'target,A,B,C\nt1,1,,2\nt2,3,,3\nt3,5,,4\nt4,2,,2\nt5,4,,5\n');
    const r = await runCliInProcess(['agreement', p, '--json']);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout).dimensions[0];
    expect(d.n_raters).toBe(2);
    expect(d.warnings).toEqual([{ code: 'empty_rater', rater: 'B', message: expect.stringContaining("column 'B' has no rating in any row") }]);
    expect(r.stderr).toContain(`warning: ${p}: column 'B' has no rating in any row: left out, 2 raters remain`);
    const report = join(dir, 'emptycol.html');
    const text = await runCliInProcess(['agreement', p, '--report', report]);
    expect(text.stdout).toContain("Warning: column 'B' has no rating in any row");
    expect(readFileSync(report, 'utf8')).toContain('Warning: column &#39;B&#39; has no rating in any row');
  });
  it('long: a rater whose every rating is empty is a warning too', async () => {
    const p = file('longempty.csv', 'target,rater,rating\nt1,a,1\nt1,b,2\nt1,c,\nt2,a,3\nt2,b,3\nt2,c,NA\nt3,a,4\nt3,b,5\nt4,a,2\nt4,b,2\nt5,a,5\nt5,b,4\n');
    const r = await runCliInProcess(['agreement', p, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).dimensions[0].warnings.map((w: { rater: string }) => w.rater)).toEqual(['c']);
    expect(r.stderr).toContain("rater 'c' has only empty ratings");
  });
  it('no warning when every rater rated something', async () => {
    const r = await runCliInProcess(['agreement', file('full.csv', 'target,A,B\nt1,1,2\nt2,3,3\nt3,5,4\nt4,2,2\nt5,4,5\n'), '--json']);
    expect(JSON.parse(r.stdout).dimensions[0].warnings).toEqual([]);
    expect(r.stderr).not.toContain('warning');
  });
  it('refused (exit 2) when fewer than two raters remain, naming the empty column', async () => {
    const p = file('onecol.csv', 'target,A,B\nt1,1,\nt2,3,\n');
    const r = await runCli(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${p}:3, column B: fewer than two raters (found 1: 'A'); column 'B' has no rating in any row`);
  });
});

describe('gold labels: a tied majority is null with the reason, never a pick', () => {
  const rows = [
    ['t1', 'a', 'pos'], ['t1', 'b', 'neg'],
    ['t2', 'a', 'pos'], ['t2', 'b', 'pos'], ['t2', 'c', 'neg'],
    ['t3', 'a', 'neg'], ['t3', 'b', 'neu'], ['t3', 'c', 'pos'],
  ].map(([target, rater, rating]) => ({ target, rater, rating }));
  it('labels: tie -> label null, label_reason, tied in category order; majority = first tied (documented rule)', () => {
    const g = [...goldLabels(ratingsFromRows(rows, { categorical: true }))];
    expect(g[0]).toMatchObject({ target: 't1', label: null, tie: true, tied: ['neg', 'pos'], majority: 'neg', majority_share: 0.5 });
    expect(g[0].label_reason).toMatch(/^tie: 'neg', 'pos' have 1 rating each/);
    expect(g[1]).toMatchObject({ target: 't2', label: 'pos', label_reason: null, tie: false, tied: [] });
    expect(g[2]).toMatchObject({ label: null, tied: ['neg', 'neu', 'pos'] });
  });
  it('the same whatever the order the ratings come in (deterministic)', () => {
    const a = [...goldLabels(ratingsFromRows(rows, { categorical: true }))];
    const b = [...goldLabels(ratingsFromRows([...rows].reverse(), { categorical: true }))];
    const pick = (g: typeof a) => g.map((x) => [x.target, x.label, x.tied, x.majority]).sort();
    expect(pick(b)).toEqual(pick(a));
  });
  it('numbers: --gold-aggregate majority ties are null too; mean and median are not ties', () => {
    const num = ratingsFromRows([
      { target: 't1', rater: 'a', rating: 2 }, { target: 't1', rater: 'b', rating: 4 },
    ]);
    const [maj] = goldLabels(num, { aggregate: 'majority' });
    expect(maj).toMatchObject({ label: null, tie: true, tied: [2, 4], majority: 2 });
    const [mean] = goldLabels(num, { aggregate: 'mean' });
    expect(mean).toMatchObject({ label: 3, label_reason: null, tie: true });
  });
  it('the CLI says on stderr how many targets tied', async () => {
    const p = file('tie.csv', 'target,rater,rating\nt1,a,pos\nt1,b,neg\nt2,a,pos\nt2,b,pos\n');
    const gold = join(dir, 'gold.jsonl');
    const r = await runCliInProcess(['agreement', p, '--categorical', '--gold', gold]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('1 target(s) without a majority (tie)');
  });
});

describe("Cohen's kappa asymptotic SE (Fleiss, Cohen & Everitt 1969) where it degenerates", () => {
  it('never agreeing with balanced margins (kappa -1): SE null with a reason, not 0', () => {
    // psych 2.2.9 cohen.kappa(matrix(c(0,3,3,0),2)) prints var.kappa 0 and CI [-1, -1].
    const k = kappaFromTable(Float64Array.from([0, 3, 3, 0]), 2, unweighted);
    expect(k.kappa).toBe(-1);
    expect(k.se).toBeNull();
    expect(k.ci95_asymptotic).toBeNull();
    expect(k.se_reason).toMatch(/agree on no target.*--bootstrap/);
  });
  it('each rater a single category, and perfect agreement: SE null with a reason', () => {
    const one = kappaFromTable(Float64Array.from([0, 6, 0, 0]), 2, unweighted);
    expect(one.kappa).toBe(0);
    expect(one.se).toBeNull();
    const all = kappaFromTable(Float64Array.from([5, 0, 0, 5]), 2, unweighted);
    expect(all.kappa).toBe(1);
    expect(all.se).toBeNull();
    expect(all.se_reason).toMatch(/agree on every target/);
  });
  it('never agreeing with unequal margins: the formula is not degenerate and matches psych', () => {
    // psych 2.2.9: cohen.kappa(matrix(c(0,2,4,0),2), n.obs = 6): kappa -0.8, var.kappa 0.1728.
    const k = kappaFromTable(Float64Array.from([0, 4, 2, 0]), 2, unweighted);
    expect(k.kappa).toBeCloseTo(-0.8, 12);
    expect(k.se).toBeCloseTo(Math.sqrt(0.1728), 12);
    expect(k.se_reason).toBeNull();
  });
  it('through the CLI: the pair that never agrees has se null and se_reason; the others keep their SE', async () => {
    const p = file('never.csv', 'target,r1,r2,r3\nt1,a,b,a\nt2,b,a,b\nt3,a,b,a\nt4,b,a,a\nt5,a,b,b\nt6,b,a,b\n');
    const r = await runCliInProcess(['agreement', p, '--categorical', '--json']);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout).dimensions[0];
    expect(d.cohen_kappa.unweighted).toMatchObject({ kappa: -1, se: null, ci95_asymptotic: null });
    expect(d.cohen_ase).toBeNull();
    expect(d.cohen_pairs[0]).toMatchObject({ raters: ['r1', 'r2'], se: null });
    expect(d.cohen_pairs[1].se).toBeGreaterThan(0.3);
  });
});

describe('a --delimiter that leaves the header one column says which one it looks like', () => {
  it('semicolon file with --delimiter comma, tab file with comma, a pipe file sniffed: exit 2, one line, the flag', async () => {
    const semi = file('semi.csv', 'target;r1;r2\nt1;1;2\nt2;3;3\nt3;4;5\n');
    const r = await runCliInProcess(['agreement', semi, '--delimiter', ',']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${semi}:1, column 1: the header is one column ('target;r1;r2') when read as comma-separated: it looks semicolon-separated; pass --delimiter semicolon`);
    const tab = await runCliInProcess(['agreement', file('tab.csv', 'target\tr1\tr2\nt1\t1\t2\nt2\t3\t3\n'), '--delimiter', 'comma']);
    expect(tab.stderr).toMatch(/it looks tab-separated; pass --delimiter tab$/m);
    const pipe = await runCliInProcess(['agreement', file('pipe.csv', 'target|r1|r2\nt1|1|2\nt2|3|3\n')]);
    expect(pipe.code).toBe(2);
    expect(pipe.stderr).toMatch(/it looks pipe-separated; pass --delimiter '\|'$/m);
    // The right flag reads it.
    const ok = await runCliInProcess(['agreement', semi, '--delimiter', 'semicolon', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
  });
});

describe('a long file with a misnamed rater column is refused, never read as wide (trial item 1)', () => {
  // target,raters,rating with numeric rater ids: read as wide it was 2 raters ('raters', 'rating') and ICC2 0.
  const rows = ['t1,1,3', 't1,2,3', 't1,3,4', 't2,1,7', 't2,2,8', 't2,3,7', 't3,1,5', 't3,2,5', 't3,3,5', 't4,1,1', 't4,2,2', 't4,3,1'];
  it("refuses 'raters' with the --rater-col fix, also under --repeated", async () => {
    const p = file('typo-raters.csv', ['target,raters,rating', ...rows].join('\n') + '\n');
    for (const extra of [[], ['--repeated']]) {
      const r = await runCliInProcess(['agreement', p, '--json', ...extra]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("no 'rater' column; did you mean 'raters'? (--rater-col raters");
      expect(r.stderr).not.toContain('--repeated');
    }
    const ok = await runCliInProcess(['agreement', p, '--json', '--rater-col', 'raters']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).dimensions[0].n_raters).toBe(3);
  });
  it('other rater-like names are refused too; a wide file of rater columns is not', async () => {
    for (const name of ['coder_id', 'Annotator', 'ratr']) {
      const r = await runCliInProcess(['agreement', file(`typo-${name}.csv`, [`target,${name},rating`, ...rows].join('\n') + '\n'), '--json']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`did you mean '${name}'?`);
    }
    const wide = await runCliInProcess(['agreement', file('wide-raters.csv', 'target,rater1,rater2\nt1,1,2\nt2,3,3\nt3,5,4\n'), '--json']);
    expect(wide.code).toBe(0);
    expect(JSON.parse(wide.stdout).dimensions[0].n_raters).toBe(2);
  });
  it('a long file read as wide (targets repeat in a 2-column wide file): the hint names the columns, not --repeated', async () => {
    const p = file('long-as-wide.csv', ['target,who,score', ...rows].join('\n') + '\n');
    const r = await runCliInProcess(['agreement', p, '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('if this is a long file (one row per rating), name its columns (--rater-col who --rating-col score)');
    expect(r.stderr).not.toContain('--repeated');
  });
  it('a long file without any rater column names the missing column, not "fewer than two raters" on its last line (trial8)', async () => {
    const header = 'session_id,start_s,end_s,target,dimension,rating';
    const body = ['s1,1,2,s1_u0,valence,3', 's1,1,2,s1_u0,valence,4', 's1,3,4,s1_u1,valence,6', 's1,3,4,s1_u1,valence,6'];
    const r = await runCliInProcess(['agreement', file('no-rater.csv', [header, ...body].join('\n') + '\n')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no-rater\.csv:1: no 'rater' column: the header .* has the long layout's 'target' and 'rating' columns/);
    expect(r.stderr).toContain('--rater-col NAME');
    expect(r.stderr).not.toContain('fewer than two raters');
  });
  it('a --rater-col absent from the header is refused (it was read as wide)', async () => {
    const r = await runCliInProcess(['agreement', file('norater.csv', 'target,A,B\nt1,1,2\nt2,3,3\n'), '--rater-col', 'judge']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no rater column 'judge' in the header");
  });
});

describe("Excel's trailing empty columns in a ratings file (trial item 3)", () => {
  it('wide and long: empty unnamed columns are ignored with a stderr note; the figures are those of the file without them', async () => {
    const plain = await runCliInProcess(['agreement', file('plain.csv', 'target;A;B\nt1;1;2\nt2;3;3\nt3;5;4\n'), '--json']);
    for (const [name, text] of [
      ['wide1.csv', 'target;A;B;\nt1;1;2;\nt2;3;3;\nt3;5;4;\n'],
      ['wide2.csv', 'target;A;B;;\nt1;1;2;;\nt2;3;3;;\nt3;5;4;;\n'],
      ['long2.csv', 'target;rater;rating;;\nt1;A;1;;\nt1;B;2;;\nt2;A;3;;\nt2;B;3;;\nt3;A;5;;\nt3;B;4;;\n'],
    ]) {
      const p = file(name, text);
      const r = await runCliInProcess(['agreement', p, '--json']);
      expect(r.code).toBe(0);
      const n = name.includes('1') ? 1 : 2;
      expect(r.stderr).toContain(`${p}: ignored ${n} empty unnamed column(s) at the end`);
      expect(r.stderr).not.toContain('no rating in any row');
      const d = JSON.parse(r.stdout).dimensions[0];
      expect(d.n_raters).toBe(2);
      expect(d.icc).toEqual(JSON.parse(plain.stdout).dimensions[0].icc);
    }
  });
  it('an unnamed column with data is exit 2 naming line and column', async () => {
    const p = file('tail-data.csv', 'target;A;B;;\nt1;1;2;;\nt2;3;3;;x\nt3;5;4;;\n');
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${p}:3, column 5: column 5 has no name in the header but holds data ('x'): name it in the header, or delete the column`);
  });
});

describe("Gwet's AC1 and Brennan-Prediger SE (Gwet 2008 linearisation, irrCAC *.raw) where it is 0", () => {
  /** The chance-robust coefficients of a targets x raters grid of labels ('' = not rated). */
  const chanceOf = (grid: string[][]) => {
    const rows = grid.flatMap((labels, t) => labels.map((l, r) => ({ target: `t${t}`, rater: `r${r}`, rating: l === '' ? null : l })));
    const d = analyzeAgreement(ratingsFromRows(rows, { categorical: true })).dimensions[0];
    return { ac1: d.gwet_ac1!, bp: d.brennan_prediger!, scott: d.scott_pi!, conger: d.conger! };
  };
  it('perfect agreement: irrCAC prints SE 0, CI (1, 1), p 0; mmprep gives se, ci95 and p null with se_reason', () => {
    const c = chanceOf([['a', 'a', 'a'], ['b', 'b', 'b'], ['a', 'a', 'a'], ['c', 'c', 'c'], ['b', 'b', 'b'], ['a', 'a', 'a']]);
    for (const x of [c.ac1, c.bp, c.scott, c.conger]) {
      expect(x).toMatchObject({ coefficient: 1, se: null, ci95: null, p: null });
      expect(x.se_reason).toMatch(/agree on every target.*irrCAC prints SE 0.*6 targets/);
    }
  });
  it('every target the same split (AC1 = BP = -1): the variance is 0 there too', () => {
    const c = chanceOf([['a', 'b'], ['a', 'b'], ['a', 'b'], ['a', 'b']]);
    expect(c.ac1.coefficient).toBeCloseTo(-1, 12);
    expect(c.ac1).toMatchObject({ se: null, ci95: null, p: null });
    expect(c.ac1.se_reason).toMatch(/no two ratings of any target agree/);
    expect(c.bp).toMatchObject({ coefficient: -1, se: null });
  });
  it('agreement on every target rated twice but a target rated once: irrCAC\'s SE is not 0, and neither is mmprep\'s', () => {
    // irrCAC: ac1.ivec = (n/n2)(pa_i - pe [r_i >= 2])/(1 - pe): n/n2 = 5/4 for the four agreeing targets, 0 for t4.
    const c = chanceOf([['a', 'a'], ['b', 'b'], ['a', 'a'], ['b', 'b'], ['a', '']]);
    expect(c.ac1.coefficient).toBe(1);
    expect(c.bp.coefficient).toBe(1);
    // c*_i - c: 1/4 on four targets, -1 on one: var = (4/16 + 1) / (5 * 4) = 0.0625, SE 0.25 for both.
    expect(c.ac1.se).toBeCloseTo(0.25, 12);
    expect(c.bp.se).toBeCloseTo(0.25, 12);
    expect(c.ac1.se_reason).toBeNull();
  });
  it('the table marks the SE — and says why', async () => {
    const p = file('perfect.csv', 'target,A,B\nt1,x,x\nt2,y,y\nt3,x,x\nt4,y,y\n');
    const r = await runCliInProcess(['agreement', p, '--categorical']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Gwet's AC1 +1\.000 +— +— +—/);
    // Two labels count as ordered: AC2 too.
    expect(r.stdout).toContain("SE —: Gwet's AC1, Gwet's AC2 linear, Gwet's AC2 quadratic, Brennan-Prediger, Scott's pi (Fleiss, all targets), Conger's kappa: SE undefined: the raters agree on every target");
  });
});

describe('ICC2k CI past the Spearman-Brown pole', () => {
  // 2 complete targets, 3 raters: ICC(2,1)'s lower bound -0.736 < -1/(k-1); psych::ICC prints ICC2k's lower bound 4.67
  // (above its upper bound 1.0), which passed `--min-icc 0.9 --icc-type ICC2k --gate-on lower`.
  const rows = [
    ['t1', 'a', 3], ['t1', 'b', 4], ['t1', 'c', 3],
    ['t4', 'a', 2], ['t4', 'b', 2], ['t4', 'c', 3],
  ].map(([target, rater, rating]) => ({ target: String(target), rater: String(rater), rating: String(rating) }));
  it('reports the lower bound null with a reason, and the lower-bound gate fails', () => {
    const res = analyzeAgreement(ratingsFromRows(rows));
    const row = res.dimensions[0].icc!.rows.find((r) => r.type === 'ICC2k')!;
    const l2 = res.dimensions[0].icc!.rows.find((r) => r.type === 'ICC2')!.ci95[0]!;
    expect(l2).toBeLessThan(-0.5);
    expect(row.ci95[0]).toBeNull();
    expect(row.ci95[1]).toBeGreaterThan(0.99);
    expect(row.reason).toMatch(/Spearman-Brown/);
    expect(row.band_judged).toBe('poor to excellent');
  });
  it('an ICC2k point value past the pole (psych: 26.67 on edge_negative_icc) is null with a reason and fails the gate', () => {
    const neg = [[1, 5], [5, 1], [2, 4], [4, 2], [3, 3], [1, 4], [4, 1], [2, 5], [5, 2], [3, 2]].flatMap(([x, y], i) => [
      { target: `T${i}`, rater: 'R1', rating: String(x) },
      { target: `T${i}`, rater: 'R2', rating: String(y) },
    ]);
    const res = analyzeAgreement(ratingsFromRows(neg));
    const row = res.dimensions[0].icc!.rows.find((r) => r.type === 'ICC2k')!;
    expect(row.icc).toBeNull();
    expect(row.reason).toMatch(/not positive/);
    expect(row.p).not.toBeNull();
    const gate = evaluateGate(res, { minIcc: 0.9, iccType: 'ICC2k' });
    expect(gate.passed).toBe(false);
    // The line says why the figure is undefined (it read 'ICC2k undefined < 0.9').
    expect(gate.message).toBe(`agreement gate failed: dimension '(all)' ICC2k undefined (${row.reason}) < 0.9`);
  });
  it('an undefined alpha fails the gate with its reason (all ratings equal)', () => {
    const same = ['t1', 't2', 't3'].flatMap((t) => ['a', 'b'].map((r) => ({ target: t, rater: r, rating: '3' })));
    const res = analyzeAgreement(ratingsFromRows(same));
    const why = res.dimensions[0].krippendorff_alpha.interval.reason;
    expect(why).toBeTruthy();
    expect(evaluateGate(res, { minAlpha: 0.7 }).message).toBe(`agreement gate failed: dimension '(all)' alpha (interval) undefined (${why}) < 0.7`);
  });
  it('the HTML report shows the interval as unbounded below, with the reason', () => {
    const table = ratingsFromRows(rows);
    const html = renderReport(table, analyzeAgreement(table));
    expect(html).toMatch(/<td title="lower 95% bound unbounded[^"]*">\(−∞, 1\.000\]<\/td>/);
  });
});

describe('other spellings of a missing rating are refused, not read as a category', () => {
  it('--categorical: N/A is one line naming file, line and column, exit 2 (was a third category)', async () => {
    const p = file('na-cat.csv', 'target,rater,rating\nt1,a,happy\nt1,b,sad\nt2,a,sad\nt2,b,N/A\nt3,a,happy\nt3,b,happy\n');
    const r = await runCliInProcess(['agreement', p, '--categorical']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`mmprep: ${p}:5, column rating: rating 'N/A' looks like a missing-value marker: write a missing rating as an empty cell or NA, or pass --na N/A to read it as missing`);
  });
  it('numeric: a lower-case na says the same instead of "use --categorical"; a label in --levels is still a label', async () => {
    const p = file('na-num.csv', 'target,A,B\nt1,1,2\nt2,3,na\nt3,5,4\n');
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/:3, column B: rating 'na' looks like a missing-value marker/);
    const q = file('dash-level.csv', 'target,A,B\nt1,-,+\nt2,+,+\nt3,-,-\n');
    expect((await runCliInProcess(['agreement', q, '--levels', '-,+'])).code).toBe(0);
  });
});
