/**
 * Bytes produced in order and written out later at a place known only then: the main thread's share of a long
 * recording's JSONL records (extract.ts helperFirst), written after the helper's share once its byte count is in.
 */
import { SpillFile } from './spill.js';

/** Memory is taken in chunks of this size (and the temp file's bytes copied through one). */
const CHUNK_BYTES = 1 << 20;

/**
 * Up to this many bytes of the main thread's records are held in memory (10 minutes of speech: ~11 MB), the rest in
 * a temp file: the temp file's write, read and second write of the held bytes were ~40 ms of the command's tail on
 * the 10-minute bench file, against a few ms for writes from memory.
 */
export const HELD_IN_MEMORY_BYTES = 64 * 2 ** 20;

/** Bytes added in order and written out later: the first `inMemory` of them in memory, the others in a temp file. */
export class HeldBytes {
  private readonly chunks: Buffer[] = [];
  /** Bytes used in the last chunk, all bytes in memory, and those in the temp file. */
  private used = 0;
  private held = 0;
  private file: SpillFile | null = null;
  private spilled = 0;

  constructor(private readonly inMemory = HELD_IN_MEMORY_BYTES) {}

  /** Copies b (a reused buffer may be given). */
  add(b: Uint8Array): void {
    let from = 0;
    while (from < b.length && this.held < this.inMemory) {
      let last = this.chunks.length > 0 ? this.chunks[this.chunks.length - 1] : null;
      if (last === null || this.used === last.length) {
        last = Buffer.allocUnsafe(CHUNK_BYTES);
        this.chunks.push(last);
        this.used = 0;
      }
      const k = Math.min(b.length - from, last.length - this.used, this.inMemory - this.held);
      last.set(b.subarray(from, from + k), this.used);
      this.used += k;
      this.held += k;
      from += k;
    }
    if (from === b.length) return;
    this.file ??= SpillFile.create();
    this.file.write(b.subarray(from), this.spilled);
    this.spilled += b.length - from;
  }

  /** Puts every byte in order (b: those from byte `at`). */
  async writeOut(put: (b: Uint8Array, at: number) => Promise<void> | void): Promise<void> {
    let at = 0;
    for (const c of this.chunks) {
      const b = c.subarray(0, Math.min(c.length, this.held - at));
      await put(b, at);
      at += b.length;
    }
    if (!this.file) return;
    const buf = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, this.spilled));
    for (let from = 0; from < this.spilled; from += CHUNK_BYTES) {
      const b = buf.subarray(0, Math.min(CHUNK_BYTES, this.spilled - from));
      this.file.read(b, from);
      await put(b, this.held + from);
    }
  }

  close(): void {
    this.file?.close();
  }
}
