/**
 * The fine stage's frame correlations (src/sync/xcorr/xcorr-drift.ts frameCorrelations) are the SCOT-whitened
 * cross-correlations of Knapp & Carter (1976) as first written: each frame's windowed spectra, the weights
 * 1 / sqrt(Gaa Gbb) from all frames' averaged auto-spectra over 100 Hz-6 kHz, then A B* w per bin, inverse FFT,
 * upsampled. fda5e1c kept every frame's spectra to avoid a second FFT pass (+46 MB for a 120 s window) and 26b4d0f
 * keeps their product instead (half that); both claim the same correlations to the bit, which this checks against the
 * two-pass reference below (in memory, 2.4 s of noise at 16 kHz: 8 frames).
 */
import FFT from 'fft.js';
import { describe, expect, it } from 'vitest';
import { frameCorrelations } from '../src/sync/xcorr/xcorr-drift.js';
import { rng } from './sync-media.js';

const SR = 16000;

/** The two-pass reference: weights from a first FFT pass, every frame's spectra computed again in the second. */
function referenceFrames(a: Float32Array, b: Float32Array, lag0: number, halfS: number): Float32Array[] {
  const n = 8192;
  const starts: number[] = [];
  for (let j = Math.max(0, -lag0); j <= Math.min(b.length, a.length - lag0) - n; j += n / 2) starts.push(j);
  const fft = new FFT(n);
  const win = Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
  const buf = new Array<number>(n).fill(0);
  const spec = (x: Float32Array, o: number): number[] => {
    const out = fft.createComplexArray() as number[];
    for (let i = 0; i < n; i++) buf[i] = x[o + i] * win[i];
    fft.realTransform(out, buf);
    fft.completeSpectrum(out);
    return out;
  };
  const gaa = new Float64Array(n / 2 + 1);
  const gbb = new Float64Array(n / 2 + 1);
  for (const j of starts) {
    const [A, B] = [spec(a, j + lag0), spec(b, j)];
    for (let q = 0; q <= n / 2; q++) {
      gaa[q] += A[2 * q] ** 2 + A[2 * q + 1] ** 2;
      gbb[q] += B[2 * q] ** 2 + B[2 * q + 1] ** 2;
    }
  }
  const [lo, hi] = [Math.ceil((100 / SR) * n), Math.floor((6000 / SR) * n)];
  const w = new Float64Array(n / 2 + 1);
  for (let q = lo; q <= hi; q++) w[q] = 1 / Math.sqrt(gaa[q] * gbb[q]);
  const up = 4;
  const size = n * up;
  const half = Math.min(Math.ceil(halfS * SR), n / 4);
  const ifft = new FFT(size);
  return starts.map((j) => {
    const [A, B] = [spec(a, j + lag0), spec(b, j)];
    const G = ifft.createComplexArray() as number[];
    for (let q = 1; q < n / 2; q++) {
      if (w[q] === 0) continue;
      const re = (A[2 * q] * B[2 * q] + A[2 * q + 1] * B[2 * q + 1]) * w[q];
      const im = (A[2 * q + 1] * B[2 * q] - A[2 * q] * B[2 * q + 1]) * w[q];
      [G[2 * q], G[2 * q + 1], G[2 * (size - q)], G[2 * (size - q) + 1]] = [re, im, re, -im];
    }
    const out = ifft.createComplexArray() as number[];
    ifft.inverseTransform(out, G);
    return Float32Array.from({ length: 2 * half * up + 1 }, (_, i) => out[2 * ((i - half * up + size) % size)]);
  });
}

describe('sync xcorr frame correlations', () => {
  it('equal, to the bit, the two-pass SCOT correlations they keep one pass of', () => {
    const r = rng(4601);
    const src = Float32Array.from({ length: 2.5 * SR }, () => r.g());
    const a = src.subarray(0, 2.4 * SR);
    const b = Float32Array.from({ length: 2.4 * SR }, (_, i) => 0.8 * src[i + 37] + 0.3 * r.g());
    const fc = frameCorrelations(a, b, SR, 37, 0.047);
    const ref = referenceFrames(a, b, 37, 0.047);
    expect(fc?.r.length).toBe(8);
    expect(fc?.r.every((rf, f) => rf.length === ref[f].length && rf.every((v, i) => Object.is(v, ref[f][i])))).toBe(true);
    // The peak is the delay: the comparison is of correlations that hold one.
    const mid = (fc!.r[0].length - 1) / 2;
    expect(fc!.r[0].indexOf(Math.max(...fc!.r[0]))).toBe(mid);
  });
});
