/**
 * A rater on a shorter scale than the others (1-5 among 1-9; a new user's trial, 2026-12-06, W10): averaged into the
 * gold labels as given, with no word from `dataset build` and, with fewer than 5 raters, none from `mmprep agreement`.
 * Now an `other_scale` warning names the rater. Controls: a rater who keeps to the middle of the same scale, and the
 * demo's ratings, get none.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-other-scale-');
afterAll(() => tmp.cleanup());

const R19 = [
  [8, 9],
  [7, 9],
  [5, 6],
  [3, 3],
  [6, 5],
  [2, 3],
  [9, 8],
  [4, 4],
];

function sheet(name: string, third: number[]): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, 'target,r1,r2,r3\n' + R19.map((v, i) => `u${i},${v.join(',')},${third[i]}`).join('\n') + '\n');
  return p;
}

describe('a rater on another scale', () => {
  it('1-5 among 1-9: warned, naming the rater (exit 0; was no word with 3 raters)', async () => {
    const p = sheet('short.csv', [5, 4, 3, 2, 3, 1, 5, 2]);
    const r = await runCliInProcess(['agreement', p, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: \S*short\.csv: rater 'r3' rated no higher than 5 on 8 targets, while \d+ % of the other raters' ratings lie above 5 \(up to 9\): a rater on another scale/);
    expect(JSON.parse(r.stdout).dimensions[0].warnings.map((w: { code: string }) => w.code)).toContain('other_scale');
  });

  it('controls: a rater keeping to 2-7 of the same scale, and the demo ratings, get no such warning', async () => {
    const mid = await runCliInProcess(['agreement', sheet('mid.csv', [7, 7, 5, 3, 5, 2, 7, 4]), '--json']);
    expect(mid.code, mid.stderr).toBe(0);
    expect(mid.stderr).not.toMatch(/another scale/);
    const demo = await runCliInProcess(['agreement', join(FIXTURES, 'demo', 'ratings.csv'), '--json']);
    expect(demo.stderr).not.toMatch(/another scale/);
  });
});
