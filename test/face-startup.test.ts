/**
 * Start-up of a face engine (each worker makes one): the backend and the models load, and no model runs before the
 * first real frame (a probe frame ran the face detector, about 30 ms of CPU per worker, for nothing). The first frame
 * then gives the same result as on an engine that had analysed a blank frame first (the old start-up).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VideoDecoder } from '../src/media/decode-video.js';
import { FaceEngine, type FrameTask } from '../src/face/engine.js';
import { defaultModelDir, joinShards } from '../src/face/models.js';
import { FIXTURES } from './helpers/cli.js';

const setup = { backend: 'wasm' as const, modelDir: defaultModelDir(), maxFaces: 1, detectorMinConfidence: 0.1 };
/** Frames Human has analysed (Human counts every detect() call in performance.totalFrames). */
const framesAnalysed = (e: FaceEngine) => (e.human as unknown as { performance: { totalFrames?: number } }).performance.totalFrames ?? 0;

describe('face engine start-up', () => {
  it('model weights: one shard read whole is used without a copy; pooled or several shards are joined into an exact buffer', () => {
    const whole = Buffer.from(new Uint8Array([1, 2, 3, 4, 5]).buffer); // fills its own ArrayBuffer, like fs.readFile's result
    expect(whole.byteOffset).toBe(0);
    expect(joinShards([whole])).toBe(whole.buffer);
    const pooled = Buffer.from('abc'); // a slice of Node's shared pool
    expect(pooled.buffer.byteLength).toBeGreaterThan(3);
    const one = joinShards([pooled]);
    expect(one.byteLength).toBe(3);
    expect(Array.from(new Uint8Array(one))).toEqual([97, 98, 99]);
    const two = joinShards([pooled, whole]);
    expect(Array.from(new Uint8Array(two))).toEqual([97, 98, 99, 1, 2, 3, 4, 5]);
  });

  it('wasm: the frame written straight into the tensor memory gives the results of tf.tensor3d and frees it', async () => {
    const dec = await VideoDecoder.open(join(FIXTURES, 'face', 'transform.mp4'), { maxSide: 640, pixelFormat: 'rgb24' });
    const frames: FrameTask[] = [];
    for await (const f of dec) {
      frames.push({ data: f.data.slice(), width: f.width, height: f.height, redetect: frames.length === 0 });
      if (frames.length === 3) break;
    }
    const heap = await FaceEngine.create(setup);
    const plain = await FaceEngine.create(setup);
    const p = plain as unknown as { heap: unknown };
    expect(p.heap).not.toBeNull(); // the wasm backend has what frameTensor needs
    p.heap = null; // this engine makes its frame tensors with tf.tensor3d, as before
    const tensors = () => (heap.human.tf as unknown as { memory(): { numTensors: number } }).memory().numTensors;
    // One engine after the other: the engines of one thread share Human's module state (its boxes for the next frame).
    const run = async (e: FaceEngine, after?: () => void) => {
      const out: string[] = [];
      for (const f of frames) {
        const r = await e.analyse({ ...f, data: f.data.slice() });
        expect(r.faces).toHaveLength(1);
        out.push(JSON.stringify(r.faces));
        after?.();
      }
      return out;
    };
    const counts: number[] = [];
    const a = await run(heap, () => counts.push(tensors()));
    expect(new Set(counts).size).toBe(1); // each frame's tensor is freed with it
    expect(await run(plain)).toEqual(a);
  });

  // Start-up analyses one frame: the orientation check's known face (selfcheck.ts), nothing else.
  it('loads the backend and models, analysing only the start-up check frame; the first frame is unchanged by it', async () => {
    const dec = await VideoDecoder.open(join(FIXTURES, 'face', 'transform.mp4'), { maxSide: 640, pixelFormat: 'rgb24' });
    let first: FrameTask | null = null;
    for await (const f of dec) {
      first = { data: f.data.slice(), width: f.width, height: f.height, redetect: true };
      break;
    }
    if (!first) throw new Error('no frame');
    const engine = await FaceEngine.create(setup);
    expect(engine.human.tf.getBackend()).toBe('wasm');
    expect(engine.human.models.loaded?.().sort()).toEqual(['blazeface', 'emotion', 'facemesh', 'iris']);
    expect(framesAnalysed(engine)).toBe(1);
    const got = await engine.analyse({ ...first, data: first.data.slice() });
    expect(framesAnalysed(engine)).toBe(2);
    // The old start-up: a blank frame through the engine before the first real one.
    const warmed = await FaceEngine.create(setup);
    await warmed.analyse({ data: new Uint8Array(8 * 8 * 3), width: 8, height: 8 });
    const want = await warmed.analyse({ ...first, data: first.data.slice() });
    expect(got.faces).toHaveLength(1);
    expect(got.faces[0].description).toBeNull(); // the description model is off by default (it costs ~100 ms a call)
    expect(JSON.stringify(got.faces)).toBe(JSON.stringify(want.faces));
  });

  // A pool's later workers skip the check (pool.ts workerSetup) and must give a block what the first worker gives: with
  // --max-faces 2 a fresh engine's first block went through the one-call path (no box cache yet), and `mmprep face
  // --max-faces 2 --workers 2` differed from --workers 1 on the second worker's first block (engine.ts create).
  it('with --max-faces 2, an engine that skips the check gives a detector frame and its tracked frames what a checked one gives', async () => {
    const dec = await VideoDecoder.open(join(FIXTURES, 'face', 'transform.mp4'), { maxSide: 640, pixelFormat: 'rgb24' });
    const frames: FrameTask[] = [];
    for await (const f of dec) {
      frames.push({ data: f.data.slice(), width: f.width, height: f.height, redetect: frames.length === 0 });
      if (frames.length === 3) break;
    }
    const block = async (e: FaceEngine) => {
      const faces = [];
      for (const f of frames) faces.push((await e.analyse({ ...f, data: f.data.slice() })).faces);
      return JSON.stringify(faces);
    };
    const two = { ...setup, maxFaces: 2 };
    const unchecked = await block(await FaceEngine.create({ ...two, selfCheck: false }));
    const checked = await block(await FaceEngine.create(two));
    expect(unchecked).toBe(checked);
  });

  it("the opt-in description stage (measurement scripts) runs on detector frames and is reused on tracked ones", async () => {
    const dec = await VideoDecoder.open(join(FIXTURES, 'face', 'transform.mp4'), { maxSide: 640, pixelFormat: 'rgb24' });
    const frames: FrameTask[] = [];
    for await (const f of dec) {
      frames.push({ data: f.data.slice(), width: f.width, height: f.height });
      if (frames.length === 3) break;
    }
    const engine = await FaceEngine.create({ ...setup, stages: { description: true } });
    const emb: Float32Array[] = [];
    for (const [k, redetect] of [true, false, true].entries()) {
      const r = await engine.analyse({ ...frames[k], redetect });
      expect(r.faces).toHaveLength(1);
      emb.push(r.faces[0].description!.embedding);
    }
    expect(emb[0]).toHaveLength(1024);
    expect(Array.from(emb[1])).toEqual(Array.from(emb[0])); // tracked frame: the detector frame's result
    expect(Array.from(emb[2])).not.toEqual(Array.from(emb[0])); // detector frame: a new call on a changed picture
  });
});
