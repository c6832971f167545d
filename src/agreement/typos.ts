/**
 * Rater ids one letter apart ('Anan' beside 'Anna'; not ids that differ only in digits, as 'r1' and 'r2') where the
 * rarer rated at most a third as many targets and none of the other's: one rater typed two ways (session 21: 'Anan' on
 * 2 of 20 rows left the ICC without a complete target, and nothing named the typo). Said, never merged (analyze.ts,
 * with the lines of the rarer id: readRatings finds them). Ids that differ only in case or separators are the
 * spelling_variants warning's.
 */
import type { RatingsDimension } from './types.js';
import { editDistanceAtMost1, spellingKey } from './variants.js';

export interface RaterTargets {
  name: string;
  /** Index into the dimension's raters. */
  index: number;
  /** Distinct targets rated, and ratings given. */
  n: number;
  nRatings: number;
  targets: Set<number>;
}

/**
 * Distinct targets each rater rated, fewest first (ties by name). The counts by a pass over the ratings grouped by
 * rater; the sets of targets are built (all at once) only when one is read: a Set per rater took 0.2 s CPU on
 * bench-agreement's 1M ratings, where most callers need only the counts.
 */
export function raterTargetCounts(d: RatingsDimension): RaterTargets[] {
  const ratings = new Int32Array(d.raters.length);
  for (let i = 0; i < d.rater.length; i++) ratings[d.rater[i]]++;
  const distinct = distinctTargetsPerRater(d, ratings);
  let sets: Set<number>[] | null = null;
  const targetsOf = (r: number) => (sets ??= targetSets(d))[r];
  return d.raters
    .map((name, r) => ({ name, index: r, n: distinct[r], nRatings: ratings[r], get targets() { return targetsOf(r); } }))
    .sort((a, b) => a.n - b.n || (a.name < b.name ? -1 : 1));
}

function targetSets(d: RatingsDimension): Set<number>[] {
  const items = d.raters.map(() => new Set<number>());
  for (let i = 0; i < d.rater.length; i++) items[d.rater[i]].add(d.target[i]);
  return items;
}

/** Per rater, the distinct targets among its ratings (`ratings`: how many each rater gave). */
function distinctTargetsPerRater(d: RatingsDimension, ratings: Int32Array): Int32Array {
  const distinct = new Int32Array(ratings.length);
  const pairs = distinctRaterTargets(d, ratings);
  for (const r of pairs.rater) distinct[r]++;
  return distinct;
}

/**
 * The distinct (rater, target) pairs of the ratings, grouped by rater (`ratings`: how many each rater gave): the
 * ratings in rater order (a counting sort), each target marked with the last rater seen on it.
 */
export function distinctRaterTargets(d: RatingsDimension, ratings: Int32Array): RaterTargetPairs {
  const cached = pairsOfRaters.get(d.rater);
  if (cached !== undefined && cached.target === d.target) return cached.pairs;
  const pairs = distinctPairs(d, ratings);
  pairsOfRaters.set(d.rater, { target: d.target, pairs });
  return pairs;
}

type RaterTargetPairs = { rater: Int32Array; target: Int32Array };

/** distinctRaterTargets per rater codes array (readRatings' typo lines, analyze's typo and missed-targets warnings ask
 *  for them: a counting sort of 1M ratings each time on bench-agreement); a dimension's arrays are not changed once
 *  read. The pairs are read, never written. */
const pairsOfRaters = new WeakMap<Int32Array, { target: Int32Array; pairs: RaterTargetPairs }>();

function distinctPairs(d: RatingsDimension, ratings: Int32Array): RaterTargetPairs {
  const nR = ratings.length;
  const start = new Int32Array(nR + 1);
  for (let r = 0; r < nR; r++) start[r + 1] = start[r] + ratings[r];
  const next = start.slice(0, nR);
  const byRater = new Int32Array(d.rater.length);
  for (let i = 0; i < d.rater.length; i++) byRater[next[d.rater[i]]++] = d.target[i];
  const lastRater = new Int32Array(d.targets.length).fill(-1);
  const [rater, target] = [new Int32Array(d.rater.length), new Int32Array(d.rater.length)];
  let n = 0;
  for (let r = 0; r < nR; r++) {
    for (let j = start[r]; j < start[r + 1]; j++) {
      const t = byRater[j];
      if (lastRater[t] !== r) [lastRater[t], rater[n], target[n], n] = [r, r, t, n + 1];
    }
  }
  return { rater: rater.subarray(0, n), target: target.subarray(0, n) };
}

/** Each rarer id with the id it is likely a typo of: for each rater, the first in fewest-first order that qualifies. */
export function raterTypoPairs(d: RatingsDimension): Array<{ rare: RaterTargets; twin: RaterTargets }> {
  const counts = raterTargetCounts(d);
  // beside each rater (not spread into it: that would build its set of targets, raterTargetCounts)
  const all = counts.map((x) => ({ x, key: spellingKey(x.name), lower: x.name.toLowerCase(), bare: x.name.toLowerCase().replace(/\d/g, '') }));
  const near = oneEditNeighbours(all.map((a) => a.lower));
  const out: Array<{ rare: RaterTargets; twin: RaterTargets }> = [];
  for (const [i, a] of all.entries()) {
    const x = a.x;
    const j = near(i).find((k) => {
      const b = all[k];
      const y = b.x;
      return y.n >= 3 * x.n && b.key !== a.key && b.bare !== a.bare && editDistanceAtMost1(b.lower, a.lower) && ![...x.targets].some((t) => y.targets.has(t));
    });
    if (j !== undefined) out.push({ rare: x, twin: all[j].x });
  }
  return out;
}

/**
 * The names that may be one edit from names[i] (a superset; ascending indices), from an index of each name and its
 * one-letter deletions: two strings one substitution, insertion, deletion or adjacent swap apart share such a key
 * (the "symmetric delete" of Garbe's SymSpell). Near-linear in the number of names, where comparing every pair took
 * 0.8 s CPU at 2,000 raters and 5 s at 5,000 (a lead's trial).
 */
export function oneEditNeighbours(names: readonly string[]): (i: number) => number[] {
  const keysOf = (s: string) => new Set([s, ...Array.from({ length: s.length }, (_, p) => s.slice(0, p) + s.slice(p + 1))]);
  const index = new Map<string, number[]>();
  names.forEach((s, i) => {
    for (const k of keysOf(s)) {
      const list = index.get(k);
      if (list) list.push(i);
      else index.set(k, [i]);
    }
  });
  return (i) => {
    const found = new Set<number>();
    for (const k of keysOf(names[i])) for (const j of index.get(k) ?? []) if (j !== i) found.add(j);
    return [...found].sort((a, b) => a - b);
  };
}

/** rater_id_typo warnings printed one by one (table, report, stderr); the rest are one line (the JSON keeps all). */
export const MAX_TYPO_LINES = 5;

/**
 * The warning lines to print: every warning, but past MAX_TYPO_LINES rater_id_typo pairs one line counting the rest
 * (a crowd of 1,500 raters with 3-letter ids gave 763 such lines on stderr, 763 in the table and the report).
 */
export function shownWarnings(warnings: ReadonlyArray<{ code: string; message: string }>, nRaters: number): string[] {
  const typos = warnings.filter((w) => w.code === 'rater_id_typo');
  const out = warnings.filter((w) => w.code !== 'rater_id_typo' || typos.indexOf(w) < MAX_TYPO_LINES).map((w) => w.message);
  if (typos.length <= MAX_TYPO_LINES) return out;
  const rest = typos.length - MAX_TYPO_LINES;
  out.push(
    `${rest} more pair(s) of rater ids one letter apart that rated no target in common (${typos.length} in all, ` +
      `${MAX_TYPO_LINES} named above; every pair is a rater_id_typo entry of the JSON's warnings): among ${nRaters} raters with short ids ` +
      `many ids are one letter apart by chance: a pair is worth checking when its rarer id is not on your list of raters`,
  );
  return out;
}
