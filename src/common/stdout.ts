/**
 * A stdout whose reader went away (`mmprep audio x --summary s.json | head`): writing to it fails with EPIPE. mmprep
 * then stops writing to stdout but finishes its other outputs (--summary, --report, --gold, a batch's files) and
 * exits with the command's own code, so `| head` neither loses a side output nor hides a failure (README "Exit
 * codes"). Commands whose only output is stdout may stop early (stdoutClosed()).
 */
import { unwritableOutput, type OutputPathError } from './errors.js';

let closed = false;
/** A write to stdout that failed for lack of room or rights (`mmprep audio x > out.jsonl` on a full disk). */
let failure: OutputPathError | null = null;

/**
 * Why stdout could not be written (null: it could, or its reader only went away): the command then reports it as an
 * output that cannot be written (exit 2, one line) once it has finished, instead of dying with a stack trace.
 */
export function stdoutFailure(): OutputPathError | null {
  return failure;
}

/** Waits until what was written to stdout is out (or failed: a file's write error is emitted a tick later). */
export async function flushStdout(): Promise<void> {
  if (!closed && !process.stdout.destroyed) await new Promise<void>((res) => process.stdout.write('', () => res()));
  await new Promise<void>((res) => setImmediate(res));
}

/** True once a write to stdout failed because its reader closed it. */
export function stdoutClosed(): boolean {
  return closed;
}

let watching = false;

/**
 * Installs the process-wide stdout error handler (from main(); once, should main run again in the same process, as
 * the tests' in-process runs do) and starts the run with a stdout that works.
 */
export function watchStdout(): void {
  closed = false;
  failure = null;
  if (watching) return;
  watching = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || (closed && e.code === 'ERR_STREAM_DESTROYED')) {
      closed = true;
      return;
    }
    const unwritable = unwritableOutput('standard output', e);
    if (unwritable) {
      closed = true;
      failure ??= unwritable;
      return;
    }
    throw e;
  });
  // A closed stderr (`mmprep … 2>&1 | head`) must not turn the command's exit code into 1 either: the lines the
  // reader did not take are dropped.
  process.stderr.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return;
    throw e;
  });
}

/** Writes to stdout unless its reader has gone; resolves when written (or dropped), waiting for drain. */
export function writeStdout(s: string | Uint8Array): Promise<void> {
  return new Promise((res) => {
    if (closed || process.stdout.destroyed) {
      closed = true;
      return res();
    }
    if (process.stdout.write(s)) return res();
    // Remove the other listener when one fires: left behind, 'error' listeners pile up (MaxListenersExceeded).
    const done = () => {
      process.stdout.off('drain', done);
      process.stdout.off('error', done);
      res();
    };
    process.stdout.once('drain', done).once('error', done);
  });
}
