/**
 * Mel filter bank = librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk=False, norm='slaney'): Slaney's
 * mel scale (linear below 1 kHz, logarithmic above) and triangles scaled to unit area ("slaney" normalisation).
 * librosa builds the weights in float32; we round them the same way (Math.fround).
 */

const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOGSTEP = Math.log(6.4) / 27;

/** librosa.hz_to_mel(htk=False). */
export function hzToMel(f: number): number {
  return f >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(f / MIN_LOG_HZ) / LOGSTEP : f / F_SP;
}

/** librosa.mel_to_hz(htk=False). */
export function melToHz(m: number): number {
  return m >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOGSTEP * (m - MIN_LOG_MEL)) : F_SP * m;
}

/** One band: weights for FFT bins start .. start+weights.length-1 (the non-zero part of the triangle). */
export interface MelBand {
  start: number;
  weights: Float64Array;
}

export function melFilterBank(sr: number, nFft: number, nMels: number, fmin: number, fmax: number): MelBand[] {
  const nBins = 1 + Math.floor(nFft / 2);
  const fftFreqs = new Float64Array(nBins);
  for (let k = 0; k < nBins; k++) fftFreqs[k] = (k * (sr / 2)) / (nBins - 1); // np.linspace(0, sr/2, nBins)
  const minMel = hzToMel(fmin);
  const maxMel = hzToMel(fmax);
  const melF = new Float64Array(nMels + 2);
  for (let i = 0; i < nMels + 2; i++) melF[i] = melToHz(minMel + ((maxMel - minMel) * i) / (nMels + 1));
  const bands: MelBand[] = [];
  for (let i = 0; i < nMels; i++) {
    const lo = melF[i + 1] - melF[i];
    const hi = melF[i + 2] - melF[i + 1];
    const enorm = 2 / (melF[i + 2] - melF[i]);
    const w = new Float64Array(nBins);
    let first = -1;
    let last = -1;
    for (let k = 0; k < nBins; k++) {
      const lower = (fftFreqs[k] - melF[i]) / lo;
      const upper = (melF[i + 2] - fftFreqs[k]) / hi;
      const v = Math.max(0, Math.min(lower, upper));
      if (v > 0) {
        // float32 weights (librosa's dtype), then the float32 product with enorm
        w[k] = Math.fround(Math.fround(v) * Math.fround(enorm));
        if (first < 0) first = k;
        last = k;
      }
    }
    bands.push(first < 0 ? { start: 0, weights: new Float64Array(0) } : { start: first, weights: w.slice(first, last + 1) });
  }
  return bands;
}
