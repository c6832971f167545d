/**
 * A beep placement against its content's cross-correlation, compared at the beep's own time (place.ts crossCheck).
 *
 * The content's cross-correlation gives a line: its lag at the window's middle (at_s) and the drift that makes the
 * window's frames agree (xcorr-drift.ts). A stream placed by one beep has no drift of its own: its clock holds at the
 * beep and is extrapolated at rate 1 from there. Compared at the window's middle, the clocks' drift over the distance
 * from the beep to the middle looked like a disagreement (a 120 s session at -94.5 ppm with its beep at 3.6 s: 5.3 ms at
 * 60 s, refused as `xcorr_disagrees`; the same drift hid a beep 8 ms late: placed 8.2 ms off with exit 0). So the
 * content's line is carried to the beep along its own drift, and the beep and the content are compared there, where
 * the beep measured the offset. The drift is known to within its uncertainty, which grows with the distance carried:
 * the comparison takes the smallest disagreement over the drifts the content admits (two sds about its fit; beyond
 * the range searched, any drift from the edge up to the most a placement accepts), so the clock's drift never reads
 * as a disagreement and a beep off by more than the tolerance is still seen.
 */

import { FINE_SEARCH_S } from '../xcorr/xcorr-drift.js';

/** The content's cross-correlation of a stream s against `from`: add offset_s (+ drift (t - at_s)) to s's time t. */
export interface ContentLine {
  offset_s: number;
  at_s: number;
  /** null: not measured (no fine stage). */
  drift: number | null;
  /** The largest drift searched when `drift` lies at that edge (a bound, not a measurement): xcorr.ts. */
  drift_limit?: number | null;
}

export interface BeepVsContent {
  /** s's stream time compared at (its beep's). */
  t_s: number;
  /** Where the beep places s minus where the content does, at t_s, at the content's fitted drift (s). */
  diff: number;
  /** The smallest |beep minus content| at t_s over the drifts the content admits (s). */
  least: number;
  /** The drifts admitted (rates), low and high. */
  drifts: [number, number];
}

/**
 * The drifts a content line admits: its fit +- 2 driftSd; at the search's edge, from the edge to maxDrift on its side;
 * unmeasured, anything within +-maxDrift.
 */
export function admittedDrifts(line: ContentLine, driftSd: number, maxDrift: number): [number, number] {
  if (line.drift === null) return [-maxDrift, maxDrift];
  if (line.drift_limit) return line.drift > 0 ? [line.drift, Math.max(line.drift, maxDrift)] : [Math.min(line.drift, -maxDrift), line.drift];
  return [line.drift - 2 * driftSd, line.drift + 2 * driftSd];
}

/**
 * beepClock and fromClock map s's and `from`'s stream times to the reference clock (their placements); tB is s's beep.
 * The difference is linear in the drift, so its smallest magnitude over the admitted range is at an end of it, or 0
 * when the ends differ in sign.
 */
export function beepVsContent(beepClock: (t: number) => number, fromClock: (t: number) => number, line: ContentLine, tB: number, driftSd: number, maxDrift: number): BeepVsContent {
  const at = (k: number) => beepClock(tB) - fromClock(tB + line.offset_s + k * (tB - line.at_s));
  const drifts = admittedDrifts(line, driftSd, maxDrift);
  const [lo, hi] = drifts.map(at);
  const least = Math.sign(lo) !== Math.sign(hi) ? 0 : Math.min(Math.abs(lo), Math.abs(hi));
  return { t_s: tB, diff: at(line.drift ?? 0), least, drifts };
}
/**
 * The most the lags of a match's two halves may differ at its fitted drift (xcorr.ts halves_ms) for its line to be
 * carried to the beep without a clear coarse peak: genuine matches read under 0.4 ms (content-lag.ts), 0.02 ms on the
 * 120 s drift pairs (tsync48a); a wrong content placement read 23.6 ms.
 */
export const HALVES_AGREE_MS = 1;

/**
 * Whether a match's line (its lag and fitted drift) holds over its window: its two halves match within HALVES_AGREE_MS
 * at that drift. Where they do not, the window's fitted rate is not known to WINDOW_DRIFT_SD (place.ts): a window
 * whose content is a few sparse words or one clap fits its rate poorly (ttrial50 session B, a 21 s camera 400 ppm
 * fast: its two 10 s windows fitted -97.7 and +55.5 ppm at fine z 23 and 36, halves 2.7 and 1.5 ms apart, and the
 * lines were 4.1 and 2.4 ms off its right beeps there).
 */
export function lineHolds(r: { halves_ms: number | null }): boolean {
  return r.halves_ms !== null && Math.abs(r.halves_ms) <= HALVES_AGREE_MS;
}

/**
 * Whether a content match may overrule a beep placement (then compared at the beep within place.ts's tolerance).
 * The coarse peak ratio (at least `minRatio`) guards against content matching confidently elsewhere (speech that
 * repeats). A match whose lag lies within the fine stage's search of where the beep places the stream (|diff| at most
 * FINE_SEARCH_S) is not elsewhere: the beep and the coarse stage agree on the lag, and what is left is where within
 * those 30 ms, which the fine peak's z (at least MIN_FINE_Z, whyNotConclusive) answers against exactly those other
 * lags. Its line must hold over the window (halves within HALVES_AGREE_MS) to be carried to the beep. The coarse
 * ratio does not measure that: on 120 s pairs 250 ppm apart it read 2.56-2.96 at fine z 28-34 (2.6-3.8 at 94.5 ppm;
 * 3.1-4.4 with the drift resampled out: the talkers' repeated clips make the envelope's other peaks), and a beep 20 ms
 * late was placed 20.2 ms off with exit 0 (tsync47b's p120m250late20).
 */
export function overrulesBeep(r: { peak_ratio: number; halves_ms: number | null }, diff: number, minRatio: number): boolean {
  if (r.peak_ratio >= minRatio) return true;
  return Math.abs(diff) <= FINE_SEARCH_S && r.halves_ms !== null && Math.abs(r.halves_ms) <= HALVES_AGREE_MS;
}
