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
      `mmprep: ${p}:5, column r2: rating 44 by rater 'r2' is far off the other raters' ratings (1 to 7): a typo? correct it; if it is a rating, declare the scale with --scale LOW,HIGH (a rating outside a declared scale is refused, one inside it is read)\n`,
    );
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
    expect(r.stderr).toMatch(/r_bad4\.csv:5, column rating: rating 44 by rater 'r2' in dimension 'arousal' is far off the other raters' ratings \(\d+ to \d+\): a typo\?/);
    const s = await build('x4s', ['--scale', '1,9']);
    expect([s.code, s.stderr]).toEqual([2, expect.stringMatching(/r_bad4\.csv:5, column rating: rating 44 is outside the scale 1 to 9 that --scale declares/)]);
    expect((await build('x4ok', ['--scale', '1,50'])).code).toBe(0);
    expect(readdirSync(join(tmp.dir, 'x4ok')).some((n) => n.startsWith('data-'))).toBe(true);
  });
});
