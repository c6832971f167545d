/**
 * Per-frame spectral features on librosa's center=True grid (frame i centred on sample i*hop, zero padding):
 * log-mel energies (librosa.feature.melspectrogram + power_to_db before the whole-file top_db clip), RMS
 * (librosa.feature.rms: no window, zero padding) and ZCR (librosa.feature.zero_crossing_rate: edge padding,
 * |x| <= 1e-10 counts as 0, a crossing is a change of sign bit, mean over the frame).
 */
import { melFilterBank, type MelBand } from './mel.js';
import { dctMatrix } from './dct.js';
import { WASM_BASE64 as MFCC_WASM } from './wasm/mfcc-bytes.js';
import { WASM_BASE64 as LOGMEL_WASM } from './wasm/logmel-bytes.js';
import { instantiate, type WasmMemory } from './wasm/runtime.js';
import { createRealFft, type FrameInput, type RealTransform } from './real-fft.js';
import { SampleStage } from './sample-stage.js';
import type { AudioOptions } from './options.js';
import { FrameStore, type SampleBuffer } from './sample-buffer.js';
import { SpillStore } from './spill.js';

const AMIN = 1e-10;
const ZC_THRESHOLD = 1e-10;

export class SpectralAnalyzer {
  readonly logmel: FrameStore;
  readonly rms: FrameStore;
  readonly zcr: FrameStore;
  /** Index of the next frame to compute. */
  next = 0;
  private readonly hop: number;
  private readonly nFft: number;
  private readonly half: number;
  private readonly win: Float64Array;
  private readonly lpad: number;
  private readonly fft: RealTransform;
  /** The frame's samples staged in the FFT kernel's memory and windowed there (null without WebAssembly). */
  private readonly staged: FrameInput | null;
  private readonly stage: SampleStage | null;
  /** The windowed frame (zero outside the window's span, which is all that is ever written) and its power spectrum. */
  private readonly fftIn: Float64Array;
  private readonly power: Float64Array;
  private readonly bands: MelBand[];
  /** The bands flattened: weights of band m at melW[melOff[m] .. melOff[m+1]), for bins from melStart[m]. */
  private readonly melW: Float64Array;
  private readonly melOff: Int32Array;
  private readonly melStart: Int32Array;
  /** The log-mel bands as WebAssembly (null: logMelJs). */
  private readonly melKernel: LogMelKernel | null;
  private readonly L: number;
  private readonly tmp: Float64Array;
  /** ZCR running count: crossings in the previous frame (valid when prevR0 is the previous interior frame start). */
  private zcCount = 0;
  private zcPrevR0 = -Infinity;
  /**
   * RMS by blocks: g = gcd(hop, L/2) divides every frame boundary, so a frame's sum of squares is the sum of L/g
   * block sums, each block computed once (blocks before sample 0 are zero padding). Ring of block sums.
   */
  private readonly g: number;
  private readonly blockRing: Float64Array;
  private nextBlock = 0;

  /** @param spillAfter frames past which the log-mel store goes to a temp file (spill.ts); undefined: in memory. */
  constructor(o: AudioOptions, spillAfter?: number) {
    this.hop = o.hopLength;
    this.nFft = o.nFft;
    this.L = o.rmsFrameLength;
    // + hop: the ZCR running count looks one hop back.
    this.half = Math.max(o.nFft >> 1, o.rmsFrameLength >> 1) + o.hopLength + 1;
    // scipy.signal.get_window('hann', win_length, fftbins=True): periodic Hann; librosa.util.pad_center puts it in
    // the middle of n_fft with floor((n_fft - win_length) / 2) zeros on the left.
    this.win = new Float64Array(o.winLength);
    for (let n = 0; n < o.winLength; n++) this.win[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / o.winLength);
    this.lpad = (o.nFft - o.winLength) >> 1;
    this.fft = createRealFft(o.nFft, { samples: o.winLength + 4096, window: o.winLength });
    this.staged = this.fft.frameInput;
    this.staged?.window.set(this.win);
    this.stage = this.staged ? new SampleStage(this.staged.samples) : null;
    this.fftIn = this.fft.input;
    this.power = this.fft.out;
    this.bands = melFilterBank(o.sampleRate, o.nFft, o.nMels, o.fmin, o.fmax ?? o.sampleRate / 2);
    this.melOff = new Int32Array(o.nMels + 1);
    this.melStart = new Int32Array(o.nMels);
    for (let m = 0; m < o.nMels; m++) {
      this.melOff[m + 1] = this.melOff[m] + this.bands[m].weights.length;
      this.melStart[m] = this.bands[m].start;
    }
    this.melW = new Float64Array(this.melOff[o.nMels]);
    for (let m = 0; m < o.nMels; m++) this.melW.set(this.bands[m].weights, this.melOff[m]);
    this.melKernel = LogMelKernel.create(this.melW, this.melOff, this.melStart, (o.nFft >> 1) + 1);
    this.logmel = spillAfter === undefined ? new FrameStore(o.nMels) : new SpillStore(o.nMels, spillAfter, 1024);
    // With spilling (a long file) RMS and ZCR stay in memory, in shared memory: the JSONL helper reads them as they are.
    this.rms = new FrameStore(1, 1024, spillAfter !== undefined);
    this.zcr = new FrameStore(1, 1024, spillAfter !== undefined);
    this.tmp = new Float64Array(Math.max(o.nFft, o.rmsFrameLength));
    const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
    this.g = gcd(o.hopLength, o.rmsFrameLength >> 1);
    let ring = 1;
    while (ring < (o.rmsFrameLength + o.hopLength) / this.g + 2) ring *= 2;
    this.blockRing = new Float64Array(ring);
  }

  /** Sum of squares of samples [r0, r0 + L) (zero outside the signal) from block sums. */
  private sumSquares(buf: SampleBuffer, r0: number): number {
    const { g, L, blockRing } = this;
    const mask = blockRing.length - 1;
    const nb = L / g;
    const b0 = Math.floor(r0 / g);
    const bEnd = b0 + nb;
    if (this.nextBlock < b0) this.nextBlock = b0;
    const data = buf.data;
    while (this.nextBlock < bEnd) {
      const b = this.nextBlock;
      const a = b * g;
      let ss = 0;
      if (a + g > 0) {
        const i = buf.index(a, g);
        if (i >= 0) {
          for (let j = 0; j < g; j++) ss += data[i + j] * data[i + j];
        } else {
          buf.copy(this.tmp, a, g);
          for (let j = 0; j < g; j++) ss += this.tmp[j] * this.tmp[j];
        }
      }
      blockRing[b & mask] = ss;
      this.nextBlock++;
    }
    let s = 0;
    for (let b = b0; b < bEnd; b++) s += blockRing[b & mask];
    return s;
  }

  /** Earliest absolute sample a future frame may read. */
  minNeeded(): number {
    return this.next * this.hop - this.half;
  }

  /** Computes every frame whose samples have arrived (all remaining frames when the stream has ended). */
  pump(buf: SampleBuffer): void {
    const nFrames = buf.total === null ? Infinity : 1 + Math.floor(buf.total / this.hop);
    while (this.next < nFrames) {
      const c = this.next * this.hop;
      if (buf.total === null && c + this.half > buf.end) break;
      this.frame(buf, c);
      this.next++;
    }
  }

  /** STFT frame centred on c, windowed, into dst: samples c - nFft/2 .. c + nFft/2 - 1 (the window's span only). */
  private windowed(buf: SampleBuffer, c: number, dst: Float64Array): void {
    const { nFft, lpad, win } = this;
    const s0 = c - (nFft >> 1) + lpad;
    const wl = win.length;
    if (this.staged !== null) {
      // the same products by the FFT kernel (wasm/real-fft.wat windowF32), on samples staged in its memory
      this.staged.windowed(this.stage!.at(buf, s0, wl), wl, lpad);
      return;
    }
    const data = buf.data;
    const vi = buf.index(s0, wl);
    if (vi >= 0) {
      for (let j = 0; j < wl; j++) dst[lpad + j] = data[vi + j] * win[j];
    } else {
      buf.copy(dst, s0, wl, lpad);
      for (let j = 0; j < wl; j++) dst[lpad + j] *= win[j];
    }
  }

  private frame(buf: SampleBuffer, c: number): void {
    this.windowed(buf, c, this.fftIn);
    this.fft.power(this.fftIn, this.power);
    this.melRmsZcr(buf, c, this.power);
  }

  /** Appends the frame centred on c: log-mel bands of its power spectrum, RMS and ZCR. */
  private melRmsZcr(buf: SampleBuffer, c: number, power: Float64Array): void {
    this.logMel(power);
    const L = this.L;
    // RMS (zero padding) and ZCR (edge padding) over L samples centred on c.
    const r0 = c - (L >> 1);
    this.rms.add(Math.sqrt(this.sumSquares(buf, r0) / L));
    const ri = buf.index(r0, L);
    const hop = this.hop;
    const ei = ri >= 0 && this.zcPrevR0 === r0 - hop && hop < L ? buf.index(r0 - hop, L + hop) : -1;
    let crossings: number;
    if (ei >= 0) crossings = slideCrossings(buf.data, ei, L, hop, this.zcCount);
    else if (ri >= 0) crossings = countCrossings(buf.data, ri, L);
    else crossings = this.edgeCrossings(buf, r0);
    this.zcCount = crossings;
    this.zcPrevR0 = ri >= 0 ? r0 : -Infinity;
    this.zcr.add(crossings / L);
  }

  /** Appends the log-mel bands (dB, before the top_db clip) of one power spectrum. */
  private logMel(power: Float64Array): void {
    const lm = this.logmel;
    const off = lm.push();
    if (this.melKernel) this.melKernel.run(power, lm.data, off);
    else this.logMelJs(power, lm.data, off);
  }

  /** logMel in JavaScript: each band's sum in order, then 10 log10 (stored as float32). */
  private logMelJs(power: Float64Array, d: Float32Array, off: number): void {
    const { melW, melOff, melStart } = this;
    const nMels = melStart.length;
    for (let m = 0; m < nMels; m++) {
      let s = 0;
      const e = melOff[m + 1];
      for (let q = melOff[m], k = melStart[m]; q < e; q++, k++) s += melW[q] * power[k];
      d[off + m] = 10 * Math.log10(s > AMIN ? s : AMIN);
    }
  }

  /** Zero crossings of L samples from r0 with edge padding (frames that reach outside the signal). */
  private edgeCrossings(buf: SampleBuffer, r0: number): number {
    let crossings = 0;
    let prev = buf.edge(r0) < -ZC_THRESHOLD ? 1 : 0;
    for (let j = 1; j < this.L; j++) {
      const sgn = buf.edge(r0 + j) < -ZC_THRESHOLD ? 1 : 0;
      crossings += sgn ^ prev;
      prev = sgn;
    }
    return crossings;
  }
}

interface LogMelExports {
  memory: WasmMemory;
  logmel(pw: number, w: number, tab: number, nMels: number, sums: number, out: number): number;
}

/**
 * The log-mel bands of one power spectrum by the WebAssembly kernel wasm/logmel.wat: the band sums with the
 * JavaScript's operations in its order, then 10 log10 by the kernel's own series where the float32 result is certain
 * (Ziv's rounding test); the few bands it leaves (NaN) are computed here with Math.log10 from the kernel's sums. The
 * same float32 bits as logMelJs (test/audio-wasm.test.ts).
 */
class LogMelKernel {
  private readonly power: Float64Array;
  private readonly sums: Float64Array;
  private readonly out: Float32Array;
  /** out's first nMels values (the bands), made once: a subarray per frame was an allocation per frame. */
  private readonly bands: Float32Array;
  private readonly at: { pw: number; w: number; tab: number; sums: number; out: number };
  /** Bands computed here with Math.log10 because the kernel's float32 was not certain (for the tests). */
  fallbacks = 0;

  private constructor(private readonly ex: LogMelExports, melW: Float64Array, melOff: Int32Array, melStart: Int32Array, nBins: number, at: LogMelKernel['at']) {
    const buf = ex.memory.buffer;
    const nMels = melStart.length;
    this.at = at;
    this.power = new Float64Array(buf, at.pw, nBins);
    new Float64Array(buf, at.w, melW.length).set(melW);
    const tab = new Int32Array(buf, at.tab, 3 * nMels);
    for (let m = 0; m < nMels; m++) tab.set([melOff[m], melStart[m], melOff[m + 1] - melOff[m]], 3 * m);
    this.sums = new Float64Array(buf, at.sums, nMels + 1);
    this.out = new Float32Array(buf, at.out, nMels + 1);
    this.bands = this.out.subarray(0, nMels);
  }

  static create(melW: Float64Array, melOff: Int32Array, melStart: Int32Array, nBins: number): LogMelKernel | null {
    const nMels = melStart.length;
    const al = (b: number) => Math.ceil(b / 16) * 16;
    const at = { pw: 0, w: al(8 * nBins), tab: 0, sums: 0, out: 0 };
    at.tab = at.w + al(8 * melW.length);
    at.sums = at.tab + al(12 * nMels);
    at.out = at.sums + al(8 * (nMels + 1));
    const ex = instantiate<LogMelExports>(LOGMEL_WASM, at.out + al(4 * (nMels + 1)));
    return ex ? new LogMelKernel(ex, melW, melOff, melStart, nBins, at) : null;
  }

  /** d[off .. off + nMels) = the log-mel bands of `power`. */
  run(power: Float64Array, d: Float32Array, off: number): void {
    const { at, sums } = this;
    const nMels = sums.length - 1;
    this.power.set(power);
    const left = this.ex.logmel(at.pw, at.w, at.tab, nMels, at.sums, at.out);
    d.set(this.bands, off);
    if (left === 0) return;
    for (let m = 0; m < nMels; m++) {
      if (d[off + m] !== d[off + m]) {
        const s = sums[m];
        d[off + m] = 10 * Math.log10(s > AMIN ? s : AMIN);
        this.fallbacks++;
      }
    }
  }
}

/** Sign-bit changes between neighbours of data[i .. i + L) (|x| <= ZC_THRESHOLD counts as 0). */
function countCrossings(data: Float32Array, i: number, L: number): number {
  let crossings = 0;
  let prev = data[i] < -ZC_THRESHOLD ? 1 : 0;
  for (let j = 1; j < L; j++) {
    const sgn = data[i + j] < -ZC_THRESHOLD ? 1 : 0;
    crossings += sgn ^ prev;
    prev = sgn;
  }
  return crossings;
}

/**
 * The previous frame's count (frame starting at data[ei]) slid by one hop: the crossings that left the frame are
 * dropped and those that came in added (exact, the same count as countCrossings of the new frame).
 */
function slideCrossings(data: Float32Array, ei: number, L: number, hop: number, count: number): number {
  let crossings = count;
  // One loop over the hop: the pair (j - 1, j) leaving the frame's start and the pair (L - 2 + j, L - 1 + j)
  // entering at its end (integer counts: the order does not matter). Signs as numbers, without branches: near a zero
  // crossing the comparisons are unpredictable.
  const T = -ZC_THRESHOLD;
  const e = ei + L - 1;
  let a = (data[ei] < T) as unknown as number;
  let c = (data[e] < T) as unknown as number;
  for (let j = 1; j <= hop; j++) {
    const b = (data[ei + j] < T) as unknown as number;
    const d = (data[e + j] < T) as unknown as number;
    crossings += (c ^ d) - (a ^ b);
    a = b;
    c = d;
  }
  return crossings;
}

/** librosa's power_to_db top_db floor: the whole file's largest log-mel value minus topDb (-Infinity: no clip). */
export function topDbFloor(logmel: FrameStore, topDb: number | null): number {
  const n = logmel.length * logmel.width;
  if (topDb === null || n === 0) return -Infinity;
  // A spilled store saw every value on its way to the file (sealed: all of them).
  if (logmel instanceof SpillStore && logmel.file !== null) return logmel.max - topDb;
  const d = logmel.data;
  let mx = -Infinity;
  for (let i = 0; i < n; i++) if (d[i] > mx) mx = d[i];
  return mx - topDb;
}

interface MfccExports {
  memory: WasmMemory;
  mfcc(lm: number, frames: number, nMels: number, nMfcc: number, D: number, floor: number, out: number, work: number): void;
}

/** Frames per call of the WebAssembly MFCC kernel (even; its memory holds one block, whatever the file's length). */
const MFCC_BLOCK = 1024;

/**
 * mfccOfFramesJs (below) by the WebAssembly kernel wasm/mfcc.wat, two frames per SIMD vector (each lane one frame's
 * own arithmetic), MFCC_BLOCK frames per call: the same bits (test/audio-wasm.test.ts). null without WebAssembly SIMD.
 */
export class MfccKernel {
  private readonly lm: Float32Array;
  private readonly res: Float64Array;

  private constructor(
    private readonly ex: MfccExports,
    private readonly nMels: number,
    private readonly nMfcc: number,
    private readonly at: { D: number; lm: number; out: number; work: number },
  ) {
    new Float64Array(ex.memory.buffer, at.D, nMfcc * nMels).set(dctMatrix(nMfcc, nMels));
    this.lm = new Float32Array(ex.memory.buffer, at.lm, MFCC_BLOCK * nMels);
    this.res = new Float64Array(ex.memory.buffer, at.out, MFCC_BLOCK * nMfcc);
  }

  static create(nMels: number, nMfcc: number): MfccKernel | null {
    const at = { D: 0, lm: 8 * nMfcc * nMels, out: 0, work: 0, end: 0 };
    at.out = at.lm + 16 * Math.ceil((4 * MFCC_BLOCK * nMels) / 16);
    at.work = at.out + 8 * MFCC_BLOCK * nMfcc;
    at.end = at.work + 48 * nMels;
    const ex = instantiate<MfccExports>(MFCC_WASM, at.end);
    return ex ? new MfccKernel(ex, nMels, nMfcc, at) : null;
  }

  /** out[0 .. n * nMfcc) = the MFCC of the n log-mel frames in d (frame-major), clipped at `floor`. */
  run(d: Float32Array, n: number, floor: number, out: Float64Array): void {
    const { nMels, nMfcc, lm, res, at } = this;
    for (let t0 = 0; t0 < n; t0 += MFCC_BLOCK) {
      const count = Math.min(MFCC_BLOCK, n - t0);
      lm.set(d.subarray(t0 * nMels, (t0 + count) * nMels));
      // an odd count: the last frame twice (the second copy's coefficients are not read)
      if (count & 1) lm.copyWithin(count * nMels, (count - 1) * nMels, count * nMels);
      this.ex.mfcc(at.lm, count + (count & 1), nMels, nMfcc, at.D, floor, at.out, at.work);
      out.set(res.subarray(0, count * nMfcc), t0 * nMfcc);
    }
  }
}

/** The MFCC of the stored log-mel frames (mfccOfFramesJs's result; by MfccKernel when it can). */
export function mfccFromLogMel(logmel: FrameStore, nMfcc: number, topDb: number | null): Float64Array {
  const n = logmel.length;
  const k = MfccKernel.create(logmel.width, nMfcc);
  if (k === null) return mfccFromLogMelJs(logmel, nMfcc, topDb);
  const out = new Float64Array(n * nMfcc);
  k.run(logmel.data, n, topDbFloor(logmel, topDb), out);
  return out;
}

/**
 * MFCC from the stored log-mel frames: librosa's power_to_db top_db clip at (whole-file maximum - top_db), then the
 * orthonormal DCT-II (librosa.feature.mfcc, dct_type 2, norm 'ortho', no lifter). Returns frame-major n x nMfcc.
 */
export function mfccFromLogMelJs(logmel: FrameStore, nMfcc: number, topDb: number | null): Float64Array {
  const out = new Float64Array(logmel.length * nMfcc);
  mfccOfFramesJs(logmel.data, logmel.length, logmel.width, nMfcc, topDbFloor(logmel, topDb), out);
  return out;
}

/** out = the MFCC of the n log-mel frames in d (nMels each), clipped at `floor`. */
export function mfccOfFramesJs(d: Float32Array, n: number, nMels: number, nMfcc: number, floor: number, out: Float64Array): void {
  const D = dctMatrix(nMfcc, nMels);
  // DCT-II symmetry: cos row k is even (k even) or odd (k odd) about the centre, so fold the input first.
  const half = nMels >> 1;
  const odd = nMels & 1;
  const sum = new Float64Array(half + odd);
  const dif = new Float64Array(half);
  const row = new Float64Array(nMels);
  for (let t = 0; t < n; t++) {
    for (let m = 0; m < nMels; m++) {
      const v = d[t * nMels + m];
      row[m] = v > floor ? v : floor;
    }
    for (let m = 0; m < half; m++) {
      sum[m] = row[m] + row[nMels - 1 - m];
      dif[m] = row[m] - row[nMels - 1 - m];
    }
    if (odd) sum[half] = row[half];
    for (let k = 0; k < nMfcc; k++) {
      let s = 0;
      const base = k * nMels;
      if ((k & 1) === 0) {
        for (let m = 0; m < half + odd; m++) s += D[base + m] * sum[m];
      } else {
        for (let m = 0; m < half; m++) s += D[base + m] * dif[m];
      }
      out[t * nMfcc + k] = s;
    }
  }
}
