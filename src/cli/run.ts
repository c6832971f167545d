/**
 * Shared plumbing for the commands: turning errors into one line and an exit code, option parsers.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { EXIT, isMmprepError, type ExitCode } from '../common/errors.js';

let verbose = false;
export function setVerbose(v: boolean): void {
  verbose = v;
}
export function isVerbose(): boolean {
  return verbose;
}

/** Prints an error as one line on stderr (a stack trace only with --verbose) and returns its exit code. */
export function reportError(e: unknown): ExitCode {
  if (isMmprepError(e)) {
    process.stderr.write(`mmprep: ${e.toLine()}\n`);
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
    try {
      const code = await fn(...args);
      process.exitCode = code ?? EXIT.OK;
    } catch (e) {
      process.exitCode = reportError(e);
    }
  };
}

export function numberOption(name: string, opts: { min?: number; max?: number; integer?: boolean } = {}) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number, got '${v}'`);
    if (opts.integer && !Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be a whole number, got '${v}'`);
    if (opts.min !== undefined && n < opts.min) throw new InvalidArgumentError(`${name} must be at least ${opts.min}, got ${v}`);
    if (opts.max !== undefined && n > opts.max) throw new InvalidArgumentError(`${name} must be at most ${opts.max}, got ${v}`);
    return n;
  };
}

export function choiceOption<T extends string>(name: string, choices: readonly T[]) {
  return (v: string): T => {
    if (!(choices as readonly string[]).includes(v)) throw new InvalidArgumentError(`${name} must be one of ${choices.join(', ')}, got '${v}'`);
    return v as T;
  };
}

/** Options every command shares. */
export function commonOptions(cmd: Command): Command {
  return cmd.option('--verbose', 'print stack traces and extra diagnostics', false);
}
