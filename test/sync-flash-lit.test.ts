/**
 * The start/end pair's same-place rule on the lit area (flash-lit.ts). On scene set variant 14 two silent cameras
 * with a 44 px LED were refused: both flashes scored 388-401, but the best 8 px cells of the two flashes were 24 px
 * apart inside the same LED, and regions "overlapping within their own size" did not match them. The rule now also
 * matches two flashes when each one's best region lies inside the other's lit extent (the connected cells that
 * brightened with it). Controls: two different LEDs whose best cells are closer than the big LED's two must still
 * not pair, and a lit area larger than an LED has no extent (the region rule alone applies).
 * Media generated here: an H.264 camera without sound (640x240, moving bars and a moving blob, codec noise).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../src/media/probe.js';
import type { Grid } from '../src/sync/flash/flash-cells.js';
import { litExtent, samePlace } from '../src/sync/flash/flash-lit.js';
import type { FlashDetection } from '../src/sync/flash/flash.js';
import { scanVideoFlash } from '../src/sync/flash/scan-video.js';
import { tempDir } from './helpers/cli.js';
import { ffmpeg, rng } from './sync-media.js';

const tmp = tempDir('mmprep-sync-flash-lit-');
afterAll(() => tmp.cleanup());

const W = 640;
const H = 240;
const FPS = 30;
const LEN_S = 9;
const PULSE_S = 0.3;
const ONSETS = [2, 7];
/** A 44 px LED (A) and, 16 px under it, another one (B). */
const LED_A = { x: 560, y: 40, s: 44 };
const LED_B = { x: 560, y: 100, s: 44 };

interface Lit {
  t_s: number;
  led: { x: number; y: number; s: number };
  /** The brightest spot of the lit face (what decides the best cell; codec noise does in the scene sets). */
  hot: [number, number];
}

/** The fraction of frame f's exposure (360° shutter) during which the flash was lit. */
function litFraction(f: number, t: number): number {
  const [t0, t1] = [f / FPS, (f + 1) / FPS];
  return Math.max(0, Math.min(t1, t + PULSE_S) - Math.max(t0, t)) * FPS;
}

/**
 * The frames in one buffer. What depends on x alone (the bars, the blob's distance along x) is computed once a frame
 * per column, the flash's lit fraction once a frame: the same operations on the same numbers, in the same order of
 * draws, as per pixel (the same bytes, checked by their hash; 1.6 -> 1.1 CPU s a camera, 2026-12-06).
 */
function camera(path: string, flashes: Lit[]): void {
  const r = rng(11);
  const frames = Buffer.alloc(LEN_S * FPS * W * H);
  const cols = new Float64Array(W);
  const dx2 = new Float64Array(W);
  // The LEDs' dark housings (6 px around the faces), fixed in the picture.
  const [hx0, hx1, hy0, hy1] = [LED_A.x - 6, LED_A.x + LED_A.s + 6, LED_A.y - 6, LED_B.y + LED_B.s + 6];
  for (let f = 0; f < LEN_S * FPS; f++) {
    const t = f / FPS;
    const [bx, by] = [W / 2 + (W / 3) * Math.sin(t * 1.3), H / 2 + (H / 3) * Math.cos(t * 0.9)];
    for (let x = 0; x < W; x++) {
      cols[x] = 35 * Math.sin((x + 40 * t) / 11);
      dx2[x] = (x - bx) ** 2;
    }
    const lit = flashes.map((fl) => ({ fl, on: litFraction(f, fl.t_s) })).filter((l) => l.on > 0);
    for (let y = 0, i = f * W * H; y < H; y++) {
      const row = 70 + 20 * Math.sin((y - 25 * t) / 15);
      const dy2 = (y - by) ** 2;
      const housingRow = y >= hy0 && y < hy1;
      for (let x = 0; x < W; x++, i++) {
        let v = row + cols[x] + (r.u() - 0.5) * 12;
        if (dx2[x] + dy2 < 900) v += 80;
        if (housingRow && x >= hx0 && x < hx1) v = 40 + (r.u() - 0.5) * 12;
        for (const { fl, on } of lit) {
          const { x: lx, y: ly, s } = fl.led;
          if (x >= lx && x < lx + s && y >= ly && y < ly + s) {
            const hot = 45 * Math.exp(-((x - fl.hot[0]) ** 2 + (y - fl.hot[1]) ** 2) / 50);
            v += on * (200 + hot - v);
          }
        }
        frames[i] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  const args = ['-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${W}x${H}`, '-framerate', String(FPS), '-i', 'pipe:0'];
  ffmpeg([...args, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', path], frames);
}

const BIG = join(tmp.dir, 'big-led.mp4');
const TWO = join(tmp.dir, 'two-leds.mp4');

beforeAll(() => {
  // One 44 px LED lit at both ends, its brightest spot at opposite corners (36 px apart).
  camera(BIG, [
    { t_s: ONSETS[0], led: LED_A, hot: [LED_A.x + 4, LED_A.y + 4] },
    { t_s: ONSETS[1], led: LED_A, hot: [LED_A.x + 40, LED_A.y + 40] },
  ]);
  // LED A at the start and LED B at the end, their brightest spots 24 px apart (A's bottom edge, B's top edge).
  camera(TWO, [
    { t_s: ONSETS[0], led: LED_A, hot: [LED_A.x + 22, LED_A.y + 40] },
    { t_s: ONSETS[1], led: LED_B, hot: [LED_B.x + 22, LED_B.y + 4] },
  ]);
}, 120_000);

/** Both halves searched as a silent camera's start and end windows, the reference's interval and pulse length. */
async function pairSearch(file: string): Promise<Array<FlashDetection & { window: string }>> {
  const p = await probe(file);
  const half = (p.duration_s as number) / 2;
  const windows = [{ name: 'start' as const, start_s: 0, duration_s: half }, { name: 'end' as const, start_s: half, duration_s: null }];
  const r = await scanVideoFlash(file, windows, { probed: p, pairHint: { interval_s: ONSETS[1] - ONSETS[0], pulse_s: PULSE_S } });
  return r.windows.flatMap((w) => w.detections);
}

const centre = (d: FlashDetection) => [d.region.x_px + d.region.w_px / 2, d.region.y_px + d.region.h_px / 2];

describe('the start/end pair in the same place: the lit area (flash-lit.ts)', () => {
  it('litExtent: the connected cells lit by half the region\'s contrast; null for a lit area larger than an LED', () => {
    const g: Grid = { cols: 80, rows: 45, cellPx: 4, width: 320, height: 180 };
    const block = (x0: number, y0: number, n: number, m = n) => (k: number) => {
      const [x, y] = [k % g.cols, Math.floor(k / g.cols)];
      return x >= x0 && x < x0 + n && y >= y0 && y < y0 + m ? 100 : 0;
    };
    expect(litExtent(g, { cx: 12, cy: 12, size: 1 }, block(10, 10, 6), 100, 5)).toEqual({ x0: 10, y0: 10, x1: 16, y1: 16 });
    // A lit band 30 cells wide (a subject, a window): no extent.
    expect(litExtent(g, { cx: 12, cy: 12, size: 1 }, block(0, 10, 30, 6), 100, 5)).toBeNull();
    // Cells lit by less than half the region's contrast are not part of its light.
    expect(litExtent(g, { cx: 12, cy: 12, size: 1 }, block(10, 10, 6), 250, 5)).toBeNull();
  });

  it('samePlace: two best cells 32 px apart inside one lit area match; two lights each inside its own lit area do not', () => {
    const cell = (x: number, y: number) => ({ x_px: x, y_px: y, w_px: 8, h_px: 8 });
    const ledA = { x_px: 560, y_px: 40, w_px: 48, h_px: 48 };
    const ledB = { x_px: 560, y_px: 104, w_px: 48, h_px: 48 };
    expect(samePlace({ region: cell(560, 40), lit: ledA }, { region: cell(592, 72), lit: ledA })).toBe(true);
    expect(samePlace({ region: cell(560, 40) }, { region: cell(592, 72) })).toBe(false); // the region rule alone
    expect(samePlace({ region: cell(576, 80), lit: ledA }, { region: cell(576, 104), lit: ledB })).toBe(false);
  });

  it('a silent camera with a 44 px LED whose best cells differ at the two ends: placed as a pair within half a frame', async () => {
    const placed = (await pairSearch(BIG)).filter((d) => d.placeable);
    expect(placed.map((d) => d.paired)).toEqual([true, true]);
    placed.forEach((d, i) => expect(Math.abs(d.t_s - ONSETS[i]) * FPS).toBeLessThan(0.5));
    // What made the region rule refuse it: the two best regions do not overlap when grown by their own size.
    const [a, b] = placed.map(centre);
    expect(Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1]))).toBeGreaterThanOrEqual(24);
    expect(samePlace({ region: placed[0].region }, { region: placed[1].region })).toBe(false);
  }, 60_000);

  it('negative control: LED A at the start and another LED 16 px under it at the end (best cells no farther apart than the big LED\'s): not placed', async () => {
    const found = await pairSearch(TWO);
    expect(found.filter((d) => d.placeable)).toEqual([]);
    // Both flashes were found, each with its own lit extent, their best cells as close as the big LED's two: the
    // lit areas, not the detector or the cells' distance, tell the two lights apart.
    const strongest = (w: string) => found.filter((d) => d.window === w).sort((p, q) => q.score - p.score)[0];
    const [s, e] = [strongest('start'), strongest('end')];
    expect(Math.min(s.score, e.score)).toBeGreaterThan(100);
    expect(s.lit_region && e.lit_region).toBeTruthy();
    const [a, b] = [centre(s), centre(e)];
    expect(Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1]))).toBeLessThanOrEqual(32);
  }, 60_000);
});
