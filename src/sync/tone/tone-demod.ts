/**
 * Quadrature demodulation at the tone frequency (the complex single-bin DFT that the Goertzel algorithm computes;
 * Goertzel 1958, Lyons "Understanding DSP" 13.17): the reference oscillator, 2 ms block sums and sliding 10 ms
 * window sums of the beep detector (tone.ts).
 */
import { WASM_BASE64 as TONE_BLOCKS_WASM } from '../../audio/wasm/tone-blocks-bytes.js';
import { instantiate, type WasmMemory } from '../../audio/wasm/runtime.js';

export interface Blocks {
  bre: Float64Array;
  bim: Float64Array;
  ben: Float64Array;
}

export interface Windows {
  wre: Float64Array;
  wim: Float64Array;
  tp: Float64Array;
  tot: Float64Array;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** cos and sin of the tone's phase at a global sample index: an exact periodic table when the tone is integer Hz. */
export class ToneOscillator {
  readonly cosT: Float64Array | null;
  readonly sinT: Float64Array | null;
  readonly period: number;

  constructor(
    readonly sampleRate: number,
    readonly toneHz: number,
  ) {
    const period = Number.isInteger(toneHz) ? sampleRate / gcd(sampleRate, toneHz) : 0;
    if (period > 0 && period <= 1 << 20 && Number.isInteger(period)) {
      this.period = period;
      this.cosT = new Float64Array(period);
      this.sinT = new Float64Array(period);
      for (let i = 0; i < period; i++) {
        const ph = (2 * Math.PI * toneHz * i) / sampleRate;
        this.cosT[i] = Math.cos(ph);
        this.sinT[i] = Math.sin(ph);
      }
    } else {
      this.period = 0;
      this.cosT = null;
      this.sinT = null;
    }
  }

  at(g: number): [number, number] {
    if (this.cosT && this.sinT) {
      const k = g % this.period;
      return [this.cosT[k], this.sinT[k]];
    }
    const ph = (2 * Math.PI * this.toneHz * g) / this.sampleRate;
    return [Math.cos(ph), Math.sin(ph)];
  }

  /**
   * Single-bin DFT of x[a..b) (x[0] at global sample g0), [re, im]. With the table, the phase index is stepped
   * instead of taken from at() per sample (same values, same order of additions; at() built a pair per sample,
   * ~60 MB of short-lived arrays per 10 minutes of `mmprep audio` while V8 had not yet optimised the loop).
   */
  demod(x: Float32Array, a: number, b: number, g0: number): [number, number] {
    let re = 0;
    let im = 0;
    const { cosT, sinT, period } = this;
    if (cosT && sinT && g0 + a >= 0) {
      let k = (g0 + a) % period;
      for (let i = a; i < b; i++) {
        re += x[i] * cosT[k];
        im -= x[i] * sinT[k];
        if (++k === period) k = 0;
      }
      return [re, im];
    }
    for (let i = a; i < b; i++) {
      const [co, si] = this.at(g0 + i);
      re += x[i] * co;
      im -= x[i] * si;
    }
    return [re, im];
  }
}

/*
 * The per-sample loops of the onset refinement (tone.ts edge, tone-refine.ts changePoint) as kernels of their own
 * that step the oscillator table (same values as at(), same operations in the same order, so the same bits). They
 * run for the few candidate bursts that reach refinement (64 of 4778 runs on 10 minutes of speech), too rarely to be
 * compiled early: inlined in their callers, each pair of at() calls built two arrays per sample in the interpreter
 * and made the callers large on-stack compiles. The beep search's first run over 10 minutes of speech, in a fresh
 * process: 202-219 -> 179-202 CPU ms over all threads (8 alternations).
 */

/**
 * The 10 ms window's demodulated amplitude projected on (ur, ui) as the window slides over x: a[e - from] for ends
 * e = from..to, the window sums (re, im) of the window ending at `from` given; x[0] at global sample g0.
 */
export function slidingAmplitude(x: Float32Array, from: number, to: number, N: number, g0: number, ref: ToneOscillator, re: number, im: number, ur: number, ui: number, a: Float64Array): void {
  a[0] = re * ur + im * ui;
  const { cosT, sinT, period } = ref;
  if (cosT && sinT && g0 + from + 1 - N >= 0) {
    let k1 = (g0 + from + 1) % period;
    let k0 = (g0 + from + 1 - N) % period;
    for (let e = from + 1; e <= to; e++) {
      re += x[e] * cosT[k1];
      im -= x[e] * sinT[k1];
      const o = e - N;
      re -= x[o] * cosT[k0];
      im += x[o] * sinT[k0];
      a[e - from] = re * ur + im * ui;
      if (++k1 === period) k1 = 0;
      if (++k0 === period) k0 = 0;
    }
    return;
  }
  for (let e = from + 1; e <= to; e++) {
    const [c1, s1] = ref.at(g0 + e);
    re += x[e] * c1;
    im -= x[e] * s1;
    const o = e - N;
    const [c0, s0] = ref.at(g0 + o);
    re -= x[o] * c0;
    im += x[o] * s0;
    a[e - from] = re * ur + im * ui;
  }
}

/**
 * Reverse cumulative sums S[k] = S[k + 1] + 2 (x[i] cos(phase) ur - x[i] sin(phase) ui) - A / 2, i = from + k, for
 * k = len - 1 .. 0 (S[len] as given); x[0] at global sample g0, from >= 0.
 */
export function reverseCusum(x: Float32Array, from: number, len: number, g0: number, ref: ToneOscillator, ur: number, ui: number, A: number, S: Float64Array): void {
  const { cosT, sinT, period } = ref;
  if (cosT && sinT && g0 + from >= 0) {
    let j = (g0 + from + len - 1) % period;
    for (let k = len - 1; k >= 0; k--) {
      const i = from + k;
      S[k] = S[k + 1] + 2 * (x[i] * cosT[j] * ur - x[i] * sinT[j] * ui) - A / 2;
      if (--j < 0) j = period - 1;
    }
    return;
  }
  for (let k = len - 1; k >= 0; k--) {
    const i = from + k;
    const [co, si] = ref.at(g0 + i);
    S[k] = S[k + 1] + 2 * (x[i] * co * ur - x[i] * si * ui) - A / 2;
  }
}

/**
 * Float64Arrays kept from one analysed chunk to the next (ToneScanner: 13 tracks of ~18 000 values per 36 s chunk at
 * 16 kHz, ~32 MB of fresh zero-filled memory per 10 minutes before): get(name, n) is n values of the array kept under
 * that name, grown when too short. Not zeroed: every user writes all n values before reading any.
 */
export class TrackArrays {
  private readonly kept = new Map<string, Float64Array>();

  get(name: string, n: number): Float64Array {
    let a = this.kept.get(name);
    if (!a || a.length < n) {
      a = new Float64Array(n);
      this.kept.set(name, a);
    }
    return a.length === n ? a : a.subarray(0, n);
  }
}

/** A fresh array of n values, or the one kept under `name` in `arrays`. */
export function trackArray(arrays: TrackArrays | undefined, name: string, n: number): Float64Array {
  return arrays ? arrays.get(name, n) : new Float64Array(n);
}

/**
 * Per 2 ms block: the demodulated sum (re, im) at the tone frequency and the energy. With `kernel` and x its own
 * samples (the scanner's chunk buffer), by the WebAssembly kernel: the same bits, its arrays views of its memory.
 */
export function blockSums(x: Float32Array, nb: number, B: number, g0: number, ref: ToneOscillator, arrays?: TrackArrays, kernel?: BlockSumsKernel | null): Blocks {
  if (kernel && x === kernel.samples && B === kernel.B && ref === kernel.ref) {
    const blocks = kernel.run(nb, g0);
    if (blocks !== null) return blocks;
  }
  const bre = trackArray(arrays, 'bre', nb);
  const bim = trackArray(arrays, 'bim', nb);
  const ben = trackArray(arrays, 'ben', nb);
  if (ref.cosT && ref.sinT) blockSumsTable(x, nb, B, g0 % ref.period, ref.period, ref.cosT, ref.sinT, bre, bim, ben);
  else blockSumsDirect(x, nb, B, g0, ref.sampleRate, ref.toneHz, bre, bim, ben);
  return { bre, bim, ben };
}

/*
 * The loops of blockSums and windowSums live in helpers that return nothing and take only numbers and Float64Arrays
 * (one element kind per parameter): V8 compiles a long loop on-stack (OSR) before the code after it has ever run,
 * and the callers' result literals then had no type feedback, so the optimised code was thrown away at the loop's
 * exit on every call (windowSums 19 times per 10 minutes, node --trace-deopt).
 */
function blockSumsTable(x: Float32Array, nb: number, B: number, k0: number, P: number, c: Float64Array, s: Float64Array, bre: Float64Array, bim: Float64Array, ben: Float64Array): void {
  let k = k0;
  for (let b = 0, i = 0; b < nb; b++) {
    let re = 0;
    let im = 0;
    let en = 0;
    for (let j = 0; j < B; j++, i++) {
      const v = x[i];
      re += v * c[k];
      im -= v * s[k];
      en += v * v;
      if (++k === P) k = 0;
    }
    bre[b] = re;
    bim[b] = im;
    ben[b] = en;
  }
}

interface ToneBlocksExports {
  memory: WasmMemory;
  blocks(x: number, nb: number, B: number, k0: number, P: number, tab: number, re: number, im: number, en: number): void;
}

/**
 * blockSumsTable by WebAssembly (wasm/tone-blocks.wat: the same operations in the same order, so the same bits) on
 * samples that live in its memory: `samples` is the scanner's chunk buffer (tone.ts), so nothing is copied. The beep
 * search runs a few chunks per file, too few for V8 to optimise blockSumsTable early: in `mmprep audio`'s first
 * chunk it ran in the interpreter (boxed doubles, ~17 MB of garbage per search on a loaded machine) until its
 * on-stack compile was ready; the WebAssembly is compiled before its first call.
 */
export class BlockSumsKernel {
  /** The samples the kernel reads (x of blockSums): write the chunk here. */
  readonly samples: Float32Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly en: Float64Array;
  private readonly at: { tab: number; re: number; im: number; en: number };

  private constructor(
    private readonly ex: ToneBlocksExports,
    capacity: number,
    readonly B: number,
    readonly ref: ToneOscillator,
    at: BlockSumsKernel['at'],
  ) {
    const buf = ex.memory.buffer;
    const maxBlocks = Math.floor(capacity / B);
    this.at = at;
    this.samples = new Float32Array(buf, 0, capacity);
    const tab = new Float64Array(buf, at.tab, 2 * ref.period);
    for (let k = 0; k < ref.period; k++) {
      tab[2 * k] = ref.cosT![k];
      tab[2 * k + 1] = -ref.sinT![k];
    }
    this.re = new Float64Array(buf, at.re, maxBlocks);
    this.im = new Float64Array(buf, at.im, maxBlocks);
    this.en = new Float64Array(buf, at.en, maxBlocks);
  }

  /** A kernel for chunks of up to `capacity` samples in blocks of B, or null (no table: a tone of no whole Hz; no WebAssembly SIMD). */
  static create(capacity: number, B: number, ref: ToneOscillator): BlockSumsKernel | null {
    if (!ref.cosT || !ref.sinT || !(B >= 1)) return null;
    const al = (b: number) => 16 * Math.ceil(b / 16);
    const maxBlocks = Math.floor(capacity / B);
    const at = { tab: al(4 * capacity), re: 0, im: 0, en: 0 };
    at.re = at.tab + 16 * ref.period;
    at.im = at.re + al(8 * maxBlocks);
    at.en = at.im + al(8 * maxBlocks);
    const ex = instantiate<ToneBlocksExports>(TONE_BLOCKS_WASM, at.en + al(8 * maxBlocks));
    return ex ? new BlockSumsKernel(ex, capacity, B, ref, at) : null;
  }

  /** blockSums of samples[0 .. nb B) (samples[0] at global index g0), or null where the JavaScript decides (g0 < 0). */
  run(nb: number, g0: number): Blocks | null {
    const k0 = g0 % this.ref.period;
    if (!(k0 >= 0) || nb > this.re.length) return null;
    const { at } = this;
    this.ex.blocks(0, nb, this.B, k0, this.ref.period, at.tab, at.re, at.im, at.en);
    return { bre: this.re.subarray(0, nb), bim: this.im.subarray(0, nb), ben: this.en.subarray(0, nb) };
  }
}

/** As blockSumsTable, the phase computed per sample (a tone that is not integer Hz; same formula as ToneOscillator.at). */
function blockSumsDirect(x: Float32Array, nb: number, B: number, g0: number, sampleRate: number, toneHz: number, bre: Float64Array, bim: Float64Array, ben: Float64Array): void {
  for (let b = 0, i = 0; b < nb; b++) {
    let re = 0;
    let im = 0;
    let en = 0;
    for (let j = 0; j < B; j++, i++) {
      const v = x[i];
      const ph = (2 * Math.PI * toneHz * (g0 + i)) / sampleRate;
      re += v * Math.cos(ph);
      im -= v * Math.sin(ph);
      en += v * v;
    }
    bre[b] = re;
    bim[b] = im;
    ben[b] = en;
  }
}

/** Windows of WIN_BLOCKS blocks (N samples): complex sum W, tone power (A^2/2 with A = 2|W|/N), total power. */
export function windowSums({ bre, bim, ben }: Blocks, WIN_BLOCKS: number, N: number, arrays?: TrackArrays): Windows {
  const nw = bre.length - WIN_BLOCKS + 1;
  const wre = trackArray(arrays, 'wre', nw);
  const wim = trackArray(arrays, 'wim', nw);
  const tp = trackArray(arrays, 'tp', nw);
  const tot = trackArray(arrays, 'tot', nw);
  slideWindows(bre, bim, ben, WIN_BLOCKS, N, nw, wre, wim, tp, tot);
  return { wre, wim, tp, tot };
}

/*
 * One loop over the blocks, the first WIN_BLOCKS - 1 only added (the same additions in the same order as a loop of
 * their own before it, which ran 4 times per call before V8 had a feedback vector: the next call's optimised code was
 * thrown away there, "insufficient type feedback for binary operation").
 */
function slideWindows(bre: Float64Array, bim: Float64Array, ben: Float64Array, WIN_BLOCKS: number, N: number, nw: number, wre: Float64Array, wim: Float64Array, tp: Float64Array, tot: Float64Array): void {
  let re = 0;
  let im = 0;
  let en = 0;
  for (let e = 0; e < nw + WIN_BLOCKS - 1; e++) {
    re += bre[e];
    im += bim[e];
    en += ben[e];
    const w = e - WIN_BLOCKS + 1;
    if (w < 0) continue;
    wre[w] = re;
    wim[w] = im;
    tp[w] = (2 * (re * re + im * im)) / (N * N);
    tot[w] = Math.max(en / N, 0);
    re -= bre[w];
    im -= bim[w];
    en -= ben[w];
  }
}
