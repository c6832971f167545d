/**
 * `--exclude-rater ID` (an annotation lead's trial: the diagnostics named an outlier rater and there was no way to see
 * the agreement without them short of editing the file). Every figure equals the file without that rater's ratings;
 * the left-out rater is said on stderr, in the JSON (`excluded_raters`), the table and the report; an id the file does
 * not have is refused (exit 2) with the spelling it has.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-exclude-');
afterAll(() => tmp.cleanup());

function file(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

const RATERS = ['r1', 'r2', 'r3', 'r4', 'r5'];
/** Long ratings of 12 targets; r5 rates against the others; `keep` picks the raters written. Each of r1-r4 is one step
 *  further along the scale (before 2026-12-06 r1 and r3 were copies of each other, now said as identical_raters). */
function longCsv(keep: (r: string) => boolean = () => true): string {
  const rows = ['target,rater,rating'];
  for (let t = 0; t < 12; t++) for (const [g, r] of RATERS.entries()) if (keep(r)) rows.push(`t${t},${r},${r === 'r5' ? 7 - (t % 7) : 1 + ((t + g) % 7)}`);
  return rows.join('\n') + '\n';
}

describe('--exclude-rater', () => {
  it('gives the figures of the file without that rater, and says so on stderr, in the JSON, the table and the report', async () => {
    const p = file('five.csv', longCsv());
    const without = JSON.parse((await runCliInProcess(['agreement', file('four.csv', longCsv((r) => r !== 'r5')), '--json'])).stdout);
    const report = join(tmp.dir, 'r.html');
    const r = await runCliInProcess(['agreement', p, '--exclude-rater', 'r5', '--json', '--report', report]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`mmprep agreement: ${p}: left out as --exclude-rater asks: rater 'r5' (12 ratings)\n`);
    const got = JSON.parse(r.stdout);
    expect(got.excluded_raters).toEqual([{ rater: 'r5', n_ratings: 12 }]);
    expect(got.dimensions[0].n_raters).toBe(4);
    expect(got.dimensions).toEqual(without.dimensions);
    expect(readFileSync(report, 'utf8')).toContain("left out as --exclude-rater asks: rater &#39;r5&#39; (12 ratings).");
    const table = await runCliInProcess(['agreement', p, '--exclude-rater', 'r5,r4']);
    expect(table.stdout.split('\n')[1]).toBe("left out as --exclude-rater asks: rater 'r5' (12 ratings), rater 'r4' (12 ratings)");
  });

  it('a flagged rater: the table and the report say how to see the figures without them', async () => {
    const rows = ['target,rater,rating'];
    for (let t = 0; t < 30; t++) for (let r = 1; r <= 6; r++) rows.push(`c${t},ann${r},${r === 6 ? 1 + ((t * 5) % 7) : 1 + (t % 7) + ((t + r) % 5 === 0 && t % 7 < 6 ? 1 : 0)}`);
    const p = file('flagged.csv', rows.join('\n') + '\n');
    const report = join(tmp.dir, 'flagged.html');
    const r = await runCliInProcess(['agreement', p, '--report', report]);
    expect(r.stdout).toMatch(/ann6 .* low_correlation/);
    expect(r.stdout).toContain('  (to see the figures without a flagged rater, run again with --exclude-rater ann6)\n');
    expect(readFileSync(report, 'utf8')).toContain('to see the figures without a flagged rater, run again with --exclude-rater ann6.');
  });

  it('a wide file: the column is left out before any check (a rater on another scale can be left out)', async () => {
    const rows = ['clip,a,b,c'];
    for (let t = 0; t < 8; t++) rows.push(`c${t},${1 + (t % 5)},${1 + ((t + 1) % 5)},${10 * (t + 3)}`);
    const p = file('wide.csv', rows.join('\n') + '\n');
    expect((await runCliInProcess(['agreement', p])).code).toBe(2);
    const r = await runCliInProcess(['agreement', p, '--exclude-rater', 'c', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).dimensions[0].n_raters).toBe(2);
  });

  it('an id not in the file is refused (exit 2) naming the spelling the file has; leaving all but one out says why it stops', async () => {
    const p = file('five-b.csv', longCsv());
    const r = await runCliInProcess(['agreement', p, '--exclude-rater', 'R5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mmprep: ${p}: --exclude-rater R5: no rater 'R5' in the file; did you mean 'r5'?: give the id as the file writes it\n`);
    const one = await runCliInProcess(['agreement', p, '--exclude-rater', 'r2,r3,r4,r5']);
    expect(one.code).toBe(2);
    // The file is named without a line or column: no cell of it is at fault (before: the one rater's last row).
    expect(one.stderr).toBe(`mmprep: ${p}: fewer than two raters (found 1: 'r1') after the others were left out as --exclude-rater asks: rater 'r2' (12 ratings), rater 'r3' (12 ratings), rater 'r4' (12 ratings), rater 'r5' (12 ratings): agreement needs two or more raters; leave fewer out\n`);
  });

  it("an id with a comma ('Smith, J') is that rater, in a long and a wide file; a value with commas the file lacks is a list", async () => {
    const rows = ['target,rater,rating'];
    for (let t = 0; t < 8; t++) for (const [g, r] of ['Smith, J', 'Doe, A', 'Lee'].entries()) rows.push(`t${t},"${r}",${1 + ((t + g) % 5)}`);
    const long = file('comma-long.csv', rows.join('\n') + '\n');
    const r = await runCliInProcess(['agreement', long, '--exclude-rater', 'Smith, J', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).excluded_raters).toEqual([{ rater: 'Smith, J', n_ratings: 8 }]);
    const list = await runCliInProcess(['agreement', long, '--exclude-rater', 'Lee,Doe, A', '--json']);
    expect(list.code).toBe(2); // 'Lee,Doe, A' is no id of the file, so a list: 'Lee', 'Doe', 'A'
    expect(list.stderr).toContain("--exclude-rater Doe: no rater 'Doe' in the file");
    const wide = file('comma-wide.csv', '"clip","Smith, J","Doe, A",Lee\n' + Array.from({ length: 8 }, (_, t) => `c${t},${1 + (t % 5)},${1 + ((t + 1) % 5)},${1 + (t % 5)}`).join('\n') + '\n');
    const w = await runCliInProcess(['agreement', wide, '--exclude-rater', 'Smith, J', '--json']);
    expect(w.code, w.stderr).toBe(0);
    expect(JSON.parse(w.stdout).dimensions[0].n_raters).toBe(2);
    // both readings in the file: refused rather than guessed
    const both = file('comma-both.csv', 'clip,"a,b",a,b\n' + Array.from({ length: 6 }, (_, t) => `c${t},${t % 3},${t % 3},${(t + 1) % 3}`).join('\n') + '\n');
    const amb = await runCliInProcess(['agreement', both, '--exclude-rater', 'a,b']);
    expect(amb.code).toBe(2);
    expect(amb.stderr).toBe(`mmprep: ${both}: --exclude-rater a,b: the file has rater 'a,b' and rater 'a', rater 'b': the value means either; rename one of them in the file\n`);
  });

  it("a rater flagged constant is said in a warning, and the contested targets' header says what * means (a new user's trial)", async () => {
    const p = file('four-const.csv', 'clip,r1,r2,r3,r4\nc1,3,4,3,5\nc2,6,6,7,5\nc3,2,3,2,5\nc4,7,6,7,5\nc5,4,5,4,5\nc6,1,2,1,5\n');
    const json = await runCliInProcess(['agreement', p, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const warning = (JSON.parse(json.stdout).dimensions[0].warnings as Array<{ code: string }>).filter((w) => w.code === 'constant_rater');
    expect(warning).toEqual([
      {
        code: 'constant_rater',
        rater: 'r4',
        value: 5,
        n_ratings: 6,
        message:
          "rater 'r4' gave 5 to all 6 of their targets while the other ratings vary: a straight-liner, or a column filled down in the spreadsheet? Their ratings tell no target from another (their leave-one-out r is undefined: —) and pull every coefficient toward chance; if so, leave them out (--exclude-rater r4)",
      },
    ]);
    const text = await runCliInProcess(['agreement', p]);
    expect(text.stdout).toContain("Warning: rater 'r4' gave 5 to all 6 of their targets");
    expect(text.stdout).toContain("marked contested *: its sd stands out among the targets' (robust z over 3.5) and tops their median sd by a tenth of the rating range)");
    const labels = await runCliInProcess(['agreement', p, '--categorical']);
    expect(labels.stdout).toContain("Warning: rater 'r4' gave '5' to all 6 of their targets");
    expect(labels.stdout).toContain('marked contested *: no label has more than half of its ratings)');
  });

  it('two raters, one flagged constant: no hint to leave them out (it would leave one rater, which is refused)', async () => {
    const p = file('two-const.csv', 'clip,a,b\nc1,3,1\nc2,3,4\nc3,3,2\nc4,3,5\nc5,3,3\nc6,3,2\n');
    const r = await runCliInProcess(['agreement', p]);
    expect(r.stdout).toMatch(/^ {2}a .*constant$/m);
    expect(r.stdout).not.toContain('--exclude-rater');
  });
});
