import { describe, expect, it } from 'vitest';
import { fitPulse, litFraction } from '../src/sync/flash/flash-pulse.js';

// Why the demo sessions' pictures come out 0.37 frame early (docs/sync-history.md, "The flash detector"): their LED is drawn
// on whole frames (dark in frame 52, fully lit in 53-57 at 25 fps). A first lit frame that is fully lit says the
// onset fell before its exposure began: at its start for a 360° shutter, or anywhere in the previous frame's closed
// time for a shorter one (up to 0.75 frame earlier at 90°), and nothing in the frames tells the shutter. Likewise a
// pulse a whole number of frames long (0.2 s at 25 fps) makes the two partly lit frames add up to one frame whatever
// the shutter. The fit reports the mean of the onsets that fit alike (0.30 frame early for the demo's 360°
// drawing; their middle, 0.375, before 2026-12-02) with that range in onset_sd_s; an onset between frames and a pulse that is not a whole number of frames
// long pin the shutter and the onset down.

const T = 1 / 25;

function frames(tau: number, D: number, shutter: number, n = 30): { times: number[]; values: number[] } {
  const times: number[] = [];
  const values: number[] = [];
  for (let i = 40; i < 40 + n; i++) {
    times.push(i * T);
    values.push(60 + 160 * litFraction(i * T, T, shutter, tau, D));
  }
  return { times, values };
}

describe('sub-frame onset fit and the shutter (flash-pulse.ts fitPulse)', () => {
  it('the demo case (frame-aligned, 5 frames long): the onset is only bounded, and the range holds the truth', () => {
    const tau = 53 * T;
    const { times, values } = frames(tau, 0.2, 1);
    const f = fitPulse(times, values, T, tau + T / 2, 0.2, 0.2);
    expect(f.onset_lo_s).toBeLessThan(tau - 0.7 * T); // a 90° shutter fits as well as 360°
    expect(f.onset_hi_s).toBeGreaterThanOrEqual(tau - 1e-9);
    // The posterior mean over the fits (flash-pulse.ts reportedOnset): each shutter's onsets weighed as the grid
    // holds them. Since 2026-12-04 the grid holds fast shutters (down to ~1 % of the period), which a whole-frame LED
    // cannot be told from: 0.43 frame early (0.30 with shutters of 90-360°; the middle of the range, reported before
    // 2026-12-02, was the demo's 0.375).
    expect((f.onset_s - tau) / T).toBeCloseTo(-0.43, 1);
    const sd = (f.onset_hi_s - f.onset_lo_s) / Math.sqrt(12);
    expect(Math.abs(f.onset_s - tau)).toBeLessThan(2 * sd); // onset_sd_s covers it
  });

  // Onset and end both while the shutter is open (for 180°, in the first half of a frame; in the closed half the
  // frame is dark or fully lit and the time only bounded again), with a pulse 5.75 frames long.
  it.each([1, 0.5])('an onset between frames while the shutter is open and a pulse 5.75 frames long (0.23 s at 25 fps) pin the shutter (%s) and the onset to 0.1 frame', (shutter) => {
    for (const phase of shutter === 1 ? [0.1, 0.3, 0.7] : [0.3, 0.4]) {
      const tau = (53 + phase) * T;
      const { times, values } = frames(tau, 0.23, shutter);
      const f = fitPulse(times, values, T, Math.floor(tau / T) * T + T / 2, 0.23, 0.23);
      expect(Math.abs(f.onset_s - tau) / T, `phase ${phase}`).toBeLessThan(0.1);
      expect(f.shutter).toBe(shutter);
    }
  });
});

// The frames' codec noise must not pick the shutter when the frames cannot tell it (scene bench: a 0.1 s pulse at
// 29.97 fps, 2.997 frames, fitted 0.25 shutter and read 0.54 frame early; a 0.2 s pulse at 25 fps with 180° read
// 0.53 frame late). Onsets are kept while their fit is within the noise of the best (nearSse), not within 5 % of it.
describe('the onsets the frames cannot tell apart, under codec noise (flash-pulse.ts nearSse)', () => {
  // Deterministic noise of about 1 grey level (a 32-bit LCG; no Math.random).
  function noisy(values: number[], seed: number): number[] {
    let s = seed >>> 0;
    return values.map((v) => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return v + 2 * (s / 2 ** 32 - 0.5) * 1.7;
    });
  }
  const cases = [
    { name: '0.1 s at 29.97 fps, 360°, onset 0.725 into a frame', T: 1.001 / 30, D: 0.1, shutter: 1, phase: 0.725 },
    { name: '0.2 s at 25 fps, 180°, onset as the shutter closes', T: 1 / 25, D: 0.2, shutter: 0.5, phase: 0.5 },
  ];
  it.each(cases)('$name: within 0.4 frame for every noise draw', ({ T: Tc, D, shutter, phase }) => {
    const tau = (53 + phase) * Tc;
    const times = Array.from({ length: 20 }, (_, i) => (45 + i) * Tc);
    const clean = times.map((t) => 100 + 50 * litFraction(t, Tc, shutter, tau, D));
    for (let seed = 1; seed <= 12; seed++) {
      const f = fitPulse(times, noisy(clean, seed), Tc, 53.5 * Tc, D, D, (1.7 / Math.sqrt(3)) ** 2);
      expect(Math.abs(f.onset_s - tau) / Tc, `seed ${seed}`).toBeLessThan(0.4);
    }
  });
});
