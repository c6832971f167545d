/** Which parts of a recording the pulse search reads: the first and (with --ends both) the last `searchS` seconds. */
import { endToleranceS } from '../media/end-tolerance.js';

export type Ends = 'start' | 'both';
export type WindowName = 'start' | 'end' | 'all';

export interface SearchWindow {
  name: WindowName;
  start_s: number;
  /** null: to the end of the file. */
  duration_s: number | null;
  /**
   * Pulses are only taken before this stream time (the half-file limit of a short file's start window); the audio
   * after it is still decoded for the cross-correlation fallback. Undefined: the whole window.
   */
  pulses_before_s?: number;
}

export interface SyncWarning {
  code: string;
  message: string;
}

/**
 * Each end's window is min(searchS, duration / 2) long, so the start and end pulses of a short recording are found
 * with the defaults (a 24 s session with beeps at 2 s and 22 s). searchS 0 (or a file with unknown length) means
 * the whole file; detections then belong to 'start' in its first half and to 'end' in its second half.
 */
export function searchWindows(file: string, durationS: number | null, searchS: number, ends: Ends): { windows: SearchWindow[]; warnings: SyncWarning[] } {
  const warnings: SyncWarning[] = [];
  if (searchS <= 0 || durationS === null) {
    if (searchS > 0) warnings.push({ code: 'unknown_length', message: `length unknown: searched the whole file` });
    return { windows: [{ name: 'all', start_s: 0, duration_s: null }], warnings };
  }
  if (ends === 'both') {
    const len = Math.min(searchS, durationS / 2);
    if (len < searchS) warnings.push({ code: 'short_file', message: `is ${durationS.toFixed(1)} s long: searched its first and last ${len.toFixed(1)} s (half each)` });
    return {
      windows: [
        { name: 'start', start_s: 0, duration_s: len },
        { name: 'end', start_s: durationS - len, duration_s: null },
      ],
      warnings,
    };
  }
  const len = Math.min(searchS, durationS / 2);
  if (len >= searchS) return { windows: [{ name: 'start', start_s: 0, duration_s: searchS }], warnings };
  warnings.push({ code: 'short_file', message: `is ${durationS.toFixed(1)} s long: searched its first ${len.toFixed(1)} s (half) for the pulse` });
  return { windows: [{ name: 'start', start_s: 0, duration_s: Math.min(searchS, durationS), pulses_before_s: len }], warnings };
}

/**
 * How much of a search window a stream failed to decode, when clearly less than its header says it holds (a file cut
 * short: its header still declares the full length): a phrase for the `truncated` warning, else null. `streamEndS`:
 * where the stream ends on the file's timeline by its header (null: not stated exactly, e.g. raw MP3/ADTS, whose
 * length ffprobe estimates; no check); `streamStartS` where it starts there (a camera's sound that starts 0.3 s after
 * its picture holds 0.3 s less of the start window: not missing). The allowance is that of every truncation check
 * (src/media/stream-ends.ts endToleranceS: one frame for a picture, plus the codec's delay). A pulse in the missing
 * part cannot be found, so the user must hear why.
 */
export function truncatedWindow(w: SearchWindow, decodedS: number, streamEndS: number | null, frameS = 0, streamStartS = 0): string | null {
  if (streamEndS === null) return null;
  const from = Math.max(w.start_s, streamStartS);
  const want = Math.min(w.start_s + (w.duration_s ?? Infinity), streamEndS) - from;
  if (!(want > 0) || want - decodedS <= endToleranceS(frameS)) return null;
  return `only ${Math.max(0, decodedS).toFixed(1)} s of its ${w.name} search window (${from.toFixed(1)}-${(from + want).toFixed(1)} s)`;
}

/** One `truncated` warning for a stream's short windows (truncatedWindow's phrases), or null. */
export function truncatedWarning(phrases: Array<string | null>): SyncWarning | null {
  const short = phrases.filter((x): x is string => x !== null);
  if (!short.length) return null;
  return { code: 'truncated', message: `decoded ${short.join(' and ')}: the file holds less than its header declares (truncated or damaged?); a pulse in the missing part cannot be found` };
}
