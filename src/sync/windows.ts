/** Which parts of a recording the pulse search reads: the first and (with --ends both) the last `searchS` seconds. */
import { InputError } from '../common/errors.js';

export type Ends = 'start' | 'both';
export type WindowName = 'start' | 'end' | 'all';

export interface SearchWindow {
  name: WindowName;
  start_s: number;
  /** null: to the end of the file. */
  duration_s: number | null;
}

export interface SyncWarning {
  code: string;
  message: string;
}

/**
 * searchS 0 (or a file with unknown length) means the whole file; detections then belong to 'start' in its first
 * half and to 'end' in its second half.
 */
export function searchWindows(file: string, durationS: number | null, searchS: number, ends: Ends): { windows: SearchWindow[]; warnings: SyncWarning[] } {
  const warnings: SyncWarning[] = [];
  if (searchS <= 0 || durationS === null) {
    if (searchS > 0) warnings.push({ code: 'unknown_length', message: 'length unknown: searched the whole file' });
    return { windows: [{ name: 'all', start_s: 0, duration_s: null }], warnings };
  }
  if (ends === 'both') {
    if (durationS < 2 * searchS) {
      throw new InputError(
        `is ${durationS.toFixed(1)} s long, shorter than the two ${searchS} s search windows of --ends both (lower --search-s to at most ${Math.floor((durationS / 2) * 10) / 10}, or use --ends start)`,
        { file },
      );
    }
    return {
      windows: [
        { name: 'start', start_s: 0, duration_s: searchS },
        { name: 'end', start_s: durationS - searchS, duration_s: null },
      ],
      warnings,
    };
  }
  if (durationS < searchS) {
    warnings.push({ code: 'short_file', message: `is ${durationS.toFixed(1)} s long, shorter than the ${searchS} s search window: searched all of it` });
  }
  return { windows: [{ name: 'start', start_s: 0, duration_s: durationS < searchS ? null : searchS }], warnings };
}
