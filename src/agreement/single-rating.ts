/**
 * Targets rated by one rater in a dimension that has two or more: their gold label (`--gold`, `dataset build
 * --labels`) is that one rater's rating, with no second rating to check it, and they carry no agreement (a target
 * shows it from two ratings: Krippendorff 2011 leaves such units out as unpairable, the ANOVA ICC drops them). A trial's sheet
 * (ttrial48a L2) had 6 of 30 clips rated by one rater: their gold labels came from that single rating, mean 3 with sd
 * null, beside consensus labels of three ratings, with no word (exit 0).
 */
import type { ByTarget } from './layout.js';
import type { RatingsDimension } from './types.js';
import { shownName } from './variants.js';

export interface SingleRatingWarning {
  code: 'single_rating_targets';
  /** Targets with exactly one rating, and the targets of the dimension. */
  n_single: number;
  n_targets: number;
  /** Up to SHOWN of them, in file order. */
  targets: string[];
  /** Who gave those single ratings, most first (ties in rater order): [rater, targets]. */
  raters: Array<[string, number]>;
  message: string;
}

/** Target ids named in the message and the JSON's `targets`. */
const SHOWN = 5;

/** The targets rated once and their raters, or null when every rated target has two or more ratings. */
function singleRated(d: RatingsDimension, bt: ByTarget): { targets: number[]; byRater: Map<number, number> } | null {
  const targets: number[] = [];
  const byRater = new Map<number, number>();
  for (let t = 0; t < bt.nTargets; t++) {
    if (bt.start[t + 1] - bt.start[t] !== 1) continue;
    targets.push(t);
    const r = bt.rater[bt.start[t]];
    byRater.set(r, (byRater.get(r) ?? 0) + 1);
  }
  return targets.length && d.raters.length >= 2 ? { targets, byRater } : null;
}

export function singleRatingWarnings(d: RatingsDimension, bt: ByTarget): SingleRatingWarning[] {
  const found = singleRated(d, bt);
  if (!found) return [];
  const inDim = d.name ? ` of dimension '${d.name}'` : '';
  const ids = found.targets.slice(0, SHOWN).map((t) => d.targets[t]);
  const raters = [...found.byRater].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([r, n]): [string, number] => [d.raters[r], n]);
  const n = found.targets.length;
  const who = raters.length === 1 ? `all by rater '${shownName(raters[0][0])}'` : raters.map(([r, k]) => `rater '${shownName(r)}' ${k}`).join(', ');
  const more = n > ids.length ? `, … ${n - ids.length} more` : '';
  const [has, its, they, them] = n === 1 ? ['has', 'its', 'it carries', 'it'] : ['have', 'their', 'they carry', 'them'];
  const message =
    `${n} of ${bt.nTargets} targets${inDim} ${has} a single rating (${ids.map((id) => `'${shownName(id)}'`).join(', ')}${more}; ${who}): ` +
    `${its} gold label is that one rater's rating, with no second rating to check it, and ${they} no agreement (a target shows it from two ratings); ` +
    `have a second rater rate ${them}, or keep ${them} out of the training labels (n_ratings 1 in the --gold file, one rating in a dataset record's ratings)`;
  return [{ code: 'single_rating_targets', n_single: n, n_targets: bt.nTargets, targets: ids, raters, message }];
}
