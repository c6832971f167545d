/** Small numeric helpers of the beep detector (tone.ts). */

export function median(a: ArrayLike<number>): number {
  const s = Float64Array.from(a as ArrayLike<number>).sort();
  if (s.length === 0) return 0;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
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
