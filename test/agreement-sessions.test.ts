/**
 * An annotation lead's trial: (1) two labs' exports joined into one file, each with a rater 'r1', were read as one
 * rater without a word, and `mmprep agreement a.csv b.csv` said only 'too many arguments'; (2) a rater who skipped a
 * whole session (or export) was not named: the ICC silently dropped those targets. Both are said now, naming the id,
 * the session or the export's lines. Negative controls: exports with the same raters (one campaign's sessions) and a
 * design where every rater rates half of the targets say nothing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeAgreement, ratingsFromRows, readRatings } from '../src/agreement/index.js';
import { runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-sessions-');
afterAll(() => tmp.cleanup());

function file(name: string, lines: string[]): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}
const HEAD = 'target,rater,rating';
/** `raters` rate targets `prefix`0..n-1 (varied 1-5 ratings). */
const part = (prefix: string, raters: string[], n = 4) => raters.flatMap((r, j) => Array.from({ length: n }, (_, c) => `${prefix}${c},${r},${1 + ((c + 2 * j) % 5)}`));
const warningsOf = async (p: string) => analyzeAgreement(await readRatings(p)).dimensions[0].warnings;

describe('raters across sessions and joined exports', () => {
  it("a rater who skipped a session: named with the count and the session (from the target ids)", () => {
    const rows = [1, 2, 3].flatMap((s) =>
      Array.from({ length: 4 }, (_, c) => ['r1', 'r2', 'r3'].filter((r) => !(r === 'r3' && s === 2)).map((r, j) => ({ target: `s${s}_c${c}`, rater: r, rating: 1 + ((s * 4 + c + j) % 5) }))).flat(),
    );
    const w = analyzeAgreement(ratingsFromRows(rows)).dimensions[0].warnings.filter((x) => x.code === 'rater_missed_targets');
    expect(w).toEqual([
      expect.objectContaining({ rater: 'r3', n_missed: 4, n_targets: 12, missed_parts: ["session 's2'"] }),
    ]);
    expect(w[0].message).toBe(
      "rater 'r3' has no rating of 4 of the 12 targets (33 %): no rating in session 's2' (4 targets); a skipped session? the ICC leaves those targets out (it uses the targets every rater rated; --missing model keeps them); alpha uses the ratings given",
    );
    // every rater rates half of the targets (an incomplete design): the median rater misses as many, nobody is named
    const half = Array.from({ length: 12 }, (_, t) => ['a', 'b', 'c', 'd'].filter((_, j) => (t + j) % 2 === 0).map((r) => ({ target: `s${t % 3}_c${t}`, rater: r, rating: 1 + (t % 5) }))).flat();
    expect(analyzeAgreement(ratingsFromRows(half)).dimensions[0].warnings.some((x) => x.code === 'rater_missed_targets')).toBe(false);
  });

  it('a skipped session is named even where the ICC few-targets warning names the rater by count only', () => {
    // 3 sessions x 4 targets; r4 skipped session 2, r1 and r2 missed 2 targets each: 4 complete targets, 8 dropped
    const skip = (s: number, c: number, r: string) => (r === 'r4' && s === 2) || (r === 'r1' && s === 1 && c < 2) || (r === 'r2' && s === 3 && c < 2);
    const rows = [1, 2, 3].flatMap((s) =>
      Array.from({ length: 4 }, (_, c) => ['r1', 'r2', 'r3', 'r4'].filter((r) => !skip(s, c, r)).map((r, j) => ({ target: `s${s}_c${c}`, rater: r, rating: 1 + ((s * 4 + c + j) % 5) }))).flat(),
    );
    const w = analyzeAgreement(ratingsFromRows(rows)).dimensions[0].warnings;
    expect(w.find((x) => x.code === 'icc_few_targets')?.message).toMatch(/ratings are missing across the raters \(rater 'r4' missed 4, /);
    expect(w.filter((x) => x.code === 'rater_missed_targets')).toEqual([expect.objectContaining({ rater: 'r4', missed_parts: ["session 's2'"] })]);
  });

  it("two labs' exports joined, both with a rater 'r1': one warning naming the id and both exports' lines", async () => {
    const p = file('labs.csv', [HEAD, ...part('a', ['r1', 'r2']), HEAD, ...part('b', ['r1', 'r3'])]);
    const r = await runCliInProcess(['agreement', p, '--json']);
    expect(r.code).toBe(0);
    const line =
      "rater id 'r1' (lines 2-9 and lines 11 to the end) has ratings in more than one of the exports this file joins (the header repeats on line 10), whose raters differ: each id is read as one rater; if an id names two people (two labs' 'r1'), give each export's rater an id of their own in the file (e.g. 'lab2-r1')";
    expect(r.stderr).toContain(`mmprep agreement: warning: ${p}: ${line}\n`);
    expect(JSON.parse(r.stdout).dimensions[0].warnings).toContainEqual({ code: 'rater_in_two_exports', raters: ['r1'], message: line });
    // one campaign's sessions exported one by one (the same raters in each): read as one rater each, not said
    const sessions = file('sessions.csv', [HEAD, ...part('a', ['r1', 'r2']), HEAD, ...part('b', ['r1', 'r2'])]);
    expect((await warningsOf(sessions)).map((w) => w.code)).toEqual([]);
  });

  it('a rater without a rating in one of the exports: named with the export\'s lines', async () => {
    const p = file('skip-export.csv', [HEAD, ...part('a', ['r1', 'r2', 'r3']), HEAD, ...part('b', ['r1', 'r2'])]);
    const w = (await warningsOf(p)).find((x) => x.code === 'rater_missed_targets');
    expect(w).toMatchObject({ rater: 'r3', n_missed: 4, missed_parts: ['the export of lines 15 to the end'] });
  });

  it('two files on the command line: exit 2, one line saying how to join them and keep two people apart', async () => {
    const a = file('a.csv', [HEAD, ...part('a', ['r1', 'r2'])]);
    const r = await runCliInProcess(['agreement', a, a]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mmprep: agreement reads one ratings file, got 2 \(\S+a\.csv, \S+a\.csv\): join them into one \(e\.g\. cat .*; .*give them ids of their own \(e\.g\. 'lab2-r1'\); one rater's second pass of the same targets is a test-retest \(--repeated\)\n$/);
  });
});
