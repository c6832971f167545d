/**
 * functionals() (functionals.ts) of a series read block by block, in memory that does not grow with the series:
 * the moments are the same sums in the same frame order (two passes: sums, then deviations), and each wanted order
 * statistic (ranks floor((m-1)q) and the next, q = 0.05, 0.5, 0.95) is found exactly by radix selection on the
 * values' 64-bit order-preserving keys, 16 bits per pass (Knuth, TAOCP vol. 3, 5.2.5, most-significant-digit
 * radix sorting; here only the buckets that hold a wanted rank are refined): four passes, one histogram of 65536
 * counts per distinct prefix. Same values, same interpolation as functionals(): the same bits
 * (test/audio-spill.test.ts compares them).
 */
import type { Functionals } from './functionals.js';

/** Fills out[0 .. b - a) with the series' values of frames [a, b); NaN (or any non-finite value) = frame not used. */
export type SeriesReader = (a: number, b: number, out: Float64Array) => void;

const BLOCK = 4096;
const block = new Float64Array(BLOCK);
const words = new Uint32Array(block.buffer);
/** The same words as int32 (topDigit: V8 keeps int32 loads as small integers; uint32 ones above 2^31 deoptimised). */
const iwords = new Int32Array(block.buffer);
const SIGN = 0x80000000;
/** Word order of a float64 in memory (little-endian on x64 and arm64). */
const HI = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** Order-preserving key of block[j] (little-endian words; flipped so that unsigned comparison orders the values). */
function keyHi(j: number): number {
  const hi = words[2 * j + HI];
  return hi & SIGN ? ~hi >>> 0 : (hi | SIGN) >>> 0;
}
/**
 * keyHi(j) >>> 16 (the top 16-bit digit) from int32 words and without a branch: ~hi for a negative value, hi | SIGN
 * otherwise. keyHi's branch that the first series never took (an all-negative MFCC 0) and its results above 2^31
 * deoptimised the passes at the next series.
 */
function topDigit(j: number): number {
  const hi = iwords[2 * j + HI];
  return (hi ^ ((hi >> 31) | SIGN)) >>> 16;
}
function keyLo(j: number): number {
  const lo = words[2 * j + LO];
  return words[2 * j + HI] & SIGN ? ~lo >>> 0 : lo;
}

/** The value of a key (keyHi, keyLo). */
function valueOf(hi: number, lo: number): number {
  const f = new Float64Array(1);
  const w = new Uint32Array(f.buffer);
  const neg = (hi & SIGN) === 0;
  w[HI] = neg ? ~hi >>> 0 : (hi & ~SIGN) >>> 0;
  w[LO] = neg ? ~lo >>> 0 : lo;
  return f[0];
}

/*
 * The passes below call the series' reader in a thin loop and hand each block to a kernel that sees only typed arrays
 * and numbers: a reader inlined into the per-value loop (the spilled series read through fs.readSync) made each pass
 * a large TurboFan job, and every new reader deoptimised it ("wrong call target"), so the passes were compiled 6-7
 * times per summary. The running sums go from block to block through a Float64Array (exact), in the same order.
 */

/** Pass 1: count, sum of values and of frame indices (functionals.ts sumF64 / sumI32 order), and the top digits. */
function sumPass(read: SeriesReader, n: number, hist: Uint32Array): [number, number, number] {
  const acc = new Float64Array(3); // m, sum of values, sum of indices
  for (let a = 0; a < n; a += BLOCK) {
    const c = Math.min(BLOCK, n - a);
    read(a, a + c, block);
    sumBlock(c, a, hist, acc);
  }
  return [acc[0], acc[1], acc[2]];
}

/** sumPass over block[0 .. c) (frames a ..), acc = [m, sv, si] carried over. */
function sumBlock(c: number, a: number, hist: Uint32Array, acc: Float64Array): void {
  let m = acc[0];
  let sv = acc[1];
  let si = acc[2];
  for (let j = 0; j < c; j++) {
    const v = block[j];
    if (!Number.isFinite(v)) continue;
    m++;
    sv += v;
    si += a + j;
    hist[topDigit(j)]++;
  }
  acc[0] = m;
  acc[1] = sv;
  acc[2] = si;
}
/*
 * V8 compiles sumBlock's loop on-stack (OSR) during its first call, before the three stores after the loop have run
 * once, so they had no type feedback and the optimised code was thrown away at the loop's exit on every call (660
 * deopts per summary of 10 minutes, node --trace-deopt; each call then ran its stores in the interpreter and entered
 * the cached OSR code again). A first call on a few values records that feedback; it changes nothing
 * (recordFeedback, below).
 */

/** Pass 2: the deviation sums of functionals.ts (sumSqDevF64, sumSqDevI32, sumCrossDev), in frame order. */
function deviationPass(read: SeriesReader, n: number, mean: number, im: number): [number, number, number] {
  const acc = new Float64Array(3); // ss, sii, siv
  for (let a = 0; a < n; a += BLOCK) {
    const c = Math.min(BLOCK, n - a);
    read(a, a + c, block);
    deviationBlock(c, a, mean, im, acc, NO_TABLE, NO_GROUPS, NO_FILLED);
  }
  return [acc[0], acc[1], acc[2]];
}

const NO_TABLE = new Int8Array(0);
const NO_GROUPS: Float64Array[] = [];
const NO_FILLED = new Int32Array(0);

/**
 * deviationPass over block[0 .. c) (frames a ..), acc = [ss, sii, siv] carried over; with a table (deviationAndGather)
 * also each value whose top digit maps to a group appended to it.
 */
function deviationBlock(c: number, a: number, mean: number, im: number, acc: Float64Array, table: Int8Array, groups: Float64Array[], filled: Int32Array): void {
  let ss = acc[0];
  let sii = acc[1];
  let siv = acc[2];
  const gather = table.length > 0;
  for (let j = 0; j < c; j++) {
    const v = block[j];
    if (!Number.isFinite(v)) continue;
    const d = v - mean;
    ss += d * d;
    const di = a + j - im;
    sii += di * di;
    siv += di * d;
    if (gather) {
      const g = table[topDigit(j)];
      if (g >= 0) groups[g][filled[g]++] = v;
    }
  }
  acc[0] = ss;
  acc[1] = sii;
  acc[2] = siv;
}

/*
 * As sumBlock's: the gathering store (groups[g][filled[g]++]) first ran after V8 had compiled deviationBlock's loop
 * on-stack in a summary's first series without it, and the cached code was thrown away at that store on every later
 * gathering call (15 deopts per summary of 10 minutes, node --trace-deopt). A gathering call of a few values (0, top
 * digit 0x8000) into one group records its feedback first; it changes nothing.
 */
const WARM_TABLE = new Int8Array(65536).fill(-1);
WARM_TABLE[0x8000] = 0;
const WARM_HIST = new Uint32Array(65536);
/**
 * Values of the feedback calls: V8 gives a function its feedback vector only once it has run some bytecode (lazy
 * feedback allocation), and calls of no value (sumBlock) and one (deviationBlock) recorded nothing: the deopt loops
 * came back in about one run in eight (`mmprep audio` on the bench's 10 minutes, node --trace-deopt: 9 of 69 runs,
 * sumBlock 264-661 deopts or deviationBlock 134-361). With 64 values the vector exists before the stores after the
 * loop run: none in 32 runs.
 */
const WARM_VALUES = 64;
/**
 * The feedback calls of sumBlock and deviationBlock above, on WARM_VALUES zeros into scratch histograms and groups
 * (block is overwritten by each read before use).
 */
function recordFeedback(): void {
  block.fill(0, 0, WARM_VALUES);
  sumBlock(WARM_VALUES, 0, WARM_HIST, new Float64Array(3));
  deviationBlock(WARM_VALUES, 0, 0, 0, new Float64Array(3), WARM_TABLE, [new Float64Array(WARM_VALUES)], new Int32Array(1));
}
recordFeedback();

/**
 * Pass 2 when every wanted rank's top-digit group is small: the deviation sums (as deviationPass) and, in the same
 * pass, the values of those groups gathered (by a table from top digit to group) and sorted.
 */
function deviationAndGather(read: SeriesReader, n: number, mean: number, im: number, targets: Target[]): [[number, number, number], number[]] {
  const k = groupByPrefix(2, targets);
  const groups = Array.from({ length: k }, (_, g) => new Float64Array(targets.find((t) => t.h === g)!.count));
  const filled = new Int32Array(k);
  const table = groupTable();
  for (const t of targets) table[t.hi >>> 16] = t.h;
  const acc = new Float64Array(3);
  for (let a = 0; a < n; a += BLOCK) {
    const c = Math.min(BLOCK, n - a);
    read(a, a + c, block);
    deviationBlock(c, a, mean, im, acc, table, groups, filled);
  }
  for (const t of targets) table[t.hi >>> 16] = -1;
  for (const g of groups) g.sort();
  return [[acc[0], acc[1], acc[2]], targets.map((t) => groups[t.h][t.rank])];
}

/** Top digit -> group index (-1: none), reused; left all -1 after each use. */
let tableOfGroups: Int8Array | null = null;
function groupTable(): Int8Array {
  return (tableOfGroups ??= new Int8Array(65536).fill(-1));
}

/** A wanted rank: its key digits found so far, its rank among the values that share them and their count. */
interface Target {
  rank: number;
  hi: number;
  lo: number;
  /** Index of its histogram (or gathered group) in the current pass. */
  h: number;
  count: number;
}

/** Groups of at most this many values are gathered and sorted (2 MB) instead of refined by one more digit pass. */
const GATHER_MAX = 1 << 18;

/** Digit `level` (1..4, most significant first) of the key (hi, lo). */
const digit = (level: number, hi: number, lo: number) => (level === 1 ? hi >>> 16 : level === 2 ? hi & 0xffff : level === 3 ? lo >>> 16 : lo & 0xffff);

/** Whether key (hi, lo) shares the first level - 1 digits of target t. */
function samePrefix(level: number, t: Target, hi: number, lo: number): boolean {
  if (level === 2) return hi >>> 16 === t.hi >>> 16;
  if (level === 3) return hi === t.hi;
  return hi === t.hi && lo >>> 16 === t.lo >>> 16;
}

/** Passes 2..4: histograms of digit `level` of the values sharing each target's prefix. */
function digitPass(read: SeriesReader, n: number, level: number, targets: Target[], hists: Uint32Array[]): void {
  for (let a = 0; a < n; a += BLOCK) {
    const c = Math.min(BLOCK, n - a);
    read(a, a + c, block);
    for (let j = 0; j < c; j++) {
      if (!Number.isFinite(block[j])) continue;
      const hi = keyHi(j);
      const lo = level >= 3 ? keyLo(j) : 0;
      for (const t of targets) {
        if (samePrefix(level, t, hi, lo)) {
          hists[t.h][digit(level, hi, lo)]++;
          break;
        }
      }
    }
  }
}

/** Histograms reused from series to series (one per distinct prefix: at most 6 wanted ranks). */
const pool: Uint32Array[] = [];
function histograms(k: number): Uint32Array[] {
  while (pool.length < k) pool.push(new Uint32Array(65536));
  for (let i = 0; i < k; i++) pool[i].fill(0);
  return pool.slice(0, k);
}

/** Numbers the targets' distinct prefixes (the first level - 1 digits) as their histogram indices; returns the count. */
function groupByPrefix(level: number, targets: Target[]): number {
  let k = 0;
  targets.forEach((t, i) => {
    const same = targets.slice(0, i).find((u) => (level === 1 ? true : samePrefix(level, u, t.hi, t.lo)));
    t.h = same ? same.h : k++;
  });
  return k;
}

/** Sets digit `level` of each target from its histogram (one sweep per histogram, its targets by rank). */
function resolve(level: number, targets: Target[], hists: Uint32Array[]): void {
  hists.forEach((h, hi) => {
    const mine = targets.filter((t) => t.h === hi).sort((a, b) => a.rank - b.rank);
    let d = 0;
    let below = 0;
    for (const t of mine) {
      while (t.rank - below >= h[d]) below += h[d++];
      t.rank -= below;
      t.count = h[d];
      if (level === 1) t.hi = (d << 16) >>> 0;
      else if (level === 2) t.hi = (t.hi | d) >>> 0;
      else if (level === 3) t.lo = (d << 16) >>> 0;
      else t.lo = (t.lo | d) >>> 0;
    }
  });
}

/** The last pass: the values of each target's group (its first level - 1 digits), sorted; the target's value by rank. */
function gatherPass(read: SeriesReader, n: number, level: number, targets: Target[]): number[] {
  const k = groupByPrefix(level, targets);
  const groups = Array.from({ length: k }, (_, g) => new Float64Array(targets.find((t) => t.h === g)!.count));
  const filled = new Int32Array(k);
  for (let a = 0; a < n; a += BLOCK) {
    const c = Math.min(BLOCK, n - a);
    read(a, a + c, block);
    for (let j = 0; j < c; j++) {
      if (!Number.isFinite(block[j])) continue;
      const hi = keyHi(j);
      const lo = level >= 4 ? keyLo(j) : 0;
      for (const t of targets) {
        if (samePrefix(level, t, hi, lo)) {
          groups[t.h][filled[t.h]++] = block[j];
          break;
        }
      }
    }
  }
  // Typed-array order (-0 before +0) is the keys' order, so a rank within the group is the same value.
  for (const g of groups) g.sort();
  return targets.map((t) => groups[t.h][t.rank]);
}

/** Targets for the wanted ranks, their top digit resolved from the first pass's histogram. */
function firstDigit(ranks: number[], level1: Uint32Array): Target[] {
  const targets: Target[] = ranks.map((rank) => ({ rank, hi: 0, lo: 0, h: 0, count: 0 }));
  resolve(1, targets, [level1]);
  return targets;
}

/**
 * The values of the targets (top digit resolved): radix selection by 16-bit digits until each wanted rank's group is
 * small enough to gather and sort, or all 64 bits are known.
 */
function refine(read: SeriesReader, n: number, targets: Target[]): number[] {
  let level = 2;
  for (; level <= 4 && targets.some((t) => t.count > GATHER_MAX); level++) {
    const hists = histograms(groupByPrefix(level, targets));
    digitPass(read, n, level, targets, hists);
    resolve(level, targets, hists);
  }
  return level <= 4 ? gatherPass(read, n, level, targets) : targets.map((t) => valueOf(t.hi, t.lo));
}

/** Percentile q of m values from their order statistics (functionals.ts percentileSelect's interpolation). */
function percentileOf(stats: Map<number, number>, m: number, q: number): number {
  const pos = (m - 1) * q;
  const lo = Math.floor(pos);
  const vlo = stats.get(lo)!;
  if (lo + 1 >= m || pos === lo) return vlo;
  return vlo + (pos - lo) * (stats.get(lo + 1)! - vlo);
}

let level1: Uint32Array | null = null;

/** functionals(values, n, dt) of the series `read` gives (non-finite values skipped), in bounded memory. */
export function streamedFunctionals(read: SeriesReader, n: number, dt: number): Functionals {
  level1 ??= new Uint32Array(65536);
  level1.fill(0);
  const [m, sv, si] = sumPass(read, n, level1);
  if (m === 0) return { n: 0, mean: null, sd: null, p5: null, p50: null, p95: null, slope_per_s: null };
  const mean = sv / m;
  const im = si / m;
  const ranks = new Set<number>();
  for (const q of [0.05, 0.5, 0.95]) {
    const lo = Math.floor((m - 1) * q);
    ranks.add(lo);
    if (lo + 1 < m) ranks.add(lo + 1);
  }
  const wanted = [...ranks];
  const targets = firstDigit(wanted, level1);
  // Usually every wanted rank's top-digit group is small: one more pass does the deviations and the selection.
  const small = targets.every((t) => t.count <= GATHER_MAX);
  const [[ss, sii, siv], values] = small ? deviationAndGather(read, n, mean, im, targets) : [deviationPass(read, n, mean, im), refine(read, n, targets)];
  const stats = new Map(wanted.map((r, i) => [r, values[i]]));
  return { n: m, mean, sd: Math.sqrt(ss / m), p5: percentileOf(stats, m, 0.05), p50: percentileOf(stats, m, 0.5), p95: percentileOf(stats, m, 0.95), slope_per_s: sii > 0 ? siv / sii / dt : null };
}

/**
 * The order statistics of ranks `ranksOf(m)` (m = the count of finite values) of the series `read` gives, by the same
 * radix selection, in bounded memory (e.g. the voice report's formant medians of a long recording).
 */
export function selectRanks(read: SeriesReader, n: number, ranksOf: (m: number) => number[]): { m: number; values: number[] } {
  level1 ??= new Uint32Array(65536);
  level1.fill(0);
  const [m] = sumPass(read, n, level1);
  if (m === 0) return { m, values: [] };
  return { m, values: refine(read, n, firstDigit(ranksOf(m), level1)) };
}
