/**
 * A new user's trial: `dataset build --segments fixed:2:5` (hop longer than the window) left 3 s out after every
 * window, with exit 0 and no word about it. Now a stderr note says the records will not cover the recording;
 * hop = window (the default) and hop < window (overlapping windows) say nothing. Synthetic feature folders.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';
import { demoManifestCopy, writeDemoFeatures } from './helpers/demo-inputs.js';

const tmp = tempDir('mmprep-dataset-gaps-');
afterAll(() => tmp.cleanup());
const FEATURES = join(tmp.dir, 'features');
const MANIFEST = join(tmp.dir, 'demo', 'manifest.csv');

beforeAll(async () => {
  await writeDemoFeatures(FEATURES);
  demoManifestCopy(join(tmp.dir, 'demo'));
});

describe('dataset build --segments fixed:LEN:HOP', () => {
  it('says on stderr that a hop longer than the window leaves gaps; not for hop <= window', async () => {
    const build = (mode: string, out: string) => runCli(['dataset', 'build', MANIFEST, '--features', FEATURES, '-o', join(tmp.dir, out), '--segments', mode, '--quiet']);
    const gaps = await build('fixed:2:5', 'gaps');
    expect(gaps.code, gaps.stderr).toBe(0);
    expect(gaps.stderr).toContain('mmprep dataset build: --segments fixed:2:5: the hop (5 s) is longer than the window (2 s), so the records leave 3 s out after every window (60 % of each session, its words included); give HOP <= LEN to cover the recording\n');
    for (const [mode, out] of [['fixed:2', 'tile'], ['fixed:2:1', 'overlap']]) {
      const r = await build(mode, out);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toContain('hop');
    }
  }, 60_000);
});
