/**
 * Fine stage of the cross-correlation fallback (xcorr.ts): a pre-whitened, band-limited cross-correlation of two
 * recordings of one scene on clocks that drift apart, and how clearly its peak stands out.
 *
 * Whitening: the smoothed coherence transform (SCOT) of Knapp & Carter (1976, "The generalized correlation method for
 * estimation of time delay", IEEE Trans. ASSP 24(4)), W(f) = 1 / sqrt(Gaa(f) Gbb(f)) with both auto-spectra averaged
 * over the whole overlap (Welch), kept to 100 Hz .. 6 kHz: each microphone's colouring (its EQ, the room's long-term
 * response) is divided out and the direct path's peak stays a few samples wide under reverberation.
 * Drift: the overlap is cut into 0.5 s frames (Hann, half overlap). A frame's whitened correlation r_f(tau) peaks where
 * the frame's lag is; with clocks k apart that lag moves by k (t_f - t_c) from frame to frame (t_c: the frames' middle),
 * so the frames are summed along that line, R_k(tau) = sum_f r_f(tau + k (t_f - t_c)), and (k, tau) searched for the
 * largest sum: the drift is estimated with the lag instead of smearing it (0.5 ms over 10 s at 50 ppm is wider than the
 * peak). The frames are short enough (0.5 s: 50 us at 100 ppm) for the drift within one to be negligible.
 * Standing out: R at the best drift, against its own values at lags more than 1 ms from the peak (median and MAD: a
 * robust z-score; the null is the correlation's own off-peak distribution, not an assumed one).
 */
import FFT from 'fft.js';

/** Whitened cross-correlations of the frames of an overlap, each over lags -half..half samples of the coarse lag, upsampled by `up`. */
export interface FrameCorrelations {
  r: Float32Array[];
  /** Frame centres relative to the frames' middle, in b's samples. */
  tf: number[];
  /** b's sample at the frames' middle (t_c). */
  centre: number;
  up: number;
  half: number;
  sr: number;
}

export interface DriftPeak {
  /** Lag at the frames' middle, a index minus b index, samples (sub-sample). */
  lag: number;
  /** Drift: a's clock runs 1 + k times b's. */
  k: number;
  /** Peak against the off-peak values of the same correlation, robust z-score. */
  z: number;
  /** The peak's lag in the first and second half of the frames at the same drift, samples (null without two halves). */
  halves: [number, number] | null;
  /**
   * The peak's z over the frames without the run that matches it most clearly (a run whose own peak lies within
   * RUN_AT_PEAK_S of the peak), at the peak's lag: how clear the match is without that stretch. Null with fewer than 3
   * runs or no run at the peak.
   */
  restZ: number | null;
  /** How many (lag, drift) cells were searched (for the family-wise false-alarm rate). */
  searched: number;
  /**
   * The largest drift searched (kMax, a rate) when the peak lies at the edge of that range (atSearchEdge): the sum may
   * grow further beyond it, so `k` is then a bound, not a measurement. Null when the peak lies inside the range.
   */
  limit: number | null;
}

const FRAME_S = 0.5;
const BAND_HZ: [number, number] = [100, 6000];
/** Largest drift searched (consumer recorders are within ±100 ppm; place.ts refuses more than 500 ppm between windows). */
export const MAX_SCAN_DRIFT = 250e-6;
/** Lags searched about the coarse lag (the coarse envelope is on a 5 ms grid). */
export const FINE_SEARCH_S = 0.03;
/** Lags this close to the peak are the peak (its width and the room's first reflections), not its null. */
const NULL_GAP_S = 0.001;

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p <<= 1;
  return p;
}

function hann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

/** Spectrum (complete, interleaved re/im) of x[o .. o+n) windowed. */
function spectrum(fft: FFT, x: Float32Array, o: number, win: Float64Array, buf: number[], out: number[]): void {
  for (let i = 0; i < win.length; i++) buf[i] = x[o + i] * win[i];
  fft.realTransform(out, buf);
  fft.completeSpectrum(out);
}

/** Frame starts in b (a's frame starts at the same index + lag0) where both frames lie inside their recordings. */
function frameStarts(aLen: number, bLen: number, lag0: number, n: number): number[] {
  const j0 = Math.max(0, -lag0);
  const j1 = Math.min(bLen, aLen - lag0) - n;
  const out: number[] = [];
  for (let j = j0; j <= j1; j += n / 2) out.push(j);
  return out;
}

/**
 * The band's bins (lo..hi) of every frame's cross-spectrum A B*, kept from scotWeights for frameCorrelations: one
 * complex value per bin and frame (~24 KB per frame at 16 kHz, ~23 MB for a 120 s window), not both spectra (twice
 * that, ~46 MB for a 120 s window, as fda5e1c kept them). The products are those frameCorrelations formed from
 * the two spectra before, so the correlations are the same to the bit.
 */
interface BandCross {
  lo: number;
  hi: number;
  /** Per frame: re/im of A B* over bins lo..hi interleaved. */
  cross: Float64Array[];
}

/** The SCOT band's lowest and highest bins for n-point frames at sr. */
function bandBins(n: number, sr: number): [number, number] {
  const lo = Math.ceil((BAND_HZ[0] / sr) * n);
  const hi = Math.min(n / 2 - 1, Math.floor((Math.min(BAND_HZ[1], 0.45 * sr) / sr) * n));
  return [lo, hi];
}

/** Re/im of A B* over bins lo..hi of two complete spectra (interleaved), as frameCorrelations weights them. */
function crossSpectrum(A: number[], B: number[], lo: number, hi: number): Float64Array {
  const out = new Float64Array(2 * (hi - lo + 1));
  for (let q = lo; q <= hi; q++) {
    const i = 2 * (q - lo);
    out[i] = A[2 * q] * B[2 * q] + A[2 * q + 1] * B[2 * q + 1];
    out[i + 1] = A[2 * q + 1] * B[2 * q] - A[2 * q] * B[2 * q + 1];
  }
  return out;
}

/**
 * SCOT weight per bin (0 outside the band): 1 / sqrt(Gaa Gbb) from the frames' averaged auto-spectra; and the band's
 * bins of each frame's cross-spectrum, which frameCorrelations weights (the same windowed FFTs, not computed twice).
 */
function scotWeights(a: Float32Array, b: Float32Array, lag0: number, starts: number[], n: number, sr: number): { w: Float64Array; band: BandCross } {
  const fft = new FFT(n);
  const win = hann(n);
  const buf = new Array<number>(n).fill(0);
  const A = fft.createComplexArray() as number[];
  const B = fft.createComplexArray() as number[];
  const gaa = new Float64Array(n / 2 + 1);
  const gbb = new Float64Array(n / 2 + 1);
  const [lo, hi] = bandBins(n, sr);
  const band: BandCross = { lo, hi, cross: [] };
  for (const j of starts) {
    spectrum(fft, a, j + lag0, win, buf, A);
    spectrum(fft, b, j, win, buf, B);
    for (let q = 0; q <= n / 2; q++) {
      gaa[q] += A[2 * q] ** 2 + A[2 * q + 1] ** 2;
      gbb[q] += B[2 * q] ** 2 + B[2 * q + 1] ** 2;
    }
    band.cross.push(crossSpectrum(A, B, lo, hi));
  }
  const w = new Float64Array(n / 2 + 1);
  for (let q = lo; q <= hi; q++) {
    const d = Math.sqrt(gaa[q] * gbb[q]);
    w[q] = d > 0 ? 1 / d : 0;
  }
  return { w, band };
}

/**
 * The whitened cross-correlation of every frame about lag0 (a index = b index + lag0), over lags up to `halfS`
 * seconds, upsampled (zero-padded spectrum) to at least 64 kHz so that shifting a frame by a fraction of a sample
 * is a linear interpolation between close points.
 */
export function frameCorrelations(a: Float32Array, b: Float32Array, sr: number, lag0: number, halfS: number): FrameCorrelations | null {
  const n = nextPow2(Math.round(FRAME_S * sr));
  const starts = frameStarts(a.length, b.length, lag0, n);
  if (starts.length < 4) return null;
  const { w, band } = scotWeights(a, b, lag0, starts, n, sr);
  const up = nextPow2(Math.ceil(64000 / sr));
  const half = Math.min(Math.ceil(halfS * sr), n / 4);
  const ifft = new FFT(n * up);
  const G = ifft.createComplexArray() as number[];
  const out = ifft.createComplexArray() as number[];
  const size = n * up;
  const centre = (starts[0] + starts[starts.length - 1] + n) / 2;
  const r: Float32Array[] = [];
  for (let f = 0; f < starts.length; f++) {
    // The frame's cross-spectrum over the band (w is 0 outside it), as scotWeights kept it: bin q at 2 (q - lo).
    const [C, lo] = [band.cross[f], band.lo];
    G.fill(0);
    for (let q = Math.max(1, lo); q <= Math.min(n / 2 - 1, band.hi); q++) {
      if (w[q] === 0) continue;
      const i = 2 * (q - lo);
      const re = C[i] * w[q];
      const im = C[i + 1] * w[q];
      G[2 * q] = re;
      G[2 * q + 1] = im;
      G[2 * (size - q)] = re;
      G[2 * (size - q) + 1] = -im;
    }
    ifft.inverseTransform(out, G);
    const rf = new Float32Array(2 * half * up + 1);
    for (let m = -half * up; m <= half * up; m++) rf[m + half * up] = out[2 * ((m + size) % size)];
    r.push(rf);
  }
  return { r, tf: starts.map((j) => j + n / 2 - centre), centre, up, half, sr };
}

/** R_k(tau) at tau = tau0 + i / up (i = 0 .. count-1), summing frames in [f0, f1). */
function profile(fc: FrameCorrelations, k: number, tau0: number, count: number, step: number, f0 = 0, f1 = fc.r.length): Float64Array {
  const out = new Float64Array(count);
  const { up, half } = fc;
  const max = 2 * half * up;
  for (let f = f0; f < f1; f++) {
    const rf = fc.r[f];
    const base = (tau0 + k * fc.tf[f] + half) * up;
    for (let i = 0; i < count; i++) {
      const p = base + i * step * up;
      const m = Math.floor(p);
      if (m < 0 || m >= max) continue;
      out[i] += rf[m] + (p - m) * (rf[m + 1] - rf[m]);
    }
  }
  return out;
}

function argmax(x: Float64Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}

/** Best (k, integer lag) on a drift grid of `step` about k0 (±span), lags within ±tauMax samples. */
function scanDrift(fc: FrameCorrelations, k0: number, span: number, step: number, tauMax: number): { k: number; value: number } {
  let best = { k: k0, value: -Infinity };
  for (let k = k0 - span; k <= k0 + span + 1e-12; k += step) {
    const p = profile(fc, k, -tauMax, 2 * tauMax + 1, 1);
    const v = p[argmax(p)];
    if (v > best.value) best = { k, value: v };
  }
  return best;
}

/** The peak's lag (sub-sample: parabolic through the upsampled points) and its robust z against lags > 1 ms away. */
function peakOf(fc: FrameCorrelations, k: number, tauMax: number, f0?: number, f1?: number): { lag: number; z: number } {
  const step = 1 / fc.up;
  const count = 2 * tauMax * fc.up + 1;
  const p = profile(fc, k, -tauMax, count, step, f0, f1);
  const i = argmax(p);
  const y0 = p[Math.max(0, i - 1)];
  const y2 = p[Math.min(count - 1, i + 1)];
  const den = y0 - 2 * p[i] + y2;
  const delta = den < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (y0 - y2)) / den)) : 0;
  const lag = -tauMax + (i + delta) * step;
  return { lag, z: robustZ(fc, p, p[i], lag, tauMax) };
}

/** A profile's value at a lag against its own values at lags more than NULL_GAP_S away (median and MAD: robust z). */
function robustZ(fc: FrameCorrelations, p: Float64Array, value: number, lag: number, tauMax: number): number {
  const step = 1 / fc.up;
  const gap = NULL_GAP_S * fc.sr;
  const others: number[] = [];
  for (let m = 0; m < p.length; m += fc.up) if (Math.abs(-tauMax + m * step - lag) > gap) others.push(p[m]);
  others.sort((x, y) => x - y);
  const med = others[others.length >> 1];
  const dev = others.map((v) => Math.abs(v - med)).sort((x, y) => x - y);
  const scale = 1.4826 * dev[dev.length >> 1];
  return scale > 0 ? (value - med) / scale : 0;
}

/**
 * The drift and lag at which the frames' whitened correlations add up best (two passes over the drift: a grid whose
 * step keeps the outermost frames within 1 sample, then one eight times finer), and how clearly that peak stands out.
 * Drifts up to maxDrift are searched (MAX_SCAN_DRIFT unless a caller asks further; the frames must hold the lags:
 * frameCorrelations' halfS at least tauMaxS + maxDrift times half the overlap).
 */
export function driftPeak(fc: FrameCorrelations, tauMaxS: number = FINE_SEARCH_S, maxDrift: number = MAX_SCAN_DRIFT): DriftPeak {
  const tauMax = Math.min(Math.round(tauMaxS * fc.sr), fc.half - 1);
  const reach = Math.max(...fc.tf.map(Math.abs)) || 1;
  // Keep every frame's shift within the lags it holds.
  const kMax = Math.min(maxDrift, (fc.half - tauMax - 1) / reach);
  const step = 1 / reach;
  const outer = Math.floor(kMax / step) * step;
  const coarse = scanDrift(fc, 0, outer, step, tauMax);
  const fine = scanDrift(fc, coarse.k, step, step / 8, tauMax);
  const { lag, z } = peakOf(fc, fine.k, tauMax);
  const mid = fc.tf.findIndex((t) => t >= 0);
  let halves: [number, number] | null = null;
  if (mid >= 2 && fc.r.length - mid >= 2) halves = [peakOf(fc, fine.k, tauMax, 0, mid).lag, peakOf(fc, fine.k, tauMax, mid).lag];
  const cellsPerLag = (2 * tauMax + 1) / Math.max(1, fc.sr / (2 * BAND_HZ[1]));
  const drifts = (2 * kMax * reach) / Math.max(1, fc.sr / (2 * BAND_HZ[1])) + 1;
  const restZ = zWithoutClearestRun(fc, fine.k, tauMax, lag);
  return { lag, k: fine.k, z, halves, restZ, searched: Math.round(cellsPerLag * drifts), limit: atSearchEdge(fine.k, outer, step) ? kMax : null };
}

/** Frames (0.5 s, half overlap) per run of restZ: about 2.3 s of sound, a phrase (as xcorr-span.ts's runs). */
const RUN_FRAMES = 8;
/** A run's own peak this close to the window's peak is a run at the peak (xcorr-span.ts SPAN_LAG_TOL_S). */
const RUN_AT_PEAK_S = 0.0005;

/**
 * DriftPeak.restZ: the z at the peak's lag (samples) of the frames outside the clearest run at that lag, against the
 * same null as peakOf's (lags more than 1 ms away; median and MAD). The consistency of a delay estimate over
 * sub-records (Knapp & Carter 1976, sec. V), as xcorr-span.ts: a lag two recordings share holds all through them.
 */
function zWithoutClearestRun(fc: FrameCorrelations, k: number, tauMax: number, lag: number): number | null {
  const runs = segmentPeaks(fc, k, RUN_FRAMES, tauMax / fc.sr);
  if (runs.length < 3) return null;
  let best = -1;
  runs.forEach((r, i) => {
    if (Math.abs(r.lag - lag) <= RUN_AT_PEAK_S * fc.sr && (best < 0 || r.z > runs[best].z)) best = i;
  });
  if (best < 0) return null;
  const f0 = best * RUN_FRAMES;
  const f1 = f0 + RUN_FRAMES;
  const step = 1 / fc.up;
  const count = 2 * tauMax * fc.up + 1;
  const p = profile(fc, k, -tauMax, count, step, 0, f0);
  const q = profile(fc, k, -tauMax, count, step, f1);
  for (let i = 0; i < count; i++) p[i] += q[i];
  const at = Math.max(0, Math.min(count - 1, Math.round((lag + tauMax) * fc.up)));
  return robustZ(fc, p, p[at], lag, tauMax);
}

/**
 * Whether the drift found lies at the edge of the range searched: within half a coarse step of the coarse grid's
 * outermost drift, or beyond it (the fine pass looks a step either side). A peak there may be the slope of one beyond
 * the range: a room recorder 299.9 ppm off read -248.8 ppm (MAX_SCAN_DRIFT 250 ppm), which place.ts took as measured
 * within 10 ppm over both beeps' -292.1 (trial 2026-12-03 item 7). The coarse grid cannot tell a peak in that last
 * half step from one beyond it, so either counts as unknown.
 */
export function atSearchEdge(k: number, outer: number, step: number): boolean {
  return Math.abs(k) >= outer - step / 2;
}

/**
 * The peak of each run of `segFrames` consecutive frames (disjoint runs; the last partial run dropped) at a fixed drift
 * k, over lags within ±tauMaxS: its lag (samples at the frames' middle, as driftPeak's) and robust z, and the run's
 * first and last frame centre (b's samples relative to the frames' middle). Where one lag's evidence lies over the
 * overlap (xcorr-span.ts).
 */
export function segmentPeaks(fc: FrameCorrelations, k: number, segFrames: number, tauMaxS: number = FINE_SEARCH_S): Array<{ lag: number; z: number; from: number; to: number }> {
  const tauMax = Math.min(Math.round(tauMaxS * fc.sr), fc.half - 1);
  const out: Array<{ lag: number; z: number; from: number; to: number }> = [];
  for (let f0 = 0; f0 + segFrames <= fc.r.length; f0 += segFrames) {
    const { lag, z } = peakOf(fc, k, tauMax, f0, f0 + segFrames);
    out.push({ lag, z, from: fc.tf[f0], to: fc.tf[f0 + segFrames - 1] });
  }
  return out;
}
