/**
 * Two `mmprep extract` runs into one -o at once: a session folder is written by one run at a time (its
 * OUT/<id>/.extract.lock, src/batch/session-lock.ts); the other waits, says so on stderr, and then does its own work,
 * so the folder's meta.json lists the files it holds with the options that made them. Before, both wrote the folder
 * at once and both said done. A lock whose process is gone, or not refreshed for 60 s, is taken over. On the demo's
 * s01 (10 s), sync and audio stages.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, ROOT, runCli, tempDir, type CliResult } from './helpers/cli.js';

const { dir, cleanup } = tempDir('mmprep-extract-concurrent-');
afterAll(() => cleanup());
let m = '';
const args = (out: string, ...a: string[]) => ['extract', m, '-o', out, '--only', 'sync,audio', '--jobs', '1', '--progress', 'none', ...a];
/** The second run's options: the audio stage's pitch ceiling, not the default 600 Hz. */
const OTHER = ['--f0-ceiling', '400'];
const lockOf = (out: string) => join(out, 's01', '.extract.lock');
const WAITING = /^mmprep extract: session s01 \(line 2\) is being extracted by another mmprep extract run into this folder \(pid \d+ on host .+, since .+, refreshed \d+ s ago; .+\.extract\.lock\); waiting for it to finish/m;

beforeAll(() => {
  for (const f of ['s01_camera.mp4', 's01_lav.flac']) copyFileSync(join(FIXTURES, 'demo', f), join(dir, f));
  m = join(dir, 'm.csv');
  writeFileSync(m, 'session_id,speaker_id,video,lav_audio\ns01,p1,s01_camera.mp4,s01_lav.flac\n');
});

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** runCli whose stderr so far can be read while it runs: a test waits for a line, not for a fixed time. */
function runWatched(a: string[]): { result: Promise<CliResult>; stderr: () => string } {
  const child = spawn(process.execPath, [BIN, ...a], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
  return { result, stderr: () => stderr };
}

/** Every output meta.json lists is the file in the folder (SHA-256). */
function metaMatchesFiles(out: string): { audio: unknown } {
  const meta = JSON.parse(readFileSync(join(out, 's01', 'meta.json'), 'utf8'));
  for (const o of meta.outputs) expect(createHash('sha256').update(readFileSync(join(out, 's01', o.file))).digest('hex'), o.file).toBe(o.sha256);
  return { audio: meta.made_by.audio.options };
}

describe('extract: one run at a time writes a session folder', () => {
  it('a second run with other options waits for the first, then writes the folder itself', async () => {
    const out = join(dir, 'two');
    const first = runCli(args(out));
    await until(() => existsSync(lockOf(out)), 60_000);
    // Other options: another pitch ceiling (OTHER), so the two runs' audio.jsonl differ (152 of s01's 1002 lines) and the
    // SHA-256 check below tells which run wrote each file. --voice until 2026-12-06: Praat's voice report cost ~0.8 CPU s more.
    const second = await runCli(args(out, ...OTHER));
    const a = await first;
    expect(a.code, a.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(WAITING);
    expect(JSON.parse(a.stdout)).toMatchObject({ done: 1 });
    expect(JSON.parse(second.stdout)).toMatchObject({ done: 1 });
    expect(metaMatchesFiles(out).audio).toEqual({ f0Ceiling: 400 });
    expect(readdirSync(join(out, 's01')).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('a lock held by a live run waits (then --resume skips the finished session); a stale one is taken over', async () => {
    const out = join(dir, 'two');
    // A live holder: this test process on this host. The run waits until the lock is gone.
    writeFileSync(lockOf(out), JSON.stringify({ pid: process.pid, host: hostname(), started_at: new Date().toISOString(), token: 'test' }));
    const waiting = runWatched(args(out, ...OTHER, '--resume'));
    // Removed once the run says it waits for it (a fixed 4 s sleep was too short at a load of ~11).
    await until(() => WAITING.test(waiting.stderr()), 60_000);
    rmSync(lockOf(out));
    const w = await waiting.result;
    expect(w.stderr).toMatch(WAITING);
    expect(JSON.parse(w.stdout)).toMatchObject({ done: 0, skipped: 1 });
    // Stale: a process of this host that has ended, or another host's lock untouched for 10 minutes.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    for (const [holder, age] of [[{ pid: dead, host: hostname() }, 0], [{ pid: 1, host: 'another-node' }, 600]] as const) {
      writeFileSync(lockOf(out), JSON.stringify({ ...holder, started_at: '2026-01-01T00:00:00.000Z', token: 'old' }));
      const t = new Date(Date.now() - age * 1000);
      utimesSync(lockOf(out), t, t);
      const r = await runCli(args(out, ...OTHER, '--resume'));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(WAITING);
      // ttrial51 F6: the takeover is said, naming the host and how long the lock went unrefreshed
      const why = age ? /not refreshed for 6\d\d s/ : /its process is gone \(last refreshed \d+ s ago\)/;
      expect(r.stderr).toMatch(new RegExp(`^mmprep extract: session s01 \\(line 2\\) took over the lock of another mmprep extract run \\(pid ${holder.pid} on host ${holder.host}, since 2026-01-01T00:00:00.000Z; .+\\.extract\\.lock\\): ${why.source}`, 'm'));
      expect(JSON.parse(r.stdout)).toMatchObject({ done: 0, skipped: 1 });
      expect(existsSync(lockOf(out))).toBe(false);
    }
  });
});
