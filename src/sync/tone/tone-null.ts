/**
 * Calibrated beep confidence (issue 11 item 2, the audio analogue of flash-null.ts): how often does this same
 * recording make tone-band energy as strong as the beep's at times without a beep?
 *
 * Statistic: the coherent power at the tone over the first 50 ms of the beep (the shortest beep accepted): the
 * single-bin DFT over 50 ms, a 20 Hz band, in which a steady beep keeps all its power while noise keeps a fifth of
 * what a 10 ms window holds and a speech harmonic gliding through the tone frequency little), in dB over the
 * track's median. Null: the same at every 2 ms step of the analysed chunk outside the beeps found in it and their
 * echo (speech, music and noise at the tone frequency; like compared with like). Its upper tail is fitted by peaks over a threshold (flash-null.ts; Davison & Smith 1990) and never taken
 * below 1/(100 N) per step. The expected number of false beeps at least this strong in the searched span is
 * lambda = (span / 50 ms) * p, and confidence = exp(-lambda), at most 0.999 (the Poisson probability of none).
 * Only events that also stand out from neighbouring frequencies (the detector's prominence test) count as false
 * beeps: the rate is thinned by the fraction of the null's strongest events that do. The detector's phase test is
 * not applied to the null, so the confidence is conservative.
 */
import { calibrate, summariseNull, type Calibration } from '../flash/flash-null.js';
import { kthSmallest } from './tone-math.js';

/** Windows averaged for the statistic (50 ms of 2 ms steps). */
export const STAT_WINDOWS = 25;

/**
 * Coherent power of STAT_WINDOWS consecutive 2 ms blocks from each block (the blocks' demodulated sums bre, bim),
 * in dB over the track's median (length bre.length - STAT_WINDOWS + 1).
 */
export function statTrack(bre: Float64Array, bim: Float64Array): Float64Array {
  const n = Math.max(0, bre.length - STAT_WINDOWS + 1);
  const out = new Float64Array(n);
  let re = 0;
  let im = 0;
  for (let b = 0; b < Math.min(bre.length, STAT_WINDOWS - 1); b++) {
    re += bre[b];
    im += bim[b];
  }
  for (let b = 0; b < n; b++) {
    re += bre[b + STAT_WINDOWS - 1];
    im += bim[b + STAT_WINDOWS - 1];
    out[b] = re * re + im * im;
    re -= bre[b];
    im -= bim[b];
  }
  const med = kthSmallest(Float64Array.from(out), n >> 1) || 1e-30;
  for (let b = 0; b < n; b++) out[b] = 10 * Math.log10(Math.max(out[b], 1e-30) / Math.max(med, 1e-30));
  return out;
}

/**
 * Calibrates each beep (its first full window index `w`, and the window span [from, to] it and its echo occupy)
 * against the track's values outside every beep's span. `spanWindows`: how many 2 ms steps were searched.
 */
export function calibrateBeeps(
  track: Float64Array,
  beeps: Array<{ w: number; from: number; to: number }>,
  spanWindows: number,
  prominent: (w: number) => boolean,
): Calibration[] {
  const inBeep = (w: number) => beeps.some((b) => w + STAT_WINDOWS > b.from && w <= b.to);
  const nullVals: number[] = [];
  for (let w = 0; w < track.length; w++) if (!inBeep(w)) nullVals.push(track[w]);
  const nul = summariseNull(nullVals);
  const thin = prominentFraction(track, nul.u, inBeep, prominent);
  return beeps.map((b) => {
    const z = track[Math.min(track.length - 1, Math.max(0, b.w))];
    // Independent tries: the searched span in steps of the statistic's 50 ms; only events that would also pass the
    // detector's prominence test count as false beeps.
    return calibrate(nul, z, (spanWindows / STAT_WINDOWS) * thin);
  });
}

/**
 * Of the null's strongest distinct events (local maxima above its tail threshold u, 50 ms apart, at most 20), the
 * fraction that stand out from neighbouring frequencies as a beep must (`prominent`), as (k + 1) / (m + 2): speech
 * harmonics on the tone frequency have neighbours as strong and do not; a whistle does.
 */
function prominentFraction(track: Float64Array, u: number, inBeep: (w: number) => boolean, prominent: (w: number) => boolean): number {
  const peaks: number[] = [];
  for (let w = 1; w + 1 < track.length; w++) {
    if (track[w] > u && track[w] >= track[w - 1] && track[w] > track[w + 1] && !inBeep(w)) peaks.push(w);
  }
  peaks.sort((a, b) => track[b] - track[a]);
  const chosen: number[] = [];
  for (const w of peaks) {
    if (chosen.length >= 20) break;
    if (chosen.every((c) => Math.abs(c - w) >= STAT_WINDOWS)) chosen.push(w);
  }
  const k = chosen.filter(prominent).length;
  return (k + 1) / (chosen.length + 2);
}
