/**
 * A manifest's own `split` column (a new user's trial, 2026-12-06, W5: `split` test, train, train was ignored and the
 * speaker hash put the test session in train, exit 0). Now each session's split is the column's; refused (exit 2)
 * with --split as well, an empty cell, and one speaker given two splits. Synthetic feature folders: nothing decoded.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess, tempDir } from './helpers/cli.js';
import { demoManifestCopy, writeDemoFeatures } from './helpers/demo-inputs.js';

const tmp = tempDir('mmprep-dataset-manifest-split-');
afterAll(() => tmp.cleanup());
const FEATURES = join(tmp.dir, 'features');

beforeAll(async () => {
  await writeDemoFeatures(FEATURES);
});

/** The demo manifest with a `Split` column holding `cells` (s01, s02, s03), and optionally s02 under s01's speaker. */
function manifest(name: string, cells: string[], sameSpeaker = false): string {
  return demoManifestCopy(join(tmp.dir, name), (csv) => {
    const lines = csv.trim().split('\n');
    const out = [`${lines[0]},Split`, ...lines.slice(1).map((l, i) => `${sameSpeaker && i === 1 ? l.replace('spk_g', 'spk_a') : l},${cells[i]}`)];
    return out.join('\n') + '\n';
  });
}

async function build(m: string, ...extra: string[]): Promise<{ code: number; stderr: string; out: string }> {
  const out = join(tmp.dir, `rel-${Math.random().toString(36).slice(2)}`);
  const r = await runCliInProcess(['dataset', 'build', m, '--features', FEATURES, '-o', out, '--quiet', ...extra]);
  return { code: r.code, stderr: r.stderr, out };
}

describe("dataset build and the manifest's split column", () => {
  it("takes each session's split from the column (was the speaker hash, exit 0); the card and manifest.json say so", async () => {
    const r = await build(manifest('ok', ['test', 'train', 'train']));
    expect(r.code, r.stderr).toBe(0);
    const dm = JSON.parse(readFileSync(join(r.out, 'manifest.json'), 'utf8'));
    expect(dm.sessions.map((s: { session_id: string; split: string }) => `${s.session_id}:${s.split}`)).toEqual(['s01:test', 's02:train', 's03:train']);
    expect(Object.keys(dm.counts.per_split)).toEqual(['test', 'train']);
    expect(dm.options.split_column).toBe('split');
    expect(readFileSync(join(r.out, 'README.md'), 'utf8')).toContain("Splits are the source manifest's `split` column");
    const v = await runCliInProcess(['dataset', 'validate', r.out]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
  });

  it('refuses --split beside the column, an empty cell, and a speaker in two splits (exit 2, one line each)', async () => {
    const both = await build(manifest('both', ['test', 'train', 'train']), '--split', 'train=0.5,test=0.5');
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/manifest\.csv: the manifest has a 'Split' column and --split was given: .*drop --split to use the column/);
    const empty = await build(manifest('empty', ['test', '', 'train']));
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/manifest\.csv:3, column Split: session 's02' has no split in column 'Split'/);
    const twice = await build(manifest('twice', ['test', 'train', 'train'], true));
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/manifest\.csv:3, column Split: session 's02' is in split 'train' but session 's01' \(line 2\) of speaker 'spk_a' is in 'test': splits must be speaker-disjoint/);
  });
});
