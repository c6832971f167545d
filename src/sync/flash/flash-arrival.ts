/**
 * An LED is fixed in place and switches on and off: the cells around it do not brighten before it lights, nor stay
 * bright after it goes out (a halo lights and goes out with it, in the same frames). Something moving does: a subject
 * that enters from the frame edge, a disc that crosses a region and leaves the picture, brightens the next cells first
 * (it arrives through them) or last (it leaves through them). On scene variant 14's negative control
 * neg-wall-cross-none-screenstep, a peach disc leaving the picture over its right edge lit the edge cell for 4 frames
 * and returned to the grey wall: a clean pulse (score 47, 6.3x the window's next event) that `mmprep sync` placed as
 * the flash of a silent camera with exit 0 (2026-11-30); the disc's edge still lit the cell above-left of it, 23 grey
 * levels up (the candidate's rise: 24), in the first frame after. The neighbours' motion check (flash.ts motionLeak)
 * compares whole pulses at shifted onsets and missed it: the disc left the cells next to it in the same frame.
 */
import type { Grid, Region } from './flash-cells.js';

/** Cells around the region (Chebyshev distance) whose brightening before or after the pulse is looked at. */
const RING = 2;

export interface Arrival {
  /** Largest brightening of a cell around the region just before the pulse or just after it, grey levels. */
  levels: number;
  /** 'before': the light arrived through that cell; 'after': it left through it. */
  when: 'before' | 'after';
  /** That cell (column, row of the grid). */
  cx: number;
  cy: number;
}

const mean = (cells: Float32Array[], k: number, from: number, to: number) => {
  let s = 0;
  for (let i = from; i < to; i++) s += cells[i][k];
  return s / (to - from);
};

/**
 * The strongest brightening of a cell within RING cells of the region (inside the picture) in the last frame wholly
 * before the pulse (`fPre`: the light arriving through it) or in the first frame wholly after it (`fPost`: leaving
 * through it), above the higher of its mean over the `flank` frames before fPre and over those after fPost: a
 * transient of its own next to the pulse, not a level that changed (a subject that stays, a darkening). A flank that
 * does not fit in the frames held is left out. Null for the whole frame (size 0: no cells around it).
 */
export function arrivalAround(cells: Float32Array[], grid: Grid, r: Region, fPre: number, fPost: number, flank: number): Arrival | null {
  if (r.size === 0 || fPre < 0 || fPost >= cells.length) return null;
  const n = cells.length;
  let best: Arrival | null = null;
  for (let cy = Math.max(0, r.cy - RING); cy < Math.min(grid.rows, r.cy + r.size + RING); cy++) {
    for (let cx = Math.max(0, r.cx - RING); cx < Math.min(grid.cols, r.cx + r.size + RING); cx++) {
      if (cx >= r.cx && cx < r.cx + r.size && cy >= r.cy && cy < r.cy + r.size) continue;
      const k = cy * grid.cols + cx;
      const levels: number[] = [];
      if (fPre - flank >= 0) levels.push(mean(cells, k, fPre - flank, fPre));
      if (fPost + 1 + flank <= n) levels.push(mean(cells, k, fPost + 1, fPost + 1 + flank));
      if (!levels.length) continue;
      const base = Math.max(...levels);
      for (const [when, f] of [['before', fPre], ['after', fPost]] as const) {
        const up = cells[f][k] - base;
        if (best === null || up > (best as Arrival).levels) best = { levels: up, when, cx, cy };
      }
    }
  }
  return best;
}
