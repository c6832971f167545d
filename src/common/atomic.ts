/**
 * Atomic output: everything is written to a temp file beside the target and renamed into place only when complete,
 * so a crash or an error never leaves a partial file under the final name.
 */
import { createWriteStream, existsSync, rmSync, type WriteStream } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';
import { unwritableOutput } from './errors.js';
import { makeFolder } from './make-folder.js';

/** Files this process created (renamed into place where nothing was): removed again when an output cannot be written. */
const created: string[] = [];

/** Removes the files this process created so far (an unwritable output: nothing partial is left behind). */
export async function removeCreatedOutputs(): Promise<void> {
  for (const f of created.splice(0)) await rm(f, { force: true });
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

let counter = 0;
export function tempPathFor(target: string): string {
  counter += 1;
  return join(dirname(target), `.${basename(target)}.${process.pid}.${counter}.tmp`);
}

export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
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
 * A write stream to a temp file. `commit()` flushes and renames onto the target; `abort()` deletes the temp file.
 * Backpressure: `write()` resolves when the stream can take more.
 */
export class AtomicWriter {
  readonly target: string;
  readonly tmp: string;
  private stream: WriteStream | null = null;
  private done = false;

  constructor(target: string) {
    this.target = target;
    this.tmp = tempPathFor(target);
  }

  async open(): Promise<this> {
    await onPath(this.target, () => makeFolder(dirname(this.target)));
    this.stream = createWriteStream(this.tmp);
    liveTemps.add(this.tmp);
    const s = this.stream;
    await onPath(this.target, () => once(s, 'open'));
    return this;
  }

  async write(chunk: string | Uint8Array): Promise<void> {
    const s = this.stream;
    if (!s) throw new Error('AtomicWriter: not open');
    if (!s.write(chunk)) await once(s, 'drain');
  }

  async commit(): Promise<void> {
    if (this.done) return;
    this.done = true;
    const s = this.stream;
    if (s) {
      s.end();
      await onPath(this.target, () => once(s, 'finish'));
      await new Promise<void>((res, rej) => s.close((err) => (err ? rej(err) : res())));
    }
    await renameInto(this.tmp, this.target);
    liveTemps.delete(this.tmp);
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    const s = this.stream;
    if (s) {
      s.destroy();
      await once(s, 'close').catch(() => undefined);
    }
    await rm(this.tmp, { force: true });
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
