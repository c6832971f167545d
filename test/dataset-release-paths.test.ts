/**
 * A data engineer's trial: one set of inputs in two folders gave releases whose manifest.json and README.md differed,
 * because a transcript warning embedded the transcript's absolute path. Warnings now name the transcript relative to
 * the manifest's folder, so the release texts are byte-identical. Synthetic feature folders, no media decoded.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../src/dataset/build.js';
import { tempDir } from './helpers/cli.js';
import { demoManifestCopy, writeDemoFeatures } from './helpers/demo-inputs.js';

const tmp = tempDir('mmprep-release-paths-');
afterAll(() => tmp.cleanup());
const FEATURES = join(tmp.dir, 'features');
beforeAll(() => writeDemoFeatures(FEATURES));

/** The demo's inputs in `dir`, s03's second cue spoken by another speaker (a transcript warning naming the file). */
function inputs(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const manifest = demoManifestCopy(dir);
  const vtt = join(dir, 's03_transcript.vtt');
  writeFileSync(vtt, readFileSync(vtt, 'utf8').replace('<v spk_z><c>ten</c>', '<v spk_q><c>ten</c>'));
  return manifest;
}

describe('dataset build: the same inputs in two folders', () => {
  it('give byte-identical manifest.json and README.md; the warning names the transcript as the manifest does', async () => {
    const texts: string[][] = [];
    for (const where of ['a', join('b', 'deeper', 'c')]) {
      const out = join(tmp.dir, 'out', where);
      await buildDataset(inputs(join(tmp.dir, where)), { features: FEATURES, out });
      texts.push(['manifest.json', 'README.md'].map((f) => readFileSync(join(out, f), 'utf8')));
    }
    expect(texts[0][1]).toContain('session s03: transcript s03_transcript.vtt: names 2 speakers');
    expect(texts[1]).toEqual(texts[0]);
  });
});
