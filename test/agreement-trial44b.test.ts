/**
 * An annotation lead's trial (ttrial44b, 2026-12-06): Label Studio exports of valence/arousal/emotion by eight
 * raters. Small inputs made here stand for its files (the trial's data is not read).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-trial44b-');
afterAll(() => tmp.cleanup());

function file(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

/** A long file of two raters on three targets whose order column holds `dates` (one per row, in row order). */
function dated(dates: string[]): string {
  const rows = ['target,rater,rating,created_at'];
  ['t1', 't2', 't3'].forEach((t, i) => ['a', 'b'].forEach((r, k) => rows.push(`${t},${r},${i + k + 1},${dates[2 * i + k]}`)));
  return rows.join('\n') + '\n';
}

describe('agreement: dates in the order column are ISO 8601 (W1)', () => {
  it("a German export's '03.11.2026 10:06:12' is refused with the ISO form (was: read as 11 March, month first, exit 0)", async () => {
    const p = file('de.csv', dated(['02.11.2026 09:00:00', '02.11.2026 09:01:00', '03.11.2026 10:06:12', '03.11.2026 10:07:00', '01.12.2026 08:00:00', '01.12.2026 08:01:00']));
    const r = await runCliInProcess(['agreement', p, '--order-col', 'created_at']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `mmprep: ${p}:2, column created_at: order value '02.11.2026 09:00:00' is a local date (day.month.year), which mmprep does not guess at: write dates in ISO 8601 (year-month-day), here 2026-11-02T09:00:00, or order numbers\n`,
    );
  });

  it("'11/03/2026' names both readings; '14/11/2026' is day first; 'Nov 3 2026' has its month named", async () => {
    const slash = await runCliInProcess(['agreement', file('us.csv', dated(['2026-11-03', '11/03/2026', '2026-11-04', '2026-11-04', '2026-11-05', '2026-11-05'])), '--order-col', 'created_at']);
    expect(slash.code).toBe(2);
    expect(slash.stderr).toContain(":3, column created_at: order value '11/03/2026' is a local date: day/month/year or month/day/year? mmprep does not guess: write dates in ISO 8601 (year-month-day), here 2026-03-11 if 11 is the day, 2026-11-03 if 11 is the month, or order numbers\n");
    const day = await runCliInProcess(['agreement', file('uk.csv', dated(['14/11/2026 4:05 PM', '', '', '', '', ''])), '--order-col', 'created_at']);
    expect(day.stderr).toContain("order value '14/11/2026 4:05 PM' is a local date (day/month/year), which mmprep does not guess at: write dates in ISO 8601 (year-month-day), here 2026-11-14T16:05, or order numbers\n");
    const named = await runCliInProcess(['agreement', file('named.csv', dated(['Nov 3 2026', '', '', '', '', ''])), '--order-col', 'created_at']);
    expect(named.stderr).toContain("order value 'Nov 3 2026' is a date with a month name, which mmprep does not guess at: write dates in ISO 8601 (year-month-day), here 2026-11-03, or order numbers\n");
    const other = await runCliInProcess(['agreement', file('other.csv', dated(['2026-13-01', '', '', '', '', ''])), '--order-col', 'created_at']);
    expect(other.stderr).toContain("order value '2026-13-01' is neither a number nor an ISO 8601 date: write dates as year-month-day (2026-11-03 or 2026-11-03T10:06:12), or order numbers\n");
  });

  it("ISO 8601 forms are read: Label Studio's microseconds and Z, a space for the T, an offset, a bare date", async () => {
    const p = file('iso.csv', dated(['2026-11-03T10:06:12.345678Z', '2026-11-03 10:06:13', '2026-11-03T11:06:14+01:00', '2026-11-04', '2026-11-05T00:00', '2026-11-05T00:01Z']));
    const r = await runCliInProcess(['agreement', p, '--order-col', 'created_at', '--json']);
    expect(r.stderr).not.toContain('order value');
    expect(r.code).toBe(0);
  });
});

/**
 * 20 targets, four raters on a 1-7 scale: a and b honest and close (b differs from a on every fifth target, 80 %
 * identical), c their own, and `copy` c's ratings under another id (with `changed` of them altered).
 */
function withCopy(changed: number, copyId = 'h'): string {
  const rows = ['target,rater,rating'];
  for (let t = 0; t < 20; t++) {
    const a = 1 + ((t * 3) % 7);
    const c = Math.min(7, Math.max(1, a + (t % 3) - 1));
    const ratings: Array<[string, number]> = [['a', a], ['b', t % 5 === 0 ? 1 + (a % 7) : a], ['c', c], [copyId, t < changed ? 1 + (c % 7) : c]];
    for (const [r, v] of ratings) rows.push(`s${t},${r},${v}`);
  }
  return rows.join('\n') + '\n';
}

const COPY_LINE = "raters 'c' and 'h' gave the same rating on all 20 targets they both rated (the other rater pairs: 45 % identical, median), flagged at >= 95 % identical on >= 10 shared targets: copied, or the same export twice under two ids? Their agreement with each other raises every coefficient; if one is a copy, leave it out (--exclude-rater h, or c) and run again";

describe('agreement: two raters with identical ratings (W2)', () => {
  it('a copied rater is named in stderr, the text, the JSON, the report and on the gate line; the honest close pair is not', async () => {
    const p = file('copy.csv', withCopy(0));
    const report = join(tmp.dir, 'copy.html');
    const r = await runCliInProcess(['agreement', p, '--min-icc', '0.1', '--min-icc-targets', '0', '--report', report]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`mmprep agreement: warning: ${p}: ${COPY_LINE}\n`);
    expect(r.stdout).toContain(`Warning: ${COPY_LINE}\n`);
    expect(r.stdout).toContain(": raters 'c' and 'h' gave identical ratings (identical_raters warning): a copy raises this figure\n");
    expect(r.stdout).not.toMatch(/raters 'a' and 'b'/);
    expect(readFileSync(report, 'utf8')).toContain('Warning: raters &#39;c&#39; and &#39;h&#39; gave the same rating on all 20 targets');
    const json = JSON.parse((await runCliInProcess(['agreement', p, '--json'])).stdout);
    expect(json.dimensions[0].warnings.filter((w: { code: string }) => w.code === 'identical_raters')).toEqual([
      { code: 'identical_raters', raters: ['c', 'h'], n_shared: 20, n_identical: 20, others_median_identical: 0.45, message: COPY_LINE },
    ]);
  });

  it('nearly identical (1 of 20 altered) is said with its count; 2 of 20 (90 %) is not; nor an easy task every pair agrees on', async () => {
    const one = await runCliInProcess(['agreement', file('copy1.csv', withCopy(1)), '--json']);
    const w = JSON.parse(one.stdout).dimensions[0].warnings.find((x: { code: string }) => x.code === 'identical_raters');
    expect(w.message).toMatch(/^raters 'c' and 'h' gave the same rating on 19 of the 20 targets they both rated /);
    const two = await runCliInProcess(['agreement', file('copy2.csv', withCopy(2)), '--json']);
    expect(JSON.parse(two.stdout).dimensions[0].warnings.map((x: { code: string }) => x.code)).not.toContain('identical_raters');
    // Three raters labelling obvious clips: x and y each differ from z on one of 20 targets (95 %, near-identical), from
    // each other on two (90 %): every pair agrees that often, so none stands out as a copy.
    const rows = ['target,rater,rating'];
    for (let t = 0; t < 20; t++) ['x', 'y', 'z'].forEach((r, k) => rows.push(`s${t},${r},${(k < 2 && t === k * 7 + 1 ? 'sad' : ['happy', 'angry'][t % 2])}`));
    const easy = await runCliInProcess(['agreement', file('easy.csv', rows.join('\n') + '\n'), '--categorical', '--json']);
    expect(easy.code, easy.stderr).toBe(0);
    expect(JSON.parse(easy.stdout).dimensions[0].warnings.map((x: { code: string }) => x.code)).not.toContain('identical_raters');
  });
});

/** A Label Studio-like export of 12 clips by 3 raters, each row with an id and a created_at (minute = row). */
function export12(dayHour: string, edit = (v: number) => v): string[] {
  const rows: string[] = [];
  for (let t = 0; t < 12; t++) ['a', 'b', 'c'].forEach((r, k) => rows.push(`${100 + 3 * t + k},${r},s${t},${edit(1 + ((t + k) % 5))},${dayHour}:${String(3 * t + k).padStart(2, '0')}:00Z`));
  return rows;
}
const EXPORT_HEAD = 'annotation_id,annotator,video,valence,created_at';
const REPEAT_ARGS = ['--target-col', 'video', '--rater-col', 'annotator', '--rating-col', 'valence', '--order-col', 'created_at', '--repeated'];

describe('agreement --repeated on a duplicated export (W3)', () => {
  it('one export joined twice is refused, naming the lines (was: ICC(3,1) 1.000 for every rater, exit 0)', async () => {
    const first = export12('2026-11-03T10');
    const p = file('dup.csv', [EXPORT_HEAD, ...first, ...first].join('\n') + '\n');
    const r = await runCliInProcess(['agreement', p, ...REPEAT_ARGS]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mmprep: ${p}:38, column created_at: --repeated: every one of the 36 repeated rows is a copy of its first row, cell for cell (this line repeats line 2): a duplicated export, not a retest; keep one copy and run without --repeated; a test-retest file has the second pass rated later (or an occasion column)\n`);
  });

  it('a copy with ratings edited but the first times is refused; a real second pass a week later is read', async () => {
    const edited = file('edited.csv', [EXPORT_HEAD, ...export12('2026-11-03T10'), ...export12('2026-11-03T10', (v) => (v === 3 ? 4 : v))].join('\n') + '\n');
    const r = await runCliInProcess(['agreement', edited, ...REPEAT_ARGS]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(":38, column created_at: --repeated: every one of the 36 repeated rows has the same 'created_at' as its first row (here '2026-11-03T10:00:00Z', as on line 2): an export given twice (edited?), not a retest;");
    const later = file('retest.csv', [EXPORT_HEAD, ...export12('2026-11-03T10'), ...export12('2026-11-10T10', (v) => (v === 3 ? 4 : v))].join('\n') + '\n');
    const ok = await runCliInProcess(['agreement', later, ...REPEAT_ARGS, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).dimensions[0].test_retest.n_ratings_repeated).toBe(36);
  });

  it('a file of target, rater and rating only: every repeat equal to the first is a warning, not a refusal', async () => {
    const rows = export12('2026-11-03T10').map((l) => l.split(',').slice(1, 4).join(','));
    const r = await runCliInProcess(['agreement', file('plain.csv', ['annotator,video,valence', ...rows, ...rows].join('\n') + '\n'), '--target-col', 'video', '--rater-col', 'annotator', '--rating-col', 'valence', '--repeated']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(': warning: --repeated: every one of the 36 repeated ratings equals the rater\'s first rating of that target (rows given twice, a duplicated export?)');
  });
});

describe('agreement: files that are not well-formed CSV (R1)', () => {
  it("a stray quote ('r\"1') is bad input, exit 2 with the line and what to do, and --json prints ok: false (was: internal error, exit 1)", async () => {
    const p = file('quote.csv', 'target,rater,rating\na,r1,3\nb,r"1,4\n');
    const line = `${p}:3: malformed CSV: a quote (") inside a cell that does not start with one (after 'r'): quote the whole cell and double the quote in it ("r""1"), or remove the stray quote`;
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mmprep: ${line}\n`);
    const j = await runCliInProcess(['agreement', p, '--json']);
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, error: line, exit_code: 2 });
  });

  it('a Label Studio JSON export and a Praat TextGrid are named as such', async () => {
    const json = file('ls.csv', '[\n {\n  "id": 1,\n  "annotations": []\n }\n]\n');
    const a = await runCliInProcess(['agreement', json]);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe(`mmprep: ${json}:1: the file looks like JSON (a Label Studio or other tool's JSON export?), not CSV: export CSV from the tool (Label Studio: Export, CSV), or write one row per rating with columns target, rater, rating (or one row per target and a column per rater)\n`);
    const tg = file('a.TextGrid', 'File type = "ooTextFile"\nObject class = "TextGrid"\n\nxmin = 0\n');
    const b = await runCliInProcess(['agreement', tg]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^mmprep: .*a\.TextGrid:1: the file is a Praat TextGrid, not CSV: /);
  });
});

describe('agreement: a misspelt column flag gets the flag that reads it (R2)', () => {
  const HEAD = 'video,annotator,valence,dimension,created_at\nv1,a,3,x,2026-11-03T10:00\nv1,b,4,x,2026-11-03T10:01\n';
  const cols = ['--target-col', 'video', '--rater-col', 'annotator', '--rating-col', 'valence'];
  it("--rating-col valance: 'pass --rating-col valence' (was: --valance-col valence); --target-col vdeo: --target-col video", async () => {
    const p = file('r2.csv', HEAD);
    const a = await runCliInProcess(['agreement', p, ...cols.slice(0, 5), 'valance']);
    expect(a.stderr).toBe(`mmprep: ${p}:1, column 3: no 'valance' column; did you mean 'valence'? (pass --rating-col valence)\n`);
    const b = await runCliInProcess(['agreement', p, '--target-col', 'vdeo', ...cols.slice(2)]);
    expect(b.stderr).toBe(`mmprep: ${p}:1, column 1: no 'vdeo' column; did you mean 'video'? (pass --target-col video)\n`);
  });

  it('--order-col created_att and --dimension-col dimenson get a suggestion; a name far from every column lists the header', async () => {
    const p = file('r2b.csv', HEAD);
    const o = await runCliInProcess(['agreement', p, ...cols, '--order-col', 'created_att']);
    expect(o.code).toBe(2);
    expect(o.stderr).toBe(`mmprep: ${p}:1, column 5: no order column 'created_att' in the header; did you mean 'created_at'? (--order-col created_at)\n`);
    const d = await runCliInProcess(['agreement', p, ...cols, '--dimension-col', 'dimenson']);
    expect(d.stderr).toBe(`mmprep: ${p}:1, column 4: no dimension column 'dimenson' in the header; did you mean 'dimension'? (--dimension-col dimension)\n`);
    const far = await runCliInProcess(['agreement', p, ...cols, '--occasion-col', 'xyz']);
    expect(far.stderr).toBe(`mmprep: ${p}:1: no occasion column 'xyz' in the header (header has 'video', 'annotator', 'valence', 'dimension', 'created_at')\n`);
  });
});

describe("agreement: each rater pair's own reason for a missing SE (F3)", () => {
  it('a pair that agrees on every target is not given the first pair\'s "agree on no target"', async () => {
    const rows = ['target,rater,rating'];
    const L = ['a', 'b', 'c'];
    for (let t = 0; t < 12; t++) rows.push(`s${t},w,${L[(t + 1) % 3]}`, `s${t},x,${L[t % 3]}`, `s${t},y,${L[t % 3]}`);
    const r = await runCliInProcess(['agreement', file('f3.csv', rows.join('\n') + '\n'), '--categorical']);
    const tail = 'where the large-sample variance (Fleiss, Cohen & Everitt 1969) is 0 (psych and statsmodels print SE 0); use --bootstrap for an interval\n';
    expect(r.stdout).toContain(`  SE —: w vs x, w vs y: asymptotic SE undefined: the raters agree on no target, ${tail}  SE —: x vs y: asymptotic SE undefined: the raters agree on every target, ${tail}`);
  });
});

describe('agreement: drift needs an order column, and says so (S1)', () => {
  it("a Label Studio export's created_at, not read, is offered as --order-col; a wide sheet's Raters table says why drift is —", async () => {
    const rows = ['annotation_id,annotator,valence,created_at,video'];
    for (let t = 0; t < 6; t++) ['a', 'b'].forEach((r, k) => rows.push(`${10 * t + k},${r},${1 + ((t + k) % 4)},2026-11-03T10:0${t}:0${k}Z,v${t}`));
    const p = file('ls-time.csv', rows.join('\n') + '\n');
    const r = await runCliInProcess(['agreement', p, '--target-col', 'video', '--rater-col', 'annotator', '--rating-col', 'valence']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("an occasion, --occasion-col NAME; 'created_at' looks like a time: to see each rater's drift over their work, pass --order-col created_at\n");
    const read = await runCliInProcess(['agreement', p, '--target-col', 'video', '--rater-col', 'annotator', '--rating-col', 'valence', '--order-col', 'created_at']);
    expect(read.stderr).not.toContain('looks like a time');
    const wide = await runCliInProcess(['agreement', file('wide-drift.csv', 'clip,a,b\nc1,1,2\nc2,3,3\nc3,4,5\n')]);
    expect(wide.stdout).toContain('  (drift —: a wide sheet has no time per rating; drift needs a long file (target, rater, rating and a time or order column))\n');
  });
});

describe('agreement --levels: a label one letter from a level (S3)', () => {
  it("'hapy' gets did you mean 'happy'; a label near two levels gets no guess", async () => {
    const p = file('lev.csv', 'target,rater,rating\nt1,a,happy\nt1,b,hapy\nt2,a,sad\nt2,b,sad\n');
    const r = await runCliInProcess(['agreement', p, '--levels', 'sad,happy,angry']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mmprep: ${p}:3, column rating: label 'hapy' is not one of --levels (sad, happy, angry): did you mean 'happy'? (one letter apart: correct the label)\n`);
    const two = await runCliInProcess(['agreement', file('lev2.csv', 'target,rater,rating\nt1,a,lo\nt1,b,li\n'), '--levels', 'lo,hi']);
    expect(two.stderr).toMatch(/label 'li' is not one of --levels \(lo, hi\): add it to --levels, or leave its ratings out with --na li\n$/);
  });
});
