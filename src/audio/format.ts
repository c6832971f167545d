/** Number formatting for the frame records: a fixed number of significant digits keeps files small and stable. */

export const POW10: number[] = [];
export const NEG_POW10: number[] = [];
for (let i = 0; i <= 41; i++) {
  POW10.push(10 ** i);
  NEG_POW10.push(10 ** -i);
}

/** floor(log10(a)) for finite a > 0, by table comparison (Math.log10 is slower and this runs per number). */
export function exponent10(a: number): number {
  let e = 0;
  if (a >= 1) {
    while (e < 40 && a >= POW10[e + 1]) e++;
    return e >= 40 ? Math.floor(Math.log10(a)) : e;
  }
  e = 1;
  while (e < 40 && a < NEG_POW10[e]) e++;
  return e >= 40 ? Math.floor(Math.log10(a)) : -e;
}

/** Rounds v to `digits` significant digits (0 = unchanged). Deterministic: pure double arithmetic. */
export function roundSig(v: number, digits: number): number {
  if (digits <= 0 || v === 0 || !Number.isFinite(v)) return v;
  const e = exponent10(Math.abs(v));
  const k = digits - 1 - e;
  let r: number;
  if (k >= 0) {
    const p = k <= 40 ? POW10[k] : 10 ** k;
    r = Math.round(v * p) / p;
  } else {
    const q = -k <= 40 ? POW10[-k] : 10 ** -k;
    r = Math.round(v / q) * q;
  }
  // 10^k is exact only up to 10^22: beyond, r can land an ulp off the rounded decimal (1.9721520000000002e-30 for
  // 1.972152e-30, which had 17 digits in the output). toPrecision prints that decimal; Number() takes the nearest
  // double, whose shortest text has <= digits digits. An r already nearest to its decimal is returned unchanged.
  return k > 22 || k < -22 ? Number(r.toPrecision(Math.min(digits, 100))) : r;
}

/**
 * JSON text of v rounded to `digits` significant digits ('null' for NaN / infinities). Formats through an integer
 * mantissa (much faster than a double's shortest-representation printing); the text is plain decimal notation,
 * trailing zeros removed, and equals the decimal value of roundSig(v, digits).
 */
export function num(v: number, digits: number): string {
  if (!Number.isFinite(v)) return 'null';
  if (v === 0) return '0';
  if (digits <= 0) return String(v);
  const a = Math.abs(v);
  const e = exponent10(a);
  const k = digits - 1 - e; // decimals
  if (k <= 0 || k > 24) {
    const r = roundSig(v, digits);
    return r === 0 ? '0' : String(r);
  }
  let m = Math.round(a * POW10[k]);
  if (m === 0) return '0';
  let dec = k;
  while (dec > 0 && m % 10 === 0) {
    m /= 10;
    dec--;
  }
  let s = String(m);
  if (dec > 0) {
    if (s.length <= dec) s = '0.' + '0'.repeat(dec - s.length) + s;
    else s = s.slice(0, s.length - dec) + '.' + s.slice(s.length - dec);
  }
  return v < 0 ? '-' + s : s;
}

/** Times: rounded to whole microseconds (fixed decimals, so long recordings keep their 10 ms grid exact). */
export function roundTime(t: number): number {
  return Math.round(t * 1e6) / 1e6;
}

export function timeText(t: number): string {
  if (!Number.isFinite(t)) return 'null';
  const r = roundTime(t);
  return String(r === 0 ? 0 : r);
}
