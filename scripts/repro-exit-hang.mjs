#!/usr/bin/env node
/**
 * Counts hangs at exit (README, "Known problem: a rare hang at exit"; nodejs/node#54918): runs a command N times,
 * P at a time, each under a time limit, optionally beside B busy-loop processes for background CPU load.
 *
 *   node scripts/repro-exit-hang.mjs [--runs 200] [--parallel 4] [--timeout 30] [--burn 0] [--stacks DIR] [--json]
 *        -- node bin/mmprep.js sync lav.wav mic.m4a --fallback none
 *
 * A run still alive at its limit is sampled for 1 s: no CPU used in that second and no child process is a hang (the
 * deadlock sleeps), otherwise a slow run (load, not the deadlock); either way it is killed (SIGKILL) and counted. With --stacks DIR
 * the first 3 hangs get `gdb -batch -ex "thread apply all bt"` written to DIR/hang-<pid>.txt before the kill.
 * Outputs of the command go to /dev/null; its exit codes are tallied. The last line is the summary:
 *   hangs H/N (slow S), exit codes {2: 198}, wall p50/max
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function parseArgs(argv) {
  const dash = argv.indexOf('--');
  if (dash < 0 || dash === argv.length - 1) throw new Error('usage: repro-exit-hang.mjs [options] -- command args...');
  const own = argv.slice(0, dash);
  const opt = (name, def) => {
    const i = own.indexOf(`--${name}`);
    return i < 0 ? def : own[i + 1];
  };
  return {
    runs: Number(opt('runs', 200)), parallel: Number(opt('parallel', 4)), timeoutS: Number(opt('timeout', 30)),
    burn: Number(opt('burn', 0)), stacks: opt('stacks', null), json: own.includes('--json'), cmd: argv.slice(dash + 1),
  };
}

/** user+sys clock ticks of a live process (all its threads), or null once it is gone. */
function cpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return null;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function dumpStacks(pid, dir) {
  try {
    const out = execFileSync('gdb', ['-batch', '-p', String(pid), '-ex', 'thread apply all bt'], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
    writeFileSync(join(dir, `hang-${pid}.txt`), out);
  } catch (e) {
    writeFileSync(join(dir, `hang-${pid}.txt`), `gdb failed: ${e.message}\n`);
  }
}

/** Child processes of a live process (an mmprep waiting on ffmpeg is not hung). */
function childCount(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).reduce((n, t) => n + readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).length, 0);
  } catch {
    return 0;
  }
}

/** One run: resolves { code, signal, wallS, verdict: 'ok' | 'hang' | 'slow' }. */
function runOnce(o, state) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const c = spawn(o.cmd[0], o.cmd.slice(1), { stdio: 'ignore' });
    let verdict = 'ok';
    const timer = setTimeout(async () => {
      const a = cpuTicks(c.pid);
      await sleep(1000);
      const b = cpuTicks(c.pid);
      if (a === null || b === null) return; // it exited meanwhile
      verdict = b === a && childCount(c.pid) === 0 ? 'hang' : 'slow';
      if (verdict === 'hang' && o.stacks && state.dumped++ < 3) dumpStacks(c.pid, o.stacks);
      c.kill('SIGKILL');
    }, o.timeoutS * 1000);
    c.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, wallS: (performance.now() - t0) / 1000, verdict });
    });
  });
}

function startBurners(n) {
  const code = 'for(;;){}';
  return Array.from({ length: n }, () => spawn(process.execPath, ['-e', code], { stdio: 'ignore' }));
}

function summarize(o, results) {
  const count = (v) => results.filter((r) => r.verdict === v).length;
  const codes = {};
  for (const r of results.filter((x) => x.verdict === 'ok')) codes[r.signal ?? r.code] = (codes[r.signal ?? r.code] ?? 0) + 1;
  const walls = results.map((r) => r.wallS).sort((a, b) => a - b);
  return { runs: results.length, hangs: count('hang'), slow: count('slow'), exitCodes: codes, wallP50S: walls[walls.length >> 1], wallMaxS: walls.at(-1), parallel: o.parallel, burn: o.burn, timeoutS: o.timeoutS, command: o.cmd.join(' ') };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.stacks) mkdirSync(o.stacks, { recursive: true });
  const burners = startBurners(o.burn);
  const results = [];
  const state = { next: 0, dumped: 0 };
  const lane = async () => {
    while (state.next < o.runs) {
      state.next++;
      const r = await runOnce(o, state);
      results.push(r);
      if (r.verdict !== 'ok') process.stderr.write(`run ${results.length}: ${r.verdict} after ${r.wallS.toFixed(1)} s\n`);
      else if (results.length % 25 === 0) process.stderr.write(`${results.length} runs\n`);
    }
  };
  try {
    await Promise.all(Array.from({ length: o.parallel }, lane));
  } finally {
    for (const b of burners) b.kill('SIGKILL');
  }
  const s = summarize(o, results);
  if (o.json) process.stdout.write(JSON.stringify(s) + '\n');
  process.stdout.write(`hangs ${s.hangs}/${s.runs} (slow ${s.slow}), exit codes ${JSON.stringify(s.exitCodes)}, wall p50 ${s.wallP50S.toFixed(2)} s max ${s.wallMaxS.toFixed(2)} s; ${o.parallel} at a time, ${o.burn} burners, limit ${o.timeoutS} s: ${s.command}\n`);
}

await main();
