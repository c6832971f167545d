/**
 * Temporary files for the per-frame stores of long recordings (docs/audio.md "Streaming and memory"): the bulky
 * per-frame values (log-mel bands, pitch candidates, Viterbi backpointers, MFCC and deltas) go to a file in
 * os.tmpdir() past a number of frames, so `mmprep audio` keeps memory flat in the recording's length. The file is
 * unlinked as soon as it is opened (POSIX): only the open descriptor holds it, so nothing is left behind on success,
 * on an error, on SIGINT or on a crash. Reads and writes are positioned (pread / pwrite), so threads of one process
 * can share a descriptor.
 */
import { closeSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { InputError, unwritableOutput } from '../common/errors.js';
import { FrameStore } from './sample-buffer.js';

let counter = 0;

/** Paths that could not be unlinked at once (not POSIX): removed at close, or at exit. */
const pending = new Set<string>();
let exitHook = false;
function removePendingSync(): void {
  for (const p of pending) rmSync(p, { force: true });
  pending.clear();
}

export class SpillFile {
  private closed = false;

  private constructor(
    readonly fd: number,
    private readonly path: string | null,
    private readonly owned: boolean,
    /** The folder named when a write fails (os.tmpdir() is read once: it costs 18 system calls a call). */
    private readonly dir: string,
  ) {}

  /** A new, empty, already unlinked file in `dir` (default os.tmpdir(), i.e. $TMPDIR). */
  static create(dir = tmpdir()): SpillFile {
    counter += 1;
    const path = join(dir, `.mmprep-spill-${process.pid}-${threadId}-${counter}.tmp`);
    const fd = spillErrors(dir, () => openSync(path, 'wx+', 0o600));
    try {
      unlinkSync(path);
      return new SpillFile(fd, null, true, dir);
    } catch {
      pending.add(path);
      if (!exitHook) {
        exitHook = true;
        process.once('exit', removePendingSync);
      }
      return new SpillFile(fd, path, true, dir);
    }
  }

  /** Another thread's file by its descriptor (threads share descriptors); close() leaves it open. */
  static borrow(fd: number): SpillFile {
    return new SpillFile(fd, null, false, tmpdir());
  }

  /** Writes all of `v` at byte position `pos`. */
  write(v: ArrayBufferView, pos: number): void {
    const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    let done = 0;
    while (done < bytes.length) done += spillErrors(this.dir, () => writeSync(this.fd, bytes, done, bytes.length - done, pos + done));
  }

  /** Fills all of `v` from byte position `pos` (the bytes must have been written). */
  read(v: ArrayBufferView, pos: number): void {
    const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    let done = 0;
    while (done < bytes.length) {
      const n = readSync(this.fd, bytes, done, bytes.length - done, pos + done);
      if (n === 0) throw new Error(`spill file: read past its end at byte ${pos + done}`);
      done += n;
    }
  }

  close(): void {
    if (this.closed || !this.owned) return;
    this.closed = true;
    closeSync(this.fd);
    if (this.path !== null) {
      rmSync(this.path, { force: true });
      pending.delete(this.path);
    }
  }
}

/**
 * A full or unwritable temp folder becomes one line naming it and what to do, exit 2 (from a worker thread the
 * error's class is lost on the way, not its message).
 */
function spillErrors<T>(dir: string, step: () => T): T {
  try {
    return step();
  } catch (e) {
    const why = unwritableOutput(dir, e);
    if (why === null) throw e;
    throw new InputError(`cannot write the temporary files of a long recording in ${dir}: ${why.message.replace(/^cannot write [^:]*: /, '').replace(/; choose another path$/, '')}; set TMPDIR to a folder with room (or --spill-after to keep them in memory)`, {}, { cause: e });
  }
}

/**
 * The largest of `start` and part's values. A helper of its own: V8 compiled flush()'s loop on-stack before the store
 * after it had run, and that code was thrown away at the loop's exit on each call (7-10 deopts per 10 minutes).
 */
function maxOf(part: Float32Array, start: number): number {
  let mx = start;
  for (let i = 0; i < part.length; i++) if (part[i] > mx) mx = part[i];
  return mx;
}

/** Frames a spilling store holds in memory between two writes (its block). */
export const SPILL_BLOCK_FRAMES = 4096;

/**
 * A FrameStore that keeps its frames in memory up to `after` frames, then writes them to a SpillFile and from there
 * on holds one block of SPILL_BLOCK_FRAMES frames (written out each time it is full) (offsets from push() are into that block: `data` then starts at
 * frame `base`). `max` tracks the largest value written to the file (librosa's top_db clip needs the log-mel maximum).
 */
export class SpillStore extends FrameStore {
  /** Frame number of data[0]. */
  base = 0;
  file: SpillFile | null = null;
  /** Largest value written to the file (NaN-free values: the same as a max over them all, in any order). */
  max = -Infinity;

  constructor(width: number, readonly after: number, initialFrames = 16) {
    super(width, initialFrames);
  }

  /** Room for `frames` frames, up to the spill threshold (past it the store holds one block). */
  override reserve(frames: number): void {
    super.reserve(Math.min(frames, Math.max(this.after, SPILL_BLOCK_FRAMES)));
  }

  override push(): number {
    const full = (this.length - this.base + 1) * this.width > this.data.length;
    if (this.file === null ? this.length >= this.after : full) this.flush();
    else if (full) return super.push(); // in memory (base 0), growing as a FrameStore
    return (this.length++ - this.base) * this.width;
  }

  /** Writes the frames held to the file; from then on the store holds one block. */
  private flush(): void {
    const local = this.length - this.base;
    this.file ??= SpillFile.create();
    const part = this.data.subarray(0, local * this.width);
    this.max = maxOf(part, this.max);
    this.file.write(part, this.base * this.width * 4);
    this.base = this.length;
    if (this.data.length !== SPILL_BLOCK_FRAMES * this.width) this.data = new Float32Array(SPILL_BLOCK_FRAMES * this.width);
  }

  /** After the last push of a spilled store: the frames still held go to the file too (read() then reads them all). */
  seal(): void {
    if (this.file !== null && this.length > this.base) this.flush();
  }

  /** Frames [a, b) into dst (frame-major, width values each); the store must be sealed, or not spilled. */
  read(a: number, b: number, dst: Float32Array): void {
    const w = this.width;
    if (this.file === null) dst.set(this.data.subarray(a * w, b * w));
    else this.file.read(dst.subarray(0, (b - a) * w), a * w * 4);
  }

  close(): void {
    this.file?.close();
  }
}
