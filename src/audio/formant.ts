/**
 * Formants as Praat's "To Formant (burg)" (Praat fon/Sound_to_Formant.cpp): the sound is resampled to twice the
 * maximum formant (5500 Hz -> 11 kHz), pre-emphasised from 50 Hz (x[i] -= exp(-2 pi 50 dt) x[i-1]), cut into
 * Gaussian-windowed frames of 2 x 25 ms every 25/4 ms centred in the signal, and each frame's LPC polynomial of
 * order 2 x 5 from Burg's method (VECburg = Numerical Recipes memcof) is solved for its roots (reflected into the
 * unit circle); every root above the real axis between 50 Hz and Nyquist - 50 Hz is a formant with frequency
 * |arg z| * Nyquist / pi and bandwidth -ln|z| * Nyquist / pi, sorted by frequency.
 * Resampling as Praat's Sound_resample (one whole-signal FFT brick wall at any length, whole-filter.ts, then sinc
 * interpolation of depth 50).
 */
import { indexToX, xToIndex, xToLowIndex, type Grid } from './praat-sampled.js';
import { sincLeftSum, sincRightSum } from './sinc.js';
import { signalOf, type VoiceSignal } from './voice-signal.js';
import { FILTER_LIMITS, praatLowpass, type Filtered } from './whole-filter.js';

export interface Formants {
  n: number;
  x1: number;
  dx: number;
  maxFormants: number;
  /** Formants per frame. */
  count: Uint8Array;
  /** n x maxFormants, ascending frequency per frame. */
  freq: Float64Array;
  bw: Float64Array;
}

/** NUM_interpolate_sinc on y[1..n] at 1-based fractional index x; y[i - 1 - off] holds y[i] (a window of y). */
function interpolateSinc(y: Float64Array, n: number, off: number, x: number, maxDepth: number): number {
  const Y = (i: number) => y[i - 1 - off];
  const midleft = Math.floor(x);
  const midright = midleft + 1;
  if (n < 1) return NaN;
  if (x > n) return Y(n);
  if (x < 1) return Y(1);
  if (x === midleft) return Y(midleft);
  let depth = maxDepth;
  if (depth > midright - 1) depth = midright - 1;
  if (depth > n - midleft) depth = n - midleft;
  if (depth <= 0) return Y(Math.floor(x + 0.5));
  if (depth === 1) return Y(midleft) + (x - midleft) * (Y(midright) - Y(midleft));
  if (depth === 2) {
    const yl = Y(midleft);
    const yr = Y(midright);
    const dyl = 0.5 * (yr - Y(midleft - 1));
    const dyr = 0.5 * (Y(midright + 1) - yl);
    const fil = x - midleft;
    const fir = midright - x;
    return yl * fir + yr * fil - fil * fir * (0.5 * (dyr - dyl) + (fil - 0.5) * (dyl + dyr - 2 * (yr - yl)));
  }
  const left = midright - depth;
  const right = midleft + depth;
  // 1-based indices ix read y[ix - 1 - off] (depth keeps them within 1..n).
  const sumLeft = sincLeftSum(y, -1 - off, x - midleft, x - left + 1, midleft, left);
  return sincRightSum(y, -1 - off, sumLeft, midright - x, right - x + 1, midright, right);
}

/**
 * Sound_resample(x, srOut, 50) computed for ascending ranges of output samples: when down-sampling, Praat's
 * whole-signal brick-wall low-pass (whole-filter.ts: in memory up to 2^22 points, else in a temp file, Praat's result
 * at any length); when up-sampling (an 8 kHz file to twice a 5500 Hz maximum formant), the samples as they are
 * (Praat's Data_copy); then sinc interpolation of depth 50 (NUM_interpolate_sinc). Praat's Sound_upsample (a factor
 * of exactly 2) is another filter, not reproduced: refused (voice-rate.ts reads such a file at --sr).
 */
export class Resampled {
  readonly grid: Grid;
  private readonly src: Grid;
  private readonly nIn: number;
  private readonly filtered: Filtered | null = null;
  private z = new Float64Array(0);

  constructor(private readonly sig: VoiceSignal, sr: number, srOut: number, limits = FILTER_LIMITS) {
    const nIn = sig.n;
    const duration = nIn / sr;
    const n = Math.floor(duration * srOut + 0.5);
    this.grid = { nx: n, dx: 1 / srOut, x1: 0.5 * (duration - (n - 1) / srOut) };
    this.src = { nx: nIn, dx: 1 / sr, x1: 0.5 / sr };
    this.nIn = nIn;
    const upfactor = srOut / sr;
    if (Math.abs(upfactor - 2) < 1e-6) throw new Error(`resampling by a factor of 2 (${sr} to ${srOut} Hz) is Praat's Sound_upsample, not reproduced`);
    if (upfactor < 1) this.filtered = praatLowpass(sig, upfactor, limits);
  }

  /** Output samples [i0, i1) (0-based) into out[0 .. i1 - i0). */
  fill(i0: number, i1: number, out: Float64Array): void {
    if (i1 <= i0) return;
    const at = (i: number) => xToIndex(this.src, indexToX(this.grid, i + 1));
    const lo = Math.max(1, Math.floor(at(i0)) - 51);
    const hi = Math.min(this.nIn, Math.floor(at(i1 - 1)) + 52);
    const z = this.window(lo - 1, hi);
    for (let i = i0; i < i1; i++) out[i - i0] = interpolateSinc(z, this.nIn, lo - 1, at(i), 50);
  }

  /** The filtered (or, up-sampling, the plain) signal's samples [lo, hi) (0-based). */
  private window(lo: number, hi: number): Float64Array {
    if (this.z.length < hi - lo) this.z = new Float64Array(hi - lo);
    const z = this.z;
    if (this.filtered) {
      this.filtered.read(z.subarray(0, hi - lo), lo);
      return z;
    }
    this.sig.ensure(lo, hi);
    for (let i = lo; i < hi; i++) z[i - lo] = this.sig.data[i - this.sig.base];
    return z;
  }

  /** Largest buffer of the low-pass (doubles; 0 when up-sampling). */
  get filterPeakDoubles(): number {
    return this.filtered?.peakDoubles ?? 0;
  }

  close(): void {
    this.filtered?.close();
  }
}

/** Sound_resample(x, srOut, 50) of a signal in memory (limits: the low-pass's in-memory and band sizes). */
export function resampleLowpass(x: Float32Array, sr: number, srOut: number, limits = FILTER_LIMITS): { y: Float64Array; grid: Grid } {
  const r = new Resampled(signalOf(x), sr, srOut, limits);
  try {
    const y = new Float64Array(r.grid.nx);
    for (let i = 0; i < y.length; i += 1 << 16) r.fill(i, Math.min(y.length, i + (1 << 16)), y.subarray(i));
    return { y, grid: r.grid };
  } finally {
    r.close();
  }
}

/** VECburg: LPC coefficients a[1..m] (a[0] unused) of x by Burg's method. */
function burg(x: Float64Array, n: number, m: number, a: Float64Array, scratch: { b1: Float64Array; b2: Float64Array; aa: Float64Array }): void {
  a.fill(0);
  const { b1, b2, aa } = scratch;
  b1.fill(0, 0, n + 1);
  b2.fill(0, 0, n + 1);
  aa.fill(0);
  let p = 0;
  for (let j = 1; j <= n; j++) p += x[j] * x[j];
  if (p <= 0) return;
  b1[1] = x[1];
  b2[n - 1] = x[n];
  for (let j = 2; j <= n - 1; j++) b1[j] = b2[j - 1] = x[j];
  for (let i = 1; i <= m; i++) {
    let num = 0;
    let den = 0;
    for (let j = 1; j <= n - i; j++) {
      num += b1[j] * b2[j];
      den += b1[j] * b1[j] + b2[j] * b2[j];
    }
    if (den <= 0) return;
    a[i] = (2 * num) / den;
    for (let j = 1; j <= i - 1; j++) a[j] = aa[j] - a[i] * aa[i - j];
    if (i < m) {
      for (let j = 1; j <= i; j++) aa[j] = a[j];
      for (let j = 1; j <= n - i - 1; j++) {
        b1[j] -= aa[i] * b2[j];
        b2[j] = b2[j + 1] - aa[i] * b1[j + 1];
      }
    }
  }
}

/** Roots of the monic polynomial z^m + c[m-1] z^(m-1) + ... + c[0] (Aberth-Ehrlich iteration). [re[], im[]]. */
function polyRoots(c: Float64Array, m: number): [Float64Array, Float64Array] {
  const re = new Float64Array(m);
  const im = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const ang = (2 * Math.PI * k) / m + 0.4;
    re[k] = 0.9 * Math.cos(ang);
    im[k] = 0.9 * Math.sin(ang);
  }
  for (let it = 0; it < 500; it++) {
    let moved = 0;
    for (let k = 0; k < m; k++) {
      // p(z) and p'(z) by Horner.
      let pr = 1;
      let pi = 0;
      let dr = 0;
      let di = 0;
      for (let j = m - 1; j >= 0; j--) {
        const ndr = dr * re[k] - di * im[k] + pr;
        const ndi = dr * im[k] + di * re[k] + pi;
        dr = ndr;
        di = ndi;
        const npr = pr * re[k] - pi * im[k] + c[j];
        const npi = pr * im[k] + pi * re[k];
        pr = npr;
        pi = npi;
      }
      // ratio = p / p'
      const dd = dr * dr + di * di;
      if (dd === 0) continue;
      const rr = (pr * dr + pi * di) / dd;
      const ri = (pi * dr - pr * di) / dd;
      // sum over other roots of 1 / (z_k - z_j)
      let sr = 0;
      let si = 0;
      for (let j = 0; j < m; j++) {
        if (j === k) continue;
        const ar = re[k] - re[j];
        const ai = im[k] - im[j];
        const q = ar * ar + ai * ai;
        sr += ar / q;
        si += -ai / q;
      }
      // w = ratio / (1 - ratio * sum)
      const br = 1 - (rr * sr - ri * si);
      const bi = -(rr * si + ri * sr);
      const bb = br * br + bi * bi;
      const wr = (rr * br + ri * bi) / bb;
      const wi = (ri * br - rr * bi) / bb;
      re[k] -= wr;
      im[k] -= wi;
      moved = Math.max(moved, Math.abs(wr) + Math.abs(wi));
    }
    if (moved < 1e-14) break;
  }
  return [re, im];
}

/** Praat's Gaussian analysis window win[1..n] (Sound_to_Formant: exp(-48 (i - imid)^2 / (n + 1)^2), edge removed). */
function gaussianWindow(nsampWindow: number): Float64Array {
  const win = new Float64Array(nsampWindow + 1);
  const imid = 0.5 * (nsampWindow + 1);
  const edge = Math.exp(-12);
  for (let i = 1; i <= nsampWindow; i++) win[i] = (Math.exp((-48 * (i - imid) * (i - imid)) / (nsampWindow + 1) / (nsampWindow + 1)) - edge) / (1 - edge);
  return win;
}

/** Buffers of the frame loop, allocated once per call. */
interface BurgBuffers {
  frame: Float64Array;
  a: Float64Array;
  c: Float64Array;
  scratch: { b1: Float64Array; b2: Float64Array; aa: Float64Array };
  fs: number[];
  bs: number[];
}

/**
 * The windowed frame around sample `left` (1-based) into frame[1..len]; returns len, or 0 for a silent frame
 * (Praat skips frames whose samples are all zero).
 */
function windowedFrame(y: Float64Array, off: number, nx: number, left: number, halfN: number, win: Float64Array, frame: Float64Array): number {
  let start = left + 1 - halfN;
  let end = left + halfN;
  if (start < 1) start = 1;
  if (end > nx) end = nx;
  const b = off + 1; // y[i - b] is 1-based sample i
  let maxI = 0;
  for (let i = start; i <= end; i++) maxI = Math.max(maxI, y[i - b] * y[i - b]);
  if (maxI === 0) return 0;
  const len = end - start + 1;
  for (let k = 1; k <= len; k++) frame[k] = y[start + k - 1 - b] * win[k];
  return len;
}

/**
 * Roots of the LPC polynomial (reflected into the unit circle) to formants: every root above the real axis between
 * 50 Hz and Nyquist - 50 Hz, frequency |arg z| * Nyquist / pi and bandwidth -ln|z| * Nyquist / pi, into fs / bs.
 */
function rootsToFormants(re: Float64Array, im: Float64Array, nPoles: number, nyq: number, fs: number[], bs: number[]): void {
  fs.length = 0;
  bs.length = 0;
  for (let k = 0; k < nPoles; k++) {
    let zr = re[k];
    let zi = im[k];
    const mag = Math.hypot(zr, zi);
    if (mag > 1) {
      zr /= mag * mag;
      zi /= mag * mag;
    }
    if (zi < 0) continue;
    const f = (Math.abs(Math.atan2(zi, zr)) * nyq) / Math.PI;
    if (f >= 50 && f <= nyq - 50) {
      fs.push(f);
      bs.push((-Math.log(Math.hypot(zr, zi)) * nyq) / Math.PI);
    }
  }
}

/** Burg LPC of one frame (frame[1..len]) solved for its formants, left in buf.fs / buf.bs. */
function frameFormants(buf: BurgBuffers, len: number, nPoles: number, nyq: number): void {
  const { a, c } = buf;
  burg(buf.frame, len, nPoles, a, buf.scratch);
  // p(z) = z^m - a1 z^(m-1) - ... - am  ->  monic coefficients c[j] of z^j.
  for (let j = 0; j < nPoles; j++) c[j] = -a[nPoles - j];
  const [re, im] = polyRoots(c, nPoles);
  rootsToFormants(re, im, nPoles, nyq, buf.fs, buf.bs);
}

/** The frame grid of a formant analysis (Praat's Formant object's x1, dx, nx) and its formants per frame at most. */
export interface FormantGrid {
  n: number;
  x1: number;
  dx: number;
  maxFormants: number;
}

/** Receives frame iframe (1-based, in order): its `count` formants, ascending, in freq / bw [0 .. count). */
export type FormantSink = (iframe: number, count: number, freq: Float64Array, bw: Float64Array, grid: FormantGrid) => void;

/** Frames formatted per block of the resampled signal (its buffer: about 140 000 samples at 11 kHz). */
const FRAMES_PER_BLOCK = 2048;

/** One call's constants and buffers. */
interface BurgRun {
  g: Grid;
  fg: Grid;
  halfN: number;
  nPoles: number;
  maxFormants: number;
  pre: number;
  win: Float64Array;
  buf: BurgBuffers;
  freq: Float64Array;
  bw: Float64Array;
  grid: FormantGrid;
}

/** 1-based first and last sample of frame iframe's window (Praat's clipping at the signal's ends). */
function frameSpan(r: BurgRun, iframe: number): [number, number] {
  const left = xToLowIndex(r.g, indexToX(r.fg, iframe));
  return [Math.max(1, left + 1 - r.halfN), Math.min(r.g.nx, left + r.halfN)];
}

/**
 * Frames [fa, fb] (1-based): the resampled samples their windows cover (and the one before, for the pre-emphasis),
 * pre-emphasised as Praat's in-place loop does (from the original neighbour), then each frame's formants to `sink`.
 */
function burgFrames(src: Resampled, r: BurgRun, fa: number, fb: number, y: Float64Array, sink: FormantSink): void {
  const lo = Math.max(0, frameSpan(r, fa)[0] - 2); // 0-based, one before the first window's first sample
  const hi = frameSpan(r, fb)[1]; // 0-based, exclusive
  src.fill(lo, hi, y);
  for (let i = hi - 1; i >= Math.max(1, lo + 1); i--) y[i - lo] -= r.pre * y[i - 1 - lo];
  const { buf, freq, bw, maxFormants } = r;
  const { fs, bs } = buf;
  const nyq = 0.5 / r.g.dx;
  for (let iframe = fa; iframe <= fb; iframe++) {
    const len = windowedFrame(y, lo, r.g.nx, xToLowIndex(r.g, indexToX(r.fg, iframe)), r.halfN, r.win, buf.frame);
    if (len === 0) {
      sink(iframe, 0, freq, bw, r.grid);
      continue;
    }
    frameFormants(buf, len, r.nPoles, nyq);
    // Sorted by frequency, at most maxFormants.
    const order = fs.map((_, k) => k).sort((p, q) => fs[p] - fs[q]);
    const nf = Math.min(order.length, maxFormants);
    for (let k = 0; k < nf; k++) {
      freq[k] = fs[order[k]];
      bw[k] = bs[order[k]];
    }
    sink(iframe, nf, freq, bw, r.grid);
  }
}

/**
 * Praat's Sound_to_Formant_burg(x, 0, nFormants, maxFormant, halfWindow, preEmphasisHz), frame by frame into `sink`
 * (block by block of the resampled signal: memory does not grow with the recording). Returns the frame grid, or
 * null when the signal is shorter than one window.
 */
export function formantBurgFrames(x: VoiceSignal, sr: number, nFormants: number, maxFormant: number, halfWindow: number, preEmphasisHz: number, sink: FormantSink): FormantGrid | null {
  const src = new Resampled(x, sr, Math.abs(maxFormant / (0.5 * sr) - 1) < 1e-12 ? sr : 2 * maxFormant);
  try {
    return burgAll(src, nFormants, halfWindow, preEmphasisHz, sink);
  } finally {
    src.close();
  }
}

/** formantBurgFrames on the resampled signal. */
function burgAll(src: Resampled, nFormants: number, halfWindow: number, preEmphasisHz: number, sink: FormantSink): FormantGrid | null {
  const nPoles = Math.round(2 * nFormants);
  const maxFormants = (nPoles + 1) >> 1;
  const g = src.grid;
  const dx = g.dx;
  const dt = halfWindow / 4;
  const physical = g.nx * dx;
  const dtWindow = 2 * halfWindow;
  const nFrames = 1 + Math.floor((physical - dtWindow) / dt);
  const nsampWindow = Math.floor(dtWindow / dx);
  const halfN = Math.floor(nsampWindow / 2);
  if (nsampWindow < nPoles + 1 || nFrames < 1) return null;
  const t1 = g.x1 + 0.5 * (physical - dx - (nFrames - 1) * dt);
  const buf: BurgBuffers = {
    frame: new Float64Array(nsampWindow + 2),
    a: new Float64Array(nPoles + 1),
    c: new Float64Array(nPoles),
    scratch: { b1: new Float64Array(nsampWindow + 2), b2: new Float64Array(nsampWindow + 2), aa: new Float64Array(nPoles + 1) },
    fs: [],
    bs: [],
  };
  const fg: Grid = { nx: nFrames, dx: dt, x1: t1 };
  const grid: FormantGrid = { n: nFrames, x1: t1, dx: dt, maxFormants };
  const r: BurgRun = { g, fg, halfN, nPoles, maxFormants, pre: Math.exp(-2 * Math.PI * preEmphasisHz * dx), win: gaussianWindow(nsampWindow), buf, freq: new Float64Array(maxFormants), bw: new Float64Array(maxFormants), grid };
  const y = new Float64Array(Math.ceil((FRAMES_PER_BLOCK * dt) / dx) + nsampWindow + 8);
  for (let fa = 1; fa <= nFrames; fa += FRAMES_PER_BLOCK) burgFrames(src, r, fa, Math.min(nFrames, fa + FRAMES_PER_BLOCK - 1), y, sink);
  return grid;
}
