/**
 * One data file of a dataset release, checked line by line (the part of `dataset validate` that runs in parallel, one
 * file per thread): JSON, NaN/Infinity, schema (ajv), ids, times, lengths, splits, agreement consistency, with the
 * file's sha256. Cross-file facts (ids, speakers, session order) are returned for validate.ts to merge.
 */
import { fmtSpan, isOutsideRecording, type RecordingExtent } from './transcripts/check.js';
import { createHash } from 'node:crypto';
import { constants } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Ajv } from 'ajv';
import { goldProblem } from './validate-gold.js';
import { holdsFace } from './record.js';

export type CheckName = 'manifest' | 'sessions' | 'warnings' | 'checksums' | 'inputs' | 'json' | 'nan' | 'schema' | 'ids' | 'times' | 'lengths' | 'splits' | 'counts' | 'labels' | 'agreement' | 'missing';

export interface CheckTally {
  failures: number;
  examples: string[];
  messages: string[];
}

export class Check {
  failures = 0;
  examples: string[] = [];
  messages: string[] = [];
  constructor(readonly name: CheckName) {}
  fail(where: string, message: string): void {
    this.failures++;
    if (this.examples.length < 5 && !this.examples.includes(where)) this.examples.push(where);
    if (this.messages.length < 3) this.messages.push(message);
  }
  absorb(t: CheckTally): void {
    this.failures += t.failures;
    for (const e of t.examples) if (this.examples.length < 5 && !this.examples.includes(e)) this.examples.push(e);
    for (const m of t.messages) if (this.messages.length < 3) this.messages.push(m);
  }
  tally(): CheckTally {
    return { failures: this.failures, examples: this.examples, messages: this.messages };
  }
  result(okMessage: string, figures: Record<string, unknown> = {}): CheckResult {
    const ok = this.failures === 0;
    const msg = ok ? okMessage : `${this.failures} problem${this.failures === 1 ? '' : 's'}: ${this.messages.join('; ')}${this.failures > this.messages.length ? '; …' : ''}`;
    return { name: this.name, ok, message: msg, examples: this.examples, failures: this.failures, figures };
  }
}

export interface CheckResult {
  name: CheckName;
  ok: boolean;
  /** One line: what was checked, or what failed. */
  message: string;
  /** Up to 5 offending record ids (or file:line where there is no id). */
  examples: string[];
  failures: number;
  /** The check's figures as fields (counts, ICCs, the fingerprint: `{labelled: {valence: 8}, records: 8}`), beside the prose; whether it passed or not. */
  figures: Record<string, unknown>;
}

export const MODALITIES = ['audio', 'face', 'text', 'labels'];

export interface ScanContext {
  schema: object | null;
  sessions: Record<string, { split: string; speaker_id: string; start_s: number | null; end_s: number | null; recording?: RecordingExtent | null }>;
  /** Label key -> ICC(2,1) of manifest.json. */
  labelIcc: Record<string, number | null>;
}

export interface FileEntry {
  path: string;
  abs: string;
  split: string;
}

export interface FileScan {
  path: string;
  sha256: string;
  bytes: number;
  records: number;
  checks: Partial<Record<CheckName, CheckTally>>;
  ids: string[];
  /** The line of each id in ids (parallel). */
  idLines: number[];
  perSplit: Record<string, number>;
  /** Records of each session in this file. */
  perSession: Record<string, number>;
  missing: Record<string, number>;
  labelled: Record<string, number>;
  /** speaker -> [split, first record id], in order of appearance. */
  speakers: Array<[string, string, string]>;
  /** session -> [first start_s, last start_s, first record id], in order of appearance. */
  sessionRuns: Array<[string, number, number, string]>;
}

const EPS = 1e-6;

type Rec = {
  id: string;
  session_id: string;
  speaker_id: string;
  split: string;
  start_s: number;
  end_s: number;
  text: string | null;
  words: Array<{ start_s: number; end_s: number }>;
  audio: { rate_hz: number; t0_s: number; n: number; frames: Record<string, unknown[]> } | null;
  face: { rate: string; rate_hz: number; t0_s?: number; t_s?: number[]; n: number; frames: Record<string, unknown[]> } | null;
  labels: Record<string, { agreement?: { icc2?: number | null } } & Parameters<typeof goldProblem>[0]>;
  quality: { present: Record<string, boolean> };
};

/** A line of a data file: its text, or null with the problem when it cannot be read as text (not UTF-8, too long). */
interface FileLine {
  line: string | null;
  n: number;
  last: boolean;
  problem?: string;
}

/** The longest line read: the longest string Node.js can hold (a build's JSON.stringify cannot write a longer record). */
const MAX_LINE_BYTES = constants.MAX_STRING_LENGTH;

/**
 * Splits a byte stream into lines at '\n' (never inside a UTF-8 sequence) and decodes each line strictly: a line that
 * is not UTF-8, or longer than MAX_LINE_BYTES, comes with its problem instead of its text. The line's bytes are kept
 * as the chunks' pieces and joined once, so a long line costs its length; the text used to be joined to the rest of
 * the line and searched from its start for every 1 MB read (a 128 MB line: 39 s, 1.1 GB; a 2 GB one ran into V8's
 * string limit after minutes), and bytes that are not UTF-8 became U+FFFD, exit 0.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private n = 0;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });

  /** `max`: the longest line read (a test's smaller one stands for Node.js's string limit). */
  constructor(private readonly max = MAX_LINE_BYTES) {}

  add(b: Buffer): void {
    if (this.size + b.length <= this.max) this.parts.push(b);
    else this.parts = [];
    this.size += b.length;
  }

  get pending(): boolean {
    return this.size > 0;
  }

  take(last: boolean): FileLine {
    const n = ++this.n;
    const { size, parts } = this;
    this.parts = [];
    this.size = 0;
    if (size > this.max) return { line: null, n, last, problem: `a line of ${(size / 2 ** 20).toFixed(0)} MiB, longer than the longest string Node.js holds (${this.max} characters): no mmprep build writes one, and no JSON reader of Node.js parses it; rebuild the release` };
    const buf = parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
    try {
      return { line: this.utf8.decode(buf), n, last };
    } catch {
      return { line: null, n, last, problem: `not UTF-8 (${notUtf8At(buf)}): the build writes UTF-8 only, and Python's json and most readers refuse other bytes; rebuild the release, or copy it again from its build's -o` };
    }
  }
}

/** Where a line stops being UTF-8: the first byte that starts no well-formed sequence ("byte 17 is 0xe9"). */
function notUtf8At(b: Buffer): string {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    const more = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
    let ok = more >= 0;
    for (let k = 1; ok && k <= more; k++) ok = i + k < b.length && (b[i + k] & 0xc0) === 0x80;
    if (!ok) return `byte ${i + 1} of the line is 0x${c.toString(16).padStart(2, '0')}`;
    i += more + 1;
  }
  return 'an overlong or surrogate sequence';
}

/** Lines of a (possibly gzipped) file with the sha256 and size of its bytes on disk. */
async function* fileLines(path: string, gz: boolean, digest: { sha256: string; bytes: number; error: string | null }): AsyncGenerator<FileLine> {
  const h = createHash('sha256');
  let bytes = 0;
  let head: Buffer = Buffer.alloc(0);
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  raw.on('data', (c: Buffer | string) => {
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    h.update(b);
    if (bytes === 0) head = b.subarray(0, 16);
    bytes += b.length;
  });
  const src = gz ? raw.pipe(createGunzip()) : raw;
  const lines = new LineSplitter();
  try {
    for await (const chunk of src as AsyncIterable<Buffer>) {
      let start = 0;
      let nl: number;
      while ((nl = chunk.indexOf(10, start)) >= 0) {
        lines.add(chunk.subarray(start, nl));
        yield lines.take(false);
        start = nl + 1;
      }
      if (start < chunk.length) lines.add(chunk.subarray(start));
    }
  } catch (e) {
    digest.error = gz ? gzipProblem(e as NodeJS.ErrnoException, head) : (e as Error).message;
  }
  if (lines.pending) yield lines.take(true);
  digest.sha256 = h.digest('hex');
  digest.bytes = bytes;
}

/**
 * What is wrong with a .gz data file whose gunzip failed, and what to do: zlib said only "incorrect header check"
 * for a plain JSON Lines file named .jsonl.gz, and "unexpected end of file" for one cut short.
 */
function gzipProblem(e: NodeJS.ErrnoException, head: Buffer): string {
  const fix = "copy the release again from its build's -o, or rebuild it";
  if (head.length >= 2 && !(head[0] === 0x1f && head[1] === 0x8b)) {
    const text = head.toString('latin1');
    const plain = text.startsWith('{') ? ` (it starts with ${JSON.stringify(text.slice(0, 8))}: a plain .jsonl named .gz?)` : ` (its first bytes are ${head.subarray(0, 4).toString('hex')}, not gzip's 1f8b)`;
    return `not gzip data although named .gz${plain}: ${fix}`;
  }
  if (head.length === 0) return `empty file, not gzip data although named .gz: ${fix}`;
  if (e.code === 'Z_BUF_ERROR' || /unexpected end of file/.test(e.message)) return `gzip data cut short (${e.message}): the file is truncated; ${fix}`;
  return `gzip data corrupt (zlib: ${e.message}): ${fix}`;
}

/** What a file scan gathers besides the checks: ids, counts per split, missing modalities, labels, speakers, session runs. */
interface ScanTally {
  records: number;
  ids: string[];
  /** The line of each id in ids (parallel). */
  idLines: number[];
  /** id -> its first line in this file */
  seen: Map<string, number>;
  perSplit: Record<string, number>;
  perSession: Record<string, number>;
  missing: Record<string, number>;
  labelled: Record<string, number>;
  /** speaker -> [split, first record id] */
  speakerSplit: Map<string, [string, string]>;
  /** session -> [first start_s, last start_s, first record id] */
  runs: Map<string, [number, number, string]>;
  /** session -> start_s of its previous record */
  lastStart: Map<string, number>;
}

const SCAN_CHECKS: CheckName[] = ['json', 'nan', 'schema', 'ids', 'times', 'lengths', 'splits', 'labels', 'agreement', 'missing'];

type RecordValidator = ((r: unknown) => boolean) & { errors?: unknown };

/** Compiled schemas by their JSON text, for this thread: SCHEMAS_KEPT at most, the oldest dropped first. */
const compiled = new Map<string, RecordValidator>();
const SCHEMAS_KEPT = 8;

/**
 * The schema compiled by ajv, once per thread for each schema text: every data file of a release is checked against
 * the same schema (and schema.json is that schema unless edited), and validate compiled it again for each data file
 * and once more for schema.json (~0.1 CPU s each: most of a small release's validate time, and a release of many
 * shards compiled it for each). The validator is compiled from the JSON text itself, so it depends on nothing else.
 * Throws as ajv does for a schema that does not compile (not kept).
 */
export function compiledSchema(schema: object): RecordValidator {
  const text = JSON.stringify(schema);
  let validator = compiled.get(text);
  if (validator === undefined) {
    validator = new Ajv({ allErrors: false, strict: false }).compile(JSON.parse(text) as object) as RecordValidator;
    compiled.set(text, validator);
    if (compiled.size > SCHEMAS_KEPT) compiled.delete(compiled.keys().next().value as string);
  }
  return validator;
}

function recordValidator(schema: object | null): RecordValidator {
  return schema ? compiledSchema(schema) : () => true;
}

const BARE_NAN = /(^|[^"\w])(-?Infinity|NaN)(?=[^"\w]|$)/g;

/**
 * The record of a line, or undefined (a json failure) when it does not parse. A line with NaN or Infinity (Python's
 * json.dumps writes them; they are not JSON) fails the nan check and is read with them as null for the other checks:
 * it was left out of every other check and of the counts, which then blamed a record missing from manifest.json.
 */
function parseLine(line: string, where: string, last: boolean, C: Record<CheckName, Check>): Rec | undefined {
  try {
    const r = JSON.parse(line) as Rec;
    const big = MAYBE_OVERFLOW.test(line) ? firstOverflow(line) : null;
    if (big) {
      const id = idOf(line);
      C.nan.fail(id ?? where, `${where}${id ? ` (${id})` : ''}: ${big.text.length > 24 ? `${big.text.slice(0, 20)}…` : big.text} in the JSON text${big.key !== null ? ` at field "${big.key}"` : ''} is beyond a double: JSON.parse and Python's json read it as Infinity; write a finite value or null`);
    }
    return r;
  } catch (e) {
    const nan = firstBareNan(line);
    if (nan) {
      const id = idOf(line);
      C.nan.fail(id ?? where, `${where}${id ? ` (${id})` : ''}: ${nan.text} in the JSON text${nan.key !== null ? ` at field "${nan.key}"` : ''}: write null for a missing value`);
      try {
        return JSON.parse(line.replace(BARE_NAN, '$1null')) as Rec;
      } catch {
        // not JSON for another reason too: said below
      }
    }
    C.json.fail(where, `${where}: ${last ? 'truncated (the last line is cut short)' : `not valid JSON (${(e as Error).message})`}`);
    return undefined;
  }
}

/**
 * The first NaN/Infinity outside the line's strings, as written (`-Infinity`), and the key it is the value (or an
 * array element) of: a scan that skips strings, so a transcript saying "NaN" is not taken for one.
 */
function firstBareNan(line: string): { text: string; key: string | null } | null {
  return firstValueOutsideStrings(line, (i) => {
    const m = /^-?(Infinity|NaN)/.exec(line.slice(i, i + 9));
    return m && !/\w/.test(line[i - 1] ?? '') ? { text: m[0], hit: true } : null;
  });
}

/**
 * Walks a JSON line outside its strings, remembering the key of the value being read: `test(i)` reads the token at
 * i (null when none starts there); a hit is returned with its key, any other token is skipped whole.
 */
function firstValueOutsideStrings(line: string, test: (i: number) => { text: string; hit: boolean } | null): { text: string; key: string | null } | null {
  let key: string | null = null;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') {
      const close = stringEnd(line, i);
      if (line[close] === '"' && /^\s*:/.test(line.slice(close + 1, close + 8))) key = line.slice(i + 1, close);
      i = close;
      continue;
    }
    const r = test(i);
    if (!r) continue;
    if (r.hit) return { text: r.text, key };
    i += r.text.length - 1;
  }
  return null;
}

/** A cheap test for a number literal that may overflow a double (an exponent of 3 digits, or 309 digits in a row). */
const MAYBE_OVERFLOW = /[eE]\+?\d{3}|\d{309}/;

/**
 * The first number outside the line's strings that overflows to Infinity (`1e999`: JSON.parse and Python's json.loads
 * give Infinity, which the schema's `number` accepts), and its key: the nan check caught only the bare word Infinity.
 */
function firstOverflow(line: string): { text: string; key: string | null } | null {
  return firstValueOutsideStrings(line, (i) => {
    const m = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(line.slice(i, i + 400));
    return m ? { text: m[0], hit: !Number.isFinite(Number(m[0])) } : null;
  });
}

/** The index of the quote that closes the string opening at `i` (or the line's end). */
function stringEnd(line: string, i: number): number {
  let j = i + 1;
  while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
  return Math.min(j, line.length - 1);
}

/** A record against the schema; a failure names the file and line, the record and the field (`data-train-00000.jsonl:1 (s01/u0000): /start_s must be number`). */
function matchesSchema(validateRecord: RecordValidator, r: Rec, id: string, where: string, c: Check): boolean {
  if (validateRecord(r)) return true;
  const err = (validateRecord.errors as Array<{ instancePath: string; message?: string; params?: { additionalProperty?: string } }> | undefined)?.[0];
  const extra = err?.params?.additionalProperty === undefined ? '' : ` ('${err.params.additionalProperty}' is not in schema.json)`;
  c.fail(id, `${where}${id === where ? '' : ` (${id})`}: ${err ? `${err.instancePath || '(record)'} ${err.message}${extra}` : 'does not match schema.json'}`);
  return false;
}

/** Split and speaker against manifest.json, one split per speaker, the record in the file of its split. */
function checkSplits(ctx: ScanContext, f: FileEntry, r: Rec, id: string, t: ScanTally, c: Check): void {
  const sess = ctx.sessions[r.session_id];
  if (!sess) c.fail(id, `${id}: session ${r.session_id} is not in manifest.json`);
  else if (sess.split !== r.split || sess.speaker_id !== r.speaker_id) c.fail(id, `${id}: split/speaker differ from manifest.json (${r.split}/${r.speaker_id} vs ${sess.split}/${sess.speaker_id})`);
  const prev = t.speakerSplit.get(r.speaker_id);
  if (prev === undefined) t.speakerSplit.set(r.speaker_id, [r.split, id]);
  else if (prev[0] !== r.split) c.fail(id, `speaker ${r.speaker_id} is in two splits (${prev[0]} and ${r.split})`);
  if (f.split !== r.split) c.fail(id, `${id}: split ${r.split} in file ${f.path} of split ${f.split}`);
}

/** The checks of a record that matches the schema: ids, splits, times, lengths; tallies its modalities and labels. */
function checkRecord(ctx: ScanContext, f: FileEntry, r: Rec, id: string, n: number, t: ScanTally, C: Record<CheckName, Check>): void {
  const first = t.seen.get(id);
  // Each copy's file and line, so a user finds both (trial B, session 42: the record id alone named neither).
  if (first !== undefined) C.ids.fail(id, `${id}: duplicate id (${f.path}:${first} and ${f.path}:${n})`);
  else {
    t.ids.push(id); // the cross-file merge sees each id of this file once
    t.idLines.push(n);
    t.seen.set(id, n);
  }
  if (!id.startsWith(`${r.session_id}/`)) C.ids.fail(id, `${id}: the id is not of its session ${r.session_id} (ids are <session_id>/<segment>)`);
  checkSplits(ctx, f, r, id, t, C.splits);
  checkTimes(r, id, ctx.sessions[r.session_id], t.lastStart, C.times);
  const run = t.runs.get(r.session_id);
  if (run) run[1] = r.start_s;
  else t.runs.set(r.session_id, [r.start_s, r.start_s, id]);
  checkLengths(r, id, C.lengths);
  checkPresent(r, id, C.missing);
  for (const [k, l] of Object.entries(r.labels)) {
    if (k in ctx.labelIcc && l.agreement?.icc2 !== ctx.labelIcc[k]) C.agreement.fail(id, `${id}: ${k} agreement differs from manifest.json`);
    const gold = goldProblem(l);
    if (gold) C.labels.fail(id, `${id}: ${k} ${gold} (edited after the build: rebuild the release)`);
  }
}

/**
 * quality.present against what the record holds (as record.ts sets it): the --max-missing gate and manifest.json's
 * presence count the mask, so a record whose face was removed with present.face left true passed `face=0`, exit 0.
 * A face is there when one of its frames has face_found (record.ts holdsFace), not when face_detection_rate > 0: that
 * passed records whose every face frame was null.
 */
function checkPresent(r: Rec, id: string, c: Check): void {
  const q = r.quality;
  const has: Record<string, boolean> = {
    audio: r.audio !== null,
    face: holdsFace(r.face as Record<string, unknown> | null),
    text: typeof r.text === 'string' && r.words.length > 0,
    labels: Object.keys(r.labels).length > 0,
  };
  const bad = MODALITIES.filter((k) => q.present[k] !== has[k]);
  if (bad.length) c.fail(id, `${id}: quality.present says ${bad.map((k) => `${k} ${q.present[k]}`).join(', ')}, but the record ${bad.map((k) => `${has[k] ? 'has' : 'has no'} ${k}`).join(', ')}`);
}

/**
 * Counts a parsed record by split, session, modality and label, before the schema check: a record failing the schema
 * (or read with NaN as null) is still a record of its session, and the counts check would otherwise blame it missing.
 */
function tallyRecord(r: Rec, t: ScanTally): void {
  if (typeof r?.split === 'string') t.perSplit[r.split] = (t.perSplit[r.split] ?? 0) + 1;
  if (typeof r?.session_id === 'string') t.perSession[r.session_id] = (t.perSession[r.session_id] ?? 0) + 1;
  const present = r?.quality?.present;
  for (const k of MODALITIES) if (!present?.[k]) t.missing[k]++;
  if (r?.labels && typeof r.labels === 'object') for (const k of Object.keys(r.labels)) t.labelled[k] = (t.labelled[k] ?? 0) + 1;
}

/** Checks one data file. */
export async function scanFile(ctx: ScanContext, f: FileEntry): Promise<FileScan> {
  const C = Object.fromEntries(SCAN_CHECKS.map((n) => [n, new Check(n)])) as Record<CheckName, Check>;
  const validateRecord = recordValidator(ctx.schema);
  const t: ScanTally = { records: 0, ids: [], idLines: [], seen: new Map(), perSplit: {}, perSession: {}, missing: { audio: 0, face: 0, text: 0, labels: 0 }, labelled: {}, speakerSplit: new Map(), runs: new Map(), lastStart: new Map() };
  const digest = { sha256: '', bytes: 0, error: null as string | null };
  for await (const { line, n, last, problem } of fileLines(f.abs, f.path.endsWith('.gz'), digest)) {
    const where = `${f.path}:${n}`;
    if (line === null) {
      C.json.fail(where, `${where}: ${problem}`);
      continue;
    }
    if (line.length === 0) {
      // The build never writes one; a reader doing json.loads on every line (docs/dataset.md's Python) fails on it.
      C.json.fail(where, `${where}: empty line (JSON Lines has one record on every line; a reader parsing each line fails here)`);
      continue;
    }
    const r = parseLine(line, where, last, C);
    if (r === undefined) continue;
    if (last) C.json.fail(where, `${where}: the last line has no newline (file cut short?)`);
    t.records++;
    const id = typeof r?.id === 'string' ? r.id : where;
    tallyRecord(r, t);
    if (!matchesSchema(validateRecord, r, id, where, C.schema)) continue;
    checkRecord(ctx, f, r, id, n, t, C);
  }
  if (digest.error) C.json.fail(f.path, `${f.path}: ${digest.error}`);
  return {
    path: f.path,
    sha256: digest.sha256,
    bytes: digest.bytes,
    records: t.records,
    checks: Object.fromEntries(SCAN_CHECKS.map((n) => [n, C[n].tally()])),
    ids: t.ids,
    idLines: t.idLines,
    perSplit: t.perSplit,
    perSession: t.perSession,
    missing: t.missing,
    labelled: t.labelled,
    speakers: [...t.speakerSplit.entries()].map(([sp, [split, id]]) => [sp, split, id]),
    sessionRuns: [...t.runs.entries()].map(([s, [a, b, id]]) => [s, a, b, id]),
  };
}

function idOf(line: string): string | null {
  const m = /^\{"id":"((?:[^"\\]|\\.)*)"/.exec(line);
  return m ? m[1] : null;
}

function checkTimes(r: Rec, id: string, sess: ScanContext['sessions'][string] | undefined, lastStart: Map<string, number>, c: Check): void {
  if (!(r.start_s <= r.end_s)) c.fail(id, `${id}: end_s ${r.end_s} before start_s ${r.start_s}`);
  if (sess && sess.start_s !== null && sess.end_s !== null && (r.start_s < sess.start_s - EPS || r.end_s > sess.end_s + EPS))
    c.fail(id, `${id}: [${r.start_s}, ${r.end_s}] outside session ${r.session_id} [${sess.start_s}, ${sess.end_s}]`);
  // The recording the feature streams cover, with the build's tolerance (src/dataset/transcripts/check.ts).
  else if (sess?.recording && isOutsideRecording(r.start_s, r.end_s, sess.recording))
    c.fail(id, `${id}: ${fmtSpan(r.start_s, r.end_s)} outside the recording of session ${r.session_id} (${fmtSpan(sess.recording.start_s, sess.recording.end_s)})`);
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

/** Seconds to the microsecond without trailing zeros (2.64 and 4.16, not 2.64 and 4.160000: trial B, session 42). */
const secs = (t: number): string => String(Number(t.toFixed(6)));

function checkLengths(r: Rec, id: string, c: Check): void {
  const span = r.end_s - r.start_s;
  if (!(span >= 0)) return; // end before start: the times check names it; no length fits a negative span
  const grid = (what: string, g: { rate_hz: number; t0_s?: number; n: number; frames: Record<string, unknown[]> }) => {
    for (const [k, arr] of Object.entries(g.frames)) if (arr.length !== g.n) return c.fail(id, `${id}: ${what}.frames.${k} has ${arr.length} values, n is ${g.n}`);
    const maxN = Math.floor(span * g.rate_hz * (1 + 1e-3) + 1e-6) + 1;
    if (g.n > maxN) return c.fail(id, `${id}: ${what} has ${g.n} frames, at most ${maxN} fit ${span.toFixed(3)} s at ${g.rate_hz} Hz`);
    if (g.t0_s !== undefined) {
      const tEnd = g.t0_s + (g.n - 1) / g.rate_hz;
      if (g.t0_s < r.start_s - EPS || tEnd > r.end_s + 1e-3 / g.rate_hz + EPS) c.fail(id, `${id}: ${what} grid [${secs(g.t0_s)}, ${secs(tEnd)}] s runs outside the segment [${secs(r.start_s)}, ${secs(r.end_s)}] s`);
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

