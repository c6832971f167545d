/**
 * A copy of a SampleBuffer's samples in a WebAssembly kernel's memory (real-fft.ts FrameInput.samples), refilled a
 * block at a time, so a frame kernel reads its samples there: one copy per block of frames instead of a JavaScript
 * loop per frame. Samples of the signal never change once received, and a frame is only asked for once its samples
 * have arrived (or the stream has ended: then positions past the end are zero for good), so a staged block stays
 * valid for as long as the buffer is the same.
 */
import type { SampleBuffer } from './sample-buffer.js';

export class SampleStage {
  private buf: SampleBuffer | null = null;
  /** Absolute index of samples[0] and how many are staged. */
  private start = 0;
  private len = 0;

  constructor(private readonly samples: Float32Array) {}

  /** Index into `samples` of absolute sample s0, with s0 .. s0 + n - 1 staged (zeros outside the signal). */
  at(buf: SampleBuffer, s0: number, n: number): number {
    if (buf === this.buf && s0 >= this.start && s0 + n <= this.start + this.len) return s0 - this.start;
    const i = buf.index(s0, n);
    let len = n;
    if (i >= 0) {
      len = Math.min(this.samples.length, buf.end - s0);
      this.samples.set(buf.data.subarray(i, i + len));
    } else {
      buf.copy(this.samples, s0, n);
    }
    this.buf = buf;
    this.start = s0;
    this.len = len;
    return 0;
  }
}
