/**
 * `dataset build --labels gold.csv` with a continuous gold trace (RECOLA/AVEC: target,dimension,time_s,gold,sd,n_raters,
 * as `mmprep agreement FILE --traces --gold` writes it). Before, such a file was read as a wide ratings sheet and
 * refused with "column 'gold' would be read as a rater … named like a summary of the ratings" (exit 2; with
 * session_id in place of target: "pass --target-col gold --rater-col n_raters --rating-col sd", advice that leads
 * nowhere). Now each record gets the trace's time-weighted mean over its span (nearest-sample hold), with sd,
 * n_samples and coverage; the trace is read on labels_clock's role. Expected figures are worked by hand from
 * fixtures/dataset/gold-trace/gold.csv (scripts/make-gold-trace-fixture.mjs). Synthetic feature folders, no media decoded.
 */
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCliInProcess, tempDir } from './helpers/cli.js';
import { demoManifestCopy } from './helpers/demo-inputs.js';
import { writeSyntheticSession } from '../src/dataset/synthetic-features.js';
import { buildDataset } from '../src/dataset/build.js';

const tmp = tempDir('mmprep-dataset-trace-');
afterAll(() => tmp.cleanup());
const FEATURES = join(tmp.dir, 'features');
const GOLD = join(FIXTURES, 'dataset', 'gold-trace', 'gold.csv');
let MANIFEST = '';

beforeAll(async () => {
  // s01's camera placed 1.5 s after the reference by its sync map (t_ref = t_cam + 1.5); its trace was rated watching it
  for (const [i, id] of ['s01', 's02', 's03'].entries())
    await writeSyntheticSession(FEATURES, { session_id: id, duration_s: 10, seed: 11 + i, mediaDir: join(FIXTURES, 'demo'), ...(id === 's01' ? { video_offset_s: 1.5 } : {}) });
  MANIFEST = demoManifestCopy(join(tmp.dir, 'demo'), (csv) => csv.replace(/\n$/, '').split('\n').map((l, i) => `${l},${i === 0 ? 'labels_clock' : l.startsWith('s01,') ? 'video' : ''}`).join('\n') + '\n');
});

type Rec = { id: string; start_s: number; end_s: number; labels: Record<string, { target: string; gold: { mean: number; sd: number; n_samples: number; coverage: number; raters_sd: number | null } }> };

function records(dir: string): Map<string, Rec> {
  const out = new Map<string, Rec>();
  for (const f of readdirSync(dir).filter((x) => x.startsWith('data-')).sort())
    for (const l of readFileSync(join(dir, f), 'utf8').trim().split('\n')) {
      const r = JSON.parse(l) as Rec;
      out.set(r.id, r);
    }
  return out;
}

const build = (out: string, extra: Record<string, unknown> = {}, labels = [GOLD], notes: string[] = []) =>
  buildDataset(MANIFEST, { features: FEATURES, out: join(tmp.dir, out), labels, segments: 'fixed:2', onNote: (n) => notes.push(n), onWarning: (n) => notes.push(n), ...extra });

describe('dataset build --labels with a gold trace', () => {
  let recs: Map<string, Rec>;
  const out = join(tmp.dir, 'rel');
  beforeAll(async () => {
    await build('rel');
    recs = records(out);
  });

  it('a ramp on the reference clock: each window gets the ramp at its middle (s02, labels_clock empty)', () => {
    const r = recs.get('s02/w00001')!;
    expect([r.start_s, r.end_s]).toEqual([1.48, 3.48]);
    expect(r.labels.arousal.target).toBe('s02');
    // gold = time_s / 10 on a 0.04 s grid, window edges on samples: (1.48 + 3.48) / 2 / 10
    expect(r.labels.arousal.gold).toMatchObject({ mean: 0.248, n_samples: 51, coverage: 1, raters_sd: 0.1 });
    expect(recs.get('s02/w00004')!.labels.arousal.gold.mean).toBe(0.848);
  });

  it("s01's trace, on the camera's clock (labels_clock video, camera 1.5 s after the reference), is shifted by 1.5 s", () => {
    const r = recs.get('s01/w00001')!;
    expect([r.start_s, r.end_s]).toEqual([1.995, 3.995]);
    // camera time = reference - 1.5: 0.495-2.495 s, ramp mean 0.1495 (read as reference times it would be 0.2995)
    expect(r.labels.arousal.gold.mean).toBe(0.1495);
    expect(recs.get('s01/w00002')!.labels.arousal.gold.mean).toBe(0.3495);
    // the valence step (camera 5 s: between samples 4.96 and 5.00, so at 4.98 = 6.48 s reference) in 5.995-7.995 s:
    // 0.4 over 1.515 s, -0.2 over 0.485 s
    expect(recs.get('s01/w00003')!.labels.valence.gold.mean).toBe(0.2545);
    expect(recs.get('s01/w00004')!.labels.valence.gold).toMatchObject({ mean: 0.4, sd: 0 });
  });

  it('a window the trace covers less than half of is unlabelled, and counted in manifest.json', () => {
    // s01/w00000 (-0.005-1.995 s = camera -1.505-0.495 s: covered from -0.02, 26 %); s02/w00002 (3.48-5.48 s: no rater 4-6 s, 25 %)
    expect(recs.get('s01/w00000')!.labels).toEqual({});
    expect(recs.get('s02/w00002')!.labels).toEqual({});
    // s02/w00003 (5.48-7.48 s) is covered from 5.98 s: 75 %, labelled with the mean of that part
    expect(recs.get('s02/w00003')!.labels.arousal.gold.coverage).toBe(0.75);
    expect(recs.get('s03/w00001')!.labels).toEqual({}); // s03 has no trace
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const arousal = m.labels.find((l: { key: string }) => l.key === 'arousal');
    expect(arousal.kind).toBe('trace');
    expect(arousal.trace).toMatchObject({ file: 'gold.csv', grid_step_s: 0.04, samples: 450, sessions: 2, min_coverage: 0.5, records_labelled: 10, records_below_min_coverage: 2, records_without_trace: 6 });
    expect(arousal.records_labelled).toBe(10);
    expect(m.options.min_trace_coverage).toBe(0.5);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain("arousal is a gold trace (gold.csv: 450 samples of 2 session(s), grid 0.04 s): each record's label is the trace's time-weighted mean over its span");
  });

  it('--min-trace-coverage 0.8 leaves the 75 % windows unlabelled too', async () => {
    await build('rel-80', { minTraceCoverage: 0.8 });
    const r = records(join(tmp.dir, 'rel-80'));
    expect(r.get('s02/w00003')!.labels).toEqual({});
    expect(r.get('s02/w00000')!.labels).toEqual({});
    const m = JSON.parse(readFileSync(join(tmp.dir, 'rel-80', 'manifest.json'), 'utf8'));
    expect(m.labels[0].trace).toMatchObject({ min_coverage: 0.8, records_below_min_coverage: 4, records_labelled: 8 });
  });

  it('dataset validate passes the release; a rebuild is byte-identical', async () => {
    const v = await runCliInProcess(['dataset', 'validate', out]);
    expect(v.stdout).toContain('dataset valid');
    expect(v.code).toBe(0);
    await build('rel-again');
    const again = join(tmp.dir, 'rel-again');
    for (const f of readdirSync(out)) expect(readFileSync(join(again, f)), f).toEqual(readFileSync(join(out, f)));
  }, 60_000);

  it("validate fails a trace mean edited into a ratings label's shape (the schema holds a trace label to its own)", async () => {
    const bad = join(tmp.dir, 'rel-bad');
    await build('rel-bad');
    const f = readdirSync(bad).find((x) => x.startsWith('data-') && readFileSync(join(bad, x), 'utf8').includes('"s02/'))!;
    writeFileSync(join(bad, f), readFileSync(join(bad, f), 'utf8').replace('"n_samples":51', '"median":1,"n_samples":51'));
    const v = await runCliInProcess(['dataset', 'validate', bad]);
    expect(v.code).toBe(3);
    expect(v.stdout).toMatch(/FAIL schema: \d+ problems?: data-\w+-00000\.jsonl:\d+ \(s02\/w0000\d\): \/labels\/arousal\/gold must NOT have additional properties/);
  }, 60_000);
});

describe('a gold trace beside a ratings file of the same dimensions', () => {
  it('gives keys <file stem>.<dimension>, and the release validates (a dotted key was an internal error of schema.json)', async () => {
    // the demo's manifest (no labels_clock: one column serves every labels file of a session, and the ratings' spans are on the lav's clock)
    const manifest = demoManifestCopy(join(tmp.dir, 'demo-plain'));
    const out = join(tmp.dir, 'rel-mixed');
    await buildDataset(manifest, { features: FEATURES, out, labels: [GOLD, join(FIXTURES, 'demo', 'ratings.csv')], segments: 'utterance', onNote: () => {}, onWarning: () => {} });
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.labels.map((l: { key: string; kind?: string }) => `${l.key}:${l.kind ?? 'ratings'}`)).toEqual(['gold.arousal:trace', 'gold.valence:trace', 'ratings.valence:ratings', 'ratings.arousal:ratings']);
    const schema = JSON.parse(readFileSync(join(out, 'schema.json'), 'utf8'));
    expect(schema.properties.labels.properties['gold.arousal'].properties.gold.properties.coverage.description).toMatch(/^share of the record's span/);
    expect(schema.properties.labels.properties['ratings.valence'].properties.gold.properties.mean.description).toBe("mean of the target's numeric ratings (on the rating scale)");
    const v = await runCliInProcess(['dataset', 'validate', out]);
    expect(v.stderr).toBe('');
    expect(v.stdout).toContain('dataset valid');
  }, 60_000);
});

describe('gold-trace inputs refused or said', () => {
  const write = (name: string, text: string) => {
    const p = join(tmp.dir, name);
    writeFileSync(p, text);
    return p;
  };
  const rows = (sid: string, n: number, t0 = 0) => Array.from({ length: n }, (_, k) => `${sid},arousal,${Number((t0 + k * 0.04).toFixed(2))},0.5,0.1,2`);

  it("the raters' own traces (a rater column and a time column) are refused, naming mmprep agreement --traces", async () => {
    const raw = write('raw.csv', ['session_id,rater,time_s,arousal', 's01,r1,0,0.1', 's01,r1,0.04,0.2', 's01,r2,0,0.3'].join('\n') + '\n');
    const r = await runCliInProcess(['dataset', 'build', MANIFEST, '--features', FEATURES, '--labels', raw, '--segments', 'fixed:2', '-o', join(tmp.dir, 'rel-raw')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("raw.csv:1: this looks like the raters' own continuous traces (a 'rater' column and a 'time_s' column: one row per rater and time), not labels of records: make the gold trace first with `mmprep agreement raw.csv --traces --gold gold.csv` and give gold.csv to --labels");
    // RECOLA's wide export (FrameTime and one column per rater) too
    const wide = write('recola.csv', ['FrameTime;FM1;FF1', '0;0.1;0.2', '0.04;0.1;0.3'].join('\n') + '\n');
    await expect(build('rel-wide', {}, [wide])).rejects.toThrow(/a 'FrameTime' column and no gold column: one column per rater\?\), not labels of records: make the gold trace first/);
  });

  it("a raw export under the names agreement --traces reads (coder, t_ms, 'Time (ms)') is refused as raters' traces too", async () => {
    // tuser61: before, `Video;Annotator;Time (ms)` and `session;coder;t_ms` were read as ratings, whose error advised
    // --rater-col, then "pass --traces", an option dataset build has not
    for (const [name, header, shape] of [
      ['raw-eu.csv', 'Video;Annotator;Time (ms);Arousal', "a 'Annotator' column and a 'Time (ms)' column"],
      ['raw-coder.csv', 'session;coder;t_ms;arousal', "a 'coder' column and a 't_ms' column"],
    ]) {
      const raw = write(name, [header, 's01;a;0;0.1', 's01;a;40;0.2', 's01;b;0;0.3'].join('\n') + '\n');
      await expect(build(`rel-${name}`, {}, [raw])).rejects.toThrow(`this looks like the raters' own continuous traces (${shape}: one row per rater and time)`);
    }
  });

  it('rated spans with a timestamp column (the order agreement reads for drift) are ratings, not raw traces', async () => {
    // tuser61: refused as "the raters' own continuous traces" on 2026-12-08's main (a rater column beside 'timestamp')
    const spans = write('spans-ts.csv', ['session_id,start_s,end_s,target,rater,dimension,rating,timestamp', 's02,1.48,3.48,s02_a,r1,arousal,4,2026-11-03T10:00:00', 's02,1.48,3.48,s02_a,r2,arousal,6,2026-11-03T10:05:00'].join('\n') + '\n');
    await build('rel-spans-ts', { segments: 'labels' }, [spans]);
    const r = [...records(join(tmp.dir, 'rel-spans-ts')).values()].find((x) => x.id.startsWith('s02/'))!;
    expect([r.start_s, r.end_s]).toEqual([1.48, 3.48]);
    expect((r.labels.arousal.gold as unknown as { mean: number }).mean).toBe(5);
  });

  it("dataset build --help says --labels takes a gold trace (tuser61: it named ratings only)", async () => {
    const r = await runCliInProcess(['dataset', 'build', '--help']);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('or a gold trace of continuous ratings (target,dimension,time_s,gold,…) as `mmprep agreement FILE --traces --gold` writes it');
  });

  it('a trace mostly outside the recording (ms written as time_s) is labels_unmatched, which fails validate (tuser61)', async () => {
    // before: 'labels_trace_outside' only; the one sample inside was held over every window (a 40 s cell), every
    // record labelled with that value, dataset valid, exit 0
    const ms = write('g-ms.csv', ['target,dimension,time_s,gold,sd,n_raters', ...Array.from({ length: 250 }, (_, k) => `s02,arousal,${k * 40},${(k % 7) / 10},0.1,3`)].join('\n') + '\n');
    await build('rel-ms', {}, [ms]);
    const m = JSON.parse(readFileSync(join(tmp.dir, 'rel-ms', 'manifest.json'), 'utf8'));
    const issues = m.sessions.find((x: { session_id: string }) => x.session_id === 's02').issues;
    expect(issues).toContainEqual({ kind: 'labels_unmatched', message: expect.stringContaining('g-ms.csv: 248 of the 250 gold samples of arousal') });
    expect(issues[0].message).toContain('(most of it lies outside: times in milliseconds written as time_s?)');
    const v = await runCliInProcess(['dataset', 'validate', join(tmp.dir, 'rel-ms')]);
    expect(v.code).toBe(3);
    expect(v.stdout).toMatch(/FAIL warnings: .*session s02: labels_unmatched: labels: g-ms\.csv: 248 of the 250/);
  }, 60_000);

  it('session_id in place of target, no sd/n_raters columns, and .jsonl are read', async () => {
    const csv = write('g4.csv', ['session_id,dimension,time_s,gold', ...rows('s02', 250).map((l) => l.split(',').slice(0, 4).join(','))].join('\n') + '\n');
    const jsonl = write('g.jsonl', rows('s02', 250).map((l) => { const [target, dimension, t, gold] = l.split(','); return JSON.stringify({ target, dimension: 'valence', time_s: Number(t), gold: Number(gold), sd: 0.1, n_raters: 2 }); }).join('\n') + '\n');
    await build('rel-variants', {}, [csv, jsonl]);
    const r = records(join(tmp.dir, 'rel-variants')).get('s02/w00001')!;
    expect(r.labels.arousal.gold).toMatchObject({ mean: 0.5, coverage: 1, raters_sd: null });
    expect(r.labels.valence.gold).toMatchObject({ mean: 0.5, raters_sd: 0.1 });
  });

  it('times not increasing within a target are refused naming the file and line', async () => {
    const r = rows('s02', 5);
    const bad = write('back.csv', ['target,dimension,time_s,gold,sd,n_raters', ...r.slice(0, 3), r[1], ...r.slice(3)].join('\n') + '\n');
    await expect(build('rel-back', {}, [bad])).rejects.toThrow('time_s 0.04 of \'s02\' arousal is not after 0.08 on line 4');
    await expect(build('rel-back', {}, [bad])).rejects.toMatchObject({ location: { line: 5 } });
  });

  it("a target that is not a session of the manifest is a note with the 'did you mean'; samples past the recording a session warning", async () => {
    const notes: string[] = [];
    const g = write('near.csv', ['target,dimension,time_s,gold,sd,n_raters', ...rows('S02', 50), ...rows('s03', 300)].join('\n') + '\n');
    await build('rel-near', {}, [g], notes);
    expect(notes).toContain("labels: near.csv: target 'S02' (50 gold trace samples) is not a session of the manifest (did you mean 's02'? session ids are matched exactly): its trace labels no record");
    // s03's 300 samples run to 11.96 s; its recording is -0.5-10 s, one grid step allowed: 10.08-11.96 s are outside
    expect(notes).toContain("session s03: labels: near.csv: 48 of the 300 gold samples of arousal (the first on line 304, at 10.08 s on the reference clock (labels_clock empty)) lie outside the recording (-0.5-10 s): they label no record; is the trace this session's, and timed on the clock labels_clock names? check it");
  });

  it('a grid that changes its step is a note naming the line', async () => {
    // 0.04 s to 3.96 s, then a stretch at 0.1 s (another export's rate) from 4.1 s
    const tenth = Array.from({ length: 30 }, (_, k) => `s02,arousal,${Number((4.1 + k * 0.1).toFixed(2))},0.5,0.1,2`);
    const g = write('rates.csv', ['target,dimension,time_s,gold,sd,n_raters', ...rows('s02', 100), ...tenth].join('\n') + '\n');
    const notes: string[] = [];
    await build('rel-rates', {}, [g], notes);
    expect(notes).toContain("labels: rates.csv: the gold trace of arousal changes its grid: 30 step(s) are not a whole number of its 0.04 s grid step (the median); line 102 ('s02') is 0.14 s after line 101: the window means weight each sample by its own cell, but check the file (two exports of different rates joined?)");
  });

  it("an empty labels_clock on features extracted with another --ref-role is the session's reference_changed warning", async () => {
    const feat = join(tmp.dir, 'features-ref');
    cpSync(FEATURES, feat, { recursive: true });
    const meta = join(feat, 's02', 'meta.json');
    writeFileSync(meta, JSON.stringify({ ...JSON.parse(readFileSync(meta, 'utf8')), ref_role: 'video' }));
    const notes: string[] = [];
    await build('rel-ref', { features: feat }, [GOLD], notes);
    expect(notes.find((n) => n.startsWith('session s02: its features were extracted on the clock of role video'))).toContain("so its gold trace's time_s (labels_clock is empty) are read as timed on video");
  });

  it("an empty labels_clock where the session's video lies off the reference is said (labels_clock_assumed); 'reference' says the times are the reference's", async () => {
    const notes: string[] = [];
    const withCell = (cell: string) => demoManifestCopy(join(tmp.dir, `demo-${cell || 'empty'}`), (csv) => csv.replace(/\n$/, '').split('\n').map((l, i) => `${l},${i === 0 ? 'labels_clock' : l.startsWith('s01,') ? cell : ''}`).join('\n') + '\n');
    const run = (manifest: string, out: string, sink: string[]) => buildDataset(manifest, { features: FEATURES, out: join(tmp.dir, out), labels: [GOLD], segments: 'fixed:2', onNote: (x) => sink.push(x), onWarning: (x) => sink.push(x) });
    await run(withCell(''), 'rel-assumed', notes);
    const line = notes.filter((x) => x.includes('because labels_clock is empty'));
    expect(line).toEqual([
      "session s01: labels: gold.csv: the gold trace's time_s are read on the reference clock (lav_audio) because labels_clock is empty, but this session's video lies 1.500 s after it: raters who rated while watching the video timed the trace on the video's clock, and every window's label would be read 1.500 s off; give labels_clock video (or reference, if the times are the reference's, to say so and silence this)",
      // the synthetic s02's camera starts 0.5 s before its lav (the file has no trace of s03)
      expect.stringMatching(/^session s02: labels: gold\.csv: .* but this session's video lies 0\.500 s before it: /),
    ]);
    const m = JSON.parse(readFileSync(join(tmp.dir, 'rel-assumed', 'manifest.json'), 'utf8'));
    expect(m.sessions.find((x: { session_id: string }) => x.session_id === 's01').issues.map((i: { kind: string }) => i.kind)).toContain('labels_clock_assumed');
    const quiet: string[] = [];
    await run(withCell('reference'), 'rel-reference', quiet);
    expect(quiet.filter((x) => x.includes('labels_clock is empty')).map((x) => x.slice(0, 12))).toEqual(['session s02:']);
  });

  it('--segments labels with only a gold trace is refused: a trace has no spans', async () => {
    await expect(build('rel-seg', { segments: 'labels' })).rejects.toThrow(/--segments labels makes a record per rated span, and a gold trace has none \(gold\.csv\)/);
  });
});
