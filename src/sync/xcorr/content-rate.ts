/**
 * The drift of a stream placed by its pulse at one end only, from the rate of its content in a window whose
 * cross-correlation is clear in its fine stage but not in its coarse one (place.ts driftForOnePulse, last route).
 *
 * The coarse peak ratio (place.ts whyNotConclusive: at least 1.5) guards against a clear fine peak at a wrong lag: the
 * right lag may not be among those the fine stage tried. A stream already placed by its pulse says where the right lag
 * lies: on the pulse's line, carried to the window at the content's own rate, up to the difference between the
 * talkers' lag and the beep's (content-lag.ts, CONTENT_LAG_BOUND_S). A fine peak there whose line holds over the window
 * (its two halves agree, as beep-vs-content.ts overrulesBeep asks) is the right one, whatever the envelope's other
 * peaks (talkers repeating their clips; room variant 160 `rt3-drr0-snr10-mp3-both`: ratio 1.45, fine z 32.6, halves
 * 0.002 ms apart, its rate 63.3 ppm for a true 62.9).
 *
 * Only the rate is taken (the drift that makes the window's frames agree, xcorr-drift.ts), not the lag: a constant
 * path difference between the loudspeaker's and the talkers' sound moves the content's lag, not its rate, so the
 * rate carries no content-lag error (as bothBeepsOnContentDrift takes it).
 */
import { HALVES_AGREE_MS } from '../checks/beep-vs-content.js';
import { CONTENT_LAG_BOUND_S } from './content-lag.js';

/** A content match's line: its rate against the partner (null: unmeasured), the edge flag and its halves' lags, ms. */
export interface RateLine {
  drift: number | null;
  drift_limit?: number | null;
  halves_ms: number | null;
}

/**
 * Why the match's rate may not give the drift, or null when it may. offLineS: where the match's lag puts the reference
 * clock at the window's middle minus where the pulse's line, carried there at the match's rate, does; lineSd: that
 * line's sd there (the pulse's and the rate's over the distance).
 */
export function rateUnusableWhy(r: RateLine, offLineS: number, lineSd: number): string | null {
  if (r.drift === null || r.drift_limit) return 'its drift is not measured inside the range searched';
  if (r.halves_ms === null || Math.abs(r.halves_ms) > HALVES_AGREE_MS) return `its two halves do not match within ${HALVES_AGREE_MS} ms`;
  const most = CONTENT_LAG_BOUND_S + 2 * lineSd;
  if (Math.abs(offLineS) > most) return `its lag lies ${(offLineS * 1000).toFixed(1)} ms from the pulse's line (more than ${(most * 1000).toFixed(1)} ms)`;
  return null;
}
