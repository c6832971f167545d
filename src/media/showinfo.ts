/**
 * The showinfo filter as mmprep's video decoder uses it (each frame's pts), and which of its forms this ffmpeg takes:
 * asked of ffmpeg once (`ffmpeg -h filter=showinfo`) and noted per user in the OS temp folder (src/common/user-note.ts).
 */
import { execFile, execFileSync, type ExecFileOptionsWithStringEncoding, type ExecFileSyncOptionsWithStringEncoding } from 'node:child_process';
import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readUserNotes, userId, userNoteFile, writeUserNotes } from '../common/user-note.js';
import { startAgainAfterGroupInterrupt } from './children.js';
import { ffmpegBinaries } from './ffmpeg-path.js';

let showinfo: string | null = null;
let showinfoQuery: Promise<string> | null = null;
/** Where this thread gets showinfoReady()'s answer instead of finding it out itself (showinfoFrom), or null. */
let askOtherThread: (() => Promise<string>) | null = null;
const SHOWINFO_CHOICES = ['showinfo=checksum=0', 'showinfo'];

/**
 * The showinfo filter as the video decoder uses it (for each frame's pts): without its per-plane checksums when this
 * ffmpeg has the `checksum` option (they cost about a third of a 640x480 H.264 decode and nobody reads them). Known
 * after showinfoReady(); asked of ffmpeg synchronously otherwise.
 */
export function showinfoFilter(): string {
  showinfo ??= notedShowinfo();
  if (showinfo === null) {
    let help: string | null = null;
    // In its own session like every child (a Ctrl-C must not turn the checksums back on); killed before it ran by
    // the group's SIGINT (children.ts): asked again. A failed query is not noted for later runs.
    for (let attempt = 1; ; attempt++) {
      try {
        help = execFileSync(ffmpegBinaries().ffmpeg.path, ['-hide_banner', '-h', 'filter=showinfo'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000, detached: process.platform !== 'win32' } as ExecFileSyncOptionsWithStringEncoding);
        break;
      } catch (e) {
        const { signal, stdout } = e as { signal?: NodeJS.Signals | null; stdout?: string };
        if (!startAgainAfterGroupInterrupt(signal ?? null, stdout?.length ?? 0, attempt)) break;
      }
    }
    showinfo = showinfoFromHelp(help ?? '');
    if (help !== null) rememberShowinfo(showinfo);
  }
  return showinfo;
}

function showinfoFromHelp(help: string): string {
  return /^\s*checksum\s/m.test(help) ? 'showinfo=checksum=0' : 'showinfo';
}

/**
 * Finds out showinfoFilter()'s answer without blocking: from this user's note of it for the same ffmpeg binary
 * (path, size, modification time) in the OS temp folder, else by asking ffmpeg in a child process (`ffmpeg -h
 * filter=showinfo`: Debian's build takes ~0.07 s of CPU to start, and the synchronous call held the main thread while
 * the face workers loaded). Callers start it early (beside ffprobe); the decoder awaits it before building its command.
 */
export function showinfoReady(): Promise<string> {
  if (showinfo !== null) return Promise.resolve(showinfo);
  if (askOtherThread) return (showinfoQuery ??= askOtherThread().then((filter) => (showinfo ??= filter)));
  showinfoQuery ??= new Promise<string>((resolve) => {
    const noted = notedShowinfo();
    if (noted) return resolve((showinfo ??= noted));
    let bin: string;
    try {
      bin = ffmpegBinaries().ffmpeg.path;
    } catch {
      return resolve('showinfo'); // no ffmpeg: the decoder's own start reports it
    }
    queryShowinfo(bin, 1, resolve);
  });
  return showinfoQuery;
}

/**
 * Lets another thread answer showinfoReady() in this one: an extract session's worker thread asks the run's main
 * thread, whose one answer (its note, or one query) serves every session thread (each asked ffmpeg itself on a run
 * with no note yet: once per thread). Set per task (null: find out here); an answer still awaited from an earlier
 * task's source is dropped, as that task's port may be closed.
 */
export function showinfoFrom(ask: (() => Promise<string>) | null): void {
  askOtherThread = ask;
  if (showinfo === null) showinfoQuery = null;
}

/**
 * `ffmpeg -h filter=showinfo` in a child of its own session like every child; one killed by the group's SIGINT before
 * it ran (children.ts) is asked again. A failed query (a signal, a timeout) is not noted, so a Ctrl-C at the wrong
 * moment cannot turn the checksums back on for later runs.
 */
function queryShowinfo(bin: string, attempt: number, resolve: (filter: string) => void): void {
  const opts = { encoding: 'utf8', timeout: 10_000, detached: process.platform !== 'win32' } as ExecFileOptionsWithStringEncoding;
  execFile(bin, ['-hide_banner', '-h', 'filter=showinfo'], opts, (err, stdout) => {
    if (err && startAgainAfterGroupInterrupt((err as { signal?: NodeJS.Signals | null }).signal ?? null, stdout.length, attempt)) return queryShowinfo(bin, attempt + 1, resolve);
    if (showinfo === null) {
      showinfo = showinfoFromHelp(err ? '' : stdout);
      if (!err) rememberShowinfo(showinfo);
    }
    resolve(showinfo);
  });
}

/**
 * The note's file and the binary's identity (path, size, modification time, inode); null when the binary cannot be
 * read (the query then decides). One file per user for every binary, at most NOTED_BINARIES of them: a file per
 * binary path (mmprep-UID-showinfo-HASH.json) was left for every install, worktree and CI clone that ran a face
 * decode, and for each deleted one (16 in /tmp after one morning of worktrees and CI clones of the same binary).
 */
function showinfoNote(): { file: string; id: string } | null {
  try {
    const bin = ffmpegBinaries().ffmpeg.path;
    const st = statSync(bin);
    return { file: userNoteFile('showinfo'), id: `${bin}\n${st.size}\n${st.mtimeMs}\n${st.ino}` };
  } catch {
    return null;
  }
}

const NOTED_BINARIES = 8;

type ShowinfoNotes = Array<{ id: string; filter: string }>;

/** A note naming one of the two known filters (anything else in the file is not used). */
const isShowinfoNote = (n: unknown): n is { id: string; filter: string } =>
  typeof (n as { id?: unknown } | null)?.id === 'string' && SHOWINFO_CHOICES.includes((n as { filter?: unknown }).filter as string);

/** The notes of the file, only when this user wrote it. */
const readShowinfoNotes = (file: string) => readUserNotes(file, isShowinfoNote);

/** The noted answer, only from a note this user wrote for this very binary and only one of the two known filters. */
function notedShowinfo(): string | null {
  const note = showinfoNote();
  if (!note) return null;
  return readShowinfoNotes(note.file).find((n) => n.id === note.id)?.filter ?? null;
}

/** Whether the binary a note names is still there as noted (else its entry goes when the file is written). */
function binaryStillThere(id: string): boolean {
  const [bin, size, mtime, ino] = id.split('\n');
  try {
    const st = statSync(bin);
    return String(st.size) === size && String(st.mtimeMs) === mtime && String(st.ino) === ino;
  } catch {
    return false;
  }
}

/**
 * Writes the note (best effort: a read-only temp folder only means asking ffmpeg next time): this binary's first,
 * then the others' that still exist, NOTED_BINARIES at most; removes this user's per-binary notes of older versions.
 */
function rememberShowinfo(filter: string): void {
  const note = showinfoNote();
  if (!note) return;
  const notes = [{ id: note.id, filter }, ...readShowinfoNotes(note.file).filter((n) => n.id !== note.id && binaryStillThere(n.id))].slice(0, NOTED_BINARIES);
  writeUserNotes(note.file, notes);
  removeOldShowinfoNotes();
}

/** This user's notes in the format of one file per binary path (mmprep-UID-showinfo-<16 hex>.json). */
function removeOldShowinfoNotes(): void {
  const old = new RegExp(`^mmprep-${userId()}-showinfo-[0-9a-f]{16}\\.json$`);
  try {
    for (const f of readdirSync(tmpdir())) {
      if (!old.test(f)) continue;
      const p = join(tmpdir(), f);
      if (typeof process.getuid !== 'function' || statSync(p).uid === process.getuid()) unlinkSync(p);
    }
  } catch {
    /* best effort: another process removed it first, or the folder cannot be listed */
  }
}
