/**
 * A new user's trial: an annotation lead's wide sheet (one column per rater) with the session_id, start_s, end_s
 * columns dataset build needs, exported from Excel (BOM, semicolons, decimal commas, CRLF), given to `dataset build
 * --labels`: start_s was read as a rater ('non-numeric rating 2,690' with --decimal-comma missing; with it, the clip
 * column was a rater and the hint said `pass --target-col clip`, an option dataset build did not have). The span
 * columns are now neither raters nor the target, so the wide sheet gives the same gold labels and raw ratings as
 * the long file it was made from; --target-col/--rater-col/--rating-col are dataset build options too.
 * Synthetic feature folders (writeSyntheticSession), no media decoded.
 */
import { readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCliInProcess, tempDir } from './helpers/cli.js';
import { demoManifestCopy, writeDemoFeatures } from './helpers/demo-inputs.js';
import { buildDataset } from '../src/dataset/build.js';

const tmp = tempDir('mmprep-dataset-wide-');
afterAll(() => tmp.cleanup());
const DEMO = join(FIXTURES, 'demo');
const FEATURES = join(tmp.dir, 'features');
const MANIFEST = join(tmp.dir, 'demo', 'manifest.csv');

beforeAll(async () => {
  await writeDemoFeatures(FEATURES);
  demoManifestCopy(join(tmp.dir, 'demo'));
});

/** The demo's valence ratings: long (as shipped) and wide as Excel in a European locale exports it. */
function ratingsFiles(): { long: string; wide: string; wideIdLast: string } {
  const [head, ...rows] = readFileSync(join(DEMO, 'ratings.csv'), 'utf8').trim().split('\n');
  const col = Object.fromEntries(head.split(',').map((h, i) => [h, i]));
  const byTarget = new Map<string, string[]>();
  const long = [head];
  for (const r of rows.map((l) => l.split(','))) {
    if (r[col.dimension] !== 'valence') continue;
    long.push(r.join(','));
    const cells = byTarget.get(r[col.target]) ?? [r[col.session_id], r[col.start_s].replace('.', ','), r[col.end_s].replace('.', ','), r[col.target]];
    cells.push(r[col.rating]);
    byTarget.set(r[col.target], cells);
  }
  const wideRows = [...byTarget.values()];
  const write = (name: string, text: string) => (writeFileSync(join(tmp.dir, name), text), join(tmp.dir, name));
  return {
    long: write('valence.csv', long.join('\n') + '\n'),
    wide: write('valence-wide.csv', '\ufeff' + ['session_id;start_s;end_s;clip;r1;r2;r3', ...wideRows.map((c) => c.join(';'))].join('\r\n') + '\r\n'),
    wideIdLast: write('valence-idlast.csv', ['session_id;start_s;end_s;r1;r2;r3;clip', ...wideRows.map((c) => [...c.slice(0, 3), ...c.slice(4), c[3]].join(';'))].join('\n') + '\n'),
  };
}

/** record id -> the labels entry of its one dimension. */
function labelsOf(dir: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of readdirSync(dir).filter((n) => n.startsWith('data-')).sort()) {
    for (const line of readFileSync(join(dir, f), 'utf8').trim().split('\n')) {
      const r = JSON.parse(line);
      const [entry] = Object.values(r.labels ?? {}) as Array<{ gold: unknown; ratings: unknown }>;
      out[r.id] = entry ? { gold: entry.gold, ratings: entry.ratings } : null;
    }
  }
  return out;
}

describe('dataset build --labels: a wide sheet with session_id/start_s/end_s columns', () => {
  it('gives the same gold labels and raw ratings as the long file', async () => {
    const f = ratingsFiles();
    await buildDataset(MANIFEST, { features: FEATURES, out: join(tmp.dir, 'long-out'), labels: [f.long] });
    const r = await buildDataset(MANIFEST, { features: FEATURES, out: join(tmp.dir, 'wide-out'), labels: [f.wide], decimalComma: true });
    expect(r.manifest.labels[0].dimension).toBe('valence-wide');
    const long = labelsOf(join(tmp.dir, 'long-out'));
    expect([Object.keys(long).length, Object.values(long).filter(Boolean).length]).toEqual([8, 7]); // one synthetic segment overlaps no rated span by IoU >= 0.5
    expect(labelsOf(join(tmp.dir, 'wide-out'))).toEqual(long);
  });

  it('a wide sheet whose id column is not the first: read by its name, and the CLI takes --target-col for it', async () => {
    const f = ratingsFiles();
    // the id column 'clip' after the raters is read as the ids, said in a note (ttrial48a W7; it was refused naming --target-col)
    const read = await runCliInProcess(['dataset', 'build', MANIFEST, '--features', FEATURES, '-o', join(tmp.dir, 'cli-a'), '--labels', f.wideIdLast, '--decimal-comma']);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stderr).toContain("column 'clip' is read as the target ids (named like ids; the first column 'r1' is not), every other column as a rater");
    expect(labelsOf(join(tmp.dir, 'cli-a'))).toEqual(labelsOf(join(tmp.dir, 'long-out')));
    const ok = await runCliInProcess(['dataset', 'build', MANIFEST, '--features', FEATURES, '-o', join(tmp.dir, 'cli-b'), '--labels', f.wideIdLast, '--decimal-comma', '--target-col', 'clip', '--quiet']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(labelsOf(join(tmp.dir, 'cli-b'))).toEqual(labelsOf(join(tmp.dir, 'long-out')));
  }, 60_000);

  it('a duration_s column beside the raters is refused, not averaged into the gold labels as a fourth rater', async () => {
    // Before: exit 0, gold mean 6.18 instead of 8 for s01_u0 (0.73 s averaged with 8, 9, 7), ICC(2,1) 0.34.
    const lines = readFileSync(ratingsFiles().wide, 'utf8').replace(/^\ufeff/, '').trim().split('\r\n');
    const withDur = lines.map((l, i) => {
      const c = l.split(';');
      const dur = i === 0 ? 'duration_s' : String(Math.round((Number(c[2].replace(',', '.')) - Number(c[1].replace(',', '.'))) * 1000) / 1000).replace('.', ',');
      return [...c.slice(0, 4), dur, ...c.slice(4)].join(';');
    });
    writeFileSync(join(tmp.dir, 'valence-dur.csv'), withDur.join('\n') + '\n');
    const out = join(tmp.dir, 'cli-dur');
    const r = await runCliInProcess(['dataset', 'build', MANIFEST, '--features', FEATURES, '-o', out, '--labels', join(tmp.dir, 'valence-dur.csv'), '--decimal-comma', '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`valence-dur.csv:1, column duration_s: column 'duration_s' would be read as a rater (a wide file's columns other than the target 'clip' are raters), but it is named like information about the targets: remove it from the sheet`);
    expect(readdirSync(tmp.dir)).not.toContain('cli-dur');
  }, 60_000);
  it('the same labels file given twice is refused naming it (was: every dimension again as ratings.valence.2, exit 0)', async () => {
    const f = ratingsFiles();
    const out = join(tmp.dir, 'cli-twice');
    const rel = join(tmp.dir, 'valence-link.csv'); // another path to the same file
    symlinkSync(f.long, rel);
    const r = await runCliInProcess(['dataset', 'build', MANIFEST, '--features', FEATURES, '-o', out, '--labels', f.long, '--labels', rel, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`mmprep: ${rel}: given twice to --labels (also as ${f.long}): each file's dimensions would become a second, identical set of label keys; give each labels file once`);
    expect(readdirSync(tmp.dir)).not.toContain('cli-twice');
    await expect(buildDataset(MANIFEST, { features: FEATURES, out, labels: [f.long, f.long] })).rejects.toThrow(/given twice to --labels: /);
  }, 60_000);
});
