/**
 * Whether a sync.json written now places the streams exactly as the one an earlier run used, its file paths aside.
 * Feature files are tied to their clock by the sync.json's sha256 (extract-session.ts clockId); sync.json names the
 * media by paths relative to itself, so after the data folder moved, `extract --resume --only sync` wrote a sync.json
 * with the same offsets and another sha256, and the audio and face files were removed as "made on another clock"
 * (ttrial43). Compared here: every field but the paths (each `file` by its base name), offsets and detections included.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { sha256File } from '../common/sha256.js';

/** sync.json's text with every `file` value reduced to its base name (the placement without where the files lie). */
export function placementKey(syncJsonText: string): string {
  return JSON.stringify(JSON.parse(syncJsonText), (k, v) => (k === 'file' && typeof v === 'string' ? basename(v.replace(/\\/g, '/')) : v));
}

/** The placement of the session folder's sync.json when it is the one `sha256` names (an earlier run's), else null. */
export async function placementIf(dir: string, sha256: string | null | undefined): Promise<string | null> {
  if (!sha256) return null;
  try {
    if ((await sha256File(join(dir, 'sync.json'))).sha256 !== sha256) return null;
    return placementKey(await readFile(join(dir, 'sync.json'), 'utf8'));
  } catch {
    return null;
  }
}
