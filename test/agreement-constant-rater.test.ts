/**
 * A new user's trial: a rater who gave 3 to every clip (a straight-liner, or a column filled down in Excel) got no
 * flag and an unexplained '—' correlation with 3 raters. The 'constant' flag now marks such a rater with any number
 * of raters. Negative controls: a rater with one different rating, a rater with 4 equal ratings, and a dimension
 * where everyone gives the same value are not flagged.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeAgreement } from '../src/agreement/index.js';
import { readRatings } from '../src/agreement/read.js';
import { runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-constant-');
afterAll(() => tmp.cleanup());

function file(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

async function flagsOf(text: string, name: string): Promise<Record<string, string[]>> {
  const d = analyzeAgreement(await readRatings(file(name, text))).dimensions[0];
  return Object.fromEntries(d.raters.map((r) => [r.rater, r.flags]));
}

describe("the 'constant' rater flag", () => {
  it('flags a rater with one value on 5 targets among raters who vary, with 3 raters, in the table too', async () => {
    const text = 'clip;Anna;Ben;Carla\nc1;3;4;3\nc2;3;5;5\nc3;3;2;2\nc4;3;4;4\nc5;3;1;1\n';
    expect(await flagsOf(text, 'const.csv')).toEqual({ Anna: ['constant'], Ben: [], Carla: [] });
    const report = join(tmp.dir, 'const.html');
    const r = await runCliInProcess(['agreement', join(tmp.dir, 'const.csv'), '--report', report]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}Anna .*constant$/m);
    expect(r.stdout).toContain('few_items, constant and drift are');
    // the report's note under the Raters table: it said every flag needs a robust z and 5 raters, beside this 'constant' of 3
    expect(readFileSync(report, 'utf8')).toContain('few_items, constant and drift have rules of their own, with any number of raters');
  });

  it('does not flag one differing rating, 4 equal ratings, or a dimension where every rating is equal', async () => {
    expect(await flagsOf('clip,Anna,Ben\nc1,3,4\nc2,3,5\nc3,3,2\nc4,3,4\nc5,2,1\n', 'one-off.csv')).toEqual({ Anna: [], Ben: [] });
    expect((await flagsOf('clip,Anna,Ben\nc1,3,4\nc2,3,5\nc3,3,2\nc4,3,4\n', 'four.csv')).Anna).not.toContain('constant');
    expect(await flagsOf('clip,Anna,Ben\nc1,3,3\nc2,3,3\nc3,3,3\nc4,3,3\nc5,3,3\n', 'all.csv')).toEqual({ Anna: [], Ben: [] });
  });
});
