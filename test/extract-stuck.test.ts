/**
 * mmprep must never hang on an output path, and SIGTERM must always end it. `extract … -o /proc/xx` used to spin
 * forever (Node 20's mkdir { recursive: true } retries an ENOENT from procfs endlessly in a libuv thread), printing
 * nothing, and SIGTERM did not end it. Each run here is killed after a timeout, so a regression fails, not hangs.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeFolder } from '../src/common/make-folder.js';
import { BIN, FIXTURES, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-stuck-');
afterAll(() => tmp.cleanup());
const wav = join(FIXTURES, 'audio', 'wav', 'cards_001.flac');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  killedByTimeout: boolean;
  ms: number;
}

/**
 * Does a thread of `pid` wait in the open of a FIFO (kernel wait channel `wait_for_partner`)? Then mmprep has
 * installed its signal handlers (before it reads the manifest). Null when the wait channel cannot be read here.
 */
function blockedInFifoOpen(pid: number): boolean | null {
  try {
    return readdirSync(`/proc/${pid}/task`).some((t) => {
      try {
        return /wait_for_partner|fifo/.test(readFileSync(`/proc/${pid}/task/${t}/wchan`, 'utf8'));
      } catch {
        return false;
      }
    });
  } catch {
    return null;
  }
}

/**
 * Runs mmprep; SIGKILLs it after `limitMs`; `signals` are sent at the given times, in ms after mmprep blocks in
 * the FIFO's open (polled, so a slow start on a loaded machine does not meet a signal before mmprep's handlers;
 * 1.5 s after the start where /proc does not tell). `ms`: from the last signal to the exit.
 */
function runWithLimit(args: string[], limitMs: number, signals: Array<[number, NodeJS.Signals]> = []): Promise<Run> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [BIN, ...args], { cwd: tmp.dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let killedByTimeout = false;
    let lastSignalAt = t0;
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timers: NodeJS.Timeout[] = [];
    const poll = setInterval(() => {
      const blocked = signals.length ? blockedInFifoOpen(child.pid!) : false;
      if (!blocked && !(blocked === null && Date.now() - t0 >= 1500)) return;
      clearInterval(poll);
      for (const [at, sig] of signals) timers.push(setTimeout(() => ((lastSignalAt = Date.now()), child.kill(sig)), at));
    }, 10);
    const limit = setTimeout(() => {
      killedByTimeout = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      for (const t of [...timers, limit]) clearTimeout(t);
      resolve({ code, signal, stderr, killedByTimeout, ms: Date.now() - lastSignalAt });
    });
  });
}

const linux = process.platform === 'linux';

describe('no hang on an unwritable output folder', () => {
  it.runIf(linux)('extract -o /proc/xx: exit 2 at once with the documented line, nothing created', async () => {
    writeFileSync(join(tmp.dir, 'm5.csv'), `session_id,speaker_id,lav_audio\na1,spk_a,${wav}\n`);
    for (const out of ['/proc/xx', '/proc/xx/yy/zz']) {
      const r = await runWithLimit(['extract', 'm5.csv', '-o', out, '--only', 'audio', '--progress', 'none'], 20_000);
      expect(r.killedByTimeout, 'mmprep hung and was killed').toBe(false);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim()).toBe(`mmprep extract: cannot write ${out}: no such folder, or no file can be created there; choose another path`);
    }
    expect(existsSync('/proc/xx')).toBe(false);
  }, 45_000);

  it('makeFolder: makes nested folders, accepts an existing one, refuses a file in the way with its fs code', async () => {
    const deep = join(tmp.dir, 'a', 'b', 'c');
    await makeFolder(deep);
    await makeFolder(deep);
    expect(readdirSync(join(tmp.dir, 'a'))).toEqual(['b']);
    writeFileSync(join(tmp.dir, 'f'), 'x');
    await expect(makeFolder(join(tmp.dir, 'f'))).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(makeFolder(join(tmp.dir, 'f', 'g'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});

describe('SIGTERM always ends extract, even with a step that never returns', () => {
  // A FIFO no one writes as the manifest: its open() blocks a libuv thread for ever (the state of the /proc hang).
  const fifo = join(tmp.dir, 'stuck.csv');
  const args = ['extract', fifo, '-o', join(tmp.dir, 'out'), '--only', 'audio', '--progress', 'none'];
  if (linux) {
    mkdirSync(tmp.dir, { recursive: true });
    execFileSync('mkfifo', [fifo]);
  }

  it.runIf(linux)('a second SIGTERM ends it at once', async () => {
    const r = await runWithLimit(args, 15_000, [[0, 'SIGTERM'], [500, 'SIGTERM']]);
    expect(r.killedByTimeout, 'SIGTERM did not end mmprep').toBe(false);
    expect(r.signal).toBe('SIGTERM');
    // "At once": well before the 7.5 s the first SIGTERM's rollback is given, with room for a loaded machine.
    expect(r.ms).toBeLessThan(5000);
    expect(r.stderr).toMatch(/^mmprep extract: SIGTERM: the rollback did not finish; exiting now \(run again with --resume\)\n$/);
  }, 20_000);

  it.runIf(linux)('one SIGTERM ends it after the rollback limit', async () => {
    const r = await runWithLimit(args, 20_000, [[0, 'SIGTERM']]);
    expect(r.killedByTimeout, 'SIGTERM did not end mmprep').toBe(false);
    expect(r.signal).toBe('SIGTERM');
    expect(r.stderr).toMatch(/^mmprep extract: SIGTERM: the rollback did not finish within 7\.5 s; exiting now/);
  }, 25_000);
});
