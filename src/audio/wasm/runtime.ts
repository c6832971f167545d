/**
 * Loading the audio kernels' WebAssembly modules (src/audio/wasm/*.wat, assembled by scripts/build-wasm.mjs into
 * NAME-bytes.ts): each module is compiled once per thread, each kernel object instantiates it with its own memory.
 * Where the runtime has no WebAssembly or no SIMD (WebAssembly.validate fails), the kernels fall back to their
 * JavaScript form, which gives the same bits.
 */

/** The parts of the WebAssembly API used here (tsconfig's lib has no WebAssembly types). */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (mod: WasmModule, imports: { env: { memory: WasmMemory; [name: string]: unknown } }) => { exports: unknown };
  Memory: new (desc: { initial: number }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}
export type WasmModule = { readonly kind?: 'wasm module' };
/** JavaScript functions a module imports from "env" beside its memory. */
export type WasmFunctions = Record<string, (...args: number[]) => number>;
export interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}

const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
const compiled = new Map<string, WasmModule | null>();

/** The compiled module of these bytes (base64), or null without WebAssembly SIMD. */
function compileOnce(base64: string): WasmModule | null {
  let mod = compiled.get(base64);
  if (mod === undefined) {
    const bytes = Buffer.from(base64, 'base64');
    mod = api && api.validate(bytes) ? new api.Module(bytes) : null;
    compiled.set(base64, mod);
  }
  return mod;
}

/**
 * A new instance of the module (its exports) in a memory of its own of at least `bytes`, or null without WebAssembly
 * SIMD. The memory is made at that size and given to the module (it imports it): growing it would detach its first
 * ArrayBuffer, and the first ArrayBuffer detached in a thread invalidates V8's ArrayBufferDetaching protector, which
 * throws away every optimised function of that thread that relied on it (about 35 in the main thread when the MFCC
 * kernel grew its memory at the end of the streaming pass; the pitch worker's code was compiled with the checks). Views
 * of the memory stay valid (nothing grows it). `functions`: the JavaScript functions the module imports, made for that
 * memory. MMPREP_AUDIO_WASM=0 forces the fallback (for comparing the two forms).
 */
export function instantiate<E extends { memory: WasmMemory }>(base64: string, bytes: number, functions: (memory: WasmMemory) => WasmFunctions = () => ({})): E | null {
  if (process.env.MMPREP_AUDIO_WASM === '0') return null;
  const mod = compileOnce(base64);
  if (!mod || !api) return null;
  const memory = new api.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  return new api.Instance(mod, { env: { memory, ...functions(memory) } }).exports as E;
}
