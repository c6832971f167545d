/**
 * An input that changes while its session is extracted (a recording or upload still being written into the archive:
 * a streaming WAV with RIFF size 0xFFFFFFFF, an MKV a live recorder writes without a duration). Each stage read the
 * file as far as it was then, so the session's files covered different lengths (audio 29 s of a 60 s WAV, meta.json
 * `inputs` the 17 s hashed at the start) and the session was marked done with exit 0 (ttrial51 W1). Each input is
 * stat'ed before it is hashed and again before meta.json (the session's commit point) is written; any difference in
 * identity (device, inode), size or modification time fails the session, which is rolled back like any other failure.
 */
import { stat } from 'node:fs/promises';
import type { ManifestSession } from './manifest.js';

/** What a stat says of a file's identity and contents: enough to see it appended to, rewritten or replaced. */
export interface FileState {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

/** Each input path's state now (null: unreadable; the inputs' own read says why). */
export async function inputStates(session: ManifestSession): Promise<Map<string, FileState | null>> {
  const states = new Map<string, FileState | null>();
  for (const m of session.media) {
    if (states.has(m.path)) continue;
    states.set(m.path, await stat(m.path).then((s) => ({ dev: s.dev, ino: s.ino, size: s.size, mtimeMs: s.mtimeMs }), () => null));
  }
  return states;
}

/** How a file changed between two states, as a parenthesis for the error line; null when it did not. */
export function changeOf(before: FileState | null, now: FileState | null, hashedSize: number | null): string | null {
  if (before === null || now === null) return before === now ? null : now === null ? '(it is gone or no longer readable)' : '(it appeared)';
  if (before.dev !== now.dev || before.ino !== now.ino) return `(replaced by another file: size ${before.size} -> ${now.size} bytes)`;
  if (before.size !== now.size) return `(size ${before.size} -> ${now.size} bytes)`;
  // Grown while it was hashed, then stopped: the hash read fewer bytes than the file holds.
  if (hashedSize !== null && hashedSize !== now.size) return `(size ${hashedSize} -> ${now.size} bytes)`;
  if (before.mtimeMs !== now.mtimeMs) return `(rewritten in place: same size ${now.size} bytes, modified ${new Date(before.mtimeMs).toISOString()} -> ${new Date(now.mtimeMs).toISOString()})`;
  return null;
}

/**
 * The error line's text for the first input of the session that changed since `before` (role: file: what), or null.
 * `hashedSizes`: each role's size as its hash read it (meta.json inputs' size_bytes).
 */
export async function changedInput(session: ManifestSession, before: Map<string, FileState | null>, hashedSizes: Map<string, number>): Promise<string | null> {
  const now = await inputStates(session);
  for (const m of session.media) {
    const what = changeOf(before.get(m.path) ?? null, now.get(m.path) ?? null, hashedSizes.get(m.role) ?? null);
    if (what) return `${m.role}: ${m.given}: changed while it was being extracted ${what}: a recording or upload still being written; extract it once it is complete (--resume redoes it)`;
  }
  return null;
}
