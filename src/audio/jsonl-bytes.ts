/**
 * Frame records straight into bytes: the same text as format.ts's num() / timeText() and JSON.stringify, written
 * digit by digit into a reused buffer instead of building one string per number and per line (the string path
 * allocated ~40 MB of short-lived strings per 10 minutes of audio). Byte-identical by construction: the fast path
 * uses num()'s integer-mantissa algorithm; every other case writes num()'s own text.
 */
import { exponent10, NEG_POW10, num, POW10, timeText } from './format.js';

const ZERO = 48;
const EMPTY = Buffer.alloc(0);

/**
 * num()'s text for values outside the integer-mantissa range (in speech: the MFCC deltas' rounding noise such as
 * 1.972152e-31 in quiet stretches, about 19 000 values per 10 minutes, each formatted by toPrecision and String,
 * ~4 us): remembered per value, since the same few values recur. The same text as num() by construction.
 */
const OUT_OF_RANGE = new Map<number, string>();
let outOfRangeDigits = -1;
function outOfRangeText(v: number, digits: number): string {
  if (digits !== outOfRangeDigits) {
    OUT_OF_RANGE.clear();
    outOfRangeDigits = digits;
  }
  let s = OUT_OF_RANGE.get(v);
  if (s === undefined) {
    s = num(v, digits);
    if (OUT_OF_RANGE.size >= 4096) OUT_OF_RANGE.clear();
    OUT_OF_RANGE.set(v, s);
  }
  return s;
}

/** The ASCII digits of 0..99, two bytes each (tens, units). */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = ZERO + Math.floor(i / 10);
  PAIRS[2 * i + 1] = ZERO + (i % 10);
}

/** Bytes numAt may write: sign, "0.", up to 24 decimals. */
export const NUM_ROOM = 32;

/**
 * num(src[i], digits)'s text written at b[p ..] for 1 <= digits <= 9 on num()'s integer-mantissa path (m = round(|v|
 * 10^k) < 10^digits <= 10^9, so int32 arithmetic): the same m, the same trailing zeros dropped, so the same text as
 * ByteSink.mantissa; the digits two at a time from a table. Returns the end, or -1 (nothing written) when another
 * path of num() applies (zero, NaN, infinities, more digits, a magnitude outside k = 1..24). Needs NUM_ROOM bytes.
 * The value is read here from its array, and its exponent found here (exponent10's loop): V8 does not inline this
 * function nor, in it, exponent10, and a double passed to a call that is not inlined is boxed as a heap number
 * (2 per value: ~60 MB of garbage per 10 minutes of records; the records' CPU ~20 % lower without them).
 */
export function numAt(b: Uint8Array, p: number, src: Float64Array, i: number, digits: number): number {
  const v = src[i];
  if (!(v > 0 || v < 0) || digits <= 0 || digits > 9) return -1;
  const neg = v < 0;
  const a = neg ? -v : v;
  // = exponent10(a) where k below is in range (past 10^+-40 exponent10 takes Math.log10, and k is out of range either way)
  let e = 0;
  if (a >= 1) {
    while (e < 40 && a >= POW10[e + 1]) e++;
  } else {
    e = 1;
    while (e < 40 && a < NEG_POW10[e]) e++;
    e = -e;
  }
  const k = digits - 1 - e;
  if (k <= 0 || k > 24) return -1;
  // = Math.round(x) for 0 <= x < 2^31 (it cost ~20 CPU ms per 10 minutes of records here, this nothing measurable:
  // docs/benchmarks-history.md, 30th session): fl(x + 0.5) is round(x) or one more, one more exactly when m - 0.5 > x.
  const x = a * POW10[k];
  let m = (x + 0.5) | 0;
  if (m - 0.5 > x) m--;
  if (m === 0) {
    b[p] = ZERO;
    return p + 1;
  }
  return decimalAt(b, p, neg, m, k);
}

/** m * 10^-dec (0 < m < 2^31) at b[p ..] as num() prints it (numAt): trailing zeros dropped, "0." when needed. */
function decimalAt(b: Uint8Array, p: number, neg: boolean, m: number, dec: number): number {
  let q = (m / 10) | 0;
  while (dec > 0 && m === q * 10) {
    m = q;
    q = (m / 10) | 0;
    dec--;
  }
  const nd = m < 10 ? 1 : m < 100 ? 2 : m < 1000 ? 3 : m < 10000 ? 4 : m < 100000 ? 5 : m < 1000000 ? 6 : m < 10000000 ? 7 : m < 100000000 ? 8 : m < 1000000000 ? 9 : 10;
  if (neg) b[p++] = 45; // '-'
  const end = dec >= nd ? p + 2 + dec : p + nd + (dec > 0 ? 1 : 0);
  let i = end;
  // The decimals that are digits of m (the lowest min(dec, nd)), then the rest: leading zeros and "0." or "." and
  // the integer digits.
  let c = dec < nd ? dec : nd;
  for (; c >= 2; c -= 2) {
    q = (m / 100) | 0;
    const r = (m - q * 100) << 1;
    b[--i] = PAIRS[r + 1];
    b[--i] = PAIRS[r];
    m = q;
  }
  if (c === 1) {
    q = (m / 10) | 0;
    b[--i] = ZERO + m - q * 10;
    m = q;
  }
  if (dec >= nd) {
    for (let z = nd; z < dec; z++) b[--i] = ZERO;
    b[--i] = 46; // '.'
    b[--i] = ZERO;
    return end;
  }
  if (dec > 0) b[--i] = 46;
  for (c = nd - dec; c >= 2; c -= 2) {
    q = (m / 100) | 0;
    const r = (m - q * 100) << 1;
    b[--i] = PAIRS[r + 1];
    b[--i] = PAIRS[r];
    m = q;
  }
  if (c === 1) b[--i] = ZERO + m;
  return end;
}

/** ByteSink.num's value for numAt (which reads its value from an array). */
const ONE = new Float64Array(1);

export class ByteSink {
  buf: Buffer;
  pos = 0;
  constructor(readonly size = 1 << 20) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Room for n more bytes (callers flush between lines, so a line always fits in a fresh buffer). */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n, this.size));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /**
   * Takes the bytes written so far. The next buffer is allocated only when something is written again: a sink is
   * mostly taken once, and the eager new buffer (as large as the block) doubled the bytes allocated per block.
   */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = EMPTY;
    this.pos = 0;
    return out;
  }

  /** The bytes written so far, as a view valid until the next write (the buffer is kept for reuse). */
  takeView(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.pos = 0;
    return out;
  }

  /** ASCII text (keys, punctuation, num() fallbacks). */
  ascii(s: string): void {
    this.ensure(s.length);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Any text as UTF-8 (reasons). */
  text(s: string): void {
    this.ensure(3 * s.length);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /**
   * = timeText(t). Fast path for |t| < 1e9 s: the text of roundTime(t) = us / 1e6 (us = Math.round(t * 1e6)) is the
   * decimal us / 1e6 without trailing zeros, because that decimal has at most 15 significant digits, so it is the
   * shortest text that reads back as the double nearest to it (the double roundTime returns), which is what String()
   * prints (in plain notation from 1e-6 up). Zero (also -0) is "0" as in timeText.
   */
  time(t: number): void {
    if (!(t > -1e9 && t < 1e9)) {
      this.ascii(timeText(t));
      return;
    }
    const us = Math.round(t * 1e6);
    if (us === 0) {
      this.ensure(1);
      this.buf[this.pos++] = ZERO;
      return;
    }
    const neg = us < 0;
    this.mantissa(neg, neg ? -us : us, 6);
  }

  /** = num(v, digits). */
  num(v: number, digits: number): void {
    this.ensure(NUM_ROOM);
    ONE[0] = v;
    const end = numAt(this.buf, this.pos, ONE, 0, digits);
    if (end >= 0) {
      this.pos = end;
      return;
    }
    if (!(v > 0 || v < 0) || digits <= 0 || digits > 15) {
      this.ascii(num(v, digits));
      return;
    }
    const a = v < 0 ? -v : v;
    const e = exponent10(a);
    const k = digits - 1 - e;
    if (k <= 0 || k > 24) {
      this.ascii(outOfRangeText(v, digits));
      return;
    }
    this.mantissa(v < 0, Math.round(a * POW10[k]), k);
  }

  /** Writes m * 10^-dec (m a whole number >= 0) as num() prints it: trailing zeros dropped, leading "0." if needed. */
  private mantissa(negative: boolean, m: number, dec: number): void {
    if (m === 0) {
      this.ensure(1);
      this.buf[this.pos++] = ZERO;
      return;
    }
    if (m < 2147483648) {
      this.mantissaInt(negative, m | 0, dec);
      return;
    }
    while (dec > 0 && m % 10 === 0) {
      m /= 10;
      dec--;
    }
    let nd = 1;
    while (nd < 17 && m >= POW10[nd]) nd++;
    this.ensure(nd + dec + 3);
    const b = this.buf;
    let p = this.pos;
    if (negative) b[p++] = 45; // '-'
    if (dec >= nd) {
      b[p++] = ZERO;
      b[p++] = 46; // '.'
      for (let z = 0; z < dec - nd; z++) b[p++] = ZERO;
      for (let i = p + nd - 1; i >= p; i--) {
        b[i] = ZERO + (m % 10);
        m = Math.floor(m / 10);
      }
      p += nd;
    } else {
      const intDigits = nd - dec;
      const total = dec > 0 ? nd + 1 : nd;
      for (let i = total - 1; i >= 0; i--) {
        if (dec > 0 && i === intDigits) {
          b[p + i] = 46;
          continue;
        }
        b[p + i] = ZERO + (m % 10);
        m = Math.floor(m / 10);
      }
      p += total;
    }
    this.pos = p;
  }

  /** mantissa() for m < 2^31, in int32 arithmetic. */
  private mantissaInt(negative: boolean, m: number, dec: number): void {
    let q = (m / 10) | 0;
    while (dec > 0 && m - q * 10 === 0) {
      m = q;
      q = (m / 10) | 0;
      dec--;
    }
    let nd = 1;
    while (nd < 10 && m >= POW10[nd]) nd++;
    this.ensure(nd + dec + 3);
    const b = this.buf;
    let p = this.pos;
    if (negative) b[p++] = 45;
    if (dec >= nd) {
      b[p++] = ZERO;
      b[p++] = 46;
      for (let z = 0; z < dec - nd; z++) b[p++] = ZERO;
      for (let i = p + nd - 1; i >= p; i--) {
        q = (m / 10) | 0;
        b[i] = ZERO + m - q * 10;
        m = q;
      }
      p += nd;
    } else {
      const intDigits = nd - dec;
      const end = p + (dec > 0 ? nd + 1 : nd);
      let i = end - 1;
      for (let j = 0; j < dec; j++, i--) {
        q = (m / 10) | 0;
        b[i] = ZERO + m - q * 10;
        m = q;
      }
      if (dec > 0) b[i--] = 46;
      for (let j = 0; j < intDigits; j++, i--) {
        q = (m / 10) | 0;
        b[i] = ZERO + m - q * 10;
        m = q;
      }
      p = end;
    }
    this.pos = p;
  }
}
