/**
 * A new user's trial: a ratings sheet where raters r1 and r2 rated valence 1-5 and r3 on a 0-100 slider gave ICC 0.02,
 * gold labels averaging 3, 4 and 75, and exit 0 (mmprep agreement and dataset build --labels). Such a dimension is
 * now refused (exit 2) naming the line, the column, the rater and both scales. Negative controls: every rater on
 * 0-100, a rater on 0-100 next to one who gave only 4 whole numbers, a rater whose ratings are slightly wider than
 * the others' (1-9 beside 1-5), and labels (categorical) are read as before.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRatings, ratingsFromRows } from '../src/agreement/read.js';
import { InputError } from '../src/common/errors.js';
import { runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-scale-');
afterAll(() => tmp.cleanup());

function file(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

const LIKERT = [3, 4, 2, 5, 1, 4];
/** Long rows: r1 and r2 on 1-5, r3 mapped by `third` (a rater's own scale). */
function longSheet(third: (v: number, i: number) => number | string): string {
  const rows = LIKERT.flatMap((v, i) => [`t${i},r1,${v}`, `t${i},r2,${Math.min(5, v + (i % 2))}`, `t${i},r3,${third(v, i)}`]);
  return 'target,rater,rating\n' + rows.join('\n') + '\n';
}

describe('ratings of one dimension on two scales', () => {
  it('a rater on 0-100 beside raters on 1-5 is refused (exit 2), naming the line of its largest rating', async () => {
    const p = file('mixed.csv', longSheet((v) => (v - 1) * 25));
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `mmprep: ${p}:13, column rating: rating 100 by rater 'r3' (its ratings span 0-100, median 62.5) is off the scale of raters 'r1', 'r2' (whole numbers 1-5): ratings on two scales (such as 1-5 and 0-100)? put every rater on one scale\n`,
    );
  });

  it('a wide sheet with a dimension column and one rater column on 0-100 names that column', async () => {
    const p = file('wide.csv', 'clip,dimension,Anna,Ben\n' + LIKERT.map((v, i) => `c${i},valence,${v},${v * 20}`).join('\n') + '\n');
    const e = (await readRatings(p).catch((x: unknown) => x)) as InputError;
    expect(e).toBeInstanceOf(InputError);
    expect(e.toLine()).toMatch(`${p}:5, column Ben: rating 100 by rater 'Ben' in dimension 'valence' (its ratings span 20-100, median 70) is off the scale of rater 'Anna' (whole numbers 1-5)`);
  });

  it('negative control: one 0-100 slider of a rarely felt emotion (a rater who gave only 0-10 beside one with a few 30s) is read', async () => {
    const low = [0, 0, 5, 0, 10, 2, 0, 0];
    const rows = low.flatMap((v, i) => [`t${i},r1,${v}`, `t${i},r2,${i % 3 === 0 ? 35 : 0}`, `t${i},r3,${i === 4 ? 60 : v}`]);
    expect((await readRatings(file('sparse.csv', 'target,rater,rating\n' + rows.join('\n') + '\n'))).dimensions[0].raters).toEqual(['r1', 'r2', 'r3']);
  });

  it('in-memory rows (the library) are refused the same way', () => {
    const rows = LIKERT.flatMap((v, i) => [
      { target: `t${i}`, rater: 'a', rating: v },
      { target: `t${i}`, rater: 'b', rating: v * 20 },
    ]);
    expect(() => ratingsFromRows(rows)).toThrow(/rating 100 by rater 'b' \(its ratings span 20-100, median 70\) is off the scale of rater 'a' \(whole numbers 1-5\)/);
  });

  it('negative controls: one wide scale for all, a short Likert-looking rater, a slightly wider rater, labels', async () => {
    for (const [name, third] of [
      ['all-wide.csv', (v: number) => v * 17],
      ['wider.csv', (v: number) => Math.min(9, v * 2)],
    ] as const) {
      const text = name === 'all-wide.csv' ? longSheet(third).replace(/,r([12]),(\d+)$/gm, (_, r, v) => `,r${r},${Number(v) * 19}`) : longSheet(third);
      expect((await readRatings(file(name, text))).dimensions[0].raters).toEqual(['r1', 'r2', 'r3']);
    }
    const short = 'target,rater,rating\n' + LIKERT.flatMap((v, i) => [`t${i},r1,${v * 15}`, `t${i},r2,${v * 16}`, ...(i < 4 ? [`t${i},r3,${v}`] : [])]).join('\n') + '\n';
    expect((await readRatings(file('short.csv', short))).dimensions[0].raters).toEqual(['r1', 'r2', 'r3']);
    const labels = longSheet((v) => (v - 1) * 25);
    expect((await readRatings(file('labels.csv', labels), { categorical: true })).dimensions[0].categories).toContain('100');
  });

  it('a rater on 0-1 (a normalised slider) beside raters on 1-5 is refused too (gold 2.1 for ratings 3, 3 and 0.375, exit 0, before)', async () => {
    const p = file('unit.csv', longSheet((v) => ((v - 1) / 4).toFixed(3)));
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `mmprep: ${p}:13, column rating: rating 1 by rater 'r3' (its ratings span 0-1, median 0.625) is off the scale of raters 'r1', 'r2' (whole numbers 1-5, median 3.5): ratings on two scales (such as 1-5 and 0-1)? put every rater on one scale\n`,
    );
  });

  it('negative controls for 0-1: half-points of a rarely felt emotion (the others mostly 0), every rater on 0-1, a 0/1 rater', async () => {
    const rare = [0, 0, 1, 0, 2, 0, 0, 1];
    const half = rare.flatMap((v, i) => [`t${i},r1,${v}`, `t${i},r2,${v === 2 ? 3 : v}`, `t${i},r3,${v / 2}`]);
    expect((await readRatings(file('half.csv', 'target,rater,rating\n' + half.join('\n') + '\n'))).dimensions[0].raters).toEqual(['r1', 'r2', 'r3']);
    const unit = LIKERT.flatMap((v, i) => [`t${i},r1,${(v / 5).toFixed(2)}`, `t${i},r2,${(v / 6).toFixed(2)}`, `t${i},r3,${v > 2 ? 1 : 0}`]);
    expect((await readRatings(file('all-unit.csv', 'target,rater,rating\n' + unit.join('\n') + '\n'))).dimensions[0].raters).toEqual(['r1', 'r2', 'r3']);
  });
});
