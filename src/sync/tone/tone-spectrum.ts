/**
 * Spectral prominence of the tone (tone.ts): Goertzel (1958) power at the tone and at frequencies 60-450 Hz either
 * side, over a Hann-windowed stretch.
 */

/**
 * How far the tone stands above the strongest other component between 60 and 450 Hz away (Hann-windowed DFT over
 * the burst, at most 250 ms of it). A voiced-speech harmonic that happens to sit on the tone frequency has its
 * neighbours f0 +- F0 about as strong; a beep stands well clear of them.
 *
 * `belowDb`: the caller only asks whether the prominence reaches belowDb. Once a component is strong enough that the
 * prominence is surely under it (the strongest component only grows as more are measured, so the prominence only
 * falls), the search stops and returns the prominence over the components measured so far, an upper bound that is
 * itself under belowDb; at or above belowDb the value is the prominence, computed in full as without it. In speech
 * every candidate that reaches this test stands 8-20 dB under its neighbours (the 10-minute bench file: 11 of them),
 * and the first component or two settle it instead of up to 157 Goertzel runs over the burst.
 */
export function prominenceDb(x: Float32Array, a: number, b: number, sr: number, toneHz: number, belowDb = -Infinity): number {
  b = Math.min(b, a + Math.round(0.25 * sr));
  if (b - a < 16) return 0;
  const len = b - a;
  const win = new Float64Array(len);
  for (let i = 0; i < len; i++) win[i] = x[a + i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / len));
  const pow = (f: number): number => {
    const w = (2 * Math.PI * f) / sr;
    // Goertzel recurrence for one frequency.
    const c = 2 * Math.cos(w);
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < len; i++) {
      const s0 = win[i] + c * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    return s1 * s1 + s2 * s2 - c * s1 * s2;
  };
  const tone = Math.max(pow(toneHz), 1e-30);
  // A component at or above this puts the prominence under belowDb whatever comes after (a relative margin of 1e-9,
  // far above the rounding of the power ratio, its log10 and 10 ** (belowDb / 10)); never reached for -Infinity.
  const settles = (tone / 10 ** (belowDb / 10)) * (1 + 1e-9);
  let other = 1e-30;
  const step = Math.max(5, Math.min(20, sr / len / 2));
  for (let d = 60; d <= 450; d += step) {
    for (const f of [toneHz - d, toneHz + d]) if (f > 20 && f < sr / 2 - 20) other = Math.max(other, pow(f));
    if (other >= settles) break;
  }
  return 10 * Math.log10(tone / other);
}
