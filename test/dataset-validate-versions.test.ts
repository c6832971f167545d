/**
 * What shaped a release (manifest.json format_version 2: tool.build, schema_version, extract, fingerprint) and
 * `dataset validate` of releases of other mmprep builds: a format 1 release of commit 23d1d25 still validates (it
 * failed the schema and card checks of any later build that changed them); a release of a format or schema this
 * mmprep does not know is refused, exit 2, one line; a shaping record edited after the build fails `manifest`.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCliInProcess, tempDir } from './helpers/cli.js';
import { buildDataset, type DatasetManifest } from '../src/dataset/build.js';
import { validateDataset, type ValidateReport } from '../src/dataset/validate.js';
import { olderSchemaText } from '../src/dataset/fingerprint.js';
import { writeSyntheticMeta, writeSyntheticSession } from '../src/dataset/synthetic-features.js';

const tmp = tempDir('mmprep-validate-versions-');
afterAll(() => tmp.cleanup());
const MANIFEST = join(FIXTURES, 'demo', 'manifest.csv');
const V1 = join(FIXTURES, 'dataset', 'release-v1');
const V2 = join(FIXTURES, 'dataset', 'release-v2');
const V3S2 = join(FIXTURES, 'dataset', 'release-v3-schema2');
const FEATURES = join(tmp.dir, 'features');
let base: string;

beforeAll(async () => {
  for (const [i, id] of ['s01', 's02', 's03'].entries()) await writeSyntheticSession(FEATURES, { session_id: id, duration_s: 10, faceGaps: [[5, 6]], seed: 31 + i, mediaDir: join(FIXTURES, 'demo') });
  base = join(tmp.dir, 'base');
  await buildDataset(MANIFEST, { features: FEATURES, labels: [join(FIXTURES, 'demo', 'ratings.csv')], segments: 'labels', audioFeatures: 'rms', faceFeatures: 'yaw_deg', out: base });
});

let copies = 0;
function copy(from = base): string {
  const d = join(tmp.dir, `copy${copies++}`);
  cpSync(from, d, { recursive: true });
  return d;
}
const manifestOf = (d: string) => JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8')) as DatasetManifest;
const editManifest = (d: string, fn: (m: DatasetManifest) => void) => {
  const m = manifestOf(d);
  fn(m);
  writeFileSync(join(d, 'manifest.json'), JSON.stringify(m, null, 2) + '\n');
};
const failed = (r: ValidateReport) => r.checks.filter((c) => !c.ok).map((c) => c.name);
const manifestCheck = (r: ValidateReport) => r.checks.find((c) => c.name === 'manifest')!;

describe('dataset build: what shaped the release', () => {
  it('records the code fingerprint, the schema version, how the features were extracted and one fingerprint of it all', async () => {
    const m = manifestOf(base);
    expect(m.format_version).toBe(3); // 3 since 2026-12-06: the sync stage's ways in extract, sessions[].issues
    expect(m.tool.build).toMatch(/^[0-9a-f]{16}$/);
    expect(m.schema_version).toBe(4); // 3 since 2026-12-06: descriptions, word ratios and counts, face_detection_rate over time; 4 since 2026-12-08: gold-trace labels (fingerprint.ts)
    expect(m.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    // the synthetic sessions' meta.json: every stage at default options, version 'synthetic', no face model recorded
    expect(m.extract).toEqual([
      { stage: 'audio', options: {}, version: 'synthetic', build: null, sessions: 3 },
      { stage: 'face', options: {}, version: 'synthetic', build: null, model: null, sessions: 3 },
      { stage: 'sync', options: {}, version: 'synthetic', build: null, sessions: 3 },
    ]);
    expect(readFileSync(join(base, 'README.md'), 'utf8')).toContain(`Built by mmprep ${m.tool.version} (code ${m.tool.build}) from the session manifest`);
    expect(readFileSync(join(base, 'README.md'), 'utf8')).toContain(`manifest.json \`fingerprint\`): \`${m.fingerprint}\``);
    const r = await validateDataset(base);
    expect(failed(r)).toEqual([]);
    expect(manifestCheck(r).message).toBe(`manifest.json of mmprep 0.1.0 code ${m.tool.build}, format 3, schema 4, fingerprint ${m.fingerprint!.slice(0, 19)}…, 3 data files`);
  });

  it('the fingerprint changes with an option that shapes the records, and a rebuild is byte-identical', async () => {
    const other = join(tmp.dir, 'other');
    await buildDataset(MANIFEST, { features: FEATURES, labels: [join(FIXTURES, 'demo', 'ratings.csv')], segments: 'labels', audioFeatures: 'rms,zcr', faceFeatures: 'yaw_deg', out: other });
    expect(manifestOf(other).fingerprint).not.toBe(manifestOf(base).fingerprint);
    const again = join(tmp.dir, 'again');
    await buildDataset(MANIFEST, { features: FEATURES, labels: [join(FIXTURES, 'demo', 'ratings.csv')], segments: 'labels', audioFeatures: 'rms', faceFeatures: 'yaw_deg', out: again });
    for (const f of ['manifest.json', 'README.md', 'schema.json']) expect(readFileSync(join(again, f)).equals(readFileSync(join(base, f))), f).toBe(true);
  });
});

describe('dataset build: sessions of different face models', () => {
  it('are two ways in extract, named on stderr and in the card, and the release validates', async () => {
    const feats = join(tmp.dir, 'features-models');
    cpSync(FEATURES, feats, { recursive: true });
    for (const [id, backend] of [['s01', 'wasm'], ['s02', 'webgl'], ['s03', 'wasm']]) {
      writeFileSync(join(feats, id, 'face.summary.json'), JSON.stringify({ human_version: '3.3.6', backend }) + '\n');
      await writeSyntheticMeta(feats, id);
    }
    const notes: string[] = [];
    const r = await buildDataset(MANIFEST, { features: feats, labels: [join(FIXTURES, 'demo', 'ratings.csv')], segments: 'labels', audioFeatures: 'rms', faceFeatures: 'yaw_deg', out: join(tmp.dir, 'models'), onNote: (n) => notes.push(n) });
    expect(r.manifest.extract!.filter((w) => w.stage === 'face').map((w) => [w.model, w.sessions])).toEqual([['@vladmandic/human 3.3.6 (wasm)', 2], ['@vladmandic/human 3.3.6 (webgl)', 1]]);
    const line = 'face features of this release come from 2 different face models: @vladmandic/human 3.3.6 (wasm) (s01, s03); @vladmandic/human 3.3.6 (webgl) (s02)';
    expect(notes).toContainEqual(expect.stringContaining(line));
    expect(readFileSync(join(r.out, 'README.md'), 'utf8')).toContain(`- ${line}`);
    expect(failed(await validateDataset(r.out))).toEqual([]);
  });
});

describe('dataset build: the ffmpeg build and face models extract recorded', () => {
  it('are in extract and the fingerprint: features decoded by another ffmpeg give another fingerprint', async () => {
    const fps: string[] = [];
    for (const ffmpeg of ['0123456789abcdef', 'fedcba9876543210']) {
      const feats = join(tmp.dir, `features-${ffmpeg}`);
      cpSync(FEATURES, feats, { recursive: true });
      for (const id of ['s01', 's02', 's03']) {
        const p = join(feats, id, 'meta.json');
        const meta = JSON.parse(readFileSync(p, 'utf8'));
        meta.made_by.audio.ffmpeg = ffmpeg;
        Object.assign(meta.made_by.face, { ffmpeg, models: '00000000000000aa' });
        writeFileSync(p, JSON.stringify(meta));
      }
      const r = await buildDataset(MANIFEST, { features: feats, labels: [join(FIXTURES, 'demo', 'ratings.csv')], segments: 'labels', audioFeatures: 'rms', faceFeatures: 'yaw_deg', out: join(tmp.dir, `rel-${ffmpeg}`) });
      expect(r.manifest.extract).toEqual([
        { stage: 'audio', options: {}, version: 'synthetic', build: null, ffmpeg, sessions: 3 },
        { stage: 'face', options: {}, version: 'synthetic', build: null, ffmpeg, models: '00000000000000aa', model: null, sessions: 3 },
        { stage: 'sync', options: {}, version: 'synthetic', build: null, sessions: 3 },
      ]);
      expect(failed(await validateDataset(r.out))).toEqual([]);
      fps.push(r.manifest.fingerprint!);
    }
    expect(fps[0]).not.toBe(fps[1]);
  });
});

describe('dataset validate: releases of other mmprep builds', () => {
  it('a format 1 release built by the mmprep of commit 23d1d25 still validates (scripts/make-release-fixture.mjs)', async () => {
    expect(manifestOf(V1).format_version).toBe(1);
    const r = await validateDataset(V1);
    expect(failed(r)).toEqual([]);
    expect(manifestCheck(r).message).toBe('manifest.json of mmprep 0.1.0 (format 1: no code fingerprint recorded; built before 2026-12-02), 3 data files');
  });

  it('a format 2 release of the commit that added format 2 validates with its code and fingerprint (a later change to the format 2 card, schema 1 or fingerprint fails here)', async () => {
    const m = manifestOf(V2);
    expect(m.format_version).toBe(2);
    const r = await validateDataset(V2);
    expect(failed(r)).toEqual([]);
    expect(manifestCheck(r).message).toBe(`manifest.json of mmprep 0.1.0 code ${m.tool.build}, format 2, schema 1, fingerprint ${m.fingerprint!.slice(0, 19)}… (${olderSchemaText(1)}), 3 data files`);
  });

  it('a schema 2 release (commit 72263bf: a word\'s share of voiced frames named `voiced`) validates and is said to be of an older record layout', async () => {
    const m = manifestOf(V3S2);
    expect([m.format_version, m.schema_version]).toEqual([3, 2]);
    const word = JSON.parse(readFileSync(join(V3S2, 'data-test-00000.jsonl'), 'utf8').split('\n')[0]).words[0];
    expect(Object.keys(word.audio)).toEqual(['voiced', 'rms']); // schema 3: voiced_ratio, rms, n
    const r = await validateDataset(V3S2);
    expect(failed(r)).toEqual([]);
    expect(manifestCheck(r).message).toBe(
      `manifest.json of mmprep 0.1.0 code ${m.tool.build}, format 3, schema 2, fingerprint ${m.fingerprint!.slice(0, 19)}… (record schema 2, older than this mmprep's 4 (checked against schema 2, as built): before schema 3, a word's mean of a boolean field has the frame field's name (words[].audio.voiced is a share of the word, 0-1; schema 3 calls it voiced_ratio), words have no frame counts (n, n_missing), quality.face_detection_rate divides by the video frames that exist (a dropped-frame gap is not counted as no face), and schema.json has no descriptions; before schema 4, no label comes from a continuous gold trace (labels[].kind \`trace\`, a label with gold mean, sd, n_samples, coverage and raters_sd over the record)), 3 data files`,
    );
  });

  it('a format_version or schema_version it does not know is refused: exit 2, one line, the --json object', async () => {
    const d = copy();
    editManifest(d, (m) => ((m.format_version = 4), (m.tool.build = '0123456789abcdef'))); // a newer mmprep's release
    const r = await runCliInProcess(['dataset', 'validate', d]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^mmprep: ${d}: manifest\\.json declares format_version 4, which this mmprep 0\\.1\\.0 \\(code [0-9a-f]{16}\\) does not know \\(it reads 1, 2 and 3\\); the release was made by mmprep 0\\.1\\.0 code [0-9a-f]{16}: validate it with that mmprep or a newer one\\n$`));
    const s = copy();
    const cliCode = /this mmprep 0\.1\.0 \(code ([0-9a-f]{16})\)/.exec(r.stderr)![1]; // the CLI's code (dist's, not src's)
    editManifest(s, (m) => ((m.schema_version = 5), (m.tool.build = cliCode)));
    const j = await runCliInProcess(['dataset', 'validate', s, '--json']);
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, checks: [], exit_code: 2, error: expect.stringContaining('manifest.json declares schema_version 5, which this mmprep 0.1.0 (code') });
    const newer = copy();
    editManifest(newer, (m) => ((m.schema_version = 5), (m.tool.build = '0123456789abcdef')));
    expect((await runCliInProcess(['dataset', 'validate', newer])).stderr).toMatch(/schema_version 5, .*; the release was made by mmprep 0\.1\.0 code 0123456789abcdef: validate it with that mmprep or a newer one\n$/);
    expect(j.stderr.trim().split('\n')).toHaveLength(1);
    // Naming this very code as its maker, the release cannot be a newer mmprep's: "validate it with that mmprep or a
    // newer one" sent users looking for an mmprep that does not exist (a trial, 2026-12-05).
    expect(JSON.parse(j.stdout).error).toMatch(/declares schema_version 5, which this mmprep 0\.1\.0 \(code ([0-9a-f]{16})\) does not know \(it reads 1, 2, 3 and 4\), yet it names this very mmprep's code \(\1\) as its maker: the manifest was edited after the build; copy the release again from its build's -o, or rebuild it$/);
  });

  it("a session's made_by, an option or the tool edited after the build fails manifest, naming the fingerprint", async () => {
    const madeBy = copy();
    // every session's, so the card (which names a mix of ways) does not tell
    editManifest(madeBy, (m) => m.sessions.forEach((s) => ((s.made_by!.audio as { build?: string }).build = 'feedfacefeedface')));
    const a = await validateDataset(madeBy);
    expect(failed(a)).toEqual(['manifest']);
    expect(manifestCheck(a).message).toMatch(/^1 problem: manifest\.json's extract \(3 ways\) is not what its sessions' made_by give \(3\): edited after the build; rebuild the release$/);
    const tool = copy();
    editManifest(tool, (m) => (m.tool.build = '0123456789abcdef'));
    const b = await validateDataset(tool);
    expect(failed(b)).toEqual(['manifest']); // the card names the code too
    expect(manifestCheck(b).message).toMatch(/manifest\.json's fingerprint "sha256:[0-9a-f]{64}" is not that of the tool, options and extract it records \(sha256:[0-9a-f]{64}\): edited after the build/);
    const noBuild = copy();
    editManifest(noBuild, (m) => delete m.tool.build);
    expect(manifestCheck(await validateDataset(noBuild)).message).toContain("manifest.json's tool.build is undefined, not a code fingerprint");
  });
});
