/**
 * A sixth new user's trial (an annotation lead): a lab's sheet of 1-7 ratings where a missing rating is coded 99 (or
 * -1), as SPSS, Qualtrics and REDCap exports code it, gave ICC(2,1) -0.02 (with -1: 0.71) for the 0.88 of the same
 * sheet with empty cells, exit 0, without a word; `dataset build --labels` averaged the 99 into the gold label. Such a
 * code off the scale of the other ratings is now refused (exit 2, line and column, `--na 99`), and `--na 99,-1` reads
 * it as missing: the figures of the sheet with empty cells. Negative controls: -1 beside 0-10, 99 on a 0-100 slider,
 * and a 99 declared by --levels are ratings as before.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRatings } from '../src/agreement/read.js';
import { runCli, runCliInProcess, tempDir, FIXTURES } from './helpers/cli.js';
import { demoManifestCopy, writeDemoFeatures } from './helpers/demo-inputs.js';

const tmp = tempDir('mmprep-agr-nacode-');
afterAll(() => tmp.cleanup());

function file(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

const SHEET = [
  [3, 4, 3], [5, 5, 6], [2, 2, 1], [6, 5, 6], [4, 4, 3], [1, 2, 2], [7, 6, 6], [3, 3, 4],
];
/** The wide sheet with (row 3, r2) and (row 6, r3) written as `code`. */
function wide(code: string): string {
  const rows = SHEET.map((v, i) => `c${i},${v.map((x, j) => ((i === 3 && j === 1) || (i === 6 && j === 2) ? code : x)).join(',')}`);
  return 'target,r1,r2,r3\n' + rows.join('\n') + '\n';
}

async function icc2(args: string[]): Promise<number> {
  const r = await runCliInProcess(['agreement', ...args, '--json']);
  expect(r.code).toBe(0);
  const d = JSON.parse(r.stdout).dimensions[0];
  return d.icc.rows.find((x: { type: string }) => x.type === 'ICC2').icc;
}

describe('a code for a missing rating (99, -1) in a numeric sheet', () => {
  it('99 beside 1-7 is refused (exit 2) naming the line, the rater column and --na 99', async () => {
    const p = file('w99.csv', wide('99'));
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `mmprep: ${p}:5, column r2: rating 99 by rater 'r2' (99 occurs 2 times: r2 once, r3 once) is off the scale of the other ratings (1 to 7): a code for a missing rating? pass --na 99 to read it as missing (or write an empty cell); if it is a rating, put every rater on one scale (and declare it: --scale)\n`,
    );
  });

  it('-1 below a 1-7 scale is refused too; in a long file the column is the rating column', async () => {
    const long = 'target,rater,rating\n' + SHEET.flatMap((v, i) => v.map((x, j) => `c${i},r${j + 1},${i === 2 && j === 0 ? -1 : x}`)).join('\n') + '\n';
    const e = await readRatings(file('lm1.csv', long)).catch((x: Error) => x);
    expect(String((e as Error).message)).toMatch(/^rating -1 by rater 'r1' \(-1 occurs once\) is off the scale of the other ratings \(1 to 7\): a code for a missing rating\? pass --na -1/);
  });

  it('--na 99 (and --na -1, --na=-) gives the figures of the sheet with empty cells', async () => {
    const empty = await icc2([file('wempty.csv', wide(''))]);
    expect(empty).toBeCloseTo(0.8421, 4); // psych::ICC(lmer=FALSE) on the 6 complete targets
    expect(await icc2([file('w99b.csv', wide('99')), '--na', '99'])).toBe(empty);
    expect(await icc2([file('wm1.csv', wide('-1')), '--na', '99,-1'])).toBe(empty);
    expect(await icc2([file('wdash.csv', wide('-')), '--na=-'])).toBe(empty);
    expect(await icc2([file('w990.csv', wide('99.0')), '--na', '99'])).toBe(empty);
  });

  it('numeric labels with --categorical: 99 beside 1-7 is refused; declared by --levels it is a label', async () => {
    const p = file('cat99.csv', wide('99'));
    expect((await runCliInProcess(['agreement', p, '--categorical'])).code).toBe(2);
    const levels = (await runCliInProcess(['agreement', p, '--levels', '1,2,3,4,5,6,7,99', '--json'])).code;
    expect(levels).toBe(0);
  });

  it('negative controls: -1 beside 0-10, 99 on a 0-100 slider are ratings', async () => {
    const t = (rows: number[][]) => 'target,a,b\n' + rows.map((v, i) => `t${i},${v.join(',')}`).join('\n') + '\n';
    const zeroTen = await readRatings(file('z10.csv', t([[0, 1], [10, 9], [5, 5], [-1, 0], [3, 4]])));
    expect(zeroTen.dimensions[0].value).toContain(-1);
    const slider = await readRatings(file('s100.csv', t([[0, 5], [80, 99], [50, 45], [20, 30], [99, 100]])));
    expect(slider.dimensions[0].value).toContain(99);
  });
});

describe('a code past a whole-number scale by a gap (ttrial48a W4: -2, -7, -8, 9 beside 1-7)', () => {
  /** 30 targets x 4 raters of 1-7 (every value used), with `n` cells written as `code`. */
  function sheet(code: number, n: number, rows = 30): string {
    const lines = Array.from({ length: rows }, (_, i) => `t${i},${[0, 1, 2, 3].map((j) => (i * 4 + j < n ? code : 1 + ((i * 3 + j * 2) % 7))).join(',')}`);
    return 'target,r1,r2,r3,r4\n' + lines.join('\n') + '\n';
  }
  const refusal = async (text: string, name: string, extra: string[] = []) => {
    const r = await runCliInProcess(['agreement', file(name, text), ...extra]);
    return r.code === 2 ? r.stderr : null;
  };

  it('-2, -7, -8 below it and 9 or 98 above it (8 unused) are refused naming who gave them and --na', async () => {
    for (const code of [-2, -7, -8, 9, 98]) {
      const err = await refusal(sheet(code, 5), `gap${code}.csv`);
      expect(err).toMatch(new RegExp(`rating ${code} by rater 'r1' \\(${code} occurs 5 times: r1 twice, r2 once, r3 once, r4 once\\) is off the scale of the other ratings \\(1 to 7\\): a code for a missing rating\\? pass --na ${code} `));
    }
  });

  it('negative controls: a scale without its midpoint, a common top value, a declared scale, a code next to the scale', async () => {
    const noMid = 'target,a,b,c\n' + Array.from({ length: 12 }, (_, i) => `t${i},${[-3, -2, -1, 1, 2, 3][i % 6]},${[-2, -1, 1, 2, 3, -3][i % 6]},${[1, 2, 3, -3, -2, -1][i % 6]}`).join('\n') + '\n';
    expect(await refusal(noMid, 'nomid.csv')).toBeNull(); // half the ratings below the gap: a scale, not codes
    expect(await refusal(sheet(9, 30), 'often9.csv')).toBeNull(); // 9 in a quarter of the cells: a rating
    expect(await refusal(sheet(-2, 5), 'declared.csv', ['--scale', '-3,7'])).toBeNull();
    expect(await refusal(sheet(8, 5), 'next8.csv')).toBeNull(); // cannot be told from a rating without --scale
    expect(await refusal(sheet(0, 5), 'zero.csv', ['--scale', '1,7'])).toMatch(/rating 0 is outside the scale 1 to 7 that --scale declares; a code for a missing rating\? pass --na 0;/);
  });
});

describe('dataset build --labels', () => {
  const FEATURES = join(tmp.dir, 'features');
  const MANIFEST = join(tmp.dir, 'demo', 'manifest.csv');
  beforeAll(async () => {
    await writeDemoFeatures(FEATURES);
    demoManifestCopy(join(tmp.dir, 'demo'));
  });

  /** The demo's valence ratings with the first rating `code`. */
  function valence(code: string): string {
    const [head, ...rows] = readFileSync(join(FIXTURES, 'demo', 'ratings.csv'), 'utf8').trim().split('\n');
    const vi = head.split(',').indexOf('rating');
    const di = head.split(',').indexOf('dimension');
    const kept = rows.map((l) => l.split(',')).filter((r) => r[di] === 'valence');
    kept[0][vi] = code;
    return file(`valence-${code || 'empty'}.csv`, [head, ...kept.map((r) => r.join(','))].join('\n') + '\n');
  }
  function labels(dir: string): string {
    return readdirSync(dir).filter((n) => n.startsWith('data-')).sort().map((f) => readFileSync(join(dir, f), 'utf8').split('\n').map((l) => (l ? JSON.stringify(JSON.parse(l).labels) : '')).join('\n')).join('\n');
  }

  it('a 99 in the labels file is refused (exit 2); with --na 99 the labels are those of an empty cell', async () => {
    const build = (labelsFile: string, out: string, extra: string[] = []) =>
      runCli(['dataset', 'build', MANIFEST, '--features', FEATURES, '--labels', labelsFile, '-o', join(tmp.dir, out), '--quiet', ...extra]);
    const refused = await build(valence('99'), 'r99');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/rating 99 by rater '.*' \(99 occurs once\) is off the scale of the other ratings .*pass --na 99/);
    expect((await build(valence(''), 'rempty')).code).toBe(0);
    expect((await build(valence('99'), 'rna', ['--na', '99'])).code).toBe(0);
    expect(labels(join(tmp.dir, 'rna'))).toBe(labels(join(tmp.dir, 'rempty')));
  });
});

describe('a code among text labels', () => {
  it("'99' among happy/sad/neutral is refused naming the line and --na 99; with --na 99 it is a missing rating", async () => {
    const p = file('cat-text99.csv', 'target,a,b,c\nc1,happy,happy,99\nc2,sad,sad,sad\nc3,happy,99,happy\nc4,neutral,sad,neutral\n');
    const r = await runCliInProcess(['agreement', p, '--categorical']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `mmprep: ${p}:2, column c: label '99' by rater 'c' (99 occurs 2 times) is a number among text labels ('happy', 'neutral', 'sad'): a code for a missing rating? pass --na 99 to read it as missing (or write an empty cell); if it is a label, write it as text (e.g. 'code 99')\n`,
    );
    const ok = await runCliInProcess(['agreement', p, '--categorical', '--na', '99', '--json']);
    expect(ok.code).toBe(0);
    const d = JSON.parse(ok.stdout).dimensions[0];
    expect([d.categories, d.n_ratings, d.n_missing]).toEqual([['happy', 'neutral', 'sad'], 10, 2]);
  });

  it('negative control: labels that mix text and other numbers (0 = none) are read', async () => {
    const t = await readRatings(file('cat-mixed.csv', 'target,a,b\nc1,happy,0\nc2,sad,sad\nc3,0,0\n'), { categorical: true });
    expect(t.dimensions[0].categories).toEqual(['0', 'happy', 'sad']);
  });
});
