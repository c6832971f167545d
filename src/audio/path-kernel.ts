/**
 * The pitch path finder's forward pass (Praat's Pitch_pathFinder, Boersma 1993; pitch.ts forwardPass) by
 * wasm/path.wat: the same float64 operations in the same order, so the same scores and backpointers to the bit. The
 * JavaScript loop runs once per file (per block when spilled), on the pitch worker's path after its last frame, and
 * spent most of its 40-60 CPU ms per 10 minutes in V8's unoptimised tiers before TurboFan's code for it arrived.
 * The rows go through the kernel's memory CHUNK_ROWS at a time, each chunk starting with the previous one's last row
 * (its scores final), as pitch-spilled.ts carries a row from block to block.
 */
import { WASM_BASE64 as PATH_WASM } from './wasm/path-bytes.js';
import { instantiate, type WasmMemory } from './wasm/runtime.js';

interface PathExports {
  memory: WasmMemory;
  forward(nc: number, n: number, mc: number, jumpCost: number, vuCost: number, d: number, lf: number, psi: number, cur: number): void;
}

/** Rows (frames) per pass through the kernel's memory, the carried row included. */
const CHUNK_ROWS = 4097;

/** The kernel for mc candidates per frame, with its rows' views into its memory. */
export class PathKernel {
  private readonly nc: Float32Array;
  private readonly delta: Float64Array;
  private readonly lf: Float64Array;
  private readonly psi: Uint8Array;
  private readonly at = { nc: 0, delta: 0, lf: 0, psi: 0, cur: 0 };

  private constructor(private readonly ex: PathExports, private readonly mc: number) {
    const at = this.at;
    const al = (b: number) => Math.ceil(b / 16) * 16;
    at.delta = al(4 * CHUNK_ROWS);
    at.lf = at.delta + 8 * CHUNK_ROWS * mc;
    at.psi = at.lf + 8 * CHUNK_ROWS * mc;
    at.cur = al(at.psi + CHUNK_ROWS * mc);
    const buf = ex.memory.buffer;
    this.nc = new Float32Array(buf, at.nc, CHUNK_ROWS);
    this.delta = new Float64Array(buf, at.delta, CHUNK_ROWS * mc);
    this.lf = new Float64Array(buf, at.lf, CHUNK_ROWS * mc);
    this.psi = new Uint8Array(buf, at.psi, CHUNK_ROWS * mc);
  }

  /** Bytes of memory the kernel needs for mc candidates per frame. */
  private static bytes(mc: number): number {
    return Math.ceil((4 * CHUNK_ROWS) / 16) * 16 + Math.ceil((17 * CHUNK_ROWS * mc) / 16) * 16 + 8 * mc;
  }

  private static made = new Map<number, PathKernel | null>();

  /** This thread's kernel for mc candidates per frame (made once), or null without WebAssembly (MMPREP_AUDIO_WASM=0). */
  static forCandidates(mc: number): PathKernel | null {
    if (process.env.MMPREP_AUDIO_WASM === '0') return null;
    let k = PathKernel.made.get(mc);
    if (k === undefined) {
      const ex = instantiate<PathExports>(PATH_WASM, PathKernel.bytes(mc));
      k = ex ? new PathKernel(ex, mc) : null;
      PathKernel.made.set(mc, k);
    }
    return k;
  }

  /** pitch.ts forwardPass over rows 0 .. n - 1: delta's rows 1 .. n - 1 become cumulative scores, psi's get their predecessors. */
  forward(NC: Float32Array, n: number, jumpCost: number, vuCost: number, delta: Float64Array, lf: Float64Array, psi: Uint8Array): void {
    const mc = this.mc;
    const at = this.at;
    for (let t0 = 0; t0 < n - 1; ) {
      const t1 = Math.min(n, t0 + CHUNK_ROWS);
      const m = t1 - t0;
      this.nc.set(NC.subarray(t0, t1));
      this.delta.set(delta.subarray(t0 * mc, t1 * mc));
      this.lf.set(lf.subarray(t0 * mc, t1 * mc));
      this.psi.set(psi.subarray(t0 * mc, t1 * mc)); // the entries past a frame's count stay as they were
      this.ex.forward(at.nc, m, mc, jumpCost, vuCost, at.delta, at.lf, at.psi, at.cur);
      delta.set(this.delta.subarray(mc, m * mc), (t0 + 1) * mc);
      psi.set(this.psi.subarray(mc, m * mc), (t0 + 1) * mc);
      t0 = t1 - 1;
    }
  }
}
