/**
 * mmprep agreement against published values and the R reference outputs in fixtures/agreement (psych::ICC with
 * lmer=FALSE and lmer=TRUE, irr/vcd for alpha and kappas; see fixtures/agreement/PROVENANCE.md).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeAgreement, byTarget, fitCrossedReml, iccAnova, iccReml, ratingsFromRows, readRatings, type IccRow } from '../src/agreement/index.js';
import { FIXTURES } from './helpers/cli.js';

const DIR = join(FIXTURES, 'agreement');
const data = (name: string) => join(DIR, 'data', `${name}.csv`);
const expected = (file: string) => JSON.parse(readFileSync(join(DIR, 'expected', file), 'utf8'));

interface RefRow {
  type: string;
  icc: number | null;
  f: number | null;
  df1: number;
  df2: number;
  p: number | null;
  ci95: [number | null, number | null];
}

const poleIn = (rows: IccRow[]): boolean => {
  const l2 = rows.find((x) => x.type === 'ICC2')?.ci95[0];
  const k = rows.find((x) => x.type === 'ICC2')?.df2; // (n-1)(k-1) / (n-1) below
  const n1 = rows.find((x) => x.type === 'ICC2')?.df1;
  return l2 != null && k != null && n1 ? l2 <= -1 / (k / n1) : false;
};

function expectIccRows(mine: IccRow[], ref: RefRow[], tol: number, specials: string[] = []) {
  expect(mine.map((r) => r.type)).toEqual(ref.map((r) => r.type));
  for (const r of ref) {
    const m = mine.find((x) => x.type === r.type)!;
    const ctx = r.type;
    expect(m.df1, ctx).toBe(r.df1);
    expect(m.df2, ctx).toBe(r.df2);
    for (const [a, b] of [
      // past that pole psych's ICC2k itself (26.7 on edge_negative_icc) is beyond the ICC's range: mmprep gives null
      [m.icc, r.type === 'ICC2k' && poleIn(mine) && r.icc! > 1 ? null : r.icc],
      // psych's ICC2k lower bound past the Spearman-Brown pole (ICC2's L <= -1/(k-1)) is no bound: mmprep gives null
      [m.ci95[0], r.type === 'ICC2k' && poleIn(mine) ? null : r.ci95[0]],
      [m.ci95[1], r.type === 'ICC2k' && m.icc === null && r.icc! > 1 ? null : r.ci95[1]],
      [m.p, r.p],
    ] as const) {
      if (b === null) expect(a, ctx).toBeNull();
      else expect(Math.abs((a as number) - b), `${ctx} ${a} vs ${b}`).toBeLessThanOrEqual(tol);
    }
    if (r.f === null) {
      if (specials.includes(`icc[${r.type}].f=+Inf`)) expect(m.f_infinite, ctx).toBe(true);
      else expect(m.f, ctx).toBeNull();
    } else expect(Math.abs(m.f! - r.f) / Math.max(1, Math.abs(r.f)), ctx).toBeLessThanOrEqual(tol);
  }
}

const iccFiles = readdirSync(join(DIR, 'expected'))
  .filter((f) => f.endsWith('.icc.json'))
  .map((f) => f.replace('.icc.json', ''));

describe('ICC (ANOVA path) equals psych::ICC(lmer=FALSE) within 1e-9', () => {
  it('has the reference files', () => expect(iccFiles.length).toBeGreaterThanOrEqual(20));
  for (const name of iccFiles) {
    it(name, async () => {
      const ref = expected(`${name}.icc.json`);
      const t = await readRatings(data(name));
      const d = t.dimensions[0];
      const r = iccAnova(d);
      if (ref.icc.length === 0) {
        // one target: psych stops with an error; we give nulls with a reason
        expect(r.rows.every((x) => x.icc === null)).toBe(true);
        expect(r.reason).toMatch(/fewer than two/);
        return;
      }
      expect(r.n_targets).toBe(ref.n_targets);
      expect(r.n_targets_dropped).toBe(ref.n_targets_dropped);
      expectIccRows(r.rows, ref.icc, 1e-9, ref.special_values ?? ref.exact?.special_values ?? []);
      if (ref.anova && ref.icc_source === 'psych') {
        const ms = r.mean_squares!;
        for (const k of ['msb', 'msw', 'msj', 'mse'] as const) expect(Math.abs(ms[k] - ref.anova[k]) / Math.max(1, ref.anova[k])).toBeLessThan(1e-9);
      }
    });
  }
});

describe('ICC with --missing model equals psych::ICC default (lmer=TRUE) within 1e-4', () => {
  for (const name of iccFiles) {
    const ref = expected(`${name}.icc.json`);
    const alt = ref.alternatives?.psych_lmer_default;
    if (!alt?.icc || ref.icc_source === 'exact') continue; // degenerate data: lme4 reports rounding noise
    it(name, async () => {
      const t = await readRatings(data(name));
      const r = iccReml(t.dimensions[0]);
      expect(r.n_targets).toBe(alt.n_obs);
      expectIccRows(r.rows, alt.icc, 1e-4);
      const vc = r.variance_components!;
      expect(Math.abs(vc.target - alt.variance_components.ID)).toBeLessThan(1e-4 * Math.max(1, alt.variance_components.Total));
      expect(Math.abs(vc.residual - alt.variance_components.Residual)).toBeLessThan(1e-4 * Math.max(1, alt.variance_components.Total));
    });
  }
  it('on complete data with positive components REML equals the ANOVA estimates (to optimiser precision)', async () => {
    for (const name of ['sf_shrout_fleiss_1979', 'rand17_n400_k9_cont_bias', 'rand14_n100_k8_likert_bias']) {
      const d = (await readRatings(data(name))).dimensions[0];
      const ms = iccAnova(d).mean_squares!;
      const n = d.targets.length;
      const k = d.raters.length;
      // fitted from the built-in rough start (no ANOVA start), so the optimiser has to find the optimum itself
      const fit = fitCrossedReml(byTarget(d));
      expect(Math.abs(fit.sigma2_residual - ms.mse) / ms.mse, name).toBeLessThan(1e-6);
      expect(Math.abs(fit.sigma2_target - (ms.msb - ms.mse) / k) / ((ms.msb - ms.mse) / k), name).toBeLessThan(1e-6);
      expect(Math.abs(fit.sigma2_rater - (ms.msj - ms.mse) / n) / ((ms.msj - ms.mse) / n), name).toBeLessThan(1e-5);
    }
  });
  it('is symmetric in targets and raters (more raters than targets takes the transposed path)', async () => {
    const d = (await readRatings(data('miss04_n300_k6_cont_15pct'))).dimensions[0];
    const bt = byTarget(d);
    const f = fitCrossedReml(bt);
    // swap the roles: raters become targets
    const t = { ...d, targets: d.raters, raters: d.targets, target: d.rater, rater: d.target };
    const g = fitCrossedReml(byTarget(t));
    expect(Math.abs(g.sigma2_target - f.sigma2_rater) / f.sigma2_rater).toBeLessThan(1e-5);
    expect(Math.abs(g.sigma2_rater - f.sigma2_target) / f.sigma2_target).toBeLessThan(1e-5);
    expect(Math.abs(g.sigma2_residual - f.sigma2_residual) / f.sigma2_residual).toBeLessThan(1e-6);
  });
  it('uses every observed rating on the miss* files (no target dropped)', async () => {
    for (const name of ['miss01_n20_k4_likert_10pct', 'miss04_n300_k6_cont_15pct']) {
      const t = await readRatings(data(name));
      const res = analyzeAgreement(t, { missing: 'model' }).dimensions[0];
      expect(res.icc!.method).toBe('reml');
      expect(res.icc!.n_targets).toBe(expected(`${name}.icc.json`).n_targets_input);
      expect(res.icc!.n_targets_dropped).toBe(0);
    }
  });
});

describe('Shrout & Fleiss (1979) Table 4', () => {
  it('reproduces the published two-decimal values', async () => {
    const t = await readRatings(data('sf_shrout_fleiss_1979'));
    const rows = iccAnova(t.dimensions[0]).rows;
    const pub = { ICC1: 0.17, ICC2: 0.29, ICC3: 0.71, ICC1k: 0.44, ICC2k: 0.62, ICC3k: 0.91 };
    for (const [type, v] of Object.entries(pub)) expect(rows.find((r) => r.type === type)!.icc!.toFixed(2)).toBe(v.toFixed(2));
  });
  it('long format with quoted ids, BOM and CRLF gives the same figures as the wide table', async () => {
    const wide = iccAnova((await readRatings(data('sf_shrout_fleiss_1979'))).dimensions[0]).rows;
    for (const name of ['long_sf', 'long_bom_crlf', 'long_quoted_ids']) {
      const t = await readRatings(data(name));
      expect(t.format).toBe('long');
      const rows = iccAnova(t.dimensions[0]).rows;
      rows.forEach((r, i) => expect(Math.abs(r.icc! - wide[i].icc!)).toBeLessThan(1e-12));
    }
    const q = await readRatings(data('long_quoted_ids'));
    expect(q.dimensions[0].targets).toContain('Zoë "Z" Ünal, PhD');
    expect(q.dimensions[0].raters).toEqual(['Rater, A', 'Rater "B"', 'R3', 'Rater; D']);
    const b = await readRatings(data('long_bom_crlf'));
    expect(b.columns.target).toBe('target');
  });
  it('bands are judged on the CI (Koo & Li 2016)', async () => {
    const rows = iccAnova((await readRatings(data('sf_shrout_fleiss_1979'))).dimensions[0]).rows;
    const icc3k = rows.find((r) => r.type === 'ICC3k')!;
    expect(icc3k.band).toBe('excellent');
    expect(icc3k.band_judged).toBe('moderate to excellent');
  });
});

describe('hard data', () => {
  it('perfect agreement: F infinite, p 0, CI [1, 1]', async () => {
    const r = iccAnova((await readRatings(data('edge_perfect_agreement'))).dimensions[0]);
    for (const row of r.rows) {
      expect(row.icc).toBe(1);
      expect(row.f).toBeNull();
      expect(row.f_infinite).toBe(true);
      expect(row.p).toBe(0);
      expect(row.ci95).toEqual([1, 1]);
    }
  });
  it('raters a constant apart (r3 = r1 + 1): each form its own reason; ICC2 is below 1 with a finite CI (psych)', () => {
    // ttrial50 W7: ICC2 0.945 [0.304, 0.987] carried "perfect agreement: ... CI [1, 1] as a limit", ICC3's reason.
    // psych 2.2.9 ICC(lmer=FALSE) on t1..t6 = (1,1,2) (3,3,4) (5,5,6) (2,2,3) (7,7,8) (4,4,5):
    // ICC2 0.9333333333 [0.2626728990, 0.9916016276], ICC2k 0.9767441860 [0.5166164276, 0.9971847804], ICC3/3k 1 [1, 1].
    const base = [1, 3, 5, 2, 7, 4];
    const rows = base.flatMap((v, i) => [['r1', v], ['r2', v], ['r3', v + 1]].map(([rater, rating]) => ({ target: `t${i + 1}`, rater: rater as string, rating: rating as number })));
    const by = Object.fromEntries(iccAnova(ratingsFromRows(rows).dimensions[0]).rows.map((r) => [r.type, r]));
    for (const [t, icc, lo, hi] of [['ICC2', 0.933333333, 0.262672899, 0.9916016276], ['ICC2k', 0.976744186, 0.5166164276, 0.9971847804]] as const) {
      expect(by[t].icc).toBeCloseTo(icc, 8);
      expect(by[t].ci95[0]).toBeCloseTo(lo, 8);
      expect(by[t].ci95[1]).toBeCloseTo(hi, 8);
      expect(by[t].reason).not.toMatch(/perfect|CI \[1, 1\]/);
      expect(by[t].reason).toMatch(/constant offsets.*absolute agreement is below 1 and its CI is finite/);
    }
    for (const t of ['ICC3', 'ICC3k']) {
      expect(by[t]).toMatchObject({ icc: 1, ci95: [1, 1], f_infinite: true });
      expect(by[t].reason).toMatch(/^perfect consistency: the raters differ only by constant offsets/);
    }
    expect(by.ICC1.f_infinite).toBe(false);
    expect(by.ICC1.reason).toBeNull();
  });
  it('all ratings equal: null with a reason, never NaN', async () => {
    const res = analyzeAgreement(await readRatings(data('edge_all_identical'))).dimensions[0];
    for (const row of res.icc!.rows) {
      expect(row.icc).toBeNull();
      expect(row.reason).toMatch(/equal/);
    }
    expect(res.krippendorff_alpha.interval.alpha).toBeNull();
    expect(res.krippendorff_alpha.interval.reason).toMatch(/distinct/);
    expect(JSON.stringify(res)).not.toMatch(/NaN/);
  });
  it('ratings near 1e9 give the same ICCs as the originals within 1e-9', async () => {
    const t = await readRatings(data('rand08_n20_k6_cont'));
    const d = t.dimensions[0];
    const base = iccAnova(d).rows;
    const shifted = { ...d, value: d.value.map((v) => v + 1e9) };
    const rows = iccAnova(shifted, byTarget(shifted)).rows;
    rows.forEach((r, i) => {
      expect(Math.abs(r.icc! - base[i].icc!)).toBeLessThan(1e-9);
      expect(Math.abs(r.ci95[0]! - base[i].ci95[0]!)).toBeLessThan(1e-9);
    });
    // perfect agreement far from zero stays exact
    const p = (await readRatings(data('edge_perfect_agreement'))).dimensions[0];
    const pf = { ...p, value: p.value.map((v) => v + 1e9 + 0.1) };
    expect(iccAnova(pf).rows.every((r) => r.icc === 1 && r.f_infinite)).toBe(true);
  });
});

describe("Krippendorff's alpha and kappas equal the references", () => {
  const agrFiles = readdirSync(join(DIR, 'expected'))
    .filter((f) => f.endsWith('.agreement.json'))
    .map((f) => f.replace('.agreement.json', ''));
  for (const name of agrFiles) {
    it(name, async () => {
      const ref = expected(`${name}.agreement.json`);
      const categorical = name === 'cohen_wikipedia_2x2';
      const t = await readRatings(data(name), { categorical });
      const res = analyzeAgreement(t).dimensions[0];
      for (const m of ['nominal', 'ordinal', 'interval', 'ratio'] as const) {
        const want = ref.krippendorff_alpha?.[m];
        if (want === undefined || (categorical && m !== 'nominal')) continue;
        if (want === null) expect(res.krippendorff_alpha[m].alpha).toBeNull();
        else expect(Math.abs(res.krippendorff_alpha[m].alpha! - want), m).toBeLessThan(1e-9);
      }
      if (ref.fleiss_kappa?.kappa !== undefined) {
        if (ref.fleiss_kappa.kappa === null) expect(res.fleiss_kappa?.kappa ?? null).toBeNull();
        else {
          expect(Math.abs(res.fleiss_kappa!.kappa! - ref.fleiss_kappa.kappa)).toBeLessThan(1e-9);
          expect(res.fleiss_kappa!.n_subjects_used).toBe(ref.fleiss_kappa.n_subjects_used);
        }
      }
      const ck = ref.cohen_kappa;
      if (ck?.unweighted) {
        expect(res.cohen_kappa!.n_pairs).toBe(ck.n_pairs);
        for (const w of ['unweighted', 'linear', 'quadratic'] as const) {
          // irr's error/NaN cases are checked against vcd where vcd has a value
          const want = ck[w]?.kappa ?? ck.vcd_check?.[w];
          if (want === undefined || want === null) continue;
          expect(Math.abs(res.cohen_kappa![w].kappa! - want), w).toBeLessThan(1e-9);
        }
      }
    });
  }
  it('Krippendorff (2011) worked example: .743, .815, .849, .797', async () => {
    const res = analyzeAgreement(await readRatings(data('kripp_krippendorff2011_4x12'))).dimensions[0];
    expect(res.krippendorff_alpha.nominal.alpha!.toFixed(3)).toBe('0.743');
    expect(res.krippendorff_alpha.ordinal.alpha!.toFixed(3)).toBe('0.815');
    expect(res.krippendorff_alpha.interval.alpha!.toFixed(3)).toBe('0.849');
    expect(res.krippendorff_alpha.ratio.alpha!.toFixed(3)).toBe('0.797');
  });
  it("Fleiss' kappa of Wikipedia's example is .210; Cohen's 2x2 is .4", async () => {
    const f = analyzeAgreement(await readRatings(data('fleiss_wikipedia_raw'))).dimensions[0];
    expect(f.fleiss_kappa!.kappa!.toFixed(3)).toBe('0.210');
    const c = analyzeAgreement(await readRatings(data('cohen_wikipedia_2x2'), { categorical: true })).dimensions[0];
    expect(c.cohen_kappa!.unweighted.kappa!).toBeCloseTo(0.4, 12);
  });
});

describe('bootstrap', () => {
  it('is deterministic for a seed and brackets the point value', async () => {
    const t = await readRatings(data('rand14_n100_k8_likert_bias'));
    const a = analyzeAgreement(t, { bootstrap: 200, seed: 7 }).dimensions[0];
    const b = analyzeAgreement(t, { bootstrap: 200, seed: 7 }).dimensions[0];
    const c = analyzeAgreement(t, { bootstrap: 200, seed: 8 }).dimensions[0];
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.krippendorff_alpha.interval.ci95).not.toEqual(c.krippendorff_alpha.interval.ci95);
    for (const e of [a.krippendorff_alpha.interval, a.krippendorff_alpha.nominal]) {
      expect(e.ci95![0]).toBeLessThan(e.alpha!);
      expect(e.ci95![1]).toBeGreaterThan(e.alpha!);
    }
    expect(a.fleiss_kappa!.ci95![0]).toBeLessThan(a.fleiss_kappa!.kappa!);
    expect(a.cohen_kappa!.quadratic.ci95![1]).toBeGreaterThan(a.cohen_kappa!.quadratic.kappa!);
  });
});
