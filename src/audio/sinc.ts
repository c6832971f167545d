/**
 * Praat's windowed sinc interpolation (NUM_interpolate_sinc, melder/NUMinterpol.cpp), one implementation for the
 * pitch and harmonicity lag arrays (mirrored at lag 0) and the formant resampler (1-based signal indices).
 */
import { WASM_BASE64 as SINC_WASM } from './wasm/sinc-bytes.js';
import { instantiate, type WasmMemory } from './wasm/runtime.js';

/**
 * Praat's NUM_interpolate_sinc on a symmetric lag array r[0..rMax] (r[-k] = r[k]), at fractional lag x. Values
 * beyond lag `nonzero` are known to be 0 and are skipped (they add nothing).
 */
export function sincInterpolate(r: Float64Array, rMax: number, x: number, maxDepth: number, nonzero = rMax): number {
  const midleft = Math.floor(x);
  const midright = midleft + 1;
  if (x === midleft) return r[Math.abs(midleft)];
  if (x >= rMax) return r[rMax];
  const depth = Math.min(maxDepth, rMax - midleft); // (no branch taken only near the end of r: none to deoptimise)
  if (depth < 1) return r[Math.abs(Math.round(x))];
  const left = midright - depth;
  const right = midleft + depth;
  // Left side from midleft down to left, then the right side from midright up to right, summed in that order.
  const nLeft = midleft - (left > -nonzero ? left : -nonzero) + 1;
  const nRight = (right < nonzero ? right : nonzero) - midright + 1;
  return sincBothSides(r, x - midleft, x - left + 1, midleft, nLeft, midright - x, right - x + 1, midright, nRight);
}

/** Terms of the right half, summed after the left half (grown as needed; per thread, as each module instance). */
let rightTerms = new Float64Array(1024);

/*
 * sincLeftSum then sincRightSum of a lag array (mirrored at 0), with the same operations in the same order (same
 * bits), but the two halves' sin/cos recurrences advanced in one loop: they are independent chains, so the CPU
 * overlaps them (each alone waits on its own multiply-add latency). The right half's terms are kept and added to
 * the left half's sum afterwards, in Praat's order.
 */
function sincBothSides(r: Float64Array, distL: number, spanL: number, fromL: number, nL: number, distR: number, spanR: number, fromR: number, nR: number): number {
  if (nR > rightTerms.length) rightTerms = new Float64Array(2 * nR);
  const terms = rightTerms;
  let aL = Math.PI * distL;
  let hL = 0.5 * Math.sin(aL);
  const aaL = aL / spanL;
  const daaL = Math.PI / spanL;
  let cL = Math.cos(aaL);
  let sL = Math.sin(aaL);
  const cdL = Math.cos(daaL);
  const sdL = Math.sin(daaL);
  let aR = Math.PI * distR;
  let hR = 0.5 * Math.sin(aR);
  const aaR = aR / spanR;
  const daaR = Math.PI / spanR;
  let cR = Math.cos(aaR);
  let sR = Math.sin(aaR);
  const cdR = Math.cos(daaR);
  const sdR = Math.sin(daaR);
  let result = 0;
  const common = nL < nR ? nL : nR;
  let j = 0;
  for (; j < common; j++) {
    const k = fromL - j;
    result += r[Math.abs(k)] * ((hL / aL) * (1 + cL));
    aL += Math.PI;
    const helpL = cL * cdL - sL * sdL;
    sL = cL * sdL + sL * cdL;
    cL = helpL;
    hL = -hL;
    terms[j] = r[fromR + j] * ((hR / aR) * (1 + cR));
    aR += Math.PI;
    const helpR = cR * cdR - sR * sdR;
    sR = cR * sdR + sR * cdR;
    cR = helpR;
    hR = -hR;
  }
  for (let jl = j; jl < nL; jl++) {
    const k = fromL - jl;
    result += r[Math.abs(k)] * ((hL / aL) * (1 + cL));
    aL += Math.PI;
    const helpL = cL * cdL - sL * sdL;
    sL = cL * sdL + sL * cdL;
    cL = helpL;
    hL = -hL;
  }
  for (let jr = j; jr < nR; jr++) {
    terms[jr] = r[fromR + jr] * ((hR / aR) * (1 + cR));
    aR += Math.PI;
    const helpR = cR * cdR - sR * sdR;
    sR = cR * sdR + sR * cdR;
    cR = helpR;
    hR = -hR;
  }
  for (let t = 0; t < nR; t++) result += terms[t];
  return result;
}

/*
 * The two halves of Praat's NUM_interpolate_sinc (shared by the pitch, harmonicity and formant code): sample
 * y[|ix + shift|] (mirrored at 0 for lag arrays) weighted by sinc(pi d) times a raised-cosine window, sin/cos
 * advanced by the angle-addition recurrence as Praat does; the left half runs from `from` down to `to`, the right
 * half from `from` up to `to` and continues the left half's sum. Separate functions with only local doubles: V8
 * keeps them unboxed (the single-function form allocated about 800 bytes of heap numbers per call).
 */
export function sincLeftSum(r: Float64Array, shift: number, dist: number, span: number, from: number, to: number): number {
  let a = Math.PI * dist;
  let halfsina = 0.5 * Math.sin(a);
  const aa = a / span;
  const daa = Math.PI / span;
  let cosaa = Math.cos(aa);
  let sinaa = Math.sin(aa);
  const cosdaa = Math.cos(daa);
  const sindaa = Math.sin(daa);
  let result = 0;
  for (let ix = from; ix >= to; ix--) {
    const d = (halfsina / a) * (1 + cosaa);
    const k = ix + shift;
    result += r[Math.abs(k)] * d;
    a += Math.PI;
    const help = cosaa * cosdaa - sinaa * sindaa;
    sinaa = cosaa * sindaa + sinaa * cosdaa;
    cosaa = help;
    halfsina = -halfsina;
  }
  return result;
}

export function sincRightSum(r: Float64Array, shift: number, result0: number, dist: number, span: number, from: number, to: number): number {
  let a = Math.PI * dist;
  let halfsina = 0.5 * Math.sin(a);
  const aa = a / span;
  const daa = Math.PI / span;
  let cosaa = Math.cos(aa);
  let sinaa = Math.sin(aa);
  const cosdaa = Math.cos(daa);
  const sindaa = Math.sin(daa);
  let result = result0;
  for (let ix = from; ix <= to; ix++) {
    const d = (halfsina / a) * (1 + cosaa);
    result += r[ix + shift] * d;
    a += Math.PI;
    const help = cosaa * cosdaa - sinaa * sindaa;
    sinaa = cosaa * sindaa + sinaa * cosdaa;
    cosaa = help;
    halfsina = -halfsina;
  }
  return result;
}

interface SincExports {
  memory: WasmMemory;
  /** Reads the six (left, right) starting pairs at byte `args`, writes the result after them (args[12]). */
  both(r: number, terms: number, args: number, fromL: number, nL: number, fromR: number, nR: number): void;
  peaks(r: number, acf: number, wR: number, rMax: number, lagLimit: number, thr: number, peaks: number): number;
}

/** The arrays of SincKernel.findPeaks in the kernel's memory: write acf, windowR and thr there. */
export interface PeakInputs {
  acf: Float64Array;
  windowR: Float64Array;
  /** thr[0]: the threshold a peak's r must exceed. */
  thr: Float64Array;
  /** The lags found, [0 .. count). */
  lags: Int32Array;
}

/**
 * sincInterpolate on one lag array r[0 .. rMax] that lives in a WebAssembly kernel's memory (wasm/sinc.wat: the two
 * halves in the two SIMD lanes, same bits as sincBothSides): write r through `r`, then call at(). Without
 * WebAssembly SIMD, `r` is a plain array and at() is sincInterpolate.
 */
export class SincKernel {
  readonly r: Float64Array;
  private readonly rMax: number;
  private readonly ex: SincExports | null;
  private readonly termsAt: number;
  /**
   * Byte offset of the kernel's arguments and result in its memory, and a view of them (args[12] the result, args[13]
   * at()'s x): the doubles go through memory, since doubles passed to or returned by a WebAssembly call are boxed at
   * each call (~110 bytes of heap numbers a call: ~100 MB per 10 minutes of audio in the pitch worker).
   */
  private readonly argsAt: number;
  private readonly args: Float64Array;
  /** findPeaks's arrays (null: no WebAssembly, or the kernel made without room for them) and their byte offsets. */
  readonly peakInputs: PeakInputs | null = null;
  private readonly peaksAt = { acf: 0, windowR: 0, thr: 0, lags: 0 };

  /** @param peakLags room for findPeaks's lags (0: none; the pitch analysis's first pass asks for it). */
  constructor(rMax: number, maxDepth: number, peakLags = 0) {
    this.rMax = rMax;
    const termsAt = 8 * (rMax + 2);
    this.termsAt = termsAt;
    this.argsAt = Math.ceil((termsAt + 8 * (maxDepth + 2)) / 16) * 16;
    const al = (b: number) => Math.ceil(b / 16) * 16;
    const at = this.peaksAt;
    at.acf = al(this.argsAt + 8 * 14);
    at.windowR = at.acf + al(8 * (rMax + 1));
    at.thr = at.windowR + al(8 * (rMax + 1));
    at.lags = at.thr + 16;
    this.ex = instantiate<SincExports>(SINC_WASM, peakLags > 0 ? at.lags + 4 * peakLags : this.argsAt + 8 * 14);
    this.r = this.ex ? new Float64Array(this.ex.memory.buffer, 0, rMax + 1) : new Float64Array(rMax + 1);
    this.args = this.ex ? new Float64Array(this.ex.memory.buffer, this.argsAt, 14) : new Float64Array(14);
    if (this.ex && peakLags > 0) {
      const buf = this.ex.memory.buffer;
      this.peakInputs = {
        acf: new Float64Array(buf, at.acf, rMax + 1),
        windowR: new Float64Array(buf, at.windowR, rMax + 1),
        thr: new Float64Array(buf, at.thr, 1),
        lags: new Int32Array(buf, at.lags, peakLags),
      };
    }
  }

  /**
   * Pitch's first pass before its candidates (pitch.ts voicedCandidates) by wasm/sinc.wat peaks: r[0] = 1, r[i] =
   * acf[i] / (acf[0] windowR[i]) for i = 1 .. rMax, and the lags 2 .. lagLimit - 1 where r[i] > thr, r[i] > r[i - 1]
   * and r[i] >= r[i + 1], in order, into peakInputs.lags; returns their count. Only with peakInputs (not null).
   */
  findPeaks(lagLimit: number): number {
    const at = this.peaksAt;
    return this.ex!.peaks(0, at.acf, at.windowR, this.rMax, lagLimit, at.thr, at.lags);
  }

  /**
   * Praat's NUM_interpolate_sinc of r at fractional lag x, depth at most maxDepth (as sincInterpolate; r is taken as 0
   * beyond `nonzero`, whose terms are skipped). Small, so V8 inlines it into its callers; the work is in evaluate(),
   * which takes and returns no doubles: a double passed to or returned from a call V8 does not inline is boxed as a
   * heap number (x and the result, ~30 MB per 10 minutes of audio in the pitch worker before).
   */
  at(x: number, maxDepth: number, nonzero = this.rMax): number {
    const a = this.args;
    a[13] = x;
    this.evaluate(maxDepth, nonzero);
    return a[12];
  }

  /** at() of x = args[13] into args[12]. */
  private evaluate(maxDepth: number, nonzero: number): void {
    const { r, rMax } = this;
    const a = this.args;
    const x = a[13];
    const ex = this.ex;
    if (ex === null) {
      a[12] = sincInterpolate(r, rMax, x, maxDepth, nonzero);
      return;
    }
    const midleft = Math.floor(x);
    const midright = midleft + 1;
    const depth = Math.min(maxDepth, rMax - midleft);
    if (x === midleft || x >= rMax || depth < 1) {
      a[12] = x === midleft ? r[Math.abs(midleft)] : x >= rMax ? r[rMax] : r[Math.abs(Math.round(x))];
      return;
    }
    const left = midright - depth;
    const right = midleft + depth;
    const nL = midleft - (left > -nonzero ? left : -nonzero) + 1;
    const nR = (right < nonzero ? right : nonzero) - midright + 1;
    // sincBothSides's starting values, computed here with V8's Math.sin / Math.cos, as (left, right) pairs
    const aL = Math.PI * (x - midleft);
    const spanL = x - left + 1;
    const aaL = aL / spanL;
    const daaL = Math.PI / spanL;
    const aR = Math.PI * (midright - x);
    const spanR = right - x + 1;
    const aaR = aR / spanR;
    const daaR = Math.PI / spanR;
    a[0] = aL;
    a[1] = aR;
    a[2] = 0.5 * Math.sin(aL);
    a[3] = 0.5 * Math.sin(aR);
    a[4] = Math.cos(aaL);
    a[5] = Math.cos(aaR);
    a[6] = Math.sin(aaL);
    a[7] = Math.sin(aaR);
    a[8] = Math.cos(daaL);
    a[9] = Math.cos(daaR);
    a[10] = Math.sin(daaL);
    a[11] = Math.sin(daaR);
    ex.both(0, this.termsAt, this.argsAt, midleft, nL, midright, nR);
  }
}
