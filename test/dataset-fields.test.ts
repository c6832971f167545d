/**
 * ttrial50's findings on what a release's fields say (record schema 3), on two synthetic sessions (no media decoded,
 * one in-process build):
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
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../src/dataset/build.js';
import { AUDIO_FIELDS, FACE_FIELDS } from '../src/dataset/features.js';
import { overlapWeight } from '../src/dataset/functionals.js';
import { datasetSchema } from '../src/dataset/schema.js';
import { writeSyntheticMeta, writeSyntheticSession } from '../src/dataset/synthetic-features.js';
import { validateDataset } from '../src/dataset/validate.js';
import { FIXTURES, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-fields-');
afterAll(() => tmp.cleanup());
const DEMO = join(FIXTURES, 'demo');
const FEATURES = join(tmp.dir, 'features');
const OUT = join(tmp.dir, 'rel');
const DROPPED: [number, number] = [4, 4.6]; // 15 frames at 25 fps the camera did not write (ttrial50 K)
const ODD_START = 10.0007506; // 7 significant digits: 10.00075; the µs: 10.000751

type Word = { word: string; start_s: number; end_s: number; audio: Record<string, number | null>; face: Record<string, number | null> };
type Rec = { id: string; start_s: number; end_s: number; words: Word[]; face: { n: number; frames: { face_found: boolean[] } } | null; quality: { face_detection_rate: number | null } };
type Frame = { t_s: number; face_found?: boolean };
let recs: Rec[] = [];

const jsonl = <T>(path: string): T[] => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);

/** A Whisper-style transcript of utterances given as [text, [word, start, end]...]. */
function transcript(path: string, utts: Array<Array<[string, number, number]>>): void {
  const segments = utts.map((ws, id) => ({ id, start: ws[0][1], end: ws[ws.length - 1][2], text: ws.map((w) => ` ${w[0]}`).join(''), words: ws.map(([word, start, end]) => ({ word: ` ${word}`, start, end, probability: 0.9 })) }));
  writeFileSync(path, JSON.stringify({ text: segments.map((s) => s.text).join(''), language: 'en', segments }));
}

beforeAll(async () => {
  await writeSyntheticSession(FEATURES, { session_id: 's01', duration_s: 12, seed: 51, mediaDir: DEMO });
  await writeSyntheticSession(FEATURES, { session_id: 's02', duration_s: 4, seed: 52, mediaDir: DEMO, noFace: true });
  const face = join(FEATURES, 's01', 'face.jsonl');
  writeFileSync(face, jsonl<Frame>(face).filter((f) => f.t_s < DROPPED[0] || f.t_s >= DROPPED[1]).map((f) => JSON.stringify(f)).join('\n') + '\n');
  await writeSyntheticMeta(FEATURES, 's01');
  transcript(join(tmp.dir, 's01.json'), [
    [['one', 1, 1.5], ['more', 1.5, 2]],
    [['over', 3.5, 4.2], ['the', 4.2, 4.5], ['gap', 4.5, 5]],
    [['ten', ODD_START, 10.5], ['of', 10.5, 10.8], ['clubs', 10.8, 11.2]],
  ]);
  transcript(join(tmp.dir, 's02.json'), [[['no', 1, 1.4], ['camera', 1.4, 2]]]);
  const csv = [
    'session_id,speaker_id,video,lav_audio,transcript',
    `s01,spk_a,${join(DEMO, 's01_camera.mp4')},${join(DEMO, 's01_lav.flac')},s01.json`,
    `s02,spk_b,,${join(DEMO, 's02_lav.flac')},s02.json`,
  ];
  writeFileSync(join(tmp.dir, 'manifest.csv'), csv.join('\n') + '\n');
  await buildDataset(join(tmp.dir, 'manifest.csv'), { features: FEATURES, out: OUT, audioFeatures: 'rms,voiced,zcr', faceFeatures: 'yaw_deg,blink', split: 'train=1' });
  recs = readdirSync(OUT).filter((f) => f.startsWith('data-')).flatMap((f) => jsonl<Rec>(join(OUT, f)));
});

/** Every property of a JSON Schema at any depth, as [path, its schema]. */
function properties(schema: Record<string, unknown>, path = ''): Array<[string, Record<string, unknown>]> {
  const out: Array<[string, Record<string, unknown>]> = [];
  for (const [k, child] of Object.entries((schema.properties ?? {}) as Record<string, Record<string, unknown>>)) out.push([`${path}.${k}`, child], ...properties(child, `${path}.${k}`));
  if (schema.items && typeof schema.items === 'object') out.push(...properties(schema.items as Record<string, unknown>, `${path}[]`));
  for (const alt of (schema.oneOf ?? []) as Array<Record<string, unknown>>) out.push(...properties(alt, path));
  return out;
}

describe('record schema 3: what the fields say (ttrial50)', () => {
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
