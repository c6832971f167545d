/**
 * Ctrl-C (SIGINT) or SIGTERM during a command without a batch of its own (here `face -o`): the temp file being
 * written and the outputs already made are removed, one line on stderr, exit 130 (README "Exit codes"). Node used
 * to die by the signal and leave `.face.jsonl.<pid>.<n>.tmp` beside the output.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-interrupt-');
afterAll(() => tmp.cleanup());

/** Starts `face -o` into its own folder, sends `signal` once its temp output exists, resolves with the result. */
async function interruptFace(signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string; left: string[] }> {
  const dir = join(tmp.dir, signal);
  const child = spawn(process.execPath, [BIN, 'face', join(FIXTURES, 'demo', 's01_camera.mp4'), '-o', join(dir, 'face.jsonl'), '--summary', join(dir, 's.json'), '--workers', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  let sent = false;
  for (let i = 0; i < 600 && !sent; i++) {
    await new Promise((r) => setTimeout(r, 50));
    let names: string[] = [];
    try { names = readdirSync(dir); } catch { /* not made yet */ }
    if (names.some((n) => n.endsWith('.tmp'))) sent = child.kill(signal);
  }
  expect(sent, 'the temp output never appeared').toBe(true);
  const code = await exited;
  return { code, stderr, left: readdirSync(dir) };
}

describe('interrupting a single-file command', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('%s: exit 130, one line, no temp or partial output left', async (signal) => {
    const r = await interruptFace(signal);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toBe(`mmprep face: interrupted (${signal}): its output files were removed; run it again\n`);
    expect(r.left).toEqual([]);
  }, 60_000);
});
