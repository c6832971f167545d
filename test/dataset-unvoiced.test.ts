/**
 * trial29 SILENT-1: a transcript timed on the camera clock but read as the lav's (an empty transcript_clock) landed
 * 7.3 s early; every utterance record had voiced_ratio 0, and `dataset build` said nothing (exit 0). Now a session
 * whose utterance records (2 or more with a voiced_ratio) are all unvoiced is a warning naming the session and its
 * manifest line. Control: the same features with the transcript on the voiced part give no such warning.
 * Synthetic feature folders (audio unvoiced from 5.5 s on), no media decoded.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../src/dataset/build.js';
import { writeSyntheticSession } from '../src/dataset/synthetic-features.js';
import { FIXTURES, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-unvoiced-');
afterAll(() => tmp.cleanup());
const DEMO = join(FIXTURES, 'demo');
const FEATURES = join(tmp.dir, 'features');

beforeAll(async () => {
  await writeSyntheticSession(FEATURES, { session_id: 's01', duration_s: 10, seed: 21, mediaDir: DEMO, unvoiced: [[5.5, 10]] });
});

/** A manifest of s01 (the demo's media) with a Whisper-style transcript whose 3 utterances start at `starts`. */
function manifestWith(name: string, starts: number[]): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  const segments = starts.map((t, id) => ({ id, start: t, end: t + 1, text: ` card ${id}`, words: [{ word: ' card', start: t, end: t + 0.5, probability: 0.9 }, { word: ` ${id}`, start: t + 0.5, end: t + 1, probability: 0.9 }] }));
  writeFileSync(join(dir, 't.json'), JSON.stringify({ text: segments.map((s) => s.text).join(''), language: 'en', segments }));
  const csv = ['session_id,speaker_id,video,lav_audio,transcript,transcript_clock', `s01,spk_a,${join(DEMO, 's01_camera.mp4')},${join(DEMO, 's01_lav.flac')},t.json,`];
  writeFileSync(join(dir, 'manifest.csv'), csv.join('\n') + '\n');
  return join(dir, 'manifest.csv');
}

async function build(name: string, starts: number[]): Promise<string[]> {
  const notes: string[] = [];
  await buildDataset(manifestWith(name, starts), { features: FEATURES, out: join(tmp.dir, `${name}-out`), onNote: (n) => notes.push(n) });
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

  it('control: the same session with its transcript on the voiced part gives no such warning', async () => {
    const notes = await build('on', [0.5, 2, 3.5]);
    expect(notes.filter((n) => n.includes('voiced audio'))).toEqual([]);
  });
});
