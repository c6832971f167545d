/**
 * Split leakage through copies: a recording copied under another path (`cp A_camera.mp4 "Sitzung Müller/Kamera 1.mp4"`)
 * and used by a row of another speaker is the same recording, as a shared path is (trial 2026-12-03 item 1: it went to
 * test while its original went to train, exit 0, no word). Grouping uses the sha256 of meta.json inputs[]; a warning
 * names both sessions and files. Synthetic feature folders; no media decoded.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, tempDir } from './helpers/cli.js';
import { demoManifestCopy, writeDemoFeatures } from './helpers/demo-inputs.js';
import { buildDataset } from '../src/dataset/build.js';
import { parseSplits, splitKeys, splitOf } from '../src/dataset/splits.js';

const tmp = tempDir('mmprep-dataset-same-content-');
afterAll(() => tmp.cleanup());
const DEMO = join(FIXTURES, 'demo');
const FEATURES = join(tmp.dir, 'features');
const COPIES = join(tmp.dir, 'Sitzung Müller');

/** meta.json inputs[] as extract writes them (role, sha256 of the file). */
function addInputs(session: string, media: Array<[string, string]>): void {
  const p = join(FEATURES, session, 'meta.json');
  const meta = JSON.parse(readFileSync(p, 'utf8'));
  meta.inputs = media.map(([role, file]) => {
    const bytes = readFileSync(file);
    return { role, kind: role === 'video' ? 'video' : 'audio', file, size_bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), duration_s: 10 };
  });
  writeFileSync(p, JSON.stringify(meta, null, 2) + '\n');
}

beforeAll(async () => {
  await writeDemoFeatures(FEATURES);
  mkdirSync(COPIES);
  copyFileSync(join(DEMO, 's01_camera.mp4'), join(COPIES, 'Kamera 1.mp4'));
  copyFileSync(join(DEMO, 's01_lav.flac'), join(COPIES, 'Lav Ansteckmikro.flac'));
  addInputs('s01', [['video', join(DEMO, 's01_camera.mp4')], ['lav_audio', join(DEMO, 's01_lav.flac')]]);
  addInputs('s02', [['video', join(DEMO, 's02_camera.mp4')], ['lav_audio', join(DEMO, 's02_lav.flac')]]);
  addInputs('s03', [['video', join(COPIES, 'Kamera 1.mp4')], ['lav_audio', join(COPIES, 'Lav Ansteckmikro.flac')]]);
});

describe('sessions whose media have the same content share a split', () => {
  it('splitKeys joins speakers by sha256 under different paths, and not without it', () => {
    const s = (speaker_id: string, path: string, sha256?: string) => ({ speaker_id, media: [{ path, sha256 }] });
    expect(Object.fromEntries(splitKeys([s('spk_z', '/b/copy.mp4', 'ab'), s('spk_a', '/a/orig.mp4', 'ab')]))).toEqual({ spk_z: 'spk_a', spk_a: 'spk_a' });
    expect(Object.fromEntries(splitKeys([s('spk_z', '/b/copy.mp4'), s('spk_a', '/a/orig.mp4')]))).toEqual({ spk_z: 'spk_z', spk_a: 'spk_a' });
  });

  it("a row of spk_z (test) using byte-identical copies of spk_a's (train) files goes to train, with a warning naming both", async () => {
    expect([splitOf('spk_a', parseSplits('train=0.8,val=0.1,test=0.1')), splitOf('spk_z', parseSplits('train=0.8,val=0.1,test=0.1'))]).toEqual(['train', 'test']);
    const m = demoManifestCopy(join(tmp.dir, 'copy'), (csv) => csv.replace('s03,spk_z,' + join(DEMO, 's03_camera.mp4') + ',' + join(DEMO, 's03_lav.flac'), `s03,spk_z,${join(COPIES, 'Kamera 1.mp4')},${join(COPIES, 'Lav Ansteckmikro.flac')}`));
    expect(readFileSync(m, 'utf8')).toContain('Kamera 1.mp4');
    const notes: string[] = [];
    const r = await buildDataset(m, { features: FEATURES, out: join(tmp.dir, 'copy-out'), onNote: (n) => notes.push(n) });
    expect(r.manifest.sessions.map((s) => [s.session_id, s.split])).toEqual([['s01', 'train'], ['s02', 'val'], ['s03', 'train']]);
    const same = notes.filter((n) => n.includes('has the same content'));
    expect(same).toHaveLength(2);
    expect(same[0]).toMatch(/:4: session 's03' \(speaker 'spk_z'\) file .*Kamera 1\.mp4 has the same content \(sha256 [0-9a-f]{12}…\) as session 's01' \(line 2, speaker 'spk_a'\) file .*s01_camera\.mp4/);
    expect(same[1]).toMatch(/Lav Ansteckmikro\.flac .* file .*s01_lav\.flac/);
  });
});
