/**
 * One JSONL formatting job of a helper thread (jsonl-worker.ts, or the pitch worker once its track is sent: one
 * thread start-up fewer): frames [from, to) of `view` formatted, the reply posted on `port`. Protocol: a {view, from,
 * to} job -> one {bytes, length} reply (the buffer transferred). With `columns` (a long recording's MFCC and deltas in
 * a temp file, feature-columns.ts) and `partFd`, the bytes go to that file instead, block by block, and the reply is
 * {written} (their count): memory stays bounded. With `output` that file is the output's own temp file (the helper's
 * frames come first in it), written without a copy.
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
    let written = 0;
    for (const b of spilledJsonlBlocks(m.view, FeatureColumns.borrow(m.columns), m.from, m.to, m.block ?? 96)) {
      if (part) part.write(b, written);
      else writeAllAt(fd, b, written);
      written += b.length;
    }
    // Before the reply: the main thread ends this thread when the reply comes, so a mark after it was often lost.
    mark('records job done');
    port.postMessage({ written });
    return;
  }
  const b = jsonlBlock(m.view, m.from, m.to);
  const ab = b.buffer as ArrayBuffer;
  port.postMessage({ bytes: ab, offset: b.byteOffset, length: b.length }, [ab]);
}
