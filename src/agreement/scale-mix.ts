/**
 * Ratings of one dimension on two scales: most raters gave whole numbers 0-10 (a 1-5 or 1-7 Likert item) and one
 * gave 0-100 (a slider, or a sheet from another version of the form). The figures are then
 * computed on numbers that do not measure the same thing (a new user's trial: ICC 0.02 and gold labels that average
 * 3, 4 and 75, exit 0); the reader refuses them naming the rating, the rater and both scales.
 *
 * Rule: "Likert" raters are those with at least MIN_RATINGS ratings, all whole numbers in 0..10; a dimension is on
 * two scales when another rater's MEDIAN rating is above 10 and above twice the Likert raters' largest rating (most of
 * that rater's ratings are off their scale). A single large rating is not enough: on a 0-100 slider of a rarely felt
 * emotion, one rater may give only 0-10 while another gives mostly 0 and a few 30s (one scale, legitimately); so a
 * lone typo (55 for 5) is not caught here. Dimensions where every rater uses a wide scale, or where no rater has
 * MIN_RATINGS ratings, are never refused.
 * The mirror image, a rater on 0-1 (a normalised slider export: 0.375 for a 4 of 9) beside raters on whole numbers,
 * averaged 3, 3 and 0.375 into a gold 2.1 (a fourth new user's trial): a rater with MIN_RATINGS ratings, all in
 * 0..1 and some fractional, is on another scale when the whole-number raters' pooled median is above twice 1 (most of
 * their ratings are off 0-1). Half-points of a rarely felt emotion beside raters who mostly gave 0 are not refused.
 */
import type { RatingsDimension } from './types.js';

/** Ratings a rater needs before their whole-number 0-10 ratings are taken as a scale. */
const MIN_RATINGS = 5;
const LIKERT_MAX = 10;

export interface ScaleMix {
  /** Index into the dimension's ratings of the offending rating (the rater's largest). */
  at: number;
  message: string;
}

interface RaterRange {
  n: number;
  median: number;
  lo: number;
  hi: number;
  at: number;
  likert: boolean;
  /** Some rating is not a whole number. */
  fraction: boolean;
  /** Whole numbers 0..LIKERT_MAX only: how many of each (else null). */
  counts: Int32Array | null;
}

/**
 * Each rater's count, range, median and kind of numbers, in one pass over the ratings: the medians of whole numbers
 * 0..10 by counts (as median() takes them), the others' from a sorted copy of their ratings.
 */
function raterRanges(d: RatingsDimension): RaterRange[] {
  const out: RaterRange[] = d.raters.map(() => ({ n: 0, median: NaN, lo: Infinity, hi: -Infinity, at: -1, likert: true, fraction: false, counts: new Int32Array(LIKERT_MAX + 1) }));
  for (let i = 0; i < d.value.length; i++) {
    const v = d.value[i];
    if (!Number.isFinite(v)) continue;
    const r = out[d.rater[i]];
    r.n++;
    r.lo = Math.min(r.lo, v);
    if (v > r.hi) [r.hi, r.at] = [v, i];
    if (!(Number.isInteger(v) && v >= 0 && v <= LIKERT_MAX)) [r.likert, r.counts] = [false, null];
    else if (r.counts) r.counts[v]++;
    if (!Number.isInteger(v)) r.fraction = true;
  }
  out.forEach((r, k) => {
    r.likert &&= r.n >= MIN_RATINGS;
    r.median = r.counts ? medianByCounts(r.counts, r.n) : sortedMedian(raterValues(d, k, r.n).sort());
  });
  return out;
}

/** Rater k's finite ratings (n of them). */
function raterValues(d: RatingsDimension, k: number, n: number): Float64Array {
  const v = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < d.value.length; i++) if (d.rater[i] === k && Number.isFinite(d.value[i])) v[j++] = d.value[i];
  return v;
}

/** The median of n whole numbers 0..LIKERT_MAX counted in counts (NaN for none). */
function medianByCounts(counts: Int32Array, n: number): number {
  if (n === 0) return NaN;
  const m = n >> 1;
  return n % 2 ? kthByCounts(counts, m) : (kthByCounts(counts, m - 1) + kthByCounts(counts, m)) / 2;
}

/**
 * The median of v (finite numbers; v is left as it is): by counts when all are whole numbers 0..LIKERT_MAX (a Likert
 * item: a sort with a comparator per rater and of the pooled ratings took 0.42 s CPU on bench-agreement's 1M
 * ratings), else by a numeric sort of a copy. Only a zero's sign may differ from a sort of v, which nothing here shows.
 */
function median(v: readonly number[]): number {
  if (v.length === 0) return NaN;
  const counts = new Int32Array(LIKERT_MAX + 1);
  for (const x of v) {
    if (!(Number.isInteger(x) && x >= 0 && x <= LIKERT_MAX)) return sortedMedian(Float64Array.from(v).sort());
    counts[x]++;
  }
  const m = v.length >> 1;
  return v.length % 2 ? kthByCounts(counts, m) : (kthByCounts(counts, m - 1) + kthByCounts(counts, m)) / 2;
}

function sortedMedian(s: Float64Array): number {
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The k-th smallest (0-based) of the values counted in counts (counts[x]: how many equal x). */
function kthByCounts(counts: Int32Array, k: number): number {
  let x = 0;
  for (let below = counts[0]; below <= k; below += counts[++x]);
  return x;
}

/** The first sign of two scales in a numeric dimension, or null. */
export function scaleMix(d: RatingsDimension): ScaleMix | null {
  if (d.categories !== null) return null;
  const ranges = raterRanges(d);
  const likert = ranges.filter((r) => r.likert);
  if (likert.length === 0) return unitScaleMix(d, ranges);
  const lo = Math.min(...likert.map((r) => r.lo));
  const hi = Math.max(...likert.map((r) => r.hi));
  let worst = -1;
  const wide: number[] = [];
  ranges.forEach((r, i) => {
    if (!r.likert && r.median > LIKERT_MAX && r.median > 2 * Math.max(hi, 1)) {
      wide.push(i);
      if (worst < 0 || r.hi > ranges[worst].hi) worst = i;
    }
  });
  if (worst < 0) return unitScaleMix(d, ranges);
  const likertIdx = indicesOf(ranges, (r) => r.likert);
  // More raters on the wide scale than on whole numbers 0-10: the whole-number rater(s) are the odd ones out.
  if (wide.length > likertIdx.length) return oddFewOut(d, ranges, likertIdx, wide, 'whole numbers');
  return offScale(d, worst, ranges, likertIdx, `${lo}-${hi}`, '0-100');
}

function indicesOf(ranges: RaterRange[], keep: (r: RaterRange, k: number) => boolean): number[] {
  return ranges.map((r, k) => (keep(r, k) ? k : -1)).filter((k) => k >= 0);
}

/**
 * Fewer raters on one scale (`few`) than on the other (`many`): the refusal names a rater of the few (the one whose
 * median is farthest from the many's pooled median) as off the scale of the many. A trial: three raters in seconds
 * (0.3-0.8) beside one in milliseconds (312-815) were told 'r1' was off the scale of 'r4', the one at fault.
 */
function oddFewOut(d: RatingsDimension, ranges: RaterRange[], few: number[], many: number[], kind: string): ScaleMix {
  const pooled: number[] = [];
  for (let i = 0; i < d.value.length; i++) if (Number.isFinite(d.value[i]) && many.includes(d.rater[i])) pooled.push(d.value[i]);
  const m = median(pooled);
  const far = (k: number) => Math.abs(Math.log(Math.max(Math.abs(ranges[k].median), 1e-9) / Math.max(Math.abs(m), 1e-9)));
  const k = few.reduce((a, b) => (far(b) > far(a) ? b : a));
  const span = `${Math.min(...pooled)}-${Math.max(...pooled)}, median ${shown(m)}`;
  return offScale(d, k, ranges, many, span, 'seconds and milliseconds, or 0-1 and 0-100', kind === 'whole numbers' ? 'ratings' : kind, true);
}

/** A median as said: 0.5015000000000001 as 0.5015. */
function shown(x: number): number {
  return Number(x.toPrecision(12));
}

/** The refusal naming rater `k` (off the scale) and the raters `refs` whose scale it is off (`span`: theirs, as said). */
function offScale(d: RatingsDimension, k: number, ranges: RaterRange[], refs: number[], span: string, otherScale: string, kind = 'whole numbers', few = false): ScaleMix {
  const r = ranges[k];
  const names = refs.map((i) => `'${d.raters[i]}'`);
  const who = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
  const dim = d.name ? ` in dimension '${d.name}'` : '';
  return {
    at: r.at,
    message: `rating ${r.hi} by rater '${d.raters[k]}'${dim} (its ratings span ${r.lo}-${r.hi}, median ${shown(r.median)}) is off the scale of rater${names.length > 1 ? 's' : ''} ${who} (${kind} ${span}): ratings on two scales (such as ${few ? otherScale : `1-5 and ${otherScale}`})? put every rater on one scale${kind === 'whole numbers' ? '' : ' (or, if they share one scale, declare it with --scale LOW,HIGH)'}`,
  };
}

/**
 * A rater on 0-1 with fractions beside raters most of whose ratings are above 2 (see the top): beside whole-number
 * raters as said there; beside raters who also wrote fractions (sliders on 1-7 with decimals beside one normalised to
 * 0-1: ICC(2,1) 0.254 instead of 0.43, exit 0, a ninth trial) when no --scale is declared (a declared scale says the
 * raters share it: a rater who kept to 0-1 of a 0-10 slider is then read).
 */
function unitScaleMix(d: RatingsDimension, ranges: RaterRange[]): ScaleMix | null {
  const isUnit = (r: RaterRange) => !r.likert && r.n >= MIN_RATINGS && r.lo >= 0 && r.hi <= 1 && r.fraction;
  // no rater on 0-1 (nearly every file): the others' pooled median is not needed
  const unit = ranges.findIndex(isUnit);
  if (unit < 0) return null;
  const values: number[][] = d.raters.map(() => []);
  for (let i = 0; i < d.value.length; i++) if (Number.isFinite(d.value[i])) values[d.rater[i]].push(d.value[i]);
  const whole = ranges.some((r) => r.likert);
  // the others: the whole-number raters, else (no declared scale) every rater with MIN_RATINGS ratings not all in 0..1
  const other = (r: RaterRange) => (whole ? r.likert : d.scale === undefined && r.n >= MIN_RATINGS && !isUnit(r) && r.hi > 1);
  const pooled: number[] = [];
  ranges.forEach((r, k) => {
    if (other(r)) for (const v of values[k]) pooled.push(v);
  });
  const m = median(pooled);
  if (!(m > 2)) return null;
  const lo = Math.min(...pooled);
  const hi = Math.max(...pooled);
  const units = indicesOf(ranges, isUnit);
  const others = indicesOf(ranges, other);
  // More raters on 0-1 (seconds 0.3-0.8) than on the larger numbers (one rater in milliseconds): that one is off.
  if (units.length > others.length) return oddFewOut(d, ranges, others, units, 'ratings');
  return offScale(d, unit, ranges, others, `${lo}-${hi}, median ${shown(m)}`, '0-1', whole ? 'whole numbers' : 'ratings');
}
