/**
 * One frame through Human: RGB pixels in, raw per-face results out (inference-image pixels). Runs in a worker thread
 * (worker.ts) or in-process. Human's whole-frame caches are off (backend.ts). The face detector runs on the frames the
 * pool marks `redetect` (the first of each block of frames, pool.ts); on the frames between, each face's crop is placed
 * and rotated by the previous frame's mesh (face tracking as in MediaPipe's face-mesh graph; backend.ts
 * loadTrackingBuild), checked against this frame's own mesh, and the frame goes back to the detector when the check
 * fails (see analyseTracked). A frame's result thus depends on its block's frames only, which the pool fixes whatever
 * the number of workers (determinism).
 */
import { createHuman, humanBoxesHooked, humanCropHooked, humanIrisHooked, humanMeshSubpixel, humanTrackingPatched, type HumanFace, type HumanInstance, type HumanSetup, type TensorInfoLike, type TfLike } from './backend.js';
import { rotatedCrop, type CropBox } from './crop.js';
import { installIrisHook, irisMode, type IrisMode } from './iris.js';
import { detectorPadding } from './detector-aspect.js';
import { cropRoll, ORIENTATION_MARGIN, orientBoxes, refinedReading, ROLL_REFINE, surelyUpright, unturnBox, UPRIGHT_VIEW_MIN, uprightScore, uprightView, VIEW_SIDE, type DetectorBox, type OrientedBoxes } from './orientation.js';
import { meshPupils, type EyePupils } from './pupil.js';
import { overlapsFace, PRIMARY_EXTRA_BOXES, primaryFirst, type Corners } from './primary.js';
import { regionContrast, skinContrast, type VisibilityRegion } from './visibility.js';
import { frameChroma, skinChroma, type Look } from './appearance.js';
import { implausibility } from './plausibility.js';
import { checkFrame, orientationProblem, type CheckedPoints } from './selfcheck.js';
import { InputError } from '../common/errors.js';
import { saveCodeCaches } from './code-cache.js';
import { mark } from '../common/timeline.js';

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

/** Sent to a worker before the first frame: create its Human instance (models, backend) and analyse nothing. */
export interface WarmTask {
  warm: true;
}

/** Answered as soon as a worker's modules are loaded (pool.ts: a worker is never terminated before that). */
export interface PingTask {
  ping: true;
}

/** One face as Human reports it, in the inference image's pixels. */
export interface RawFace {
  det_score: number;
  mesh_score: number;
  /** [x, y, w, h] */
  box: [number, number, number, number];
  /** Flat [x0, y0, z0, x1, ...]: 478 points with iris, 468 without, empty when the mesh is off. */
  mesh: Float64Array;
  /**
   * Side of the square crop the mesh model read (inference pixels; Human's unclamped face box, whose size is the
   * crop's: facemeshutil calculateFaceBox). Human scales the mesh's x, y by it / 192 but leaves z in the model's
   * 192-pixel crop units (transformRawCoords), so z needs this to be on the x, y scale (extract.ts).
   */
  crop_px?: number;
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
  /** The cheek skin's chromaticity (appearance.ts skinChroma), the tracker's look of this face; null when not measured. */
  look?: Look | null;
  /** How coloured the whole frame is (appearance.ts frameChroma), for the plausibility check; null when not measured. */
  frame_chroma?: number | null;
  /** Iris centres found in the frame's pixels (pupil.ts), for gaze; absent without the iris points. */
  pupils?: EyePupils | null;
  /** How the eye crops reached the iris model (iris.ts): gaze.ts correctIris and the gaze calibration depend on it. */
  iris_mode?: IrisMode;
  /** Human's description model (when its stage is on): embedding, age, gender confidence; antispoof / liveness scores. */
  description?: FaceDescription | null;
  /** The detector's reading of this face agreed with its reading of the frame turned 180 degrees (orientation.ts turnedAgrees): no face. */
  turned_agrees?: boolean;
  /** With --max-faces 2 or more: this is the primary face (analysed as with --max-faces 1: FaceEngine analyseByFace). */
  primary?: boolean;
}

/** What Human's optional face models report for one face (backend.ts FaceStages). */
export interface FaceDescription {
  /** faceres's 1024-d face embedding (empty when the model did not run). */
  embedding: Float32Array;
  age: number | null;
  /** 'male' / 'female' as Human reports it, with its confidence 2·|p − 0.5| (Human truncates it to 2 decimals). */
  gender: string | null;
  gender_score: number | null;
  real: number | null;
  live: number | null;
}

export interface FrameResult {
  faces: RawFace[];
  /** How many times the face detector ran on this frame (0 on a tracked frame). */
  detections?: number;
  /** Faces the orientation check (orientation.ts) read from the frame turned 180 degrees, and left out as in doubt. */
  turned?: number;
  doubtful?: number;
  /** Faces larger than the primary one that the detector's choice left out or that score under --min-confidence (primary.ts). */
  passedOver?: number;
  /** Other faces at --min-confidence past --max-faces on this frame's detector runs (primary.ts notAnalysed; the most of any run). */
  notAnalysed?: number;
  /** Milliseconds spent in Human for this frame. */
  ms: number;
  /** The frame's pixel buffer, handed back for reuse once the frame is analysed (FramePool). */
  data?: Uint8Array;
}

/**
 * A tracked frame is kept only when every face's mesh score is at least this; otherwise the frame is analysed again
 * with the detector (a face leaving the picture or occluded keeps a stale detector score on tracked frames, and its
 * mesh score is what drops: 0.04-0.79 at the picture's edge on the fixtures, 1.0 on whole faces).
 */
export const TRACK_MIN_MESH_SCORE = 0.9;
/**
 * On tracked frames Human rotates a face's crop upright whenever the mesh's angle exceeds this (radians; Human's own
 * threshold, 0.2, stays on detector frames, where the angle comes from the detector's six noisy points). Below 0.2 a
 * face rolled by 7-11 degrees went unrotated and its roll was off by up to 3.3 degrees on transform.webm (fidelity
 * bound 3); from the mesh the angle is reliable enough to correct from 3 degrees on.
 */
export const TRACK_CROP_GATE = 0.05;
/**
 * Largest difference (radians) between the crop angle Human used for a tracked face (from the previous frame's mesh)
 * and the one this frame's own mesh gives; beyond it the mesh runs again on a crop rotated by this frame's mesh. The
 * angle's own jitter from whole-pixel mesh coordinates is 1-2 degrees; 0.1 rad is 5.7.
 */
export const TRACK_MAX_ANGLE_DRIFT = 0.1;
/**
 * Largest distance, as a share of the crop's side, between the centre of a tracked face's mesh and the centre of the
 * crop it was read from (the previous frame's mesh: Human facemeshutil calculateFaceBox keeps the block's box size and
 * moves its centre to the mesh's); beyond it the mesh runs again on a crop centred on this frame's mesh. The crop is
 * tight (the detector's box: ~1.5 face widths), and the mesh model, trained on centred faces, follows a face that sits
 * off its crop's centre only part of the way: a face moving 14 px a frame (0.17 of an 84 px crop, trial30 S1) moved
 * the mesh 10-12 px, the lag added up frame by frame and the mesh slid off the face (0.3-1.0 IOD, mesh score 1).
 * A head turn moves the mesh's centre little; the bench clip's face moves at most 0.06 of its crop a frame.
 */
export const TRACK_MAX_SHIFT = 0.1;

/**
 * Human 3.3.6 truncates the mesh's x and y to whole pixels of the inference picture (facemeshutil transformRawCoords:
 * Math.trunc; the iris points too): on positive coordinates that is the floor, on average half a pixel towards the
 * picture's top-left. Half a pixel puts each point back at the middle of the pixel interval it was truncated from, the
 * convention of the picture's own pixels (pixel centres at +0.5, as pupil.ts samples them). Measured on mirror pairs
 * (a picture and its mirror image, docs/face.md "Gaze"): the iris centres' x + x_mirror - width was -1.0 inference px.
 * Only for builds that still truncate (the tensorflow backends' unpatched build): the wasm / cpu build returns the
 * model's own coordinates (backend.ts humanMeshSubpixel), which need no centring.
 */
export const MESH_TRUNC_CENTRE = 0.5;

/**
 * The angle Human rotates a face crop by when its box carries a mesh (facemeshutil.ts correctFaceRotation: symmetry
 * line from point 13 to point 168, computeRotation, no rotation below `gate`), from a flat [x, y, z, ...] mesh.
 */
export function cropAngle(mesh: Float64Array, gate: number): number {
  const [ax, ay, bx, by] = [mesh[3 * 13], mesh[3 * 13 + 1], mesh[3 * 168], mesh[3 * 168 + 1]];
  const raw = Math.PI / 2 - Math.atan2(-(by - ay), bx - ax);
  const a = wrapAngle(raw);
  return Math.abs(a) > gate ? a : 0;
}

/** The centre of a flat [x, y, z, ...] mesh's extent (Human facemeshutil findFaceCenter: where the next crop goes). */
export function meshCentre(mesh: Float64Array): [number, number] {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i < mesh.length; i += 3) {
    x0 = Math.min(x0, mesh[i]);
    x1 = Math.max(x1, mesh[i]);
    y0 = Math.min(y0, mesh[i + 1]);
    y1 = Math.max(y1, mesh[i + 1]);
  }
  return [(x0 + x1) / 2, (y0 + y1) / 2];
}

/**
 * How far `face`'s mesh lies from the centre of the crop it was read from (the centre of `from`'s mesh), as a share
 * of the crop's side; 0 when the crop's side is unknown.
 */
export function meshShift(face: RawFace, from: RawFace): number {
  if (!face.crop_px) return 0;
  const [a, b] = [meshCentre(face.mesh), meshCentre(from.mesh)];
  return Math.hypot(a[0] - b[0], a[1] - b[1]) / face.crop_px;
}

/** An angle in radians brought into [-pi, pi). */
function wrapAngle(raw: number): number {
  return raw - 2 * Math.PI * Math.floor((raw + Math.PI) / (2 * Math.PI));
}

/** The tensor the detector hook is given (Human's 4-D view of the frame) and the part of tfjs it turns it with. */
interface Tensor4 {
  shape: number[];
}
type GetBoxes = (input: Tensor4, config: unknown) => Promise<DetectorBox[]>;
type TurnTf = {
  image: { resizeBilinear(x: Tensor4, size: [number, number]): Tensor4 & { dispose(): void; dataSync(): Float32Array } };
  tensor4d(v: Float32Array, shape: [number, number, number, number]): Tensor4 & { dispose(): void };
  pad(x: Tensor4, paddings: Array<[number, number]>): Tensor4 & { dispose(): void };
};
/** The centre of a face's box [x, y, w, h] lies inside detector box `b`. */
function centreInside(box: readonly number[], b: DetectorBox): boolean {
  const [cx, cy] = [box[0] + box[2] / 2, box[1] + box[3] / 2];
  return cx >= b.startPoint[0] && cx <= b.endPoint[0] && cy >= b.startPoint[1] && cy <= b.endPoint[1];
}

/** A detector box's centre lies within the width x height picture (not on the padding of detectorView). */
function inPicture(b: DetectorBox, width: number, height: number): boolean {
  const [cx, cy] = [(b.startPoint[0] + b.endPoint[0]) / 2, (b.startPoint[1] + b.endPoint[1]) / 2];
  return cx >= 0 && cx < width && cy >= 0 && cy < height;
}

/** A face's box [x, y, w, h] as corners (primary.ts overlapsFace). */
function cornersOf(f: RawFace): Corners {
  const [x, y, w, h] = f.box;
  return { startPoint: [x, y], endPoint: [x + w, y + h] };
}

/** BlazeFace's input side (Human resizes every frame to it before the detector: face/blazeface.ts, inputSize). */
const DETECTOR_SIDE = 256;
/**
 * The V8 code cache (code-cache.ts) is written after this many frames of an engine: the start-up check or a first
 * detector frame and tracked frames after it have then called what the bundles run per frame.
 */
const CODE_CACHE_AFTER_FRAMES = 10;

/**
 * A frame whose tensor the crop hook may answer for: its bytes, size, the tfjs that made the tensor, and its wasm
 * backend's heap (when frameTensor has it: the crop is then written straight into the crop tensor's memory).
 */
interface CropFrame {
  data: Uint8Array;
  width: number;
  height: number;
  tf: TfLike;
  heap: WasmHeapBackend | null;
}
type HookGlobals = { __mmprepCropFrames?: WeakMap<object, CropFrame>; __mmprepRotateCrop?: unknown };

/**
 * The frames the patched Human build's crop hook (backend.ts ROTATED_CROP) answers for, by tensor data id (Human's
 * 4-D view of our frame tensor shares it), per thread. Any other tensor gets Human's own rotate-then-crop.
 */
function cropFrames(): WeakMap<object, CropFrame> {
  const g = globalThis as HookGlobals;
  if (!g.__mmprepCropFrames) {
    const frames = new WeakMap<object, CropFrame>();
    g.__mmprepCropFrames = frames;
    g.__mmprepRotateCrop = (box: CropBox, input: { dataId: object; shape: number[] }, angle: number, center: [number, number], size: number) => {
      const fr = frames.get(input.dataId);
      if (!fr || input.shape[1] !== fr.height || input.shape[2] !== fr.width || input.shape[3] !== 3) return undefined;
      if (!fr.heap) return fr.tf.tensor4d(rotatedCrop(fr.data, fr.width, fr.height, box, angle, center, size), [1, size, size, 3]);
      // Into the tensor's WASM memory, as frameTensor does: no 442 kB (192 px) array per crop and no copy into the heap.
      const info = fr.heap.makeOutput([1, size, size, 3], 'float32');
      rotatedCrop(fr.data, fr.width, fr.height, box, angle, center, size, fr.heap.typedArrayFromHeap(info));
      return fr.tf.engine().makeTensorFromTensorInfo!(info, fr.heap);
    };
  }
  return g.__mmprepCropFrames;
}

/** The parts of tfjs-backend-wasm's backend (4.22, BackendWasm) that its own kernels use to make an output tensor. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfoLike;
  typedArrayFromHeap(info: TensorInfoLike): Float32Array;
}

/** The wasm backend, when this tfjs runs on it and has what frameTensor needs (else null: tf.tensor3d is used). */
function wasmHeapBackend(tf: TfLike): WasmHeapBackend | null {
  const be = tf.getBackend() === 'wasm' ? (tf.backend() as Partial<WasmHeapBackend>) : null;
  const ok = be && typeof be.makeOutput === 'function' && typeof be.typedArrayFromHeap === 'function' && typeof tf.engine().makeTensorFromTensorInfo === 'function';
  return ok ? (be as WasmHeapBackend) : null;
}

/**
 * Human's optional per-face outputs (description, antispoof, liveness), or null when none of them ran (Human attaches
 * an empty embedding and gender 'unknown' to every face even with the description model off).
 */
function describe(f: HumanFace): FaceDescription | null {
  if (!f.embedding?.length && f.real === undefined && f.live === undefined) return null;
  return {
    embedding: Float32Array.from(f.embedding ?? []),
    age: f.age ?? null,
    gender: f.gender ?? null,
    gender_score: f.genderScore ?? null,
    real: f.real ?? null,
    live: f.live ?? null,
  };
}

export class FaceEngine {
  private redetect = true;
  /** Frames analysed by this engine (the start-up check's included). */
  private analysed = 0;
  /** The previous frame's faces on this engine (tracking state; reset by every detector frame). */
  private last: RawFace[] = [];
  private detections = 0;
  /** Counts of the orientation check (orientation.ts) since the engine started; per frame in FrameResult. */
  private turned = 0;
  /** The points the configured stages give, which the start-up check checks (selfcheck.ts). */
  private checkedPoints: CheckedPoints = 478;
  /** Added to the mesh's x and y: MESH_TRUNC_CENTRE where Human truncated them, 0 for its sub-pixel points. */
  private meshCentre = MESH_TRUNC_CENTRE;
  private doubtful = 0;
  /** Detector boxes of this frame whose turned reading agreed (orientation.ts turnedAgrees): their faces are marked. */
  private agreeing: DetectorBox[] = [];
  /** Larger faces at --min-confidence the primary choice left out (primary.ts passedOver), since the engine started. */
  private passedOver = 0;
  /** Other faces in view past --max-faces on the frame being analysed (primary.ts notAnalysed), the most of its detector runs. */
  private notAnalysed = 0;
  /** Off while a detector frame is run again in the detector's own order (analyseDetected). */
  private preferLarger = true;
  /** The box put first on this detector run when it was not the top-scoring one (primary.ts), else null. */
  private reordered: DetectorBox | null = null;
  /** --max-faces, and whether the primary face is analysed apart from the others (analyseByFace). */
  private maxFaces = 1;
  private byFace = false;
  /** Human's face-box cache (its facemesh.ts `cache`: the boxes the next tracked call meshes), from the boxes hook. */
  private humanCache: { boxes: unknown[] } | null = null;
  /** Which faces the detector hook gives Human: how many, and (for the faces after the primary) the faces to leave out. */
  private slots: { n: number; besides: RawFace[] | null } | null = null;
  /** Per group (the primary face; the others): its previous faces and Human's cached boxes after its last call. */
  private readonly groups = [0, 1].map(() => ({ last: [] as RawFace[], cache: [] as unknown[] }));
  /** The frame being analysed (its bytes), for the orientation check's upright views (arbitrate). */
  private frame: { data: Uint8Array; width: number; height: number; colour?: number | null } | null = null;
  /** The frame as float32, reused from frame to frame: a new 3.7 MB array per 640x480 frame kept V8's GC busy. */
  private pixels = new Float32Array(0);
  /** On the wasm backend the frame's bytes go straight into the tensor's memory (frameTensor), without `pixels`. */
  private readonly heap: WasmHeapBackend | null;
  /** Frames are analysed one at a time (one Human instance has one config and one scratch buffer). */
  private busy: Promise<unknown> = Promise.resolve();
  private constructor(
    readonly human: HumanInstance,
    /** Tracking needs the mesh and the patched build (backend.ts); without either every frame is a detector frame. */
    private readonly canTrack: boolean,
    /** Rotated face crops from the frame's bytes (crop.ts, which follows the wasm kernels: wasm backend only). */
    private readonly fastCrop: boolean,
    /** How the eye crops reach the iris model in this thread (iris.ts). */
    private readonly irisMode: IrisMode,
    /** --min-confidence (orientation.ts: candidates below it are left as the detector gave them). */
    private readonly minConfidence: number,
  ) {
    this.heap = wasmHeapBackend(human.tf);
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
    const human = await createHuman(setup);
    mark('face human loaded');
    // MMPREP_FACE_TF_CROP=1 keeps Human's own rotate-then-crop kernels (to compare; test/face-crop.test.ts).
    const fastCrop = humanCropHooked && setup.backend === 'wasm' && process.env.MMPREP_FACE_TF_CROP !== '1';
    if (fastCrop) cropFrames(); // installs the hook
    // Only the patched wasm / cpu build asks the iris hook (backend.ts IRIS_EXECUTE); the others keep Human's flips.
    const iris = humanIrisHooked && (setup.backend === 'wasm' || setup.backend === 'cpu') ? irisMode() : 'human';
    installIrisHook(iris);
    const engine = new FaceEngine(human, humanTrackingPatched && setup.stages?.mesh !== false, fastCrop, iris, setup.minConfidence ?? 0.5);
    if (humanMeshSubpixel && (setup.backend === 'wasm' || setup.backend === 'cpu')) engine.meshCentre = 0;
    engine.checkedPoints = setup.stages?.mesh === false ? 6 : setup.stages?.iris === false ? 468 : 478;
    engine.maxFaces = setup.maxFaces;
    // Human's per-face reuse of the description, antispoof and liveness results is keyed by the face's index in a call:
    // with those on, the faces stay in one call.
    const st = setup.stages;
    const reused = !!(st?.description || st?.antispoof || st?.liveness) && !st?.descriptionEveryFrame;
    engine.byFace = setup.maxFaces > 1 && !reused;
    // Every backend's output orientation is checked on a known face before the first frame (selfcheck.ts): in this
    // engine, or for a pool's later workers in its first worker, which loads the same build (pool.ts workerSetup).
    // With --max-faces 2 or more a worker that skips the check still analyses its frame: the faces are then analysed
    // one group at a time only once Human's box cache is known, which its first detection hands over (analyseByFace);
    // a fresh engine's first block took the one-call path, and with --workers 2 the second worker's first block
    // differed from the same block on the first worker (transform.mp4: frames 9-15 of 75; test/face-startup.test.ts).
    const primes = setup.selfCheck === false && engine.byFace && engine.canTrack;
    const found = setup.selfCheck === false && !primes ? null : await engine.selfCheck();
    const why = setup.selfCheck === false ? null : found;
    mark('face engine ready'); // MMPREP_TIMELINE=1 (common/timeline.ts): after the start-up check when it ran
    if (why) {
      const advice = setup.backend === 'wasm' ? 'reinstall mmprep\'s dependencies (npm ci): the installed Human or tfjs is not the version mmprep was checked with' : 'use --backend wasm (the default)';
      throw new InputError(`backend '${setup.backend}' failed mmprep's start-up check on a known face (turned 15 degrees, off centre): ${why}; ${advice}`);
    }
    return engine;
  }

  /**
   * Analyses the start-up check frame (selfcheck.ts; or `frame`) and says what is wrong with the result, null when it
   * is right. Nothing of it carries over to the next frame: that one goes to the detector (no tracked faces).
   */
  async selfCheck(frame: { data: Uint8Array; width: number; height: number } = checkFrame()): Promise<string | null> {
    const r = await this.analyse({ ...frame, data: frame.data.slice(), redetect: true });
    this.last = [];
    for (const g of this.groups) g.last = [];
    return orientationProblem(r.faces, undefined, this.checkedPoints);
  }

  analyse(task: FrameTask): Promise<FrameResult> {
    const p = this.busy.then(() => this.analyseNow(task)).then((r) => {
      // After its first frames (a detector frame and tracked ones) the thread's compiled bundles go to the code cache.
      if (++this.analysed === CODE_CACHE_AFTER_FRAMES) saveCodeCaches();
      return r;
    });
    this.busy = p.catch(() => undefined);
    return p;
  }

  private async analyseNow(task: FrameTask): Promise<FrameResult> {
    const t0 = performance.now();
    const { data, width, height } = task;
    const tensor = this.frameTensor(data, width, height);
    if (this.fastCrop) cropFrames().set(tensor.dataId, { data, width, height, tf: this.human.tf, heap: this.heap });
    const [d0, t0n, q0, p0] = [this.detections, this.turned, this.doubtful, this.passedOver];
    const frame: { data: Uint8Array; width: number; height: number; colour?: number | null } = { data, width, height };
    this.frame = frame;
    this.agreeing = [];
    this.notAnalysed = 0;
    let faces: RawFace[];
    try {
      if (this.byFace && this.canTrack && this.humanCache) faces = await this.analyseByFace(tensor, task.redetect === false);
      else {
        const track = task.redetect === false && this.canTrack && this.last.length > 0;
        faces = track ? await this.analyseTracked(tensor, this.last) : await this.analyseDetected(tensor);
      }
    } finally {
      tensor.dispose();
      this.frame = null;
    }
    this.last = faces;
    for (const f of faces) if (this.agreeing.some((b) => centreInside(f.box, b))) f.turned_agrees = true;
    // Image contrast per region and of the cheeks, for visibility.ts and plausibility.ts (on the kept result only).
    // The frame's colour for the plausibility check (measured once: isChosenFace may have read it).
    const frameColour = faces.length > 0 ? (frame.colour !== undefined ? frame.colour : frameChroma(data, width, height)) : null;
    for (const f of faces) {
      if (f.mesh.length < 468 * 3) continue;
      f.frame_chroma = frameColour;
      f.contrast = regionContrast(data, width, height, f.mesh);
      f.skin = skinContrast(data, width, height, f.mesh);
      f.look = skinChroma(data, width, height, f.mesh);
      // The iris centres found in the pixels, for gaze (pupil.ts; 1.4-1.9 ms of CPU per face); not with Human's flips.
      f.iris_mode = this.irisMode;
      if (f.mesh.length >= 478 * 3 && this.irisMode !== 'human') f.pupils = meshPupils(data, width, height, f.mesh);
    }
    return { faces, ms: performance.now() - t0, detections: this.detections - d0, turned: this.turned - t0n, doubtful: this.doubtful - q0, passedOver: this.passedOver - p0, notAnalysed: this.notAnalysed };
  }

  /**
   * The frame as a float32 [height, width, 3] tensor. On the wasm backend the bytes are converted into the tensor's
   * own WASM memory, as the backend's kernels make their outputs (makeOutput, typedArrayFromHeap): the same values as
   * tf.tensor3d(Float32Array), without converting into `pixels` first and copying 3.7 MB (640x480) into the heap
   * after (0.46 -> 0.36 CPU ms a frame, docs/benchmarks-history.md face). The other backends copy the values when the tensor
   * is made (tensorflow) or hold them until dispose() (cpu), so `pixels` is free again when the frame is done.
   */
  private frameTensor(data: Uint8Array, width: number, height: number): { dispose(): void; dataId: object } {
    const n = width * height * 3;
    const tf = this.human.tf;
    if (this.heap) {
      const info = this.heap.makeOutput([height, width, 3], 'float32');
      this.heap.typedArrayFromHeap(info).set(data.subarray(0, n)); // Uint8 -> float32 in one native copy
      return tf.engine().makeTensorFromTensorInfo!(info, this.heap);
    }
    if (this.pixels.length !== n) this.pixels = new Float32Array(n);
    this.pixels.set(data.subarray(0, n));
    return tf.tensor3d(this.pixels, [height, width, 3], 'float32');
  }

  /**
   * --max-faces 2 or more: the primary face is analysed as with --max-faces 1 (its own tracking, its own detector
   * frames: the same values; trial32 found 29 of 108 frames of a two-person clip changed when one track's failure sent
   * every face back to the detector, or one face's doubtful mesh had every face meshed again), then the other faces, as
   * one group that leaves the primary face out. Each face's mesh depends on its own crop only, so apart from the
   * groups' calls it is the mesh one call would give. The others follow the detector whenever the primary face did.
   */
  private async analyseByFace(tensor: unknown, tracked: boolean): Promise<RawFace[]> {
    const d0 = this.detections;
    const primary = await this.inGroup(0, tensor, tracked, { n: 1, besides: null });
    const others = await this.inGroup(1, tensor, tracked && this.detections === d0, { n: this.maxFaces - 1, besides: primary });
    const apart = others.filter((f) => !primary.some((p) => overlapsFace(cornersOf(f), p.box)));
    // A tracked face that ran onto the primary one: the others wait for the next detector frame.
    if (apart.length < others.length) this.groups[1] = { last: [], cache: [] };
    primary.forEach((f) => (f.primary = true));
    apart.forEach((f) => (f.primary = false));
    return [...primary, ...apart];
  }

  /** One group's faces on this frame (analyseByFace): tracked from its own previous faces, or through the detector. */
  private async inGroup(g: number, tensor: unknown, tracked: boolean, slots: { n: number; besides: RawFace[] | null }): Promise<RawFace[]> {
    const group = this.groups[g];
    const cache = this.humanCache as { boxes: unknown[] };
    this.slots = slots;
    let faces: RawFace[] = [];
    try {
      // As analyseNow: the primary face goes to the detector when it has no face to track; the others wait for the
      // next detector frame (as a frame's faces did when one of them was tracked).
      if (tracked && group.last.length > 0) {
        cache.boxes = group.cache;
        faces = await this.analyseTracked(tensor, group.last);
      } else if (!tracked || g === 0) faces = await this.analyseDetected(tensor);
    } finally {
      this.slots = null;
    }
    group.last = faces;
    group.cache = cache.boxes;
    return faces;
  }

  /**
   * A frame without the detector: Human crops each face by its box from the previous frame, rotated by the previous
   * frame's mesh. The result is kept when every face's mesh is confident (TRACK_MIN_MESH_SCORE), the crop's rotation
   * agrees with this frame's mesh (TRACK_MAX_ANGLE_DRIFT) and the mesh lies near the crop's centre (TRACK_MAX_SHIFT);
   * when the rotation does not agree or the mesh moved off the centre, the mesh runs again (the boxes now carry this
   * frame's mesh); when a face is lost or doubtful, or the second mesh is still off its crop's centre (a face moving
   * faster than the mesh follows), the detector runs on the frame.
   */
  private async analyseTracked(tensor: unknown, prev: RawFace[]): Promise<RawFace[]> {
    let faces = await this.detect(tensor, false);
    const confident = (fs: RawFace[]) => fs.length === prev.length && fs.every((f) => f.mesh.length >= 468 * 3 && f.mesh_score >= TRACK_MIN_MESH_SCORE);
    if (!confident(faces)) return this.analyseDetected(tensor);
    // The angles' difference wrapped: an upside-down face's angle crosses +-pi from frame to frame.
    const drift = (a: RawFace[], b: RawFace[]) => a.some((f, i) => Math.abs(wrapAngle(cropAngle(f.mesh, TRACK_CROP_GATE) - cropAngle(b[i].mesh, TRACK_CROP_GATE))) > TRACK_MAX_ANGLE_DRIFT);
    const moved = (a: RawFace[], b: RawFace[]) => a.some((f, i) => meshShift(f, b[i]) > TRACK_MAX_SHIFT);
    if (drift(faces, prev) || moved(faces, prev)) {
      // The boxes now carry this frame's mesh: the crop is centred and rotated by the current frame's mesh.
      const first = faces;
      faces = await this.detect(tensor, false);
      if (!confident(faces) || moved(faces, first)) return this.analyseDetected(tensor);
    }
    return faces;
  }

  /**
   * A detector frame. When a face's mesh is doubtful (score under TRACK_MIN_MESH_SCORE: the detector's box or its six
   * points placed the crop badly), the mesh runs once more on a crop placed and rotated by that first mesh, and the
   * second result is kept when no face scores worse (e.g. a second face in a two-face clip: 0.42, then 1.0). A face
   * that is only partly in the picture keeps its low detector score, so --min-confidence still rejects it.
   * When the detector's choice put a larger face before its top-scoring one (primary.ts), that face must come out a
   * confident, plausible human face (plausibility.ts, as the record builder keeps): otherwise the frame is run again in
   * the detector's own order and the first run's counts are dropped (a larger box that is no face, a pattern or a
   * picture on the wall, costs one more detector and mesh run on that frame, and no face is lost to it); that box is
   * counted as a larger face not analysed (passedOver) when the second run keeps a face it does not overlap.
   */
  private async analyseDetected(tensor: unknown): Promise<RawFace[]> {
    const counts = [this.turned, this.doubtful, this.passedOver];
    this.reordered = null;
    const faces = await this.detectAndRemesh(tensor);
    const chosen = this.reordered as DetectorBox | null;
    if (!chosen || faces.some((f) => this.isChosenFace(f, chosen))) return faces;
    // The primary face put first (primary.ts) is not a confident, plausible face: the detector's own order instead,
    // and that larger box is a larger face not analysed (trial33: a blurred, dim face meshed on its first frames only),
    // when a face is then kept that it does not overlap (else it is that face read larger, or there is no primary face).
    [this.turned, this.doubtful, this.passedOver] = counts;
    this.agreeing = [];
    this.preferLarger = false;
    try {
      const again = await this.detectAndRemesh(tensor);
      if (again.length > 0 && !again.some((f) => overlapsFace(chosen, f.box))) this.passedOver++;
      return again;
    } finally {
      this.preferLarger = true;
    }
  }

  /** The detector's faces, each doubtful mesh run again on a crop placed by its first mesh (see analyseDetected). */
  private async detectAndRemesh(tensor: unknown): Promise<RawFace[]> {
    const faces = await this.detect(tensor, true);
    if (!this.canTrack || !faces.some((f) => f.mesh_score < TRACK_MIN_MESH_SCORE && f.mesh.length >= 468 * 3)) return faces;
    const again = await this.detect(tensor, false);
    const better = again.length === faces.length && again.every((g, i) => g.mesh_score >= faces[i].mesh_score);
    return better ? again : faces;
  }

  /** `f` is the face of box `b` (its centre inside the box), above --min-confidence both ways and plausible (nor read the same way turned). */
  private isChosenFace(f: RawFace, b: DetectorBox): boolean {
    if (!centreInside(f.box, b) || this.agreeing.some((a) => centreInside(f.box, a))) return false;
    if (Math.min(f.det_score, f.mesh_score) < this.minConfidence || f.mesh.length < 468 * 3 || !this.frame) return false;
    const { data, width, height } = this.frame;
    const context = { look: skinChroma(data, width, height, f.mesh), frame: this.frameColour(), crop_px: f.crop_px ?? null };
    return implausibility(f.mesh, f.box, skinContrast(data, width, height, f.mesh), { det: f.det_score, mesh: f.mesh_score, yaw: f.yaw }, context) === null;
  }

  /** The frame's colour (appearance.ts frameChroma) for the plausibility check, measured once per frame. */
  private frameColour(): number | null {
    if (!this.frame) return null;
    if (this.frame.colour === undefined) this.frame.colour = frameChroma(this.frame.data, this.frame.width, this.frame.height);
    return this.frame.colour;
  }

  /**
   * The detector's boxes for Human (backend.ts FACE_BOXES hook), checked for orientation: BlazeFace runs on the frame
   * and on the frame turned 180 degrees (tf.reverse of both image axes: exact, no resampling), and orientation.ts
   * merges the two readings. Called by Human whenever it runs its detector on this engine's frame.
   */
  private readonly orientedBoxes = async (input: Tensor4, whole: unknown, getBoxes: GetBoxes, cache?: { boxes: unknown[] }): Promise<DetectorBox[]> => {
    if (cache) this.humanCache = cache;
    const padded = this.detectorView(input);
    try {
      const boxes = await this.orientedBoxesOf(padded ?? input, whole, getBoxes);
      return padded ? boxes.filter((b) => inPicture(b, input.shape[2], input.shape[1])) : boxes;
    } finally {
      padded?.dispose();
    }
  };

  /**
   * A frame wider (taller) than DETECTOR_PAD_ABOVE padded with black rows below (columns right of) it to 16:9,
   * so BlazeFace's square input does not squash its faces further (detector-aspect.ts); null within the ratio. The
   * detector's boxes on it are in the frame's own pixels.
   */
  private detectorView(input: Tensor4): (Tensor4 & { dispose(): void }) | null {
    const [h, w] = [input.shape[1], input.shape[2]];
    const [below, right] = detectorPadding(w, h);
    if (below === 0 && right === 0) return null;
    return (this.human.tf as unknown as TurnTf).pad(input, [[0, 0], [0, below], [0, right], [0, 0]]);
  }

  /** orientedBoxes on the detector's view of the frame (`input`, padded or not). */
  private async orientedBoxesOf(input: Tensor4, whole: unknown, getBoxes: GetBoxes): Promise<DetectorBox[]> {
    const detector = (whole as { face?: { detector?: { maxDetected?: number } } }).face?.detector;
    const withMax = (n: number) => (detector ? { ...(whole as object), face: { ...(whole as { face: object }).face, detector: { ...detector, maxDetected: n } } } : whole);
    // A few boxes more than --max-faces, of which the primary face is chosen (primary.ts); Human meshes only those kept.
    const all = await getBoxes(input, withMax((detector?.maxDetected ?? 1) + PRIMARY_EXTRA_BOXES));
    // analyseByFace: the primary face as with --max-faces 1 (one slot), or the other faces without it.
    const slots = this.slots;
    const maxFaces = slots?.n ?? detector?.maxDetected ?? 1;
    const config = slots ? withMax(maxFaces) : whole;
    const besides = (b: DetectorBox) => !!slots?.besides?.some((f) => overlapsFace(b, f.box));
    const upright = slots?.besides ? all.filter((b) => !besides(b)).slice(0, Math.max(1, maxFaces)) : this.primaryBoxes(all, detector?.maxDetected ?? 1, maxFaces);
    if (process.env.MMPREP_FACE_NO_ORIENT === '1' || surelyUpright(upright, this.minConfidence)) return upright;
    const rev = this.turnedSmall(input);
    let turned: DetectorBox[];
    try {
      turned = await getBoxes(rev, config);
    } finally {
      rev.dispose();
    }
    const [h, w] = [input.shape[1], input.shape[2]];
    const back = turned.map((b) => unturnBox(b, w, h, DETECTOR_SIDE, DETECTOR_SIDE)).filter((b) => !besides(b));
    const r = orientBoxes(upright, back, maxFaces, this.minConfidence);
    this.turned += r.turned;
    this.agreeing.push(...r.agreeing);
    const boxes = r.contested.length ? await this.arbitrate(r, config, getBoxes) : r.boxes;
    return this.refineRolled(boxes, config, getBoxes);
  }

  /**
   * The detector's boxes with the primary face first (primary.ts), `slots` of them; the larger faces left out are
   * counted (as with `maxFaces` slots). In the detector's own order when the choice is off (analyseDetected).
   */
  private primaryBoxes(all: DetectorBox[], maxFaces: number, slots: number): DetectorBox[] {
    if (!this.preferLarger) return all.slice(0, Math.max(1, slots));
    const chosen = primaryFirst(all, maxFaces, this.minConfidence);
    this.passedOver += chosen.passedOver;
    this.notAnalysed = Math.max(this.notAnalysed, chosen.notAnalysed);
    if (chosen.boxes[0] !== all[0]) this.reordered = chosen.boxes[0];
    return chosen.boxes.slice(0, Math.max(1, slots));
  }

  /**
   * Faces read at a strong roll (crop angle beyond ROLL_REFINE, orientation.ts) are read once more on an upright view
   * (uprightView: the picture turned by the reading's axis), where BlazeFace's keypoints are reliable, and the crop is
   * cut by that reading when it corrects the axis by more than ROLL_REFINE_MIN (refinedReading). One more detector run
   * on a 256 px view per such face; none on faces within 60 degrees of upright. A face read past 90 degrees that the
   * view does not show upright at UPRIGHT_VIEW_MIN is left out and counted as doubtful (orientation.ts, trial33).
   */
  private async refineRolled(boxes: DetectorBox[], config: unknown, getBoxes: GetBoxes): Promise<DetectorBox[]> {
    const frame = this.frame;
    if (!frame || !boxes.some((b) => Math.abs(cropRoll(b)) > ROLL_REFINE)) return boxes;
    const tf = this.human.tf as unknown as TurnTf;
    const out: DetectorBox[] = [];
    for (const b of boxes) {
      if (Math.abs(cropRoll(b)) <= ROLL_REFINE || b.confidence < this.minConfidence) {
        out.push(b);
        continue;
      }
      const view = tf.tensor4d(uprightView(frame.data, frame.width, frame.height, b), [1, VIEW_SIDE, VIEW_SIDE, 3]);
      let read: DetectorBox[];
      try {
        read = await getBoxes(view, config);
      } finally {
        view.dispose();
      }
      // Read past 90 degrees and not found upright so: a blurred upright face read upside down, left out (doubtful).
      if (Math.abs(cropRoll(b)) > Math.PI / 2 && uprightScore(read) < UPRIGHT_VIEW_MIN) this.doubtful++;
      else out.push(refinedReading(b, read, this.minConfidence) ?? b);
    }
    return out;
  }

  /**
   * Contested faces (orientation.ts ORIENTATION_CONFIRM: two opposite readings, a narrow lead): BlazeFace is shown the
   * face turned upright by each reading's axis (uprightView; it is trained on upright faces), and the reading whose view
   * it scores higher (uprightScore) is taken; a face neither view shows upright at --min-confidence is left out
   * (doubtful). Two more detector runs on a 256 px view, only for contested faces.
   */
  private async arbitrate(r: OrientedBoxes, config: unknown, getBoxes: GetBoxes): Promise<DetectorBox[]> {
    const frame = this.frame;
    if (!frame) {
      const ties = r.contested.filter((c) => c.tie).map((c) => c.taken);
      this.doubtful += ties.length;
      return r.boxes.filter((b) => !ties.includes(b));
    }
    const tf = this.human.tf as unknown as TurnTf;
    const score = async (b: DetectorBox) => {
      const view = tf.tensor4d(uprightView(frame.data, frame.width, frame.height, b), [1, VIEW_SIDE, VIEW_SIDE, 3]);
      try {
        return uprightScore(await getBoxes(view, config));
      } finally {
        view.dispose();
      }
    };
    let boxes = r.boxes;
    for (const { taken, other, takenTurned, tie } of r.contested) {
      const [st, so] = [await score(taken), await score(other)];
      // A tie of the two readings (orientBoxes) needs the views to differ by the margin as well.
      if (Math.max(st, so) < this.minConfidence || (tie && Math.abs(st - so) < ORIENTATION_MARGIN)) {
        boxes = boxes.filter((b) => b !== taken);
        this.doubtful++;
      } else if (so > st) {
        boxes = boxes.map((b) => (b === taken ? other : b));
        this.turned += takenTurned ? -1 : 1;
      }
    }
    return boxes;
  }

  /**
   * The frame as BlazeFace sees it (resized to DETECTOR_SIDE square, as Human does), turned 180 degrees: the pixel
   * order reversed in JavaScript (tfjs-backend-wasm's Reverse kernel took ~28 ms of CPU on a 640x480 frame, this
   * ~1 ms). The detector's own resize of this input is then an exact copy.
   */
  private turnedSmall(input: Tensor4): Tensor4 & { dispose(): void } {
    const tf = this.human.tf as unknown as TurnTf;
    const small = tf.image.resizeBilinear(input, [DETECTOR_SIDE, DETECTOR_SIDE]);
    const v = small.dataSync();
    small.dispose();
    const out = new Float32Array(v.length);
    for (let p = 0, q = v.length - 3; p < v.length; p += 3, q -= 3) {
      out[q] = v[p];
      out[q + 1] = v[p + 1];
      out[q + 2] = v[p + 2];
    }
    return tf.tensor4d(out, [1, DETECTOR_SIDE, DETECTOR_SIDE, 3]);
  }

  private async detect(tensor: unknown, redetect: boolean): Promise<RawFace[]> {
    this.redetect = redetect;
    if (redetect) this.detections++;
    // Read by the patched build's two rotation thresholds (backend.ts loadTrackingBuild); one frame at a time per thread.
    (globalThis as Record<string, unknown>).__mmprepCropGate = redetect ? 0.2 : TRACK_CROP_GATE;
    (globalThis as Record<string, unknown>).__mmprepFaceBoxes = humanBoxesHooked ? this.orientedBoxes : undefined;
    const res = await this.human.detect(tensor);
    if (res.error) throw new Error(`face analysis failed: ${res.error}`);
    const shape = (tensor as { shape: number[] }).shape; // [h, w, 3] or [1, h, w, 3]
    const [h, w] = shape.slice(shape.length - 3, shape.length - 1);
    return res.face.map((f) => {
      const mesh = new Float64Array(f.mesh.length * 3);
      const c = f.mesh.length > 100 ? this.meshCentre : 0;
      f.mesh.forEach((p, i) => {
        mesh[3 * i] = p[0] + c;
        mesh[3 * i + 1] = p[1] + c;
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
        ...(f.boxRaw && f.mesh.length > 100 ? { crop_px: Math.sqrt(f.boxRaw[2] * w * f.boxRaw[3] * h) } : {}),
        yaw: a ? a.yaw : null,
        pitch: a ? a.pitch : null,
        roll: a ? a.roll : null,
        expr,
        contrast: null,
        skin: null,
        description: describe(f),
      };
    });
  }
}
