/**
 * Timing marks for studying a command's critical path (issue 15): with MMPREP_TIMELINE=1 in the environment, mark()
 * writes one line to stderr: the thread, the mark, the wall time in ms since the main thread's start and the thread's
 * CPU time in ms (/proc/thread-self/schedstat, Linux). Without it mark() does nothing; the default output is unchanged.
 */
import { readFileSync, writeSync } from 'node:fs';
import { isMainThread, threadId } from 'node:worker_threads';

const on = process.env.MMPREP_TIMELINE === '1';
// Workers get a copy of the environment when they start: the main thread's origin reaches them that way.
if (on && isMainThread) process.env.MMPREP_TIMELINE_ORIGIN ??= String(performance.timeOrigin);
// (Only with the marks on: the first use of `performance` loads Node's perf_hooks modules, ~1.5 ms a thread.)
const origin = on ? Number(process.env.MMPREP_TIMELINE_ORIGIN ?? performance.timeOrigin) : 0;

function threadCpuMs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
}

export function mark(what: string): void {
  if (!on) return;
  const wall = performance.timeOrigin + performance.now() - origin;
  writeSync(2, `mmprep timeline: ${isMainThread ? 'main' : `thread ${threadId}`} ${what} wall ${wall.toFixed(1)} ms cpu ${threadCpuMs().toFixed(1)} ms\n`);
}
