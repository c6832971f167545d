/**
 * Worker thread formatting a range of frame records (jsonl.ts) while the main thread formats the rest and computes
 * the summary: JSON writing is the largest step left after the analysis, and one core would otherwise idle.
 * Protocol: one {view, from, to} message -> one {bytes, length} reply (the buffer transferred).
 */
import { parentPort } from 'node:worker_threads';
import { jsonlBlock, type FrameView } from './jsonl.js';

const port = parentPort!;
port.once('message', (m: { view: FrameView; from: number; to: number }) => {
  const b = jsonlBlock(m.view, m.from, m.to);
  const ab = b.buffer as ArrayBuffer;
  port.postMessage({ bytes: ab, offset: b.byteOffset, length: b.length }, [ab]);
});
