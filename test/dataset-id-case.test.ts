/**
 * A session id re-cased in the manifest after extract (s01 -> S01; a new user's trial, 2026-12-06, M5): the build said
 * "no folder S01 ... extract has not run this session". Now the failed session's line names the folder of the other
 * case and what to write. Synthetic feature folders: nothing decoded.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess, tempDir } from './helpers/cli.js';
import { demoManifestCopy, writeDemoFeatures } from './helpers/demo-inputs.js';

const tmp = tempDir('mmprep-dataset-id-case-');
afterAll(() => tmp.cleanup());
const FEATURES = join(tmp.dir, 'features');

beforeAll(async () => {
  await writeDemoFeatures(FEATURES);
});

describe('a session id whose case differs from the features folder', () => {
  it('the failure names the folder of the other case (was: extract has not run this session)', async () => {
    const m = demoManifestCopy(join(tmp.dir, 'demo'), (csv) => csv.replace(/^s01,/m, 'S01,'));
    const r = await runCliInProcess(['dataset', 'build', m, '--features', FEATURES, '-o', join(tmp.dir, 'rel'), '--quiet']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^S01: FAILED: \S+: features missing: no folder S01 in \S+, but there is s01: the session id's case differs from the one extract ran with .*write the id as s01 in the manifest/m);
  });
});
