/**
 * A session built with another session's transcript (a new user's trial: p12's row named p03's transcript): its records
 * carried p03's words on p12's audio, `dataset build` and `dataset validate` exited 0, and nothing named p12; the rated
 * spans of p12 that matched no utterance were named only among the first five unmatched targets of the whole build,
 * in stderr, the card and manifest.json alike. Now such a session (2 or more rated spans, most matching no utterance)
 * gets a warning naming its manifest line and transcript, and manifest.json lists every unmatched target (stderr and
 * the card still name the first five). Control: the demo as it is gives no such warning. Synthetic features, in-process.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../src/dataset/build.js';
import { FIXTURES, tempDir } from './helpers/cli.js';
import { demoManifestCopy, writeDemoFeatures } from './helpers/demo-inputs.js';

const tmp = tempDir('mmprep-unmatched-spans-');
afterAll(() => tmp.cleanup());
const FEATURES = join(tmp.dir, 'features');
const RATINGS = join(FIXTURES, 'demo', 'ratings.csv');

beforeAll(() => writeDemoFeatures(FEATURES));

async function build(name: string, edit?: (csv: string) => string, ratings = RATINGS): Promise<{ notes: string[]; manifest: { labels: Array<{ key: string; targets_unmatched: string[] }> } }> {
  const manifest = demoManifestCopy(join(tmp.dir, name), edit);
  const notes: string[] = [];
  const out = join(tmp.dir, `${name}-out`);
  await buildDataset(manifest, { features: FEATURES, labels: [ratings], out, onNote: (n) => notes.push(n) });
  return { notes, manifest: JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) };
}

describe('dataset build: rated spans of a session that match no utterance', () => {
  it("another session's transcript: a warning naming the session, its line and transcript", async () => {
    const { notes } = await build('swapped', (csv) => csv.replace('s01_transcript.json', 's03_transcript.vtt'));
    const hits = notes.filter((n) => n.includes('match no transcript utterance'));
    expect(hits, notes.join('\n')).toEqual([expect.stringMatching(/^session s01: manifest line 2: [23] of the 3 rated spans of this session in ratings\.csv match no transcript utterance \(s01_u\d.*\): is transcript \S*s03_transcript\.vtt this session's and on the clock given in transcript_clock/)]);
  });

  it('control: the demo as it is gives no such warning', async () => {
    const { notes } = await build('as-is');
    expect(notes.filter((n) => n.includes('match no transcript utterance'))).toEqual([]);
  });

  it('a session without a transcript gets its own warning, not this one', async () => {
    const { notes } = await build('no-transcript', (csv) => csv.replace('s01_transcript.json', ''));
    expect(notes.filter((n) => n.includes('match no transcript utterance'))).toEqual([]);
    expect(notes.filter((n) => n.startsWith('session s01:') && n.includes('no transcript'))).toHaveLength(1);
  });

  it('manifest.json lists every unmatched target (stderr names the first five)', async () => {
    // 7 spans of 0.1 s at the start of s01, before its first utterance, none can match one (IoU at least 0.5); the demo's
    // valence ratings beside them match.
    const spans = Array.from({ length: 7 }, (_, i) => [0.05 + i * 0.12, 0.15 + i * 0.12].map((t) => t.toFixed(2)));
    const rows = spans.flatMap(([a, b], i) => ['r1', 'r2'].map((r, j) => `s01,${a},${b},early_${i},${r},valence,${(i + j) % 5}`));
    const ratings = join(tmp.dir, 'early.csv');
    const demo = readFileSync(RATINGS, 'utf8').trim().split('\n').slice(1).filter((l) => l.includes(',valence,'));
    writeFileSync(ratings, ['session_id,start_s,end_s,target,rater,dimension,rating', ...rows, ...demo].join('\n') + '\n');
    const { notes, manifest } = await build('early', undefined, ratings);
    // s02_u0: the demo's one rated span that matches no segment (its utterance is cut by the segmenter).
    expect(manifest.labels[0].targets_unmatched).toEqual([...spans.map((_, i) => `early_${i}`), 's02_u0']);
    expect(notes.find((n) => /valence.*matched no segment/.test(n))).toContain('8 matched no segment: early_0, early_1, early_2, early_3, early_4, …');
  });
});
