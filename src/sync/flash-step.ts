/**
 * A light switched on at the camera's beep and left on: not a pulse (it never goes dark again), so neither the look
 * with the beep's length nor the length-free look (scan-video.ts lengthFreeGuide, lights of up to 1.2 s) finds it,
 * and the refusal named whatever else the window held (scene set `ledlen`'s negative `lefton`: an unrelated candidate
 * 0.8 s before the beep). This finds such a step in the cell means the length-free look decoded, only to say so in
 * the refusal: it never places a picture. A step in the mean (Page 1954's change in mean, tested at each frame the
 * beep allows): the cell's median level after the onset over its median before, in units of its frame-to-frame noise,
 * every frame after it (but one in 20) still at least half as bright over the level before, and both levels steady
 * (a light, not a subject moving into the cell).
 */
import type { Grid } from './flash-cells.js';

export interface LightLeftOn {
  /** First frame showing the light (stream time, seconds). */
  t_s: number;
  /** The cell that brightened most (decoded cells; the caller scales to source pixels). */
  cx: number;
  cy: number;
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

function median(v: number[]): number {
  const s = v.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

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
  let best: LightLeftOn | null = null;
  for (let k = 0; k < grid.cols * grid.rows; k++) {
    for (const a of frames) {
      // Cheap first: a rise of minJump across the onset (a partly lit frame may split it over two frames).
      if (a + 1 >= n || cells[a + 1][k] - cells[a - 2][k] < MIN_STEP_LEVELS) continue;
      const before = cells.slice(Math.max(0, a - BEFORE_FRAMES), a).map((c) => c[k]);
      // The onset frame itself may be partly lit: the level after starts a frame later.
      const after = cells.slice(a + 1).map((c) => c[k]);
      const lo = median(before);
      const hi = median(after);
      if (hi - lo < MIN_STEP_LEVELS || (best && hi - lo <= best.level_after - best.level_before)) continue;
      const z = (hi - lo) / Math.max(o.noiseFloor, diffNoise(before), diffNoise(after));
      const mid = lo + (hi - lo) / 2;
      // The onset frame: the first at least half lit (the one before it under half).
      if (cells[a][k] < mid || cells[a - 1][k] >= mid) continue;
      const dark = after.filter((x) => x < mid).length;
      if (z < MIN_STEP_Z || dark > DARK_SHARE * after.length || !steady(before, hi - lo) || !steady(after, hi - lo)) continue;
      best = { t_s: times[a], cx: k % grid.cols, cy: Math.floor(k / grid.cols), level_before: lo, level_after: hi, lit_s: times[n - 1] - times[a], z };
    }
  }
  return best;
}
