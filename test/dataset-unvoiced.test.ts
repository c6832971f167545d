/**
 * trial29's dataset findings on synthetic feature folders (no media decoded, in-process builds):
 * - SILENT-1: a transcript timed on the camera clock but read as the lav's (an empty transcript_clock) landed 7.3 s
 *   early; every utterance record had voiced_ratio 0, and `dataset build` said nothing (exit 0). Now a session whose
 *   utterance records (2 or more with a voiced_ratio) are all unvoiced is a warning naming the session and its
 *   manifest line. Control: the same features with the transcript on the voiced part give no such warning.
 * - SILENT-3: records over the sync beep carry quality.sync_beep / sync_beep_ratio, a session warning counts them,
 *   --exclude-sync-beep leaves them out, `sync_beep` is selectable in --audio-features.
 * - SILENT-5: yaw/pitch null for gimbal lock has its reason, quality.pose_gimbal_lock_ratio, a warning counts the
 *   records, `pose_gimbal_lock` is selectable in --face-features.
 * - SILENT-2: `--segments labels` spans all on unvoiced audio, or on the sync beep, are a warning naming labels_clock.
 * - MINOR-1: --scale is recorded in manifest.json's options and the card; MINOR-3: a label span past the recording's
 *   end is clipped to it, with a warning.
 * Negative controls: a session whose files mark no beep and no lock (false / 0, no warning), one whose files predate
 * the marks (null, no warning), labels spans on voiced audio off the beep (no warning), spans inside (not clipped).
 * ttrial50 (the clock check, clock-fit.ts), on synthetic sessions of their own with voicing at known times:
 * - W1: a transcript timed on the camera clock with transcript_clock empty was read as the lav's, every utterance
 *   1.25 s late, exit 0, validate 0, as some records still touched speech. Now the words' voicing score (clock-fit.ts)
 *   on each role's clock says the camera's fits: a clock_mismatch warning (failing validate by default) with the
 *   figures; and an utterance with words but no voiced frame is a transcript_unvoiced warning.
 * - W2: the same for rated spans under --segments labels with labels_clock empty.
 * - R3: camera-clock ratings in utterance mode (labels_unmatched) name labels_clock and the role they match on.
 * - R2: a silent camera (sync.json holds its picture only) with transcript_clock video was refused ("has no audio
 *   stream 0 of …"); its clock is its picture's.
 * Negative controls: the right clock named (no warning), a transcript of 2 words (not checked, said so).
 * ttrial50's findings on what a release's fields say (record schema 3), on two synthetic sessions of their own (one
 * in-process build):
 * - schema.json described no field (units in the names only; `rms`, `zcr` none): every property now has a
 *   `description` (src/dataset/field-docs.ts), `face.n` (grid points) and `face.functionals.*.n` (video frames) each
 *   saying which they count.
 * - a word's `audio.voiced` was a share (0.74) under the boolean frame field's name, and words had no frame counts:
 *   now `voiced_ratio` (`blink_ratio`), audio `n`, face `n` / `n_missing`.
 * - `quality.face_detection_rate` read 1 for a window with 0.5 s of a camera's dropped-frame gap (face_found false
 *   there): now the share of the span's time with a face.
 * - the card lumped "no video" (a session without a camera) with "no face detected".
 * - word times were rounded to 7 significant digits and record times to the µs: a first word at 14.00075 in a record
 *   starting 14.000751. Both are rounded to the µs now.
 * One file (one set of synthetic sessions, one module load) for all of them: the suite is over its time budget.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset, type BuildOptions } from '../src/dataset/build.js';
import { clockFit, voicingContrast } from '../src/dataset/clock-fit.js';
import { AUDIO_FIELDS, FACE_FIELDS } from '../src/dataset/features.js';
import { overlapWeight } from '../src/dataset/functionals.js';
import { datasetSchema } from '../src/dataset/schema.js';
import { writeSyntheticMeta, writeSyntheticSession } from '../src/dataset/synthetic-features.js';
import { validateDataset } from '../src/dataset/validate.js';
import { FAILING_WARNING_KINDS } from '../src/dataset/validate-warnings.js';
import { FIXTURES, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-unvoiced-');
afterAll(() => tmp.cleanup());
const DEMO = join(FIXTURES, 'demo');
const FEATURES = join(tmp.dir, 'features');
const BEEP: [number, number] = [2, 2.25];
const LOCK: [number, number] = [6, 8];
type Rec = { id: string; start_s: number; end_s: number; quality: Record<string, unknown>; audio: { frames: Record<string, unknown[]> }; face: { frames: Record<string, unknown[]> } | null };

beforeAll(async () => {
  // s01: unvoiced from 5.5 s, a beep at 2-2.25 s, the face rolled (gimbal lock) at 6-8 s; s02: both marks, none set;
  // s03: feature files without either field (an older extract). The camera starts 0.5 s before the lav (offset -0.5).
  await writeSyntheticSession(FEATURES, { session_id: 's01', duration_s: 10, seed: 21, mediaDir: DEMO, unvoiced: [[5.5, 10]], syncBeep: [BEEP], gimbalLock: [LOCK] });
  await writeSyntheticSession(FEATURES, { session_id: 's02', duration_s: 10, seed: 22, mediaDir: DEMO, syncBeep: [], gimbalLock: [] });
  await writeSyntheticSession(FEATURES, { session_id: 's03', duration_s: 10, seed: 23, mediaDir: DEMO });
  const rows = ['s01', 's02', 's03'].map((id) => `${id},spk_${id},${join(DEMO, `${id}_camera.mp4`)},${join(DEMO, `${id}_lav.flac`)}`);
  writeFileSync(join(tmp.dir, 'manifest.csv'), ['session_id,speaker_id,video,lav_audio', ...rows].join('\n') + '\n');
});

/** A manifest of s01 (the demo's media) with a Whisper-style transcript whose 3 utterances start at `starts`. */
function manifestWith(name: string, starts: number[], len = 1): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  const segments = starts.map((t, id) => ({ id, start: t, end: t + len, text: ` card ${id}`, words: [{ word: ' card', start: t, end: t + len / 2, probability: 0.9 }, { word: ` ${id}`, start: t + len / 2, end: t + len, probability: 0.9 }] }));
  writeFileSync(join(dir, 't.json'), JSON.stringify({ text: segments.map((s) => s.text).join(''), language: 'en', segments }));
  const csv = ['session_id,speaker_id,video,lav_audio,transcript,transcript_clock', `s01,spk_a,${join(DEMO, 's01_camera.mp4')},${join(DEMO, 's01_lav.flac')},t.json,`];
  writeFileSync(join(dir, 'manifest.csv'), csv.join('\n') + '\n');
  return join(dir, 'manifest.csv');
}

async function build(name: string, starts: number[], len = 1): Promise<string[]> {
  const notes: string[] = [];
  await buildDataset(manifestWith(name, starts, len), { features: FEATURES, out: join(tmp.dir, `${name}-out`), onNote: (n) => notes.push(n) });
  return notes;
}

describe('dataset build: every transcript utterance on unvoiced audio', () => {
  it('is one warning naming the session, its manifest line and transcript_clock', async () => {
    const notes = await build('off', [6, 7.2, 8.4]);
    const hits = notes.filter((n) => n.includes('voiced audio'));
    expect(hits, notes.join('\n')).toEqual([
      `session s01: manifest line 2: none of its 3 transcript utterances falls on voiced audio (voiced_ratio 0 in every utterance record): is transcript ${join(tmp.dir, 'off', 't.json')} timed on another clock (give it in the transcript_clock column) or the wrong file? check it`,
    ]);
  });

  it('control: the same session with its transcript on the voiced part, off the beep (2-2.25 s), gives no such warning', async () => {
    const notes = await build('on', [0.5, 2.5, 3.5]);
    expect(notes.filter((n) => n.includes('voiced audio') || n.includes('another clock'))).toEqual([]);
  });

  it('an utterance on the sync beep, the rest on speech: the same warning (ttrial43: a transcript 1.3 s early was told only to filter the beep)', async () => {
    const notes = await build('beep', [2, 3, 4], 0.5);
    expect(notes.filter((n) => n.includes('another clock')), notes.join('\n')).toEqual([
      `session s01: manifest line 2: 1 transcript utterance(s) (s01/u0000) lie on the sync beep (at least 25 % of their audio; speech is rarely transcribed over a 1 kHz beep): is transcript ${join(tmp.dir, 'beep', 't.json')} timed on another clock (give it in the transcript_clock column) or the wrong file? check it`,
    ]);
  });
});

async function buildWith(name: string, o: Partial<BuildOptions>, manifest = join(tmp.dir, 'manifest.csv')): Promise<{ recs: Rec[]; warnings: string[]; manifest: Record<string, unknown>; card: string }> {
  const out = join(tmp.dir, name);
  const warnings: string[] = [];
  await buildDataset(manifest, { features: FEATURES, out, onWarning: (w) => warnings.push(w), ...o });
  const text = ['train', 'val', 'test'].map((s) => { try { return readFileSync(join(out, `data-${s}-00000.jsonl`), 'utf8'); } catch { return ''; } }).join('');
  const recs = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);
  return { recs, warnings, manifest: JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')), card: readFileSync(join(out, 'README.md'), 'utf8') };
}

const overlaps = (r: Rec, [a, b]: [number, number]) => r.start_s < b && r.end_s > a;

describe('dataset build: sync beep and gimbal lock marks (trial29 SILENT-3, SILENT-5)', () => {
  let fixed: Awaited<ReturnType<typeof buildWith>>;
  let ex: Awaited<ReturnType<typeof buildWith>>;
  beforeAll(async () => {
    fixed = await buildWith('fixed', { segments: 'fixed:1', audioFeatures: 'rms,sync_beep', faceFeatures: 'pose,pose_gimbal_lock' });
    ex = await buildWith('fixed-ex', { segments: 'fixed:1', excludeSyncBeep: true });
  });

  it("an empty split is a warning at build as well as in the card (ttrial51 F7: 14 speakers, val 0, said in the card only)", () => {
    const perSplit = (fixed.manifest.counts as { per_split: Record<string, { records: number; speakers: number }> }).per_split;
    const empty = Object.entries(perSplit).filter(([, v]) => v.records === 0).map(([k]) => k);
    expect(empty.length, JSON.stringify(perSplit)).toBeGreaterThan(0); // 2 speakers built (s03 refused) over 3 splits
    const held = Object.entries(perSplit).filter(([, v]) => v.records > 0).map(([k, v]) => `${k} ${v.speakers}`).join(', ');
    expect(fixed.warnings.filter((w) => w.startsWith('split ') && !w.startsWith('split shares'))).toEqual(empty.map((k) => `split ${k} is empty: no speaker went to it (speakers with records per split: ${held}); a speaker's split comes from a hash of speaker_id, so few speakers can leave one empty: give --split fractions without ${k}, or a manifest column 'split'`));
    for (const k of empty) expect(fixed.card).toContain(`split ${k} is empty.`);
  });

  it('hash split shares far from --split are a warning, in manifest.json and the card (ttrial59c: 24 actors gave val and test 4 % each, said nowhere)', async () => {
    // spk_s01 and spk_s02 hash to 0.107 and 0.666: train and val of train=0.5,val=0.3,test=0.2, records 50 % / 50 %.
    const o = { segments: 'fixed:1', audioFeatures: 'rms,sync_beep', faceFeatures: 'pose,pose_gimbal_lock' };
    const off = await buildWith('share-off', { ...o, split: 'train=0.5,val=0.3,test=0.2' });
    const note = "split shares of the records lie far from --split: train 50.0 % (asked 50.0 %; 1 speaker(s)), val 50.0 % (asked 30.0 %; 1 speaker(s)), test 0.0 % (asked 20.0 %; 0 speaker(s)); a speaker's split comes from a hash of speaker_id, so with 2 speakers the shares fall where the hash puts them: to choose them, give each session's split in a manifest column 'split' (every speaker in one split), or accept these";
    expect(off.warnings, off.warnings.join("\n")).toContain(note);
    expect(off.manifest.split_note).toBe(note);
    expect(off.card).toContain(`- ${note}.`);
    // Controls: shares as asked, or within a quarter of each fraction, give no such note.
    for (const split of ['train=0.5,test=0.5', 'train=0.45,test=0.55']) {
      const near = await buildWith(`share-${split.length}`, { ...o, split });
      expect(near.warnings.filter((w) => w.startsWith('split shares')), split).toEqual([]);
      expect(near.manifest).not.toHaveProperty('split_note');
    }
  });

  it('the fields asked for by name are refused for files made before them (s03), as any missing field', () => {
    const s03 = (fixed.manifest.sessions as Array<{ session_id: string; error: string | null }>).find((x) => x.session_id === 's03');
    expect(s03?.error).toMatch(/audio\.jsonl:1: field sync_beep: missing \(a file of an older mmprep or another tool\?\)/);
  });

  it('marks exactly the records over the beep, with the share of their audio, and counts them in a warning and the card', () => {
    const s01 = fixed.recs.filter((r) => r.id.startsWith('s01/'));
    const over = s01.filter((r) => overlaps(r, BEEP));
    expect(over.map((r) => r.id)).toEqual(['s01/w00002']); // windows from -0.52 s (the camera's first frame)
    expect(over[0].quality.sync_beep).toBe(true);
    expect(over[0].quality.sync_beep_ratio).toBeCloseTo(0.25, 6); // 25 beep frames of the window's 100
    expect(over[0].audio.frames.sync_beep.filter((x) => x === true)).toHaveLength(25);
    for (const r of s01.filter((x) => !overlaps(x, BEEP))) expect([r.id, r.quality.sync_beep, r.quality.sync_beep_ratio]).toEqual([r.id, false, 0]);
    const w = `session s01: sync beep: 1 of ${s01.length} records (s01/w00002) hold audio frames of the sync beep`;
    expect(fixed.warnings.filter((x) => x.includes('sync beep:'))).toEqual([expect.stringContaining(w)]);
    expect(fixed.card).toContain(`- ${w}`);
  });

  it('gives yaw/pitch null for gimbal lock its reason per record, and counts the records', () => {
    const s01 = fixed.recs.filter((r) => r.id.startsWith('s01/'));
    const inside = s01.filter((r) => r.start_s >= LOCK[0] && r.end_s <= LOCK[1]);
    expect(inside.length).toBe(1);
    expect(inside[0].quality.pose_gimbal_lock_ratio).toBe(1);
    expect(inside[0].face?.frames.yaw_deg.every((v) => v === null)).toBe(true);
    expect(inside[0].face?.frames.pose_gimbal_lock.every((v) => v === true)).toBe(true);
    const touched = s01.filter((r) => overlaps(r, LOCK));
    expect(touched.map((r) => r.id)).toEqual(['s01/w00006', 's01/w00007', 's01/w00008']);
    // 0 where the record has a face (the last window, past the camera's end, has none: null)
    for (const r of s01.filter((x) => !overlaps(x, LOCK))) expect([r.id, r.quality.pose_gimbal_lock_ratio]).toEqual([r.id, r.quality.face_detection_rate ? 0 : null]);
    const w = fixed.warnings.filter((x) => x.includes('gimbal lock'));
    expect(w).toEqual([expect.stringMatching(/^session s01: face: 3 of 11 records \(s01\/w00006, s01\/w00007, s01\/w00008; 1 in every face frame\) have yaw_deg and pitch_deg null .*pose_gimbal_lock_ratio/)]);
    expect(fixed.card).toContain('s01/w00006, s01/w00007, s01/w00008; 1 in every face frame');
  });

  it('control: files that mark no beep or lock give false / 0, files without the fields give null; neither warns', () => {
    const q = (id: string) => fixed.recs.filter((r) => r.id.startsWith(id)).map((r) => [r.quality.sync_beep, r.quality.sync_beep_ratio, r.quality.pose_gimbal_lock_ratio]);
    expect(new Set(q('s02/').map((x) => JSON.stringify(x)))).toEqual(new Set([JSON.stringify([false, 0, 0]), JSON.stringify([false, 0, null])])); // null: the window before the camera's first face
    const q3 = ex.recs.filter((r) => r.id.startsWith('s03/')).map((r) => JSON.stringify([r.quality.sync_beep, r.quality.sync_beep_ratio, r.quality.pose_gimbal_lock_ratio]));
    expect([q3.length, new Set(q3)]).toEqual([11, new Set([JSON.stringify([null, null, null])])]);
    expect([...fixed.warnings, ...ex.warnings].filter((x) => /^session s0[23]: (sync beep|face: .*gimbal)/.test(x))).toEqual([]);
  });

  it('--exclude-sync-beep leaves the records over the beep out, says so, and records the option', () => {
    expect(ex.recs.map((r) => r.id).filter((id) => !id.startsWith('s03/'))).toEqual(fixed.recs.map((r) => r.id).filter((id) => id !== 's01/w00002'));
    expect(ex.warnings).toContainEqual(expect.stringMatching(/^session s01: sync beep: 1 of 11 records \(s01\/w00002\) .*: left out \(--exclude-sync-beep\)$/));
    expect((ex.manifest.options as Record<string, unknown>).exclude_sync_beep).toBe(true);
    expect((fixed.manifest.options as Record<string, unknown>).exclude_sync_beep).toBe(false);
    expect(ex.card).toContain(' --exclude-sync-beep');
  });

  it('dataset validate passes such a release (schema 2 and later, its card and options), and the one with the fields selected', async () => {
    for (const name of ['fixed-ex', 'fixed']) {
      const v = await validateDataset(join(tmp.dir, name));
      expect([name, v.checks.filter((c) => !c.ok && c.name !== 'sessions').map((c) => `${c.name}: ${c.message}`)]).toEqual([name, []]);
    }
    expect(fixed.manifest.schema_version).toBe(4);
  });
});

/** A manifest of s01 alone and a ratings file whose spans (two raters) are `spans`. */
function labelled(name: string, spans: Array<[number, number]>): { manifest: string; labels: string } {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.csv'), `session_id,speaker_id,video,lav_audio\ns01,spk_a,${join(DEMO, 's01_camera.mp4')},${join(DEMO, 's01_lav.flac')}\n`);
  const rows = spans.flatMap(([a, b], i) => ['r1', 'r2'].map((r, k) => `s01,${a},${b},t${i},${r},arousal,${3 + ((i + k) % 5)}`));
  writeFileSync(join(dir, 'ratings.csv'), ['session_id,start_s,end_s,target,rater,dimension,rating', ...rows].join('\n') + '\n');
  return { manifest: join(dir, 'manifest.csv'), labels: join(dir, 'ratings.csv') };
}

describe('dataset build --segments labels: spans on another clock (trial29 SILENT-2), past the end (MINOR-3), --scale (MINOR-1)', () => {
  it('spans all on unvoiced audio and one on the sync beep: one warning naming labels_clock', async () => {
    const f = labelled('off', [[1.95, 2.3], [6, 7], [7.5, 8.5], [8.8, 9.5]]);
    const r = await buildWith('off-out', { segments: 'labels', labels: [f.labels] }, f.manifest);
    expect(r.warnings.filter((w) => w.includes('labels_clock'))).toEqual([
      "session s01: manifest line 2: none of its 4 label spans falls on voiced audio (voiced_ratio 0 in every labels record), and 1 label span(s) (s01/l0000) lie on the sync beep (at least 25 % of their audio): are the start_s/end_s of ratings.csv timed on another clock, the camera's say (give it in the labels_clock column, e.g. video), or of another session? check it",
    ]);
  });

  it('spans only on unvoiced audio, or only one on the beep, each warn', async () => {
    const un = await buildWith('un-out', { segments: 'labels', labels: [labelled('un', [[6, 7], [7.5, 8.5]]).labels] }, join(tmp.dir, 'un', 'manifest.csv'));
    expect(un.warnings.filter((w) => w.includes('labels_clock'))).toEqual([expect.stringContaining('none of its 2 label spans falls on voiced audio')]);
    const bp = await buildWith('bp-out', { segments: 'labels', labels: [labelled('bp', [[0.5, 1.5], [1.95, 2.3], [3, 4]]).labels] }, join(tmp.dir, 'bp', 'manifest.csv'));
    expect(bp.warnings.filter((w) => w.includes('labels_clock'))).toEqual([expect.stringMatching(/manifest line 2: 1 label span\(s\) \(s01\/l0001\) lie on the sync beep/)]);
    // left out, its rated target is said to match no segment (not silently)
    const bx = await buildWith('bx-out', { segments: 'labels', labels: [join(tmp.dir, 'bp', 'ratings.csv')], excludeSyncBeep: true }, join(tmp.dir, 'bp', 'manifest.csv'));
    expect(bx.recs.map((r) => r.id)).toEqual(['s01/l0000', 's01/l0002']);
    expect(bx.warnings).toContainEqual(expect.stringMatching(/^session s01: sync beep: 1 of 3 records \(s01\/l0001\) .*left out \(--exclude-sync-beep\); their rated targets \(t1\) are counted as matching no segment$/));
  });

  it('control: spans on voiced audio off the beep, one running past the end: no clock warning; that one is clipped and said; --scale recorded', async () => {
    const f = labelled('on', [[0.5, 1.5], [3, 4], [4, 5], [9.6, 10.3]]);
    const r = await buildWith('on-out', { segments: 'labels', labels: [f.labels], labelScale: [1, 9] }, f.manifest);
    expect(r.warnings.filter((w) => w.includes('labels_clock') || w.includes('sync beep'))).toEqual([]);
    expect(r.recs.map((x) => [x.id, x.start_s, x.end_s])).toEqual([['s01/l0000', 0.5, 1.5], ['s01/l0001', 3, 4], ['s01/l0002', 4, 5], ['s01/l0003', 9.6, 10]]);
    expect(r.recs[3].quality.present).toMatchObject({ labels: true });
    expect(r.warnings).toContainEqual('session s01: 1 label span(s) run past the recording (-0.5 to 10 s; within the allowed margin): their records are clipped to it (s01/l0003 9.6-10.3 s), as nothing was recorded beyond it');
    expect((r.manifest.options as Record<string, unknown>).scale).toEqual([1, 9]);
    expect(r.card).toContain(' --scale 1,9');
  });
});

// ttrial50: times on another clock than the one they are read on (own synthetic sessions, voiced exactly at the words).
const CLOCK_FEATURES = join(tmp.dir, 'clock-features');
const OFF = -1.25; // the camera's offset: t_ref = t_cam + OFF, so a camera time is the reference time + 1.25 s
// Words on the reference clock (the lav), voiced exactly there; three utterances.
const WORDS: Array<Array<[number, number]>> = [
  [[1.0, 1.4], [1.6, 2.0], [2.2, 2.7]],
  [[4.0, 4.5], [4.7, 5.2]],
  [[7.0, 7.4], [7.6, 8.1]],
];
const cam = (t: number) => Math.round((t - OFF) * 1000) / 1000;

/** A Whisper JSON of the utterances, its times mapped by `at` (reference or camera times). */
function whisper(name: string, utts: Array<Array<[number, number]>>, at: (t: number) => number): string {
  const segments = utts.map((ws, id) => ({ id, start: at(ws[0][0]), end: at(ws[ws.length - 1][1]), text: ws.map((_, i) => ` w${id}${i}`).join(''), words: ws.map(([a, b], i) => ({ word: ` w${id}${i}`, start: at(a), end: at(b), probability: 0.9 })) }));
  const path = join(tmp.dir, name);
  writeFileSync(path, JSON.stringify({ text: segments.map((s) => s.text).join(''), language: 'en', segments }));
  return path;
}

/** Ratings of one span per utterance of a session, timed by `at`. */
function ratings(id: string, at: (t: number) => number): string[] {
  return WORDS.map((ws, i) => `${id},${at(ws[0][0] - 0.1)},${at(ws[ws.length - 1][1] + 0.1)},${id}_u${i},r1,valence,${i + 3}`);
}

beforeAll(async () => {
  mkdirSync(CLOCK_FEATURES, { recursive: true });
  for (const [i, id] of ['s01', 's02', 's03'].entries()) await writeSyntheticSession(CLOCK_FEATURES, { session_id: id, duration_s: 10, seed: 40 + i, mediaDir: DEMO, noFace: true, video_offset_s: OFF, voiced: WORDS.flat() });
  // s03's camera is silent: mmprep sync placed its picture by the flash, so sync.json has no audio stream of it.
  const syncPath = join(CLOCK_FEATURES, 's03', 'sync.json');
  const map = JSON.parse(readFileSync(syncPath, 'utf8'));
  map.streams = map.streams.filter((s: { file: string; kind: string }) => !(s.kind === 'audio' && s.file.endsWith('_camera.mp4')));
  writeFileSync(syncPath, JSON.stringify(map, null, 2) + '\n');
  await writeSyntheticMeta(CLOCK_FEATURES, 's03');
});

type ClockOutcome = { session_id: string; error: string | null; issues: Array<{ kind: string; message: string }>; clock_check?: { transcript: Record<string, unknown> | null; labels: Record<string, unknown> | null } };

async function buildClock(name: string, rows: string[], labelRows: string[], o: Partial<BuildOptions> = {}): Promise<ClockOutcome[]> {
  const head = 'session_id,speaker_id,video,lav_audio,transcript,transcript_clock,labels_clock';
  writeFileSync(join(tmp.dir, `${name}.csv`), [head, ...rows].join('\n') + '\n');
  writeFileSync(join(tmp.dir, `${name}-ratings.csv`), ['session_id,start_s,end_s,target,rater,dimension,rating', ...labelRows].join('\n') + '\n');
  await buildDataset(join(tmp.dir, `${name}.csv`), { features: CLOCK_FEATURES, out: join(tmp.dir, `${name}-out`), labels: [join(tmp.dir, `${name}-ratings.csv`)], onNote: () => {}, ...o });
  return JSON.parse(readFileSync(join(tmp.dir, `${name}-out`, 'manifest.json'), 'utf8')).sessions;
}

const media = (id: string) => `${join(DEMO, `${id}_camera.mp4`)},${join(DEMO, `${id}_lav.flac`)}`;
const kinds = (o: ClockOutcome, kind: string) => o.issues.filter((w) => w.kind === kind).map((w) => w.message);

describe('the voicing score (clock-fit.ts)', () => {
  it('scores spans on their speech high and shifted spans low; 2 spans are not checked', () => {
    const voiced = Array.from({ length: 300 }, (_, k) => (k >= 100 && k < 150 ? 1 : 0)); // voiced 1.0-1.5 s
    const g = { t0: 0, step: 0.01, voiced };
    expect(voicingContrast([[1.0, 1.5]], g).contrast).toBeCloseTo(1, 6);
    expect(voicingContrast([[1.3, 1.8]], g).contrast).toBeCloseTo(0.4 - 0.5, 6); // inside 0.2 s of 0.5 voiced; around 0.25 of 0.5
    const id = { role: 'lav', clock: (t: number) => t };
    const shifted = { role: 'cam', clock: (t: number) => t - 0.3 };
    const three: Array<[number, number]> = [[1.3, 1.4], [1.5, 1.6], [1.7, 1.8]];
    expect(clockFit(three, id, [id, shifted], g)).toMatchObject({ checked: true, fits_better: 'cam' });
    expect(clockFit(three.slice(0, 2), id, [id, shifted], g)).toMatchObject({ checked: false, fits_better: null, reason: expect.stringContaining('too few') });
  });
});

describe('dataset build: times on another clock than the one they are read on (ttrial50)', () => {
  it('W1: a camera-clock transcript with transcript_clock empty is clock_mismatch (fails validate) and its unvoiced utterances are named; R3, R2; the right clock and 2 words give none', async () => {
    const two = whisper('two.json', [[[1.0, 1.4], [1.6, 2.0]]], cam);
    const rows = [`s01,spk_a,${media('s01')},${whisper('cam.json', WORDS, cam)},,`, `s02,spk_b,${media('s02')},${whisper('cam2.json', WORDS, cam)},video,`, `s03,spk_c,${media('s03')},${two},video,video`];
    // s03's one rating is on its silent camera's clock (labels_clock video): R2 for labels_clock too.
    const [s01, s02, s03] = await buildClock('utt', rows, [...ratings('s02', cam), `s03,${cam(0.9)},${cam(2.1)},s03_u0,r1,valence,5`]);
    expect(kinds(s01, 'clock_mismatch')).toEqual([expect.stringMatching(/^manifest line 2: transcript .*cam\.json: its words fit the clock of role video better than the one they were read on \(transcript_clock is empty: the reference role lav_audio's clock\): voicing score 1\.000 on video's clock against -?0\.\d+ .*its records sit 1\.250 s later than video's clock puts them; .*write video in the transcript_clock column/)]);
    expect(FAILING_WARNING_KINDS).toContain('clock_mismatch');
    expect(kinds(s01, 'transcript_unvoiced')).toEqual([expect.stringContaining('2 of 3 utterance records with words (s01/u0001, s01/u0002) hold no voiced audio')]);
    // The right clock named: no warning, and the figures are in manifest.json.
    expect(s02.issues.filter((w) => ['clock_mismatch', 'transcript_unvoiced'].includes(w.kind))).toEqual([]);
    expect(s02.clock_check?.transcript).toMatchObject({ declared: 'video', checked: true, fits_better: null, contrast: { video: 1 } });
    // R3: s02's ratings are on the camera clock, labels_clock empty: the line names labels_clock and the role.
    expect(kinds(s02, 'labels_unmatched')).toEqual([expect.stringContaining('read on the clock of role video instead of the one they were read on (labels_clock is empty: the reference role lav_audio\'s clock), 3 of the 3 match one (IoU >= 0.5): were the start_s/end_s timed on video\'s file? then write video in the labels_clock column')]);
    // R2: a silent camera's clock is its picture's; 2 words are not checked, and manifest.json says so.
    expect(s03.error).toBeNull();
    expect(s03.clock_check?.transcript).toMatchObject({ declared: 'video', checked: false, reason: expect.stringContaining('too few') });
    const out = join(tmp.dir, 'utt-out');
    const lines = readdirSync(out).filter((n) => n.startsWith('data-')).flatMap((n) => readFileSync(join(out, n), 'utf8').trim().split('\n'));
    const rec = lines.map((l) => JSON.parse(l)).find((r) => r.id === 's03/u0000');
    expect([rec.start_s, rec.end_s, rec.labels.valence.gold.mean]).toEqual([1, 2, 5]);
  });

  it('R3: a build refused as no rated span matched says which sessions match on another role\'s clock', async () => {
    const rows = [`s02,spk_b,${media('s02')},${join(tmp.dir, 'cam2.json')},video,`];
    await expect(buildClock('refused', rows, ratings('s02', cam))).rejects.toThrow(/no labelled span overlaps a segment by IoU >= 0\.5; in session s02 they match utterances when read on another role's clock: give that role in the labels_clock column/);
  });

  it('W2: camera-clock rated spans under --segments labels with labels_clock empty are clock_mismatch naming labels_clock; named, none', async () => {
    const rows = [`s01,spk_a,${media('s01')},,,`, `s02,spk_b,${media('s02')},,,video`];
    const [s01, s02] = await buildClock('lab', rows, [...ratings('s01', cam), ...ratings('s02', cam)], { segments: 'labels' });
    expect(kinds(s01, 'clock_mismatch')).toEqual([expect.stringMatching(/^manifest line 2: the start_s\/end_s of lab-ratings\.csv: its rated spans fit the clock of role video better .*\(labels_clock is empty: .*its records sit 1\.250 s later .*write video in the labels_clock column/)]);
    expect(kinds(s02, 'clock_mismatch')).toEqual([]);
    expect(s02.clock_check?.labels).toMatchObject({ declared: 'video', checked: true, fits_better: null });
  });
});

describe('record schema 3: what the fields say (ttrial50)', () => {
  const FEATURES = join(tmp.dir, 'fields-features');
  const OUT = join(tmp.dir, 'fields-rel');
  const DIR = join(tmp.dir, 'fields'); // its manifest and transcripts
  const DROPPED: [number, number] = [4, 4.6]; // 15 frames at 25 fps the camera did not write (ttrial50 K)
  const ODD_START = 10.0007506; // 7 significant digits: 10.00075; the µs: 10.000751

  type Word = { word: string; start_s: number; end_s: number; audio: Record<string, number | null>; face: Record<string, number | null> };
  type FieldsRec = { id: string; start_s: number; end_s: number; words: Word[]; face: { n: number; frames: { face_found: boolean[] } } | null; quality: { face_detection_rate: number | null } };
  type Frame = { t_s: number; face_found?: boolean };
  let recs: FieldsRec[] = [];

  const jsonl = <T>(path: string): T[] => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);

  /** A Whisper-style transcript of utterances given as [text, [word, start, end]...]. */
  function transcript(path: string, utts: Array<Array<[string, number, number]>>): void {
    const segments = utts.map((ws, id) => ({ id, start: ws[0][1], end: ws[ws.length - 1][2], text: ws.map((w) => ` ${w[0]}`).join(''), words: ws.map(([word, start, end]) => ({ word: ` ${word}`, start, end, probability: 0.9 })) }));
    writeFileSync(path, JSON.stringify({ text: segments.map((s) => s.text).join(''), language: 'en', segments }));
  }

  beforeAll(async () => {
    mkdirSync(DIR, { recursive: true });
    await writeSyntheticSession(FEATURES, { session_id: 's01', duration_s: 12, seed: 51, mediaDir: DEMO });
    await writeSyntheticSession(FEATURES, { session_id: 's02', duration_s: 4, seed: 52, mediaDir: DEMO, noFace: true });
    const face = join(FEATURES, 's01', 'face.jsonl');
    writeFileSync(face, jsonl<Frame>(face).filter((f) => f.t_s < DROPPED[0] || f.t_s >= DROPPED[1]).map((f) => JSON.stringify(f)).join('\n') + '\n');
    await writeSyntheticMeta(FEATURES, 's01');
    transcript(join(DIR, 's01.json'), [
      [['one', 1, 1.5], ['more', 1.5, 2]],
      [['over', 3.5, 4.2], ['the', 4.2, 4.5], ['gap', 4.5, 5]],
      [['ten', ODD_START, 10.5], ['of', 10.5, 10.8], ['clubs', 10.8, 11.2]],
    ]);
    transcript(join(DIR, 's02.json'), [[['no', 1, 1.4], ['camera', 1.4, 2]]]);
    const csv = [
      'session_id,speaker_id,video,lav_audio,transcript',
      `s01,spk_a,${join(DEMO, 's01_camera.mp4')},${join(DEMO, 's01_lav.flac')},s01.json`,
      `s02,spk_b,,${join(DEMO, 's02_lav.flac')},s02.json`,
    ];
    writeFileSync(join(DIR, 'manifest.csv'), csv.join('\n') + '\n');
    await buildDataset(join(DIR, 'manifest.csv'), { features: FEATURES, out: OUT, audioFeatures: 'rms,voiced,zcr', faceFeatures: 'yaw_deg,blink', split: 'train=1' });
    recs = readdirSync(OUT).filter((f) => f.startsWith('data-')).flatMap((f) => jsonl<FieldsRec>(join(OUT, f)));
  });

  /** Every property of a JSON Schema at any depth, as [path, its schema]. */
  function properties(schema: Record<string, unknown>, path = ''): Array<[string, Record<string, unknown>]> {
    const out: Array<[string, Record<string, unknown>]> = [];
    for (const [k, child] of Object.entries((schema.properties ?? {}) as Record<string, Record<string, unknown>>)) out.push([`${path}.${k}`, child], ...properties(child, `${path}.${k}`));
    if (schema.items && typeof schema.items === 'object') out.push(...properties(schema.items as Record<string, unknown>, `${path}[]`));
    for (const alt of (schema.oneOf ?? []) as Array<Record<string, unknown>>) out.push(...properties(alt, path));
    return out;
  }

  it('schema.json describes every field; face.n and face.functionals.*.n say what they count', async () => {
    const schema = JSON.parse(readFileSync(join(OUT, 'schema.json'), 'utf8'));
    const props = properties(schema);
    expect(props.length).toBeGreaterThan(80);
    expect(props.filter(([, s]) => !(typeof s.description === 'string' && s.description.length > 10)).map(([p]) => p)).toEqual([]);
    const d = Object.fromEntries(props.map(([p, s]) => [p, s.description as string]));
    expect(d['.audio.frames.rms']).toMatch(/root mean square.*full scale = 1/);
    expect(d['.audio.frames.zcr']).toMatch(/zero-crossing rate.*0-1 per sample/);
    expect(d['.face.n']).toMatch(/audio-grid frames .*Not the n of face.functionals, which counts video frames/);
    expect(d['.face.functionals.yaw_deg.n']).toMatch(/^video frames overlapping the span/);
    expect(d['.words[].audio.voiced_ratio']).toMatch(/^share of the word's audio frames/);
    // every field this mmprep can put in a record, at either face rate, with label keys
    for (const faceRate of ['audio', 'native'] as const) {
      const all = datasetSchema({ audioFields: Object.keys(AUDIO_FIELDS), faceFields: Object.keys(FACE_FIELDS), faceRate, labelKeys: ['valence'] });
      expect(properties(all).filter(([, s]) => typeof s.description !== 'string').map(([p]) => p)).toEqual([]);
    }
    // older schemas stay as their releases' schema.json has them (dataset validate compares the two)
    expect(JSON.stringify(datasetSchema({ audioFields: ['voiced'], faceFields: [], faceRate: 'audio', labelKeys: [], schemaVersion: 2 }))).not.toContain('description');
  });

  it("a word's share of voiced frames is voiced_ratio, with the frame counts its means come from", () => {
    const audio = jsonl<Frame>(join(FEATURES, 's01', 'audio.jsonl'));
    const face = jsonl<Frame>(join(FEATURES, 's01', 'face.jsonl'));
    const count = (frames: Frame[], d: number, w: Word, ok: (f: Frame) => boolean) => frames.filter((f) => overlapWeight(f.t_s, d, w.start_s, w.end_s) > 0 && ok(f)).length;
    const words = recs.filter((r) => r.id.startsWith('s01/')).flatMap((r) => r.words);
    expect(words.map((w) => w.word)).toEqual(['one', 'more', 'over', 'the', 'gap', 'ten', 'of', 'clubs']);
    for (const w of words) {
      expect(Object.keys(w.audio)).toEqual(['voiced_ratio', 'rms', 'zcr', 'n']);
      expect(Object.keys(w.face)).toEqual(['yaw_deg', 'blink_ratio', 'n', 'n_missing']);
      expect([w.word, w.audio.n]).toEqual([w.word, count(audio, 0.01, w, () => true)]);
      expect([w.word, w.face.n, w.face.n_missing]).toEqual([w.word, count(face, 0.04, w, (f) => f.face_found === true), count(face, 0.04, w, (f) => f.face_found !== true)]);
    }
    const one = words[0];
    expect(one.audio.n).toBe(51); // 1-1.5 s: frames at 0.995 … 1.495 overlap
    expect(words.find((w) => w.word === 'the')!.face.n).toBe(0); // inside the dropped frames
  });

  it('face_detection_rate is the share of the span with a face: a dropped-frame gap counts as none, as face_found says', () => {
    const over = recs.find((r) => r.id === 's01/u0001')!; // 3.5-5 s, frames missing at 4-4.6 s, a face in every other frame
    const found = over.face!.frames.face_found;
    expect(over.quality.face_detection_rate).toBeCloseTo(0.6, 6); // 0.9 of its 1.5 s
    expect(Math.abs(over.quality.face_detection_rate! - found.filter(Boolean).length / found.length)).toBeLessThan(0.02);
    const whole = recs.find((r) => r.id === 's01/u0000')!;
    expect(whole.quality.face_detection_rate).toBe(1);
  });

  it('word and record times are rounded alike (to the µs): the first word does not start before its record', () => {
    const ten = recs.find((r) => r.id === 's01/u0002')!;
    expect([ten.start_s, ten.words[0].start_s]).toEqual([10.000751, 10.000751]);
    for (const r of recs) for (const w of r.words) expect([r.id, w.start_s >= r.start_s && w.end_s <= r.end_s]).toEqual([r.id, true]);
  });

  it('the card tells a session without video apart from a face not found, and the release validates', async () => {
    const card = readFileSync(join(OUT, 'README.md'), 'utf8');
    expect(card).toContain('- 1 of 4 records (25.0 %) have no face: 1 in 1 session(s) without video (s02).');
    const v = await validateDataset(OUT);
    expect(v.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.message}`)).toEqual([]);
  });
});
