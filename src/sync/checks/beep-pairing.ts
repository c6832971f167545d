/**
 * Which beep of the reference did this recording hear? When a window of the stream placed from holds two or more
 * beeps (a device that restarted and beeped again, a neighbour's device) and the stream's window one, every pairing
 * of a beep of the stream with a beep of the other is a candidate offset, each known to about a millisecond. The
 * pick (a rule's, or --pick) chose one. The content cannot say which by a search over all lags (a far, noisy
 * microphone's content has no clear peak: content pairs variant 130 `wrong_beep-far-opus16`, z 5.1 at the truth), nor
 * when it repeats (a looped stimulus: `wrong_beep-camera-agc` matched clearly at the truth and at the wrong pairing,
 * placed 22.7 s off with exit 0 and no word). Read only at the few pairings' lags (xcorr.ts fineAtOffset, beeps
 * masked as content-mismatch.ts withoutPulses does), the content either supports the chosen pairing clearly over every
 * other, or the placement rests on the pick alone and is refused (place.ts refuseUnclearPairing). The idea is the
 * multiple-hypothesis test of a known, small candidate set (as in a matched filter read at the hypotheses only): fewer
 * lags read, lower chance maxima than a search. Numeric only: no I/O.
 */
import { fineAtOffset } from '../xcorr/xcorr.js';
import { ECHO_TAIL } from '../tone/tone-early.js';

/**
 * Whether a detection may be a beep another recording heard: not one the detector named as something else, a voice's
 * harmonic (tone-harmonic.ts) or a beep's echo tail (tone-early.ts markEchoTails). A beep whose onset is only not
 * trusted still counts (content pairs variant 130 `wrong_beep-camera-agc`: the restart's beep, its two onset readings
 * 54 ms apart, was the one the camera heard).
 */
export function mayBeBeep(d: { harmonic_of_hz?: unknown; unplaceable_reason?: unknown }): boolean {
  return d.harmonic_of_hz === undefined && !(typeof d.unplaceable_reason === 'string' && d.unplaceable_reason.endsWith(ECHO_TAIL));
}

/** How much weaker than its window's chosen beep a candidate must be, dB, to be judged by its chance alone (choose.ts: 6 dB is a clear margin). */
export const RIVAL_MARGIN_DB = 6;

/**
 * Whether a candidate of a window is no rival to the window's chosen beep: clearly weaker (RIVAL_MARGIN_DB) and as
 * strong as the tone-like sounds this recording holds by chance (expected_false, tone-null.ts: one or more as strong
 * expected in the span searched). ttrial49 s07: the reference's candidate at 83.19 s, 15 dB under its end beep, 44.8
 * such expected (speech), was paired with the camera's one beep as "another offset", and the camera refused with
 * "trim the recording with the extra beep" where there was none. A restart's beep heard by another device (the check's
 * case) is a beep as loud as the session's, which no null explains.
 */
export function chanceCandidate(d: { level_dbfs?: unknown; expected_false?: unknown }, chosenLevelDb: number | null): boolean {
  const level = Number(d.level_dbfs);
  const expected = Number(d.expected_false);
  return chosenLevelDb !== null && Number.isFinite(level) && Number.isFinite(expected) && expected >= 1 && chosenLevelDb - level >= RIVAL_MARGIN_DB;
}

/** One pairing: a beep of the stream (own_s, its time) with a beep of the stream placed from (from_s, its time), and the stream's offset it gives. */
export interface Pairing {
  own_s: number;
  from_s: number;
  /** The stream's offset on the reference clock under this pairing (T = t (1 + k) + offset). */
  offset: number;
  /** The masked content's fine z about this pairing's lag, the best of the windows read (null: no window could be read). */
  z: number | null;
}

/**
 * The pairings of a window's beeps whose offsets differ from the chosen one's by more than distinctS (closer ones are a
 * question of the onset, or an echo of the same beep, not another pairing), one per distinct offset (the first of
 * those within distinctS of each other). toRef maps a time of the stream placed from to the reference clock; k is the
 * stream's drift as placed (0 when unknown).
 */
export function otherPairings(own: number[], from: number[], toRef: (t: number) => number, k: number, chosenOffset: number, distinctS: number): Pairing[] {
  const out: Pairing[] = [];
  for (const b of own) {
    for (const a of from) {
      const offset = toRef(a) - b * (1 + k);
      if (Math.abs(offset - chosenOffset) <= distinctS) continue;
      if (out.some((p) => Math.abs(p.offset - offset) <= distinctS)) continue;
      out.push({ own_s: b, from_s: a, offset, z: null });
    }
  }
  return out;
}

/** A window pair with its pulses masked: the stream placed from (a) and the stream (b), first samples at aT0 and bT0. */
export interface MaskedPair {
  a: Float32Array;
  aT0: number;
  b: Float32Array;
  bT0: number;
}

/**
 * The masked content's fine z about a placement offset, the best over the window pairs; null when none overlaps enough
 * to read (fineAtOffset: 4 frames). lagAt(offset, tm): the lag (add to b's time to get a's) that offset gives at b's
 * window middle tm.
 */
export function contentZ(pairs: MaskedPair[], sr: number, offset: number, lagAt: (offset: number, tm: number) => number): number | null {
  let best: number | null = null;
  for (const p of pairs) {
    const tm = p.bT0 + p.b.length / sr / 2;
    const f = fineAtOffset(p.a, p.aT0, p.b, p.bT0, sr, lagAt(offset, tm));
    if (f && (best === null || f.z > best)) best = f.z;
  }
  return best;
}

/**
 * How many times another pairing's z the chosen one's must reach to be the content's clear best. Two fine peaks of one
 * content differ by this when the other lag shares only a part of the sound (repeated clips); 1.5 is the coarse peak
 * ratio a content placement asks of its best lag over the next (place.ts whyNotConclusive), taken over here.
 */
export const CLEAR_RATIO = 1.5;

/**
 * The content's word on the chosen pairing: 'supported' when its z reaches minZ and CLEAR_RATIO times every other
 * pairing's; 'ambiguous' when some pairing's z reaches minZ but the chosen one is not so clearly the best (the content
 * points elsewhere, or at two pairings alike: a repeated stimulus); 'weak' when no pairing's z reaches minZ (nothing the
 * content says tells them apart).
 */
export function pairingVerdict(chosenZ: number | null, others: Pairing[], minZ: number): 'supported' | 'ambiguous' | 'weak' {
  const best = Math.max(0, ...others.map((p) => p.z ?? 0));
  if (chosenZ !== null && chosenZ >= minZ && chosenZ >= CLEAR_RATIO * best) return 'supported';
  return Math.max(best, chosenZ ?? 0) >= minZ ? 'ambiguous' : 'weak';
}
