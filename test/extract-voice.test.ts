/**
 * Issue 15 item 4 through the batch path: `mmprep extract --voice` gives the audio stage's records the voice fields
 * (so `dataset build --audio-features voice` has them), records the option in meta.json, and --resume redoes the
 * audio stage when it changes. Audio stage only, on the demo's s01 lav track (10 s).
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';

const { dir, cleanup } = tempDir('mmprep-extract-voice-');
afterAll(() => cleanup());

describe('extract --voice', () => {
  it('adds the voice fields to audio.jsonl, records the option, and --resume redoes the stage when it changes', async () => {
    copyFileSync(join(FIXTURES, 'demo', 's01_lav.flac'), join(dir, 's01_lav.flac'));
    const m = join(dir, 'm.csv');
    writeFileSync(m, 'session_id,speaker_id,lav_audio\ns01,p1,s01_lav.flac\n');
    const out = join(dir, 'out');
    const plain = await runCli(['extract', m, '-o', out, '--only', 'audio', '--progress', 'none']);
    expect(plain.code, plain.stderr).toBe(0);
    const first = JSON.parse(readFileSync(join(out, 's01', 'audio.jsonl'), 'utf8').split('\n')[0]);
    expect(first).not.toHaveProperty('jitter_local');
    const voiced = await runCli(['extract', m, '-o', out, '--only', 'audio', '--voice', '--resume', '--progress', 'none']);
    expect(voiced.code, voiced.stderr).toBe(0);
    expect(JSON.parse(voiced.stdout)).toMatchObject({ done: 1, skipped: 0 });
    const recs = readFileSync(join(out, 's01', 'audio.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    for (const k of ['jitter_local', 'shimmer_local', 'hnr_db', 'f1_hz']) expect(recs[0]).toHaveProperty(k);
    expect(recs.some((r) => typeof r.jitter_local === 'number')).toBe(true);
    const meta = JSON.parse(readFileSync(join(out, 's01', 'meta.json'), 'utf8'));
    expect(JSON.stringify(meta.options)).toMatch(/"voice":true/);
  });
});
