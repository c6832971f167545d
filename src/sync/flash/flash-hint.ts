/**
 * What a camera without sound learns from the session's beeps (issue 11): the pulse length and, with beeps at both
 * ends, the start/end interval on the reference clock, for the start/end pair search (flash-pair.ts). Each end's
 * beep time is, in this order: the reference microphone's chosen beep; another placed audio stream's chosen beep,
 * mapped onto the reference clock by its placement; the reference's own beep that was found and timed (band SNR
 * >= 0 dB, onset known within 10 ms) but not placeable. The pair search needs the interval only within two frames
 * (pairSpan), so a beep refused for millisecond timing still says where the other flash is; it places nothing
 * itself: the picture is placed pulse to pulse from placeable beeps only (place.ts), so with the reference's start
 * beep refused it is placed by its end flash (drift unknown), and a warning says which beep gave the interval.
 */
import type { FlashPairHint } from './flash-pair.js';
import type { Candidate, Placement, StreamState } from '../streams.js';

/** Onset uncertainty up to which a beep not placeable by itself still gives the pair's interval (far below 2 frames). */
const HINT_ONSET_SD_S = 0.01;

interface EndBeep {
  /** Reference-clock time of the beep, seconds. */
  t: number;
  duration_s: number | null;
  /** How the time was found when not from the reference's own chosen beep (for the warning), else null. */
  note: string | null;
  /** From a beep that is not placeable itself. */
  refused: boolean;
}

const refClock = (p: Placement, t: number) => t + p.offset + (p.k ?? 0) * t;
const lengthOf = (c: Candidate) => (typeof c.duration_s === 'number' ? c.duration_s : null);

/** The reference's only beep of a window that was found and timed but not placeable (two or more: none is used). */
function timedUnplaceable(ref: StreamState, w: 'start' | 'end'): Candidate | null {
  const timed = ref.detections.filter((d) => d.window === w && d.placeable === false && Number(d.band_snr_db) >= 0 && typeof d.onset_sd_s === 'number' && d.onset_sd_s <= HINT_ONSET_SD_S);
  const apart = timed.filter((d, i) => timed.every((o, j) => j >= i || Math.abs(Number(o.t_s) - Number(d.t_s)) > 0.1));
  return apart.length === 1 ? ({ ...apart[0], t_s: Number(apart[0].t_s) } as Candidate) : null;
}

/** One end's beep on the reference clock (see the header for the order), or null. */
function beepAt(w: 'start' | 'end', ref: StreamState, states: StreamState[]): EndBeep | null {
  const own = ref.chosen[w];
  if (own) return { t: own.t_s, duration_s: lengthOf(own), note: null, refused: false };
  const other = states.find((s) => s !== ref && s.kind === 'audio' && s.placed && s.chosen[w]);
  if (other?.placed) {
    const c = other.chosen[w] as Candidate;
    return { t: refClock(other.placed, c.t_s), duration_s: lengthOf(c), note: `${other.file} audio stream ${other.stream}'s ${w} beep at ${c.t_s.toFixed(3)} s (the reference has no placeable ${w} beep)`, refused: false };
  }
  const refused = timedUnplaceable(ref, w);
  if (!refused) return null;
  return { t: refused.t_s, duration_s: lengthOf(refused), note: `${ref.file}'s ${w} beep at ${refused.t_s.toFixed(3)} s, which is not placeable itself (${refused.unplaceable_reason ?? 'does not stand out'}); only the flash at the other end places the picture`, refused: true };
}

/**
 * The pair hint for a camera without sound, and the warning naming the beep that gave the interval when it was not
 * the reference's own placeable one. With beeps at both ends (not both refused ones): the interval and the pulse
 * length; with one end only: the pulse length (a candidate must agree with it to be placed unguided). Null without
 * any beep of the session.
 */
export function pairHintFor(ref: StreamState | undefined, states: StreamState[]): { hint: FlashPairHint; note: string | null } | null {
  if (ref?.kind !== 'audio') return null;
  let [a, b] = [beepAt('start', ref, states), beepAt('end', ref, states)];
  // Both ends known only from refused beeps: no placeable beep to place a flash from; a lone refused beep neither.
  if (a?.refused && (b === null || b.refused)) a = null;
  if (b?.refused && a === null) b = null;
  const pulse = [a, b].map((x) => x?.duration_s).find((d) => typeof d === 'number') ?? null;
  if (!a && !b) return null;
  const interval = a && b ? b.t - a.t : null;
  const notes = interval === null ? [] : [a?.note, b?.note].filter((n): n is string => Boolean(n));
  return { hint: { interval_s: interval, pulse_s: pulse }, note: notes.length ? `its start/end flash pair was searched at the interval given by ${notes.join('; ')}` : null };
}
