/**
 * The guard against Node.js's shutdown deadlock (src/common/shutdown.ts; docs/exit-hang.md; README, "Known problem: a rare hang at
 * exit"). The hang itself is too rare to test (3 in 100 runs of `mmprep sync` once, none in 324 runs at load 20-29;
 * scripts/repro-exit-hang.mjs counts it), so this checks its precondition instead, read from V8's own --trace-opt
 * lines: a TurboFan job still compiling when the main thread's JavaScript is done. The case is run beside a control
 * without the guard, which shows the trace sees what the guard removes.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

const SHUTDOWN = join(ROOT, 'dist', 'common', 'shutdown.js');

/**
 * Code that makes 6 distinct functions (hotfn0..5) hot, so TurboFan jobs are queued on V8's background compiler (6:
 * fewer than its queue holds, 8, so none is turned away).
 */
const HOT = `
const a = Float64Array.from({ length: 64 }, (_, i) => i);
for (let i = 0; i < 6; i++) {
  const f = new Function('return function hotfn' + i + '(a) { let s = ' + i + '; for (let k = 0; k < a.length; k++) s += a[k] * ' + (i + 1) + '; return s; }')();
  for (let j = 0; j < 3000; j++) f(a);
}`;

/** stdout of `node --trace-opt <v8Flags> --input-type=module -e script` (trace lines and the script's own lines). */
function traced(script: string, v8Flags: string[] = []): string {
  const r = spawnSync(process.execPath, ['--trace-opt', ...v8Flags, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

const after = (out: string, marker: string) => out.slice(out.indexOf(marker) + marker.length);
/** The --trace-opt lines about the test's own functions (the main thread's Node internals are compiled too). */
const hotLines = (out: string) => out.split('\n').filter((l) => l.includes('<JSFunction hotfn')).join('\n');
const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

describe('no TurboFan job outlives the main thread', () => {
  const script = (settle: boolean) =>
    `import { settleOptimizingCompiles } from ${JSON.stringify(SHUTDOWN)};\n${HOT}\n` +
    `${settle ? 'if (!settleOptimizingCompiles()) throw new Error("not settled");' : ''}\nconsole.log('--end of js--');`;
  // Every job sleeps 1 s before it compiles: the last one is still in flight when the script's loop ends.
  const delay = ['--concurrent-recompilation-delay=1000'];

  it('without settleOptimizingCompiles, jobs still compile after the last line (the control)', () => {
    const out = traced(script(false), delay);
    expect(count(hotLines(after(out, '--end of js--')), /completed compiling/g)).toBeGreaterThan(0);
  });

  it('settleOptimizingCompiles waits for the jobs in flight and queues no new one', () => {
    const out = traced(script(true), delay);
    expect(out).toContain('--end of js--');
    expect(count(hotLines(out), /completed optimizing/g)).toBeGreaterThanOrEqual(6);
    expect(after(out, '--end of js--')).not.toMatch(/compiling|optimizing|Marking|Queued/);
  });
});
