/**
 * The face workers `mmprep face` starts before the command line's code loads, as `mmprep audio` starts its pitch
 * worker (audio/pitch-worker-start.ts): bin/mmprep.js starts them first (and cli/main.ts, for a main() called in a
 * process), so that their start-up (thread, Node's bootstrap, tfjs and Human, WASM, models, the start-up check) runs
 * beside the main thread's loading of the CLI and face modules instead of after it.
 *
 * The options that decide the workers (--workers/--jobs, --backend, --models, --max-faces, --min-confidence) are read
 * here from argv by a small reader (earlyFaceOptions) before commander parses them. The run takes the early workers
 * only when their setup and count are exactly the ones its parsed options give (takeEarlyFaceWorkers, extract.ts
 * FaceRun.open); otherwise they are ended and the run starts its own, as before. So what the reader gets wrong costs
 * time, never output. Only the default backend (wasm) starts early; the others start as before.
 */
import { usableCpus } from '../common/cpus.js';
import type { FaceBackend, HumanSetup } from './backend.js';
import { FaceWorkers } from './face-workers.js';
import { checkModelDir, defaultModelDir } from './models.js';

/** Default --min-confidence: see docs/face.md ("Choosing the threshold") for the fixture scores it was chosen from. */
export const DEFAULT_MIN_CONFIDENCE = 0.5;

/** The backend that starts early: the default (the others need a package checked, or are not worth it: cpu). */
const EARLY_BACKEND: FaceBackend = 'wasm';

/**
 * Human's own detector cut-off for a --min-confidence: below ours so that --min-confidence alone decides face_found
 * (never 0: Human reads a 0 cut-off as 1).
 */
export function detectorMinConfidence(minConfidence: number): number {
  return Math.max(0.01, Math.min(0.1, minConfidence));
}

/** The options a run's workers are made from (resolved: defaults applied). */
export interface WorkerOptions {
  backend: FaceBackend;
  modelDir: string;
  maxFaces: number;
  minConfidence: number;
  stages?: HumanSetup['stages'];
}

/** The setup every worker of a run gets (the key the early workers are matched by; FaceRun.open makes its own with it). */
export function faceWorkerSetup(o: WorkerOptions & { detectorMinConfidence?: number }): HumanSetup {
  return { backend: o.backend, modelDir: o.modelDir, maxFaces: o.maxFaces, detectorMinConfidence: o.detectorMinConfidence ?? detectorMinConfidence(o.minConfidence), minConfidence: o.minConfidence, stages: o.stages };
}

/** Options of `mmprep face` with a value that decide the workers, by every name commander takes for them. */
const VALUE_OPTIONS: Record<string, 'workers' | 'jobs' | 'backend' | 'models' | 'maxFaces' | 'minConfidence'> = {
  '--workers': 'workers',
  '--jobs': 'jobs',
  '-j': 'jobs',
  '--backend': 'backend',
  '--models': 'models',
  '--max-faces': 'maxFaces',
  '--min-confidence': 'minConfidence',
};

/**
 * The worker options of a `mmprep face` command line (argv as process.argv: node, script, 'face', ...), read without
 * commander: `--name value`, `--name=value`, `-jN`; the last one given counts, and --jobs over --workers (cli/face.ts).
 * Null when the command is not `face`, asks for help, runs without workers (--workers 0) or on another backend, a
 * value is not what the option takes (commander then refuses it, or the run's own parse decides), or the --models
 * folder given does not hold the models (the run refuses it).
 */
export function earlyFaceOptions(argv: string[]): (WorkerOptions & { workers: number }) | null {
  const args = argv.slice(2);
  if (args.find((a) => !a.startsWith('-')) !== 'face' || args.some((a) => a === '-h' || a === '--help')) return null;
  const given: Partial<Record<(typeof VALUE_OPTIONS)[string], string>> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : /^-j\d/.test(a) ? '-j' : a;
    const key = VALUE_OPTIONS[name];
    if (!key) continue;
    const value = eq > 0 ? a.slice(eq + 1) : name !== a ? a.slice(2) : args[++i];
    if (value === undefined) return null;
    given[key] = value;
  }
  const workers = given.jobs ?? given.workers;
  const o = {
    backend: (given.backend ?? EARLY_BACKEND) as FaceBackend,
    modelDir: given.models ?? defaultModelDir(),
    maxFaces: given.maxFaces === undefined ? 1 : Number(given.maxFaces),
    minConfidence: given.minConfidence === undefined ? DEFAULT_MIN_CONFIDENCE : Number(given.minConfidence),
    workers: workers === undefined ? usableCpus() : Number(workers),
  };
  const valid = o.backend === EARLY_BACKEND && Number.isInteger(o.maxFaces) && o.maxFaces >= 1 && o.minConfidence >= 0 && o.minConfidence <= 1;
  return valid && Number.isInteger(o.workers) && o.workers >= 1 && o.workers <= 64 && (given.models === undefined || modelsThere(given.models)) ? o : null;
}

/** Whether a --models folder holds the models (else the run refuses it, and workers started for it are wasted). */
function modelsThere(dir: string): boolean {
  try {
    checkModelDir(dir);
    return true;
  } catch {
    return false;
  }
}

/** The early workers: their setup (JSON, the match key), and the workers, or null when none were started or left. */
let early: { key: string; workers: FaceWorkers } | null = null;

/**
 * Starts the workers a `mmprep face` command line asks for (nothing for another command, or when earlyFaceOptions
 * gives null), with their engines (a warm task each: model load, WASM, the first worker's start-up check). Once.
 */
export function startEarlyFaceWorkers(argv: string[]): void {
  if (early) return;
  const o = earlyFaceOptions(argv);
  if (!o) return;
  const setup = faceWorkerSetup(o);
  const workers = new FaceWorkers(setup, o.workers);
  workers.startEngines();
  early = { key: JSON.stringify(setup), workers };
}

/**
 * The early workers when they are the ones this run would start (same setup, same count); else null, and workers
 * started early for another setup are ended (in the background; disposeEarlyFaceWorkers waits for it).
 */
export function takeEarlyFaceWorkers(setup: HumanSetup, count: number): FaceWorkers | null {
  const e = early;
  if (!e) return null;
  if (e.key === JSON.stringify(setup) && e.workers.pools.length === count) {
    early = null;
    return e.workers;
  }
  void disposeEarlyFaceWorkers();
  return null;
}

let ending: Promise<void> = Promise.resolve();

/** Ends the early workers unless a run took them (idempotent); settles when every worker ended this way has. */
export function disposeEarlyFaceWorkers(): Promise<void> {
  const e = early;
  early = null;
  if (e) ending = Promise.all([ending, e.workers.destroy()]).then(() => undefined);
  return ending;
}

/** Whether workers started early are waiting to be taken (tests). */
export function earlyFaceWorkersWaiting(): boolean {
  return early !== null;
}
