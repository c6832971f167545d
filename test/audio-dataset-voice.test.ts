/**
 * `mmprep dataset build --audio-features voice` (issue 15 item 4): the voice fields of audio.jsonl (written by
 * `mmprep audio --voice`) go into the records per segment, with functionals and their names in the schema; an
 * audio.jsonl made without --voice is refused for that session with one line naming the file.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../src/dataset/build.js';
import { parseFeatureList } from '../src/dataset/features.js';
import { writeSyntheticMeta, writeSyntheticSession } from '../src/dataset/synthetic-features.js';
import { FIXTURES, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-dsvoice-');
afterAll(() => tmp.cleanup());
const MANIFEST = join(FIXTURES, 'demo', 'manifest.csv');
const VOICE = ['jitter_local', 'shimmer_local', 'hnr_db', 'f1_hz', 'f2_hz', 'f3_hz', 'b1_hz', 'b2_hz', 'b3_hz'];
const plain = join(tmp.dir, 'plain');
const voiced = join(tmp.dir, 'voiced');

beforeAll(async () => {
  for (const [i, id] of ['s01', 's02', 's03'].entries()) {
    for (const dir of [plain, voiced]) await writeSyntheticSession(dir, { session_id: id, duration_s: 10, video_offset_s: 0, faceGaps: [], seed: 5 + i, mediaDir: join(FIXTURES, 'demo') });
    // Voice fields as `mmprep audio --voice` writes them: numbers in voiced frames, null with a reason elsewhere.
    const p = join(voiced, id, 'audio.jsonl');
    const lines = readFileSync(p, 'utf8').trim().split('\n').map((l, k) => {
      const r = JSON.parse(l);
      const on = r.voiced === true;
      for (const [j, f] of VOICE.entries()) r[f] = on ? Math.round((0.01 * (j + 1) + 0.001 * (k % 7)) * 1e7) / 1e7 : null;
      r.voice_reason = on ? null : 'unvoiced in the voice pitch analysis (75-600 Hz)';
      return JSON.stringify(r);
    });
    writeFileSync(p, lines.join('\n') + '\n');
    await writeSyntheticMeta(voiced, id); // as extract records it
  }
});

describe('dataset build --audio-features voice', () => {
  it('the voice group names the nine fields; "all" stays the fields every audio.jsonl has', () => {
    expect(parseFeatureList('voice', 'audio')).toEqual(VOICE);
    expect(parseFeatureList('all', 'audio')).not.toContain('jitter_local');
    // --help's "all,voice takes both": every field of each, once.
    expect(parseFeatureList('all,voice', 'audio')).toEqual([...parseFeatureList('all', 'audio'), ...VOICE]);
  });
  it('puts the voice fields per segment, with functionals over voiced frames and schema entries', async () => {
    const out = join(tmp.dir, 'ds');
    const r = await buildDataset(MANIFEST, { features: voiced, out, audioFeatures: 'mfcc,voice', segments: 'fixed:2' });
    expect(r.manifest.counts.sessions_failed).toBe(0);
    const recs = readdirSync(out).filter((f) => f.startsWith('data-')).flatMap((f) => readFileSync(join(out, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l)));
    expect(recs.length).toBeGreaterThan(3);
    const withVoice = recs.filter((x) => x.audio?.functionals?.jitter_local?.mean != null);
    expect(withVoice.length).toBeGreaterThan(0);
    for (const x of withVoice) {
      expect(Object.keys(x.audio.frames)).toEqual(['mfcc', ...VOICE]);
      expect(x.audio.functionals.f1_hz.mean).toBeGreaterThan(0.03);
    }
    const schema = JSON.parse(readFileSync(join(out, 'schema.json'), 'utf8'));
    const text = JSON.stringify(schema);
    for (const f of VOICE) expect(text).toContain(`"${f}"`);
  });
  it('refuses, per session and in one line naming audio.jsonl, voice fields that audio.jsonl does not have', async () => {
    const r = await buildDataset(MANIFEST, { features: plain, out: join(tmp.dir, 'ds2'), audioFeatures: 'mfcc,jitter_local', segments: 'fixed:2' }).catch((e: Error) => e);
    const text = r instanceof Error ? r.message : JSON.stringify(r.manifest.sessions);
    expect(text).toMatch(/audio\.jsonl/);
    expect(text).toMatch(/has no jitter_local: the audio was analysed without --voice/);
    // The command that makes them, named as the CLI spells it (was "run the audio stage with voice measures").
    expect(text).toContain('mmprep extract MANIFEST -o OUT --only audio --voice');
  });
});
