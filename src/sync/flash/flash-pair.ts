/**
 * The start/end pair search for a camera without its own beep (issue 11): the session's reference microphone heard
 * the beeps at both ends, so it tells how long the pulse lasts and how far apart the start and end flashes are on
 * the camera's clock (the reference's interval, within the 500 ppm that recording clocks differ by, and a frame
 * either way for the onset frames). A start flash and an end flash at that spacing, in the same place of the
 * picture, are far less likely by chance than one flash anywhere: the pair's score is the weaker of its two scores,
 * and it is judged, like a single detection (flash-null.ts), against the same file's pairs without a pulse (every
 * other start frame paired with the end frames at the reference's interval from it). Its confidence is
 * exp(-expected false pairs this strong among the start frames searched).
 */
import type { FlashDetection, FlashTrack } from './flash.js';
import { sameFlashRegion } from './flash.js';
import { samePlace } from './flash-lit.js';
import { calibrate, summariseNull } from './flash-null.js';

export interface FlashPairHint {
  /** Reference time between the start and end beeps, seconds; null with a start beep only (the length alone is used). */
  interval_s: number | null;
  /** Beep length at the reference microphone, seconds (null when unknown). */
  pulse_s: number | null;
  /** Largest clock-rate difference between the devices, ppm (default 500). */
  maxDriftPpm?: number;
}

export interface PairWindow {
  track: FlashTrack;
  detections: FlashDetection[];
}

/** Onset frames of a flash fall up to a frame either side of its onset: two of them differ by up to two frames. */
const ONSET_FRAMES = 2;

/** The camera-clock spacings a start and end onset frame may have: the reference's interval ± drift ± two frames. */
export function pairSpan(h: FlashPairHint, frameS: number): [number, number] {
  const d = (h.maxDriftPpm ?? 500) * 1e-6;
  const i = h.interval_s ?? NaN;
  return [i / (1 + d) - ONSET_FRAMES * frameS, i / (1 - d) + ONSET_FRAMES * frameS];
}

/**
 * The pair track: for every start frame i, the best min(z_start[i], z_end[j]) over end frames j at a spacing within
 * `span` whose region is the same place (overlapping within their size, or inside each other's lit extent: flash-lit.ts,
 * the rule the candidates are paired by; a whole-frame region matches anything, which makes the null more severe,
 * never less). `searched` counts start frames with any end frame in span.
 */
export function pairTrack(start: FlashTrack, end: FlashTrack, span: [number, number]): { z: Float64Array; searched: number } {
  const n = start.t_s.length;
  const z = new Float64Array(n);
  let searched = 0;
  let j0 = 0;
  for (let i = 0; i < n; i++) {
    const lo = start.t_s[i] + span[0];
    const hi = start.t_s[i] + span[1];
    while (j0 < end.t_s.length && end.t_s[j0] < lo) j0++;
    let any = false;
    for (let j = j0; j < end.t_s.length && end.t_s[j] <= hi; j++) {
      any = true;
      const a = start.region[i];
      const b = end.region[j];
      if (!a || !b) continue;
      if (!(start.whole[i] || end.whole[j] || samePlace({ region: a, lit: start.lit?.[i] }, { region: b, lit: end.lit?.[j] }))) continue;
      z[i] = Math.max(z[i], Math.min(start.z[i], end.z[j]));
    }
    if (any) searched++;
  }
  return { z, searched };
}

/**
 * Judges the pair candidates of the two windows (FlashScanner in pair mode marks them `pair_candidate`): the best
 * start/end pair at the reference's spacing, in the same place, is placeable when its calibrated confidence reaches
 * `minConfidence`; both of its detections then carry the pair's confidence. Mutates the detections.
 */
export function judgePair(start: PairWindow, end: PairWindow, hint: FlashPairHint, frameS: number, minConfidence = 0.95): void {
  const span = pairSpan(hint, frameS);
  let best: { s: FlashDetection; e: FlashDetection; z: number } | null = null;
  for (const s of start.detections) {
    if (!s.pair_candidate || s.frame_t_s === undefined) continue;
    for (const e of end.detections) {
      if (!e.pair_candidate || e.frame_t_s === undefined) continue;
      const dt = e.frame_t_s - s.frame_t_s;
      if (dt < span[0] || dt > span[1] || !sameFlashRegion(s, e)) continue;
      const z = Math.min(s.score, e.score);
      if (!best || z > best.z) best = { s, e, z };
    }
  }
  if (!best) return;
  const pt = pairTrack(start.track, end.track, span);
  // The null: pairs at start frames away from the chosen one (its own light, and the end pulse's partner frame).
  const apart = (hint.pulse_s ?? 0.6) + 12 * frameS;
  const nul: number[] = [];
  for (let i = 0; i < pt.z.length; i++) if (Math.abs(start.track.t_s[i] - (best.s.frame_t_s as number)) > apart) nul.push(pt.z[i]);
  const sum = summariseNull(nul);
  // Point estimate of the tail here, not the small-null bound of single flashes: a pair is two pulses at the
  // reference interval in one region, and its null is mostly exact zeros, so the bound (fitted to the one or two
  // pairs above zero) refused a clean pair scoring 5x the null maximum with the npm ffmpeg build.
  const cal = calibrate(sum, best.z, pt.searched);
  const { s, e } = best;
  const what = `start/end flash pair at ${s.t_s.toFixed(3)} and ${e.t_s.toFixed(3)} s (pair score ${best.z.toFixed(1)})`;
  for (const d of [s, e]) {
    d.confidence = cal.confidence;
    d.expected_false = cal.expected_false;
    d.searched_frames = pt.searched;
    d.null_p95 = sum.p95;
    d.null_max = sum.max;
    d.paired = true;
    if (cal.confidence >= minConfidence) {
      d.placeable = true;
      delete d.unplaceable_reason;
    } else {
      d.unplaceable_reason = `${what} does not stand out of this file's pairs without a pulse at the reference's interval (95th percentile ${sum.p95.toFixed(1)}, max ${sum.max.toFixed(1)}; ${cal.expected_false.toPrecision(2)} false pairs this strong expected)`;
    }
  }
}
