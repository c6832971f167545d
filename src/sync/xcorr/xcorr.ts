/**
 * Offset between two audio recordings of the same scene without a sync pulse (camera mic against lavalier mic).
 *
 * Coarse: onset-strength envelopes on a 5 ms grid (positive log-band-energy differences summed over 24 log-spaced
 * bands, as librosa.onset.onset_strength does with a mel spectrogram) are cross-correlated; the coarse peak ratio is
 * the peak over the next-highest peak more than 50 ms away (the figure audio-offset-finder reports as its peak ratio).
 * Fine (xcorr-drift.ts): a pre-whitened (SCOT, Knapp & Carter 1976), band-limited (100 Hz .. 6 kHz) cross-correlation
 * of the waveforms about the coarse lag, frame by frame over the whole overlap, summed along the drift that makes the
 * frames agree; its peak is judged against the same correlation's values away from it (a robust z-score).
 */
import FFT from 'fft.js';
import { driftPeak, FINE_SEARCH_S, frameCorrelations, MAX_SCAN_DRIFT } from './xcorr-drift.js';

export interface XcorrResult {
  /** Add to a time in b to get the time of the same sound in a, seconds, at b's time at_s (the middle of b's window). */
  offset_s: number;
  /** b's stream time at which offset_s holds. */
  at_s: number;
  /** a's clock runs 1 + drift times b's (offset at t_b: offset_s + drift (t_b - at_s)); null without a fine stage. */
  drift: number | null;
  /** Coarse peak over next-highest peak (>= 1; 1 means no preference). */
  peak_ratio: number;
  /** Fine peak against the same correlation's values away from it (robust z-score); null without a fine stage. */
  fine_z: number | null;
  /** The next-clearest fine peak at another coarse lag (null when only one was tried). */
  competing_z: number | null;
  /**
   * The largest drift searched when `drift` lies at the edge of that range (xcorr-drift.ts atSearchEdge): the true
   * drift may lie beyond it, so `drift` is then no measurement (place.ts does not use it). Null: inside the range.
   */
  drift_limit?: number | null;
  /** Every coarse lag tried, clearest fine peak first (offset at at_s, drift, z, seconds of overlap at that lag; drift_limit as above). */
  candidates: Array<{ offset_s: number; drift: number; fine_z: number; overlap_s?: number; drift_limit?: number | null }>;
  /** The fine peak's lag in the second half of the overlap minus the first's, at the same drift, ms. */
  halves_ms: number | null;
  /** The fine peak's z without the run (2.3 s) that matches it most clearly (xcorr-drift.ts restZ); null: under 3 runs. */
  rest_z?: number | null;
  /** 0..1: the fine peak's (fineConfidence) over every lag and drift searched. */
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

/** Upper tail of the standard normal, Q(z) = erfc(z / sqrt 2) / 2 (Abramowitz & Stegun 7.1.26 below 3, the asymptotic series above). */
export function normalTail(z: number): number {
  if (z < 0) return 1 - normalTail(-z);
  if (z > 3) return (Math.exp((-z * z) / 2) / (z * Math.sqrt(2 * Math.PI))) * (1 - 1 / z ** 2 + 3 / z ** 4);
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return 0.5 * poly * Math.exp(-x * x);
}

/**
 * The fine peak's confidence: one minus the chance that the largest of the `searched` (lag, drift) cells of a
 * correlation without a common sound reaches z, taking the off-peak values as Gaussian with the robust scale
 * (a Bonferroni bound). The placement threshold (place.ts, MIN_FINE_Z) is set from pairs of unrelated recordings.
 */
export function fineConfidence(z: number, searched: number): number {
  return Math.max(0, 1 - Math.min(1, searched * normalTail(z)));
}

/** Fine peaks at least this clear place a stream (place.ts); unrelated recordings reached 5.2 on the room bench (docs/sync-history.md). */
export const MIN_FINE_Z = 7;
/**
 * Coarse peaks within this fraction of the best are each tried by the fine stage (at most COARSE_TRIED): the coarse
 * envelope can favour a wrong lag where two talkers say the same words (the room bench reuses five clips), and the
 * old rule (coarse peak ratio at least 1.5) refused those streams without looking closer.
 */
const COARSE_CLOSE = 0.5;
const COARSE_TRIED = 4;

/** Coarse lags (5 ms frames, b to a) by onset-envelope cross-correlation, best first, and the peak ratio; null without 2 s of overlap. */
function coarseLags(a: Float32Array, aT0: number, b: Float32Array, bT0: number, sr: number, maxLagS: number): { lags: number[]; ratio: number } | null {
  const ea = onsetEnvelope(a, sr);
  const eb = onsetEnvelope(b, sr);
  const minOverlap = Math.min(ea.length, eb.length, Math.round(5 / HOP_S));
  if (minOverlap < Math.round(2 / HOP_S)) return null;
  const size = nextPow2(ea.length + eb.length);
  const r = crossCorrelate(ea, eb, size, null);
  const maxLag = maxLagS / HOP_S;
  const lags: number[] = [];
  const t0Frames = (aT0 - bT0) / HOP_S; // frame lag L corresponds to offset L*hop + aT0 - bT0
  for (let L = -(eb.length - minOverlap); L <= ea.length - minOverlap; L++) if (Math.abs(L + t0Frames) <= maxLag) lags.push(L);
  if (lags.length === 0) return null;
  // Normalised by overlap length so that lags with little overlap do not win by chance.
  const get = (L: number) => {
    const ov = Math.min(ea.length, L + eb.length) - Math.max(0, L);
    return ov > 0 ? r[(L + size) % size] / Math.sqrt(ov) : 0;
  };
  const exclude = Math.round(0.05 / HOP_S);
  const byValue = lags.slice().sort((x, y) => get(y) - get(x));
  const tried: number[] = [];
  for (const L of byValue) {
    if (tried.length >= COARSE_TRIED || get(L) < COARSE_CLOSE * get(byValue[0])) break;
    if (!tried.some((t) => Math.abs(t - L) <= exclude)) tried.push(L);
  }
  return { lags: tried, ratio: peakRatio(get, lags, tried[0], exclude) };
}

/**
 * Offset between recordings a and b (mono, same sample rate); aT0/bT0 are the stream times of their first samples.
 * Coarse: onset envelopes (above); every coarse peak within 60 % of the best (up to 3) is tried by the fine stage,
 * the drift-aware whitened correlation of xcorr-drift.ts, and the clearest fine peak kept (competing_z: the next one,
 * so that content heard twice shows as two clear peaks rather than one confident wrong one).
 */
export function audioOffset(a: Float32Array, aT0: number, b: Float32Array, bT0: number, sr: number, opts: XcorrOptions = {}): XcorrResult | null {
  const coarse = coarseLags(a, aT0, b, bT0, sr, opts.maxLagS ?? Infinity);
  if (!coarse) return null;
  const hop = Math.round(HOP_S * sr);
  const bMid = bT0 + b.length / sr / 2;
  const fits = coarse.lags.map((L) => fineAt(a, b, sr, L * hop)).filter((f): f is FineFit => f !== null);
  fits.sort((x, y) => y.pk.z - x.pk.z);
  const lag0 = fits.length ? fits[0].lag0 : coarse.lags[0] * hop;
  const overlapAt = (lag: number) => Math.max(0, (Math.min(b.length, a.length - lag) - Math.max(0, -lag)) / sr);
  const overlapS = overlapAt(lag0);
  const base = { peak_ratio: coarse.ratio, overlap_s: overlapS, at_s: bMid };
  if (!fits.length) return { ...base, offset_s: lag0 / sr + aT0 - bT0, drift: null, fine_z: null, competing_z: null, candidates: [], halves_ms: null, confidence: 0 };
  // Offset at b's window middle: the fine lag holds at the frames' middle t_c and moves with the drift.
  const offsetAt = (f: FineFit) => (f.lag0 + f.pk.lag) / sr + aT0 - bT0 + f.pk.k * (bMid - (bT0 + f.centre / sr));
  const { pk } = fits[0];
  return {
    ...base,
    offset_s: offsetAt(fits[0]),
    drift: pk.k,
    drift_limit: pk.limit,
    fine_z: pk.z,
    competing_z: fits.length > 1 ? fits[1].pk.z : null,
    candidates: fits.map((f) => ({ offset_s: offsetAt(f), drift: f.pk.k, fine_z: f.pk.z, overlap_s: overlapAt(f.lag0), drift_limit: f.pk.limit })),
    halves_ms: pk.halves ? ((pk.halves[1] - pk.halves[0]) / sr) * 1000 : null,
    rest_z: pk.restZ,
    confidence: fineConfidence(pk.z, pk.searched * coarse.lags.length),
  };
}

/**
 * The fine stage (drift-aware whitened correlation, xcorr-drift.ts) about one given offset only (add to a time in b to
 * get a's), not a search over every lag: how clearly a and b share sound there (z and its confidence, fineConfidence)
 * and the seconds of overlap at that offset, and the fine peak's offset and drift (drift_limit as audioOffset's). Drifts
 * up to maxDrift are searched (default MAX_SCAN_DRIFT, audioOffset's range). Null with fewer than 4 frames of overlap.
 */
export function fineAtOffset(
  a: Float32Array,
  aT0: number,
  b: Float32Array,
  bT0: number,
  sr: number,
  offsetS: number,
  maxDrift: number = MAX_SCAN_DRIFT,
): { z: number; confidence: number; overlap_s: number; offset_s: number; at_s: number; drift: number; drift_limit: number | null; halves_ms: number | null } | null {
  const lag0 = Math.round((offsetS - aT0 + bT0) * sr);
  const f = fineAt(a, b, sr, lag0, maxDrift);
  if (!f) return null;
  // offset_s: the fine peak's offset (within FINE_SEARCH_S of offsetS) at b's window middle at_s, as audioOffset's.
  const bMid = bT0 + b.length / sr / 2;
  const offset = (f.lag0 + f.pk.lag) / sr + aT0 - bT0 + f.pk.k * (bMid - (bT0 + f.centre / sr));
  const overlap = overlapAtOffset(a.length, aT0, b.length, bT0, sr, offsetS);
  const halves = f.pk.halves ? ((f.pk.halves[1] - f.pk.halves[0]) / sr) * 1000 : null;
  return { z: f.pk.z, confidence: fineConfidence(f.pk.z, f.pk.searched), overlap_s: overlap, offset_s: offset, at_s: bMid, drift: f.pk.k, drift_limit: f.pk.limit, halves_ms: halves };
}

/** Seconds two windows (lengths in samples, first samples at aT0 and bT0) overlap at an offset (add to b's time to get a's). */
export function overlapAtOffset(aLen: number, aT0: number, bLen: number, bT0: number, sr: number, offsetS: number): number {
  const lag0 = Math.round((offsetS - aT0 + bT0) * sr);
  return Math.max(0, (Math.min(bLen, aLen - lag0) - Math.max(0, -lag0)) / sr);
}

interface FineFit {
  lag0: number;
  centre: number;
  pk: ReturnType<typeof driftPeak>;
}

/** The fine stage about one coarse lag (samples), drifts up to maxDrift, or null when the overlap holds fewer than 4 frames. */
function fineAt(a: Float32Array, b: Float32Array, sr: number, lag0: number, maxDrift: number = MAX_SCAN_DRIFT): FineFit | null {
  const overlapS = Math.max(0, (Math.min(b.length, a.length - lag0) - Math.max(0, -lag0)) / sr);
  const fc = frameCorrelations(a, b, sr, lag0, FINE_SEARCH_S + (maxDrift * overlapS) / 2 + 0.002);
  return fc ? { lag0, centre: fc.centre, pk: driftPeak(fc, FINE_SEARCH_S, maxDrift) } : null;
}
