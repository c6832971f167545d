/**
 * A new user's read-only trial (2026-12-03): manifest.json's `source` records the sha256 of the session manifest and
 * the labels files a release was built from, but `dataset validate` could not check them (`--inputs DIR` now does:
 * exit 3 naming the input that differs); `schema_version: 0` got "validate it with that mmprep or a newer one"; the
 * labels' agreement warnings lacked the `warning:` prefix `mmprep agreement` gives the same lines.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess, tempDir } from './helpers/cli.js';
import { demoManifestCopy, writeDemoFeatures } from './helpers/demo-inputs.js';
import { buildDataset } from '../src/dataset/build.js';
import { CHECKS } from '../src/dataset/validate.js';

const tmp = tempDir('mmprep-validate-inputs-');
afterAll(() => tmp.cleanup());
const INPUTS = join(tmp.dir, 'inputs');
const REL = join(tmp.dir, 'rel');
const notes: string[] = [];
const warnings: string[] = [];

beforeAll(async () => {
  const manifest = demoManifestCopy(INPUTS);
  // rater r1's first three arousal ratings as 40 (beside 2-6): more than the slip budget, so warned as far_rating
  let n = 0;
  const ratings = readFileSync(join(INPUTS, 'ratings.csv'), 'utf8').replace(/,r1,arousal,\d+/g, (m) => (n++ < 3 ? ',r1,arousal,40' : m));
  writeFileSync(join(INPUTS, 'ratings.csv'), ratings);
  await writeDemoFeatures(join(tmp.dir, 'features'));
  await buildDataset(manifest, {
    features: join(tmp.dir, 'features'),
    labels: [join(INPUTS, 'ratings.csv')],
    segments: 'labels',
    audioFeatures: 'rms',
    faceFeatures: 'yaw_deg',
    out: REL,
    onNote: (l) => notes.push(l),
    onWarning: (l) => warnings.push(l),
  });
});

describe('dataset validate --inputs', () => {
  it('the inputs the release was built from pass, as a check of their own', async () => {
    const r = await runCliInProcess(['dataset', 'validate', REL, '--inputs', INPUTS]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('ok   inputs: 2 inputs match the sha256 manifest.json records (manifest.csv, ratings.csv) and 3 session transcripts\n');
  });

  it('a transcript edited after the build fails the inputs check, naming it and its session (ttrial50)', async () => {
    const edited = join(tmp.dir, 'edited');
    demoManifestCopy(edited);
    writeFileSync(join(edited, 'ratings.csv'), readFileSync(join(INPUTS, 'ratings.csv')));
    const vtt = join(edited, 's03_transcript.vtt');
    writeFileSync(vtt, readFileSync(vtt, 'utf8').replace(/clubs/, 'spades'));
    const r = await runCliInProcess(['dataset', 'validate', REL, '--inputs', edited, '--json']);
    expect(r.code).toBe(3);
    const inputs = JSON.parse(r.stdout).checks.find((c: { name: string }) => c.name === 'inputs');
    expect(inputs).toMatchObject({ ok: false, examples: [vtt], failures: 1 });
    expect(inputs.message).toMatch(/s03_transcript\.vtt: sha256 [0-9a-f]{12}… differs from the [0-9a-f]{12}… manifest\.json records for session s03's transcript: it changed after the build/);
  });

  it('a labels file changed after the build fails the inputs check, exit 3, naming it', async () => {
    const changed = join(tmp.dir, 'changed');
    demoManifestCopy(changed);
    const r = await runCliInProcess(['dataset', 'validate', REL, '--inputs', changed, '--json']);
    expect(r.code).toBe(3);
    const inputs = JSON.parse(r.stdout).checks.find((c: { name: string }) => c.name === 'inputs');
    expect(inputs).toMatchObject({ ok: false, examples: ['ratings.csv'], failures: 1 });
    expect(inputs.message).toMatch(/ratings\.csv: sha256 [0-9a-f]{12}… differs from the [0-9a-f]{12}… manifest\.json records for the labels file the release was built from/);
    expect(r.stderr).toBe('mmprep: dataset invalid: inputs (ratings.csv)\n');
  });

  it('an input missing from the folder fails the check; a folder that is not there is bad input (exit 2)', async () => {
    const partial = join(tmp.dir, 'partial');
    demoManifestCopy(partial);
    rmSync(join(partial, 'ratings.csv'));
    const r = await runCliInProcess(['dataset', 'validate', REL, '--inputs', partial]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(`FAIL inputs: 1 problem: ratings.csv (the labels file manifest.json names) is not in ${partial}: give the folder holding it with --inputs [ratings.csv]`);
    const none = await runCliInProcess(['dataset', 'validate', REL, '--inputs', join(tmp.dir, 'nope')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no such folder \(--inputs\)/);
  });

  it('without --inputs the report has the checks it had', async () => {
    const r = await runCliInProcess(['dataset', 'validate', REL, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).checks.map((c: { name: string }) => c.name)).toEqual([...CHECKS]);
  });
});

describe('dataset validate: a schema_version no mmprep writes', () => {
  it('0 or none is refused (exit 2) as not a version, naming manifest.json (was: "validate it with that mmprep or a newer one")', async () => {
    const text = readFileSync(join(REL, 'manifest.json'), 'utf8');
    try {
      writeFileSync(join(REL, 'manifest.json'), text.replace(/"schema_version": \d+/, '"schema_version": 0'));
      const r = await runCliInProcess(['dataset', 'validate', REL]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`mmprep: ${join(REL, 'manifest.json')}: schema_version 0 is not a version (versions are whole numbers from 1; this mmprep reads 1, 2, 3 and 4): the manifest was edited or not written by mmprep dataset build; copy the release again from its build's -o, or rebuild it\n`);
      writeFileSync(join(REL, 'manifest.json'), text.replace(/"schema_version": \d+,/, ''));
      const s = await runCliInProcess(['dataset', 'validate', REL]);
      expect(s.code).toBe(2);
      expect(s.stderr).toMatch(/manifest\.json: no schema_version: the manifest was edited/);
    } finally {
      writeFileSync(join(REL, 'manifest.json'), text);
    }
  });
});

describe('dataset build: the labels warnings are warnings', () => {
  it("the far ratings' warning goes to onWarning (the CLI's `warning:` line), the coverage counts stay notes", () => {
    expect(warnings).toContain("labels: ratings.csv: 3 ratings by rater 'r1' in dimension 'arousal' are far beyond the other raters' ratings (2 to 6): 40 (line 3), 40 (line 9), 40 (line 15): a true extreme, or a typo? check them: every figure and gold label counts them; --scale LOW,HIGH declares the scale (a rating outside it is refused)");
    expect(notes.some((n) => n.includes('far beyond'))).toBe(false);
    expect(notes.some((n) => n.startsWith('labels: arousal: 8 of 8 records labelled'))).toBe(true);
  });
});
