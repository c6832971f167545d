/**
 * Which ffmpeg/ffprobe binaries to run: MMPREP_FFMPEG / MMPREP_FFPROBE if set, else the system's on PATH, else the
 * static builds shipped by the npm packages @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe (so `npm ci` is
 * enough on a machine without ffmpeg).
 */
import { execFile, execFileSync, type ChildProcess, type ExecFileOptionsWithStringEncoding, type ExecFileSyncOptionsWithStringEncoding } from 'node:child_process';
import { childrenStopped, sentByUs, startAgainAfterGroupInterrupt, trackChild } from './children.js';
import { accessSync, chmodSync, constants, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { threadId } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import type ffmpeg from 'fluent-ffmpeg';
import { InputError } from '../common/errors.js';

export type BinarySource = 'env' | 'path' | 'npm';
export interface BinaryLocation {
  path: string;
  source: BinarySource;
}

const require = createRequire(import.meta.url);

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      if (statSync(p).isFile()) {
        accessSync(p, constants.X_OK);
        return p;
      }
    } catch {
      /* not here */
    }
  }
  return null;
}

/** npm's install-script gate can leave the shipped binary without its execute bit; restore it when we own it. */
function ensureExecutable(p: string): void {
  try {
    accessSync(p, constants.X_OK);
  } catch {
    try {
      chmodSync(p, 0o755);
    } catch {
      /* reported when it fails to run */
    }
  }
}

function locate(envVar: string, name: string, npmPackage: string): BinaryLocation {
  const fromEnv = process.env[envVar];
  if (fromEnv) {
    try {
      if (!statSync(fromEnv).isFile()) throw new Error();
    } catch {
      throw new InputError(`${envVar}=${fromEnv}: no such executable`);
    }
    return { path: fromEnv, source: 'env' };
  }
  const sys = onPath(name);
  if (sys) return { path: sys, source: 'path' };
  try {
    const p = (require(npmPackage) as { path: string }).path;
    ensureExecutable(p);
    return { path: p, source: 'npm' };
  } catch {
    throw new InputError(`${name} not found: set ${envVar}, put ${name} on PATH, or run npm ci (${npmPackage})`);
  }
}

let cached: { ffmpeg: BinaryLocation; ffprobe: BinaryLocation } | null = null;

/**
 * The environment of every ffmpeg and ffprobe child that reads a media file: this process's, with GCONV_PATH set
 * (empty) unless the user set it. FFmpeg's MPEG-TS demuxer converts the DVB service names of a file's SDT (ISO 6937)
 * with iconv; a statically linked build (the npm packages' johnvansickle builds) then loads the system's iconv module
 * through glibc's gconv-modules.cache, built for another glibc, and dies: @ffprobe-installer's N-66595 crashed
 * (SIGSEGV) on every MPEG-TS file, ffmpeg's own output included (strace: it opens ISO_6937.so, then segfaults). With
 * GCONV_PATH set glibc reads the module lists instead of the cache; on Debian 12 (glibc 2.36, whose lists the static
 * glibc 2.28 does not follow) it finds no ISO 6937 module, iconv_open fails and FFmpeg keeps the name's bytes. A build
 * linked to the system's glibc reads the same lists (no cache: the same conversions). Where a static build still
 * dies, probe.ts says what to do (remux, or MMPREP_FFPROBE).
 */
export function childEnv(): NodeJS.ProcessEnv {
  return process.env.GCONV_PATH === undefined ? { ...process.env, GCONV_PATH: '' } : process.env;
}

/** Locates both binaries once per process (fluentFfmpeg() points fluent-ffmpeg at them). */
export function ffmpegBinaries(): { ffmpeg: BinaryLocation; ffprobe: BinaryLocation } {
  if (!cached) {
    cached = {
      ffmpeg: locate('MMPREP_FFMPEG', 'ffmpeg', '@ffmpeg-installer/ffmpeg'),
      ffprobe: locate('MMPREP_FFPROBE', 'ffprobe', '@ffprobe-installer/ffprobe'),
    };
  }
  return cached;
}

let fluent: typeof ffmpeg | null = null;
/**
 * fluent-ffmpeg, loaded on first use and pointed at ffmpegBinaries(): it is ~25 files (with async and which) that
 * cost ~0.03 CPU s to load, which `probe` (ffprobe is spawned directly) does not need, so `mmprep audio` starts its
 * ffprobe run before loading them. A CommonJS package, so a synchronous require.
 */
function fluentFfmpeg(): typeof ffmpeg {
  if (!fluent) {
    const bins = ffmpegBinaries();
    const f = require('fluent-ffmpeg') as typeof ffmpeg;
    f.setFfmpegPath(bins.ffmpeg.path);
    f.setFfprobePath(bins.ffprobe.path);
    spawnOutsideProcessGroup(f);
    fluent = f;
  }
  return fluent;
}

let patched = false;

/**
 * ffmpeg children run in their own process group (spawn's `detached`: setsid on POSIX), so the SIGINT a terminal
 * sends to its foreground group on Ctrl-C reaches mmprep alone: `extract` then lets running sessions finish as
 * documented instead of losing them to ffmpeg exiting on the same signal. mmprep still ends them itself (kill() on
 * rollback; a closed pipe when it dies). fluent-ffmpeg passes its spawn options through _spawnFfmpeg.
 */
function spawnOutsideProcessGroup(ffmpeg: typeof import('fluent-ffmpeg')): void {
  if (patched || process.platform === 'win32') return;
  patched = true;
  const proto = (ffmpeg as unknown as { prototype: { _spawnFfmpeg: (...a: unknown[]) => unknown } }).prototype;
  const original = proto._spawnFfmpeg;
  proto._spawnFfmpeg = function (this: unknown, args: unknown, options: unknown, ...rest: unknown[]) {
    const opts = options !== null && typeof options === 'object' ? { ...(options as object), detached: true, env: childEnv() } : options;
    if (childrenStopped()) {
      // fluent-ffmpeg's endCB(err, stdoutRing, stderrRing) reads both rings: empty ones.
      const endCB = [...rest].reverse().find((f) => typeof f === 'function') as ((e: Error, ...rings: unknown[]) => void) | undefined;
      const ring = () => ({ get: () => '', callback: () => undefined, close: () => undefined, append: () => undefined });
      setImmediate(() => endCB?.(new Error('ffmpeg not started: the session is being rolled back'), ring(), ring()));
      return undefined;
    }
    // (args, options, [processCB,] endCB): processCB receives the spawned child, which is tracked (children.ts);
    // the capability queries (-encoders, -formats …) pass endCB alone.
    if (typeof rest[0] === 'function') {
      const both = typeof rest[1] === 'function';
      const processCB = (both ? rest[0] : () => undefined) as (child: ChildProcess, ...more: unknown[]) => unknown;
      const tracking = (child: ChildProcess, ...more: unknown[]) => {
        trackChild(child);
        return processCB(child, ...more);
      };
      rest = both ? [tracking, ...rest.slice(1)] : [tracking, ...rest];
    }
    return original.call(this, args, opts, ...rest);
  };
}

/** A fluent-ffmpeg command with the located binaries configured. */
export function ffmpegCommand(input?: string): ffmpeg.FfmpegCommand {
  const f = fluentFfmpeg();
  return withoutCapabilityQueries(input === undefined ? f() : f(input));
}

/**
 * Before a process's first command fluent-ffmpeg runs `ffmpeg -formats` and `ffmpeg -encoders` (two more processes,
 * ~0.07 CPU s each, in series before the decode starts) to check the output format and to add `-strict experimental`
 * for experimental encoders. mmprep only writes raw f32le/rawvideo to a pipe, which every ffmpeg build has; a build
 * without them still fails, on the decode, with ffmpeg's own message.
 */
function withoutCapabilityQueries(cmd: ffmpeg.FfmpegCommand): ffmpeg.FfmpegCommand {
  const skip = cmd as unknown as { _checkCapabilities: (cb: (e?: Error) => void) => void; availableEncoders: (cb: (e: Error | null, enc: object) => void) => void };
  skip._checkCapabilities = (cb) => cb();
  skip.availableEncoders = (cb) => cb(null, {});
  return cmd;
}

/**
 * How an ffmpeg child ended: its exit code, or the signal that killed it (both null: no child started); `own`: that
 * signal was sent by this process (fluent-ffmpeg's kill after the pipe closed, or ours), not by someone else.
 */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  own: boolean;
}

/**
 * How the ffmpeg child a command starts ended, once its stderr is read too (or 1 s after its exit, should another
 * process hold the pipe). fluent-ffmpeg's own 'error' cannot always tell: it says "Output stream closed" instead when
 * our pipe closed 20 ms before the exit event, whatever the exit code. Listen before the command runs.
 */
export function childExitOf(cmd: ffmpeg.FfmpegCommand): Promise<ChildExit> {
  return new Promise((resolve) => {
    let started = false;
    cmd.once('start', () => {
      started = true;
      const child = (cmd as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc;
      if (!child) return resolve({ code: null, signal: null, own: false });
      const ended = () => resolve({ code: child.exitCode, signal: child.signalCode, own: sentByUs(child, child.signalCode) });
      if (child.exitCode !== null || child.signalCode !== null) return ended();
      child.once('exit', () => {
        if (!child.stderr || child.stderr.destroyed) return ended();
        child.stderr.once('close', ended);
        setTimeout(ended, 1000).unref();
      });
    });
    cmd.once('error', () => {
      if (!started) resolve({ code: null, signal: null, own: false });
    });
  });
}

let showinfo: string | null = null;
let showinfoQuery: Promise<string> | null = null;
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
    return { file: join(tmpdir(), `mmprep-${userId()}-showinfo.json`), id: `${bin}\n${st.size}\n${st.mtimeMs}\n${st.ino}` };
  } catch {
    return null;
  }
}

const NOTED_BINARIES = 8;
const userId = () => (typeof process.getuid === 'function' ? process.getuid() : 0);

type ShowinfoNotes = Array<{ id: string; filter: string }>;

/** The notes of the file, only when this user wrote it, only entries naming one of the two known filters. */
function readShowinfoNotes(file: string): ShowinfoNotes {
  try {
    const st = statSync(file);
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return [];
    const j = JSON.parse(readFileSync(file, 'utf8')) as { notes?: unknown };
    if (!Array.isArray(j.notes)) return [];
    return j.notes.filter((n): n is { id: string; filter: string } => typeof n?.id === 'string' && SHOWINFO_CHOICES.includes(n?.filter));
  } catch {
    return [];
  }
}

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
  const tmp = `${note.file}.${process.pid}.${threadId}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify({ notes }), { mode: 0o600 });
    renameSync(tmp, note.file);
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      /* nothing written */
    }
  }
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
