/**
 * Atomic output: everything is written to a temp file beside the target and renamed into place only when complete,
 * so a crash or an error never leaves a partial file under the final name.
 */
import { createWriteStream, existsSync, rmSync, statSync, writeSync, type WriteStream } from 'node:fs';
import { lstat, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import { unwritableOutput } from './errors.js';
import { makeFolder } from './make-folder.js';

/** Files this process created (renamed into place where nothing was): removed again when an output cannot be written. */
const created: string[] = [];

/** Removes the files this process created so far (an unwritable output: nothing partial is left behind). */
export async function removeCreatedOutputs(): Promise<void> {
  for (const f of created.splice(0)) await rm(f, { force: true });
}

/** A new command run (main() again in the same process: the tests' in-process runs): the files created so far are not its own. */
export function forgetCreatedOutputs(): void {
  created.length = 0;
}

/** Temp files being written in this thread now: an interrupt removes them (removeInterruptedOutputsSync). */
const liveTemps = new Set<string>();

/**
 * For a SIGINT/SIGTERM handler (synchronous): removes the temp files being written and the outputs this process
 * created so far, so an interrupted command leaves nothing partial behind (a replaced older file stays replaced).
 */
export function removeInterruptedOutputsSync(): void {
  for (const f of [...liveTemps, ...created.splice(0)]) rmSync(f, { force: true });
  liveTemps.clear();
}

/** Runs an fs step for `target`; an unwritable path becomes an OutputPathError naming the target. */
async function onPath<T>(target: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    throw unwritableOutput(target, e) ?? e;
  }
}

/** Renames the finished temp file onto the target, remembering a target that did not exist before. */
async function renameInto(tmp: string, target: string): Promise<void> {
  const isNew = !existsSync(target);
  await onPath(target, () => rename(tmp, target));
  if (isNew) created.push(target);
}

/**
 * A target that exists and is neither a regular file nor a folder (/dev/null, /dev/stdout, a FIFO): written in place,
 * never replaced. The temp-and-rename path renamed a regular file over the device node (as root, `-o /dev/null`
 * turned the machine's /dev/null into a file); nothing of such a target is removed on an error or an interrupt.
 */
export function isSpecialTarget(target: string): boolean {
  try {
    const st = statSync(target);
    return !st.isFile() && !st.isDirectory();
  } catch {
    return false;
  }
}

let counter = 0;
export function tempPathFor(target: string): string {
  counter += 1;
  return join(dirname(target), `.${basename(target)}.${process.pid}.${counter}.tmp`);
}

export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  if (isSpecialTarget(target)) return onPath(target, () => writeFile(target, data));
  await onPath(target, () => makeFolder(dirname(target)));
  const tmp = tempPathFor(target);
  liveTemps.add(tmp);
  try {
    await onPath(target, () => writeFile(tmp, data));
    await renameInto(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    liveTemps.delete(tmp);
  }
}

/**
 * Refuses, before any work, an output path the writers here would fail on only once the work is done (`sync -o
 * /proc/x/sync.json` decoded for seconds first): the same steps as writeFileAtomic, the target's folder made, a temp
 * file created beside the target, the target not a folder (the rename's EISDIR; lstat, as rename replaces a link),
 * each undone at once, so nothing is left behind. Throws the OutputPathError the write would have thrown. A device
 * or FIFO target is written in place and not tried (opening a FIFO waits for its reader).
 */
export async function checkOutputPath(target: string): Promise<void> {
  if (isSpecialTarget(target)) return;
  const made = await missingFolders(dirname(target));
  try {
    await onPath(target, () => makeFolder(dirname(target)));
    await createTempBeside(target);
    const st = await lstat(target).catch(() => null);
    if (st?.isDirectory()) throw unwritableOutput(target, Object.assign(new Error('EISDIR'), { code: 'EISDIR' }));
  } finally {
    for (const dir of made) await rmdir(dir).catch(() => undefined);
  }
}

/** Creates the temp file the writers would write `target` through, and removes it again. */
async function createTempBeside(target: string): Promise<void> {
  const tmp = tempPathFor(target);
  liveTemps.add(tmp);
  try {
    await onPath(target, () => writeFile(tmp, ''));
  } finally {
    await rm(tmp, { force: true });
    liveTemps.delete(tmp);
  }
}

/** The folders of `path` and its parents that do not exist yet, deepest first (what makeFolder would create). */
async function missingFolders(path: string): Promise<string[]> {
  const missing: string[] = [];
  for (let dir = resolve(path); !(await lstat(dir).then(() => true, () => false)); dir = dirname(dir)) {
    missing.push(dir);
    if (dirname(dir) === dir) break;
  }
  return missing;
}

/**
 * A write stream to a temp file. `commit()` flushes and renames onto the target; `abort()` deletes the temp file.
 * Backpressure: `write()` resolves when the stream can take more.
 */
export class AtomicWriter {
  readonly target: string;
  readonly tmp: string;
  private stream: WriteStream | null = null;
  private done = false;
  /** The target is a device or FIFO (isSpecialTarget): written in place, no temp file, no rename. */
  private readonly direct: boolean;
  /**
   * The stream's first error (a full disk: ENOSPC, EFBIG). Kept by a listener from open on: an error emitted while
   * no write or commit waited on the stream destroyed it, and commit then waited for a 'finish' that never came
   * (the command exited 0 with no output and its temp file left behind).
   */
  private failure: unknown = null;

  constructor(target: string) {
    this.target = target;
    this.direct = isSpecialTarget(target);
    this.tmp = this.direct ? target : tempPathFor(target);
  }

  async open(): Promise<this> {
    if (!this.direct) await onPath(this.target, () => makeFolder(dirname(this.target)));
    this.stream = createWriteStream(this.tmp);
    if (!this.direct) liveTemps.add(this.tmp);
    const s = this.stream;
    s.on('error', (e) => {
      this.failure ??= e;
    });
    await onPath(this.target, () => once(s, 'open'));
    return this;
  }

  /** Throws the stream's error, if it had one, as an unwritable-output error naming the target. */
  private throwIfFailed(): void {
    if (this.failure !== null) throw unwritableOutput(this.target, this.failure) ?? this.failure;
  }

  async write(chunk: string | Uint8Array): Promise<void> {
    const s = this.stream;
    if (!s) throw new Error('AtomicWriter: not open');
    this.throwIfFailed();
    if (!s.write(chunk)) await onPath(this.target, () => once(s, 'drain'));
  }

  /**
   * Writes all of `chunk` now, synchronously, so the caller may reuse its buffer as soon as this returns (long outputs
   * formatted into reused buffers). Not to be mixed with write() calls whose bytes are still queued.
   */
  writeSync(chunk: Uint8Array): void {
    const s = this.stream;
    if (!s) throw new Error('AtomicWriter: not open');
    this.throwIfFailed();
    if (s.writableLength > 0) throw new Error('AtomicWriter.writeSync: stream writes still queued');
    const fd = (s as unknown as { fd: number }).fd;
    let done = 0;
    try {
      while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done);
    } catch (e) {
      throw unwritableOutput(this.target, e) ?? e;
    }
  }

  /**
   * The temp file's descriptor for positional writes (writeAtSync, or another thread's pwrite), or null for a device
   * or FIFO target (written in place, in order) and before open.
   */
  positionalFd(): number | null {
    const fd = (this.stream as unknown as { fd?: number } | null)?.fd;
    return this.direct || typeof fd !== 'number' ? null : fd;
  }

  /** Writes all of `chunk` at byte `position` of the temp file (positionalFd must not be null); not mixed with write(). */
  writeAtSync(chunk: Uint8Array, position: number): void {
    const fd = this.positionalFd();
    if (fd === null) throw new Error('AtomicWriter.writeAtSync: no positional descriptor');
    this.throwIfFailed();
    let done = 0;
    try {
      while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done, position + done);
    } catch (e) {
      throw unwritableOutput(this.target, e) ?? e;
    }
  }

  /** Flushes and renames onto the target; on an error the temp file is removed (the caller's abort is then a no-op). */
  async commit(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      const s = this.stream;
      if (s) {
        this.throwIfFailed();
        s.end();
        await onPath(this.target, () => once(s, 'finish'));
        await new Promise<void>((res, rej) => s.close((err) => (err ? rej(err) : res())));
      }
      if (!this.direct) await renameInto(this.tmp, this.target);
    } catch (e) {
      await this.discard();
      throw e;
    }
    liveTemps.delete(this.tmp);
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.discard();
  }

  /** Closes the stream (one an error already closed is not waited for) and removes the temp file. */
  private async discard(): Promise<void> {
    const s = this.stream;
    if (s && !s.closed) {
      s.destroy();
      await once(s, 'close').catch(() => undefined);
    }
    if (!this.direct) await rm(this.tmp, { force: true });
    liveTemps.delete(this.tmp);
  }
}

/** Runs `fn` with an open AtomicWriter; commits on success, aborts on any error. */
export async function withAtomicWriter<T>(target: string, fn: (w: AtomicWriter) => Promise<T>): Promise<T> {
  const w = await new AtomicWriter(target).open();
  try {
    const r = await fn(w);
    await w.commit();
    return r;
  } catch (e) {
    await w.abort();
    throw e;
  }
}
