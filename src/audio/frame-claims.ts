/**
 * The pitch frames of one file shared out between the pitch worker and the main thread by work stealing (Blumofe &
 * Leiserson 1999, in its simplest two-ended form): the worker takes blocks from the first frame forwards as its
 * samples arrive, the main thread, once its own streaming work is done, takes blocks from the last frame backwards
 * until the two meet. Where they meet depends on timing; the frames' values do not (a frame's candidates depend only
 * on its samples, pitch.ts), so the output bytes are the same whoever computes which frame.
 *
 * The state is one 64-bit word in shared memory, changed by compare-and-exchange only (no lock a descheduled thread
 * could hold): lo (low 32 bits), the worker has frames [0, lo); hi (high 32 bits), the main thread has [hi, n).
 */

/** hi before the main thread has claimed anything (the frame count is not known yet). */
const NO_CLAIM = 0x7fffffff;
const LOW = 0xffffffffn;

const pack = (lo: number, hi: number) => (BigInt(hi) << 32n) | BigInt(lo);

export class FrameClaims {
  private readonly word: BigInt64Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.word = new BigInt64Array(buffer, 0, 1);
  }

  static create(): FrameClaims {
    const c = new FrameClaims(new SharedArrayBuffer(8));
    Atomics.store(c.word, 0, pack(0, NO_CLAIM));
    return c;
  }

  /**
   * The worker: up to `count` more frames from its end; returns the new end of its frames (the old one when the main
   * thread has all the others).
   */
  front(count: number): number {
    for (;;) {
      const s = Atomics.load(this.word, 0);
      const lo = Number(s & LOW);
      const hi = Number(s >> 32n);
      const to = Math.min(lo + count, hi);
      if (to <= lo) return lo;
      if (Atomics.compareExchange(this.word, 0, s, pack(to, hi)) === s) return to;
    }
  }

  /**
   * The main thread: up to `count` frames below the ones it has, of a file of n frames, none below `lowest` (whose
   * samples it still holds), and only while more than `gap` frames are left between the two; returns [from, to), or
   * null when the worker has (or may need) all the others.
   */
  back(n: number, count: number, lowest: number, gap: number): [number, number] | null {
    for (;;) {
      const s = Atomics.load(this.word, 0);
      const lo = Number(s & LOW);
      const hi = Number(s >> 32n);
      const to = Math.min(hi, n);
      const from = Math.max(to - count, lo, lowest);
      if (from >= to || to - lo <= gap) return null;
      if (Atomics.compareExchange(this.word, 0, s, pack(lo, from)) === s) return [from, to];
    }
  }

  /** The frames the main thread has: [from, n) (from = n when none). */
  mainFrom(n: number): number {
    return Math.min(Number(Atomics.load(this.word, 0) >> 32n), n);
  }
}
