/**
 * Small notes a run leaves for later runs of the same user, one JSON file per kind in the OS temp folder
 * (mmprep-UID-KIND.json holding `{ notes: [...] }`): what a later run would otherwise ask a slow child process again
 * (the showinfo filter's options, src/media/showinfo.ts; the ffmpeg fingerprint, src/batch/toolchain-note.ts). Only a
 * file this user owns is read, only entries the caller's check accepts are used, and a file is replaced whole (a temp
 * file renamed over it), so a reader never sees half a note. Writing is best effort: a read-only temp folder only means
 * asking again next run.
 */
import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';

/** This user's id (0 where the platform has none: Windows). */
export const userId = (): number => (typeof process.getuid === 'function' ? process.getuid() : 0);

/** The note file of one kind for this user. */
export function userNoteFile(kind: string): string {
  return join(tmpdir(), `mmprep-${userId()}-${kind}.json`);
}

/** A file's identity as a note keeps it (size, modification and change times, inode), or 'missing'. */
export function fileIdentity(path: string): string {
  try {
    const st = statSync(path);
    return `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;
  } catch {
    return 'missing';
  }
}

/** The notes of `file` that `valid` accepts, only when this user wrote it (another user's file, or none: []). */
export function readUserNotes<T>(file: string, valid: (note: unknown) => note is T): T[] {
  try {
    if (typeof process.getuid === 'function' && statSync(file).uid !== process.getuid()) return [];
    const j = JSON.parse(readFileSync(file, 'utf8')) as { notes?: unknown };
    return Array.isArray(j.notes) ? j.notes.filter(valid) : [];
  } catch {
    return [];
  }
}

/** Replaces `file` with these notes, readable by this user alone; best effort (see the header). */
export function writeUserNotes(file: string, notes: unknown[]): void {
  const tmp = `${file}.${process.pid}.${threadId}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify({ notes }), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      /* nothing written */
    }
  }
}
