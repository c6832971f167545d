/** Number formatting for the frame records: a fixed number of significant digits keeps files small and stable. */

const POW10: number[] = [];
for (let i = 0; i <= 40; i++) POW10.push(10 ** i);

/** Rounds v to `digits` significant digits (0 = unchanged). Deterministic: pure double arithmetic. */
export function roundSig(v: number, digits: number): number {
  if (digits <= 0 || v === 0 || !Number.isFinite(v)) return v;
  const e = Math.floor(Math.log10(Math.abs(v)));
  const k = digits - 1 - e;
  if (k >= 0) {
    const p = k <= 40 ? POW10[k] : 10 ** k;
    return Math.round(v * p) / p;
  }
  const q = -k <= 40 ? POW10[-k] : 10 ** -k;
  return Math.round(v / q) * q;
}

/** JSON text of a number (null for NaN / infinities). */
export function num(v: number, digits: number): string {
  if (!Number.isFinite(v)) return 'null';
  const r = roundSig(v, digits);
  return String(r === 0 ? 0 : r); // no "-0"
}
