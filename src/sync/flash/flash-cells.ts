/**
 * The picture as a grid of cell means, and the candidate regions of the flash search: squares of 1, 2 and 4 cells at
 * every grid position (every one of them: a small LED at the frame edge is as much a candidate as anything in the
 * middle) plus the whole frame. Memory stays bounded by the frame count of an analysis chunk (one float per cell per
 * frame), not by the number of regions: a region's series is summed from the cells when it is scored.
 */
import type { VideoFrame } from '../../media/decode-video.js';

export interface Region {
  cx: number;
  cy: number;
  /** Side in cells; 0 = the whole frame. */
  size: number;
}

export const REGION_SIDES = [1, 2, 4];

export interface Grid {
  cols: number;
  rows: number;
  cellPx: number;
  width: number;
  height: number;
}

export function gridFor(width: number, height: number, cellPx: number): Grid {
  return { cols: Math.max(1, Math.floor(width / cellPx)), rows: Math.max(1, Math.floor(height / cellPx)), cellPx, width, height };
}

/**
 * Cell means of one frame (edge cells absorb leftover pixels); the last entry is the whole frame's mean. A grey frame
 * (1 byte per pixel) is averaged as it is; an RGB frame (3 bytes per pixel) by each pixel's brightest channel, the
 * value V = max(R, G, B) of HSV (Smith 1978, "Color gamut transform pairs"): a coloured LED drives one channel near
 * full scale, so it changes V as much as a white LED does, where its luma changes far less (a red LED: about a
 * quarter; docs/sync-history.md "How it works").
 */
export function cellMeans(f: VideoFrame, g: Grid): Float32Array {
  const { cols, rows, cellPx: c } = g;
  // Integer sums of 8-bit values: exact in any order, so per-cell sums (and their total) need no per-pixel total.
  const cells = cellScratch(cols * rows);
  const d = f.data;
  const rgb = d.length >= 3 * f.width * f.height;
  for (let y = 0; y < f.height; y++) {
    const row = y * f.width;
    const base = Math.min(rows - 1, Math.floor(y / c)) * cols;
    // A cell's pixels of this row summed together, then added once (integer sums: the same totals).
    for (let cx = 0; cx < cols; cx++) {
      const x1 = cx === cols - 1 ? f.width : (cx + 1) * c;
      let s = 0;
      if (rgb) {
        for (let j = 3 * (row + cx * c), e = 3 * (row + x1); j < e; j += 3) {
          let v = d[j];
          if (d[j + 1] > v) v = d[j + 1];
          if (d[j + 2] > v) v = d[j + 2];
          s += v;
        }
      } else {
        for (let j = row + cx * c, e = row + x1; j < e; j++) s += d[j];
      }
      cells[base + cx] += s;
    }
  }
  let total = 0;
  for (let k = 0; k < cells.length; k++) total += cells[k];
  return normaliseCells(cells, g, f, total);
}

let scratch = new Int32Array(0);

/** The per-cell integer sums of one frame: one zeroed array reused frame after frame (its means are copied out). */
function cellScratch(k: number): Int32Array {
  if (scratch.length !== k) scratch = new Int32Array(k);
  else scratch.fill(0);
  return scratch;
}

/** Cell sums to means (edge cells hold the leftover rows and columns), plus the whole frame's mean. */
function normaliseCells(cells: Int32Array, g: Grid, f: VideoFrame, total: number): Float32Array {
  const { cols, rows, cellPx: c } = g;
  const out = new Float32Array(cols * rows + 1);
  for (let cy = 0; cy < rows; cy++) {
    const hh = cy === rows - 1 ? f.height - cy * c : c;
    for (let cx = 0; cx < cols; cx++) {
      const ww = cx === cols - 1 ? f.width - cx * c : c;
      out[cy * cols + cx] = cells[cy * cols + cx] / (ww * hh);
    }
  }
  out[cols * rows] = total / (f.width * f.height);
  return out;
}

export function allRegions(g: Grid): Region[] {
  const regions: Region[] = [{ cx: 0, cy: 0, size: 0 }];
  for (const s of REGION_SIDES) {
    if (s > g.cols || s > g.rows) continue;
    for (let cy = 0; cy + s <= g.rows; cy++) for (let cx = 0; cx + s <= g.cols; cx++) regions.push({ cx, cy, size: s });
  }
  return regions;
}

/** A region's mean brightness in every frame of the chunk, into out. */
export function regionSeries(frames: Float32Array[], g: Grid, r: Region, out: Float64Array): void {
  const n = frames.length;
  if (r.size === 0) {
    const k = g.cols * g.rows;
    for (let i = 0; i < n; i++) out[i] = frames[i][k];
    return;
  }
  if (r.size === 1) {
    // One cell: its value as it is (what the sum below gives: 0 + v, times 1).
    const k = r.cy * g.cols + r.cx;
    for (let i = 0; i < n; i++) out[i] = frames[i][k];
    return;
  }
  const inv = 1 / (r.size * r.size);
  for (let i = 0; i < n; i++) {
    const cells = frames[i];
    let s = 0;
    for (let y = r.cy; y < r.cy + r.size; y++) {
      const o = y * g.cols;
      for (let x = r.cx; x < r.cx + r.size; x++) s += cells[o + x];
    }
    out[i] = s * inv;
  }
}

/**
 * The series of a row of regions at once: every region of side `size` (1, 2 or 4 cells) whose top row is cy, region
 * cx's series into out[cx·n .. cx·n + n - 1], read one frame's rows at a time (the cells of a frame lie together in
 * memory). The values regionSeries gives: a region's sum is exact in float64 in any order (SUMS_EXACT_MAX_CELL_PX), so
 * each frame's column sums over the row's `size` rows are summed along the row by a running sum (add the column
 * entering, subtract the one leaving), which is the same sum to the bit.
 */
export function regionRowSeries(frames: Float32Array[], g: Grid, size: number, cy: number, out: Float64Array): void {
  if (g.cellPx > SUMS_EXACT_MAX_CELL_PX) return regionRowSeriesInOrder(frames, g, size, cy, out);
  const n = frames.length;
  const last = g.cols - size;
  const inv = 1 / (size * size);
  const col = columnScratch(g.cols);
  for (let i = 0; i < n; i++) {
    const cells = frames[i];
    if (size === 1) {
      for (let cx = 0, o = cy * g.cols; cx <= last; cx++) out[cx * n + i] = cells[o + cx];
      continue;
    }
    col.fill(0);
    for (let y = cy; y < cy + size; y++) for (let x = 0, o = y * g.cols; x < g.cols; x++) col[x] += cells[o + x];
    let s = 0;
    for (let x = 0; x < size - 1; x++) s += col[x];
    for (let cx = 0; cx <= last; cx++) {
      s += col[cx + size - 1];
      out[cx * n + i] = s * inv;
      s -= col[cx];
    }
  }
}

/**
 * Largest cell side (px) for which every sum of up to 16 cell means is exact in float64: a mean is a float32 of 0 or
 * at least 1/area (area < (2·cellPx)², edge cells included), so a multiple of 2^-(p+23) for area <= 2^p, and sums
 * under 2^12 of such multiples need 12 + p + 23 <= 53 bits (p <= 18). Exact sums do not depend on their order.
 */
const SUMS_EXACT_MAX_CELL_PX = 256;

let columns = new Float64Array(0);

function columnScratch(k: number): Float64Array {
  if (columns.length !== k) columns = new Float64Array(k);
  return columns;
}

/** regionRowSeries summing each region's cells row by row (for cells too large for SUMS_EXACT_MAX_CELL_PX). */
function regionRowSeriesInOrder(frames: Float32Array[], g: Grid, size: number, cy: number, out: Float64Array): void {
  const n = frames.length;
  const last = g.cols - size;
  const inv = 1 / (size * size);
  for (let i = 0; i < n; i++) {
    const cells = frames[i];
    for (let cx = 0; cx <= last; cx++) {
      let s = 0;
      for (let y = cy; y < cy + size; y++) {
        const o = y * g.cols;
        for (let x = cx; x < cx + size; x++) s += cells[o + x];
      }
      out[cx * n + i] = s * inv;
    }
  }
}
