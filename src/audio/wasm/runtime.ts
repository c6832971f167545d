/**
 * Loading the audio kernels' WebAssembly modules (src/audio/wasm/*.wat, assembled by scripts/build-wasm.mjs into
 * NAME-bytes.ts): each module is compiled once per thread, each kernel object instantiates it with its own memory.
 * Where the runtime has no WebAssembly or no SIMD (WebAssembly.validate fails), the kernels fall back to their
 * JavaScript form, which gives the same bits.
 */

/** The parts of the WebAssembly API used here (tsconfig's lib has no WebAssembly types). */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (mod: WasmModule) => { exports: unknown };
  validate(bytes: Uint8Array): boolean;
}
export type WasmModule = { readonly kind?: 'wasm module' };
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
 * A new instance of the module (its exports, memory grown to at least `bytes`: views made afterwards stay valid as
 * long as nothing grows it again), or null without WebAssembly SIMD. MMPREP_AUDIO_WASM=0 forces the fallback (for
 * comparing the two forms).
 */
export function instantiate<E extends { memory: WasmMemory }>(base64: string, bytes: number): E | null {
  if (process.env.MMPREP_AUDIO_WASM === '0') return null;
  const mod = compileOnce(base64);
  if (!mod || !api) return null;
  const ex = new api.Instance(mod).exports as E;
  const have = ex.memory.buffer.byteLength;
  if (bytes > have) ex.memory.grow(Math.ceil((bytes - have) / 65536));
  return ex;
}
