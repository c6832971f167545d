import { describe, expect, it } from 'vitest';
import type { FlashRegion, FlashTrack } from '../src/sync/flash/flash.js';
import { pairSpan, pairTrack } from '../src/sync/flash/flash-pair.js';

const T = 1 / 30;
const box = (x: number): FlashRegion => ({ x_px: x, y_px: 0, w_px: 8, h_px: 8 });

/** A track of n frames at 30 fps from t0, score 0 everywhere except the given frames (score, region x). */
function track(t0: number, n: number, events: Array<[number, number, number]>): FlashTrack {
  const tr: FlashTrack = { t_s: [], z: [], region: [], whole: [] };
  for (let i = 0; i < n; i++) {
    tr.t_s.push(t0 + i * T);
    tr.z.push(0);
    tr.region.push(null);
    tr.whole.push(false);
  }
  for (const [i, z, x] of events) {
    tr.z[i] = z;
    tr.region[i] = box(x);
  }
  return tr;
}

describe('flash pair search kernels (flash-pair.ts)', () => {
  it('pairSpan: the reference interval within 500 ppm, and two onset frames either way', () => {
    const [lo, hi] = pairSpan({ interval_s: 20, pulse_s: 0.2 }, T);
    expect(lo).toBeCloseTo(20 / 1.0005 - 2 * T, 9);
    expect(hi).toBeCloseTo(20 / 0.9995 + 2 * T, 9);
  });

  it('pairTrack: a start and end event at the interval in the same place pair (the weaker score); elsewhere, or in another place, they do not', () => {
    // Start window 0-10 s: events at frames 30 (1 s), 100 and 200; end window 5-15 s: events 8 s after frames 30
    // (the same place, weaker) and 200 (another place).
    const start = track(0, 300, [[30, 40, 600], [100, 25, 600], [200, 30, 100]]);
    const at = (i: number) => Math.round((i * T + 8 - 5) / T);
    const end = track(5, 300, [[at(30), 12, 604], [at(200), 50, 300]]);
    const pt = pairTrack(start, end, pairSpan({ interval_s: 8, pulse_s: 0.2 }, T));
    expect(pt.z[30]).toBe(12);
    expect(pt.z[100]).toBe(0); // no end event 8 s later
    expect(pt.z[200]).toBe(0); // an end event 8 s later, but elsewhere in the picture
    expect(pt.searched).toBeGreaterThan(0);
  });
});
