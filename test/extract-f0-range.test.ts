/**
 * `extract --f0-floor/--f0-ceiling`: the audio stage's pitch range, passed through as `mmprep audio` takes it. The
 * pitch-range warnings tell users to rerun with another floor or ceiling, and extract had no such flag (docs said to
 * run `mmprep audio` on the file by hand). The range is a stage option: recorded in meta.json, so --resume redoes a
 * session made with another range and says why. On the demo's s02 lav (10 s), audio stage alone.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';

const { dir, cleanup } = tempDir('mmprep-extract-f0-range-');
afterAll(() => cleanup());
const m = join(dir, 'm.csv');
const out = join(dir, 'out');
const run = (...a: string[]) => runCli(['extract', m, '-o', out, '--only', 'audio', '--jobs', '1', '--progress', 'none', ...a]);
const summary = (r: { stdout: string }) => JSON.parse(r.stdout) as Record<string, unknown>;
const RANGE = ['--f0-floor', '100', '--f0-ceiling', '300'];

beforeAll(() => {
  for (const f of ['s02_camera.mp4', 's02_lav.flac']) copyFileSync(join(FIXTURES, 'demo', f), join(dir, f));
  writeFileSync(m, 'session_id,speaker_id,video,lav_audio\ns02,p1,s02_camera.mp4,s02_lav.flac\n');
});

describe('extract --f0-floor / --f0-ceiling', () => {
  it('a range outside 0 < floor < ceiling is refused before any session (exit 2, nothing written)', async () => {
    const r = await run('--f0-floor', '700');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--f0-floor/--f0-ceiling: need 0 < f0 floor < f0 ceiling, got 700 and 600');
    expect(existsSync(join(out, 's02'))).toBe(false);
  });

  it('writes the audio.jsonl that mmprep audio writes with the same range, and records the range in meta.json', async () => {
    const r = await run(...RANGE);
    expect(r.code, r.stderr).toBe(0);
    expect(summary(r).errors_file, 'no session failed: no errors file, none named').toBeNull();
    const ref = join(dir, 'ref.jsonl');
    const a = await runCli(['audio', join(dir, 's02_lav.flac'), ...RANGE, '-o', ref]);
    expect(a.code, a.stderr).toBe(0);
    const plain = join(dir, 'plain.jsonl');
    expect((await runCli(['audio', join(dir, 's02_lav.flac'), '-o', plain])).code).toBe(0);
    const got = readFileSync(join(out, 's02', 'audio.jsonl'));
    expect(got.equals(readFileSync(ref))).toBe(true);
    expect(got.equals(readFileSync(plain))).toBe(false);
    const meta = JSON.parse(readFileSync(join(out, 's02', 'meta.json'), 'utf8'));
    expect(meta.options).toEqual({ f0Ceiling: 300, f0Floor: 100 });
    expect(meta.made_by.audio.options).toEqual({ f0Ceiling: 300, f0Floor: 100 });
  });

  it('--resume skips the session at the same range and redoes it, saying why, at another', async () => {
    expect(summary(await run('--resume', ...RANGE))).toMatchObject({ done: 0, skipped: 1 });
    const again = await run('--resume', '--redo-changed', '--f0-floor', '90', '--f0-ceiling', '300');
    expect(again.code, again.stderr).toBe(0);
    expect(summary(again)).toMatchObject({ done: 1, skipped: 0 });
    expect(again.stderr).toContain('redone although --resume: its meta.json records stage options as typed {"f0Ceiling":300,"f0Floor":100}, this run {"f0Ceiling":300,"f0Floor":90}');
  });
});
