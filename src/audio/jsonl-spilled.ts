/**
 * JSONL blocks of frames whose MFCC and deltas are in a temp file (feature-columns.ts): frames are read a spill
 * block at a time and formatted by jsonlBlock in blocks of `block` frames (the same bytes as from memory).
 */
import { chunkScratch, chunkView, type FeatureColumns } from './feature-columns.js';
import { ByteSink } from './jsonl-bytes.js';
import { jsonlBlock, type FrameView } from './jsonl.js';
import { SPILL_BLOCK_FRAMES } from './spill.js';

/**
 * The JSONL bytes of frames [from, to), block by block; `base` holds the per-frame arrays from frame base.first. Every
 * buffer is reused: each block is a view valid until the next is asked for (the caller writes it synchronously, or
 * copies it), so formatting an hour makes no garbage for the collector to catch up with.
 */
export function* spilledJsonlBlocks(base: FrameView, cols: FeatureColumns, from: number, to: number, block: number, clock?: (t: number) => number, t0 = 0): Generator<Buffer> {
  const scratch = chunkScratch(base.options.nMfcc, base.voice !== undefined);
  const sink = new ByteSink(Math.max(1024, block * 720));
  for (let a = from; a < to; a += SPILL_BLOCK_FRAMES) {
    const b = Math.min(to, a + SPILL_BLOCK_FRAMES);
    const v = chunkView(base, cols, a, b, scratch);
    for (let i = a; i < b; i += block) yield jsonlBlock(v, i, Math.min(b, i + block), clock, t0, sink);
  }
}
