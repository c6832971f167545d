/**
 * Voice quality as in Praat 6.3's voice report: pulses by "To PointProcess (periodic, cc)" on a pitch analysis
 * between the voice floor and ceiling (75-600 Hz) on Praat's own grid; jitter and shimmer with Praat's standard
 * arguments over the whole file and over a window around each frame; HNR by "To Harmonicity (cc)"; formants by
 * "To Formant (burg)". Reads the signal through a VoiceSignal (random access within voiced stretches: in memory, or a temp file).
 */
import { harmonicityCc, type Harmonicity } from './harmonicity.js';
import { jitter, shimmer, PRAAT_PERIOD_ARGS, type Jitter, type Shimmer } from './perturbation.js';
import { soundGrid, type Grid } from './praat-sampled.js';
import { periodicPulses } from './pulses.js';
import { isVoicedFrame, voicePitch, type VoicePitch } from './voice-pitch.js';
import { formantBurgFrames, type FormantGrid, type Formants } from './formant.js';
import { signalOf, type VoiceSignal } from './voice-signal.js';
import { FormantMedians } from './voice-medians.js';

export interface VoiceOptions {
  floor: number;
  ceiling: number;
  /** Window of the per-frame jitter and shimmer, centred on the frame (seconds). */
  window: number;
  /** Praat's maximum formant of To Formant (burg), Hz (default 5500). */
  formantCeiling?: number;
}

export const VOICE_DEFAULTS: Readonly<VoiceOptions> = Object.freeze({ floor: 75, ceiling: 600, window: 0.1, formantCeiling: 5500 });

export interface VoiceFileMeasures {
  jitter: Jitter;
  shimmer: Shimmer;
  /** Praat's Harmonicity "Get mean": mean over every non-silent frame (NaN when none). */
  hnrMeanDb: number;
  /** The voice report's "Mean harmonics-to-noise ratio" (hnrOfVoicedFrames; NaN when no frame is voiced). */
  hnrVoiceReportDb: number;
  nPulses: number;
  /** Medians of F1-F3 and B1-B3 over the formant frames whose nearest voice pitch frame is voiced (NaN when none). */
  formantMediansHz: number[];
  bandwidthMediansHz: number[];
}

/** The output of the per-frame voice series, VOICE_FRAME_FIELDS order: set(j, frame, value) in ascending frames per j. */
export interface VoiceFrameSink {
  set(j: number, i: number, v: number): void;
  /** After the last set: every frame not set is NaN. */
  finish(): void;
}

export interface VoiceAnalysis {
  options: VoiceOptions;
  pitch: VoicePitch | null;
  pulses: Float64Array;
  file: VoiceFileMeasures;
  harmonicity: Harmonicity | null;
  /** The formant frames (kept in memory only when the per-frame series are; else their arrays are empty). */
  formants: Formants | null;
  /** Per output frame (mmprep grid): voiced in the voice pitch analysis (nearest Praat frame). */
  frameVoiced: Uint8Array;
  /** With a VoiceFrameSink (a long recording's temp file) these five are empty. */
  jitterLocal: Float64Array;
  shimmerLocal: Float64Array;
  hnrDb: Float64Array;
  /** nFrames x 3, NaN where undefined. */
  formantHz: Float64Array;
  bandwidthHz: Float64Array;
}

const NO_JITTER: Jitter = { local: NaN, localAbsolute: NaN, rap: NaN, ppq5: NaN, ddp: NaN };

/** Pitch strength r in dB as Praat's Pitch_STRENGTH_UNIT_HARMONICS_NOISE_DB (Pitch.cpp), clamped to +-150 dB. */
const strengthDb = (r: number) => (r <= 1e-15 ? -150 : r > 1 - 1e-15 ? 150 : 10 * Math.log10(r / (1 - r)));

/**
 * The voice report's "Mean harmonics-to-noise ratio" (Praat fon/VoiceAnalysis.cpp, Sound_Pitch_PointProcess_voiceReport:
 * Pitch_getMeanStrength (pitch, tmin, tmax, Pitch_STRENGTH_UNIT_HARMONICS_NOISE_DB)): the mean, over the voiced frames of
 * the voice pitch analysis (To Pitch (ac) floor-ceiling), of 10 log10(r / (1 - r)) of each frame's chosen candidate. Over
 * the whole file Sampled_getMean's edge corrections do not apply (the frames' span lies inside the sound), so it is the
 * plain mean. Not the Harmonicity's "Get mean" (To Harmonicity (cc), every sounding frame, voiced or not).
 */
function hnrOfVoicedFrames(p: VoicePitch | null): number {
  if (!p) return NaN;
  let sum = 0;
  let n = 0;
  for (let i = 1; i <= p.grid.nx; i++) if (isVoicedFrame(p, i)) (sum += strengthDb(p.strength[i - 1])), n++;
  return n > 0 ? sum / n : NaN;
}

/** Nearest frame (1-based) of a Praat grid to time t, or 0 when t is more than half a step outside it. */
function nearestFrame(x1: number, dx: number, nx: number, t: number): number {
  const i = Math.floor((t - x1) / dx + 0.5) + 1;
  return i >= 1 && i <= nx ? i : 0;
}

/** The in-memory per-frame arrays and a sink writing into them. */
function arraySink(nFrames: number): { sink: VoiceFrameSink; arrays: Pick<VoiceAnalysis, 'jitterLocal' | 'shimmerLocal' | 'hnrDb' | 'formantHz' | 'bandwidthHz'> } {
  const arrays = {
    jitterLocal: new Float64Array(nFrames).fill(NaN),
    shimmerLocal: new Float64Array(nFrames).fill(NaN),
    hnrDb: new Float64Array(nFrames).fill(NaN),
    formantHz: new Float64Array(nFrames * 3).fill(NaN),
    bandwidthHz: new Float64Array(nFrames * 3).fill(NaN),
  };
  const one = [arrays.jitterLocal, arrays.shimmerLocal, arrays.hnrDb];
  const set = (j: number, i: number, v: number) => {
    if (j < 3) one[j][i] = v;
    else if (j < 6) arrays.formantHz[i * 3 + j - 3] = v;
    else arrays.bandwidthHz[i * 3 + j - 6] = v;
  };
  return { sink: { set, finish: () => undefined }, arrays };
}

/** Jitter, shimmer and HNR of every output frame voiced in the voice pitch analysis (series 0-2). */
function perFrameMeasures(x: VoiceSignal, g: Grid, pulses: Float64Array, harmonicity: Harmonicity | null, frameVoiced: Uint8Array, times: (i: number) => number, half: number, out: VoiceFrameSink): void {
  const a = PRAAT_PERIOD_ARGS;
  for (let i = 0; i < frameVoiced.length; i++) {
    const t = times(i);
    if (harmonicity) {
      const k = nearestFrame(harmonicity.x1, harmonicity.dx, harmonicity.db.length, t);
      if (k && harmonicity.db[k - 1] !== -200) out.set(2, i, harmonicity.db[k - 1]);
    }
    if (!frameVoiced[i]) continue;
    out.set(0, i, jitter(pulses, t - half, t + half, a).local);
    out.set(1, i, shimmer(pulses, x, g, t - half, t + half, a).local);
  }
}

/**
 * The formant analysis, frame by frame: F1-F3 and B1-B3 of each voiced output frame from its nearest formant frame
 * (series 3-8), and the values of formant frames whose nearest voice pitch frame is voiced for the medians.
 */
function formantPass(x: VoiceSignal, sr: number, ceiling: number, pitch: VoicePitch | null, frameVoiced: Uint8Array, times: (i: number) => number, out: VoiceFrameSink, keep: boolean): { formants: Formants | null; medians: [number[], number[]] } {
  const med = new FormantMedians(!keep);
  const nFrames = frameVoiced.length;
  let kept: Formants | null = null;
  let next = 0;
  try {
    // Praat's Sound_to_Formant_burg (formant.ts); each frame arrives once, in order.
    const grid = formantBurgFrames(x, sr, 5, ceiling, 0.025, 50, (k, count, freq, bw, g) => {
      if (keep) keepFrame((kept ??= formantArrays(g)), k, count, freq, bw);
      const t = g.x1 + (k - 1) * g.dx;
      const pk = pitch ? nearestFrame(pitch.grid.x1, pitch.grid.dx, pitch.grid.nx, t) : 0;
      if (pitch && pk && isVoicedFrame(pitch, pk)) med.add(count, freq, bw);
      // Output frames whose nearest formant frame is k (their rounded index rises with i).
      for (; next < nFrames; next++) {
        const raw = Math.floor((times(next) - g.x1) / g.dx + 0.5) + 1;
        if (raw > k) break;
        if (raw < k || !frameVoiced[next]) continue;
        for (let j = 0; j < Math.min(3, count); j++) (out.set(3 + j, next, freq[j]), out.set(6 + j, next, bw[j]));
      }
    });
    return { formants: grid && (kept ?? { ...grid, count: new Uint8Array(0), freq: new Float64Array(0), bw: new Float64Array(0) }), medians: med.medians() };
  } finally {
    med.close();
  }
}

/** Empty formant frame arrays for a grid (NaN where a frame has fewer formants). */
function formantArrays(grid: FormantGrid): Formants {
  const m = grid.n * grid.maxFormants;
  return { ...grid, count: new Uint8Array(grid.n), freq: new Float64Array(m).fill(NaN), bw: new Float64Array(m).fill(NaN) };
}

/** Formant frame k (1-based) into the arrays. */
function keepFrame(fm: Formants, k: number, count: number, freq: Float64Array, bw: Float64Array): void {
  fm.count[k - 1] = count;
  fm.freq.set(freq.subarray(0, count), (k - 1) * fm.maxFormants);
  fm.bw.set(bw.subarray(0, count), (k - 1) * fm.maxFormants);
}

/**
 * Voice measures of the signal (mono, sr), per file and on the frame grid t_i = i * hop / gridRate s (nFrames frames;
 * gridRate defaults to sr: the caller's features may be at another rate than the voice's signal). With
 * `sink` the per-frame series go there (a temp file) instead of arrays, and the voice pitch's candidates go to temp
 * files past `spillAfter` frames: memory then does not grow with the recording but for the per-file figures' inputs
 * (pulse times, the harmonicity contour, the voiced formant values of the medians, the voice pitch track).
 */
export function analyzeVoice(x: VoiceSignal | Float32Array, sr: number, hop: number, nFrames: number, o: VoiceOptions = VOICE_DEFAULTS, sink?: VoiceFrameSink, spillAfter?: number, gridRate = sr): VoiceAnalysis {
  const sig = x instanceof Float32Array ? signalOf(x) : x;
  const g = soundGrid(sig.n, sr);
  const a = PRAAT_PERIOD_ARGS;
  const pitch = voicePitch(sig, sr, o.floor, o.ceiling, spillAfter);
  const pulses = pitch ? periodicPulses(sig, g, pitch) : new Float64Array(0);
  const harmonicity = harmonicityCc(sig, sr, 0.01, o.floor, 0.1, 4.5);
  let hs = 0;
  let hn = 0;
  if (harmonicity) for (const v of harmonicity.db) if (v !== -200) (hs += v), hn++;
  const times = (i: number) => (i * hop) / gridRate;
  const frameVoiced = new Uint8Array(nFrames);
  for (let i = 0; i < nFrames; i++) {
    const pk = pitch ? nearestFrame(pitch.grid.x1, pitch.grid.dx, pitch.grid.nx, times(i)) : 0;
    if (pitch && pk && isVoicedFrame(pitch, pk)) frameVoiced[i] = 1;
  }
  const mem = sink ? null : arraySink(nFrames);
  const out = sink ?? mem!.sink;
  perFrameMeasures(sig, g, pulses, harmonicity, frameVoiced, times, o.window / 2, out);
  const { formants, medians } = formantPass(sig, sr, o.formantCeiling ?? 5500, pitch, frameVoiced, times, out, !sink);
  out.finish();
  const file: VoiceFileMeasures = {
    jitter: pulses.length ? jitter(pulses, 0, 0, a) : NO_JITTER,
    shimmer: shimmer(pulses, sig, g, 0, 0, a),
    hnrMeanDb: hn > 0 ? hs / hn : NaN,
    hnrVoiceReportDb: hnrOfVoicedFrames(pitch),
    nPulses: pulses.length,
    formantMediansHz: medians[0],
    bandwidthMediansHz: medians[1],
  };
  const none = new Float64Array(0);
  const arrays = mem ? mem.arrays : { jitterLocal: none, shimmerLocal: none, hnrDb: none, formantHz: none, bandwidthHz: none };
  return { options: o, pitch, pulses, file, harmonicity, formants, frameVoiced, ...arrays };
}
