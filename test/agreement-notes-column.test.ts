/**
 * A wide sheet with a free-text column beside the raters' (a new user's trial, 2026-12-05: `clip,r1,r2,r3,notes`).
 * The refusal of its first text cell said "use --categorical for labels"; doing so read the notes as a fourth rater
 * and the 1-7 ratings as nominal categories: Fleiss' kappa -0.017 over 4 raters, exit 0. Now the refusal names
 * --exclude-rater, and a categorical dimension whose raters split into text-only and number-only is refused (the
 * wide file's notes column; a long file's rater who wrote codes where the others wrote names). Negative controls:
 * the same sheet with the column left out, and labels that are all text or all numbers, are read.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInProcess, tempDir } from './helpers/cli.js';
import { readLabelFiles } from '../src/dataset/labels.js';

const tmp = tempDir('mmprep-agr-notes-');
afterAll(() => tmp.cleanup());

function file(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

const NOTES = file('notes.csv', 'clip,r1,r2,r3,notes\nc01,3,4,3,ok\nc02,6,6,7,\nc03,2,3,2,blurry\nc04,7,6,7,\nc05,4,5,4,\nc06,1,2,1,check\n');

describe('a notes column beside the raters', () => {
  it('numeric: refused at its first text cell, naming --exclude-rater (exit 2, one line)', async () => {
    const r = await runCliInProcess(['agreement', NOTES]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mmprep: ${NOTES}:2, column notes: non-numeric rating 'ok' (column 'notes' looks like notes, not a rater's ratings: leave it out with --exclude-rater notes, or use --categorical for labels)\n`);
  });

  it('--categorical: refused, naming the column, both kinds of labels and --exclude-rater (was exit 0 with 4 raters)', async () => {
    const r = await runCliInProcess(['agreement', NOTES, '--categorical']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `mmprep: ${NOTES}:2, column notes: column 'notes' holds only text ('ok', 'blurry', 'check') where the other raters' columns hold only numbers ('1', '2', '3', '4', …): a notes or comment column read as a rater? Leave it out with --exclude-rater notes (or remove it from the sheet); labels one rater uses and no other does cannot agree, so no figure is computed over them\n`,
    );
  });

  it('with --exclude-rater notes: read, three raters (numeric and --categorical)', async () => {
    for (const extra of [[], ['--categorical']]) {
      const r = await runCliInProcess(['agreement', NOTES, '--exclude-rater', 'notes', '--json', ...extra]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).dimensions[0].n_raters).toBe(3);
    }
  });

  it('dataset build --labels (no --exclude-rater there): the advice says to remove the column', async () => {
    for (const categorical of [false, true]) {
      const err = await readLabelFiles([NOTES], { categorical }).then(() => null, (e: Error) => e);
      expect(err?.message).toMatch(categorical ? /a notes or comment column read as a rater\? Remove it from the file;/ : /looks like notes, not a rater's ratings: remove it from the file, or use --categorical/);
      expect(err?.message).not.toMatch(/--exclude-rater/);
    }
  });

  it("a long file's rater who wrote codes where the others wrote names: refused naming the rater", async () => {
    const rows = ['target,rater,rating'];
    const names = ['happy', 'sad', 'angry'];
    for (let t = 0; t < 6; t++) {
      rows.push(`t${t},a,${names[t % 3]}`, `t${t},b,${names[(t + (t === 2 ? 1 : 0)) % 3]}`, `t${t},c,${(t % 3) + 1}`);
    }
    const p = file('codes.csv', rows.join('\n') + '\n');
    const r = await runCliInProcess(['agreement', p, '--categorical']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mmprep: .*codes\.csv:4, column rating: rater 'c' holds only numbers \('1', '2', '3'\) where the other raters hold only text \('happy', 'sad', 'angry'\): the same categories written two ways \(codes and names\)\? Recode them to one set of labels; /);
  });

  it('negative controls: labels all text, or all numbers, are read', async () => {
    const text = file('text.csv', 'clip,r1,r2,r3\nc1,happy,happy,sad\nc2,sad,sad,sad\nc3,angry,happy,angry\nc4,happy,happy,happy\n');
    const nums = file('nums.csv', 'clip,r1,r2,r3\nc1,1,1,2\nc2,2,2,2\nc3,3,1,3\nc4,1,1,1\n');
    for (const p of [text, nums]) {
      const r = await runCliInProcess(['agreement', p, '--categorical', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).dimensions[0].n_raters).toBe(3);
    }
  });
});
