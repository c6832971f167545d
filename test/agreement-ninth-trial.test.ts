/**
 * A ninth new-user trial (an annotation lead) of `mmprep agreement`: four sheets that gave a wrong result with exit 0.
 * A1: one row per rater (irr's kripp.alpha layout) read as targets; A2: a wide sheet with a column per rater AND
 * dimension pooled the dimensions; A3: target ids repeated in every session (a `session` column not read) refused as
 * duplicates with a --repeated hint that then analysed test-retest; A4: a rater on 0-1 beside slider raters on 1-7
 * with decimals. Each is now read right or refused with the fix; negative controls read as before. Inputs are made here
 * from a seeded generator (true scores per target, rater noise).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRatings } from '../src/agreement/read.js';
import { runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-ninth-');
afterAll(() => tmp.cleanup());

function file(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

/** A small LCG (deterministic): ratings on 1-7 with 2 decimals around a true score per target. */
function ratings(nTargets: number, raters: string[], seed: number): number[][] {
  let s = seed;
  const u = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const truth = Array.from({ length: nTargets }, () => 1.5 + 5 * u());
  return truth.map((t) => raters.map(() => Math.round(Math.min(7, Math.max(1, t + (u() - 0.5) * 1.2)) * 100) / 100));
}

const RATERS = ['A', 'B', 'C', 'D', 'E'];
const TARGETS = Array.from({ length: 12 }, (_, i) => `s0${1 + Math.floor(i / 6)}_u0${i % 6}`);

describe('A1: a sheet with one row per rater', () => {
  const m = ratings(TARGETS.length, RATERS, 7);
  const transposed = (first: string) => `${first},${TARGETS.join(',')}\n` + RATERS.map((r, j) => `${r},${m.map((row) => row[j]).join(',')}\n`).join('');

  it.each(['name', 'Annotator', 'coder'])("first column '%s': refused at the header, with or without --format wide", async (first) => {
    const p = file(`t_${first}.csv`, transposed(first));
    for (const args of [[], ['--format', 'wide']]) {
      const r = await runCliInProcess(['agreement', p, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^mmprep: ${p}:1, column (1|${first}): each row looks like one rater's ratings: column '${first}' names the raters.*transpose the sheet .*--target-col ${first}\\n$`));
    }
  });

  it('negative controls: the same ratings one row per target, raters named in a series, and many raters on few targets', async () => {
    const wide = await readRatings(file('w.csv', `name,${RATERS.join(',')}\n` + TARGETS.map((t, i) => `${t},${m[i].join(',')}\n`).join('')));
    expect([wide.dimensions[0].targets.length, wide.dimensions[0].raters.length]).toEqual([12, 5]);
    const crowd = Array.from({ length: 20 }, (_, k) => `w${k + 1}`);
    const few = ratings(3, crowd, 3);
    const many = await readRatings(file('crowd.csv', `clip,${crowd.join(',')}\n` + few.map((row, i) => `c${i + 1},${row.join(',')}\n`).join('')));
    expect([many.dimensions[0].targets.length, many.dimensions[0].raters.length]).toEqual([3, 20]);
    // the rows are targets named like initials, said so with --target-col
    const asked = await readRatings(file('t_ok.csv', transposed('name')), { targetColumn: 'name' });
    expect(asked.dimensions[0].targets).toEqual(RATERS);
  });
});

describe('A2: a wide sheet with a column per rater and dimension', () => {
  const v = ratings(10, RATERS, 11);
  const a = ratings(10, RATERS, 12);
  const header = (f: (r: string, d: string) => string) => ['clip', ...RATERS.flatMap((r) => [f(r, 'valence'), f(r, 'arousal')])].join(',');
  const body = v.map((row, i) => [`c${i}`, ...row.flatMap((x, j) => [x, a[i][j]])].join(',')).join('\n') + '\n';

  it.each([
    ['RATER_DIMENSION', (r: string, d: string) => `${r}_${d}`],
    ['DIMENSION_RATER', (r: string, d: string) => `${d}_${r}`],
  ])('%s columns are read as raters in dimensions, each analysed on its own', async (kind, f) => {
    const t = await readRatings(file(`both_${kind}.csv`, `${header(f)}\n${body}`));
    expect(t.dimensions.map((d) => [d.name, d.raters.length, d.targets.length, d.value.length])).toEqual([
      ['valence', 5, 10, 50],
      ['arousal', 5, 10, 50],
    ]);
    expect(t.dimensions[0].raters).toEqual(RATERS);
    expect(t.notes?.some((n) => n.includes(`columns named ${kind}`))).toBe(true);
    // valence of rater C on the 4th target is the cell of column C_valence
    const d = t.dimensions[0];
    const i = [...d.target].findIndex((tt, k) => d.targets[tt] === 'c3' && d.raters[d.rater[k]] === 'C');
    expect(d.value[i]).toBe(v[3][2]);
  });

  it('--exclude-rater names the rater of RATER_DIMENSION columns; both sides words is refused', async () => {
    const p = file('both_x.csv', `${header((r, d) => `${r}_${d}`)}\n${body}`);
    const t = await readRatings(p, { excludeRaters: ['B'] });
    expect(t.dimensions.map((d) => d.raters.length)).toEqual([4, 4]);
    const words = file('words.csv', 'clip,Anna_valence,Anna_arousal,Bob_valence,Bob_arousal\nc1,1,2,3,4\nc2,2,3,4,5\n');
    await expect(readRatings(words)).rejects.toThrow(/cannot be told which word is the rater: write the file as target,rater,dimension,rating/);
  });

  it('negative controls: raters in two labs (lab1_r1 ...), raters named rater_1 ... stay one column per rater', async () => {
    const labs = await readRatings(file('labs.csv', 'clip,lab1_r1,lab1_r2,lab2_r1,lab2_r2\nc1,1,2,1,2\nc2,3,3,4,3\nc3,5,4,5,5\n'));
    expect([labs.dimensions.length, labs.dimensions[0].raters.length]).toEqual([1, 4]);
    const named = await readRatings(file('named.csv', 'clip,rater_1,rater_2,rater_3,rater_4\nc1,1,2,1,2\nc2,3,3,4,3\nc3,5,4,5,5\n'));
    expect([named.dimensions.length, named.dimensions[0].raters.length]).toEqual([1, 4]);
  });
});

describe('A3: target ids repeated in every session, a session column not read', () => {
  const m = ratings(8, ['A', 'B', 'C'], 5);
  const text = 'session,target,rater,rating\n' + m.flatMap((row, i) => row.map((x, j) => `s${1 + Math.floor(i / 4)},u${i % 4},${'ABC'[j]},${x}`)).join('\n') + '\n';

  it('refused naming the column and --target-col session,target, which reads 8 targets', async () => {
    const p = file('sess.csv', text);
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `mmprep: ${p}:14, column session: target 'u0' by rater 'A' is rated again (first on line 2) with another 'session' ('s2' here, 's1' there), a column agreement does not read: if a target is named by 'session' and 'target' together, pass --target-col 'session,target'; if 'session' names a dimension, --dimension-col session; if it names a test-retest occasion, --occasion-col session\n`,
    );
    const t = await readRatings(p, { targetColumn: 'session,target' });
    expect(t.dimensions[0].targets).toEqual(['s1/u0', 's1/u1', 's1/u2', 's1/u3', 's2/u0', 's2/u1', 's2/u2', 's2/u3']);
    expect(t.notes ?? []).toEqual([]);
  });

  it('--repeated reads the repeats as occasions and says which column differs; an unused column is named', async () => {
    const t = await readRatings(file('sess_r.csv', text), { repeated: true });
    // 'session' names a fact about the target (as session_id, start_s, end_s of the demo's ratings): not in the
    // general note, only in the repeat's own warning; a column like 'comment' is named
    expect(t.notes?.some((n) => n.startsWith("warning: column 'session' is not read"))).toBe(false);
    const withComment = text.replace(/\n/g, (m, at: number) => (at === text.indexOf('\n') ? ',comment\n' : ',ok\n'));
    const c = await readRatings(file('sess_c.csv', withComment), { repeated: true });
    expect(c.notes?.some((n) => n.startsWith("warning: column 'comment' is not read"))).toBe(true);
    expect(t.notes?.some((n) => n.includes("--repeated reads target 'u0' by rater 'A' again as a second occasion, but its rows differ in column 'session' ('s1', then 's2')"))).toBe(true);
  });
});

describe('A4: a rater on 0-1 beside slider raters on 1-7 with decimals', () => {
  const m = ratings(20, ['A', 'B', 'C', 'D'], 9).map((row) => [...row.slice(0, 3), Math.round(((row[3] - 1) / 6) * 1000) / 1000]);
  const text = 'clip,A,B,C,D\n' + m.map((row, i) => `c${i},${row.join(',')}`).join('\n') + '\n';

  it('refused naming the rater and both scales; --scale declares one scale', async () => {
    const p = file('norm.csv', text);
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mmprep: .*norm\.csv:\d+, column D: rating [\d.]+ by rater 'D' \(its ratings span [\d.]+-[\d.]+, median [\d.]+\) is off the scale of raters 'A', 'B', 'C' \(ratings [\d.]+-[\d.]+, median [\d.]+\): ratings on two scales \(such as 1-5 and 0-1\)\? put every rater on one scale \(or, if they share one scale, declare it with --scale LOW,HIGH\)\n$/);
    expect((await readRatings(p, { scale: [0, 7] })).dimensions[0].raters).toEqual(['A', 'B', 'C', 'D']);
  });

  it('negative control: every rater on 0-1, and a rarely felt emotion (others mostly near 0) are read', async () => {
    const unit = m.map((row) => row.map((x) => Math.round((x / 7) * 1000) / 1000));
    expect((await readRatings(file('unit.csv', 'clip,A,B,C,D\n' + unit.map((row, i) => `c${i},${row.join(',')}`).join('\n') + '\n'))).dimensions[0].raters).toHaveLength(4);
    const rare = m.map((row, i) => [i % 5 === 0 ? 30.5 : 0, i % 7 === 0 ? 20.5 : 0, 0, row[3]]);
    expect((await readRatings(file('rare.csv', 'clip,A,B,C,D\n' + rare.map((row, i) => `c${i},${row.join(',')}`).join('\n') + '\n'))).dimensions[0].raters).toHaveLength(4);
  });
});

describe('A10: an alpha that rounds to zero', () => {
  it('is printed 0.000, never -0.000 (nominal alpha of all-distinct decimal ratings is about -1/(n-1))', async () => {
    const rows = Array.from({ length: 700 }, (_, i) => `t${i},${(1 + i / 1000).toFixed(4)},${(2 + ((i * 37) % 700) / 1000).toFixed(4)},${(3 + ((i * 53) % 700) / 1000).toFixed(4)}`);
    const r = await runCliInProcess(['agreement', file('distinct.csv', 'target,A,B,C\n' + rows.join('\n') + '\n')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}nominal +0\.000\b/m);
    expect(r.stdout).not.toMatch(/-0\.000\b/);
  });
});

describe('A8: a continuous trace with a time_ms column', () => {
  it('is named as trace samples (time_ms is a time column), not as a repeat differing in another column', async () => {
    const rows: string[] = [];
    for (const rater of ['A', 'B', 'C']) for (let k = 0; k < 5; k++) rows.push(`s01,${rater},${k * 100},${(3 + k / 10).toFixed(2)},${(5 - k / 7).toFixed(3)}`);
    const r = await runCliInProcess(['agreement', file('traces.csv', 'session,rater,time_ms,valence,arousal\n' + rows.join('\n') + '\n'), '--target-col', 'session', '--rating-col', 'valence']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/traces\.csv:3, column rater: duplicate rating of target 's01' by rater 'A' \(first given on line 2\), at time_ms 0 and 100: samples of a continuous trace\?/);
  });
});
