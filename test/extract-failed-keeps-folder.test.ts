/**
 * A session that fails is left as it was before the run (README "extract"; src/batch/session-snapshot.ts). A new
 * user's trial (ttrial45b finding 4): `--resume --only sync` with the camera truncated exited 4 but left the old
 * audio.jsonl without meta.json or sync.json, and a stale sync.json plus `--only audio` left the stale sync.json: half
 * a session, although the README said a failed session "is removed again". Now the folder is byte for byte what it
 * was, `_errors.jsonl` says so (`earlier_output_kept`), and a new session that fails leaves no folder. On the demo's s01
 * (10 s), the first run the one test/helpers/extract-cache.ts makes for extract-kept-sync-reference and others.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { extractCached } from './helpers/extract-cache.js';

const { dir, cleanup } = tempDir('mmprep-extract-failed-keeps-');
afterAll(() => cleanup());
const m = join(dir, 'm.csv');
const out = join(dir, 'out');
const s01 = join(out, 's01');
const run = (manifest: string, ...a: string[]) => runCli(['extract', manifest, '-o', out, '--jobs', '1', '--progress', 'none', ...a]);

/** Every entry of the folder (hidden ones too) with its bytes: what "as it was" compares. */
function folderState(d: string): Record<string, string> {
  const state: Record<string, string> = {};
  for (const n of readdirSync(d).sort()) state[n] = createHash('sha256').update(readFileSync(join(d, n))).digest('hex');
  return state;
}

function errorLines(): Array<Record<string, unknown>> {
  return readFileSync(join(out, '_errors.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

beforeAll(async () => {
  for (const f of ['s01_camera.mp4', 's01_lav.flac']) copyFileSync(join(FIXTURES, 'demo', f), join(dir, f));
  writeFileSync(m, 'session_id,speaker_id,video,lav_audio\ns01,p1,s01_camera.mp4,s01_lav.flac\n');
  const first = await extractCached(m, out, ['--only', 'sync,audio', '--progress', 'none']);
  expect(first.code, first.stderr).toBe(0);
});

describe('a failed re-extract leaves the session folder as it was', () => {
  it('a complete run leaves no copy of the files of before', () => {
    expect(Object.keys(folderState(s01))).toEqual(['audio.jsonl', 'audio.summary.json', 'meta.json', 'sync.json']);
  });

  it('a stale sync.json plus --only audio: exit 4, the folder unchanged (was: meta.json and audio removed, the stale sync.json kept)', async () => {
    const syncPath = join(s01, 'sync.json');
    const good = readFileSync(syncPath, 'utf8');
    const map = JSON.parse(good) as { reference: { file: string } };
    map.reference.file = '../../s02_lav.flac'; // another session's clock, as a sync.json copied from s02's folder has
    writeFileSync(syncPath, JSON.stringify(map, null, 2) + '\n');
    const before = folderState(s01);
    const r = await run(m, '--only', 'audio');
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/session s01 \(line 2\) failed in sync: sync\.json in the session folder has \.\.\/\.\.\/s02_lav\.flac as its reference clock.*; its folder keeps the earlier run's output as it was \(meta\.json and files\)\n/);
    expect(folderState(s01)).toEqual(before);
    expect(errorLines()).toEqual([expect.objectContaining({ session_id: 's01', stage: 'sync', earlier_output_kept: true })]);
    writeFileSync(syncPath, good);
  });

  it('--resume --only sync with the camera truncated: exit 4 in inputs, the folder unchanged; a new session failing so leaves no folder', async () => {
    const before = folderState(s01);
    truncateSync(join(dir, 's01_camera.mp4'), Math.floor(readFileSync(join(dir, 's01_camera.mp4')).length / 2));
    const r = await run(m, '--resume', '--only', 'sync');
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/session s01 \(line 2\) failed in inputs: video: s01_camera\.mp4: truncated: .*; its folder keeps the earlier run's output as it was/);
    expect(folderState(s01)).toEqual(before);
    expect(errorLines()).toEqual([expect.objectContaining({ session_id: 's01', stage: 'inputs', earlier_output_kept: true })]);
    const m2 = join(dir, 'm2.csv');
    writeFileSync(m2, 'session_id,speaker_id,video,lav_audio\ns09,p1,s01_camera.mp4,s01_lav.flac\n');
    const fresh = await run(m2, '--only', 'sync');
    expect(fresh.code, fresh.stderr).toBe(4);
    expect(fresh.stderr).not.toMatch(/keeps the earlier run's output/);
    expect(existsSync(join(out, 's09'))).toBe(false);
    expect(errorLines()).toEqual(expect.arrayContaining([expect.objectContaining({ session_id: 's09', stage: 'inputs', earlier_output_kept: false })]));
  });
});
