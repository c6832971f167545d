/**
 * The pitch analysis behind Praat's voice measures: "To Pitch" (ac) with the standard settings (3 periods per
 * window, 15 candidates, silence 0.03, voicing 0.45, octave 0.01, octave-jump 0.35, voiced/unvoiced 0.14) between the
 * voice floor and ceiling (Praat's voice report: 75-600 Hz), on Praat's own frame grid (step 0.75 / floor, frames
 * centred in the signal; Praat's Sound_to_Pitch, called by Sound_to_PointProcess_periodic_cc). Every candidate gets
 * Praat's sinc-70 refinement here (the main F0 track refines only the locally best one).
 */
import { PitchAnalyzer } from './pitch.js';
import { indexToX, shortTermGrid, soundGrid, xToIndex, xToLowIndex, type Grid } from './praat-sampled.js';
import { SampleBuffer } from './sample-buffer.js';
import type { VoiceSignal } from './voice-signal.js';

export interface VoicePitch {
  grid: Grid;
  /** Hz per frame; 0 when unvoiced. */
  f0: Float32Array;
  /** Strength (normalised autocorrelation) of the chosen candidate per frame; 0 when unvoiced. */
  strength: Float32Array;
  /** Time domain of the sound (Praat's xmin, xmax). */
  xmin: number;
  xmax: number;
  ceiling: number;
}

/**
 * The voice pitch analysis of the signal: its samples go through a SampleBuffer a block at a time (each frame's
 * window is in it when the frame is analysed, older samples are dropped), the candidates to temp files past
 * `spillAfter` frames (pitch-spilled.ts); the global peak from the whole signal's running sum, min and max.
 */
export function voicePitch(x: VoiceSignal, sr: number, floor: number, ceiling: number, spillAfter?: number): VoicePitch | null {
  const sound = soundGrid(x.n, sr);
  const timeStep = 0.75 / floor; // Praat: periodsPerWindow / minimumPitch / 4
  const grid = shortTermGrid(sound, 3 / floor, timeStep);
  if (!grid || x.n === 0) return null;
  const pa = new PitchAnalyzer({
    sampleRate: sr,
    hop: timeStep * sr,
    floor,
    ceiling,
    maxCandidates: Math.max(15, Math.floor(ceiling / floor)),
    silenceThreshold: 0.03,
    voicingThreshold: 0.45,
    octaveCost: 0.01,
    octaveJumpCost: 0.35,
    voicedUnvoicedCost: 0.14,
    refineAll: true,
    ...(spillAfter !== undefined ? { spillAfter } : {}),
  });
  const buf = new SampleBuffer({ stats: false });
  const reach = Math.ceil(3 * sr / floor) + 2; // more than the analyser's reach either side of a frame
  const chunk = new Float32Array(Math.min(x.n, 1 << 15));
  let fed = 0;
  for (let i = 1; i <= grid.nx; i++) {
    const left = xToLowIndex(sound, indexToX(grid, i)); // 1-based leftSample
    while (fed < x.n && fed < left + reach) {
      const m = Math.min(chunk.length, x.n - fed);
      x.read(chunk.subarray(0, m), fed);
      buf.append(chunk.subarray(0, m), left - reach);
      fed += m;
      if (fed === x.n) buf.finish();
    }
    pa.analyzeAt(buf, left); // 0-based rightSample = 1-based leftSample
  }
  const mean = x.sum / x.n;
  const track = pa.finish(Math.max(x.max - mean, mean - x.min));
  return { grid, f0: track.f0, strength: track.strength, xmin: 0, xmax: x.n / sr, ceiling };
}

/** Pitch_isVoiced_i (1-based frame). */
export const isVoicedFrame = (p: VoicePitch, i: number) => i >= 1 && i <= p.grid.nx && p.f0[i - 1] > 0 && p.f0[i - 1] < p.ceiling;

/** Pitch_getValueAtTime (Hertz, linear): Sampled_getValueAtX with interpolation; NaN where undefined. */
export function pitchValueAt(p: VoicePitch, t: number): number {
  if (t < p.xmin || t > p.xmax) return NaN;
  const ireal = xToIndex(p.grid, t);
  const ileft = Math.floor(ireal);
  let phase = ireal - ileft;
  let inear: number;
  let ifar: number;
  if (phase < 0.5) {
    inear = ileft;
    ifar = ileft + 1;
  } else {
    ifar = ileft;
    inear = ileft + 1;
    phase = 1 - phase;
  }
  if (inear < 1 || inear > p.grid.nx) return NaN;
  if (!isVoicedFrame(p, inear)) return NaN;
  const fnear = p.f0[inear - 1];
  if (ifar < 1 || ifar > p.grid.nx || !isVoicedFrame(p, ifar)) return fnear;
  return fnear + phase * (p.f0[ifar - 1] - fnear);
}
