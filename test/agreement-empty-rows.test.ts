/**
 * A new user's trial: an Excel export of wide ratings ends with rows of delimiters only (`;;;`), which Excel writes
 * below the data. mmprep refused the file with "empty target id" on that line. Such rows are now skipped with one
 * note (count and first line); a file with only such rows is still refused; a row with a rating and no target id
 * is still refused.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRatings } from '../src/agreement/read.js';
import { runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-empty-rows-');
afterAll(() => tmp.cleanup());

function file(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

const WIDE = 'clip;Anna;Ben;Carla\r\nc1;3;4;3\r\nc2;4;5;5\r\nc3;2;2;2\r\nc4;4;4;3\r\nc5;1;1;2\r\n';

describe("Excel's rows of empty cells", () => {
  it('are skipped with one note naming the count and the first line; the figures are those of the file without them', async () => {
    const clean = await readRatings(file('clean.csv', WIDE));
    const p = file('excel.csv', '\ufeff' + WIDE + ';;;\r\n;;;\r\n');
    const withRows = await readRatings(p);
    expect(withRows.n_records).toBe(clean.n_records);
    expect(withRows.dimensions[0].value).toEqual(clean.dimensions[0].value);
    expect(withRows.notes).toContain('ignored 2 row(s) whose every cell is empty (the first on line 7); Excel writes such rows below the data');
    const r = await runCliInProcess(['agreement', p, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`mmprep agreement: ${p}: ignored 2 row(s) whose every cell is empty (the first on line 7)`);
    const c = await runCliInProcess(['agreement', join(tmp.dir, 'clean.csv'), '--json']);
    expect(JSON.parse(r.stdout).dimensions).toEqual(JSON.parse(c.stdout).dimensions);
  });

  it('a file of a header and empty rows only is refused (exit 2); a rating without a target id still is', async () => {
    const p = file('only.csv', 'clip;Anna;Ben\n;;\n;;\n');
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`mmprep: ${p}:2: no ratings (the file has a header only and rows of empty cells)`);
    const q = file('notarget.csv', WIDE + ';3;;\n');
    const s = await runCliInProcess(['agreement', q]);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain(`${q}:7, column clip: empty target id: write the id of the rated target in this cell, or delete the row\n`);
  });

  it('a long row with a rating and no rater id is refused with its line, the rating and what to do (session 21)', async () => {
    const p = file('norater.csv', 'target,rater,rating\r\nt1,r1,3\r\nt1,,4\r\nt2,r1,2\r\nt2,r2,2\r\n');
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mmprep: ${p}:3, column rater: empty rater id (rating '4'): write the id of the rater who gave it in this cell, or delete the row\n`);
  });
});
