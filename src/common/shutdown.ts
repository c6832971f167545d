/**
 * Guards against Node.js's shutdown deadlock (nodejs/node#54918; README, "Known problem: a rare hang at exit"): when
 * the event loop empties, the main thread waits in NodePlatform::DrainTasks for V8's background jobs, and a TurboFan
 * job still compiling then can wait for a garbage collection that only the main thread runs. Both sleep forever.
 * Node 20 has no fix (the upstream issue is open). Worker threads are left alone: mmprep ends them with terminate()
 * (or its pools' destroy()), which stops their event loop without that wait, and V8's teardown of their isolate
 * releases a job waiting for a collection.
 */
import v8 from 'node:v8';

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
