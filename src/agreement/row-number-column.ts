/**
 * A wide sheet's running-number column (`clip_no` 1, 2, 3, ... down the rows; pandas' re-saved index `Unnamed: 0`
 * 0, 1, 2, ...) read as one more rater: its "ratings" are averaged into every gold label and the agreement (a new
 * user's trial, 2026-12-06: `clip_no` beside three 1-9 raters, exit 0, "4 raters", s01's gold 6.25 for 8). Names that
 * say so are refused by the header check (read.ts); this one looks at the values: whole numbers that go up by exactly
 * one per row of the file, on every row the column has a value and on at least MIN_ROWS rows. A rater who rated
 * graded stimuli in row order could do that too: the message gives the long layout, which this check does not read.
 */
import type { RatingsDimension } from './types.js';

/** Rows a running number must span before it is called one (4 rows rated 1-4 in order is a rater's plausible run). */
const MIN_ROWS = 5;

export interface RowNumberColumn {
  /** Index into the dimension's ratings of the column's first value. */
  at: number;
  message: string;
}

/** The first rater of a wide dimension whose values are the file's row numbers (plus a constant), or null. */
export function rowNumberColumn(d: RatingsDimension): RowNumberColumn | null {
  if (d.categories) return null;
  const own: number[][] = d.raters.map(() => []);
  for (let i = 0; i < d.rater.length; i++) own[d.rater[i]].push(i);
  for (let r = 0; r < d.raters.length; r++) {
    const mine = own[r].sort((a, b) => d.record[a] - d.record[b]);
    if (mine.length < MIN_ROWS) continue;
    const shift = d.value[mine[0]] - d.record[mine[0]];
    if (!Number.isInteger(d.value[mine[0]]) || !mine.every((i) => d.value[i] - d.record[i] === shift)) continue;
    const first = d.value[mine[0]];
    const last = d.value[mine[mine.length - 1]];
    return {
      at: mine[0],
      message:
        `column '${d.raters[r]}' holds the rows' running numbers (${first}, ${first + 1}, ${first + 2}, ... ${last}, one more on every row), not ratings: ` +
        `read as a rater it would be averaged into the gold labels and the agreement; remove the column from the sheet (an item number, or an index a ` +
        `spreadsheet or pandas wrote), or, if it really is a rater who rated the rows in that order, give the ratings in the long layout (target,rater,rating)`,
    };
  }
  return null;
}
