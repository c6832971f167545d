/**
 * `mmprep extract` says on stderr (and counts in its summary's warnings) the sync warning of a session of one stream
 * (method `single_stream`: its own reference clock, nothing aligned), as it does the other sync warnings.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-extract-sync-warn-');
afterAll(() => tmp.cleanup());

describe('extract passes the single_stream sync warning through', () => {
  it('an audio-only session: a stderr warning line, summary warnings 1, and the warning in sync.json', async () => {
    copyFileSync(join(FIXTURES, 'demo', 's01_lav.flac'), join(tmp.dir, 'lav.flac'));
    const manifest = join(tmp.dir, 'manifest.csv');
    writeFileSync(manifest, 'session_id,speaker_id,lav_audio\ns1,p1,lav.flac\n');
    const out = join(tmp.dir, 'out');
    const r = await runCli(['extract', manifest, '-o', out, '--only', 'sync', '--progress', 'none']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/mmprep extract: session s1 \(line 2\): warning: sync: \S*lav\.flac audio stream 0: single_stream: the only stream of the session: it is its own reference clock \(offset 0\); no alignment was measured/);
    expect(JSON.parse(r.stdout)).toMatchObject({ done: 1, failed: 0, warnings: 1 });
    const map = JSON.parse(readFileSync(join(out, 's1', 'sync.json'), 'utf8'));
    expect(map.streams[0]).toMatchObject({ method: 'single_stream' });
  }, 120_000);
});
