/**
 * Labels one letter apart ('hapy' beside 'happy', 'angery' beside 'angry') where the rarer is given at most a third as
 * often: one label typed two ways, counted as two categories, which lowers every kappa, alpha and AC1 and shows the
 * typo's targets as contested (trial ttrial56: two such typos among 90 ratings, exit 0, not a word; the rater and
 * dimension ids had this check, the labels only for case and separators). Said, never merged: two levels of
 * someone's scale may be a letter apart. The same rule as dimension_typo: 4 or more letters once case and separators
 * are ignored, not only in digits ('level1', 'level2'). A categorical dimension without --levels (--levels refuses
 * such a label with "did you mean").
 */
import type { RatingsDimension } from './types.js';
import { oneEditNeighbours } from './typos.js';
import { editDistanceAtMost1, spellingKey } from './variants.js';

/** One letter apart once case and separators are ignored, 4 or more letters, not only in digits ('item1', 'item2'). */
export function isOneLetterTypo(a: string, b: string): boolean {
  const [ka, kb] = [spellingKey(a), spellingKey(b)];
  const bare = (k: string) => k.replace(/\d/g, '');
  return ka !== kb && ka.length >= 4 && bare(ka) !== bare(kb) && editDistanceAtMost1(ka, kb);
}

/** How many ratings each label has. */
export function labelUses(d: RatingsDimension): Int32Array {
  const uses = new Int32Array(d.categories?.length ?? 0);
  for (let i = 0; i < d.value.length; i++) uses[d.value[i]]++;
  return uses;
}

/** Each rarer label (index into categories) with the label it is likely a typo of (the most used that qualifies). */
export function labelTypoPairs(d: RatingsDimension): Array<{ rare: number; twin: number }> {
  if (!d.categories || d.ordered) return [];
  const names = d.categories;
  const uses = labelUses(d);
  // candidates through typos.ts's index of one-letter deletions: free-text labels can number thousands
  const near = oneEditNeighbours(names.map(spellingKey));
  const out: Array<{ rare: number; twin: number }> = [];
  names.forEach((name, rare) => {
    let twin = -1;
    for (const j of near(rare)) if (uses[j] >= 3 * uses[rare] && isOneLetterTypo(name, names[j]) && (twin < 0 || uses[j] > uses[twin])) twin = j;
    if (twin >= 0) out.push({ rare, twin });
  });
  return out;
}
