/**
 * Property tests (fast-check): the ICC family and Krippendorff's alpha do not depend on the order of raters or
 * targets, nor on adding a constant; scaling by c > 0 keeps every coefficient; negative scaling keeps ICC and
 * interval alpha. Data: random complete target x rater tables.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeAgreement, iccAnova, krippendorffAlpha, byTarget, ratingsFromRows, type RatingsTable } from '../src/agreement/index.js';

type Grid = number[][];

function table(grid: Grid, rowOrder?: number[], colOrder?: number[], f: (v: number) => number = (v) => v): RatingsTable {
  const rows: Array<{ target: string; rater: string; rating: number }> = [];
  const ro = rowOrder ?? grid.map((_, i) => i);
  const co = colOrder ?? grid[0].map((_, j) => j);
  for (const i of ro) for (const j of co) rows.push({ target: `t${i}`, rater: `r${j}`, rating: f(grid[i][j]) });
  return ratingsFromRows(rows);
}

const gridArb = fc
  .record({ n: fc.integer({ min: 3, max: 12 }), k: fc.integer({ min: 2, max: 6 }) })
  .chain(({ n, k }) => fc.array(fc.array(fc.integer({ min: 1, max: 7 }), { minLength: k, maxLength: k }), { minLength: n, maxLength: n }));

const permArb = (n: number) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n });

function close(a: number | null, b: number | null, tol: number) {
  if (a === null || b === null) expect(a).toBe(b);
  else expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
}

function iccs(t: RatingsTable) {
  return iccAnova(t.dimensions[0]).rows.map((r) => [r.icc, r.ci95[0], r.ci95[1], r.p] as const);
}
function alphas(t: RatingsTable) {
  const bt = byTarget(t.dimensions[0]);
  return (['nominal', 'ordinal', 'interval', 'ratio'] as const).map((m) => krippendorffAlpha(bt, m).alpha);
}

describe('invariances', () => {
  it('reordering raters and targets changes nothing', () => {
    fc.assert(
      fc.property(
        gridArb.chain((g) => fc.tuple(fc.constant(g), permArb(g.length), permArb(g[0].length))),
        ([g, ro, co]) => {
          const a = table(g);
          const b = table(g, ro, co);
          iccs(a).forEach((r, i) => r.forEach((v, j) => close(iccs(b)[i][j], v, 1e-9)));
          alphas(a).forEach((v, i) => close(alphas(b)[i], v, 1e-12));
          const da = analyzeAgreement(a).dimensions[0];
          const db = analyzeAgreement(b).dimensions[0];
          close(db.fleiss_kappa?.kappa ?? null, da.fleiss_kappa?.kappa ?? null, 1e-12);
        },
      ),
      { numRuns: 150, seed: 42 },
    );
  });
  it('adding a constant changes no ICC, CI, p or interval/ordinal/nominal alpha', () => {
    fc.assert(
      fc.property(gridArb, fc.double({ min: -1e6, max: 1e9, noNaN: true }), (g, c) => {
        const a = table(g);
        const b = table(g, undefined, undefined, (v) => v + c);
        iccs(a).forEach((r, i) => r.forEach((v, j) => close(iccs(b)[i][j], v, 1e-7)));
        const [an, ao, ai] = alphas(a);
        const [bn, bo, bi] = alphas(b);
        close(bn, an, 1e-9);
        close(bo, ao, 1e-9);
        close(bi, ai, 1e-6);
      }),
      { numRuns: 150, seed: 7 },
    );
  });
  it('scaling: c > 0 keeps every ICC and alpha (ratio too); c < 0 keeps ICC and interval alpha', () => {
    fc.assert(
      fc.property(gridArb, fc.double({ min: 0.001, max: 1000, noNaN: true }), fc.boolean(), (g, c, neg) => {
        const a = table(g);
        const s = neg ? -c : c;
        const b = table(g, undefined, undefined, (v) => v * s);
        iccs(a).forEach((r, i) => r.forEach((v, j) => close(iccs(b)[i][j], v, 1e-7)));
        const [an, ao, ai, ar] = alphas(a);
        const [bn, bo, bi, br] = alphas(b);
        close(bn, an, 1e-9);
        close(bi, ai, 1e-9);
        if (!neg) {
          close(bo, ao, 1e-9);
          close(br, ar, 1e-9);
        }
      }),
      { numRuns: 150, seed: 11 },
    );
  });
  // psych's average-measure CIs map the single-measure bounds through x k / (1 + x (k - 1)), which has a pole at
  // x = -1/(k-1): with strongly negative ICCs psych (and so mmprep) reports a 'lower' bound above the point value.
  it('non-negative single-measure ICCs lie within their CIs and never exceed 1', () => {
    fc.assert(
      fc.property(gridArb, (g) => {
        const rows = iccAnova(table(g).dimensions[0]).rows;
        for (const r of rows) {
          if (r.icc === null || r.type.endsWith('k') || r.icc < 0) continue; // psych's CI formulas are not monotone for negative ICCs
          expect(r.icc).toBeLessThanOrEqual(1 + 1e-12);
          if (r.ci95[0] !== null) expect(r.ci95[0]).toBeLessThanOrEqual(r.icc + 1e-12);
          if (r.ci95[1] !== null) expect(r.ci95[1]).toBeGreaterThanOrEqual(r.icc - 1e-12);
          expect(Number.isNaN(r.icc)).toBe(false);
        }
      }),
      { numRuns: 150, seed: 3 },
    );
  });
});
