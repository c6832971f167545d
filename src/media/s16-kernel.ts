/**
 * A WAV's 16-bit samples to float32 by WebAssembly (src/audio/wasm/s16.wat: x (1 / 32768), libswresample's s16 ->
 * float, exact in float32, so the same bits as s16ToFloatJs). The JavaScript loop cost each of the two threads that
 * read the bench's 10-minute WAV (the main thread and the pitch worker) 21-27 CPU ms in a fresh process, the kernel 1-4
 * (/work/taudio51-data/s16-bench.mjs). The file's bytes are read straight into the kernel's memory.
 */
import { WASM_BASE64 as S16_WASM } from '../audio/wasm/s16-bytes.js';
import { instantiate, type WasmMemory } from '../audio/wasm/runtime.js';

interface S16Exports {
  memory: WasmMemory;
  toFloat(src: number, dst: number, n: number): void;
}

/** ffmpeg's (libswresample's) s16 -> float, in JavaScript: the kernel's reference and its fallback. */
export function s16ToFloatJs(src: Int16Array, dst: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) dst[i] = src[i] * (1 / 32768);
}

/** One reader's kernel: room for `samples` 16-bit samples (bytes) and their float32 values (floats). */
export class S16Kernel {
  /** Where the raw little-endian samples are read to (2 bytes each). */
  readonly bytes: Uint8Array;
  /** The converted samples (valid until the next convert). */
  readonly floats: Float32Array;

  private constructor(private readonly ex: S16Exports, samples: number) {
    this.bytes = new Uint8Array(ex.memory.buffer, 0, 2 * samples);
    this.floats = new Float32Array(ex.memory.buffer, S16Kernel.floatsAt(samples), samples);
  }

  private static floatsAt(samples: number): number {
    return Math.ceil((2 * samples) / 16) * 16;
  }

  /** A kernel for chunks of up to `samples` samples, or null without WebAssembly SIMD (MMPREP_AUDIO_WASM=0). */
  static create(samples: number): S16Kernel | null {
    const ex = instantiate<S16Exports>(S16_WASM, S16Kernel.floatsAt(samples) + 4 * samples);
    return ex ? new S16Kernel(ex, samples) : null;
  }

  /** The first n samples of `bytes` into `floats`. */
  convert(n: number): void {
    this.ex.toFloat(0, this.floats.byteOffset, n);
  }
}
