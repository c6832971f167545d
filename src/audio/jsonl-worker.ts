/**
 * Worker thread formatting a range of frame records (jsonl.ts) while the main thread formats the rest and computes
 * the summary: JSON writing is the largest step left after the analysis, and one core would otherwise idle.
 * Protocol: one {view, from, to} message -> one {bytes, length} reply (the buffer transferred). With `columns` (a long
 * recording's MFCC and deltas in a temp file, feature-columns.ts) and `partFd`, the bytes go to that temp file
 * instead, block by block, and the reply is {written} (their count): memory stays bounded.
 */
import { parentPort } from 'node:worker_threads';
import { FeatureColumns, type ColumnsRef } from './feature-columns.js';
import { jsonlBlock, type FrameView } from './jsonl.js';
import { spilledJsonlBlocks } from './jsonl-spilled.js';
import { SpillFile } from './spill.js';

const port = parentPort!;
port.once('message', (m: { view: FrameView; from: number; to: number; columns?: ColumnsRef; partFd?: number; block?: number }) => {
  if (m.columns && m.partFd !== undefined) {
    const part = SpillFile.borrow(m.partFd);
    let written = 0;
    for (const b of spilledJsonlBlocks(m.view, FeatureColumns.borrow(m.columns), m.from, m.to, m.block ?? 96)) {
      part.write(b, written);
      written += b.length;
    }
    port.postMessage({ written });
    return;
  }
  const b = jsonlBlock(m.view, m.from, m.to);
  const ab = b.buffer as ArrayBuffer;
  port.postMessage({ bytes: ab, offset: b.byteOffset, length: b.length }, [ab]);
});
