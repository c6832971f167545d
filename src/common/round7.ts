/** Rounding of figures written to JSON: short, deterministic output without float noise (0.20999999999999996). */

const POW10 = Array.from({ length: 40 }, (_, i) => 10 ** (i - 20));

/**
 * 7 significant digits: enough for float32-born features, and short JSON. Scaling by a power of ten and rounding is
 * several times faster than toPrecision; the result is the nearest double to the 7-digit decimal in all but rare
 * halfway cases.
 */
export function round7(v: number): number {
  if (v === 0 || !Number.isFinite(v)) return v === 0 ? 0 : v;
  const e = Math.floor(Math.log10(Math.abs(v)));
  const k = 6 - e;
  if (k < -19 || k > 19) return Number(v.toPrecision(7));
  return k >= 0 ? Math.round(v * POW10[k + 20]) / POW10[k + 20] : Math.round(v / POW10[20 - k]) * POW10[20 - k];
}
