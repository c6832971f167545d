/**
 * The start-up orientation check every engine runs before its first frame (src/face/selfcheck.ts), on the backends
 * that install offline (wasm here; tfjs's pure-JavaScript cpu backend in test/face.test.ts): each passes it; a
 * result that is mirrored, turned upside down or has its eyes' iris points swapped fails it with a reason, and so does
 * an engine shown the check's face mirrored (what a backend that mirrors its input would return).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceEngine, type RawFace } from '../src/face/engine.js';
import { defaultModelDir } from '../src/face/models.js';
import { checkFrame, orientationProblem } from '../src/face/selfcheck.js';
import { CHECK_FRAME } from '../src/face/selfcheck-frame.js';

const setup = { modelDir: defaultModelDir(), maxFaces: 1, detectorMinConfidence: 0.1 };
let wasm: FaceEngine;
let result: RawFace[];

beforeAll(async () => {
  // create() runs the check itself and throws when it fails.
  wasm = await FaceEngine.create({ ...setup, backend: 'wasm' });
  result = (await wasm.analyse({ ...checkFrame(), redetect: true })).faces;
}, 120_000);
afterAll(() => undefined);

/** The faces with each mesh point moved by f (x, y in frame pixels). */
const moved = (faces: RawFace[], f: (x: number, y: number) => [number, number]): RawFace[] =>
  faces.map((face) => {
    const mesh = Float64Array.from(face.mesh);
    for (let i = 0; i < mesh.length; i += 3) [mesh[i], mesh[i + 1]] = f(mesh[i], mesh[i + 1]);
    return { ...face, mesh };
  });

describe('start-up orientation check (selfcheck.ts)', () => {
  it('passes the wasm backend, whose result on the check frame is the expected one', () => {
    expect(result).toHaveLength(1);
    expect(orientationProblem(result)).toBeNull();
  });

  it('fails a result that is mirrored, upside down, transposed, or whose irises are swapped', () => {
    const W = CHECK_FRAME.width;
    const H = CHECK_FRAME.height;
    expect(orientationProblem(moved(result, (x, y) => [W - x, y]))).toMatch(/\(point \d+\) came out [\d.]+ px from where it belongs .*mirrored, turned or misplaced/);
    expect(orientationProblem(moved(result, (x, y) => [W - x, H - y]))).toMatch(/came out/);
    expect(orientationProblem(moved(result, (x, y) => [y, x]))).toMatch(/came out/);
    const swapped = Float64Array.from(result[0].mesh);
    for (let k = 0; k < 5; k++) for (let c = 0; c < 3; c++) [swapped[3 * (468 + k) + c], swapped[3 * (473 + k) + c]] = [swapped[3 * (473 + k) + c], swapped[3 * (468 + k) + c]];
    expect(orientationProblem([{ ...result[0], mesh: swapped }])).toMatch(/iris centre \(point (468|473)\)/);
    expect(orientationProblem([])).toMatch(/no face found/);
    expect(orientationProblem([{ ...result[0], mesh: result[0].mesh.slice(0, 468 * 3) }])).toMatch(/468 landmarks, not 478/);
  });

  it('fails an engine shown the check face mirrored (as a backend that mirrored its input would answer)', async () => {
    const f = checkFrame();
    const mirrored = new Uint8Array(f.data.length);
    for (let y = 0; y < f.height; y++) for (let x = 0; x < f.width; x++) mirrored.set(f.data.subarray(3 * (y * f.width + x), 3 * (y * f.width + x) + 3), 3 * (y * f.width + f.width - 1 - x));
    expect(await wasm.selfCheck({ ...f, data: mirrored })).toMatch(/came out/);
    expect(await wasm.selfCheck()).toBeNull();
  });

  // The bench (scripts/bench-face.mjs) and API users switch stages off: the check reads what those stages give.
  it('checks an engine without the iris model (468 points) or without the mesh (the detector keypoints), and fails them mirrored', async () => {
    const noIris = await FaceEngine.create({ ...setup, backend: 'wasm', stages: { iris: false, expression: false } });
    const noMesh = await FaceEngine.create({ ...setup, backend: 'wasm', stages: { mesh: false, iris: false, expression: false } });
    const f = checkFrame();
    const mirrored = new Uint8Array(f.data.length);
    for (let y = 0; y < f.height; y++) for (let x = 0; x < f.width; x++) mirrored.set(f.data.subarray(3 * (y * f.width + x), 3 * (y * f.width + x) + 3), 3 * (y * f.width + f.width - 1 - x));
    for (const engine of [noIris, noMesh]) expect(await engine.selfCheck({ ...f, data: mirrored })).toMatch(/came out/);
    const keypoints = (await noMesh.analyse({ ...checkFrame(), redetect: true })).faces;
    expect(orientationProblem(keypoints, CHECK_FRAME, 6)).toBeNull();
    expect(orientationProblem(moved(keypoints, (x, y) => [CHECK_FRAME.width - x, y]), CHECK_FRAME, 6)).toMatch(/detector's .* keypoint \(point \d\) came out/);
  }, 120_000);

  // The cpu backend (tfjs-backend-cpu) passes the check too: test/face.test.ts 'the cpu backend gives a face on a frame'
  // runs `mmprep face --backend cpu --workers 0` in a child, whose one engine runs this check before its first frame
  // (engine.ts create; a failed check fails the run, naming the backend) and exits 0 with a face close to the wasm one. Until
  // 2026-12-06 this file made a cpu engine of its own as well (~5.7 s in CI), which kept it in a process of its own
  // (test/own-process.ts: a wasm engine after a cpu one in a process fails to start); it now shares the face-models
  // processes.
});
