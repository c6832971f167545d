import { describe, expect, it } from 'vitest';
import { FlashScanner } from '../src/sync/flash/flash.js';
import { litFraction } from '../src/sync/flash/flash-pulse.js';
import { rng } from './sync-media.js';

// A screen flash under auto-exposure steps, seen by a camera without sound in a start-only session (the reference
// microphone's beep gives the pulse length only): the scene bench's life-screen-30-steps, where the exposure stepped
// down 20 grey levels one frame before the 0.2 s flash (and a brighten-and-return of 0.8 s elsewhere) and the flash,
// scoring 20 with the step counted as misfit of its baseline, was refused as "not 6x the strongest other event".
// Frames are pushed to the scanner directly (64x36 grey, 30 fps): no encoder in the loop.

const W = 64;
const H = 36;
const T = 1 / 30;

function frames(onset: number, pulse: number): Array<{ index: number; t_s: number; width: number; height: number; data: Buffer }> {
  const r = rng(5);
  const texture = Float64Array.from({ length: W * H }, (_, i) => 70 + 30 * Math.sin(i / 7) + 10 * r.u());
  // Exposure: steps at 1.5 s (+12), 2.6965 s (-20: from the frame before the flash's first, partly lit, frame), 5.4 s (+30) and a slow drift.
  const gain = (t: number) => (t >= 1.5 ? 12 : 0) + (t >= onset - 0.055 ? -20 : 0) + (t >= 5.4 ? 30 : 0) + 2 * Math.sin(t);
  // A 0.8 s brighten-and-return of a corner (a lamp switched on and off), not the beep's length.
  const lamp = (t: number, x: number, y: number) => (t >= 4.1 && t < 4.9 && x >= 40 && y >= 20 ? 25 : 0);
  const out = [];
  for (let i = 0; i < 240; i++) {
    const t = i * T;
    const lit = litFraction(t, T, 1, onset, pulse);
    const data = Buffer.alloc(W * H);
    for (let k = 0; k < W * H; k++) {
      const v = texture[k] + gain(t) + lamp(t, k % W, Math.floor(k / W)) + (r.u() - 0.5) * 3;
      data[k] = Math.max(0, Math.min(255, Math.round(v + lit * 0.6 * (235 - v))));
    }
    out.push({ index: i, t_s: t, width: W, height: H, data });
  }
  return out;
}

describe('a screen flash next to an exposure step (flash.ts, flash-pulse.ts boxZTrimmed)', () => {
  it('is placed unguided, within half a frame, with the reference beep length known', () => {
    const onset = 2.7515;
    const s = new FlashScanner(1, { pulseS: 0.2 });
    for (const f of frames(onset, 0.2)) s.push(f);
    const placed = s.finish().filter((d) => d.placeable);
    expect(placed).toHaveLength(1);
    // A flash of about 100 grey levels on a still picture: the step must not count as misfit (the score was 15).
    expect(placed[0].score).toBeGreaterThan(50);
    expect(placed[0].whole_frame).toBe(true);
    expect(Math.abs(placed[0].t_s - onset) / T).toBeLessThan(0.5);
  });
});
