/**
 * dataset build / validate on feature folders in the pinned extract layout (synthetic values from
 * writeSyntheticSession, real manifest, transcripts and ratings of fixtures/demo). The real-pipeline run is in
 * test/demo.test.ts.
 */
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCliInProcess, tempDir } from './helpers/cli.js';
import { buildDataset, type DatasetManifest } from '../src/dataset/build.js';
import { validateDataset, type CheckName, type ValidateReport } from '../src/dataset/validate.js';
import { writeSyntheticSession } from '../src/dataset/synthetic-features.js';
import { sourceTimeMismatch } from '../src/batch/extract-session.js';
import { heldTimeShare, overlapWeight, WeightedScalar } from '../src/dataset/functionals.js';
import { parseSplits, splitOf } from '../src/dataset/splits.js';
import { parseFeatureList } from '../src/dataset/features.js';
import { unknownSessionNotes, type LabelSet } from '../src/dataset/labels.js';

const tmp = tempDir('mmprep-dataset-');
afterAll(() => tmp.cleanup());
const MANIFEST = join(FIXTURES, 'demo', 'manifest.csv');
const RATINGS = join(FIXTURES, 'demo', 'ratings.csv');
const FEATURES = join(tmp.dir, 'features');
const OFFSETS: Record<string, number> = { s01: -0.62, s02: 0.3, s03: -0.26 };

let base: string;
beforeAll(async () => {
  for (const [i, [id, off]] of Object.entries(OFFSETS).entries())
    await writeSyntheticSession(FEATURES, { session_id: id, duration_s: 10, video_offset_s: off, faceGaps: [[5, 6]], seed: 11 + i, mediaDir: join(FIXTURES, 'demo') });
  base = join(tmp.dir, 'base');
  await buildDataset(MANIFEST, { features: FEATURES, labels: [RATINGS], out: base });
});

const records = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith('data-'))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l)));
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as DatasetManifest;
const failed = (r: ValidateReport) => r.checks.filter((c) => !c.ok).map((c) => c.name).sort();
const check = (r: ValidateReport, n: CheckName) => r.checks.find((c) => c.name === n)!;

let copies = 0;
function copy(): string {
  const d = join(tmp.dir, `copy${copies++}`);
  cpSync(base, d, { recursive: true });
  return d;
}
/** Rewrites manifest.json's sha256/bytes of a data file, as a careless (or sneaky) editor would. */
function reseal(dir: string, file: string): void {
  const m = manifestOf(dir);
  const buf = readFileSync(join(dir, file));
  const f = m.files.find((x) => x.path === file)!;
  f.sha256 = createHash('sha256').update(buf).digest('hex');
  f.bytes = buf.length;
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m, null, 2) + '\n');
}
/** Rewrites a session's meta.json sha256/size of one feature file (as if extract had written the file as it is now). */
function resealMeta(dir: string, file: string): void {
  const p = join(dir, 'meta.json');
  const meta = JSON.parse(readFileSync(p, 'utf8'));
  const buf = readFileSync(join(dir, file));
  const o = meta.outputs.find((x: { file: string }) => x.file === file);
  o.sha256 = createHash('sha256').update(buf).digest('hex');
  o.size_bytes = buf.length;
  writeFileSync(p, JSON.stringify(meta, null, 2) + '\n');
}
function editLines(dir: string, file: string, fn: (lines: string[]) => string[]): void {
  const p = join(dir, file);
  const lines = readFileSync(p, 'utf8').split('\n');
  writeFileSync(p, fn(lines).join('\n'));
}

describe('dataset build', () => {
  it('writes one record per utterance with words, sequences, functionals, labels, quality; splits by speaker', () => {
    const m = manifestOf(base);
    expect(m.counts.records).toBe(8);
    expect(m.counts.per_split).toEqual({ train: { records: 3, sessions: 1, speakers: 1, sessions_without_records: 0 }, val: { records: 2, sessions: 1, speakers: 1, sessions_without_records: 0 }, test: { records: 3, sessions: 1, speakers: 1, sessions_without_records: 0 } });
    expect(m.files.map((f) => f.path)).toEqual(['data-test-00000.jsonl', 'data-train-00000.jsonl', 'data-val-00000.jsonl']);
    expect(readdirSync(base).sort()).toEqual(['README.md', 'data-test-00000.jsonl', 'data-train-00000.jsonl', 'data-val-00000.jsonl', 'manifest.json', 'schema.json']);
    const recs = records(base);
    const r = recs.find((x) => x.id === 's01/u0000');
    expect(r).toMatchObject({ session_id: 's01', speaker_id: 'spk_a', split: 'train', text: 'ten of clubs' });
    expect(r.words.map((w: { word: string }) => w.word)).toEqual(['ten', 'of', 'clubs']);
    // audio: every 10 ms frame centre in [start, end)
    const expectedN = recs.length && Math.ceil(Math.round(r.end_s * 100) - Math.round(r.start_s * 100));
    expect(r.audio.n).toBe(expectedN);
    expect(r.audio.frames.mfcc).toHaveLength(r.audio.n);
    expect(r.audio.frames.mfcc[0]).toHaveLength(13);
    expect(r.audio.functionals.f0_hz.n + r.audio.functionals.f0_hz.n_missing).toBeGreaterThanOrEqual(r.audio.n);
    // face resampled onto the audio grid
    expect(r.face).toMatchObject({ rate: 'audio', t0_s: r.audio.t0_s, n: r.audio.n });
    expect(r.labels.valence.ratings).toHaveLength(3);
    expect(r.labels.valence.agreement.icc2).toBeCloseTo((m.labels[0].agreement as { icc2: number }).icc2, 12);
    expect(r.quality.present).toEqual({ audio: true, face: true, text: true, labels: true });
    // s02's transcript is timed on the camera audio: mapped onto the reference clock by its offset
    const truth = JSON.parse(readFileSync(join(FIXTURES, 'demo', 'truth.json'), 'utf8'));
    const s02 = recs.filter((x) => x.session_id === 's02');
    expect(s02.map((x) => x.start_s)).toEqual(truth.sessions[1].utterances.map((u: { start_s: number }) => expect.closeTo(u.start_s, 6)));
  });

  it('counts missing values instead of averaging them: a segment inside a face gap has no face', async () => {
    const d = join(tmp.dir, 'fixed');
    await buildDataset(MANIFEST, { features: FEATURES, out: d, segments: 'fixed:1', faceRate: 'native', split: 'train=1' });
    const recs = records(d);
    expect(recs).toHaveLength(3 * 11); // 10 s of audio + the camera's reach beyond it
    const gap = recs.find((x) => x.id === 's02/w00005'); // s02's windows start at -0.005: [4.995, 5.995) in the face gap [5, 6)
    const w = recs.find((x) => x.id === 's01/w00002');
    expect(w.face.rate).toBe('native');
    expect(w.face.t_s.length).toBe(w.face.n);
    expect(w.face.rate_hz).toBeCloseTo(25, 6);
    expect(w.quality.face_detection_rate).toBe(1);
    expect(gap.quality.face_detection_rate).toBeLessThan(0.1);
    expect(gap.face.functionals.yaw_deg.n_missing).toBeGreaterThan(20);
    const f0 = w.audio.functionals.f0_hz;
    const nulls = w.audio.frames.f0_hz.filter((v: number | null) => v === null).length;
    expect(f0.n_missing).toBeGreaterThanOrEqual(nulls);
    expect(f0.n).toBeGreaterThanOrEqual(w.audio.n - nulls);
    expect(recs.every((x) => x.text !== null)).toBe(true);
    expect(manifestOf(d).counts.per_split.train.records).toBe(33);
  });

  it('carries landmarks when asked, at video rate or interpolated onto the audio grid', async () => {
    const feats = join(tmp.dir, 'features-lm');
    await writeSyntheticSession(feats, { session_id: 's01', duration_s: 4, landmarks: true, seed: 5, mediaDir: join(FIXTURES, 'demo') });
    const man = join(tmp.dir, 'lm.csv');
    writeFileSync(man, 'session_id,speaker_id,video,lav_audio\ns01,spk_a,s01_camera.mp4,s01_lav.flac\n');
    for (const faceRate of ['native', 'audio'] as const) {
      const d = join(tmp.dir, `lm-${faceRate}`);
      await buildDataset(man, { features: feats, out: d, segments: 'fixed:1.5', faceFeatures: 'pose,landmarks', audioFeatures: 'none', faceRate });
      const recs = records(d);
      expect(recs).toHaveLength(4); // the session spans [-0.52, 3.995]: camera from -0.5 s, audio to 4 s
      const lm = recs[1].face.frames.landmarks;
      expect(lm).toHaveLength(recs[1].face.n);
      expect(lm[0]).toHaveLength(478);
      expect(lm[0][0]).toHaveLength(3);
      expect(recs[1].face.functionals.landmarks).toBeUndefined(); // no functionals of raw landmarks
      expect((await validateDataset(d)).ok).toBe(true);
    }
  });

  it('keeps segments of an audio-only session, marked as without face', async () => {
    const feats = join(tmp.dir, 'features-noface');
    await writeSyntheticSession(feats, { session_id: 's01', duration_s: 3, noFace: true, seed: 9, mediaDir: join(FIXTURES, 'demo') });
    const man = join(tmp.dir, 'noface.csv');
    writeFileSync(man, 'session_id,speaker_id,lav_audio\ns01,spk_a,s01_lav.flac\n');
    const d = join(tmp.dir, 'noface');
    await buildDataset(man, { features: feats, out: d, segments: 'fixed:1' });
    const recs = records(d);
    expect(recs).toHaveLength(3);
    expect(recs.every((r) => r.face === null && r.quality.present.face === false && r.quality.face_detection_rate === null && r.audio.n > 0)).toBe(true);
    expect((await validateDataset(d)).ok).toBe(true);
    expect(failed(await validateDataset(d, { maxMissing: { face: 0.5 } }))).toEqual(['missing']);
    expect(readFileSync(join(d, 'README.md'), 'utf8')).toMatch(/3 of 3 records \(100\.0 %\) have no face/);
  });

  it('makes segments from the labelled targets (--segments labels)', async () => {
    const d = join(tmp.dir, 'labels');
    await buildDataset(MANIFEST, { features: FEATURES, labels: [RATINGS], out: d, segments: 'labels', audioFeatures: 'pitch', faceFeatures: 'none' });
    const recs = records(d);
    expect(recs).toHaveLength(8);
    expect(recs.every((r) => r.quality.present.labels && Object.keys(r.audio.frames).join() === 'f0_hz,voiced,voiced_prob')).toBe(true);
    expect((await validateDataset(d)).ok).toBe(true);
    expect(manifestOf(d).sessions.flatMap((x) => x.issues ?? []).filter((i) => i.kind === 'labels_near_duplicate')).toEqual([]);
  });

  it('--segments labels: two rated spans nearly the same are named (they were two records of one utterance, each with half the labels, no word; ttrial56b)', async () => {
    // s01_u0 rated again as 'again' on 2.6904-3.4197 s (another export rounding its times): IoU 0.999 with 2.69-3.42
    const ratings = join(tmp.dir, 'ratings-near-dup.csv');
    const text = readFileSync(RATINGS, 'utf8').trimEnd().split('\n');
    const again = text.filter((l) => l.startsWith('s01,2.690,3.420,s01_u0,')).map((l) => l.replace('s01,2.690,3.420,s01_u0,', 's01,2.6904,3.4197,again,'));
    writeFileSync(ratings, [...text, ...again].join('\n') + '\n');
    const r = await buildDataset(MANIFEST, { features: FEATURES, labels: [ratings], out: join(tmp.dir, 'near-dup'), segments: 'labels', audioFeatures: 'pitch', faceFeatures: 'none' });
    expect(r.manifest.counts.records).toBe(9);
    const issues = r.manifest.sessions.flatMap((x) => x.issues ?? []).filter((i) => i.kind === 'labels_near_duplicate');
    expect(issues.map((i) => i.message)).toEqual([
      expect.stringMatching(/^labels: 1 pair of rated spans nearly the same \(IoU at least 0\.9\) but not equal, .*: s01\/l0000 \(2\.69-3\.42 s: s01_u0\) and s01\/l0001 \(2\.6904-3\.4197 s: again\), IoU 0\.99904.*give it the same start_s and end_s in every labels file/),
    ]);
  });

  it('validate holds --segments labels records to the recording too (an older build wrote a labelled span past it as a record)', async () => {
    const d = join(tmp.dir, 'labels-past');
    await buildDataset(MANIFEST, { features: FEATURES, labels: [RATINGS], out: d, segments: 'labels', audioFeatures: 'pitch', faceFeatures: 'none' });
    const m = manifestOf(d);
    const s01 = m.sessions.find((x) => x.session_id === 's01')!;
    const file = m.files.find((f) => readFileSync(join(d, f.path), 'utf8').includes('"session_id":"s01"'))!.path;
    let id = '';
    editLines(d, file, (lines) => {
      const i = lines.map((l, k) => [l, k] as const).filter(([l]) => l.includes('"session_id":"s01"')).pop()![1];
      const r = JSON.parse(lines[i]);
      id = r.id;
      lines[i] = JSON.stringify({ ...r, start_s: s01.recording!.end_s + 2.5, end_s: s01.recording!.end_s + 3.2, audio: null, face: null, words: [] });
      return lines;
    });
    s01.end_s = s01.recording!.end_s + 3.2; // the older build widened the session to its label spans
    writeFileSync(join(d, 'manifest.json'), JSON.stringify(m, null, 2) + '\n');
    reseal(d, file);
    const v = await validateDataset(d);
    expect(check(v, 'times').ok).toBe(false);
    expect(check(v, 'times').message).toMatch(new RegExp(`${id.replace('/', '\\/')}: .* outside the recording of session s01`));
  });

  it('attaches labels whose targets are segment ids (wide ratings file, several files, categorical)', async () => {
    const wide = join(tmp.dir, 'wide.csv');
    writeFileSync(wide, 'target,ann,bob,cy\ns01/u0000,3,4,3\ns03/u0002,6,6,7\ns02/u0001,2,1,2\nnot-a-segment,5,5,5\n');
    const cat = join(tmp.dir, 'emotion.csv');
    writeFileSync(cat, 'target,rater,rating\ns01/u0000,ann,happy\ns01/u0000,bob,happy\ns01/u0000,cy,neutral\ns02/u0000,ann,sad\ns02/u0000,bob,sad\ns02/u0000,cy,sad\n');
    const d = join(tmp.dir, 'by-id');
    const r = await buildDataset(MANIFEST, { features: FEATURES, labels: [wide], out: d });
    const recs = records(d);
    expect(recs.find((x) => x.id === 's01/u0000').labels.wide).toMatchObject({ target: 's01/u0000', gold: { mean: 3.333333, median: 3 }, ratings: [{ rater: 'ann', value: 3 }, { rater: 'bob', value: 4 }, { rater: 'cy', value: 3 }] });
    expect(recs.filter((x) => x.quality.present.labels).map((x) => x.id).sort()).toEqual(['s01/u0000', 's02/u0001', 's03/u0002']);
    expect(r.manifest.labels[0]).toMatchObject({ key: 'wide', targets: 4, targets_used: 3 });
    expect(readFileSync(join(d, 'README.md'), 'utf8')).toMatch(/1 rated targets of wide matched no segment/);
    // a categorical file beside it
    const { readLabelFiles } = await import('../src/dataset/labels.js');
    const ls = await readLabelFiles([cat], { categorical: true });
    expect(ls.dimensions[0].byTarget.get('s01/u0000')?.gold).toEqual({ majority: 'happy', distribution: { happy: 2, neutral: 1 } });
    expect(ls.dimensions[0].agreement.icc2).toBeNull();
  });

  it('dataset build --categorical takes category labels; without it the refusal names the flag the command has', async () => {
    // the hint "use --categorical for labels" used to name a flag only `mmprep agreement` had
    const cat = join(tmp.dir, 'emotion-cli.csv');
    writeFileSync(cat, 'target,rater,rating\ns01/u0000,ann,happy\ns01/u0000,bob,happy\ns01/u0000,cy,neutral\ns02/u0000,ann,sad\ns02/u0000,bob,sad\ns02/u0000,cy,sad\n');
    const d = join(tmp.dir, 'cat-cli');
    const no = await runCliInProcess(['dataset', 'build', MANIFEST, '--features', FEATURES, '--labels', cat, '-o', d, '--quiet']);
    expect(no.code).toBe(2);
    expect(no.stderr).toBe(`mmprep: ${cat}:2, column rating: non-numeric rating 'happy' (use --categorical for labels)\n`);
    expect(() => readdirSync(d)).toThrow();
    const yes = await runCliInProcess(['dataset', 'build', MANIFEST, '--features', FEATURES, '--labels', cat, '-o', d, '--quiet', '--categorical']);
    expect(yes.code).toBe(0);
    const r = records(d).find((x) => x.id === 's01/u0000');
    expect(r.labels['emotion-cli'].gold).toEqual({ majority: 'happy', distribution: { happy: 2, neutral: 1 } });
    expect(manifestOf(d).labels[0]).toMatchObject({ key: 'emotion-cli', categorical: true, records_labelled: 2 });
    expect((await validateDataset(d, {})).ok).toBe(true);
  }, 60_000);

  it('a rater column without any rating is reported on stderr, in manifest.json and in the card (not dropped silently)', async () => {
    const wide = join(tmp.dir, 'wide-empty.csv');
    writeFileSync(wide, 'target,ann,bob,cy\ns01/u0000,3,,3\ns03/u0002,6,,7\ns02/u0001,2,,2\n');
    const d = join(tmp.dir, 'empty-rater');
    const notes: string[] = [];
    const r = await buildDataset(MANIFEST, { features: FEATURES, labels: [wide], out: d, onNote: (l) => notes.push(l) });
    expect(notes.some((n) => /^labels: wide-empty\.csv: column 'bob' has no rating in any row/.test(n))).toBe(true);
    // and, keyed by record id alone, that the id mapping is unchecked (ttrial47 W3)
    // (and, on 3 targets, the few_targets warning: test/agreement-left48.test.ts)
    expect(r.manifest.labels[0].warnings).toEqual([expect.stringMatching(/column 'bob' has no rating in any row: left out, 2 raters remain/), expect.stringMatching(/only 3 targets are rated by two or more raters/), expect.stringMatching(/by id alone/)]);
    expect(readFileSync(join(d, 'README.md'), 'utf8')).toMatch(/labels wide-empty: wide-empty\.csv: column 'bob' has no rating/);
  });

  it('an output folder that cannot be made (/proc) is an error at once, not a hang in mkdir -p', async () => {
    if (process.platform !== 'linux') return;
    const err = await buildDataset(MANIFEST, { features: FEATURES, out: '/proc/mmprep-no/such' }).catch((e: NodeJS.ErrnoException) => e);
    expect((err as NodeJS.ErrnoException).code).toBe('ENOENT');
  }, 20_000);

  it('a tied categorical majority is null with the reason in the dataset, never the first tied label', async () => {
    const cat = join(tmp.dir, 'tied.csv');
    writeFileSync(cat, 'target,rater,rating\ns01/u0000,ann,happy\ns01/u0000,bob,neutral\ns02/u0000,ann,sad\ns02/u0000,bob,sad\n');
    const { readLabelFiles } = await import('../src/dataset/labels.js');
    const ls = await readLabelFiles([cat], { categorical: true });
    const tied = ls.dimensions[0].byTarget.get('s01/u0000')?.gold;
    expect(tied).toMatchObject({ majority: null, distribution: { happy: 1, neutral: 1 } });
    expect(tied?.majority_reason).toMatch(/^tie: 'happy', 'neutral'/);
    expect(ls.dimensions[0].byTarget.get('s02/u0000')?.gold).toEqual({ majority: 'sad', distribution: { sad: 2 } });
  });

  it("manifest.json names what made each session's features (meta.json's made_by), or null with the reason", async () => {
    const feats = join(tmp.dir, 'features-madeby');
    cpSync(FEATURES, feats, { recursive: true });
    const metaPath = join(feats, 's02', 'meta.json');
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
    delete meta.made_by; // as an older mmprep wrote it
    writeFileSync(metaPath, JSON.stringify(meta));
    const out = join(tmp.dir, 'madeby');
    await buildDataset(MANIFEST, { features: feats, labels: [RATINGS], out });
    const byId = Object.fromEntries(manifestOf(out).sessions.map((s) => [s.session_id, s]));
    const s01 = JSON.parse(readFileSync(join(feats, 's01', 'meta.json'), 'utf8'));
    expect(byId.s01.made_by).toEqual(s01.made_by);
    expect(Object.keys(byId.s01.made_by!).sort()).toEqual(['audio', 'face', 'sync']);
    expect(byId.s01.made_by_reason).toBeNull();
    expect(byId.s02.made_by).toBeNull();
    expect(byId.s02.made_by_reason).toMatch(/no made_by .*run mmprep extract again/);
  });

  it('a ratings session_id the manifest lacks is named on stderr with the id it likely means (S01 for s01), not only as unmatched targets', async () => {
    const ratings = join(tmp.dir, 'ratings-case.csv');
    // …and Excel's empty rows below the data: skipped with the note mmprep agreement prints (build said nothing).
    writeFileSync(ratings, readFileSync(RATINGS, 'utf8').replace(/^s01,/gm, 'S01,').replace(/^s03,/gm, 'pilot9,') + ',,,,,,\n');
    const notes: string[] = [];
    await buildDataset(MANIFEST, { features: FEATURES, labels: [ratings], out: join(tmp.dir, 'case'), onNote: (n) => notes.push(n) });
    expect(notes).toContainEqual(expect.stringMatching(/^labels: ratings-case\.csv: ignored 1 row\(s\) whose every cell is empty \(line \d+\)/));
    const about = notes.filter((n) => /is not a session of the manifest/.test(n));
    expect(about).toEqual([
      expect.stringMatching(/^labels: ratings-case\.csv: session_id 'S01' \(\d+ rated targets\) is not a session of the manifest \(did you mean 's01'\? session ids are matched exactly\): its targets match no segment$/),
      expect.stringMatching(/session_id 'pilot9' \(\d+ rated targets?\) is not a session of the manifest \(not in this build\)/),
    ]);
  });

  it('a ratings file covering more numbered sessions than the build: no "did you mean" between rated ones (ttrial43)', async () => {
    // s02's rows copied as s04 (another numbered session; s01-s03 are all rated) and as s0x (a letter for a digit).
    const text = readFileSync(RATINGS, 'utf8');
    const s02rows = text.split('\n').filter((l) => l.startsWith('s02,'));
    const ratings = join(tmp.dir, 'ratings-more.csv');
    writeFileSync(ratings, text.trimEnd() + '\n' + [...s02rows.map((l) => l.replace(/^s02,/, 's04,').replace(',s02_', ',s04_')), ...s02rows.map((l) => l.replace(/^s02,/, 's0x,').replace(',s02_', ',s0x_'))].join('\n') + '\n');
    const notes: string[] = [];
    await buildDataset(MANIFEST, { features: FEATURES, labels: [ratings], out: join(tmp.dir, 'more'), onNote: (n) => notes.push(n) });
    expect(notes.filter((n) => /is not a session of the manifest/.test(n))).toEqual([
      expect.stringMatching(/session_id 's04' \(\d+ rated targets?\) is not a session of the manifest \(not in this build\)/),
      expect.stringMatching(/session_id 's0x' \(\d+ rated targets?\) is not a session of the manifest \(did you mean 's01'\? /),
    ]);
  });

  it("dimension names that differ only in case ('Valence' beside 'valence') are said as mmprep agreement says them", async () => {
    const lines = readFileSync(RATINGS, 'utf8').split('\n');
    const mixed = join(tmp.dir, 'ratings-dim-case.csv');
    writeFileSync(mixed, lines.map((l, i) => (i >= 1 && i <= 9 ? l.replace(',valence,', ',Valence,') : l)).join('\n'));
    const notes: string[] = [];
    const r = await buildDataset(MANIFEST, { features: FEATURES, labels: [mixed], out: join(tmp.dir, 'dim-case'), onNote: (n) => notes.push(n) });
    const line = "labels: ratings-dim-case.csv: dimensions that differ only in case, spaces, '-' or '_' are counted as different dimensions: 'valence' (19 ratings), 'Valence' (5 ratings)";
    expect(notes).toContainEqual(expect.stringContaining(line));
    expect(r.manifest.labels.map((l) => l.key).sort()).toEqual(['Valence', 'arousal', 'valence']);
  });

  it('a target that is a record id and has a span of another record is refused, naming both (the rating sat on the id, exit 0)', async () => {
    const ids = readFileSync(RATINGS, 'utf8').replace(/(s0\d)_u(\d),/g, (_m, sid, n) => `${sid}/u000${n},`);
    const good = join(tmp.dir, 'ratings-ids.csv');
    writeFileSync(good, ids);
    const ok = await buildDataset(MANIFEST, { features: FEATURES, labels: [good], out: join(tmp.dir, 'ids-ok') });
    expect(ok.manifest.counts.sessions_failed).toBe(0);
    expect(records(ok.out).find((r) => r.id === 's01/u0001').labels.valence.target).toBe('s01/u0001');
    // The ids of a build made before s01's transcript was re-segmented: u0000's ratings carry u0001's span and back.
    const swapped = join(tmp.dir, 'ratings-ids-swapped.csv');
    writeFileSync(swapped, ids.replace(/^s01,2\.690,3\.420,/gm, 'X').replace(/^s01,4\.185,5\.715,/gm, 's01,2.690,3.420,').replace(/^X/gm, 's01,4.185,5.715,'));
    const r = await buildDataset(MANIFEST, { features: FEATURES, labels: [swapped], out: join(tmp.dir, 'ids-swapped') });
    const s01 = r.manifest.sessions.find((x) => x.session_id === 's01')!;
    expect(s01.error).toMatch(/ratings-ids-swapped\.csv: target 's01\/u000[01]' is the id of record s01\/u000[01] \([\d.]+-[\d.]+ s\), but its span is [\d.]+-[\d.]+ s, record s01\/u000[01]'s: the record ids no longer name what was rated/);
    expect(r.manifest.sessions.filter((x) => x.error).map((x) => x.session_id)).toEqual(['s01']);
  });

  it("labels_clock: spans rated on the camera's clock are mapped onto the reference clock as transcript_clock maps a transcript", async () => {
    // s02's camera runs 0.3 s off the lav (OFFSETS); its ratings timed on the camera file are 0.3 s earlier.
    const demo = join(FIXTURES, 'demo');
    const cameraTimes = join(tmp.dir, 'ratings-camera-clock.csv');
    writeFileSync(cameraTimes, readFileSync(RATINGS, 'utf8').replace(/^s02,([\d.]+),([\d.]+),/gm, (_m, a, b) => `s02,${(Number(a) - 0.3).toFixed(3)},${(Number(b) - 0.3).toFixed(3)},`));
    const withClock = join(tmp.dir, 'labels-clock.csv');
    const rows = readFileSync(MANIFEST, 'utf8').trim().split('\n');
    writeFileSync(withClock, rows.map((l, i) => (i === 0 ? `${l},labels_clock` : `${l.replace(/(s0\d_\w+\.\w+)/g, (f) => join(demo, f))},${l.startsWith('s02,') ? 'video' : ''}`)).join('\n') + '\n');
    const spans = (dir: string) => records(dir).filter((r) => r.session_id === 's02').map((r) => [r.start_s, r.end_s, r.text]);
    const ref = await buildDataset(MANIFEST, { features: FEATURES, labels: [RATINGS], out: join(tmp.dir, 'lc-ref'), segments: 'labels' });
    const mapped = await buildDataset(withClock, { features: FEATURES, labels: [cameraTimes], out: join(tmp.dir, 'lc-mapped'), segments: 'labels' });
    const raw = await buildDataset(MANIFEST, { features: FEATURES, labels: [cameraTimes], out: join(tmp.dir, 'lc-raw'), segments: 'labels' });
    expect(spans(ref.out)).toHaveLength(2);
    for (const [i, [a, b, text]] of spans(mapped.out).entries()) {
      expect(a).toBeCloseTo(spans(ref.out)[i][0] as number, 5);
      expect(b).toBeCloseTo(spans(ref.out)[i][1] as number, 5);
      expect(text).toBe(spans(ref.out)[i][2]);
    }
    expect((spans(raw.out)[0][0] as number) - (spans(ref.out)[0][0] as number)).toBeCloseTo(-0.3, 5); // taken as reference times
    const bad = join(tmp.dir, 'labels-clock-bad.csv');
    writeFileSync(bad, readFileSync(withClock, 'utf8').replace(/,video\n/, ',camera\n'));
    await expect(buildDataset(bad, { features: FEATURES, labels: [cameraTimes], out: join(tmp.dir, 'lc-bad') })).rejects.toThrow(/column labels_clock: labels_clock 'camera' is not a media role of this session \(use 'reference' or one of: video, lav_audio\)/);
  });

  it('features extracted with different options (face at --face-fps 2 in one session) are told on stderr and in the card', async () => {
    const notes: string[] = [];
    const same = await buildDataset(MANIFEST, { features: FEATURES, out: join(tmp.dir, 'mix-same'), onNote: (n) => notes.push(n) });
    expect(notes.filter((n) => /different ways/.test(n))).toEqual([]);
    expect(readFileSync(join(same.out, 'README.md'), 'utf8')).not.toMatch(/different ways/);
    const feats = join(tmp.dir, 'features-mix');
    cpSync(FEATURES, feats, { recursive: true });
    const mp = join(feats, 's02', 'meta.json');
    const m = JSON.parse(readFileSync(mp, 'utf8'));
    m.made_by.face.options = { faceFps: 2 };
    writeFileSync(mp, JSON.stringify(m));
    const r = await buildDataset(MANIFEST, { features: feats, out: join(tmp.dir, 'mix'), onNote: (n) => notes.push(n) });
    const line = 'face features of this release were extracted in 2 different ways: default options, mmprep synthetic (s01, s03); {"faceFps":2}, mmprep synthetic (s02); the records do not say which';
    expect(notes).toContainEqual(expect.stringContaining(line));
    expect(readFileSync(join(r.out, 'README.md'), 'utf8')).toContain(`- ${line}`);
  });

  it("audio from different microphones (a camera-only session beside lavalier sessions) is told on stderr and in the card", async () => {
    const feats = join(tmp.dir, 'features-mics');
    cpSync(FEATURES, feats, { recursive: true });
    const setRole = (id: string, role: string, file: string) => {
      const mp = join(feats, id, 'meta.json');
      const m = JSON.parse(readFileSync(mp, 'utf8'));
      m.sources = { audio: { role, file, stream: 'audio' } };
      writeFileSync(mp, JSON.stringify(m));
    };
    for (const id of ['s01', 's02', 's03']) setRole(id, 'lav_audio', `${id}_lav.flac`);
    const notes: string[] = [];
    const same = await buildDataset(MANIFEST, { features: feats, out: join(tmp.dir, 'mics-same'), onNote: (n) => notes.push(n) });
    expect(notes.filter((n) => /microphones/.test(n))).toEqual([]);
    expect(same.manifest.sessions.map((s) => s.audio_role)).toEqual(['lav_audio', 'lav_audio', 'lav_audio']);
    setRole('s03', 'video', 's03_camera.mp4');
    const r = await buildDataset(MANIFEST, { features: feats, out: join(tmp.dir, 'mics'), onNote: (n) => notes.push(n) });
    const line = "audio features of this release come from 2 different microphones: role lav_audio (s01, s02); the camera's own sound (role video) (s03); a camera's microphone at a distance and a close lavalier give features that are not comparable";
    expect(notes).toContainEqual(expect.stringContaining(line));
    expect(readFileSync(join(r.out, 'README.md'), 'utf8')).toContain(`- ${line}`);
    expect(r.manifest.sessions.map((s) => s.audio_role)).toEqual(['lav_audio', 'lav_audio', 'video']);
  });

  it('a ratings session_id that is a manifest id in another Unicode form (NFD/NFC) is told so, not "did you mean" the same-looking id', () => {
    const nfc = 's\u00e9ance01';
    const nfd = 'se\u0301ance01';
    const set = { spansBySession: new Map([[nfc, [{ target: `${nfc}_u0`, session_id: nfc, start_s: 1, end_s: 2 }]]]), sessionFile: new Map([[nfc, '/x/ratings.csv']]) } as unknown as LabelSet;
    expect(unknownSessionNotes(set, [nfd, 's02'])).toEqual([
      `labels: ratings.csv: session_id '${nfc}' (1 rated target) is not a session of the manifest (the manifest's '${nfd}' is the same text in another Unicode form (NFC/NFD: an accent as one character or as a combining mark); session ids are matched exactly: save both files in NFC): its targets match no segment`,
    ]);
  });

  it("an interview transcript (two speakers) is told per session, and each record's transcript_speakers says whose words it holds", async () => {
    const demo = join(FIXTURES, 'demo');
    const lines = readFileSync(join(demo, 's02_transcript.jsonl'), 'utf8').trim().split('\n');
    writeFileSync(join(tmp.dir, 'two-speakers.jsonl'), lines.map((l, i) => (i === 1 ? l.replace('"speaker":"spk_g"', '"speaker":"INT"') : l)).join('\n') + '\n');
    const manifest = join(tmp.dir, 'two-speakers.csv');
    writeFileSync(manifest, readFileSync(MANIFEST, 'utf8').replace(/(^|,)(s0\d_(camera\.mp4|lav\.flac|transcript\.\w+))/gm, (_m, sep, f) => `${sep}${join(demo, f)}`).replace(join(demo, 's02_transcript.jsonl'), 'two-speakers.jsonl'));
    const notes: string[] = [];
    const out = join(tmp.dir, 'two-speakers');
    await buildDataset(manifest, { features: FEATURES, out, onNote: (n) => notes.push(n) });
    expect(notes.filter((n) => /names \d speakers/.test(n))).toEqual([expect.stringMatching(/^session s02: transcript .*two-speakers\.jsonl: names 2 speakers \(spk_g: \d+ utterances?, INT: 1 utterance\) but every record gets speaker_id spk_g: each record's transcript_speakers/)]);
    const recs = records(out).filter((r) => r.session_id === 's02');
    expect(recs.map((r) => r.transcript_speakers)).toEqual(lines.map((_l, i) => [i === 1 ? 'INT' : 'spk_g']));
    expect(records(out).filter((r) => r.session_id === 's01').every((r) => Array.isArray(r.transcript_speakers) && r.transcript_speakers.length === 0)).toBe(true);
    expect(manifestOf(out).sessions.find((x) => x.session_id === 's02')!.warnings).toEqual([expect.stringMatching(/names 2 speakers/)]);
  });

  it('--segments labels: a labelled span outside the recording fails its session naming the file and target (it was a record without features)', async () => {
    const ratings = join(tmp.dir, 'ratings-late.csv');
    const text = readFileSync(RATINGS, 'utf8').split('\n');
    const target = text[1].split(',')[3]; // the first target of s01
    writeFileSync(ratings, text.map((l) => (l.split(',')[3] === target ? l.replace(/^s01,[^,]+,[^,]+,/, 's01,12.5,13.2,') : l)).join('\n'));
    const r = await buildDataset(MANIFEST, { features: FEATURES, labels: [ratings], out: join(tmp.dir, 'late'), segments: 'labels', audioFeatures: 'pitch', faceFeatures: 'none' });
    const s01 = r.manifest.sessions.find((x) => x.session_id === 's01')!;
    const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(s01.error).toMatch(new RegExp(`^${esc(ratings)}: target '${target}' 12\\.5-13\\.2 s is outside the recording \\([^)]+\\): check the labels file's clock/units$`));
    expect(r.manifest.sessions.filter((x) => x.error).map((x) => x.session_id)).toEqual(['s01']);
    expect(records(join(tmp.dir, 'late')).every((x) => x.audio !== null)).toBe(true);
  });

  it('refuses a session whose audio and face are each on their own file\'s time (extracted without sync): the lav and camera frames would be paired 0.62 s apart', async () => {
    const feats = join(tmp.dir, 'features-source-time');
    cpSync(FEATURES, feats, { recursive: true });
    const dir = join(feats, 's01');
    rmSync(join(dir, 'sync.json'));
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
    meta.outputs = meta.outputs.filter((o: { file: string }) => o.file !== 'sync.json').map((o: object) => ({ ...o, clock: 'source time' }));
    meta.sources = { audio: { role: 'lav_audio', file: 's01_lav.flac', stream: 'audio' }, face: { role: 'video', file: 's01_camera.mp4', stream: 'video' } };
    writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
    const r = await buildDataset(MANIFEST, { features: feats, out: join(tmp.dir, 'source-time') });
    expect(r.manifest.sessions.find((x) => x.session_id === 's01')!.error).toMatch(/s01: audio\.jsonl \(from s01_lav\.flac\) and face\.jsonl \(from s01_camera\.mp4\) are each on their own file's time .*run mmprep extract with the sync stage/);
    expect(r.manifest.sessions.filter((x) => x.error).map((x) => x.session_id)).toEqual(['s01']);
    // One file's sound and picture (a camera-only session) share its time: nothing to refuse; nor a session with a sync map.
    const out = [{ file: 'audio.jsonl', clock: 'source time' }, { file: 'face.jsonl', clock: 'source time' }];
    const cam = { role: 'video', file: 'cam.mp4', stream: 'video' as const };
    expect(sourceTimeMismatch(out, { audio: { ...cam, stream: 'audio' }, face: cam }, ['/x/cam.mp4'])).toBeNull();
    expect(sourceTimeMismatch(out.map((o) => ({ ...o, clock: 'sync.json sha256:ab' })), undefined, ['/x/a.wav', '/x/cam.mp4'])).toBeNull();
    expect(sourceTimeMismatch(out, undefined, ['/x/a.wav', '/x/cam.mp4'])).toMatch(/^audio\.jsonl and face\.jsonl are each on their own file's time/);
  });

  it('a transcript without utterances is a warning of its session (it gave 0 records and only a count)', async () => {
    const demo = join(FIXTURES, 'demo');
    writeFileSync(join(tmp.dir, 'empty-transcript.json'), '{"segments": []}');
    const manifest = join(tmp.dir, 'empty-transcript.csv');
    writeFileSync(manifest, readFileSync(MANIFEST, 'utf8').replace(/(^|,)(s0\d_(camera\.mp4|lav\.flac|transcript\.\w+))/gm, (_m, sep, f) => `${sep}${join(demo, f)}`).replace(join(demo, 's01_transcript.json'), 'empty-transcript.json'));
    const r = await buildDataset(manifest, { features: FEATURES, out: join(tmp.dir, 'empty-transcript') });
    const s01 = r.manifest.sessions.find((x) => x.session_id === 's01')!;
    expect(s01.records).toBe(0);
    expect(s01.warnings).toEqual([expect.stringMatching(/empty-transcript\.json: no utterances \(an empty export\?\), so the session gives no records with --segments utterance/)]);
  });

  it('is byte-identical when rebuilt (plain and gzip, sharded)', async () => {
    const a = join(tmp.dir, 'det-a');
    const b = join(tmp.dir, 'det-b');
    for (const d of [a, b]) await buildDataset(MANIFEST, { features: FEATURES, labels: [RATINGS], out: d, gzip: true, shardMb: 0.05 });
    const files = readdirSync(a).sort();
    expect(files).toEqual(readdirSync(b).sort());
    expect(files.filter((f) => f.startsWith('data-train')).length).toBeGreaterThan(1);
    for (const f of files) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), f).toBe(true);
    // the gzip content is the plain build's records
    const plain = records(base).map((r) => r.id).sort();
    const gz = files.filter((f) => f.endsWith('.gz')).flatMap((f) => gunzipSync(readFileSync(join(a, f))).toString('utf8').trim().split('\n').map((l) => JSON.parse(l).id));
    expect(gz.sort()).toEqual(plain);
    expect((await validateDataset(a)).ok).toBe(true);
    // and the plain build too, in 1 thread and in 3 worker threads
    const c = join(tmp.dir, 'det-c');
    await buildDataset(MANIFEST, { features: FEATURES, labels: [RATINGS], out: c, jobs: 3 });
    for (const f of readdirSync(base)) expect(readFileSync(join(base, f)).equals(readFileSync(join(c, f))), f).toBe(true);
    await buildDataset(MANIFEST, { features: FEATURES, labels: [RATINGS], out: c, jobs: 1 });
    for (const f of readdirSync(base)) expect(readFileSync(join(base, f)).equals(readFileSync(join(c, f))), f).toBe(true);
  });

  it('keeps a failing session out, says why, and builds the rest', async () => {
    const feats = join(tmp.dir, 'features-broken');
    cpSync(FEATURES, feats, { recursive: true });
    writeFileSync(join(feats, 's03', 'audio.jsonl'), readFileSync(join(feats, 's03', 'audio.jsonl'), 'utf8').replace(/\n/, '\n{"t_s": oops}\n'));
    resealMeta(join(feats, 's03'), 'audio.jsonl'); // as if extract had written it so (else refused as edited, below)
    const d = join(tmp.dir, 'partial');
    const r = await buildDataset(MANIFEST, { features: feats, out: d });
    const s03 = r.manifest.sessions.find((s) => s.session_id === 's03')!;
    expect(s03.error).toMatch(/s03\/audio\.jsonl:2: not valid JSON/);
    expect(r.manifest.counts.sessions_failed).toBe(1);
    expect(readFileSync(join(d, 'README.md'), 'utf8')).toMatch(/session s03 is missing/);
    // validate: the left-out session is a failed check unless accepted
    const v = await validateDataset(d);
    expect(failed(v)).toEqual(['sessions']);
    expect(check(v, 'sessions').message).toMatch(/session s03 failed at build and is not in the release: .*s03\/audio\.jsonl:2: not valid JSON.*--allow-failed-sessions/);
    expect(check(v, 'sessions').examples).toEqual(['s03']);
    const cli = await runCliInProcess(['dataset', 'validate', d]);
    expect(cli.code).toBe(3);
    expect(cli.stdout).toMatch(/FAIL sessions: .*s03/);
    expect(cli.stdout).not.toMatch(/dataset valid\n/);
    const ok = await runCliInProcess(['dataset', 'validate', d, '--allow-failed-sessions']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/ok   sessions: 1 of 3 sessions failed at build, accepted by --allow-failed-sessions: s03/);
  });

  it('a session extract did not finish is left out with what to do: extract --resume; one it never started, extract', async () => {
    const feats = join(tmp.dir, 'features-unfinished');
    cpSync(FEATURES, feats, { recursive: true });
    rmSync(join(feats, 's02', 'meta.json'));
    rmSync(join(feats, 's03'), { recursive: true });
    const r = await buildDataset(MANIFEST, { features: feats, out: join(tmp.dir, 'unfinished') });
    expect(r.failedSessions.find((s) => s.session_id === 's02')!.error).toBe(`${join(feats, 's02')}: features incomplete (no meta.json: extract did not finish this session, and no _errors.jsonl there names it); run mmprep extract --resume with the same manifest and -o to make it`);
    expect(r.failedSessions.find((s) => s.session_id === 's03')!.error).toBe(`${join(feats, 's03')}: features missing: no folder s03 in ${feats} (extract has not run this session); run mmprep extract with the same manifest and -o (--resume skips the sessions already done), or check that --features is the folder extract wrote`);
  });

  it("a session extract failed is left out with extract's stage and reason from _errors.jsonl (--resume alone would fail it again)", async () => {
    const feats = join(tmp.dir, 'features-failed');
    cpSync(FEATURES, feats, { recursive: true });
    rmSync(join(feats, 's03'), { recursive: true });
    const reason = '/data/s03_lav.flac: truncated: decoded 4.896 s of audio but the header declares 10.000 s';
    writeFileSync(join(feats, '_errors.jsonl'), [{ session_id: 's01x', line: 2, stage: 'face', reason: 'other' }, { session_id: 's03', line: 4, stage: 'audio', reason }].map((e) => JSON.stringify(e)).join('\n') + '\n{"session_id":"s0');
    const r = await buildDataset(MANIFEST, { features: feats, out: join(tmp.dir, 'failed-out') });
    expect(r.failedSessions.find((s) => s.session_id === 's03')!.error).toBe(
      `${join(feats, 's03')}: features missing: mmprep extract failed this session in its audio stage (${reason}; _errors.jsonl line 2); fix that input, then run mmprep extract --resume with the same manifest and -o`,
    );
  });
});

describe('dataset build: feature files are checked against meta.json', () => {
  it('refuses (exit 2) a feature file edited after extraction, naming the session and file', async () => {
    const feats = join(tmp.dir, 'features-edited');
    cpSync(FEATURES, feats, { recursive: true });
    editLines(join(feats, 's02'), 'audio.jsonl', (lines) => lines.map((l, i) => (i === 4 ? l.replace(/"rms":[0-9.e-]+/, '"rms":0.5') : l)));
    const r = await runCliInProcess(['dataset', 'build', MANIFEST, '--features', feats, '-o', join(tmp.dir, 'edited-out'), '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/session s02: audio\.jsonl changed after extraction \(sha256 differs from meta\.json\); re-extract it/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses (exit 2) a feature file meta.json lists that was deleted after extraction (its records were built without it, exit 0); an earlier release is kept', async () => {
    const feats = join(tmp.dir, 'features-deleted');
    cpSync(FEATURES, feats, { recursive: true });
    const out = join(tmp.dir, 'deleted-out');
    await buildDataset(MANIFEST, { features: feats, out });
    const before = readFileSync(join(out, 'manifest.json'), 'utf8');
    rmSync(join(feats, 's03', 'audio.jsonl'));
    const r = await runCliInProcess(['dataset', 'build', MANIFEST, '--features', feats, '-o', out, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/session s03: audio\.jsonl is listed in meta\.json but missing \(deleted or not copied after extraction\); run mmprep extract --resume with the same manifest and -o to make it again/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(before);
  });
});

describe('dataset validate', () => {
  it('passes the clean build, with gates (in this thread and in worker threads)', async () => {
    // the demo's ICCs come from its 8 targets: below --min-icc-targets' default 30 (test/dataset-icc-targets.test.ts)
    const r = await validateDataset(base, { minIcc: 0.5, minIccTargets: 8, maxMissing: { face: 0.5, audio: 0 } });
    expect(failed(r)).toEqual([]);
    expect(r.records).toBe(8);
    // distinct speakers, in all and per split (3 sessions of 3 speakers; 3, 3 and 2 records per split)
    expect(check(r, 'splits').message).toBe('3 speakers, each in one split (test 1, train 1, val 1)');
    expect(await validateDataset(base, { minIcc: 0.5, minIccTargets: 8, maxMissing: { face: 0.5, audio: 0 }, jobs: 3 })).toEqual(r);
  });

  it('fails the agreement gate and the missing-modality gate', async () => {
    const r = await validateDataset(base, { minIcc: 0.7, maxMissing: { labels: 0, face: 0.2 } });
    expect(failed(r)).toEqual(['agreement']); // arousal ICC(2,1) = 0.585; every record has labels, 1 of 8 has no face
    expect(check(r, 'agreement').message).toMatch(/arousal: ICC\(2,1\) = 0\.58\d+ below --min-icc 0\.7/);
    const fixed = join(tmp.dir, 'fixed');
    const r2 = await validateDataset(fixed, { maxMissing: { face: 0.02 } });
    expect(failed(r2)).toEqual(['missing']);
    expect(check(r2, 'splits').message).toBe('3 speakers, each in one split (train 3)'); // 33 records of 3 speakers
    expect(check(r2, 'missing').message).toMatch(/^1 problem: face: missing in \d+ of 33 records/);
  });

  it('--min-icc on a release without numeric labels fails the gate (it passed unchecked, exit 0); the ok line names what it checked', async () => {
    expect(check(await validateDataset(base, { minIcc: 0.5, minIccTargets: 8 }), 'agreement').message).toBe('every numeric dimension ICC(2,1) >= 0.5 from at least 8 targets (valence, arousal)');
    const unlabelled = join(tmp.dir, 'unlabelled');
    await buildDataset(MANIFEST, { features: FEATURES, out: unlabelled });
    expect((await validateDataset(unlabelled)).ok).toBe(true);
    const r = await validateDataset(unlabelled, { minIcc: 0.7 });
    expect(failed(r)).toEqual(['agreement']);
    expect(check(r, 'agreement').message).toBe('1 problem: --min-icc 0.7 cannot be checked: it has no labels (build with numeric --labels, or drop --min-icc)');
    const categorical = join(tmp.dir, 'categorical');
    await buildDataset(MANIFEST, { features: FEATURES, labels: [RATINGS], categorical: true, out: categorical });
    expect(check(await validateDataset(categorical, { minIcc: 0.1 }), 'agreement').message).toMatch(/cannot be checked: its label dimensions \(valence, arousal\) are categorical and have no ICC/);
    const cli = await runCliInProcess(['dataset', 'validate', unlabelled, '--min-icc', '0.7', '--json']);
    expect(cli.code).toBe(3);
    expect(JSON.parse(cli.stdout).ok).toBe(false);
  });

  it('edited record: checksum mismatch names the file', async () => {
    const d = copy();
    editLines(d, 'data-train-00000.jsonl', (l) => [l[0].replace('"text":"ten of clubs"', '"text":"ten of spades"'), ...l.slice(1)]);
    const r = await validateDataset(d);
    expect(failed(r)).toEqual(['checksums']);
    expect(check(r, 'checksums').message).toMatch(/data-train-00000\.jsonl: sha256 differs from manifest\.json/);
  });

  it('wrong checksum in manifest.json', async () => {
    const d = copy();
    const m = manifestOf(d);
    m.files[1].sha256 = '0'.repeat(64);
    writeFileSync(join(d, 'manifest.json'), JSON.stringify(m));
    const r = await validateDataset(d);
    expect(failed(r)).toEqual(['checksums']);
  });

  it('edited record (resealed): schema, times and lengths name the record ids', async () => {
    const d = copy();
    editLines(d, 'data-train-00000.jsonl', (l) => {
      const a = JSON.parse(l[0]);
      a.extra_field = 1; // not in the schema
      const b = JSON.parse(l[1]);
      b.start_s = 99; // after its end, outside the session
      const c = JSON.parse(l[2]);
      c.audio.frames.rms.pop(); // sequence shorter than n
      return [JSON.stringify(a), JSON.stringify(b), JSON.stringify(c), ...l.slice(3)];
    });
    reseal(d, 'data-train-00000.jsonl');
    const r = await validateDataset(d);
    expect(failed(r)).toEqual(['lengths', 'schema', 'times']);
    expect(check(r, 'schema').examples).toEqual(['s01/u0000']);
    expect(check(r, 'schema').message).toMatch(/must NOT have additional properties \('extra_field' is not in schema.json\)/);
    expect(check(r, 'times').examples).toEqual(['s01/u0001', 's01/u0002']); // and u0002 now starts before its predecessor
    expect(check(r, 'times').message).toMatch(/end_s .* before start_s 99/);
    expect(check(r, 'lengths').examples).toEqual(['s01/u0002']); // u0001's negative span is the times check's finding, not 'at most -73 frames fit'
    expect(check(r, 'lengths').message).toMatch(/audio\.frames\.rms has \d+ values, n is \d+/);
  });

  it('speaker leak: a speaker in two splits', async () => {
    const d = copy();
    editLines(d, 'data-val-00000.jsonl', (l) => [JSON.stringify({ ...JSON.parse(l[0]), speaker_id: 'spk_a' }), ...l.slice(1)]);
    reseal(d, 'data-val-00000.jsonl');
    const r = await validateDataset(d, { jobs: 2 }); // the leak is found across files checked in different threads
    expect(failed(r)).toEqual(['splits']);
    expect(check(r, 'splits').message).toMatch(/speaker spk_a is in two splits \((train and val|val and train)\)/);
    expect(check(r, 'splits').examples).toContain('s02/u0000');
  });

  it('NaN and Infinity in the JSON text', async () => {
    const d = copy();
    editLines(d, 'data-test-00000.jsonl', (l) => [l[0].replace(/"text":"[^"]*"/, '"text":"the result was NaN: Infinity"').replace(/"voiced_ratio":[^,]+/, '"voiced_ratio":NaN'), l[1].replace(/"rms":\[[^,\]]+/, '"rms":[-Infinity'), ...l.slice(2)]);
    reseal(d, 'data-test-00000.jsonl');
    const r = await validateDataset(d);
    // Only nan: the lines are read with NaN/Infinity as null for the other checks. They were left out of them and of
    // the counts, which then failed too, as if two records were missing from the file.
    expect(failed(r)).toEqual(['nan']);
    expect(check(r, 'nan').examples).toEqual(['s03/u0000', 's03/u0001']);
    // The line names the file, its line number, the value and the field (was only the record id).
    expect(check(r, 'nan').message).toContain('data-test-00000.jsonl:1 (s03/u0000): NaN in the JSON text at field "voiced_ratio": write null for a missing value');
    expect(check(r, 'nan').message).toContain('data-test-00000.jsonl:2 (s03/u0001): -Infinity in the JSON text at field "rms"');
    expect(r.records).toBe(8);
  });

  it('truncated file', async () => {
    const d = copy();
    const p = join(d, 'data-train-00000.jsonl');
    const buf = readFileSync(p);
    writeFileSync(p, buf.subarray(0, Math.floor(buf.length * 0.6)));
    reseal(d, 'data-train-00000.jsonl');
    const r = await validateDataset(d);
    expect(failed(r)).toEqual(['counts', 'json']);
    expect(check(r, 'json').message).toMatch(/data-train-00000\.jsonl:\d+: truncated/);
    // unsealed, the checksum catches it too
    const d2 = copy();
    writeFileSync(join(d2, 'data-val-00000.jsonl'), readFileSync(join(d2, 'data-val-00000.jsonl')).subarray(0, 100));
    expect(failed(await validateDataset(d2))).toEqual(['checksums', 'counts', 'json']);
  });

  it('a truncated gzip shard', async () => {
    const d = join(tmp.dir, 'gz-trunc');
    cpSync(join(tmp.dir, 'det-a'), d, { recursive: true });
    const f = readdirSync(d).find((x) => x.startsWith('data-train') && x.endsWith('.gz'))!;
    writeFileSync(join(d, f), readFileSync(join(d, f)).subarray(0, 2000));
    const r = await validateDataset(d);
    expect(failed(r)).toContain('json');
    expect(check(r, 'json').message).toMatch(/unexpected end of file/);
  });

  it('CLI: exit 0 with a concise report, exit 3 naming failed checks, --json', async () => {
    const ok = await runCliInProcess(['dataset', 'validate', base, '--min-icc', '0.5', '--min-icc-targets', '8']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/dataset valid/);
    const d = copy();
    editLines(d, 'data-val-00000.jsonl', (l) => [JSON.stringify({ ...JSON.parse(l[0]), speaker_id: 'spk_a' }), ...l.slice(1)]);
    const bad = await runCliInProcess(['dataset', 'validate', d, '--json', '--max-missing', 'face=0.2']);
    expect(bad.code).toBe(3);
    const j = JSON.parse(bad.stdout);
    expect(j.ok).toBe(false);
    expect(j.checks.filter((c: { ok: boolean }) => !c.ok).map((c: { name: string }) => c.name)).toEqual(['checksums', 'splits']);
    expect(bad.stderr).toMatch(/^mmprep: dataset invalid: checksums \(data-val-00000\.jsonl\); splits \(s02\/u0000/);
    const usage = await runCliInProcess(['dataset', 'validate', base, '--max-missing', 'smell=0.1']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--max-missing must look like MODALITY=FRACTION/);
  });

  it('CLI build: bad options and inputs are one line with exit 2', async () => {
    const out = join(tmp.dir, 'cli-out');
    const r1 = await runCliInProcess(['dataset', 'build', MANIFEST, '--features', FEATURES, '-o', out, '--split', 'train=0.5,test=0.4']);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/--split fractions must add up to 1/);
    const r2 = await runCliInProcess(['dataset', 'build', MANIFEST, '--features', FEATURES, '-o', out, '--face-features', 'pose,nose']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/unknown feature 'nose'/);
    const r3 = await runCliInProcess(['dataset', 'build', MANIFEST, '--features', join(tmp.dir, 'nope'), '-o', out]);
    expect(r3.code).toBe(2);
    const r4 = await runCliInProcess(['dataset', 'build', MANIFEST, '--features', FEATURES, '-o', out, '--labels', RATINGS, '--quiet']);
    expect(r4.code).toBe(0);
    expect(r4.stdout).toMatch(/8 records from 3 sessions \(train 3, val 2, test 3\) in 3 data files/);
  });
});

describe('dataset pieces', () => {
  it('overlap-weighted functionals skip and count missing values', () => {
    // frames at 0.00, 0.01, 0.02 (10 ms); interval [0, 0.02]: weights 0.5, 1, 0.5
    const acc = new WeightedScalar();
    const ws = [0, 0.01, 0.02].map((t) => overlapWeight(t, 0.01, 0, 0.02));
    expect(ws.map((w) => Number(w.toFixed(9)))).toEqual([0.5, 1, 0.5]);
    acc.add(10, ws[0]);
    acc.add(null, ws[1]);
    acc.add(40, ws[2]);
    expect(acc.result()).toEqual({ mean: 25, std: 15, min: 10, max: 40, n: 2, n_missing: 1 });
    const b = new WeightedScalar();
    b.add(1, 1);
    b.add(4, 0.5);
    expect(b.result().mean).toBeCloseTo(2, 12);
    expect(b.result().std).toBeCloseTo(Math.sqrt((1 * 1 + 0.5 * 4) / 1.5), 6);
  });

  it('a frame that only touches a span has weight 0, whatever the rounding (ttrial56b)', () => {
    // fixed windows start half a frame off the 10 ms grid (-0.005 + k): 8.99 + 0.005 is 8.995000000000001, and the
    // frame at 8.99 was counted in the window 8.995-10.088's functionals' n (102 for its 101 frames)
    expect(overlapWeight(8.99, 0.01, 8.995, 10.08786)).toBe(0);
    let touching = 0;
    for (let k = 0; k < 3000; k++) {
      const edge = Math.round((k / 100 + 0.005) * 1e6) / 1e6; // a span edge between frames k/100 and k/100 + 0.01
      const [t0, t1] = [k / 100, (k + 1) / 100];
      if (overlapWeight(t0, 0.01, edge, edge + 2) > 0 || overlapWeight(t1, 0.01, edge - 2, edge) > 0) touching++;
    }
    expect(touching).toBe(0);
    expect(overlapWeight(8.99, 0.01, 8.994999, 10)).toBeCloseTo(0.0001, 9); // a µs of overlap still counts
    // face_detection_rate: a 25 fps video's last frame at 0.28 covers up to 0.28 + 0.02 = 0.30000000000000004; a span
    // from 0.3 holds no video frame (null), not a rate of 2.8e-16
    expect(heldTimeShare([{ t_s: 0.24 }, { t_s: 0.28 }], () => true, 0.04, 0.1, 0.3, 0.5)).toBeNull();
    expect(heldTimeShare([{ t_s: 0.24 }, { t_s: 0.28 }], () => true, 0.04, 0.1, 0.29, 0.5)).toBeCloseTo(0.01 / 0.21, 6);
    // tuser62: a camera 4.2426575 s off the lav at --face-fps 5: frame times rounded to the µs (-0.442658, -0.242657)
    // put the cell edge at -0.3426575, 0.5 µs inside the fixed:2 window ending at -0.342657 (all black frames before
    // it): its face_detection_rate was 2.5e-7 and the card got a face_unheld warning for it
    const face = [{ t_s: -0.642657, f: false }, { t_s: -0.442658, f: false }, { t_s: -0.242657, f: true }, { t_s: -0.042657, f: true }];
    expect(heldTimeShare(face, (x) => x.f, 0.2, 0.5, -2.342657, -0.342657)).toBe(0);
    expect(heldTimeShare(face, (x) => x.f, 0.2, 0.5, -0.342657, 1.657343)).toBeCloseTo(0.4 / 2, 6);
  });

  it('splits are deterministic and by speaker only', () => {
    const sp = parseSplits('train=0.8,val=0.1,test=0.1');
    expect(['spk_a', 'spk_g', 'spk_z'].map((s) => splitOf(s, sp))).toEqual(['train', 'val', 'test']);
    const counts: Record<string, number> = { train: 0, val: 0, test: 0 };
    for (let i = 0; i < 5000; i++) counts[splitOf(`speaker-${i}`, sp)]++;
    expect(counts.train / 5000).toBeCloseTo(0.8, 1);
    expect(counts.val / 5000).toBeCloseTo(0.1, 1);
    expect(() => parseSplits('train=0.9')).toThrow(/add up to 1/);
    // data-train-* and data-Train-* are one file on macOS and Windows (before 2026-12-02 both were written)
    expect(() => parseSplits('train=0.5,Train=0.5')).toThrow("--split: 'Train' and 'train' differ only in case, and their data files would be one file on macOS and Windows: name them apart");
  });

  it('feature lists expand groups in canonical order', () => {
    expect(parseFeatureList('expr,pose', 'face').slice(0, 4)).toEqual(['yaw_deg', 'pitch_deg', 'roll_deg', 'expr_angry']);
    expect(parseFeatureList('none', 'audio')).toEqual([]);
    expect(() => parseFeatureList('mfcc,chroma', 'audio')).toThrow(/unknown feature 'chroma'/);
  });
});
