/**
 * Formants as Praat's "To Formant (burg)" (Praat fon/Sound_to_Formant.cpp): the sound is resampled to twice the
 * maximum formant (5500 Hz -> 11 kHz), pre-emphasised from 50 Hz (x[i] -= exp(-2 pi 50 dt) x[i-1]), cut into
 * Gaussian-windowed frames of 2 x 25 ms every 25/4 ms centred in the signal, and each frame's LPC polynomial of
 * order 2 x 5 from Burg's method (VECburg = Numerical Recipes memcof) is solved for its roots (reflected into the
 * unit circle); every root above the real axis between 50 Hz and Nyquist - 50 Hz is a formant with frequency
 * |arg z| * Nyquist / pi and bandwidth -ln|z| * Nyquist / pi, sorted by frequency.
 * Resampling as Praat's Sound_resample (one whole-signal FFT brick wall, then sinc interpolation of depth 50);
 * departure: signals longer than about 4 minutes at 16 kHz are low-passed in overlapping blocks (see brickWall).
 */
import FFT from 'fft.js';
import { indexToX, xToIndex, xToLowIndex, type Grid } from './praat-sampled.js';
import { sincLeftSum, sincRightSum } from './sinc.js';

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

/** Largest whole-signal FFT (Praat's exact filter); longer signals are filtered in overlapping blocks. */
const MAX_WHOLE_FFT = 1 << 22;
const BLOCK = 1 << 16;
const MARGIN = 8192;
const ANTI_TURN_AROUND = 1000;

/**
 * Zeroes the spectrum at and above Praat's index `cut` of NUMrealft's packed layout (1-based: 1 = DC, 2 = Nyquist,
 * 2k+1 / 2k+2 = re / im of bin k) on a complete fft.js spectrum of size n. Praat also zeroes the Nyquist bin. As in
 * Praat, when `cut` is even the bin just below it keeps its real part (Praat's exact brick wall, quirk included).
 */
function zeroAbove(spec: number[], n: number, cut: number): void {
  spec[n] = 0; // Nyquist (bin n/2)
  spec[n + 1] = 0;
  if (cut <= 1) (spec[0] = 0), (spec[1] = 0);
  for (let k = 1; k < n / 2; k++) {
    if (2 * k + 1 >= cut) spec[2 * k] = 0;
    if (2 * k + 2 >= cut) spec[2 * k + 1] = 0;
    spec[2 * (n - k)] = spec[2 * k];
    spec[2 * (n - k) + 1] = -spec[2 * k + 1];
  }
}

/** Low-passes x[from - pad .. from - pad + n) (zeros outside the signal) and returns the filtered block. */
const fftCache = new Map<number, FFT>();
const fftOf = (n: number) => {
  let f = fftCache.get(n);
  if (!f) fftCache.set(n, (f = new FFT(n)));
  return f;
};

function filterBlock(x: Float32Array, start: number, n: number, cut: number): number[] {
  const fft = fftOf(n);
  const inp = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const i = start + j;
    inp[j] = i >= 0 && i < x.length ? x[i] : 0;
  }
  const spec = fft.createComplexArray() as number[];
  fft.realTransform(spec, inp);
  fft.completeSpectrum(spec);
  zeroAbove(spec, n, cut);
  const back = fft.createComplexArray() as number[];
  fft.inverseTransform(back, spec);
  return back;
}

/**
 * Praat's Sound_resample anti-aliasing step: one FFT of the whole signal (1000 zeros before it, padded to a power
 * of two), spectrum zeroed from Praat's index floor(upfactor * nfft) up. Signals too long for one FFT of at most
 * 2^22 points (about 4 minutes at 16 kHz) are filtered in overlapping blocks of 2^16 samples with a clean brick
 * wall at the same frequency (the whole-signal quirk of the bin below the cut-off fades with length anyway).
 */
function brickWall(x: Float32Array, upfactor: number, maxWholeFft: number): Float64Array {
  const n = x.length;
  const z = new Float64Array(n);
  let nfft = 1;
  while (nfft < n + 2 * ANTI_TURN_AROUND) nfft *= 2;
  if (nfft <= maxWholeFft) {
    const back = filterBlock(x, -ANTI_TURN_AROUND, nfft, Math.floor(upfactor * nfft));
    for (let i = 0; i < n; i++) z[i] = back[2 * (i + ANTI_TURN_AROUND)];
    return z;
  }
  const core = BLOCK - 2 * MARGIN;
  let cut = Math.floor(upfactor * BLOCK);
  if (cut % 2 === 0) cut--; // whole bins only
  for (let c0 = 0; c0 < n; c0 += core) {
    const back = filterBlock(x, c0 - MARGIN, BLOCK, cut);
    for (let j = 0; j < core && c0 + j < n; j++) z[c0 + j] = back[2 * (MARGIN + j)];
  }
  return z;
}

/** NUM_interpolate_sinc on y[1..n] (here y[0..n-1]) at 1-based fractional index x. */
function interpolateSinc(y: Float64Array, x: number, maxDepth: number): number {
  const n = y.length;
  const Y = (i: number) => y[i - 1];
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
  // 1-based indices ix read y[ix - 1] (depth keeps them within 1..n).
  const sumLeft = sincLeftSum(y, -1, x - midleft, x - left + 1, midleft, left);
  return sincRightSum(y, -1, sumLeft, midright - x, right - x + 1, midright, right);
}

/** Sound_resample(x, srOut, 50): brick-wall low-pass when down-sampling, then sinc interpolation of depth 50. */
/** (maxWholeFft: the largest single FFT before the block path; tests lower it.) */
export function resampleLowpass(x: Float32Array, sr: number, srOut: number, maxWholeFft = MAX_WHOLE_FFT): { y: Float64Array; grid: Grid } {
  const duration = x.length / sr;
  const n = Math.floor(duration * srOut + 0.5);
  const grid: Grid = { nx: n, dx: 1 / srOut, x1: 0.5 * (duration - (n - 1) / srOut) };
  const upfactor = srOut / sr;
  const z = upfactor < 1 ? brickWall(x, upfactor, maxWholeFft) : Float64Array.from(x);
  const src: Grid = { nx: x.length, dx: 1 / sr, x1: 0.5 / sr };
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = interpolateSinc(z, xToIndex(src, indexToX(grid, i + 1)), 50);
  return { y, grid };
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
function windowedFrame(y: Float64Array, nx: number, left: number, halfN: number, win: Float64Array, frame: Float64Array): number {
  let start = left + 1 - halfN;
  let end = left + halfN;
  if (start < 1) start = 1;
  if (end > nx) end = nx;
  let maxI = 0;
  for (let i = start; i <= end; i++) maxI = Math.max(maxI, y[i - 1] * y[i - 1]);
  if (maxI === 0) return 0;
  const len = end - start + 1;
  for (let k = 1; k <= len; k++) frame[k] = y[start + k - 2] * win[k];
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

/** Formant frames of x: Praat's Sound_to_Formant_burg(x, 0, nFormants, maxFormant, halfWindow, preEmphasisHz). */
export function formantBurg(x: Float32Array, sr: number, nFormants: number, maxFormant: number, halfWindow: number, preEmphasisHz: number): Formants | null {
  const nPoles = Math.round(2 * nFormants);
  const maxFormants = (nPoles + 1) >> 1;
  const { y, grid: g } = Math.abs(maxFormant / (0.5 * sr) - 1) < 1e-12 ? { y: Float64Array.from(x), grid: { nx: x.length, dx: 1 / sr, x1: 0.5 / sr } } : resampleLowpass(x, sr, 2 * maxFormant);
  const dx = g.dx;
  const nx = g.nx;
  const dt = halfWindow / 4;
  const physical = nx * dx;
  const dtWindow = 2 * halfWindow;
  let nFrames = 1 + Math.floor((physical - dtWindow) / dt);
  const nsampWindow = Math.floor(dtWindow / dx);
  const halfN = Math.floor(nsampWindow / 2);
  if (nsampWindow < nPoles + 1 || nFrames < 1) return null;
  const t1 = g.x1 + 0.5 * (physical - dx - (nFrames - 1) * dt);
  const pre = Math.exp(-2 * Math.PI * preEmphasisHz * dx);
  for (let i = nx - 1; i >= 1; i--) y[i] -= pre * y[i - 1];
  const win = gaussianWindow(nsampWindow);
  const buf: BurgBuffers = {
    frame: new Float64Array(nsampWindow + 2),
    a: new Float64Array(nPoles + 1),
    c: new Float64Array(nPoles),
    scratch: { b1: new Float64Array(nsampWindow + 2), b2: new Float64Array(nsampWindow + 2), aa: new Float64Array(nPoles + 1) },
    fs: [],
    bs: [],
  };
  const count = new Uint8Array(nFrames);
  const freq = new Float64Array(nFrames * maxFormants).fill(NaN);
  const bw = new Float64Array(nFrames * maxFormants).fill(NaN);
  const nyq = 0.5 / dx;
  const fg: Grid = { nx: nFrames, dx: dt, x1: t1 };
  const { fs, bs } = buf;
  for (let iframe = 1; iframe <= nFrames; iframe++) {
    const len = windowedFrame(y, nx, xToLowIndex(g, indexToX(fg, iframe)), halfN, win, buf.frame);
    if (len === 0) continue;
    frameFormants(buf, len, nPoles, nyq);
    // Sorted by frequency, at most maxFormants.
    const order = fs.map((_, k) => k).sort((p, q) => fs[p] - fs[q]);
    const nf = Math.min(order.length, maxFormants);
    count[iframe - 1] = nf;
    for (let k = 0; k < nf; k++) {
      freq[(iframe - 1) * maxFormants + k] = fs[order[k]];
      bw[(iframe - 1) * maxFormants + k] = bs[order[k]];
    }
  }
  return { n: nFrames, x1: t1, dx: dt, maxFormants, count, freq, bw };
}
