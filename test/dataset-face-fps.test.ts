/**
 * Face features extracted at fewer frames than the video has (`extract --face-fps N`), session 25's ML trial. At 5
 * frames/s (frames 0.2 s apart) short spans got records with `quality.present.face` true and no face value (native
 * rate: no video frame inside the span; audio grid: the span at the video's first or last frame, where only the
 * functionals had the face), and `dataset validate` passed them. At 10 or 15 frames/s of a 25 fps video (frames
 * picked unevenly) the native face's rate_hz said 8.33 and 12.5. Synthetic feature folders, no media.
 */
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, tempDir } from './helpers/cli.js';
import { demoManifestCopy } from './helpers/demo-inputs.js';
import { buildDataset } from '../src/dataset/build.js';
import { writeSyntheticMeta, writeSyntheticSession } from '../src/dataset/synthetic-features.js';
import { validateDataset } from '../src/dataset/validate.js';

const tmp = tempDir('mmprep-facefps-');
afterAll(() => tmp.cleanup());
const FEATURES = join(tmp.dir, 'features-5fps');
let MANIFEST = '';

type Rec = {
  id: string;
  start_s: number;
  face: { rate: string; frames: Record<string, unknown[]>; functionals: Record<string, { mean: number | null }> } | null;
  quality: { face_detection_rate: number | null; present: { face: boolean } };
};

function records(dir: string): Rec[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('data-'))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec));
}

/** A record that says it has a face but whose face frames hold no value (the finding). */
const presentWithNothing = (r: Rec) => r.quality.present.face && !(r.face?.frames.face_found ?? []).some((x) => x === true);

beforeAll(async () => {
  // Camera 0.5 s behind the lav: face frames at k / 5 - 0.5 s, a face from t = 0 on (first at 0.1 s), last at 9.3 s.
  for (const [i, id] of ['s01', 's02', 's03'].entries())
    await writeSyntheticSession(FEATURES, { session_id: id, duration_s: 10, seed: 11 + i, fps: 5, mediaDir: join(FIXTURES, 'demo') });
  MANIFEST = demoManifestCopy(join(tmp.dir, 'inputs'));
});

describe('face at --face-fps 5 in spans shorter than its frame interval', () => {
  const notes: string[] = []; // the audio-grid build's
  beforeAll(async () => {
    await buildDataset(MANIFEST, { features: FEATURES, out: join(tmp.dir, 'audio'), segments: 'fixed:0.1', onNote: (n) => notes.push(n) });
  });

  it('native rate: a span holding no video frame has present.face false, a warning names its records, validate passes', async () => {
    const out = join(tmp.dir, 'native');
    const nativeNotes: string[] = [];
    const r = await buildDataset(MANIFEST, { features: FEATURES, out, segments: 'fixed:0.1', faceRate: 'native', onNote: (n) => nativeNotes.push(n) });
    const recs = records(out);
    expect(recs.filter(presentWithNothing).map((x) => x.id)).toEqual([]);
    // Every other 0.1 s window lies between two frames 0.2 s apart: face null, yet frames with a face overlap it.
    const unheld = recs.filter((x) => x.id.startsWith('s01/') && x.face === null && (x.quality.face_detection_rate ?? 0) > 0);
    expect(unheld.length).toBeGreaterThan(40);
    const s01 = r.manifest.sessions.find((s) => s.session_id === 's01')!;
    expect(s01.warnings).toEqual([expect.stringMatching(new RegExp(`^face: ${unheld.length} of \\d+ records \\(s01/w\\d+, .*\\) overlap video frames with a face \\(quality.face_detection_rate > 0\\) but hold no face value: with --face-rate native a record holds the video frames inside its span.*the face frames are 0.2 s apart \\(5 per second\\), so their face is marked absent \\(quality.present.face false\\)`)),
      // the windows before the audio's first frame (the camera starts 0.5 s earlier) hold no audio: named since ttrial58d
      expect.stringMatching(/^audio: 6 of 106 records \(s01\/w00000, .*\) hold no audio frame: the session's audio covers -0\.005 to 9\.995 s/),
    ]);
    expect(nativeNotes.some((n) => n.startsWith('session s01: face: '))).toBe(true);
    expect(r.manifest.presence.face).toBe(recs.filter((x) => x.quality.present.face).length);
    expect((await validateDataset(out)).ok).toBe(true);
  });

  it('audio grid: a span at the video\'s first or last frame holds that frame\'s values (half a frame interval), as its functionals do', async () => {
    const out = join(tmp.dir, 'audio');
    const recs = records(out);
    expect(recs.filter(presentWithNothing).map((x) => x.id)).toEqual([]);
    expect(notes.filter((n) => / face: /.test(n))).toEqual([]);
    const face = JSON.parse(`[${readFileSync(join(FEATURES, 's01', 'face.jsonl'), 'utf8').trim().split('\n').join(',')}]`) as Array<{ t_s: number; yaw_deg: number | null }>;
    const first = face.find((f) => f.yaw_deg !== null)!;
    const last = face[face.length - 1];
    // The windows that end at the first face frame's time and start at the last one's: each within its half interval.
    for (const [t, edge] of [[first.t_s - 0.05, first], [last.t_s + 0.05, last]] as const) {
      const rec = recs.find((x) => x.id.startsWith('s01/') && x.start_s <= t && t < x.start_s + 0.1)!;
      expect(rec.quality.present.face, rec.id).toBe(true);
      const yaw = rec.face!.frames.yaw_deg.filter((v) => v !== null);
      expect(yaw.length, rec.id).toBeGreaterThan(0);
      expect(new Set(yaw)).toEqual(new Set([edge.yaw_deg]));
      expect(rec.face!.functionals.yaw_deg.mean).toBe(edge.yaw_deg);
    }
    expect((await validateDataset(out)).ok).toBe(true);
  });

  it('validate fails a record whose present.face is true with no face value, even with face_detection_rate > 0', async () => {
    const out = join(tmp.dir, 'audio-edited');
    cpSync(join(tmp.dir, 'audio'), out, { recursive: true });
    const file = readdirSync(out).find((f) => f.startsWith('data-') && readFileSync(join(out, f), 'utf8').includes('"s01/w00000"'))!;
    const lines = readFileSync(join(out, file), 'utf8').trim().split('\n');
    const i = lines.findIndex((l) => l.includes('"s01/w00000"'));
    const rec = JSON.parse(lines[i]);
    expect(rec.face.frames.face_found.some(Boolean)).toBe(false); // before the camera's first frame with a face
    rec.quality.present.face = true;
    rec.quality.face_detection_rate = 1;
    lines[i] = JSON.stringify(rec);
    writeFileSync(join(out, file), lines.join('\n') + '\n');
    const r = await validateDataset(out);
    const missing = r.checks.find((c) => c.name === 'missing')!;
    expect(missing.ok).toBe(false);
    expect(missing.message).toContain('s01/w00000: quality.present says face true, but the record has no face');
  });
});

describe('--face-fps 10 or 15 of a 25 fps video (frames picked unevenly)', () => {
  it('the native face rate_hz is the frames per second analysed, not one over the median of the first intervals (8.33, 12.5)', async () => {
    const feats = join(tmp.dir, 'features-picked');
    for (const fps of [10, 15]) {
      for (const [i, id] of ['s01', 's02', 's03'].entries()) {
        await writeSyntheticSession(feats, { session_id: id, duration_s: 10, seed: 11 + i, fps: 25, mediaDir: join(FIXTURES, 'demo') });
        // extract's --face-fps pick (src/face/extract.ts records()): the first frame of each 1/fps interval
        const lines = readFileSync(join(feats, id, 'face.jsonl'), 'utf8').trim().split('\n');
        const kept = lines.filter((_, k) => Math.floor((k / 25) * fps + 1e-6) > Math.floor(((k - 1) / 25) * fps + 1e-6) || k === 0);
        writeFileSync(join(feats, id, 'face.jsonl'), kept.join('\n') + '\n');
        await writeSyntheticMeta(feats, id);
      }
      const out = join(tmp.dir, `picked-${fps}`);
      await buildDataset(MANIFEST, { features: feats, out, faceRate: 'native' });
      // the mean interval of the first 100 frames: within 1 % (9.98 and 14.97 per second here; main said 8.33 and 12.5)
      for (const r of records(out)) expect(Math.abs((r.face as unknown as { rate_hz: number }).rate_hz - fps) / fps, `--face-fps ${fps} ${r.id}`).toBeLessThan(0.01);
    }
  });
});
