/**
 * Creating a Human instance on one of the tfjs backends, offline:
 * - wasm (default): Human's node-wasm build on @tensorflow/tfjs-backend-wasm, with setWasmPaths pointing at the .wasm
 *   binaries inside node_modules (Human calls tf.setWasmPaths(config.wasmPath)); WASM threads are off (they do not
 *   work in Node), parallelism comes from worker_threads (see pool.ts);
 * - cpu: the same build on @tensorflow/tfjs-backend-cpu (pure JS, slow);
 * - tensorflow / tensorflow-gpu: Human's node / node-gpu builds on @tensorflow/tfjs-node(-gpu), loaded only when the
 *   user installed them (they download libtensorflow at install time, so they are never our dependencies).
 */
import { existsSync, readFileSync } from 'node:fs';
import NodeModule, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InputError } from '../common/errors.js';
import { compileCommonJs } from './code-cache.js';
import { installLeanConcat } from './concat-kernel.js';
import { installGraphReplay, type ReplayModel, type ReplayTf } from './graph-replay.js';
import { checkModelDir, defaultModelDir, humanPackageDir, modelBaseUrl, registerFileRouter } from './models.js';

export const FACE_BACKENDS = ['wasm', 'cpu', 'tensorflow', 'tensorflow-gpu'] as const;
export type FaceBackend = (typeof FACE_BACKENDS)[number];

const NODE_PACKAGE: Record<'tensorflow' | 'tensorflow-gpu', string> = {
  tensorflow: '@tensorflow/tfjs-node',
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
};

/** Which stages run (mesh, iris, expression on by default; the bench switches them on one by one). */
export interface FaceStages {
  mesh: boolean;
  iris: boolean;
  expression: boolean;
  /**
   * Human's description model (faceres: HSE-FaceRes age, gender and a 1024-d face embedding), off by default. It runs
   * on detector frames only and its result is reused on the tracked frames between (Human's per-face cache).
   */
  description: boolean;
  /** Measurement only (scripts): run the description model on every frame, not once per detector frame. */
  descriptionEveryFrame: boolean;
  /** Measurement only: fraction of the face crop trimmed off each side before the description model (Human's `crop`). */
  descriptionCrop: number;
  /** Human's antispoof and liveness models (measurement only; off by default). */
  antispoof: boolean;
  liveness: boolean;
}

export interface HumanSetup {
  backend: FaceBackend;
  modelDir?: string;
  maxFaces: number;
  /** Human's own detector/mesh cut-off; kept low so that --min-confidence decides face_found. */
  detectorMinConfidence: number;
  /** --min-confidence: the orientation check (orientation.ts) leaves detector candidates below it as they are. */
  minConfidence?: number;
  stages?: Partial<FaceStages>;
  /**
   * Run the start-up orientation check (selfcheck.ts; default true). False where the check's frame is made, and for a
   * pool's workers after the first, which load the same build as the first (pool.ts workerSetup).
   */
  selfCheck?: boolean;
}

/** The parts of Human's API we use (typed here so we do not depend on its bundled .d.ts). */
export interface HumanFace {
  score: number;
  boxScore: number;
  faceScore: number;
  box: [number, number, number, number];
  /** The box unclamped, as fractions of the frame's width and height (Human's getRawBox). */
  boxRaw?: [number, number, number, number];
  mesh: Array<[number, number, number?]>;
  rotation?: { angle: { roll: number; yaw: number; pitch: number } } | null;
  emotion?: Array<{ score: number; emotion: string }>;
  embedding?: number[];
  age?: number;
  gender?: string;
  genderScore?: number;
  real?: number;
  live?: number;
}
export interface HumanInstance {
  version: string;
  config: Record<string, unknown>;
  tf: TfLike;
  load(): Promise<void>;
  detect(input: unknown): Promise<{ face: HumanFace[]; error?: string | null }>;
  models: { loaded?: () => string[]; models?: Record<string, unknown> };
}
export interface TfLike {
  version_core?: string;
  version?: Record<string, string>;
  tensor3d(values: Float32Array | Int32Array, shape: [number, number, number], dtype?: string): { dispose(): void; dataId: object };
  tensor4d(values: Float32Array, shape: [number, number, number, number]): unknown;
  getBackend(): string;
  env(): { set(flag: string, v: unknown): void };
  io: Parameters<typeof registerFileRouter>[0] & { getLoadHandlers(url: string): unknown[] };
  engine(): { registryFactory: Record<string, unknown>; makeTensorFromTensorInfo?(info: TensorInfoLike, backend: unknown): { dispose(): void; dataId: object } };
  backend(): unknown;
}
/** A tensor's data as tfjs's backends describe it (what a kernel returns before tfjs wraps it in a Tensor). */
export interface TensorInfoLike {
  dataId: object;
  shape: number[];
  dtype: string;
}

export function isFaceBackend(v: string): v is FaceBackend {
  return (FACE_BACKENDS as readonly string[]).includes(v);
}

/** A require() that resolves from the user's project (cwd) first, then from mmprep's own location. */
function resolveOptional(pkg: string): string | null {
  for (const from of [join(process.cwd(), 'package.json'), join(humanPackageDir(), 'package.json')]) {
    try {
      return createRequire(from).resolve(pkg);
    } catch {
      /* try next */
    }
  }
  return null;
}

export function installHint(backend: 'tensorflow' | 'tensorflow-gpu'): string {
  const pkg = NODE_PACKAGE[backend];
  return `backend '${backend}' needs ${pkg}, which is not installed: run \`npm install ${pkg}@4.22.0\` (it downloads libtensorflow${backend === 'tensorflow-gpu' ? ' with CUDA' : ''}), or use --backend wasm`;
}

/** Path of the .wasm binaries shipped by @tensorflow/tfjs-backend-wasm (trailing slash, as setWasmPaths wants). */
export function wasmDir(humanRequire: NodeRequire): string {
  return dirname(humanRequire.resolve('@tensorflow/tfjs-backend-wasm')) + '/';
}

function packageVersion(req: NodeRequire, pkg: string): string | null {
  try {
    const main = req.resolve(pkg);
    let d = dirname(main);
    for (let i = 0; i < 5; i++) {
      const pj = join(d, 'package.json');
      if (existsSync(pj)) {
        const j = JSON.parse(readFileSync(pj, 'utf8')) as { name?: string; version?: string };
        if (j.name === pkg) return j.version ?? null;
      }
      d = dirname(d);
    }
  } catch {
    /* not installed */
  }
  return null;
}

/** Loads Human's build for the backend; throws InputError when a backend's package is missing. */
function loadHumanModule(backend: FaceBackend): { Human: new (cfg: Record<string, unknown>) => HumanInstance; req: NodeRequire } {
  const dist = join(humanPackageDir(), 'dist');
  if (backend === 'tensorflow' || backend === 'tensorflow-gpu') {
    const p = resolveOptional(NODE_PACKAGE[backend]);
    if (!p) throw new InputError(installHint(backend));
    // Human's node builds `require('@tensorflow/tfjs-node')` from its own folder; point that at the user's copy.
    const req = createRequire(p);
    const file = join(dist, backend === 'tensorflow' ? 'human.node.js' : 'human.node-gpu.js');
    const humanReq = createRequire(file);
    let mod: { Human?: unknown; default?: unknown };
    try {
      mod = humanReq(file) as { Human?: unknown };
    } catch (e) {
      throw new InputError(`backend '${backend}': ${NODE_PACKAGE[backend]} is installed but failed to load (${(e as Error).message.split('\n')[0]})`);
    }
    void req;
    return { Human: (mod.Human ?? mod.default) as new (cfg: Record<string, unknown>) => HumanInstance, req: humanReq };
  }
  const file = join(dist, 'human.node-wasm.js');
  const humanReq = createRequire(file);
  if (backend === 'cpu') humanReq('@tensorflow/tfjs-backend-cpu'); // registers 'cpu' with the same tfjs-core instance
  // The cpu backend's package registers with the default tfjs-core build, so it keeps the default builds throughout.
  const mod = loadTrackingBuild(file, backend === 'wasm');
  return { Human: (mod.Human ?? mod.default) as new (cfg: Record<string, unknown>) => HumanInstance, req: humanReq };
}

/**
 * Human's face mesh stage keeps, for each face, a box for the next frame (used when the detector is skipped): its
 * centre follows the mesh but its `landmarks` stay the detector's six points from the frame the box was detected on,
 * and the face crop of every later frame is rotated upright by those stale points (facemesh.ts, `calculatedBox`).
 * Human's own rotation code already takes a mesh when it finds one there (facemeshutil.ts correctFaceRotation: mesh
 * symmetry line 13-168), so the fix is one substitution: the box for the next frame carries this frame's mesh, as in
 * MediaPipe's face-mesh graph (ROI from the previous frame's landmarks). Second substitution: the 0.2 rad below which
 * Human does not rotate a crop (in correctFaceRotation and transformRawCoords, which must agree) is read from
 * globalThis.__mmprepCropGate, which FaceEngine sets per call (0.2 on detector frames, as before). Third: the rotated
 * face crop (rotate the whole frame, then crop the box) is asked first of globalThis.__mmprepRotateCrop (box, frame
 * tensor, angle, centre, size), which FaceEngine answers with the same values computed for the crop's pixels only
 * (crop.ts), or with nothing to keep Human's own two kernels. The bundle is compiled from its own path, so its requires
 * resolve as before. Pinned to Human 3.3.6; when the first two patterns are not found exactly as expected the original
 * build is loaded and every frame goes through the detector; without the third, Human crops as before.
 */
const CROP_GATE = /Math\.abs\(([\w$]+)\)>\.2\b/g;
const CACHED_BOX = /(let [\w$]+=\{\.\.\.[\w$]+\(([\w$]+)\.mesh,[\w$]+\),confidence:[\w$]+\.confidence,landmarks:)[\w$]+\.landmarks(,size:[\w$]+\.size\})/g;
// i=tf.image.rotateWithOffset(input,angle,0,[c[0],c[1]]);matrix=build(-angle,center),face=cut(box,i,[size,size]),tf.dispose(i)
const ROTATED_CROP =
  /(?<![\w$])([\w$]+)=([\w$]+)\.image\.rotateWithOffset\(([\w$]+),([\w$]+),0,\[([\w$]+)\[0\],\5\[1\]\]\);([\w$]+)=([\w$]+)\(-\4,([\w$]+)\),([\w$]+)=([\w$]+)\(([\w$]+),\1,\[([\w$]+),\12\]\),\2\.dispose\(\1\)/g;
const ROTATED_CROP_HOOK = '$1=null;$6=$7(-$4,$8),$9=globalThis.__mmprepRotateCrop?.($11,$3,$4,$5,$12)??($1=$2.image.rotateWithOffset($3,$4,0,[$5[0],$5[1]]),$10($11,$1,[$12,$12])),$1&&$2.dispose($1)';
// c=tf.concat([l,r]);tf.dispose(l),tf.dispose(r);let o=model.execute(c);  (iris.ts: how the eye crops reach the iris model)
const IRIS_EXECUTE = /([\w$]+)=([\w$]+)\.concat\(\[([\w$]+),([\w$]+)\]\);\2\.dispose\(\3\),\2\.dispose\(\4\);let ([\w$]+)=([\w$]+)\.execute\(\1\);/g;
const IRIS_EXECUTE_HOOK = '$1=$2.concat([$3,$4]);$2.dispose($3),$2.dispose($4);let $5=globalThis.__mmprepIrisExecute?.($6,$1,$2)??$6.execute($1);';
// cache.boxes=await getBoxes(input,config),cache.timestamp=  (the face detector's boxes on a detector frame)
const FACE_BOXES = /([\w$]+)\.boxes=await ([\w$]+)\(([\w$]+),([\w$]+)\),\1\.timestamp=/g;
const FACE_BOXES_HOOK = '$1.boxes=await(globalThis.__mmprepFaceBoxes?.($3,$4,$2,$1)??$2($3,$4)),$1.timestamp=';
// return c.map(x=>[Math.trunc(x[0]+y[0]),Math.trunc(x[1]+y[1]),Math.trunc(x[2]||0)])  (facemeshutil transformRawCoords)
const MESH_TRUNC = /return ([\w$]+)\.map\(([\w$]+)=>\[Math\.trunc\(\2\[0\]\+([\w$]+)\[0\]\),Math\.trunc\(\2\[1\]\+\3\[1\]\),Math\.trunc\(\2\[2\]\|\|0\)\]\)/g;
const MESH_SUBPIXEL = 'return $1.map($2=>[$2[0]+$3[0],$2[1]+$3[1],$2[2]||0])';
/**
 * The build returns the face mesh (iris points included) as the model computed it, not truncated to whole pixels of the
 * inference picture (Human 3.3.6 facemeshutil transformRawCoords: Math.trunc of x, y and z). MediaPipe's face-mesh graph
 * keeps the landmarks as floats (LandmarkProjectionCalculator); the truncation put every point on a whole pixel of a
 * crop that settles after each detector frame, so an eye corner jumped a pixel on a still face and gaze with it
 * (docs/face.md "Gaze", frame-to-frame jitter). The next frame's box, the eye crops and the records all take the
 * unrounded points. Without the pattern the points stay truncated and engine.ts adds MESH_TRUNC_CENTRE.
 */
export let humanMeshSubpixel = false;
/**
 * The build asks globalThis.__mmprepFaceBoxes(input, config, getBoxes, cache) for the detector's face boxes
 * (orientation.ts); `cache` is the mesh stage's box cache, which FaceEngine sets per group of faces (analyseByFace).
 */
export let humanBoxesHooked = false;
/** The build asks globalThis.__mmprepIrisExecute for the iris model's output (iris.ts). */
export let humanIrisHooked = false;
export let humanTrackingPatched = false;
/** The build asks globalThis.__mmprepRotateCrop for rotated face crops (engine.ts answers from the frame's bytes). */
export let humanCropHooked = false;
/**
 * Where `re` matches within a short window around each occurrence of the literal `anchor` (a pattern that starts with
 * an identifier class is tried at every position of the 320 kB bundle otherwise: about 10 ms a search, per worker).
 */
function matchesNear(src: string, anchor: string, re: RegExp): Array<{ start: number; end: number; text: string }> {
  const out: Array<{ start: number; end: number; text: string }> = [];
  const local = new RegExp(re.source);
  for (let i = src.indexOf(anchor); i >= 0; i = src.indexOf(anchor, i + 1)) {
    const from = Math.max(0, i - 64);
    const m = local.exec(src.slice(from, i + 256));
    if (m && from + m.index < i && from + m.index + m[0].length > i) out.push({ start: from + m.index, end: from + m.index + m[0].length, text: m[0] });
  }
  return out;
}

/**
 * tfjs's ES2017 builds (`dist/*.es2017.js` of each package, UMD): the same 4.22 sources and kernels as the default
 * `main` builds, which are compiled down to ES5 (destructuring through the `__read` iterator helper, async functions
 * as `__generator` state machines). V8's optimising compiler (TurboFan) spends far longer on the ES5 code:
 * computeConv2DInfo (six `__read` calls inlined) alone took ~0.3-0.6 s of a worker's compile time
 * (`node --trace-opt`), and every worker pays it again. The output is the same bytes (docs/face.md "Performance notes").
 */
const ES2017_BUILDS: Record<string, string> = {
  '@tensorflow/tfjs-core': 'tf-core.es2017.js',
  '@tensorflow/tfjs-converter': 'tf-converter.es2017.js',
  '@tensorflow/tfjs-backend-wasm': 'tf-backend-wasm.es2017.js',
};
const es2017Modules = new Map<string, unknown>();

/**
 * Compiles `code` as the CommonJS module `file` (through the V8 code cache, code-cache.ts); `route` answers the
 * module's require() calls first.
 */
function compileModule(file: string, code: string, route: (id: string) => unknown): unknown {
  const m = new NodeModule(file);
  m.filename = file;
  m.paths = (NodeModule as unknown as { _nodeModulePaths(d: string): string[] })._nodeModulePaths(dirname(file));
  const plain = m.require.bind(m);
  const fileRequire = createRequire(file);
  const req = Object.assign((id: string) => route(id) ?? plain(id), { resolve: fileRequire.resolve, cache: fileRequire.cache, main: fileRequire.main, extensions: fileRequire.extensions });
  m.require = req as NodeJS.Require;
  compileCommonJs(file, code).call(m.exports, m.exports, req, m, file, dirname(file));
  m.loaded = true;
  return m.exports;
}

/**
 * A require() for tfjs's packages that loads their ES2017 builds, one instance per thread, with their own requires of
 * each other routed the same way (one tfjs-core for all); undefined for other packages, or when a package has no such
 * build next to its main file (the caller then requires the default build).
 */
function es2017Require(from: string): (id: string) => unknown {
  const req = createRequire(from);
  return (id) => {
    const build = ES2017_BUILDS[id];
    if (!build) return undefined;
    const file = join(dirname(req.resolve(id)), build);
    if (!existsSync(file)) return undefined;
    if (!es2017Modules.has(file)) es2017Modules.set(file, compileModule(file, readFileSync(file, 'utf8'), es2017Require(file)));
    return es2017Modules.get(file);
  };
}

const trackingBuilds = new Map<string, { Human?: unknown; default?: unknown }>();
/** Human's bundle with the substitutions above; `es2017`: its tfjs packages from their ES2017 builds (wasm backend). */
function loadTrackingBuild(file: string, es2017: boolean): { Human?: unknown; default?: unknown } {
  const key = `${file}:${es2017}`;
  const cached = trackingBuilds.get(key);
  if (cached) return cached;
  const src = readFileSync(file, 'utf8');
  if (src.match(CACHED_BOX)?.length !== 1 || src.match(CROP_GATE)?.length !== 2) return createRequire(file)(file) as { Human?: unknown };
  let code = src.replace(CACHED_BOX, '$1$2.mesh$3').replace(CROP_GATE, 'Math.abs($1)>(globalThis.__mmprepCropGate??.2)');
  // The crop hook is a speed-up only: without its pattern the build still tracks, with Human's own crop.
  const crop = matchesNear(code, '.image.rotateWithOffset(', ROTATED_CROP);
  humanCropHooked = crop.length === 1;
  if (humanCropHooked) code = code.slice(0, crop[0].start) + crop[0].text.replace(ROTATED_CROP, ROTATED_CROP_HOOK) + code.slice(crop[0].end);
  // The boxes hook (upside-down faces, orientation.ts): without it no face is checked for orientation (engine.ts).
  const boxes = matchesNear(code, '.timestamp=', FACE_BOXES);
  humanBoxesHooked = new Set(boxes.map((m) => m.start)).size === 1;
  if (humanBoxesHooked) code = code.slice(0, boxes[0].start) + boxes[0].text.replace(FACE_BOXES, FACE_BOXES_HOOK) + code.slice(boxes[0].end);
  // The iris hook: searched in the 600 characters after the right eye's crop (augmentIris), the only place it is.
  const at = code.indexOf('.rightBounds[1],');
  const win = at >= 0 && code.indexOf('.rightBounds[1],', at + 1) < 0 ? code.slice(at, at + 600) : '';
  humanIrisHooked = win.match(IRIS_EXECUTE)?.length === 1;
  if (humanIrisHooked) code = code.slice(0, at) + win.replace(IRIS_EXECUTE, IRIS_EXECUTE_HOOK) + code.slice(at + 600);
  // The face mesh's sub-pixel points: the one transformRawCoords of the face (the hand's truncates z without `||0`).
  const trunc = matchesNear(code, '=>[Math.trunc(', MESH_TRUNC);
  humanMeshSubpixel = trunc.length === 1;
  if (humanMeshSubpixel) code = code.slice(0, trunc[0].start) + trunc[0].text.replace(MESH_TRUNC, MESH_SUBPIXEL) + code.slice(trunc[0].end);
  const exports = compileModule(file, code, es2017 ? es2017Require(file) : () => undefined) as { Human?: unknown };
  humanTrackingPatched = true;
  trackingBuilds.set(key, exports);
  return exports;
}

/** Versions of what a backend runs on (for `mmprep doctor` and the summary). */
export function backendVersions(backend: FaceBackend): Record<string, string | null> {
  const dist = join(humanPackageDir(), 'dist');
  const req = createRequire(join(dist, 'human.node-wasm.js'));
  const v: Record<string, string | null> = {
    '@vladmandic/human': packageVersion(req, '@vladmandic/human') ?? JSON.parse(readFileSync(join(humanPackageDir(), 'package.json'), 'utf8')).version,
    '@tensorflow/tfjs-core': packageVersion(req, '@tensorflow/tfjs-core'),
  };
  if (backend === 'wasm') v['@tensorflow/tfjs-backend-wasm'] = packageVersion(req, '@tensorflow/tfjs-backend-wasm');
  if (backend === 'cpu') v['@tensorflow/tfjs-backend-cpu'] = packageVersion(req, '@tensorflow/tfjs-backend-cpu');
  if (backend === 'tensorflow' || backend === 'tensorflow-gpu') {
    const p = resolveOptional(NODE_PACKAGE[backend]);
    v[NODE_PACKAGE[backend]] = p ? packageVersion(createRequire(p), NODE_PACKAGE[backend]) : null;
  }
  return v;
}

/** Human's configuration for per-frame analysis: every result comes from the frame itself (no caches, no skipping). */
export function humanConfig(setup: HumanSetup, modelDir: string, wasmPath: string): Record<string, unknown> {
  const st: FaceStages = { mesh: true, iris: true, expression: true, description: false, descriptionEveryFrame: false, descriptionCrop: 0, antispoof: false, liveness: false, ...setup.stages };
  // Reused on tracked frames: Human reuses a per-face result while skipAllowed (pinned by FaceEngine to "not a detector
  // frame"); never by elapsed time (not deterministic).
  const reuse = st.descriptionEveryFrame ? { skipFrames: 0, skipTime: 0 } : { skipFrames: 1e9, skipTime: 1e12 };
  return {
    backend: setup.backend,
    modelBasePath: modelBaseUrl(modelDir),
    wasmPath,
    debug: false,
    async: false,
    warmup: 'none',
    // Human's whole-frame cache returns the previous frame's results while the image changes little: off.
    cacheSensitivity: 0,
    cacheModels: false,
    skipAllowed: false,
    filter: { enabled: false },
    face: {
      enabled: true,
      detector: {
        modelPath: 'blazeface.json',
        // Rotate the face crop upright from the detector's eye line before the mesh (better landmarks under roll).
        rotation: true,
        maxDetected: setup.maxFaces,
        // Box reuse is decided per frame by FaceEngine (never by elapsed time, which would not be deterministic).
        skipFrames: 1e9,
        skipTime: 1e12,
        minConfidence: setup.detectorMinConfidence,
        iouThreshold: 0.1,
        return: false,
      },
      mesh: { enabled: st.mesh, modelPath: 'facemesh.json' },
      attention: { enabled: false },
      iris: { enabled: st.mesh && st.iris, modelPath: 'iris.json' },
      // minConfidence -1: Human then reports all seven probabilities, not only those above a cut-off.
      emotion: { enabled: st.expression, modelPath: 'emotion.json', skipFrames: 0, skipTime: 0, minConfidence: -1 },
      // minConfidence 0: the gender confidence is reported however low.
      description: { enabled: st.mesh && (st.description || st.descriptionEveryFrame), modelPath: 'faceres.json', minConfidence: 0, crop: st.descriptionCrop, ...reuse },
      antispoof: { enabled: st.antispoof, modelPath: 'antispoof.json', ...reuse },
      liveness: { enabled: st.liveness, modelPath: 'liveness.json', ...reuse },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
  };
}

/**
 * Creates and loads a Human instance. Throws InputError for a missing model folder or backend package, and when a
 * model or the backend fails to initialise (Human itself only logs those).
 */
export async function createHuman(setup: HumanSetup): Promise<HumanInstance> {
  const modelDir = checkModelDir(setup.modelDir ?? defaultModelDir());
  const { Human, req } = loadHumanModule(setup.backend);
  const wasmPath = setup.backend === 'wasm' ? wasmDir(req) : '';
  const human = new Human(humanConfig(setup, modelDir, wasmPath));
  const tf = human.tf;
  // WASM threads need SharedArrayBuffer workers that tfjs cannot start in Node: use the single-threaded SIMD binary.
  if (setup.backend === 'wasm') tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  // tfjs-node registers its own file:// router; the wasm/cpu builds have none, so we add ours.
  if (tf.io.getLoadHandlers(modelBaseUrl(modelDir) + 'facemesh.json').length === 0) registerFileRouter(tf.io);
  const log = console.log;
  const warn = console.warn;
  const errs: string[] = [];
  // Human reports load failures through its own log (console) instead of throwing; capture them.
  console.log = (...a: unknown[]) => errs.push(a.map(String).join(' '));
  console.warn = console.log;
  try {
    // Sets up the backend too (Human 3.3.6 load(): backend check and tf.ready() on its first call). No probe frame:
    // an 8x8 probe ran the face detector (about 30 ms of CPU) in every worker, and the first real frame pays the
    // detector's one-off set-up anyway.
    await human.load();
  } finally {
    console.log = log;
    console.warn = warn;
  }
  const want = setup.backend === 'tensorflow-gpu' ? 'tensorflow' : setup.backend;
  if (tf.getBackend() !== want) {
    throw new InputError(`backend '${setup.backend}' failed to initialise${errs.length ? ` (${errs[errs.length - 1].slice(0, 200)})` : ''}`);
  }
  const bad = errs.find((e) => /error/i.test(e));
  if (bad) throw new InputError(`cannot load face models from ${modelDir} (${bad.slice(0, 200)})`);
  // The wasm backend's Concat kernel, lean (same bytes; concat-kernel.ts): less of V8's compile work per worker.
  if (setup.backend === 'wasm') installLeanConcat(tf);
  // Each model's kernel calls replayed without tfjs's graph executor and op layer (same bytes; graph-replay.ts).
  if (setup.backend === 'wasm') for (const m of Object.values(human.models.models ?? {})) if (m) installGraphReplay(m as ReplayModel, tf as unknown as ReplayTf);
  return human;
}

/** Throws the install hint when an opt-in backend's package is not installed (checked before any work starts). */
export function loadableBackendCheck(backend: FaceBackend): void {
  if (!isFaceBackend(backend)) throw new InputError(`unknown backend '${String(backend)}' (expected ${FACE_BACKENDS.join(', ')})`);
  if ((backend === 'tensorflow' || backend === 'tensorflow-gpu') && !resolveOptional(NODE_PACKAGE[backend])) throw new InputError(installHint(backend));
}
