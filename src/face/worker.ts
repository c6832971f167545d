/**
 * Piscina worker: one Human instance per worker thread (tfjs WASM is single-threaded in Node, so threads are how
 * several cores are used). The instance is created on the first task from the setup in workerData.
 */
import { workerData } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { FaceEngine, type FrameResult, type FrameTask, type PingTask, type WarmTask } from './engine.js';
import type { HumanSetup } from './backend.js';
import { isMmprepError } from '../common/errors.js';
import { mark } from '../common/timeline.js';

mark('face worker loaded'); // MMPREP_TIMELINE=1 (common/timeline.ts)
let engine: Promise<FaceEngine> | null = null;

export default async function analyseFrame(task: FrameTask | WarmTask | PingTask): Promise<FrameResult | { error: string; input: boolean }> {
  if ('ping' in task) return { faces: [], ms: 0 };
  try {
    engine ??= FaceEngine.create(workerData as HumanSetup);
    if ('warm' in task) {
      await engine;
      return { faces: [], ms: 0 };
    }
    const result = await (await engine).analyse(task);
    // The frame's buffer goes back with the result (transferred, not copied) for the decoder to reuse (pool.ts).
    const data = task.data;
    return move({ [transferableSymbol]: [data.buffer], [valueSymbol]: { ...result, data } }) as unknown as FrameResult;
  } catch (e) {
    return { error: isMmprepError(e) ? e.message : (e as Error).message, input: isMmprepError(e) };
  }
}
