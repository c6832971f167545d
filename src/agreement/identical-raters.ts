/**
 * 'identical_raters': two raters whose ratings are the same on (nearly) every target they share: one rater's work
 * copied under another's name, or one export joined twice under two ids. Their agreement with each other raises every
 * coefficient (ttrial44b W2: a copied rater lifted valence ICC2's lower bound from 0.7335 to 0.7546 over a 0.75 gate;
 * the pair agreed on 72 of 72 targets, the next-closest pair on 8 %), and nothing said it.
 *
 * The rule (stated in each warning): at least MIN_SHARED targets rated by both, the same value on all but at most
 * MAX_DIFF_SHARE of them (so all of fewer than 20), at least two different values among them (a pair of straight-liners
 * is constant_rater's), and, where other rater pairs share MIN_SHARED targets too, the other pairs' median share of
 * identical ratings at most MAX_OTHERS_SHARE (easy labels that every pair agrees on are not a copy), and so many identical
 * ratings unlikely by chance at that median share over all the pairs compared (CHANCE_MAX); with no pair to compare,
 * only identical ratings on every shared target count.
 */
import { median } from './diagnostics.js';
import type { ByTarget } from './layout.js';
import type { RatingsDimension } from './types.js';
import { shownName } from './variants.js';
import { shellWord } from '../common/shell.js';

export interface IdenticalRatersWarning {
  code: 'identical_raters';
  raters: [string, string];
  /** Targets both rated, and those with the same rating from both. */
  n_shared: number;
  n_identical: number;
  /** The other pairs' median share of identical ratings (pairs with MIN_SHARED shared targets); null when none. */
  others_median_identical: number | null;
  message: string;
}

export const MIN_SHARED = 10;
const MAX_DIFF_SHARE = 0.05;
const MAX_OTHERS_SHARE = 0.8;
/** Above this many rater pairs within targets the check is skipped (a thousand raters per target). */
const MAX_PAIR_VISITS = 50_000_000;

interface PairCount {
  a: number;
  b: number;
  shared: number;
  same: number;
  /** A first value of the pair's and whether another one was seen. */
  first: number;
  varied: boolean;
}

/** Every rater pair's shared and identical targets: one pass over the targets (O(sum of raters-per-target^2)). */
function pairCounts(bt: ByTarget): PairCount[] | null {
  let visits = 0;
  for (let t = 0; t < bt.nTargets; t++) visits += ((bt.start[t + 1] - bt.start[t]) * (bt.start[t + 1] - bt.start[t] - 1)) / 2;
  if (visits > MAX_PAIR_VISITS) return null;
  const k = bt.nRaters;
  const pairs = new Map<number, PairCount>();
  for (let t = 0; t < bt.nTargets; t++)
    for (let i = bt.start[t]; i < bt.start[t + 1]; i++)
      for (let j = i + 1; j < bt.start[t + 1]; j++) {
        const [a, b] = bt.rater[i] < bt.rater[j] ? [bt.rater[i], bt.rater[j]] : [bt.rater[j], bt.rater[i]];
        let p = pairs.get(a * k + b);
        if (!p) pairs.set(a * k + b, (p = { a, b, shared: 0, same: 0, first: bt.value[i], varied: false }));
        p.shared++;
        if (bt.value[i] === bt.value[j]) p.same++;
        if (bt.value[i] !== p.first || bt.value[j] !== p.first) p.varied = true;
      }
  return [...pairs.values()];
}

/**
 * Among many rater pairs one is identical on its few shared targets by chance alone: 12 crowd raters, 66 pairs, one
 * pair 10 of 10 the same where the median pair agrees on 64 % (0.64^10 = 0.012 a pair, 0.76 expected over 66 pairs;
 * ttrial59c, a false "copied?"). A pair is flagged only when P(at least its identical count | Binomial(shared, the other
 * pairs' median share)) times the pairs compared is below CHANCE_MAX (Bonferroni).
 */
const CHANCE_MAX = 0.01;

/** P(X >= k) for X ~ Binomial(n, p), summed in logs (n is a pair's shared targets: small). */
export function binomialUpperTail(n: number, k: number, p: number): number {
  if (k <= 0) return 1;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  let logC = 0;
  for (let i = 1; i <= k; i++) logC += Math.log((n - k + i) / i); // log C(n, k)
  let sum = 0;
  for (let i = k; i <= n; i++) {
    sum += Math.exp(logC + i * Math.log(p) + (n - i) * Math.log1p(-p));
    logC += Math.log((n - i) / (i + 1)); // C(n, i + 1) from C(n, i)
  }
  return Math.min(1, sum);
}

export function identicalRatersWarnings(d: RatingsDimension, bt: ByTarget): IdenticalRatersWarning[] {
  const pairs = pairCounts(bt)?.filter((p) => p.shared >= MIN_SHARED) ?? [];
  const alike = (p: PairCount) => p.varied && p.shared - p.same <= Math.floor(MAX_DIFF_SHARE * p.shared);
  return pairs.filter(alike).flatMap((p) => {
    const others = pairs.filter((o) => o !== p && !alike(o)).map((o) => o.same / o.shared);
    const othersMedian = others.length ? median(others) : null;
    if (othersMedian === null ? p.same < p.shared : othersMedian > MAX_OTHERS_SHARE) return [];
    if (othersMedian !== null && binomialUpperTail(p.shared, p.same, othersMedian) * pairs.length >= CHANCE_MAX) return [];
    return [warning(d, p, othersMedian)];
  });
}

function warning(d: RatingsDimension, p: PairCount, othersMedian: number | null): IdenticalRatersWarning {
  const [a, b] = [d.raters[p.a], d.raters[p.b]];
  const inDim = d.name ? ` of dimension '${d.name}'` : '';
  const how = p.same === p.shared ? `the same rating on all ${p.shared} targets they both rated` : `the same rating on ${p.same} of the ${p.shared} targets they both rated`;
  const others = othersMedian === null ? '' : ` (the other rater pairs: ${Math.round(100 * othersMedian)} % identical, median)`;
  const rule = `flagged at >= ${100 * (1 - MAX_DIFF_SHARE)} % identical on >= ${MIN_SHARED} shared targets`;
  const todo =
    d.raters.length > 2
      ? `if one is a copy, leave it out (--exclude-rater ${shellWord(b)}, or ${shellWord(a)}) and run again`
      : 'with two raters the figures then mean nothing: check the export';
  return {
    code: 'identical_raters',
    raters: [a, b],
    n_shared: p.shared,
    n_identical: p.same,
    others_median_identical: othersMedian,
    message: `raters '${shownName(a)}' and '${shownName(b)}' gave ${how}${inDim}${others}, ${rule}: copied, or the same export twice under two ids? Their agreement with each other raises every coefficient; ${todo}`,
  };
}
