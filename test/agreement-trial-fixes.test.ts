/**
 * A read-only trial by a new user (2026-12-03): an Excel export with a title row above the header, a rater on
 * milliseconds beside raters on seconds, the consensus the per-rater figures compare against, and ratings given as
 * rows (ratingsFromRows: dataset build's labels, JSON input) without the CSV reader's off-range rule.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-trialfix-');
afterAll(() => tmp.cleanup());

function file(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

const TITLE = "looks like a title, not a header: it names one column and the rows below hold more; the column names (target, rater, rating, or target and one column per rater) must be on line 1: delete the title row(s) above them (in the sheet, or the CSV's first line)";

describe('agreement: a title row above the header (A7)', () => {
  it("an Excel export's 'Ratings export 2026-11' in A1 is named as a title, line 1 (was: column 2 has no name)", async () => {
    const p = file('title.csv', 'Ratings export 2026-11,,\ntarget,rater,rating\nt1,a,3\nt1,b,4\nt2,a,5\nt2,b,5\n');
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mmprep: ${p}:1: line 1 ('Ratings export 2026-11') ${TITLE}\n`);
  });

  it('a title with no delimiter at all above a semicolon wide sheet is named too (was: this row has 4 cells, the header 1 columns)', async () => {
    const p = file('title-semi.csv', 'Ratings export 2026-11\ntarget;r1;r2;r3\nt1;3;4;3\nt2;5;5;4\n');
    const r = await runCliInProcess(['agreement', p, '--delimiter', 'semicolon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mmprep: ${p}:1: line 1 ('Ratings export 2026-11') ${TITLE}\n`);
  });

  it('negative controls: a header naming only the target, a one-column file: their own messages, not a title', async () => {
    const t = file('target-only.csv', 'target,,\nt1,3,4\n');
    const a = await runCliInProcess(['agreement', t]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("column 2 has no name in the header but holds data ('3')");
    const one = file('one-col.csv', 'score\n3\n4\n');
    const b = await runCliInProcess(['agreement', one]);
    expect(b.code).toBe(2);
    expect(b.stderr).not.toContain('title');
  });
});
