/**
 * Issue 14, item 5: rater flags need a robust outlier statistic (leave-one-out robust z) AND a difference that
 * matters, and are not computed with fewer raters than the statistic needs. Each positive case has a negative control.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeAgreement, analyzeDimension, ratingsFromRows, readRatings } from '../src/agreement/index.js';
import { flagRaters, type RaterDiagnostics } from '../src/agreement/diagnostics.js';
import { FIXTURES } from './helpers/cli.js';
import { mulberry32 } from '../scripts/rng.mjs';

/** mulberry32 (scripts/rng.mjs, the one copy): a seeded generator so the synthetic panels are the same on every run. */
const rng = (seed: number): (() => number) => mulberry32(seed);

/** 40 clips x 6 raters on a 1..7 scale: true score + rater noise (+-1), rounded and clipped. */
function panel(opts: { randomRater?: boolean; contested?: boolean } = {}) {
  const r = rng(14);
  const rows: Array<{ target: string; rater: string; rating: number }> = [];
  for (let t = 0; t < 40; t++) {
    const truth = 1 + Math.floor(r() * 7);
    for (let g = 0; g < 6; g++) {
      let v = Math.round(truth + (r() - 0.5) * 2);
      if (opts.randomRater && g === 5) v = 1 + Math.floor(r() * 7);
      if (opts.contested && t === 17) v = [1, 7, 1, 7, 2, 6][g];
      rows.push({ target: `clip${t}`, rater: `r${g + 1}`, rating: Math.min(7, Math.max(1, v)) });
    }
  }
  return analyzeDimension(ratingsFromRows(rows).dimensions[0]);
}

const flagged = (raters: RaterDiagnostics[]) => raters.filter((x) => x.flags.length > 0).map((x) => `${x.rater}:${x.flags.join('+')}`);

function diag(rater: string, corr: number): RaterDiagnostics {
  return { rater, n_items: 50, n_compared: 50, mean: 4, bias: 0, bias_ci95: [-0.1, 0.1], corr_loo: corr, agreement_with_majority: null, mean_abs_diff_loo: 0.5, mean_abs_diff_se: 0.05, drift: null, drift_n: null, drift_p: null, flags: [], bias_ci95_reason: null };
}

describe('rater flags', () => {
  it('3 raters with leave-one-out r 0.880, 0.888, 0.889: nobody is flagged', () => {
    const raters = [diag('a', 0.88), diag('b', 0.888), diag('c', 0.889)];
    const d = ratingsFromRows([{ target: 't', rater: 'a', rating: 1 }, { target: 't', rater: 'b', rating: 7 }]).dimensions[0];
    flagRaters(raters, d, {});
    expect(flagged(raters)).toEqual([]);
    // six such raters: enough for the statistic, but 0.008 is no difference that matters
    const six = [0.88, 0.888, 0.889, 0.8885, 0.8887, 0.8889].map((c, i) => diag(`r${i}`, c));
    flagRaters(six, d, {});
    expect(flagged(six)).toEqual([]);
    // and the output says why three raters get no outlier flags
    const three = analyzeDimension(ratingsFromRows([1, 2, 3, 4, 5, 6].flatMap((t) => ['a', 'b', 'c'].map((r, g) => ({ target: `t${t}`, rater: r, rating: t + (g === 2 ? 3 : 0) })))).dimensions[0]);
    expect(three.flags_note).toMatch(/need at least 5 raters/);
    expect(flagged(three.raters)).toEqual([]);
  });
  it("irr's diagnoses: rater 1 (agrees with the others' majority on 0.37 of patients) is flagged, nobody else", async () => {
    const t = await readRatings(join(FIXTURES, 'agreement', 'data', 'diagnoses_fleiss1971.csv'), { categorical: true });
    const d = analyzeAgreement(t).dimensions[0];
    expect(d.raters[0].agreement_with_majority).toBeCloseTo(11 / 30, 12);
    expect(flagged(d.raters)).toEqual(['rater1:low_agreement']);
  });
  it('an injected random rater is flagged; the same panel without it flags nobody', () => {
    expect(flagged(panel().raters)).toEqual([]);
    const bad = flagged(panel({ randomRater: true }).raters);
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatch(/^r6:.*low_correlation/);
    expect(bad[0]).toMatch(/far_from_others/);
  });
  it('an injected contested clip is marked and ranked first; none is marked without it', () => {
    expect(panel().targets.filter((t) => t.contested)).toEqual([]);
    const d = panel({ contested: true });
    expect(d.targets.filter((t) => t.contested).map((t) => t.target)).toEqual(['clip17']);
    expect(d.targets[0].target).toBe('clip17');
  });
});
