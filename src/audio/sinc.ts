/**
 * Praat's windowed sinc interpolation (NUM_interpolate_sinc, melder/NUMinterpol.cpp), one implementation for the
 * pitch and harmonicity lag arrays (mirrored at lag 0) and the formant resampler (1-based signal indices).
 */

/**
 * Praat's NUM_interpolate_sinc on a symmetric lag array r[0..rMax] (r[-k] = r[k]), at fractional lag x. Values
 * beyond lag `nonzero` are known to be 0 and are skipped (they add nothing).
 */
export function sincInterpolate(r: Float64Array, rMax: number, x: number, maxDepth: number, nonzero = rMax): number {
  const midleft = Math.floor(x);
  const midright = midleft + 1;
  if (x === midleft) return r[Math.abs(midleft)];
  if (x >= rMax) return r[rMax];
  let depth = maxDepth;
  if (depth > rMax - midleft) depth = rMax - midleft;
  if (depth < 1) return r[Math.abs(Math.round(x))];
  const left = midright - depth;
  const right = midleft + depth;
  // Left side from midleft down to left, then the right side from midright up to right, summed in that order.
  const sumLeft = sincLeftSum(r, 0, x - midleft, x - left + 1, midleft, left > -nonzero ? left : -nonzero);
  return sincRightSum(r, 0, sumLeft, midright - x, right - x + 1, midright, right < nonzero ? right : nonzero);
}

/*
 * The two halves of Praat's NUM_interpolate_sinc (shared by the pitch, harmonicity and formant code): sample
 * y[|ix + shift|] (mirrored at 0 for lag arrays) weighted by sinc(pi d) times a raised-cosine window, sin/cos
 * advanced by the angle-addition recurrence as Praat does; the left half runs from `from` down to `to`, the right
 * half from `from` up to `to` and continues the left half's sum. Separate functions with only local doubles: V8
 * keeps them unboxed (the single-function form allocated about 800 bytes of heap numbers per call).
 */
export function sincLeftSum(r: Float64Array, shift: number, dist: number, span: number, from: number, to: number): number {
  let a = Math.PI * dist;
  let halfsina = 0.5 * Math.sin(a);
  const aa = a / span;
  const daa = Math.PI / span;
  let cosaa = Math.cos(aa);
  let sinaa = Math.sin(aa);
  const cosdaa = Math.cos(daa);
  const sindaa = Math.sin(daa);
  let result = 0;
  for (let ix = from; ix >= to; ix--) {
    const d = (halfsina / a) * (1 + cosaa);
    const k = ix + shift;
    result += r[k < 0 ? -k : k] * d;
    a += Math.PI;
    const help = cosaa * cosdaa - sinaa * sindaa;
    sinaa = cosaa * sindaa + sinaa * cosdaa;
    cosaa = help;
    halfsina = -halfsina;
  }
  return result;
}

export function sincRightSum(r: Float64Array, shift: number, result0: number, dist: number, span: number, from: number, to: number): number {
  let a = Math.PI * dist;
  let halfsina = 0.5 * Math.sin(a);
  const aa = a / span;
  const daa = Math.PI / span;
  let cosaa = Math.cos(aa);
  let sinaa = Math.sin(aa);
  const cosdaa = Math.cos(daa);
  const sindaa = Math.sin(daa);
  let result = result0;
  for (let ix = from; ix <= to; ix++) {
    const d = (halfsina / a) * (1 + cosaa);
    result += r[ix + shift] * d;
    a += Math.PI;
    const help = cosaa * cosdaa - sinaa * sindaa;
    sinaa = cosaa * sindaa + sinaa * cosdaa;
    cosaa = help;
    halfsina = -halfsina;
  }
  return result;
}
