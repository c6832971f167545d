/**
 * The audio decoder's chunking (src/media/decode-audio.ts Chunker): whatever sizes ffmpeg's pipe reads have, the
 * samples come out in order in chunks of exactly `size` samples (the last shorter); a read that is one whole chunk at
 * a chunk boundary is passed on without a copy, any other read is copied, and a float split across reads is joined.
 */
import { describe, expect, it } from 'vitest';
import { Chunker } from '../src/media/decode-audio.js';

/** A read as the pipe delivers it: its own ArrayBuffer holding exactly these bytes. */
function read(bytes: Uint8Array): Buffer {
  const ab = new ArrayBuffer(bytes.length);
  new Uint8Array(ab).set(bytes);
  return Buffer.from(ab);
}

describe('Chunker', () => {
  const size = 8;
  const n = 61;
  const samples = Float32Array.from({ length: n }, (_, i) => i + 0.25);
  const bytes = new Uint8Array(samples.buffer);

  it('gives the samples in order in chunks of `size`, whole-chunk reads at a boundary without a copy', () => {
    // Reads of 32 bytes (one chunk, at sample 0), 13 (splits a float), 32 (one chunk's worth, but 3 samples and a
    // byte into a chunk), 19, 32 (at a boundary again: samples 24-32), then the rest.
    const cuts = [0, 32, 45, 77, 96, 128, bytes.length];
    const reads = cuts.slice(1).map((b, i) => read(bytes.subarray(cuts[i], b)));
    const c = new Chunker(size);
    const out: Float32Array[] = [];
    const viewOf: boolean[] = [];
    for (const r of reads) {
      for (const chunk of c.take(r)) {
        out.push(chunk);
        viewOf.push(chunk.buffer === r.buffer);
      }
    }
    const last = c.rest();
    if (last) out.push(last);
    expect(out.map((x) => x.length)).toEqual([8, 8, 8, 8, 8, 8, 8, 5]);
    expect(Float32Array.from(out.flatMap((x) => [...x]))).toEqual(samples);
    // The first read and the fifth are passed on; the third, as long as a chunk but not at a boundary, is copied.
    expect(viewOf).toEqual([true, false, false, true, false, false, false]);
    for (const x of out.slice(0, -1)) expect(x.byteOffset === 0 && x.byteLength === x.buffer.byteLength).toBe(true);
  });

  it('copies a whole-chunk read that is a view into a larger buffer', () => {
    const big = new ArrayBuffer(64);
    new Uint8Array(big).set(bytes.subarray(0, 64));
    const r = Buffer.from(big, 32, 32);
    const c = new Chunker(size);
    const [chunk] = [...c.take(r)];
    expect(chunk.buffer).not.toBe(big);
    expect([...chunk]).toEqual([...samples.subarray(8, 16)]);
  });
});
