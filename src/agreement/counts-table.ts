/**
 * A table of category counts read as ratings: Fleiss' (1971) layout, one row per subject and one column per
 * category holding how many raters chose it (`subject,c1,c2,c3,c4,c5` with every row summing to 14). Read as a wide
 * file it was 5 "raters" whose ratings are counts: an ICC, kappas and gold labels of nothing, exit 0. Refused when
 * every row of a complete grid of 3+ columns and 5+ rows holds whole numbers >= 0 with the same sum (2 or more) and the
 * rows are not all alike: raters' ratings of different targets do not add up to one total on every row.
 */
import { decimalNumber } from '../common/decimal.js';
import type { RatingsDimension } from './types.js';

const MIN_COLUMNS = 3;
const MIN_ROWS = 5;

/** The refusal's message and the rating it points at (the first), or null. */
export function countsTable(d: RatingsDimension): { message: string; at: number } | null {
  const [nT, nR] = [d.targets.length, d.raters.length];
  if (nR < MIN_COLUMNS || nT < MIN_ROWS || d.value.length !== nT * nR || d.occasion) return null;
  const num = d.categories ? (i: number) => decimalNumber(d.categories![d.value[i]].trim()) : (i: number) => d.value[i];
  const sums = new Float64Array(nT);
  const grid = new Float64Array(nT * nR);
  for (let i = 0; i < d.value.length; i++) {
    const v = num(i);
    if (!Number.isInteger(v) || v < 0) return null;
    sums[d.target[i]] += v;
    grid[d.target[i] * nR + d.rater[i]] = v;
  }
  if (sums[0] < 2 || sums.some((s) => s !== sums[0])) return null;
  const alike = (t: number) => grid.subarray(t * nR, (t + 1) * nR).every((v, r) => v === grid[r]);
  if (Array.from({ length: nT }, (_, t) => t).every(alike)) return null;
  const message =
    `every row's ratings sum to ${sums[0]} (${nT} rows, ${nR} columns of whole numbers from 0): a table of category counts ` +
    `(how many raters chose each category, Fleiss' layout) rather than ratings? agreement reads one rating per rater and target: ` +
    `write each rater's label in a column of their own (or as target,rater,rating rows)`;
  return { message, at: 0 };
}
