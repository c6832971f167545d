#!/usr/bin/env node
// Interleaved A/B of two shell commands by CPU time (user + sys of the command and every child it waited for, as
// GNU time's %U/%S report them from wait4's rusage), for comparing two builds or two versions of a test file on a
// machine others are using: wall time there says more about the load than about the change; CPU time much less.
// Rounds alternate the order (A B, B A, A B, ...) so a load that rises or falls through the run weighs on both.
//
//   node scripts/ab-cpu.mjs --rounds 4 --a 'cd /work/main && npx vitest run --config test/vitest.config.ts test/X.test.ts' \
//                                      --b 'cd /work/wt-y && npx vitest run --config test/vitest.config.ts test/X.test.ts'
//
// Prints one line per run and, last, each side's median and min CPU s and B's median change against A's. A run that
// exits non-zero is reported and stops the comparison (a failing test's CPU says nothing about the change).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { a: { type: 'string' }, b: { type: 'string' }, rounds: { type: 'string', default: '3' } },
});
if (!values.a || !values.b) {
  console.error("ab-cpu: give both commands: --a 'CMD' --b 'CMD' [--rounds N]");
  process.exit(2);
}
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`ab-cpu: --rounds must be a whole number of at least 1, not '${values.rounds}'`);
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'ab-cpu-'));
const timeFile = join(work, 'time');

/** One run of `command` under GNU time: wall, user and sys seconds. */
function timed(command) {
  const run = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%e %U %S', 'bash', '-c', command], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (run.status !== 0) {
    process.stderr.write(run.stderr);
    throw new Error(`ab-cpu: '${command}' exited ${run.status}`);
  }
  const [wall, user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { wall, user, sys, cpu: user + sys };
}

const median = (xs) => {
  const s = [...xs].sort((p, q) => p - q);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const cpu = { A: [], B: [] };
try {
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
    for (const side of order) {
      const t = timed(side === 'A' ? values.a : values.b);
      cpu[side].push(t.cpu);
      console.log(`round ${r + 1} ${side}: ${t.cpu.toFixed(2)} CPU s (user ${t.user.toFixed(2)}, sys ${t.sys.toFixed(2)}), wall ${t.wall.toFixed(2)} s`);
    }
  }
} catch (e) {
  console.error(e.message);
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
const [ma, mb] = [median(cpu.A), median(cpu.B)];
if (!process.exitCode) console.log(`A: median ${ma.toFixed(2)}, min ${Math.min(...cpu.A).toFixed(2)} CPU s; B: median ${mb.toFixed(2)}, min ${Math.min(...cpu.B).toFixed(2)} CPU s; B/A ${(((mb - ma) / ma) * 100).toFixed(1)} %`);
