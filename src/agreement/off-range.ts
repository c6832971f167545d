/**
 * A rating far off the range of the other raters' ratings of its dimension, when no scale is declared: a typo (44 for
 * 4 on a 1-9 scale) that every mean, SD and gold label would carry. A new user's trial: one such cell made s01_u0's
 * arousal gold {mean 17, median 4, sd 23.4}, exit 0 from `dataset build`, `dataset validate` and `agreement`.
 *
 * Tools differ: psych's scoreItems (min, max) and irrCAC's categ.labels take a declared scale and R's irr a declared
 * set of levels; pingouin's intraclass_corr takes none and uses any number. mmprep refuses a rating outside a declared
 * scale (`--scale`, read.ts) and, without one, refuses a rating this far off, naming --scale as the way to keep it.
 *
 * Rule: rating v by rater r, against the other raters' ratings of the dimension (at least MIN_OTHERS of them, ends lo
 * and hi, range R = hi - lo): off when v > hi + max(2R, |hi|) or v < lo - max(2R, |lo|). 44 beside 1-9: 44 > 9 + 16.
 * Not off: any rating beside others who all gave 0 (no size to judge by), 10 beside 1-9 (declare --scale 1,9 to
 * refuse it), 7 beside one rater's 3-4 (4 + max(2, 4) = 8), a rater on
 * another scale altogether (the two-scales check, scale-mix.ts, names that first), numbers under --categorical.
 */
import type { RatingsDimension } from './types.js';

const MIN_OTHERS = 5;

export interface OffRange {
  /** Index into the dimension's ratings of the first rating off the range. */
  at: number;
  message: string;
}

/** For a rater r: the lowest and highest rating of the other raters, and how many ratings they gave. */
function otherRatersEnds(d: RatingsDimension): (r: number) => { lo: number; hi: number; n: number } {
  const k = d.raters.length;
  const lo = new Float64Array(k).fill(Infinity);
  const hi = new Float64Array(k).fill(-Infinity);
  const n = new Int32Array(k);
  for (let i = 0; i < d.value.length; i++) {
    const r = d.rater[i];
    const v = d.value[i];
    if (!Number.isFinite(v)) continue;
    n[r]++;
    if (v < lo[r]) lo[r] = v;
    if (v > hi[r]) hi[r] = v;
  }
  const total = n.reduce((a, b) => a + b, 0);
  return (r) => {
    let l = Infinity;
    let h = -Infinity;
    for (let q = 0; q < k; q++) if (q !== r && n[q] > 0) [l, h] = [Math.min(l, lo[q]), Math.max(h, hi[q])];
    return { lo: l, hi: h, n: total - n[r] };
  };
}

/** The first rating far off the other raters' range (numeric dimensions without a declared scale), or null. */
export function offRange(d: RatingsDimension): OffRange | null {
  if (d.categories !== null || d.scale || d.raters.length < 2) return null;
  const ends = otherRatersEnds(d);
  const byRater = new Map<number, ReturnType<typeof ends>>();
  for (let i = 0; i < d.value.length; i++) {
    const v = d.value[i];
    if (!Number.isFinite(v)) continue;
    const r = d.rater[i];
    if (!byRater.has(r)) byRater.set(r, ends(r));
    const { lo, hi, n } = byRater.get(r)!;
    if (n < MIN_OTHERS) continue;
    // Others who all gave 0 leave no size to judge a distance by (a rare emotion rated 0 by all but one): not judged.
    const range = hi - lo;
    if (range === 0 && hi === 0) continue;
    if (v > hi + Math.max(2 * range, Math.abs(hi)) || v < lo - Math.max(2 * range, Math.abs(lo))) return { at: i, message: message(d, i, lo, hi) };
  }
  return null;
}

function message(d: RatingsDimension, at: number, lo: number, hi: number): string {
  const dim = d.name ? ` in dimension '${d.name}'` : '';
  return (
    `rating ${d.value[at]} by rater '${d.raters[d.rater[at]]}'${dim} is far off the other raters' ratings (${lo} to ${hi}): a typo? ` +
    `correct it; if it is a rating, declare the scale with --scale LOW,HIGH (a rating outside a declared scale is refused, one inside it is read)`
  );
}
