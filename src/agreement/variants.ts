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

/** The key two spellings share when they differ only in case, whitespace, '-' or '_'. */
export function spellingKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/[\s_-]+/g, '');
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
    message: `${KIND_PLURAL[kind]} that differ only in case, spaces, '-' or '_' are counted as different ${KIND_PLURAL[kind]}: ${shown.join('; ')}${more} (if they are one ${kind}, write one spelling in the file)`,
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
