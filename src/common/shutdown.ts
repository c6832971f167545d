/**
 * Guards against Node.js's shutdown deadlock (nodejs/node#54918; README, "Known problem: a rare hang at exit"): when
 * the event loop empties, the main thread waits in NodePlatform::DrainTasks for V8's background jobs, and a TurboFan
 * job still compiling then can wait for a garbage collection that only the main thread runs. Both sleep forever.
 * Node 20 has no fix (the upstream issue is open); these two calls leave no TurboFan job running at that point.
 */
import v8 from 'node:v8';

/**
 * Isolates made after this call (the worker threads of `audio`, `face`, `extract`) run TurboFan on their own thread,
 * so no compile job outlives them. V8 reads the flag when it creates an isolate: the main thread's isolate, made
 * before any JS runs, keeps its background compiler (hence settleOptimizingCompiles).
 */
export function compileWorkersInline(): void {
  v8.setFlagsFromString('--no-concurrent-recompilation');
}

/**
 * The main thread's last step: no new optimizing compiles (`--no-turbofan`, `--no-maglev`), then wait for those in
 * flight with V8's %WaitForBackgroundOptimization, which parks the main thread so a collection a job asks for can
 * run (V8's test intrinsic, as its mjsunit tests call it; natives syntax is on only while it is compiled). Returns
 * false when this V8 lacks it (a later Node): then nothing was waited for.
 */
export function settleOptimizingCompiles(): boolean {
  v8.setFlagsFromString('--no-turbofan');
  v8.setFlagsFromString('--no-maglev');
  let wait: () => void;
  v8.setFlagsFromString('--allow-natives-syntax');
  try {
    wait = new Function('%WaitForBackgroundOptimization();') as () => void;
  } catch {
    return false;
  } finally {
    v8.setFlagsFromString('--no-allow-natives-syntax');
  }
  wait();
  return true;
}
