#!/usr/bin/env node
/**
 * CPU time of a command split by thread (Linux /proc): `node scripts/cpu-threads.mjs node bin/mmprep.js audio
 * long.wav -o out.jsonl --summary s.json`. Samples utime+stime of every thread of the child every 5 ms and prints the
 * last values when it exits: the main thread, the other threads (for `mmprep audio`: the busiest is the pitch
 * worker, then the JSONL worker and V8's GC / compiler threads) and the child's waited-for children (ffmpeg,
 * ffprobe). On a loaded machine wall time says little; these CPU seconds say what the code costs.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error('usage: node scripts/cpu-threads.mjs <command> [args...]');
  process.exit(2);
}
const fields = (stat) => stat.slice(stat.lastIndexOf(')') + 2).split(' ');
const t0 = process.hrtime.bigint();
const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
const threads = new Map();
const names = new Map();
const NAMES = process.env.CPU_THREADS_NAMES === '1';
let waited = 0;
const sample = () => {
  try {
    for (const tid of readdirSync(`/proc/${child.pid}/task`)) {
      const f = fields(readFileSync(`/proc/${child.pid}/task/${tid}/stat`, 'utf8'));
      threads.set(tid, (Number(f[11]) + Number(f[12])) / 100);
      if (NAMES) names.set(tid, readFileSync(`/proc/${child.pid}/task/${tid}/comm`, 'utf8').trim());
    }
    const f = fields(readFileSync(`/proc/${child.pid}/stat`, 'utf8'));
    waited = (Number(f[13]) + Number(f[14])) / 100;
  } catch {
    /* exited, or not Linux */
  }
};
const timer = setInterval(sample, 5);
child.on('close', (code) => {
  clearInterval(timer);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const main = threads.get(String(child.pid)) ?? 0;
  const others = [...threads].filter(([t]) => t !== String(child.pid)).map(([, c]) => c).filter((c) => c > 0).sort((a, b) => b - a);
  const total = main + others.reduce((a, b) => a + b, 0) + waited;
  console.log(`exit ${code}, wall ${wall.toFixed(2)} s, CPU ${total.toFixed(2)} s: main thread ${main.toFixed(2)} s, other threads ${others.map((c) => c.toFixed(2)).join(' + ') || '0'} s, waited children (ffmpeg, ffprobe) ${waited.toFixed(2)} s`);
  if (NAMES) console.log([...threads].filter(([, c]) => c > 0).map(([t, c]) => `${names.get(t) ?? t} ${c.toFixed(2)}`).join(', '));
  process.exitCode = code ?? 1;
});
