/**
 * A wide sheet's column that the sheet computed from the raters (`=AVERAGE(B2:D2)` under a name like `Final` or
 * `Score`): read as one more rater it raises every agreement figure (session 21: a `Mean` column beside three raters
 * gave ICC(2,1) 0.908 for their 0.865, exit 0). Names that say so are refused by the header check (read.ts); this one
 * looks at the values: a rater whose every rating equals the mean (or the median) of the other raters of that target,
 * written with decimals, and on at least MIN_NEW targets a value no other rater gave (a person rating on the scale
 * gives values the others also give; a mean of 3, 4, 3 is 3.33). Whole-number columns are never refused (a rounded
 * mean cannot be told from a rater who agrees well).
 */
import type { RatingsDimension } from './types.js';

/** Targets (rated by the column and two or more others) the check needs, and of them with a value no other gave. */
const MIN_ROWS = 3;
const MIN_NEW = 2;

export interface SummaryColumn {
  /** Index into the dimension's ratings of the first rating that no other rater gave. */
  at: number;
  message: string;
}

/** Digits after the decimal point of a number as JavaScript writes it shortest (3.33 -> 2, 2 -> 0), at most 6. */
function decimals(v: number): number {
  const m = /\.(\d+)$/.exec(String(v));
  return m ? Math.min(6, m[1].length) : 0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Rating indices grouped by code (a target or a rater per rating), each group in file order: a counting sort. */
interface Groups {
  start: Int32Array;
  idx: Int32Array;
}

function groupsOf(codes: Int32Array, nCodes: number): Groups {
  const start = new Int32Array(nCodes + 1);
  for (let i = 0; i < codes.length; i++) start[codes[i] + 1]++;
  for (let c = 0; c < nCodes; c++) start[c + 1] += start[c];
  const next = start.slice(0, nCodes);
  const idx = new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i++) idx[next[codes[i]]++] = i;
  return { start, idx };
}

/** The first summary column of a dimension, or null. Cost: Σ over ratings of its target's ratings, stopping early.
 *  Groups as typed arrays: an array of indices per target took 0.2 s CPU on bench-agreement's 200,000 targets. */
export function summaryColumn(d: RatingsDimension): SummaryColumn | null {
  if (d.categories || d.raters.length < 3) return null;
  const rows = groupsOf(d.target, d.targets.length);
  const own = groupsOf(d.rater, d.raters.length);
  for (let r = 0; r < d.raters.length; r++) {
    const hit = checkRater(d, rows, own.idx.subarray(own.start[r], own.start[r + 1]), r);
    if (hit) return hit;
  }
  return null;
}

/** The values of the other raters' ratings of target t (file order). */
function othersOf(d: RatingsDimension, rows: Groups, t: number, r: number): number[] {
  const out: number[] = [];
  for (let k = rows.start[t]; k < rows.start[t + 1]; k++) if (d.rater[rows.idx[k]] !== r) out.push(d.value[rows.idx[k]]);
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Rater r's ratings against the mean and the median of the others', row by row; null at the first row both miss. */
function checkRater(d: RatingsDimension, rows: Groups, mine: Int32Array, r: number): SummaryColumn | null {
  const match = { mean: true, median: true };
  let n = 0;
  let dmax = 0;
  let fresh: { i: number; others: number[] } | null = null;
  let nFresh = 0;
  for (const i of mine) {
    const others = othersOf(d, rows, d.target[i], r);
    if (others.length < 2) continue;
    const v = d.value[i];
    const dec = decimals(v);
    const tol = 0.5 * 10 ** -Math.max(1, dec) + 1e-9;
    match.mean &&= Math.abs(v - mean(others)) <= tol;
    match.median &&= Math.abs(v - median(others)) <= tol;
    if (!match.mean && !match.median) return null;
    n++;
    dmax = Math.max(dmax, dec);
    if (!others.includes(v) && nFresh++ === 0) fresh = { i, others };
  }
  if (dmax === 0 || n < MIN_ROWS || nFresh < MIN_NEW || fresh === null) return null;
  const what = match.mean ? 'mean' : 'median';
  const message =
    `rater '${d.raters[r]}' gave on every target the ${what} of the other raters' ratings (here ${d.value[fresh.i]} where they gave ${fresh.others.join(', ')}): ` +
    `a summary column computed in the sheet, not a rater, which would count as one more rater and raise the agreement: remove it from the sheet`;
  return { at: fresh.i, message };
}
