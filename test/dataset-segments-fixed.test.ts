/**
 * `--segments fixed:LEN[:HOP]` with a LEN or HOP that is not seconds above 0 (`fixed:-1`, `fixed:0`, `fixed:abc`,
 * `fixed:`): one line naming the option, the value and what is allowed (session 25: the general usage line, which
 * named neither). Refused before any feature file is read: no media, no features.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers/cli.js';
import { demoManifestCopy } from './helpers/demo-inputs.js';
import { InputError } from '../src/common/errors.js';
import { buildDataset } from '../src/dataset/build.js';
import { parseSegmentMode } from '../src/dataset/segments.js';

const tmp = tempDir('mmprep-segopt-');
afterAll(() => tmp.cleanup());
const FEATURES = join(tmp.dir, 'no-features');

describe('--segments fixed: a bad LEN or HOP', () => {
  it('is one line naming the option, the value and what is allowed', async () => {
    const rule = 'write fixed:LEN or fixed:LEN:HOP, LEN and HOP in seconds above 0 (e.g. fixed:2 or fixed:2:1)';
    const cases: Array<[string, string]> = [
      ['fixed:-1', "--segments 'fixed:-1': LEN '-1' is not above 0"],
      ['fixed:0', "--segments 'fixed:0': LEN '0' is not above 0"],
      ['fixed:abc', "--segments 'fixed:abc': LEN 'abc' is not a number of seconds"],
      ['fixed:', "--segments 'fixed:': LEN is missing"],
      ['fixed:2:-0.5', "--segments 'fixed:2:-0.5': HOP '-0.5' is not above 0"],
      ['fixed:1:2:3', "--segments 'fixed:1:2:3': 3 values after fixed:, at most 2 (LEN and HOP)"],
      ['fixed:1e400', "--segments 'fixed:1e400': LEN '1e400' is not a finite number of seconds"],
    ];
    for (const [v, msg] of cases) expect(() => parseSegmentMode(v), v).toThrow(`${msg}; ${rule}`);
    expect(parseSegmentMode('fixed:.5:5e-1')).toEqual({ kind: 'fixed', len: 0.5, hop: 0.5 });
    // dataset build runs in threads (no runCliInProcess): the error it throws is the CLI's line (`mmprep: ` + toLine), exit 2
    const MANIFEST = demoManifestCopy(join(tmp.dir, 'inputs'));
    const err = await buildDataset(MANIFEST, { features: FEATURES, out: join(tmp.dir, 'never'), segments: 'fixed:-1' }).catch((e: InputError) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).toLine()).toBe(`--segments 'fixed:-1': LEN '-1' is not above 0; ${rule}`);
    expect((err as InputError).exitCode).toBe(2);
  });
});
