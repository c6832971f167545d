/**
 * tfjs-backend-wasm's Concat kernel, lean, for the wasm backend's numeric tensors. The backend's own kernel
 * (tfjs-backend-wasm 4.22, `concat` in dist/tf-backend-wasm.es2017.js) is JavaScript: it copies each input's rows with
 * `subarray` + `set` through typed-array views of the WASM heap. It is a large function (a string-tensor path, shape
 * checks, `identity` and `reshape` inlined), and V8's optimising compiler made it again 4-5 times in every worker
 * ("wrong map" deopts: tfjs hands it shape arrays of three element kinds from different places): 4 of an isolate's
 * ~480 TurboFan compiles, ~11 % of its compile time (`node --trace-opt`, session 46; the warm-up pass of 2026-11-30
 * found 14-19 %), paid again in each worker.
 *
 * This kernel does the same copy (the inputs' bytes laid out in the output in the same order: for each index before
 * the axis, each input's block after it) with `copyWithin` on the heap's bytes, so the output holds the same bytes;
 * anything outside its case (fewer than two inputs, an empty or string tensor, inputs of different ranks, dtypes or
 * shapes, an axis that is not an integer in range) goes to the backend's own kernel, which also raises its errors.
 */

/** A tensor as a kernel sees it (tfjs's TensorInfo). */
interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: string;
}

/** The parts of the wasm backend (tfjs-backend-wasm's BackendWasm) this kernel uses. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  wasm: { HEAPU8: Uint8Array };
}

interface ConcatArgs {
  inputs: TensorInfo[];
  backend: WasmBackend;
  attrs: { axis?: unknown };
}

type KernelFunc = (args: ConcatArgs) => TensorInfo | TensorInfo[];

/** Bytes per element in the wasm backend's heap (typedArrayFromHeap: float32, int32, bool as Uint8). */
const HEAP_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** The axis as a non-negative index, or -1 when the backend's own kernel must decide (parseAxisParam's rules). */
function concatAxis(axis: unknown, rank: number): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < -rank || axis >= rank) return -1;
  return axis < 0 ? axis + rank : axis;
}

/** Every input has the first one's dtype and rank, no zero dimension, and its sizes off the axis; the sum along it. */
function sizeAlongAxis(inputs: TensorInfo[], axis: number): number {
  const first = inputs[0];
  const rank = first.shape.length;
  let sum = 0;
  for (const t of inputs) {
    const s = t.shape;
    if (t.dtype !== first.dtype || s.length !== rank) return -1;
    for (let r = 0; r < rank; r++) if (s[r] === 0 || (r !== axis && s[r] !== first.shape[r])) return -1;
    sum += s[axis];
  }
  return sum;
}

/** Product of shape[from..to). */
function sizeOf(shape: number[], from: number, to: number): number {
  let n = 1;
  for (let r = from; r < to; r++) n *= shape[r];
  return n;
}

/** How the lean kernel lays out a concatenation: output shape, rows (outer size) and each input's block in bytes. */
export interface ConcatLayout {
  shape: number[];
  rows: number;
  block: number[];
}

/** The layout of a concatenation the lean kernel takes, or null when the backend's own kernel must (see below). */
export function concatLayout(inputs: TensorInfo[], axisAttr: unknown): ConcatLayout | null {
  const bytes = inputs.length >= 2 ? HEAP_BYTES[inputs[0].dtype] : undefined;
  const rank = inputs.length >= 2 ? inputs[0].shape.length : 0;
  const axis = bytes ? concatAxis(axisAttr, rank) : -1;
  const along = axis >= 0 ? sizeAlongAxis(inputs, axis) : -1;
  if (!bytes || along <= 0) return null;
  const shape = inputs[0].shape.slice();
  shape[axis] = along;
  return { shape, rows: sizeOf(shape, 0, axis), block: inputs.map((t) => bytes * sizeOf(t.shape, axis, rank)) };
}

/** The copies (input, source offset, target offset, bytes) that concatenate inputs at `from` into an output at `to`. */
export function concatCopies(layout: ConcatLayout, from: number[], to: number): Array<[number, number, number, number]> {
  const copies: Array<[number, number, number, number]> = [];
  for (let b = 0; b < layout.rows; b++) {
    for (let i = 0; i < from.length; i++) {
      copies.push([i, from[i] + b * layout.block[i], to, layout.block[i]]);
      to += layout.block[i];
    }
  }
  return copies;
}

/** The lean kernel; `original` (the backend's own) takes every case this one does not. */
export function leanConcat(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend } = args;
    const layout = concatLayout(inputs, args.attrs.axis);
    if (!layout) return original(args);
    const out = backend.makeOutput(layout.shape, inputs[0].dtype);
    // Taken after makeOutput: a malloc that grows the WASM memory replaces the heap's buffer.
    const heap = backend.wasm.HEAPU8;
    const from = inputs.map((t) => backend.dataIdMap.get(t.dataId)!.memoryOffset);
    for (const [, start, to, n] of concatCopies(layout, from, backend.dataIdMap.get(out.dataId)!.memoryOffset)) heap.copyWithin(to, start, start + n);
    return out;
  };
}

interface KernelRegistry {
  getKernel(name: string, backend: string): { kernelName: string; backendName: string; kernelFunc: KernelFunc } | undefined;
  unregisterKernel(name: string, backend: string): void;
  registerKernel(config: { kernelName: string; backendName: string; kernelFunc: KernelFunc }): void;
}

/**
 * Puts the lean kernel in place of the wasm backend's Concat in this thread's tfjs (once); false when tfjs has no
 * such kernel or it is not the one this replaces (a function named `concat`), which then stays.
 */
export function installLeanConcat(tf: unknown): boolean {
  // MMPREP_FACE_TF_CONCAT=1 keeps the backend's own kernel (to compare; test/face-crop.test.ts compares the two).
  if (process.env.MMPREP_FACE_TF_CONCAT === '1') return false;
  const reg = tf as Partial<KernelRegistry>;
  if (typeof reg.getKernel !== 'function' || typeof reg.unregisterKernel !== 'function' || typeof reg.registerKernel !== 'function') return false;
  const own = reg.getKernel('Concat', 'wasm');
  if (!own || own.kernelFunc.name !== 'concat') return own?.kernelFunc.name === LEAN_NAME;
  const lean = leanConcat(own.kernelFunc);
  Object.defineProperty(lean, 'name', { value: LEAN_NAME });
  Object.defineProperty(lean, 'original', { value: own.kernelFunc });
  reg.unregisterKernel('Concat', 'wasm');
  reg.registerKernel({ kernelName: 'Concat', backendName: 'wasm', kernelFunc: lean });
  return true;
}

export const LEAN_NAME = 'mmprepLeanConcat';
