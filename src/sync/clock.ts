/**
 * The clock map that `mmprep sync` writes (sync.json) and that `audio`, `face`, `extract` and `dataset` apply:
 * for each stream, t_ref = t_src + offset_s + drift_ppm * 1e-6 * t_src  (drift 0 when unknown).
 */
import { sha256FileSync } from '../common/sha256.js';
import { existsSync, statSync } from 'node:fs';
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
 * Finds the entry for (file, kind, stream) in a sync map: the same file (its path resolved against the sync.json's
 * folder), or a file of the same base name elsewhere whose content is the same (a byte-identical copy of the media
 * folder): same sha256 as the entry's `sha256`, as `knownSha256` (what extract's meta.json recorded), or as the file the
 * entry names when it still exists (size first). A file with other content (another session's camera.mp4) is refused.
 */
export function findSyncEntry(
  map: SyncMap,
  mapDir: string,
  mediaFile: string,
  kind: StreamKind,
  stream = 0,
  mapFile = join(mapDir, 'sync.json'),
  knownSha256?: string | null,
): SyncStreamEntry | null {
  const want = resolve(mediaFile);
  const same = (e: SyncStreamEntry) => e.kind === kind && (e.stream ?? 0) === stream;
  const byPath = map.streams.find((e) => same(e) && resolve(mapDir, e.file) === want);
  if (byPath) return byPath;
  const byName = map.streams.find((e) => same(e) && basename(e.file) === basename(mediaFile));
  if (byName) {
    const made = resolve(mapDir, byName.file);
    const verdict = sameContent(made, want, typeof byName.sha256 === 'string' ? byName.sha256 : knownSha256 ?? null);
    if (verdict === true) return byName;
    if (!existsSync(want)) throw new InputError(`was made for ${made}; ${want} does not exist, so it cannot be checked to be that file: put the media where the manifest names them (relative paths are read from the manifest's folder)`, { file: mapFile });
    const why = verdict === false ? 'same name, different content' : `same name; ${made} is gone and nothing recorded its sha256 to compare`;
    throw new InputError(`was made for ${made}, not ${want} (${why}); rerun mmprep sync on this file or pass the sync.json made for it`, { file: mapFile });
  }
  return null;
}

/** Whether `now` has the content the map was made from: by a recorded sha256, else against `made` if it exists; null when it cannot tell. */
function sameContent(made: string, now: string, recordedSha256: string | null): boolean | null {
  if (!existsSync(now)) return false;
  if (recordedSha256) return sha256FileSync(now) === recordedSha256;
  if (!existsSync(made)) return null;
  if (statSync(made).size !== statSync(now).size) return false;
  return sha256FileSync(made) === sha256FileSync(now);
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

/**
 * A map without the file's stream: which files it does hold and what to do (it said only "has no audio stream 0 of
 * s02_lav.flac", to a new user who had passed session s01's map).
 */
function notInMapMessage(map: SyncMap, kind: StreamKind, stream: number, mediaFile: string): string {
  const files = [...new Set(map.streams.map((s) => basename(String(s.file))))];
  const held = files.length === 0 ? 'no streams' : `${files.slice(0, 3).join(', ')}${files.length > 3 ? ` and ${files.length - 3} more` : ''}`;
  return `has no ${kind} stream ${stream} of ${mediaFile} (it holds ${held}): pass the sync map made for this file's session, or make one with mmprep sync (this file with the session's other recordings)`;
}

/** Loads sync.json and returns the clock of one stream; an InputError when the stream is not in it or has no offset. */
export async function loadClock(syncPath: string, mediaFile: string, kind: StreamKind, stream = 0, knownSha256?: string | null): Promise<Clock> {
  const map = await readSyncMap(syncPath);
  const e = findSyncEntry(map, dirname(resolve(syncPath)), mediaFile, kind, stream, syncPath, knownSha256);
  if (!e) throw new InputError(notInMapMessage(map, kind, stream, mediaFile), { file: syncPath });
  if (e.offset_s === null) throw new InputError(`no offset for the ${kind} stream of ${mediaFile} (sync failed for it)`, { file: syncPath });
  return clockOf(e);
}
