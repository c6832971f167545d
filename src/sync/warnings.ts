/**
 * The warnings of a sync map a user must hear about (one line each on stderr from `mmprep sync`, counted in
 * `mmprep extract`'s warnings): a stream placed by the same camera's other clock (--share-camera-clock), a stream
 * without an end pulse under `--ends both` (drift unknown), a stream whose own pulse was found but not used and that
 * was placed by another route (`other_route`: which route, and why its pulse was not used), a search window that
 * decoded less than the file's header declares (`truncated`), a picture whose offset's 2 sd reach beyond half a frame
 * (`offset_uncertain`). Other codes stay in sync.json and the table.
 */
import type { SyncMap } from './clock.js';

const TOLD = new Set(['camera_clock_shared', 'no_end_pulse', 'offset_uncertain', 'other_route', 'truncated']);

/** `<file> <kind> stream <n>: <code>: <message>` per warning worth telling. */
export function syncWarningLines(map: SyncMap): string[] {
  const lines: string[] = [];
  for (const e of map.streams) {
    const ws = Array.isArray(e.warnings) ? (e.warnings as Array<{ code: string; message?: string }>) : [];
    for (const w of ws) if (TOLD.has(w.code)) lines.push(`${e.file} ${e.kind} stream ${e.stream}: ${w.code}: ${w.message ?? ''}`.trimEnd());
  }
  return lines;
}
