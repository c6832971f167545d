/**
 * Two audio streams placed by their pulses (beeps) should also share their content at the placed offset: the same
 * speech heard by two microphones of one session. A camera file of another session placed by its own beep beside
 * the session's lav (a misfiled manifest row, trial 2026-12-03 item 2) was placed with exit 0 and normal confidence
 * though the two share no sound at any offset. The fine cross-correlation (xcorr.ts fineAtOffset: the drift-aware
 * whitened correlation, only about the placed lag, so no second search) is read at the placed offset:
 *   - z CONTENT_MIN_Z or more: the content confirms the pair, nothing said;
 *   - under it, with both sounds holding sound over CONTENT_MIN_OVERLAP_S or more: `content_mismatch` (told on stderr);
 *   - under it over a shorter overlap, or with a silent window: `content_unchecked`, the placement rests on the pulse
 *     alone (trial 2026-12-05: a 10 s session's camera of another session read z 4.3 over 9.7 s and was placed with no
 *     word). Below 20 s a far microphone of the session that mostly hears the other talker reads as low as other
 *     sessions' files (scripts/measure-content-short.mjs at 6-15 s: 30 of 66 such genuine readings under 7, down to
 *     z 3.0; other sessions' files 3.0-5.5, none of 231 at 7), so no threshold tells them apart there: the check says
 *     it could not judge rather than that they differ.
 * Warnings, not refusals: docs/sync.md (Content check) gives the counts this rests on.
 */
import { fineAtOffset, MIN_FINE_Z, overlapAtOffset } from '../xcorr/xcorr.js';
import type { SyncWarning } from '../windows.js';

/**
 * Seconds of overlapping audio at the placed offset below which a z under CONTENT_MIN_Z is not taken as a mismatch but
 * as content that could not be checked (`content_unchecked`): speech heard by a far microphone needs tens of seconds.
 */
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

/** The reading at the placed offset: z (null when silent or too short to read), seconds of overlap, the window's middle. */
export interface ContentReading {
  z: number | null;
  overlap_s: number;
  silent: boolean;
  at_s: number;
}

export function readContent(w: MismatchWindow): ContentReading {
  const overlap = overlapAtOffset(w.a.length, w.aT0, w.b.length, w.bT0, w.sr, w.offsetS);
  const at = w.bT0 + w.b.length / w.sr / 2;
  if (rms(w.a) < SILENT_RMS || rms(w.b) < SILENT_RMS) return { z: null, overlap_s: overlap, silent: true, at_s: at };
  return { z: fineAtOffset(w.a, w.aT0, w.b, w.bT0, w.sr, w.offsetS)?.z ?? null, overlap_s: overlap, silent: false, at_s: at };
}

/** What a reading says of the pair: shared content, none over a long enough overlap (a mismatch), or not judged. */
export function verdictOf(r: ContentReading): 'shared' | 'mismatch' | 'unchecked' {
  if (r.z !== null && r.z >= CONTENT_MIN_Z) return 'shared';
  return r.z !== null && r.overlap_s >= CONTENT_MIN_OVERLAP_S ? 'mismatch' : 'unchecked';
}

/** The `content_mismatch` warning for a window (note: said after the measurement), or null when the content matches or cannot be judged. */
export function contentMismatch(w: MismatchWindow, file: string, fromFile: string, note = ''): SyncWarning | null {
  const r = readContent(w);
  return verdictOf(r) === 'mismatch' ? mismatchWarning(r, file, fromFile, note) : null;
}

export function mismatchWarning(r: ContentReading, file: string, fromFile: string, note = ''): SyncWarning {
  return {
    code: 'content_mismatch',
    message: `${file} and ${fromFile} share no sound at the placed offset (${r.overlap_s.toFixed(0)} s of overlapping audio about ${r.at_s.toFixed(1)} s, cross-correlation z ${(r.z ?? 0).toFixed(1)}, ${CONTENT_MIN_Z} or more expected)${note}: are they from one session? Its pulse placed it, but check the manifest row or the file`,
  };
}

/** The `content_unchecked` warning: the longest reading of the stream's windows, none of which could judge the pair. */
export function uncheckedWarning(r: ContentReading, file: string, fromFile: string, note = ''): SyncWarning {
  const read = r.silent ? 'one of them silent' : r.z === null ? 'too short to read' : `cross-correlation z ${r.z.toFixed(1)}, under ${CONTENT_MIN_Z}`;
  return {
    code: 'content_unchecked',
    message: `its placement rests on its pulse alone: its content could not be checked against ${fromFile} (overlap ${r.overlap_s.toFixed(1)} s at the placed offset, ${read}; under ${CONTENT_MIN_OVERLAP_S} s a far microphone of this session can read as low as another session's file)${note}: check the manifest row (is ${file} of this session?), or record ${CONTENT_MIN_OVERLAP_S} s or more of both`,
  };
}
