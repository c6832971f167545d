/**
 * Under `mmprep extract`, sync names the session's files by the manifest's cells (as meta.json's inputs[] and the
 * audio/face summaries do since 2026-12-03), not by their absolute paths: sync.json's message texts and a refusal's
 * line in _errors.jsonl carried the checkout's folder, so the same session extracted elsewhere differed byte-wise
 * (issue 11, trial29 session E). sync itself gets the absolute paths (it decodes them; sync.json's `file` fields are
 * written relative to the session's folder and later stages find their streams by them): only texts are renamed.
 */
import { extname } from 'node:path';
import { isMmprepError } from '../common/errors.js';
import type { SyncMap } from '../sync/clock.js';

export type Rename = (text: string) => string;

/**
 * Replaces each absolute path by its cell (the longest path first, so that no path's prefix takes its place). The
 * path less its extension is replaced, so a file named beside it in advice (`ffmpeg -i DIR/cam.mp4 -c copy
 * DIR/cam-remuxed.mp4`) is named from the manifest's folder as well: the cell resolves to the path, so both differ
 * only in the folder part before the name (any path that starts so is thereby named from the manifest's folder).
 */
export function cellRenamer(media: Array<{ path: string; given: string }>): Rename {
  const stem = (f: string, ext: string) => (ext && f.endsWith(ext) ? f.slice(0, -ext.length) : f);
  const pairs = [...new Map(media.map((m) => [stem(m.path, extname(m.given)), stem(m.given, extname(m.given))] as const)).entries()]
    .filter(([p, g]) => p !== g)
    .sort((a, b) => b[0].length - a[0].length);
  return (text) => pairs.reduce((t, [p, g]) => t.split(p).join(g), text);
}

/** Every string of `v` renamed, except the values of `file` keys (paths sync.json writes relative, and stages look up). */
function renameTexts<T>(v: T, rename: Rename): T {
  if (typeof v === 'string') return rename(v) as T;
  if (Array.isArray(v)) return v.map((x) => renameTexts(x, rename)) as T;
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = k === 'file' ? x : renameTexts(x, rename);
  return out as T;
}

/** The map with its texts (warnings, reasons, the reference's reason) naming cells; `file` fields kept. */
export function mapWithCellNames(map: SyncMap, rename: Rename): SyncMap {
  return renameTexts(map, rename);
}

/** The map with its streams' `file` named by their cells too: for the warning lines said on stderr. */
export function mapForLines(map: SyncMap, rename: Rename): SyncMap {
  return { ...map, streams: map.streams.map((e) => ({ ...e, file: rename(e.file) })) };
}

/** A refusal's line (an mmprep error's message and file) naming cells; other errors as they are. */
export function errorWithCellNames(e: unknown, rename: Rename): unknown {
  if (!isMmprepError(e)) return e;
  e.message = rename(e.message);
  const loc = e.location as { file?: string };
  if (loc.file !== undefined) loc.file = rename(loc.file);
  return e;
}
