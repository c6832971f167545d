/**
 * Two manifests extracted into one folder (a lab adding a second batch of sessions beside the first): each run
 * removed `_errors.jsonl` at its start, so the second run wiped the first one's failed sessions, and `dataset build`
 * of the first manifest then said "extract did not finish this session ... run mmprep extract --resume", which fails
 * again, instead of the stage and reason. Now a run clears only the lines of the sessions it processes and keeps the
 * others as they were; each line names its manifest, and the build's message says which.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-errors-shared-');
afterAll(() => tmp.cleanup());
const p = (n: string) => join(tmp.dir, n);
const lines = () => readFileSync(p('out/_errors.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('_errors.jsonl of a folder two manifests extract into', () => {
  it("keeps the other manifest's failed sessions; a rerun replaces only its own; build names stage, reason and manifest", async () => {
    for (const s of ['s01', 's02']) copyFileSync(join(FIXTURES, 'demo', `${s}_lav.flac`), p(`${s}.flac`));
    writeFileSync(p('broken.flac'), readFileSync(join(FIXTURES, 'demo', 's03_lav.flac')).subarray(0, 30_000));
    writeFileSync(p('A.csv'), 'session_id,speaker_id,lav_audio\na1,spk_a,s01.flac\na2,spk_b,broken.flac\n');
    writeFileSync(p('B.csv'), 'session_id,speaker_id,lav_audio\nb1,spk_c,s02.flac\nb2,spk_d,broken.flac\n');
    const run = (m: string, ...more: string[]) => runCli(['extract', m, '-o', 'out', '--only', 'audio', '--progress', 'none', ...more], { cwd: tmp.dir });
    expect((await run('A.csv')).code).toBe(4);
    expect((await run('B.csv')).code).toBe(4);
    expect(lines().map((e) => [e.session_id, e.line, e.manifest, e.stage])).toEqual([
      ['a2', 3, p('A.csv'), 'inputs'],
      ['b2', 3, p('B.csv'), 'inputs'],
    ]);
    // B again, its broken session fixed: its line goes, A's stays.
    writeFileSync(p('B.csv'), 'session_id,speaker_id,lav_audio\nb1,spk_c,s02.flac\nb2,spk_d,s01.flac\n');
    const again = await run('B.csv', '--resume');
    expect(again.code, again.stderr).toBe(0);
    expect(lines().map((e) => e.session_id)).toEqual(['a2']);
    const build = await runCliInProcess(['dataset', 'build', 'A.csv', '--features', 'out', '-o', 'rel', '--segments', 'fixed:2'], { cwd: tmp.dir });
    expect(build.code).toBe(4);
    expect(build.stderr).toContain(`a2: FAILED: ${p('out/a2')}: features missing: mmprep extract (manifest ${p('A.csv')}) failed this session in its inputs stage (`);
    expect(build.stderr).toMatch(/truncated: its audio stream 0 has packets that end at [\d.]+ s but its header declares 10\.000 s \(a copy or upload that did not finish\? replace it with the full file\); _errors\.jsonl line 1\)/);
  }, 180_000);
});
