/**
 * Two releases copied into one folder, one built with a small --shard-mb (several data files per split) and one
 * without: `dataset validate` listed "data-test-00001.jsonl is not listed in manifest.json" and no more, which did not
 * say the files came from another build or what to do. Its first such line now does; the check still fails (exit 3).
 */
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCliInProcess, tempDir } from './helpers/cli.js';
import { buildDataset } from '../src/dataset/build.js';
import { writeSyntheticSession } from '../src/dataset/synthetic-features.js';

const tmp = tempDir('mmprep-validate-mixed-');
afterAll(() => tmp.cleanup());
const features = join(tmp.dir, 'features');
const one = join(tmp.dir, 'one');
const many = join(tmp.dir, 'many');

beforeAll(async () => {
  for (const [i, id] of ['s01', 's02', 's03'].entries()) await writeSyntheticSession(features, { session_id: id, duration_s: 10, seed: 11 + i, mediaDir: join(FIXTURES, 'demo') });
  const manifest = join(FIXTURES, 'demo', 'manifest.csv');
  await buildDataset(manifest, { features, out: one, segments: 'fixed:1' });
  await buildDataset(manifest, { features, out: many, segments: 'fixed:1', shardMb: 0.02 });
});

describe('dataset validate: data files of another build in the release folder', () => {
  it('names them, says where they likely came from and what to do (exit 3)', async () => {
    const mixed = join(tmp.dir, 'mixed');
    cpSync(many, mixed, { recursive: true });
    cpSync(one, mixed, { recursive: true });
    const extra = readdirSync(many).filter((n) => n.startsWith('data-') && !readdirSync(one).includes(n)).length;
    expect(extra).toBeGreaterThan(0);
    const r = await runCliInProcess(['dataset', 'validate', mixed]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(
      new RegExp(
        `FAIL checksums: ${extra} problems: data-test-00001\\.jsonl is not listed in manifest\\.json \\(this manifest\\.json lists 3 data files, built with --shard-mb 256; ${extra} in the folder are not among them: files of another build copied into this release, as when releases built with different --shard-mb or --gzip share a folder\\? copy the release again from its build's -o alone, or rebuild into a new -o\\); data-test-00002\\.jsonl is not listed in manifest\\.json;`,
      ),
    );
  });
});
