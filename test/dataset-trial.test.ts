/**
 * dataset build / validate on what a new user's trial found: transcripts off the recording, word order, overlaps,
 * releases with failed sessions, foreign files in the output folder, unmatched label targets. Synthetic feature folders
 * (writeSyntheticSession) with the manifest, transcripts and ratings of fixtures/demo; no media is decoded.
 */
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCliInProcess, tempDir } from './helpers/cli.js';
import { demoManifestCopy } from './helpers/demo-inputs.js';
import { buildDataset, type DatasetManifest } from '../src/dataset/build.js';
import { validateDataset, type ValidateReport } from '../src/dataset/validate.js';
import { writeSyntheticSession } from '../src/dataset/synthetic-features.js';
import { findSyncEntry, type SyncMap } from '../src/sync/clock.js';

const tmp = tempDir('mmprep-dataset-trial-');
afterAll(() => tmp.cleanup());
const DEMO = join(FIXTURES, 'demo');
const FEATURES = join(tmp.dir, 'features');
const OFFSETS: Record<string, number> = { s01: -0.62, s02: 0.3, s03: -0.26 };

beforeAll(async () => {
  for (const [i, [id, off]] of Object.entries(OFFSETS).entries())
    await writeSyntheticSession(FEATURES, { session_id: id, duration_s: 10, video_offset_s: off, faceGaps: [[5, 6]], seed: 11 + i, mediaDir: DEMO });
});

let inputs = 0;
/** A manifest like the demo's (media in fixtures/demo), with copies of the transcripts that `edit` may change. */
function demoInputs(edit: Record<string, (text: string) => string> = {}): string {
  const d = join(tmp.dir, `in${inputs++}`);
  const manifest = demoManifestCopy(d);
  for (const [file, fn] of Object.entries(edit)) writeFileSync(join(d, file), fn(readFileSync(join(d, file), 'utf8')));
  return manifest;
}
/** Moves JSONL transcript line `n` (1-based) by `dt` seconds, words included. */
const shiftLine = (n: number, dt: number) => (text: string) =>
  text
    .split('\n')
    .map((l, i) => (i === n - 1 ? JSON.stringify(shifted(JSON.parse(l), dt)) : l))
    .join('\n');
function shifted(o: { start: number; end: number; words?: Array<{ start: number; end: number }> }, dt: number) {
  return { ...o, start: o.start + dt, end: o.end + dt, words: o.words?.map((w) => ({ ...w, start: w.start + dt, end: w.end + dt })) };
}
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as DatasetManifest;
const failed = (r: ValidateReport) => r.checks.filter((c) => !c.ok).map((c) => c.name).sort();

describe('transcript times against the recording', () => {
  it('refuses a session whose utterance lies past the end of the recording, naming the transcript line; the rest is built (exit 4)', async () => {
    const man = demoInputs({ 's02_transcript.jsonl': shiftLine(2, 20) });
    const out = join(tmp.dir, 'shifted');
    const r = await runCliInProcess(['dataset', 'build', man, '--features', FEATURES, '-o', out, '--quiet']);
    expect(r.code).toBe(4);
    // (s02's transcript is on the camera's clock: since ttrial56 the line gives the times the file writes too)
    expect(r.stderr).toMatch(/^s02: FAILED: .*s02_transcript\.jsonl:2: utterance 24\.7\d*-27\.6\d* s on the reference clock \(24\.\d*-27\.\d* s in the transcript, on video's clock\) is outside the recording \(0-10\.3 s\): check the transcript's clock\/units/m);
    const m = manifestOf(out);
    expect(m.sessions.map((s) => [s.session_id, s.error === null])).toEqual([['s01', true], ['s02', false], ['s03', true]]);
  });

  it('accepts an utterance that overlaps the end of the recording by a frame', async () => {
    const r = await buildDataset(demoInputs(), { features: FEATURES, out: join(tmp.dir, 'edge') });
    const rec = r.manifest.sessions.find((s) => s.session_id === 's02')!.recording!;
    // s02's transcript is on the camera clock (t_ref = t_src + 0.3): its last utterance is moved to end 20 ms past the recording.
    const lines = readFileSync(join(DEMO, 's02_transcript.jsonl'), 'utf8').trim().split('\n');
    const last = JSON.parse(lines[lines.length - 1]) as { end: number; words: Array<{ end: number }> };
    const end = Math.max(last.end, ...last.words.map((w) => w.end)) + 0.3;
    const r2 = await buildDataset(demoInputs({ 's02_transcript.jsonl': shiftLine(lines.length, rec.end_s - end + 0.02) }), { features: FEATURES, out: join(tmp.dir, 'edge2') });
    expect(r2.manifest.sessions.map((s) => s.error)).toEqual([null, null, null]);
    const r3 = await buildDataset(demoInputs({ 's02_transcript.jsonl': shiftLine(lines.length, rec.end_s - end + 0.6) }), { features: FEATURES, out: join(tmp.dir, 'edge3') });
    expect(r3.manifest.sessions.map((s) => s.error)).toEqual([null, expect.stringMatching(/runs 0\.6 s past the end of the recording \(0-10\.3 s; up to 0\.5 s is allowed\)/), null]);
  });

  it("validate's times check fails records outside their session's recording", async () => {
    const out = join(tmp.dir, 'rec');
    await buildDataset(demoInputs(), { features: FEATURES, out });
    expect(failed(await validateDataset(out))).toEqual([]);
    const m = manifestOf(out);
    const s01 = m.sessions.find((s) => s.session_id === 's01')!;
    expect(s01.recording).toEqual({ start_s: -0.62, end_s: 10, frame_s: 0.04 });
    s01.recording = { ...s01.recording!, end_s: 3 };
    writeFileSync(join(out, 'manifest.json'), JSON.stringify(m, null, 2) + '\n');
    const v = await validateDataset(out);
    expect(failed(v)).toEqual(['times']);
    expect(v.checks.find((c) => c.name === 'times')!.message).toMatch(/s01\/u0001: .* outside the recording of session s01 \(-0\.62 to 3 s\)/);
  });
});

describe('word order at build', () => {
  it('refuses words out of order in an utterance, naming the transcript file, line and word', async () => {
    const swap = (text: string) =>
      text
        .split('\n')
        .map((l, i) => {
          if (i !== 1) return l;
          const o = JSON.parse(l) as { words: Array<{ start: number; end: number }> };
          [o.words[1], o.words[2]] = [o.words[2], o.words[1]];
          return JSON.stringify(o);
        })
        .join('\n');
    const r = await runCliInProcess(['dataset', 'build', demoInputs({ 's02_transcript.jsonl': swap }), '--features', FEATURES, '-o', join(tmp.dir, 'order'), '--quiet']);
    expect(r.stderr).toMatch(/s02_transcript\.jsonl:2: word 2 \("of"\) starts at 4\.797 s, before word 1 \("spades"\) at 4\.989 s: words out of order/);
    expect(r.code).toBe(4); // that session is left out, as for a word that ends before it starts
  });
});

describe('rebuilding into an existing release', () => {
  it("refuses (exit 2, one line) when the folder holds files the old release's manifest.json does not list; replaces a release alone", async () => {
    const man = demoInputs();
    const rel = join(tmp.dir, 'rel3');
    await buildDataset(man, { features: FEATURES, out: rel });
    writeFileSync(join(rel, 'my_notes.txt'), 'mine\n');
    const r = await runCliInProcess(['dataset', 'build', man, '--features', FEATURES, '-o', rel, '--gzip', '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/rel3: output folder holds a file that is not part of the mmprep release there \(my_notes\.txt\); rebuilding would delete it: move it out or choose another -o/);
    expect(readFileSync(join(rel, 'my_notes.txt'), 'utf8')).toBe('mine\n');
    expect(readdirSync(rel).sort()).toContain('data-train-00000.jsonl');
    rmSync(join(rel, 'my_notes.txt'));
    const again = await runCliInProcess(['dataset', 'build', man, '--features', FEATURES, '-o', rel, '--gzip', '--quiet']);
    expect(again.code).toBe(0);
    expect(readdirSync(rel).sort()).toEqual(['README.md', 'data-test-00000.jsonl.gz', 'data-train-00000.jsonl.gz', 'data-val-00000.jsonl.gz', 'manifest.json', 'schema.json']);
  });
});

describe('label targets that match no segment', () => {
  it('are named (the first five and the count) in the stderr note and the card, every one in manifest.json', async () => {
    const wide = join(tmp.dir, 'targets.csv');
    const rows = ['s01/u0000', 's03/u0002', 's02/u0001', 's01/u9', 's02/u9', 's03/u9', 's04/u0000', 's05/u0000', 'x'].map((t, i) => `${t},${i % 7},${(i + 1) % 7},${(i + 3) % 7}`);
    writeFileSync(wide, ['target,ann,bob,cy', ...rows].join('\n') + '\n');
    const out = join(tmp.dir, 'unmatched');
    const notes: string[] = [];
    const r = await buildDataset(demoInputs(), { features: FEATURES, labels: [wide], out, onNote: (n) => notes.push(n) });
    expect(r.manifest.labels[0]).toMatchObject({ targets: 9, targets_used: 3, targets_unmatched: ['s01/u9', 's02/u9', 's03/u9', 's04/u0000', 's05/u0000', 'x'] });
    expect(notes).toContain('labels: targets: 3 of 8 records labelled (37.5 %); 3 of 9 targets used; 6 matched no segment: s01/u9, s02/u9, s03/u9, s04/u0000, s05/u0000, …');
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toMatch(/6 rated targets of targets matched no segment \(`s01\/u9`, `s02\/u9`, `s03\/u9`, `s04\/u0000`, `s05\/u0000`, …\)\./);
  });
});

describe('overlaps in a transcript', () => {
  it('warns (stderr note and card) naming the lines, for utterances of one speaker and for words; other speakers may overlap', async () => {
    const edit = (text: string) =>
      text
        .split('\n')
        .map((l, i) => {
          if (!l) return l;
          const o = JSON.parse(l) as { start: number; end: number; speaker: string; words: Array<{ start: number; end: number }> };
          if (i === 1) o.words[3].start = o.words[2].end - 0.1; // word 3 starts inside word 2
          if (i === 0) o.end = 4.6; // runs into line 2 (4.414-7.354 s)
          return JSON.stringify(o);
        })
        .join('\n');
    const notes: string[] = [];
    const out = join(tmp.dir, 'overlap');
    const r = await buildDataset(demoInputs({ 's02_transcript.jsonl': edit }), { features: FEATURES, out, onNote: (n) => notes.push(n) });
    expect(r.manifest.sessions.map((s) => s.error)).toEqual([null, null, null]);
    const s02 = notes.filter((n) => n.startsWith('session s02: '));
    expect(s02).toHaveLength(2);
    expect(s02[0]).toMatch(/s02_transcript\.jsonl: 1 overlapping utterance of one speaker: line 1 and line 2 overlap \(speaker spk_g: 2\.78-4\.9 s and 4\.714-7\.654 s\)$/);
    expect(s02[1]).toMatch(/s02_transcript\.jsonl: 1 overlapping word: line 2: words 2 \("spades", 5\.289-5\.673 s\) and 3 \("four", 5\.573-5\.992 s\) overlap/);
    expect(notes.filter((n) => /session s0[13]: /.test(n))).toEqual([]);
    const card = readFileSync(join(out, 'README.md'), 'utf8');
    expect(card).toMatch(/- session s02: transcript .*s02_transcript\.jsonl: 1 overlapping utterance of one speaker: line 1 and line 2 overlap/);
    // Another speaker overlapping is normal speech: no warning.
    const other = (text: string) => edit(text).split('\n').map((l, i) => (i === 0 ? l.replace('"speaker":"spk_g"', '"speaker":"spk_x"') : l)).join('\n');
    const notes2: string[] = [];
    await buildDataset(demoInputs({ 's02_transcript.jsonl': other }), { features: FEATURES, out: join(tmp.dir, 'overlap2'), onNote: (n) => notes2.push(n) });
    expect(notes2.filter((n) => /overlapping utterance/.test(n))).toEqual([]);
  });
});

describe('a word outside its own utterance', () => {
  // A segment whose times were corrected by hand while its words' were not: the record was widened over the gap to
  // the stray word (2.78-5.6 s on the reference clock), taking in the next utterance's speech, and nothing was said.
  it('is a warning naming the line and word, and the widened record overlapping the next utterance is one too', async () => {
    const stray = (text: string) =>
      text
        .split('\n')
        .map((l, i) => {
          if (i !== 0 || !l) return l;
          const o = JSON.parse(l) as { words: Array<{ start: number; end: number }> };
          [o.words[1].start, o.words[1].end] = [5.0, 5.3];
          return JSON.stringify(o);
        })
        .join('\n');
    const notes: string[] = [];
    const out = join(tmp.dir, 'stray');
    const r = await buildDataset(demoInputs({ 's02_transcript.jsonl': stray }), { features: FEATURES, out, onNote: (n) => notes.push(n) });
    expect(r.manifest.sessions.map((s) => s.error)).toEqual([null, null, null]);
    const s02 = notes.filter((n) => n.startsWith('session s02: '));
    expect(s02).toHaveLength(2);
    expect(s02[0]).toMatch(/s02_transcript\.jsonl: 1 overlapping utterance of one speaker: line 1 and line 2 overlap \(speaker spk_g: 2\.78-5\.6 s \(widened to its words\) and 4\.714-7\.654 s\)$/);
    expect(s02[1]).toMatch(/s02_transcript\.jsonl: 1 word outside its utterance: line 1: word 1 \("five", 5\.3-5\.6 s\) is outside its utterance \(2\.78-3\.69 s\); the record covers 2\.78-5\.6 s \(widened to its words\)$/);
    expect(r.manifest.sessions.find((s) => s.session_id === 's02')!.warnings).toHaveLength(2);
    expect(notes.filter((n) => /session s0[13]: /.test(n))).toEqual([]);
  });
});

describe('a copy of the media folder', () => {
  const copyMedia = (name: string, swap?: [string, string]) => {
    const d = join(tmp.dir, name);
    cpSync(DEMO, d, { recursive: true });
    if (swap) cpSync(join(DEMO, swap[1]), join(d, swap[0]));
    return join(d, 'manifest.csv');
  };

  it('byte-identical: the sync.json made for the original files is used; other content is refused as "different content"', async () => {
    const same = await buildDataset(copyMedia('d2'), { features: FEATURES, out: join(tmp.dir, 'd2-rel') });
    expect(same.manifest.sessions.map((s) => s.error)).toEqual([null, null, null]);
    const other = await buildDataset(copyMedia('d3', ['s02_camera.mp4', 's01_camera.mp4']), { features: FEATURES, out: join(tmp.dir, 'd3-rel') });
    expect(other.failedSessions.find((s) => s.session_id === 's02')!.error).toMatch(
      /sync\.json: was made for .*fixtures\/demo\/s02_camera\.mp4, not .*d3\/s02_camera\.mp4 \(same name, different content\); rerun mmprep sync/,
    );
  });

  it('compares with the sha256 extract recorded when the original file is gone', () => {
    const cam = join(DEMO, 's02_camera.mp4');
    const sha = createHash('sha256').update(readFileSync(cam)).digest('hex');
    const map: SyncMap = { version: 1, reference: { file: 'lav.flac', kind: 'audio', stream: 0 }, streams: [{ file: '/gone/s02_camera.mp4', kind: 'video', stream: 0, offset_s: 0.3, drift_ppm: null, method: 'flash', confidence: 1 }] };
    expect(findSyncEntry(map, tmp.dir, cam, 'video', 0, 'sync.json', sha)?.offset_s).toBe(0.3);
    expect(() => findSyncEntry(map, tmp.dir, cam, 'video', 0, 'sync.json', '0'.repeat(64))).toThrow(/same name, different content/);
    expect(() => findSyncEntry(map, tmp.dir, cam, 'video', 0, 'sync.json')).toThrow(/\/gone\/s02_camera\.mp4 is gone and nothing recorded its sha256/);
  });
});
