/**
 * Damaged pictures near a flash. ffmpeg patches up a picture decoded from damaged data (error concealment) and goes
 * on: the frame count is whole and nothing looks wrong, but the patched area (and every frame predicted from it up to
 * the next key frame) shows guessed content. A flash fitted on such frames may be timed wrong with exit 0. `mmprep
 * face` and `mmprep audio` count ffmpeg's decode errors (decode-video.ts DecodeErrors); sync's flash scan counts them
 * the same way, reports them per picture stream (`decode_errors`), and does not time a flash from frames among which
 * a damaged one lies (decode-video.ts marks each frame from ffmpeg's messages: the picture reported and those
 * predicted from it, to the next key frame).
 */
import type { DecodeErrors } from '../../media/decode-video.js';
import type { FlashDetection } from './flash.js';
import { FLANK_FRAMES } from './flash-pulse.js';

/** Damaged frames closer than this are one run (longer than any frame period a camera uses). */
const SAME_RUN_S = 0.25;
/** At most this many separate runs are kept; beyond it the last run is stretched over the rest (memory bounded). */
const MAX_RUNS = 4096;

/** The damaged frames of one picture stream, as runs of frame times (every look's decode), and the first looks' counts. */
export class DamageLog {
  readonly runs: Array<[number, number]> = [];
  readonly errors: DecodeErrors = { errors: 0, concealed_frames: 0 };

  /** Adds one decode's counts (only the first look at each window: the second looks decode the same data again). */
  count(d: DecodeErrors): void {
    this.errors.errors += d.errors;
    this.errors.concealed_frames += d.concealed_frames;
  }

  /** A damaged frame at `t` seconds. */
  frame(t: number): void {
    if (this.runs.some(([a, b]) => t >= a && t <= b)) return;
    const last = this.runs[this.runs.length - 1];
    if (last && (this.runs.length >= MAX_RUNS || (t > last[1] && t - last[1] <= SAME_RUN_S))) {
      last[0] = Math.min(last[0], t);
      last[1] = Math.max(last[1], t);
    } else this.runs.push([t, t]);
  }

  /** The first damaged run that reaches into [from, to], or null. */
  within(from: number, to: number): [number, number] | null {
    return this.runs.find(([a, b]) => b >= from && a <= to) ?? null;
  }
}

/**
 * Marks `damaged` (not placeable, no pair's end) each flash candidate whose fit window holds a damaged frame: the
 * frames the exposure fit reads (flash.ts: FLANK_FRAMES before the first lit frame, to FLANK_FRAMES after the pulse
 * and the frames skipped after it, taken here as 3 frames), with a frame to spare each side. `frameS`: the stream's
 * frame period. Every candidate, not only placeable ones: a patched picture can itself look like a flash (a grey or
 * blocky frame brightening a region for a few frames), and before 2026-12-03 such a candidate, refused first for
 * another reason, kept that reason alone and could be forced by --pick (a soundless camera whose LED never lit, its
 * only candidate a damaged frame, was placed by it with exit 0) or stand as one end of a start/end pair. A reason
 * it already has is kept, the damage appended (as a damaged beep's, tone-damage.ts).
 */
export function refuseDamaged(detections: FlashDetection[], log: DamageLog, frameS: number): void {
  if (!log.runs.length) return;
  for (const d of detections) {
    if (d.damaged) continue;
    const hit = log.within(d.t_s - (FLANK_FRAMES + 1) * frameS, d.t_s + (d.duration_s ?? 0) + (FLANK_FRAMES + 3) * frameS);
    if (!hit) continue;
    const why = `${damageWords(hit)} among the frames its onset is fitted from, so it is not timed by them; re-encode from the original recording, or replace the file with an undamaged copy`;
    const at = `flash candidate at ${d.t_s.toFixed(3)} s (score ${d.score.toFixed(1)})`;
    d.unplaceable_reason = d.placeable === false && d.unplaceable_reason && !d.pair_candidate ? `${d.unplaceable_reason}; and ${why}` : `${at}: ${why}`;
    d.placeable = false;
    d.damaged = true;
    delete d.pair_candidate;
    delete d.paired;
  }
}

function damageWords([a, b]: [number, number]): string {
  const at = a === b ? `at ${a.toFixed(3)} s` : `from ${a.toFixed(3)} to ${b.toFixed(3)} s`;
  return `ffmpeg decoded damaged data there (its pictures ${at} patched up, or predicted from a patched one: decode_errors)`;
}
