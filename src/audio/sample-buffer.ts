/**
 * A sliding window over a PCM stream: chunks are appended, analysers read any absolute sample range (zeros outside
 * the signal, like librosa's center=True zero padding) and samples nobody needs any more are dropped, so memory
 * stays bounded by the longest analysis window, never by the recording.
 */
export class SampleBuffer {
  /** The live samples; data[i] is absolute sample base + i (see index()). */
  data = new Float32Array(1 << 16);
  /** Absolute index of data[0]. */
  private base = 0;
  /** Absolute index one past the last sample received. */
  end = 0;
  /** Total samples once the stream has ended (null before). */
  total: number | null = null;
  /** First sample of the signal (for edge padding). */
  first = 0;
  /** Running min / max / sum over the whole signal (Praat's global peak needs them). */
  min = Infinity;
  max = -Infinity;
  sum = 0;

  /** Samples at or beyond +-clipLevel (full scale). */
  clipped = 0;
  clipLevel = 0.999;

  /** @param opts.stats track min / max / sum / clipped samples (default true; pitch and the summary need them). */
  constructor(private readonly opts: { stats?: boolean } = {}) {}

  append(chunk: Float32Array, keepFrom: number): void {
    if (this.end === 0 && chunk.length > 0) this.first = chunk[0];
    if (this.opts.stats !== false) this.stats(chunk);
    this.store(chunk, keepFrom);
  }

  private stats(chunk: Float32Array): void {
    let mn = this.min;
    let mx = this.max;
    let s = 0;
    let clipped = 0;
    const cl = this.clipLevel;
    for (let i = 0; i < chunk.length; i++) {
      const v = chunk[i];
      if (v < mn) mn = v;
      if (v > mx) mx = v;
      if (v >= cl || v <= -cl) clipped++;
      s += v;
    }
    this.min = mn;
    this.max = mx;
    this.sum += s;
    this.clipped += clipped;
  }

  private store(chunk: Float32Array, keepFrom: number): void {
    const drop = Math.max(0, Math.min(keepFrom, this.end) - this.base);
    const live = this.end - this.base - drop;
    if (drop > 0 || live + chunk.length > this.data.length) {
      let cap = this.data.length;
      while (live + chunk.length > cap) cap *= 2;
      if (cap === this.data.length) {
        this.data.copyWithin(0, drop, drop + live);
      } else {
        const next = new Float32Array(cap);
        next.set(this.data.subarray(drop, drop + live), 0);
        this.data = next;
      }
      this.base += drop;
    }
    this.data.set(chunk, this.end - this.base);
    this.end += chunk.length;
  }

  finish(): void {
    this.total = this.end;
  }

  /** The last sample of the signal (valid after finish). */
  get last(): number {
    return this.end > this.base ? this.data[this.end - 1 - this.base] : 0;
  }

  /**
   * Copies samples [start, start+n) into dst[offset..]; positions before 0 or at/after the end of the signal are
   * zero. Throws when asked for samples already dropped (an analyser bug).
   */
  copy(dst: Float64Array | Float32Array, start: number, n: number, offset = 0): void {
    if (Math.max(start, 0) < Math.min(this.base, start + n)) throw new Error(`SampleBuffer: sample ${start} already dropped (base ${this.base})`);
    const d = this.data;
    const b = this.base;
    const e = this.end;
    for (let j = 0; j < n; j++) {
      const a = start + j;
      dst[offset + j] = a >= 0 && a < e ? d[a - b] : 0;
    }
  }

  /** Index into `data` of absolute sample `start` when [start, start+n) lies inside the signal and the buffer, else -1. */
  index(start: number, n: number): number {
    if (start < this.base || start + n > this.end || start < 0) return -1;
    return start - this.base;
  }

  /** Raw view of [start, start+n) when it lies inside the signal and the buffer, else null. */
  view(start: number, n: number): Float32Array | null {
    if (start < this.base || start + n > this.end || start < 0) return null;
    return this.data.subarray(start - this.base, start - this.base + n);
  }

  /** Sample at absolute index a with edge padding (first / last sample outside the signal). */
  edge(a: number): number {
    if (a < 0) return this.first;
    if (a >= this.end) return this.last;
    return this.data[a - this.base];
  }
}

/** The most FrameStore.reserve allocates ahead (256 MB: an hour of 128 log-mel bands at 100 frames/s is 184 MB). */
const RESERVE_MAX_BYTES = 256 * 2 ** 20;

/** A growable array of per-frame values (memory grows by the frame values only). */
export class FrameStore {
  data: Float32Array;
  length = 0;
  /** @param shared allocate in shared memory (another thread may read the values without a copy). */
  constructor(readonly width: number, initialFrames = 1024, private readonly shared = false) {
    this.data = this.alloc(width * initialFrames);
  }

  private alloc(n: number): Float32Array {
    return this.shared ? new Float32Array(new SharedArrayBuffer(4 * n)) : new Float32Array(n);
  }
  /**
   * Appends a one-value frame. (Not `store.data[store.push()] = v`: JavaScript reads `store.data` before push()
   * may replace it with a larger array, so the value would land in the discarded one.)
   */
  add(v: number): void {
    const k = this.push();
    this.data[k] = v;
  }

  /**
   * Room for `frames` frames in all, allocated at once (when the count is known ahead, e.g. from the container's
   * duration: growing by doubling to a 30 MB store touches twice its memory and copies it). Up to RESERVE_MAX_BYTES:
   * a wrong header cannot make it allocate more; past that (or past the estimate) the store grows as before.
   */
  reserve(frames: number): void {
    const want = Math.min(Math.ceil(frames), Math.floor(RESERVE_MAX_BYTES / 4 / this.width)) * this.width;
    if (!(want > this.data.length)) return;
    const next = this.alloc(want);
    next.set(this.data.subarray(0, this.length * this.width));
    this.data = next;
  }

  /** Room for one more frame; returns its offset into `data` (read `data` after calling it: it may grow). */
  push(): number {
    if ((this.length + 1) * this.width > this.data.length) {
      const next = this.alloc(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    return this.length++ * this.width;
  }
}
