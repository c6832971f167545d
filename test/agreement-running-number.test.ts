/**
 * A wide sheet's running-number column read as one more rater (a new user's trial, 2026-12-06: `clip_no` 1..8 beside
 * three 1-9 raters gave "4 raters", exit 0, and `dataset build --labels` averaged it into every gold label: s01's
 * valence 6.25 for 8). Refused by its name (`clip_no`, `item_nr`, `index`, `#`, `Unnamed: 0`) or, named like a rater,
 * by its values (one more on every row). Negative controls: raters named `Rater No 1`, a rater whose ratings rise
 * by one for four rows, and the same ratings in the long layout (which the values check does not read).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-running-number-');
afterAll(() => tmp.cleanup());

const RATINGS = [
  [8, 9, 7],
  [7, 9, 7],
  [5, 6, 5],
  [3, 3, 3],
  [6, 5, 6],
  [2, 3, 2],
  [9, 8, 8],
  [4, 4, 5],
];

/** A wide sheet: target, then `extra` (a column filled by `fill(row)`) where given, then three raters. */
function wide(name: string, extra: string | null, fill: (row: number) => number, raters = ['r1', 'r2', 'r3']): string {
  const head = ['target', ...(extra === null ? [] : [extra]), ...raters].join(',');
  const rows = RATINGS.map((v, i) => [`u${i}`, ...(extra === null ? [] : [fill(i)]), ...v].join(','));
  const p = join(tmp.dir, name);
  writeFileSync(p, [head, ...rows].join('\n') + '\n');
  return p;
}

describe('a running-number column in a wide sheet', () => {
  for (const col of ['trial', 'block']) {
    it(`a column '${col}' beside the target (1, 1, 2, 2, ...): refused as information about the targets`, async () => {
      const p = wide(`meta-${col}.csv`, col, (i) => 1 + (i >> 1));
      const r = await runCliInProcess(['agreement', p]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`column '${col}' would be read as a rater .*, but it is named like information about the targets`));
    });
  }

  for (const col of ['clip_no', 'Item Nr', 'index', '#', 'Unnamed: 0']) {
    it(`named '${col}': refused by its name, exit 2`, async () => {
      const p = wide(`name-${col.replace(/\W/g, '_')}.csv`, col, (i) => i + 1);
      const r = await runCliInProcess(['agreement', p]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`mmprep: ${p}:1, column ${col}: column '${col}' would be read as a rater (a wide file's columns other than the target 'target' are raters), but it is named like a running number (an item or row number, or an index a spreadsheet or pandas wrote), which would be averaged into the gold labels and the agreement as one more rater: remove it from the sheet, or rename it if it really is a rater\n`);
    });
  }

  it('named like a rater but holding the row numbers (0, 1, 2, ...): refused by its values, exit 2', async () => {
    const p = wide('values.csv', 'r4', (i) => i);
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mmprep: \S+values\.csv:2, column r4: column 'r4' holds the rows' running numbers \(0, 1, 2, \.\.\. 7, one more on every row\), not ratings: .* give the ratings in the long layout \(target,rater,rating\)\n$/);
  });

  it('controls: raters named "Rater No 1"..; a rater rising by one over four rows; the same column in the long layout', async () => {
    const named = await runCliInProcess(['agreement', wide('rater-no.csv', null, () => 0, ['Rater No 1', 'Rater No 2', 'Rater No 3']), '--json']);
    expect(named.code, named.stderr).toBe(0);
    expect(JSON.parse(named.stdout).dimensions[0].n_raters).toBe(3);
    const p4 = join(tmp.dir, 'four.csv');
    writeFileSync(p4, 'target,r1,r2,r3\n' + [[1, 2, 1], [2, 2, 3], [3, 4, 3], [4, 4, 5]].map((v, i) => `u${i},${v.join(',')}`).join('\n') + '\n');
    const four = await runCliInProcess(['agreement', p4, '--json']);
    expect(four.code, four.stderr).toBe(0);
    const long = join(tmp.dir, 'long.csv');
    const rows = RATINGS.flatMap((v, i) => [...v, i + 1].map((x, r) => `u${i},r${r + 1},${x}`));
    writeFileSync(long, ['target,rater,rating', ...rows].join('\n') + '\n');
    const l = await runCliInProcess(['agreement', long, '--json']);
    expect(l.code, l.stderr).toBe(0);
    expect(JSON.parse(l.stdout).dimensions[0].n_raters).toBe(4);
  });
});
