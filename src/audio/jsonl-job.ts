/**
 * One JSONL formatting job of a helper thread (jsonl-worker.ts, or the pitch worker once its track is sent: one
 * thread start-up fewer): frames [from, to) of `view` formatted, the reply posted on `port`. Protocol: a {view, from,
 * to} job -> one {bytes, length} reply (the buffer transferred). With `columns` (a long recording's MFCC and deltas in
 * a temp file, feature-columns.ts) and `partFd`, the bytes go to that file instead, block by block, and the reply is
 * {written} (their count): memory stays bounded. With `output` that file is the output's own temp file, written
 * without a copy: the helper's bytes come after the main thread's, whose count it learns through `after` (AfterMain).
 */
import { mark } from '../common/timeline.js';
import { writeSync } from 'node:fs';
import type { MessagePort } from 'node:worker_threads';
import { FeatureColumns, type ColumnsRef } from './feature-columns.js';
import { jsonlBlock, type FrameView } from './jsonl.js';
import { spilledJsonlBlocks } from './jsonl-spilled.js';
import { SpillFile } from './spill.js';

/** A job as JsonlHelper sends it. */
export interface JsonlJob {
  view: FrameView;
  from: number;
  to: number;
  columns?: ColumnsRef;
  partFd?: number;
  block?: number;
  output?: boolean;
  /** With `output`: one BigInt64 the main thread sets to its bytes' count (-1 before, ABORTED on its failure). */
  after?: SharedArrayBuffer;
}

/** The value of JsonlJob.after when the main thread failed before its bytes were written. */
export const ABORTED = -2n;
/** What the helper holds in memory, at most, before the main thread's count is known (then it waits for it). */
const HOLD_BYTES = 1 << 25;

/**
 * The helper's bytes written after the main thread's, which it formats at the same time: blocks formatted before their
 * count is published are held (copies, at most `holdBytes`; past that the helper waits for the count), then written.
 */
export class AfterMain {
  private readonly count: BigInt64Array;
  private base = -1;
  private held: Buffer[] = [];
  private heldBytes = 0;

  constructor(after: SharedArrayBuffer, private readonly fd: number, private readonly holdBytes = HOLD_BYTES) {
    this.count = new BigInt64Array(after);
  }

  /** Writes `b`, the helper's bytes from its byte `at` (blocks in order), or holds a copy of it. */
  write(b: Uint8Array, at: number): void {
    if (this.base < 0) this.base = this.mainCount(this.heldBytes + b.length > this.holdBytes);
    if (this.base < 0) {
      this.held.push(Buffer.from(b));
      this.heldBytes += b.length;
      return;
    }
    if (this.held.length > 0) this.flush();
    writeAllAt(this.fd, b, this.base + at);
  }

  /** After the last block: waits for the count if need be and writes what is held. */
  end(): void {
    if (this.base < 0) this.base = this.mainCount(true);
    this.flush();
  }

  private flush(): void {
    let at = this.base;
    for (const h of this.held) {
      writeAllAt(this.fd, h, at);
      at += h.length;
    }
    this.held = [];
  }

  /** The main thread's count, or -1 when not yet published and not `wait`. Waits in 100 ms steps (a terminate() then ends this thread). */
  private mainCount(wait: boolean): number {
    for (;;) {
      const v = Atomics.load(this.count, 0);
      if (v === ABORTED) throw new Error('the main thread stopped before writing its records');
      if (v >= 0n || !wait) return Number(v);
      Atomics.wait(this.count, 0, v, 100);
    }
  }
}

/** Writes all of b at byte `pos` of fd; an OS error is thrown as it is (its code survives the trip to the main thread). */
function writeAllAt(fd: number, b: Uint8Array, pos: number): void {
  let done = 0;
  while (done < b.length) done += writeSync(fd, b, done, b.length - done, pos + done);
}

/** Runs the job and posts its reply. */
export function runJsonlJob(port: MessagePort, m: JsonlJob): void {
  if (m.columns && m.partFd !== undefined) {
    // `output`: the fd is the output's temp file (the main thread names it in an error), else a spill file of ours.
    const fd = m.partFd;
    const part = m.output ? null : SpillFile.borrow(fd);
    const after = m.output && m.after ? new AfterMain(m.after, fd) : null;
    let written = 0;
    for (const b of spilledJsonlBlocks(m.view, FeatureColumns.borrow(m.columns), m.from, m.to, m.block ?? 96)) {
      if (part) part.write(b, written);
      else if (after) after.write(b, written);
      else writeAllAt(fd, b, written);
      written += b.length;
    }
    after?.end();
    // Before the reply: the main thread ends this thread when the reply comes, so a mark after it was often lost.
    mark('records job done');
    port.postMessage({ written });
    return;
  }
  const b = jsonlBlock(m.view, m.from, m.to);
  const ab = b.buffer as ArrayBuffer;
  port.postMessage({ bytes: ab, offset: b.byteOffset, length: b.length }, [ab]);
}
