/**
 * Numbers that code a missing rating (SPSS/Qualtrics/REDCap habits: 99, 999, -1, -9, -99) read as ratings. A sheet of
 * 1-7 ratings with two cells of 99 gave ICC(2,1) -0.02 for 0.88 (two cells of -1: 0.71), exit 0, without a word (a
 * sixth new user's trial). R (`read.csv(na.strings = c("", "NA", "99"))`) and pandas (`na_values=`) read such a code
 * as missing only when told; mmprep is told with `--na 99,-1`, and refuses an untold one that lies off the scale of
 * the dimension's other ratings.
 *
 * Rule: a rating equal to one of CODES is off the scale when the dimension has at least MIN_OTHERS other ratings and
 * either |code| >= 9 x the largest |other rating| (an order of magnitude beyond every rating: 99 beside 1-7 or 0-10,
 * 999 beside 0-100, -9 beside 0-1) or the code is negative while every other rating is at least 1 (-1 below a scale
 * that starts at 1). Not refused: -1 beside 0-10 or -1..1 (a rating there), 99 beside 0-100 (a slider's rating); a
 * categorical dimension is checked when every category is a number and no --levels were given.
 */
import { decimalNumber } from '../common/decimal.js';
import type { RatingsDimension } from './types.js';

/** Common missing-value codes of survey and lab exports. */
const CODES = new Set([99, 999, 9999, -1, -9, -99, -999, -9999]);
const MIN_OTHERS = 5;

/** One of the common missing-value codes (99, -1, …). */
export const isMissingCode = (v: number): boolean => CODES.has(v);

export interface MissingCode {
  /** Index into the dimension's ratings of the first rating with the code. */
  at: number;
  code: number;
  message: string;
}

/** The ratings' numbers (a categorical dimension: its categories' numbers), or null when they are not all numbers. */
function numbersOf(d: RatingsDimension, levelsGiven: boolean): Float64Array | null {
  if (d.categories === null) return d.value;
  if (levelsGiven) return null;
  const num = d.categories.map(Number);
  if (!num.every(Number.isFinite)) return null;
  return Float64Array.from(d.value, (c) => num[c]);
}

/**
 * Text labels (happy, sad) beside a label that is one of CODES ('99', '-1'): the code would be a category of its own
 * (Fleiss' kappa, alpha and the majority gold label count it). The first rating with it, or null.
 */
function codeAmongText(d: RatingsDimension, levelsGiven: boolean): MissingCode | null {
  if (d.categories === null || levelsGiven) return null;
  const isCode = d.categories.map((c) => CODES.has(decimalNumber(c.trim())));
  const text = d.categories.filter((c) => !Number.isFinite(decimalNumber(c.trim())));
  if (!isCode.includes(true) || text.length === 0 || text.length + isCode.filter(Boolean).length !== d.categories.length) return null;
  const at = d.value.findIndex((c) => isCode[c]);
  const label = d.categories[d.value[at]];
  const count = d.value.filter((c) => c === d.value[at]).length;
  const shown = text.slice(0, 3).map((c) => `'${c}'`).join(', ') + (text.length > 3 ? ', …' : '');
  const dim = d.name ? ` in dimension '${d.name}'` : '';
  return {
    at,
    code: decimalNumber(label.trim()),
    message: `label '${label}' by rater '${d.raters[d.rater[at]]}'${dim} (${label} occurs ${count === 1 ? 'once' : `${count} times`}) is a number among text labels (${shown}): a code for a missing rating? pass --na ${d.categories.filter((_, i) => isCode[i]).join(',')} to read it as missing (or write an empty cell); if it is a label, write it as text (e.g. 'code ${label}')`,
  };
}

/** The first untold missing-value code off the dimension's scale, or null. */
export function missingCode(d: RatingsDimension, levelsGiven = false): MissingCode | null {
  const v = numbersOf(d, levelsGiven);
  if (v === null) return codeAmongText(d, levelsGiven);
  let lo = Infinity;
  let big = 0;
  let nOthers = 0;
  const first = new Map<number, number>();
  for (let i = 0; i < v.length; i++) {
    if (CODES.has(v[i])) {
      if (!first.has(v[i])) first.set(v[i], i);
      continue;
    }
    nOthers++;
    lo = Math.min(lo, v[i]);
    big = Math.max(big, Math.abs(v[i]));
  }
  if (nOthers < MIN_OTHERS || first.size === 0) return null;
  const off = [...first.keys()].filter((c) => (big > 0 && Math.abs(c) >= 9 * big) || (c < 0 && lo >= 1));
  if (off.length === 0) return null;
  const at = Math.min(...off.map((c) => first.get(c)!));
  return { at, code: v[at], message: message(d, v, at, off) };
}

function message(d: RatingsDimension, v: Float64Array, at: number, off: number[]): string {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of v) if (!off.includes(x)) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
  const count = v.filter((x) => x === v[at]).length;
  const dim = d.name ? ` in dimension '${d.name}'` : '';
  const codes = off.sort((a, b) => a - b).join(',');
  return (
    `rating ${v[at]} by rater '${d.raters[d.rater[at]]}'${dim} (${v[at]} occurs ${count === 1 ? 'once' : `${count} times`}) is off the scale of the other ratings (${lo} to ${hi}): ` +
    `a code for a missing rating? pass --na ${codes} to read it as missing (or write an empty cell); if it is a rating, put every rater on one scale`
  );
}
