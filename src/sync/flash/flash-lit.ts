/**
 * The lit extent of a flash and the start/end pair's same-place rule (issue 11: "with pulses at both ends, the LED
 * region must be the same").
 *
 * The flash search reports the best-scoring region of a light: one, two or four cells (flash-cells.ts). Inside a big
 * LED every cell steps alike, so which cell scores best is a matter of codec noise, and at the two ends of a session
 * it can be cells 24 px apart inside the same 44 px LED (two silent cameras of scene set variant 14). Two regions
 * overlapping within their own size can then not tell "the same LED" from "another light nearby". The lit extent
 * does: the cells 4-connected to the best region that brightened at the same onset by at least half the region's own
 * contrast (a seeded region growing, Adams & Bischof 1994, "Seeded region growing", IEEE PAMI 16(6)), as a bounding
 * box. A light is then at the same place as another when each one's best region has its centre inside the other's lit
 * extent: both best cells lie in one lit area, lit at both ends. Two different lights (two LEDs, an LED and a shirt
 * or a window) each light their own area, so the best cell of one is not inside the lit area of the other, however
 * close their best cells are. A lit area larger than an LED (spilling out of a MAX_LIT_CELLS square around the region:
 * a scene change, a subject, a window) has no extent here; the region alone is used, as before.
 */
import type { Grid, Region } from './flash-cells.js';

/** Largest side of a lit extent, cells (48 px of the 320 px decoded picture: an LED, not a scene change). */
export const MAX_LIT_CELLS = 12;
/** A neighbouring cell is part of the light when it brightens by this share of the region's own contrast. */
export const LIT_SHARE = 0.5;

/** A box of cells: columns x0..x1-1, rows y0..y1-1. */
export interface CellBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The square of cells (at most MAX_LIT_CELLS a side, centred on the region) a light's extent must stay within. */
function litWindow(g: Grid, r: Region): CellBox {
  const pad = Math.floor((MAX_LIT_CELLS - r.size) / 2);
  return { x0: r.cx - pad, y0: r.cy - pad, x1: r.cx + r.size + pad, y1: r.cy + r.size + pad };
}

/**
 * The lit extent of the region's light (see the file's comment): `contrastOf(k)` is cell k's box contrast at the
 * flash's onset (NaN where it cannot be measured), `floor` the least contrast that counts as lit at all. Null when
 * the region is the whole frame, none of its own cells is lit, or the lit cells spill out of the MAX_LIT_CELLS square.
 */
export function litExtent(g: Grid, r: Region, contrastOf: (k: number) => number, ownContrast: number, floor: number): CellBox | null {
  if (r.size === 0 || !(ownContrast > 0)) return null;
  const need = Math.max(floor, LIT_SHARE * ownContrast);
  const win = litWindow(g, r);
  const seen = new Set<number>();
  const lit = (x: number, y: number) => x >= 0 && y >= 0 && x < g.cols && y < g.rows && contrastOf(y * g.cols + x) >= need;
  const queue: Array<[number, number]> = [];
  for (let y = r.cy; y < r.cy + r.size; y++) for (let x = r.cx; x < r.cx + r.size; x++) if (lit(x, y)) queue.push([x, y]);
  if (queue.length === 0) return null;
  for (const [x, y] of queue) seen.add(y * g.cols + x);
  const box: CellBox = { x0: r.cx, y0: r.cy, x1: r.cx + r.size, y1: r.cy + r.size };
  while (queue.length) {
    const [x, y] = queue.pop() as [number, number];
    box.x0 = Math.min(box.x0, x);
    box.y0 = Math.min(box.y0, y);
    box.x1 = Math.max(box.x1, x + 1);
    box.y1 = Math.max(box.y1, y + 1);
    for (const [nx, ny] of [[x - 1, y], [x + 1, y], [x, y - 1], [x, y + 1]]) {
      const k = ny * g.cols + nx;
      if (seen.has(k) || !lit(nx, ny)) continue;
      // A lit cell outside the square: the light is larger than an LED (or joins something that is).
      if (nx < win.x0 || ny < win.y0 || nx >= win.x1 || ny >= win.y1) return null;
      seen.add(k);
      queue.push([nx, ny]);
    }
  }
  return box;
}

/** A box in display pixels (FlashRegion's shape). */
export interface PxBox {
  x_px: number;
  y_px: number;
  w_px: number;
  h_px: number;
}

/** The light of one flash: its best region, and that region's lit extent when it has one. */
export interface LitPlace {
  region: PxBox;
  lit?: PxBox | null;
}

function centreInside(r: PxBox, box: PxBox): boolean {
  const cx = r.x_px + r.w_px / 2;
  const cy = r.y_px + r.h_px / 2;
  return cx >= box.x_px && cx <= box.x_px + box.w_px && cy >= box.y_px && cy <= box.y_px + box.h_px;
}

/** Regions overlapping when each is grown by its own size (the rule before lit extents: a cell's move of the box). */
export function grownOverlap(a: PxBox, b: PxBox): boolean {
  const ga = Math.max(a.w_px, a.h_px);
  const gb = Math.max(b.w_px, b.h_px);
  return a.x_px - ga < b.x_px + b.w_px + gb && b.x_px - gb < a.x_px + a.w_px + ga && a.y_px - ga < b.y_px + b.h_px + gb && b.y_px - gb < a.y_px + a.h_px + ga;
}

/**
 * Whether two (not whole-frame) flashes lit the same place: their regions overlap within their own size, or each
 * region's centre lies inside the other's lit extent (one lit area holding both best cells: a big LED).
 */
export function samePlace(a: LitPlace, b: LitPlace): boolean {
  if (grownOverlap(a.region, b.region)) return true;
  return !!a.lit && !!b.lit && centreInside(a.region, b.lit) && centreInside(b.region, a.lit);
}
