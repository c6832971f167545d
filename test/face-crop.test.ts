/**
 * The rotated face crop from the frame's bytes (src/face/crop.ts) against what it replaces: tfjs-backend-wasm's
 * RotateWithOffset of the whole frame, then CropAndResize of the box, divided by 255 (Human's correctFaceRotation).
 * Same float32 values, bit for bit, for boxes inside, across and partly outside the frame, at small, large and
 * upside-down angles; and the engine's results on a rolling head are the same with Human's own crop. Also the lean
 * Concat kernel (src/face/concat-kernel.ts) against tfjs-backend-wasm's own, and each model's replayed calls
 * (graph-replay.ts, wasm-tape.ts) against tfjs's GraphModel.execute: the same bytes out.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { VideoDecoder } from '../src/media/decode-video.js';
import { createHuman, type HumanInstance } from '../src/face/backend.js';
import { rotatedCrop, type CropBox } from '../src/face/crop.js';
import { leanConcat } from '../src/face/concat-kernel.js';
import { installGraphReplay, type ReplayModel, type ReplayTf } from '../src/face/graph-replay.js';
import { FaceEngine, type FrameResult } from '../src/face/engine.js';
import { defaultModelDir } from '../src/face/models.js';
import { FIXTURES } from './helpers/cli.js';

interface Frame {
  data: Uint8Array;
  width: number;
  height: number;
}
// Human's tfjs, loosely typed: the image ops this test compares with.
type Tf = {
  tensor4d(v: Float32Array, s: number[]): { dispose(): void };
  image: { rotateWithOffset(i: unknown, a: number, f: number, c: number[]): { dispose(): void }; cropAndResize(i: unknown, b: number[][], ind: number[], s: number[]): unknown };
  div(a: unknown, b: number): { dataSync(): Float32Array; dispose(): void };
  dispose(t: unknown[]): void;
};

const setup = { backend: 'wasm' as const, modelDir: defaultModelDir(), maxFaces: 1, detectorMinConfidence: 0.1 };
const frames: Frame[] = [];
let human: HumanInstance;

beforeAll(async () => {
  const dec = await VideoDecoder.open(join(FIXTURES, 'face', 'transform.mp4'), { maxSide: 640, pixelFormat: 'rgb24' });
  for await (const f of dec) {
    frames.push({ data: f.data.slice(), width: f.width, height: f.height });
    if (frames.length === 16) break;
  }
  human = await createHuman(setup);
});

describe('rotated face crop from the frame bytes', () => {
  it('equals rotate-then-crop on tfjs-backend-wasm, bit for bit', () => {
    const tf = human.tf as unknown as Tf;
    let compared = 0;
    for (const [k, fr] of [frames[0], frames[13]].entries()) {
      const { width: W, height: H } = fr;
      const input = tf.tensor4d(Float32Array.from(fr.data), [1, H, W, 3]);
      const boxes: CropBox[] = [
        { startPoint: [170.37, 90.61], endPoint: [470.37, 390.61] }, // the face, inside
        { startPoint: [-60.2, -35.9], endPoint: [240.8, 265.1] }, // across the top-left corner
        { startPoint: [500.5, 300.25], endPoint: [700.5, 500.25] }, // mostly outside
        { startPoint: [300, 200], endPoint: [364, 264] }, // whole pixels, small
      ];
      for (const box of boxes) {
        for (const angle of [0.06, -0.3, 0.9 + k, 2.6, -1.7]) {
          const c = [box.startPoint[0] + (box.endPoint[0] - box.startPoint[0]) / 2, box.startPoint[1] + (box.endPoint[1] - box.startPoint[1]) / 2];
          const centre: [number, number] = [c[0] / W, c[1] / H];
          const rot = tf.image.rotateWithOffset(input, angle, 0, centre);
          const crop = tf.image.cropAndResize(rot, [[box.startPoint[1] / H, box.startPoint[0] / W, box.endPoint[1] / H, box.endPoint[0] / W]], [0], [192, 192]);
          const want = tf.div(crop, 255);
          const expected = want.dataSync();
          tf.dispose([rot, crop, want]);
          const got = rotatedCrop(fr.data, W, H, box, angle, centre, 192);
          expect(got.length).toBe(expected.length);
          let differ = 0;
          for (let i = 0; i < got.length; i++) if (got[i] !== expected[i]) differ++;
          expect(differ, `box ${JSON.stringify(box)} angle ${angle}`).toBe(0);
          compared++;
        }
      }
      input.dispose();
    }
    expect(compared).toBe(40);
  });

  it("gives the engine the same results as Human's own crop and tfjs's graph executor on a rolling head", async () => {
    const hook = globalThis as { __mmprepRotateCrop?: (...a: unknown[]) => unknown };
    // env '1': Human's own crop kernels and tfjs's graph executor (MMPREP_FACE_TF_GRAPH: no replayed kernel calls).
    const ENV = ['MMPREP_FACE_TF_CROP', 'MMPREP_FACE_TF_GRAPH'];
    const run = async (env: string | undefined): Promise<{ results: FrameResult[]; hooked: number; executed: number }> => {
      const before = ENV.map((k) => process.env[k]);
      for (const k of ENV) if (env === undefined) delete process.env[k];
      else process.env[k] = env;
      const engine = await FaceEngine.create(setup);
      ENV.forEach((k, i) => (before[i] === undefined ? delete process.env[k] : (process.env[k] = before[i])));
      // Calls of the mesh model's tfjs graph executor (a replayed call makes none: graph-replay.ts).
      const mesh = (engine.human.models as unknown as { models: Record<string, { executor: { execute(...a: unknown[]): unknown } }> }).models.facemesh.executor;
      let executed = 0;
      const execute = mesh.execute.bind(mesh);
      mesh.execute = (...a: unknown[]) => (executed++, execute(...a));
      let hooked = 0;
      const original = hook.__mmprepRotateCrop;
      hook.__mmprepRotateCrop = (...a: unknown[]) => {
        const t = original?.(...a);
        if (t) hooked++;
        return t;
      };
      try {
        const results: FrameResult[] = [];
        for (const [i, f] of frames.entries()) results.push(await engine.analyse({ data: f.data, width: f.width, height: f.height, redetect: i % 8 === 0 }));
        return { results, hooked, executed };
      } finally {
        hook.__mmprepRotateCrop = original;
      }
    };
    const fast = await run(undefined);
    const own = await run('1');
    expect(fast.hooked).toBeGreaterThan(5);
    expect(own.hooked).toBe(0);
    // 16 frames, one mesh call each (no re-run on this clip): two traced calls, the rest replayed.
    expect(fast.executed).toBeLessThan(4);
    expect(own.executed).toBeGreaterThanOrEqual(frames.length);
    const faces = (r: FrameResult[]) => r.map((x) => x.faces.map((f) => ({ ...f, mesh: Array.from(f.mesh) })));
    expect(faces(fast.results)).toEqual(faces(own.results));
    expect(fast.results.every((r) => r.faces.length === 1)).toBe(true);
  });
});

describe("the wasm backend's Concat kernel, lean", () => {
  type Info = { dataId: object; shape: number[]; dtype: string };
  type Kernel = ((a: unknown) => Info) & { original?: (a: unknown) => Info };
  type Tf = {
    getKernel(n: string, b: string): { kernelFunc: Kernel };
    tensor(v: ArrayLike<number> | boolean[], s: number[], d: string): Info & { dispose(): void };
    backend(): unknown;
    engine(): { makeTensorFromTensorInfo(i: Info, b: unknown): { dataSync(): ArrayLike<number>; dispose(): void } };
  };
  // A bytes view of a kernel's output (float32 and int32 as their 4 bytes, bool as 1), then the output freed.
  const bytesOf = (tf: Tf, info: Info): Uint8Array => {
    const t = tf.engine().makeTensorFromTensorInfo(info, tf.backend());
    const v = t.dataSync() as unknown as { buffer: ArrayBuffer; byteOffset: number; byteLength: number };
    const copy = new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice();
    t.dispose();
    return copy;
  };

  it("is the registered kernel, and gives the backend's own kernel's bytes for every shape, axis and dtype", () => {
    const tf = human.tf as unknown as Tf;
    const kernel = tf.getKernel('Concat', 'wasm').kernelFunc;
    expect(kernel.name).toBe('mmprepLeanConcat');
    const own = kernel.original!;
    let delegated = 0;
    const lean = leanConcat(((a: unknown) => (delegated++, own(a))) as never) as unknown as Kernel;
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const made: Array<{ dispose(): void }> = [];
    const tensor = (shape: number[], dtype: string) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const v = Array.from({ length: n }, () => (dtype === 'float32' ? rand() * 2 - 1 : dtype === 'int32' ? Math.floor(rand() * 2e9 - 1e9) : rand() > 0.5 ? 1 : 0));
      const t = tf.tensor(dtype === 'bool' ? v.map(Boolean) : v, shape, dtype);
      made.push(t);
      return t;
    };
    const cases: Array<{ shapes: number[][]; axis: number; dtypes?: string[] }> = [
      { shapes: [[1, 384, 1], [1, 384, 16]], axis: 2 }, // the detector's outputs (BlazeFace)
      { shapes: [[1, 512, 17], [1, 384, 17]], axis: 1 },
      { shapes: [[896, 2], [896, 2]], axis: 1 },
      { shapes: [[1, 64, 64, 3], [1, 64, 64, 3]], axis: 0 }, // the eye crops (iris)
      { shapes: [[2, 1, 1, 213], [2, 1, 1, 15]], axis: 3 }, // the iris model's outputs
      { shapes: [[3, 5, 7], [3, 2, 7], [3, 1, 7]], axis: -2 },
      { shapes: [[4, 6], [4, 6], [4, 6], [4, 6]], axis: -1 },
      { shapes: [[5], [9]], axis: 0 },
      { shapes: [[2, 3, 4, 5], [2, 3, 4, 1]], axis: 3, dtypes: ['int32', 'int32'] },
      { shapes: [[2, 3], [2, 5]], axis: 1, dtypes: ['bool', 'bool'] },
      // left to the backend's own kernel: one input, an empty one, mixed dtypes
      { shapes: [[3, 4]], axis: 0 },
      { shapes: [[3, 0], [3, 4]], axis: 1 },
      { shapes: [[2, 2], [2, 2]], axis: 0, dtypes: ['float32', 'int32'] },
    ];
    try {
      for (const c of cases) {
        const inputs = c.shapes.map((s, i) => tensor(s, c.dtypes?.[i] ?? 'float32'));
        const args = { inputs, backend: tf.backend(), attrs: { axis: c.axis } };
        const want = own(args);
        const got = lean(args);
        expect(got.shape, JSON.stringify(c)).toEqual(want.shape);
        expect(got.dtype).toBe(want.dtype);
        expect(Buffer.from(bytesOf(tf, got)).equals(Buffer.from(bytesOf(tf, want))), JSON.stringify(c)).toBe(true);
      }
      expect(delegated).toBe(3);
      // shapes that do not fit: the backend's own error
      const bad = { inputs: [tensor([2, 3], 'float32'), tensor([3, 3], 'float32')], backend: tf.backend(), attrs: { axis: 1 } };
      expect(() => lean(bad)).toThrow(/does not match the shape of the rest/);
    } finally {
      made.forEach((t) => t.dispose());
    }
  });
});

describe("each model's kernel calls replayed without tfjs's graph executor (graph-replay.ts)", () => {
  type Out = { dataSync(): Float32Array; dispose(): void; shape: number[] };
  type Model = { execute(x: unknown): Out | Out[]; inputs: Array<{ shape: number[] }>; executor: { execute(...a: unknown[]): unknown } };
  type Tf = { tensor(v: Float32Array, s: number[]): { dispose(): void }; backend(): { numDataIds(): number } };

  it('gives the bytes tfjs gives, for each model, and frees every intermediate', () => {
    const tf = human.tf as unknown as Tf;
    const models = (human.models as unknown as { models: Record<string, Model | null> }).models;
    let seed = 11;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const list = ['blazeface', 'facemesh', 'iris', 'emotion'].map((name) => [name, models[name]] as const);
    for (const [name, m] of list) {
      expect(m, name).toBeTruthy();
      // On again: the models are one per thread, and the engine made last above (MMPREP_FACE_TF_GRAPH=1) turned it off.
      // By default the plans run from their tapes (wasm-tape.ts; MMPREP_FACE_TAPE=0 would keep the plans).
      expect(installGraphReplay(m as unknown as ReplayModel, human.tf as unknown as ReplayTf), name).toBe(true);
      // Human's input shapes: the two eye crops as one batch (iris.ts), one face crop, one frame for the detector.
      const shape = m!.inputs[0].shape.map((d) => (d === -1 ? (name === 'iris' ? 2 : 1) : d));
      const input = () => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rand() * 2 - 1), shape);
      const bytes = (r: Out | Out[]) => (Array.isArray(r) ? r : [r]).map((t) => (Buffer.from(t.dataSync().buffer.slice(0)) as Buffer).toString('base64'));
      const dispose = (r: Out | Out[]) => (Array.isArray(r) ? r : [r]).forEach((t) => t.dispose());
      // Two traced calls (the plan is used once two traces agree), a third that records the plan's WASM calls into a
      // tape (wasm-tape.ts) and checks it, then replayed ones.
      for (let k = 0; k < 3; k++) {
        const x = input();
        dispose(m!.execute(x));
        x.dispose();
      }
      const ownExecute = Object.getPrototypeOf(m).execute as (x: unknown) => Out | Out[];
      let executed = 0;
      const executor = m!.executor;
      const execute = executor.execute.bind(executor);
      executor.execute = (...a: unknown[]) => (executed++, execute(...a));
      try {
        for (let k = 0; k < 2; k++) {
          const x = input();
          const ids = tf.backend().numDataIds();
          // The tape makes only the outputs' tensors (a plan's kernel functions make one per kernel call).
          const backend = tf.backend() as unknown as { makeOutput(...a: unknown[]): unknown };
          const makeOutput = backend.makeOutput;
          let made = 0;
          backend.makeOutput = (...a: unknown[]) => (made++, makeOutput.apply(backend, a));
          let got: Out | Out[];
          try {
            got = m!.execute(x);
          } finally {
            delete (backend as Partial<typeof backend>).makeOutput;
          }
          expect(executed, `${name}: replayed, not through tfjs's executor`).toBe(0);
          expect(made, `${name}: run from its tape, only the outputs made`).toBe(Array.isArray(got) ? got.length : 1);
          const gotBytes = bytes(got);
          dispose(got);
          expect(tf.backend().numDataIds(), `${name}: intermediates freed`).toBe(ids);
          const want = ownExecute.call(m, x);
          expect(gotBytes, name).toEqual(bytes(want));
          dispose(want);
          x.dispose();
          executed = 0;
        }
      } finally {
        executor.execute = execute;
      }
    }
  });
});
