/**
 * Many raters (a crowd of thousands): the rater_id_typo check and the leave-one-out robust z of the rater flags
 * compared every rater with every other (quadratic: at 5,000 raters 5 s and 10+ s of CPU). Both are now near-linear
 * with the same results, checked here against the definition; their speed is in docs/benchmarks-history.md ("Many raters"),
 * not in a timed test.
 */
import { describe, expect, it } from 'vitest';
import { analyzeAgreement, ratingsFromRows } from '../src/agreement/index.js';
import { robustZLoo } from '../src/agreement/diagnostics.js';

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

/** The leave-one-out robust z by its definition (two sorts per value): median and 1.4826 MAD of the others. */
function naiveRobustZ(xs: number[], i: number): number {
  const others = xs.filter((_, j) => j !== i);
  const med = median(others);
  const scale = 1.4826 * median(others.map((v) => Math.abs(v - med)));
  return (xs[i] - med) / scale;
}

/** 'kb', 'kc', …: ids one letter apart, as short crowd ids can be. */
const name = (i: number) => {
  let s = '';
  for (let x = i + 1; x > 0; x = Math.floor(x / 26)) s += 'bcdfghjklmnpqrstvwxzaeiouy'[x % 26];
  return 'k' + s;
};

describe('thousands of raters', () => {
  it('rater_id_typo: 6,000 raters, half of them on one target: every rarer twin named once, in the pairwise order', () => {
    const rows = [];
    let t = 0;
    for (let r = 0; r < 6000; r++) for (let j = 0; j < (r % 2 ? 1 : 3); j++) rows.push({ target: `t${t++}`, rater: name(r), rating: 1 + ((r + j) % 5) });
    const table = ratingsFromRows(rows);
    const typos = analyzeAgreement(table).dimensions[0].warnings.flatMap((w) => (w.code === 'rater_id_typo' ? [w.raters] : [])) as string[][];
    expect(typos.length).toBe(3000);
    // the first qualifying twin in fewest-targets-first order, as the pairwise scan found it
    expect(typos[0]).toEqual(['ka', 'kc']);
  });

  it('robustZLoo: equal to the median and MAD of the others, by definition, on 1,201 values with ties (odd and even counts)', () => {
    for (const n of [1201, 1200]) {
      const xs = Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 100 + (i % 3 === 0 ? 0.005 : 0));
      const z = robustZLoo(xs);
      for (let i = 0; i < n; i += 7) expect(z[i]?.z).toBeCloseTo(naiveRobustZ(xs, i), 9);
    }
    const small: Array<number | null> = [0.2, null, 0.9, 0.4, 0.4, 3, 0.1, 0.5];
    const z = robustZLoo(small);
    const others = [0.9, 0.4, 0.4, 3, 0.1, 0.5]; // without 0.2 and null: median 0.45, |d| 0.45 0.05 0.05 2.55 0.35 0.05
    expect(z[0]?.median).toBeCloseTo(0.45, 12);
    expect(z[0]?.z).toBeCloseTo((0.2 - 0.45) / (1.4826 * 0.2), 9);
    expect(z[1]).toBeNull();
    expect(z[5]?.median).toBe(0.4); // without 3: 0.2 0.9 0.4 0.4 0.1 0.5 -> 0.4
    expect(others.length).toBe(6);
  });
});
