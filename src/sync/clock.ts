/**
 * The clock map that `mmprep sync` writes (sync.json) and that `audio`, `face`, `extract` and `dataset` apply:
 * for each stream, t_ref = t_src + offset_s + drift_ppm * 1e-6 * t_src  (drift 0 when unknown).
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../common/errors.js';

export type StreamKind = 'audio' | 'video';

export interface SyncStreamEntry {
  /** The media file as given to `mmprep sync` (paths in sync.json are relative to the sync.json's folder when relative). */
  file: string;
  kind: StreamKind;
  /** 0-based index among the file's streams of that kind. */
  stream: number;
  /** Add to stream time to get reference time (null when it could not be determined). */
  offset_s: number | null;
  /** Clock-rate difference in parts per million (null when pulses were not found at both ends). */
  drift_ppm: number | null;
  method: string;
  confidence: number | null;
  [extra: string]: unknown;
}

export interface SyncMap {
  version: 1;
  reference: { file: string; kind: StreamKind; stream: number };
  streams: SyncStreamEntry[];
  [extra: string]: unknown;
}

export type Clock = (t_src: number) => number;

export function clockOf(entry: Pick<SyncStreamEntry, 'offset_s' | 'drift_ppm'>): Clock {
  const off = entry.offset_s ?? 0;
  const k = (entry.drift_ppm ?? 0) * 1e-6;
  return (t) => t + off + k * t;
}

/**
 * Finds the entry for (file, kind, stream) in a sync map: only the same file (its path resolved against the sync.json's
 * folder). A different file that merely has the same base name (another session's camera.mp4) is refused, never used.
 */
export function findSyncEntry(
  map: SyncMap,
  mapDir: string,
  mediaFile: string,
  kind: StreamKind,
  stream = 0,
  mapFile = join(mapDir, 'sync.json'),
): SyncStreamEntry | null {
  const want = resolve(mediaFile);
  const same = (e: SyncStreamEntry) => e.kind === kind && (e.stream ?? 0) === stream;
  const byPath = map.streams.find((e) => same(e) && resolve(mapDir, e.file) === want);
  if (byPath) return byPath;
  const byName = map.streams.find((e) => same(e) && basename(e.file) === basename(mediaFile));
  if (byName) {
    throw new InputError(
      `was made for ${resolve(mapDir, byName.file)}, not ${want} (same name, different file); rerun mmprep sync on this file or pass the sync.json made for it`,
      { file: mapFile },
    );
  }
  return null;
}

export async function readSyncMap(path: string): Promise<SyncMap> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputError('cannot read sync map', { file: path });
  }
  let map: SyncMap;
  try {
    map = JSON.parse(text) as SyncMap;
  } catch (e) {
    throw new InputError(`not valid JSON (${(e as Error).message})`, { file: path });
  }
  if (!map || !Array.isArray(map.streams)) throw new InputError('not a sync map (no "streams" array)', { file: path });
  return map;
}

/** Loads sync.json and returns the clock of one stream; an InputError when the stream is not in it or has no offset. */
export async function loadClock(syncPath: string, mediaFile: string, kind: StreamKind, stream = 0): Promise<Clock> {
  const map = await readSyncMap(syncPath);
  const e = findSyncEntry(map, dirname(resolve(syncPath)), mediaFile, kind, stream, syncPath);
  if (!e) throw new InputError(`has no ${kind} stream ${stream} of ${mediaFile}`, { file: syncPath });
  if (e.offset_s === null) throw new InputError(`no offset for the ${kind} stream of ${mediaFile} (sync failed for it)`, { file: syncPath });
  return clockOf(e);
}
