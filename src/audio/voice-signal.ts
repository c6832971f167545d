/**
 * The signal the voice measures read (docs/audio.md "Streaming and memory"): in memory for a short recording, or, past
 * a number of samples, in a temp file (spill.ts: unlinked at once, nothing left behind) read through a window of
 * samples that moves to wherever an analysis asks (random access: the pulses walk left and right from the middle of
 * each voiced stretch), so memory does not grow with the recording. The statistics Praat takes over the whole sound
 * (the sum in sample order, as one running double; min and max) are kept while the samples arrive.
 */
import { SpillFile } from './spill.js';

/** Samples the file-backed window holds at least (512 kB). */
const WINDOW = 1 << 17;

export class VoiceSignal {
  /** Window: data[i] is sample base + i (0-based); the whole signal when in memory. */
  data: Float32Array;
  base = 0;
  private len: number;

  constructor(
    readonly n: number,
    /** Sum of the samples in order (one running double, as Praat's loops and SampleBuffer.stats over one chunk). */
    readonly sum: number,
    readonly min: number,
    readonly max: number,
    whole: Float32Array | null,
    private readonly file: SpillFile | null,
  ) {
    this.data = whole ?? new Float32Array(Math.min(WINDOW, Math.max(1, n)));
    this.len = whole ? n : 0;
  }

  /**
   * Makes samples [lo, hi) (0-based, clipped to the signal) readable as data[i - base]. Moving left, the window is
   * placed to end at hi; moving right, to start at lo, so a walk in either direction reads each sample about once.
   */
  ensure(lo: number, hi: number): void {
    if (lo < 0) lo = 0;
    if (hi > this.n) hi = this.n;
    if (hi <= lo || (lo >= this.base && hi <= this.base + this.len) || !this.file) return;
    if (hi - lo > this.data.length) {
      let cap = this.data.length;
      while (cap < hi - lo) cap *= 2;
      this.data = new Float32Array(cap);
    }
    const cap = this.data.length;
    let start = lo < this.base ? hi - cap : lo;
    if (start < 0) start = 0;
    if (start > lo) start = lo;
    const m = Math.min(cap, this.n - start);
    this.file.read(this.data.subarray(0, m), start * 4);
    this.base = start;
    this.len = m;
  }

  /** Samples [start, start + dst.length) into dst (inside the signal). */
  read(dst: Float32Array, start: number): void {
    if (!this.file) dst.set(this.data.subarray(start, start + dst.length));
    else if (dst.length > 0) this.file.read(dst, start * 4);
  }

  /** The whole signal as one array (only for the short signals of Praat's whole-signal resampling filter). */
  whole(): Float32Array {
    if (!this.file) return this.data.subarray(0, this.n);
    const x = new Float32Array(this.n);
    this.read(x, 0);
    return x;
  }

  close(): void {
    this.file?.close();
  }
}

/** Collects the decoded chunks: in memory up to `after` samples, then in a temp file. */
export class VoiceRecorder {
  private mem: Float32Array | null = new Float32Array(1 << 16);
  private file: SpillFile | null = null;
  private n = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;

  /** @param after samples kept in memory before the signal goes to a temp file (Infinity: never). */
  constructor(private readonly after = Infinity) {}

  push(c: Float32Array): void {
    let s = this.sum;
    let mn = this.min;
    let mx = this.max;
    for (let i = 0; i < c.length; i++) {
      const v = c[i];
      s += v;
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    this.sum = s;
    this.min = mn;
    this.max = mx;
    if (this.mem && this.n + c.length > this.after) this.toFile();
    if (this.file) this.file.write(c, this.n * 4);
    else this.keep(c);
    this.n += c.length;
  }

  private keep(c: Float32Array): void {
    const mem = this.mem as Float32Array;
    if (this.n + c.length > mem.length) {
      let cap = mem.length;
      while (this.n + c.length > cap) cap *= 2;
      const next = new Float32Array(cap);
      next.set(mem.subarray(0, this.n));
      this.mem = next;
    }
    (this.mem as Float32Array).set(c, this.n);
  }

  private toFile(): void {
    this.file = SpillFile.create();
    this.file.write((this.mem as Float32Array).subarray(0, this.n), 0);
    this.mem = null;
  }

  /** The signal (the recorder is done; close the signal after use when it is in a file). */
  finish(): VoiceSignal {
    return new VoiceSignal(this.n, this.sum, this.min, this.max, this.mem ? this.mem.subarray(0, this.n) : null, this.file);
  }

  /** Closes the temp file of a recorder that will not finish (an error). */
  close(): void {
    this.file?.close();
  }
}

/** A VoiceSignal of an array in memory (tests and library callers of analyzeVoice). */
export function signalOf(x: Float32Array): VoiceSignal {
  let s = 0;
  let mn = Infinity;
  let mx = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    s += v;
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  return new VoiceSignal(x.length, s, mn, mx, x, null);
}
