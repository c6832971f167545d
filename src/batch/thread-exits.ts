/**
 * When each of a pool's worker threads has stopped. piscina rejects an aborted task before it terminates the task's
 * thread and does not wait for the thread to stop (piscina 5, dist/index.js `taskInfo.onAbort` then `_removeWorker`);
 * a thread stops only once what it is inside of returns (a blocking call, a file operation under way), and Node's
 * 'exit' event of a Worker comes after the thread's pending requests have completed. A rolled-back session's folder is
 * restored after that, so nothing its thread still had under way lands in it afterwards (src/batch/extract.ts).
 */
import type { Worker } from 'node:worker_threads';

export class ThreadExits {
  private readonly exits = new Map<Worker, Promise<void>>();

  /** Watches the threads not watched yet (call it when the pool makes a thread: piscina's 'workerCreate'). */
  watch(threads: readonly Worker[]): void {
    for (const t of threads) {
      if (this.exits.has(t)) continue;
      const exited = new Promise<void>((resolveExit) => t.once('exit', () => resolveExit()));
      this.exits.set(t, exited);
      void exited.then(() => this.exits.delete(t));
    }
  }

  /** Resolves once every watched thread no longer in the pool (`live`) has stopped, or after `timeoutMs`. */
  async removedStopped(live: readonly Worker[], timeoutMs: number): Promise<void> {
    const stopping = [...this.exits].filter(([t]) => !live.includes(t)).map(([, exited]) => exited);
    if (stopping.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolveLate) => (timer = setTimeout(resolveLate, timeoutMs)));
    await Promise.race([Promise.all(stopping), late]).finally(() => clearTimeout(timer));
  }
}
