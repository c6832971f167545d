#!/usr/bin/env node
/**
 * What one child-process start costs the Node process that starts it, by how much memory that process holds: libuv
 * starts a child by fork() (then exec), and the fork copies the parent's page tables, so a big process (a long-lived
 * vitest worker) pays more per spawn. docs/benchmarks-history.md "Where the starts and the Node time go".
 *
 *   node scripts/spawn-cost.mjs [MB ...]        default: 0 200 800
 *
 * For each size, a fresh Node process fills that many MB of Buffers (touched, so resident) and runs
 * spawnSync('/bin/true') 40 times; prints the parent's user + sys CPU ms and the wall ms per spawn.
 */
import { spawnSync } from 'node:child_process';

const SPAWNS = 40;
const child = process.argv[2] === '--child';
if (child) {
  const mb = Number(process.argv[3]);
  const held = [];
  for (let i = 0; i < mb; i++) held.push(Buffer.alloc(1 << 20, 1));
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let i = 0; i < SPAWNS; i++) spawnSync('/bin/true');
  const cpu = process.cpuUsage(cpu0);
  const ms = (x) => x.toFixed(2).padStart(7);
  console.log(`${String(mb).padStart(5)} MB  ${ms((cpu.user + cpu.system) / SPAWNS / 1000)} CPU ms  ${ms((performance.now() - wall0) / SPAWNS)} wall ms  (held ${held.length} MB)`);
} else {
  const sizes = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [0, 200, 800];
  console.log(`parent's cost per spawnSync('/bin/true'), ${SPAWNS} spawns each`);
  for (const mb of sizes) {
    const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--child', String(mb)], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
