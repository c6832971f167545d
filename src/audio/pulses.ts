/**
 * Glottal pulses as Praat's "To PointProcess (periodic, cc)" finds them (Praat fon/Pitch_to_PointProcess.cpp,
 * Sound_Pitch_to_PointProcess_cc): in each voiced interval of the pitch track, start at the absolute extremum within
 * one period around the interval's middle, then step period by period to the left and to the right, placing each
 * pulse at the maximum cross-correlation (one period long, parabolic refinement) with the previous one, searched
 * 0.8 to 1.25 periods away. Sample indices are 1-based as in Praat.
 */
import { xToHighIndex, xToLowIndex, xToNearestIndex, indexToX, type Grid } from './praat-sampled.js';
import { isVoicedFrame, pitchValueAt, type VoicePitch } from './voice-pitch.js';
import type { VoiceSignal } from './voice-signal.js';

/** Pitch_getVoicedIntervalAfter: [tleft, tright] of the first voiced stretch after `after`, or null. */
function voicedIntervalAfter(p: VoicePitch, after: number): [number, number] | null {
  const g = p.grid;
  let ileft = xToHighIndex(g, after);
  if (ileft > g.nx) return null;
  if (ileft < 1) ileft = 1;
  for (; ileft <= g.nx; ileft++) if (isVoicedFrame(p, ileft)) break;
  if (ileft > g.nx) return null;
  let iright = ileft;
  for (; iright <= g.nx; iright++) if (!isVoicedFrame(p, iright)) break;
  iright--;
  let tleft = indexToX(g, ileft) - 0.5 * g.dx;
  let tright = indexToX(g, iright) + 0.5 * g.dx;
  if (tleft >= p.xmax - 0.5 * g.dx) return null;
  if (tleft < p.xmin) tleft = p.xmin;
  if (tright > p.xmax) tright = p.xmax;
  if (tright <= after) return null;
  return [tleft, tright];
}

/** findExtremum_3 with maxima and minima: 1-based position (fractional) of the largest |value| in y[d+1 .. d+n]. */
function findExtremum(y: Float32Array, d: number, n: number): number {
  const at = (i: number) => y[d + i - 1];
  if (n < 3) {
    if (n <= 0) return 0;
    if (n === 1) return 1;
    const l = Math.abs(at(1));
    const r = Math.abs(at(2));
    return l > r ? 1 : l < r ? 2 : 1.5;
  }
  let imin = 1;
  let imax = 1;
  let minimum = at(1);
  let maximum = minimum;
  for (let i = 2; i <= n; i++) {
    const v = at(i);
    if (v < minimum) {
      minimum = v;
      imin = i;
    }
    if (v > maximum) {
      maximum = v;
      imax = i;
    }
  }
  if (minimum === maximum) return 0.5 * (n + 1);
  const iextr = Math.abs(minimum) > Math.abs(maximum) ? imin : imax;
  if (iextr === 1) return 1;
  if (iextr === n) return n;
  const mid = at(iextr);
  const left = at(iextr - 1);
  const right = at(iextr + 1);
  return iextr + (0.5 * (right - left)) / (2 * mid - left - right);
}

function soundFindExtremum(x: VoiceSignal, g: Grid, tmin: number, tmax: number): number {
  let imin = xToLowIndex(g, tmin);
  let imax = xToHighIndex(g, tmax);
  if (imin < 1) imin = 1;
  if (imax > g.nx) imax = g.nx;
  x.ensure(imin - 1, imax);
  const iext = findExtremum(x.data, imin - 1 - x.base, imax - imin + 1);
  return iext !== 0 ? g.x1 + (imin - 1 + iext - 1) * g.dx : (tmin + tmax) / 2;
}

interface Correlation {
  r: number;
  t: number;
  peak: number;
}

/** Sound_findMaximumCorrelation: the best match of the period at t1 among lags placing it in [tmin2, tmax2]. */
function findMaximumCorrelation(sig: VoiceSignal, g: Grid, t1: number, windowLength: number, tmin2: number, tmax2: number, out: Correlation): void {
  let maximumCorrelation = -1;
  let r1Best = NaN;
  let r3Best = NaN;
  let ir = NaN;
  let r1 = 0;
  let r2 = 0;
  let r3 = 0;
  const half = 0.5 * windowLength;
  const ileft1 = xToNearestIndex(g, t1 - half);
  const iright1 = xToNearestIndex(g, t1 + half);
  const ileft2min = xToLowIndex(g, tmin2 - half);
  const ileft2max = xToHighIndex(g, tmax2 - half);
  const nx = g.nx;
  out.peak = 0;
  sig.ensure(Math.min(ileft1, ileft2min) - 1, Math.max(iright1, ileft2max + iright1 - ileft1));
  const x = sig.data;
  const b = sig.base + 1; // x[i - b] is 1-based sample i
  for (let ileft2 = ileft2min; ileft2 <= ileft2max; ileft2++) {
    let norm1 = 0;
    let norm2 = 0;
    let product = 0;
    let localPeak = 0;
    for (let i1 = ileft1, i2 = ileft2; i1 <= iright1; i1++, i2++) {
      if (i1 < 1 || i1 > nx || i2 < 1 || i2 > nx) continue;
      const a1 = x[i1 - b];
      const a2 = x[i2 - b];
      norm1 += a1 * a1;
      norm2 += a2 * a2;
      product += a1 * a2;
      if (Math.abs(a2) > localPeak) localPeak = Math.abs(a2);
    }
    r1 = r2;
    r2 = r3;
    r3 = product !== 0 ? product / Math.sqrt(norm1 * norm2) : 0;
    if (r2 > maximumCorrelation && r2 >= r1 && r2 >= r3) {
      r1Best = r1;
      maximumCorrelation = r2;
      r3Best = r3;
      ir = ileft2 - 1;
      out.peak = localPeak;
    }
  }
  if (maximumCorrelation > -1) {
    const d2r = 2 * maximumCorrelation - r1Best - r3Best;
    if (d2r !== 0) {
      const dr = 0.5 * (r3Best - r1Best);
      maximumCorrelation += (0.5 * dr * dr) / d2r;
      ir += dr / d2r;
    }
    out.t = t1 + (ir - ileft1) * g.dx;
  }
  out.r = maximumCorrelation;
}

/** Sound_Pitch_to_PointProcess_cc: pulse times in seconds, ascending (duplicates dropped as PointProcess_addPoint does). */
export function periodicPulses(x: VoiceSignal, g: Grid, p: VoicePitch): Float64Array {
  const points: number[] = [];
  // The largest |x| (Praat's loop over the samples): of the signal's extremes, the same value.
  const globalPeak = x.n > 0 ? Math.max(0, x.max, -x.min) : 0;
  const c: Correlation = { r: 0, t: 0, peak: 0 };
  let t = p.xmin;
  let addedRight = -1e308;
  for (;;) {
    const iv = voicedIntervalAfter(p, t);
    if (!iv) break;
    const [tleft, tright] = iv;
    const tmiddle = (tleft + tright) / 2;
    const f0middle = pitchValueAt(p, tmiddle);
    if (Number.isNaN(f0middle)) break; // Praat treats this as a fatal error; it cannot happen for a voiced stretch
    let tmax = soundFindExtremum(x, g, tmiddle - 0.5 / f0middle, tmiddle + 0.5 / f0middle);
    points.push(tmax);
    const tsave = tmax;
    for (;;) {
      const f0 = pitchValueAt(p, tmax);
      if (Number.isNaN(f0)) break;
      c.t = tmax;
      findMaximumCorrelation(x, g, tmax, 1 / f0, tmax - 1.25 / f0, tmax - 0.8 / f0, c);
      tmax = c.t;
      if (c.r === -1) tmax -= 1 / f0;
      if (tmax < tleft) {
        if (c.r > 0.7 && c.peak > 0.023333 * globalPeak && tmax - addedRight > 0.8 / f0) points.push(tmax);
        break;
      }
      if (c.r > 0.3 && (c.peak === 0 || c.peak > 0.01 * globalPeak) && tmax - addedRight > 0.8 / f0) points.push(tmax);
    }
    tmax = tsave;
    for (;;) {
      const f0 = pitchValueAt(p, tmax);
      if (Number.isNaN(f0)) break;
      c.t = tmax;
      findMaximumCorrelation(x, g, tmax, 1 / f0, tmax + 0.8 / f0, tmax + 1.25 / f0, c);
      tmax = c.t;
      if (c.r === -1) tmax += 1 / f0;
      if (tmax > tright) {
        if (c.r > 0.7 && c.peak > 0.023333 * globalPeak) {
          points.push(tmax);
          addedRight = tmax;
        }
        break;
      }
      if (c.r > 0.3 && (c.peak === 0 || c.peak > 0.01 * globalPeak)) {
        points.push(tmax);
        addedRight = tmax;
      }
    }
    t = tright;
  }
  points.sort((a, b) => a - b);
  const out: number[] = [];
  for (const v of points) if (out.length === 0 || out[out.length - 1] !== v) out.push(v);
  return Float64Array.from(out);
}
