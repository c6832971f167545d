/**
 * Is there a beep where a cross-correlation lag puts the partner's? A stream whose own beep the detector did not find
 * (band SNR 0 dB in a reverberant room: its 10 ms power broken up by speech and echo) can still hold it: a steady
 * sinusoid at the partner's beep frequency, for the partner's beep length, at the partner's beep time mapped through
 * the lag. The statistic is the coherent power over the beep's plateau (a single-bin DFT of that span, the matched
 * filter for a sinusoid of unknown phase: Van Trees, "Detection, Estimation and Modulation Theory" I, 4.4) over the
 * mean of its 20 ms sub-spans' (the coherence of tone-coherent.ts: near 1 for a steady tone, Beta(1, K-1) with mean
 * 1/K for noise; speech gliding through the tone frequency little more), judged against the same statistic at every
 * other placement of the same span in the same recording (its own null, as tone-null.ts does for found beeps): the
 * mapped place must hold the steadiest tone of the window. Power alone does not: at band SNR 0 dB the loudest speech
 * in the window out-powers the beep's plateau (room variant 9, RT60 0.8 s, DRR -9 dB: 4.1 dB under the window's
 * strongest placement, 20 placements stronger; coherence 0.90 against the others' largest 0.55).
 */

export interface MappedBeep {
  /** Onset on the stream's own clock (the partner's beep mapped through the lag), seconds. */
  t_s: number;
  duration_s: number;
  freq_hz: number;
}

/** Skipped after the mapped onset: the echo builds the level up over its first tens of ms, and the lag's beep path differs from the speech path by a few ms. */
const LEAD_IN_S = 0.03;
/** Sub-spans whose mean coherent power is the incoherent reference; at least MIN_SUBSPANS of them. */
const SUB_S = 0.02;
const MIN_SUBSPANS = 4;
/** Kept clear of the beep before it and after its end (its echo: RT60 up to 0.8 s decays 30 dB in 0.4 s). */
const GUARD_BEFORE_S = 0.1;
const GUARD_AFTER_S = 0.6;
/** The null's placements, every 10 ms; fewer than MIN_NULL (5 s of recording) and the margin is unknown. */
const NULL_STEP_S = 0.01;
const MIN_NULL = 500;

/** Prefix sums of x demodulated at hz (x e^{-i 2 pi hz n / sr}), so that a coherent sum over any span costs two look-ups. */
function demodPrefix(x: Float32Array, sr: number, hz: number): { re: Float64Array; im: Float64Array } {
  const re = new Float64Array(x.length + 1);
  const im = new Float64Array(x.length + 1);
  const w = (2 * Math.PI * hz) / sr;
  for (let n = 0; n < x.length; n++) {
    re[n + 1] = re[n] + x[n] * Math.cos(w * n);
    im[n + 1] = im[n] - x[n] * Math.sin(w * n);
  }
  return { re, im };
}

/** Coherence of the K sub-spans of `sub` samples from sample i: |sum|^2 over K times the sum of |sub-span sum|^2 (0..1). */
function coherenceAt(p: { re: Float64Array; im: Float64Array }, i: number, sub: number, K: number): number {
  const pw = (a: number, m: number) => (p.re[a + m] - p.re[a]) ** 2 + (p.im[a + m] - p.im[a]) ** 2;
  let inc = 0;
  for (let k = 0; k < K; k++) inc += pw(i + k * sub, sub);
  return inc > 0 ? pw(i, K * sub) / (K * inc) : 0;
}

export interface MappedBeepScore {
  /** Coherence over the mapped beep's plateau, 0..1. */
  coherence: number;
  /** The largest coherence of the same span anywhere else in the window, clear of the beep and its echo. */
  null_max: number;
  /** Placements in the null. */
  null_n: number;
}

/**
 * The mapped beep's plateau coherence against every other placement of that span in x (first sample at stream time
 * x0), 10 ms apart, clear of the beep and its echo; null when the plateau is not inside x, is shorter than
 * MIN_SUBSPANS sub-spans, or the null has fewer than MIN_NULL placements.
 */
export function mappedBeepScore(x: Float32Array, x0: number, sr: number, beep: MappedBeep): MappedBeepScore | null {
  const r = mappedBeepRank(x, x0, sr, beep);
  return r && { coherence: r.coherence, null_max: r.null_max, null_n: r.null_n };
}

export interface MappedBeepRank extends MappedBeepScore {
  /** Coherent power over the plateau (|single-bin sum|^2 / samples). */
  power: number;
  /** Fractions of the null's placements whose coherence, whose power, lie below the mapped beep's. */
  coherence_rank: number;
  power_rank: number;
  /** Fraction of the null's placements at least as steady and at least as strong as the mapped beep (both at once). */
  joint_p: number;
}

/**
 * mappedBeepScore, with where the mapped beep ranks among the null's placements in coherence and in coherent power
 * (the matched filter's output, as for a found beep's band SNR). Null as mappedBeepScore.
 */
export function mappedBeepRank(x: Float32Array, x0: number, sr: number, beep: MappedBeep): MappedBeepRank | null {
  const sub = Math.round(SUB_S * sr);
  const K = Math.floor(((beep.duration_s - LEAD_IN_S - 0.01) * sr) / sub);
  const n = K * sub;
  const i0 = Math.round((beep.t_s + LEAD_IN_S - x0) * sr);
  if (K < MIN_SUBSPANS || i0 < 0 || i0 + n > x.length) return null;
  const p = demodPrefix(x, sr, beep.freq_hz);
  const power = (i: number) => ((p.re[i + n] - p.re[i]) ** 2 + (p.im[i + n] - p.im[i]) ** 2) / n;
  const [coh0, pow0] = [coherenceAt(p, i0, sub, K), power(i0)];
  const lo = Math.round((beep.t_s - GUARD_BEFORE_S - x0) * sr) - n;
  const hi = Math.round((beep.t_s + beep.duration_s + GUARD_AFTER_S - x0) * sr);
  const step = Math.round(NULL_STEP_S * sr);
  let [nullMax, count, cohBelow, powBelow, both] = [0, 0, 0, 0, 0];
  for (let i = 0; i + n <= x.length; i += step) {
    if (i > lo && i < hi) continue;
    const [c, w] = [coherenceAt(p, i, sub, K), power(i)];
    nullMax = Math.max(nullMax, c);
    count++;
    cohBelow += c < coh0 ? 1 : 0;
    powBelow += w < pow0 ? 1 : 0;
    both += c >= coh0 && w >= pow0 ? 1 : 0;
  }
  if (count < MIN_NULL) return null;
  return { coherence: coh0, null_max: nullMax, null_n: count, power: pow0, coherence_rank: cohBelow / count, power_rank: powBelow / count, joint_p: both / count };
}
