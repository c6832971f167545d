/**
 * Frame analysis on N worker threads (piscina), or in-process when workers is 0. Frames are submitted in decode
 * order and their results awaited in the same order (a FIFO of promises), so records come out in order whatever
 * worker finishes first. The number of frames in flight is bounded, so memory stays flat.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { InputError } from '../common/errors.js';
import type { HumanSetup } from './backend.js';
import { FaceEngine, type FrameResult, type FrameTask } from './engine.js';

type WorkerReply = FrameResult | { error: string; input: boolean };

/** The compiled worker module (dist/face/worker.js); from src/ under vitest we fall back to the built copy. */
function workerFile(): string {
  const here = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here.href;
  const built = new URL('../../dist/face/worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built.href;
  throw new Error('face worker module not found: run `npm run build` first');
}

export class FramePool {
  private piscina: Piscina | null = null;
  private engine: Promise<FaceEngine> | null = null;
  private readonly queue: Array<Promise<FrameResult>> = [];
  readonly capacity: number;

  constructor(
    readonly setup: HumanSetup,
    readonly workers: number,
  ) {
    if (workers > 0) {
      this.piscina = new Piscina({
        filename: workerFile(),
        workerData: setup,
        minThreads: workers,
        maxThreads: workers,
        idleTimeout: 60_000,
        // Each worker takes one frame at a time; the FIFO below keeps order.
        concurrentTasksPerWorker: 1,
      });
    } else {
      this.engine = FaceEngine.create(setup);
    }
    this.capacity = Math.max(2, workers * 2 + 1);
  }

  /** Initialises Human (in every worker) before the first frame, so setup errors surface before any output. */
  async warm(): Promise<void> {
    if (this.engine) {
      await this.engine;
      return;
    }
    const blank = (): FrameTask => ({ data: new Uint8Array(8 * 8 * 3), width: 8, height: 8 });
    const all = await Promise.all(Array.from({ length: this.workers }, () => this.call(blank())));
    void all;
  }

  private async call(task: FrameTask): Promise<FrameResult> {
    if (this.engine) return (await this.engine).analyse(task);
    const r = (await this.piscina!.run(task, { transferList: [task.data.buffer as ArrayBuffer] })) as WorkerReply;
    if ('error' in r) throw r.input ? new InputError(r.error) : new Error(r.error);
    return r;
  }

  /** Number of frames submitted and not yet taken with next(). */
  get pending(): number {
    return this.queue.length;
  }

  submit(task: FrameTask): void {
    const p = this.call(task);
    p.catch(() => undefined); // surfaced by next()
    this.queue.push(p);
  }

  /** The result of the oldest submitted frame. */
  async next(): Promise<FrameResult> {
    const p = this.queue.shift();
    if (!p) throw new Error('FramePool.next() with nothing submitted');
    return p;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.queue);
    this.queue.length = 0;
    if (this.piscina) await this.piscina.destroy();
    this.piscina = null;
  }
}
