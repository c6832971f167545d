/**
 * A new user's trial: `dataset build --segments fixed:2:5` (hop longer than the window) left 3 s out after every
 * window, with exit 0 and no word about it. Now a stderr note says the records will not cover the recording;
 * hop = window (the default) and hop < window (overlapping windows) say nothing. Synthetic feature folders.
 * Also (trial 29, SILENT-6): a word crossing a window edge kept its full start_s/end_s but its `words[].audio`/`face`
 * were averaged over only the frames read for the window (rms 45 % off); now they equal its utterance record's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess, tempDir } from './helpers/cli.js';
import { demoManifestCopy, writeDemoFeatures } from './helpers/demo-inputs.js';

const tmp = tempDir('mmprep-dataset-gaps-');
afterAll(() => tmp.cleanup());
const FEATURES = join(tmp.dir, 'features');
const MANIFEST = join(tmp.dir, 'demo', 'manifest.csv');

beforeAll(async () => {
  await writeDemoFeatures(FEATURES);
  demoManifestCopy(join(tmp.dir, 'demo'));
});

describe('dataset build --segments fixed:LEN:HOP', () => {
  it('says on stderr that a hop longer than the window leaves gaps; not for hop <= window', async () => {
    const build = (mode: string, out: string) => runCliInProcess(['dataset', 'build', MANIFEST, '--features', FEATURES, '-o', join(tmp.dir, out), '--segments', mode, '--quiet']);
    const gaps = await build('fixed:2:5', 'gaps');
    expect(gaps.code, gaps.stderr).toBe(0);
    expect(gaps.stderr).toContain('mmprep dataset build: --segments fixed:2:5: the hop (5 s) is longer than the window (2 s), so the records leave 3 s out after every window (60 % of each session, its words included); give HOP <= LEN to cover the recording\n');
    for (const [mode, out] of [['fixed:0.37', 'tile'], ['fixed:2:1', 'overlap'], ['utterance', 'utt']]) {
      const r = await build(mode, out);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toContain('hop');
    }
  }, 90_000);

  it('overlapping windows (HOP < LEN) stop at the first that reaches the session\'s end: none lies wholly inside the one before (ttrial55)', () => {
    const bySession = new Map<string, Rec[]>();
    for (const r of records('overlap')) bySession.set(r.session_id, [...(bySession.get(r.session_id) ?? []), r]);
    expect(bySession.size).toBe(3);
    for (const [sid, recs] of bySession) {
      recs.sort((x, y) => x.start_s - y.start_s);
      const end = Math.max(...recs.map((r) => r.end_s));
      // before: 9.995-10.005 (one frame) after 8.995-10.005 on a 10 s session
      expect(recs.filter((r) => r.end_s === end), `${sid} ${JSON.stringify(recs.map((r) => [r.start_s, r.end_s]))}`).toHaveLength(1);
      for (let i = 1; i < recs.length; i++) expect(recs[i].end_s, `${sid} record ${i}`).toBeGreaterThan(recs[i - 1].end_s);
    }
  });

  it('gives a word crossing a window edge the values of its whole span, as in its utterance record', () => {
    const whole = new Map<string, Word>();
    for (const rec of records('utt')) for (const w of rec.words) whole.set(`${rec.session_id} ${w.start_s} ${w.end_s}`, w);
    let crossing = 0;
    let compared = 0;
    for (const rec of records('tile')) {
      for (const w of rec.words) {
        const ref = whole.get(`${rec.session_id} ${w.start_s} ${w.end_s}`);
        if (!ref) continue;
        compared++;
        if (w.start_s < rec.start_s || w.end_s > rec.end_s) crossing++;
        expect(w.audio && w.face).toBeTruthy();
        expect({ audio: w.audio, face: w.face }, `${rec.session_id} ${w.word} ${w.start_s}-${w.end_s} in ${rec.start_s}-${rec.end_s}`).toEqual({ audio: ref.audio, face: ref.face });
      }
    }
    expect(compared).toBeGreaterThan(20);
    expect(crossing).toBeGreaterThan(10); // most words of a 0.37 s tiling cross an edge
  });
});

interface Word { word: string; start_s: number; end_s: number; audio?: unknown; face?: unknown }
interface Rec { session_id: string; start_s: number; end_s: number; words: Word[] }

function records(out: string): Rec[] {
  const dir = join(tmp.dir, out);
  const files = readdirSync(dir).filter((n) => /^data-.*\.jsonl$/.test(n)).sort();
  return files.flatMap((n) => readFileSync(join(dir, n), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec));
}
