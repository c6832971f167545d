/**
 * Whether a sync.json written now places the streams exactly as the one an earlier run used, its file paths aside.
 * Feature files are tied to their clock by the sync.json's sha256 (extract-session.ts clockId); sync.json names the
 * media by paths relative to itself, so after the data folder moved, `extract --resume --only sync` wrote a sync.json
 * with the same offsets and another sha256, and the audio and face files were removed as "made on another clock"
 * (ttrial43). Compared here: every field but the paths (each `file` by its base name), offsets and detections included.
 */
import { createHash } from 'node:crypto';
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

/**
 * The clock's identity in meta.json `made_by` (copied into a release's manifest.json): the sha256 of the placement
 * (placementKey), so that the same session extracted with its media elsewhere relative to the output folder records
 * the same clock (ttrial45b finding 5a: two releases identical but for `made_by.*.clock`, the sync.json paths being
 * relative to it). The checks that features are on the session's current clock keep comparing the file's own sha256
 * (meta.json `outputs[].clock`, `dataset build`'s feature check, --resume): the same bytes are the same placement.
 */
export function placementClockId(syncJsonText: string): string {
  return `sync.json placement sha256:${createHash('sha256').update(placementKey(syncJsonText)).digest('hex')}`;
}
