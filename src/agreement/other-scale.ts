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
  const out: OtherScaleWarning[] = [];
  for (let r = 0; r < d.raters.length; r++) {
    let [mine, ownMin, ownMax, othersMax, others] = [0, Infinity, -Infinity, -Infinity, [] as number[]];
    for (let i = 0; i < d.value.length; i++) {
      if (d.rater[i] === r) [mine, ownMin, ownMax] = [mine + 1, Math.min(ownMin, d.value[i]), Math.max(ownMax, d.value[i])];
      else others.push(d.value[i]);
    }
    for (const v of others) othersMax = Math.max(othersMax, v);
    // One value throughout is no scale at all (constant_rater says it; a midpoint straight-liner was told to rescale, ttrial48a).
    if (mine < MIN_TARGETS || ownMin === ownMax || !(othersMax - lo > 0) || (ownMax - lo) * RATIO > othersMax - lo) continue;
    const above = others.filter((v) => v > ownMax).length / others.length;
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
