/**
 * Praat's "To Intensity" (Sound_to_Intensity.cpp): mean-subtracted squared amplitude under a Kaiser-like window
 * (Bessel I0, 6.4 / floor s long), every 0.8 / floor s, in dB re 2e-5 Pa (4e-10 Pa^2); -300 dB for silence.
 * Frames sit at t = t0 + k * step from the first time the whole window fits; Praat centres its frames in the file,
 * which shifts them by less than one step.
 */
import { FrameStore, type SampleBuffer } from './sample-buffer.js';
import { WASM_BASE64 as INTENSITY_WASM } from './wasm/intensity-bytes.js';
import { instantiate, type WasmMemory } from './wasm/runtime.js';

interface IntensityExports {
  memory: WasmMemory;
  quad(x: number, a: number, b: number, c: number, d: number, W: number, w: number, out: number): void;
  oct(x: number, g: number, W: number, w: number, p: number, out: number): void;
}

/**
 * wasm/intensity.wat with the window in its memory: four frames' sums per call (quad, same bits as quad()), or eight
 * frames one gap g apart (oct: the same sums from a table of sample pairs, for up to `maxGap`).
 */
class QuadKernel {
  /** Samples of the four (eight) frames' span are copied here (f32). */
  readonly x: Float32Array;
  readonly sums: Float64Array;
  private readonly xAt: number;
  private readonly pAt: number;
  private readonly outAt: number;

  private constructor(
    private readonly ex: IntensityExports,
    private readonly W: number,
    span: number,
    private readonly maxGap: number,
    window: Float64Array,
  ) {
    const al = (b: number) => 16 * Math.ceil(b / 16);
    this.xAt = al(8 * W);
    this.pAt = this.xAt + al(4 * span);
    this.outAt = this.pAt + 16 * (6 * maxGap + W);
    new Float64Array(ex.memory.buffer, 0, W).set(window);
    this.x = new Float32Array(ex.memory.buffer, this.xAt, span);
    this.sums = new Float64Array(ex.memory.buffer, this.outAt, 8);
  }

  /** A kernel for windows of W samples and frames at most maxGap samples apart (null without WebAssembly SIMD). */
  static create(W: number, maxGap: number, window: Float64Array): QuadKernel | null {
    const span = W + 7 * maxGap + 8;
    const bytes = 16 * Math.ceil((8 * W) / 16) + 16 * Math.ceil((4 * span) / 16) + 16 * (6 * maxGap + W) + 64;
    const ex = instantiate<IntensityExports>(INTENSITY_WASM, bytes);
    return ex ? new QuadKernel(ex, W, span, maxGap, window) : null;
  }

  /**
   * The sums of the eight frames starting at data[a + k g], k = 0 .. 7, into sums[0 .. 7], or false when g is
   * larger than the kernel was made for.
   */
  runEight(data: Float32Array, a: number, g: number): boolean {
    const W = this.W;
    if (!(g >= 1 && g <= this.maxGap)) return false;
    this.x.set(data.subarray(a, a + 7 * g + W));
    this.ex.oct(this.xAt, g, W, 0, this.pAt, this.outAt);
    return true;
  }

  /** The four frames' sums of (x - mean)^2 w into sums[0 .. 3], or false when their span does not fit. */
  run(data: Float32Array, a: number, b: number, c: number, d: number): boolean {
    const W = this.W;
    if (!(a <= b && b <= c && c <= d) || d + W - a > this.x.length) return false;
    this.x.set(data.subarray(a, d + W));
    this.ex.quad(this.xAt, 0, b - a, c - a, d - a, W, 0, this.outAt);
    return true;
  }
}

/** Modified Bessel function of the first kind, order 0 (series; Praat's NUMbessel_i0_f). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

export class IntensityAnalyzer {
  readonly db = new FrameStore(1);
  next = 0;
  readonly step: number;
  readonly halfWindow: number;
  /** Centre sample of frame 0. */
  readonly c0: number;
  private readonly window: Float64Array;
  private readonly sumWindow: number;
  private readonly seg: Float32Array;
  /** The WebAssembly form of quad() (null without WebAssembly SIMD). */
  private readonly kernel: QuadKernel | null;
  /** Frames computed eight at a time by the kernel's table of pairs (for the tests). */
  eightFrames = 0;

  constructor(
    readonly sampleRate: number,
    floor: number,
  ) {
    const stepS = 0.8 / floor;
    const windowDuration = 6.4 / floor;
    const halfWindowDuration = 0.5 * windowDuration;
    this.halfWindow = Math.floor(halfWindowDuration * sampleRate);
    this.step = stepS * sampleRate;
    this.c0 = this.halfWindow;
    const W = 2 * this.halfWindow + 1;
    this.window = new Float64Array(W);
    let sw = 0;
    for (let i = -this.halfWindow; i <= this.halfWindow; i++) {
      const x = i / sampleRate / halfWindowDuration;
      const root = 1 - x * x;
      const w = root <= 0 ? 0 : besselI0((2 * Math.PI * Math.PI + 0.5) * Math.sqrt(root));
      this.window[i + this.halfWindow] = w;
      sw += w;
    }
    this.sumWindow = sw;
    this.seg = new Float32Array(W);
    this.kernel = QuadKernel.create(W, Math.ceil(this.step), this.window);
  }

  /** Time (s) of frame k. */
  time(k: number): number {
    return Math.round(this.c0 + k * this.step) / this.sampleRate;
  }

  minNeeded(): number {
    return Math.round(this.c0 + this.next * this.step) - this.halfWindow;
  }

  /**
   * Computes every frame whose window has arrived, four (else two) frames at a time where it can: the sums of a frame
   * are one long chain of dependent additions each, so interleaving several frames' chains keeps the CPU busy at the
   * same arithmetic (each sum adds the same terms in the same order as one frame alone: same bits).
   */
  pump(buf: SampleBuffer): void {
    const h = this.halfWindow;
    const W = 2 * h + 1;
    const lim = buf.total ?? buf.end;
    for (;;) {
      const c = this.centre(0);
      if (c + h >= lim) break;
      if (this.kernel !== null && this.eight(buf, c, h, W, lim, this.kernel)) continue;
      const i0 = buf.index(c - h, W);
      const i1 = this.centre(1) + h < lim ? buf.index(this.centre(1) - h, W) : -1;
      const i3 = this.centre(3) + h < lim ? buf.index(this.centre(3) - h, W) : -1;
      if (i0 >= 0 && i3 >= 0) {
        this.quad(buf.data, i0, buf.index(this.centre(1) - h, W), buf.index(this.centre(2) - h, W), i3, W);
        this.next += 4;
      } else if (i0 >= 0 && i1 >= 0) {
        this.pair(buf.data, i0, i1, W);
        this.next += 2;
      } else {
        if (i0 >= 0) this.single(buf.data, i0, W);
        else {
          buf.copy(this.seg, c - h, W);
          this.single(this.seg, 0, W);
        }
        this.next++;
      }
    }
  }

  /**
   * The next eight frames by the kernel's table of pairs (wasm/intensity.wat oct), when all eight have arrived, lie
   * in the buffer and are one gap apart (a step of whole samples: 256 at 16 kHz with the default 50 Hz floor); false
   * otherwise (pump then takes four, two or one). Each frame's sums are those of single(): the same bits.
   */
  private eight(buf: SampleBuffer, c: number, h: number, W: number, lim: number, k: QuadKernel): boolean {
    const c7 = this.centre(7);
    if (c7 + h >= lim) return false;
    const g = this.centre(1) - c;
    for (let f = 2; f < 8; f++) if (this.centre(f) - c !== f * g) return false;
    const i0 = buf.index(c - h, 7 * g + W);
    if (i0 < 0 || !k.runEight(buf.data, i0, g)) return false;
    const s = k.sums;
    for (let f = 0; f < 8; f++) this.add(s[f]);
    this.next += 8;
    this.eightFrames += 8;
    return true;
  }

  /** Centre sample of frame next + k. */
  private centre(k: number): number {
    return Math.round(this.c0 + (this.next + k) * this.step);
  }

  /** Praat's frame intensity: mean-subtracted, windowed mean square, in dB (-300 for silence). */
  private add(sxw: number): void {
    const intensity = sxw / this.sumWindow;
    this.db.add(intensity < 1e-30 ? -300 : 10 * Math.log10(intensity / 4e-10));
  }

  private single(x: Float32Array, a: number, W: number): void {
    const w = this.window;
    let s = 0;
    for (let i = 0; i < W; i++) s += x[a + i];
    const mean = s / W;
    let sxw = 0;
    for (let i = 0; i < W; i++) {
      const d = x[a + i] - mean;
      sxw += d * d * w[i];
    }
    this.add(sxw);
  }

  /** Two frames starting at x[a] and x[b]: exactly single(a) then single(b), with their chains interleaved. */
  private pair(x: Float32Array, a: number, b: number, W: number): void {
    const w = this.window;
    let sa = 0;
    let sb = 0;
    for (let i = 0; i < W; i++) {
      sa += x[a + i];
      sb += x[b + i];
    }
    const meanA = sa / W;
    const meanB = sb / W;
    let ta = 0;
    let tb = 0;
    for (let i = 0; i < W; i++) {
      const wi = w[i];
      const da = x[a + i] - meanA;
      const db = x[b + i] - meanB;
      ta += da * da * wi;
      tb += db * db * wi;
    }
    this.add(ta);
    this.add(tb);
  }

  /** Four frames starting at x[a], x[b], x[c], x[d]: exactly single() of each, with their chains interleaved. */
  private quad(x: Float32Array, a: number, b: number, c: number, d: number, W: number): void {
    const k = this.kernel;
    if (k !== null && k.run(x, a, b, c, d)) {
      const s = k.sums;
      this.add(s[0]);
      this.add(s[1]);
      this.add(s[2]);
      this.add(s[3]);
      return;
    }
    this.quadJs(x, a, b, c, d, W);
  }

  /** quad() in JavaScript (the reference of wasm/intensity.wat). */
  private quadJs(x: Float32Array, a: number, b: number, c: number, d: number, W: number): void {
    const w = this.window;
    let sa = 0;
    let sb = 0;
    let sc = 0;
    let sd = 0;
    for (let i = 0; i < W; i++) {
      sa += x[a + i];
      sb += x[b + i];
      sc += x[c + i];
      sd += x[d + i];
    }
    const ma = sa / W;
    const mb = sb / W;
    const mc = sc / W;
    const md = sd / W;
    let ta = 0;
    let tb = 0;
    let tc = 0;
    let td = 0;
    for (let i = 0; i < W; i++) {
      const wi = w[i];
      const da = x[a + i] - ma;
      const db = x[b + i] - mb;
      const dc = x[c + i] - mc;
      const dd = x[d + i] - md;
      ta += da * da * wi;
      tb += db * db * wi;
      tc += dc * dc * wi;
      td += dd * dd * wi;
    }
    this.add(ta);
    this.add(tb);
    this.add(tc);
    this.add(td);
  }
}
