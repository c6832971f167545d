/**
 * A session that fails is left as it was before the run (README "extract"). Before an attempt changes anything of its
 * folder (extract-session.ts attemptSession: after the inputs, the resume check and the file-end checks, which only
 * read), its meta.json and stage files are linked into `.extract-before/`; a failure or a rollback puts them back and
 * removes what the attempt wrote, success drops the links. Before 2026-12-06 a failure removed meta.json and the
 * files of the stages it ran, keeping the others: `--resume --only sync` with a truncated camera left the old
 * audio.jsonl and face.jsonl without meta.json or sync.json, a stale sync.json plus `--only audio` left face.jsonl and
 * that sync.json (ttrial45b finding 4), and a resume that failed in its inputs (a media folder not mounted) removed a
 * complete session's files.
 *
 * Hard links cost no copy (writes replace files by rename, extract-session.ts, so a link keeps the old bytes); a file
 * system without them (some network and FAT file systems) gets copies.
 */
import { copyFile, link, mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { STAGE_FILES, STAGE_NAMES } from './extract-stages.js';

/** The folder in a session folder that holds the files of before the running attempt. */
export const BEFORE_DIR = '.extract-before';

const META = 'meta.json';

/** mmprep's own files in a session folder, meta.json last (the completion marker: restored last, removed first). */
const OWN_FILES: readonly string[] = [...STAGE_NAMES.flatMap((s) => STAGE_FILES[s]), META];

async function namesIn(dir: string): Promise<string[] | null> {
  try {
    return await readdir(dir);
  } catch {
    return null;
  }
}

/** `to` becomes a link to (else a copy of) `from`, replacing `to` in one rename. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  const tmp = `${to}.restore.tmp`;
  await rm(tmp, { force: true });
  try {
    await link(from, tmp);
  } catch {
    await copyFile(from, tmp);
  }
  await rename(tmp, to);
  // A rename between two links of one file does nothing (POSIX): the file was already there, the extra link goes.
  await rm(tmp, { force: true });
}

/**
 * Keeps the session folder's meta.json and stage files as they are now in BEFORE_DIR (replacing one a killed run left).
 * Made under a temp name and renamed: until it exists whole, the attempt has changed nothing.
 */
export async function keepBefore(dir: string): Promise<void> {
  const tmp = join(dir, `${BEFORE_DIR}.tmp`);
  await rm(join(dir, BEFORE_DIR), { recursive: true, force: true });
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  const names = new Set((await namesIn(dir)) ?? []);
  for (const f of OWN_FILES) if (names.has(f)) await linkOrCopy(join(dir, f), join(tmp, f));
  await rename(tmp, join(dir, BEFORE_DIR));
}

/** The attempt succeeded: the files of before are no longer needed. */
export async function dropBefore(dir: string): Promise<void> {
  await rm(join(dir, BEFORE_DIR), { recursive: true, force: true });
}

/**
 * The session folder as it was before the attempt: its files that were not there then removed (meta.json first), the
 * kept ones put back (meta.json last), temp files removed, and the folder itself removed when that leaves it empty
 * (a new session). Without BEFORE_DIR the attempt changed nothing but temp files. Safe to run again after an
 * interruption (the kept files stay in BEFORE_DIR until all are back). Returns whether an earlier run's meta.json is
 * in the folder afterwards.
 */
export async function restoreBefore(dir: string): Promise<boolean> {
  const kept = await namesIn(join(dir, BEFORE_DIR));
  if (kept) {
    await rm(join(dir, META), { force: true });
    for (const f of OWN_FILES) if (!kept.includes(f)) await rm(join(dir, f), { force: true, recursive: true });
    for (const f of OWN_FILES) if (kept.includes(f)) await linkOrCopy(join(dir, BEFORE_DIR, f), join(dir, f));
    await dropBefore(dir);
  }
  const names = (await namesIn(dir)) ?? [];
  await Promise.all(names.filter((n) => n.startsWith('.') && n.endsWith('.tmp')).map((n) => rm(join(dir, n), { force: true, recursive: true })));
  await rmdir(dir).catch(() => undefined); // only when empty
  return names.includes(META);
}
