/**
 * A light switched on at the camera's beep and left on: not a pulse (it never goes dark again), so neither the look
 * with the beep's length nor the length-free look (scan-video.ts lengthFreeGuide, lights of up to 1.2 s) finds it,
 * and the refusal named whatever else the window held (scene set `ledlen`'s negative `lefton`: an unrelated candidate
 * 0.8 s before the beep). This finds such a step in the cell means the length-free look decoded, only to say so in
 * the refusal: it never places a picture. A step in the mean (Page 1954's change in mean, tested at each frame the
 * beep allows): the cell's median level after the onset over its median before, in units of its frame-to-frame noise,
 * every frame after it (but one in 20) still at least half as bright over the level before, and both levels steady
 * (a light, not a subject moving into the cell). Since 2026-12-02 also a light switched on before the beep and still on
 * through it (lightOnBefore), and, with no step at all, a small bright spot steady over the whole span (litThroughout):
 * both were refused as "no flash", which sends the user looking for a missing LED. Named only where the window holds no
 * candidate at all (choose.ts). The median is tone-math.ts's (this file kept a copy of its own before).
 */
import type { Grid } from './flash-cells.js';
import { median, medianInPlace } from '../tone/tone-math.js';

export interface LightLeftOn {
  /**
   * `at_beep`: switched on at the camera's beep and left on; `before`: switched on before the beep (outside its span)
   * and still on through it; `throughout`: no step at all, a bright spot lit over the whole span decoded.
   */
  kind: 'at_beep' | 'before' | 'throughout';
  /** First frame showing the light (stream time, seconds); `throughout`: the first frame decoded. */
  t_s: number;
  /** The cell that brightened most (decoded cells; the caller scales to source pixels). */
  cx: number;
  cy: number;
  /** `throughout`: the level around the spot (the median of the cells LIT_RING cells away) and the spot's. */
  level_before: number;
  level_after: number;
  /** Seconds from the onset frame to the last frame decoded, over which the light stayed on. */
  lit_s: number;
  /** The step over the cell's frame-to-frame noise. */
  z: number;
}

/** Frames before the onset whose level is the light's "before" (about a second at 25-30 fps). */
const BEFORE_FRAMES = 25;
/** The step must stand this far over the cell's frame-to-frame noise (the flash search's least placeable score). */
const MIN_STEP_Z = 8;
/** Least rise, grey levels: an LED of 8 px in 640 decoded at 320 px can spread over 4 cells (a quarter of its rise each). */
const MIN_STEP_LEVELS = 20;
/** The light's level before and after its onset varies by at most this share of the step (10th to 90th percentile). */
const STEADY_SHARE = 0.15;
/** Share of the frames after the onset that may fall under half the step (a hand passing in front). */
const DARK_SHARE = 0.05;

/** Robust frame-to-frame noise of a series: the median absolute first difference over 0.6745 sqrt 2 (Gaussian). */
function diffNoise(v: number[]): number {
  if (v.length < 2) return Infinity;
  return median(v.slice(1).map((x, i) => Math.abs(x - v[i]))) / (0.6745 * Math.SQRT2);
}

/**
 * Whether a level holds still against the step (a light, not a subject moving in the cell): its 10th to 90th
 * percentile within STEADY_SHARE of the step. A person walking into a cell and standing there varies by more.
 */
function steady(v: number[], step: number): boolean {
  const s = v.slice().sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return q(0.9) - q(0.1) <= STEADY_SHARE * step;
}

/**
 * The strongest step up at a frame within the guide's span (its onset ± tolerance and a frame) that stays on for
 * longer than `minLitS` to the last frame given, or null. `cells[f][k]`: frame f's mean of cell k (flash-cells.ts);
 * `noiseFloor`: least noise taken (grey levels).
 */
export function lightLeftOn(cells: Float32Array[], times: number[], guide: { t_s: number; tolerance_s: number }, T: number, grid: Grid, o: { noiseFloor: number; minLitS: number }): LightLeftOn | null {
  const n = times.length;
  if (n < 4 || times[n - 1] - guide.t_s < o.minLitS) return null;
  const frames = [...times.keys()].filter((a) => a >= 3 && Math.abs(times[a] - guide.t_s) <= guide.tolerance_s + T);
  const best = bestStep(cells, frames, grid, o.noiseFloor);
  return best && { kind: 'at_beep', t_s: times[best.a], cx: best.k % grid.cols, cy: Math.floor(best.k / grid.cols), level_before: best.lo, level_after: best.hi, lit_s: times[n - 1] - times[best.a], z: best.z };
}

/**
 * A light switched on before the guide's span and still on, steady, through the beep to the last frame given (an LED
 * switched on early and left on: no flash marks the beep, and the refusal said "no flash", sending the user to look
 * for a missing LED). The same step test as lightLeftOn at every frame before the span; null when none.
 */
export function lightOnBefore(cells: Float32Array[], times: number[], guide: { t_s: number; tolerance_s: number }, T: number, grid: Grid, o: { noiseFloor: number }): LightLeftOn | null {
  const n = times.length;
  const frames = [...times.keys()].filter((a) => a >= 3 && times[a] < guide.t_s - guide.tolerance_s - T);
  if (n < 4 || !frames.length) return null;
  const best = bestStep(cells, frames, grid, o.noiseFloor);
  return best && { kind: 'before', t_s: times[best.a], cx: best.k % grid.cols, cy: Math.floor(best.k / grid.cols), level_before: best.lo, level_after: best.hi, lit_s: times[n - 1] - times[best.a], z: best.z };
}

type Step = { k: number; a: number; lo: number; hi: number; z: number };

/** The largest steady step up (see lightLeftOn) of any cell at any of `frames`, lit to the last frame; or null. */
function bestStep(cells: Float32Array[], frames: number[], grid: Grid, noiseFloor: number): Step | null {
  let best: Step | null = null;
  for (let k = 0; k < grid.cols * grid.rows; k++) {
    for (const a of frames) {
      const s = stepAt(cells, k, a, noiseFloor);
      if (s && (!best || s.hi - s.lo > best.hi - best.lo)) best = s;
    }
  }
  return best;
}

/** Cell k's step up at frame a, when it passes every test (a light, on to the last frame), else null. */
function stepAt(cells: Float32Array[], k: number, a: number, noiseFloor: number): Step | null {
  const n = cells.length;
  // Cheap first: a rise of MIN_STEP_LEVELS across the onset (a partly lit frame may split it over two frames).
  if (a + 1 >= n || cells[a + 1][k] - cells[a - 2][k] < MIN_STEP_LEVELS) return null;
  const before = cells.slice(Math.max(0, a - BEFORE_FRAMES), a).map((c) => c[k]);
  // The onset frame itself may be partly lit: the level after starts a frame later.
  const after = cells.slice(a + 1).map((c) => c[k]);
  const lo = median(before);
  const hi = median(after);
  if (hi - lo < MIN_STEP_LEVELS) return null;
  const z = (hi - lo) / Math.max(noiseFloor, diffNoise(before), diffNoise(after));
  const mid = lo + (hi - lo) / 2;
  // The onset frame: the first at least half lit (the one before it under half).
  if (cells[a][k] < mid || cells[a - 1][k] >= mid) return null;
  const dark = after.filter((x) => x < mid).length;
  if (z < MIN_STEP_Z || dark > DARK_SHARE * after.length || !steady(before, hi - lo) || !steady(after, hi - lo)) return null;
  return { k, a, lo, hi, z };
}

/** A lit spot's least level, grey levels: an LED on is near white in the brightest channel (scene LEDs: 230). */
const LIT_LEVEL = 150;
/** ... and its least rise over what surrounds it. */
const LIT_CONTRAST = 80;
/** Cells from the spot at which its surroundings are read: beyond an LED of 44 px of 640 (5.5 cells at 320 px). */
const LIT_RING = 4;
/** The spot is small: at most this share of its ring as bright as its midpoint (an edge of a big white object is not). */
const LIT_RING_BRIGHT = 0.25;

/**
 * A bright small spot lit, steady, over every frame given (at least `minS` of them): an LED lit throughout (switched
 * on before the recording, never dark). Nothing changes, so no flash and no step is found, and the refusal said "no
 * flash". Any steady bright small thing in the picture (a lamp, a white sticker) passes too: the caller words it as
 * "if that is the LED". The spot with the largest rise over its ring (cells LIT_RING away), or null.
 */
export function litThroughout(cells: Float32Array[], times: number[], grid: Grid, o: { minS: number }): LightLeftOn | null {
  const n = times.length;
  if (n < 4 || times[n - 1] - times[0] < o.minS) return null;
  let best: LightLeftOn | null = null;
  const level = cellMedians(cells, grid.cols * grid.rows);
  for (let k = 0; k < level.length; k++) {
    const hi = level[k];
    if (hi < LIT_LEVEL) continue;
    const ring = ringCells(grid, k).map((j) => level[j]);
    const lo = median(ring);
    if (hi - lo < LIT_CONTRAST || (best && hi - lo <= best.level_after - best.level_before)) continue;
    if (!ring.length || ring.filter((x) => x >= lo + (hi - lo) / 2).length > LIT_RING_BRIGHT * ring.length || !steady(cells.map((c) => c[k]), hi - lo)) continue;
    best = { kind: 'throughout', t_s: times[0], cx: k % grid.cols, cy: Math.floor(k / grid.cols), level_before: lo, level_after: hi, lit_s: times[n - 1] - times[0], z: Infinity };
  }
  return best;
}

/**
 * Each cell's median level over the frames (litThroughout reads its ring's levels from these): median() of each
 * cell's series, gathered into one buffer reused from cell to cell (medianInPlace of the same values in the same
 * order, so the same medians) instead of an array and its Float64Array copy per cell (2026-12-04: the length-free
 * look's allocations, most of its garbage collection).
 */
function cellMedians(cells: Float32Array[], K: number): Float64Array {
  const level = new Float64Array(K);
  const col = new Float64Array(cells.length);
  for (let k = 0; k < K; k++) {
    for (let f = 0; f < cells.length; f++) col[f] = cells[f][k];
    level[k] = medianInPlace(col);
  }
  return level;
}

/** The cells of the square ring LIT_RING cells from cell k (those inside the grid). */
function ringCells(grid: Grid, k: number): number[] {
  const [x, y] = [k % grid.cols, Math.floor(k / grid.cols)];
  const out: number[] = [];
  for (let dy = -LIT_RING; dy <= LIT_RING; dy++) {
    for (let dx = -LIT_RING; dx <= LIT_RING; dx++) {
      const [cx, cy] = [x + dx, y + dy];
      if (Math.max(Math.abs(dx), Math.abs(dy)) === LIT_RING && cx >= 0 && cy >= 0 && cx < grid.cols && cy < grid.rows) out.push(cy * grid.cols + cx);
    }
  }
  return out;
}
