/**
 * A new user's trial (a data engineer): a ratings typo, 44 for 4 on the demo's 1-9 scale, became s01_u0's arousal gold
 * {mean 17, median 4, sd 23.4}, exit 0 from `dataset build`, `dataset validate` and `agreement`. A rating far off the
 * other raters' range is now refused (exit 2, file:line and column, --scale named); `--scale LOW,HIGH` (agreement, and
 * now dataset build) refuses a rating outside the declared scale and reads one inside it.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRatings } from '../src/agreement/read.js';
import { runCli, runCliInProcess, tempDir, FIXTURES } from './helpers/cli.js';
import { demoManifestCopy, writeDemoFeatures } from './helpers/demo-inputs.js';

const tmp = tempDir('mmprep-agr-offrange-');
afterAll(() => tmp.cleanup());

function file(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

const SHEET = [[3, 4, 3], [5, 5, 6], [2, 2, 1], [6, 5, 6], [4, 4, 3], [1, 2, 2], [7, 6, 6], [3, 3, 4]];
/** The wide sheet with (row 3, r2) written as `v`. */
const wide = (v: string) => 'target,r1,r2,r3\n' + SHEET.map((x, i) => `c${i},${x.map((y, j) => (i === 3 && j === 1 ? v : y)).join(',')}`).join('\n') + '\n';

describe('agreement: a rating far off the other raters\' range', () => {
  it('44 beside 1-7 is refused (exit 2) naming the line, the column, the range and --scale', async () => {
    const p = file('w44.csv', wide('44'));
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `mmprep: ${p}:5, column r2: rating 44 by rater 'r2' is far off the other raters' ratings (1 to 7; more digits before the point than any of them): a typo? correct it; if it is a rating, declare the scale with --scale LOW,HIGH (a rating outside a declared scale is refused, one inside it is read)\n`,
    );
  });

  it('a rarely felt emotion on a 0-100 slider (mostly 0-8, 12 % of ratings 15-60) is read, not refused as typos', async () => {
    // before: "rating 40 by rater 'B' ... (0 to 8; more digits before the point than any of them): a typo?", exit 2
    const A = [0, 0, 5, 0, 8, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 0, 8, 0, 0, 3];
    const B = [0, 0, 0, 25, 0, 0, 0, 0, 0, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0];
    const C = [0, 15, 0, 0, 0, 0, 7, 0, 0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const D = [0, 0, 0, 35, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const p = file('rare.csv', 'clip,A,B,C,D\n' + A.map((a, i) => `c${i},${a},${B[i]},${C[i]},${D[i]}`).join('\n') + '\n');
    const r = await runCliInProcess(['agreement', p, '--json']);
    expect(r.stderr).not.toMatch(/a typo\? correct it/);
    expect(r.code).toBe(0);
    // not silent: the ratings beyond the others' 0-8 that no other rater matched on their target are warned
    expect(r.stderr).toMatch(/ratings? .*by rater 'C'.* far beyond the other raters' ratings/);
  });

  it('two raters\' typos (44, 77) do not mask each other: refused at the first, the other counted', async () => {
    // before: each widened the other's "others' range" (44 beside 1-77, 77 beside 1-44) and both were read, exit 0
    const rows = SHEET.map((x, i) => x.map((y, j) => (i === 3 && j === 1 ? 44 : i === 5 && j === 2 ? 77 : y)));
    const p = file('mask.csv', 'target,r1,r2,r3\n' + rows.map((x, i) => `c${i},${x.join(',')}`).join('\n') + '\n');
    const r = await runCliInProcess(['agreement', p]);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/:5, column r2: rating 44 by rater 'r2' is far off the other raters' ratings \(1 to 7; .*correct it \(1 more rating\(s\) of this dimension are as far off\)/)]);
  });

  it('a digit slip the old margin let through (11, 20 beside 1-7) is refused; 10 (a scale\'s end) is read', async () => {
    for (const v of ['11', '20']) expect((await runCliInProcess(['agreement', file(`w${v}.csv`, wide(v))])).stderr).toMatch(new RegExp(`:5, column r2: rating ${v} by rater 'r2' is far off`));
    const ten = await runCliInProcess(['agreement', file('w10.csv', wide('10')), '--json']);
    expect([ten.code, ten.stderr]).toEqual([0, '']);
  });
});

/** A rarely felt emotion on a 0-4 scale: raters gave 0 and 1; `cells` overrides (row, rater) cells. */
const RARE = [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0], [1, 1, 0], [0, 0, 0]];
const rare = (cells: Record<string, number>) =>
  'target,r1,r2,r3\n' + RARE.map((x, i) => `c${i},${x.map((y, j) => cells[`${i},${j}`] ?? y).join(',')}`).join('\n') + '\n';

describe('agreement: a true extreme far beyond the other raters\' range is read and warned, not refused', () => {
  it('4 beside 0-1 (4 > 1 + max(2, 1)): exit 0, a far_rating warning in the JSON and on stderr naming the line', async () => {
    // before: refused, exit 2 ("far off the other raters' ratings (0 to 1)"), stopping the pipeline on a real rating
    const p = file('rare4.csv', rare({ '4,1': 4 }));
    const r = await runCliInProcess(['agreement', p, '--json']);
    expect(r.code).toBe(0);
    const message = "rating 4 by rater 'r2' (line 6) is far beyond the other raters' ratings (0 to 1): a true extreme, or a typo? check it: every figure and gold label counts it; --scale LOW,HIGH declares the scale (a rating outside it is refused)";
    expect(JSON.parse(r.stdout).dimensions[0].warnings).toEqual([{ code: 'far_rating', rater: 'r2', ratings: [{ value: 4, line: 6, row: null }], message }]);
    expect(r.stderr).toBe(`mmprep agreement: warning: ${p}: ${message}\n`);
  });

  it('two such ratings by two raters are both warned (neither widens the range the other is judged by)', async () => {
    const r = await runCliInProcess(['agreement', file('rare2.csv', rare({ '4,1': 4, '7,2': 4 })), '--json']);
    expect(JSON.parse(r.stdout).dimensions[0].warnings.filter((w: { code: string }) => w.code === 'far_rating').map((w: { rater: string }) => w.rater)).toEqual(['r2', 'r3']);
  });

  it('negative controls: another rater rated the same target beyond 1 too (4 and 3): no warning; 40 beside 0-1 is refused', async () => {
    const r = await runCliInProcess(['agreement', file('rare43.csv', rare({ '4,1': 4, '4,2': 3 })), '--json']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect((await runCliInProcess(['agreement', file('rare40.csv', rare({ '4,1': 40 }))])).stderr).toMatch(/:6, column r2: rating 40 by rater 'r2' is far off the other raters' ratings \(0 to 1; over ten times the largest of them\)/);
  });

  it('beside others who all rated 0 (a rare emotion), one rater\'s 3 is read, not refused as a typo', async () => {
    const zeros = 'target,r1,r2,r3\n' + SHEET.map((_, i) => `c${i},0,${i === 3 ? 3 : 0},0`).join('\n') + '\n';
    const r = await runCliInProcess(['agreement', file('zeros.csv', zeros)]);
    expect(r.stderr).not.toMatch(/far off/);
  });

  it('--scale 1,7 refuses it as outside the scale; --scale 0,100 reads it', async () => {
    const p = file('w44b.csv', wide('44'));
    expect((await runCliInProcess(['agreement', p, '--scale', '1,7'])).stderr).toMatch(/:5, column r2: rating 44 is outside the scale 1 to 7 that --scale declares/);
    expect((await readRatings(p, { scale: [0, 100] })).dimensions[0].value).toContain(44);
  });

  it('negative controls: the valid sheet, 8 beside 1-7, 7 beside one rater\'s 3-4 are read', async () => {
    expect((await runCliInProcess(['agreement', file('w5.csv', wide('5')), '--json'])).code).toBe(0);
    expect((await runCliInProcess(['agreement', file('w8b.csv', wide('8')), '--json'])).stderr).toBe('');
    expect((await readRatings(file('w8.csv', wide('8')))).dimensions[0].value).toContain(8);
    const two = 'target,a,b\n' + [[3, 3], [4, 4], [3, 4], [4, 3], [3, 3], [4, 7]].map((v, i) => `t${i},${v.join(',')}`).join('\n') + '\n';
    expect((await readRatings(file('two.csv', two))).dimensions[0].value).toContain(7);
  });
});

describe('dataset build --labels: the trial\'s typo', () => {
  const FEATURES = join(tmp.dir, 'features');
  const MANIFEST = join(tmp.dir, 'demo', 'manifest.csv');
  beforeAll(async () => {
    await writeDemoFeatures(FEATURES);
    demoManifestCopy(join(tmp.dir, 'demo'));
  });
  /** The demo's ratings with line 5 (s01_u0, r2, arousal 4) written as 44: `sed '5s/,4$/,44/'`. */
  function typo(): string {
    const lines = readFileSync(join(FIXTURES, 'demo', 'ratings.csv'), 'utf8').split('\n');
    expect(lines[4]).toMatch(/,arousal,4$/);
    lines[4] = lines[4].replace(/,4$/, ',44');
    return file('r_bad4.csv', lines.join('\n'));
  }
  const build = (out: string, extra: string[] = []) =>
    runCli(['dataset', 'build', MANIFEST, '--features', FEATURES, '--labels', typo(), '-o', join(tmp.dir, out), '--quiet', ...extra]);

  it('is refused (exit 2) at r_bad4.csv:5; --scale 1,9 refuses it as outside; --scale 1,50 builds with it', async () => {
    const r = await build('x4');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/r_bad4\.csv:5, column rating: rating 44 by rater 'r2' in dimension 'arousal' is far off the other raters' ratings \(3 to 7; more digits before the point than any of them\): a typo\?/);
    const s = await build('x4s', ['--scale', '1,9']);
    expect([s.code, s.stderr]).toEqual([2, expect.stringMatching(/r_bad4\.csv:5, column rating: rating 44 is outside the scale 1 to 9 that --scale declares/)]);
    expect((await build('x4ok', ['--scale', '1,50'])).code).toBe(0);
    expect(readdirSync(join(tmp.dir, 'x4ok')).some((n) => n.startsWith('data-'))).toBe(true);
  });

  it('a second rater\'s typo in the dimension (77 at line 13) does not mask the first: refused at line 5', async () => {
    const lines = readFileSync(typo(), 'utf8').split('\n');
    expect(lines[12]).toMatch(/,r3,arousal,5$/);
    lines[12] = lines[12].replace(/,5$/, ',77');
    const r = await runCli(['dataset', 'build', MANIFEST, '--features', FEATURES, '--labels', file('r_bad2.csv', lines.join('\n')), '-o', join(tmp.dir, 'x2'), '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/r_bad2\.csv:5, column rating: rating 44 by rater 'r2' in dimension 'arousal' is far off the other raters' ratings \(\d+ to \d+; .*\(1 more rating\(s\) of this dimension are as far off\)/);
  });

  it('a reversed rater\'s advice names no --exclude-rater (dataset build has none: following it was "unknown option")', async () => {
    const lines = readFileSync(join(FIXTURES, 'demo', 'ratings.csv'), 'utf8').trimEnd().split('\n');
    const rev = lines.map((l) => (/,r3,valence,\d+$/.test(l) ? l.replace(/\d+$/, (v) => String(10 - Number(v))) : l));
    const r = await runCli(['dataset', 'build', MANIFEST, '--features', FEATURES, '--labels', file('r_rev.csv', rev.join('\n') + '\n'), '-o', join(tmp.dir, 'xrev')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/rater 'r3' rates against the others in dimension 'valence'.*\(remove their rows from the labels file: dataset build takes no --exclude-rater\)/);
    expect(r.stderr).not.toMatch(/\(--exclude-rater r3\)/);
  });

  it('a rare emotion\'s 4 beside 0-1 builds (exit 0) and is said in the build\'s warnings', async () => {
    const lines = readFileSync(join(FIXTURES, 'demo', 'ratings.csv'), 'utf8').trimEnd().split('\n');
    const rows = lines.filter((l) => l.includes(',arousal,')).map((l, k) => l.replace(/,arousal,\d+$/, `,disgust,${k === 4 ? 4 : k % 5 === 0 ? 1 : 0}`));
    const r = await runCli(['dataset', 'build', MANIFEST, '--features', FEATURES, '--labels', file('r_rare.csv', [...lines, ...rows].join('\n') + '\n'), '-o', join(tmp.dir, 'xr')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/r_rare\.csv: rating 4 by rater 'r2' in dimension 'disgust' \(line 54\) is far beyond the other raters' ratings \(0 to 1\)/);
    expect(readFileSync(join(tmp.dir, 'xr', 'manifest.json'), 'utf8')).toMatch(/rating 4 by rater 'r2' in dimension 'disgust' \(line 54\) is far beyond/);
  });
});
