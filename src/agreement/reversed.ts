/**
 * A rater who used a numeric scale the other way round (7 for low where the others gave 7 for high): their ratings
 * fall as the others' rise. The Raters table showed it only as low_correlation / far_from_others (with 5 or more
 * raters; nothing with fewer), and the numeric_codes warning it also triggers said "if they are category ids, pass
 * --categorical". Said as a `reversed_scale` warning naming the rater and the recode, when the leave-one-out
 * correlation is at most -0.3 and below 0 beyond its sampling error (Fisher z: atanh(r) sqrt(n - 3) < -2.576, p < .01
 * two-sided), on at least 5 targets, for fewer than half of the raters. Never recoded by mmprep: the figures count the ratings as given.
 */
import type { RaterDiagnostics } from './diagnostics.js';
import { shellWord } from '../common/shell.js';
import type { RatingsDimension } from './types.js';
import { shownName } from './variants.js';

export interface ReversedScaleWarning {
  code: 'reversed_scale';
  /** The rater(s) whose ratings run against the others' (with two raters: both, as either may be the one). */
  raters: string[];
  /** Their correlation with the others' mean, and the targets it is on. */
  corr: number;
  n: number;
  message: string;
}

const MAX_R = -0.3;
const Z_99 = 2.576;
const MIN_N = 5;

const against = (r: RaterDiagnostics) => r.corr_loo !== null && r.n_compared >= MIN_N && r.corr_loo <= MAX_R && Math.atanh(Math.max(r.corr_loo, -1 + 1e-15)) * Math.sqrt(r.n_compared - 3) < -Z_99;

/**
 * The scale's ends (the recode maps lo <-> hi): the declared scale (--scale), else the lowest and highest rating in the
 * file, which are the scale's ends only when some rater used each (on a 1-7 scale whose 7 nobody gave, 7 - x is wrong).
 */
function ends(d: RatingsDimension): { lo: number; hi: number; declared: boolean } {
  if (d.scale) return { lo: d.scale[0], hi: d.scale[1], declared: true };
  let [lo, hi] = [Infinity, -Infinity];
  for (let i = 0; i < d.value.length; i++) [lo, hi] = [Math.min(lo, d.value[i]), Math.max(hi, d.value[i])];
  return { lo, hi, declared: false };
}

/** "recode their ratings as 8 − rating (…)", saying which ends it assumes. */
function recodeText(whose: string, { lo, hi, declared }: ReturnType<typeof ends>): string {
  const recode = `recode ${whose} ratings as ${lo + hi} − rating`;
  if (declared) return `${recode} (the scale --scale declares: ${lo} to ${hi})`;
  return `${recode}, which assumes the scale runs ${lo} to ${hi} (the lowest and highest ratings in the file; if its ends are others, LOW + HIGH − rating: declare them with --scale LOW,HIGH)`;
}

/** The reversed_scale warnings of a numeric dimension (none for labels). */
export function reversedScaleWarnings(d: RatingsDimension, raters: readonly RaterDiagnostics[]): ReversedScaleWarning[] {
  if (d.categories !== null) return [];
  const scale = ends(d);
  const hi = scale.hi;
  const recode = (whose: string) => recodeText(whose, scale);
  const inDim = d.name ? ` in dimension '${d.name}'` : '';
  const r = (x: RaterDiagnostics) => `r = ${x.corr_loo!.toFixed(2)} on ${x.n_compared} targets`;
  if (raters.length === 2) {
    if (!against(raters[0])) return [];
    const [a, b] = raters;
    const message = `the two raters' ratings${inDim} run opposite (${r(a)}): did '${shownName(a.rater)}' or '${shownName(b.rater)}' use the scale the other way round (${hi} for low)? if so, ${recode("that rater's")}; every figure here counts the ratings as given`;
    return [{ code: 'reversed_scale', raters: [a.rater, b.rater], corr: a.corr_loo!, n: a.n_compared, message }];
  }
  const named = raters.filter(against);
  // Most raters "against the others" is no reversed rater (a table of category counts, whose rows sum to a constant,
  // gives every column r = -1): a reversed scale is a minority's.
  if (2 * named.length >= raters.length) return [];
  return named.map((x) => ({
    code: 'reversed_scale',
    raters: [x.rater],
    corr: x.corr_loo!,
    n: x.n_compared,
    message:
      `rater '${shownName(x.rater)}' rates against the others${inDim} (correlation with their mean ${r(x)}): the scale used the other way round (${hi} for low)? ` +
      `if so, ${recode('their')}, or leave them out (--exclude-rater ${shellWord(x.rater)}); every figure here counts their ratings as given`,
  }));
}
