/**
 * A cross-correlation that matches clearly at two or more lags (the same sound heard at two times), told apart by where
 * each lag's evidence lies in the stream. Two recordings of one session share their sound all through the overlap at
 * the right lag; a sound heard twice (on the room bench: the interviewer near the room microphone saying a clip that
 * the participant, close to the lav, says at another time) makes a wrong lag match only over that sound. The overlap's
 * frames (xcorr-drift.ts, 0.5 s, half overlap) are cut into disjoint runs of SPAN_RUN_FRAMES (about 2.3 s), and each
 * run's own whitened-correlation peak is read at the lag's drift (segmentPeaks): a run supports the lag when its peak
 * stands out (robust z at least MIN_FINE_Z) within SPAN_LAG_TOL_S of the lag. This is the consistency test of a time
 * delay estimate over sub-records (Knapp & Carter 1976, sec. V: the estimate's variance is judged from independent
 * segments) used as a two-hypothesis test: one lag must be supported by runs across the stream, every other clear
 * lag only by runs where the first lag is supported too (that sound is the one heard twice).
 */
import { FINE_SEARCH_S, frameCorrelations, MAX_SCAN_DRIFT, segmentPeaks } from './xcorr-drift.js';
import { MIN_FINE_Z } from './xcorr.js';

/** Frames (0.5 s, half overlap) per run: about 2.3 s of sound, the length of a short phrase. */
const SPAN_RUN_FRAMES = 8;
/** A run's peak must lie this close to the lag (a clear peak elsewhere is other sound, not support). */
const SPAN_LAG_TOL_S = 0.0005;
/** The lag taken must be supported by at least this many runs ... */
const SPAN_MIN_RUNS = 4;
/** ... at least this many times as many as any other clear lag, and SPAN_MIN_MORE more. */
const SPAN_MARGIN = 2;
const SPAN_MIN_MORE = 3;

/** One clear lag and the stretches of the stream (b's seconds) whose runs support it, of `runs` runs in its overlap. */
export interface LagSpan {
  offset_s: number;
  supported: Array<[number, number]>;
  runs: number;
}

/**
 * The runs of b's overlap with a that support the lag (offset_s at b's time atS, drift: a's clock runs 1 + drift
 * times b's, as XcorrResult's), or null where the overlap holds fewer than SPAN_RUN_FRAMES frames.
 */
export function lagSpan(a: Float32Array, aT0: number, b: Float32Array, bT0: number, sr: number, c: { offset_s: number; drift: number }, atS: number): LagSpan | null {
  const exact = (c.offset_s - aT0 + bT0) * sr;
  const lag0 = Math.round(exact);
  const overlapS = Math.max(0, (Math.min(b.length, a.length - lag0) - Math.max(0, -lag0)) / sr);
  const fc = frameCorrelations(a, b, sr, lag0, FINE_SEARCH_S + (MAX_SCAN_DRIFT * overlapS) / 2 + 0.002);
  if (!fc || fc.r.length < SPAN_RUN_FRAMES) return null;
  const tc = bT0 + fc.centre / sr;
  // The lag at the frames' middle (b's time tc), relative to lag0, as segmentPeaks reads it.
  const expected = exact - lag0 + c.drift * (tc - atS) * sr;
  const halfFrame = fc.r.length > 1 ? (fc.tf[1] - fc.tf[0]) / sr : 0.25;
  const runs = segmentPeaks(fc, c.drift, SPAN_RUN_FRAMES);
  const supported = runs
    .filter((r) => r.z >= MIN_FINE_Z && Math.abs(r.lag - expected) <= SPAN_LAG_TOL_S * sr)
    .map((r) => [tc + r.from / sr - halfFrame, tc + r.to / sr + halfFrame] as [number, number]);
  return { offset_s: c.offset_s, supported, runs: runs.length };
}

/**
 * The lag the stream shares all through, or null: the one whose runs support it most, at least SPAN_MIN_RUNS, and
 * SPAN_MARGIN times and SPAN_MIN_MORE more than any other clear lag's; every other clear lag at least `minApartS` away,
 * and supported only by runs lying where the first is supported too (its match is sound heard twice, which the
 * first lag's clock also explains). Any other clear lag without such a span (fewer frames than a run) refuses.
 */
export function pickBySpan(spans: Array<LagSpan | null>, minApartS: number): { pick: LagSpan; others: LagSpan[] } | null {
  if (spans.length < 2 || spans.some((x) => x === null)) return null;
  const sorted = (spans as LagSpan[]).slice().sort((x, y) => y.supported.length - x.supported.length);
  const [w, ...rest] = sorted;
  if (w.supported.length < SPAN_MIN_RUNS) return null;
  const n = w.supported.length;
  const within = ([p, q]: [number, number]) => w.supported.some(([u, v]) => u < q && p < v);
  for (const x of rest) {
    if (Math.abs(x.offset_s - w.offset_s) < minApartS) return null;
    if (n < SPAN_MARGIN * x.supported.length || n - x.supported.length < SPAN_MIN_MORE) return null;
    if (!x.supported.every(within)) return null;
  }
  return { pick: w, others: rest };
}
