/** Runs the built CLI (bin/mmprep.js → dist/) as a child process, as a user would. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'mmprep.js');
export const FIXTURES = join(ROOT, 'fixtures');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** detached: the CLI leads its own process group (as a shell's foreground job does). */
export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; detached?: boolean; nodeFlags?: string[] } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(opts.nodeFlags ?? []), BIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: opts.detached ?? false,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** A fresh temp directory, removed by the returned cleanup function. */
export function tempDir(prefix = 'mmprep-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Commands that may run in the test process: they start no worker threads (a thread would inherit the test worker's
 * Node flags, and it would outlive a failed test). extract, demo, face (but with --workers 0: runFaceInProcess),
 * doctor, audio (pitch and JSONL threads) and `dataset build --jobs` / `dataset validate --jobs` start threads: runCli.
 * `dataset build` without --jobs builds in its own thread unless the feature files reach 32 MB (src/dataset/build.ts
 * buildJobs; the tests' features are a few hundred kB): a run that starts a thread all the same fails (mainInProcess).
 */
const IN_PROCESS = new Set(['agreement', 'probe', 'sync', 'dataset validate', 'dataset build']);

type Main = (argv: string[]) => Promise<number>;
let loaded: Main | undefined;
/**
 * The built dist/ loaded by Node itself, as bin/mmprep.js loads it, not through vitest's module runner (whose import()
 * transforms every file): require() of an ES module (Node 20.19+; the graph has no top-level await).
 */
const nodeRequire = createRequire(import.meta.url);
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs the built CLI's main(argv) (dist/cli/main.js) in this process, for tests of what a command computes, checks and
 * prints, where the process itself is not the subject: what it costs is the command's own work (a child process
 * first spends ~0.5 CPU s starting Node and loading mmprep's modules). stdout and stderr are captured and the exit
 * code is main's, as bin/mmprep.js sets it. Runs one at a time (they share process.stdout, process.exitCode and the
 * working directory). `cwd`: the directory relative paths are read from during the run (process.chdir there and back
 * to ROOT after, as runCli's cwd); the test's own code runs in ROOT.
 * Not for exit handling, signals, the bin/ wrapper, stdin or env (MMPREP_FFMPEG...): use runCli there.
 */
export function runCliInProcess(args: string[], opts: { cwd?: string } = {}): Promise<CliResult> {
  const name = args[0] === 'dataset' ? `dataset ${args[1]}` : args[0];
  // `extract --check` reads the manifest and stats its files only: no pool, no thread.
  const threadless = IN_PROCESS.has(name) || (name === 'extract' && args.includes('--check'));
  if (!threadless || args.some((a) => /^(-j|--jobs)/.test(a))) throw new Error(`runCliInProcess: '${args.join(' ')}' starts threads: runCli`);
  return queued(args, opts.cwd ?? ROOT, true);
}

/**
 * `mmprep face ARGS --workers 0` through main() in this process (as runCliInProcess): the face models run in this
 * thread, so no child process and no worker thread start. A child with one worker cost ~1.9 CPU s before its first
 * frame (Node, mmprep's modules, the thread, tfjs and Human); here the first run loads tfjs and Human once (~1.3 CPU
 * s) and each later one makes its engine (~0.4 CPU s; 2026-12-05, one frame of fixtures/face/transform.mp4). The
 * records do not depend on --workers (src/face/pool.ts; test/face.test.ts compares the CLI with one worker, the
 * library with two and in this thread). For tests of what `mmprep face` computes and prints, in a file of
 * FACE_MODELS (test/own-process.ts: it leaves tfjs and Human loaded in its process); a test of --workers or of the
 * process itself uses runCli.
 */
export function runFaceInProcess(args: string[]): Promise<CliResult> {
  if (args[0] !== 'face' || args.some((a) => /^(-j|--jobs|--workers)/.test(a))) throw new Error(`runFaceInProcess: '${args.join(' ')}' is not a face run without --workers`);
  return queued([...args, '--workers', '0'], ROOT, false);
}

function queued(args: string[], cwd: string, noThreads: boolean): Promise<CliResult> {
  const run = queue.then(() => mainInProcess(args, cwd, noThreads));
  queue = run.catch(() => undefined);
  return run;
}

/**
 * main(argv) in this process. With `noThreads` (runCliInProcess), a worker thread the command starts (Node's process
 * 'worker' event) is ended once main has returned and fails the run: no thread of mmprep's outlives it here.
 */
async function mainInProcess(args: string[], cwd: string, noThreads: boolean): Promise<CliResult> {
  const main = (loaded ??= (nodeRequire(join(ROOT, 'dist', 'cli', 'main.js')) as { main: Main }).main);
  if (process.cwd() !== join(ROOT, '.')) throw new Error(`runCliInProcess: the test process runs in ${process.cwd()}, not ${ROOT}`);
  const threads: Worker[] = [];
  const onThread = (w: Worker) => threads.push(w);
  if (noThreads) process.on('worker', onThread);
  const out = capture(process.stdout);
  const err = capture(process.stderr);
  const exitCodeBefore = process.exitCode;
  process.exitCode = undefined;
  try {
    process.chdir(cwd);
    const code = await main([process.execPath, BIN, ...args]);
    return { code, stdout: out.text(), stderr: err.text() };
  } finally {
    process.off('worker', onThread);
    process.chdir(ROOT);
    process.exitCode = exitCodeBefore;
    out.restore();
    err.restore();
    await Promise.all(threads.map((w) => w.terminate()));
    if (threads.length) throw new Error(`runCliInProcess: '${args.join(' ')}' started ${threads.length} worker thread(s) in the test process: run it with runCli`);
  }
}

/** Takes over a stream's write() (as a pipe to a child's parent: no TTY) until restore(). */
function capture(stream: NodeJS.WriteStream): { text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const write = stream.write;
  const hadTty = Object.hasOwn(stream, 'isTTY');
  const tty = stream.isTTY;
  stream.write = ((chunk: string | Uint8Array, enc?: BufferEncoding | ((e?: Error | null) => void), cb?: (e?: Error | null) => void): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(typeof enc === 'string' ? enc : 'utf8'));
    const done = typeof enc === 'function' ? enc : cb;
    if (done) process.nextTick(done);
    return true;
  }) as typeof stream.write;
  Object.defineProperty(stream, 'isTTY', { value: false, configurable: true, writable: true });
  return {
    text: () => chunks.join(''),
    restore: () => {
      stream.write = write;
      if (hadTty) stream.isTTY = tty;
      else delete (stream as { isTTY?: boolean }).isTTY;
    },
  };
}
