/**
 * Face features extracted at fewer frames than the video has (`extract --face-fps N`), session 25's ML trial. At 10
 * or 15 frames/s of a 25 fps video (frames picked unevenly) the native face's rate_hz said 8.33 and 12.5.
 * Synthetic feature folders, no media.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, tempDir } from './helpers/cli.js';
import { demoManifestCopy } from './helpers/demo-inputs.js';
import { buildDataset } from '../src/dataset/build.js';
import { writeSyntheticMeta, writeSyntheticSession } from '../src/dataset/synthetic-features.js';

const tmp = tempDir('mmprep-facefps-');
afterAll(() => tmp.cleanup());
const FEATURES = join(tmp.dir, 'features-5fps');
let MANIFEST = '';

type Rec = {
  id: string;
  start_s: number;
  face: { rate: string; frames: Record<string, unknown[]>; functionals: Record<string, { mean: number | null }> } | null;
  quality: { face_detection_rate: number | null; present: { face: boolean } };
};

function records(dir: string): Rec[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('data-'))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec));
}

beforeAll(async () => {
  // Camera 0.5 s behind the lav: face frames at k / 5 - 0.5 s, a face from t = 0 on (first at 0.1 s), last at 9.3 s.
  for (const [i, id] of ['s01', 's02', 's03'].entries())
    await writeSyntheticSession(FEATURES, { session_id: id, duration_s: 10, seed: 11 + i, fps: 5, mediaDir: join(FIXTURES, 'demo') });
  MANIFEST = demoManifestCopy(join(tmp.dir, 'inputs'));
});

describe('--face-fps 10 or 15 of a 25 fps video (frames picked unevenly)', () => {
  it('the native face rate_hz is the frames per second analysed, not one over the median of the first intervals (8.33, 12.5)', async () => {
    const feats = join(tmp.dir, 'features-picked');
    for (const fps of [10, 15]) {
      for (const [i, id] of ['s01', 's02', 's03'].entries()) {
        await writeSyntheticSession(feats, { session_id: id, duration_s: 10, seed: 11 + i, fps: 25, mediaDir: join(FIXTURES, 'demo') });
        // extract's --face-fps pick (src/face/extract.ts records()): the first frame of each 1/fps interval
        const lines = readFileSync(join(feats, id, 'face.jsonl'), 'utf8').trim().split('\n');
        const kept = lines.filter((_, k) => Math.floor((k / 25) * fps + 1e-6) > Math.floor(((k - 1) / 25) * fps + 1e-6) || k === 0);
        writeFileSync(join(feats, id, 'face.jsonl'), kept.join('\n') + '\n');
        await writeSyntheticMeta(feats, id);
      }
      const out = join(tmp.dir, `picked-${fps}`);
      await buildDataset(MANIFEST, { features: feats, out, faceRate: 'native' });
      // the mean interval of the first 100 frames: within 1 % (9.98 and 14.97 per second here; main said 8.33 and 12.5)
      for (const r of records(out)) expect(Math.abs((r.face as unknown as { rate_hz: number }).rate_hz - fps) / fps, `--face-fps ${fps} ${r.id}`).toBeLessThan(0.01);
    }
  });
});
