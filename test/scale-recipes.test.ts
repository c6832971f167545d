/**
 * The Kubernetes recipe of docs/scale.md forwards SIGTERM to mmprep. The container's command and args are taken from
 * the doc (paths and the shard count substituted) and run as PID 1 of a new PID namespace (`unshare --pid --fork`,
 * as a container runtime starts them); the test then sends SIGTERM to that PID 1, as the kubelet does on pod deletion.
 * The kernel delivers a signal to a namespace's init only when it has a handler: a shell as PID 1 ignores it (the
 * old recipe's `sh -c '...; code=$?'` ran on to the end), mmprep (after `exec`) rolls back and exits 130.
 * Needs Linux, root and util-linux's unshare; skipped otherwise. The Slurm recipe runs for real in
 * scripts/ci-slurm.sh (a .ci/run step).
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, tempDir } from './helpers/cli.js';

const canUnshare = process.platform === 'linux' && process.getuid?.() === 0 && spawnSync('unshare', ['--pid', '--fork', 'true']).status === 0;

/** The Job's container command and its single `args` entry (a YAML `>-` folded scalar: lines joined by spaces). */
function kubernetesCommand(doc: string): { command: string[]; args: string } {
  const yaml = /## Kubernetes[^]*?```yaml\n([^]*?)```/.exec(doc)?.[1];
  if (!yaml) throw new Error('no yaml block under "## Kubernetes" in docs/scale.md');
  const command = JSON.parse(/^\s*command: (\[.*\])\s*$/m.exec(yaml)![1]) as string[];
  const lines = yaml.split('\n');
  const start = lines.findIndex((l) => /^\s*- >-\s*$/.test(l));
  const indent = (l: string) => l.length - l.trimStart().length;
  const body: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (!l.trim() || indent(l) <= indent(lines[start])) break;
    body.push(l.trim());
  }
  return { command, args: body.join(' ') };
}

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-recipes-'));
  for (const f of readdirSync(join(FIXTURES, 'demo'))) copyFileSync(join(FIXTURES, 'demo', f), join(dir, f));
});
afterAll(() => cleanup());

describe('docs/scale.md recipes', () => {
  it('the Kubernetes args run mmprep itself as the container process (exec)', () => {
    const { command, args } = kubernetesCommand(readFileSync(join(ROOT, 'docs/scale.md'), 'utf8'));
    expect(command).toEqual(['sh', '-c']);
    expect(args).toMatch(/^exec node bin\/mmprep\.js extract /);
  });

  it.runIf(canUnshare)('the Kubernetes container, run as PID 1 of its own PID namespace, rolls back on SIGTERM', async () => {
    const { command, args } = kubernetesCommand(readFileSync(join(ROOT, 'docs/scale.md'), 'utf8'));
    const out = join(dir, 'features');
    const script = args
      .replaceAll('/data/sessions/manifest.csv', join(dir, 'manifest.csv'))
      .replaceAll('/data/features', out)
      .replace('"${JOB_COMPLETION_INDEX}/8"', '"${JOB_COMPLETION_INDEX}/1"');
    writeFileSync(join(dir, 'args.txt'), script);
    const child = spawn('unshare', ['--pid', '--fork', '--kill-child', ...command, script], {
      cwd: ROOT,
      env: { ...process.env, JOB_COMPLETION_INDEX: '0', MMPREP_PROGRESS_INTERVAL_S: '60' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.resume();
    // PID 1 of the namespace is unshare's only child; signal it once a session is under way.
    const pid1 = await new Promise<number>((resolve, reject) => {
      const timer = setInterval(() => {
        let kids: string[] = [];
        try {
          kids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
        } catch {
          clearInterval(timer);
          reject(new Error(`unshare ended early: ${stderr}`));
          return;
        }
        const started = existsSync(out) && readdirSync(out).some((n) => /^s0\d$/.test(n));
        if (kids.length === 1 && started) {
          clearInterval(timer);
          resolve(Number(kids[0]));
        }
      }, 20);
    });
    process.kill(pid1, 'SIGTERM');
    const killer = setTimeout(() => process.kill(pid1, 'SIGKILL'), 60_000);
    const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
    clearTimeout(killer);
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/stopped by interrupt: finished .*; rolled back s0\d/);
    expect(readdirSync(out).filter((n) => n.startsWith('_errors'))).toEqual([]);
    for (const s of readdirSync(out).filter((n) => /^s0\d$/.test(n))) expect(existsSync(join(out, s, 'meta.json'))).toBe(true);
  });
});
