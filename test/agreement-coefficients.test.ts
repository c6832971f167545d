/**
 * Issue 14: the defects (labels "1" = "1.0", F/p where defined, no negative df) and the chance-robust and per-category
 * coefficients against published numbers:
 * - irrCAC's README and vignettes (cran/irrCAC @ 41b40b431b1b, README.md and inst/doc/weighting.html; Gwet 2014), typed
 *   here with the data they print (cac.raw4raters, distrib.6raters, cont3x3abstractors);
 * - statsmodels 0.13.5 (Debian) on irr's `diagnoses` (Fleiss 1971), written by scripts/make-agreement-peer-fixtures.py;
 * - irr 0.84.1 kappam.fleiss(diagnoses, detail = TRUE) category-wise kappas (printed to 3 decimals) and
 *   kappam.light(diagnoses) = 0.459412144434595;
 * - irr 0.84.1's formulas (kappam.fleiss detail and exact = TRUE, agree with a tolerance) in base R, written to
 *   fixtures/agreement/expected/irr-formulas.json by scripts/irr-formulas.R.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreementWithinTolerance, analyzeAgreement, analyzeDimension, byTarget, formatAgreementText, ratingsFromRows, readRatings } from '../src/agreement/index.js';
import { FIXTURES, tempDir } from './helpers/cli.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('mmprep-agr-coef-')));
afterAll(() => cleanup());

const close = (got: number | null | undefined, want: number, tol: number, what: string) => {
  expect(got, what).not.toBeNull();
  expect(Math.abs((got as number) - want), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(tol);
};

/** Wide rows (null = missing) to a dimension. */
function wide(rows: Array<Array<number | string | null>>, opts: { categorical?: boolean } = {}) {
  const out: Array<{ target: string; rater: string; rating: number | string | null }> = [];
  rows.forEach((r, i) => r.forEach((v, g) => out.push({ target: `u${i + 1}`, rater: `r${g + 1}`, rating: v })));
  return ratingsFromRows(out, opts).dimensions[0];
}

/** A subjects x categories count table as raw ratings (rater g = the g-th rating of the subject). */
function fromCounts(counts: number[][]): number[][] {
  return counts.map((row) => row.flatMap((c, k) => Array.from({ length: c }, () => k + 1)));
}

describe('defects of issue 14', () => {
  it('--categorical: numeric-looking labels compare as numbers ("1" = "1.0")', async () => {
    const p = join(dir, 'float-labels.csv');
    writeFileSync(p, 'target,A,B\nt1,1,1.0\nt2,2,2.0\nt3,1,1\nt4,2,2\nt5,1,2.0\n');
    const d = analyzeAgreement(await readRatings(p, { categorical: true })).dimensions[0];
    expect(d.categories).toEqual(['1', '2']);
    close(d.cohen_kappa!.unweighted.kappa, (0.8 - 0.48) / (1 - 0.48), 1e-12, 'kappa');
  });
  it('MSB = 0: ICC1k undefined but its F (0) and p (1) are given; no negative df without complete targets', () => {
    const d = analyzeDimension(wide([[1, 2], [2, 1], [1, 2]]));
    const r = d.icc!.rows.find((x) => x.type === 'ICC1k')!;
    expect(r.icc).toBeNull();
    expect(r.f).toBe(0);
    expect(r.p).toBe(1);
    expect(r.reason).toMatch(/MSB = 0/);
    const none = analyzeDimension(wide([[1, null], [null, 2], [3, null]]));
    for (const row of none.icc!.rows) {
      expect(row.df1 === null || row.df1 >= 0).toBe(true);
      expect(row.df2 === null || row.df2 >= 0).toBe(true);
    }
    expect(none.icc!.rows[0].df1).toBeNull();
  });
});

describe("irrCAC's published values (Gwet's framework)", () => {
  it('cac.raw4raters (12 units, 4 raters, missing ratings): AC1, BP, Conger, Fleiss-generalised with SE and p', () => {
    const N = null;
    const d = analyzeDimension(
      wide([[1, 1, N, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3], [2, 2, 2, 2], [1, 2, 3, 4], [4, 4, 4, 4], [1, 1, 2, 1], [2, 2, 2, 2], [N, 5, 5, 5], [N, N, 1, 1], [N, N, 3, N]]),
    );
    // coeff.val, coeff.se (5 decimals), p.value as printed by gwet.ac1.raw, bp.coeff.raw, conger.kappa.raw, fleiss.kappa.raw
    const want = {
      gwet_ac1: [0.77544, 0.14295, 0.000208721, 0.1903212],
      brennan_prediger: [0.77273, 0.14472, 0.0002375609, 0.2],
      conger: [0.76282, 0.14917, 0.0003367066, 0.2334252],
      scott_pi: [0.76117, 0.15302, 0.000419173, 0.2387153],
    } as const;
    for (const [k, [c, se, p, pe]] of Object.entries(want)) {
      const got = d[k as keyof typeof want]!;
      close(got.coefficient, c, 5e-6, `${k} coefficient`);
      close(got.se, se, 5e-6, `${k} se`);
      close(got.p, p, 5e-10, `${k} p`);
      close(got.pe, pe, 5e-8, `${k} pe`);
      close(got.pa, 0.8181818, 5e-8, `${k} pa`);
      expect(got.ci95![1]).toBe(1); // printed "(0.461,1)": the upper bound is capped at 1
    }
    close(d.gwet_ac1!.ci95![0], 0.461, 5e-4, 'AC1 lower bound');
  });
  it('distrib.6raters (15 patients x 6 raters): AC1, BP and Fleiss with SE', () => {
    const counts = [[0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0], [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6], [1, 0, 0, 5, 0], [1, 1, 0, 4, 0], [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1]];
    const d = analyzeDimension(wide(fromCounts(counts)));
    close(d.gwet_ac1!.coefficient, 0.4448007, 5e-8, 'AC1');
    close(d.gwet_ac1!.se, 0.08418757, 5e-9, 'AC1 se');
    close(d.brennan_prediger!.coefficient, 0.4388889, 5e-8, 'BP');
    close(d.brennan_prediger!.se, 0.08312142, 5e-9, 'BP se');
    close(d.scott_pi!.coefficient, 0.4139265, 5e-8, 'Fleiss');
    close(d.scott_pi!.se, 0.08119291, 5e-9, 'Fleiss se');
    close(d.fleiss_kappa!.kappa, 0.4139265, 5e-8, "Fleiss' kappa (complete targets) equals it here");
  });
  it("cont3x3abstractors (2 raters, 100 units): Scott's pi, AC1, BP, AC2 quadratic, Cohen's kappa and its SE", () => {
    const table = [[13, 0, 0], [0, 20, 7], [0, 4, 56]];
    const rows: number[][] = [];
    table.forEach((r, i) => r.forEach((c, j) => { for (let n = 0; n < c; n++) rows.push([i + 1, j + 1]); }));
    const d = analyzeDimension(wide(rows));
    close(d.scott_pi!.coefficient, 0.7962397, 5e-8, "Scott's pi");
    close(d.gwet_ac1!.coefficient, 0.8493305, 5e-8, 'AC1');
    close(d.brennan_prediger!.coefficient, 0.835, 5e-8, 'BP');
    close(d.gwet_ac2_quadratic!.coefficient, 0.9402369, 5e-8, 'AC2 quadratic (weighting vignette)');
    close(d.cohen_kappa!.unweighted.kappa, 0.7964094, 5e-8, "Cohen's kappa");
    close(d.cohen_kappa!.unweighted.se, 0.05891072, 5e-9, "Cohen's kappa SE (kappa2.table)");
    close(d.conger!.coefficient, 0.7964094, 5e-8, "Conger's kappa = Cohen's for two raters");
  });
  it('AC2 weights numbers by their values, as irrCAC does (ratings 1, 2, 3, 5: no 4)', async () => {
    // scripts/ac2-by-value.R (irrCAC's gwet.ac1.raw and linear/quadratic.weights ported) on the same file printed
    // linear 0.6130838743 se 0.0996261965, quadratic 0.5488509798 se 0.1353662664. Weighted by position (1, 2, 3, 4),
    // as mmprep did until 2026-12-05, they are 0.6160 and 0.5591.
    const d = analyzeAgreement(await readRatings(join(FIXTURES, 'agreement', 'data', 'cohen_ordinal_gap.csv'))).dimensions[0];
    close(d.gwet_ac2_linear!.coefficient, 0.6130838743, 1e-9, 'AC2 linear');
    close(d.gwet_ac2_linear!.se, 0.0996261965, 1e-9, 'AC2 linear se');
    close(d.gwet_ac2_quadratic!.coefficient, 0.5488509798, 1e-9, 'AC2 quadratic');
    close(d.gwet_ac2_quadratic!.se, 0.1353662664, 1e-9, 'AC2 quadratic se');
  });
});

describe("irr's diagnoses (Fleiss 1971) against statsmodels and irr", () => {
  const file = join(FIXTURES, 'agreement', 'data', 'diagnoses_fleiss1971.csv');
  const ref = JSON.parse(readFileSync(join(FIXTURES, 'agreement', 'expected', 'diagnoses_fleiss1971.statsmodels.json'), 'utf8'));
  it('every rater pair: Cohen kappa and asymptotic SE (statsmodels cohens_kappa); Light; Fleiss; BP = Randolph', async () => {
    const d = analyzeAgreement(await readRatings(file, { categorical: true })).dimensions[0];
    expect(d.cohen_pairs).toHaveLength(15);
    ref.cohen_pairs.forEach((want: { raters: string[]; unweighted: { kappa: number; std_kappa: number } }, i: number) => {
      const got = d.cohen_pairs![i];
      expect(got.raters).toEqual(want.raters);
      close(got.kappa, want.unweighted.kappa, 1e-12, `${want.raters} kappa`);
      close(got.se, want.unweighted.std_kappa, 1e-12, `${want.raters} se`);
    });
    close(d.light!.kappa, ref.light, 1e-12, 'Light');
    close(d.light!.kappa, 0.459412144434595, 1e-12, 'Light (irr kappam.light)');
    close(d.fleiss_kappa!.kappa, ref.fleiss_kappa, 1e-12, 'Fleiss');
    close(d.brennan_prediger!.coefficient, ref.randolph_kappa, 1e-12, 'BP = Randolph free-marginal');
    // irr kappam.fleiss(diagnoses, detail = TRUE), printed to 3 decimals
    const perCat = { '1. Depression': 0.245, '2. Personality Disorder': 0.245, '3. Schizophrenia': 0.52, '4. Neurosis': 0.471, '5. Other': 0.566 };
    for (const [c, v] of Object.entries(perCat)) close(d.fleiss_per_category![c].kappa, v, 5e-4, c);
    // text labels without --levels: nominal figures only, and the output says why
    expect(d.cohen_kappa!.linear.kappa).toBeNull();
    expect(d.cohen_kappa!.linear.reason).toMatch(/--levels/);
    expect(d.gwet_ac2_quadratic!.coefficient).toBeNull();
    expect(d.krippendorff_alpha.ordinal.reason).toMatch(/--levels/);
  });
  it('--levels gives the order: weighted kappas and their SE equal statsmodels on the codes', async () => {
    const levels = ['1. Depression', '2. Personality Disorder', '3. Schizophrenia', '4. Neurosis', '5. Other'];
    const d = analyzeAgreement(await readRatings(file, { levels })).dimensions[0];
    for (const w of ['linear', 'quadratic'] as const) {
      close(d.cohen_kappa![w].kappa, ref.cohen_pairs[0][w].kappa, 1e-12, w);
      close(d.cohen_kappa![w].se, ref.cohen_pairs[0][w].std_kappa, 1e-12, `${w} se`);
    }
    expect(d.gwet_ac2_linear!.coefficient).not.toBeNull();
    expect(d.krippendorff_alpha.ordinal.alpha).not.toBeNull();
  });
});

describe('docs/agreement.md: the kappa paradox example', () => {
  const clips = (cells: Array<[string, string, number]>) => cells.flatMap(([a, b, n]) => Array.from({ length: n }, () => [a, b]));
  it('skewed labels halve kappa but not AC1; balanced labels give both 0.880', () => {
    const skewed = analyzeDimension(wide(clips([['happy', 'happy', 4], ['happy', 'neutral', 3], ['neutral', 'happy', 3], ['neutral', 'neutral', 90]]), { categorical: true }));
    close(skewed.cohen_kappa!.unweighted.kappa, 0.539, 5e-4, 'kappa');
    close(skewed.gwet_ac1!.coefficient, 0.931, 5e-4, 'AC1');
    close(skewed.brennan_prediger!.coefficient, 0.88, 5e-4, 'BP');
    const balanced = analyzeDimension(wide(clips([['happy', 'happy', 47], ['happy', 'neutral', 3], ['neutral', 'happy', 3], ['neutral', 'neutral', 47]]), { categorical: true }));
    close(balanced.cohen_kappa!.unweighted.kappa, 0.88, 5e-4, 'kappa');
    close(balanced.gwet_ac1!.coefficient, 0.88, 5e-4, 'AC1');
  });
  it('--bootstrap fills the CIs of Light and the per-category kappas (deterministic per seed)', async () => {
    const file = join(FIXTURES, 'agreement', 'data', 'diagnoses_fleiss1971.csv');
    const t = await readRatings(file, { categorical: true });
    const a = analyzeAgreement(t, { bootstrap: 40, seed: 3 }).dimensions[0];
    const b = analyzeAgreement(t, { bootstrap: 40, seed: 3 }).dimensions[0];
    expect(a.light!.ci95).toEqual(b.light!.ci95);
    expect(a.light!.se_bootstrap).toBeGreaterThan(0);
    expect(a.light!.se_bootstrap).toBe(b.light!.se_bootstrap);
    expect(a.light!.ci95![0]).toBeLessThan(a.light!.kappa!);
    expect(a.light!.ci95![1]).toBeGreaterThan(a.light!.kappa!);
    const dep = a.fleiss_per_category!['1. Depression'];
    expect(dep.ci95![0]).toBeLessThan(dep.kappa!);
    expect(dep.ci95![1]).toBeGreaterThan(dep.kappa!);
  });
});

describe("irr's kappam.fleiss formulas (scripts/irr-formulas.R)", () => {
  const irr = JSON.parse(readFileSync(join(FIXTURES, 'agreement', 'expected', 'irr-formulas.json'), 'utf8'));
  type Ref = { n_subjects: number; kappa: number; z: number; p: number; exact_conger: number; per_category: Record<string, { share: number; kappa: number; z: number; p: number }> };
  const perCategory = (d: ReturnType<typeof analyzeDimension>, ref: Ref) => {
    close(d.fleiss_kappa!.kappa, ref.kappa, 1e-12, 'Fleiss kappa');
    close(d.fleiss_kappa!.z, ref.z, 1e-10, 'Fleiss z (Fleiss, Nee & Landis 1979)');
    close(d.fleiss_kappa!.p! / ref.p, 1, 1e-6, 'Fleiss p');
    expect(Object.keys(d.fleiss_per_category!)).toEqual(Object.keys(ref.per_category));
    for (const [c, want] of Object.entries(ref.per_category)) {
      const got = d.fleiss_per_category![c];
      close(got.share, want.share, 1e-12, `${c} share`);
      close(got.kappa, want.kappa, 1e-12, `${c} kappa`);
      close(got.z, want.z, 1e-10, `${c} z`);
      // p to 1e-6 relative: erfc against R's pnorm, both far below the 3 decimals irr prints
      close(got.p! / want.p, 1, 1e-6, `${c} p`);
    }
  };
  it('Fleiss z and p; per category: share, kappa, z and p on diagnoses; Conger = kappam.fleiss(exact = TRUE)', async () => {
    const ref: Ref = irr.diagnoses_fleiss1971.fleiss;
    const d = analyzeAgreement(await readRatings(join(FIXTURES, 'agreement', 'data', 'diagnoses_fleiss1971.csv'), { categorical: true })).dimensions[0];
    perCategory(d, ref);
    close(d.conger!.coefficient, ref.exact_conger, 1e-12, "Conger (irr's exact kappa)");
  });
  it('per category on the complete targets of a file with missing ratings (irr na.omit)', async () => {
    const ref: Ref = irr.miss01_n20_k4_likert_10pct.fleiss;
    const d = analyzeAgreement(await readRatings(join(FIXTURES, 'agreement', 'data', 'miss01_n20_k4_likert_10pct.csv'), { categorical: true })).dimensions[0];
    expect(d.fleiss_kappa!.n_subjects_used).toBe(ref.n_subjects);
    perCategory(d, ref);
  });
});

describe('percent agreement within a tolerance (--tolerance; irr::agree)', () => {
  const irr = JSON.parse(readFileSync(join(FIXTURES, 'agreement', 'expected', 'irr-formulas.json'), 'utf8'));
  type Ref = { tolerance: number; irr_agree_complete: number; all_within_targets_2plus: number; n_targets_2plus: number; pairwise_within: number };
  it('complete Likert file: irr agree(tolerance = 0, 1, 2) and the pairwise share', async () => {
    const t = await readRatings(join(FIXTURES, 'agreement', 'data', 'rand11_n40_k4_likert.csv'));
    const bt = byTarget(t.dimensions[0]);
    for (const ref of irr.rand11_n40_k4_likert.tolerance as Ref[]) {
      // the kernel for every tolerance; the whole analysis (--tolerance) once
      const full = ref.tolerance === 1 ? analyzeAgreement(t, { tolerance: 1 }).dimensions[0].percent_agreement.within_tolerance! : null;
      if (full) expect(full.unit).toBe('rating');
      const w = full ?? agreementWithinTolerance(bt, ref.tolerance, (v) => v);
      close(w.all_within, ref.irr_agree_complete, 1e-12, `all within ${ref.tolerance}`);
      close(w.pairwise_within, ref.pairwise_within, 1e-12, `pairs within ${ref.tolerance}`);
    }
  });
  it('missing ratings: every target with two or more ratings, as all_agree; numeric labels by value under --categorical', async () => {
    const t = await readRatings(join(FIXTURES, 'agreement', 'data', 'miss01_n20_k4_likert_10pct.csv'), { categorical: true });
    const [zero, one] = irr.miss01_n20_k4_likert_10pct.tolerance as Ref[];
    const d = analyzeAgreement(t, { tolerance: one.tolerance }).dimensions[0];
    const w = d.percent_agreement.within_tolerance!;
    expect(w.n_targets).toBe(one.n_targets_2plus);
    close(w.all_within, one.all_within_targets_2plus, 1e-12, 'all within 1');
    close(w.pairwise_within, one.pairwise_within, 1e-12, 'pairs within 1');
    // tolerance 0 is the exact percent agreement; the codes here are 1..5 in order, so the category index works
    const w0 = agreementWithinTolerance(byTarget(t.dimensions[0]), 0, (v) => v);
    expect([w0.all_within, w0.pairwise_within]).toEqual([d.percent_agreement.all_agree, d.percent_agreement.pairwise]);
    close(w0.all_within, zero.all_within_targets_2plus, 1e-12, 'all within 0');
  });
  it('decimals: 3.5 and 2.4 are within 1.1; --levels counts positions; text labels: null with the reason', async () => {
    const dec = analyzeDimension(wide([[3.5, 2.4], [1, 2.2], [2, 2]]), { tolerance: 1.1 }).percent_agreement.within_tolerance!;
    expect([dec.all_within, dec.pairwise_within]).toEqual([2 / 3, 2 / 3]);
    const file = join(dir, 'levels.csv');
    writeFileSync(file, 'clip,r1,r2\nt1,low,high\nt2,low,mid\nt3,mid,mid\n');
    const levels = analyzeAgreement(await readRatings(file, { levels: ['low', 'mid', 'high'] }), { tolerance: 1 }).dimensions[0].percent_agreement.within_tolerance!;
    expect([levels.unit, levels.all_within]).toEqual(['level', 2 / 3]);
    const text = analyzeAgreement(await readRatings(file, { categorical: true }), { tolerance: 1 }).dimensions[0].percent_agreement.within_tolerance!;
    expect(text.all_within).toBeNull();
    expect(text.reason).toMatch(/--levels/);
  });
});

describe("Randolph's free-marginal kappa (brennan_prediger)", () => {
  it('one label used: null with --levels named; declared levels count the unused label, 1/q = 1/2 gives 1', async () => {
    const file = join(dir, 'one-label.csv');
    writeFileSync(file, 'clip,r1,r2,r3,r4,r5,r6,r7\nt1,yes,yes,yes,yes,yes,yes,yes\nt2,yes,yes,yes,yes,yes,yes,yes\n');
    const bare = analyzeAgreement(await readRatings(file, { categorical: true })).dimensions[0].brennan_prediger!;
    expect(bare.coefficient).toBeNull();
    expect(bare.reason).toMatch(/--levels/);
    const declared = analyzeAgreement(await readRatings(file, { levels: ['no', 'yes'] })).dimensions[0].brennan_prediger!;
    expect([declared.coefficient, declared.pe]).toEqual([1, 0.5]);
  });
});

describe('the text table with many raters', () => {
  it('per-category kappas come before the pair table, which lists the 10 lowest of 21 pairs (7 raters)', () => {
    const labels = ['a', 'b', 'c'];
    const rows = Array.from({ length: 8 }, (_, t) => Array.from({ length: 7 }, (_, g) => ({ target: `t${t}`, rater: `r${g}`, rating: labels[(t + (g * t) % 3 + (g > 4 ? 1 : 0)) % 3] }))).flat();
    const text = formatAgreementText(analyzeAgreement(ratingsFromRows(rows, { categorical: true })));
    const perCategory = text.indexOf("Fleiss' kappa per category");
    const pairs = text.indexOf("Cohen's kappa per rater pair");
    expect(perCategory).toBeGreaterThan(0);
    expect(pairs).toBeGreaterThan(perCategory);
    expect(text).toContain('the 10 lowest of 21 pairs');
    const listed = text.slice(pairs).split('\n').filter((l) => / r\d vs r\d /.test(l));
    expect(listed).toHaveLength(10);
    const kappas = listed.map((l) => Number(l.trim().split(/\s+/)[4]));
    expect(kappas).toEqual([...kappas].sort((x, y) => x - y));
  });
});
