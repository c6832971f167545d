/**
 * A new user's trial of `mmprep extract`: `--only audio --search-s 3` ran without a word although no stage run read
 * --search-s then (and meta.json did not record it; since session 49 the audio stage reads it, and `--ends` stands in); a Slurm array task whose `--shard K/N` held none of the manifest's
 * sessions printed only '0/0 sessions'. Both now get one stderr line. Negative control: options a stage run reads
 * give no warning. (The runs select no session, so no media is decoded.)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shardOf } from '../src/batch/shard.js';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-extract-notes-');
afterAll(() => tmp.cleanup());
const FLAC = join(FIXTURES, 'audio', 'wav', 'cards_001.flac');
const manifest = join(tmp.dir, 'm.csv');
writeFileSync(manifest, `session_id,speaker_id,lav_audio\ns1,spk,${FLAC}\n`);
const emptyShard = `${(shardOf('s1', 2) + 1) % 2}/2`;

describe('extract: notes a user would otherwise miss', () => {
  it('an empty shard says so (exit 0, one line)', async () => {
    const r = await runCli(['extract', manifest, '-o', join(tmp.dir, 'o1'), '--shard', emptyShard, '--progress', 'none']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).sessions).toBe(0);
    expect(r.stderr).toBe(`mmprep extract: shard ${emptyShard} holds none of the manifest's 1 sessions (each session goes to one shard by a hash of its session_id): nothing to do here\n`);
  }, 60_000);

  it('a bad --shard (3/2, 0/0) is refused with one stderr line and, as every refused extract, its JSON on stdout', async () => {
    for (const [shard, why] of [
      ['3/2', '--shard 3/2: K is 0-based and must be below N (0..1)'],
      ['0/0', '--shard 0/0: N must be at least 1'],
    ]) {
      const out = join(tmp.dir, 'o-shard');
      const r = await runCli(['extract', manifest, '-o', out, '--shard', shard, '--progress', 'none']);
      expect(r.code, shard).toBe(2);
      expect(r.stderr).toBe(`mmprep: ${why}\n`);
      expect(JSON.parse(r.stdout)).toEqual({ ok: false, manifest, out, error: why, exit_code: 2 });
    }
  }, 60_000);

  it('a stage option for a stage --only leaves out is a warning naming the option', async () => {
    // --search-s is read by the audio stage too since session 49 (where it searches the sync beep): no warning for it.
    const r = await runCli(['extract', manifest, '-o', join(tmp.dir, 'o2'), '--shard', emptyShard, '--progress', 'none', '--only', 'audio', '--ends', 'both', '--search-s', '3', '--tone-hz', '900']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.includes('warning'));
    expect(lines).toEqual([
      'mmprep extract: warning: --ends has no effect: only the sync stage reads it, and --only audio leaves it out (it is not recorded in meta.json)',
    ]);
  }, 60_000);

  it('no warning for options the stages run read', async () => {
    const r = await runCli(['extract', manifest, '-o', join(tmp.dir, 'o3'), '--shard', emptyShard, '--progress', 'none', '--search-s', '3', '--face-fps', '2', '--voice']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('warning');
  }, 60_000);
});
