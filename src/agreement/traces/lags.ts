/**
 * Each rater's reaction lag (Mariooryad & Busso 2015; Nicolaou et al. 2014): the shift L in [-max, +max] grid steps
 * maximising Pearson r between the rater's trace x(t) and the mean of the OTHER raters m(t - L), pooled over the
 * targets (pairs never cross a target). Positive L = the rater responds later (R's ccf(x, m) peaks at +L too).
 *
 * One estimate against the others' raw mean is pulled toward the others' own lags (a rater 2.4 s late against two on
 * time and one 0.8 s late peaks near 2 s), so the estimate is iterated: the others' mean is built from their traces
 * shifted by their current lags, the lags re-estimated, then centred on the median determined lag (the panel's typical
 * rater is 0), until no lag changes (at most MAX_ROUNDS). A lag is "determined" only where its peak stands out:
 * r >= MIN_PEAK_R, not at the edge of the range, no second peak over RIVAL_S away reaching RIVAL_SHARE of it (a
 * periodic trace), not more negative than positive (by 0.1: a reversed trace), and, with 2 or more targets, the per-target peaks agree with the
 * pooled one (at least half within AGREE_S); otherwise it is null with the reason.
 */
import { shifted } from './grid.js';
import { meanSeries, PairSums } from './stats.js';

export const MIN_PEAK_R = 0.3;
export const AGREE_S = 0.5;
/** A second local peak over RIVAL_S from the first and at least RIVAL_SHARE of its r makes the lag ambiguous. */
export const RIVAL_S = 1;
export const RIVAL_SHARE = 0.9;
const MAX_ROUNDS = 10;

/** series[target][rater]: grid series (null: that rater did not rate that target). */
export type GridSeries = Array<Array<Float64Array | null>>;

export interface RaterLag {
  /** Lag in grid steps (0 when not determined). */
  steps: number;
  determined: boolean;
  reason: string | null;
  /** Pooled r with the others' mean at the peak (the final round). */
  peakR: number | null;
}

/** The others' mean per target, each other rater shifted by its current lag; null where no other rater. */
function othersMean(series: GridSeries, rater: number, shifts: number[]): Array<Float64Array | null> {
  return series.map((row) => {
    const others = row.flatMap((x, r) => (r !== rater && x ? [shifted(x, shifts[r])] : []));
    const len = row.find((x) => x)?.length ?? 0;
    return others.length ? meanSeries(others, len) : null;
  });
}

/** Pooled and per-target r at each lag in [-maxSteps, maxSteps] of rater against the others' mean. */
function crossCorrelation(series: GridSeries, rater: number, means: Array<Float64Array | null>, maxSteps: number): { pooled: Array<number | null>; perTarget: Array<Array<number | null>> } {
  const pooled: Array<number | null> = [];
  const perTarget: Array<Array<number | null>> = series.map(() => []);
  for (let L = -maxSteps; L <= maxSteps; L++) {
    const all = new PairSums();
    series.forEach((row, t) => {
      const x = row[rater];
      const m = means[t];
      if (!x || !m) return perTarget[t].push(null);
      const s = new PairSums();
      s.addSeries(x, m, L);
      perTarget[t].push(s.pearson());
      all.merge(s);
    });
    pooled.push(all.pearson());
  }
  return { pooled, perTarget };
}

/** Index of the largest non-null value (first on ties), or -1. */
function argmax(xs: Array<number | null>): number {
  let best = -1;
  xs.forEach((v, i) => {
    if (v !== null && (best < 0 || v > (xs[best] as number))) best = i;
  });
  return best;
}

/** One rater's lag against the given others' mean, with whether its peak stands out. */
function lagOf(series: GridSeries, rater: number, means: Array<Float64Array | null>, maxSteps: number, step: number): RaterLag {
  const { pooled, perTarget } = crossCorrelation(series, rater, means, maxSteps);
  const k = argmax(pooled);
  if (k < 0) return { steps: 0, determined: false, reason: 'no correlation with the others at any lag (a flat trace, or no overlap with another rater)', peakR: null };
  const steps = k - maxSteps;
  const peakR = pooled[k] as number;
  const fail = (reason: string): RaterLag => ({ steps: 0, determined: false, reason, peakR });
  const lowest = Math.min(...pooled.filter((v): v is number => v !== null));
  if (lowest <= -MIN_PEAK_R && -lowest > peakR + 0.1) return fail(`the cross-correlation with the others' mean is more negative (down to r = ${lowest.toFixed(3)}) than positive (peak ${peakR.toFixed(3)}): a reversed trace, or no relation; no lag is claimed`);
  const rival = rivalPeak(pooled, k, Math.round(RIVAL_S / step));
  if (rival >= 0 && (pooled[rival] as number) >= RIVAL_SHARE * peakR && peakR >= MIN_PEAK_R)
    return fail(`two peaks of similar height (r = ${peakR.toFixed(3)} at ${(steps * step).toFixed(2)} s, ${(pooled[rival] as number).toFixed(3)} at ${((rival - maxSteps) * step).toFixed(2)} s): a periodic trace? no lag is claimed`);
  if (peakR < MIN_PEAK_R) return fail(`the cross-correlation with the others' mean peaks at r = ${peakR.toFixed(3)} (below ${MIN_PEAK_R}): no lag stands out`);
  if (Math.abs(steps) === maxSteps) return fail(`the cross-correlation peaks at the edge of the range (${(steps * step).toFixed(2)} s): a lag beyond --max-lag-s, or none`);
  const peaks = perTarget.map(argmax).filter((i) => i >= 0).map((i) => i - maxSteps);
  if (peaks.length >= 2) {
    const near = peaks.filter((p) => Math.abs(p - steps) * step <= Math.max(AGREE_S, step)).length;
    if (near * 2 < peaks.length) return fail(`the per-target peaks disagree (${near} of ${peaks.length} targets within ${AGREE_S} s of the pooled ${(steps * step).toFixed(2)} s)`);
  }
  return { steps, determined: true, reason: null, peakR };
}

/** The highest local maximum of xs more than `apart` indices from k, or -1. */
function rivalPeak(xs: Array<number | null>, k: number, apart: number): number {
  let best = -1;
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    if (v === null || Math.abs(i - k) <= apart) continue;
    if ((i > 0 && (xs[i - 1] ?? -Infinity) > v) || (i + 1 < xs.length && (xs[i + 1] ?? -Infinity) > v)) continue;
    if (best < 0 || v > (xs[best] as number)) best = i;
  }
  return best;
}

/** Lower median of integers (deterministic integer centre). */
function lowerMedian(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[(s.length - 1) >> 1];
}

/** Every rater's lag, iterated as the header says. */
export function estimateLags(series: GridSeries, nRaters: number, maxSteps: number, step: number): RaterLag[] {
  let shifts = new Array<number>(nRaters).fill(0);
  let lags: RaterLag[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    lags = shifts.map((_, r) => lagOf(series, r, othersMean(series, r, shifts), maxSteps, step));
    const det = lags.filter((l) => l.determined).map((l) => l.steps);
    const centre = det.length ? lowerMedian(det) : 0;
    const next = lags.map((l) => (l.determined ? l.steps - centre : 0));
    lags = lags.map((l, r) => ({ ...l, steps: next[r] }));
    if (next.every((s, r) => s === shifts[r])) break;
    shifts = next;
  }
  return lags;
}
