/**
 * The JSONL helper thread (jsonl-worker.ts), started early: `mmprep audio` starts it as soon as the decoder has
 * probed a file long enough to need it, so its start-up (a V8 isolate, its modules) runs beside the analysis instead
 * of after it, when the main thread and the helper format the frame records at the end.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ColumnsRef } from './feature-columns.js';
import type { FrameView } from './jsonl.js';

/** The helper's reply: the bytes (format) or the count written to the temp file (formatToFile). */
interface HelperReply {
  bytes?: ArrayBuffer;
  offset?: number;
  length?: number;
  written?: number;
}

const JSONL_WORKER_URL = new URL('./jsonl-worker.js', import.meta.url);

export class JsonlHelper {
  private readonly worker: Worker;
  private result: Promise<HelperReply> | null = null;
  private failure: Error | null = null;
  private done = false;

  /** `wrapped`: the worker is the pitch worker, which takes its job as {jsonl: job}. */
  private constructor(worker: Worker, private readonly wrapped: boolean) {
    this.worker = worker;
    this.worker.once('error', (e) => (this.failure = e));
    this.worker.unref();
  }

  /** A started helper, or null when the compiled worker is not available (running from src/). */
  static start(): JsonlHelper | null {
    return existsSync(fileURLToPath(JSONL_WORKER_URL)) ? new JsonlHelper(new Worker(JSONL_WORKER_URL), false) : null;
  }

  /**
   * The pitch worker (pitch-worker.ts) as the helper, once it has sent its track and nothing listens to it any more:
   * one thread start-up fewer per command (a Node worker's bootstrap is ~40-55 CPU ms here, issue 15).
   */
  static adopt(pitchWorker: Worker): JsonlHelper {
    return new JsonlHelper(pitchWorker, true);
  }

  /** Formats frames [from, to) of `view` in the helper; `transfer`: buffers of the view moved, not copied. Once only. */
  format(view: FrameView, from: number, to: number, transfer: ArrayBuffer[] = []): Promise<Buffer> {
    return this.request({ view, from, to }, transfer).then((m) => Buffer.from(m.bytes!, m.offset, m.length));
  }

  /**
   * format() of a long recording's frames whose MFCC and deltas are in a temp file (feature-columns.ts): the helper
   * reads them itself and writes the bytes to the temp file `partFd` from byte 0; resolves with their count.
   * `output`: partFd is the output's temp file (an OS error then comes back as it is, for the caller to name the output).
   */
  formatToFile(view: FrameView, from: number, to: number, columns: ColumnsRef, partFd: number, block: number, transfer: ArrayBuffer[] = [], output = false): Promise<number> {
    return this.request({ view, from, to, columns, partFd, block, output }, transfer).then((m) => m.written!);
  }

  private request(msg: object, transfer: ArrayBuffer[]): Promise<HelperReply> {
    if (this.result) throw new Error('JsonlHelper.format called twice');
    const w = this.worker;
    w.ref(); // the caller awaits the reply: keep the process alive until it comes
    this.result = new Promise<HelperReply>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      w.once('message', (m: HelperReply) => {
        this.done = true;
        resolve(m);
        void w.terminate();
      });
      w.once('error', (e) => {
        this.done = true;
        reject(e);
      });
      w.once('exit', (code) => {
        if (!this.done) reject(new Error(`JSONL worker exited (code ${code}) before returning its records`));
      });
      w.postMessage(this.wrapped ? { jsonl: msg } : msg, transfer);
    });
    return this.result;
  }

  /** Stops the helper if it was not used (or is no longer needed). */
  close(): void {
    if (!this.done) {
      this.done = true;
      void this.worker.terminate();
    }
  }
}
