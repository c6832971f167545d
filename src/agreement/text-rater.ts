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

/** Ratings a rater needs before their labels are called free text. */
const FREE_TEXT_MIN = 5;

/** Mean number of words of a set of labels. */
function meanWords(labels: Set<string>): number {
  const all = [...labels];
  return all.reduce((a, l) => a + l.split(/\s+/).filter(Boolean).length, 0) / Math.max(1, all.length);
}

/**
 * A rater whose labels are sentences that no other rater uses (an ELAN export of every tier brings the `transcript`
 * tier along as one more "rater": a new user's trial, 2026-12-06: Fleiss' kappa 0.125 for the two raters' 0.625,
 * exit 0). Told by: FREE_TEXT_MIN or more ratings, labels of three or more words on average, none of them used by
 * another rater, beside two or more raters whose labels are shorter. Labels no other rater uses cannot agree.
 */
export function freeTextRater(d: RatingsDimension, raterIsColumn: boolean, excludeFlag: boolean): TextRater | null {
  if (!d.categories || d.raters.length < 3) return null;
  const labels = d.raters.map(() => new Set<string>());
  const count = d.raters.map(() => 0);
  const first = d.raters.map(() => -1);
  for (let i = 0; i < d.value.length; i++) {
    const r = d.rater[i];
    labels[r].add(d.categories[d.value[i]].trim());
    count[r]++;
    if (first[r] < 0) first[r] = i;
  }
  const raters = d.raters.map((_, r) => r).filter((r) => count[r] > 0);
  const usedBy = (r: number) => new Set(raters.filter((o) => o !== r).flatMap((o) => [...labels[o]]));
  const isFree = (r: number) => count[r] >= FREE_TEXT_MIN && meanWords(labels[r]) >= 3 && ![...labels[r]].some((l) => usedBy(r).has(l));
  const free = raters.filter(isFree);
  const coders = raters.filter((r) => !free.includes(r) && meanWords(labels[r]) < 3);
  if (free.length === 0 || coders.length < 2) return null;
  const r = free[0];
  const name = d.raters[r];
  const who = raterIsColumn ? `column '${shownName(name)}'` : `rater '${shownName(name)}'`;
  const fix = excludeFlag ? `leave it out with --exclude-rater ${shellWord(name)} (or remove its rows)` : 'remove it from the file';
  const shown = [...labels[r]].slice(0, 2).map((l) => `'${l.length > 40 ? l.slice(0, 40) + '…' : l}'`).join(', ');
  return {
    at: first[r],
    message: `${who} wrote sentences that no other rater uses (${shown}, …: ${labels[r].size} different in ${count[r]} ratings), not categories: free text (an ELAN transcript or notes tier) read as a rater, whose labels agree with no one's: ${fix}`,
  };
}
