/**
 * CI reads one JSON object from stdout: `ok` is in the success objects too (agreement, extract) and `dataset build
 * --json` prints one (release written: ok, counts, files, failed sessions; refused: ok false, error, exit_code),
 * the other fields unchanged. dataset build runs on synthetic feature folders (no media decoded); extract runs
 * `--only sync` on one audio file.
 */
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticSession } from '../src/dataset/synthetic-features.js';
import { FIXTURES, runCli, runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-json-success-');
afterAll(() => tmp.cleanup());
const DEMO = join(FIXTURES, 'demo');
const FEATURES = join(tmp.dir, 'features');
let manifest: string;

beforeAll(async () => {
  for (const [i, [id, off]] of Object.entries({ s01: -0.62, s02: 0.3, s03: -0.26 }).entries())
    await writeSyntheticSession(FEATURES, { session_id: id, duration_s: 10, video_offset_s: off, seed: 11 + i, mediaDir: DEMO });
  manifest = join(tmp.dir, 'manifest.csv');
  writeFileSync(manifest, readFileSync(join(DEMO, 'manifest.csv'), 'utf8').replace(/(s0\d_(camera\.mp4|lav\.flac|transcript\.\w+))/g, (m) => join(DEMO, m)));
});

describe('dataset build --json', () => {
  it('a written release: ok true, counts and files as manifest.json has them; the release is the one built without --json', async () => {
    const out = join(tmp.dir, 'rel');
    // In this process (runCliInProcess): what the build prints and writes is the claim, not the process; a child cost
    // a Node start and mmprep's modules for each of the four builds here.
    const r = await runCliInProcess(['dataset', 'build', manifest, '--features', FEATURES, '--labels', join(DEMO, 'ratings.csv'), '-o', out, '--json', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(j).toEqual({ ok: true, manifest, out, records: m.counts.records, sessions: 3, sessions_failed: 0, per_split: m.counts.per_split, files: m.files.map((f: { path: string }) => f.path), failed_sessions: [] });
    const plain = join(tmp.dir, 'rel-plain');
    const p = await runCliInProcess(['dataset', 'build', manifest, '--features', FEATURES, '--labels', join(DEMO, 'ratings.csv'), '-o', plain, '--quiet']);
    expect(p.stdout).toMatch(/^\S+: \d+ records from 3 sessions/);
    for (const f of ['manifest.json', ...j.files]) expect(readFileSync(join(plain, f))).toEqual(readFileSync(join(out, f)));
  });

  it('a session left out: ok false, its reason, exit 4; a refused build: ok false, error, exit_code 2, nothing written', async () => {
    const feats = join(tmp.dir, 'features-broken');
    for (const s of ['s01', 's02', 's03']) await writeSyntheticSession(feats, { session_id: s, duration_s: 10, seed: 3, mediaDir: DEMO });
    rmSync(join(feats, 's03', 'meta.json'));
    const r = await runCliInProcess(['dataset', 'build', manifest, '--features', feats, '-o', join(tmp.dir, 'rel4'), '--json', '--quiet']);
    expect(r.code).toBe(4);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ ok: false, sessions: 2, sessions_failed: 1, failed_sessions: [{ session_id: 's03', error: expect.stringMatching(/no meta\.json/) }], exit_code: 4 });
    expect(j.error).toMatch(/^1 of 3 sessions failed/);
    const bad = await runCliInProcess(['dataset', 'build', manifest, '--features', join(tmp.dir, 'nope'), '-o', join(tmp.dir, 'rel2'), '--json']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toEqual({ ok: false, manifest, out: join(tmp.dir, 'rel2'), error: expect.stringMatching(/nope: --features: not a folder/), exit_code: 2 });
    expect(existsSync(join(tmp.dir, 'rel2'))).toBe(false);
  });

  it('paths given relative come back absolute, on success and on refusal alike (build and extract)', async () => {
    const ok = await runCliInProcess(['dataset', 'build', 'manifest.csv', '--features', 'features', '-o', 'rel-relative', '--json', '--quiet'], { cwd: tmp.dir });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, manifest, out: join(tmp.dir, 'rel-relative') });
    const refused = await runCliInProcess(['dataset', 'build', 'manifest.csv', '--features', 'nope', '-o', 'rel-refused', '--json'], { cwd: tmp.dir });
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false, manifest, out: join(tmp.dir, 'rel-refused') });
    const extract = await runCli(['extract', 'no-manifest.csv', '-o', 'feat-refused'], { cwd: tmp.dir });
    expect(extract.code).toBe(2);
    expect(JSON.parse(extract.stdout)).toMatchObject({ ok: false, manifest: join(tmp.dir, 'no-manifest.csv'), out: join(tmp.dir, 'feat-refused') });
  });
});

describe('ok in the success JSON', () => {
  it('agreement --json: ok true without a gate or when it passes, false when it fails (exit 3)', async () => {
    const ratings = join(DEMO, 'ratings.csv');
    const pass = await runCliInProcess(['agreement', ratings, '--json']);
    expect(pass.code).toBe(0);
    expect(JSON.parse(pass.stdout)).toMatchObject({ ok: true, gate: null });
    const fail = await runCliInProcess(['agreement', ratings, '--json', '--min-icc', '0.99']);
    expect(fail.code).toBe(3);
    expect(JSON.parse(fail.stdout)).toMatchObject({ ok: false, gate: { passed: false } });
  });

  it('extract: ok true when every session is done, false with a failed session (exit 4)', async () => {
    copyFileSync(join(DEMO, 's01_lav.flac'), join(tmp.dir, 'lav.flac'));
    writeFileSync(join(tmp.dir, 'bad.wav'), 'not audio\n');
    const good = join(tmp.dir, 'good.csv');
    writeFileSync(good, 'session_id,speaker_id,lav_audio\ns1,p1,lav.flac\n');
    const r = await runCli(['extract', good, '-o', join(tmp.dir, 'x1'), '--only', 'sync', '--progress', 'none']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, done: 1, failed: 0 });
    const mixed = join(tmp.dir, 'mixed.csv');
    writeFileSync(mixed, 'session_id,speaker_id,lav_audio\ns1,p1,lav.flac\ns2,p2,bad.wav\n');
    const m = await runCli(['extract', mixed, '-o', join(tmp.dir, 'x2'), '--only', 'sync', '--progress', 'none']);
    expect(m.code).toBe(4);
    expect(JSON.parse(m.stdout)).toMatchObject({ ok: false, done: 1, failed: 1 });
  });
});

describe('a usage error with --json (or extract, whose stdout is JSON)', () => {
  it('prints the failure object on stdout as well as the line on stderr, exit 2; without --json stdout stays empty', async () => {
    const v = await runCliInProcess(['dataset', 'validate', tmp.dir, '--json', '--min-icc', 'x']);
    expect(v.code).toBe(2);
    expect(JSON.parse(v.stdout)).toEqual({ ok: false, dir: null, records: null, files: null, bytes: null, checks: [], error: "option '--min-icc <x>' argument 'x' is invalid. --min-icc must be a number, got 'x'; run with --help for usage", exit_code: 2 });
    expect(v.stderr).toBe(`mmprep: ${JSON.parse(v.stdout).error}\n`);
    const x = await runCli(['extract', manifest, '-o', join(tmp.dir, 'xj'), '--jobs', '0']);
    expect(x.code).toBe(2);
    expect(JSON.parse(x.stdout)).toEqual({ ok: false, manifest: null, out: null, error: expect.stringContaining('--jobs must be at least 1'), exit_code: 2 });
    const plain = await runCliInProcess(['dataset', 'validate', tmp.dir, '--min-icc', 'x']);
    expect(plain.code).toBe(2);
    expect(plain.stdout).toBe('');
    const toFile = await runCliInProcess(['agreement', join(DEMO, 'ratings.csv'), '--json', '-o', join(tmp.dir, 'a.json'), '--min-icc', '2']);
    expect(toFile.code).toBe(2);
    expect(toFile.stdout).toBe('');
  });
});
