/**
 * `mmprep dataset validate`: the check CI runs before a dataset release goes out. Every record against schema.json
 * (ajv), no NaN/Infinity, times monotonic and inside the session, sequence lengths consistent with their rates,
 * checksums equal to manifest.json, no speaker in two splits, label coverage, agreement and missing-modality gates.
 * Each check reports ok or a message with a few offending record ids; any failure means exit 3 (GateError).
 */
import { DEFAULT_MIN_ICC_TARGETS, fewIccTargetsText, iccTargetsAloneText } from '../agreement/gate.js';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { threadExecArgv, threadFile } from '../common/threads.js';
import { InputError } from '../common/errors.js';
import type { DatasetManifest } from './build.js';
import { datasetCard } from './card.js';
import { toJsonText } from '../common/records.js';
import type { FaceRate } from './record.js';
import { datasetSchema } from './schema.js';
import { VERSION } from '../common/version.js';
import { canonicalJson, datasetCodeBuild, extractWays, FORMAT_VERSIONS, olderSchemaText, SCHEMA_VERSIONS, shapingFingerprint } from './fingerprint.js';
import { checkInputDirs, checkInputs } from './validate-inputs.js';
import { checkSessionWarnings, warningsByKind } from './validate-warnings.js';
import { Check, compiledSchema, MODALITIES, scanFile, type CheckName, type CheckResult, type FileEntry, type FileScan, type ScanContext } from './validate-scan.js';

export type { CheckName, CheckResult } from './validate-scan.js';

export const CHECKS: readonly CheckName[] = ['manifest', 'sessions', 'warnings', 'checksums', 'json', 'nan', 'schema', 'ids', 'times', 'lengths', 'splits', 'counts', 'labels', 'agreement', 'missing'];

export interface ValidateOptions {
  /** Fail a label dimension whose ICC(2,1) is below this (or undefined). */
  minIcc?: number;
  /** With minIcc: fail a dimension whose ICC(2,1) used fewer targets than this (`icc2_n_targets`); default DEFAULT_MIN_ICC_TARGETS, 0 = not checked. */
  minIccTargets?: number;
  /** Fail when the share of records without a modality exceeds the fraction, e.g. { face: 0.2 }. */
  maxMissing?: Record<string, number>;
  /** Fail a label dimension whose share of labelled records is below this (default: any labelled record at all). */
  minLabelCoverage?: number;
  /** Accept a release that left out sessions the build could not make (manifest.json sessions with an error; build exit 4). */
  allowFailedSessions?: boolean;
  /** Data files checked at the same time in worker threads (default: the number of cores for releases over 32 MB, else 1 = in this thread). */
  jobs?: number;
  /** Fail on session warnings of every kind (default: only FAILING_WARNING_KINDS: labels_unmatched, forced_pick, clock_mismatch, transcript_length). */
  failOnWarnings?: boolean;
  /** Session warning kinds accepted although they would fail the `warnings` check. */
  allowWarnings?: string[];
  /** Folders holding the build's inputs (session manifest, labels files): each is checked against manifest.json's source sha256 (the `inputs` check). */
  inputs?: string[];
}

export interface ValidateReport {
  ok: boolean;
  dir: string;
  records: number;
  files: number;
  bytes: number;
  checks: CheckResult[];
}


/** The fewest targets an ICC(2,1) may come from and pass --min-icc: as `agreement --min-icc-targets` (agreement/gate.ts). */
export { DEFAULT_MIN_ICC_TARGETS };

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

type Checks = Record<CheckName, Check>;

/** The cross-file totals of a release's data files, merged in file order. */
interface Merged {
  /** id -> where its first copy is (file index * 2^32 + line; files: scan order) */
  ids: Map<string, number>;
  files: string[];
  speakerSplit: Map<string, string>;
  lastStart: Map<string, number>;
  perSplit: Map<string, number>;
  perSession: Map<string, number>;
  missing: Record<string, number>;
  labelled: Map<string, number>;
  records: number;
  bytes: number;
}

/** manifest.json of a release; a folder that is not one is bad input (exit 2), not a failed check (exit 3). */
async function readReleaseManifest(dir: string): Promise<DatasetManifest> {
  const mPath = join(dir, 'manifest.json');
  if (!existsSync(dir)) throw new InputError('no such dataset folder: give the folder `mmprep dataset build -o` wrote', { file: dir });
  if (!statSync(dir).isDirectory()) throw new InputError('is a file, not a dataset folder: give the folder `mmprep dataset build -o` wrote', { file: dir });
  try {
    const m = JSON.parse(await readFile(mPath, 'utf8')) as DatasetManifest;
    if (m.format !== 'mmprep-dataset' || !Array.isArray(m.files) || !Array.isArray(m.sessions)) throw new Error('not an mmprep dataset manifest');
    refuseUnknownVersion(dir, m);
    return m;
  } catch (e) {
    if (e instanceof InputError) throw e;
    // Not a release at all is bad input (exit 2), not a release that fails a check (exit 3).
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no manifest.json' : `manifest.json unreadable: ${(e as Error).message}`;
    throw new InputError(`not an mmprep dataset release (${why}); give the folder \`mmprep dataset build -o\` wrote`, { file: dir });
  }
}

/**
 * A release of a format or record schema this mmprep does not know (a newer mmprep's) cannot be checked: refused, exit
 * 2, one line naming what it declares and what to do. Before 2026-12-02 it was checked against this build's schema and
 * card, as any release was, and failed them (exit 3) whatever its records held.
 */
function refuseUnknownVersion(dir: string, m: DatasetManifest): void {
  refuseNotAVersion(dir, 'format_version', m.format_version, FORMAT_VERSIONS);
  if (m.format_version >= 2) refuseNotAVersion(dir, 'schema_version', m.schema_version, SCHEMA_VERSIONS);
  const made = `made by mmprep ${m.tool?.version ?? '(version not recorded)'}${m.tool?.build ? ` code ${m.tool.build}` : ''}`;
  const mine = `this mmprep ${VERSION} (code ${datasetCodeBuild()})`;
  const what = !(FORMAT_VERSIONS as readonly unknown[]).includes(m.format_version)
    ? `manifest.json declares format_version ${JSON.stringify(m.format_version)}, which ${mine} does not know (it reads ${andList(FORMAT_VERSIONS)})`
    : m.format_version >= 2 && !(SCHEMA_VERSIONS as readonly unknown[]).includes(m.schema_version)
      ? `manifest.json declares schema_version ${JSON.stringify(m.schema_version)}, which ${mine} does not know (it reads ${andList(SCHEMA_VERSIONS)})`
      : null;
  if (!what) return;
  // The code that refuses it is the code the manifest says made it: no other mmprep would read it; it was edited.
  if (m.tool?.build === datasetCodeBuild()) throw new InputError(`${what}, yet it names this very mmprep's code (${m.tool.build}) as its maker: the manifest was edited after the build; copy the release again from its build's -o, or rebuild it`, { file: join(dir, 'manifest.json') });
  throw new InputError(`${what}; the release was ${made}: validate it with that mmprep or a newer one`, { file: dir });
}

/** Versions as words: '1 and 2', '1, 2 and 3'. */
function andList(v: readonly number[]): string {
  return v.length < 2 ? v.join('') : `${v.slice(0, -1).join(', ')} and ${v[v.length - 1]}`;
}

/**
 * A format_version or schema_version that no mmprep writes (absent, 0, negative, not a whole number, text): the release
 * was edited or not written by `dataset build`. Before 2026-12-03 `schema_version: 0` got "which this mmprep does not
 * know … validate it with that mmprep or a newer one", advice no mmprep can follow.
 */
function refuseNotAVersion(dir: string, field: string, v: unknown, known: readonly number[]): void {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1) return;
  const what = v === undefined ? `no ${field}` : `${field} ${JSON.stringify(v)} is not a version (versions are whole numbers from 1; this mmprep reads ${andList(known)})`;
  throw new InputError(`${what}: the manifest was edited or not written by mmprep dataset build; copy the release again from its build's -o, or rebuild it`, { file: join(dir, 'manifest.json') });
}

/**
 * A format 2 release's shaping record against itself: `extract` against the sessions' made_by, and `fingerprint`
 * against the hash of format_version, schema_version, tool, options and extract. An option, a tool or a session's
 * made_by edited after the build (without the fingerprint) fails `manifest`; a format 1 release has none to check.
 */
function checkShaping(m: DatasetManifest, c: Check): void {
  if (m.format_version < 2) return;
  if (typeof m.tool?.build !== 'string' || !/^[0-9a-f]{16}$/.test(m.tool.build)) c.fail('manifest.json', `manifest.json's tool.build is ${JSON.stringify(m.tool?.build)}, not a code fingerprint (16 hex digits): not written by mmprep, or edited; rebuild the release`);
  const ways = extractWays(m.sessions, m.format_version);
  // As sets: a later mmprep may list the ways in another order.
  const asSet = (w: unknown) => (Array.isArray(w) ? w.map(canonicalJson).sort().join('\n') : null);
  if (asSet(ways) !== asSet(m.extract)) c.fail('manifest.json', `manifest.json's extract (${(m.extract ?? []).length} ways) is not what its sessions' made_by give (${ways.length}): edited after the build; rebuild the release`);
  const want = shapingFingerprint({ format_version: m.format_version, schema_version: m.schema_version ?? 0, tool: m.tool, options: m.options, extract: m.extract ?? [] });
  if (m.fingerprint !== want) c.fail('manifest.json', `manifest.json's fingerprint ${JSON.stringify(m.fingerprint)} is not that of the tool, options and extract it records (${want}): edited after the build; rebuild the release`);
}

/** The names of a release's data files (as the build writes them, in the release folder itself). */
const DATA_NAME = /^data-[^/\\]+\.jsonl(\.gz)?$/;

/**
 * A file name manifest.json lists, when it is one the build writes: a path like `../../etc/hostname` was read, and its
 * first line quoted in the json check's message (a CI log), before 2026-12-02.
 */
function releaseName(p: unknown, shape: RegExp): boolean {
  return typeof p === 'string' && shape.test(p) && !p.includes('/') && !p.includes('\\');
}

/** schema.json and README.md against their checksums; data files in the folder that manifest.json does not list. */
async function checkExtraFiles(dir: string, m: DatasetManifest, checksums: Check): Promise<void> {
  for (const f of m.extra_files ?? []) {
    if (!releaseName(f.path, /^(schema\.json|README\.md)$/)) {
      checksums.fail(String(f.path), `manifest.json lists ${JSON.stringify(f.path)}, not a file the build writes (schema.json, README.md): not read; rebuild the release`);
      continue;
    }
    const p = join(dir, f.path);
    if (!existsSync(p)) {
      checksums.fail(f.path, `${f.path} is missing`);
      continue;
    }
    const h = createHash('sha256').update(await readFile(p)).digest('hex');
    if (h !== f.sha256) checksums.fail(f.path, `${f.path}: sha256 differs from manifest.json`);
  }
  const listed = new Set(m.files.map((f) => f.path));
  const unlisted = (await readdir(dir)).sort().filter((name) => /^data-.*\.jsonl(\.gz)?$/.test(name) && !listed.has(name));
  for (const [i, name] of unlisted.entries()) checksums.fail(name, `${name} is not listed in manifest.json${i === 0 ? unlistedHint(m, unlisted.length) : ''}`);
}

/**
 * Why data files manifest.json does not list are there, and what to do (said once, with the first): two releases
 * copied into one folder (one built with --shard-mb into several files per split, one not) left only a list of
 * file names, which did not say the files came from another build.
 */
function unlistedHint(m: DatasetManifest, n: number): string {
  const o = m.options as { shard_mb?: number; gzip?: boolean };
  const made = `built with --shard-mb ${o.shard_mb ?? '?'}${o.gzip ? ' --gzip' : ''}`;
  return ` (this manifest.json lists ${m.files.length} data file${m.files.length === 1 ? '' : 's'}, ${made}; ${n} in the folder ${n === 1 ? 'is' : 'are'} not among them: files of another build copied into this release, as when releases built with different --shard-mb or --gzip share a folder? copy the release again from its build's -o alone, or rebuild into a new -o)`;
}

/** schema.json, or null (a schema failure) when it does not parse or compile. */
async function readSchema(dir: string, schemaCheck: Check): Promise<object | null> {
  try {
    const schema = JSON.parse(await readFile(join(dir, 'schema.json'), 'utf8')) as object;
    compiledSchema(schema);
    return schema;
  } catch (e) {
    schemaCheck.fail('schema.json', `schema.json unusable (${(e as Error).message})`);
    return null;
  }
}

/** The first line where two texts differ: its number and both lines (cut to 80 characters). */
function firstDifference(have: string, want: string): string {
  const a = have.split('\n');
  const b = want.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  // Long lines are shown from a little before their first differing character, so the two excerpts differ.
  let j = 0;
  while (a[i] !== undefined && b[i] !== undefined && j < a[i].length && a[i][j] === b[i][j]) j++;
  const from = Math.max(0, j - 30);
  const cut = (t: string | undefined) => {
    if (t === undefined) return '(end of file)';
    if (t.length <= 80) return JSON.stringify(t);
    const part = t.slice(from, from + 77);
    return JSON.stringify(`${from > 0 ? '...' : ''}${part}${from + 77 < t.length ? '...' : ''}`);
  };
  return `line ${i + 1} is ${cut(a[i])}, manifest.json gives ${cut(b[i])}`;
}

/**
 * schema.json and the card (README.md) against manifest.json, which both are made from (its options and label keys;
 * the card from all of it). A loose schema.json, or a card with stale counts, whose checksums were rewritten to match
 * passed, exit 0: the records were checked against the release's own schema, whatever it said. The records are
 * checked against the schema manifest.json's options give.
 */
async function checkMadeFromManifest(dir: string, m: DatasetManifest, C: Checks): Promise<object> {
  const o = m.options as { audio_features?: string[]; face_features?: string[]; face_rate?: FaceRate };
  checkShaping(m, C.manifest);
  // The record schema of the version the release declares (format 1: schema 1); refuseUnknownVersion let only known ones through.
  const expected = datasetSchema({ audioFields: o.audio_features ?? [], faceFields: o.face_features ?? [], faceRate: o.face_rate ?? 'audio', labelKeys: (m.labels ?? []).map((l) => l.key), traceKeys: (m.labels ?? []).filter((l) => l.kind === 'trace').map((l) => l.key), schemaVersion: m.format_version >= 2 ? m.schema_version : 1 });
  const have = await readSchema(dir, C.schema);
  if (have !== null && toJsonText(have) !== toJsonText(expected))
    C.schema.fail('schema.json', `schema.json is not the schema of the build manifest.json describes (its options and label keys): ${firstDifference(toJsonText(have), toJsonText(expected))}; records are checked against the latter (edited after the build, or made by an mmprep whose schema_version ${m.schema_version ?? 1} differs from this one's: rebuild the release)`);
  const card = join(dir, 'README.md');
  if (existsSync(card)) {
    const text = await readFile(card, 'utf8');
    const want = cardOf(m);
    if (want === null) C.manifest.fail('manifest.json', 'manifest.json lacks fields the dataset card is made from (source, options, counts, presence, labels, sessions, files): not written by this mmprep, or edited');
    else if (text !== want) C.manifest.fail('README.md', `README.md (the dataset card) disagrees with manifest.json: ${firstDifference(text, want)} (edited after the build, or made by another mmprep: rebuild the release)`);
  }
  return expected;
}

/** The card manifest.json gives, or null when it lacks what the card is made from (an edited or foreign manifest.json). */
function cardOf(m: DatasetManifest): string | null {
  try {
    return datasetCard({ ...m, extra_files: [] });
  } catch {
    return null;
  }
}

/** What each file scan checks records against: the schema, the built sessions, each label's ICC. */
function scanContext(m: DatasetManifest, schema: object | null): ScanContext {
  // Utterance and label-span records must lie in the recording (the build refuses transcripts and label spans outside it); fixed windows are held to the session extent only.
  const segments = (m.options as { segments?: string }).segments;
  const utterances = segments === 'utterance' || segments === 'labels';
  return {
    schema,
    sessions: Object.fromEntries(m.sessions.filter((s) => !s.error).map((s) => [s.session_id, { split: s.split, speaker_id: s.speaker_id, start_s: s.start_s, end_s: s.end_s, recording: utterances ? (s.recording ?? null) : null }])),
    labelIcc: Object.fromEntries((m.labels ?? []).map((l) => [l.key, (l.agreement as { icc2?: number | null })?.icc2 ?? null])),
  };
}

/** The data files manifest.json lists that exist (a missing one is a checksums failure). */
function presentDataFiles(dir: string, m: DatasetManifest, checksums: Check): FileEntry[] {
  const entries: FileEntry[] = [];
  for (const f of m.files) {
    if (!releaseName(f.path, DATA_NAME)) {
      checksums.fail(String(f.path), `manifest.json lists data file ${JSON.stringify(f.path)}, not a name the build writes (data-<split>-NNNNN.jsonl[.gz] in the release folder): not read; rebuild the release`);
      continue;
    }
    const abs = join(dir, f.path);
    if (!existsSync(abs)) checksums.fail(f.path, `${f.path} is missing`);
    else entries.push({ path: f.path, abs, split: f.split });
  }
  return entries;
}

/** Threads for the scan: one per core for releases over 32 MB, else 1 (--jobs overrides). */
async function scanJobs(entries: FileEntry[], jobs: number | undefined): Promise<number> {
  let total = 0;
  for (const e of entries) total += (await stat(e.abs)).size;
  return jobs ?? (total >= 32 * 1024 * 1024 ? availableParallelism() : 1);
}

/** Facts that span files: ids unique, a speaker in one split, a session's records in time order across files. */
function mergeCrossFile(sc: FileScan, g: Merged, C: Checks): void {
  const file = g.files.push(sc.path) - 1;
  sc.ids.forEach((id, i) => {
    const first = g.ids.get(id);
    if (first !== undefined) C.ids.fail(id, `${id}: duplicate id (${g.files[Math.floor(first / 2 ** 32)]}:${first % 2 ** 32} and ${sc.path}:${sc.idLines[i]})`);
    else g.ids.set(id, file * 2 ** 32 + sc.idLines[i]);
  });
  for (const [sp, split, id] of sc.speakers) {
    const prev = g.speakerSplit.get(sp);
    if (prev === undefined) g.speakerSplit.set(sp, split);
    else if (prev !== split) C.splits.fail(id, `speaker ${sp} is in two splits (${prev} and ${split})`);
  }
  for (const [sess, first, last, id] of sc.sessionRuns) {
    const prev = g.lastStart.get(sess);
    if (prev !== undefined && first < prev) C.times.fail(id, `${id}: starts before the previous record of session ${sess} (in an earlier file)`);
    g.lastStart.set(sess, last);
  }
}

/** Merges the file scans in file order, comparing each file with its manifest.json entry. */
function mergeScans(scans: FileScan[], m: DatasetManifest, C: Checks): Merged {
  const g: Merged = { ids: new Map(), files: [], speakerSplit: new Map(), lastStart: new Map(), perSplit: new Map(), perSession: new Map(), missing: { audio: 0, face: 0, text: 0, labels: 0 }, labelled: new Map(), records: 0, bytes: 0 };
  for (const sc of scans) {
    const f = m.files.find((x) => x.path === sc.path)!;
    for (const [name, t] of Object.entries(sc.checks)) C[name as CheckName].absorb(t!);
    mergeCrossFile(sc, g, C);
    for (const [k, v] of Object.entries(sc.perSplit)) g.perSplit.set(k, (g.perSplit.get(k) ?? 0) + v);
    for (const [k, v] of Object.entries(sc.perSession)) g.perSession.set(k, (g.perSession.get(k) ?? 0) + v);
    for (const k of MODALITIES) g.missing[k] += sc.missing[k] ?? 0;
    for (const [k, v] of Object.entries(sc.labelled)) g.labelled.set(k, (g.labelled.get(k) ?? 0) + v);
    g.records += sc.records;
    g.bytes += sc.bytes;
    if (sc.sha256 !== f.sha256) C.checksums.fail(f.path, `${f.path}: sha256 differs from manifest.json`);
    if (sc.bytes !== f.bytes) C.checksums.fail(f.path, `${f.path}: ${sc.bytes} bytes, manifest.json says ${f.bytes}`);
    if (sc.records !== f.records) C.counts.fail(f.path, `${f.path}: ${sc.records} records, manifest.json says ${f.records}`);
  }
  return g;
}

/** Sessions the build left out (with their error): a failure unless --allow-failed-sessions. */
function checkFailedSessions(m: DatasetManifest, opts: ValidateOptions, sessions: Check): string {
  const bad = m.sessions.filter((s) => s.error);
  const n = Math.max(bad.length, m.counts?.sessions_failed ?? 0);
  const empty = m.sessions.filter((s) => !s.error && s.records === 0).map((s) => s.session_id);
  // A session built with no records (no transcript under --segments utterance) is in no data file: said, not failed.
  const none = empty.length ? `; ${empty.length} with no records: ${empty.slice(0, 5).join(', ')}${empty.length > 5 ? ', …' : ''} (their warnings are in manifest.json)` : '';
  if (n === 0) return `${m.sessions.length} sessions built, none failed${none}`;
  const named = bad.map((s) => `${s.session_id} (${s.error})`).join('; ');
  if (!opts.allowFailedSessions) {
    const hint = ' (pass --allow-failed-sessions to accept a release without it)';
    for (const [i, s] of bad.entries()) sessions.fail(s.session_id, `session ${s.session_id} failed at build and is not in the release: ${s.error}${i === 0 ? hint : ''}`);
    if (bad.length === 0) sessions.fail('manifest.json', `manifest.json counts ${n} failed sessions${hint}`);
  }
  return `${n} of ${m.sessions.length} sessions failed at build, accepted by --allow-failed-sessions: ${named}`;
}

/** Record counts per split and in all against manifest.json; a release without records fails. */
function checkCounts(m: DatasetManifest, g: Merged, counts: Check): void {
  for (const [split, c] of Object.entries(m.counts?.per_split ?? {})) {
    const got = g.perSplit.get(split) ?? 0;
    if (got !== c.records) counts.fail(split, `split ${split}: ${got} records, manifest.json says ${c.records}`);
  }
  if (g.records === 0) counts.fail('manifest.json', 'the release has no records');
  if (g.records !== m.counts?.records) counts.fail('manifest.json', `${g.records} records in all, manifest.json says ${m.counts?.records}`);
  checkManifestFigures(m, g, counts);
}

/**
 * The rest of manifest.json's figures against the records (and its own session list): records per session, sessions
 * and speakers per split, presence per modality, records labelled per dimension. A release whose records lost a
 * session's segment, or a split's file, with the totals edited to match (or a manifest.json of another build) passed
 * with its figures wrong, exit 0; a CI job reading them would report what is not in the release.
 */
function checkManifestFigures(m: DatasetManifest, g: Merged, counts: Check): void {
  const built = m.sessions.filter((s) => !s.error);
  for (const s of built) {
    const got = g.perSession.get(s.session_id) ?? 0;
    if (got !== s.records) counts.fail(s.session_id, `session ${s.session_id}: ${got} records, manifest.json says ${s.records}`);
  }
  if (m.counts && m.counts.sessions !== built.length) counts.fail('manifest.json', `manifest.json counts ${m.counts.sessions} sessions built, its session list has ${built.length}`);
  for (const [split, c] of Object.entries(m.counts?.per_split ?? {})) {
    const inSplit = built.filter((s) => s.split === split);
    const speakers = new Set(inSplit.map((s) => s.speaker_id)).size;
    if (c.sessions !== inSplit.length || c.speakers !== speakers) counts.fail(split, `split ${split}: manifest.json counts ${c.sessions} sessions and ${c.speakers} speakers, its session list has ${inSplit.length} and ${speakers}`);
    const empty = inSplit.filter((s) => s.records === 0).length;
    if (c.sessions_without_records !== undefined && c.sessions_without_records !== empty) counts.fail(split, `split ${split}: manifest.json counts ${c.sessions_without_records} sessions without records, its session list has ${empty}`);
  }
  for (const k of MODALITIES) {
    const have = g.records - g.missing[k];
    if (m.presence && m.presence[k] !== have) counts.fail(k, `${k} present in ${have} records, manifest.json's presence says ${m.presence[k]}`);
  }
  for (const l of m.labels ?? []) {
    const have = g.labelled.get(l.key) ?? 0;
    if (l.records_labelled !== undefined && l.records_labelled !== have) counts.fail(l.key, `label ${l.key}: ${have} records labelled, manifest.json says ${l.records_labelled}`);
  }
}

/** The gates: label coverage, agreement (--min-icc), missing modalities (--max-missing). */
function checkGates(m: DatasetManifest, g: Merged, opts: ValidateOptions, C: Checks): void {
  const { records } = g;
  const minCov = opts.minLabelCoverage ?? 0;
  if (opts.minLabelCoverage !== undefined && (m.labels ?? []).length === 0)
    C.labels.fail('--min-label-coverage', `--min-label-coverage ${opts.minLabelCoverage} cannot be checked: the release has no labels (build with --labels, or drop --min-label-coverage)`);
  for (const l of m.labels ?? []) {
    const have = g.labelled.get(l.key) ?? 0;
    const cov = records ? have / records : 0;
    if (have === 0 || cov < minCov) C.labels.fail(l.key, `${l.key}: ${have} of ${records} records labelled (${(100 * cov).toFixed(1)} %${minCov ? `, minimum ${100 * minCov} %` : ''})`);
  }
  if (opts.minIcc !== undefined) checkMinIcc(m, opts.minIcc, opts.minIccTargets ?? DEFAULT_MIN_ICC_TARGETS, C.agreement);
  for (const [k, frac] of Object.entries(opts.maxMissing ?? {})) {
    const share = records ? g.missing[k] / records : 0;
    if (share > frac + 1e-12) C.missing.fail(k, `${k}: missing in ${g.missing[k]} of ${records} records (${(100 * share).toFixed(1)} %), more than ${100 * frac} %`);
  }
}

/**
 * --min-icc: every numeric label dimension's ICC(2,1) at least X, computed from at least --min-icc-targets targets
 * (iccTargetsProblem). A release with no numeric dimension (no labels, or only categorical ones, which have no ICC)
 * fails the gate rather than passing it unchecked.
 */
function checkMinIcc(m: DatasetManifest, minIcc: number, minTargets: number, agreement: Check): void {
  const numeric = (m.labels ?? []).filter((l) => !l.categorical);
  if (numeric.length === 0) {
    const categorical = (m.labels ?? []).map((l) => l.key);
    const why = categorical.length ? `its label dimensions (${categorical.join(', ')}) are categorical and have no ICC` : 'it has no labels';
    agreement.fail('--min-icc', `--min-icc ${minIcc} cannot be checked: ${why} (build with numeric --labels, or drop --min-icc)`);
    return;
  }
  for (const l of numeric) {
    const a = l.agreement as { icc2: number | null; reason?: string | null; icc2_n_targets?: number | null; n_targets?: number };
    if (a.icc2 === null) agreement.fail(l.key, `${l.key}: ICC(2,1) undefined (${a.reason ?? 'no reason recorded'}), so not >= --min-icc ${minIcc}`);
    else if (a.icc2 < minIcc) agreement.fail(l.key, `${l.key}: ICC(2,1) = ${a.icc2} below --min-icc ${minIcc}`);
    else {
      const few = iccTargetsProblem(a, minTargets);
      if (few) agreement.fail(l.key, `${l.key}: ICC(2,1) = ${a.icc2} ${few}`);
    }
  }
}

/** Why an ICC(2,1) that reaches --min-icc still fails it: fewer targets than --min-icc-targets, or a count not recorded. */
function iccTargetsProblem(a: { icc2_n_targets?: number | null; n_targets?: number }, minTargets: number): string | null {
  if (minTargets <= 0) return null;
  const n = a.icc2_n_targets;
  if (typeof n === 'number') return n >= minTargets ? null : fewIccTargetsText(n, minTargets, 'icc2_n_targets');
  // Releases built before icc2_n_targets was recorded: n_targets (every rated target) bounds it from above.
  if (typeof a.n_targets === 'number' && a.n_targets < minTargets) return fewIccTargetsText(a.n_targets, minTargets, 'n_targets', true);
  return `cannot be held to --min-icc-targets ${minTargets}: the release does not record how many targets the ICC used (no icc2_n_targets: built by an older mmprep); rebuild it with this mmprep, or pass --min-icc-targets 0`;
}

/** Distinct speakers in each split, in the order the splits' records came ("test 1, train 1, val 1"). */
function speakersPerSplit(g: Merged): string {
  const count = new Map<string, number>();
  for (const split of g.speakerSplit.values()) count.set(split, (count.get(split) ?? 0) + 1);
  return [...g.perSplit.keys()].map((k) => `${k} ${count.get(k) ?? 0}`).join(', ');
}

/** The dimensions --min-icc checked, and the categorical ones it could not ("valence, arousal; mood categorical: no ICC"). */
function iccGated(m: DatasetManifest): string {
  const labels = m.labels ?? [];
  const cat = labels.filter((l) => l.categorical).map((l) => l.key);
  return labels.filter((l) => !l.categorical).map((l) => l.key).join(', ') + (cat.length ? `; ${cat.join(', ')} categorical: no ICC` : '');
}

/** The target count --min-icc held the ICCs to, as the ok line says it (" from at least 30 targets"). */
function iccTargetsText(opts: ValidateOptions): string {
  const n = opts.minIccTargets ?? DEFAULT_MIN_ICC_TARGETS;
  return n > 0 ? ` from at least ${n} targets` : ' (target count not checked: --min-icc-targets 0)';
}

/** The code, schema and fingerprint a release records (format 2), or that a format 1 release records none. */
function shapingText(m: DatasetManifest): string {
  if (m.format_version < 2) return ' (format 1: no code fingerprint recorded; built before 2026-12-02)';
  const older = typeof m.schema_version === 'number' ? olderSchemaText(m.schema_version) : '';
  return ` code ${m.tool.build}, format ${m.format_version}, schema ${m.schema_version}, fingerprint ${m.fingerprint?.slice(0, 19)}…${older ? ` (${older})` : ''}`;
}

/**
 * Each check's figures as fields, whether it passed or not: diffing two releases' reports (a CI comparing releases)
 * meant diffing prose before 2026-12-06 (ttrial45b). From manifest.json (what the release says) and the records.
 */
function checkFigures(m: DatasetManifest, g: Merged): Partial<Record<CheckName, Record<string, unknown>>> {
  const built = m.sessions.filter((s) => !s.error);
  const perSplit = Object.fromEntries([...g.perSplit.entries()]);
  return {
    manifest: { mmprep: m.tool?.version ?? null, code: m.tool?.build ?? null, format_version: m.format_version, schema_version: m.schema_version ?? null, fingerprint: m.fingerprint ?? null, data_files: m.files.length },
    sessions: { sessions: m.sessions.length, built: built.length, failed: m.sessions.length - built.length, without_records: built.filter((s) => s.records === 0).length },
    warnings: { by_kind: warningsByKind(m) },
    checksums: { files: m.files.length + (m.extra_files?.length ?? 0) },
    json: { lines: g.records },
    schema: { records: g.records },
    ids: { unique: g.ids.size },
    splits: { speakers: g.speakerSplit.size, records_per_split: perSplit },
    counts: { records: g.records, manifest_records: m.counts?.records ?? null },
    labels: { records: g.records, labelled: Object.fromEntries((m.labels ?? []).map((l) => [l.key, g.labelled.get(l.key) ?? 0])), targets_unmatched: Object.fromEntries((m.labels ?? []).map((l) => [l.key, (l.targets_unmatched ?? []).length])) },
    agreement: Object.fromEntries((m.labels ?? []).map((l) => {
      const a = l.agreement as { icc2?: number | null; icc2_n_targets?: number | null; alpha?: number | null };
      return [l.key, { icc2: a?.icc2 ?? null, icc2_n_targets: a?.icc2_n_targets ?? null, alpha: a?.alpha ?? null }];
    })),
    missing: { records: g.records, ...g.missing },
  };
}

/** What each check says when it passes. */
function okMessages(m: DatasetManifest, g: Merged, opts: ValidateOptions): Record<Exclude<CheckName, 'sessions' | 'warnings' | 'inputs'>, string> {
  const { records, labelled, missing } = g;
  return {
    manifest: `manifest.json of mmprep ${m.tool?.version}${shapingText(m)}, ${m.files.length} data files`,
    checksums: `${m.files.length + (m.extra_files?.length ?? 0)} files match their sha256`,
    json: `${records} lines parse`,
    nan: 'no NaN or Infinity',
    schema: `${records} records match schema.json`,
    ids: `${g.ids.size} unique ids`,
    times: 'times monotonic and inside their sessions',
    lengths: 'sequence lengths match their rates',
    splits: `${g.speakerSplit.size} speakers, each in one split (${speakersPerSplit(g) || 'no records'})`,
    counts: 'record counts match manifest.json',
    labels: (m.labels ?? []).length ? (m.labels ?? []).map((l) => `${l.key} ${labelled.get(l.key) ?? 0}/${records}`).join(', ') + ' records labelled' : 'no labels in this dataset',
    agreement: opts.minIcc !== undefined ? `every numeric dimension ICC(2,1) >= ${opts.minIcc}${iccTargetsText(opts)} (${iccGated(m)})` : 'agreement figures consistent (no --min-icc gate)',
    missing: Object.keys(opts.maxMissing ?? {}).length ? `within ${Object.entries(opts.maxMissing ?? {}).map(([k, v]) => `${k}<=${v}`).join(', ')}` : `missing: ${MODALITIES.map((k) => `${k} ${missing[k]}`).join(', ')} (no --max-missing gate)`,
  };
}

export async function validateDataset(dir: string, opts: ValidateOptions = {}): Promise<ValidateReport> {
  if (opts.minIccTargets !== undefined && opts.minIcc === undefined)
    throw new InputError(iccTargetsAloneText(opts.minIccTargets));
  const inputDirs = opts.inputs ?? [];
  checkInputDirs(inputDirs);
  // `inputs` is a check only when asked for (--inputs): reports without it keep their checks
  const names: CheckName[] = inputDirs.length ? [...CHECKS.slice(0, 4), 'inputs', ...CHECKS.slice(4)] : [...CHECKS];
  const C = Object.fromEntries(names.map((n) => [n, new Check(n)])) as Checks;
  const m = await readReleaseManifest(dir);
  const inputsOk = inputDirs.length ? await checkInputs(m, inputDirs, C.inputs) : '';
  await checkExtraFiles(dir, m, C.checksums);
  const schema = await checkMadeFromManifest(dir, m, C);
  const entries = presentDataFiles(dir, m, C.checksums);
  const scans = await scanAll(scanContext(m, schema), entries, await scanJobs(entries, opts.jobs));
  const merged = mergeScans(scans, m, C);
  checkCounts(m, merged, C.counts);
  checkGates(m, merged, opts, C);
  const okText = { ...okMessages(m, merged, opts), sessions: checkFailedSessions(m, opts, C.sessions), warnings: checkSessionWarnings(m, opts, C.warnings), inputs: inputsOk };
  const figures = checkFigures(m, merged);
  const checks = names.map((n) => C[n].result(okText[n], figures[n]));
  // absolute, as `dataset build` prints its output: two reports of one release agree wherever they were run from
  return { ok: checks.every((c) => c.ok), dir: resolve(dir), records: merged.records, files: m.files.length, bytes: merged.bytes, checks };
}

export function formatReport(r: ValidateReport): string {
  const L: string[] = [];
  L.push(`${r.dir}: ${r.records} records in ${r.files} files (${(r.bytes / 1e6).toFixed(2)} MB)`);
  for (const c of r.checks) L.push(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.message}${c.ok || c.examples.length === 0 ? '' : ` [${c.examples.join(', ')}]`}`);
  const bad = r.checks.filter((c) => !c.ok).map((c) => c.name);
  L.push(r.ok ? 'dataset valid' : `dataset INVALID: ${bad.join(', ')} failed`);
  return L.join('\n') + '\n';
}

/** Scans the files, in worker threads when there are several (results in file order). */
async function scanAll(ctx: ScanContext, files: FileEntry[], jobs: number): Promise<FileScan[]> {
  const n = Math.max(1, Math.min(jobs, files.length));
  if (n <= 1) {
    const out: FileScan[] = [];
    for (const f of files) out.push(await scanFile(ctx, f));
    return out;
  }
  const results: FileScan[] = new Array(files.length);
  const workers = Array.from({ length: n }, () => new Worker(threadFile('validate-thread.js', 'dataset'), { workerData: ctx, execArgv: threadExecArgv() }));
  let next = 0;
  try {
    await new Promise<void>((resolveAll, rejectAll) => {
      let done = 0;
      const feed = (w: Worker) => {
        if (next < files.length) {
          const i = next++;
          w.postMessage({ i, file: files[i] });
        }
      };
      for (const w of workers) {
        w.on('message', (msg: { i: number; scan?: FileScan; fatal?: string }) => {
          if (msg.fatal) return rejectAll(new Error(msg.fatal));
          results[msg.i] = msg.scan!;
          if (++done === files.length) resolveAll();
          else feed(w);
        });
        w.on('error', rejectAll);
        feed(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

