/**
 * Frame analysis on N worker threads (piscina), or in-process when workers is 0. Frames are submitted in decode
 * order and their results awaited in the same order (a FIFO of promises), so records come out in order whatever
 * worker finishes first. The number of frames in flight is bounded, so memory stays flat.
 *
 * Detector box reuse: frames go in blocks of DETECT_EVERY consecutive frames; the face detector runs on a block's
 * first frame and the later frames take their boxes from the previous frame's mesh. Each block goes whole to one
 * worker (one single-thread piscina pool per worker): to the worker with the fewest frames outstanding when the block
 * starts, so a worker that fell behind (a slow block, a core taken by another process) is not handed more while the
 * other waits. What a frame's result depends on is fixed by the block layout alone (a block starts with the detector,
 * which resets the tracking state), so the output is the same for any --workers and any scheduling. A scene cut (most
 * of a coarse thumbnail changed at once: film edits, unrelated images in a row) sends its frame to the detector too,
 * since the previous frame's mesh says nothing about it (a tracked crop there can give a confident, wrong mesh).
 */
import type { Piscina } from 'piscina';
import { InputError } from '../common/errors.js';
import { mark } from '../common/timeline.js';
import type { HumanSetup } from './backend.js';
import { FaceEngine, type FrameResult, type FrameTask, type WarmTask } from './engine.js';
import { FaceWorkers, workerSetup } from './face-workers.js';
import { meanLuma } from './luma.js';

export { FaceWorkers, TASKS_IN_WORKER, workerSetup } from './face-workers.js';

/**
 * Frames per detector run: the detector runs on the first frame of each block and the other frames track the faces
 * from the previous frame's mesh (engine.ts). 8 at 30 fps re-detects every 0.27 s (a new face appears in the output
 * within 8 frames); tracked frames whose mesh is doubtful go back to the detector at once. On the bench clip a tracked
 * frame costs about two thirds of a detector frame in CPU time; the fidelity tests (landmarks, roll) hold.
 */
export const DETECT_EVERY = 8;

/** Thumbnail of a frame for cut detection: CUT_GRID x CUT_GRID cell means from a sparse sample of each cell. */
const CUT_GRID = 16;
/** A cell whose mean grey changes by more than this (0..255) between frames has changed... */
const CUT_CELL_CHANGE = 24;
/** ... and a frame where more than this share of the cells changed is a cut: the previous mesh says nothing. */
const CUT_SHARE = 0.4;

/** Mean grey of each thumbnail cell of an RGB frame, from 4x4 samples per cell (cheap: 4096 samples a frame). */
export function frameThumbnail(data: Uint8Array, width: number, height: number): Float32Array {
  const out = new Float32Array(CUT_GRID * CUT_GRID);
  for (let cy = 0; cy < CUT_GRID; cy++) {
    for (let cx = 0; cx < CUT_GRID; cx++) {
      let sum = 0;
      for (let sy = 0; sy < 4; sy++) {
        const y = Math.min(height - 1, Math.floor(((cy * 4 + sy + 0.5) * height) / (CUT_GRID * 4)));
        for (let sx = 0; sx < 4; sx++) {
          const x = Math.min(width - 1, Math.floor(((cx * 4 + sx + 0.5) * width) / (CUT_GRID * 4)));
          const i = 3 * (y * width + x);
          sum += data[i] + data[i + 1] + data[i + 2];
        }
      }
      out[cy * CUT_GRID + cx] = sum / 48;
    }
  }
  return out;
}

/** A scene cut (film edits, or unrelated images in a row): most of the picture changed at once. */
export function isCut(prev: Float32Array | null, cur: Float32Array): boolean {
  if (!prev) return false;
  let changed = 0;
  for (let i = 0; i < cur.length; i++) if (Math.abs(cur[i] - prev[i]) > CUT_CELL_CHANGE) changed++;
  return changed > CUT_SHARE * cur.length;
}

type WorkerReply = FrameResult | { error: string; input: boolean };

const kept = new Map<string, FaceWorkers>();

/**
 * Face workers kept for the life of the calling thread and reused by every later call with the same setup: `mmprep
 * extract` runs many sessions one after another in each of its threads, and a new set per session paid Human's
 * start-up (thread, WASM compile, model load) and V8's warm-up (optimising tfjs's JavaScript again, about 1-2 s of
 * CPU per session on the compiler threads) every time. They end with the thread (extract's pool destroys its threads).
 */
export function keptFaceWorkers(setup: HumanSetup, count: number): FaceWorkers {
  const key = JSON.stringify([setup, count]);
  let w = kept.get(key);
  if (!w || w.pools.length !== count) {
    w = new FaceWorkers(setup, count);
    kept.set(key, w);
  }
  return w;
}

export class FramePool {
  private pools: Piscina[] = [];
  /** Frames submitted to each worker and not yet analysed. */
  private outstanding: number[] = [];
  /** The worker of the current block. */
  private blockWorker = 0;
  /** Workers this pool made and so ends on close() (not when they were lent by keptFaceWorkers). */
  private owned: FaceWorkers | null = null;
  private submitted = 0;
  private lastThumb: Float32Array | null = null;
  private engine: Promise<FaceEngine> | null = null;
  private readonly queue: Array<Promise<FrameResult>> = [];
  /** Workers ended by keepOnly() before any frame (their warm-up is not waited for). */
  private readonly dropped = new Set<Piscina>();
  capacity: number;
  private lumaSum = 0;

  /**
   * `workers` threads (0: in this thread), made for this pool, or lent (`lent`, not ended by close()), or started
   * for it before (`started`: early-workers.ts; this pool's own from then on, ended by close()). Both are used only
   * when they have `setup` and `workers` threads.
   */
  constructor(
    readonly setup: HumanSetup,
    readonly workers: number,
    lent?: FaceWorkers,
    started?: FaceWorkers,
  ) {
    if (workers > 0) {
      const fits = (w: FaceWorkers | undefined) => w && w.pools.length === workers && JSON.stringify(w.setup) === JSON.stringify(setup);
      const w = fits(lent) ? lent! : fits(started) ? started! : new FaceWorkers(setup, workers);
      if (started && w !== started) void started.destroy();
      if (w !== lent) this.owned = w;
      this.pools = w.pools;
    } else {
      this.engine = FaceEngine.create(setup);
    }
    this.outstanding = this.pools.map(() => 0);
    // Frames in flight: four blocks per worker, so that a worker finishing its blocks early has the next ones while
    // the oldest frame (which the records wait for, in order) is still on the other worker. With two blocks each, the
    // profile showed one worker idle for whole blocks. 64 frames of 640x480 RGB are 59 MB.
    this.capacity = Math.max(2, workers * DETECT_EVERY * 4);
  }

  /** Initialises Human (in every worker) before the first frame, so setup errors surface before any output. */
  async warm(): Promise<void> {
    if (this.engine) {
      await this.engine;
      return;
    }
    // Engine creation only: a blank frame here ran the face detector once more in every worker (about 30 ms of CPU).
    await Promise.all(
      this.pools.map(async (pool, i) => {
        // A worker's start-up counts as frames outstanding, two with the start-up check (about one detector frame), so
        // that the first block, fed while the workers start (frame-feed.ts), goes to a worker without the check.
        const startUp = workerSetup(this.setup, i).selfCheck === false ? 1 : 2;
        this.outstanding[i] += startUp;
        let r: WorkerReply;
        try {
          r = (await pool.run({ warm: true } satisfies WarmTask)) as WorkerReply;
        } catch (e) {
          if (this.dropped.has(pool)) return;
          throw e;
        } finally {
          if (!this.dropped.has(pool)) this.outstanding[i] -= startUp;
        }
        if ('error' in r) throw r.input ? new InputError(r.error) : new Error(r.error);
      }),
    );
    mark('face warm done');
  }

  /**
   * Ends all but the first `n` of the workers this pool made, before the first frame (a clip too short for more to
   * pay off: extract.ts workersFor). Lent workers and a pool that has frames are left as they are; the output is the
   * same for any number of workers.
   */
  async keepOnly(n: number): Promise<void> {
    if (!this.owned || this.submitted > 0 || this.pools.length <= n) return;
    const extra = this.pools.splice(n); // the same array as this.owned.pools
    for (const p of extra) this.dropped.add(p);
    this.outstanding.length = this.pools.length;
    this.capacity = Math.max(2, this.pools.length * DETECT_EVERY * 4);
    const owned = this.owned;
    await Promise.all(extra.map((p) => owned.end(p)));
  }

  private async call(task: FrameTask, worker: number): Promise<FrameResult> {
    if (this.engine) return { ...(await (await this.engine).analyse(task)), data: task.data };
    this.outstanding[worker]++;
    let r: WorkerReply;
    try {
      r = (await this.pools[worker].run(task, { transferList: [task.data.buffer as ArrayBuffer] })) as WorkerReply;
    } finally {
      this.outstanding[worker]--;
    }
    if ('error' in r) throw r.input ? new InputError(r.error) : new Error(r.error);
    return r;
  }

  /** The worker with the fewest frames outstanding (the lowest index among equals). */
  private leastBusy(): number {
    let best = 0;
    for (let i = 1; i < this.outstanding.length; i++) if (this.outstanding[i] < this.outstanding[best]) best = i;
    return best;
  }

  /** Worker threads that analyse this pool's frames (0: in this thread). */
  get threads(): number {
    return this.pools.length;
  }

  /** Mean luma (meanLuma) of the frames submitted so far, or null before the first. */
  get meanLuma(): number | null {
    return this.submitted > 0 ? this.lumaSum / this.submitted : null;
  }

  /** Number of frames submitted and not yet taken with next(). */
  get pending(): number {
    return this.queue.length;
  }

  /** `follows`: the frame comes right after the previously submitted one (false with --fps gaps: detector again). */
  submit(task: FrameTask, follows = true): void {
    // The content decides, not the schedule, so the output stays the same for any number of workers.
    const thumb = frameThumbnail(task.data, task.width, task.height);
    const cut = isCut(this.lastThumb, thumb);
    this.lumaSum += meanLuma(task.data, task.width, task.height);
    this.lastThumb = thumb;
    const blockStart = this.submitted % DETECT_EVERY === 0;
    const redetect = blockStart || !follows || cut;
    this.submitted++;
    if (blockStart && this.workers > 0) this.blockWorker = this.leastBusy();
    const p = this.call({ ...task, redetect }, this.blockWorker);
    p.catch(() => undefined); // surfaced by next()
    this.queue.push(p);
  }

  /** The result of the oldest submitted frame; its `data` is the frame's buffer, free for reuse. */
  async next(): Promise<FrameResult> {
    const p = this.queue.shift();
    if (!p) throw new Error('FramePool.next() with nothing submitted');
    return p;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.queue);
    // In this thread (workers 0): a run refused before its first frame still waits for the engine's creation (its
    // start-up check runs the detector), so no detection of this run outlives it in a process that goes on.
    if (this.engine) await this.engine.catch(() => undefined);
    this.queue.length = 0;
    this.pools = [];
    const owned = this.owned;
    this.owned = null;
    await owned?.destroy();
  }
}
