/**
 * A manifest row's own sync options (column `sync_options`, src/batch/row-options.ts): they reach that session's stages
 * in place of the command line's, are recorded in its meta.json, and a `--resume` of the same manifest skips it. Before
 * 2026-12-06 a session that needed `--pick first` was extracted alone with it, and every `extract manifest --resume`
 * redid it without and failed (a new user's trial, ttrial49 R7: a batch that could never end with exit 0).
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extract } from '../src/batch/extract.js';
import { ManifestError, readManifest } from '../src/batch/manifest.js';
import { parseRowSyncOptions } from '../src/batch/row-options.js';
import { withRowOptionHint } from '../src/batch/extract-stages.js';
import { InputError } from '../src/common/errors.js';
import { FIXTURES, tempDir } from './helpers/cli.js';

let dir: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-row-options-'));
  for (const s of ['s01', 's02']) copyFileSync(join(FIXTURES, 'demo', `${s}_lav.flac`), join(dir, `${s}_lav.flac`));
  // A sync stage that records the options it was given (the real one is tested elsewhere; here only what reaches it).
  writeFileSync(join(dir, 'echo-stages.mjs'), [
    "import { writeFileSync } from 'node:fs';",
    "import { join } from 'node:path';",
    "export const stages = { sync: async (ctx) => { writeFileSync(join(ctx.dir, 'sync.json'), JSON.stringify(ctx.options)); return { files: ['sync.json'] }; } };",
  ].join('\n'));
});
afterAll(() => cleanup());

describe('sync_options column', () => {
  it('parses the flags of mmprep sync a row may carry, and refuses others naming what is allowed', () => {
    expect(parseRowSyncOptions('--pick first --share-camera-clock')).toEqual({ options: { pick: 'first', shareCameraClock: true } });
    expect(parseRowSyncOptions(' --ends both --search-s=30 --tone-hz 2000 --one-pulse ')).toEqual({ options: { ends: 'both', searchS: 30, toneHz: 2000, onePulse: true } });
    expect(parseRowSyncOptions('--pick last')).toEqual({ problem: "--pick needs one of first, strongest, at:T (got 'last')" });
    expect(parseRowSyncOptions('--pick at:10.03')).toEqual({ options: { pick: 'at:10.03' } });
    // A row may refuse (none) or accept (xcorr, the default) a microphone placed by its content only.
    expect(parseRowSyncOptions('--fallback xcorr')).toEqual({ options: { fallback: 'xcorr' } });
    expect(parseRowSyncOptions('--fallback yes')).toEqual({ problem: "--fallback needs one of none, xcorr (got 'yes')" });
    expect(parseRowSyncOptions('--pick at:T')).toEqual({ problem: "--pick needs one of first, strongest, at:T (got 'at:T')" });
    expect(parseRowSyncOptions('--search-s')).toEqual({ problem: '--search-s needs a number of at least 0' });
    expect(parseRowSyncOptions('--voice')).toMatchObject({ problem: expect.stringMatching(/^'--voice' is not a sync option a row can carry \(allowed: --ends, --fallback, --pick, --search-s, --tone-hz, --share-camera-clock, --one-pulse\)$/) });
  });

  it("a sync refusal that advises a flag says, in extract, where a batch puts it; others are left as they are", () => {
    const ambiguous = withRowOptionHint(new InputError('cam.mp4: video stream 0: ambiguous sync pulse in the start window: 2 flashes of similar strength: ...; rerun with --pick first or --pick strongest')) as Error;
    expect(ambiguous.message).toMatch(/rerun with --pick first or --pick strongest; in a batch, give that flag to this session only in the manifest's sync_options column/);
    const other = withRowOptionHint(new InputError('lav.wav: no sync beep found in the first 60 s')) as Error;
    expect(other.message).toBe('lav.wav: no sync beep found in the first 60 s');
  });

  it('a wrong cell is a manifest problem naming its line and column', async () => {
    const m = join(dir, 'bad.csv');
    writeFileSync(m, 'session_id,speaker_id,lav_audio,sync_options\ns01,a,s01_lav.flac,--pick frist\n');
    const e = await readManifest(m).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ManifestError);
    expect((e as ManifestError).lines().join('\n')).toMatch(/bad\.csv:2, column sync_options: --pick needs one of first, strongest, at:T \(got 'frist'\); write the flags as on mmprep sync's command line/);
  });

  it("reach that session's stages over the command line's, and --resume skips the session", async () => {
    const m = join(dir, 'm.csv');
    writeFileSync(m, 'session_id,speaker_id,lav_audio,sync_options\ns01,a,s01_lav.flac,--pick first --search-s 30\ns02,b,s02_lav.flac,\n');
    const out = join(dir, 'out');
    const run = (resume: boolean) => extract(m, { out, only: ['sync'], jobs: 1, progress: 'none', resume, stageOptions: { searchS: 20, ends: 'both' }, stagesModule: join(dir, 'echo-stages.mjs') });
    const first = await run(false);
    expect(first).toMatchObject({ done: 2, failed: 0 });
    expect(JSON.parse(readFileSync(join(out, 's01', 'sync.json'), 'utf8'))).toEqual({ searchS: 30, ends: 'both', pick: 'first' });
    expect(JSON.parse(readFileSync(join(out, 's02', 'sync.json'), 'utf8'))).toEqual({ searchS: 20, ends: 'both' });
    expect(JSON.parse(readFileSync(join(out, 's01', 'meta.json'), 'utf8')).options).toMatchObject({ pick: 'first', searchS: 30 });
    // made_by.sync says which of them the row chose (dataset build does not call a row's choice a mix: made-by-mix.ts)
    expect(JSON.parse(readFileSync(join(out, 's01', 'meta.json'), 'utf8')).made_by.sync.row_options).toEqual({ pick: 'first', searchS: 30 });
    expect(JSON.parse(readFileSync(join(out, 's02', 'meta.json'), 'utf8')).made_by.sync.row_options).toBeUndefined();
    const again = await run(true);
    expect(again).toMatchObject({ done: 0, skipped: 2, failed: 0 });
  });
});
