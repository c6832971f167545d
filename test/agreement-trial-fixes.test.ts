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

/** Reaction times of 8 clips: three raters in seconds, the fourth (`odd`) in milliseconds. */
const RT = [0.42, 0.61, 0.35, 0.78, 0.5, 0.66, 0.39, 0.55];
function secondsAndMs(odd: string): string {
  const rows = ['target,rater,rating'];
  RT.forEach((v, t) =>
    ['r1', 'r2', 'r3', 'r4'].forEach((r, k) => rows.push(`c${t},${r},${r === odd ? Math.round((v + 0.01 * k) * 1000) : (v + 0.01 * k).toFixed(2)}`)),
  );
  return rows.join('\n') + '\n';
}

describe('agreement: one rater in milliseconds beside raters in seconds (A9)', () => {
  it('the rater in milliseconds is named as off the scale of the three in seconds (was: r1, a rater in seconds)', async () => {
    const p = file('rt-ms.csv', secondsAndMs('r4'));
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mmprep: .*rt-ms\.csv:\d+, column rating: rating \d+ by rater 'r4' \(its ratings span 380-810, median 555\) is off the scale of raters 'r1', 'r2', 'r3' \(ratings [\d.]+-[\d.]+, median [\d.]+\): ratings on two scales \(such as seconds and milliseconds/);
  });

  it('the same when the rater in milliseconds comes first in the file', async () => {
    const p = file('rt-ms-first.csv', secondsAndMs('r1'));
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/by rater 'r1' \(its ratings span \d+-\d+, median \d+\) is off the scale of raters 'r2', 'r3', 'r4'/);
  });

  it('one rater in whole seconds beside three in milliseconds: the one in seconds is named', async () => {
    const rows = ['target,rater,rating'];
    [3, 5, 2, 8, 4, 6, 7, 5].forEach((v, t) => ['r1', 'r2', 'r3', 'r4'].forEach((r, k) => rows.push(`c${t},${r},${r === 'r1' ? v : v * 1000 + 10 * k}`)));
    const r = await runCliInProcess(['agreement', file('s-ms.csv', rows.join('\n') + '\n')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/by rater 'r1' \(its ratings span 2-8, median 5\) is off the scale of raters 'r2', 'r3', 'r4'/);
  });
});
