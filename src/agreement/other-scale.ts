/**
 * A rater who rated on a shorter scale than the others (1-5 among 1-9 raters, or 0-10 among 0-100): their ratings are
 * averaged into the gold labels as if on the same scale, pulling every gold mean down, and the agreement figures mix
 * two scales. A new user's trial (2026-12-06, W10) saw `dataset build` say nothing, and `mmprep agreement` flag such a
 * rater only in its Raters table with 5 or more raters (nothing with 3). Said as an `other_scale` warning when, on at
 * least MIN_TARGETS targets, the rater's highest rating is at most 1/RATIO of the others' highest (both counted from
 * the scale's low end: the lowest rating in the dimension) and a quarter or more of the others' ratings lie above it.
 * A rater who used the upper part sparingly on mild stimuli reaches the others' range now and then; the rule asks for
 * the others to go above their ceiling often. Never rescaled by mmprep: the figures count the ratings as given.
 */
import { upperBound } from './diagnostics.js';
import { shownName } from './variants.js';
import type { RatingsDimension } from './types.js';

export interface OtherScaleWarning {
  code: 'other_scale';
  rater: string;
  /** The rater's and the others' highest rating. */
  rater_max: number;
  others_max: number;
  message: string;
}

const MIN_TARGETS = 8;
const RATIO = 1.5;
const MIN_ABOVE_SHARE = 0.25;

export function otherScaleWarnings(d: RatingsDimension): OtherScaleWarning[] {
  if (d.categories !== null || d.raters.length < 2) return [];
  let lo = Infinity;
  for (let i = 0; i < d.value.length; i++) lo = Math.min(lo, d.value[i]);
  // a missing (NaN) rating makes lo NaN, and then no rater is judged (as when each rater's loop met it)
  if (Number.isNaN(lo)) return [];
  const own = ownRanges(d);
  const out: OtherScaleWarning[] = [];
  let sorted: Float64Array | null = null;
  for (let r = 0; r < d.raters.length; r++) {
    const [mine, ownMin, ownMax, othersMax] = [own.n[r], own.min[r], own.max[r], own.maxOfOthers(r)];
    // One value throughout is no scale at all (constant_rater says it; a midpoint straight-liner was told to rescale, ttrial48a).
    if (mine < MIN_TARGETS || ownMin === ownMax || !(othersMax - lo > 0) || (ownMax - lo) * RATIO > othersMax - lo) continue;
    // the others' ratings above ownMax are all the ratings above it (none of the rater's own is)
    sorted ??= Float64Array.from(d.value).sort();
    const above = (sorted.length - upperBound(sorted, ownMax)) / (d.value.length - mine);
    if (above < MIN_ABOVE_SHARE) continue;
    const inDim = d.name ? ` in dimension '${d.name}'` : '';
    out.push({
      code: 'other_scale',
      rater: d.raters[r],
      rater_max: ownMax,
      others_max: othersMax,
      message:
        `rater '${shownName(d.raters[r])}' rated no higher than ${ownMax} on ${mine} targets${inDim}, while ${Math.round(above * 100)} % of the other raters' ratings lie above ${ownMax} (up to ${othersMax}): ` +
        `a rater on another scale (1-5 among 1-9)? averaged as given, their ratings pull every gold label down and the agreement mixes two scales; ` +
        `if so, rescale their ratings to the others' scale in the sheet (or leave them out: --exclude-rater), and declare the scale (--scale); every figure here counts the ratings as given`,
    });
  }
  return out;
}

/**
 * Each rater's count, lowest and highest rating, and the highest of the other raters' ratings (by the two largest
 * raters' maxima; a zero's sign aside, which nothing shows), in one pass: a pass over every rating per rater, copying the others', took 0.11 s CPU on
 * bench-agreement's 1M ratings (and grew with raters x ratings). Ratings are not NaN here.
 */
function ownRanges(d: RatingsDimension): { n: Int32Array; min: Float64Array; max: Float64Array; maxOfOthers: (r: number) => number } {
  const nR = d.raters.length;
  const n = new Int32Array(nR);
  const min = new Float64Array(nR).fill(Infinity);
  const max = new Float64Array(nR).fill(-Infinity);
  for (let i = 0; i < d.value.length; i++) {
    const r = d.rater[i];
    n[r]++;
    min[r] = Math.min(min[r], d.value[i]);
    max[r] = Math.max(max[r], d.value[i]);
  }
  let top = -1;
  for (let r = 0; r < nR; r++) if (top < 0 || max[r] > max[top]) top = r;
  let second = -Infinity;
  for (let r = 0; r < nR; r++) if (r !== top) second = Math.max(second, max[r]);
  return { n, min, max, maxOfOthers: (r) => (r === top ? second : max[top]) };
}
