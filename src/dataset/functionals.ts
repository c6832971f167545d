/**
 * Overlap-weighted functionals over an interval [a, b]: each frame covers [t - d/2, t + d/2] (d = the stream's frame
 * step; librosa's centred frames, `librosa.frames_to_time`, put t at the frame centre) and counts with the weight
 * |frame ∩ [a, b]| / d. Missing values (null: unvoiced F0, frames without a face) are skipped and counted, never
 * averaged as zeros or NaN (CMU-MultimodalSDK's `align` averages whatever the arrays hold, NaN included).
 * Weighted mean and variance by West's (1979) incremental algorithm ("Updating mean and variance estimates").
 */
import { round7 } from '../common/round7.js';

/** 7 significant digits (src/common/round7.ts), re-exported for the dataset's callers. */
export { round7 };

export interface ScalarFunctionals {
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
  /** Frames overlapping the interval that had a value. */
  n: number;
  /** Frames overlapping the interval whose value was missing. */
  n_missing: number;
}

export interface VectorFunctionals {
  mean: number[] | null;
  std: number[] | null;
  n: number;
  n_missing: number;
}

export class WeightedScalar {
  private w = 0;
  private mean = 0;
  private s = 0;
  private min = Infinity;
  private max = -Infinity;
  n = 0;
  nMissing = 0;

  add(v: number | null, w: number): void {
    if (w <= 0) return;
    if (v === null || !Number.isFinite(v)) {
      this.nMissing++;
      return;
    }
    this.n++;
    const w2 = this.w + w;
    const d = v - this.mean;
    const r = (d * w) / w2;
    this.mean += r;
    this.s += this.w * d * r;
    this.w = w2;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  result(): ScalarFunctionals {
    if (this.n === 0) return { mean: null, std: null, min: null, max: null, n: 0, n_missing: this.nMissing };
    return {
      mean: round7(this.mean),
      std: round7(Math.sqrt(Math.max(0, this.s / this.w))),
      min: this.min,
      max: this.max,
      n: this.n,
      n_missing: this.nMissing,
    };
  }

  meanOnly(): number | null {
    return this.n === 0 ? null : round7(this.mean);
  }
}

/** Degrees into (-180, 180]. */
const wrap180 = (d: number): number => {
  const x = d - 360 * Math.floor((d + 180) / 360);
  return x === -180 ? 180 : x;
};

/**
 * a to b at u along the shorter way round the circle, in (-180, 180]: a roll of 178 then -178 is 180 halfway, not 0
 * (a trial, ttrial48b W2: an upside-down camera's roll near +-180 resampled to -156, -66, 23.6, 113 on 72 of 336 grid
 * times). Linear, and so the same numbers, when the two are at most 180 apart.
 */
export function circularLerp(a: number, b: number, u: number): number {
  if (Math.abs(b - a) <= 180) return round7(a + (b - a) * u);
  return round7(wrap180(a + wrap180(b - a) * u));
}

/**
 * Functionals of an angle in degrees (roll): each value is taken in the 360-degree window centred on the weighted
 * circular mean (atan2 of the weighted sines and cosines; Fisher 1993, Statistical Analysis of Circular Data), then
 * summarised as WeightedScalar does, the mean wrapped into (-180, 180] and min/max moved with it: a roll of 178-182
 * reads mean 180, std 2, min 178, max 182, not mean 0 and std 180. When no value needs moving (none lies more than 180
 * from the circular mean, so no pose crossed +-180) the result is WeightedScalar's on the values as given.
 */
export class WeightedAngle {
  private values: number[] = [];
  private weights: number[] = [];
  n = 0;
  nMissing = 0;

  add(v: number | null, w: number): void {
    if (w <= 0) return;
    if (v === null || !Number.isFinite(v)) {
      this.nMissing++;
      return;
    }
    this.n++;
    this.values.push(v);
    this.weights.push(w);
  }

  private linear(): WeightedScalar {
    let [s, c] = [0, 0];
    this.values.forEach((v, i) => {
      s += this.weights[i] * Math.sin((v * Math.PI) / 180);
      c += this.weights[i] * Math.cos((v * Math.PI) / 180);
    });
    const centre = (Math.atan2(s, c) * 180) / Math.PI;
    const acc = new WeightedScalar();
    const moved = this.values.map((v) => (Math.abs(v - centre) <= 180 ? v : centre + wrap180(v - centre)));
    moved.forEach((v, i) => acc.add(v, this.weights[i]));
    acc.nMissing = this.nMissing;
    return acc;
  }

  result(): ScalarFunctionals {
    if (this.n === 0) return { mean: null, std: null, min: null, max: null, n: 0, n_missing: this.nMissing };
    const r = this.linear().result();
    const shift = r.mean === null ? 0 : r.mean - wrap180(r.mean);
    if (shift === 0) return r;
    return { ...r, mean: round7(r.mean! - shift), min: round7(r.min! - shift), max: round7(r.max! - shift) };
  }

  meanOnly(): number | null {
    return this.n === 0 ? null : this.result().mean;
  }
}

export class WeightedVector {
  private parts: WeightedScalar[] | null = null;
  n = 0;
  nMissing = 0;

  add(v: ArrayLike<number | null> | null, w: number): void {
    if (w <= 0) return;
    if (v === null || v.length === 0) {
      this.nMissing++;
      return;
    }
    if (!this.parts) this.parts = Array.from({ length: v.length }, () => new WeightedScalar());
    this.n++;
    for (let i = 0; i < this.parts.length; i++) this.parts[i].add(i < v.length ? v[i] : null, w);
  }

  result(): VectorFunctionals {
    if (!this.parts || this.n === 0) return { mean: null, std: null, n: this.n, n_missing: this.nMissing };
    const r = this.parts.map((p) => p.result());
    return { mean: r.map((x) => x.mean ?? 0), std: r.map((x) => x.std ?? 0), n: this.n, n_missing: this.nMissing };
  }

  meanOnly(): number[] | null {
    if (!this.parts || this.n === 0) return null;
    return this.parts.map((p) => p.meanOnly() ?? 0);
  }
}

/**
 * Overlaps shorter than this (seconds) are rounding, not time: a frame that only touches [a, b] (frame 8.99 of 10 ms
 * beside a window from 8.995) computes 8.99 + 0.005 = 8.995000000000001 and an "overlap" of 1.8e-15 s, which counted
 * it in the functionals' and words' n (102 frames for a window of 101: ttrial56b). Record and frame times are given to
 * the µs, so a true overlap is far longer.
 */
const TOUCH_S = 1e-9;

/**
 * A cell's edge is the midpoint of two frame times, each rounded to the µs (t_s in the feature files, extract's sync
 * map), and record bounds are rounded to the µs too (segments.ts r6): an overlap up to ~1 µs between a cell and a span
 * is rounding. tuser62: frames at -0.442658 (3.8 - 4.2426575 rounded) and -0.242657 put the edge at -0.3426575, and the
 * fixed:2 window ending at -0.342657 "reached" the face frame by 0.5 µs: face_detection_rate 2.5e-7 on a window of
 * black frames, and a face_unheld warning in the card for it.
 */
const CELL_ROUNDING_S = 1.5e-6;

/** Weight of a frame centred at t with duration d inside [a, b]: |[t-d/2, t+d/2] ∩ [a, b]| / d (0 when they only touch). */
export function overlapWeight(t: number, d: number, a: number, b: number): number {
  const lo = Math.max(t - d / 2, a);
  const hi = Math.min(t + d / 2, b);
  return hi - lo > TOUCH_S ? (hi - lo) / d : 0;
}

/**
 * The share of the time [a, b] covered by frames that hold something (`held`), null when no frame reaches into [a, b].
 * Frame i covers the cell [t_i - l_i, t_i + r_i]: half the way to its neighbour when that neighbour is at most
 * `joinGap` away (a regular or jittered frame interval, or one dropped frame, which record.ts's face grid bridges by
 * interpolation), else d/2 (the overlap weight's half frame). Cells of evenly spaced frames tile the time, so the share
 * is 1 when every frame holds; a stretch with no frame (a camera's dropped-frame gap, time before the first or after the
 * last frame) counts as not held. A nearest-frame (Voronoi) partition of the time axis, capped at half a frame.
 */
export function heldTimeShare<F extends { t_s: number }>(frames: readonly F[], held: (f: F) => boolean, d: number, joinGap: number, a: number, b: number): number | null {
  if (!(b > a)) return null;
  let heldTime = 0;
  let reached = false;
  for (let i = 0; i < frames.length; i++) {
    const t = frames[i].t_s;
    if (t + joinGap < a || t - joinGap > b) continue; // its cell cannot reach [a, b]
    const prev = i > 0 ? t - frames[i - 1].t_s : Infinity;
    const next = i + 1 < frames.length ? frames[i + 1].t_s - t : Infinity;
    const left = prev <= joinGap ? prev / 2 : d / 2;
    const right = next <= joinGap ? next / 2 : d / 2;
    const lo = Math.max(t - left, a);
    const hi = Math.min(t + right, b);
    if (hi - lo <= CELL_ROUNDING_S) continue; // touching, or an edge moved by the µs rounding of the times
    reached = true;
    if (held(frames[i])) heldTime += hi - lo;
  }
  return reached ? round7(Math.min(1, heldTime / (b - a))) : null;
}
