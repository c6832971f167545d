/**
 * Forward DFT of a real frame of fixed length n (a power of two, >= 8): X[k] = sum_j x[j] e^{-2 pi i jk/n}, k = 0 ..
 * n/2, for the per-frame analyses (spectral frames, pitch autocorrelation). The algorithm is RealFftJs's
 * (real-fft-js.ts: radix-4 DIT, Cooley & Tukey 1965 / Van Loan 1992 section 2.3, and the real-input post-pass of
 * Numerical Recipes 3rd ed. section 12.3.2); this class runs it as WebAssembly with 128-bit SIMD
 * (wasm/real-fft.wat), which gives the same bits (every value is computed by the same float64 operations in the
 * same order; test/audio-wasm.test.ts) in about half the CPU time, and without V8's optimising compiles of the
 * JavaScript. Each instance owns a small wasm memory: `input`, `re` / `im` and `out` are views on it, so a caller
 * that writes its frame into `input` and reads `out` copies nothing. Falls back to RealFftJs where WebAssembly SIMD
 * is not available.
 */
import { RealFftJs } from './real-fft-js.js';
import { WASM_BASE64 } from './wasm/real-fft-bytes.js';
import { instantiate, type WasmMemory } from './wasm/runtime.js';

export { RealFftJs };

interface FftExports {
  memory: WasmMemory;
  setup(...offsets: number[]): void;
  forward(): void;
  power(dst: number): void;
  setupCos(y: number, ct: number, st: number, acf: number): void;
  cosft1(): void;
  windowF32(src: number, win: number, n: number, lpad: number): void;
  pitchFrame(src: number, win: number, reach: number, P: number, H: number, nw: number, j0: number, j1: number): number;
}

/**
 * A frame's samples (float32) and its window staged in a WebAssembly FFT's memory, and the kernel's calls that
 * window them into the FFT's input (wasm/real-fft.wat, the same bits as the JavaScript loops they replace).
 */
export interface FrameInput {
  /** Staging for float32 samples (length given to createRealFft). */
  readonly samples: Float32Array;
  /** The window (length given to createRealFft). */
  readonly window: Float64Array;
  /** input[lpad + j] = samples[from + j] * window[j], j < n (input's other values are left as they are). */
  windowed(from: number, n: number, lpad: number): void;
  /**
   * Praat's pitch frame (pitch.ts prepare) from samples[from .. from + 2 reach): the mean of the 2P samples around
   * the centre summed in order, input[j] = (samples[from + reach - H + j] - mean) * window[j], j < window.length;
   * returns the largest |input[j]|, j0 <= j <= j1.
   */
  pitchFrame(from: number, reach: number, P: number, H: number, j0: number, j1: number): number;
}

export interface RealTransform {
  readonly n: number;
  /** Spectrum of the last forward(): re[k], im[k] for k = 0 .. n/2. */
  readonly re: Float64Array;
  readonly im: Float64Array;
  /** Where forward() / power() read x from without a copy (length n). */
  readonly input: Float64Array;
  /** Where power() leaves |X[k]|^2 without a copy (length n/2 + 1). */
  readonly out: Float64Array;
  forward(x: Float64Array): void;
  power(x: Float64Array, dst: Float64Array): void;
  /** The staged frame input (createRealFft's `stage`); null for the JavaScript FFT or when none was asked for. */
  readonly frameInput: FrameInput | null;
}

/** createRealFft's optional staging: float32 samples and a window of these lengths. */
export interface StageSizes {
  samples: number;
  window: number;
}

/** Byte offsets of the regions in the kernel's memory (wasm/real-fft.wat's header), each 16-byte aligned. */
function layout(n: number, stage?: StageSizes): { offsets: number[]; bytes: number } {
  const m = n >> 1;
  const sizes = [8 * n, 8 * m, 8 * m, 8 * (m + 1), 8 * (m + 1), 8 * (m + 1), 4 * m, 8 * twiddleCount(m), 4 * m, 4 * m, 8 * ((m >> 1) + 1), 8 * ((m >> 1) + 1)];
  sizes.push(8 * (n + 1), 8 * m, 8 * m, 8 * (n + 1)); // cosft1: y, cos / sin of pi j / n, output
  if (stage) sizes.push(4 * stage.samples + 8, 8 * stage.window + 8); // FrameInput (+ 8: a pair load past an odd end)
  const offsets: number[] = [];
  let at = 0;
  for (const s of sizes) {
    offsets.push(at);
    at += Math.ceil(s / 16) * 16;
  }
  return { offsets, bytes: at };
}

/** Doubles of the radix-4 stage twiddles (6h per stage of quarter-span h = 4, 16, .. while 4h <= m). */
function twiddleCount(m: number): number {
  let total = 0;
  for (let h = 4; 4 * h <= m; h *= 4) total += 6 * h;
  return total;
}

/** RealFftJs's tables (same expressions, same bits) in the layout of wasm/real-fft.wat. */
function fillTables(buf: ArrayBuffer, n: number, o: number[]): void {
  const m = n >> 1;
  const bits = Math.log2(m);
  const rev = new Int32Array(buf, o[6], m);
  for (let j = 0; j < m; j++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((j >> b) & 1) << (bits - 1 - b);
    rev[j] = 16 * r; // byte offset of the input pair x[2r], x[2r + 1]
  }
  const tw = new Float64Array(buf, o[7], twiddleCount(m));
  let off = 0;
  for (let h = 4; 4 * h <= m; off += 6 * h, h *= 4) {
    for (let k = 0; k < h; k++) {
      for (let p = 1; p <= 3; p++) {
        const a = (-2 * Math.PI * p * k) / (4 * h);
        tw[off + 2 * (p - 1) * h + k] = Math.cos(a);
        tw[off + (2 * (p - 1) + 1) * h + k] = Math.sin(a);
      }
    }
  }
  const pc = new Float64Array(buf, o[10], (m >> 1) + 1);
  const ps = new Float64Array(buf, o[11], (m >> 1) + 1);
  for (let k = 0; k <= m >> 1; k++) {
    pc[k] = Math.cos((2 * Math.PI * k) / n);
    ps[k] = Math.sin((2 * Math.PI * k) / n);
  }
  const ct = new Float64Array(buf, o[13], m);
  const st = new Float64Array(buf, o[14], m);
  for (let j = 0; j < m; j++) {
    ct[j] = Math.cos((Math.PI * j) / n);
    st[j] = Math.sin((Math.PI * j) / n);
  }
  const h = m >> 1;
  const w2r = new Float64Array(buf, o[8], h);
  const w2i = new Float64Array(buf, o[9], h);
  for (let k = 0; k < h; k++) {
    const k2 = 2 * k; // RealFftJs.radix2Stage: w_n^{2k} from the post-pass tables
    w2r[k] = k2 <= h ? pc[k2] : -pc[m - k2];
    w2i[k] = -(k2 <= h ? ps[k2] : ps[m - k2]);
  }
}

class RealFftWasm implements RealTransform {
  readonly n: number;
  readonly re: Float64Array;
  readonly im: Float64Array;
  readonly input: Float64Array;
  readonly out: Float64Array;
  private readonly ex: FftExports;
  private readonly outAt: number;
  /** cosft1's input y[0 .. n] and output. */
  readonly cosIn: Float64Array;
  readonly cosOut: Float64Array;
  readonly frameInput: FrameInput | null;

  constructor(n: number, ex: FftExports, offsets: number[], stage?: StageSizes) {
    this.n = n;
    const m = n >> 1;
    this.ex = ex;
    const buf = this.ex.memory.buffer; // (never grown again: the views stay valid)
    fillTables(buf, n, offsets);
    this.ex.setup(m, ...offsets.slice(0, 5), ...offsets.slice(6, 12));
    this.ex.setupCos(offsets[12], offsets[13], offsets[14], offsets[15]);
    this.cosIn = new Float64Array(buf, offsets[12], n + 1);
    this.cosOut = new Float64Array(buf, offsets[15], n + 1);
    this.input = new Float64Array(buf, offsets[0], n);
    this.re = new Float64Array(buf, offsets[3], m + 1);
    this.im = new Float64Array(buf, offsets[4], m + 1);
    this.outAt = offsets[5];
    this.out = new Float64Array(buf, offsets[5], m + 1);
    this.frameInput = stage ? stagedInput(ex, offsets[16], offsets[17], stage) : null;
  }

  forward(x: Float64Array): void {
    if (x !== this.input) this.input.set(x.length === this.n ? x : x.subarray(0, this.n));
    this.ex.forward();
  }

  cosft1(): void {
    this.ex.cosft1();
  }

  power(x: Float64Array, dst: Float64Array): void {
    if (x !== this.input) this.input.set(x.length === this.n ? x : x.subarray(0, this.n));
    this.ex.power(this.outAt);
    if (dst !== this.out) dst.set(this.out);
  }
}

/** FrameInput on a kernel's staging regions (byte offsets sAt: samples, wAt: window). */
function stagedInput(ex: FftExports, sAt: number, wAt: number, stage: StageSizes): FrameInput {
  const samples = new Float32Array(ex.memory.buffer, sAt, stage.samples);
  const window = new Float64Array(ex.memory.buffer, wAt, stage.window);
  const nw = stage.window;
  return {
    samples,
    window,
    windowed: (from, n, lpad) => ex.windowF32(sAt + 4 * from, wAt, n, lpad),
    pitchFrame: (from, reach, P, H, j0, j1) => ex.pitchFrame(sAt + 4 * from, wAt, reach, P, H, nw, j0, j1),
  };
}

/**
 * A DCT-I of n + 1 points by a real FFT of n points (Numerical Recipes' cosft1, 3rd ed. section 12.4.2; the pitch
 * autocorrelation's inverse transform of the power spectrum): write y[0 .. n] into `y`, run(), read `out`:
 * out[k] = y0/2 + (-1)^k yn/2 + sum_{j=1}^{n-1} y_j cos(pi j k / n). WebAssembly only (null without it; the pitch
 * analyser then does it in JavaScript, with the same bits).
 */
export interface CosineTransform {
  readonly y: Float64Array;
  readonly out: Float64Array;
  run(): void;
}

export function createCosineTransform(n: number): CosineTransform | null {
  const f = createRealFft(n);
  if (!(f instanceof RealFftWasm)) return null;
  return { y: f.cosIn, out: f.cosOut, run: () => f.cosft1() };
}

/**
 * A real FFT of size n: the WebAssembly kernel, or RealFftJs (with its own views) where SIMD is unavailable. With
 * `stage`, the WebAssembly kernel also has a FrameInput of those sizes (frameInput; null for RealFftJs).
 */
export function createRealFft(n: number, stage?: StageSizes): RealTransform {
  if (n < 8 || (n & (n - 1)) !== 0) throw new RangeError(`RealFft: size ${n} is not a power of two >= 8`);
  const { offsets, bytes } = layout(n, stage);
  const ex = instantiate<FftExports>(WASM_BASE64, bytes);
  if (ex) return new RealFftWasm(n, ex, offsets, stage);
  const js = new RealFftJs(n);
  const input = new Float64Array(n);
  const out = new Float64Array((n >> 1) + 1);
  return { n, re: js.re, im: js.im, input, out, forward: (x) => js.forward(x), power: (x, dst) => js.power(x, dst), frameInput: null };
}
