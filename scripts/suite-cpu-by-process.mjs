#!/usr/bin/env node
/**
 * CPU of a command's whole process tree by program, from BSD process accounting (Debian package acct): how
 * docs/benchmarks-history.md "The suite's CPU by process" was measured. Usage, as root:
 *   touch /tmp/pacct && accton /tmp/pacct
 *   bash -c 'echo $$ > /tmp/root.pid; exec npm test'      # or any command
 *   accton off; dump-acct /tmp/pacct | node scripts/suite-cpu-by-process.mjs $(cat /tmp/root.pid)
 * Prints the tree's user and sys CPU seconds and, per program name (the kernel's 15-character comm), the number of
 * processes and their user and sys CPU seconds. A record is written when a process ends; threads count in their
 * process. dump-acct's time fields are in clock ticks (100 a second).
 */
import { readFileSync } from 'node:fs';

const root = Number(process.argv[2]);
if (!Number.isInteger(root) || root <= 0) {
  console.error('usage: dump-acct FILE | node scripts/suite-cpu-by-process.mjs ROOT_PID');
  process.exit(2);
}
// dump-acct fields: comm | version | utime | stime | etime | uid | gid | mem | io | pid | ppid | flags | exit | tty | time
const records = readFileSync(0, 'utf8').trim().split('\n').map((line) => line.split('|').map((f) => f.trim()))
  .map((f) => ({ comm: f[0], user: Number(f[2]) / 100, sys: Number(f[3]) / 100, pid: Number(f[9]), ppid: Number(f[10]) }));
const parentOf = new Map(records.map((r) => [r.pid, r.ppid]));

/** Whether pid descends from the root (pids are not reused within one run of the suite on a machine this size). */
function inTree(pid) {
  for (let p = pid, depth = 0; p && depth < 64; p = parentOf.get(p), depth++) {
    if (p === root) return true;
    if (!parentOf.has(p)) return false;
  }
  return false;
}

const byProgram = new Map();
let user = 0;
let sys = 0;
for (const r of records.filter((x) => inTree(x.pid))) {
  const s = byProgram.get(r.comm) ?? { n: 0, user: 0, sys: 0 };
  s.n++;
  s.user += r.user;
  s.sys += r.sys;
  byProgram.set(r.comm, s);
  user += r.user;
  sys += r.sys;
}
console.log(`tree of ${root}: user ${user.toFixed(1)} s, sys ${sys.toFixed(1)} s`);
for (const [comm, s] of [...byProgram].sort((a, b) => b[1].user + b[1].sys - (a[1].user + a[1].sys))) {
  console.log(`${comm.padEnd(16)} ${String(s.n).padStart(6)} processes ${s.user.toFixed(1).padStart(9)} user ${s.sys.toFixed(1).padStart(8)} sys`);
}
