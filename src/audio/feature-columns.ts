/**
 * The MFCC and deltas of a long recording in a temp file (spill.ts) instead of memory: computed block by block from
 * the spilled log-mel store once the whole file's maximum (librosa's top_db clip) is known, stored one series after
 * another (series s = MFCC 0..k-1, delta, delta2; n float64 values each), so the summary reads one series at a time
 * (openSMILE-style percentiles need a series whole) and the frame writers read blocks of frames.
 */
import type { FrameView } from './jsonl.js';
import { SPILL_BLOCK_FRAMES, SpillFile, type SpillStore } from './spill.js';

/** Which of the three coefficient groups, or the per-frame voice series (--voice: VOICE_FRAME_FIELDS order, 9). */
export type ColumnKind = 'mfcc' | 'delta' | 'delta2' | 'voice';
/**
 * The kind's place in the file. A switch, not a keyed lookup in an object: readFrames is called with three kinds in
 * turn, and a lookup optimised for the first name deoptimised ("wrong name") at the next one, so V8 compiled
 * readFrames four or five times per run in each thread.
 */
function kindIndex(kind: ColumnKind): number {
  switch (kind) {
    case 'mfcc':
      return 0;
    case 'delta':
      return 1;
    case 'delta2':
      return 2;
    default:
      return 3;
  }
}
/** The voice series: jitter, shimmer, HNR, F1-F3, B1-B3 (after the three groups; j = 0..8). */
export const VOICE_SERIES = 9;

/** What a thread needs to read the columns (the file is shared by descriptor). */
export interface ColumnsRef {
  fd: number;
  n: number;
  k: number;
  hasDelta: boolean;
  hasVoice?: boolean;
}

export class FeatureColumns {
  private constructor(
    readonly file: SpillFile,
    readonly n: number,
    readonly k: number,
    readonly hasDelta: boolean,
    /** The voice series are written (voiceSink). */
    public hasVoice = false,
  ) {}

  static create(n: number, k: number, hasDelta: boolean): FeatureColumns {
    return new FeatureColumns(SpillFile.create(), n, k, hasDelta);
  }

  static borrow(r: ColumnsRef): FeatureColumns {
    return new FeatureColumns(SpillFile.borrow(r.fd), r.n, r.k, r.hasDelta, r.hasVoice === true);
  }

  get ref(): ColumnsRef {
    return { fd: this.file.fd, n: this.n, k: this.k, hasDelta: this.hasDelta, hasVoice: this.hasVoice };
  }

  /**
   * Where the voice analysis writes its per-frame series (voice.ts VoiceFrameSink): each series in ascending frames,
   * a block of SPILL_BLOCK_FRAMES values at a time (frames not set are NaN, blocks skipped over are written as NaN).
   */
  voiceSink(): { set(j: number, i: number, v: number): void; finish(): void } {
    const B = SPILL_BLOCK_FRAMES;
    const blocks = Array.from({ length: VOICE_SERIES }, () => new Float64Array(B).fill(NaN));
    const cur = new Int32Array(VOICE_SERIES); // block index held per series
    const flushTo = (j: number, upto: number) => {
      for (; cur[j] < upto; cur[j]++) {
        const a = cur[j] * B;
        if (a >= this.n) break;
        this.file.write(blocks[j].subarray(0, Math.min(B, this.n - a)), this.at(3, j, a));
        blocks[j].fill(NaN);
      }
    };
    this.hasVoice = true;
    return {
      set: (j, i, v) => {
        if (Math.floor(i / B) !== cur[j]) flushTo(j, Math.floor(i / B));
        blocks[j][i - cur[j] * B] = v;
      },
      finish: () => {
        for (let j = 0; j < VOICE_SERIES; j++) flushTo(j, Math.ceil(this.n / B));
      },
    };
  }

  /** Frames [a, b) of the voice series as FrameView's voice arrays (into the scratch's buffers when given). */
  readVoice(a: number, b: number, s?: ChunkScratch): { jitterLocal: Float64Array; shimmerLocal: Float64Array; hnrDb: Float64Array; formantHz: Float64Array; bandwidthHz: Float64Array } {
    const m = b - a;
    const one = (j: number, into?: Float64Array) => {
      const out = into ? into.subarray(0, m) : new Float64Array(m);
      this.file.read(out, this.at(3, j, a));
      return out;
    };
    const three = (j0: number, into?: Float64Array) => {
      const out = into ? into.subarray(0, 3 * m) : new Float64Array(3 * m);
      const c = s ? s.col.subarray(0, m) : new Float64Array(m);
      for (let j = 0; j < 3; j++) {
        this.file.read(c, this.at(3, j0 + j, a));
        for (let t = 0; t < m; t++) out[t * 3 + j] = c[t];
      }
      return out;
    };
    return { jitterLocal: one(0, s?.voice[0]), shimmerLocal: one(1, s?.voice[1]), hnrDb: one(2, s?.voice[2]), formantHz: three(3, s?.voice[3]), bandwidthHz: three(6, s?.voice[4]) };
  }

  private at(kind: number, j: number, frame: number): number {
    return ((kind * this.k + j) * this.n + frame) * 8;
  }

  /** Frames [a, a + m) of the groups (frame-major m x k each) into their series. */
  writeFrames(a: number, m: number, groups: Array<Float64Array | null>, col: Float64Array = new Float64Array(m)): void {
    const k = this.k;
    groups.forEach((g, kind) => {
      if (!g) return;
      for (let j = 0; j < k; j++) {
        for (let t = 0; t < m; t++) col[t] = g[t * k + j];
        this.file.write(col.subarray(0, m), this.at(kind, j, a));
      }
    });
  }

  /** Frames [a, b) of one group, frame-major (b - a) x k, into `into` (default a new array); `col`: scratch of b - a values. */
  readFrames(kind: ColumnKind, a: number, b: number, col: Float64Array = new Float64Array(b - a), into?: Float64Array): Float64Array {
    const k = this.k;
    const m = b - a;
    const out = into ? into.subarray(0, m * k) : new Float64Array(m * k);
    const c = col.subarray(0, m);
    for (let j = 0; j < k; j++) {
      this.file.read(c, this.at(kindIndex(kind), j, a));
      for (let t = 0; t < m; t++) out[t * k + j] = c[t];
    }
    return out;
  }

  /** Frames [a, b) of series j of a group (or of the voice series) into out[0 .. b - a). */
  read(kind: ColumnKind, j: number, a: number, b: number, out: Float64Array): void {
    this.file.read(out.subarray(0, b - a), this.at(kindIndex(kind), j, a));
  }

  /** Series j of a group, whole (into `into` when given, n values). */
  column(kind: ColumnKind, j: number, into: Float64Array = new Float64Array(this.n)): Float64Array {
    this.file.read(into.subarray(0, this.n), this.at(kindIndex(kind), j, 0));
    return into;
  }

  close(): void {
    this.file.close();
  }
}

/** Computes MFCC blocks: `run(lm, count, out)` = the MFCC of count log-mel frames (spectral.ts, clip floor applied). */
export type MfccBlock = (lm: Float32Array, count: number, out: Float64Array) => void;
/** Computes delta rows (delta.ts deltaRows with the file's length and width bound). */
export type DeltaBlock = (x: Float64Array, x0: number, from: number, to: number, o1: Float64Array, o2: Float64Array) => void;

/**
 * The MFCC and deltas of a sealed spilled log-mel store into a new FeatureColumns, block by block: each block reads
 * the log-mel frames its deltas need (up to h = (width - 1) / 2 frames either side; edge frames use the nearest
 * interior frame's window, as the in-memory copies do).
 */
export function spillMfcc(logmel: SpillStore, nMfcc: number, width: number, mfcc: MfccBlock, deltas: DeltaBlock): FeatureColumns {
  const n = logmel.length;
  const nMels = logmel.width;
  const h = (width - 1) / 2;
  const hasDelta = n >= width;
  const cols = FeatureColumns.create(n, nMfcc, hasDelta);
  try {
    const B = SPILL_BLOCK_FRAMES;
    const lm = new Float32Array((B + 2 * h + 1) * nMels);
    const mf = new Float64Array((B + 2 * h + 1) * nMfcc);
    const d1 = new Float64Array(B * nMfcc);
    const d2 = new Float64Array(B * nMfcc);
    const col = new Float64Array(B);
    const clamp = (t: number) => (t < h ? h : t > n - h - 1 ? n - h - 1 : t);
    for (let a = 0; a < n; a += B) {
      const b = Math.min(n, a + B);
      const lo = hasDelta ? clamp(a) - h : a;
      const hi = hasDelta ? clamp(b - 1) + h + 1 : b;
      logmel.read(lo, hi, lm);
      mfcc(lm, hi - lo, mf);
      if (hasDelta) deltas(mf, lo, a, b, d1, d2);
      const own = mf.subarray((a - lo) * nMfcc, (b - lo) * nMfcc);
      cols.writeFrames(a, b - a, hasDelta ? [own, d1, d2] : [own], col);
    }
    return cols;
  } catch (e) {
    cols.close();
    throw e;
  }
}

/** Reused buffers of chunkView for blocks of up to SPILL_BLOCK_FRAMES frames. */
export interface ChunkScratch {
  col: Float64Array;
  mfcc: Float64Array;
  delta: Float64Array;
  delta2: Float64Array;
  /** With --voice: jitter, shimmer, HNR (B each), formants and bandwidths (3 B each); else empty. */
  voice: Float64Array[];
}

/** `groups` makes the three coefficient arrays (jsonl-spilled.ts: in a WebAssembly kernel's memory). */
export function chunkScratch(k: number, withVoice = false, groups: (n: number) => Float64Array = (n) => new Float64Array(n)): ChunkScratch {
  const B = SPILL_BLOCK_FRAMES;
  const voice = withVoice ? [B, B, B, 3 * B, 3 * B].map((m) => new Float64Array(m)) : [];
  return { col: new Float64Array(B), mfcc: groups(B * k), delta: groups(B * k), delta2: groups(B * k), voice };
}

/**
 * The frame view of frames [a, b) with the coefficient groups read from the columns (`base`'s per-frame arrays hold
 * frames from base.first, default 0): for jsonlBlock / the CSV records, with `first` = a. With `scratch` the groups
 * are read into its buffers (valid until its next use).
 */
export function chunkView(base: FrameView, cols: FeatureColumns, a: number, b: number, scratch?: ChunkScratch): FrameView {
  const o = a - (base.first ?? 0);
  const m = b - a;
  const sub = <T extends Float32Array | Uint8Array>(x: T): T => x.subarray(o, o + m) as T;
  const s = scratch;
  return {
    ...base,
    first: a,
    mfcc: cols.readFrames('mfcc', a, b, s?.col, s?.mfcc),
    delta: cols.hasDelta ? cols.readFrames('delta', a, b, s?.col, s?.delta) : null,
    delta2: cols.hasDelta ? cols.readFrames('delta2', a, b, s?.col, s?.delta2) : null,
    f0: sub(base.f0),
    voicedProb: sub(base.voicedProb),
    rms: sub(base.rms),
    zcr: sub(base.zcr),
    syncBeep: base.syncBeep && { mask: sub(base.syncBeep.mask), reason: base.syncBeep.reason },
    ...(base.voice && cols.hasVoice ? { voice: { options: base.voice.options, frameVoiced: sub(base.voice.frameVoiced), ...cols.readVoice(a, b, s) } } : {}),
  };
}
