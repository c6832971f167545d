/**
 * The gold-trace window kernel (src/dataset/trace-window.ts): nearest-sample hold over each sample's grid cell. The
 * expected figures are worked by hand from that rule (docs/dataset.md "Labels from a continuous trace").
 */
import { describe, expect, it } from 'vitest';
import { irregularStep, medianStep, traceWindow } from '../src/dataset/trace-window.js';

/** A trace on a 0.04 s grid from `t0`, `n` samples, gold = f(t). */
function grid(n: number, f: (t: number) => number, t0 = 0, step = 0.04): { t: number[]; v: number[]; sd: null } {
  const t = Array.from({ length: n }, (_, k) => Number((t0 + k * step).toFixed(6)));
  return { t, v: t.map(f), sd: null };
}

describe('traceWindow', () => {
  it('a ramp: the mean over a window with edges on samples is the ramp at its middle (edge samples count half)', () => {
    const ramp = grid(251, (t) => t / 10); // 0 to 10 s
    const w = traceWindow(ramp, 0.04, 2, 4);
    expect(w.mean).toBeCloseTo(0.3, 12);
    expect(w.coverage).toBeCloseTo(1, 12);
    expect(w.n_samples).toBe(51);
    // held values k*0.004 on cells 0.04 wide (two half cells at the edges): SD from the cells by hand
    let ss = 0;
    for (let k = 50; k <= 100; k++) ss += (k === 50 || k === 100 ? 0.02 : 0.04) * (k * 0.004 - 0.3) ** 2;
    expect(w.sd).toBeCloseTo(Math.sqrt(ss / 2), 12);
  });

  it("a step between two samples: the change lies at the cells' shared edge (the midpoint)", () => {
    const step = grid(250, (t) => (t < 5 - 1e-9 ? 0 : 1)); // last 0 at 4.96, first 1 at 5.00: edge 4.98
    expect(traceWindow(step, 0.04, 4, 6).mean).toBeCloseTo(1.02 / 2, 12);
    expect(traceWindow(step, 0.04, 5.2, 7.2).mean).toBe(1);
    expect(traceWindow(step, 0.04, 5.2, 7.2).sd).toBe(0);
    expect(traceWindow(step, 0.04, 1, 3).mean).toBe(0);
  });

  it('a gap (grid times without a rater) is uncovered: coverage is the covered share, the mean that of the covered part', () => {
    const full = grid(250, () => 2);
    const keep = full.t.map((t, i) => i).filter((i) => full.t[i] < 4 - 1e-9 || full.t[i] > 6 - 1e-9);
    const gappy = { t: keep.map((i) => full.t[i]), v: keep.map((i) => (full.t[i] < 4 ? 1 : 3)), sd: null };
    const w = traceWindow(gappy, 0.04, 3, 5); // covered 3-3.98 s (samples up to 3.96)
    expect(w.coverage).toBeCloseTo(0.98 / 2, 12);
    expect(w.mean).toBe(1);
    expect(traceWindow(gappy, 0.04, 4.2, 5.8)).toEqual({ mean: null, sd: null, n_samples: 0, coverage: 0, raters_sd: null });
  });

  it('past the last sample the window is covered only up to its half cell', () => {
    const w = traceWindow(grid(250, () => 1), 0.04, 9, 11); // last sample 9.96: covered to 9.98
    expect(w.coverage).toBeCloseTo(0.98 / 2, 12);
  });

  it("raters_sd is the time-weighted mean of the file's sd column", () => {
    const s = { t: [0, 0.04, 0.08, 0.12], v: [1, 1, 1, 1], sd: [0.1, 0.3, 0.3, 0.1] };
    expect(traceWindow(s, 0.04, 0.02, 0.1).raters_sd).toBeCloseTo(0.3, 12);
  });
});

describe('grid step', () => {
  it('median step; a step not a whole number of grid steps is irregular, a gap of whole steps is not', () => {
    expect(medianStep([[0, 0.04, 0.08, 0.2, 0.24]])).toBeCloseTo(0.04, 12);
    expect(irregularStep(0.12, 0.04)).toBe(false);
    expect(irregularStep(0.1, 0.04)).toBe(true);
    expect(irregularStep(0.015, 0.04)).toBe(true);
  });
});
