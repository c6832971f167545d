/** Small numeric helpers of the beep detector (tone.ts). */
import { selectKth } from '../../common/select.js';

/**
 * The k-th smallest of s (0-based; s is reordered), the value s.sort()[k] gives: Hoare's selection, O(n), where the
 * detector used to sort each 30 s chunk's track (O(n log n)). A NaN (sort() puts it last) falls back to the sort. A
 * zero result takes its sign as sort() orders zeros (belowZero). The old fallback sorted instead, and in digital
 * silence (a median of 0 in the beep detector's local floors: 237 times on the 10-minute bench file) threw away the
 * optimised code each time (`node --trace-deopt`: "Insufficient type feedback for call" at the never-run sort call;
 * test/tone-arrays.test.ts).
 */
export function kthSmallest(s: Float64Array, k: number): number {
  const below = belowZero(s);
  return below < 0 ? s.sort()[k] : kthCounted(s, k, below);
}

/**
 * How many values of s sort() puts before +0 (the negative ones, then every -0), or -1 when s holds a NaN. Counted
 * without a branch (1 / v < 0 holds for every negative value and -0 but not -Infinity), so the optimised code has
 * type feedback for every operation whatever the values.
 */
function belowZero(s: Float64Array): number {
  let below = 0;
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    if (v !== v) return -1;
    below += (1 / v < 0 ? 1 : 0) + (v === -Infinity ? 1 : 0);
  }
  return below;
}

/** The k-th smallest of s (no NaN; `below` = belowZero(s)): a zero is -0 when k is below that count, as in sort(). */
function kthCounted(s: Float64Array, k: number, below: number): number {
  const v = selectKth(s, k);
  const zero = k < below ? -0 : 0;
  return v === 0 ? zero : v;
}

/** Median (the mean of the two middle values for an even count); 0 for no values. */
export function median(a: ArrayLike<number>): number {
  return medianInPlace(Float64Array.from(a as ArrayLike<number>));
}

/** median() of the values of s, reordering s (a copy the caller made, e.g. into an array it reuses). */
export function medianInPlace(s: Float64Array): number {
  const n = s.length;
  if (n === 0) return 0;
  const m = n >> 1;
  const below = belowZero(s);
  if (below < 0) {
    s.sort();
    return n % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
  }
  if (n % 2) return kthCounted(s, m, below);
  const lo = kthCounted(s, m - 1, below);
  // s[m..n) now holds the values at or above the (m-1)-th smallest: the m-th smallest is their minimum. Selection
  // moves -0 and +0 as equals, so a zero minimum takes its sign from the whole array's count (m < below).
  const hi = kthCounted(s.subarray(m), 0, below - m);
  return 0.5 * (lo + hi);
}

/** Least-squares line y[i] = icpt + slope * i over indices lo..hi (inclusive). */
export function fitLine(y: ArrayLike<number>, lo: number, hi: number): [slope: number, icpt: number] {
  const m = hi - lo + 1;
  // The index sums start as -0, a double: from 0 (a small integer) V8 compiled them as int32 additions, and the first
  // fit whose sum of squares passed 2^31 (an edge of ~1860 samples) threw the optimised code away ("overflow",
  // `node --trace-deopt` on the 10-minute bench file). -0 + x is x for every x the loop adds (the first term, lo or
  // lo * lo, is +0 or positive), so the sums are the same.
  let sx = -0;
  let sy = 0;
  let sxx = -0;
  let sxy = 0;
  for (let i = lo; i <= hi; i++) {
    sx += i;
    sy += y[i];
    sxx += i * i;
    sxy += i * y[i];
  }
  const slope = (m * sxy - sx * sy) / (m * sxx - sx * sx);
  return [slope, (sy - slope * sx) / m];
}
