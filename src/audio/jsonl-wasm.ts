/**
 * The JSONL frame records of a long recording formatted by WebAssembly (wasm/numbers.wat, the same bytes as
 * jsonl.ts's jsonlBlock): a kernel holds, in its memory, the number tables, the coefficient arrays the frames are read
 * into (jsonl-spilled.ts: chunkScratch), the other per-frame values of the frames being formatted and the output
 * buffer. The numbers the WebAssembly does not print itself (rare: NaN, the deltas' 1e-31 rounding noise, times past
 * 2^31 us, digits outside 1..9) it hands to ByteSink, so their text is the JavaScript's by construction.
 * Why: the records were ~0.25 CPU s per 10 minutes of audio across the two threads that format them, of which the
 * JavaScript's TurboFan compiles in each thread were a good part (jsonLineBytes, num, vec, decimalAt were among the
 * largest compile jobs of a run; docs/benchmarks-history.md, session 46).
 */
import { NEG_POW10, POW10 } from './format.js';
import { ByteSink } from './jsonl-bytes.js';
import { rmsDb, type FrameView } from './jsonl.js';
import { WASM_BASE64 as NUMBERS_WASM } from './wasm/numbers-bytes.js';
import { instantiate, type WasmMemory } from './wasm/runtime.js';

interface NumbersExports {
  memory: WasmMemory;
  block(from: number, to: number, first: number, k: number, digits: number, hop: number, rate: number, mfcc: number, delta: number, delta2: number, rmsDb: number, f0: number, vp: number, rms: number, zcr: number, out: number): number;
}

/** Bytes before the first allocation: the tables and keys of wasm/numbers.wat (1024) and its texts of numbers the JavaScript wrote (1024 x 48). */
const RESERVED = 1024 + 1024 * 48;
/** Output room a record needs at most (jsonl.ts: ~160 bytes of keys and 44 numbers of at most NUM_ROOM + 1 bytes). */
const RECORD_ROOM = 2048;

/** Whether records of this view (with its deltas read) can be formatted by the kernel (else jsonlBlock formats them). */
export const kernelFormats = (v: FrameView, clock: unknown) => clock === undefined && !v.voice && !v.syncBeep;

export class RecordsKernel {
  private readonly ex: NumbersExports;
  private readonly buffer: ArrayBuffer;
  private next = RESERVED;
  private readonly bytes: number;
  private readonly k: number;
  private readonly f0: Float32Array;
  private readonly vp: Float32Array;
  private readonly rms: Float32Array;
  private readonly zcr: Float32Array;
  private readonly rmsDb: Float64Array;
  private readonly out: Buffer;
  /** Numbers left to the JavaScript so far, each (value, digits) once while the kernel remembers its text (for the tests). */
  get fallbacks(): number {
    return this.counter.n;
  }
  private readonly counter: { n: number };

  private constructor(ex: NumbersExports, bytes: number, k: number, frames: number, block: number, counter: { n: number }) {
    this.ex = ex;
    this.counter = counter;
    this.buffer = ex.memory.buffer;
    this.bytes = bytes;
    this.k = k;
    const tables = new Float64Array(this.buffer, 0, 84);
    for (let i = 0; i < 42; i++) {
      tables[i] = POW10[i];
      tables[42 + i] = NEG_POW10[i];
    }
    const pairs = new Uint8Array(this.buffer, 672, 200);
    for (let i = 0; i < 100; i++) {
      pairs[2 * i] = 48 + Math.floor(i / 10);
      pairs[2 * i + 1] = 48 + (i % 10);
    }
    this.f0 = new Float32Array(this.buffer, this.take(4 * frames), frames);
    this.vp = new Float32Array(this.buffer, this.take(4 * frames), frames);
    this.rms = new Float32Array(this.buffer, this.take(4 * frames), frames);
    this.zcr = new Float32Array(this.buffer, this.take(4 * frames), frames);
    this.rmsDb = this.float64(frames);
    this.out = Buffer.from(this.buffer, this.take(RECORD_ROOM * block), RECORD_ROOM * block);
  }

  /**
   * A kernel for frames of k coefficients, up to `frames` at a time (load) in blocks of up to `block` (records), with
   * room for the three coefficient arrays (float64); null without WebAssembly SIMD.
   */
  static create(k: number, frames: number, block: number): RecordsKernel | null {
    const bytes = RESERVED + 3 * 8 * k * frames + 24 * frames + RECORD_ROOM * block + 16 * 8;
    // The numbers left to the JavaScript: ByteSink's text of them, copied into the kernel's memory.
    const sink = new ByteSink(64);
    let mem: Uint8Array | null = null;
    const counter = { n: 0 };
    const put = (p: number) => {
      mem!.set(sink.buf.subarray(0, sink.pos), p);
      counter.n++;
      return p + sink.pos;
    };
    const functions = (memory: WasmMemory) => {
      mem = new Uint8Array(memory.buffer);
      return {
        num: (p: number, v: number, digits: number) => {
          sink.pos = 0;
          sink.num(v, digits);
          return put(p);
        },
        time: (p: number, t: number) => {
          sink.pos = 0;
          sink.time(t);
          return put(p);
        },
      };
    };
    const ex = instantiate<NumbersExports>(NUMBERS_WASM, bytes, functions);
    return ex ? new RecordsKernel(ex, bytes, k, frames, block, counter) : null;
  }

  /** n zeroed float64 values in the kernel's memory (the coefficient arrays: chunkScratch). */
  float64(n: number): Float64Array {
    return new Float64Array(this.buffer, this.take(8 * n), n);
  }

  private take(n: number): number {
    const at = this.next;
    if (at + n > this.bytes) throw new Error('internal error: RecordsKernel memory exhausted');
    this.next = (at + n + 15) & ~15;
    return at;
  }

  /**
   * The records of frames [from, to) of view v (kernelFormats(v), at most `block` frames, its coefficient arrays from
   * this kernel's float64(), its other per-frame arrays holding frames from v.first): a view of the kernel's output
   * buffer, valid until the next call.
   */
  records(v: FrameView, from: number, to: number): Buffer {
    const first = v.first ?? 0;
    const m = to - from;
    if (m > this.out.length / RECORD_ROOM) throw new Error('internal error: RecordsKernel given more frames than its block');
    const o = from - first;
    this.f0.set(v.f0.subarray(o, o + m));
    this.vp.set(v.voicedProb.subarray(o, o + m));
    this.rms.set(v.rms.subarray(o, o + m));
    this.zcr.set(v.zcr.subarray(o, o + m));
    for (let i = 0; i < m; i++) this.rmsDb[i] = rmsDb(v.rms[o + i]);
    const at = (a: Float64Array) => {
      if (a.buffer !== this.buffer) throw new Error('internal error: RecordsKernel given arrays outside its memory');
      return a.byteOffset + 8 * this.k * o;
    };
    const end = this.ex.block(from, to, from, this.k, v.options.digits, v.hop, v.sampleRate, at(v.mfcc), at(v.delta!), at(v.delta2!), this.rmsDb.byteOffset, this.f0.byteOffset, this.vp.byteOffset, this.rms.byteOffset, this.zcr.byteOffset, this.out.byteOffset);
    return this.out.subarray(0, end - this.out.byteOffset);
  }
}
