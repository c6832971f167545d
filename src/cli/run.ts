/**
 * Shared plumbing for the commands: turning errors into one line and an exit code, option parsers.
 */
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseDelimiter } from '../common/delimiter.js';
import { isPlainDecimal } from '../common/decimal.js';
import { checkOutputPath, removeCreatedOutputs, removeInterruptedOutputsSync } from '../common/atomic.js';
import { flushStdout, stdoutFailure } from '../common/stdout.js';
import { EXIT, InputError, OutputPathError, isMmprepError, unwritableOutput, type ExitCode, type MmprepError } from '../common/errors.js';
import { settleOptimizingCompiles } from '../common/shutdown.js';
import { parsePickRule, type PickRule } from '../sync/choose.js';

/** README "Exit codes": interrupted (SIGINT/SIGTERM). */
const EXIT_INTERRUPTED = 130;

let verbose = false;
export function setVerbose(v: boolean): void {
  verbose = v;
}
export function isVerbose(): boolean {
  return verbose;
}

/**
 * For a command whose stdout is JSON (`--json`, extract's summary line): the object it prints when it fails before it
 * has a result (bad input, exit 2), so a CI job parsing stdout gets `ok: false`, the stderr line and the exit code.
 */
/** A path field of a JSON object on stdout: absolute, as in the success objects, whether the run succeeded or was refused. */
export function absoluteOrNull(p: string | undefined | null): string | null {
  return p === undefined || p === null ? null : resolve(p);
}

export function printJsonFailure(e: MmprepError, fields: Record<string, unknown>, indent?: number): void {
  process.stdout.write(JSON.stringify({ ok: false, ...fields, error: e.toLine(), exit_code: e.exitCode }, null, indent) + '\n');
}

/** A commander usage error ("error: unknown option '--x'\n(Did you mean --y?)\n") as mmprep's one line with what to do. */
export function usageErrorLine(commanderText: string): string {
  const text = commanderText.trim().replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').replace(/\.$/, '');
  const unknown = /^unknown option '(--[a-z-]+)'$/.exec(text)?.[1];
  const other = unknown === undefined ? undefined : OTHER_COMMANDS_NAME[unknown];
  return `mmprep: ${text}${other ? ` (${other})` : ''}; run with --help for usage\n`;
}

/**
 * Options that `extract` and the single-file commands name apart, where commander's "Did you mean" (a few letters
 * apart) does not reach: `mmprep face --face-fps 1` was "unknown option '--face-fps'" alone (ttrial56).
 */
const OTHER_COMMANDS_NAME: Record<string, string> = {
  '--face-fps': "--face-fps is mmprep extract's; mmprep face's is --fps",
  '--fps': "--fps is mmprep face's; mmprep extract's is --face-fps",
  '--face-workers': "--face-workers is mmprep extract's; mmprep face's is --workers",
  '--workers': "--workers is mmprep face's; mmprep extract's is --face-workers",
};

/** Prints an error as one line on stderr (a stack trace only with --verbose) and returns its exit code. */
export function reportError(e: unknown, commandName?: string): ExitCode {
  if (isMmprepError(e)) {
    const who = e instanceof OutputPathError && commandName ? `mmprep ${commandName}` : 'mmprep';
    process.stderr.write(`${who}: ${e.toLine()}\n`);
    if (e instanceof InputError) for (const a of e.also) process.stderr.write(`${who}: ${a.toLine()}\n`);
    if (verbose && e.stack) process.stderr.write(e.stack + '\n');
    return e.exitCode;
  }
  const err = e as Error;
  process.stderr.write(`mmprep: internal error: ${err?.message ?? String(e)}\n`);
  if (verbose && err?.stack) process.stderr.write(err.stack + '\n');
  else process.stderr.write('mmprep: run again with --verbose for the stack trace\n');
  return EXIT.INTERNAL;
}

/**
 * Wraps a command's action: the action returns its exit code (or nothing for 0); errors become one line and their
 * exit code. The code is kept in process.exitCode; main() returns it.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void> | number | void) {
  return async (...args: A): Promise<void> => {
    const stopOnSignal = interruptHandler(commandNameOf(args));
    process.on('SIGINT', stopOnSignal);
    process.on('SIGTERM', stopOnSignal);
    try {
      const code = await fn(...args);
      // A stdout redirected to a full disk: reported as any output that cannot be written (its write did not throw).
      await flushStdout();
      const lost = stdoutFailure();
      if (lost) throw lost;
      process.exitCode = code ?? EXIT.OK;
    } catch (e) {
      const unwritable = stdoutFailure() ?? asUnwritableOutput(e);
      // An output that cannot be written: the outputs already written by this command are removed again.
      if (unwritable) await removeCreatedOutputs();
      process.exitCode = reportError(unwritable ?? e, commandNameOf(args));
    } finally {
      process.off('SIGINT', stopOnSignal);
      process.off('SIGTERM', stopOnSignal);
    }
  };
}

/**
 * Ctrl-C / SIGTERM of a command without its own handling (extract and dataset build have theirs and are left to
 * them): the files being written and those written so far are removed, one line on stderr, exit 130 (README).
 * Without it Node died by the signal and left `.<name>.<pid>.<n>.tmp` beside `face -o` and the like.
 */
function interruptHandler(command: string | undefined) {
  let interrupted = false;
  return (signal: NodeJS.Signals): void => {
    if (process.listenerCount(signal) > 1) return;
    if (interrupted) {
      // process.exit() waits for a stuck libuv thread: a second signal ends mmprep by the signal itself
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      return;
    }
    interrupted = true;
    removeInterruptedOutputsSync();
    process.stderr.write(`mmprep${command ? ` ${command}` : ''}: interrupted (${signal}): its output files were removed; run it again\n`);
    exitInterrupted(EXIT_INTERRUPTED);
  };
}

/**
 * process.exit() of an interrupted command. process.exit joins V8's background threads, and a TurboFan job waiting
 * there for a garbage collection the main thread no longer runs hangs it (README, "Known problem: a rare hang at
 * exit"): none is left running first.
 */
export function exitInterrupted(code: number): never {
  settleOptimizingCompiles();
  process.exit(code);
}

/** An unwritable output: an OutputPathError, or a failed mkdir (made only for outputs) of a path in the way. */
function asUnwritableOutput(e: unknown): OutputPathError | null {
  if (e instanceof OutputPathError) return e;
  const err = e as NodeJS.ErrnoException | null;
  if (err?.syscall === 'mkdir' && typeof err.path === 'string') return unwritableOutput(err.path, e);
  return null;
}

/** `audio`, `dataset build`: commander passes the Command last to an action. */
function commandNameOf(args: unknown[]): string | undefined {
  const names: string[] = [];
  for (let c = args.at(-1) as Command | null | undefined; c && typeof c.name === 'function' && c.parent; c = c.parent) names.unshift(c.name());
  return names.length ? names.join(' ') : undefined;
}

export function numberOption(name: string, opts: { min?: number; max?: number; integer?: boolean } = {}) {
  return (v: string): number => {
    const n = isPlainDecimal(v.trim()) ? Number(v) : NaN; // not 0x10, 0b1, '' (Number('') is 0)
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number, got '${v}'`);
    if (opts.integer && !Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be a whole number, got '${v}'`);
    if (opts.min !== undefined && n < opts.min) throw new InvalidArgumentError(`${name} must be at least ${opts.min}, got ${v}`);
    if (opts.max !== undefined && n > opts.max) throw new InvalidArgumentError(`${name} must be at most ${opts.max}, got ${v}`);
    return n;
  };
}

/** A choice among fixed values, matched in any case (`--format CSV` is `csv`). */
export function choiceOption<T extends string>(name: string, choices: readonly T[]) {
  return (v: string): T => {
    const hit = choices.find((c) => c.toLowerCase() === v.trim().toLowerCase());
    if (hit === undefined) throw new InvalidArgumentError(`${name} must be one of ${choices.join(', ')}, got '${v}'`);
    return hit;
  };
}

/** --pick (sync, extract): first, strongest or at:T[,T2] (choose.ts parsePickRule). */
export function pickOption(v: string): PickRule {
  const rule = parsePickRule(v);
  if (rule === null) throw new InvalidArgumentError(`--pick must be first, strongest or at:T (T the beep's time in seconds on the reference's clock, e.g. at:10.04; at:T1,T2 for a start and an end beep), got '${v}'`);
  return rule;
}

/**
 * `-o, --output <path>` with `--out` kept as a hidden alias (older scripts). Read the value with outputOf(); a
 * required output is checked there (commander cannot require one of two spellings).
 */
export function outputOption(cmd: Command, description: string, defaultValue?: string): Command {
  cmd.option('-o, --output <path>', description, defaultValue);
  return cmd.addOption(new Option('--out <path>', 'same as --output').hideHelp());
}

export function outputOf(o: { output?: string; out?: string }, required: true): string;
export function outputOf(o: { output?: string; out?: string }, required?: false): string | undefined;
export function outputOf(o: { output?: string; out?: string }, required = false): string | undefined {
  const v = o.out ?? o.output;
  if (required && v === undefined) throw new InputError('-o, --output <dir> is required (where to write)');
  return v;
}

/**
 * The output files a command will write, each checked before its work (src/common/atomic.ts checkOutputPath): a path
 * that cannot be written is refused with the line its write would have given, before any decode. `-o -` (stdout) and
 * options not given are passed as undefined.
 */
export async function refuseUnwritableOutputs(paths: Array<string | undefined>): Promise<void> {
  for (const path of paths) if (path !== undefined) await checkOutputPath(path);
}

/** A records option's file, or undefined for stdout (`-`, or not given). */
export function fileOf(path: string | undefined): string | undefined {
  return path === '-' ? undefined : path;
}

/** `-j, --jobs <n>`: work done in parallel (threads or processes); outputs never depend on it. */
export function jobsOption(cmd: Command, description: string, defaultValue?: number): Command {
  return cmd.option('-j, --jobs <n>', description, numberOption('--jobs', { min: 1, integer: true }), defaultValue);
}

/** `--delimiter <char>` of every command that reads CSV: one character or comma / semicolon / tab. */
export function delimiterOption(cmd: Command, what = 'CSV input'): Command {
  return cmd.option('--delimiter <char>', `field delimiter of the ${what}: one character or comma, semicolon, tab (default: sniffed from the header among , ; tab)`, (v: string) => {
    try {
      return parseDelimiter(v);
    } catch (e) {
      throw new InvalidArgumentError((e as Error).message);
    }
  });
}

/** Options every command shares. */
export function commonOptions(cmd: Command): Command {
  return cmd.option('--verbose', 'print stack traces and extra diagnostics', false);
}

/** `--allow-columns a,b` (repeatable): manifest columns kept as metadata although they look like misspelt roles. */
export function columnList(v: string, prev: string[] = []): string[] {
  return [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];
}

/** `--na 99,-1`: the cell values that mean a missing rating (trimmed, empty entries dropped); undefined when not given. */
export function naList(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const list = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (list.length === 0) throw new InputError('--na: no value given (write the codes that mean a missing rating, e.g. --na 99,-1)');
  return list;
}

/** --scale LOW,HIGH: the numeric rating scale's two ends, lowest first. */
export function parseScale(v: string): [number, number] {
  const parts = v.split(',').map((x) => x.trim());
  const [lo, hi] = parts.map((x) => (isPlainDecimal(x) ? Number(x) : NaN)); // not 0x10, nor '' (Number('') is 0)
  if (parts.length !== 2 || !Number.isFinite(lo) || !Number.isFinite(hi) || lo >= hi) {
    throw new InvalidArgumentError(`--scale takes the scale's two ends, lowest first (e.g. --scale 1,7), got '${v}'`);
  }
  return [lo, hi];
}
