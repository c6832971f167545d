/**
 * A face model's kernel calls replayed without tfjs's graph executor and op layer (wasm backend only).
 *
 * Each of Human's four models is a fixed graph (a tfjs-converter GraphModel: convolutions, adds, PReLU, pooling) run
 * on an input of one shape per model. tfjs runs a call through three layers of JavaScript before any WASM kernel:
 * the converter's executor (per node: parameter look-up, op dispatch, tensor disposal bookkeeping), tfjs-core's ops
 * (argument checks, tensor conversion) and its engine (scopes, tensor objects, tracking). Per kernel call that was
 * ~20 µs of CPU, ~5.3 ms a frame at 640x480 (iris 3.0, mesh 1.7, expression 0.7 ms per call on top of 10.3, 4.6 and
 * 5.1 ms in the kernels; docs/face.md "Performance notes").
 *
 * So the first calls of a model on an input shape run through tfjs as before while the backend's registered kernel
 * functions are watched: the calls that reach them (kernel, inputs, attributes, outputs; a kernel's own nested calls
 * are its business) make a plan, in tfjs's own order, whose inputs are the model's input, its weights or earlier
 * outputs. Later calls with an input of that shape run the plan: the same kernel functions with the same attributes on
 * the same kinds of inputs, each intermediate freed after its last use as the executor frees it, so the outputs are
 * the same bytes (test/face-crop.test.ts). The four graphs have no control flow and no op whose kernels or attributes
 * depend on the input's values (their ops: _FusedConv2D, DepthwiseConv2dNative, AddV2, Prelu, Relu, MaxPool, Pad,
 * ConcatV2, Reshape, Mean, Softmax, Sigmoid, Identity); as a guard a plan is used only when two traced calls (two
 * different pictures) gave the same sequence of kernels, attributes and wiring. A call that does not fit (an input
 * shape not yet traced twice, named outputs, a kernel input from outside the graph) runs through tfjs.
 * MMPREP_FACE_TF_GRAPH=1 keeps tfjs's executor throughout (to compare).
 *
 * A plan in turn becomes a tape of the WASM calls its kernels make, on buffers kept for it (wasm-tape.ts): the
 * kernels' own JavaScript then runs on only the first calls of a shape. One face worker's share of the bench's 6 s
 * clip took ~3.5 % less CPU with it (~1.9 ms a frame once steady, its one-off cost included; docs/benchmarks-history.md,
 * fiftieth session); MMPREP_FACE_TAPE=0 keeps running the plans (to compare).
 */
import { dropTape, recordTape, runTape, sameBytes, type Tape, type WasmBackendLike } from './wasm-tape.js';

/** A tensor as a kernel sees it (tfjs's TensorInfo). */
interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: string;
}
type KernelFunc = (args: { inputs: unknown; attrs: unknown; backend: unknown }) => TensorInfo | TensorInfo[];
interface KernelConfig {
  kernelName: string;
  kernelFunc: KernelFunc;
  setupFunc?: (backend: unknown) => void;
}

/** What a replayed kernel input is: none, the model's input, a fixed tensor (a weight), or an earlier output (slot). */
type Ref = { kind: 'none'; value: null | undefined } | { kind: 'input' } | { kind: 'const'; info: TensorInfo } | { kind: 'slot'; slot: number };

interface Step {
  kernelName: string;
  kernel: KernelFunc;
  /** The input names in order, or null when the kernel takes an array (Concat). */
  keys: string[] | null;
  refs: Ref[];
  attrs: unknown;
  outs: number[];
  /** Slots whose last use is this step (freed after it). */
  free: number[];
}

interface Plan {
  steps: Step[];
  slots: number;
  outputs: number[];
  /** The model returned one tensor (GraphModel.execute returns the tensor itself, not an array of one). */
  single: boolean;
}

/** The parts of a tfjs GraphModel used here. */
export interface ReplayModel {
  execute(input: unknown, outputs?: unknown): unknown;
  executor?: { weightMap?: Record<string, TensorInfo[]> };
}

/** The parts of tfjs used here. */
export interface ReplayTf {
  getBackend(): string;
  backend(): unknown;
  getKernelsForBackend?(backend: string): KernelConfig[];
  engine(): { makeTensorFromTensorInfo?(info: TensorInfo, backend: unknown): unknown };
}

interface WasmDispose {
  disposeData(dataId: object): boolean;
}

interface Call {
  kernelName: string;
  kernel: KernelFunc;
  inputs: unknown;
  attrs: unknown;
  out: TensorInfo | TensorInfo[];
}

/** Runs `run` while recording the top-level calls of the backend's registered kernel functions. */
function watchKernels<T>(kernels: KernelConfig[], run: () => T): { result: T; calls: Call[] } {
  const calls: Call[] = [];
  const own = kernels.map((k) => k.kernelFunc);
  let depth = 0;
  kernels.forEach((k, j) => {
    const kernel = own[j];
    k.kernelFunc = (args) => {
      depth++;
      try {
        const out = kernel(args);
        if (depth === 1) calls.push({ kernelName: k.kernelName, kernel, inputs: args.inputs, attrs: args.attrs, out });
        return out;
      } finally {
        depth--;
      }
    };
  });
  try {
    return { result: run(), calls };
  } finally {
    kernels.forEach((k, j) => (k.kernelFunc = own[j]));
  }
}

const isInfo = (v: unknown): v is TensorInfo => !!v && typeof v === 'object' && 'dataId' in v && Array.isArray((v as TensorInfo).shape);
const infoKey = (t: TensorInfo) => `${t.shape.join('x')}:${t.dtype}`;

/** The plan the recorded calls make, or null when a call's input comes from outside the graph. */
function planOf(calls: Call[], input: TensorInfo, weights: TensorInfo[], result: unknown): Plan | null {
  // A tensor is known by its data and its shape (a reshape shares its input's data).
  const known = new Map<object, Map<string, Ref>>();
  const learn = (t: TensorInfo, ref: Ref) => {
    let byShape = known.get(t.dataId);
    if (!byShape) known.set(t.dataId, (byShape = new Map()));
    byShape.set(infoKey(t), ref);
  };
  for (const w of weights) learn(w, { kind: 'const', info: w });
  learn(input, { kind: 'input' });
  const refOf = (v: unknown): Ref | null => {
    if (v === null || v === undefined) return { kind: 'none', value: v };
    return isInfo(v) ? (known.get(v.dataId)?.get(infoKey(v)) ?? null) : null;
  };
  const steps: Step[] = [];
  let slots = 0;
  for (const c of calls) {
    const arrayInputs = Array.isArray(c.inputs);
    const keys = arrayInputs ? null : Object.keys(c.inputs as object);
    const values = arrayInputs ? (c.inputs as unknown[]) : keys!.map((k) => (c.inputs as Record<string, unknown>)[k]);
    const refs = values.map(refOf);
    if (refs.some((r) => r === null)) return null;
    const outs: number[] = [];
    for (const o of Array.isArray(c.out) ? c.out : [c.out]) {
      if (!isInfo(o)) return null;
      outs.push(slots);
      learn(o, { kind: 'slot', slot: slots++ });
    }
    steps.push({ kernelName: c.kernelName, kernel: c.kernel, keys, refs: refs as Ref[], attrs: c.attrs, outs, free: [] });
  }
  const single = !Array.isArray(result);
  const outputs: number[] = [];
  for (const t of single ? [result] : (result as unknown[])) {
    const r = refOf(t);
    if (!r || r.kind !== 'slot' || outputs.includes(r.slot)) return null;
    outputs.push(r.slot);
  }
  // Each slot is freed after its last use (or right after it is made, when nothing uses it); outputs are handed back.
  const lastUse = new Array<number>(slots).fill(-1);
  steps.forEach((s, i) => {
    s.outs.forEach((o) => (lastUse[o] = Math.max(lastUse[o], i)));
    for (const r of s.refs) if (r.kind === 'slot') lastUse[r.slot] = i;
  });
  lastUse.forEach((i, slot) => {
    if (!outputs.includes(slot)) steps[i].free.push(slot);
  });
  return { steps, slots, outputs, single };
}

/** Two plans do the same thing: the same kernels, attributes and wiring (the second trace confirms the first). */
function samePlan(a: Plan, b: Plan): boolean {
  if (a.steps.length !== b.steps.length || a.slots !== b.slots || a.single !== b.single || a.outputs.join() !== b.outputs.join()) return false;
  const refKey = (r: Ref) => (r.kind === 'const' ? `c${infoKey(r.info)}` : r.kind === 'slot' ? `s${r.slot}` : r.kind === 'none' ? `n${String(r.value)}` : 'i');
  return a.steps.every((s, i) => {
    const t = b.steps[i];
    return (
      s.kernel === t.kernel &&
      s.kernelName === t.kernelName &&
      String(s.keys) === String(t.keys) &&
      s.refs.length === t.refs.length &&
      s.refs.every((r, j) => refKey(r) === refKey(t.refs[j]) && (r.kind !== 'const' || r.info === (t.refs[j] as { info: TensorInfo }).info)) &&
      JSON.stringify(s.attrs) === JSON.stringify(t.attrs)
    );
  });
}

/**
 * Runs a plan's steps on `input`, freeing each intermediate after its last use; the output tensors (TensorInfo).
 * `onStep` sees each step with its inputs and outputs (the tape's recording, wasm-tape.ts).
 */
function runSteps(plan: Plan, input: TensorInfo, backend: unknown, onStep?: (step: Step, inputs: TensorInfo[], outputs: TensorInfo[]) => void): TensorInfo[] {
  const slots = new Array<TensorInfo | undefined>(plan.slots);
  const dispose = backend as WasmDispose;
  const value = (r: Ref): unknown => (r.kind === 'slot' ? slots[r.slot] : r.kind === 'input' ? input : r.kind === 'const' ? r.info : r.value);
  let done = false;
  try {
    for (const s of plan.steps) {
      let inputs: unknown;
      if (s.keys) {
        const named: Record<string, unknown> = {};
        s.keys.forEach((k, j) => (named[k] = value(s.refs[j])));
        inputs = named;
      } else inputs = s.refs.map(value);
      const out = s.kernel({ inputs, attrs: s.attrs, backend });
      if (Array.isArray(out)) s.outs.forEach((o, j) => (slots[o] = out[j]));
      else slots[s.outs[0]] = out;
      if (onStep) onStep(s, s.refs.map(value).filter(isInfo), s.outs.map((o) => slots[o]!));
      for (const f of s.free) {
        dispose.disposeData(slots[f]!.dataId);
        slots[f] = undefined;
      }
    }
    done = true;
    return plan.outputs.map((o) => slots[o]!);
  } finally {
    // A kernel threw: free what the plan made so far (its error goes to the caller).
    if (!done) for (const t of slots) if (t) dispose.disposeData(t.dataId);
  }
}

/** Output tensors (TensorInfo) as tfjs Tensors, returned as GraphModel.execute returns them. */
function asResult(outs: TensorInfo[], single: boolean, backend: unknown, tf: ReplayTf): unknown {
  const engine = tf.engine();
  const tensors = outs.map((o) => engine.makeTensorFromTensorInfo!(o, backend));
  return single ? tensors[0] : tensors;
}

/** Runs a plan on `input`: the outputs as tensors, the intermediates freed. */
function runPlan(plan: Plan, input: TensorInfo, backend: unknown, tf: ReplayTf): unknown {
  return asResult(runSteps(plan, input, backend), plan.single, backend, tf);
}

/**
 * A call of a shape with a plan. The first records the plan's WASM calls into a tape (wasm-tape.ts) while the plan
 * runs (its outputs are the call's), then runs the tape on the same input and keeps it only when both gave the same
 * bytes; from then on the tape runs.
 */
function runPlanned(shape: ShapeState, input: TensorInfo, tf: ReplayTf, kernels: KernelConfig[], tapes: boolean): unknown {
  const plan = shape.plan!;
  const backend = tf.backend() as WasmBackendLike;
  if (tapes && shape.taped) return asResult(runTape(shape.taped, backend, input), plan.single, backend, tf);
  if (tapes && !shape.tapeTried) {
    shape.tapeTried = true;
    const { tape, outputs } = recordTape(backend, kernels, input, (own, onStep) => runSteps(plan, own, backend, onStep));
    if (tape) {
      const fromTape = runTape(tape, backend, input);
      if (sameBytes(backend, fromTape, outputs)) shape.taped = tape;
      else dropTape(backend, tape);
      for (const t of fromTape) backend.disposeData(t.dataId);
    }
    return asResult(outputs, plan.single, backend, tf);
  }
  return runPlan(plan, input, backend, tf);
}

/** How often a model's input shape was traced, and its plan once two traces agreed (or null: tfjs runs it). */
interface ShapeState {
  traces: number;
  plan: Plan | null;
  first: Plan | null;
  /** The plan's tape (wasm-tape.ts), once it gave the plan's bytes; whether one was recorded. */
  taped: Tape | null;
  tapeTried: boolean;
}

/** Traces needed before a plan is used (two identical: the graph does not depend on the input's values). */
const TRACES = 2;
/** Input shapes traced per model at most (Human's models each see one input shape; a stray shape runs through tfjs). */
const MAX_SHAPES = 4;

/** Per model: whether its calls are replayed (Human keeps one instance of each model per thread, shared by engines). */
const replaying = new WeakMap<ReplayModel, { on: boolean; tapes: boolean }>();

/**
 * Makes `model.execute(input)` replay its kernel calls on the wasm backend (see the file's comment); false when this
 * tfjs or model lacks what it needs, or MMPREP_FACE_TF_GRAPH=1 (then tfjs runs every call). Human's models are
 * module-level objects, one per thread: the latest engine made in a thread decides for all of them.
 */
export function installGraphReplay(model: ReplayModel, tf: ReplayTf): boolean {
  const on = process.env.MMPREP_FACE_TF_GRAPH !== '1' && tf.getBackend() === 'wasm';
  const installed = replaying.get(model);
  const tapes = process.env.MMPREP_FACE_TAPE !== '0';
  if (installed) {
    installed.tapes = tapes;
    return (installed.on = on);
  }
  const weightMap = model.executor?.weightMap;
  if (!on || !weightMap || typeof tf.getKernelsForBackend !== 'function' || typeof tf.engine().makeTensorFromTensorInfo !== 'function') return false;
  const state = { on, tapes };
  replaying.set(model, state);
  const weights = Object.values(weightMap).flat().filter(isInfo);
  const execute = model.execute.bind(model);
  const kernels = tf.getKernelsForBackend('wasm');
  const shapes = new Map<string, ShapeState>();
  model.execute = (input: unknown, outputs?: unknown) => {
    if (!state.on || outputs !== undefined || !isInfo(input)) return execute(input, outputs);
    const key = infoKey(input);
    let shape = shapes.get(key);
    if (!shape) {
      if (shapes.size >= MAX_SHAPES) return execute(input);
      shapes.set(key, (shape = { traces: 0, plan: null, first: null, taped: null, tapeTried: false }));
    }
    if (shape.plan) return runPlanned(shape, input, tf, kernels, state.tapes);
    if (shape.traces >= TRACES) return execute(input);
    const { result, calls } = watchKernels(kernels, () => execute(input));
    shape.traces++;
    const plan = planOf(calls, input, weights, result);
    if (!plan) shape.traces = TRACES; // does not fit: tfjs runs this shape from now on
    else if (!shape.first) shape.first = plan;
    else if (samePlan(shape.first, plan)) shape.plan = shape.first;
    else shape.traces = TRACES;
    return result;
  };
  return true;
}
