/**
 * Damaged packets in a sound's search window. ffmpeg skips an AAC or MP3 packet it cannot decode ("Error while
 * decoding stream", "Header missing") and goes on: the samples after it come a packet early on a count from the
 * window's start (a timestamp jump, scan-audio.ts afterGap), and a beep decoded around the hole is timed from samples
 * that are not all there. `mmprep audio` counts ffmpeg's decode errors (source.decode_errors); sync's beep scan counts
 * them the same way (decode-audio.ts: its error-level messages), per sound stream (`decode_errors`), and does not time
 * a beep from a span among which ffmpeg reported damage (decode-audio.ts GapTracker.error: where the decoded samples
 * stood at each message). Pure: no I/O.
 */
import type { ToneDetection } from './tone.js';

/** The span before an onset a beep's detection reads: the band SNR's noise, the 0.5 s before it (tone.ts). */
export const DAMAGE_BEFORE_S = 0.5;
/** After the burst's end: one AAC/MP3 packet at 16-48 kHz (21-72 ms) and the burst's fall. */
export const DAMAGE_AFTER_S = 0.08;
/** A timestamp jump this close to a damage report is that damage's hole (a packet is at most ~72 ms). */
const SAME_PLACE_S = 0.08;

/** The first damage time (stream seconds) in [from, to], or null. */
function damageWithin(damageS: number[], from: number, to: number): number | null {
  return damageS.find((t) => t >= from && t <= to) ?? null;
}

/** Whether a timestamp jump at `atS` (stream seconds) is the hole of a damaged packet ffmpeg reported. */
export function gapIsDamage(atS: number, damageS: number[]): boolean {
  return damageS.some((t) => Math.abs(t - atS) <= SAME_PLACE_S);
}

/**
 * A beep with damage reported from DAMAGE_BEFORE_S before its onset to DAMAGE_AFTER_S after its burst: not placeable,
 * and why (one phrase, appended to a reason it already has). `errors`: the window's count, for the message.
 */
export function refuseDamagedBeep<T extends ToneDetection>(d: T, damageS: number[], errors: number): T {
  const at = damageWithin(damageS, d.t_s - DAMAGE_BEFORE_S, d.t_s + d.duration_s + DAMAGE_AFTER_S);
  if (at === null) return d;
  const why = `ffmpeg decoded damaged data at ${at.toFixed(3)} s (${errors} decode error(s) in this window: packets skipped or patched, decode_errors), among the samples its onset is read from, so it is not timed by them; re-encode from the original recording, or replace the file with an undamaged copy`;
  return { ...d, placeable: false, unplaceable_reason: d.placeable === false && d.unplaceable_reason ? `${d.unplaceable_reason}; ${why}` : why };
}
