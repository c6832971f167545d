/**
 * `dataset validate --min-icc` and the number of targets the ICC(2,1) came from (manifest.json's
 * `labels[].agreement.icc2_n_targets`): session 25's ML trial found an ICC from a handful of targets passing a gate
 * meant for a reliability study. `--min-icc-targets N` (default 30, Koo & Li 2016). Synthetic feature folders, no media.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCliInProcess, tempDir } from './helpers/cli.js';
import { demoManifestCopy, writeDemoFeatures } from './helpers/demo-inputs.js';
import { buildDataset } from '../src/dataset/build.js';
import { validateDataset } from '../src/dataset/validate.js';

const tmp = tempDir('mmprep-icctargets-');
afterAll(() => tmp.cleanup());

describe('dataset validate --min-icc: the targets the ICC came from', () => {
  let rel = '';
  beforeAll(async () => {
    const features = join(tmp.dir, 'features');
    await writeDemoFeatures(features);
    rel = join(tmp.dir, 'labelled');
    await buildDataset(demoManifestCopy(join(tmp.dir, 'inputs')), { features, out: rel, labels: [join(FIXTURES, 'demo', 'ratings.csv')] });
  });

  it('an ICC from 8 targets fails --min-icc unless --min-icc-targets allows 8 (default 30); 0 turns the count off', async () => {
    const agreement = async (args: string[]) => {
      const v = await runCliInProcess(['dataset', 'validate', rel, '--json', ...args]);
      return { code: v.code, check: JSON.parse(v.stdout).checks.find((c: { name: string }) => c.name === 'agreement') as { ok: boolean; message: string } };
    };
    const dflt = await agreement(['--min-icc', '0.5']);
    expect(dflt.code).toBe(3);
    expect(dflt.check.message).toMatch(/^2 problems: valence: ICC\(2,1\) = 0\.88\d* comes from 8 targets \(icc2_n_targets\), fewer than --min-icc-targets 30 .*; arousal: /);
    const gate = async (minIccTargets: number) => (await validateDataset(rel, { minIcc: 0.5, minIccTargets })).checks.find((c) => c.name === 'agreement')!;
    expect(await gate(8)).toMatchObject({ ok: true, message: 'every numeric dimension ICC(2,1) >= 0.5 from at least 8 targets (valence, arousal)' });
    expect((await gate(9)).ok).toBe(false);
    expect(await gate(0)).toMatchObject({ ok: true, message: 'every numeric dimension ICC(2,1) >= 0.5 (target count not checked: --min-icc-targets 0) (valence, arousal)' });
    const alone = await runCliInProcess(['dataset', 'validate', rel, '--min-icc-targets', '8']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toBe('mmprep: --min-icc-targets 8 has nothing to check without --min-icc: give --min-icc X, or drop --min-icc-targets\n');
  });

  it('a release that does not record icc2_n_targets is held to n_targets, its upper bound (format 2 fixture)', async () => {
    const r = await validateDataset(join(FIXTURES, 'dataset', 'release-v2'), { minIcc: 0.5 });
    expect(r.checks.find((c) => c.name === 'agreement')!.message).toMatch(/valence: ICC\(2,1\) = 0\.8803419 comes from at most 8 targets \(n_targets\), fewer than --min-icc-targets 30/);
  });
});
