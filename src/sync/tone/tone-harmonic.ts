/**
 * Is a tone burst (tone.ts) the k-th harmonic of a voice at toneHz / k? A steady voice at half the beep's frequency (a
 * child's or a singer's 500 Hz vowel) has its second partial on 1 kHz and its neighbours 500 Hz away, beyond the
 * prominence check (tone-spectrum.ts, 60-450 Hz); it passes the frequency and phase-line checks like a beep.
 *
 * Method: quadratic (harmonic) phase coupling, as the bicoherence of Kim & Powers (1979, "Digital bispectral analysis
 * and its applications to nonlinear wave interactions", IEEE Trans. Plasma Sci. 7(2)) measures it: in short Hann
 * windows the complex amplitudes z1 at the tone and zk at toneHz / k are taken against references with one time
 * origin, so that a partial that is a harmonic of the other keeps arg(z1 * conj(zk)^k) fixed from window to window
 * whatever the voice's F0 does (vibrato and glides move both phases together). Each window's phase relation counts
 * once (a unit phasor: one loud syllable under a beep does not outvote the rest); the coupling is the length of their
 * mean. A beep and an unrelated sound near toneHz / k (speech, a hum harmonic) keep no such relation, or, when they
 * happen to (a hum harmonic of exactly 500 Hz under a beep of exactly 1 kHz), stand far under the beep. A candidate
 * is a harmonic when the partial at toneHz / k is at most MIN_LEVEL_DB under the tone, stands alone (MIN_ISOLATION_DB)
 * and its coupling is sure (see the constants). A phase vocoder's pitch shift (ffmpeg rubberband) does not keep the partials' phase relation:
 * speech shifted to 500 Hz coupled 0.54-0.60 and is not refused by this test. A beep clipped at full
 * scale adds odd harmonics above it (3k, 5k), not partials below it.
 */

/** Analysis window and hop, seconds (20 ms: five periods of 250 Hz; the Hann main lobe +-100 Hz). */
const WIN_S = 0.02;
const HOP_S = 0.01;
/** Longest stretch looked at, seconds. */
const MAX_SPAN_S = 0.5;
/** Fewest windows for a verdict (a 60 ms stretch). */
const MIN_WINDOWS = 5;
/** Sub-harmonic orders tried: voices at toneHz / 2, / 3, / 4 (500, 333, 250 Hz under a 1 kHz beep). */
const ORDERS = [2, 3, 4];
/**
 * A harmonic's coupling: at least SURE_COUPLING (a steady voice, dry: 1.00 in every window count), or at least
 * MIN_COUPLING with a Rayleigh statistic (windows x coupling^2; Mardia & Jupp 2000, "Directional Statistics" 8.2.1:
 * P(R >= r) ~ exp(-n r^2) for n independent phases) of at least MIN_RAYLEIGH: the windows overlap by half, so 12 is
 * about 6 independent, a chance of 0.25 % for unrelated phases. Measured (2026-12-02, speech mixtures with 1 kHz
 * beeps of 60-310 ms at -12..0 dB, 600 mixtures, 3 orders each): beeps with the partial within MIN_LEVEL_DB reached
 * coupling 0.85 at 5 windows (statistic 3.6) and 0.73 at 11 (5.9), placeable ones 0.65; a 500 Hz sung vowel in a
 * generated room (RT60 0.8 s, DRR -6 dB, F0 jitter 0-0.2 %) 0.85-0.86 over 0.7-0.9 s (statistic over 30), dry 1.00.
 */
export const SURE_COUPLING = 0.95;
export const MIN_COUPLING = 0.75;
export const MIN_RAYLEIGH = 12;
/** How far under the tone the partial at toneHz / k may lie for the tone to be its harmonic, dB (a 50 Hz hum's 10th harmonic under a beep of exactly 1 kHz: coupled 0.98 at -26 dB). */
export const MIN_LEVEL_DB = -15;
/**
 * A voice's partial at toneHz / k stands alone: nothing ISOLATION_HZ either side (two bins of the 20 ms window) comes
 * within MIN_ISOLATION_DB of it. A mains buzz (50 Hz with flat harmonics, e.g. a ground loop) has partials at 450 and
 * 550 Hz as strong as at 500 Hz, coupled to a beep of exactly 1 kHz (0.93 at -20 dB re the beep, 49.98 Hz mains).
 */
const ISOLATION_HZ = 100;
export const MIN_ISOLATION_DB = 6;

export interface HarmonicFinding {
  /** The voice's fundamental, toneHz / k, Hz. */
  f0_hz: number;
  /** The partial at f0_hz against the tone, power over the stretch, dB. */
  level_db: number;
  /** Phase coupling: the length of the mean unit phasor of z1 conj(zk)^k over the windows (0..1; 1 in every window the same). */
  coupling: number;
  /** Windows the coupling was measured over (20 ms, 10 ms apart). */
  windows: number;
  /** The partial's mean power over the largest power ISOLATION_HZ either side of it in any window, dB. */
  isolation_db: number;
}

/** Hann-windowed complex amplitude of x[s..s+n) at f, phase measured from sample `origin`. */
function amplitudeAt(x: Float32Array, s: number, n: number, f: number, sr: number, origin: number, win: Float64Array): [number, number] {
  const w = (2 * Math.PI * f) / sr;
  let re = 0;
  let im = 0;
  for (let i = 0; i < n; i++) {
    const ph = w * (s + i - origin);
    const v = x[s + i] * win[i];
    re += v * Math.cos(ph);
    im -= v * Math.sin(ph);
  }
  return [re, im];
}

/** z^k for a complex z. */
function power(re: number, im: number, k: number): [number, number] {
  let pr = 1;
  let pi = 0;
  for (let j = 0; j < k; j++) [pr, pi] = [pr * re - pi * im, pr * im + pi * re];
  return [pr, pi];
}

/** Coupling of the tone with its k-th sub-harmonic over x[a..b) (module comment), or null with too few windows. */
function couplingOf(x: Float32Array, a: number, b: number, sr: number, toneHz: number, k: number, win: Float64Array): HarmonicFinding | null {
  const n = win.length;
  const hop = Math.max(1, Math.round(HOP_S * sr));
  const f0 = toneHz / k;
  let cRe = 0;
  let cIm = 0;
  let p1 = 0;
  let pk = 0;
  let pSide = 0;
  let count = 0;
  for (let s = a; s + n <= b; s += hop, count++) {
    const [t1, t2] = amplitudeAt(x, s, n, toneHz, sr, a, win);
    const [s1, s2] = amplitudeAt(x, s, n, f0, sr, a, win);
    const [q1, q2] = power(s1, -s2, k);
    // Each window's phase relation as a unit phasor: one loud window (a syllable under a beep) does not outvote the rest.
    const re = t1 * q1 - t2 * q2;
    const im = t1 * q2 + t2 * q1;
    const mag = Math.hypot(re, im);
    if (mag > 0) {
      cRe += re / mag;
      cIm += im / mag;
    }
    p1 += t1 * t1 + t2 * t2;
    pk += s1 * s1 + s2 * s2;
    for (const side of [-ISOLATION_HZ, ISOLATION_HZ]) {
      const [n1, n2] = amplitudeAt(x, s, n, f0 + side, sr, a, win);
      pSide = Math.max(pSide, n1 * n1 + n2 * n2);
    }
  }
  if (count < MIN_WINDOWS || p1 <= 0) return null;
  const isolationDb = 10 * Math.log10(Math.max(pk / count, 1e-30) / Math.max(pSide, 1e-30));
  return { f0_hz: f0, windows: count, isolation_db: isolationDb, coupling: Math.hypot(cRe, cIm) / count, level_db: 10 * Math.log10(Math.max(pk / p1, 1e-20)) };
}

/** Every order's coupling over x[a..b) (the strongest first), for reports and tuning. */
export function harmonicCouplings(x: Float32Array, a: number, b: number, sr: number, toneHz: number): HarmonicFinding[] {
  b = Math.min(b, a + Math.round(MAX_SPAN_S * sr));
  const n = Math.round(WIN_S * sr);
  const win = new Float64Array(n);
  for (let i = 0; i < n; i++) win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n);
  const out: HarmonicFinding[] = [];
  for (const k of ORDERS) {
    if (toneHz / k < 40) continue;
    const c = couplingOf(x, a, b, sr, toneHz, k, win);
    if (c) out.push(c);
  }
  return out.sort((p, q) => q.coupling - p.coupling);
}

/** The voice whose harmonic the tone in x[a..b) is (module comment), or null when it is none. */
export function harmonicOfVoice(x: Float32Array, a: number, b: number, sr: number, toneHz: number): HarmonicFinding | null {
  const locked = (c: HarmonicFinding) => c.coupling >= SURE_COUPLING || (c.coupling >= MIN_COUPLING && c.windows * c.coupling ** 2 >= MIN_RAYLEIGH);
  return harmonicCouplings(x, a, b, sr, toneHz).find((c) => c.level_db >= MIN_LEVEL_DB && c.isolation_db >= MIN_ISOLATION_DB && locked(c)) ?? null;
}
