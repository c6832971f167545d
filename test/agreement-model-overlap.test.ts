/**
 * --missing model (REML on every rating, psych::ICC lmer=TRUE) on designs where few targets were rated twice, and its
 * k-rater forms beside a gold label of fewer ratings than raters (a new user's trial, ttrial48a W3 and W11):
 * - an ELAN export whose raters cut their own segments (1 of 59 targets rated twice) gave ICC(2,1) 0.833
 *   [0.758, 0.891] and passed `--min-icc 0.75 --gate-on lower` (59 targets >= 30); now null with the reason, and the
 *   gate's target minimum counts the targets rated twice;
 * - 30 crowd workers with 5-6 ratings per clip read ICC(2,k) 0.983 at k = 30; psych's figure stays (conformance) and
 *   a warning gives the figure at the ratings a clip's mean averages.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-overlap-');
afterAll(() => tmp.cleanup());

/** A deterministic uniform in [0, 1) (LCG). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** Long ratings: target t rated by raters(t), rating = round(true level + noise) on 1-9. */
function longFile(name: string, nTargets: number, raters: (t: number) => string[], seed = 7): string {
  const u = rng(seed);
  const lines = ['target,rater,rating'];
  for (let t = 0; t < nTargets; t++) {
    const level = 2 + 5 * u();
    for (const r of raters(t)) lines.push(`t${t},${r},${Math.max(1, Math.min(9, Math.round(level + (u() - 0.5) * 2)))}`);
  }
  const p = join(tmp.dir, name);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

async function json(args: string[]) {
  const r = await runCliInProcess(['agreement', ...args, '--json']);
  return { code: r.code, stderr: r.stderr, d: r.code === 0 || r.code === 3 ? JSON.parse(r.stdout).dimensions[0] : null };
}

describe('--missing model with few targets rated twice', () => {
  it('one target rated twice: no ICC (null with why), and the gate fails rather than pass on 40 targets', async () => {
    const p = longFile('one-pair.csv', 40, (t) => (t === 5 ? ['a', 'b'] : [['a', 'b', 'c'][t % 3]]));
    const r = await json([p, '--missing', 'model']);
    expect(r.code).toBe(0);
    const icc2 = r.d.icc.rows.find((x: { type: string }) => x.type === 'ICC2');
    expect(icc2.icc).toBeNull();
    expect(icc2.reason).toMatch(/^only 1 of 40 targets rated by two or more raters: no agreement to estimate/);
    const gate = await runCliInProcess(['agreement', p, '--missing', 'model', '--min-icc', '0.5', '--gate-on', 'lower']);
    expect(gate.code).toBe(3);
  });

  it('a few rated twice: a warning says what the ICC rests on, and --min-icc-targets counts them', async () => {
    const p = longFile('few-pairs.csv', 30, (t) => (t < 6 ? ['a', 'b', 'c'] : [['a', 'b', 'c'][t % 3]]));
    const r = await json([p, '--missing', 'model']);
    expect(r.d.icc.n_targets_rated_twice).toBe(6);
    expect(r.d.warnings.map((w: { message: string }) => w.message).join('\n')).toMatch(/the ICC \(--missing model\) rests on the 6 of 30 targets rated by two or more raters/);
    const gate = await runCliInProcess(['agreement', p, '--missing', 'model', '--min-icc', '0.1', '--min-icc-targets', '10']);
    expect(gate.code).toBe(3);
    expect(gate.stderr).toMatch(/comes from 6 targets \(icc\.n_targets_rated_twice: targets rated by two or more raters\), fewer than --min-icc-targets 10/);
  });
});

describe('--missing model: the k-rater forms at the ratings a gold label averages', () => {
  it('10 raters, 3 per target: psych\'s k forms at k = 10 kept, the figure at k = 3 given and warned', async () => {
    const p = longFile('crowd.csv', 40, (t) => [0, 1, 2].map((j) => `w${(t * 3 + j) % 10}`), 11);
    const r = await json([p, '--missing', 'model']);
    const icc = r.d.icc;
    expect(icc.k_ratings).toBeCloseTo(3, 12);
    const single = icc.rows.find((x: { type: string }) => x.type === 'ICC2').icc;
    const atK = icc.rows_at_k_ratings.find((x: { type: string }) => x.type === 'ICC2k').icc;
    expect(atK).toBeCloseTo((3 * single) / (1 + 2 * single), 10); // Spearman-Brown to 3 ratings
    expect(icc.rows.find((x: { type: string }) => x.type === 'ICC2k').icc).toBeCloseTo((10 * single) / (1 + 9 * single), 10);
    const w = r.d.warnings.find((x: { code: string }) => x.code === 'icc_k_forms');
    expect(w.message).toMatch(/^the k-rater ICCs are at k = 10 raters \(psych::ICC's convention\), but a target's mean rating averages 3\.0 ratings here/);
  });

  it('every rater rated every target: no extra rows, no warning', async () => {
    const r = await json([longFile('full.csv', 20, () => ['a', 'b', 'c']), '--missing', 'model']);
    expect(r.d.icc.rows_at_k_ratings).toBeUndefined();
    expect(r.d.warnings.some((x: { code: string }) => x.code === 'icc_k_forms')).toBe(false);
  });
});
