/**
 * The voice report's formant medians (F1-F3, B1-B3 over the formant frames whose nearest voice pitch frame is
 * voiced): the values in memory, or, for a long recording, rows of 6 written to a temp file block by block and the
 * medians found there by radix selection (functionals-stream.ts selectRanks): the same order statistics as sorting
 * them all, in memory that does not grow with the recording.
 */
import { selectRanks } from './functionals-stream.js';
import { SpillFile } from './spill.js';

const ROWS = 4096;
const W = 6;

/** Median of a sorted Float64Array's values (the voice report's: the middle one, or the mean of the two middle ones). */
function medianOfSorted(a: ArrayLike<number>, m: number): number {
  if (m === 0) return NaN;
  const h = m >> 1;
  return m % 2 ? a[h] : 0.5 * (a[h - 1] + a[h]);
}

export class FormantMedians {
  private readonly mem: number[][] | null;
  private file: SpillFile | null = null;
  private readonly block = new Float64Array(ROWS * W);
  private rows = 0;
  private written = 0;

  /** @param spill rows go to a temp file (else the values stay in arrays). */
  constructor(spill: boolean) {
    this.mem = spill ? null : [[], [], [], [], [], []];
  }

  /** One formant frame's first `count` (up to 3) frequencies and bandwidths. */
  add(count: number, freq: Float64Array, bw: Float64Array): void {
    const c = Math.min(3, count);
    if (this.mem) {
      for (let j = 0; j < c; j++) (this.mem[j].push(freq[j]), this.mem[3 + j].push(bw[j]));
      return;
    }
    const o = this.rows * W;
    for (let j = 0; j < 3; j++) {
      this.block[o + j] = j < c ? freq[j] : NaN;
      this.block[o + 3 + j] = j < c ? bw[j] : NaN;
    }
    if (++this.rows === ROWS) this.flush();
  }

  private flush(): void {
    if (this.rows === 0) return;
    this.file ??= SpillFile.create();
    this.file.write(this.block.subarray(0, this.rows * W), this.written * W * 8);
    this.written += this.rows;
    this.rows = 0;
  }

  /** [F1-F3 medians, B1-B3 medians] (NaN when no value); the temp file is closed. */
  medians(): [number[], number[]] {
    if (this.mem) {
      const m = this.mem.map((v) => medianOfSorted(Float64Array.from(v).sort(), v.length));
      return [m.slice(0, 3), m.slice(3)];
    }
    try {
      this.flush();
      const m = Array.from({ length: W }, (_, j) => this.medianOf(j));
      return [m.slice(0, 3), m.slice(3)];
    } finally {
      this.close();
    }
  }

  /** Series j's median from the file (rows read a block at a time). */
  private medianOf(j: number): number {
    const n = this.written;
    if (n === 0) return NaN;
    const rows = new Float64Array(ROWS * W);
    const read = (a: number, b: number, out: Float64Array) => {
      for (let r = a; r < b; r += ROWS) {
        const e = Math.min(b, r + ROWS);
        (this.file as SpillFile).read(rows.subarray(0, (e - r) * W), r * W * 8);
        for (let i = r; i < e; i++) out[i - a] = rows[(i - r) * W + j];
      }
    };
    const { m, values } = selectRanks(read, n, (m) => (m % 2 ? [m >> 1] : [(m >> 1) - 1, m >> 1]));
    if (m === 0) return NaN;
    return m % 2 ? values[0] : 0.5 * (values[0] + values[1]);
  }

  close(): void {
    this.file?.close();
  }
}
