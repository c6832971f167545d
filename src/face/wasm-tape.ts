/**
 * A replayed model call as a tape of WASM function calls on fixed buffers (wasm backend; graph-replay.ts's plans).
 *
 * A plan (graph-replay.ts) still runs each kernel's JavaScript: tfjs-backend-wasm's kernel functions work out their
 * parameters (computeConv2DInfo and the like), allocate the output (malloc, a tensor id, tfjs's DataStorage WeakMap),
 * call the WASM function (through Emscripten's cwrap: shape arguments as typed arrays copied onto the WASM stack) and
 * the plan frees each intermediate. For a fixed graph on an input of a fixed shape all of that comes out the same
 * every call: only the data changes. So one plan run is recorded with every tensor it makes kept: the WASM calls its
 * kernels make, with their arguments (tensor ids, sizes, and the typed arrays, copied once into WASM memory), and the
 * heap copies of the two kernels that copy in JavaScript (Identity, the lean Concat; Reshape only relabels). The
 * tensors it made then get their places in one block of WASM memory (the arena), where a tensor reuses the place of
 * one whose last use came before its making, as malloc would have reused it: the arena is about the plan's peak
 * memory (per model 0.5-6 MB), not the sum of its tensors (blazeface alone made 69 MB; kept apart they cost page
 * faults and cache misses and the command was slower). A later call copies its input into the recorded input's
 * place, makes the same WASM calls on the same tensor ids, and copies the outputs into new tensors: the same kernels
 * on the same bytes, hence the same output bytes. graph-replay.ts uses a tape only after one call gave, byte for
 * byte, what the plan gives; the kernels a tape may hold are TAPE_KERNELS (each one's memory effects are its WASM
 * calls, or the copies written here). On by default; MMPREP_FACE_TAPE=0 runs the plans instead (graph-replay.ts).
 */
import { concatCopies, concatLayout, LEAN_NAME } from './concat-kernel.js';

/** A tensor as a kernel sees it (tfjs's TensorInfo). */
export interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: string;
}

interface TensorData {
  id: number;
  memoryOffset: number;
}
/** The parts of tfjs-backend-wasm's BackendWasm (and its Emscripten module) used here. */
export interface WasmBackendLike {
  dataIdMap: { get(dataId: object): TensorData | undefined; has(dataId: object): boolean; delete(dataId: object): boolean };
  makeOutput(shape: number[], dtype: string): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  wasm: WasmModuleLike;
}
interface WasmModuleLike {
  HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  cwrap(name: string, ret: unknown, types: string[]): (...args: unknown[]) => unknown;
  tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
  [name: string]: unknown;
}

/** A kernel's registration: its setup function makes its WASM functions (cwrap), once per backend. */
export interface KernelSetup {
  kernelName: string;
  setupFunc?: (backend: unknown) => void;
}

/** A step of a plan as the tape sees it (graph-replay.ts Step). */
export interface TapeStep {
  kernelName: string;
  kernel: { name: string };
  attrs: unknown;
}

/** Kernels whose memory effects a tape reproduces (WASM calls; Identity and Concat copy, Reshape relabels). */
export const TAPE_KERNELS = new Set(['FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2D', 'Add', 'Prelu', 'Relu', 'MaxPool', 'PadV2', 'Sigmoid', 'Softmax', 'Mean', 'Reshape', 'Identity', 'Concat']);
/** Bytes per element in the wasm backend's heap. */
const ELEMENT_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };
/** Places in the arena start on 64-byte lines and leave 64 bytes after each tensor (XNNPACK may read a little past an input's end). */
const ALIGN = 64;

/** One entry: a WASM function and its arguments, or a heap copy (source, target, bytes). */
type TapeOp = { fn: (...args: number[]) => unknown; args: number[] } | { copy: [number, number, number] };

/** A tensor of the tape: its place and size. */
interface Place {
  info: TensorInfo;
  offset: number;
  bytes: number;
}

export interface Tape {
  ops: TapeOp[];
  input: Place;
  outputs: Place[];
  /** What the tape holds in WASM memory: its tensors (ids), the arena, the argument arrays. */
  tensors: Array<{ dataId: object; id: number }>;
  arena: number;
  arrays: number[];
}

/** A tensor made during the recorded run: its size and the steps of its making and last use. */
interface Made {
  info: TensorInfo;
  id: number;
  bytes: number;
  first: number;
  last: number;
}

/** A recorded WASM call (array arguments copied), or a copy between two tensors (source, offset, target, offset, bytes). */
type Recorded = { name: string; args: Array<number | Uint8Array> } | { from: object; fromAt: number; to: object; toAt: number; bytes: number };

const bytesOf = (t: TensorInfo): number => t.shape.reduce((a, b) => a * b, 1) * (ELEMENT_BYTES[t.dtype] ?? NaN);
const aligned = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

/** Runs `run` with every kernel's WASM functions recording their calls into `calls` (setup functions re-run). */
function recordingWasmCalls<T>(backend: WasmBackendLike, kernels: KernelSetup[], calls: Recorded[], run: () => T): T {
  const wasm = backend.wasm;
  const cwrap = (name: string, ret: unknown, types: string[]) => {
    const real = wasm.cwrap(name, ret, types);
    return (...args: unknown[]) => {
      calls.push({ name, args: args.map((a, i) => (types[i] === 'array' ? Uint8Array.from(a as Uint8Array) : (a as number))) });
      return real(...args);
    };
  };
  const recording = { ...backend, wasm: { ...wasm, cwrap } };
  for (const k of kernels) k.setupFunc?.(recording);
  try {
    return run();
  } finally {
    for (const k of kernels) k.setupFunc?.(backend);
  }
}

/** Runs `run` with every tensor the backend makes listed in `made`, with the step of its making. */
function watchingTensors<T>(backend: WasmBackendLike, made: Map<object, Made>, step: () => number, run: () => T): T {
  const own = Object.getOwnPropertyDescriptor(backend, 'makeOutput');
  const makeOutput = backend.makeOutput;
  backend.makeOutput = (shape: number[], dtype: string) => {
    const out = makeOutput.call(backend, shape, dtype);
    made.set(out.dataId, { info: out, id: backend.dataIdMap.get(out.dataId)!.id, bytes: bytesOf(out), first: step(), last: step() });
    return out;
  };
  try {
    return run();
  } finally {
    if (own) Object.defineProperty(backend, 'makeOutput', own);
    else delete (backend as Partial<WasmBackendLike>).makeOutput;
  }
}

/** Places in one arena for tensors with lifetimes [first, last] (steps): a place is reused once its tensor's last use is past. */
function arenaLayout(tensors: Made[]): { size: number; offsets: Map<Made, number> } {
  const offsets = new Map<Made, number>();
  const live: Array<{ at: number; end: number; last: number }> = [];
  let size = 0;
  for (const t of [...tensors].sort((a, b) => a.first - b.first)) {
    const need = aligned(t.bytes + ALIGN);
    // Free places: the gaps between live tensors (sorted by place) whose last use is before this one's making.
    const busy = live.filter((l) => l.last >= t.first).sort((a, b) => a.at - b.at);
    let at = 0;
    for (const b of busy) {
      if (b.at - at >= need) break;
      at = Math.max(at, b.end);
    }
    offsets.set(t, at);
    live.length = 0;
    live.push(...busy, { at, end: at + need, last: t.last });
    size = Math.max(size, at + need);
  }
  return { size, offsets };
}

/**
 * Records one run of a plan and lays its tensors out in an arena. `runSteps(input, onStep)` runs the plan's steps on
 * `input` (a tensor of the backend), calling onStep(step, inputs, outputs) after each, and returns the output tensors.
 * Gives the run's outputs (new tensors, the call's result) and the tape, or null when a kernel is not one a tape
 * reproduces, or an output is not a tensor of its own.
 */
export function recordTape(
  backend: WasmBackendLike,
  kernels: KernelSetup[],
  input: TensorInfo,
  runSteps: (input: TensorInfo, onStep: (step: TapeStep, inputs: TensorInfo[], outputs: TensorInfo[]) => void) => TensorInfo[],
): { tape: Tape | null; outputs: TensorInfo[] } {
  const made = new Map<object, Made>();
  const calls: Recorded[] = [];
  let at = -1;
  let fits = true;
  const use = (t: TensorInfo) => {
    const m = made.get(t.dataId);
    if (m) m.last = Math.max(m.last, at);
  };
  const copy = (from: TensorInfo, fromAt: number, to: TensorInfo, toAt: number, bytes: number) => calls.push({ from: from.dataId, fromAt, to: to.dataId, toAt, bytes });
  const onStep = (step: TapeStep, inputs: TensorInfo[], outputs: TensorInfo[]) => {
    inputs.forEach(use);
    outputs.forEach(use);
    if (!TAPE_KERNELS.has(step.kernelName)) fits = false;
    else if (step.kernelName === 'Identity') {
      if (step.kernel.name !== 'identity' || outputs.length !== 1) fits = false;
      else copy(inputs[0], 0, outputs[0], 0, bytesOf(outputs[0]));
    } else if (step.kernelName === 'Concat') {
      const layout = step.kernel.name === LEAN_NAME ? concatLayout(inputs, (step.attrs as { axis?: unknown } | null)?.axis) : null;
      if (!layout || outputs.length !== 1) fits = false;
      else for (const [i, fromAt, toAt, n] of concatCopies(layout, inputs.map(() => 0), 0)) copy(inputs[i], fromAt, outputs[0], toAt, n);
    }
    at++;
  };
  let outputs: TensorInfo[] = [];
  let own: TensorInfo | null = null;
  // What the run left (its input and outputs; the plan freed the rest).
  const freeMade = () => {
    for (const dataId of made.keys()) if (backend.dataIdMap.has(dataId)) backend.disposeData(dataId, true);
  };
  try {
    if (!fits || !(bytesOf(input) > 0)) throw new Error('no tape');
    watchingTensors(backend, made, () => at, () => {
      own = backend.makeOutput(input.shape, input.dtype);
      const from = backend.dataIdMap.get(input.dataId)!.memoryOffset;
      backend.wasm.HEAPU8.copyWithin(backend.dataIdMap.get(own.dataId)!.memoryOffset, from, from + bytesOf(input));
      at = 0;
      outputs = recordingWasmCalls(backend, kernels, calls, () => runSteps(own!, onStep));
    });
  } catch (e) {
    freeMade();
    if ((e as Error).message === 'no tape' && made.size === 0) return { tape: null, outputs: runSteps(input, () => undefined) };
    throw e;
  }
  const result = outputs.map((o) => copyOf(backend, o));
  for (const o of outputs) if (made.has(o.dataId)) made.get(o.dataId)!.last = Infinity;
  const ownInput = own as TensorInfo | null;
  const distinct = new Set(outputs.map((o) => o.dataId)).size === outputs.length && outputs.every((o) => made.has(o.dataId) && o.dataId !== ownInput?.dataId);
  const sized = [...made.values()].every((m) => m.bytes > 0);
  if (!fits || !distinct || !sized || !ownInput) {
    freeMade();
    return { tape: null, outputs: result };
  }
  return { tape: placed(backend, made, calls, ownInput, outputs), outputs: result };
}

/** A new tensor with the bytes of `t`, or of the tensor of t's shape at `offset`. */
function copyOf(backend: WasmBackendLike, t: TensorInfo, offset = backend.dataIdMap.get(t.dataId)!.memoryOffset): TensorInfo {
  const out = backend.makeOutput(t.shape, t.dtype);
  backend.wasm.HEAPU8.copyWithin(backend.dataIdMap.get(out.dataId)!.memoryOffset, offset, offset + bytesOf(t));
  return out;
}

/** Moves the recorded run's tensors into their places in one arena and turns the record into the tape. */
function placed(backend: WasmBackendLike, made: Map<object, Made>, calls: Recorded[], input: TensorInfo, outputs: TensorInfo[]): Tape | null {
  const wasm = backend.wasm;
  const { size, offsets } = arenaLayout([...made.values()]);
  const raw = wasm._malloc(size + ALIGN);
  const arena = aligned(raw);
  const tensors: Tape['tensors'] = [];
  const places = new Map<object, number>();
  for (const [dataId, m] of made) {
    // What the run left is freed; each tensor's id then names its place in the arena (the C++ side's id -> memory).
    const data = backend.dataIdMap.has(dataId) ? backend.dataIdMap.get(dataId) : undefined;
    if (data) {
      wasm._free(data.memoryOffset);
      wasm.tfjs.disposeData(data.id);
      backend.dataIdMap.delete(dataId);
    }
    places.set(dataId, arena + offsets.get(m)!);
    wasm.tfjs.registerTensor(m.id, m.info.shape.reduce((a, b) => a * b, 1), places.get(dataId)!);
    tensors.push({ dataId, id: m.id });
  }
  const offsetOf = (dataId: object) => places.get(dataId)!;
  const arrays: number[] = [];
  const ops: TapeOp[] = calls.map((c) => {
    if (!('name' in c)) return { copy: [offsetOf(c.from) + c.fromAt, offsetOf(c.to) + c.toAt, c.bytes] };
    const args = c.args.map((a) => {
      if (typeof a === 'number') return a;
      const ptr = wasm._malloc(Math.max(1, a.length));
      wasm.HEAPU8.set(a, ptr);
      arrays.push(ptr);
      return ptr;
    });
    return { fn: wasm['_' + c.name] as (...args: number[]) => unknown, args };
  });
  const place = (t: TensorInfo): Place => ({ info: t, offset: offsetOf(t.dataId), bytes: bytesOf(t) });
  const tape: Tape = { ops, input: place(input), outputs: outputs.map(place), tensors, arena: raw, arrays };
  if (ops.some((o) => 'fn' in o && typeof o.fn !== 'function')) {
    dropTape(backend, tape);
    return null;
  }
  return tape;
}

/** Runs the tape on `input` (a tensor of the recorded input's shape): the outputs as new tensors (TensorInfo). */
export function runTape(tape: Tape, backend: WasmBackendLike, input: TensorInfo): TensorInfo[] {
  const wasm = backend.wasm;
  const from = backend.dataIdMap.get(input.dataId)!.memoryOffset;
  wasm.HEAPU8.copyWithin(tape.input.offset, from, from + tape.input.bytes);
  // The WASM memory can grow during a call (a kernel's own malloc), which replaces HEAPU8: looked up at each copy.
  for (const op of tape.ops) {
    if ('copy' in op) wasm.HEAPU8.copyWithin(op.copy[1], op.copy[0], op.copy[0] + op.copy[2]);
    else op.fn(...op.args);
  }
  return tapeOutputs(tape, backend);
}

/** New tensors holding the tape's outputs (of its last run). */
function tapeOutputs(tape: Tape, backend: WasmBackendLike): TensorInfo[] {
  return tape.outputs.map((o) => copyOf(backend, o.info, o.offset));
}

/** Frees what the tape holds (after a check that failed). */
export function dropTape(backend: WasmBackendLike, tape: Tape): void {
  for (const t of tape.tensors) backend.wasm.tfjs.disposeData(t.id);
  for (const ptr of tape.arrays) backend.wasm._free(ptr);
  backend.wasm._free(tape.arena);
  tape.tensors.length = 0;
  tape.arrays.length = 0;
}

/** The bytes of two lists of tensors are the same. */
export function sameBytes(backend: WasmBackendLike, a: TensorInfo[], b: TensorInfo[]): boolean {
  if (a.length !== b.length) return false;
  const heap = backend.wasm.HEAPU8;
  return a.every((t, i) => {
    const u = b[i];
    const n = bytesOf(t);
    if (t.dtype !== u.dtype || t.shape.join() !== u.shape.join() || !(n > 0)) return false;
    const x = backend.dataIdMap.get(t.dataId)!.memoryOffset;
    const y = backend.dataIdMap.get(u.dataId)!.memoryOffset;
    return Buffer.compare(heap.subarray(x, x + n), heap.subarray(y, y + n)) === 0;
  });
}
