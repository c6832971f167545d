/**
 * ttrial50's clock findings on synthetic feature folders (no media decoded, in-process builds, no face file):
 * - W1: a transcript timed on the camera clock with transcript_clock empty was read as the lav's, every utterance
 *   1.25 s late, exit 0, validate 0, as some records still touched speech. Now the words' voicing score (clock-fit.ts)
 *   on each role's clock says the camera's fits: a clock_mismatch warning (failing validate by default) with the
 *   figures; and an utterance with words but no voiced frame is a transcript_unvoiced warning.
 * - W2: the same for rated spans under --segments labels with labels_clock empty.
 * - R3: camera-clock ratings in utterance mode (labels_unmatched) name labels_clock and the role they match on.
 * - R2: a silent camera (sync.json holds its picture only) with transcript_clock video was refused ("has no audio
 *   stream 0 of …"); its clock is its picture's.
 * Negative controls: the right clock named (no warning), a transcript of 2 words (not checked, said so).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset, type BuildOptions } from '../src/dataset/build.js';
import { clockFit, voicingContrast } from '../src/dataset/clock-fit.js';
import { writeSyntheticMeta, writeSyntheticSession } from '../src/dataset/synthetic-features.js';
import { FAILING_WARNING_KINDS } from '../src/dataset/validate-warnings.js';
import { FIXTURES, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-clockfit-');
afterAll(() => tmp.cleanup());
const DEMO = join(FIXTURES, 'demo');
const FEATURES = join(tmp.dir, 'features');
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
  for (const [i, id] of ['s01', 's02', 's03'].entries()) await writeSyntheticSession(FEATURES, { session_id: id, duration_s: 10, seed: 40 + i, mediaDir: DEMO, noFace: true, video_offset_s: OFF, voiced: WORDS.flat() });
  // s03's camera is silent: mmprep sync placed its picture by the flash, so sync.json has no audio stream of it.
  const syncPath = join(FEATURES, 's03', 'sync.json');
  const map = JSON.parse(readFileSync(syncPath, 'utf8'));
  map.streams = map.streams.filter((s: { file: string; kind: string }) => !(s.kind === 'audio' && s.file.endsWith('_camera.mp4')));
  writeFileSync(syncPath, JSON.stringify(map, null, 2) + '\n');
  await writeSyntheticMeta(FEATURES, 's03');
});

type Outcome = { session_id: string; error: string | null; issues: Array<{ kind: string; message: string }>; clock_check?: { transcript: Record<string, unknown> | null; labels: Record<string, unknown> | null } };

async function build(name: string, rows: string[], labelRows: string[], o: Partial<BuildOptions> = {}): Promise<Outcome[]> {
  const head = 'session_id,speaker_id,video,lav_audio,transcript,transcript_clock,labels_clock';
  writeFileSync(join(tmp.dir, `${name}.csv`), [head, ...rows].join('\n') + '\n');
  writeFileSync(join(tmp.dir, `${name}-ratings.csv`), ['session_id,start_s,end_s,target,rater,dimension,rating', ...labelRows].join('\n') + '\n');
  await buildDataset(join(tmp.dir, `${name}.csv`), { features: FEATURES, out: join(tmp.dir, `${name}-out`), labels: [join(tmp.dir, `${name}-ratings.csv`)], onNote: () => {}, ...o });
  return JSON.parse(readFileSync(join(tmp.dir, `${name}-out`, 'manifest.json'), 'utf8')).sessions;
}

const media = (id: string) => `${join(DEMO, `${id}_camera.mp4`)},${join(DEMO, `${id}_lav.flac`)}`;
const kinds = (o: Outcome, kind: string) => o.issues.filter((w) => w.kind === kind).map((w) => w.message);

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
    const [s01, s02, s03] = await build('utt', rows, [...ratings('s02', cam), `s03,${cam(0.9)},${cam(2.1)},s03_u0,r1,valence,5`]);
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

  it('W2: camera-clock rated spans under --segments labels with labels_clock empty are clock_mismatch naming labels_clock; named, none', async () => {
    const rows = [`s01,spk_a,${media('s01')},,,`, `s02,spk_b,${media('s02')},,,video`];
    const [s01, s02] = await build('lab', rows, [...ratings('s01', cam), ...ratings('s02', cam)], { segments: 'labels' });
    expect(kinds(s01, 'clock_mismatch')).toEqual([expect.stringMatching(/^manifest line 2: the start_s\/end_s of lab-ratings\.csv: its rated spans fit the clock of role video better .*\(labels_clock is empty: .*its records sit 1\.250 s later .*write video in the labels_clock column/)]);
    expect(kinds(s02, 'clock_mismatch')).toEqual([]);
    expect(s02.clock_check?.labels).toMatchObject({ declared: 'video', checked: true, fits_better: null });
  });
});
