/**
 * Offset between two audio recordings of the same scene without a sync pulse (camera mic against lavalier mic).
 *
 * Coarse: onset-strength envelopes on a 5 ms grid (positive log-band-energy differences summed over 24 log-spaced
 * bands, as librosa.onset.onset_strength does with a mel spectrogram) are cross-correlated; confidence is the peak
 * over the next-highest peak more than 50 ms away (the figure audio-offset-finder reports as its peak ratio).
 * Fine: generalised cross-correlation with phase transform (GCC-PHAT; Knapp & Carter 1976) of the waveforms aligned
 * by the coarse lag, restricted to 100 Hz .. 6 kHz, with parabolic interpolation of the peak (below one sample).
 * Whitening makes GCC-PHAT indifferent to the microphones' different frequency responses, and it keeps the direct
 * path's peak sharp under reverberation.
 */
import FFT from 'fft.js';

export interface XcorrResult {
  /** Add to a time in b to get the time of the same sound in a, seconds. */
  offset_s: number;
  /** Coarse peak over next-highest peak (>= 1; 1 means no preference). */
  peak_ratio: number;
  /** Fine (GCC-PHAT) peak over next-highest peak. */
  fine_peak_ratio: number | null;
  /** 0..1 from the peak ratio (0.5 at 1.5). */
  confidence: number;
  /** Seconds of overlapping audio the estimate used. */
  overlap_s: number;
}

export interface XcorrOptions {
  /** Largest |offset| considered, seconds (default: anything that leaves 5 s of overlap). */
  maxLagS?: number;
}

const HOP_S = 0.005;
const FRAME = 512;

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p <<= 1;
  return p;
}

export function xcorrConfidence(ratio: number): number {
  return 1 / (1 + Math.exp(-(ratio - 1.5) / 0.1));
}

/** Onset-strength envelope, zero mean and unit variance, one value per 5 ms. */
export function onsetEnvelope(x: Float32Array, sr: number): Float64Array {
  const hop = Math.round(HOP_S * sr);
  const nF = Math.max(0, Math.floor((x.length - FRAME) / hop) + 1);
  const fft = new FFT(FRAME);
  const win = new Float64Array(FRAME);
  for (let i = 0; i < FRAME; i++) win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / FRAME);
  const nb = 24;
  const fLo = 80;
  const fHi = Math.min(6000, sr / 2 - 100);
  const edges: number[] = [];
  for (let b = 0; b <= nb; b++) edges.push(Math.max(1, Math.round(((fLo * (fHi / fLo) ** (b / nb)) / sr) * FRAME)));
  const frame = new Array<number>(FRAME).fill(0);
  const spec = fft.createComplexArray() as number[];
  const prev = new Float64Array(nb);
  const env = new Float64Array(nF);
  for (let f = 0; f < nF; f++) {
    const o = f * hop;
    for (let i = 0; i < FRAME; i++) frame[i] = x[o + i] * win[i];
    fft.realTransform(spec, frame);
    let flux = 0;
    for (let b = 0; b < nb; b++) {
      let e = 0;
      for (let k = edges[b]; k < Math.max(edges[b] + 1, edges[b + 1]); k++) e += spec[2 * k] ** 2 + spec[2 * k + 1] ** 2;
      const l = Math.log10(e + 1e-10);
      if (f > 0) flux += Math.max(0, l - prev[b]);
      prev[b] = l;
    }
    env[f] = flux;
  }
  let m = 0;
  for (const v of env) m += v;
  m /= Math.max(1, nF);
  let s = 0;
  for (let i = 0; i < nF; i++) {
    env[i] -= m;
    s += env[i] * env[i];
  }
  s = Math.sqrt(s / Math.max(1, nF)) || 1;
  for (let i = 0; i < nF; i++) env[i] /= s;
  return env;
}

/** Circular cross-correlation r[k] = sum_n a[n + k] b[n] by FFT (size >= a.length + b.length). */
function crossCorrelate(a: ArrayLike<number>, b: ArrayLike<number>, size: number, phat: null | { lo: number; hi: number }): Float64Array {
  const fft = new FFT(size);
  const ia = new Array<number>(size).fill(0);
  const ib = new Array<number>(size).fill(0);
  for (let i = 0; i < a.length; i++) ia[i] = a[i];
  for (let i = 0; i < b.length; i++) ib[i] = b[i];
  const A = fft.createComplexArray() as number[];
  const Bs = fft.createComplexArray() as number[];
  fft.realTransform(A, ia);
  fft.completeSpectrum(A);
  fft.realTransform(Bs, ib);
  fft.completeSpectrum(Bs);
  const G = fft.createComplexArray() as number[];
  for (let k = 0; k < size; k++) {
    const ar = A[2 * k];
    const ai = A[2 * k + 1];
    const br = Bs[2 * k];
    const bi = -Bs[2 * k + 1];
    let re = ar * br - ai * bi;
    let im = ar * bi + ai * br;
    if (phat) {
      const kk = Math.min(k, size - k);
      if (kk < phat.lo || kk > phat.hi) {
        re = 0;
        im = 0;
      } else {
        const m = Math.hypot(re, im) || 1;
        re /= m;
        im /= m;
      }
    }
    G[2 * k] = re;
    G[2 * k + 1] = im;
  }
  const out = fft.createComplexArray() as number[];
  fft.inverseTransform(out, G);
  const r = new Float64Array(size);
  for (let k = 0; k < size; k++) r[k] = out[2 * k];
  return r;
}

/** Fewer other lags than this to compare the peak with: its clarity is unknown (ratio 0), never Infinity. */
const MIN_COMPARISON_LAGS = 40;

function peakRatio(get: (lag: number) => number, lags: number[], best: number, exclude: number): number {
  const p = get(best);
  let second = 0;
  let compared = 0;
  for (const l of lags) {
    if (Math.abs(l - best) <= exclude) continue;
    compared++;
    second = Math.max(second, get(l));
  }
  if (compared < MIN_COMPARISON_LAGS) return 0;
  return second > 0 ? p / second : Infinity;
}

/**
 * Offset between recordings a and b (mono, same sample rate); aT0/bT0 are the stream times of their first samples.
 */
export function audioOffset(a: Float32Array, aT0: number, b: Float32Array, bT0: number, sr: number, opts: XcorrOptions = {}): XcorrResult | null {
  const hop = Math.round(HOP_S * sr);
  const ea = onsetEnvelope(a, sr);
  const eb = onsetEnvelope(b, sr);
  const minOverlap = Math.min(ea.length, eb.length, Math.round(5 / HOP_S));
  if (minOverlap < Math.round(2 / HOP_S)) return null;
  const size = nextPow2(ea.length + eb.length);
  const r = crossCorrelate(ea, eb, size, null);
  const maxLag = opts.maxLagS === undefined ? Infinity : opts.maxLagS / HOP_S;
  const lags: number[] = [];
  const t0Frames = (aT0 - bT0) / HOP_S; // frame lag L corresponds to offset L*hop + aT0 - bT0
  for (let L = -(eb.length - minOverlap); L <= ea.length - minOverlap; L++) {
    if (Math.abs(L + t0Frames) > maxLag) continue;
    lags.push(L);
  }
  if (lags.length === 0) return null;
  // Normalise by overlap length so that lags with little overlap do not win by chance.
  const get = (L: number) => {
    const ov = Math.min(ea.length, L + eb.length) - Math.max(0, L);
    return ov > 0 ? r[(L + size) % size] / Math.sqrt(ov) : 0;
  };
  let best = lags[0];
  for (const L of lags) if (get(L) > get(best)) best = L;
  const ratio = peakRatio(get, lags, best, Math.round(0.05 / HOP_S));

  // Fine: GCC-PHAT on up to 16 s of overlapping waveform around the coarse lag (in samples).
  const Ls = best * hop;
  const j0 = Math.max(0, -Ls);
  const j1 = Math.min(b.length, a.length - Ls);
  const overlapS = Math.max(0, (j1 - j0) / sr);
  let lagSamples = Ls;
  let fineRatio: number | null = null;
  const W = Math.min(j1 - j0, 1 << 18);
  if (W >= sr) {
    const margin = Math.round(0.06 * sr);
    const segB = b.subarray(j0, j0 + W);
    const segA = a.subarray(j0 + Ls, j0 + Ls + W);
    const size2 = nextPow2(2 * W);
    const rr = crossCorrelate(segA, segB, size2, { lo: Math.round((100 / sr) * size2), hi: Math.round((6000 / sr) * size2) });
    const g = (k: number) => rr[(k + size2) % size2];
    const ks: number[] = [];
    for (let k = -margin; k <= margin; k++) ks.push(k);
    let kb = 0;
    for (const k of ks) if (g(k) > g(kb)) kb = k;
    const y0 = g(kb - 1);
    const y1 = g(kb);
    const y2 = g(kb + 1);
    const den = y0 - 2 * y1 + y2;
    const delta = den < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (y0 - y2)) / den)) : 0;
    fineRatio = peakRatio(g, ks, kb, Math.round(0.002 * sr));
    lagSamples = Ls + kb + delta;
  }
  return {
    offset_s: lagSamples / sr + aT0 - bT0,
    peak_ratio: ratio,
    fine_peak_ratio: fineRatio,
    confidence: xcorrConfidence(ratio),
    overlap_s: overlapS,
  };
}
