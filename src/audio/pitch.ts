/**
 * F0 with voicing: Boersma's autocorrelation method as in Praat's "To Pitch (ac)" (P. Boersma 1993, "Accurate
 * short-term analysis of the fundamental frequency and the harmonics-to-noise ratio of a sampled sound", IFA
 * Proceedings 17; Praat's Sound_to_Pitch.cpp and Pitch_pathFinder). Per frame: local-mean removal, Hann window of
 * 3 periods of the floor, autocorrelation by FFT divided by the window's autocorrelation, candidates at the
 * maxima with sin(x)/x interpolation, then a Viterbi path over the whole file with octave, octave-jump and
 * voiced/unvoiced costs. Frames sit on our grid (centre sample i*hop) rather than Praat's centred grid.
 * Departures, for speed: the FFT is the smallest power of two that gives exact lags up to the longest period plus
 * the interpolation depth, and only each frame's locally best candidate gets Praat's second, sinc-70 refinement
 * (the others keep the parabolic + sinc-30 estimate, which is what the path finder compares).
 */
import { createCosineTransform, createRealFft, type CosineTransform, type FrameInput, type RealTransform } from './real-fft.js';
import { SampleStage } from './sample-stage.js';
import { FrameStore, type SampleBuffer } from './sample-buffer.js';
import { SpillStore } from './spill.js';
import { finishSpilled } from './pitch-spilled.js';
import { SincKernel, sincInterpolate } from './sinc.js';
import { PathKernel } from './path-kernel.js';
export { sincInterpolate };

export interface PitchParams {
  sampleRate: number;
  /** Frame step in samples (frame i centred on sample i*hop). */
  hop: number;
  floor: number;
  ceiling: number;
  maxCandidates: number;
  silenceThreshold: number;
  voicingThreshold: number;
  octaveCost: number;
  octaveJumpCost: number;
  voicedUnvoicedCost: number;
  /** Periods of the floor per window (Praat ac: 3). */
  periodsPerWindow?: number;
  /** Praat's second (sinc-70 Brent) pass for every candidate, as Praat does, not only the locally best one. */
  refineAll?: boolean;
  /**
   * Frames shared between two analysers (two threads): frame i belongs to the "main" share when
   * floor(i / block) % every === 0; this analyser computes the frames of its own share only (`main` says which).
   */
  share?: FrameShare;
  /** Frames past which the candidate stores go to temp files (spill.ts) and the path finder streams them. */
  spillAfter?: number;
}

export interface FrameShare {
  block: number;
  every: number;
  main: boolean;
}

export const inMainShare = (s: FrameShare, i: number) => Math.floor(i / s.block) % s.every === 0;

/** The raw per-frame candidates of an analyser (its frames only, in order). */
export interface PitchFrames {
  count: number;
  nCand: Float32Array;
  freq: Float32Array;
  strength: Float32Array;
  localPeak: Float32Array;
}

export interface PitchTrack {
  /** F0 in Hz per frame; 0 when unvoiced. */
  f0: Float32Array;
  /** Strength (normalised autocorrelation) of the chosen candidate; 0 when unvoiced (empty: a spilled analysis, pitch-spilled.ts). */
  strength: Float32Array;
  /** Strength of the strongest voiced candidate of the frame, chosen or not (0 when none). */
  maxStrength: Float32Array;
  /** 1 where that candidate has its octave above the ceiling at least as strong (octaveAboveCeiling). */
  octaveAbove: Uint8Array;
  n: number;
}

/**
 * Brent's parabolic step through (x, fx), (w, fw), (v, fv), or null when it is not acceptable (it would not be less
 * than half the step before last, e, or would leave [a, b]); a step ending within tol2 of an end becomes tol1 towards
 * the middle xm.
 */
function parabolicStep(a: number, b: number, x: number, w: number, v: number, fx: number, fw: number, fv: number, e: number, xm: number, tol1: number, tol2: number): number | null {
  const r = (x - w) * (fx - fv);
  let q = (x - v) * (fx - fw);
  let p = (x - v) * q - (x - w) * r;
  q = 2 * (q - r);
  if (q > 0) p = -p;
  q = Math.abs(q);
  if (Math.abs(p) >= Math.abs(0.5 * q * e) || p <= q * (a - x) || p >= q * (b - x)) return null;
  let d = p / q;
  const u = x + d;
  if (u - a < tol2 || b - u < tol2) d = xm - x >= 0 ? tol1 : -tol1;
  return d;
}

/** Brent's minimiser (golden section + parabolic steps) of f on [a, b]; returns [xmin, fmin]. */
export function brentMinimize(f: (x: number) => number, a: number, b: number, tol: number, maxIter = 60): [number, number] {
  const CGOLD = 0.381966011250105;
  let x = a + CGOLD * (b - a);
  let w = x;
  let v = x;
  let fx = f(x);
  let fw = fx;
  let fv = fx;
  let d = 0;
  let e = 0;
  for (let it = 0; it < maxIter; it++) {
    const xm = 0.5 * (a + b);
    const tol1 = tol * Math.abs(x) + 1e-12;
    const tol2 = 2 * tol1;
    if (Math.abs(x - xm) <= tol2 - 0.5 * (b - a)) break;
    let useGolden = true;
    if (Math.abs(e) > tol1) {
      const step = parabolicStep(a, b, x, w, v, fx, fw, fv, e, xm, tol1, tol2);
      e = d;
      if (step !== null) {
        d = step;
        useGolden = false;
      }
    }
    if (useGolden) {
      e = x >= xm ? a - x : b - x;
      d = CGOLD * e;
    }
    const u = Math.abs(d) >= tol1 ? x + d : x + (d >= 0 ? tol1 : -tol1);
    const fu = f(u);
    if (fu <= fx) {
      if (u >= x) a = x;
      else b = x;
      v = w;
      fv = fw;
      w = x;
      fw = fx;
      x = u;
      fx = fu;
    } else {
      if (u < x) a = u;
      else b = u;
      if (fu <= fw || w === x) {
        v = w;
        fv = fw;
        w = u;
        fw = fu;
      } else if (fu <= fv || v === x || v === w) {
        v = u;
        fv = fu;
      }
    }
  }
  return [x, fx];
}

const log2 = Math.log2;
/** peakLags without WebAssembly (never read). */
const NO_LAGS = new Int32Array(0);
/** Samples staged per block beyond one frame's (sample-stage.ts): about 25 frames at a 10 ms hop and 16 kHz. */
const STAGE_BLOCK = 4096;

export class PitchAnalyzer {
  next = 0;
  readonly nCand: FrameStore;
  readonly freq: FrameStore;
  readonly strength: FrameStore;
  readonly localPeak: FrameStore;
  private readonly p: Required<PitchParams>;
  private readonly nsampPeriod: number;
  private readonly halfnsampPeriod: number;
  private readonly nsampWindow: number;
  private readonly halfnsampWindow: number;
  private readonly maximumLag: number;
  private readonly rMax: number;
  private readonly reach: number;
  private readonly window: Float64Array;
  private readonly windowR: Float64Array;
  private readonly M: number;
  private readonly fft: RealTransform;
  /** The frame's samples staged in the FFT kernel's memory and windowed there (null without WebAssembly: prepare). */
  private readonly staged: FrameInput | null;
  private readonly stage: SampleStage | null;
  private readonly frameBuf: Float64Array;
  /** Power spectrum of the frame being analysed. */
  private readonly spec: Float64Array;
  /** Half-size FFT and tables of the cosine transform that turns the power spectrum into the autocorrelation. */
  private readonly fftHalf: RealTransform;
  private readonly cosTab: Float64Array;
  private readonly sinTab: Float64Array;
  private readonly zHalf: Float64Array;
  /** The same cosine transform as one WebAssembly call (null without WebAssembly SIMD); its output is acf. */
  private readonly cosine: CosineTransform | null;
  /** Unnormalised circular autocorrelation of frameBuf at lags 0 .. M/2 (times 1/2: the scale cancels in r). */
  private readonly acf: Float64Array;
  /** acf[0 .. rMax] (a view made once: a subarray per frame was an allocation per frame). */
  private readonly acfHead: Float64Array;
  private readonly r: Float64Array;
  /** Sinc interpolation of r (r lives in its memory). */
  private readonly sinc: SincKernel;
  private readonly seg: Float32Array;
  private readonly ceiling: number;
  private readonly lags: Float64Array;
  /**
   * Per slot of the frame being analysed, once its slots are full: the stored strength minus the octave cost,
   * S - octaveCost * log2(floor / F), of the stored (rounded) values, updated when a slot is replaced. The slot search
   * computed this anew for every slot at every peak (95 068 searches of 14 slots on the bench's 10 minutes of
   * speech): the same expression of the same values, so the same bits.
   */
  private readonly slotScore: Float64Array;

  constructor(params: PitchParams) {
    this.p = { periodsPerWindow: 3, refineAll: false, share: undefined as unknown as FrameShare, spillAfter: undefined as unknown as number, ...params };
    const sr = this.p.sampleRate;
    const ppw = this.p.periodsPerWindow;
    this.ceiling = Math.min(this.p.ceiling, 0.5 * sr);
    this.nsampPeriod = Math.floor(sr / this.p.floor);
    this.halfnsampPeriod = Math.floor(this.nsampPeriod / 2) + 1;
    const nw = Math.floor((ppw / this.p.floor) * sr);
    this.halfnsampWindow = Math.floor(nw / 2) - 1;
    if (this.halfnsampWindow < 2) throw new RangeError('pitch analysis window too short (raise the sample rate or lower the floor)');
    this.nsampWindow = this.halfnsampWindow * 2;
    this.maximumLag = Math.min(this.nsampWindow, Math.floor(this.nsampWindow / ppw) + 2);
    // Smallest FFT whose circular autocorrelation is exact up to maximumLag + 30 (sinc depth of the first pass).
    let M = 1;
    while (M - this.nsampWindow < this.maximumLag + 31) M *= 2;
    this.M = M;
    this.rMax = Math.min(Math.floor(this.nsampWindow * 0.5), M - this.nsampWindow);
    this.reach = Math.max(this.halfnsampWindow, this.nsampPeriod) + 1;
    this.window = new Float64Array(this.nsampWindow);
    for (let j = 0; j < this.nsampWindow; j++) this.window[j] = 0.5 - 0.5 * Math.cos(((j + 1) * 2 * Math.PI) / (this.nsampWindow + 1));
    this.fft = createRealFft(M, { samples: 2 * this.reach + STAGE_BLOCK, window: this.nsampWindow });
    this.staged = this.fft.frameInput;
    this.staged?.window.set(this.window);
    this.stage = this.staged ? new SampleStage(this.staged.samples) : null;
    this.frameBuf = this.fft.input;
    this.spec = this.fft.out;
    const N = M >> 1;
    this.fftHalf = createRealFft(N);
    this.cosTab = new Float64Array(N >> 1);
    this.sinTab = new Float64Array(N >> 1);
    for (let j = 0; j < N >> 1; j++) {
      this.cosTab[j] = Math.cos((Math.PI * j) / N);
      this.sinTab[j] = Math.sin((Math.PI * j) / N);
    }
    this.zHalf = this.fftHalf.input;
    this.cosine = createCosineTransform(N);
    this.acf = this.cosine ? this.cosine.out : new Float64Array(N + 1);
    this.acfHead = this.acf.subarray(0, this.rMax + 1);
    this.sinc = new SincKernel(this.rMax, 70, Math.max(1, this.maximumLag));
    this.r = this.sinc.r;
    this.seg = new Float32Array(2 * this.reach + 2);
    // Normalised autocorrelation of the window.
    this.frameBuf.set(this.window);
    this.powerSpectrum();
    this.autocorrelate();
    this.windowR = new Float64Array(this.rMax + 1);
    const a0 = this.acf[0];
    for (let i = 0; i <= this.rMax; i++) this.windowR[i] = this.acf[i] / a0;
    const pk = this.sinc.peakInputs;
    if (pk !== null) {
      pk.windowR.set(this.windowR);
      pk.thr[0] = 0.5 * this.p.voicingThreshold;
    }
    const mc = this.p.maxCandidates;
    this.lags = new Float64Array(mc);
    this.slotScore = new Float64Array(mc);
    // Small first capacities: the stores grow (doubling) within the first frames, before V8 optimises the frame
    // code that inlines their growth, instead of deoptimising it at 1024 frames.
    const after = this.p.spillAfter;
    const store = (w: number) => (after === undefined ? new FrameStore(w, 16) : new SpillStore(w, after));
    this.nCand = store(1);
    this.freq = store(mc);
    this.strength = store(mc);
    this.localPeak = store(1);
  }

  minNeeded(): number {
    return this.next * this.p.hop - this.reach;
  }

  /** frameBuf (length M, zero-padded) -> spec: its power spectrum, bins 0 .. M/2. */
  private powerSpectrum(): void {
    this.fft.power(this.frameBuf, this.spec);
  }

  /**
   * spec -> acf: half the circular autocorrelation, the inverse DFT of the power spectrum. The spectrum is real and
   * even, so its length-M DFT is a DCT-I of M/2 + 1 points, computed with one real FFT of M/2 points (Numerical
   * Recipes' cosft1, 3rd ed. section 12.4.2) instead of a second one of M points.
   */
  private autocorrelate(): void {
    const { spec, M } = this;
    if (this.cosine !== null) {
      this.cosine.y.set(spec); // (WebAssembly, the same operations as below: test/audio-wasm.test.ts)
      this.cosine.run();
      return;
    }
    const N = M >> 1;
    // cosft1: y[j] = spec[j], j = 0..N; acf[k] = y0/2 + (-1)^k yN/2 + sum_{j=1}^{N-1} y_j cos(pi j k / N).
    const { zHalf: z, cosTab, sinTab, acf } = this;
    let sum = 0.5 * (spec[0] - spec[N]);
    z[0] = 0.5 * (spec[0] + spec[N]);
    for (let j = 1; j < N >> 1; j++) {
      const y1 = 0.5 * (spec[j] + spec[N - j]);
      const y2 = spec[j] - spec[N - j];
      z[j] = y1 - sinTab[j] * y2;
      z[N - j] = y1 + sinTab[j] * y2;
      sum += cosTab[j] * y2;
    }
    z[N >> 1] = spec[N >> 1];
    this.fftHalf.forward(z);
    const { re, im } = this.fftHalf;
    // Even outputs are the real parts; odd ones a running sum of the imaginary parts (the FFT is e^{-i...}: minus).
    for (let k = 0; k <= N >> 1; k++) acf[2 * k] = re[k];
    acf[1] = sum;
    for (let k = 1; k < N >> 1; k++) {
      sum -= im[k];
      acf[2 * k + 1] = sum;
    }
  }

  pump(buf: SampleBuffer): void {
    const hop = this.p.hop;
    const nFrames = buf.total === null ? Infinity : 1 + Math.floor(buf.total / hop);
    const share = this.p.share;
    while (this.next < nFrames) {
      const c = this.next * hop;
      if (buf.total === null && c + this.reach > buf.end) break;
      if (share && inMainShare(share, this.next) !== share.main) {
        this.next++;
        continue;
      }
      this.frame(buf, c);
      this.next++;
    }
  }

  /** The candidates computed so far (copies), for merging with the other share's analyser. */
  frames(): PitchFrames {
    if (this.freq instanceof SpillStore && this.freq.file !== null) throw new Error('PitchAnalyzer.frames: not with spilled stores (frame shares keep theirs in memory)');
    const mc = this.p.maxCandidates;
    const count = this.nCand.length;
    return {
      count,
      nCand: this.nCand.data.slice(0, count),
      freq: this.freq.data.slice(0, count * mc),
      strength: this.strength.data.slice(0, count * mc),
      localPeak: this.localPeak.data.slice(0, count),
    };
  }

  /** Appends the next frame from `src` (its frame k) to this analyser's stores. */
  private absorb(src: PitchFrames, k: number): void {
    const mc = this.p.maxCandidates;
    const o = this.freq.push();
    this.strength.push();
    this.freq.data.set(src.freq.subarray(k * mc, k * mc + mc), o);
    this.strength.data.set(src.strength.subarray(k * mc, k * mc + mc), o);
    this.nCand.add(src.nCand[k]);
    this.localPeak.add(src.localPeak[k]);
    this.next++;
  }

  /** An analyser holding frames 0..n-1 taken from the two shares' analysers, ready for finish(). */
  static merged(params: PitchParams, share: FrameShare, n: number, main: PitchFrames, other: PitchFrames): PitchAnalyzer {
    const a = new PitchAnalyzer({ ...params, share: undefined });
    let km = 0;
    let ko = 0;
    for (let i = 0; i < n; i++) {
      if (inMainShare(share, i)) a.absorb(main, km++);
      else a.absorb(other, ko++);
    }
    if (km !== main.count || ko !== other.count) throw new Error(`pitch shares do not add up: ${km}/${main.count} and ${ko}/${other.count} frames`);
    return a;
  }

  /** Analyses one frame whose window starts at sample c - halfWindow (Praat's rightSample, 0-based) and appends it. */
  analyzeAt(buf: SampleBuffer, c: number): void {
    this.frame(buf, c);
    this.next++;
  }

  private frame(buf: SampleBuffer, c: number): void {
    const localPeak = this.staged !== null ? this.prepareStaged(buf, c, this.staged, this.stage!) : this.prepare(buf, c, this.frameBuf);
    if (localPeak !== 0) this.powerSpectrum();
    this.candidates(localPeak);
  }

  /** prepare() by the FFT kernel (wasm/real-fft.wat pitchFrame: the same bits) on samples staged in its memory. */
  private prepareStaged(buf: SampleBuffer, c: number, staged: FrameInput, stage: SampleStage): number {
    const { reach, halfnsampWindow: H, nsampWindow: Nw } = this;
    const from = stage.at(buf, c - reach, 2 * reach);
    const j0 = Math.max(0, H - this.halfnsampPeriod);
    const j1 = Math.min(Nw - 1, H + this.halfnsampPeriod - 1);
    return staged.pitchFrame(from, reach, this.nsampPeriod, H, j0, j1);
  }

  /** The windowed, locally mean-subtracted frame centred on c into dst[0 .. nsampWindow); returns its local peak. */
  private prepare(buf: SampleBuffer, c: number, dst: Float64Array): number {
    const { nsampPeriod: P, halfnsampWindow: H, nsampWindow: Nw, window, seg, reach } = this;
    // Samples c - reach .. c + reach into seg (zeros outside the signal).
    const s0 = c - reach;
    let xi = buf.index(s0, 2 * reach);
    let x: Float32Array = buf.data;
    if (xi < 0) {
      buf.copy(seg, s0, 2 * reach);
      x = seg;
      xi = 0;
    }
    // Local mean over one longest period either side (Praat: rightSample - P .. leftSample + P, i.e. c-P .. c+P-1).
    let sum = 0;
    for (let i = xi + reach - P; i < xi + reach + P; i++) sum += x[i];
    const mean = sum / (2 * P);
    const st = xi + reach - H;
    for (let j = 0; j < Nw; j++) dst[j] = (x[st + j] - mean) * window[j];
    // (dst beyond Nw stays zero)
    let localPeak = 0;
    const j0 = Math.max(0, H - this.halfnsampPeriod);
    const j1 = Math.min(Nw - 1, H + this.halfnsampPeriod - 1);
    for (let j = j0; j <= j1; j++) {
      const a = Math.abs(dst[j]);
      if (a > localPeak) localPeak = a;
    }
    return localPeak;
  }

  /**
   * Appends one frame's candidates; spec holds its power spectrum unless localPeak is 0 (digital silence: the
   * unvoiced candidate only). A silent frame runs a subset of what a sounding one runs, so the first silent frame
   * after V8 optimised this does not deoptimise it (it used to, by a store only silent frames made).
   */
  private candidates(localPeak: number): void {
    this.localPeak.add(localPeak);
    const co = this.freq.push();
    this.strength.push();
    const cn = this.nCand.push();
    this.freq.data[co] = 0;
    this.strength.data[co] = 0;
    const n = localPeak === 0 ? 1 : this.voicedCandidates(co);
    this.nCand.data[cn] = n;
  }

  /** Praat's candidates (first pass, then the second pass for the best) into slots 1.. at store offset co; returns the slot count. */
  private voicedCandidates(co: number): number {
    const { r, rMax } = this;
    const vt = this.p.voicingThreshold;
    const mc = this.p.maxCandidates;
    const sr = this.p.sampleRate;
    const F = this.freq.data;
    const S = this.strength.data;
    let n = 1;
    this.autocorrelate();
    const lagLimit = Math.min(this.maximumLag, rMax);
    const pk = this.sinc.peakInputs;
    let nPeaks = -1;
    if (pk !== null) {
      // r and its peaks by WebAssembly (sinc.wat peaks: the same quotients and comparisons, so the same bits and lags)
      pk.acf.set(this.acfHead);
      nPeaks = this.sinc.findPeaks(lagLimit);
    } else {
      const acf = this.acf;
      const a0 = acf[0];
      r[0] = 1;
      for (let i = 1; i <= rMax; i++) r[i] = acf[i] / (a0 * this.windowR[i]);
    }
    const floor = this.p.floor;
    const oc = this.p.octaveCost;
    const lags = this.lags;
    const score = this.slotScore;
    let scored = false;
    const peakLags = pk !== null ? pk.lags : NO_LAGS;
    // the lags to look at: the kernel's peaks (q = 0 .. nPeaks - 1), else every lag 2 .. lagLimit - 1, tested here
    for (let q = 0, i = 2; nPeaks < 0 ? i < lagLimit : q < nPeaks; q++, i++) {
      if (nPeaks >= 0) i = peakLags[q];
      const ri = r[i];
      if (nPeaks >= 0 || (ri > 0.5 * vt && ri > r[i - 1] && ri >= r[i + 1])) {
        const dr = 0.5 * (r[i + 1] - r[i - 1]);
        const d2r = 2 * ri - r[i - 1] - r[i + 1];
        const lag = i + dr / d2r;
        const f = sr / lag;
        const s1 = this.sinc.at(lag, 30);
        const inv = 1 / s1; // computed always: a division only rare frames reached deoptimised the loop
        const s = s1 > 1 ? inv : s1;
        let place = -1;
        if (n < mc) {
          place = n++;
        } else {
          if (!scored) {
            for (let k = 1; k < mc; k++) score[k] = S[co + k] - oc * log2(floor / F[co + k]);
            scored = true;
          }
          let weakest = 2;
          for (let k = 1; k < mc; k++) {
            const ls = score[k];
            if (ls < weakest) {
              weakest = ls;
              place = k;
            }
          }
          if (s - oc * log2(floor / f) <= weakest) place = -1;
        }
        if (place >= 0) {
          F[co + place] = f;
          S[co + place] = s;
          lags[place] = i;
          if (scored) score[place] = S[co + place] - oc * log2(floor / F[co + place]);
        }
      }
    }
    this.secondPass(co, n);
    return n;
  }

  /** Praat's second pass (sinc-70 maximisation), for the locally best of the n slots at co only (or all: refineAll). */
  private secondPass(co: number, n: number): void {
    const F = this.freq.data;
    const S = this.strength.data;
    const oc = this.p.octaveCost;
    const lags = this.lags;
    let bestSlot = -1;
    let bestScore = -Infinity;
    let bestLag = 0;
    for (let k = 1; k < n; k++) {
      const score = S[co + k] - oc * log2(this.ceiling / F[co + k]);
      if (score > bestScore) {
        bestScore = score;
        bestSlot = k;
        bestLag = lags[k];
      }
    }
    if (this.p.refineAll) for (let k = 1; k < n; k++) this.refine(co + k, lags[k]);
    else if (bestSlot > 0) this.refine(co + bestSlot, bestLag);
  }

  /** -r(lag) by sinc-70 interpolation of the current frame's r (one closure per analyser, not per frame). */
  private readonly negSinc70 = (t: number) => -this.sinc.at(t, 70);

  /** Praat's second pass for the candidate at store offset o found near integer lag `lag`. */
  private refine(o: number, lag: number): void {
    const [xm, fm] = brentMinimize(this.negSinc70, lag - 1, lag + 1, 1e-5);
    const inv = -1 / fm; // = 1 / ymid, computed always (see voicedCandidates)
    const ymid = -fm > 1 ? inv : -fm;
    this.freq.data[o] = this.p.sampleRate / xm;
    this.strength.data[o] = ymid;
  }

  /** Viterbi path over all frames (Praat's Pitch_pathFinder); call after the last pump. */
  finish(globalPeak: number): PitchTrack {
    const n = this.next;
    if (this.freq instanceof SpillStore && this.freq.file !== null) return this.finishSpilled(globalPeak);
    const mc = this.p.maxCandidates;
    const f0 = new Float32Array(n);
    const strength = new Float32Array(n);
    const maxStrength = new Float32Array(n);
    const octaveAbove = new Uint8Array(n);
    const F = this.freq.data;
    const S = this.strength.data;
    const NC = this.nCand.data;
    const ceiling = this.ceiling;
    if (n === 0 || globalPeak === 0) {
      strongestVoiced(F, S, NC, n, mc, ceiling, this.p.octaveCost, maxStrength, octaveAbove);
      return { f0, strength, maxStrength, octaveAbove, n };
    }
    const { silenceThreshold, voicingThreshold, octaveCost } = this.p;
    const stepCorrection = 0.01 / (this.p.hop / this.p.sampleRate);
    const delta = new Float64Array(n * mc);
    const psi = new Uint8Array(n * mc);
    const lf = new Float64Array(n * mc);
    localScores(F, S, NC, this.localPeak.data, n, mc, ceiling, globalPeak, silenceThreshold, voicingThreshold, octaveCost, delta, lf);
    strongestVoiced(F, S, NC, n, mc, ceiling, octaveCost, maxStrength, octaveAbove, delta);
    forwardPass(NC, n, mc, this.p.octaveJumpCost * stepCorrection, this.p.voicedUnvoicedCost * stepCorrection, delta, lf, psi);
    backtrackRange(F, S, psi, n, mc, ceiling, bestLastPlace(delta, NC, n - 1, mc), f0, strength);
    return { f0, strength, maxStrength, octaveAbove, n };
  }

  /** finish() over candidate stores that went to temp files (pitch-spilled.ts); the files are closed after. */
  private finishSpilled(globalPeak: number): PitchTrack {
    const stores = [this.nCand, this.freq, this.strength, this.localPeak] as SpillStore[];
    try {
      for (const s of stores) s.seal();
      const [nCand, freq, strength, localPeak] = stores;
      const { silenceThreshold, voicingThreshold, octaveCost } = this.p;
      const stepCorrection = 0.01 / (this.p.hop / this.p.sampleRate);
      const costs = { silenceThreshold, voicingThreshold, octaveCost, jumpCost: this.p.octaveJumpCost * stepCorrection, vuCost: this.p.voicedUnvoicedCost * stepCorrection };
      return finishSpilled({ nCand, freq, strength, localPeak }, this.next, this.p.maxCandidates, this.ceiling, globalPeak, costs);
    } finally {
      for (const s of stores) s.close();
    }
  }
}

/*
 * Pitch_pathFinder's loops as functions of typed arrays and numbers that end in a plain return: V8 compiles long
 * loops on-stack before the code after them has run, and a single finish() holding all the loops was deoptimised at
 * each loop's exit and recompiled four times per file (node --trace-deopt). Same arithmetic in the same order.
 */

/**
 * maxStrength[t]: strength of the strongest candidate of frame t at or below the ceiling (0 when none); above[t]:
 * octaveAboveCeiling of the candidate in range with the best local score. `delta`: localScores' output for these
 * frames, whose voiced values are those scores (the same expression of the same values: one Math.log2 less per
 * candidate, ~230 000 per 10 minutes on the pitch worker's path finder); null: computed here.
 */
export function strongestVoiced(F: Float32Array, S: Float32Array, NC: Float32Array, n: number, mc: number, ceiling: number, octaveCost: number, maxStrength: Float32Array, above: Uint8Array, delta: Float64Array | null = null): void {
  for (let t = 0; t < n; t++) {
    let m = 0;
    let best = 0;
    let bestScore = -Infinity;
    for (let k = 1; k < NC[t]; k++) {
      const f = F[t * mc + k];
      if (f > ceiling) continue;
      if (S[t * mc + k] > m) m = S[t * mc + k];
      // The path finder's local score of a voiced candidate (localScores), for the octave check.
      const score = delta !== null && f !== 0 ? delta[t * mc + k] : S[t * mc + k] - octaveCost * log2(ceiling / f);
      if (score > bestScore) {
        bestScore = score;
        best = k;
      }
    }
    maxStrength[t] = m;
    above[t] = best > 0 && octaveAboveCeiling(F, S, t * mc, NC[t], best, ceiling, octaveCost) ? 1 : 0;
  }
}

/**
 * Whether candidate `best` of the frame at `co` has a candidate above the ceiling at its octave (1.9-2.1 times its
 * frequency) that Praat's local score would prefer, were the ceiling higher: strength + octave cost x 1 octave at
 * least its own (Pitch_pathFinder: strength - octaveCost x log2(ceiling / f)). A periodic sound above the ceiling
 * has its period's double as the best lag left in range (the path finder counts candidates above the ceiling as
 * unvoiced): a 700 Hz voice is tracked at 350 Hz so, by Praat too.
 */
function octaveAboveCeiling(F: Float32Array, S: Float32Array, co: number, nc: number, best: number, ceiling: number, octaveCost: number): boolean {
  const f = F[co + best];
  for (let k = 1; k < nc; k++) {
    const g = F[co + k];
    if (g > ceiling && g >= 1.9 * f && g <= 2.1 * f && S[co + k] + octaveCost >= S[co + best]) return true;
  }
  return false;
}

/** Each candidate's local score (Praat: unvoiced from intensity and the thresholds, voiced from its strength and the octave cost) and log2 of its frequency (NaN for the unvoiced one). */
export function localScores(F: Float32Array, S: Float32Array, NC: Float32Array, LP: Float32Array, n: number, mc: number, ceiling: number, globalPeak: number, silenceThreshold: number, voicingThreshold: number, octaveCost: number, delta: Float64Array, lf: Float64Array): void {
  for (let t = 0; t < n; t++) {
    const intensity = LP[t] > globalPeak ? 1 : LP[t] / globalPeak;
    let us = silenceThreshold <= 0 ? 0 : 2 - intensity / (silenceThreshold / (1 + voicingThreshold));
    us = voicingThreshold + (us > 0 ? us : 0);
    for (let k = 0; k < NC[t]; k++) {
      const f = F[t * mc + k];
      const voiceless = f === 0 || f > ceiling;
      delta[t * mc + k] = voiceless ? us : S[t * mc + k] - octaveCost * log2(ceiling / f);
      lf[t * mc + k] = voiceless ? NaN : log2(f);
    }
  }
}

/**
 * The Viterbi recursion: delta becomes the best cumulative score of each candidate, psi its predecessor. By
 * wasm/path.wat (path-kernel.ts, the same bits) where WebAssembly runs, else by forwardPassJs.
 */
export function forwardPass(NC: Float32Array, n: number, mc: number, jumpCost: number, vuCost: number, delta: Float64Array, lf: Float64Array, psi: Uint8Array): void {
  const kernel = PathKernel.forCandidates(mc);
  if (kernel) kernel.forward(NC, n, jumpCost, vuCost, delta, lf, psi);
  else forwardPassJs(NC, n, mc, jumpCost, vuCost, delta, lf, psi);
}

/** forwardPass in JavaScript (path.wat's reference). */
export function forwardPassJs(NC: Float32Array, n: number, mc: number, jumpCost: number, vuCost: number, delta: Float64Array, lf: Float64Array, psi: Uint8Array): void {
  const cur = new Float64Array(mc);
  for (let t = 1; t < n; t++) {
    const pb = (t - 1) * mc;
    const cb = t * mc;
    const np = NC[t - 1];
    for (let k2 = 0; k2 < NC[t]; k2++) {
      const l2 = lf[cb + k2];
      const curVoiceless = Number.isNaN(l2);
      let maximum = -1e30;
      let place = 0;
      for (let k1 = 0; k1 < np; k1++) {
        const l1 = lf[pb + k1];
        const prevVoiceless = Number.isNaN(l1);
        let cost: number;
        if (curVoiceless) cost = prevVoiceless ? 0 : vuCost;
        else cost = prevVoiceless ? vuCost : jumpCost * Math.abs(l1 - l2);
        const value = delta[pb + k1] - cost + delta[cb + k2];
        if (value > maximum) {
          maximum = value;
          place = k1;
        }
      }
      cur[k2] = maximum;
      psi[cb + k2] = place;
    }
    for (let k2 = 0; k2 < NC[t]; k2++) delta[cb + k2] = cur[k2];
  }
}

/** The best candidate of frame t by cumulative score (the first of equals). */
export function bestLastPlace(delta: Float64Array, NC: Float32Array, t: number, mc: number): number {
  let place = 0;
  let maximum = delta[t * mc];
  for (let k = 1; k < NC[t]; k++) {
    if (delta[t * mc + k] > maximum) {
      maximum = delta[t * mc + k];
      place = k;
    }
  }
  return place;
}

/**
 * Back along psi from candidate `place` of the last of m frames: f0 and strength of the voiced frames of the path
 * (arrays indexed from the range's first frame); returns the place psi gives for the frame before the range.
 */
export function backtrackRange(F: Float32Array, S: Float32Array, psi: Uint8Array, m: number, mc: number, ceiling: number, place: number, f0: Float32Array, strength: Float32Array): number {
  for (let t = m - 1; t >= 0; t--) {
    const f = F[t * mc + place];
    if (f > 0 && f <= ceiling) {
      f0[t] = f;
      strength[t] = S[t * mc + place];
    }
    place = psi[t * mc + place];
  }
  return place;
}
