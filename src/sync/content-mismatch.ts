/**
 * Two audio streams placed by their pulses (beeps) should also share their content at the placed offset: the same
 * speech heard by two microphones of one session. A camera file of another session placed by its own beep beside
 * the session's lav (a misfiled manifest row, trial 2026-12-03 item 2) was placed with exit 0 and normal confidence
 * though the two share no sound at any offset. When the kept windows overlap for at least CONTENT_MIN_OVERLAP_S at
 * the placed offset, both hold sound, and the fine cross-correlation (xcorr.ts fineAtOffset: the drift-aware
 * whitened correlation, only about the placed lag, so no second search) shows nothing there (its z below
 * CONTENT_MIN_Z), the stream gets a `content_mismatch` warning (told on stderr).
 * A warning, not a refusal: docs/sync.md (Content check) gives the counts this rests on.
 */
import { fineAtOffset, MIN_FINE_Z } from './xcorr.js';
import type { SyncWarning } from './windows.js';

/** Seconds of overlapping audio at the placed offset below which the check says nothing (speech needs tens of seconds). */
export const CONTENT_MIN_OVERLAP_S = 20;
/**
 * The fine peak's z at the placed offset below which the content is taken as not shared: MIN_FINE_Z, the threshold a
 * content placement needs. About the placed lag alone fineConfidence is not calibrated: unrelated sessions (trial
 * A_lav and W5_camera) gave z 4.1-5.9 at twelve offsets (confidence up to 1.00), the same session's camera 305.
 */
export const CONTENT_MIN_Z = MIN_FINE_Z;
/** RMS (full scale 1) below which a window is taken as silent: nothing to measure, no warning. */
const SILENT_RMS = 1e-3;

function rms(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, x.length));
}

/** Seconds masked before a pulse's onset and after its end (its echo tail: RT60 up to 0.8 s on the room sets). */
const MASK_BEFORE_S = 0.1;
const MASK_AFTER_S = 1.0;

/**
 * A copy of x (first sample at stream time t0) with the pulses (onset, duration) silenced: the beep lines up at the
 * placed offset by construction, and a tone burst alone correlated at z 5.4 between two unrelated sessions.
 */
export function withoutPulses(x: Float32Array, t0: number, sr: number, pulses: Array<{ t_s: number; duration_s: number }>): Float32Array {
  const y = x.slice();
  for (const p of pulses) {
    const i0 = Math.max(0, Math.floor((p.t_s - MASK_BEFORE_S - t0) * sr));
    const i1 = Math.min(y.length, Math.ceil((p.t_s + p.duration_s + MASK_AFTER_S - t0) * sr));
    if (i1 > i0) y.fill(0, i0, i1);
  }
  return y;
}

export interface MismatchWindow {
  /** The window of the stream it was placed from (a) and of the stream (b), with their first samples' stream times. */
  a: Float32Array;
  aT0: number;
  b: Float32Array;
  bT0: number;
  sr: number;
  /** The placed offset at b's window middle (add to a time in b to get a's). */
  offsetS: number;
}

/** The `content_mismatch` warning for a window (note: said after the measurement), or null when the content matches or cannot be measured. */
export function contentMismatch(w: MismatchWindow, file: string, fromFile: string, note = ''): SyncWarning | null {
  if (rms(w.a) < SILENT_RMS || rms(w.b) < SILENT_RMS) return null;
  const f = fineAtOffset(w.a, w.aT0, w.b, w.bT0, w.sr, w.offsetS);
  if (!f || f.overlap_s < CONTENT_MIN_OVERLAP_S || f.z >= CONTENT_MIN_Z) return null;
  const at = (w.bT0 + w.b.length / w.sr / 2).toFixed(1);
  return {
    code: 'content_mismatch',
    message: `${file} and ${fromFile} share no sound at the placed offset (${f.overlap_s.toFixed(0)} s of overlapping audio about ${at} s, cross-correlation z ${f.z.toFixed(1)}, ${CONTENT_MIN_Z} or more expected)${note}: are they from one session? Its pulse placed it, but check the manifest row or the file`,
  };
}
