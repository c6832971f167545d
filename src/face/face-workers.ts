/**
 * The face worker threads of a run (one single-thread piscina pool per worker, each with its own Human instance),
 * apart from pool.ts's frame scheduling so that `mmprep face` can start them before the rest of the face code loads
 * (early-workers.ts): this module loads piscina and nothing of the analysis (~20 CPU ms less before the threads start
 * than through pool.ts, which loads the in-process engine).
 */
import { Piscina } from 'piscina';
import { mark } from '../common/timeline.js';
import { threadExecArgv, threadFile } from '../common/threads.js';
import type { HumanSetup } from './backend.js';
import type { PingTask, WarmTask } from './engine.js';

/**
 * The setup of a pool's worker `index`: the first worker runs the start-up check (selfcheck.ts), the others skip it.
 * Every worker of a pool loads the same files the same way (Human's bundle with the same substitutions, the same tfjs
 * builds and WASM binary, the same models), so a backend whose output is misplaced fails the check in the first
 * worker as it would in any, and the run is refused before its first frame (warm() waits for every worker). A second
 * worker's check is one detector frame's analysis more (~0.1-0.2 CPU s; the models' first-call set-up moves to its
 * first real frame): docs/benchmarks-history.md, "Face start-up check in one worker". keepOnly() keeps the first worker, so a
 * pool cut to one worker keeps the checked one.
 */
export function workerSetup(setup: HumanSetup, index: number): HumanSetup {
  return index === 0 || setup.selfCheck === false ? setup : { ...setup, selfCheck: false };
}

/**
 * Frames handed to a worker thread at once: the one it analyses and the next. With one, a worker that finished a frame
 * posted its result and waited (piscina's Atomics.wait) until the main thread had taken the result and sent the next
 * frame: an idle gap on every frame whenever the main thread was busy (reading ffmpeg's pipe, building a record, a
 * garbage collection) or not scheduled. With two, the next frame is already in the worker. The worker's engine
 * analyses its frames one at a time in the order they arrive (engine.ts analyse), so the order within a block and the
 * output are unchanged. Measured with MMPREP_TIMELINE=1 per-frame marks on the bench's 6 s clip: docs/benchmarks-history.md,
 * "Fifty-first session".
 */
export const TASKS_IN_WORKER = 2;

/** N face worker threads, each with its own Human instance (one single-thread piscina pool per worker). */
export class FaceWorkers {
  readonly pools: Piscina[] = [];
  /** Per worker: settles once its modules are loaded (its first task, a ping, was answered). */
  private readonly loaded = new Map<Piscina, Promise<unknown>>();
  constructor(
    readonly setup: HumanSetup,
    readonly count: number,
  ) {
    mark('face workers start');
    const filename = threadFile('worker.js', 'face').href;
    for (let i = 0; i < count; i++) {
      // stricterFIFO: a task that finds the thread busy goes back to the head of the queue, not the tail; by default
      // piscina requeues it at the tail, so frames queued on a busy thread ran out of order (a tracked frame then took
      // its box from a later block's frame: the outputs differed between --workers 1 and 2).
      const pool = new Piscina({ filename, workerData: workerSetup(setup, i), minThreads: 1, maxThreads: 1, idleTimeout: 60_000, concurrentTasksPerWorker: TASKS_IN_WORKER, stricterFIFO: true, execArgv: threadExecArgv() });
      this.pools.push(pool);
      this.loaded.set(pool, pool.run({ ping: true } satisfies PingTask).catch(() => undefined));
    }
  }

  /**
   * Starts every worker's engine now (a warm task each: tfjs, Human, WASM, models; the first worker's start-up check),
   * for workers started before their run (early-workers.ts). The run's own warm task (pool.ts FramePool.warm) then
   * waits for the same engine (worker.ts makes one per thread); its reply, not this one, reports a failure.
   */
  startEngines(): void {
    for (const pool of this.pools) pool.run({ warm: true } satisfies WarmTask).catch(() => undefined);
  }

  /**
   * Ends one worker, once its modules are loaded: Node 20 aborts the whole process (FATAL ERROR in
   * ModuleWrap::InstantiateSync, exit 134) when a worker is terminated while it instantiates its ES modules; this
   * happened in about 1 of 75 runs that refused their input at once (the workers start before ffprobe).
   */
  async end(pool: Piscina): Promise<void> {
    await this.loaded.get(pool);
    this.loaded.delete(pool);
    await pool.destroy();
  }

  async destroy(): Promise<void> {
    const pools = this.pools.splice(0);
    await Promise.all(pools.map((p) => this.end(p)));
  }
}
