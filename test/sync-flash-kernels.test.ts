import { describe, expect, it } from 'vitest';
import { cellMeans, gridFor, regionRowSeries, regionSeries, type Grid } from '../src/sync/flash/flash-cells.js';
import { boxZ, boxZOfSums, FLANK_FRAMES, plateauTests, prefixSums, riseOnsets, topEvents } from '../src/sync/flash/flash-pulse.js';
import { rng } from './sync-media.js';

// The flash scanner's kernels were made cheaper (2026-12-01: the pair search's second look at 640 px cost about 3x
// the CPU of the first) on the condition that they give the same bits: cell means summed as integers with a column
// table, box statistics from segment sums (litCells sums every cell at once), the events of a contrast track read at
// the frames that hold one. Each is checked here against the formula it replaced, for exact equality.

/** The cell means as computed before (per pixel, Math.floor per column, a running float total). */
function cellMeansBefore(data: Uint8Array, width: number, height: number, g: Grid): Float32Array {
  const { cols, rows, cellPx: c } = g;
  const cells = new Float64Array(cols * rows);
  const rgb = data.length >= 3 * width * height;
  let total = 0;
  for (let y = 0; y < height; y++) {
    const base = Math.min(rows - 1, Math.floor(y / c)) * cols;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const v = rgb ? Math.max(data[3 * i], data[3 * i + 1], data[3 * i + 2]) : data[i];
      total += v;
      cells[base + Math.min(cols - 1, Math.floor(x / c))] += v;
    }
  }
  const out = new Float32Array(cols * rows + 1);
  for (let cy = 0; cy < rows; cy++) {
    for (let cx = 0; cx < cols; cx++) {
      const ww = cx === cols - 1 ? width - cx * c : c;
      const hh = cy === rows - 1 ? height - cy * c : c;
      out[cy * cols + cx] = cells[cy * cols + cx] / (ww * hh);
    }
  }
  out[cols * rows] = total / (width * height);
  return out;
}

describe('flash scanner kernels give the same bits as before (flash-cells.ts, flash-pulse.ts)', () => {
  it('cellMeans: grey and RGB frames, with leftover edge rows and columns', () => {
    const r = rng(3);
    for (const [w, h, ch] of [
      [67, 38, 1],
      [67, 38, 3],
      [64, 36, 3],
    ]) {
      const data = Buffer.from(Array.from({ length: w * h * ch }, () => Math.floor(r.u() * 256)));
      const g = gridFor(w, h, 4);
      const got = cellMeans({ index: 0, t_s: 0, width: w, height: h, data }, g);
      expect(Array.from(got)).toEqual(Array.from(cellMeansBefore(data, w, h, g)));
    }
  });

  it('boxZOfSums from segment sums equals boxZ from prefix sums, and a one-cell series is the cell itself', () => {
    const r = rng(9);
    const n = 90;
    const frames = Array.from({ length: n }, (_, i) => Float32Array.from({ length: 10 }, () => 40 + 20 * r.u() + (i > 40 && i < 47 ? 30 : 0)));
    const g: Grid = { cols: 3, rows: 3, cellPx: 4, width: 12, height: 12 };
    const x = new Float64Array(n);
    regionSeries(frames, g, { cx: 1, cy: 2, size: 1 }, x);
    expect(Array.from(x)).toEqual(frames.map((f) => f[7]));
    const s1 = new Float64Array(n + 1);
    const s2 = new Float64Array(n + 1);
    prefixSums(x, s1, s2);
    let compared = 0;
    for (const t of plateauTests(2, 12)) {
      for (let a = 4; a + t.L + 1 + t.gap + 4 <= n; a += 3) {
        const a0 = a + t.L + 1 + t.gap;
        const seg = (s: Float64Array) => ({ b: s[a] - s[a - 4], p: s[a + 1 + t.L] - s[a + 1], a: s[a0 + 4] - s[a0] });
        const want = { z: 0, contrast: 0, before: 0, plateau: 0, after: 0 };
        const got = { ...want };
        expect(boxZOfSums(seg(s1), seg(s2), t, 1.7, 0.5, got)).toBe(boxZ(s1, s2, n, a, t, 1.7, 0.5, want));
        expect(got).toEqual(want);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(50);
  });

  it('topEvents read at the frames holding a contrast equals reading every frame', () => {
    const r = rng(11);
    const c = new Float64Array(300).fill(-Infinity);
    const at: number[] = [];
    for (let i = 0; i < 300; i++) {
      if (r.u() < 0.2) {
        c[i] = Math.floor(r.u() * 8); // ties and zeros included
        at.push(i);
      }
    }
    for (const count of [1, 2, 3, 5]) expect(topEvents(c, count, 12, at)).toEqual(topEvents(c, count, 12));
  });

  // 2026-12-05: regionRowSeries sums a row's 2- and 4-cell regions from column sums with a running sum, and scoreTrack
  // tests only the onsets riseOnsets keeps. Frames of odd sizes (edge cells of 5-7 px: means that are not short binary
  // fractions) against the regions summed cell by cell, and every onset the contrast gate passes against riseOnsets.
  it('regionRowSeries equals regionSeries to the bit (2 and 4 cells, edge cells with leftover pixels)', () => {
    const r = rng(21);
    for (const [w, h] of [[23, 19], [42, 30]]) {
      const g = gridFor(w, h, 4);
      const frames = Array.from({ length: 9 }, () => cellMeans({ data: Uint8Array.from({ length: w * h * 3 }, () => Math.floor(r.u() * 256)), width: w, height: h, t_s: 0 } as never, g).slice());
      const n = frames.length;
      for (const size of [1, 2, 4]) {
        for (let cy = 0; cy + size <= g.rows; cy++) {
          const row = new Float64Array(g.cols * n);
          regionRowSeries(frames, g, size, cy, row);
          for (let cx = 0; cx + size <= g.cols; cx++) {
            const one = new Float64Array(n);
            regionSeries(frames, g, { cx, cy, size }, one);
            expect(Array.from(row.subarray(cx * n, cx * n + n))).toEqual(Array.from(one));
          }
        }
      }
    }
  });

  it('riseOnsets keeps every onset the contrast gate passes (rises of exactly minJump included)', () => {
    const r = rng(31);
    const tests = plateauTests(1, 15);
    const maxL = Math.max(...tests.map((t) => t.L));
    let [passed, keptAll, onsetsAll] = [0, 0, 0];
    for (let trial = 0; trial < 40; trial++) {
      const n = 60 + Math.floor(r.u() * 200);
      // Integer levels (a rise of exactly 5 passes the gate) or noisy ones, with steps and pulses of 3-8 levels.
      const x = new Float64Array(n);
      let level = 100;
      for (let i = 0; i < n; i++) {
        if (r.u() < 0.05) level += Math.floor((r.u() - 0.5) * 16);
        x[i] = trial % 2 ? level : level + r.g() * 0.8;
      }
      const [s1, s2] = [new Float64Array(n + 1), new Float64Array(n + 1)];
      prefixSums(x, s1, s2);
      const out = new Int32Array(n);
      const m = riseOnsets(x, FLANK_FRAMES, maxL, 5 - 1e-3, new Int32Array(n), out);
      const kept = new Set(out.subarray(0, m));
      [keptAll, onsetsAll] = [keptAll + m, onsetsAll + n - FLANK_FRAMES - 1];
      for (const t of tests) {
        for (let a = FLANK_FRAMES; a + t.L + 1 + t.gap + FLANK_FRAMES <= n; a++) {
          if ((s1[a + 1 + t.L] - s1[a + 1]) / t.L - x[a - 1] < 5) continue;
          passed++;
          expect(kept.has(a), `trial ${trial}, onset ${a}, L ${t.L}`).toBe(true);
        }
      }
    }
    expect(passed).toBeGreaterThan(100);
    // It leaves out the onsets without such a rise (what makes scoreTrack cheaper).
    expect(keptAll).toBeLessThan(0.5 * onsetsAll);
  });
});
