/**
 * `mmprep extract MANIFEST --check` (ttrial51 F3): every row's problems at once (a path typo, a duplicate id, a bad
 * sync_options cell, a directory given as media), whatever --shard says, nothing written and no stage started; exit 0
 * with a one-line summary on a good manifest. Before, a path typo stopped only its own shard, and listing every problem
 * took an unsharded run, which also started the work. In-process; the media are the demo's files, only stat'ed and opened.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCliInProcess, tempDir } from './helpers/cli.js';

const { dir, cleanup } = tempDir('mmprep-extract-check-');
afterAll(() => cleanup());

beforeAll(() => {
  for (const f of ['s01_camera.mp4', 's01_lav.flac', 's02_lav.flac']) copyFileSync(join(FIXTURES, 'demo', f), join(dir, f));
  mkdirSync(join(dir, 'folder.flac'));
  const rows = ['s01,a,s01_lav.flac,s01_camera.mp4,', 's02,b,s02_lav.flc,,', 's03,c,s02_lav.flac,,--pick frist', 's01,d,s02_lav.flac,,', 's05,e,folder.flac,,'];
  writeFileSync(join(dir, 'bad.csv'), `session_id,speaker_id,lav_audio,video,sync_options\n${rows.join('\n')}\n`);
  writeFileSync(join(dir, 'good.csv'), `session_id,speaker_id,lav_audio,video\ns01,a,s01_lav.flac,s01_camera.mp4\ns02,b,s02_lav.flac,\n`);
});

describe('extract --check', () => {
  it('lists every problem of every row, one line each, the same under any --shard; exit 2, nothing written', async () => {
    const out = join(dir, 'out');
    const shards = await Promise.all(['0/2', '1/2'].map((k) => runCliInProcess(['extract', join(dir, 'bad.csv'), '--check', '--shard', k, '-o', out])));
    for (const r of shards) {
      expect(r.code, r.stderr).toBe(2);
      const lines = r.stderr.split('\n').filter((l) => /bad\.csv:\d/.test(l));
      expect(lines).toHaveLength(4);
      expect(lines[0]).toMatch(/bad\.csv:3, column lav_audio: no such file: s02_lav\.flc/);
      expect(lines[1]).toMatch(/bad\.csv:4, column sync_options: --pick needs one of first, strongest, at:T \(got 'frist'\)/);
      expect(lines[2]).toMatch(/bad\.csv:5, column session_id: duplicate session_id 's01' \(first on line 2\)/);
      expect(lines[3]).toMatch(/bad\.csv:6, column lav_audio: is a directory, not a file: folder\.flac/);
      expect(r.stderr).toMatch(/4 problem\(s\) in .*bad\.csv \(every row checked, whatever --shard says\)/);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, exit_code: 2, problems: expect.any(Array) });
    }
    expect(shards[0].stderr).toBe(shards[1].stderr);
    expect(existsSync(out)).toBe(false);
  });

  it('a good manifest: exit 0, one summary line, the JSON summary; no -o needed and nothing written', async () => {
    const r = await runCliInProcess(['extract', join(dir, 'good.csv'), '--check'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^mmprep extract --check: .*good\.csv: 2 session\(s\), 3 media file\(s\) present and readable, no problem; stages sync,audio,face; nothing written\n$/);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, check: true, sessions: 2, media_files: 3, warnings: 0 });
    expect(existsSync(join(dir, 's01'))).toBe(false);
  });

  it('a --shard the run would refuse is refused by the check too (a 1-based array index: 2/2), saying what to do', async () => {
    const r = await runCliInProcess(['extract', join(dir, 'good.csv'), '--check', '--shard', '2/2'], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe('mmprep: --shard 2/2: K is 0-based and must be below N (0..1); an array counted from 1 (sbatch --array=1-2) leaves shard 0 out: number its tasks 0..1 (--array=0-1), or pass K-1\n');
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, exit_code: 2 });
  });
});
