/**
 * Raters split into some who wrote only text and others who wrote only numbers, in one categorical dimension: most
 * often a wide sheet's notes or comment column read as a rater (a new user's trial, 2026-12-05: `r1,r2,r3,notes` was
 * refused as "non-numeric rating 'ok' (use --categorical for labels)", and with --categorical the 1-7 ratings became
 * nominal categories beside 'ok', 'blurry' and 'check': Fleiss' kappa -0.017 over 4 raters, exit 0), or one rater's
 * category codes beside the others' names. Labels that one side uses and the other never does cannot agree, so no
 * figure over both means anything: refused, naming the rater (the column of a wide file) and what to do.
 */
import { decimalNumber } from '../common/decimal.js';
import type { RatingsDimension } from './types.js';
import { shellWord } from '../common/shell.js';
import { shownName } from './variants.js';

export interface TextRater {
  /** Index into the dimension's ratings of the named rater's first rating. */
  at: number;
  message: string;
}

/** Up to four distinct labels, quoted: numbers ascending, text in first-seen order. */
function someLabels(labels: Set<string>): string {
  const all = [...labels];
  if (all.every((l) => Number.isFinite(decimalNumber(l)))) all.sort((a, b) => decimalNumber(a) - decimalNumber(b));
  const shown = all.slice(0, 4).map((l) => `'${l}'`);
  return shown.join(', ') + (labels.size > 4 ? ', …' : '');
}

/**
 * The refusal, or null. `raterIsColumn`: a wide file (the rater is a column of the sheet); `excludeFlag`: the command
 * offers --exclude-rater (dataset build does not).
 */
export function textRater(d: RatingsDimension, raterIsColumn: boolean, excludeFlag: boolean): TextRater | null {
  if (!d.categories) return null;
  const labels = d.raters.map(() => new Set<string>());
  const first = d.raters.map(() => -1);
  for (let i = 0; i < d.value.length; i++) {
    labels[d.rater[i]].add(d.categories[d.value[i]].trim());
    if (first[d.rater[i]] < 0) first[d.rater[i]] = i;
  }
  const rated = d.raters.map((_, r) => r).filter((r) => labels[r].size > 0);
  const numeric = (r: number) => [...labels[r]].every((l) => Number.isFinite(decimalNumber(l)));
  const text = (r: number) => [...labels[r]].every((l) => !Number.isFinite(decimalNumber(l)));
  const texts = rated.filter(text);
  const numbers = rated.filter(numeric);
  if (texts.length === 0 || numbers.length === 0 || texts.length + numbers.length < rated.length) return null;
  const odd = texts.length <= numbers.length ? texts[0] : numbers[0];
  const others = texts.length <= numbers.length ? numbers : texts;
  const otherLabels = new Set(others.flatMap((r) => [...labels[r]]));
  const who = raterIsColumn ? `column '${shownName(d.raters[odd])}'` : `rater '${shownName(d.raters[odd])}'`;
  const theirs = raterIsColumn ? "the other raters' columns" : 'the other raters';
  const [mine, other] = texts.includes(odd) ? ['text', 'numbers'] : ['numbers', 'text'];
  const advice = raterIsColumn && mine === 'text'
    ? `a notes or comment column read as a rater? ${excludeFlag ? `Leave it out with --exclude-rater ${shellWord(d.raters[odd])} (or remove it from the sheet)` : 'Remove it from the file'}`
    : 'the same categories written two ways (codes and names)? Recode them to one set of labels';
  return {
    at: first[odd],
    message: `${who} holds only ${mine} (${someLabels(labels[odd])}) where ${theirs} hold only ${other} (${someLabels(otherLabels)}): ${advice}; labels one rater uses and no other does cannot agree, so no figure is computed over them`,
  };
}
