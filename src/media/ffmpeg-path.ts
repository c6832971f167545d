/**
 * Which ffmpeg/ffprobe binaries to run: MMPREP_FFMPEG / MMPREP_FFPROBE if set, else the system's on PATH, else the
 * static builds shipped by the npm packages @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe (so `npm ci` is
 * enough on a machine without ffmpeg).
 */
import { execFileSync, type ChildProcess, type ExecFileSyncOptionsWithStringEncoding } from 'node:child_process';
import { childrenStopped, startAgainAfterGroupInterrupt, trackChild } from './children.js';
import { accessSync, chmodSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
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

/** Locates both binaries once per process and points fluent-ffmpeg at them. */
export function ffmpegBinaries(): { ffmpeg: BinaryLocation; ffprobe: BinaryLocation } {
  if (!cached) {
    cached = {
      ffmpeg: locate('MMPREP_FFMPEG', 'ffmpeg', '@ffmpeg-installer/ffmpeg'),
      ffprobe: locate('MMPREP_FFPROBE', 'ffprobe', '@ffprobe-installer/ffprobe'),
    };
    ffmpeg.setFfmpegPath(cached.ffmpeg.path);
    ffmpeg.setFfprobePath(cached.ffprobe.path);
    spawnOutsideProcessGroup();
  }
  return cached;
}

let patched = false;

/**
 * ffmpeg children run in their own process group (spawn's `detached`: setsid on POSIX), so the SIGINT a terminal
 * sends to its foreground group on Ctrl-C reaches mmprep alone: `extract` then lets running sessions finish as
 * documented instead of losing them to ffmpeg exiting on the same signal. mmprep still ends them itself (kill() on
 * rollback; a closed pipe when it dies). fluent-ffmpeg passes its spawn options through _spawnFfmpeg.
 */
function spawnOutsideProcessGroup(): void {
  if (patched || process.platform === 'win32') return;
  patched = true;
  const proto = (ffmpeg as unknown as { prototype: { _spawnFfmpeg: (...a: unknown[]) => unknown } }).prototype;
  const original = proto._spawnFfmpeg;
  proto._spawnFfmpeg = function (this: unknown, args: unknown, options: unknown, ...rest: unknown[]) {
    const opts = options !== null && typeof options === 'object' ? { ...(options as object), detached: true } : options;
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
  ffmpegBinaries();
  return withoutCapabilityQueries(input === undefined ? ffmpeg() : ffmpeg(input));
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
 * The signal that ended the ffmpeg child a command starts (null: a normal exit, or no child started). fluent-ffmpeg's
 * own 'error' cannot tell: it says "Output stream closed" instead when our pipe closed 20 ms before the exit event.
 * Listen before the command runs.
 */
export function childSignalOf(cmd: ffmpeg.FfmpegCommand): Promise<NodeJS.Signals | null> {
  return new Promise((resolve) => {
    let started = false;
    cmd.once('start', () => {
      started = true;
      const child = (cmd as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc;
      if (!child) return resolve(null);
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.signalCode);
      child.once('exit', (_code, signal) => resolve(signal));
    });
    cmd.once('error', () => {
      if (!started) resolve(null);
    });
  });
}

let showinfo: string | null = null;

/**
 * The showinfo filter as the video decoder uses it (for each frame's pts): without its per-plane checksums when this
 * ffmpeg has the `checksum` option (they cost about a third of a 640x480 H.264 decode and nobody reads them).
 */
export function showinfoFilter(): string {
  if (showinfo === null) {
    let help = '';
    // In its own session like every child (a Ctrl-C must not turn the checksums back on); killed before it ran by
    // the group's SIGINT (children.ts): asked again.
    for (let attempt = 1; ; attempt++) {
      try {
        help = execFileSync(ffmpegBinaries().ffmpeg.path, ['-hide_banner', '-h', 'filter=showinfo'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000, detached: process.platform !== 'win32' } as ExecFileSyncOptionsWithStringEncoding);
        break;
      } catch (e) {
        const { signal, stdout } = e as { signal?: NodeJS.Signals | null; stdout?: string };
        if (!startAgainAfterGroupInterrupt(signal ?? null, stdout?.length ?? 0, attempt)) break;
      }
    }
    showinfo = /^\s*checksum\s/m.test(help) ? 'showinfo=checksum=0' : 'showinfo';
  }
  return showinfo;
}
