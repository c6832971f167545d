/**
 * Jitter and shimmer as Praat 6.3 computes them (Praat fon/VoiceAnalysis.cpp PointProcess_getJitter_*,
 * fon/PointProcess.cpp PointProcess_getMeanPeriod, fon/AmplitudeTier.cpp PointProcess_Sound_to_AmplitudeTier_period
 * and AmplitudeTier_getShimmer_*). Pulse times in seconds, ascending; windows [tmin, tmax] with tmin >= tmax meaning
 * the whole domain. NaN = undefined (too few periods).
 */
import { windowSamples, type Grid } from './praat-sampled.js';
import type { VoiceSignal } from './voice-signal.js';

export interface PeriodArgs {
  /** Shortest and longest period counted (Praat's standard 0.0001 and 0.02 s). */
  pmin: number;
  pmax: number;
  /** Largest ratio between consecutive periods (1.3). */
  maxPeriodFactor: number;
  /** Largest ratio between consecutive amplitudes (shimmer only: 1.6). */
  maxAmplitudeFactor: number;
}

export const PRAAT_PERIOD_ARGS: Readonly<PeriodArgs> = Object.freeze({ pmin: 0.0001, pmax: 0.02, maxPeriodFactor: 1.3, maxAmplitudeFactor: 1.6 });

/** PointProcess_getWindowPoints: 1-based [first, last] of the pulses in [tmin, tmax]. */
function windowPoints(t: Float64Array, tmin: number, tmax: number): [number, number] {
  // getHighIndex(tmin): first index with t >= tmin; getLowIndex(tmax): last index with t <= tmax.
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid] < tmin) lo = mid + 1;
    else hi = mid;
  }
  const first = lo + 1;
  hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid] <= tmax) lo = mid + 1;
    else hi = mid;
  }
  return [first, lo];
}

const ratio = (a: number, b: number) => (a > b ? a / b : b / a);

/** PointProcess_isPeriod (1-based ileft). */
function isPeriod(t: Float64Array, ileft: number, a: PeriodArgs): boolean {
  const iright = ileft + 1;
  const nt = t.length;
  if (ileft < 1 || iright > nt) return false;
  if (a.pmin === a.pmax) return true;
  const interval = t[iright - 1] - t[ileft - 1];
  if (interval <= 0 || interval < a.pmin || interval > a.pmax) return false;
  if (Number.isNaN(a.maxPeriodFactor) || a.maxPeriodFactor < 1) return true;
  const prev = ileft <= 1 ? NaN : t[ileft - 1] - t[ileft - 2];
  const next = iright >= nt ? NaN : t[iright] - t[iright - 1];
  let pf = !Number.isNaN(prev) && prev > 0 ? interval / prev : NaN;
  let nf = !Number.isNaN(next) && next > 0 ? interval / next : NaN;
  if (Number.isNaN(pf) && Number.isNaN(nf)) return true;
  if (pf > 0 && pf < 1) pf = 1 / pf;
  if (nf > 0 && nf < 1) nf = 1 / nf;
  return !(pf > a.maxPeriodFactor && nf > a.maxPeriodFactor);
}

/** PointProcess_getMeanPeriod. */
export function meanPeriod(t: Float64Array, tmin: number, tmax: number, a: PeriodArgs): number {
  const [first, last] = tmin >= tmax ? [1, t.length] : windowPoints(t, tmin, tmax);
  let n = 0;
  let sum = 0;
  for (let i = first; i < last; i++) {
    if (isPeriod(t, i, a)) {
      n++;
      sum += t[i] - t[i - 1];
    }
  }
  return n > 0 ? sum / n : NaN;
}

export interface Jitter {
  local: number;
  localAbsolute: number;
  rap: number;
  ppq5: number;
  ddp: number;
}

/** Local, local absolute, rap, ppq5 and ddp jitter of the pulses in [tmin, tmax]. */
export function jitter(t: Float64Array, tmin: number, tmax: number, a: PeriodArgs): Jitter {
  const [first, last] = tmin >= tmax ? [1, t.length] : windowPoints(t, tmin, tmax);
  const T = (i: number) => t[i - 1];
  const ok = (p: number) => p >= a.pmin && p <= a.pmax;
  const all = a.pmin === a.pmax;
  const mf = a.maxPeriodFactor;
  const mean = meanPeriod(t, tmin, tmax, a);
  const size = last - first + 1;
  // local and local absolute
  let n1 = size - 1;
  let sum1 = 0;
  if (n1 >= 2) {
    for (let i = first + 1; i < last; i++) {
      const p1 = T(i) - T(i - 1);
      const p2 = T(i + 1) - T(i);
      if (all || (ok(p1) && ok(p2) && ratio(p1, p2) <= mf)) sum1 += Math.abs(p1 - p2);
      else n1--;
    }
  }
  const localAbsolute = n1 >= 2 ? sum1 / (n1 - 1) : NaN;
  // rap
  let n3 = size - 1;
  let sum3 = 0;
  if (n3 >= 3) {
    for (let i = first + 2; i < last; i++) {
      const p1 = T(i - 1) - T(i - 2);
      const p2 = T(i) - T(i - 1);
      const p3 = T(i + 1) - T(i);
      if (all || (ok(p1) && ok(p2) && ok(p3) && ratio(p1, p2) <= mf && ratio(p2, p3) <= mf)) sum3 += Math.abs(p2 - (p1 + p2 + p3) / 3);
      else n3--;
    }
  }
  const rap = n3 >= 3 ? sum3 / (n3 - 2) / mean : NaN;
  // ppq5
  let n5 = size - 1;
  let sum5 = 0;
  if (n5 >= 5) {
    for (let i = first + 5; i <= last; i++) {
      const p1 = T(i - 4) - T(i - 5);
      const p2 = T(i - 3) - T(i - 4);
      const p3 = T(i - 2) - T(i - 3);
      const p4 = T(i - 1) - T(i - 2);
      const p5 = T(i) - T(i - 1);
      const good = all || (ok(p1) && ok(p2) && ok(p3) && ok(p4) && ok(p5) && ratio(p1, p2) <= mf && ratio(p2, p3) <= mf && ratio(p3, p4) <= mf && ratio(p4, p5) <= mf);
      if (good) sum5 += Math.abs(p3 - (p1 + p2 + p3 + p4 + p5) / 5);
      else n5--;
    }
  }
  const ppq5 = n5 >= 5 ? sum5 / (n5 - 4) / mean : NaN;
  return { local: localAbsolute / mean, localAbsolute, rap, ppq5, ddp: 3 * rap };
}

/** Sound_getHannWindowedRms (AmplitudeTier.cpp): RMS around tmid under an asymmetric Hann window. */
function hannWindowedRms(sig: VoiceSignal, g: Grid, tmid: number, widthLeft: number, widthRight: number): number {
  const [imin, imax, n] = windowSamples(g, tmid - widthLeft, tmid + widthRight);
  if (n < 3) return NaN;
  sig.ensure(imin - 1, imax);
  const x = sig.data;
  const b = sig.base + 1;
  let ss = 0;
  let ws = 0;
  for (let i = imin; i <= imax; i++) {
    const tt = g.x1 + (i - 1) * g.dx;
    const width = tt < tmid ? widthLeft : widthRight;
    const w = 0.5 + 0.5 * Math.cos((Math.PI * (tt - tmid)) / width);
    const v = x[i - b] * w;
    ss += v * v;
    ws += w * w;
  }
  return Math.sqrt(ss / ws);
}

/** PointProcess_Sound_to_AmplitudeTier_period: [times, amplitudes] of the pulses that bound periods on both sides. */
function periodAmplitudes(t: Float64Array, x: VoiceSignal, g: Grid, tmin: number, tmax: number, a: PeriodArgs): [number[], number[]] | null {
  const [first, last] = tmin >= tmax ? [1, t.length] : windowPoints(t, tmin, tmax);
  if (last - first + 1 < 3) return null;
  const times: number[] = [];
  const amps: number[] = [];
  for (let i = first + 1; i < last; i++) {
    const p1 = t[i - 1] - t[i - 2];
    const p2 = t[i] - t[i - 1];
    if (a.pmin === a.pmax || (p1 >= a.pmin && p1 <= a.pmax && p2 >= a.pmin && p2 <= a.pmax && ratio(p1, p2) <= a.maxPeriodFactor)) {
      const peak = hannWindowedRms(x, g, t[i - 1], 0.2 * p1, 0.2 * p2);
      if (!Number.isNaN(peak) && peak > 0) {
        times.push(t[i - 1]);
        amps.push(peak);
      }
    }
  }
  return [times, amps];
}

export interface Shimmer {
  local: number;
  localDb: number;
  apq3: number;
  apq5: number;
  apq11: number;
  dda: number;
}

const NO_SHIMMER: Shimmer = { local: NaN, localDb: NaN, apq3: NaN, apq5: NaN, apq11: NaN, dda: NaN };

/** AmplitudeTier_getShimmer_apq{K} (K = 3, 5, 11): mean |a_i - K-point average| / mean amplitude. */
function apq(tt: number[], aa: number[], K: number, a: PeriodArgs): number {
  const h = (K - 1) >> 1;
  const n = tt.length;
  let num = 0;
  let count = 0;
  for (let i = h; i < n - h; i++) {
    let good = true;
    for (let k = i - h; k < i + h && good; k++) {
      const p = tt[k + 1] - tt[k];
      if (!(a.pmin === a.pmax || (p >= a.pmin && p <= a.pmax))) good = false;
      else if (ratio(aa[k], aa[k + 1]) > a.maxAmplitudeFactor) good = false;
    }
    if (!good) continue;
    let s = 0;
    for (let k = i - h; k <= i + h; k++) s += aa[k];
    num += Math.abs(aa[i] - s / K);
    count++;
  }
  return count < 1 ? NaN : num / count;
}

/** Local, local dB, apq3, apq5, apq11 and dda shimmer of the pulses in [tmin, tmax]. */
export function shimmer(t: Float64Array, x: VoiceSignal, g: Grid, tmin: number, tmax: number, a: PeriodArgs): Shimmer {
  const pa = periodAmplitudes(t, x, g, tmin, tmax, a);
  if (!pa) return NO_SHIMMER;
  const [tt, aa] = pa;
  const n = tt.length;
  let den = 0;
  for (let i = 0; i < n - 1; i++) den += aa[i];
  den /= n - 1;
  const norm = (v: number) => (Number.isNaN(v) || !(den !== 0) ? NaN : v / den);
  let num = 0;
  let numDb = 0;
  let count = 0;
  for (let i = 1; i < n; i++) {
    const p = tt[i] - tt[i - 1];
    if (a.pmin === a.pmax || (p >= a.pmin && p <= a.pmax)) {
      const a1 = aa[i - 1];
      const a2 = aa[i];
      if (ratio(a1, a2) <= a.maxAmplitudeFactor) {
        num += Math.abs(a1 - a2);
        numDb += Math.abs(Math.log10(a1 / a2));
        count++;
      }
    }
  }
  const apq3 = norm(apq(tt, aa, 3, a));
  return {
    local: count < 1 ? NaN : norm(num / count),
    localDb: count < 1 ? NaN : (20 * numDb) / count,
    apq3,
    apq5: norm(apq(tt, aa, 5, a)),
    apq11: norm(apq(tt, aa, 11, a)),
    dda: 3 * apq3,
  };
}
