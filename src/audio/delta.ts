/**
 * librosa.feature.delta(data, width, order) = scipy.signal.savgol_filter(data, width, polyorder=order, deriv=order,
 * mode='interp') along time. With polyorder == deriv the fitted polynomial's derivative is a constant, so the
 * 'interp' edges (a polynomial fitted to the first / last `width` frames) equal the first / last interior value.
 */

/** Savitzky-Golay coefficients of the order-th derivative for a window of `width` points (polyorder = order). */
export function savgolDerivCoeffs(width: number, order: 1 | 2): Float64Array {
  const h = (width - 1) / 2;
  const c = new Float64Array(width);
  if (order === 1) {
    let den = 0;
    for (let k = -h; k <= h; k++) den += k * k;
    for (let k = -h; k <= h; k++) c[k + h] = k / den;
  } else {
    // Least-squares quadratic a + b k + c k^2 on symmetric points: c = sum((k^2 - m) y) / sum((k^2 - m)^2),
    // second derivative = 2c.
    let m = 0;
    for (let k = -h; k <= h; k++) m += k * k;
    m /= width;
    let den = 0;
    for (let k = -h; k <= h; k++) den += (k * k - m) ** 2;
    for (let k = -h; k <= h; k++) c[k + h] = (2 * (k * k - m)) / den;
  }
  return c;
}

/**
 * Deltas of a frame-major matrix x (nFrames x dim): out[t*dim + d]. Returns null when nFrames < width
 * (scipy refuses mode 'interp' then; the records carry null and a delta_reason).
 */
export function deltaFeatures(x: Float32Array | Float64Array, nFrames: number, dim: number, width: number, order: 1 | 2): Float64Array | null {
  if (nFrames < width) return null;
  const c = savgolDerivCoeffs(width, order);
  const h = (width - 1) / 2;
  const out = new Float64Array(nFrames * dim);
  for (let t = h; t < nFrames - h; t++) {
    for (let d = 0; d < dim; d++) {
      let s = 0;
      for (let k = -h; k <= h; k++) s += c[k + h] * x[(t + k) * dim + d];
      out[t * dim + d] = s;
    }
  }
  for (let t = 0; t < h; t++) for (let d = 0; d < dim; d++) out[t * dim + d] = out[h * dim + d];
  for (let t = nFrames - h; t < nFrames; t++) for (let d = 0; d < dim; d++) out[t * dim + d] = out[(nFrames - h - 1) * dim + d];
  return out;
}

/** Both deltas in one pass (same values as deltaFeatures order 1 and 2): deltaRows over every frame. */
export function deltaFeaturesBoth(x: Float32Array | Float64Array, nFrames: number, dim: number, width: number): [Float64Array, Float64Array] | null {
  if (nFrames < width) return null;
  const o1 = new Float64Array(nFrames * dim);
  const o2 = new Float64Array(nFrames * dim);
  deltaRows(x, 0, nFrames, dim, width, 0, nFrames, o1, o2);
  return [o1, o2];
}

/**
 * deltaFeaturesBoth's values for frames [from, to) of an nFrames-long series (nFrames >= width) from the frames of
 * x, which start at frame x0 and hold every frame those deltas read: o1, o2 get (to - from) x dim values. An edge
 * frame takes the value of the nearest interior frame, computed here the same way (the same bits as the copies).
 */
export function deltaRows(x: Float32Array | Float64Array, x0: number, nFrames: number, dim: number, width: number, from: number, to: number, o1: Float64Array, o2: Float64Array): void {
  const c1 = savgolDerivCoeffs(width, 1);
  const c2 = savgolDerivCoeffs(width, 2);
  const h = (width - 1) / 2;
  for (let t = from; t < to; t++) {
    const tc = t < h ? h : t > nFrames - h - 1 ? nFrames - h - 1 : t;
    const base = (t - from) * dim;
    const first = (tc - h - x0) * dim;
    for (let d = 0; d < dim; d++) {
      let s1 = 0;
      let s2 = 0;
      for (let j = 0, at = first + d; j < width; j++, at += dim) {
        const v = x[at];
        s1 += c1[j] * v;
        s2 += c2[j] * v;
      }
      o1[base + d] = s1;
      o2[base + d] = s2;
    }
  }
}
