/**
 * Several rated targets on one record (ttrial47 W2): r2's export named s01's utterances `clip0..2` where r1 and r3
 * named them `s01_u0..2`, the same spans. The record took the first target's label: s01's records carried r2's rating
 * alone (valence gold 9, sd null; the three raters' mean is 8), and r1's and r3's targets were reported as "matched no
 * segment", exit 0. Now the record carries every rater's rating and the gold of them all, no target is called
 * unmatched, and a `labels_merged` warning says so; one rater with ratings of two targets on one record (an utterance
 * rated as two halves) fails the session naming the rater and both targets. Synthetic features, in-process.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../src/dataset/build.js';
import { mergeTargetLabels } from '../src/dataset/labels.js';
import { goldProblem } from '../src/dataset/validate-gold.js';
import { FIXTURES, tempDir } from './helpers/cli.js';
import { demoManifestCopy, writeDemoFeatures } from './helpers/demo-inputs.js';

const tmp = tempDir('mmprep-labels-merged-');
afterAll(() => tmp.cleanup());
const FEATURES = join(tmp.dir, 'features');
const DEMO_RATINGS = readFileSync(join(FIXTURES, 'demo', 'ratings.csv'), 'utf8');

beforeAll(() => writeDemoFeatures(FEATURES));

type Release = { labels: Array<{ key: string; targets_unmatched: string[]; records_labelled: number; warnings: string[] }>; sessions: Array<{ session_id: string; error: string | null; transcript_sha256?: string | null; issues?: Array<{ kind: string; message: string }> }> };

async function build(name: string, ratingsCsv: string): Promise<{ manifest: Release; records: Array<{ id: string; labels: Record<string, { target: string; gold: Record<string, unknown>; ratings: Array<{ rater: string; value: number }> }> }> }> {
  const ratings = join(tmp.dir, `${name}.csv`);
  writeFileSync(ratings, ratingsCsv);
  const out = join(tmp.dir, `${name}-out`);
  await buildDataset(demoManifestCopy(join(tmp.dir, name)), { features: FEATURES, labels: [ratings], out, onNote: () => undefined });
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Release;
  const text = ['train', 'val', 'test'].map((s) => { try { return readFileSync(join(out, `data-${s}-00000.jsonl`), 'utf8'); } catch { return ''; } }).join('');
  return { manifest, records: text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

describe('dataset build: rated targets that fall on one record', () => {
  it("two raters' names for one span: the record carries all three raters' ratings, none is unmatched", async () => {
    const csv = DEMO_RATINGS.replace(/^(s01,[\d.]+,[\d.]+,)s01_u(\d)(,r2,)/gm, '$1clip$2$3');
    expect(csv).toContain('clip0,r2,valence,9');
    const { manifest, records } = await build('renamed', csv);
    const u0 = records.find((r) => r.id === 's01/u0000')!;
    expect(u0.labels.valence.ratings).toEqual([{ rater: 'r1', value: 8 }, { rater: 'r2', value: 9 }, { rater: 'r3', value: 7 }]);
    expect(u0.labels.valence.gold).toEqual({ mean: 8, median: 8, sd: 1 });
    expect(goldProblem(u0.labels.valence)).toBeNull();
    for (const l of manifest.labels) expect(l.targets_unmatched.filter((t) => t.startsWith('s01') || t.startsWith('clip'))).toEqual([]);
    const demo = await build('demo', DEMO_RATINGS);
    expect(manifest.labels.map((l) => l.records_labelled)).toEqual(demo.manifest.labels.map((l) => l.records_labelled));
    const issues = manifest.sessions.find((s) => s.session_id === 's01')!.issues ?? [];
    expect(issues.filter((x) => x.kind === 'labels_merged').map((x) => x.message)).toEqual([expect.stringContaining('3 record(s) have labels that merge the ratings of several rated targets falling on one record (s01/u0000: clip0 + s01_u0, s01/u0001: clip1 + s01_u1, s01/u0002: clip2 + s01_u2)')]);
    expect(JSON.stringify(demo.manifest.sessions)).not.toContain('labels_merged');
    expect(JSON.stringify(demo.manifest.sessions)).not.toContain('labels_span_holds');
  });

  it('a rated span holding two utterances labels one, and a warning names the other (ttrial50 W3)', async () => {
    // s01_u1 rated over 2.69-5.715 s: IoU 0.51 with s01/u0001 (its label), and s01/u0000 (2.69-3.42) lies wholly inside
    const csv = DEMO_RATINGS.replace(/^s01,4\.185,5\.715,s01_u1,/gm, 's01,2.690,5.715,s01_u1,');
    expect(csv).toContain('s01,2.690,5.715,s01_u1,r3,arousal');
    const { manifest } = await build('holds', csv);
    const issues = manifest.sessions.find((s) => s.session_id === 's01')!.issues ?? [];
    expect(issues.filter((x) => x.kind === 'labels_span_holds').map((x) => x.message)).toEqual([
      'labels: 1 rated span of holds.csv wholly contains another record it does not label (a span labels only the record it overlaps most, IoU at least 0.5): s01_u1 (2.69-5.715 s) labels s01/u0001 and holds s01/u0000; the held records get no label from it: rate each utterance on its own span, or build with --segments labels (a record per rated span)',
    ]);
  });

  it('one rater who rated an utterance as two halves: the session fails naming the rater and both targets', async () => {
    const csv = DEMO_RATINGS.replace('s01,4.185,5.715,s01_u1,r1,valence,7', 's01,4.185,4.950,s01_u1a,r1,valence,7\ns01,4.950,5.715,s01_u1b,r1,valence,3');
    expect(csv).toContain('s01_u1b');
    const { manifest } = await build('halves', csv);
    expect(manifest.sessions.find((s) => s.session_id === 's01')!.error).toContain("record s01/u0001: rater 'r1' rated both 's01_u1a' and 's01_u1b' (valence), and both fall on this record");
  });

  it('categories: the majority and distribution of all the targets\' ratings, a tie null', () => {
    const where = { record: 'a/u0000', key: 'emotion', file: 'x.csv' };
    const m = mergeTargetLabels([{ target: 't1', gold: {}, ratings: [{ rater: 'r1', value: 'joy' }, { rater: 'r3', value: 'anger' }] }, { target: 't2', gold: {}, ratings: [{ rater: 'r2', value: 'joy' }] }], true, where);
    expect(m).toEqual({ target: 't1', gold: { majority: 'joy', distribution: { anger: 1, joy: 2 } }, ratings: [{ rater: 'r1', value: 'joy' }, { rater: 'r2', value: 'joy' }, { rater: 'r3', value: 'anger' }] });
    const tie = mergeTargetLabels([{ target: 't1', gold: {}, ratings: [{ rater: 'r1', value: 'joy' }] }, { target: 't2', gold: {}, ratings: [{ rater: 'r2', value: 'anger' }] }], true, where);
    expect(tie.gold.majority).toBeNull();
    expect(goldProblem(tie)).toBeNull();
  });
});

describe('dataset build: ratings keyed by record id alone (ttrial47 W3)', () => {
  it('a labels warning says the id mapping is unchecked; manifest.json records each transcript\'s sha256', async () => {
    const { manifest } = await build('ids', 'target,rater,dimension,rating\ns01/u0000,r1,valence,8\ns01/u0000,r2,valence,9\ns01/u0001,r1,valence,7\ns01/u0001,r2,valence,6\n');
    expect(manifest.labels[0].records_labelled).toBe(2);
    // (2 rated targets: the few_targets warning comes first, test/agreement-left48.test.ts)
    expect(manifest.labels[0].warnings).toEqual([
      expect.stringMatching(/^ids\.csv: only 2 targets in dimension 'valence' are rated by two or more raters/),
      expect.stringContaining('ids.csv: its targets are matched to records by id alone (no session_id, start_s, end_s columns), so nothing checks that a record id still names the utterance that was rated'),
    ]);
    // ttrial59c: window ids (--segments fixed) move with LEN and HOP, and the warning says so.
    expect(manifest.labels[0].warnings[1]).toContain('as another --segments fixed LEN or HOP renumbers the windows (w00001 is the second second under fixed:1, 2-4 s under fixed:2)');
    const sha = (f: string) => createHash('sha256').update(readFileSync(join(FIXTURES, 'demo', f))).digest('hex');
    expect(manifest.sessions.map((s) => s.transcript_sha256)).toEqual([sha('s01_transcript.json'), sha('s02_transcript.jsonl'), sha('s03_transcript.vtt')]);
    // ratings with spans get no such warning
    const spans = await build('spans', DEMO_RATINGS);
    expect(spans.manifest.labels.flatMap((l) => l.warnings).filter((w) => w.includes('by id alone'))).toEqual([]);
  });
});
