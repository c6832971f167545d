/**
 * Praat's Sound_resample anti-aliasing filter (Praat fon/Sound.cpp): the whole signal with 1000 zeros before it
 * (antiTurnAround), padded with zeros to a power of two nfft >= n + 2000, one real FFT (NUMrealft), every value of the
 * packed spectrum from Praat's 1-based index floor(upfactor * nfft) up set to 0, and the Nyquist value too
 * (`data [2] = 0.0`), then the inverse FFT. The filter's every output sample depends on every input sample (a
 * brick wall has no short kernel), so it is computed on the whole signal, as Praat does, at any length:
 *
 * - up to `inMemory` points in one Float64Array of nfft doubles, transformed in place (inplace-fft.ts);
 * - beyond, in a temp file of nfft doubles (spill.ts: unlinked at once), by the four-step FFT (Bailey 1990, "FFTs in
 *   external or hierarchical memory"): the nfft/2 complex pairs as a matrix of R rows of C columns, column FFTs
 *   read in bands of columns, a twiddle, row FFTs; the real-input split, the brick wall and the way back row by
 *   row, then the columns again. Memory: one band (at most `band` doubles) and two rows, whatever the length.
 *
 * Both give Praat's result to float rounding (the same transform, summed in another order).
 */
import { complexInPlace, inverseRealFftInPlace, realFftInPlace, splitPair } from './inplace-fft.js';
import { SpillFile } from './spill.js';
import type { VoiceSignal } from './voice-signal.js';

/** Praat's antiTurnAround: zeros before the signal (and at least as many after it). */
export const ANTI_TURN_AROUND = 1000;

/** Largest FFT done in memory (2^22 doubles, 32 MB), and the column band of the file path (2^22 doubles, 32 MB). */
export const FILTER_LIMITS = { inMemory: 1 << 22, band: 1 << 22 };

/** The low-passed signal: samples [start, start + dst.length) (0-based, inside the signal) into dst. */
export interface Filtered {
  read(dst: Float64Array, start: number): void;
  close(): void;
  /** Largest buffer it allocated (doubles): nfft in memory, else the band. */
  readonly peakDoubles: number;
}

/** nfft of Praat's whole-signal filter for n samples (1000 zeros either side, padded to a power of two). */
export function wholeFftSize(n: number): number {
  let nfft = 1;
  while (nfft < n + 2 * ANTI_TURN_AROUND) nfft *= 2;
  return nfft;
}

/** Praat's brick wall on a real spectrum value: keep the real part iff 2k + 1 < cut, the imaginary iff 2k + 2 < cut. */
function maskBin(d: Float64Array, i: number, k: number, cut: number): void {
  if (2 * k + 1 >= cut) d[i] = 0;
  if (2 * k + 2 >= cut) d[i + 1] = 0;
}

/** The padded signal's doubles [at, at + dst.length) into dst (zeros outside the signal). */
function paddedChunk(sig: VoiceSignal, dst: Float64Array, at: number, tmp: Float32Array): void {
  dst.fill(0);
  const lo = Math.max(at, ANTI_TURN_AROUND);
  const hi = Math.min(at + dst.length, ANTI_TURN_AROUND + sig.n);
  for (let a = lo; a < hi; a += tmp.length) {
    const m = Math.min(tmp.length, hi - a);
    const part = tmp.subarray(0, m);
    sig.read(part, a - ANTI_TURN_AROUND);
    for (let i = 0; i < m; i++) dst[a - at + i] = part[i];
  }
}

/** The whole filter in one array (nfft doubles). */
function filterInMemory(sig: VoiceSignal, nfft: number, cut: number): Filtered {
  const data = new Float64Array(nfft);
  paddedChunk(sig, data, 0, new Float32Array(1 << 16));
  realFftInPlace(data);
  if (cut <= 1) data[0] = 0;
  data[1] = 0; // Nyquist
  for (let k = 1; k < nfft / 2; k++) maskBin(data, 2 * k, k, cut);
  inverseRealFftInPlace(data);
  return {
    peakDoubles: nfft,
    read: (dst, start) => dst.set(data.subarray(ANTI_TURN_AROUND + start, ANTI_TURN_AROUND + start + dst.length)),
    close: () => undefined,
  };
}

/** Praat's low-pass of `sig` to upfactor times its Nyquist frequency (upfactor < 1), in memory or in a temp file. */
export function praatLowpass(sig: VoiceSignal, upfactor: number, limits = FILTER_LIMITS): Filtered {
  const nfft = wholeFftSize(sig.n);
  const cut = Math.floor(upfactor * nfft);
  if (nfft <= limits.inMemory) return filterInMemory(sig, nfft, cut);
  return filterOnDisk(sig, nfft, cut, limits.band);
}

/** The file path's matrix: M = nfft / 2 complex values, R rows of C columns, row-major, 16 bytes each. */
interface Disk {
  file: SpillFile;
  nfft: number;
  M: number;
  R: number;
  C: number;
}

function filterOnDisk(sig: VoiceSignal, nfft: number, cut: number, band: number): Filtered {
  const M = nfft / 2;
  const R = 2 ** Math.floor(Math.log2(M) / 2);
  const d: Disk = { file: SpillFile.create(), nfft, M, R, C: M / R };
  try {
    const chunk = new Float64Array(Math.min(nfft, 1 << 16));
    const tmp = new Float32Array(chunk.length);
    for (let at = 0; at < nfft; at += chunk.length) {
      paddedChunk(sig, chunk, at, tmp);
      d.file.write(chunk, 8 * at);
    }
    const w = columnPass(d, true, band);
    rowPass(d, cut);
    columnPass(d, false, band);
    return {
      peakDoubles: Math.max(2 * d.R * w, 4 * d.C),
      read: (dst, start) => d.file.read(dst, 8 * (ANTI_TURN_AROUND + start)),
      close: () => d.file.close(),
    };
  } catch (e) {
    d.file.close();
    throw e;
  }
}

/** col[k1] *= e^{sign 2 pi i c k1 / M} (the four-step twiddle), by recurrence re-anchored every 64 steps. */
function twiddle(col: Float64Array, R: number, c: number, M: number, sign: number): void {
  const step = (sign * 2 * Math.PI * c) / M;
  let wr = 1;
  let wi = 0;
  const sr = Math.cos(step);
  const si = Math.sin(step);
  for (let k1 = 0; k1 < R; k1++) {
    if ((k1 & 63) === 0) (wr = Math.cos(step * k1)), (wi = Math.sin(step * k1));
    const xr = col[2 * k1];
    const xi = col[2 * k1 + 1];
    col[2 * k1] = xr * wr - xi * wi;
    col[2 * k1 + 1] = xr * wi + xi * wr;
    const nr = wr * sr - wi * si;
    wi = wr * si + wi * sr;
    wr = nr;
  }
}

/**
 * Forward: each column's FFT over its R rows (index r -> k1), then the twiddle; inverse: the twiddle's conjugate,
 * the inverse FFT over the rows and the 1 / M scale. Columns are read and written in bands of w columns. Returns w.
 */
function columnPass(d: Disk, forward: boolean, band: number): number {
  const { R, C, M, file } = d;
  const w = Math.max(1, Math.min(C, Math.floor(band / (2 * R))));
  const buf = new Float64Array(2 * R * w);
  const seg = new Float64Array(2 * w);
  for (let c0 = 0; c0 < C; c0 += w) {
    for (let r = 0; r < R; r++) {
      file.read(seg, 16 * (r * C + c0));
      for (let cc = 0; cc < w; cc++) (buf[2 * R * cc + 2 * r] = seg[2 * cc]), (buf[2 * R * cc + 2 * r + 1] = seg[2 * cc + 1]);
    }
    for (let cc = 0; cc < w; cc++) {
      const col = buf.subarray(2 * R * cc, 2 * R * (cc + 1));
      if (forward) complexInPlace(col, -1), twiddle(col, R, c0 + cc, M, -1);
      else {
        twiddle(col, R, c0 + cc, M, 1);
        complexInPlace(col, 1);
        for (let i = 0; i < col.length; i++) col[i] /= M;
      }
    }
    for (let r = 0; r < R; r++) {
      for (let cc = 0; cc < w; cc++) (seg[2 * cc] = buf[2 * R * cc + 2 * r]), (seg[2 * cc + 1] = buf[2 * R * cc + 2 * r + 1]);
      file.write(seg, 16 * (r * C + c0));
    }
  }
  return w;
}

/**
 * Rows k1 and R - k1 (bins k = k1 + R k2 and their partners M - k): each row's FFT over its C columns gives the
 * half-length transform Z in natural order k; the real-input split to the spectrum X, Praat's brick wall, the split
 * back, the rows' inverse FFTs.
 */
function rowPass(d: Disk, cut: number): void {
  const { R, C, file } = d;
  const ab = new Float64Array(4 * C); // row k1 at [0, 2C), row R - k1 at [2C, 4C)
  for (let k1 = 0; k1 <= R / 2; k1++) {
    const j1 = (R - k1) % R;
    const a = ab.subarray(0, 2 * C);
    const b = j1 === k1 ? a : ab.subarray(2 * C);
    file.read(a, 16 * k1 * C);
    if (b !== a) file.read(b, 16 * j1 * C);
    complexInPlace(a, -1);
    if (b !== a) complexInPlace(b, -1);
    maskRows(d, k1, ab, b !== a ? 2 * C : 0, cut);
    complexInPlace(a, 1);
    file.write(a, 16 * k1 * C);
    if (b !== a) complexInPlace(b, 1), file.write(b, 16 * j1 * C);
  }
}

/** The split, brick wall and split back of every bin pair (k, M - k) with k in row k1 (partner row at offset bo). */
function maskRows(d: Disk, k1: number, ab: Float64Array, bo: number, cut: number): void {
  const { R, C, M, nfft } = d;
  const pair = (k2: number, ia: number, ib: number) => {
    const k = k1 + R * k2;
    splitPair(ab, ia, ib, k, nfft, true);
    maskBin(ab, ia, k, cut);
    maskBin(ab, ib, M - k, cut);
    splitPair(ab, ia, ib, k, nfft, false);
  };
  if (k1 === 0) {
    // DC and Nyquist share Z[0]: X[0] = re + im, X[M] = re - im; the Nyquist value is always zeroed.
    const x0 = cut <= 1 ? 0 : ab[0] + ab[1];
    ab[0] = 0.5 * x0;
    ab[1] = 0.5 * x0;
    for (let k2 = 1; k2 <= C / 2; k2++) pair(k2, 2 * k2, 2 * (C - k2));
  } else if (2 * k1 === R) {
    for (let k2 = 0; k2 < C / 2; k2++) pair(k2, 2 * k2, 2 * (C - 1 - k2));
  } else {
    for (let k2 = 0; k2 < C; k2++) pair(k2, 2 * k2, bo + 2 * (C - 1 - k2));
  }
}
