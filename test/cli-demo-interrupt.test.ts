/**
 * Ctrl-C (SIGINT) or SIGTERM during `mmprep demo`: the extract sessions running in worker threads are rolled back
 * and every demo output is removed (the folder too when the run made it), one line on stderr, exit 130 (README
 * "mmprep demo"). The demo used to say "its output files were removed" and leave features/s01/sync.json,
 * audio.jsonl and a `.face.jsonl.<pid>.<n>.tmp` behind (the generic handler knows only the main thread's files).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-demo-interrupt-');
afterAll(() => tmp.cleanup());

/** Starts the demo into `dir`, sends `signal` once a worker has written a session file, resolves with the result. */
async function interruptDemo(dir: string, signal: NodeJS.Signals): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'demo', '-o', dir, '--face-fps', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  let sent = false;
  for (let i = 0; i < 2400 && !sent && child.exitCode === null; i++) {
    await new Promise((r) => setTimeout(r, 50));
    if (existsSync(join(dir, 'features', 's01', 'audio.jsonl'))) sent = child.kill(signal);
  }
  expect(sent, `no session file appeared before the demo ended: ${stderr}`).toBe(true);
  return { code: await exited, stdout, stderr };
}

describe('interrupting mmprep demo', () => {
  it('SIGINT into a new folder: exit 130, one demo line, the folder is gone', async () => {
    const dir = join(tmp.dir, 'new');
    const r = await interruptDemo(dir, 'SIGINT');
    expect(r.code, r.stderr).toBe(130);
    expect(existsSync(dir) ? readdirSync(dir, { recursive: true }) : 'gone').toBe('gone');
    expect(r.stderr.trim().split('\n').at(-1)).toBe(`mmprep demo: interrupted (SIGINT): the demo's files in ${dir} were removed; run it again`);
    expect(r.stdout).not.toMatch(/^(ok|FAIL|part) /m);
  }, 180_000);

  it('SIGTERM into an existing empty folder: the folder stays, empty', async () => {
    const dir = join(tmp.dir, 'given');
    mkdirSync(dir);
    const r = await interruptDemo(dir, 'SIGTERM');
    expect(r.code, r.stderr).toBe(130);
    expect(readdirSync(dir, { recursive: true })).toEqual([]);
    expect(r.stderr).toContain(`mmprep demo: interrupted (SIGTERM): the demo's files in ${dir} were removed`);
  }, 180_000);
});
