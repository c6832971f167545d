/** Small numeric helpers of the beep detector (tone.ts). */
import { selectKth } from '../common/select.js';

/**
 * The k-th smallest of s (0-based; s is reordered), the value s.sort()[k] gives: Hoare's selection, O(n), where the
 * detector used to sort each 30 s chunk's track (O(n log n)). A NaN (sort() puts it last) or a zero result (sort()
 * orders -0 before +0) falls back to the sort, so even those cases give the same bits.
 */
export function kthSmallest(s: Float64Array, k: number): number {
  for (let i = 0; i < s.length; i++) if (s[i] !== s[i]) return s.sort()[k];
  const v = selectKth(s, k);
  return v === 0 ? s.sort()[k] : v;
}

/** Median (the mean of the two middle values for an even count); 0 for no values. */
export function median(a: ArrayLike<number>): number {
  const s = Float64Array.from(a as ArrayLike<number>);
  const n = s.length;
  if (n === 0) return 0;
  const m = n >> 1;
  if (n % 2) return kthSmallest(s, m);
  const lo = kthSmallest(s, m - 1);
  // s[m..n) now holds the values at or above the (m-1)-th smallest: the m-th smallest is their minimum.
  const hi = kthSmallest(s.subarray(m), 0);
  return 0.5 * (lo + hi);
}

/** Least-squares line y[i] = icpt + slope * i over indices lo..hi (inclusive). */
export function fitLine(y: ArrayLike<number>, lo: number, hi: number): [slope: number, icpt: number] {
  const m = hi - lo + 1;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
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
