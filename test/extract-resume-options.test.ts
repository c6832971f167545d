/**
 * `extract --resume` over done sessions made with other stage options (ttrial51 F4): a shard's resume without the
 * `--face-fps 2` its folder was made with redid every session at every frame and replaced the 2-fps outputs, saying so
 * only in "redone although --resume" lines. It is refused now before anything is written (exit 2, one line: how many
 * sessions, which options with their values then and now, what to do), unless --redo-changed. A row's sync_options
 * cell counts as that row's options; a session an errors file lists (failed) is retried; a shard looks at its rows only.
 * In-process over two FLAC files, with a sync stage that writes the options it got (the options are what is tested).
 */
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extract, readManifest, selectShard, shardOf, type ExtractOptions } from '../src/batch/extract.js';
import { sessionsWithOtherOptions } from '../src/batch/resume-check.js';
import { InputError } from '../src/common/errors.js';
import { FIXTURES, tempDir } from './helpers/cli.js';

let dir: string;
let cleanup: () => void;
let stagesModule: string;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-resume-options-'));
  for (const s of ['s01', 's02']) copyFileSync(join(FIXTURES, 'demo', `${s}_lav.flac`), join(dir, `${s}_lav.flac`));
  stagesModule = join(dir, 'echo-stages.mjs');
  writeFileSync(stagesModule, [
    "import { writeFileSync } from 'node:fs';",
    "import { join } from 'node:path';",
    "export const stages = { sync: async (ctx) => { writeFileSync(join(ctx.dir, 'sync.json'), JSON.stringify(ctx.options)); return { files: ['sync.json'] }; } };",
  ].join('\n'));
});
afterAll(() => cleanup());

/** Every file under the output folder with its bytes and mtime: what "nothing touched" means. */
function snapshot(out: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(join(out, rel), { withFileTypes: true })) {
      const r = join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else files[r] = `${statSync(join(out, r)).mtimeMs} ${readFileSync(join(out, r), 'base64')}`;
    }
  };
  walk('');
  return files;
}

const manifest = (name: string, s01Cell: string) => {
  const m = join(dir, name);
  writeFileSync(m, `session_id,speaker_id,lav_audio,sync_options\ns01,a,s01_lav.flac,${s01Cell}\ns02,b,s02_lav.flac,\n`);
  return m;
};

describe('extract --resume with other stage options than the folder was made with', () => {
  it('refuses before any work naming the sessions, the option with both values and what to do; --redo-changed redoes them', async () => {
    const m = manifest('m.csv', '');
    const out = join(dir, 'out');
    const run = (o: Partial<ExtractOptions>) => extract(m, { out, only: ['sync'], jobs: 1, progress: 'none', stagesModule, ...o });
    expect(await run({ stageOptions: { searchS: 20 } })).toMatchObject({ done: 2 });
    // an errors file of an earlier run is part of what must stay as it was
    writeFileSync(join(out, '_errors.jsonl'), JSON.stringify({ session_id: 'gone', line: 9, manifest: m, stage: 'inputs', reason: 'x', earlier_output_kept: false }) + '\n');
    const before = snapshot(out);
    const e = await run({ resume: true }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).message).toBe(
      `--resume: 2 of the manifest's 2 sessions are done in ${out} with other stage options than this run's and would be redone: --search-s: 20 in the folder, not given now (2 sessions: s01, s02); nothing was done. To skip them, run again with the options the folder was made with (the flags as above); to redo them with this run's options, add --redo-changed`,
    );
    expect(snapshot(out)).toEqual(before);
    // the same flags: skipped; another value: refused; --redo-changed: redone with it
    expect(await run({ resume: true, stageOptions: { searchS: 20 } })).toMatchObject({ done: 0, skipped: 2 });
    await expect(run({ resume: true, stageOptions: { searchS: 30 } })).rejects.toThrow(/--search-s: 20 in the folder, 30 now \(2 sessions: s01, s02\)/);
    expect(await run({ resume: true, redoChanged: true, stageOptions: { searchS: 30 } })).toMatchObject({ done: 2, skipped: 0 });
    expect(JSON.parse(readFileSync(join(out, 's02', 'sync.json'), 'utf8'))).toEqual({ searchS: 30 });
    await expect(run({ redoChanged: true })).rejects.toThrow('--redo-changed goes with --resume');
  });

  it("a row's sync_options cell is that row's option; a failed session is retried; a shard looks at its own rows", async () => {
    const out = join(dir, 'out-row');
    const run = (m: string, o: Partial<ExtractOptions>) => extract(m, { out, only: ['sync'], jobs: 1, progress: 'none', stagesModule, ...o });
    expect(await run(manifest('row.csv', '--ends both'), {})).toMatchObject({ done: 2 });
    const plain = manifest('plain.csv', '');
    await expect(run(plain, { resume: true })).rejects.toThrow(
      /^--resume: 1 of the manifest's 2 sessions are done in .* would be redone: --ends in the sync_options cell of line 2: both in the folder, not given now \(1 session: s01\); nothing was done\. .*\(the flags as above, the rows' sync_options cells as they were\)/,
    );
    // Only the shard's rows are looked at: of 5 shards, s01 is in 0 (alone) and s02 in 3.
    expect([shardOf('s01', 5), shardOf('s02', 5)]).toEqual([0, 3]);
    const rows = (await readManifest(plain)).sessions;
    expect(await sessionsWithOtherOptions(out, selectShard(rows, { index: 3, count: 5 }), ['sync'], {})).toEqual([]);
    await expect(run(plain, { resume: true, shard: { index: 0, count: 5 } })).rejects.toThrow(/^--resume: 1 of shard 0\/5's 1 sessions are done/);
    // s01 listed as failed by the last run that processed it: retried with this run's options, not refused.
    writeFileSync(join(out, '_errors.jsonl'), JSON.stringify({ session_id: 's01', line: 2, manifest: plain, stage: 'sync', reason: 'x', earlier_output_kept: true }) + '\n');
    expect(await run(plain, { resume: true })).toMatchObject({ done: 1, skipped: 1 });
    expect(JSON.parse(readFileSync(join(out, 's01', 'sync.json'), 'utf8'))).toEqual({});
  });
});
