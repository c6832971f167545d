#!/usr/bin/env node
// Entry point: runs the built CLI (dist/). Build with `npm run build`.
import { main } from '../dist/cli/main.js';
import { settleOptimizingCompiles } from '../dist/common/shutdown.js';

let settled = false;
main(process.argv).then((code) => {
  settled = true;
  process.exitCode = code;
  // Everything is written; no TurboFan job may be left running when the event loop empties: Node's shutdown deadlock
  // (README, "Known problem: a rare hang at exit").
  settleOptimizingCompiles();
});
// The event loop emptied while the command still waited on something that can no longer happen (a lost stream
// error left a write waiting forever): that was exit 0 with no output. A bug, so exit 1 and say so.
process.on('exit', (code) => {
  if (settled || code !== 0) return;
  process.stderr.write('mmprep: internal error: the command stopped before it finished (a bug; run again with --verbose and report it)\n');
  process.exitCode = 1;
});
