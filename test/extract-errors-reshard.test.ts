/**
 * A session that failed under `--shard 1/2`, fixed and run again under another shard count (`--shard 1/3`): its line
 * stayed in `_errors.shard-1-of-2.jsonl`, so `cat OUT/_errors*.jsonl` (docs/scale.md) listed a session that is done.
 * A run now removes its sessions' lines from the errors files of other shard counts; other sessions' lines stay.
 * Session ids chosen by their shard: 'd' is shard 1 of 2 and of 3, 'c' is shard 1 of 2 and 2 of 3.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shardOf } from '../src/batch/shard.js';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-errors-reshard-');
afterAll(() => tmp.cleanup());
const p = (n: string) => join(tmp.dir, n);
const ids = (f: string) => readFileSync(p(`out/${f}`), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { session_id: string }).session_id);

describe('_errors.shard-K-of-N.jsonl after a retry with another N', () => {
  it("drops the line of a session the retry finished, keeps the others'", async () => {
    expect([shardOf('d', 2), shardOf('d', 3), shardOf('c', 2), shardOf('c', 3)]).toEqual([1, 1, 1, 2]);
    writeFileSync(p('broken.flac'), readFileSync(join(FIXTURES, 'demo', 's03_lav.flac')).subarray(0, 30_000));
    copyFileSync(join(FIXTURES, 'demo', 's01_lav.flac'), p('good.flac'));
    const manifest = (d: string) => writeFileSync(p('m.csv'), `session_id,speaker_id,lav_audio\nc,spk_c,broken.flac\nd,spk_d,${d}\n`);
    const run = (shard: string) => runCli(['extract', 'm.csv', '-o', 'out', '--only', 'audio', '--shard', shard, '--progress', 'none'], { cwd: tmp.dir });
    manifest('broken.flac');
    expect((await run('1/2')).code).toBe(4);
    expect(ids('_errors.shard-1-of-2.jsonl')).toEqual(['c', 'd']);
    manifest('good.flac');
    const again = await run('1/3');
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ sessions: 1, done: 1 });
    expect(existsSync(p('out/d/meta.json'))).toBe(true);
    expect(ids('_errors.shard-1-of-2.jsonl')).toEqual(['c']);
    expect(existsSync(p('out/_errors.shard-1-of-3.jsonl'))).toBe(false);
  }, 180_000);
});
