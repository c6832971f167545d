/**
 * `extract --shard K/N` checks the files of its own share of the manifest only (docs/scale.md): a missing file in a row
 * of another index refused every index before (a new user's trial as a Kubernetes Indexed Job: one bad row, and a
 * file unreadable for a while, failed every index, although the docs say "the other indexes go on"). The index that
 * holds the row still refuses it (exit 2, the line and column), and so does a run without --shard. A problem of the
 * manifest itself (a duplicate session id) still refuses every index. Sessions 'a' (shard 0 of 2) and 'c' (shard 1).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shardOf } from '../src/batch/shard.js';
// @ts-expect-error plain ES module without types
import { writeWav } from '../scripts/wav.mjs';
import { runCli, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-shard-file-checks-');
afterAll(() => tmp.cleanup());

/** Half a second of a 16 kHz 16-bit mono tone as a WAV file (no ffmpeg needed to make it). */
function writeToneWav(path: string): void {
  writeWav(path, Float32Array.from({ length: 8000 }, (_, i) => 0.09 * Math.sin(i / 5)), 16000, 16);
}

const run = (manifest: string, shard?: string) =>
  runCli(['extract', manifest, '-o', 'out', '--only', 'sync', '--progress', 'none', ...(shard ? ['--shard', shard] : [])], { cwd: tmp.dir });

describe('extract --shard: file checks of its own rows only', () => {
  it("another index's missing file does not stop this index; the index holding it, and an unsharded run, refuse it", async () => {
    expect([shardOf('a', 2), shardOf('c', 2)]).toEqual([0, 1]);
    writeToneWav(join(tmp.dir, 'a.wav'));
    writeFileSync(join(tmp.dir, 'm.csv'), 'session_id,speaker_id,lav_audio\na,spk_a,a.wav\nc,spk_c,missing.wav\n');
    const own = await run('m.csv', '0/2');
    expect(own.code, own.stderr).toBe(0);
    expect(JSON.parse(own.stdout)).toMatchObject({ ok: true, manifest_sessions: 2, sessions: 1, done: 1 });
    for (const r of [await run('m.csv', '1/2'), await run('m.csv')]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('m.csv:3, column lav_audio: no such file: missing.wav');
    }
  }, 120_000);

  it("a problem of the manifest itself (a duplicate session id in another index's rows) refuses every index", async () => {
    writeFileSync(join(tmp.dir, 'dup.csv'), 'session_id,speaker_id,lav_audio\na,spk_a,a.wav\nc,spk_c,c.wav\nc,spk_c,c.wav\n');
    const r = await run('dup.csv', '0/2');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/dup\.csv:4, column session_id: duplicate session_id 'c'/);
  }, 60_000);
});
