/**
 * A note, per user in the OS temp folder, of the ffmpeg fingerprint (toolchain.ts) asked of a pair of binaries, so a
 * later `extract` with the same binaries does not start both again for their `-version` output: each start of
 * Debian's build costs ~0.15 CPU s (its ~215 shared libraries loaded and linked; docs/benchmarks-history.md "The test
 * suite's CPU by program").
 * The note holds every file the two outputs can depend on, each with its identity (size, modification and change
 * times, inode), and is taken only while all are unchanged: the two binaries; for a dynamically linked build, every
 * library the dynamic loader loaded for them (glibc's LD_DEBUG=libs `calling init:` lines of the `-version` runs),
 * their folders (a library added beside them could be found first), the loader's cache /etc/ld.so.cache (ldconfig
 * rewrites it whenever a package installs a library) and LD_LIBRARY_PATH's folders, with the values of LD_LIBRARY_PATH
 * and LD_PRELOAD. So a library updated under an unchanged binary is asked again, as `-version` itself would show it.
 * Noted only on Linux, for ELF binaries (not a wrapper script: what it runs is not known) that are static or whose
 * libraries were reported. Kept like the showinfo note (src/common/user-note.ts): only this user's file is read.
 */
import { openSync, readSync, closeSync } from 'node:fs';
import { delimiter, dirname } from 'node:path';
import { fileIdentity as identity, readUserNotes, userNoteFile, writeUserNotes } from '../common/user-note.js';
import type { ToolPart } from './toolchain.js';

/** At most this many notes (pairs of binaries) in the file. */
const NOTED_PAIRS = 8;
const LD_CACHE = '/etc/ld.so.cache';

interface PartNote extends ToolPart {
  /** The binaries' paths, newline-joined: which note to look at. */
  bins: string;
  /** LD_LIBRARY_PATH and LD_PRELOAD when noted. */
  env: string;
  /** Path -> identity of every file the outputs depend on (header). */
  files: Record<string, string>;
}

/**
 * The environment of a `-version` run that reports the libraries loaded (on stderr; stdout is unchanged); without
 * LD_DEBUG_OUTPUT, which would send the report to files of the user's instead.
 */
export function libraryTraceEnv(): NodeJS.ProcessEnv | undefined {
  return process.platform === 'linux' ? { ...process.env, LD_DEBUG: 'libs', LD_DEBUG_OUTPUT: undefined } : undefined;
}

/** The libraries glibc's loader reported loading (LD_DEBUG=libs output). */
export function loadedLibraries(stderr: string): string[] {
  return [...stderr.matchAll(/calling init: (\/\S+)/g)].map((m) => m[1]);
}

const noteFile = () => userNoteFile('toolchain');
const loaderEnv = () => `${process.env.LD_LIBRARY_PATH ?? ''}\n${process.env.LD_PRELOAD ?? ''}`;

/** The first bytes of an ELF file: whether it is one, and whether it names a program interpreter (PT_INTERP: dynamic). */
function elfKind(path: string): 'static' | 'dynamic' | 'other' {
  const head = Buffer.alloc(4096);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    readSync(fd, head, 0, head.length, 0);
  } catch {
    return 'other';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  // ELF64 little-endian only (x86-64, arm64): e_phoff at 0x20, e_phentsize at 0x36, e_phnum at 0x38; PT_INTERP = 3.
  if (head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2 || head[5] !== 1) return 'other';
  const phoff = Number(head.readBigUInt64LE(0x20));
  const size = head.readUInt16LE(0x36);
  const count = head.readUInt16LE(0x38);
  if (phoff + size * count > head.length) return 'other';
  for (let i = 0; i < count; i++) if (head.readUInt32LE(phoff + i * size) === 3) return 'dynamic';
  return 'static';
}

/** The files the note depends on, or null when these binaries are not to be noted (see the header). */
function dependedOn(bins: string[], libraries: string[]): string[] | null {
  if (process.platform !== 'linux') return null;
  const kinds = bins.map(elfKind);
  if (kinds.includes('other') || (kinds.includes('dynamic') && libraries.length === 0)) return null;
  const searched = (process.env.LD_LIBRARY_PATH ?? '').split(delimiter).filter(Boolean);
  return [...new Set([...bins, LD_CACHE, ...searched, ...libraries, ...libraries.map((l) => dirname(l))])];
}

/** A well-formed note (malformed entries are not used). */
function isPartNote(n: unknown): n is PartNote {
  const x = n as Partial<PartNote> | null;
  return typeof x?.bins === 'string' && typeof x.env === 'string' && typeof x.files === 'object' && x.files !== null && typeof x.version === 'string' && /^[0-9a-f]{16}$/.test(x.fingerprint ?? '');
}

const readNotes = (file: string) => readUserNotes(file, isPartNote);

/** The noted part of these binaries, only while every file it depends on is as noted. */
export function notedFfmpegPart(bins: string[]): ToolPart | null {
  if (process.platform !== 'linux') return null;
  const n = readNotes(noteFile()).find((x) => x.bins === bins.join('\n'));
  if (!n || n.env !== loaderEnv() || bins.some((b) => !(b in n.files))) return null;
  for (const [path, id] of Object.entries(n.files)) if (identity(path) !== id) return null;
  return { version: n.version, fingerprint: n.fingerprint };
}

/** Notes the part asked of these binaries (best effort: a read-only temp folder means asking next run), first. */
export function noteFfmpegPart(bins: string[], libraries: string[], part: ToolPart): void {
  const files = dependedOn(bins, libraries);
  if (!files) return;
  const file = noteFile();
  const note: PartNote = { bins: bins.join('\n'), env: loaderEnv(), files: Object.fromEntries(files.map((f) => [f, identity(f)])), ...part };
  const notes = [note, ...readNotes(file).filter((n) => n.bins !== note.bins)].slice(0, NOTED_PAIRS);
  writeUserNotes(file, notes);
}
