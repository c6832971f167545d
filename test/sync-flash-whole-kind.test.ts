import { describe, expect, it } from 'vitest';
import { FlashScanner, type FlashDetection } from '../src/sync/flash/flash.js';
import { litFraction } from '../src/sync/flash/flash-pulse.js';
import { rng } from './sync-media.js';

// A screen flash seen by a camera without sound in a start-only session (the lone unguided search, the reference's
// beep gives the pulse length only), with a short bright blip in one corner cell a second earlier: held-out scene
// variant 37's testsrc2-screen-30-steps, where one of testsrc2's moving lines bounces in a corner cell (score 127)
// and the screen flash (224, 1.76x) was refused as "not 6x the strongest other event". A whole-frame candidate is
// now held to the 6x against the whole picture's own scores and to 1.5x against a local event (flash.ts marginReason).
// Frames are pushed to the scanner directly (64x36 grey, 30 fps): no encoder in the loop.

const W = 64;
const H = 36;
const T = 1 / 30;
const ONSET = 3.0115;
const PULSE = 0.2;

/** The picture, with the corner cell's 2-frame blip at 1.95 s brightening by `blip` grey levels. */
function frames(blip: number): Array<{ index: number; t_s: number; width: number; height: number; data: Buffer }> {
  const r = rng(7);
  const texture = Float64Array.from({ length: W * H }, (_, i) => 70 + 30 * Math.sin(i / 7) + 10 * r.u());
  const out = [];
  for (let i = 0; i < 240; i++) {
    const t = i * T;
    const lit = litFraction(t, T, 1, ONSET, PULSE);
    const data = Buffer.alloc(W * H);
    for (let k = 0; k < W * H; k++) {
      const [x, y] = [k % W, Math.floor(k / W)];
      const b = t >= 1.95 && t < 2.0 && x < 4 && y >= H - 4 ? blip : 0;
      const v = texture[k] + b + (r.u() - 0.5) * 3;
      data[k] = Math.max(0, Math.min(255, Math.round(v + lit * 0.6 * (235 - v))));
    }
    out.push({ index: i, t_s: t, width: W, height: H, data });
  }
  return out;
}

function search(blip: number): FlashDetection[] {
  const s = new FlashScanner(1, { pulseS: PULSE });
  for (const f of frames(blip)) s.push(f);
  return s.finish();
}

const flashOf = (ds: FlashDetection[]) => ds.find((d) => Math.abs(d.t_s - ONSET) < 2 * T);

describe('a whole-frame flash is compared with events of its own kind (flash.ts marginReason)', () => {
  it('is placed unguided over a corner blip scoring more than a sixth of it (was refused: not 6x)', () => {
    const ds = search(80);
    const flash = flashOf(ds);
    expect(flash?.whole_frame).toBe(true);
    // The blip is the window's strongest other event, between 1/6 and 1/1.5 of the flash.
    expect(flash?.null_max).toBeGreaterThan((flash?.score ?? 0) / 6);
    expect(flash?.null_max).toBeLessThan((flash?.score ?? 0) / 1.5);
    const placed = ds.filter((d) => d.placeable);
    expect(placed).toHaveLength(1);
    expect(Math.abs(placed[0].t_s - ONSET) / T).toBeLessThan(0.5);
  });

  it('is not placed over a local event within 1.5x of it (the flash may be a weaker LED)', () => {
    const ds = search(110);
    const flash = flashOf(ds);
    expect(flash?.whole_frame).toBe(true);
    expect(flash?.null_max).toBeGreaterThan((flash?.score ?? 0) / 1.5);
    expect(ds.filter((d) => d.placeable)).toEqual([]);
    expect(flash?.unplaceable_reason).toMatch(/a whole-frame flash not 1.5x the strongest other event/);
  });
});
