/**
 * A new user's trial: `mmprep extract m.csv -o features --only sync,audio --ref-role video` on one session of a
 * release removed that session's face files (their clock was gone, as documented), and `dataset build` then made its
 * records without face, exit 0, the card saying only "3 of 8 records have no face (no face detected in the span or no
 * video)". A session whose row has the media for a stage that other sessions of the release have, but no features
 * of it, is now a warning of that session (stderr, manifest.json, card). Synthetic feature folders, no media decoded.
 * A stage that ran and had nothing to analyse (meta.json not_produced: a clip without sound) is said with extract's
 * reason, not as "not extracted, run --only" (ttrial59c).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDataset, clockNoteOf, type DatasetSessionOutcome } from '../src/dataset/build.js';
import { writeSyntheticSession } from '../src/dataset/synthetic-features.js';
import { FIXTURES, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-missing-stage-');
afterAll(() => tmp.cleanup());
const DEMO = join(FIXTURES, 'demo');
const MANIFEST = join(DEMO, 'manifest.csv');

async function features(name: string, noFace: string[]): Promise<string> {
  const dir = join(tmp.dir, name);
  for (const [i, id] of ['s01', 's02', 's03'].entries()) await writeSyntheticSession(dir, { session_id: id, duration_s: 10, seed: 21 + i, mediaDir: DEMO, noFace: noFace.includes(id) });
  return dir;
}

describe('dataset build: a session without the face features the others have', () => {
  it('is a warning naming the session, its video and what to run (stderr note, manifest.json, card)', async () => {
    const notes: string[] = [];
    const out = join(tmp.dir, 'mixed-out');
    const r = await buildDataset(MANIFEST, { features: await features('mixed', ['s01']), out, onNote: (n) => notes.push(n) });
    const w =
      "no face features (not extracted), while s02, s03 of this release have them: its video s01_camera.mp4 was not analysed by extract's face stage on the session's current clock (meta.json lists no face output: an extract --only without face, or files removed when the clock changed), so its records have no face; run mmprep extract with --only face for it, or pass --face-features none if face is not wanted";
    expect(notes).toContain(`session s01: ${w}`);
    expect(r.manifest.sessions.map((s) => s.warnings.filter((x) => x.startsWith('no face'))).map((x) => x.length)).toEqual([1, 0, 0]);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain(`- session s01: ${w}`);
  });

  it('no session with face (extract --only sync,audio): every session is warned, and the card says not extracted', async () => {
    // a data engineer's trial: one stderr line "presence: no record has face features", and the card said "14 of 14
    // records (100.0 %) have no face (no face detected in the span or no video)" though every session had video and faces
    const notes: string[] = [];
    const out = join(tmp.dir, 'none-out');
    const r = await buildDataset(MANIFEST, { features: await features('none', ['s01', 's02', 's03']), out, onNote: (n) => notes.push(n) });
    for (const id of ['s01', 's02', 's03']) expect(notes).toContainEqual(expect.stringMatching(new RegExp(`^session ${id}: no face features \\(not extracted\\) \\(no session of this release has them\\): its video ${id}_camera.mp4 was not analysed`)));
    const n = r.manifest.counts.records;
    const card = readFileSync(join(out, 'README.md'), 'utf8');
    expect(card).toContain(`- ${n} of ${n} records (100.0 %) have no face: ${n} in 3 session(s) whose face stage extract did not run (not extracted; see below).`);
    expect(card).not.toContain('no face detected in the span');
  });

  it('controls: --face-features none (face not wanted) and every session with face give no such warning', async () => {
    for (const [name, noFace, faceFeatures] of [['unwanted', ['s01', 's02', 's03'], 'none'], ['all', [], undefined]] as const) {
      const notes: string[] = [];
      await buildDataset(MANIFEST, { features: await features(name, [...noFace]), out: join(tmp.dir, `${name}-out`), faceFeatures, onNote: (n) => notes.push(n) });
      expect(notes.filter((n) => /no (face|audio) features/.test(n))).toEqual([]);
    }
  });

  it('a stage that ran and had nothing to analyse (meta.json not_produced) is said with its reason, not "run --only face"', async () => {
    const dir = await features('empty', ['s01']);
    const metaPath = join(dir, 's01', 'meta.json');
    const reason = 'no video role for face, while lav_audio (s01_lav.flac) holds a picture';
    writeFileSync(metaPath, JSON.stringify({ ...JSON.parse(readFileSync(metaPath, 'utf8')), not_produced: [{ stage: 'face', reason }] }));
    const notes: string[] = [];
    const out = join(tmp.dir, 'empty-out');
    await buildDataset(MANIFEST, { features: dir, out, onNote: (n) => notes.push(n) });
    const w = `no face features (extract's face stage had nothing to analyse), while s02, s03 of this release have them: ${reason}, so its records have no face (pass --face-features none if face is not wanted)`;
    expect(notes).toContain(`session s01: ${w}`);
    const card = readFileSync(join(out, 'README.md'), 'utf8');
    expect(card).toContain(`- session s01: ${w}`);
    expect(card).toMatch(/have no face: \d+ in 1 session\(s\) whose face stage had nothing to analyse \(see below\)/);
  });

  it("the card's sentence on times: sessions extracted without the sync stage are on their file's own time (ttrial59c)", async () => {
    // The card said "the sync map of mmprep sync applied by mmprep extract" of clips extracted with --only audio,face.
    const session = (id: string, clock: string) => ({ session_id: id, error: null, made_by: { audio: { clock }, face: { clock } } }) as unknown as DatasetSessionOutcome;
    expect(clockNoteOf([session('c1', 'source time'), session('c2', 'source time')]).clock_note).toBe("Times are seconds of each session on its file's own time, as extract made them without the sync stage (one file: its picture and sound share that time).");
    expect(clockNoteOf([session('s1', 'sync.json placement sha256:ab'), session('c2', 'source time')]).clock_note).toMatch(/^Times are seconds on each session's reference clock \(the sync map .*\), except 1 session\(s\) on its file's own time, .*: c2\.$/);
    expect(clockNoteOf([session('s1', 'sync.json placement sha256:ab')])).toEqual({});
    // A synced release's card keeps its sentence, and manifest.json has no clock_note (releases built before read alike).
    const out = join(tmp.dir, 'synced-out');
    const r = await buildDataset(MANIFEST, { features: await features('synced', []), out });
    expect(r.manifest).not.toHaveProperty('clock_note');
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain("Times are seconds on each session's reference clock (the sync map of `mmprep sync` applied by `mmprep extract`).");
  });
});
