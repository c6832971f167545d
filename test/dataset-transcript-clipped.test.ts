/**
 * An utterance running past the recording by less than the allowed margin (a new user's trial, 2026-12-06, M4: a
 * segment ending 0.3 s after the recording kept its end in its record, with no word, while a label span in the same
 * margin is clipped with a warning). Now its record is clipped to the recording and `transcript_clipped` says so.
 * Synthetic 10 s feature folders: nothing decoded.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess, tempDir } from './helpers/cli.js';
import { demoManifestCopy, writeDemoFeatures } from './helpers/demo-inputs.js';
import { writeSyntheticMeta } from '../src/dataset/synthetic-features.js';

const tmp = tempDir('mmprep-transcript-clipped-');
afterAll(() => tmp.cleanup());
const FEATURES = join(tmp.dir, 'features');
let manifest: string;

beforeAll(async () => {
  await writeDemoFeatures(FEATURES);
  // s03's audio stops at 6 s (a lavalier that stopped before the camera): its third utterance (6.74-7.65 s) has none
  const a = join(FEATURES, 's03', 'audio.jsonl');
  writeFileSync(a, readFileSync(a, 'utf8').split('\n').filter((l) => l && JSON.parse(l).t_s < 6).join('\n') + '\n');
  await writeSyntheticMeta(FEATURES, 's03');
  manifest = demoManifestCopy(join(tmp.dir, 'demo'));
  const t = join(tmp.dir, 'demo', 's01_transcript.json');
  const doc = JSON.parse(readFileSync(t, 'utf8'));
  const last = doc.segments[doc.segments.length - 1];
  last.end = 10.3;
  last.words[last.words.length - 1].end = 10.02;
  last.words.push({ word: 'more', start: 10.05, end: 10.3 }); // wholly beyond the recording (ttrial58d)
  writeFileSync(t, JSON.stringify(doc));
});

describe('an utterance past the recording, within the margin', () => {
  it('its record is clipped to the recording, and transcript_clipped says so (was kept to 10.3 s, no word)', async () => {
    const out = join(tmp.dir, 'rel');
    const r = await runCliInProcess(['dataset', 'build', manifest, '--features', FEATURES, '-o', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: session s01: 1 utterance\(s\), widened to their words, run past the recording \(-0\.5 to 10 s; within the allowed margin\): their records are clipped to it \(s01\/u0002 6\.576-10\.3 s\)/);
    const recs = readdirSync(out).filter((f) => f.startsWith('data-')).flatMap((f) => readFileSync(join(out, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l)));
    expect(recs.find((x) => x.id === 's01/u0002')?.end_s).toBe(10);
    // the word wholly beyond the recording is named (was kept with null means, named nowhere)
    expect(r.stderr).toMatch(/as nothing was recorded beyond it; 1 of their words lie wholly beyond it \("more" 10\.05-10\.3 s in s01\/u0002\): kept in the records' words, with null means and n 0/);
    expect(recs.find((x) => x.id === 's01/u0002')?.words.at(-1)).toMatchObject({ word: 'more', audio: { n: 0 } });
    const dm = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(dm.sessions[0].issues.map((i: { kind: string }) => i.kind)).toContain('transcript_clipped');
    // ttrial58d: records without audio in a session with audio are named (were null, present.audio false, no word)
    expect(r.stderr).toMatch(/warning: session s03: audio: 1 of 3 records \(s03\/u0002\) hold no audio frame: the session's audio covers -0\.005 to 5\.995 s on the reference clock/);
    expect(recs.find((x) => x.id === 's03/u0002')).toMatchObject({ audio: null, quality: { present: { audio: false } } });
    expect(dm.sessions.find((x: { session_id: string }) => x.session_id === 's03').issues.map((i: { kind: string }) => i.kind)).toContain('audio_unheld');
  });
});

/** A minimal long-format TextGrid (Praat's "Save as text file") with one words tier: three words at 1-2.6 s of 0-xmax. */
function textGrid(xmax: number): string {
  const iv = [[0, 1, ''], [1, 1.5, 'ten'], [1.5, 2, 'of'], [2, 2.6, 'clubs'], [2.6, xmax, '']] as const;
  const rows = iv.map(([a, b, t], i) => `        intervals [${i + 1}]:\n            xmin = ${a}\n            xmax = ${b}\n            text = "${t}"`).join('\n');
  return `File type = "ooTextFile"\nObject class = "TextGrid"\n\nxmin = 0\nxmax = ${xmax}\ntiers? <exists>\nsize = 1\nitem []:\n    item [1]:\n        class = "IntervalTier"\n        name = "words"\n        xmin = 0\n        xmax = ${xmax}\n        intervals: size = ${iv.length}\n${rows}\n`;
}

describe('a TextGrid made on a recording of another length (another session\'s)', () => {
  it('is warned transcript_length, and validate fails on it; a TextGrid of the recording\'s length is not (tuser58: s02\'s TextGrid given as s01\'s built and validated, exit 0)', async () => {
    // s01's meta.json records its inputs as extract does (role, size, sha256, duration): the TextGrid's clock role is the lav.
    const metaPath = join(FEATURES, 's01', 'meta.json');
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
    const demo = join(process.cwd(), 'fixtures', 'demo');
    meta.inputs = [['video', 'video', 's01_camera.mp4'], ['lav_audio', 'audio', 's01_lav.flac']].map(([role, kind, file]) => {
      const bytes = readFileSync(join(demo, file));
      return { role, kind, file, size_bytes: statSync(join(demo, file)).size, sha256: createHash('sha256').update(bytes).digest('hex'), duration_s: 10 };
    });
    writeFileSync(metaPath, JSON.stringify(meta, null, 2) + '\n');
    for (const [name, xmax, warned] of [['other', 14, true], ['own', 10.02, false]] as const) {
      const dir = join(tmp.dir, `tg-${name}`);
      const m = demoManifestCopy(dir, (csv) => csv.replace('s01_transcript.json', `s01_${name}.TextGrid`));
      writeFileSync(join(dir, `s01_${name}.TextGrid`), textGrid(xmax));
      const out = join(tmp.dir, `rel-${name}`);
      const r = await runCliInProcess(['dataset', 'build', m, '--features', FEATURES, '-o', out, '--quiet']);
      expect(r.code, r.stderr).toBe(0);
      const said = /warning: session s01: transcript .*s01_other\.TextGrid: the TextGrid spans 0-14 s \(14\.000 s, the length of the audio it was made on\), but lav_audio's recording, whose clock its times are read on, lasts 10\.000 s: a TextGrid of another recording/;
      expect(said.test(r.stderr)).toBe(warned);
      const v = await runCliInProcess(['dataset', 'validate', out]);
      if (warned) expect(v.stdout + v.stderr).toMatch(/transcript_length/);
      expect(v.code, v.stdout + v.stderr).toBe(warned ? 3 : 0);
    }
  });
});
