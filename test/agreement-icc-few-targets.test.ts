/**
 * A new user's trial: a fourth rater who rated 2 of 20 clips left the ICC (complete targets only, as psych::ICC and
 * pingouin) on 2 targets: ICC(2,1) 0.879 on 2 targets against 0.806 on the 20 the other three rated, exit 0, the
 * count only in the table's header (a --min-icc gate would have judged those 2 targets). It is now a warning
 * (`icc_few_targets`: JSON, table, stderr) naming the rater and --missing model. Negative controls: a few scattered
 * missing ratings (more targets kept than dropped) and --missing model give no such warning.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeAgreement } from '../src/agreement/index.js';
import { readRatings } from '../src/agreement/read.js';
import { runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-few-');
afterAll(() => tmp.cleanup());

function sheet(name: string, extra: (t: number) => string[]): string {
  const rows: string[] = [];
  for (let t = 0; t < 20; t++) {
    const v = 1 + ((t * 7) % 5);
    rows.push(`t${t},r1,${v}`, `t${t},r2,${Math.min(5, v + (t % 2))}`, `t${t},r3,${Math.max(1, v - (t % 3 === 0 ? 1 : 0))}`, ...extra(t));
  }
  const p = join(tmp.dir, name);
  writeFileSync(p, 'target,rater,rating\n' + rows.join('\n') + '\n');
  return p;
}

describe('an ICC on fewer targets than it dropped', () => {
  it('names the rater who rated few targets (JSON warning, table, stderr)', async () => {
    const p = sheet('sparse.csv', (t) => (t < 2 ? [`t${t},r4,3`] : []));
    const d = analyzeAgreement(await readRatings(p)).dimensions[0];
    expect(d.icc!.n_targets).toBe(2);
    const message = "the ICC uses 2 of 20 targets (those every rater rated): rater 'r4' rated 2 of 20; --missing model uses every rating, or leave that rater out (--exclude-rater r4)";
    expect(d.warnings).toEqual([{ code: 'icc_few_targets', raters: ['r4'], message }]);
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`mmprep agreement: warning: ${p}: ${message}\n`);
    expect(r.stdout).toContain(`Warning: ${message}`);
  });

  it('ratings missing across the raters: names the three who missed the most (session 21; it named no rater)', async () => {
    // r2 misses t0-t8, r3 t6-t12, r4 t11-t16, r5 t19: no rater under half of the 20 targets; t17, t18 complete
    const miss: Record<string, (t: number) => boolean> = { r2: (t) => t < 9, r3: (t) => t >= 6 && t < 13, r4: (t) => t >= 11 && t < 17, r5: (t) => t === 19 };
    const rows: string[] = [];
    for (let t = 0; t < 20; t++)
      for (const r of ['r1', 'r2', 'r3', 'r4', 'r5']) if (!miss[r]?.(t)) rows.push(`t${t},${r},${1 + ((t * 3 + r.charCodeAt(1)) % 5)}`);
    const p = join(tmp.dir, 'across.csv');
    writeFileSync(p, 'target,rater,rating\n' + rows.join('\n') + '\n');
    const d = analyzeAgreement(await readRatings(p)).dimensions[0];
    expect(d.icc!.n_targets).toBe(2);
    const message =
      "the ICC uses 2 of 20 targets (those every rater rated): ratings are missing across the raters (rater 'r2' missed 9, rater 'r3' missed 7, " +
      "rater 'r4' missed 6 of 20; 1 more rater(s) missed 1); --missing model uses every rating, or have those raters rate the targets they missed";
    // (the cyclic ratings also run against each other: r1 and r3 get reversed_scale warnings, not the subject here)
    expect(d.warnings.filter((w) => w.code === 'icc_few_targets')).toEqual([{ code: 'icc_few_targets', raters: ['r2', 'r3', 'r4'], message }]);
    const r = await runCliInProcess(['agreement', p]);
    expect(r.stderr).toContain(`mmprep agreement: warning: ${p}: ${message}\n`);
  });

  it('no warning for scattered missing ratings, a full sheet, or --missing model', async () => {
    const scattered = sheet('scattered.csv', (t) => (t % 4 === 0 ? [] : [`t${t},r4,${1 + (t % 5)}`]));
    const a = analyzeAgreement(await readRatings(scattered)).dimensions[0];
    expect(a.icc!.n_targets_dropped).toBe(5);
    // r4's 5 missed targets of 20 are said as rater_missed_targets (test/agreement-sessions.test.ts), not here
    expect(a.warnings.filter((w) => w.code !== 'rater_missed_targets')).toEqual([]);
    const full = sheet('full.csv', () => []);
    expect(analyzeAgreement(await readRatings(full)).dimensions[0].warnings).toEqual([]);
    const sparse = sheet('sparse2.csv', (t) => (t < 2 ? [`t${t},r4,3`] : []));
    // (its k forms at 4 raters beside gold labels of ~3 ratings are said as icc_k_forms: test/agreement-model-overlap.test.ts)
    expect(analyzeAgreement(await readRatings(sparse), { missing: 'model' }).dimensions[0].warnings.filter((w) => w.code !== 'rater_missed_targets' && w.code !== 'icc_k_forms')).toEqual([]);
  });

  it("labels: Fleiss' kappa on 3 of 24 targets (a 4th coder on 3 clips) is said, and a label of the other 21 is not 'never used'", async () => {
    const labels = ['neutral', 'happy', 'sad'];
    const rows: string[] = [];
    for (let t = 0; t < 24; t++) for (const [j, r] of ['A', 'B', 'C', 'D'].entries()) if (r !== 'D' || t < 3) rows.push(`c${t},${r},${labels[t < 3 ? j % 2 : (t + (j === 2 ? 1 : 0)) % 3]}`);
    const p = join(tmp.dir, 'labels.csv');
    writeFileSync(p, 'target,rater,rating\n' + rows.join('\n') + '\n');
    const d = analyzeAgreement(await readRatings(p, { categorical: true })).dimensions[0];
    const message = "Fleiss' kappa and its per-category kappas use 3 of 24 targets (those every rater labelled): rater 'D' rated 3 of 24; Scott's pi (Fleiss on every target), AC1 and alpha use every rating, or leave that rater out (--exclude-rater D)";
    expect(d.warnings).toEqual([{ code: 'fleiss_few_targets', raters: ['D'], message }]);
    expect(d.fleiss_per_category!.sad.reason).toBe('category never used on the 3 targets every rater labelled');
  });

  it('traces on two time grids (100 ms, 40 ms) cut into targets: the warning says so, and suggests no exclusion leaving one rater', async () => {
    const rows: string[] = [];
    for (const [r, step, n] of [['r1', 0.1, 20], ['r2', 0.1, 20], ['r3', 0.04, 50]] as const) {
      for (let i = 0; i < n; i++) {
        const t = Math.round(i * step * 100) / 100;
        rows.push(`s0@${t.toFixed(2)},${r},${t},${(Math.sin(3 * t) + (r === 'r2' ? 0.05 : 0)).toFixed(3)}`);
      }
    }
    const p = join(tmp.dir, 'grids.csv');
    writeFileSync(p, 'target,rater,t_s,rating\n' + rows.join('\n') + '\n');
    const d = analyzeAgreement(await readRatings(p)).dimensions[0];
    const w = d.warnings.find((x) => x.code === 'icc_few_targets')!;
    expect(w.message).toBe(
      "the ICC uses 10 of 60 targets (those every rater rated): rater 'r1' rated 20 of 60, rater 'r2' rated 20 of 60; the raters' time steps differ ('r1', 'r2' every 0.1; 'r3' every 0.04): " +
        'targets cut at each rater\'s own times rarely coincide; resample every trace onto one time grid before making targets; --missing model uses every rating',
    );
  });
});
