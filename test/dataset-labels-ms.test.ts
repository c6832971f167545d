/**
 * A data engineer's trial: labels whose start_s/end_s are milliseconds were refused under the default segments with
 * "no labelled span overlaps a segment by IoU >= 0.5" alone (exit 4), while `--segments labels` said "look like
 * milliseconds". The default segments now give that hint too. Synthetic feature folders, no media decoded.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../src/dataset/build.js';
import { FIXTURES, tempDir } from './helpers/cli.js';
import { writeDemoFeatures } from './helpers/demo-inputs.js';

const tmp = tempDir('mmprep-labels-ms-');
afterAll(() => tmp.cleanup());
const FEATURES = join(tmp.dir, 'features');
beforeAll(() => writeDemoFeatures(FEATURES));

/** The demo's ratings with start_s/end_s multiplied by `k`. */
function ratings(k: number): string {
  const [head, ...rows] = readFileSync(join(FIXTURES, 'demo', 'ratings.csv'), 'utf8').trim().split('\n');
  const p = join(tmp.dir, `ratings-${k}.csv`);
  writeFileSync(p, [head, ...rows.map((l) => l.split(',').map((c, i) => (i === 1 || i === 2 ? String(Math.round(Number(c) * k * 1000) / 1000) : c)).join(','))].join('\n') + '\n');
  return p;
}

describe('dataset build: labels in milliseconds under the default segments', () => {
  it('are refused with the milliseconds hint; spans merely elsewhere (x 3) are refused without it', async () => {
    const build = (k: number) => buildDataset(join(FIXTURES, 'demo', 'manifest.csv'), { features: FEATURES, labels: [ratings(k)], out: join(tmp.dir, `out-${k}`) }).then(() => '', (e: Error) => e.message);
    expect(await build(1000)).toMatch(/no labelled span overlaps a segment by IoU >= 0\.5: the labels' start_s\/end_s look like milliseconds \(divided by 1000 they fit the recordings\): write them in seconds$/);
    expect(await build(3)).toMatch(/no labelled span overlaps a segment by IoU >= 0\.5$/);
  });
});
