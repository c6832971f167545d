/**
 * A V8 CPU profile of every Node process and worker thread a command starts: how docs/benchmarks-history.md "Where the starts
 * and the Node time go" profiled a whole `npm test`. `node --cpu-prof` cannot be put in NODE_OPTIONS, so this preload
 * starts the profiler through node:inspector instead:
 *
 *   MMPREP_PROFILE_DIR=/tmp/prof NODE_OPTIONS="--require $PWD/scripts/cpu-profile-preload.cjs" npm test
 *   node scripts/cpuprofile-aggregate.mjs /tmp/prof [--argv REGEX] [--top N]
 *
 * Each process or thread writes PID-THREAD-TIME.cpuprofile (the profile plus the first three arguments of the process,
 * for --argv) when it exits, when its IPC channel closes, or on SIGTERM for a forked child (vitest ends its fork workers
 * so; a worker killed with SIGKILL writes nothing). Sampling every 1 ms.
 */
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');
const { isMainThread, threadId } = require('node:worker_threads');

const dir = process.env.MMPREP_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      const file = path.join(dir, `${process.pid}-${threadId}-${Date.now()}.cpuprofile`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(file, JSON.stringify({ ...result.profile, argv: process.argv.slice(1, 4) }));
    });
  };
  process.on('exit', write);
  process.on('disconnect', write);
  if (isMainThread && process.send) {
    process.once('SIGTERM', () => {
      write();
      process.exit(143);
    });
  }
}
