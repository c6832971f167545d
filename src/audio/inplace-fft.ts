/**
 * In-place real FFT of a whole signal (power-of-two length n) in one Float64Array of n doubles, for Praat's
 * whole-signal resampling filter (formant.ts): the spectrum is left in the packed layout of Numerical Recipes'
 * realft (Praat's NUMrealft, 0-based here): data[0] = DC, data[1] = Nyquist, data[2k] / data[2k + 1] = real /
 * imaginary part of bin k. A complex radix-2 transform of the n/2 even/odd pairs (Cooley & Tukey 1965) and the
 * real-input split of Numerical Recipes 3rd ed. section 12.3.2; twiddles from Math.cos / Math.sin per use (no
 * table), so the memory is the signal's own n doubles (32 MB at 2^22 points, against about 250 MB for fft.js's
 * complex arrays and tables).
 */

/** In-place complex FFT of the m = data.length / 2 interleaved (re, im) values; sign -1 forward, +1 inverse (unscaled). */
export function complexInPlace(d: Float64Array, sign: number): void {
  const m = d.length >> 1;
  for (let i = 0, j = 0; i < m; i++) {
    if (i < j) {
      const tr = d[2 * i];
      const ti = d[2 * i + 1];
      d[2 * i] = d[2 * j];
      d[2 * i + 1] = d[2 * j + 1];
      d[2 * j] = tr;
      d[2 * j + 1] = ti;
    }
    let bit = m >> 1;
    for (; bit >= 1 && j & bit; bit >>= 1) j ^= bit;
    j |= bit;
  }
  for (let len = 2; len <= m; len <<= 1) {
    const half = len >> 1;
    const step = (sign * 2 * Math.PI) / len;
    for (let k = 0; k < half; k++) {
      const wr = Math.cos(step * k);
      const wi = Math.sin(step * k);
      for (let a = 2 * k; a < 2 * m; a += 2 * len) {
        const b = a + len;
        const xr = d[b] * wr - d[b + 1] * wi;
        const xi = d[b] * wi + d[b + 1] * wr;
        d[b] = d[a] - xr;
        d[b + 1] = d[a + 1] - xi;
        d[a] += xr;
        d[a + 1] += xi;
      }
    }
  }
}

/**
 * The split between the half-length complex transform Z of the pairs and the real signal's spectrum X, for one pair
 * of bins k and j = m - k (m = n / 2; k <= j) held at d[ia], d[ia + 1] (bin k) and d[ib], d[ib + 1] (bin j):
 * forward X[k] = E[k] + W^k O[k] with E = (Z[k] + conj Z[j]) / 2, O = (Z[k] - conj Z[j]) / 2i, W = e^{-2 pi i / n},
 * and X[j] = conj(E - W^k O); inverse the same relation solved for Z (E = (X[k] + conj X[j]) / 2,
 * O = (X[k] - conj X[j]) / 2 W^k, Z[k] = E + i O, Z[j] = conj E + i conj O).
 */
export function splitPair(d: Float64Array, ia: number, ib: number, k: number, n: number, forward: boolean): void {
  const ang = (-2 * Math.PI * k) / n;
  const wr = Math.cos(ang);
  const wi = forward ? Math.sin(ang) : -Math.sin(ang);
  const ar = d[ia], ai = d[ia + 1], br = d[ib], bi = d[ib + 1];
  const er = 0.5 * (ar + br);
  const ei = 0.5 * (ai - bi);
  const dr = 0.5 * (ar - br);
  const di = 0.5 * (ai + bi);
  // forward t = W^k (dr + i di) / i; inverse t = i (dr + i di) conj(W^k).
  const tr = forward ? di * wr + dr * wi : -(di * wr + dr * wi);
  const ti = forward ? di * wi - dr * wr : dr * wr - di * wi;
  d[ia] = er + tr;
  d[ia + 1] = ei + ti;
  d[ib] = er - tr;
  d[ib + 1] = -(ei - ti);
}

/** The split of every pair of a whole packed array (bins 1 .. m / 2 with their partners). */
function split(d: Float64Array, forward: boolean): void {
  const n = d.length;
  const m = n >> 1;
  for (let k = 1; k <= m >> 1; k++) splitPair(d, 2 * k, 2 * (m - k), k, n, forward);
}

/** Forward real FFT of data (length a power of two >= 4) into the packed layout above. */
export function realFftInPlace(data: Float64Array): void {
  complexInPlace(data, -1);
  split(data, true);
  const z0r = data[0];
  const z0i = data[1];
  data[0] = z0r + z0i;
  data[1] = z0r - z0i;
}

/** Inverse of realFftInPlace, scaled by 1/n: data holds the signal again. */
export function inverseRealFftInPlace(data: Float64Array): void {
  const n = data.length;
  const x0 = data[0];
  const xm = data[1];
  data[0] = 0.5 * (x0 + xm);
  data[1] = 0.5 * (x0 - xm);
  split(data, false);
  complexInPlace(data, 1);
  const scale = 2 / n;
  for (let i = 0; i < n; i++) data[i] *= scale;
}
