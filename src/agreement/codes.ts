/**
 * Category ids written as numbers (1 = neutral, 2 = happy, 3 = sad) analysed without --categorical are read as a
 * scale: the ICC, interval alpha, rater bias and mean gold labels then treat 3 as farther from 1 than 2 is, and the
 * headline figures mean nothing (a lead's trial: five raters' emotion ids 1-3 gave an ICC and mean gold labels such as
 * 2.2, exit 0, without a word). The figures cannot be refused (a 1-5 Likert item looks the same), so the data are
 * asked: on a scale most disagreements are near misses and interval alpha is well above nominal alpha; on ids they
 * fall as chance pairs do. With D = 1 - alpha, the ratio D_interval / D_nominal is the mean squared difference of the
 * disagreeing pairs over what chance pairs of the same values give (Krippendorff 2011); at 0.9 or more the numbers
 * behave as ids (simulated 1-5 and 1-3 scales with moderate noise: 0.2-0.8; ids 1-3 to 1-8: 0.93-0.98), said as a
 * `numeric_codes` warning, when nominal alpha is at least 0.2 (raters at chance agreement give about 1 on any scale). A rating column named like labels (`emotion`, `label`, `category`, `class`, `code`)
 * holding whole numbers is said the same way whatever the alpha.
 */
import type { AlphaEntry } from './analyze.js';
import type { AlphaMetric } from './alpha.js';
import type { ByTarget } from './layout.js';
import type { RatingsDimension } from './types.js';
import { shownName } from './variants.js';

export interface NumericCodesWarning {
  code: 'numeric_codes';
  /** The distinct ratings, ascending. */
  values: number[];
  /** 'disagreements': D_interval / D_nominal >= 0.9; 'column_name': the rating column is named like labels. */
  evidence: 'disagreements' | 'column_name';
  message: string;
}

const MIN_CODES = 3;
const MAX_CODES = 12;
/** Disagreeing pairs (of ratings of one target) needed before the disagreements are read. */
const MIN_DISAGREEING_PAIRS = 10;
const CHANCE_RATIO = 0.9;
/** Below this nominal alpha the raters hardly agree beyond chance, and near misses cannot be told from far ones
 *  (random 1-5 ratings give the ratio 1 too). */
const MIN_NOMINAL_ALPHA = 0.2;
const LABEL_WORDS = /(^|[^a-z])(labels?|categor(y|ies)|class(es)?|emotions?|codes?)([^a-z]|$)/i;

/** The distinct values when every rating is a whole number and there are at most MAX_CODES of them, else null. */
function wholeValues(v: Float64Array): number[] | null {
  const seen = new Set<number>();
  for (let i = 0; i < v.length; i++) {
    if (!Number.isInteger(v[i])) return null;
    seen.add(v[i]);
    if (seen.size > MAX_CODES) return null;
  }
  return [...seen].sort((a, b) => a - b);
}

/** Pairs of ratings of one target that differ (per target: all pairs minus the pairs of equal values). */
function disagreeingPairs(bt: ByTarget): number {
  let n = 0;
  const c = new Map<number, number>();
  for (let t = 0; t < bt.nTargets; t++) {
    c.clear();
    for (let j = bt.start[t]; j < bt.start[t + 1]; j++) c.set(bt.value[j], (c.get(bt.value[j]) ?? 0) + 1);
    const m = bt.start[t + 1] - bt.start[t];
    n += (m * (m - 1)) / 2;
    for (const k of c.values()) n -= (k * (k - 1)) / 2;
  }
  return n;
}

/** Who may have used the scale the other way round: the raters reversed_scale names (src/agreement/reversed.ts), if any. */
function reversedText(reversed: readonly string[]): string {
  if (reversed.length === 0) return 'look for a rater who used it the other way round';
  return `${reversed.map((r) => `rater '${shownName(r)}'`).join(' or ')} may have used it the other way round (the reversed_scale warning)`;
}

/** The warning for numeric ratings that behave (or are named) like category ids; null otherwise. */
export function numericCodesWarning(d: RatingsDimension, bt: ByTarget, alpha: Record<AlphaMetric, AlphaEntry>, reversed: readonly string[] = []): NumericCodesWarning | null {
  if (d.categories !== null) return null;
  const values = wholeValues(d.value);
  if (values === null || values.length < MIN_CODES) return null;
  const shown = values.join(', ');
  const column = d.source?.rating ?? null;
  const fix = `if they are category ids, pass --categorical (nominal alpha, kappas, majority gold labels)`;
  const read = `read as a scale (the ICC, interval alpha, rater bias and mean gold labels treat ${values[2]} as farther from ${values[0]} than ${values[1]} is)`;
  if (column !== null && LABEL_WORDS.test(column)) {
    return { code: 'numeric_codes', values, evidence: 'column_name', message: `column '${column}' holds whole numbers (${shown}), ${read}: ${fix}` };
  }
  const [nom, int] = [alpha.nominal.alpha, alpha.interval.alpha];
  if (nom === null || int === null || !(nom >= MIN_NOMINAL_ALPHA && nom < 1) || disagreeingPairs(bt) < MIN_DISAGREEING_PAIRS) return null;
  if ((1 - int) / (1 - nom) < CHANCE_RATIO) return null;
  const message =
    `the ratings (${shown}) are ${read}, but their disagreements are as far apart as chance pairs (interval alpha ${int.toFixed(3)}, nominal ${nom.toFixed(3)}; ` +
    `on a scale most disagreements are near misses and interval alpha is well above nominal): ${fix}; if they are a scale, ${reversedText(reversed)}`;
  return { code: 'numeric_codes', values, evidence: 'disagreements', message };
}
