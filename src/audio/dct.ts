/** DCT-II with orthonormal scaling (scipy.fft.dct(type=2, norm='ortho'), as librosa.feature.mfcc uses). */
export function dctMatrix(nOut: number, nIn: number): Float64Array {
  const m = new Float64Array(nOut * nIn);
  for (let k = 0; k < nOut; k++) {
    const s = k === 0 ? Math.sqrt(1 / nIn) : Math.sqrt(2 / nIn);
    for (let n = 0; n < nIn; n++) m[k * nIn + n] = s * Math.cos((Math.PI * k * (2 * n + 1)) / (2 * nIn));
  }
  return m;
}
