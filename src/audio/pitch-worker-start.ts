/**
 * The pitch worker (pitch-worker.ts) started before the analysis code is loaded: `mmprep audio` starts it first, so
 * the thread's start-up (a V8 isolate, Node's bootstrap, the pitch modules: ~80 CPU ms) runs beside the main thread's
 * loading of its own modules instead of after it. The pitch worker's thread is the command's longest (issue 15), so
 * its timeline starting earlier ends the command earlier. It receives its parameters in a first message.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * The worker acknowledges the chunks it has analysed this many at a time ({ack: ACK_EVERY}): one message per chunk
 * (586 for 10 minutes) cost its thread, the command's longest, a wake-up of the main thread each.
 */
export const ACK_EVERY = 4;

export const PITCH_WORKER_URL = new URL('./pitch-worker.js', import.meta.url);

/** A started pitch worker for one analysis (analyzePcm takes it), terminated by dispose() unless it was taken. */
export class PrestartedPitchWorker {
  private taken = false;
  private constructor(private readonly worker: Worker) {}

  /** Null when the compiled worker is not available (running from src/: the analysis then runs in-process). */
  static start(): PrestartedPitchWorker | null {
    return existsSync(fileURLToPath(PITCH_WORKER_URL)) ? new PrestartedPitchWorker(new Worker(PITCH_WORKER_URL)) : null;
  }

  /** The worker, once (its lifetime is then the taker's); null after that or after dispose(). */
  take(): Worker | null {
    if (this.taken) return null;
    this.taken = true;
    return this.worker;
  }

  /** Terminates the worker unless it was taken (idempotent). */
  dispose(): void {
    if (this.taken) return;
    this.taken = true;
    void this.worker.terminate();
  }
}
