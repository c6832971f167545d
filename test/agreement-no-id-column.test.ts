/**
 * A new user's trial: a wide sheet of slider ratings with one column per rater and no column of target ids
 * (`Anna,Ben,Carla`) was read with Anna's ratings as the target ids: 2 raters, figures of Ben and Carla only, exit 0.
 * Now refused (exit 2) naming the column and both fixes; --target-col accepts it. A sheet whose id column is last
 * (`Anna,Ben,Carla,clip`) is refused as before, now with the --target-col hint. Negative controls: a first column
 * named like ids, text ids and whole numbers under another name are read as before.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRatings } from '../src/agreement/read.js';
import { runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-no-id-');
afterAll(() => tmp.cleanup());

function file(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

const SLIDERS = ['37.5,41,35', '62,70.5,66', '12.5,20,15', '88,79.5,90', '50.5,55,47'];

describe('a wide file without a target id column', () => {
  it("refuses a first column of numbers named like a rater (exit 2, one line, the fixes); --target-col reads it", async () => {
    const p = file('sliders.csv', ['Anna,Ben,Carla', ...SLIDERS].join('\n') + '\n');
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `mmprep: ${p}:1, column Anna: column 'Anna' is read as the target ids (a wide file's first column; no column is named 'target') but holds only numbers, like a rater's ratings: if every column is a rater, add a first column of target ids; if 'Anna' holds the ids, pass --target-col Anna\n`,
    );
    const forced = await runCliInProcess(['agreement', p, '--target-col', 'Anna', '--json']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout).dimensions[0].n_raters).toBe(2);
  });

  it('refuses whole numbers too when the first column is one of a series of rater names (r1 beside r2, r3)', async () => {
    const p = file('series.csv', 'r1,r2,r3\n3,4,3\n4,5,5\n2,2,2\n5,4,3\n1,1,2\n');
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/column r1: column 'r1' is read as the target ids/);
  });

  it('reads the ids from a later column named like ids, said in a note (ttrial48a W7; was refused naming --target-col)', async () => {
    const p = file('last.csv', ['Anna,Ben,Carla,clip', ...SLIDERS.map((r, i) => `${r},c${i}`)].join('\n') + '\n');
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("column 'clip' is read as the target ids (named like ids; the first column 'Anna' is not), every other column as a rater; if 'Anna' holds the ids, pass --target-col Anna");
  });

  it('reads as before: a numeric id column named like ids, text ids, whole numbers under a name of no series', async () => {
    for (const [name, head, ids] of [
      ['item.csv', 'item_no', ['1', '2', '3', '4', '5']],
      ['text.csv', 'Anna', ['a', 'b', 'c', 'd', 'e']],
      ['whole.csv', 'subj', ['3', '4', '2', '5', '1']],
    ] as const) {
      const t = await readRatings(file(name, [`${head},Ben,Carla,Dev`, ...SLIDERS.map((r, i) => `${ids[i]},${r}`)].join('\n') + '\n'));
      expect(t.dimensions[0].raters, name).toEqual(['Ben', 'Carla', 'Dev']);
      expect(t.dimensions[0].targets, name).toEqual([...ids]);
    }
  });
});
