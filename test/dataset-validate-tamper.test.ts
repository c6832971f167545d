/**
 * `dataset validate` on releases damaged or edited with manifest.json's checksums (and where it says so, its totals)
 * rewritten to match, as a careless editor or a buggy build would leave them: each of these passed, exit 0, before
 * 2026-12-02. Also the build's note on sessions whose features were made by an mmprep that did not record how.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCliInProcess, tempDir } from './helpers/cli.js';
import { buildDataset, type DatasetManifest } from '../src/dataset/build.js';
import { validateDataset, type CheckName, type ValidateReport } from '../src/dataset/validate.js';
import { writeSyntheticSession } from '../src/dataset/synthetic-features.js';
import { goldProblem } from '../src/dataset/validate-gold.js';
import { LineSplitter } from '../src/dataset/validate-scan.js';

const tmp = tempDir('mmprep-validate-tamper-');
afterAll(() => tmp.cleanup());
const MANIFEST = join(FIXTURES, 'demo', 'manifest.csv');
const FEATURES = join(tmp.dir, 'features');
const TRAIN = 'data-train-00000.jsonl';
let base: string;

beforeAll(async () => {
  for (const [i, id] of ['s01', 's02', 's03'].entries()) await writeSyntheticSession(FEATURES, { session_id: id, duration_s: 10, faceGaps: [[5, 6]], seed: 31 + i, mediaDir: join(FIXTURES, 'demo') });
  base = join(tmp.dir, 'base');
  await buildDataset(MANIFEST, { features: FEATURES, labels: [join(FIXTURES, 'demo', 'ratings.csv')], out: base });
});

let copies = 0;
function copy(from = base): string {
  const d = join(tmp.dir, `copy${copies++}`);
  cpSync(from, d, { recursive: true });
  return d;
}
const manifestOf = (d: string) => JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8')) as DatasetManifest;
const writeManifest = (d: string, m: DatasetManifest) => writeFileSync(join(d, 'manifest.json'), JSON.stringify(m, null, 2) + '\n');
const failed = (r: ValidateReport) => r.checks.filter((c) => !c.ok).map((c) => c.name).sort();
const check = (r: ValidateReport, n: CheckName) => r.checks.find((c) => c.name === n)!;
const lines = (d: string, f: string) => readFileSync(join(d, f), 'utf8').split('\n').filter((l) => l);

/** Writes a file of the release and rewrites its sha256, bytes (and records) in manifest.json. */
function rewrite(d: string, file: string, text: string): void {
  writeFileSync(join(d, file), text);
  const m = manifestOf(d);
  const f = [...m.files, ...m.extra_files].find((x) => x.path === file)!;
  f.sha256 = createHash('sha256').update(text).digest('hex');
  f.bytes = Buffer.byteLength(text);
  if ('records' in f) f.records = text.split('\n').filter((l) => l).length;
  writeManifest(d, m);
}
/** Rewrites the records of a data file through `fn`, resealed. */
function editRecords(d: string, file: string, fn: (recs: Array<Record<string, any>>) => Array<Record<string, any>>): void {
  rewrite(d, file, fn(lines(d, file).map((l) => JSON.parse(l))).map((r) => JSON.stringify(r) + '\n').join(''));
}

describe('dataset validate: manifest.json figures against the records', () => {
  it('a segment removed with the totals edited to match fails counts, naming its session', async () => {
    const d = copy();
    editRecords(d, TRAIN, (r) => [r[0], ...r.slice(2)]);
    const m = manifestOf(d);
    m.counts.records--;
    m.counts.per_split.train.records--;
    writeManifest(d, m);
    const r = await validateDataset(d);
    expect(failed(r)).toEqual(['counts', 'manifest']); // the card still says 8 records
    expect(check(r, 'counts').examples[0]).toBe('s01');
    expect(check(r, 'counts').message).toMatch(/^\d+ problems: session s01: 2 records, manifest\.json says 3; audio present in 7 records, manifest\.json's presence says 8/);
  });

  it('stale session, split, presence and label figures in manifest.json each fail counts', async () => {
    const d = copy();
    const m = manifestOf(d);
    m.counts.sessions = 4;
    m.counts.per_split.val.speakers = 2;
    m.presence.face = 1;
    m.labels[1].records_labelled = 3;
    writeManifest(d, m);
    const r = await validateDataset(d);
    expect(failed(r)).toEqual(['counts', 'manifest']); // and the card, made from the manifest.json before the edit
    expect(check(r, 'counts').failures).toBe(4);
    expect(check(r, 'counts').examples).toEqual(['manifest.json', 'val', 'face', 'arousal']);
    expect(check(r, 'counts').message).toContain('manifest.json counts 4 sessions built, its session list has 3');
  });
});

describe('dataset validate: records edited and resealed', () => {
  it('a number beyond a double (1e999, read as Infinity) fails nan naming file, line, record and field', async () => {
    const d = copy();
    const ls = lines(d, TRAIN);
    rewrite(d, TRAIN, [ls[0], ls[1].replace(/"rms":\[[^,\]]+/, '"rms":[1e999'), ...ls.slice(2)].join('\n') + '\n');
    const r = await validateDataset(d);
    expect(failed(r)).toEqual(['nan']);
    expect(check(r, 'nan').message).toBe(`1 problem: ${TRAIN}:2 (s01/u0001): 1e999 in the JSON text at field "rms" is beyond a double: JSON.parse and Python's json read it as Infinity; write a finite value or null`);
  });

  it('quality.present that disagrees with the record fails missing (the --max-missing gate counts the mask)', async () => {
    const d = copy();
    editRecords(d, TRAIN, (r) => [{ ...r[0], face: null }, ...r.slice(1)]);
    const r = await validateDataset(d, { maxMissing: { face: 0.2 } });
    expect(failed(r)).toEqual(['missing']);
    expect(check(r, 'missing').examples).toEqual(['s01/u0000']); // not the gate's 'face': the mask counts this record as having one
    expect(check(r, 'missing').message).toBe('1 problem: s01/u0000: quality.present says face true, but the record has no face');
  });

  it('a record whose id is not of its session fails ids', async () => {
    const d = copy();
    editRecords(d, TRAIN, (r) => [{ ...r[0], id: 's03/u0009' }, ...r.slice(1)]);
    const r = await validateDataset(d);
    expect(failed(r)).toEqual(['ids']);
    expect(check(r, 'ids').message).toBe('1 problem: s03/u0009: the id is not of its session s01 (ids are <session_id>/<segment>)');
  });

  it('a duplicate within one file is named once (it was also said to be "in another file")', async () => {
    const d = copy();
    let n = 0;
    editRecords(d, TRAIN, (r) => ((n = r.length + 1), [...r, r[2]]));
    const r = await validateDataset(d);
    // Each copy's file and line (the id alone named neither: trial B, session 42).
    expect(check(r, 'ids').message).toBe(`1 problem: s01/u0002: duplicate id (${TRAIN}:3 and ${TRAIN}:${n})`);
    // Across files: the first copy's file and line, then the other's.
    const e = copy();
    const other = readdirSync(e).find((f) => /^data-(val|test)-00000\.jsonl$/.test(f))!;
    const first = lines(e, TRAIN).map((l) => JSON.parse(l))[0];
    let m = 0;
    editRecords(e, other, (r) => ((m = r.length + 1), [...r, first]));
    const copies = [`${TRAIN}:1`, `${other}:${m}`];
    const order = JSON.parse(readFileSync(join(e, 'manifest.json'), 'utf8')).files.map((f: { path: string }) => f.path);
    if (order.indexOf(other) < order.indexOf(TRAIN)) copies.reverse(); // files are merged in manifest.json's order
    expect(check(await validateDataset(e), 'ids').message).toBe(`1 problem: ${first.id}: duplicate id (${copies.join(' and ')})`);
  });

  it('a feature grid outside its segment fails lengths, its times in one format', async () => {
    const d = copy();
    let rec: Record<string, any> = {};
    editRecords(d, TRAIN, (r) => [(rec = { ...r[0], audio: { ...r[0].audio, t0_s: r[0].start_s + 0.25 } }), ...r.slice(1)]);
    const end = rec.audio.t0_s + (rec.audio.n - 1) / rec.audio.rate_hz;
    const s6 = (t: number) => String(Number(t.toFixed(6)));
    const r = await validateDataset(d);
    expect(failed(r)).toEqual(['lengths']);
    expect(check(r, 'lengths').message).toBe(`1 problem: ${rec.id}: audio grid [${s6(rec.audio.t0_s)}, ${s6(end)}] s runs outside the segment [${s6(rec.start_s)}, ${s6(rec.end_s)}] s`);
    expect(check(r, 'lengths').message).not.toMatch(/\.\d*0\b/); // no trailing zeros
  });

  it('a gold label that is not what its ratings give fails labels, naming the record, the dimension and both values', async () => {
    const d = copy();
    editRecords(d, TRAIN, (r) => [{ ...r[0], labels: { ...r[0].labels, valence: { ...r[0].labels.valence, gold: { ...r[0].labels.valence.gold, mean: 2 } } } }, ...r.slice(1)]);
    const ratings = lines(d, TRAIN).map((l) => JSON.parse(l))[0].labels.valence.ratings.map((x: { value: number }) => x.value);
    const mean = ratings.reduce((a: number, b: number) => a + b, 0) / ratings.length;
    const r = await validateDataset(d);
    expect(failed(r)).toEqual(['labels']);
    expect(check(r, 'labels').message).toBe(`1 problem: s01/u0000: valence gold mean is 2, its ${ratings.length} ratings give ${Number(mean.toPrecision(7))} (edited after the build: rebuild the release)`);
    // a rating edited instead: the gold no longer follows from the ratings either
    const e = copy();
    editRecords(e, TRAIN, (r) => [r[0], { ...r[1], labels: { ...r[1].labels, arousal: { ...r[1].labels.arousal, ratings: r[1].labels.arousal.ratings.map((x: object) => ({ ...x, value: 1 })) } } }, ...r.slice(2)]);
    expect(check(await validateDataset(e), 'labels').examples).toEqual(['s01/u0001']);
  });

  it('a categorical gold majority or distribution edited fails labels; a tie has no majority', async () => {
    const csv = readFileSync(join(FIXTURES, 'demo', 'ratings.csv'), 'utf8').replace(/,(\d+)$/gm, (_m, v) => `,${Number(v) >= 5 ? 'high' : 'low'}`);
    writeFileSync(join(tmp.dir, 'cats.csv'), csv);
    const cat = join(tmp.dir, 'cat');
    await buildDataset(MANIFEST, { features: FEATURES, labels: [join(tmp.dir, 'cats.csv')], categorical: true, out: cat });
    expect(failed(await validateDataset(cat))).toEqual([]);
    const d = copy(cat);
    editRecords(d, TRAIN, (r) => r.map((x, i) => (i === 0 ? { ...x, labels: { ...x.labels, valence: { ...x.labels.valence, gold: { ...x.labels.valence.gold, majority: x.labels.valence.gold.majority === 'low' ? 'high' : 'low' } } } } : x)));
    const r = await validateDataset(d);
    expect(failed(r)).toEqual(['labels']);
    expect(check(r, 'labels').message).toMatch(/^1 problem: s01\/u0000: valence gold majority is "(high|low)", its ratings give "(high|low)" \(edited after the build: rebuild the release\)$/);
    const t = copy(cat);
    editRecords(t, TRAIN, (r) => [{ ...r[0], labels: { ...r[0].labels, arousal: { ...r[0].labels.arousal, gold: { ...r[0].labels.arousal.gold, distribution: { low: 9 } } } } }, ...r.slice(1)]);
    expect(check(await validateDataset(t), 'labels').message).toMatch(/s01\/u0000: arousal gold distribution is \{"low":9\}, its ratings give \{/);
    // a tie has no majority (gold.ts): null passes, a label picked among the tied fails
    const tie = { ratings: [{ rater: 'r1', value: 'low' }, { rater: 'r2', value: 'high' }], gold: { majority: null, majority_reason: 'tie', distribution: { high: 1, low: 1 } } };
    expect(goldProblem(tie)).toBeNull();
    expect(goldProblem({ ...tie, gold: { ...tie.gold, majority: 'high' } })).toBe('gold majority is "high", its ratings give null (a tie)');
  });

  it('an empty line fails json with its file and line (a reader parsing every line fails on it)', async () => {
    const d = copy();
    const ls = lines(d, TRAIN);
    rewrite(d, TRAIN, `${ls[0]}\n\n${ls.slice(1).join('\n')}\n`);
    const r = await validateDataset(d);
    expect(failed(r)).toEqual(['json']);
    expect(check(r, 'json').examples).toEqual([`${TRAIN}:2`]);
  });
});

describe('dataset validate: a .jsonl.gz that is not gzip, or cut short', () => {
  it('names the file, the problem and what to do (zlib said "incorrect header check", "unexpected end of file")', async () => {
    const gz = join(tmp.dir, 'gz');
    await buildDataset(MANIFEST, { features: FEATURES, out: gz, gzip: true });
    const name = `${TRAIN}.gz`;
    const plain = copy(gz);
    writeFileSync(join(plain, name), gunzipSync(readFileSync(join(gz, name))));
    const fix = "copy the release again from its build's -o, or rebuild it";
    expect(check(await validateDataset(plain), 'json').message).toBe(`1 problem: ${name}: not gzip data although named .gz (it starts with "{\\"id\\":\\"s": a plain .jsonl named .gz?): ${fix}`);
    const cut = copy(gz);
    writeFileSync(join(cut, name), readFileSync(join(gz, name)).subarray(0, 2000));
    expect(check(await validateDataset(cut), 'json').message).toContain(`${name}: gzip data cut short (unexpected end of file): the file is truncated; ${fix}`);
  });
});

describe('dataset validate: hostile releases', () => {
  it('bytes that are not UTF-8 fail json naming the file, line and byte (they were read as U+FFFD, exit 0)', async () => {
    const d = copy();
    const raw = readFileSync(join(d, TRAIN));
    const at = raw.indexOf('"text":"', raw.indexOf('\n') + 1) + 8;
    const bad = Buffer.concat([raw.subarray(0, at), Buffer.from([0xe9]), raw.subarray(at + 1)]);
    writeFileSync(join(d, TRAIN), bad);
    const m = manifestOf(d);
    Object.assign(m.files.find((f) => f.path === TRAIN)!, { sha256: createHash('sha256').update(bad).digest('hex'), bytes: bad.length });
    writeManifest(d, m);
    const r = await validateDataset(d);
    expect(check(r, 'json').message).toBe(`1 problem: ${TRAIN}:2: not UTF-8 (byte ${at - raw.indexOf('\n') } of the line is 0xe9): the build writes UTF-8 only, and Python's json and most readers refuse other bytes; rebuild the release, or copy it again from its build's -o`);
  });

  it('a data file listed as a path outside the release is not read (its first line was quoted in the report)', async () => {
    const d = copy();
    writeFileSync(join(tmp.dir, 'secret.jsonl'), 'token=hunter2\n');
    const m = manifestOf(d);
    m.files[0].path = '../secret.jsonl';
    writeManifest(d, m);
    const r = await validateDataset(d);
    expect(JSON.stringify(r)).not.toContain('hunter2');
    expect(check(r, 'checksums').message).toContain('manifest.json lists data file "../secret.jsonl", not a name the build writes (data-<split>-NNNNN.jsonl[.gz] in the release folder): not read; rebuild the release');
  });

  it('a line longer than Node.js can hold is named with its size and skipped; the lines after it are read', () => {
    const s = new LineSplitter(1000);
    s.add(Buffer.alloc(600, 97));
    s.add(Buffer.alloc(600, 97));
    expect(s.take(false)).toEqual({ line: null, n: 1, last: false, problem: expect.stringMatching(/^a line of 0 MiB, longer than the longest string Node\.js holds \(1000 characters\): no mmprep build writes one/) });
    s.add(Buffer.from('{"id":"x"}'));
    expect(s.take(true)).toEqual({ line: '{"id":"x"}', n: 2, last: true });
  });
});

describe('dataset validate: schema.json and the card against manifest.json', () => {
  it('a loose schema.json resealed fails schema, and the records are still held to the real one', async () => {
    const d = copy();
    rewrite(d, 'schema.json', '{ "type": "object" }\n');
    editRecords(d, TRAIN, (r) => [{ ...r[0], start_s: 'soon' }, ...r.slice(1)]);
    const r = await validateDataset(d);
    expect(failed(r)).toEqual(['schema']);
    expect(check(r, 'schema').examples).toEqual(['schema.json', 's01/u0000']);
    expect(check(r, 'schema').message).toContain(`; ${TRAIN}:1 (s01/u0000): /start_s must be number`); // file and line too (was the id alone)
    expect(check(r, 'schema').message).toContain('schema.json is not the schema of the build manifest.json describes (its options and label keys): line 2 is "  \\"type\\": \\"object\\"", manifest.json gives "  \\"$schema\\": \\"http://json-schema.org/draft-07/schema#\\","');
  });

  it('a card with stale counts resealed fails manifest, with the line (exit 3 from the CLI)', async () => {
    const d = copy();
    rewrite(d, 'README.md', readFileSync(join(d, 'README.md'), 'utf8').replace(/^8 records/m, '9 records'));
    const cli = await runCliInProcess(['dataset', 'validate', d, '--json']);
    expect(cli.code).toBe(3);
    const r = JSON.parse(cli.stdout) as ValidateReport;
    expect(failed(r)).toEqual(['manifest']);
    expect(check(r, 'manifest').message).toMatch(/^1 problem: README\.md \(the dataset card\) disagrees with manifest\.json: line \d+ is "9 records \(one per transcript utterance\) from 3 sessions\.", manifest\.json gives "8 records/);
  });

  it('an edit late in a long card line shows the two lines where they differ (not two equal cut-off beginnings)', async () => {
    const d = copy();
    const card = readFileSync(join(d, 'README.md'), 'utf8').split('\n');
    const k = card.findIndex((l) => l.length > 120);
    expect(k).toBeGreaterThanOrEqual(0);
    card[k] = `${card[k].slice(0, -1)}#`;
    rewrite(d, 'README.md', card.join('\n'));
    const r = await validateDataset(d);
    const m = /line \d+ is "(.*)", manifest\.json gives "(.*)" \(edited/.exec(check(r, 'manifest').message);
    expect(m).not.toBeNull();
    expect(m![1]).not.toBe(m![2]);
    expect(m![1]).toMatch(/#$/);
  });

  it('a manifest.json without what the card is made from fails manifest (not an internal error)', async () => {
    const d = copy();
    const m = manifestOf(d) as Partial<DatasetManifest>;
    delete m.source;
    writeManifest(d, m as DatasetManifest);
    const r = await validateDataset(d);
    expect(failed(r)).toEqual(['manifest']);
    expect(check(r, 'manifest').message).toMatch(/manifest\.json lacks fields the dataset card is made from/);
  });

  it('an untouched release passes every check', async () => {
    expect(failed(await validateDataset(base))).toEqual([]);
  });
});

describe('--min-label-coverage with nothing to cover', () => {
  it('validate fails it on a release without labels, build refuses it without --labels (exit 2, nothing written)', async () => {
    const out = join(tmp.dir, 'unlabelled');
    await buildDataset(MANIFEST, { features: FEATURES, out });
    expect(failed(await validateDataset(out))).toEqual([]);
    const r = await validateDataset(out, { minLabelCoverage: 0.9 });
    expect(failed(r)).toEqual(['labels']);
    expect(check(r, 'labels').message).toBe('1 problem: --min-label-coverage 0.9 cannot be checked: the release has no labels (build with --labels, or drop --min-label-coverage)');
    const cli = await runCliInProcess(['dataset', 'build', MANIFEST, '--features', FEATURES, '-o', join(tmp.dir, 'gate-nolabels'), '--min-label-coverage', '0.9', '--json']);
    expect(cli.code).toBe(2);
    expect(JSON.parse(cli.stdout).error).toBe('--min-label-coverage 0.9 cannot be checked without --labels: give the ratings files, or drop --min-label-coverage');
    expect(existsSync(join(tmp.dir, 'gate-nolabels'))).toBe(false);
  });
});

describe('dataset build: sessions made by an mmprep that did not record how', () => {
  it('beside sessions that did are named on stderr and in the card', async () => {
    const feats = join(tmp.dir, 'features-old');
    cpSync(FEATURES, feats, { recursive: true });
    const mp = join(feats, 's02', 'meta.json');
    const meta = JSON.parse(readFileSync(mp, 'utf8'));
    delete meta.made_by;
    writeFileSync(mp, JSON.stringify(meta));
    const notes: string[] = [];
    const r = await buildDataset(MANIFEST, { features: feats, out: join(tmp.dir, 'old'), onNote: (n) => notes.push(n) });
    const line = 'audio features of this release were extracted in 2 different ways: default options, mmprep synthetic (s01, s03); not recorded (meta.json without made_by: an older mmprep) (s02)';
    expect(notes).toContainEqual(expect.stringContaining(line));
    expect(readFileSync(join(r.out, 'README.md'), 'utf8')).toContain(`- ${line}`);
  });
});
