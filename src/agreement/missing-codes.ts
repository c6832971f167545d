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
 *
 * Codes beside a whole-number scale (panel surveys code "don't know"/"refused" as -2..-8, or 7, 8, 9, 77, 88, 98 past
 * a short scale: ESS, NLSY; a trial, ttrial48a W4: 5 of 100 cells of a 1-7 sheet coded 9, -2, -7 or -8 gave ICC(2,1)
 * 0.21-0.48 for 0.64, exit 0): with no --scale declared and at least MIN_OTHERS_GAP other ratings, all whole numbers,
 * a whole number below them by 2 or more that is negative, or above them by 2 or more that is written with sevens,
 * eights or nines only (7, 8, 9, 77, 88, 99, ...) or is 98/998, is refused the same way: no rating lies between it
 * and the scale's end (no 8 beside 1-7 and a 9), which so many ratings would show if it were a rating. A code next
 * to the scale (0 or 8 beside 1-7) cannot be told from a rating: declare the scale (`--scale 1,7`), which refuses it
 * with the `--na` hint.
 */
import { decimalNumber } from '../common/decimal.js';
import type { RatingsDimension } from './types.js';

/** Common missing-value codes of survey and lab exports. */
const CODES = new Set([99, 999, 9999, -1, -9, -99, -999, -9999]);
const MIN_OTHERS = 5;
/** Other ratings the gap rule needs: with fewer, an unused step of a real scale is too likely. */
const MIN_OTHERS_GAP = 20;
/** At most this share of a dimension's ratings may be gap codes (missing ratings are the few). */
const MAX_CODED_SHARE = 0.2;

/** 7, 8, 9, 77, 88, 99, 777, ..., and 98, 998 ("don't know" in many surveys). */
const isNinesLike = (c: number): boolean => /^(7+|8+|9+|9+8)$/.test(String(c));

/** A number that codes a missing rating in some export (for the --na hint beside a declared scale). */
export const looksLikeCode = (v: number): boolean => CODES.has(v) || v === 0 || (Number.isInteger(v) && (v < 0 || isNinesLike(v)));

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
  if (nOthers < MIN_OTHERS) return null;
  const off = [...first.keys()].filter((c) => (big > 0 && Math.abs(c) >= 9 * big) || (c < 0 && lo >= 1));
  if (off.length === 0 && d.scale === undefined) off.push(...gapCodes(v, nOthers));
  if (off.length === 0) return null;
  const at = v.findIndex((x) => off.includes(x));
  return { at, code: v[at], message: message(d, v, at, off) };
}

/**
 * Values past the whole-number scale of the others by a gap (isGapCode), when the others are whole numbers and at
 * least MIN_OTHERS_GAP; the scale is taken without them (lowest and highest of the rest).
 */
function gapCodes(v: Float64Array, nOthers: number): number[] {
  if (nOthers < MIN_OTHERS_GAP) return [];
  const sorted = [...new Set(v)].filter(Number.isFinite).sort((a, b) => a - b);
  if (!sorted.every(Number.isInteger)) return [];
  const rest = sorted.filter((x) => x >= 0 && !(x > 0 && isNinesLike(x)));
  if (rest.length === 0) return [];
  // Negative values all below the non-negative scale by a gap; sevens/eights/nines above the rest by a gap, peeled
  // from the top (9 and 99 beside 1-7); what remains is the scale they lie beside.
  const negatives = sorted.filter((x) => x < 0);
  const lo = rest[0];
  const below = negatives.length && negatives[negatives.length - 1] <= lo - 2 ? negatives : [];
  const above: number[] = [];
  let top = sorted.length - 1;
  while (top > 0 && isNinesLike(sorted[top]) && sorted[top] >= sorted[top - 1] + 2 && sorted[top - 1] >= 0) above.push(sorted[top--]);
  // 77 beside 1-9 may as well be a doubled key (a typo of 7): off-range.ts refuses it as such.
  const hi = sorted[top];
  const typoLike = (c: number) => c >= 10 && Number(String(c)[0]) >= lo && Number(String(c)[0]) <= hi;
  above.splice(0, above.length, ...above.filter((c) => !typoLike(c)));
  const codes = [...below, ...above];
  // Codes are the few: a scale that skips its midpoint (-3..-1, 1..3) has half its ratings below the gap.
  const coded = v.filter((x) => codes.includes(x)).length;
  return coded > 0 && coded <= MAX_CODED_SHARE * v.length && v.length - coded >= MIN_OTHERS_GAP ? codes : [];
}

function message(d: RatingsDimension, v: Float64Array, at: number, off: number[]): string {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of v) if (!off.includes(x)) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
  const dim = d.name ? ` in dimension '${d.name}'` : '';
  const codes = off.sort((a, b) => a - b).join(',');
  return (
    `rating ${v[at]} by rater '${d.raters[d.rater[at]]}'${dim} (${v[at]} ${whoGave(d, v, v[at])}) is off the scale of the other ratings (${lo} to ${hi}): ` +
    `a code for a missing rating? pass --na ${codes} to read it as missing (or write an empty cell); if it is a rating, put every rater on one scale (and declare it: --scale)`
  );
}

/** 'occurs once', or 'occurs 5 times: r1 once, r2 twice, r3 once, r4 once' (each rater that gave it, in rater order). */
function whoGave(d: RatingsDimension, v: Float64Array, code: number): string {
  const per = new Map<number, number>();
  for (let i = 0; i < v.length; i++) if (v[i] === code) per.set(d.rater[i], (per.get(d.rater[i]) ?? 0) + 1);
  const total = [...per.values()].reduce((a, b) => a + b, 0);
  if (total === 1) return 'occurs once';
  const times = (n: number) => (n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`);
  const who = [...per.entries()].sort((a, b) => a[0] - b[0]).map(([r, n]) => `${d.raters[r]} ${times(n)}`);
  return `occurs ${total} times: ${who.join(', ')}`;
}
