/**
 * Session 21 (annotation lead's trial): labels from a single annotator could not go into a release: `dataset build
 * --labels` refused the file with `fewer than two raters in dimension 'valence' (found 1: 'r1')`, exit 2, a line with
 * nothing to do. Such labels are correct (the gold label is that rater's rating); only agreement cannot be measured.
 * They now go in with agreement null and the reason (records, manifest.json), a warning on stderr and under the card's
 * known gaps, and `dataset validate --min-icc` fails the dimension naming why. `mmprep agreement` still refuses the
 * file (it has nothing to compute), now saying what to check. Synthetic feature folders, no media decoded.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCliInProcess, tempDir } from './helpers/cli.js';
import { demoManifestCopy, writeDemoFeatures } from './helpers/demo-inputs.js';
import { buildDataset } from '../src/dataset/build.js';

const tmp = tempDir('mmprep-dataset-one-rater-');
afterAll(() => tmp.cleanup());
const FEATURES = join(tmp.dir, 'features');
const MANIFEST = join(tmp.dir, 'demo', 'manifest.csv');

beforeAll(async () => {
  await writeDemoFeatures(FEATURES);
  demoManifestCopy(join(tmp.dir, 'demo'));
});

/** The demo's valence ratings of rater r1 only (long, with spans), and wide with an empty second column. */
function oneRaterFiles(): { long: string; wide: string } {
  const [head, ...rows] = readFileSync(join(FIXTURES, 'demo', 'ratings.csv'), 'utf8').trim().split('\n');
  const mine = rows.filter((l) => /,r1,valence,/.test(l));
  const long = join(tmp.dir, 'valence-r1.csv');
  writeFileSync(long, [head, ...mine].join('\n') + '\n');
  const wide = join(tmp.dir, 'valence-wide.csv');
  const cells = mine.map((l) => l.split(',')).map((c) => [c[0], c[1], c[2], c[3], c[6], ''].join(','));
  writeFileSync(wide, ['session_id,start_s,end_s,target,r1,r2', ...cells].join('\n') + '\n');
  return { long, wide };
}

function firstRecord(dir: string): { labels: Record<string, { gold: unknown; ratings: unknown; agreement: Record<string, unknown> }> } {
  return JSON.parse(readFileSync(join(dir, 'data-train-00000.jsonl'), 'utf8').split('\n')[0]);
}

describe('dataset build --labels from a single annotator', () => {
  it('goes into the release with agreement null and the reason, said on stderr and in the card', async () => {
    const { long } = oneRaterFiles();
    const out = join(tmp.dir, 'out');
    const notes: string[] = [];
    await buildDataset(MANIFEST, { features: FEATURES, out, labels: [long], onNote: (n) => notes.push(n) });
    const warning = "valence-r1.csv: dimension 'valence' has one rater ('r1'): its labels are that rater's ratings, its agreement figures (ICC, alpha) are null; add a second rater's ratings of the same targets to this file to measure agreement";
    expect(notes).toContain(`labels: ${warning}`);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.labels[0].agreement).toMatchObject({ icc2: null, alpha: null, n_raters: 1, reason: "one rater ('r1'): agreement needs two or more raters of the same targets" });
    expect(m.labels[0].warnings).toEqual([warning]);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain(`- labels valence: ${warning}`);
    const rec = firstRecord(out);
    expect(rec.labels.valence.gold).toEqual({ mean: 8, median: 8, sd: null });
    expect(rec.labels.valence.ratings).toEqual([{ rater: 'r1', value: 8 }]);
    const v = await runCliInProcess(['dataset', 'validate', out, '--min-icc', '0.5']);
    expect(v.code).toBe(3);
    expect(v.stdout).toContain("valence: ICC(2,1) undefined (one rater ('r1'): agreement needs two or more raters of the same targets), so not >= --min-icc 0.5");
    expect((await runCliInProcess(['dataset', 'validate', out])).code).toBe(0);
  });

  it('a wide sheet whose second rater column is empty names that column', async () => {
    const { wide } = oneRaterFiles();
    const notes: string[] = [];
    await buildDataset(MANIFEST, { features: FEATURES, out: join(tmp.dir, 'out-wide'), labels: [wide], onNote: (n) => notes.push(n) });
    expect(notes).toContain("labels: valence-wide.csv: the file has one rater ('r1'): its labels are that rater's ratings, its agreement figures (ICC, alpha) are null; column 'r2' has no rating in any row (check the export)");
  });

  it("a one-rater dimension that is another's typo ('Valence' on one row) is still refused, naming both spellings", async () => {
    const [head, ...rows] = readFileSync(join(FIXTURES, 'demo', 'ratings.csv'), 'utf8').trim().split('\n');
    const typo = join(tmp.dir, 'typo.csv');
    writeFileSync(typo, [head, ...rows.map((l, i) => (i === 6 ? l.replace(',valence,', ',Valence,') : l))].join('\n') + '\n');
    expect(rows[6]).toMatch(/,valence,/);
    await expect(buildDataset(MANIFEST, { features: FEATURES, out: join(tmp.dir, 'out-typo'), labels: [typo] })).rejects.toThrow(
      /^fewer than two raters in dimension 'Valence' \(found 1: 'r\d'\); dimension 'Valence' differs from 'valence' only in case/,
    );
  });

  it('mmprep agreement still refuses it (nothing to compute), saying what to check', async () => {
    const { long } = oneRaterFiles();
    const r = await runCliInProcess(['agreement', long]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/column rater: fewer than two raters in dimension 'valence' \(found 1: 'r1'\): agreement compares two or more raters' ratings of the same targets: check the rater column and that every rater's ratings are in this file\n$/);
  });
});
