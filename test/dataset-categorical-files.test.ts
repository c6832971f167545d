/**
 * `--categorical` named files (a new user's trial, 2026-12-06, W12: `--categorical` applies to every labels file, so a
 * 1-9 valence file beside an emotion-category file gave valence as majority votes, s01/u0000 null on a tie where the
 * mean was 8, exit 0). Now `--categorical FILE` reads that file alone as categories; `--categorical` alone still
 * reads all, with a warning for a file of numbers on a scale; a name that is not a --labels file is refused.
 */
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess, tempDir } from './helpers/cli.js';
import { demoManifestCopy, writeDemoFeatures } from './helpers/demo-inputs.js';

const tmp = tempDir('mmprep-dataset-categorical-files-');
afterAll(() => tmp.cleanup());
const FEATURES = join(tmp.dir, 'features');
let manifest: string;
let numeric: string;
let emotions: string;

beforeAll(async () => {
  await writeDemoFeatures(FEATURES);
  manifest = demoManifestCopy(join(tmp.dir, 'demo'));
  numeric = join(tmp.dir, 'demo', 'ratings.csv');
  // the demo's valence ratings as emotion categories (7-9 happy, else neutral)
  const [head, ...rows] = readFileSync(numeric, 'utf8').trim().split('\n');
  const col = Object.fromEntries(head.split(',').map((h, i) => [h, i]));
  const cat = rows.map((l) => l.split(',')).filter((r) => r[col.dimension] === 'valence').map((r) => {
    r[col.dimension] = 'emotion';
    r[col.rating] = Number(r[col.rating]) >= 7 ? 'happy' : 'neutral';
    return r.join(',');
  });
  emotions = join(tmp.dir, 'emotions.csv');
  writeFileSync(emotions, [head, ...cat].join('\n') + '\n');
});

/** record id -> dimension -> gold, and stderr. */
async function build(...flags: string[]): Promise<{ code: number; stderr: string; gold: Record<string, Record<string, Record<string, unknown>>> }> {
  const out = join(tmp.dir, `rel-${flags.join('_').replace(/\W/g, '')}`);
  const r = await runCliInProcess(['dataset', 'build', manifest, '--features', FEATURES, '-o', out, '--quiet', '--labels', numeric, '--labels', emotions, ...flags]);
  const gold: Record<string, Record<string, Record<string, unknown>>> = {};
  if (r.code === 0)
    for (const f of readdirSync(out).filter((n) => n.startsWith('data-')))
      for (const line of readFileSync(join(out, f), 'utf8').trim().split('\n')) {
        const rec = JSON.parse(line);
        gold[rec.id] = Object.fromEntries(Object.entries(rec.labels as Record<string, { gold: Record<string, unknown> }>).map(([k, v]) => [k, v.gold]));
      }
  return { code: r.code, stderr: r.stderr, gold };
}

describe('dataset build --categorical with numeric and category labels files', () => {
  it('--categorical emotions.csv: valence keeps its mean, emotion its majority (was: both as categories)', async () => {
    const r = await build('--categorical', 'emotions.csv');
    expect(r.code, r.stderr).toBe(0);
    const rec = r.gold['s01/u0000'];
    expect(rec.valence).toHaveProperty('mean');
    expect(rec.emotion).toHaveProperty('majority');
    expect(r.stderr).not.toMatch(/read as categories/);
  });

  it('--categorical alone: all files as categories, and a warning names the numeric file and the option', async () => {
    const r = await build('--categorical');
    expect(r.code, r.stderr).toBe(0);
    expect(r.gold['s01/u0000'].valence).toHaveProperty('majority');
    expect(r.stderr).toMatch(/warning: labels: ratings\.csv: its ratings of valence are \d+ numbers \(\d to \d\) read as categories, as --categorical applies to every labels file: .*--categorical emotions\.csv/);
  });

  it("the card's command line carries how the labels were read, and run as given makes the same release (tuser59: it lacked --categorical and --rating-col, exit 2)", async () => {
    const demo = join(tmp.dir, 'demo');
    copyFileSync(emotions, join(demo, 'emotions.csv'));
    const run = (out: string, flags: string[]) => runCliInProcess([...flags, '-o', out, '--quiet'], { cwd: demo });
    const first = await run('rel-card', ['dataset', 'build', manifest, '--features', FEATURES, '--labels', 'ratings.csv', '--labels', 'emotions.csv', '--categorical', 'emotions.csv', '--rating-col', 'rating']);
    expect(first.code, first.stderr).toBe(0);
    const line = readFileSync(join(demo, 'rel-card', 'README.md'), 'utf8').split('\n').find((l) => l.startsWith('mmprep dataset build ')) ?? '';
    expect(line).toMatch(/ --categorical emotions\.csv --rating-col rating$/);
    const again = await run('rel-card-again', line.replace('<dir>', FEATURES).split(' ').slice(1));
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(demo, 'rel-card-again', 'manifest.json'), 'utf8')).toBe(readFileSync(join(demo, 'rel-card', 'manifest.json'), 'utf8'));
  });

  it('--categorical naming no --labels file: refused, exit 2', async () => {
    const r = await build('--categorical', 'nope.csv');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--categorical names 'nope\.csv', which is not one of the --labels files \(ratings\.csv, emotions\.csv\)/);
  });
});
