#!/usr/bin/env node
// Entry point: runs the built CLI (dist/). Build with `npm run build`.
// `mmprep audio`: its pitch worker starts first, beside the loading of the command line's code (main() ends it
// unless the command takes it; dist/audio/pitch-worker-start.js); `mmprep face`: its workers (dist/face/early-workers.js).
// MMPREP_TIMELINE=1: timing marks on stderr (dist/common/timeline.js), loaded first so that workers get its origin.
const tl = process.env.MMPREP_TIMELINE === '1' ? await import('../dist/common/timeline.js') : null;
tl?.mark('bin');
const args = process.argv.slice(2);
if (args.find((a) => !a.startsWith('-')) === 'audio' && !args.some((a) => a === '-h' || a === '--help')) (await import('../dist/audio/pitch-worker-start.js')).PrestartedPitchWorker.startEarly();
// `mmprep face`: its worker threads likewise, with their models (dist/face/early-workers.js: taken by the run when its
// parsed options ask for the same workers, else ended).
if (args.find((a) => !a.startsWith('-')) === 'face') (await import('../dist/face/early-workers.js')).startEarlyFaceWorkers(process.argv);
const { main } = await import('../dist/cli/main.js');
const { settleOptimizingCompiles } = await import('../dist/common/shutdown.js');
tl?.mark('cli loaded');

let settled = false;
main(process.argv).then((code) => {
  settled = true;
  process.exitCode = code;
  // Everything is written; no TurboFan job may be left running when the event loop empties: Node's shutdown deadlock
  // (README, "Known problem: a rare hang at exit").
  settleOptimizingCompiles();
  // 'exit' comes once the event loop is empty (every output written and closed); the process then ends at once, not
  // after Node's teardown of the heaps, which writes nothing (`mmprep audio` on 10 minutes: ~14 ms of wall less from
  // the last mark to the exit, docs/benchmarks.md). Registered now, after the 'exit' listeners of the command's run
  // (spill.ts removes its files in one), so that they run first.
  process.once('exit', () => process.exit());
});
// The event loop emptied while the command still waited on something that can no longer happen (a lost stream
// error left a write waiting forever): that was exit 0 with no output. A bug, so exit 1 and say so.
process.on('exit', (code) => {
  tl?.mark('exit');
  if (settled || code !== 0) return;
  process.stderr.write('mmprep: internal error: the command stopped before it finished (a bug; run again with --verbose and report it)\n');
  process.exitCode = 1;
});
