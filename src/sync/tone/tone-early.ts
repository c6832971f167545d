/**
 * A beep onset read late on the echo's build-up (issue 11 item 4): tone energy in any phase just before the onset.
 *
 * In a room the direct sound arrives first and the reverberant part builds up after it over tens of ms (energy about
 * 1 - exp(-13.8 t / RT60); Kuttruff, "Room Acoustics", ch. 5). Where the direct sound is weak, the level first stands
 * out of the noise once the echo has built up, and an onset read there is late while its change-point fit looks sure.
 * The echo's phase is not the direct sound's, so the in-phase check of tone-onset.ts does not see the direct sound
 * before such an onset; this one does not ask for a phase: the coherent tone energy |Z|^2 of windows of W samples (16
 * ms in tone.ts: a steady 1 kHz direct sound and its build-up keep a phase over such a window, and gain on the noise
 * as it grows) in the `spanS` before the onset, against the direct sound's own energy in a window as long. tone.ts
 * decides by that ratio (`under_direct_db`): a step out of the noise has nothing near the direct sound before it.
 * For diagnosis the same window is also set against the noise 150-650 ms before the onset (peaks over a threshold,
 * flash-null.ts, Davison & Smith 1990): `expected_false`, `over_noise_db`; the check is skipped (null) when there is
 * not that much audio before the beep.
 */
import { exceedanceP, summariseNull } from '../flash/flash-null.js';
import type { Demod } from './tone-onset.js';

/**
 * An onset whose 40 ms before it hold tone (16 ms windows, any phase) within this of the direct sound after it is not
 * placeable: a direct sound arrives as a step out of the noise, while an onset read on the echo's build-up has the
 * rising echo (and the weak direct sound) right before it (toneEarlyAnyPhase). Measured 2026-11-30: the held-out onset
 * read 24.6 ms late (make-sync-rooms --variant 1, rt5-drr-6-snr10-wav-both) -5.9 dB, one read 90 ms late -2.0 dB,
 * an echo after a beep's end read as a second beep -5.9 dB; right onsets on the room bench (--set full) -16.9 dB and
 * below, on the 0 dB speech mixtures of sync-tone.test.ts -12.9 dB and below. Onsets read 7-22 ms late measured -13
 * to -18 dB: this check does not see those (the onset-sd and plateau checks do).
 */
export const MAX_EARLY_DB = -10;
/**
 * A clean step (tone.ts onsetSd): the direct sound this far over the band's interference, and the 40 ms before the
 * onset this far under it. On the room bench (--set full) the one onset it let through was right (0.05 ms); the
 * onsets read 22 and 28 ms off that came nearest measured 14.6 dB over the noise with -10.4 dB before, and 16.1 dB
 * with 0 dB.
 */
export const CLEAN_DIRECT_DB = 15;
export const CLEAN_EARLY_DB = -15;

export interface EarlyTone {
  /** Expected number of noise windows as strong as the strongest one before the onset, among as many tries. */
  expected_false: number;
  /** That window's energy over the null's mean and against the direct sound's energy in a window as long, dB. */
  over_noise_db: number;
  under_direct_db: number;
  /** How far before the onset that window ends, seconds. */
  ends_before_s: number;
}

/**
 * The strongest |Z|^2 of W-sample windows (steps of W/4) ending between `spanS` and `marginS` before `onset`, against
 * the null of windows in [nullFrom, nullTo) (steps of W/2); `directAmp` is the direct sound's amplitude after the onset
 * (its window energy is (directAmp W / 2)^2). Null when there is too little audio before the beep to judge by.
 */
export function toneEarlyAnyPhase(
  demod: Demod,
  onset: number,
  W: number,
  nullFrom: number,
  nullTo: number,
  directAmp: number,
  sampleRate: number,
  spanS = 0.04,
  marginS = 0.001,
): EarlyTone | null {
  const energy = (a: number) => {
    const [re, im] = demod(a, a + W);
    return re * re + im * im;
  };
  const directE = ((directAmp * W) / 2) ** 2;
  const q: number[] = [];
  for (let a = Math.max(0, nullFrom); a + W <= nullTo; a += Math.max(1, W >> 1)) q.push(energy(a));
  if (q.length < 16) return null;
  // A null of (near) digital silence: 60 dB under the direct sound is where it stops mattering.
  const mean = Math.max(q.reduce((s, v) => s + v, 0) / q.length, directE * 1e-6, 1e-30);
  const nul = summariseNull(q.map((v) => v / mean));
  const last = Math.floor(onset - marginS * sampleRate) - W;
  const first = Math.round(onset - spanS * sampleRate);
  if (first < 0 || last < first) return null;
  let best = 0;
  let bestEnd = last + W;
  let tries = 0;
  for (let a = last; a >= first; a -= Math.max(1, W >> 2), tries++) {
    const e = energy(a);
    if (e > best) {
      best = e;
      bestEnd = a + W;
    }
  }
  // Windows a quarter apart overlap: about a quarter as many independent tries.
  return {
    expected_false: Math.max(1, tries / 4) * exceedanceP(nul, best / mean),
    over_noise_db: 10 * Math.log10(Math.max(best / mean, 1e-12)),
    under_direct_db: 10 * Math.log10(Math.max(best, 1e-30) / Math.max(directE, 1e-30)),
    ends_before_s: (onset - bestEnd) / sampleRate,
  };
}

/**
 * The room's echo after a beep ends (the direct sound stops, the reverberant part goes on in its own phase and can be
 * louder than direct + echo were together) can read as a beep of its own starting where the first one ends. A
 * detection starting within an earlier one or up to 150 ms after its end is marked not placeable, naming the earlier
 * beep: one beep is never two pulses (an echo dip can also end the earlier one's measured length early: on the room
 * bench a 250 ms beep measured 149 ms, and its tail started a detection 250 ms after its onset). `dets` sorted by onset or not; changed in place.
 */
/** The end of an echo tail's unplaceable_reason (beep-pairing.ts tells such a detection from a beep by it). */
export const ECHO_TAIL = "the room's echo after that beep, not a beep of its own";

export function markEchoTails(dets: Array<{ t_s: number; duration_s: number; placeable?: boolean; unplaceable_reason?: string }>): void {
  const byOnset = [...dets].sort((a, b) => a.t_s - b.t_s);
  for (let i = 1; i < byOnset.length; i++) {
    const d = byOnset[i];
    const host = byOnset.slice(0, i).find((p) => d.t_s > p.t_s && d.t_s <= p.t_s + p.duration_s + 0.15);
    if (!host) continue;
    d.placeable = false;
    d.unplaceable_reason = `starts ${((d.t_s - host.t_s - host.duration_s) * 1000).toFixed(0)} ms from the end of the beep at ${host.t_s.toFixed(3)} s: ${ECHO_TAIL}`;
  }
}
