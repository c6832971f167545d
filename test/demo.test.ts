/**
 * `mmprep demo` end to end on the bundled sessions with the real pipeline (whatever stages this build has), then the
 * release is validated and docs/dataset.md's Python examples are run against it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, runCli, runCliInProcess, tempDir, type CliResult } from './helpers/cli.js';
import { loadStages } from '../src/batch/extract-stages.js';
import { validateDataset } from '../src/dataset/validate.js';
import type { DatasetManifest } from '../src/dataset/build.js';

const tmp = tempDir('mmprep-demo-');
afterAll(() => tmp.cleanup());
const OUT = join(tmp.dir, 'demo-out');
let run: CliResult;
let all = false;

beforeAll(async () => {
  const t = await loadStages();
  all = Boolean(t.sync && t.audio && t.face);
  // --face-fps 3 keeps the test quick (face inference dominates; 3 fps as test/extract.test.ts runs it: at least two
  // frames in every utterance, the shortest being 0.73 s); the demo's default is extract's default.
  run = await runCli(['demo', '-o', OUT, '--face-fps', '3']);
}, 300_000);

describe('mmprep demo', () => {
  it('runs every stage this build has and says which are not available', () => {
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^mmprep demo: fixtures\/demo\/manifest\.csv \(3 sample sessions\)/);
    expect(run.stdout).toMatch(/^ok {3}agreement: 2 dimensions, valence ICC\(2,1\)=0\.880, arousal ICC\(2,1\)=0\.585/m);
    expect(run.stdout).toMatch(/^ok {3}dataset validate: 15 checks passed/m);
    // extract, the longest stage, says it runs and when each session ends (it printed nothing for a minute: a new
    // user's trial took the demo for hung)
    expect(run.stdout).toMatch(/^ {5}extract \([a-z, ]+\): running; a line as each session ends\n {5}extract: 1 of 3 sessions ended \(0 failed\), \d+:\d\d so far\n/m);
    expect(run.stdout).toMatch(/^ {5}extract: 3 of 3 sessions ended \(0 failed\)/m);
    const demo = JSON.parse(readFileSync(join(OUT, 'demo.json'), 'utf8'));
    if (all) {
      expect(run.code).toBe(0);
      expect(demo.ok).toBe(true);
    } else {
      expect(run.code).toBe(4);
      expect(run.stdout).toMatch(/^n\/a {2}\w+: the \w+ stage is not in this build of mmprep extract/m);
    }
    for (const f of ['agreement.txt', 'agreement.json', 'gold.jsonl', 'validate.txt', 'dataset/README.md', 'dataset/schema.json', 'dataset/manifest.json']) expect(existsSync(join(OUT, f)), f).toBe(true);
    // paths in the reports as the user sees them (relative to the working folder), not this clone's absolute path
    expect(readFileSync(join(OUT, 'agreement.txt'), 'utf8')).toMatch(/^mmprep agreement: fixtures\/demo\/ratings\.csv \(long format/);
    expect(JSON.parse(readFileSync(join(OUT, 'agreement.json'), 'utf8')).file).toBe('fixtures/demo/ratings.csv');
    expect(readFileSync(join(OUT, 'validate.txt'), 'utf8').split(': ')[0]).toBe(relative(ROOT, join(OUT, 'dataset')));
  });

  it("README's `dataset validate` example is what validate prints on the demo's release", async () => {
    if (!all) return; // the example's 8 records need every stage
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /\$ mmprep dataset validate rel --min-icc 0\.7 --min-icc-targets 8\n([\s\S]*?)\n```/.exec(readme);
    expect(block, 'the example in README.md').not.toBeNull();
    const r = await runCliInProcess(['dataset', 'validate', join(OUT, 'dataset'), '--min-icc', '0.7', '--min-icc-targets', '8']);
    expect(r.code).toBe(3);
    const pattern = (line: string) => new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/^rel:/, '\\S+:').replace(/<(\d+) hex digits>/g, '[0-9a-f]{$1}')}$`);
    const want = (block as RegExpExecArray)[1].split('\n');
    expect(r.stdout.trimEnd().split('\n')).toEqual(want.map((l) => expect.stringMatching(pattern(l))));
  });

  it('builds a valid release from the real features', async () => {
    const m = JSON.parse(readFileSync(join(OUT, 'dataset', 'manifest.json'), 'utf8')) as DatasetManifest;
    const v = await validateDataset(join(OUT, 'dataset'), { maxMissing: { audio: 0, face: 0, text: 0, labels: 0 } });
    expect(v.checks.filter((c) => !c.ok)).toEqual([]);
    // s02's transcript is on the camera clock: it needs sync.json; without the sync stage it is left out, with the reason
    expect(m.counts.records).toBe(all ? 8 : 6);
    if (!all) expect(m.sessions.find((s) => s.session_id === 's02')?.error).toMatch(/sync\.json/);
    if (all) {
      // the real sync map against the fixture's known offsets, and s02's camera-timed transcript through it
      const truth = JSON.parse(readFileSync(join(FIXTURES, 'demo', 'truth.json'), 'utf8'));
      for (const t of truth.sessions) {
        const sync = JSON.parse(readFileSync(join(OUT, 'features', t.session_id, 'sync.json'), 'utf8'));
        const cam = (kind: string) => sync.streams.find((e: { file: string; kind: string }) => e.kind === kind && e.file.endsWith('_camera.mp4')).offset_s;
        expect(Math.abs(cam('audio') - t.camera_offset_s)).toBeLessThan(0.002);
        expect(Math.abs(cam('video') - t.camera_offset_s)).toBeLessThan(0.02); // half a frame at 25 fps
      }
      const val = readFileSync(join(OUT, 'dataset', 'data-val-00000.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const t02 = truth.sessions.find((t: { session_id: string }) => t.session_id === 's02');
      expect(val.map((r) => r.start_s)).toEqual(t02.utterances.map((u: { start_s: number }) => expect.closeTo(u.start_s, 2)));
      expect(val.every((r) => r.quality.present.labels)).toBe(true);
    }
    const rec = JSON.parse(readFileSync(join(OUT, 'dataset', 'data-train-00000.jsonl'), 'utf8').split('\n')[0]);
    expect(rec.id).toBe('s01/u0000');
    expect(rec.text).toBe('ten of clubs');
    expect(rec.quality.face_detection_rate).toBeGreaterThan(0.9); // the portrait is in view all along
    // the lav track has speech over this utterance: voiced frames with F0 in a speaking range
    expect(rec.quality.voiced_ratio).toBeGreaterThan(0.2);
    expect(rec.audio.functionals.f0_hz.mean).toBeGreaterThan(60);
    expect(rec.audio.functionals.f0_hz.mean).toBeLessThan(400);
  });

  it('docs/dataset.md Python examples read the release (plain json, and the PyTorch Dataset against a stand-in torch)', () => {
    const md = readFileSync(join(ROOT, 'docs', 'dataset.md'), 'utf8');
    const blocks = [...md.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks).toHaveLength(2);
    const ds = join(OUT, 'dataset');
    const m = JSON.parse(readFileSync(join(ds, 'manifest.json'), 'utf8')) as DatasetManifest;
    const py1 = join(tmp.dir, 'example_json.py');
    writeFileSync(py1, blocks[0]);
    const out1 = execFileSync('python3', [py1, ds], { encoding: 'utf8' });
    for (const [split, c] of Object.entries(m.counts.per_split)) expect(out1).toContain(`${split} ${c.records} records`);
    expect(out1).toMatch(/^train s01\/u0000 ten of clubs \(\d+, 13\) \d+ 8(\.0)?$/m);
    // a minimal stand-in for torch: tensor = numpy array, Dataset = object
    const fake = join(tmp.dir, 'fake-torch');
    mkdirSync(join(fake, 'torch', 'utils', 'data'), { recursive: true });
    writeFileSync(join(fake, 'torch', '__init__.py'), 'import numpy as _np\n\ndef tensor(x):\n    return _np.asarray(x)\n');
    writeFileSync(join(fake, 'torch', 'utils', '__init__.py'), '');
    writeFileSync(join(fake, 'torch', 'utils', 'data', '__init__.py'), 'class Dataset:\n    pass\n');
    const py2 = join(tmp.dir, 'example_torch.py');
    const defs = blocks[0].split('\nroot = ')[0];
    writeFileSync(
      py2,
      `${defs}\n${blocks[1]}\nimport sys\nd = MMPrepDataset(sys.argv[1], "train")\nx = d[0]\nprint(len(d), x["id"], x["audio"].shape, x["face"].shape, x["face_mask"].shape, bool(x["face_mask"].any()), x["present"].tolist(), float(x["y"]))\n`,
    );
    const out2 = execFileSync('python3', [py2, ds], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: fake } });
    const n = m.counts.per_split.train.records;
    expect(out2).toMatch(new RegExp(`^${n} s01/u0000 \\((\\d+), 39\\) \\(\\1, 6\\) \\(\\1,\\) True \\[True, True, True\\] 8\\.0$`, 'm'));
  });

  it('the demo fixtures are within their budget', () => {
    const files = readFileSync(join(FIXTURES, 'demo', 'manifest.csv'), 'utf8');
    expect(files.split('\n')[0]).toBe('session_id,speaker_id,video,lav_audio,transcript,transcript_clock');
    const size = execFileSync('du', ['-sb', join(FIXTURES, 'demo')], { encoding: 'utf8' }).split('\t')[0];
    expect(Number(size)).toBeLessThan(3 * 1024 * 1024);
  });
});
