/**
 * Voice quality as in Praat 6.3's voice report: pulses by "To PointProcess (periodic, cc)" on a pitch analysis
 * between the voice floor and ceiling (75-600 Hz) on Praat's own grid; jitter and shimmer with Praat's standard
 * arguments over the whole file and over a window around each frame; HNR by "To Harmonicity (cc)"; formants by
 * "To Formant (burg)". Works on the whole signal (random access within voiced stretches).
 */
import { harmonicityCc, type Harmonicity } from './harmonicity.js';
import { jitter, shimmer, PRAAT_PERIOD_ARGS, type Jitter, type Shimmer } from './perturbation.js';
import { soundGrid } from './praat-sampled.js';
import { periodicPulses } from './pulses.js';
import { isVoicedFrame, voicePitch, type VoicePitch } from './voice-pitch.js';
import { formantBurg, type Formants } from './formant.js';

export interface VoiceOptions {
  floor: number;
  ceiling: number;
  /** Window of the per-frame jitter and shimmer, centred on the frame (seconds). */
  window: number;
}

export const VOICE_DEFAULTS: Readonly<VoiceOptions> = Object.freeze({ floor: 75, ceiling: 600, window: 0.1 });

export interface VoiceFileMeasures {
  jitter: Jitter;
  shimmer: Shimmer;
  /** Praat's Harmonicity "Get mean": mean over every non-silent frame (NaN when none). */
  hnrMeanDb: number;
  nPulses: number;
  /** Medians of F1-F3 and B1-B3 over the formant frames whose nearest voice pitch frame is voiced (NaN when none). */
  formantMediansHz: number[];
  bandwidthMediansHz: number[];
}

function median(v: number[]): number {
  if (v.length === 0) return NaN;
  const a = Float64Array.from(v).sort();
  const h = a.length >> 1;
  return a.length % 2 ? a[h] : 0.5 * (a[h - 1] + a[h]);
}

/** Medians of the first three formant frequencies and bandwidths over voiced formant frames. */
function formantMedians(fm: Formants | null, pitch: VoicePitch | null): [number[], number[]] {
  const fs: number[][] = [[], [], []];
  const bs: number[][] = [[], [], []];
  if (fm && pitch) {
    for (let k = 1; k <= fm.n; k++) {
      const t = fm.x1 + (k - 1) * fm.dx;
      const pk = nearestFrame(pitch.grid.x1, pitch.grid.dx, pitch.grid.nx, t);
      if (!pk || !isVoicedFrame(pitch, pk)) continue;
      for (let j = 0; j < Math.min(3, fm.count[k - 1]); j++) {
        fs[j].push(fm.freq[(k - 1) * fm.maxFormants + j]);
        bs[j].push(fm.bw[(k - 1) * fm.maxFormants + j]);
      }
    }
  }
  return [fs.map(median), bs.map(median)];
}

export interface VoiceAnalysis {
  options: VoiceOptions;
  pitch: VoicePitch | null;
  pulses: Float64Array;
  file: VoiceFileMeasures;
  harmonicity: Harmonicity | null;
  formants: Formants | null;
  /** Per output frame (mmprep grid): voiced in the voice pitch analysis (nearest Praat frame). */
  frameVoiced: Uint8Array;
  jitterLocal: Float64Array;
  shimmerLocal: Float64Array;
  hnrDb: Float64Array;
  /** nFrames x 3, NaN where undefined. */
  formantHz: Float64Array;
  bandwidthHz: Float64Array;
}

const NO_JITTER: Jitter = { local: NaN, localAbsolute: NaN, rap: NaN, ppq5: NaN, ddp: NaN };

/** Nearest frame (1-based) of a Praat grid to time t, or 0 when t is more than half a step outside it. */
function nearestFrame(x1: number, dx: number, nx: number, t: number): number {
  const i = Math.floor((t - x1) / dx + 0.5) + 1;
  return i >= 1 && i <= nx ? i : 0;
}

/** Voice measures of the signal x (mono, sr), per file and on the frame grid t_i = i * hop / sr (nFrames frames). */
export function analyzeVoice(x: Float32Array, sr: number, hop: number, nFrames: number, o: VoiceOptions = VOICE_DEFAULTS): VoiceAnalysis {
  const g = soundGrid(x.length, sr);
  const a = PRAAT_PERIOD_ARGS;
  const pitch = voicePitch(x, sr, o.floor, o.ceiling);
  const pulses = pitch ? periodicPulses(x, g, pitch) : new Float64Array(0);
  const harmonicity = harmonicityCc(x, sr, 0.01, o.floor, 0.1, 4.5);
  const formants = formantBurg(x, sr, 5, 5500, 0.025, 50);
  let hs = 0;
  let hn = 0;
  if (harmonicity) for (const v of harmonicity.db) if (v !== -200) (hs += v), hn++;
  const file: VoiceFileMeasures = {
    jitter: pulses.length ? jitter(pulses, 0, 0, a) : NO_JITTER,
    shimmer: shimmer(pulses, x, g, 0, 0, a),
    hnrMeanDb: hn > 0 ? hs / hn : NaN,
    nPulses: pulses.length,
    ...(([f, b]) => ({ formantMediansHz: f, bandwidthMediansHz: b }))(formantMedians(formants, pitch)),
  };
  const frameVoiced = new Uint8Array(nFrames);
  const jitterLocal = new Float64Array(nFrames).fill(NaN);
  const shimmerLocal = new Float64Array(nFrames).fill(NaN);
  const hnrDb = new Float64Array(nFrames).fill(NaN);
  const formantHz = new Float64Array(nFrames * 3).fill(NaN);
  const bandwidthHz = new Float64Array(nFrames * 3).fill(NaN);
  const half = o.window / 2;
  for (let i = 0; i < nFrames; i++) {
    const t = (i * hop) / sr;
    if (harmonicity) {
      const k = nearestFrame(harmonicity.x1, harmonicity.dx, harmonicity.db.length, t);
      if (k && harmonicity.db[k - 1] !== -200) hnrDb[i] = harmonicity.db[k - 1];
    }
    const pk = pitch ? nearestFrame(pitch.grid.x1, pitch.grid.dx, pitch.grid.nx, t) : 0;
    if (!pitch || !pk || !isVoicedFrame(pitch, pk)) continue;
    frameVoiced[i] = 1;
    jitterLocal[i] = jitter(pulses, t - half, t + half, a).local;
    shimmerLocal[i] = shimmer(pulses, x, g, t - half, t + half, a).local;
    if (formants) {
      const k = nearestFrame(formants.x1, formants.dx, formants.n, t);
      if (k) {
        for (let j = 0; j < 3; j++) {
          if (j < formants.count[k - 1]) {
            formantHz[i * 3 + j] = formants.freq[(k - 1) * formants.maxFormants + j];
            bandwidthHz[i * 3 + j] = formants.bw[(k - 1) * formants.maxFormants + j];
          }
        }
      }
    }
  }
  return { options: o, pitch, pulses, file, harmonicity, formants, frameVoiced, jitterLocal, shimmerLocal, hnrDb, formantHz, bandwidthHz };
}
