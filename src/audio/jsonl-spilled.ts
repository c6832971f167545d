/**
 * JSONL blocks of frames whose MFCC and deltas are in a temp file (feature-columns.ts): frames are read a spill
 * block at a time and formatted by jsonlBlock in blocks of `block` frames (the same bytes as from memory).
 */
import { chunkScratch, chunkView, type FeatureColumns } from './feature-columns.js';
import { ByteSink } from './jsonl-bytes.js';
import { kernelFormats, RecordsKernel } from './jsonl-wasm.js';
import { jsonlBlock, type FrameView } from './jsonl.js';
import { SPILL_BLOCK_FRAMES } from './spill.js';

/**
 * The JSONL bytes of frames [from, to), block by block; `base` holds the per-frame arrays from frame base.first. Every
 * buffer is reused: each block is a view valid until the next is asked for (the caller writes it synchronously, or
 * copies it), so formatting an hour makes no garbage for the collector to catch up with. Records without a clock,
 * voice values or sync beeps are formatted by WebAssembly (jsonl-wasm.ts), the same bytes.
 */
export function* spilledJsonlBlocks(base: FrameView, cols: FeatureColumns, from: number, to: number, block: number, clock?: (t: number) => number, t0 = 0): Generator<Buffer> {
  const k = base.options.nMfcc;
  // Records without a clock, voice values or sync beeps, with deltas: by a WebAssembly kernel (null without
  // WebAssembly SIMD), the coefficient arrays read into its memory.
  const kernel = cols.hasDelta && kernelFormats(base, clock) ? RecordsKernel.create(k, SPILL_BLOCK_FRAMES, block) : null;
  const scratch = chunkScratch(k, base.voice !== undefined, kernel ? (n) => kernel.float64(n) : undefined);
  const sink = new ByteSink(Math.max(1024, block * 720));
  for (let a = from; a < to; a += SPILL_BLOCK_FRAMES) {
    const b = Math.min(to, a + SPILL_BLOCK_FRAMES);
    const v = chunkView(base, cols, a, b, scratch);
    const byKernel = kernel !== null && v.delta !== null && v.delta2 !== null;
    for (let i = a; i < b; i += block) yield byKernel ? kernel.records(v, i, Math.min(b, i + block)) : jsonlBlock(v, i, Math.min(b, i + block), clock, t0, sink);
  }
}
