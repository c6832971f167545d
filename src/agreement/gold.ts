/**
 * Gold labels per target that keep the raw ratings: numeric ratings get mean, median and SD (the `label` is the
 * chosen aggregate); category labels get the majority with its share, whether it was a tie, and the full
 * distribution. Targets in file order; ratings in rater order of the file.
 */
import { round7 } from '../common/round7.js';
import { byTarget, type ByTarget } from './layout.js';
import { firstOccasion } from './retest.js';
import type { RatingsDimension, RatingsTable } from './types.js';

export type GoldAggregate = 'mean' | 'median' | 'majority';

export interface GoldOptions {
  /** Default: 'mean' for numeric ratings, 'majority' for labels. */
  aggregate?: GoldAggregate;
}

export interface GoldLabel {
  dimension: string;
  target: string;
  n_ratings: number;
  aggregate: GoldAggregate;
  /** The gold value: the mean/median (numeric) or the majority label; null without ratings. */
  label: number | string | null;
  mean: number | null;
  median: number | null;
  sd: number | null;
  majority: string | number | null;
  majority_share: number | null;
  /** Why `label` is null: no ratings, or a tie of the majority aggregate ('tie: …'); null when there is a label. */
  label_reason: string | null;
  /** True when several labels share the top count. `majority` is then the first of them in category order (numeric
   *  order for numbers, --levels order, else code-unit order), and with the majority aggregate `label` is null. */
  tie: boolean;
  /** The labels (values) sharing the top count, in category order; [] without a tie. */
  tied: Array<string | number>;
  /** Count per label/value, in category (or numeric) order. */
  distribution: Record<string, number>;
  /** The raw ratings, rater -> rating. */
  ratings: Record<string, number | string>;
}

export function* goldLabels(table: RatingsTable, opts: GoldOptions = {}): Generator<GoldLabel> {
  for (const raw of table.dimensions) {
    // Test-retest designs: the gold label of each rater is their first occasion's rating (as the inter-rater figures).
    const d = raw.occasion ? firstOccasion(raw) : raw;
    const bt = byTarget(d);
    const aggregate: GoldAggregate = opts.aggregate ?? (d.categories ? 'majority' : 'mean');
    for (let t = 0; t < bt.nTargets; t++) yield goldLabel(d, bt, t, aggregate);
  }
}

/** Target t's gold label: its ratings, their distribution and majority, mean/median/SD of numbers, the label chosen. */
function goldLabel(d: RatingsDimension, bt: ByTarget, t: number, aggregate: GoldAggregate): GoldLabel {
  const cats = d.categories;
  const a = bt.start[t];
  const b = bt.start[t + 1];
  const m = b - a;
  const items: Array<[number, number]> = [];
  for (let j = a; j < b; j++) items.push([bt.rater[j], bt.value[j]]);
  items.sort((p, q) => p[0] - q[0]); // rater order of the file
  const ratings: Record<string, number | string> = {};
  for (const [r, v] of items) ratings[d.raters[r]] = cats ? cats[v] : v;
  const vals = items.map((x) => x[1]).sort((p, q) => p - q);
  const { counts, distribution, best, bestN, tie } = tally(vals, cats);
  const { mean, median, sd } = cats ? { mean: null, median: null, sd: null } : roundedSummary(numericSummary(vals));
  const majority = best === null ? null : cats ? cats[best] : best;
  // A tied majority is no gold label: choosing one would bias the labels towards the start of the category order.
  const tied = tie ? [...counts].filter(([, n]) => n === bestN).map(([v]) => (cats ? cats[v] : v)) : [];
  const tiedMajority = aggregate === 'majority' && tie;
  const label = m === 0 || tiedMajority ? null : aggregate === 'mean' ? mean : aggregate === 'median' ? median : majority;
  const labelReason =
    m === 0 ? 'no ratings' : tiedMajority ? `tie: ${tied.map((v) => `'${v}'`).join(', ')} have ${bestN} rating${bestN > 1 ? 's' : ''} each (adjudicate; the distribution keeps the ratings)` : null;
  return {
    dimension: d.name,
    target: d.targets[t],
    n_ratings: m,
    aggregate,
    label,
    mean,
    median,
    sd,
    majority,
    majority_share: m ? round7(bestN / m) : null,
    tie,
    distribution,
    ratings,
    // New fields last: the CSV's earlier columns keep their places.
    label_reason: labelReason,
    tied,
  };
}

/** Count per value (sorted values: category or numeric order), the first most frequent and whether others share it. */
function tally(vals: number[], cats: string[] | null) {
  const counts = new Map<number, number>();
  for (const v of vals) counts.set(v, (counts.get(v) ?? 0) + 1);
  const distribution: Record<string, number> = {};
  let best: number | null = null;
  let bestN = 0;
  let tie = false;
  for (const [v, n] of counts) {
    distribution[cats ? cats[v] : String(v)] = n;
    if (n > bestN) {
      best = v;
      bestN = n;
      tie = false;
    } else if (n === bestN) tie = true;
  }
  return { counts, distribution, best, bestN, tie };
}

/**
 * The summary as written: 7 significant digits, as \`dataset build\` writes its gold (src/dataset/labels.ts) and its
 * features, so that a file shows no float noise ('"sd":0.20999999999999996', '"label":1.9400000000000002', ttrial48a);
 * the same inputs give the same digits (deterministic). The raw ratings are kept as read.
 */
function roundedSummary(s: { mean: number | null; median: number | null; sd: number | null }) {
  const r = (v: number | null) => (v === null ? null : round7(v));
  return { mean: r(s.mean), median: r(s.median), sd: r(s.sd) };
}

/** Mean, median and sample SD (n - 1) of sorted numbers; null where undefined (no ratings; SD of one). */
function numericSummary(vals: number[]): { mean: number | null; median: number | null; sd: number | null } {
  const m = vals.length;
  if (m === 0) return { mean: null, median: null, sd: null };
  const mean = vals.reduce((s, v) => s + v, 0) / m;
  const median = m % 2 ? vals[m >> 1] : (vals[(m >> 1) - 1] + vals[m >> 1]) / 2;
  const sd = m >= 2 ? Math.sqrt(vals.reduce((s, v) => s + (v - mean) ** 2, 0) / (m - 1)) : null;
  return { mean, median, sd };
}
