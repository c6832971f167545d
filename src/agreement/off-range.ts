/**
 * A rating off the range of the other raters' ratings of its dimension, when no scale is declared. A new user's trial:
 * one typo (44 for 4 on a 1-9 scale) made s01_u0's arousal gold {mean 17, median 4, sd 23.4}, exit 0 from
 * `dataset build`, `dataset validate` and `agreement`. But a true extreme is met too: 4 on a 0-4 scale of a rarely felt
 * emotion, beside other raters who gave only 0 and 1.
 *
 * Tools differ: psych's scoreItems (min, max) and irrCAC's categ.labels take a declared scale and R's irr a declared
 * set of levels; pingouin's intraclass_corr takes none and uses any number. mmprep refuses a rating outside a declared
 * scale (`--scale`, read.ts) and, without one, two tiers against the other raters' ratings (lo to hi, at least
 * MIN_OTHERS of them; M = max(|lo|, |hi|)):
 * - refused (exit 2), as implausible as a rating at all (a slip of a digit or of the decimal point): |v| > 10 M
 *   (400 beside 1-9, 5 beside 0.1-0.4), or |v| has more digits before the point than any of theirs (44, 35 for 3.5, or
 *   11 beside 1-9; 150 beside 0-60), except the next power of ten, a scale's end (10 beside 1-9, 100 beside 0-60);
 * - warned (`far_rating`: JSON, table, report, stderr; exit 0), far beyond them but a possible rating:
 *   v > hi + max(2R, |hi|) or v < lo - max(2R, |lo|), R = hi - lo (the rule that refused these before: 4 beside 0-1,
 *   4 > 1 + max(2, 1)); not when another rater rated the same target beyond the same end (they agree it is extreme),
 *   nor beside others who all gave 0 (no size to judge a distance by).
 * Not judged: 7 beside one rater's 3-4 (4 + max(2, 4) = 8), a rater on another scale altogether (the two-scales check,
 * scale-mix.ts, names that first), numbers under --categorical. A negative rating beside others all >= 0 is not
 * refused as such (-1 can be a rating beside 0-10, docs/agreement.md's missing-code rule; a bipolar -3..3 scale).
 *
 * Slips are few: when more ratings than typoBudget are off, they are the raters' use of the scale: none is refused,
 * each is warned as far (unless another rater rated the same target beyond the same end).
 *
 * Masking: two typos in one dimension (44 by one rater, 77 by another) each widened the other's "others' range", and
 * both passed. The ratings are judged in a forward search (Atkinson & Riani 2000, robust diagnostic regression):
 * nearest the dimension's median first, each against the other raters' ratings judged before it and kept; a refused
 * or far rating is not kept, so it widens no later rating's range.
 */
import type { RatingsDimension } from './types.js';
import { shownName } from './variants.js';

const MIN_OTHERS = 5;
/** Far ratings listed per rater in a warning (the JSON lists them all). */
const MAX_LISTED = 5;

export interface OffRange {
  /** Index into the dimension's ratings of the first (in file order) rating refused. */
  at: number;
  message: string;
}

/** A rating far beyond the other raters' ratings it was judged against (lo to hi), kept and warned. */
export interface FarRating {
  record: number;
  rater: string;
  value: number;
  lo: number;
  hi: number;
}

export interface FarRatingWarning {
  code: 'far_rating';
  rater: string;
  ratings: Array<{ value: number; line: number | null; row: number | null }>;
  message: string;
}

/** The lowest (sign 1) or highest (sign -1) rating kept so far, and the extreme of the raters other than its rater. */
class Extreme {
  private best = Infinity;
  private bestRater = -1;
  private second = Infinity;
  constructor(private readonly sign: 1 | -1) {}
  add(v: number, r: number): void {
    const x = this.sign * v;
    if (r === this.bestRater) this.best = Math.min(this.best, x);
    else if (x < this.best) [this.second, this.best, this.bestRater] = [this.best, x, r];
    else if (x < this.second) this.second = x;
  }
  /** Over the ratings of raters other than r. */
  others(r: number): number {
    return this.sign * (r === this.bestRater ? this.second : this.best);
  }
}

/** The finite ratings' indices, nearest the dimension's median first (ties in file order). */
function walkOrder(d: RatingsDimension): Int32Array {
  const v = d.value;
  const all = new Int32Array(v.length);
  let n = 0;
  for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i])) all[n++] = i;
  const idx = all.subarray(0, n);
  const s = new Float64Array(n);
  for (let j = 0; j < n; j++) s[j] = v[idx[j]];
  s.sort();
  const mid = n ? (s[(n - 1) >> 1] + s[n >> 1]) / 2 : 0;
  const dist = new Float64Array(n);
  for (let j = 0; j < n; j++) dist[j] = Math.abs(v[idx[j]] - mid);
  const distinct = distinctOfSorted(distinctOfSorted(s).map((x) => Math.abs(x - mid)).sort());
  return byDistanceThenIndex(dist, distinct, idx);
}

/**
 * idx ordered by dist (dist[j] is idx[j]'s; `distinct`: its distinct values, ascending), ties in idx's order: a
 * counting sort over the ranks of the distances (few on a rating scale), where a comparator sort of the indices took
 * 0.33 s CPU on bench-agreement's 1M ratings. Distances are >= 0 or +Infinity, never NaN (two +Infinity: a tie kept in
 * file order, as the comparator did).
 */
function byDistanceThenIndex(dist: Float64Array, distinct: Float64Array, idx: Int32Array): Int32Array {
  const rank = new Int32Array(dist.length);
  const start = new Int32Array(distinct.length + 1);
  for (let j = 0; j < dist.length; j++) start[(rank[j] = lowerBound(distinct, dist[j])) + 1]++;
  for (let r = 0; r < distinct.length; r++) start[r + 1] += start[r];
  const out = new Int32Array(idx.length);
  for (let j = 0; j < idx.length; j++) out[start[rank[j]]++] = idx[j];
  return out;
}

/** The distinct values of s (ascending), in a new array. */
function distinctOfSorted(s: Float64Array): Float64Array {
  const out = new Float64Array(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) if (n === 0 || s[i] !== out[n - 1]) out[n++] = s[i];
  return out.slice(0, n);
}

/** The index of the first element of sorted s not below x. */
function lowerBound(s: Float64Array, x: number): number {
  let [lo, hi] = [0, s.length];
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (s[m] < x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** Digits before the decimal point of x >= 0 (1 for 0 to 9.99). */
function digits(x: number): number {
  let n = 1;
  for (let p = 10; x >= p && n < 400; p *= 10) n++;
  return n;
}

/** Why v cannot be a rating beside others' ratings lo..hi (a slipped digit or decimal point), or null. */
function implausible(v: number, lo: number, hi: number): string | null {
  const m = Math.max(Math.abs(lo), Math.abs(hi));
  const a = Math.abs(v);
  if (m > 0 && a > 10 * m) return 'over ten times the largest of them';
  const dm = digits(m);
  if (digits(a) > dm && a !== 10 ** dm) return 'more digits before the point than any of them';
  return null;
}

/** Far beyond lo..hi (by more than twice their range or the end's magnitude); never beside all-zero ratings. */
function farBeyond(v: number, lo: number, hi: number): boolean {
  const range = hi - lo;
  if (range === 0 && hi === 0) return false;
  return v > hi + Math.max(2 * range, Math.abs(hi)) || v < lo - Math.max(2 * range, Math.abs(lo));
}

type Judged = { i: number; lo: number; hi: number; why: string | null };

/** The forward search: each rating against the kept ratings of the other raters (see the top of this file). */
function judge(d: RatingsDimension): { refused: Judged[]; far: Judged[] } {
  const [lo, hi] = [new Extreme(1), new Extreme(-1)];
  const n = new Int32Array(d.raters.length);
  let total = 0;
  const refused: Judged[] = [];
  const far: Judged[] = [];
  for (const i of walkOrder(d)) {
    const [v, r] = [d.value[i], d.rater[i]];
    const [l, h] = [lo.others(r), hi.others(r)];
    if (total - n[r] >= MIN_OTHERS && (v < l || v > h)) {
      const why = implausible(v, l, h);
      if (why !== null || farBeyond(v, l, h)) {
        (why !== null ? refused : far).push({ i, lo: l, hi: h, why });
        continue;
      }
    }
    lo.add(v, r);
    hi.add(v, r);
    n[r]++;
    total++;
  }
  return { refused, far };
}

/** Far ratings whose target another rater also rated beyond the same end are dropped: the raters agree it is extreme. */
function uncorroborated(d: RatingsDimension, far: Judged[]): Judged[] {
  if (far.length === 0) return far;
  const byTarget = new Map<number, number[]>(far.map((f) => [d.target[f.i], []]));
  for (let i = 0; i < d.value.length; i++) byTarget.get(d.target[i])?.push(i);
  const beyond = (f: Judged, j: number) => d.rater[j] !== d.rater[f.i] && (d.value[f.i] > f.hi ? d.value[j] > f.hi : d.value[j] < f.lo);
  return far.filter((f) => !byTarget.get(d.target[f.i])!.some((j) => beyond(f, j)));
}

/**
 * How many ratings of a dimension can be slips: at most 2, or 5 % of its ratings. More ratings beyond the search's
 * range are how the raters use the scale, not typos: a rarely felt emotion on a 0-100 slider, mostly 0 to 8 with 15,
 * 25, 40 and 60 among them (12 % of the ratings) was refused ("40 ... more digits than any of them").
 */
function typoBudget(d: RatingsDimension): number {
  let n = 0;
  for (const v of d.value) if (Number.isFinite(v)) n++;
  return Math.max(2, Math.floor(0.05 * n));
}

/**
 * The ratings off the other raters' range (numeric dimensions without a declared scale): the first refused (in file
 * order), or null, and the far ones to warn of (in file order).
 */
export function offRangeScan(d: RatingsDimension, opts: { refuse?: boolean } = {}): { refused: OffRange | null; far: FarRating[] } {
  if (d.categories !== null || d.scale || d.raters.length < 2) return { refused: null, far: [] };
  const judged = judge(d);
  // More than a few slips: the raters' use of the scale; none refused, all said (far_rating), never passed silently.
  // refuse false (ratingsFromRows): every such rating is said, none refused.
  const over = opts.refuse === false || judged.refused.length + judged.far.length > typoBudget(d);
  const refused = over ? [] : judged.refused;
  const far = over ? [...judged.refused, ...judged.far] : judged.far;
  const toFar = (f: Judged): FarRating => ({ record: d.record[f.i], rater: d.raters[d.rater[f.i]], value: d.value[f.i], lo: f.lo, hi: f.hi });
  const kept = uncorroborated(d, far).sort((a, b) => a.i - b.i).map(toFar);
  if (refused.length === 0) return { refused: null, far: kept };
  const first = refused.reduce((a, b) => (b.i < a.i ? b : a));
  return { refused: { at: first.i, message: refusedMessage(d, first, refused.length - 1) }, far: kept };
}

function refusedMessage(d: RatingsDimension, f: Judged, more: number): string {
  const dim = d.name ? ` in dimension '${d.name}'` : '';
  const others = more > 0 ? ` (${more} more rating(s) of this dimension are as far off)` : '';
  return (
    `rating ${d.value[f.i]} by rater '${d.raters[d.rater[f.i]]}'${dim} is far off the other raters' ratings (${f.lo} to ${f.hi}; ${f.why}): a typo? ` +
    `correct it${others}; if it is a rating, declare the scale with --scale LOW,HIGH (a rating outside a declared scale is refused, one inside it is read)`
  );
}

/** One far_rating warning per rater (readRatings stores the far ratings on the dimension, with their lines). */
export function farRatingWarnings(d: RatingsDimension): FarRatingWarning[] {
  const byRater = new Map<string, FarRating[]>();
  for (const f of d.far_ratings ?? []) byRater.set(f.rater, [...(byRater.get(f.rater) ?? []), f]);
  return [...byRater].map(([rater, list]) => {
    const src = d.source;
    const ratings = list.map((f) => ({ value: f.value, line: src ? (src.lines.get(f.record) ?? null) : null, row: src ? null : f.record + 1 }));
    const [lo, hi] = [Math.min(...list.map((f) => f.lo)), Math.max(...list.map((f) => f.hi))];
    const where = ratings.slice(0, MAX_LISTED).map((p) => `${p.value} (${p.line !== null ? `line ${p.line}` : `row ${p.row}`})`);
    const dim = d.name ? ` in dimension '${d.name}'` : '';
    const what = list.length === 1 ? `rating ${ratings[0].value} by rater '${shownName(rater)}'${dim} (${where[0].replace(/^\S+ \(|\)$/g, '')}) is` : `${list.length} ratings by rater '${shownName(rater)}'${dim} are`;
    const listed = list.length === 1 ? '' : `: ${where.join(', ')}${list.length > MAX_LISTED ? ', …' : ''}`;
    const message =
      `${what} far beyond the other raters' ratings (${lo} to ${hi})${listed}: a true extreme, or a typo? ` +
      `check ${list.length === 1 ? 'it' : 'them'}: every figure and gold label counts ${list.length === 1 ? 'it' : 'them'}; --scale LOW,HIGH declares the scale (a rating outside it is refused)`;
    return { code: 'far_rating' as const, rater, ratings, message };
  });
}
