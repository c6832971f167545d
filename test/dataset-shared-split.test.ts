/**
 * Split leakage through shared recordings: sessions whose manifest rows share a media file (a row copied under another
 * speaker id, one room camera filming two speakers) go to one split with all their speakers' sessions, so the same
 * recording never lands in train and test. Manifests without shared files split as before (speaker by speaker).
 * Synthetic feature folders (writeSyntheticSession) with the demo's manifest and transcripts; no media is decoded.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, tempDir } from './helpers/cli.js';
import { demoManifestCopy, writeDemoFeatures } from './helpers/demo-inputs.js';
import { buildDataset } from '../src/dataset/build.js';
import { parseSplits, splitKeys, splitOf } from '../src/dataset/splits.js';
import { writeSyntheticSession } from '../src/dataset/synthetic-features.js';

const tmp = tempDir('mmprep-dataset-shared-');
afterAll(() => tmp.cleanup());
const DEMO = join(FIXTURES, 'demo');
const FEATURES = join(tmp.dir, 'features');
const SPLIT = parseSplits('train=0.8,val=0.1,test=0.1');

beforeAll(async () => {
  await writeDemoFeatures(FEATURES);
});

/** The demo's manifest (media in fixtures/demo) with `edit` applied to its text. */
function manifest(name: string, edit: (csv: string) => string = (t) => t): string {
  return demoManifestCopy(join(tmp.dir, name), edit);
}
const sess = (speaker_id: string, ...files: string[]) => ({ speaker_id, media: files.map((path) => ({ path })) });

describe('splitKeys', () => {
  it('is each speaker itself when no file is shared', () => {
    const keys = splitKeys([sess('spk_z', 'z.wav'), sess('spk_a', 'a.wav', 'a.mp4'), sess('spk_a', 'a2.wav')]);
    expect([...keys]).toEqual([['spk_z', 'spk_z'], ['spk_a', 'spk_a']]);
  });

  it('joins speakers sharing a file, transitively, under the group\'s first id', () => {
    const keys = splitKeys([sess('spk_z', 'room1.mp4', 'z.wav'), sess('spk_m', 'room1.mp4', 'room2.mp4'), sess('spk_c', 'room2.mp4'), sess('spk_b', 'b.wav')]);
    expect(Object.fromEntries(keys)).toEqual({ spk_z: 'spk_c', spk_m: 'spk_c', spk_c: 'spk_c', spk_b: 'spk_b' });
  });
});

describe('dataset build: sessions sharing a recording file share a split', () => {
  it('the demo (no shared file) splits speaker by speaker: train, val, test', async () => {
    const r = await buildDataset(manifest('plain'), { features: FEATURES, out: join(tmp.dir, 'plain-out') });
    expect(r.manifest.sessions.map((s) => [s.session_id, s.split])).toEqual([['s01', 'train'], ['s02', 'val'], ['s03', 'test']]);
  });

  it("one room camera filming spk_a (train) and spk_z (test): both sessions, and spk_z's others, go to train", async () => {
    expect([splitOf('spk_a', SPLIT), splitOf('spk_z', SPLIT)]).toEqual(['train', 'test']);
    const m = manifest('room', (csv) => csv.replace(/s03_camera\.mp4/, 's01_camera.mp4') + `s04,spk_z,,${join(DEMO, 's02_lav.flac')},,\n`);
    await writeSyntheticSession(FEATURES, { session_id: 's04', duration_s: 10, seed: 14, mediaDir: DEMO, noFace: true });
    const r = await buildDataset(m, { features: FEATURES, out: join(tmp.dir, 'room-out') });
    // s04 shares s02's lav with spk_g: all three speakers are one group, keyed 'spk_a' (train).
    expect(r.manifest.sessions.map((s) => [s.session_id, s.split])).toEqual([['s01', 'train'], ['s02', 'train'], ['s03', 'train'], ['s04', 'train']]);
  });

  it('a row copied under another speaker id lands in its original\'s split', async () => {
    const copyRow = (csv: string) => {
      const lines = csv.split('\n');
      lines[3] = lines[1].replace(/^s01,spk_a,/, 's03,spk_z,');
      return lines.join('\n');
    };
    const m2 = manifest('copy', copyRow);
    expect(readFileSync(m2, 'utf8').split('\n')[3]).toMatch(/^s03,spk_z,.*s01_camera\.mp4,.*s01_lav\.flac/);
    const r = await buildDataset(m2, { features: FEATURES, out: join(tmp.dir, 'copy-out') });
    expect(r.manifest.sessions.map((s) => [s.session_id, s.split])).toEqual([['s01', 'train'], ['s02', 'val'], ['s03', 'train']]);
  });
});
