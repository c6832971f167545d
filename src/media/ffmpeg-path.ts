/**
 * Which ffmpeg/ffprobe binaries to run: MMPREP_FFMPEG / MMPREP_FFPROBE if set, else the system's on PATH, else the
 * static builds shipped by the npm packages @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe (so `npm ci` is
 * enough on a machine without ffmpeg).
 */
import type { ChildProcess } from 'node:child_process';
import { childrenStopped, sentByUs, trackChild } from './children.js';
import { accessSync, chmodSync, constants, statSync } from 'node:fs';
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
