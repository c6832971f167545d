/**
 * Resampling traces onto one time grid per target: grid times are whole multiples of the step (k * step, so every
 * target's grid lines up with 0 s), from the earliest rater's first sample to the latest rater's last. Each rater's value
 * at a grid time is the linear interpolation of their two neighbouring samples (numpy.interp / R approx(), inside the
 * rater's own span only, never extrapolated); where those two samples lie more than maxGap apart the grid time is
 * missing (NaN), not bridged.
 */
import type { Trace } from './read.js';

/** Seconds rounded to 1e-6 (the gold file's time_s). */
export const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Median of a non-empty list (mean of the middle two). */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A trace's median positive step between samples, or null (fewer than 2 samples). */
export function medianStep(t: Trace): number | null {
  const steps: number[] = [];
  for (let i = 1; i < t.time.length; i++) steps.push(t.time[i] - t.time[i - 1]);
  return steps.length ? median(steps) : null;
}

/** The default grid step: the finest median sampling step among all traces, rounded to 1e-6 s. */
export function defaultStep(traces: Iterable<Trace>): number | null {
  let best: number | null = null;
  for (const t of traces) {
    const s = medianStep(t);
    if (s !== null && (best === null || s < best)) best = s;
  }
  return best === null ? null : Math.round(best * 1e6) / 1e6;
}

/** The grid's first and last index (time = k * step) covering every given trace, or null (no trace). */
export function gridRange(traces: Array<Trace | null>, step: number): { k0: number; k1: number } | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of traces) {
    if (!t || t.time.length === 0) continue;
    lo = Math.min(lo, t.time[0]);
    hi = Math.max(hi, t.time[t.time.length - 1]);
  }
  if (lo > hi) return null;
  return { k0: Math.ceil(lo / step - 1e-9), k1: Math.floor(hi / step + 1e-9) };
}

/** The trace at times (k0 + i) * step, i < n: linear interpolation inside its span, NaN outside and across gaps > maxGap. */
export function resample(t: Trace, k0: number, n: number, step: number, maxGap: number): Float64Array {
  const out = new Float64Array(n).fill(NaN);
  const { time, value } = t;
  const eps = step * 1e-6;
  let j = 0;
  for (let i = 0; i < n; i++) {
    const g = (k0 + i) * step;
    if (g < time[0] - eps || g > time[time.length - 1] + eps) continue;
    while (j + 1 < time.length && time[j + 1] <= g + eps) j++;
    if (Math.abs(g - time[j]) <= eps) {
      out[i] = value[j];
      continue;
    }
    if (j + 1 >= time.length) continue;
    const dt = time[j + 1] - time[j];
    if (dt > maxGap) continue;
    out[i] = value[j] + ((value[j + 1] - value[j]) * (g - time[j])) / dt;
  }
  return out;
}

/** A grid series moved `shift` samples earlier: out[i] = x[i + shift] (a rater who responds `shift` steps late). */
export function shifted(x: Float64Array, shift: number): Float64Array {
  if (shift === 0) return x;
  const out = new Float64Array(x.length).fill(NaN);
  for (let i = 0; i < x.length; i++) {
    const j = i + shift;
    if (j >= 0 && j < x.length) out[i] = x[j];
  }
  return out;
}
