/**
 * Missing frames near a flash. The exposure model (flash-pulse.ts fitPulse) fits onsets on a grid of ±1.5 frame
 * periods about the first lit frame, taking consecutive frames one period apart. Where the picture's timestamps jump
 * (frames dropped by the camera, a variable-frame-rate phone) the onset may lie anywhere in the gap, outside that
 * grid: a new user's trial (2026-12-02) dropped the demo camera's two frames before its flash and the picture was
 * placed 62.5 ms (1.6 frames) off with sd 12 ms, exit 0; with 2 of every 7 frames dropped, 50 ms off with sd 6 ms.
 * Such a flash is not used to time the picture (the other end's pulse may still place it).
 */

/** A jump in frame times within [fromS, toS]: where (the last frame before it) and the time missing, seconds. */
export interface FrameGap {
  at_s: number;
  missing_s: number;
}

/** Frames more than 1.5 periods apart count as a gap (a 29.97 fps stream in a 1/30 time base jitters by a tick). */
const GAP_PERIODS = 1.5;

/** The first gap in `times` (ascending frame times, seconds) whose span touches [fromS, toS], else null. */
export function frameGapNear(times: ArrayLike<number>, fromS: number, toS: number, T: number): FrameGap | null {
  for (let i = 1; i < times.length; i++) {
    const dt = times[i] - times[i - 1];
    if (dt > GAP_PERIODS * T && times[i] >= fromS && times[i - 1] <= toS) return { at_s: times[i - 1], missing_s: dt - T };
  }
  return null;
}

/** The unplaceable reason's words for a gap. */
export function frameGapWords(g: FrameGap, T: number): string {
  const frames = Math.round(g.missing_s / T);
  return `${frames} frame${frames === 1 ? '' : 's'} (${(g.missing_s * 1000).toFixed(0)} ms) missing after ${g.at_s.toFixed(3)} s beside it (dropped frames or a variable frame rate), so its onset cannot be timed`;
}
