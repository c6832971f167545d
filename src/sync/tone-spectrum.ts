/**
 * Spectral prominence of the tone (tone.ts): Goertzel (1958) power at the tone and at frequencies 60-450 Hz either
 * side, over a Hann-windowed stretch.
 */

/**
 * How far the tone stands above the strongest other component between 60 and 450 Hz away (Hann-windowed DFT over
 * the burst, at most 250 ms of it). A voiced-speech harmonic that happens to sit on the tone frequency has its
 * neighbours f0 +- F0 about as strong; a beep stands well clear of them.
 */
export function prominenceDb(x: Float32Array, a: number, b: number, sr: number, toneHz: number): number {
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
  const p0 = pow(toneHz);
  let other = 1e-30;
  const step = Math.max(5, Math.min(20, sr / len / 2));
  for (let d = 60; d <= 450; d += step) {
    for (const f of [toneHz - d, toneHz + d]) if (f > 20 && f < sr / 2 - 20) other = Math.max(other, pow(f));
  }
  return 10 * Math.log10(Math.max(p0, 1e-30) / other);
}
