/**
 * Rater ids, target ids, labels and dimension names that differ only in case, spaces, '-' or '_' ('R3' and 'r3',
 * 'Sad' and 'sad', 'Valence' and 'valence'). They are counted apart, as R (psych, irr), pandas and irrCAC count them,
 * but are almost always one rater, target or label typed two ways, and the figures silently change with it (an extra
 * rater empties every complete target of the ICC; an extra category lowers kappa). Said, never merged.
 */
import type { RatingsDimension } from './types.js';

/** A warning about spellings of one kind: `names` holds each group of spellings, most used first. */
export interface SpellingVariantsWarning {
  code: 'spelling_variants';
  kind: 'rater' | 'target' | 'label' | 'dimension';
  names: string[][];
  /** Where each less used spelling occurs (its first MAX_PLACES ratings): the file line (or, for in-memory rows, the
   *  1-based row) and the column, so that a lead can fix it. */
  where?: SpellingPlaces[];
  message: string;
}

export interface SpellingPlaces {
  name: string;
  /** Its ratings (all of them, also those not listed in `places`). */
  n: number;
  places: Array<{ line: number | null; row: number | null; column: string | null }>;
}

/** Places listed per spelling. */
const MAX_PLACES = 5;

const KIND_PLURAL = { rater: 'raters', target: 'targets', label: 'labels', dimension: 'dimensions' } as const;

/** Characters that print as nothing (zero-width space and joiners, soft hyphen, word joiner, a BOM inside a cell,
 *  control characters): pasted ids carry them, and 'r2' with a zero-width space looks exactly like 'r2'. */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/g;

/** A name as a message shows it: characters that print as nothing written as \uXXXX ('r2\u200b'). */
export function shownName(name: string): string {
  return name.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The key two spellings share when they differ only in case, whitespace, '-' or '_', or (a number) in its zeros. */
export function spellingKey(name: string): string {
  const ascii = asciiSpellingKey(name);
  if (ascii !== null) return ascii;
  return numberKey(name.normalize('NFKC').toLowerCase().replace(INVISIBLE, '').replace(/[\s_-]+/g, ''));
}

/**
 * spellingKey of an ASCII name (null: another name) without NFKC, which leaves ASCII as it is: the characters
 * INVISIBLE and [\s_-] remove are, in ASCII, the controls, space, DEL, '_' and '-'; numberKey changes only a key with
 * a '0' or a '.'. 200,000 target ids took 0.2 s CPU through the general path (bench-agreement).
 */
function asciiSpellingKey(name: string): string | null {
  let same = true;
  let numeric = false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0x7f) return null;
    if (c <= 0x20 || c === 0x5f || c === 0x2d || (c >= 0x41 && c <= 0x5a)) same = false;
    else if (c === 0x30 || c === 0x2e) numeric = true;
  }
  const k = same ? name : name.toLowerCase().replace(/[\x00-\x20_-]+/g, '');
  return numeric ? numberKey(k) : k;
}

/**
 * '007', '7' and '7.0' are one id written by two tools: Excel drops leading zeros and pandas writes an integer column
 * with a missing cell as floats (a sixth new user's trial: rater '1' beside '1.0' and '01' was three raters, the ICC
 * had no complete target and Cohen's kappa paired '1' with '01'). The number's digits without leading zeros and
 * without a fraction of zeros (as text: ids beyond 2^53 keep every digit).
 */
function numberKey(k: string): string {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(k);
  // 'rater01' beside 'rater1', 'clip007' beside 'clip7': the zeros that lead a number inside an id (a lead's trial)
  if (m === null) return k.replace(/(^|[^\d.])0+(?=\d)/g, '$1'); // not after a point: 'v1.05' is not 'v1.5'
  const int = m[1].replace(/^0+(?=\d)/, '');
  const frac = (m[2] ?? '').replace(/0+$/, '');
  return frac === '' ? int : `${int}.${frac}`;
}

/** The names differ in more than case, whitespace, '-' and '_' (a number's zeros: '7' and '007'). */
function zerosDiffer(names: string[]): boolean {
  const plain = (n: string) => n.normalize('NFKC').toLowerCase().replace(INVISIBLE, '').replace(/[\s_-]+/g, '');
  return new Set(names.map(plain)).size > 1;
}

/** A spelling of a group: its name, how often it is used, and its index in the names the groups were made of. */
export interface Spelling {
  name: string;
  uses: number;
  index: number;
}

/** Groups of two or more names with one spelling key, each group most used first (then first seen). */
export function spellingGroups(names: readonly string[], uses: ArrayLike<number>): Spelling[][] {
  // a key's first name is held as its index (a group is made at its second name): 200,000 targets spelled one way
  // each made 200,000 one-name groups (0.19 s CPU in bench-agreement's parse). Keys stay in first-seen order.
  const groups = new Map<string, number | Spelling[]>();
  const spelling = (index: number): Spelling => ({ name: names[index], uses: uses[index], index });
  for (let index = 0; index < names.length; index++) {
    const key = spellingKey(names[index]);
    if (key === '') continue;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, index);
    else if (typeof g === 'number') groups.set(key, [spelling(g), spelling(index)]);
    else g.push(spelling(index));
  }
  return [...groups.values()].filter((g): g is Spelling[] => typeof g !== 'number').map((g) => g.sort((a, b) => b.uses - a.uses));
}

/** One warning for the groups of one kind (at most 3 spelled out), or null when there are none; `where` (the less
 *  used spellings' places) is listed after each of them. */
export function spellingWarning(kind: SpellingVariantsWarning['kind'], groups: Spelling[][], unit: string, where?: SpellingPlaces[]): SpellingVariantsWarning | null {
  if (groups.length === 0) return null;
  const at = (name: string) => {
    const w = where?.find((p) => p.name === name);
    return w ? `, ${placesText(w)}` : '';
  };
  const shown = groups.slice(0, 3).map((g) => g.map((v) => `'${shownName(v.name)}' (${v.uses} ${unit}${v.uses === 1 ? '' : 's'}${at(v.name)})`).join(', '));
  const more = groups.length > 3 ? `, and ${groups.length - 3} more group(s)` : '';
  return {
    code: 'spelling_variants',
    kind,
    names: groups.map((g) => g.map((v) => v.name)),
    ...(where ? { where } : {}),
    message: `${KIND_PLURAL[kind]} that differ only in ${differIn(groups)} are counted as different ${KIND_PLURAL[kind]}: ${shown.join('; ')}${more} (if they are one ${kind}, write one spelling in the file)`,
  };
}

/** "case, spaces, '-' or '_'", and a number's zeros or characters that print as nothing when the groups differ so. */
function differIn(groups: Spelling[][]): string {
  const ways = ['case', 'spaces', "'-'", "'_'"];
  if (groups.some((g) => zerosDiffer(g.map((v) => v.name)))) ways.push("a number's zeros ('7', '007', '7.0')");
  if (groups.some((g) => g.some((v) => v.name.replace(INVISIBLE, '') !== v.name))) ways.push('characters that print as nothing (shown as \\uXXXX)');
  return `${ways.slice(0, -1).join(', ')} or ${ways[ways.length - 1]}`;
}

/** "line 9 of column 'rater'", "lines 9, 12, … of column 'rater'", "line 4 (column 'r2'), line 7 (column 'r3')". */
export function placesText(w: SpellingPlaces): string {
  if (w.places.length === 1 && w.places[0].line === 1 && w.places[0].column === w.name) return `column '${w.name}' of the header, line 1`;
  const pos = (p: SpellingPlaces['places'][number]) => (p.line !== null ? String(p.line) : p.row !== null ? String(p.row) : '?');
  const word = w.places[0].line !== null || w.places[0].row === null ? 'line' : 'row';
  const etc = w.n > w.places.length ? ', …' : '';
  const columns = new Set(w.places.map((p) => p.column));
  if (columns.size === 1) {
    const col = w.places[0].column;
    return `${word}${w.places.length > 1 ? 's' : ''} ${w.places.map(pos).join(', ')}${etc}${col === null ? '' : ` of column '${col}'`}`;
  }
  return w.places.map((p) => `${word} ${pos(p)} (column '${p.column}')`).join(', ') + etc;
}

/** How often each code 0..n-1 occurs in `codes`. */
function countCodes(codes: ArrayLike<number>, n: number): Int32Array {
  const c = new Int32Array(n);
  for (let i = 0; i < codes.length; i++) c[codes[i]]++;
  return c;
}

type Kind = 'rater' | 'target' | 'label';

/** The dimension's codes of one kind (rater, target or label per rating) and the names they index. */
function kindCodes(d: RatingsDimension, kind: Kind): { codes: ArrayLike<number>; names: string[] } | null {
  if (kind === 'rater') return { codes: d.rater, names: d.raters };
  if (kind === 'target') return { codes: d.target, names: d.targets };
  return d.categories ? { codes: d.value, names: d.categories } : null;
}

type KindVariants = { groups: Spelling[][]; firsts: Array<{ v: Spelling; at: number[] }> };

/** kindVariants per codes array: readRatings asks for the places' lines, analyze for the warnings (200,000 target
 *  ids grouped twice on bench-agreement's 1M ratings); a dimension's arrays are not changed once read. */
const variantsOfCodes = new WeakMap<object, { names: readonly string[]; variants: KindVariants }>();

/** The groups of one kind, and per less used spelling the indices of its first MAX_PLACES ratings. */
function kindVariants(d: RatingsDimension, kind: Kind): KindVariants {
  const k = kindCodes(d, kind);
  if (k === null) return { groups: [], firsts: [] };
  const cached = variantsOfCodes.get(k.codes);
  if (cached !== undefined && cached.names === k.names) return cached.variants;
  const variants = groupsAndFirsts(k);
  variantsOfCodes.set(k.codes, { names: k.names, variants });
  return variants;
}

function groupsAndFirsts(k: { codes: ArrayLike<number>; names: string[] }): KindVariants {
  const groups = spellingGroups(k.names, countCodes(k.codes, k.names.length));
  // every spelling but the most used (all of them when the most used ties)
  const firsts = groups.flatMap((g) => g.filter((v, j) => j > 0 || g[1].uses === v.uses)).map((v) => ({ v, at: [] as number[] }));
  const byIndex = new Map(firsts.map((f) => [f.v.index, f.at]));
  for (let i = 0; i < k.codes.length && byIndex.size > 0; i++) {
    const at = byIndex.get(k.codes[i]);
    if (at === undefined) continue;
    at.push(i);
    if (at.length === MAX_PLACES) byIndex.delete(k.codes[i]);
  }
  return { groups, firsts };
}

/** The data records (0-based) the spelling warnings of a dimension point at: readRatings finds their lines. */
export function variantRecords(d: RatingsDimension): number[] {
  return (['rater', 'target', 'label'] as const).flatMap((kind) => kindVariants(d, kind).firsts.flatMap((f) => f.at.map((i) => d.record[i])));
}

/** The column of a rating of one kind: the source's column (a wide file's rater column for a label), or its name. */
function placeColumn(d: RatingsDimension, kind: Kind, i: number): string {
  const src = d.source;
  if (kind === 'target') return src ? src.target : 'target';
  if (kind === 'rater') return src?.rater ?? 'rater';
  return src && src.format === 'wide' ? d.raters[d.rater[i]] : (src?.rating ?? 'rating');
}

/** The places of each less used spelling: a wide file's rater is a column of the header (line 1). */
function kindPlaces(d: RatingsDimension, kind: Kind, firsts: Array<{ v: Spelling; at: number[] }>): SpellingPlaces[] {
  const src = d.source;
  if (kind === 'rater' && src?.format === 'wide') return firsts.map(({ v }) => ({ name: v.name, n: v.uses, places: [{ line: 1, row: null, column: v.name }] }));
  return firsts.map(({ v, at }) => ({
    name: v.name,
    n: v.uses,
    places: at.map((i) => ({ line: src ? (src.lines.get(d.record[i]) ?? null) : null, row: src ? null : d.record[i] + 1, column: placeColumn(d, kind, i) })),
  }));
}

/** The indices of the first MAX_PLACES entries of `column` equal to `x` (a rater's or a label's first ratings). */
function firstIndicesOf(column: ArrayLike<number>, x: number): number[] {
  const at: number[] = [];
  for (let i = 0; i < column.length && at.length < MAX_PLACES; i++) if (column[i] === x) at.push(i);
  return at;
}

/** The indices of a rater's first MAX_PLACES ratings. */
function firstRatings(d: RatingsDimension, rater: number): number[] {
  return firstIndicesOf(d.rater, rater);
}

/** The data records of a rater's first ratings (readRatings finds their lines for rater_id_typo). */
export function raterRecords(d: RatingsDimension, rater: number): number[] {
  return firstRatings(d, rater).map((i) => d.record[i]);
}

/** Where a rater's first ratings are (a wide file: its column of the header). */
export function raterPlaces(d: RatingsDimension, rater: number, uses: number): SpellingPlaces {
  return kindPlaces(d, 'rater', [{ v: { name: d.raters[rater], uses, index: rater }, at: firstRatings(d, rater) }])[0];
}

/** The indices of a label's first MAX_PLACES ratings. */
function firstOfLabel(d: RatingsDimension, label: number): number[] {
  return firstIndicesOf(d.value, label);
}

/** The data records of a label's first ratings (readRatings finds their lines for label_typo). */
export function labelRecords(d: RatingsDimension, label: number): number[] {
  return firstOfLabel(d, label).map((i) => d.record[i]);
}

/** Where a label's first ratings are. */
export function labelPlaces(d: RatingsDimension, label: number, uses: number): SpellingPlaces {
  return kindPlaces(d, 'label', [{ v: { name: (d.categories ?? [])[label], uses, index: label }, at: firstOfLabel(d, label) }])[0];
}

/** The dimension's rater, target and label spelling variants (labels: categorical dimensions only), with places. */
export function spellingVariantWarnings(d: RatingsDimension): SpellingVariantsWarning[] {
  const out = (['rater', 'target', 'label'] as const).map((kind) => {
    const { groups, firsts } = kindVariants(d, kind);
    return spellingWarning(kind, groups, 'rating', kindPlaces(d, kind, firsts));
  });
  return out.filter((w): w is SpellingVariantsWarning => w !== null);
}

/** At most one substitution, insertion, deletion or swap of adjacent letters apart. */
export function editDistanceAtMost1(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const rest = (x: number, y: number) => a.slice(i + x) === b.slice(i + y);
  return rest(1, 1) || rest(1, 0) || rest(0, 1) || (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
}
