/**
 * The beep detector's floor (tone.ts): the tone-band power a candidate must stand `thresholdDb` over, and the noise a
 * beep's band SNR and onset are judged against.
 *
 * The floor of a chunk is the median of its 10 ms windows' tone-band power (a robust noise level: speech is bursty).
 * A recording is not one level throughout: a camera's sound followed by a quiet room (a recorder paused, 20 s of pink
 * noise at -70 dBFS after it) put the chunk's median in the quiet stretch, 26 dB under the noise around the beep; the
 * threshold then lay under that noise, the beep's power run merged with it and was refused, and the beep was kept
 * only by its coherence, 147 ms early and unplaceable "(speech over it ...)" (a trial, 2026-12-05; the demo's s01
 * camera sound). So each 1 s segment's floor is also judged against the windows around it, as a radar's
 * constant-false-alarm-rate detector judges a cell against the cells around it (the ordered-statistic CFAR of Rohling,
 * IEEE Trans. AES 19(4), 1983, with the median as its statistic): the median of the windows within LOCAL_S seconds,
 * where that lies more than LOCAL_OVER_DB over the chunk's median. The floor never drops below the chunk's: a tone
 * in the quiet stretch is judged as before (test sync-tone-quiet).
 */

import { TrackArrays } from './tone-demod.js';
import { medianInPlace } from './tone-math.js';

/** Seconds a floor segment spans (the floor is one value per segment). */
const SEGMENT_S = 1;
/** Seconds either side of a segment whose windows make its local floor. */
const LOCAL_S = 5;
/**
 * How far a segment's local median must lie over the chunk's median to be its floor, dB. On the 98 audio streams of
 * room set 150 and the 63 of scene set 151 (talkers throughout, 30-60 s) it lies at most 4.9 dB over anywhere in the
 * first chunk, so none is changed; a beep was lost on the chunk's floor at 23.5 dB over and more, never under (24 of
 * 74 generated camera sounds with 20 s of pink noise after them at -40 to -80 dBFS; the demo's s01 camera with -70
 * dBFS: 25.8 dB).
 */
const LOCAL_OVER_DB = 10;
/** Mean square (full scale 1) of a window under which it is digital silence (-120 dBFS; 16-bit dither is ~-101 dBFS). */
const DIGITAL_SILENCE = 1e-12;
/** The share of a span's windows that must be audible for its floor to leave the silent ones out (audibleMedian). */
const AUDIBLE_SHARE = 0.25;
/** Seconds of audible windows below which the silent ones stay in a span's floor (audibleMedian). */
const AUDIBLE_MIN_S = 5;
/** The lowest floor (a chunk of digital silence). */
const MIN_FLOOR = 1e-14;

/** A chunk's floors: the chunk's median and one floor per segment of `segmentWindows` windows. */
export interface ToneFloors {
  chunk: number;
  segments: Float64Array;
  segmentWindows: number;
}

/** The floor at window w. */
export function floorAt(f: ToneFloors, w: number): number {
  const s = Math.min(f.segments.length - 1, Math.max(0, Math.floor(w / f.segmentWindows)));
  return f.segments[s];
}

/**
 * The median tone-band power of windows a..b-1 over those that are not digital silence (mean square under
 * DIGITAL_SILENCE): a recording whose chunk is mostly digital silence (a lav padded with silence, a camera's sound
 * followed by a muted stretch) had a floor of 1e-14, so the power run of its beep began in the noise before it (0.15 s
 * early, 0.36 s long) and the beep was kept only by its coherence, unplaceable (a trial, 2026-12-05). All the windows
 * when under a quarter of them or under AUDIBLE_MIN_S are audible: a clean beep or a voice in digital silence (the
 * tests' synthetic ones, 0.2-0.6 s) would be its own floor and go unfound.
 */
function audibleMedian(tp: Float64Array, tot: Float64Array, a: number, b: number, windowS: number, arrays: TrackArrays): number {
  const sel = arrays.get('select', b - a);
  const k = audibleInto(tp, tot, a, b, sel);
  if (!audibleOnly(k, b - a, windowS)) {
    sel.set(tp.subarray(a, b));
    return medianInPlace(sel);
  }
  return medianInPlace(sel.subarray(0, k));
}

/*
 * The loops of audibleMedian and overCounts live in helpers that take only numbers and Float64Arrays (as tone-demod.ts's
 * blockSumsTable): V8 compiled each loop on-stack before the code after it had run, and threw that code away at the
 * loop's exit for want of type feedback (`node --trace-deopt` on the 10-minute bench file: audibleMedian 3 times,
 * "insufficient type feedback for binary operation", overCounts once, "generic named access"; compiled 4 and 2 times).
 */

/** Copies the tone-band power of the audible windows of a..b-1 (tot at least DIGITAL_SILENCE) to sel; returns their count. */
function audibleInto(tp: Float64Array, tot: Float64Array, a: number, b: number, sel: Float64Array): number {
  let k = 0;
  for (let w = a; w < b; w++) if (tot[w] >= DIGITAL_SILENCE) sel[k++] = tp[w];
  return k;
}

/** Whether a span of n windows with k audible ones takes its median over the audible ones alone (audibleMedian). */
function audibleOnly(k: number, n: number, windowS: number): boolean {
  return !(k < AUDIBLE_SHARE * n || k * windowS < AUDIBLE_MIN_S);
}

/**
 * Running counts over windows 0..w-1 (index w): audible windows, and windows over thr among the audible ones and among
 * all. A span's median over its chosen windows (audibleMedian) is at most thr when fewer than half of them are over
 * it, so the local median is computed only where it can stand over the chunk's by LOCAL_OVER_DB (in talk throughout,
 * nowhere): every segment's median made the scanner's CPU on 10 minutes of generated talk 0.353 s against 0.258 s
 * before the local floor, with this test 0.283 s (means of 4 runs).
 */
function overCounts(tp: Float64Array, tot: Float64Array, thr: number, arrays: TrackArrays): { audible: Float64Array; overAudible: Float64Array; over: Float64Array } {
  const n = tp.length;
  const audible = arrays.get('floorAudible', n + 1);
  const overAudible = arrays.get('floorOverAudible', n + 1);
  const over = arrays.get('floorOver', n + 1);
  countOver(tp, tot, n, thr, audible, overAudible, over);
  return { audible, overAudible, over };
}

/**
 * overCounts's running counts over tp's n windows, written to audible, overAudible and over (n + 1 values each). Every
 * store is in the loop (index 0 too) and n is given, not read: a store or read before it ran once, before V8 had a
 * feedback vector, and the next call's optimised code was thrown away there ("insufficient type feedback for generic
 * keyed access", "... named access").
 */
function countOver(tp: Float64Array, tot: Float64Array, n: number, thr: number, audible: Float64Array, overAudible: Float64Array, over: Float64Array): void {
  let heardN = 0;
  let overHeardN = 0;
  let overN = 0;
  for (let w = 0; w <= n; w++) {
    audible[w] = heardN;
    overAudible[w] = overHeardN;
    over[w] = overN;
    if (w === n) break;
    const heard = tot[w] >= DIGITAL_SILENCE ? 1 : 0;
    const above = tp[w] > thr ? 1 : 0;
    heardN += heard;
    overHeardN += heard * above;
    overN += above;
  }
}

/** The chunk's floors (ToneFloors) from its windows' tone-band power tp and mean square tot, a window every windowS. */
export function toneFloors(tp: Float64Array, tot: Float64Array, windowS: number, arrays: TrackArrays): ToneFloors {
  const n = tp.length;
  const chunk = Math.max(audibleMedian(tp, tot, 0, n, windowS, arrays), MIN_FLOOR);
  const segmentWindows = Math.max(1, Math.round(SEGMENT_S / windowS));
  const reach = Math.round(LOCAL_S / windowS);
  const segments = new Float64Array(Math.max(1, Math.ceil(n / segmentWindows))).fill(chunk);
  const thr = chunk * 10 ** (LOCAL_OVER_DB / 10);
  const counts = overCounts(tp, tot, thr, arrays);
  for (let s = 0; s < segments.length; s++) {
    const a = Math.max(0, s * segmentWindows - reach);
    const b = Math.min(n, (s + 1) * segmentWindows + reach);
    if (b - a >= n) continue;
    const heard = counts.audible[b] - counts.audible[a];
    const [k, above] = audibleOnly(heard, b - a, windowS) ? [heard, counts.overAudible[b] - counts.overAudible[a]] : [b - a, counts.over[b] - counts.over[a]];
    if (2 * above < k) continue;
    const local = audibleMedian(tp, tot, a, b, windowS, arrays);
    if (local > thr) segments[s] = local;
  }
  return { chunk, segments, segmentWindows };
}
