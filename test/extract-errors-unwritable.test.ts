/**
 * The errors file cannot be written (a disk full to the last byte: the sessions fail with "no space left on device",
 * and then so does OUT/_errors.jsonl). That write was an unhandled rejection: a stack trace, exit 1, no summary, the
 * running sessions' .extract.lock files left behind. Now one stderr line says so, the run goes on, the summary's
 * `errors_file` is null and the exit code is 4. The write failure is made here by replacing writeFileAtomic for that
 * one file (the run's main thread); the sessions fail in inputs (a file that is not media), no stage runs.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { OutputPathError } from '../src/common/errors.js';
import { runCli, tempDir } from './helpers/cli.js';

vi.mock('../src/common/atomic.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/common/atomic.js')>();
  return {
    ...real,
    writeFileAtomic: async (target: string, data: string | Uint8Array) => {
      if (target.endsWith('_errors.jsonl')) throw new OutputPathError(target, 'no space left on device');
      return real.writeFileAtomic(target, data);
    },
  };
});

const { dir, cleanup } = tempDir('mmprep-extract-errors-unwritable-');
afterAll(() => cleanup());

describe('extract: an errors file that cannot be written', () => {
  it('is one line; the run finishes, its failures counted, nothing left in the folder', async () => {
    const { extract } = await import('../src/batch/extract.js');
    for (const f of ['a.wav', 'b.wav']) writeFileSync(join(dir, f), 'not a recording\n');
    writeFileSync(join(dir, 'm.csv'), 'session_id,speaker_id,lav_audio\na,p1,a.wav\nb,p2,b.wav\n');
    const lines: string[] = [];
    const progress = { update: () => undefined, stop: () => undefined, log: (l: string) => void lines.push(l) };
    const s = await extract(join(dir, 'm.csv'), { out: join(dir, 'out'), only: ['audio'], jobs: 1, progress });
    expect(s).toMatchObject({ failed: 2, done: 0, errors_file: null });
    expect(s.errors.map((e) => [e.session_id, e.stage])).toEqual([
      ['a', 'inputs'],
      ['b', 'inputs'],
    ]);
    expect(lines.filter((l) => l.includes('_errors.jsonl'))).toEqual([
      `mmprep extract: cannot write ${join(dir, 'out', '_errors.jsonl')}: no space left on device; choose another path: each failed session's line on stderr is its only record`,
    ]);
    expect(readdirSync(join(dir, 'out'))).toEqual([]);
    expect(existsSync(join(dir, 'out', 'a'))).toBe(false);
  }, 60_000);

  it('an existing output folder where no file can be made is refused before any session (exit 2, one line)', async () => {
    // /proc/1 exists on every Linux and takes no new file, for root too (a read-only mount needs root to make).
    const r = await runCli(['extract', 'm.csv', '-o', '/proc/1', '--only', 'audio', '--progress', 'none'], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe('mmprep extract: cannot write /proc/1: no such folder, or no file can be created there; choose another path\n');
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, exit_code: 2 });
  }, 60_000);
});
