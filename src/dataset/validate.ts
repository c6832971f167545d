/**
 * `mmprep dataset validate`: the check CI runs before a dataset release goes out. Every record against schema.json
 * (ajv), no NaN/Infinity, times monotonic and inside the session, sequence lengths consistent with their rates,
 * checksums equal to manifest.json, no speaker in two splits, label coverage, agreement and missing-modality gates.
 * Each check reports ok or a message with a few offending record ids; any failure means exit 3 (GateError).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { Ajv } from 'ajv';
import { InputError } from '../common/errors.js';
import type { DatasetManifest } from './build.js';

export const CHECKS = ['manifest', 'checksums', 'json', 'nan', 'schema', 'ids', 'times', 'lengths', 'splits', 'counts', 'labels', 'agreement', 'missing'] as const;
export type CheckName = (typeof CHECKS)[number];

export interface CheckResult {
  name: CheckName;
  ok: boolean;
  /** One line: what was checked, or what failed. */
  message: string;
  /** Up to 5 offending record ids (or file:line where there is no id). */
  examples: string[];
  failures: number;
}

export interface ValidateOptions {
  /** Fail a label dimension whose ICC(2,1) is below this (or undefined). */
  minIcc?: number;
  /** Fail when the share of records without a modality exceeds the fraction, e.g. { face: 0.2 }. */
  maxMissing?: Record<string, number>;
  /** Fail a label dimension whose share of labelled records is below this (default: any labelled record at all). */
  minLabelCoverage?: number;
}

export interface ValidateReport {
  ok: boolean;
  dir: string;
  records: number;
  files: number;
  bytes: number;
  checks: CheckResult[];
}

const MODALITIES = ['audio', 'face', 'text', 'labels'];

export function parseMaxMissing(items: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const it of items) {
    const m = /^\s*(\w+)\s*=\s*([0-9]*\.?[0-9]+)\s*$/.exec(it);
    if (!m || !MODALITIES.includes(m[1]) || Number(m[2]) > 1)
      throw new InputError(`--max-missing must look like MODALITY=FRACTION with MODALITY one of ${MODALITIES.join(', ')} and FRACTION in [0, 1], got '${it}'`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

class Check {
  failures = 0;
  examples: string[] = [];
  messages: string[] = [];
  constructor(readonly name: CheckName) {}
  fail(where: string, message: string): void {
    this.failures++;
    if (this.examples.length < 5 && !this.examples.includes(where)) this.examples.push(where);
    if (this.messages.length < 3) this.messages.push(message);
  }
  result(okMessage: string): CheckResult {
    const ok = this.failures === 0;
    const msg = ok ? okMessage : `${this.failures} problem${this.failures === 1 ? '' : 's'}: ${this.messages.join('; ')}${this.failures > this.messages.length ? '; …' : ''}`;
    return { name: this.name, ok, message: msg, examples: this.examples, failures: this.failures };
  }
}

const EPS = 1e-6;

type Rec = {
  id: string;
  session_id: string;
  speaker_id: string;
  split: string;
  start_s: number;
  end_s: number;
  words: Array<{ start_s: number; end_s: number }>;
  audio: { rate_hz: number; t0_s: number; n: number; frames: Record<string, unknown[]> } | null;
  face: { rate: string; rate_hz: number; t0_s?: number; t_s?: number[]; n: number; frames: Record<string, unknown[]> } | null;
  labels: Record<string, { agreement?: { icc2?: number | null } }>;
  quality: { present: Record<string, boolean> };
};

/** Lines of a (possibly gzipped) file with the sha256 and size of its bytes on disk. */
async function* fileLines(path: string, gz: boolean, digest: { sha256: string; bytes: number; error: string | null }): AsyncGenerator<{ line: string; n: number; last: boolean }> {
  const h = createHash('sha256');
  let bytes = 0;
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  raw.on('data', (c: Buffer | string) => {
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    h.update(b);
    bytes += b.length;
  });
  const src = gz ? raw.pipe(createGunzip()) : raw;
  src.setEncoding('utf8');
  let rest = '';
  let n = 0;
  try {
    for await (const chunk of src as AsyncIterable<string>) {
      const text = rest + chunk;
      let start = 0;
      let nl: number;
      while ((nl = text.indexOf('\n', start)) >= 0) {
        n++;
        yield { line: text.slice(start, nl), n, last: false };
        start = nl + 1;
      }
      rest = text.slice(start);
    }
  } catch (e) {
    digest.error = (e as Error).message;
  }
  if (rest.length > 0) {
    n++;
    yield { line: rest, n, last: true };
  }
  digest.sha256 = h.digest('hex');
  digest.bytes = bytes;
}

export async function validateDataset(dir: string, opts: ValidateOptions = {}): Promise<ValidateReport> {
  const C = Object.fromEntries(CHECKS.map((n) => [n, new Check(n)])) as Record<CheckName, Check>;
  const mPath = join(dir, 'manifest.json');
  if (!existsSync(dir)) throw new InputError('no such dataset folder', { file: dir });
  let m: DatasetManifest;
  try {
    m = JSON.parse(await readFile(mPath, 'utf8')) as DatasetManifest;
    if (m.format !== 'mmprep-dataset' || !Array.isArray(m.files) || !Array.isArray(m.sessions)) throw new Error('not an mmprep dataset manifest');
  } catch (e) {
    C.manifest.fail('manifest.json', `manifest.json unreadable (${(e as Error).message})`);
    const checks = [C.manifest.result('')];
    return { ok: false, dir, records: 0, files: 0, bytes: 0, checks };
  }
  // ---- extra files: schema.json and README.md ----
  for (const f of m.extra_files ?? []) {
    const p = join(dir, f.path);
    if (!existsSync(p)) {
      C.checksums.fail(f.path, `${f.path} is missing`);
      continue;
    }
    const h = createHash('sha256').update(await readFile(p)).digest('hex');
    if (h !== f.sha256) C.checksums.fail(f.path, `${f.path}: sha256 differs from manifest.json`);
  }
  const listed = new Set(m.files.map((f) => f.path));
  for (const name of (await readdir(dir)).sort()) {
    if (/^data-.*\.jsonl(\.gz)?$/.test(name) && !listed.has(name)) C.checksums.fail(name, `${name} is not listed in manifest.json`);
  }
  // ---- schema ----
  let validateRecord: ((r: unknown) => boolean) & { errors?: unknown } = () => true;
  try {
    const schema = JSON.parse(await readFile(join(dir, 'schema.json'), 'utf8')) as object;
    const ajv = new Ajv({ allErrors: false, strict: false });
    validateRecord = ajv.compile(schema);
  } catch (e) {
    C.schema.fail('schema.json', `schema.json unusable (${(e as Error).message})`);
  }
  const sessions = new Map(m.sessions.filter((s) => !s.error).map((s) => [s.session_id, s]));
  const speakerSplit = new Map<string, string>();
  const ids = new Set<string>();
  const lastStart = new Map<string, number>();
  const perSplit = new Map<string, number>();
  const missing: Record<string, number> = { audio: 0, face: 0, text: 0, labels: 0 };
  const labelled = new Map<string, number>();
  const labelKeys = new Set((m.labels ?? []).map((l) => l.key));
  let records = 0;
  let bytes = 0;

  for (const f of m.files) {
    const p = join(dir, f.path);
    if (!existsSync(p)) {
      C.checksums.fail(f.path, `${f.path} is missing`);
      continue;
    }
    const digest = { sha256: '', bytes: 0, error: null as string | null };
    let fileRecords = 0;
    for await (const { line, n, last } of fileLines(p, f.path.endsWith('.gz'), digest)) {
      if (line.length === 0) continue;
      const where = `${f.path}:${n}`;
      let r: Rec;
      try {
        r = JSON.parse(line) as Rec;
      } catch (e) {
        if (/(^|[^"\w])(-?Infinity|NaN)([^"\w]|$)/.test(line)) C.nan.fail(idOf(line) ?? where, `${idOf(line) ?? where}: NaN or Infinity in the JSON text`);
        else C.json.fail(where, `${where}: ${last ? 'truncated (the last line is cut short)' : `not valid JSON (${(e as Error).message})`}`);
        continue;
      }
      if (last) C.json.fail(where, `${where}: the last line has no newline (file cut short?)`);
      fileRecords++;
      records++;
      const id = typeof r?.id === 'string' ? r.id : where;
      if (typeof r?.split === 'string') perSplit.set(r.split, (perSplit.get(r.split) ?? 0) + 1);
      if (!validateRecord(r)) {
        const err = (validateRecord.errors as Array<{ instancePath: string; message?: string }> | undefined)?.[0];
        C.schema.fail(id, `${id}: ${err ? `${err.instancePath || '(record)'} ${err.message}` : 'does not match schema.json'}`);
        continue;
      }
      if (ids.has(id)) C.ids.fail(id, `${id}: duplicate id`);
      ids.add(id);
      // splits
      const sess = sessions.get(r.session_id);
      if (!sess) C.splits.fail(id, `${id}: session ${r.session_id} is not in manifest.json`);
      else if (sess.split !== r.split || sess.speaker_id !== r.speaker_id) C.splits.fail(id, `${id}: split/speaker differ from manifest.json (${r.split}/${r.speaker_id} vs ${sess.split}/${sess.speaker_id})`);
      const prev = speakerSplit.get(r.speaker_id);
      if (prev === undefined) speakerSplit.set(r.speaker_id, r.split);
      else if (prev !== r.split) C.splits.fail(id, `speaker ${r.speaker_id} is in two splits (${prev} and ${r.split})`);
      if (f.split !== r.split) C.splits.fail(id, `${id}: split ${r.split} in file ${f.path} of split ${f.split}`);
      // times
      checkTimes(r, id, sess, lastStart, C.times);
      checkLengths(r, id, C.lengths);
      for (const k of MODALITIES) if (!r.quality.present[k]) missing[k]++;
      for (const [k, l] of Object.entries(r.labels)) {
        labelled.set(k, (labelled.get(k) ?? 0) + 1);
        const want = (m.labels.find((x) => x.key === k)?.agreement as { icc2?: number | null } | undefined)?.icc2;
        if (labelKeys.has(k) && l.agreement?.icc2 !== want) C.agreement.fail(id, `${id}: ${k} agreement differs from manifest.json`);
      }
    }
    bytes += digest.bytes;
    if (digest.error) C.json.fail(f.path, `${f.path}: ${digest.error}`);
    if (digest.sha256 !== f.sha256) C.checksums.fail(f.path, `${f.path}: sha256 differs from manifest.json`);
    if (digest.bytes !== f.bytes) C.checksums.fail(f.path, `${f.path}: ${digest.bytes} bytes, manifest.json says ${f.bytes}`);
    if (fileRecords !== f.records) C.counts.fail(f.path, `${f.path}: ${fileRecords} records, manifest.json says ${f.records}`);
  }
  // counts per split
  for (const [split, c] of Object.entries(m.counts?.per_split ?? {})) {
    const got = perSplit.get(split) ?? 0;
    if (got !== c.records) C.counts.fail(split, `split ${split}: ${got} records, manifest.json says ${c.records}`);
  }
  if (records !== m.counts?.records) C.counts.fail('manifest.json', `${records} records in all, manifest.json says ${m.counts?.records}`);
  // label coverage
  const minCov = opts.minLabelCoverage ?? 0;
  for (const l of m.labels ?? []) {
    const have = labelled.get(l.key) ?? 0;
    const cov = records ? have / records : 0;
    if (have === 0 || cov < minCov) C.labels.fail(l.key, `${l.key}: ${have} of ${records} records labelled (${(100 * cov).toFixed(1)} %${minCov ? `, minimum ${100 * minCov} %` : ''})`);
  }
  // agreement gate
  if (opts.minIcc !== undefined) {
    for (const l of m.labels ?? []) {
      const a = l.agreement as { icc2: number | null; categorical?: boolean };
      if (l.categorical) continue;
      if (a.icc2 === null || a.icc2 < opts.minIcc) C.agreement.fail(l.key, `${l.key}: ICC(2,1) = ${a.icc2 ?? 'undefined'} below --min-icc ${opts.minIcc}`);
    }
  }
  // missing modalities gate
  for (const [k, frac] of Object.entries(opts.maxMissing ?? {})) {
    const share = records ? missing[k] / records : 0;
    if (share > frac + 1e-12) C.missing.fail(k, `${k}: missing in ${missing[k]} of ${records} records (${(100 * share).toFixed(1)} %), more than ${100 * frac} %`);
  }

  const speakers = speakerSplit.size;
  const okText: Record<CheckName, string> = {
    manifest: `manifest.json of mmprep ${m.tool?.version}, ${m.files.length} data files`,
    checksums: `${m.files.length + (m.extra_files?.length ?? 0)} files match their sha256`,
    json: `${records} lines parse`,
    nan: 'no NaN or Infinity',
    schema: `${records} records match schema.json`,
    ids: `${ids.size} unique ids`,
    times: 'times monotonic and inside their sessions',
    lengths: 'sequence lengths match their rates',
    splits: `${speakers} speakers, each in one split (${[...perSplit.entries()].map(([k, v]) => `${k} ${v}`).join(', ') || 'no records'})`,
    counts: 'record counts match manifest.json',
    labels: (m.labels ?? []).length ? (m.labels ?? []).map((l) => `${l.key} ${labelled.get(l.key) ?? 0}/${records}`).join(', ') + ' records labelled' : 'no labels in this dataset',
    agreement: opts.minIcc !== undefined ? `every dimension ICC(2,1) >= ${opts.minIcc}` : 'agreement figures consistent (no --min-icc gate)',
    missing: Object.keys(opts.maxMissing ?? {}).length ? `within ${Object.entries(opts.maxMissing ?? {}).map(([k, v]) => `${k}<=${v}`).join(', ')}` : `missing: ${MODALITIES.map((k) => `${k} ${missing[k]}`).join(', ')} (no --max-missing gate)`,
  };
  const checks = CHECKS.map((n) => C[n].result(okText[n]));
  return { ok: checks.every((c) => c.ok), dir, records, files: m.files.length, bytes, checks };
}

function idOf(line: string): string | null {
  const m = /^\{"id":"((?:[^"\\]|\\.)*)"/.exec(line);
  return m ? m[1] : null;
}

function checkTimes(r: Rec, id: string, sess: { start_s: number | null; end_s: number | null } | undefined, lastStart: Map<string, number>, c: Check): void {
  if (!(r.start_s <= r.end_s)) c.fail(id, `${id}: end_s ${r.end_s} before start_s ${r.start_s}`);
  if (sess && sess.start_s !== null && sess.end_s !== null && (r.start_s < sess.start_s - EPS || r.end_s > sess.end_s + EPS))
    c.fail(id, `${id}: [${r.start_s}, ${r.end_s}] outside session ${r.session_id} [${sess.start_s}, ${sess.end_s}]`);
  const prev = lastStart.get(r.session_id);
  if (prev !== undefined && r.start_s < prev) c.fail(id, `${id}: starts before the previous record of session ${r.session_id}`);
  lastStart.set(r.session_id, r.start_s);
  let t = -Infinity;
  for (const w of r.words) {
    // A word belongs to the segment its midpoint falls in (fixed windows cut through words).
    const mid = (w.start_s + w.end_s) / 2;
    if (w.start_s < t - EPS || w.end_s < w.start_s || mid < r.start_s - EPS || mid > r.end_s + EPS) {
      c.fail(id, `${id}: word times not monotonic or the word's midpoint outside the segment`);
      break;
    }
    t = w.start_s;
  }
  const ts = r.face?.t_s;
  if (ts) {
    for (let i = 0; i < ts.length; i++) {
      if ((i > 0 && ts[i] <= ts[i - 1]) || ts[i] < r.start_s - EPS || ts[i] >= r.end_s + EPS) {
        c.fail(id, `${id}: face t_s not increasing or outside the segment`);
        break;
      }
    }
  }
}

function checkLengths(r: Rec, id: string, c: Check): void {
  const span = r.end_s - r.start_s;
  const grid = (what: string, g: { rate_hz: number; t0_s?: number; n: number; frames: Record<string, unknown[]> }) => {
    for (const [k, arr] of Object.entries(g.frames)) if (arr.length !== g.n) return c.fail(id, `${id}: ${what}.frames.${k} has ${arr.length} values, n is ${g.n}`);
    const maxN = Math.floor(span * g.rate_hz * (1 + 1e-3) + 1e-6) + 1;
    if (g.n > maxN) return c.fail(id, `${id}: ${what} has ${g.n} frames, at most ${maxN} fit ${span.toFixed(3)} s at ${g.rate_hz} Hz`);
    if (g.t0_s !== undefined) {
      const tEnd = g.t0_s + (g.n - 1) / g.rate_hz;
      if (g.t0_s < r.start_s - EPS || tEnd > r.end_s + 1e-3 / g.rate_hz + EPS) c.fail(id, `${id}: ${what} grid [${g.t0_s}, ${tEnd.toFixed(6)}] runs outside the segment`);
    }
  };
  if (r.audio) grid('audio', r.audio);
  if (r.face) {
    if (r.face.rate === 'native' && r.face.t_s && r.face.t_s.length !== r.face.n) c.fail(id, `${id}: face.t_s has ${r.face.t_s.length} values, n is ${r.face.n}`);
    else if (r.face.rate === 'native') {
      for (const [k, arr] of Object.entries(r.face.frames)) if (arr.length !== r.face.n) return c.fail(id, `${id}: face.frames.${k} has ${arr.length} values, n is ${r.face.n}`);
      const maxN = Math.floor(span * r.face.rate_hz * 1.5 + 1e-6) + 2; // variable frame rate: allow 50 % more
      if (r.face.n > maxN) c.fail(id, `${id}: face has ${r.face.n} frames, at most ${maxN} fit ${span.toFixed(3)} s at ~${r.face.rate_hz} fps`);
    } else grid('face', r.face);
  }
}

export function formatReport(r: ValidateReport): string {
  const L: string[] = [];
  L.push(`${r.dir}: ${r.records} records in ${r.files} files (${(r.bytes / 1e6).toFixed(2)} MB)`);
  for (const c of r.checks) L.push(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.message}${c.ok || c.examples.length === 0 ? '' : ` [${c.examples.join(', ')}]`}`);
  const bad = r.checks.filter((c) => !c.ok).map((c) => c.name);
  L.push(r.ok ? 'dataset valid' : `dataset INVALID: ${bad.join(', ')} failed`);
  return L.join('\n') + '\n';
}

export async function fileSize(p: string): Promise<number> {
  return (await stat(p)).size;
}
