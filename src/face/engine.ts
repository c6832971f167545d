/**
 * One frame through Human: RGB pixels in, raw per-face results out (inference-image pixels). Runs in a worker thread
 * (worker.ts) or in-process. Stateless between frames: Human's detector runs on every frame and its caches are off
 * (backend.ts), so a frame's result depends on that frame only, whichever worker analyses it (determinism).
 */
import { createHuman, type HumanInstance, type HumanSetup } from './backend.js';
import { regionContrast, skinContrast, type VisibilityRegion } from './visibility.js';

export const EXPRESSIONS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;
export type Expression = (typeof EXPRESSIONS)[number];

export interface FrameTask {
  data: Uint8Array;
  width: number;
  height: number;
  /**
   * Run the face detector on this frame. When false, the face boxes come from the previous frame's meshes (as in
   * MediaPipe's face-mesh graph); Human still detects whenever it has no box (no face in the previous frame).
   */
  redetect?: boolean;
}

/** One face as Human reports it, in the inference image's pixels. */
export interface RawFace {
  det_score: number;
  mesh_score: number;
  /** [x, y, w, h] */
  box: [number, number, number, number];
  /** Flat [x0, y0, z0, x1, ...]: 478 points with iris, 468 without, empty when the mesh is off. */
  mesh: Float64Array;
  /** Radians, Human's convention (face/angles.ts). */
  yaw: number | null;
  pitch: number | null;
  roll: number | null;
  /** Probabilities in EXPRESSIONS order, null when the expression stage is off. */
  expr: number[] | null;
  /** Per-region Weber contrast measured in the frame's pixels (visibility.ts); null without a mesh. */
  contrast?: Record<VisibilityRegion, number | null> | null;
  /** Skin texture on the cheeks (visibility.ts skinContrast), for the plausibility check; null without a mesh. */
  skin?: number | null;
}

export interface FrameResult {
  faces: RawFace[];
  /** Milliseconds spent in Human for this frame. */
  ms: number;
  /** The frame's pixel buffer, handed back for reuse once the frame is analysed (FramePool). */
  data?: Uint8Array;
}

export class FaceEngine {
  private redetect = true;
  /** The frame as float32, reused from frame to frame: a new 3.7 MB array per 640x480 frame kept V8's GC busy. */
  private pixels = new Float32Array(0);
  /** Frames are analysed one at a time (one Human instance has one config and one scratch buffer). */
  private busy: Promise<unknown> = Promise.resolve();
  private constructor(readonly human: HumanInstance) {
    // Human decides box reuse from config.skipAllowed, which it sets from its whole-frame similarity cache (off here).
    // We pin it to our own per-frame decision instead; the only enabled model that reads it is the face detector
    // (expression has skipFrames 0), so this reuses boxes and nothing else.
    // Human replaces its config object on every detect() (a deep merge), so the accessor is installed on each new one.
    const pin = (cfg: Record<string, unknown>) =>
      Object.defineProperty(cfg, 'skipAllowed', { get: () => !this.redetect, set: () => undefined, configurable: true, enumerable: true });
    let cfg = pin(human.config);
    Object.defineProperty(human, 'config', {
      get: () => cfg,
      set: (v: Record<string, unknown>) => {
        cfg = pin(v);
      },
      configurable: true,
    });
  }

  static async create(setup: HumanSetup): Promise<FaceEngine> {
    return new FaceEngine(await createHuman(setup));
  }

  analyse(task: FrameTask): Promise<FrameResult> {
    const p = this.busy.then(() => this.analyseNow(task));
    this.busy = p.catch(() => undefined);
    return p;
  }

  private async analyseNow(task: FrameTask): Promise<FrameResult> {
    const t0 = performance.now();
    this.redetect = task.redetect !== false;
    const { data, width, height } = task;
    const n = width * height * 3;
    if (this.pixels.length !== n) this.pixels = new Float32Array(n);
    // Uint8 -> float32 in one native copy. The backends copy the values when the tensor is made (wasm, tensorflow)
    // or hold them until dispose() below (cpu), so the buffer is free again when this frame is done.
    this.pixels.set(data.subarray(0, n));
    const tensor = this.human.tf.tensor3d(this.pixels, [height, width, 3], 'float32');
    let res;
    try {
      res = await this.human.detect(tensor);
    } finally {
      tensor.dispose();
    }
    if (res.error) throw new Error(`face analysis failed: ${res.error}`);
    const faces: RawFace[] = res.face.map((f) => {
      const mesh = new Float64Array(f.mesh.length * 3);
      f.mesh.forEach((p, i) => {
        mesh[3 * i] = p[0];
        mesh[3 * i + 1] = p[1];
        mesh[3 * i + 2] = p[2] ?? 0;
      });
      let expr: number[] | null = null;
      if (f.emotion && f.emotion.length) {
        expr = EXPRESSIONS.map((name) => f.emotion?.find((e) => e.emotion === name)?.score ?? 0);
      }
      const a = f.rotation?.angle;
      return {
        det_score: f.boxScore,
        mesh_score: f.mesh.length > 100 ? f.faceScore : f.boxScore,
        box: [f.box[0], f.box[1], f.box[2], f.box[3]],
        mesh,
        yaw: a ? a.yaw : null,
        pitch: a ? a.pitch : null,
        roll: a ? a.roll : null,
        expr,
        contrast: mesh.length >= 468 * 3 ? regionContrast(data, width, height, mesh) : null,
        skin: mesh.length >= 468 * 3 ? skinContrast(data, width, height, mesh) : null,
      };
    });
    return { faces, ms: performance.now() - t0 };
  }
}
