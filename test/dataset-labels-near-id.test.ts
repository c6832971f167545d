/**
 * A fourth new user's trial: ratings keyed by record ids typed by hand ('s01/u1' for s01/u0001, 'S01/u0002' in another
 * case) matched no segment; the build said "2 matched no segment: s01/u1, S01/u0002" and exited 0 with half the
 * records unlabelled, without the id each one meant. The note now names it ("did you mean"); a target whose record
 * does not exist (s01/u0009: s01 has 3 utterances) gets no guess. Synthetic feature folders.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess, tempDir } from './helpers/cli.js';
import { demoManifestCopy, writeDemoFeatures } from './helpers/demo-inputs.js';

const tmp = tempDir('mmprep-dataset-near-id-');
afterAll(() => tmp.cleanup());
const FEATURES = join(tmp.dir, 'features');
const MANIFEST = join(tmp.dir, 'demo', 'manifest.csv');
const LABELS = join(tmp.dir, 'ids.csv');

beforeAll(async () => {
  await writeDemoFeatures(FEATURES);
  demoManifestCopy(join(tmp.dir, 'demo'));
  const rows = [['s01/u0000', 7, 8], ['s01/u1', 3, 4], ['S01/u0002', 5, 6], ['s01/u0009', 2, 2], ['s02/u0000', 2, 3], ['s03/u0001', 9, 8]];
  writeFileSync(LABELS, 'target,rater,rating\n' + rows.flatMap(([t, a, b]) => [`${t},r1,${a}`, `${t},r2,${b}`]).join('\n') + '\n');
});

describe('dataset build --labels with record ids typed by hand', () => {
  it('an unmatched target that names an existing record in another case or padding gets a "did you mean"', async () => {
    const r = await runCliInProcess(['dataset', 'build', MANIFEST, '--features', FEATURES, '--labels', LABELS, '-o', join(tmp.dir, 'rel'), '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("3 matched no segment: s01/u1 (did you mean 's01/u0001'?), S01/u0002 (did you mean 's01/u0002'?), s01/u0009\n");
    // The dataset card's "Known gaps" names them the same way (it listed the targets without the id they meant).
    const card = readFileSync(join(tmp.dir, 'rel', 'README.md'), 'utf8');
    expect(card).toContain('- 3 rated targets of ids matched no segment (`s01/u1` (did you mean `s01/u0001`?), `S01/u0002` (did you mean `s01/u0002`?), `s01/u0009`).\n');
  });
});
