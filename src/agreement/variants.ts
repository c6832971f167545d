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
  message: string;
}

const KIND_PLURAL = { rater: 'raters', target: 'targets', label: 'labels', dimension: 'dimensions' } as const;

/** The key two spellings share when they differ only in case, whitespace, '-' or '_', or (a number) in its zeros. */
export function spellingKey(name: string): string {
  return numberKey(name.normalize('NFKC').toLowerCase().replace(/[\s_-]+/g, ''));
}

/**
 * '007', '7' and '7.0' are one id written by two tools: Excel drops leading zeros and pandas writes an integer column
 * with a missing cell as floats (a sixth new user's trial: rater '1' beside '1.0' and '01' was three raters, the ICC
 * had no complete target and Cohen's kappa paired '1' with '01'). The number's digits without leading zeros and
 * without a fraction of zeros (as text: ids beyond 2^53 keep every digit).
 */
function numberKey(k: string): string {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(k);
  if (m === null) return k;
  const int = m[1].replace(/^0+(?=\d)/, '');
  const frac = (m[2] ?? '').replace(/0+$/, '');
  return frac === '' ? int : `${int}.${frac}`;
}

/** The names differ in more than case, whitespace, '-' and '_' (a number's zeros: '7' and '007'). */
function zerosDiffer(names: string[]): boolean {
  const plain = (n: string) => n.normalize('NFKC').toLowerCase().replace(/[\s_-]+/g, '');
  return new Set(names.map(plain)).size > 1;
}

/** Groups of two or more names with one spelling key, each group most used first (then first seen). */
export function spellingGroups(names: readonly string[], uses: ArrayLike<number>): Array<Array<{ name: string; uses: number }>> {
  const groups = new Map<string, Array<{ name: string; uses: number }>>();
  names.forEach((name, i) => {
    const key = spellingKey(name);
    if (key === '') return;
    const g = groups.get(key) ?? [];
    g.push({ name, uses: uses[i] });
    groups.set(key, g);
  });
  return [...groups.values()].filter((g) => g.length > 1).map((g) => g.sort((a, b) => b.uses - a.uses));
}

/** One warning for the groups of one kind (at most 3 spelled out), or null when there are none. */
export function spellingWarning(kind: SpellingVariantsWarning['kind'], groups: ReturnType<typeof spellingGroups>, unit: string): SpellingVariantsWarning | null {
  if (groups.length === 0) return null;
  const shown = groups.slice(0, 3).map((g) => g.map((v) => `'${v.name}' (${v.uses} ${unit}${v.uses === 1 ? '' : 's'})`).join(', '));
  const more = groups.length > 3 ? `, and ${groups.length - 3} more group(s)` : '';
  return {
    code: 'spelling_variants',
    kind,
    names: groups.map((g) => g.map((v) => v.name)),
    message: `${KIND_PLURAL[kind]} that differ only in case, spaces, '-'${groups.some((g) => zerosDiffer(g.map((v) => v.name))) ? ", '_' or a number's zeros ('7', '007', '7.0')" : " or '_'"} are counted as different ${KIND_PLURAL[kind]}: ${shown.join('; ')}${more} (if they are one ${kind}, write one spelling in the file)`,
  };
}

/** How often each code 0..n-1 occurs in `codes`. */
function countCodes(codes: ArrayLike<number>, n: number): Int32Array {
  const c = new Int32Array(n);
  for (let i = 0; i < codes.length; i++) c[codes[i]]++;
  return c;
}

/** The dimension's rater, target and label spelling variants (labels: categorical dimensions only). */
export function spellingVariantWarnings(d: RatingsDimension): SpellingVariantsWarning[] {
  const out = [
    spellingWarning('rater', spellingGroups(d.raters, countCodes(d.rater, d.raters.length)), 'rating'),
    spellingWarning('target', spellingGroups(d.targets, countCodes(d.target, d.targets.length)), 'rating'),
    d.categories ? spellingWarning('label', spellingGroups(d.categories, countCodes(d.value, d.categories.length)), 'rating') : null,
  ];
  return out.filter((w): w is SpellingVariantsWarning => w !== null);
}
