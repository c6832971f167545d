/**
 * `mmprep dataset build`: session manifest + extract's feature folders (+ ratings files) -> a JSONL dataset release.
 * Sessions are processed one at a time and their feature files streamed, so memory stays flat in the number of
 * sessions (and, for non-overlapping segments, in session length). Output is built in a temp folder beside OUT and
 * renamed into place at the end; nothing partial is left (on an error, an interrupt: discardRunningBuilds, or a kill:
 * the next build removes a dead process's temp folder). Same inputs and options -> byte-identical files.
 */
import { sha256File } from '../common/sha256.js';
import { createReadStream, existsSync, renameSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { threadExecArgv, threadFile } from '../common/threads.js';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { BatchError, InputError, unwritableOutput, type OutputPathError } from '../common/errors.js';
import { csvDialectNote, sniffFileDelimiter } from '../common/csv.js';
import { checkFeatureFiles, type MediaHashes } from './feature-check.js';
import { sameContentNotes } from './same-content.js';
import { refuseEmpty } from './refuse.js';
import { writeFileAtomic } from '../common/atomic.js';
import { toJsonText } from '../common/records.js';
import { VERSION } from '../common/version.js';
import { readManifest, type Manifest, type ManifestSession } from '../batch/manifest.js';
import { DEFAULT_AUDIO_FEATURES, DEFAULT_FACE_FEATURES, parseFeatureList } from './features.js';
import { readLabelFiles, unknownSessionNotes, type LabelSet } from './labels.js';
import { DEFAULT_MIN_TRACE_COVERAGE, type TraceTally } from './trace-labels.js';
import type { TraceDimension } from './trace-read.js';
import type { FaceRate } from './record.js';
import { fixedGapNote, parseSegmentMode, segmentModeText, type SegmentMode } from './segments.js';
import { buildSessionToFile, sessionLabels, type DatasetSessionOutcome, type SessionJob, type SessionTally } from './build-session.js';
import { SplitShardWriter, type ShardFile } from './shards.js';
import { DEFAULT_SPLIT, manifestSplits, parseSplits, splitKeys, splitOf, splitShareNote, type SplitSpec } from './splits.js';
import { datasetSchema } from './schema.js';
import { datasetCodeBuild, extractWays, FORMAT_VERSION, SCHEMA_VERSION, shapingFingerprint, type ExtractWay } from './fingerprint.js';
import { datasetCard } from './card.js';
import { missingStageWarnings, notProducedReasons, mixedAudioRoleNotes, mixedFaceModelNotes, mixedMadeByNotes } from './made-by-mix.js';
import { makeFolder } from '../common/make-folder.js';
export type { DatasetSessionOutcome } from './build-session.js';

export interface BuildOptions {
  features: string;
  labels?: string[];
  segments?: string;
  audioFeatures?: string;
  faceFeatures?: string;
  faceRate?: FaceRate;
  split?: string;
  gzip?: boolean;
  shardMb?: number;
  out: string;
  /** Sessions built at the same time in worker threads (default: the number of cores when the feature files exceed 32 MB, else 1 = in this thread). Output bytes do not depend on it. */
  jobs?: number;
  /** Called after each session (progress). */
  onSession?: (s: DatasetSessionOutcome) => void;
  /** CSV delimiter of the manifest and labels files (default: sniffed per file). */
  delimiter?: string;
  /** Labels files write numbers with a decimal comma. */
  decimalComma?: boolean;
  /** Labels files' codes for a missing rating besides '' and NA (`--na`). */
  labelNa?: string[];
  /** Labels files hold category labels (happy, sad, ...): gold is the majority, as `mmprep agreement --categorical`. */
  categorical?: boolean | string[];
  /** Labels files' numeric scale ends, lowest first (`--scale 1,9`): a rating outside is refused. */
  labelScale?: [number, number];
  /** Leave out the records whose span holds sync-beep audio (quality.sync_beep true); default: keep and mark them. */
  excludeSyncBeep?: boolean;
  /** Labels files' column names (as `mmprep agreement --target-col/--rater-col/--rating-col`). */
  labelColumns?: { targetColumn?: string; raterColumn?: string; ratingColumn?: string };
  /** Manifest columns kept as metadata although they look like misspelt roles. */
  allowColumns?: string[];
  /** Refuse the build when a label dimension labels less than this share of the records (default: refuse only when none). */
  minLabelCoverage?: number;
  /** The least share of a record's span a gold trace must cover for the record to get its mean (default 0.5). */
  minTraceCoverage?: number;
  /** A build with failed sessions replaces an earlier release at `out` (default: it is kept, and nothing is written). */
  replacePartial?: boolean;
  /** Lines for stderr: a sniffed delimiter, label coverage counts. */
  onNote?: (line: string) => void;
  /** A warning line (the labels' agreement warnings, a session's warnings); onNote when not given. The CLI prefixes
   *  it `warning:` as `mmprep agreement` does (before 2026-12-03 the same warning had the prefix there, not here). */
  onWarning?: (line: string) => void;
}


export interface DatasetManifest {
  format: 'mmprep-dataset';
  /** 1: releases before 2026-12-02 (no build, schema_version, fingerprint, extract); 2: with them (src/dataset/fingerprint.ts). */
  format_version: number;
  /** `build`: the fingerprint of the code that builds releases (fingerprint.ts datasetCodeBuild); since format 2. */
  tool: { name: 'mmprep'; version: string; build?: string };
  /** The record schema's version (src/dataset/schema.ts); format 1 releases are schema 1. */
  schema_version?: number;
  /** sha256 of format_version, schema_version, tool, options and extract (fingerprint.ts); since format 2. */
  fingerprint?: string;
  source: { manifest: string; manifest_sha256: string; labels: Array<{ file: string; sha256: string }> };
  options: Record<string, unknown>;
  /** The distinct ways the sessions' audio and face features were extracted; since format 2. */
  extract?: ExtractWay[];
  counts: { records: number; sessions: number; sessions_failed: number; per_split: Record<string, { records: number; sessions: number; speakers: number; sessions_without_records?: number }> };
  presence: Record<string, number>;
  labels: Array<{ key: string; file: string; dimension: string; categorical: boolean; agreement: unknown; targets: number; targets_used: number; targets_unmatched: string[]; records_labelled: number; warnings: string[]; kind?: 'trace'; trace?: TraceManifestEntry }>;
  sessions: DatasetSessionOutcome[];
  files: ShardFile[];
  extra_files: Array<{ path: string; bytes: number; sha256: string }>;
  /** The note that the hash split's shares lie far from --split (splits.ts splitShareNote); only when it does, since 2026-12-07. */
  split_note?: string;
  /** The card's sentence on times when sessions were extracted without a sync map (clockNoteOf); since 2026-12-07. */
  clock_note?: string;
}

export interface BuildResult {
  out: string;
  manifest: DatasetManifest;
  /** The failed sessions' errors as the build met them, with absolute paths (stderr, --json); manifest.json's are relative to the manifest's folder. */
  failedSessions: Array<{ session_id: string; error: string }>;
}


interface Prepared {
  options: {
    segments: SegmentMode;
    audioFields: string[];
    faceFields: string[];
    faceRate: FaceRate;
    splits: SplitSpec[];
    gzip: boolean;
    shardMb: number;
    excludeSyncBeep: boolean;
    labelScale: [number, number] | null;
    /** The least share of a record's span a gold trace must cover to label it (--min-trace-coverage). */
    minTraceCoverage: number;
    /** The manifest column the splits came from, when they did. */
    splitColumn?: string;
    /** How the labels files were read, as given: their column names, --na, --decimal-comma (labelReading). */
    labelColumns: { target_col?: string; rater_col?: string; rating_col?: string; na?: string[]; decimal_comma?: true };
  };
}

function prepare(o: BuildOptions): Prepared['options'] {
  const shardMb = o.shardMb ?? 256;
  if (!(shardMb > 0)) throw new InputError(`--shard-mb must be positive, got ${shardMb}`);
  const faceRate = o.faceRate ?? 'audio';
  if (faceRate !== 'audio' && faceRate !== 'native') throw new InputError(`--face-rate must be audio or native, got '${faceRate}'`);
  const segments = parseSegmentMode(o.segments ?? 'utterance');
  if (segments.kind === 'labels' && !(o.labels && o.labels.length)) throw new InputError('--segments labels needs at least one --labels file');
  if (o.minTraceCoverage !== undefined && !(o.minTraceCoverage > 0 && o.minTraceCoverage <= 1)) throw new InputError(`--min-trace-coverage must be above 0 and at most 1, got ${o.minTraceCoverage}`);
  // A coverage gate with nothing to cover passed unchecked (an unlabelled release, exit 0), as --min-icc does not in validate.
  if (o.minLabelCoverage !== undefined && !(o.labels && o.labels.length)) throw new InputError(`--min-label-coverage ${o.minLabelCoverage} cannot be checked without --labels: give the ratings files, or drop --min-label-coverage`);
  const gap = fixedGapNote(segments);
  if (gap) o.onNote?.(gap);
  return {
    segments,
    audioFields: parseFeatureList(o.audioFeatures ?? DEFAULT_AUDIO_FEATURES, 'audio'),
    faceFields: parseFeatureList(o.faceFeatures ?? DEFAULT_FACE_FEATURES, 'face'),
    faceRate,
    splits: parseSplits(o.split ?? DEFAULT_SPLIT),
    gzip: Boolean(o.gzip),
    shardMb,
    excludeSyncBeep: Boolean(o.excludeSyncBeep),
    minTraceCoverage: o.minTraceCoverage ?? DEFAULT_MIN_TRACE_COVERAGE,
    labelScale: o.labelScale ?? null,
    labelColumns: {
      ...(o.labelColumns?.targetColumn ? { target_col: o.labelColumns.targetColumn } : {}),
      ...(o.labelColumns?.raterColumn ? { rater_col: o.labelColumns.raterColumn } : {}),
      ...(o.labelColumns?.ratingColumn ? { rating_col: o.labelColumns.ratingColumn } : {}),
      ...(o.labelNa?.length ? { na: o.labelNa } : {}),
      ...(o.decimalComma ? { decimal_comma: true as const } : {}),
    },
  };
}

type BuildOptionsResolved = Prepared['options'];

/** The sessions' outcomes and what the manifest sums up from them, folded in manifest order. */
class BuildTotals {
  readonly outcomes: DatasetSessionOutcome[] = [];
  readonly presence = { audio: 0, face: 0, text: 0, labels: 0 };
  readonly usedTargets = new Map<string, Set<string>>();
  readonly labelledRecords = new Map<string, number>();
  /** Per gold-trace key, the records' outcomes summed over sessions (trace-labels.ts). */
  readonly traces = new Map<string, TraceTally>();
  records = 0;

  fold(outcome: DatasetSessionOutcome, tally: SessionTally): void {
    const { presence } = this;
    for (const k of Object.keys(presence) as Array<keyof typeof presence>) presence[k] += tally.presence[k];
    for (const [key, ts] of Object.entries(tally.usedTargets)) {
      let set = this.usedTargets.get(key);
      if (!set) this.usedTargets.set(key, (set = new Set()));
      for (const t of ts) set.add(t);
      this.labelledRecords.set(key, (this.labelledRecords.get(key) ?? 0) + ts.length);
    }
    for (const [key, ts] of Object.entries(tally.mergedTargets ?? {})) {
      let set = this.usedTargets.get(key);
      if (!set) this.usedTargets.set(key, (set = new Set()));
      for (const t of ts) set.add(t);
    }
    for (const [key, t] of Object.entries(tally.traces ?? {})) {
      const sum = this.traces.get(key) ?? { labelled: 0, below_min_coverage: 0, without_trace: 0, coverage_sum: 0, coverage_n: 0 };
      for (const k of Object.keys(sum) as Array<keyof TraceTally>) sum[k] += t[k];
      this.traces.set(key, sum);
    }
    this.records += outcome.records;
    this.outcomes.push(outcome);
  }
}

/** The inputs of a build: the session manifest, the labels files (read), and the feature folder checked against them. */
interface BuildInputs {
  manifest: Manifest;
  featuresDir: string;
  labelFiles: string[];
  labelSet: LabelSet | null;
  /** Each session's media sha256 by role (meta.json inputs[]). */
  hashes: MediaHashes;
  /** Sessions whose media changed since extraction: each fails alone with this reason (feature-check.ts). */
  changedInputs: Map<string, string>;
  /** The sessions' splits from the manifest's `split` column (splits.ts manifestSplits), or null. */
  manifestSplit: ReturnType<typeof manifestSplits>;
}

async function readBuildInputs(manifestPath: string, o: BuildOptions): Promise<BuildInputs> {
  const featuresDir = resolve(o.features);
  try {
    if (!(await stat(featuresDir)).isDirectory()) throw new Error();
  } catch {
    throw new InputError('--features: not a folder', { file: o.features });
  }
  const manifest = await readManifest(manifestPath, { checkFiles: false, delimiter: o.delimiter, allowColumns: o.allowColumns });
  for (const n of manifest.notes) o.onNote?.(n);
  const labelFiles = (o.labels ?? []).map((f) => resolve(f));
  const labelSet: LabelSet | null = labelFiles.length ? await readLabelFiles(labelFiles, { ...o.labelColumns, delimiter: o.delimiter, decimalComma: o.decimalComma, naValues: o.labelNa, categorical: o.categorical, scale: o.labelScale }) : null;
  if (labelSet && parseSegmentMode(o.segments ?? 'utterance').kind === 'labels' && labelSet.dimensions.every((d) => d.trace))
    throw new InputError(`--segments labels makes a record per rated span, and a gold trace has none (${labelSet.files.map((f) => basename(f)).join(', ')}): use --segments fixed:LEN[:HOP] (AVEC's windows) or utterance, each record labelled by the trace's mean over its span`);
  for (const w of labelSet?.dimensions.flatMap((d) => d.warnings) ?? []) (o.onWarning ?? o.onNote)?.(`labels: ${w}`);
  for (const n of labelSet?.notes ?? []) o.onNote?.(`labels: ${n}`);
  if (labelSet) for (const n of unknownSessionNotes(labelSet, manifest.sessions.map((x) => x.session_id))) o.onNote?.(n);
  if (o.delimiter === undefined)
    for (const f of o.labels ?? []) {
      const note = csvDialectNote(f, await sniffFileDelimiter(f), false);
      if (note) o.onNote?.(note);
    }
  const { hashes, changedInputs } = await checkFeatureFiles(manifest.sessions, featuresDir, manifest.path);
  for (const n of sameContentNotes(manifestPath, manifest.sessions, hashes)) o.onNote?.(n);
  const keys = splitKeys(manifest.sessions.map((s) => ({ speaker_id: s.speaker_id, media: s.media.map((m) => ({ path: m.path, sha256: hashes.get(s.session_id)?.get(m.role) })) })));
  const manifestSplit = manifestSplits(manifestPath, manifest.sessions, keys, o.split !== undefined);
  return { manifest, featuresDir, labelFiles, labelSet, hashes, changedInputs, manifestSplit };
}

/** A previous release is replaced whole; files its manifest.json does not list (the user's own) are never deleted: refused, exit 2. */
async function refuseForeignFiles(out: string, given: string, entries: string[]): Promise<void> {
  let listed: Set<string>;
  try {
    const prev = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as Partial<DatasetManifest>;
    if (prev.format !== 'mmprep-dataset' || !Array.isArray(prev.files)) throw new Error();
    listed = new Set(['manifest.json', ...prev.files.map((f) => f.path), ...(prev.extra_files ?? []).map((f) => f.path)]);
  } catch {
    throw new InputError('output folder has a manifest.json that is not an mmprep dataset manifest; refusing to replace it (choose another -o)', { file: given });
  }
  const foreign = entries.filter((e) => !listed.has(e)).sort();
  if (foreign.length === 0) return;
  const names = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? `, … (${foreign.length} in all)` : '');
  throw new InputError(`output folder holds ${foreign.length === 1 ? 'a file' : 'files'} that ${foreign.length === 1 ? 'is' : 'are'} not part of the mmprep release there (${names}); rebuilding would delete ${foreign.length === 1 ? 'it' : 'them'}: move ${foreign.length === 1 ? 'it' : 'them'} out or choose another -o`, { file: given });
}

/** The output folder may be replaced only when it is an earlier release; returns its path and a fresh temp folder beside it. */
async function prepareOutput(given: string): Promise<{ out: string; tmp: string }> {
  const out = resolve(given);
  if (existsSync(out)) {
    if (!(await stat(out)).isDirectory()) throw new InputError('output exists and is not a folder: choose another -o (a folder, made when missing)', { file: given });
    const entries = await readdir(out);
    if (entries.length > 0 && !entries.includes('manifest.json'))
      throw new InputError('output folder exists and is not an mmprep dataset (no manifest.json); refusing to replace it: choose another -o (a new or empty folder)', { file: given });
    if (entries.length > 0) await refuseForeignFiles(out, given, entries);
  }
  await makeFolder(dirname(out));
  await removeStaleTemps(out);
  const tmp = join(dirname(out), `.${basename(out)}.build-${process.pid}.tmp`);
  await rm(tmp, { recursive: true, force: true });
  await makeFolder(tmp);
  return { out, tmp };
}

/** The temp folders of builds running in this process (`discardRunningBuilds` removes them on an interrupt). */
const runningTemps = new Set<string>();

/** The names a build's temp folder has: while building, while the old release is removed, while discarded. */
const tempNames = (tmp: string) => [tmp, `${tmp}.old`, `${tmp}.discard`];

/**
 * Removes the temp folders of this process's running builds at once (synchronous: for a SIGINT/SIGTERM handler that
 * exits next), so an interrupted build leaves nothing partial behind. The folder is renamed first, so a worker thread
 * still writing a session cannot add a file to it while it is removed. An earlier release at `-o` stays as it was.
 */
export function discardRunningBuilds(): void {
  for (const tmp of runningTemps) {
    try {
      renameSync(tmp, `${tmp}.discard`);
    } catch {
      // not there (swapped into place already, or never made)
    }
    for (const p of tempNames(tmp).slice(1)) rmSync(p, { recursive: true, force: true, maxRetries: 3 });
    runningTemps.delete(tmp);
  }
}

/** Temp folders a killed build (SIGKILL, a power cut) left beside `out`: those of processes no longer running. */
async function removeStaleTemps(out: string): Promise<void> {
  const prefix = `.${basename(out)}.build-`;
  for (const name of await readdir(dirname(out))) {
    const m = name.startsWith(prefix) ? /^(\d+)\.tmp(\.old|\.discard)?$/.exec(name.slice(prefix.length)) : null;
    if (m && !processRuns(Number(m[1]))) await rm(join(dirname(out), name), { recursive: true, force: true });
  }
}

function processRuns(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sessions built at the same time: --jobs, else one per core when the feature files exceed 32 MB, else 1. */
async function buildJobs(o: BuildOptions, inputs: BuildInputs): Promise<number> {
  const { manifest, featuresDir } = inputs;
  let featureBytes = 0;
  if (o.jobs === undefined)
    for (const s of manifest.sessions)
      for (const f of ['audio.jsonl', 'face.jsonl']) featureBytes += await stat(join(featuresDir, s.session_id, f)).then((x) => x.size, () => 0);
  return Math.max(1, Math.min(o.jobs ?? (featureBytes >= 32 * 1024 * 1024 ? availableParallelism() : 1), manifest.sessions.length));
}

/** Builds every session (here or in threads) and appends its records to the split shards, in manifest order. */
async function buildSessions(inputs: BuildInputs, opt: BuildOptionsResolved, o: BuildOptions, tmp: string, writer: SplitShardWriter): Promise<BuildTotals> {
  const { manifest, featuresDir, labelSet } = inputs;
  const totals = new BuildTotals();
  const jobs = await buildJobs(o, inputs);
  const someTranscript = manifest.sessions.some((s) => s.transcript);
  const sopt = { segments: opt.segments, audioFields: opt.audioFields, faceFields: opt.faceFields, faceRate: opt.faceRate, someTranscript, excludeSyncBeep: opt.excludeSyncBeep, minTraceCoverage: opt.minTraceCoverage };
  // Sessions that share a recording file (by path or by content) go to one split with all their speakers' sessions (docs/dataset.md "Splits").
  const splitKey = splitKeys(manifest.sessions.map((s) => ({ speaker_id: s.speaker_id, media: s.media.map((m) => ({ path: m.path, sha256: inputs.hashes.get(s.session_id)?.get(m.role) })) })));
  const fromColumn = inputs.manifestSplit?.bySession;
  const jobOf = (s: ManifestSession, i: number): SessionJob => ({
    i,
    file: join(tmp, `.session-${i}.jsonl`),
    session: s,
    featuresDir,
    opt: sopt,
    labels: labelSet ? sessionLabels(labelSet, s.session_id) : null,
    split: fromColumn?.get(s.session_id) ?? splitOf(splitKey.get(s.speaker_id) ?? s.speaker_id, opt.splits),
    ...(inputs.changedInputs.has(s.session_id) ? { refused: inputs.changedInputs.get(s.session_id) } : {}),
  });
  const commit = async (r: { outcome: DatasetSessionOutcome; tally: SessionTally; file: string }) => {
    // Records of a session go out in manifest order, whichever thread finished first.
    if (!r.outcome.error) await appendLines(r.file, (line) => writer.write(r.outcome.split, line));
    await rm(r.file, { force: true });
    totals.fold(r.outcome, r.tally);
    for (const w of r.outcome.warnings ?? []) (o.onWarning ?? o.onNote)?.(`session ${r.outcome.session_id}: ${w}`);
    o.onSession?.(r.outcome);
  };
  if (jobs === 1) {
    for (const [i, s] of manifest.sessions.entries()) await commit(await buildSessionToFile(jobOf(s, i)));
  } else {
    await buildInThreads(manifest.sessions, jobs, (_i, r) => commit(r), jobOf);
  }
  return totals;
}

function perSplitCounts(outcomes: DatasetSessionOutcome[], splits: SplitSpec[]): DatasetManifest['counts']['per_split'] {
  const perSplit: DatasetManifest['counts']['per_split'] = {};
  for (const sp of splits) {
    const ok = outcomes.filter((x) => x.split === sp.name && !x.error);
    // sessions counts every session built into the split; those that gave no record (no transcript under --segments
    // utterance) are also counted apart, so a consumer does not take them for sessions of data (trial A, session 42).
    const empty = ok.filter((x) => x.records === 0).length;
    perSplit[sp.name] = { records: ok.reduce((a, x) => a + x.records, 0), sessions: ok.length, speakers: new Set(ok.map((x) => x.speaker_id)).size, sessions_without_records: empty };
  }
  return perSplit;
}

/** manifest.json's options: the build's, as they shape the release. */
function releaseOptions(opt: BuildOptionsResolved): Record<string, unknown> {
  return {
    segments: segmentModeText(opt.segments),
    audio_features: opt.audioFields,
    face_features: opt.faceFields,
    face_rate: opt.faceRate,
    split: Object.fromEntries(opt.splits.map((x) => [x.name, x.fraction])),
    // since 2026-12-06: the splits came from the manifest's column of this name (fractions: each one's share of the sessions)
    ...(opt.splitColumn ? { split_column: opt.splitColumn } : {}),
    gzip: opt.gzip,
    shard_mb: opt.shardMb,
    // since schema 2 (trial29 MINOR-1: a consumer normalising gold labels could not read the scale from the release)
    scale: opt.labelScale,
    exclude_sync_beep: opt.excludeSyncBeep,
  };
}

/**
 * manifest.json's `label_reading` (since 2026-12-08; only with labels): how the labels files were read, for the card's
 * command line to run as given: the files read as categories (true: all of them, else their names), the column names,
 * --na and --decimal-comma. The card of a release without it (built before) stays as it was. tuser59: a corpus
 * release's card said `--labels emotion.csv` without `--categorical --rating-col emotion`, a command refused (exit 2).
 */
function labelReading(opt: BuildOptionsResolved, labelSet: LabelSet | null): { label_reading?: Record<string, unknown> } {
  if (!labelSet) return {};
  const files = [...new Set(labelSet.dimensions.map((d) => basename(d.file)))];
  const categorical = [...new Set(labelSet.dimensions.filter((d) => d.categorical).map((d) => basename(d.file)))];
  return { label_reading: { categorical: categorical.length === files.length ? true : categorical, ...opt.labelColumns } };
}

/** manifest.json's `trace` of a gold-trace label: where it came from, its grid, and what the records got. */
export interface TraceManifestEntry {
  file: string;
  grid_step_s: number;
  samples: number;
  sessions: number;
  method: string;
  min_coverage: number;
  records_labelled: number;
  records_below_min_coverage: number;
  records_without_trace: number;
  /** Mean coverage of the records of sessions with a trace (labelled or not); null without such records. */
  coverage_mean: number | null;
}

function traceManifestEntry(d: TraceDimension, t: TraceTally | undefined, minCoverage: number): TraceManifestEntry {
  return {
    file: basename(d.file),
    grid_step_s: Number(d.step_s.toPrecision(7)),
    samples: d.samples,
    sessions: d.bySession.size,
    method: 'time-weighted mean over the record span, each gold sample held over its grid cell (nearest-sample hold)',
    min_coverage: minCoverage,
    records_labelled: t?.labelled ?? 0,
    records_below_min_coverage: t?.below_min_coverage ?? 0,
    records_without_trace: t?.without_trace ?? 0,
    coverage_mean: t && t.coverage_n ? Number((t.coverage_sum / t.coverage_n).toPrecision(7)) : null,
  };
}

/** manifest.json of the release (its extra_files are added once schema.json and README.md are written). */
async function datasetManifestOf(inputs: BuildInputs, opt: BuildOptionsResolved, totals: BuildTotals, files: ShardFile[]): Promise<DatasetManifest> {
  const { manifest, labelFiles, labelSet } = inputs;
  const { outcomes } = totals;
  // min_trace_coverage only with a gold trace among the labels (a release without one keeps its options, and fingerprint)
  const traceOption = labelSet?.dimensions.some((d) => d.trace) ? { min_trace_coverage: opt.minTraceCoverage } : {};
  const options = { ...releaseOptions(opt), ...traceOption, ...labelReading(opt, labelSet) };
  const shaping = { format_version: FORMAT_VERSION, schema_version: SCHEMA_VERSION, tool: { name: 'mmprep' as const, version: VERSION, build: datasetCodeBuild() }, options, extract: extractWays(outcomes) };
  return {
    format: 'mmprep-dataset',
    format_version: shaping.format_version,
    tool: shaping.tool,
    schema_version: shaping.schema_version,
    fingerprint: shapingFingerprint(shaping),
    source: {
      manifest: basename(manifest.path),
      manifest_sha256: (await sha256File(manifest.path)).sha256,
      labels: await Promise.all(labelFiles.map(async (f) => ({ file: basename(f), sha256: (await sha256File(f)).sha256 }))),
    },
    options,
    extract: shaping.extract,
    counts: { records: totals.records, sessions: outcomes.filter((x) => !x.error).length, sessions_failed: outcomes.filter((x) => x.error).length, per_split: perSplitCounts(outcomes, opt.splits) },
    presence: totals.presence,
    labels: (labelSet?.dimensions ?? []).map((d) => ({
      key: d.key,
      file: basename(d.file),
      dimension: d.dimension,
      categorical: d.categorical,
      agreement: d.agreement,
      targets: d.trace ? d.trace.bySession.size : d.byTarget.size,
      targets_used: totals.usedTargets.get(d.key)?.size ?? 0,
      // Every one (the machine-readable copy; the stderr note and the card name the first UNMATCHED_SHOWN): a new user's
      // trial found the targets of a session built with another session's transcript named nowhere.
      targets_unmatched: [...(d.trace ? d.trace.bySession.keys() : d.byTarget.keys())].filter((t) => !totals.usedTargets.get(d.key)?.has(t)),
      records_labelled: totals.labelledRecords.get(d.key) ?? 0,
      warnings: d.warnings,
      ...(d.trace ? { kind: 'trace' as const, trace: traceManifestEntry(d.trace, totals.traces.get(d.key), opt.minTraceCoverage) } : {}),
    })),
    sessions: outcomes,
    files,
    extra_files: [],
    ...splitNoteOf(perSplitCounts(outcomes, opt.splits), opt, inputs.manifestSplit !== null),
    ...clockNoteOf(outcomes),
  };
}

/**
 * The card said every release's times were on "the sync map of mmprep sync applied by mmprep extract", also for clips
 * extracted with --only audio,face, which have none (ttrial59c). Sessions whose feature files are all on their file's
 * own time (made_by clock 'source time') are said so; none such: no note (the card's sentence as before).
 */
export function clockNoteOf(outcomes: DatasetSessionOutcome[]): { clock_note?: string } {
  const built = outcomes.filter((o) => !o.error && o.made_by);
  const own = built.filter((o) => Object.values(o.made_by ?? {}).every((st) => (st as { clock?: unknown }).clock === 'source time'));
  if (!own.length) return {};
  const what = 'on its file\'s own time, as extract made them without the sync stage (one file: its picture and sound share that time)';
  return {
    clock_note:
      own.length === built.length
        ? `Times are seconds of each session ${what}.`
        : `Times are seconds on each session's reference clock (the sync map of \`mmprep sync\` applied by \`mmprep extract\`), except ${own.length} session(s) ${what}: ${own.slice(0, 5).map((o) => o.session_id).join(', ')}${own.length > 5 ? ', …' : ''}.`,
  };
}

/** manifest.json's split_note, for a split by the speaker hash whose shares lie far from the asked fractions. */
function splitNoteOf(perSplit: DatasetManifest['counts']['per_split'], opt: BuildOptionsResolved, fromColumn: boolean): { split_note?: string } {
  if (fromColumn) return {};
  const note = splitShareNote(perSplit, Object.fromEntries(opt.splits.map((x) => [x.name, x.fraction])));
  return note ? { split_note: note } : {};
}

/**
 * One warning per split that got no record (the card says "split val is empty" too): 14 speakers gave train 13,
 * test 1, val 0 by the speaker hash, and only the card said so (ttrial51 F7). A manifest's split column names only
 * the splits it holds, so it gives none.
 */
export function emptySplitWarnings(dm: DatasetManifest): string[] {
  const counts = Object.entries(dm.counts.per_split);
  const held = counts.filter(([, v]) => v.records > 0).map(([k, v]) => `${k} ${v.speakers}`).join(', ');
  const byHash = typeof dm.options.split_column !== 'string';
  return counts.filter(([, v]) => v.records === 0).map(([k, v]) =>
    v.sessions > 0
      ? `split ${k} is empty: its ${v.sessions} session(s) gave no record`
      : `split ${k} is empty: no speaker went to it (speakers with records per split: ${held})${byHash ? `; a speaker's split comes from a hash of speaker_id, so few speakers can leave one empty: give --split fractions without ${k}, or a manifest column 'split'` : ''}`);
}

/** Writes schema.json and README.md (the dataset card) into the release and lists them in dm.extra_files. */
async function writeExtraFiles(tmp: string, dm: DatasetManifest, opt: BuildOptionsResolved): Promise<void> {
  const schemaText = toJsonText(datasetSchema({ audioFields: opt.audioFields, faceFields: opt.faceFields, faceRate: opt.faceRate, labelKeys: dm.labels.map((l) => l.key), traceKeys: dm.labels.filter((l) => l.kind === 'trace').map((l) => l.key) }));
  const cardText = datasetCard(dm);
  await writeFileAtomic(join(tmp, 'schema.json'), schemaText);
  await writeFileAtomic(join(tmp, 'README.md'), cardText);
  for (const name of ['schema.json', 'README.md']) {
    const p = join(tmp, name);
    dm.extra_files.push({ path: name, bytes: (await stat(p)).size, sha256: (await sha256File(p)).sha256 });
  }
}

/** Swaps the finished release into place: the old release (if any) goes only once the new one is complete. */
async function swapIntoPlace(tmp: string, out: string): Promise<void> {
  // Both renames in one synchronous step: a signal handler never sees the release moved out and the new one not in.
  if (existsSync(out)) {
    const old = `${tmp}.old`;
    renameSync(out, old);
    renameSync(tmp, out);
    await rm(old, { recursive: true, force: true });
  } else {
    renameSync(tmp, out);
  }
}

/**
 * Session warnings and errors name a transcript by its path relative to the manifest's folder, not the absolute path
 * the manifest reader resolved: a trial's two copies of one input folder gave releases whose manifest.json and card
 * differed only in such a path. The same inputs now give byte-identical release texts wherever they sit. So do the
 * feature folder and the manifest itself (an exit-4 build's `sessions[].error` named them absolute, ttrial45b).
 */
function pathsAsInManifest(outcomes: DatasetSessionOutcome[], manifest: Manifest, featuresDir: string): void {
  const base = dirname(manifest.path);
  const rel = (abs: string) => relative(base, abs).split(sep).join('/') || '.';
  const rows = new Map(manifest.sessions.map((s) => [s.session_id, s]));
  for (const o of outcomes) {
    const transcript = rows.get(o.session_id)?.transcript;
    // In one pass, the longest path first where two start at one place (a relative path can hold an absolute one:
    // '../../tmp/x/live' holds '/tmp/x/live', so replacing one after another mangled it).
    const swaps = new Map<string, string>([...(transcript ? [[transcript, rel(transcript)] as [string, string]] : []), [featuresDir + sep, rel(featuresDir) + '/'], [featuresDir, rel(featuresDir)], [base + sep, '']]);
    const any = new RegExp([...swaps.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
    const fix = (t: string) => t.replace(any, (hit) => swaps.get(hit)!);
    o.warnings = o.warnings.map(fix);
    for (const w of o.issues ?? []) w.message = fix(w.message);
    if (o.error) o.error = fix(o.error);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Stages the build was told to leave out (`--audio-features none`, `--face-features none`): not missing. */
function unwantedStages(opt: { audioFields: string[]; faceFields: string[] }): Set<string> {
  return new Set([...(opt.audioFields.length ? [] : ['audio']), ...(opt.faceFields.length ? [] : ['face'])]);
}

export async function buildDataset(manifestPath: string, o: BuildOptions): Promise<BuildResult> {
  const opt = prepare(o);
  const inputs = await readBuildInputs(manifestPath, o);
  if (inputs.manifestSplit) {
    opt.splits = inputs.manifestSplit.specs;
    opt.splitColumn = 'split';
  }
  const { out, tmp } = await prepareOutput(o.out);
  runningTemps.add(tmp);
  const writer = new SplitShardWriter(tmp, { gzip: opt.gzip, shardBytes: opt.shardMb * 1024 * 1024 });
  try {
    const totals = await buildSessions(inputs, opt, o, tmp, writer);
    const files = await writer.close();
    const dm = await datasetManifestOf(inputs, opt, totals, files);
    const failedSessions = dm.sessions.flatMap((x) => (x.error ? [{ session_id: x.session_id, error: x.error }] : []));
    const nothing = await notProducedReasons(dm.sessions, inputs.featuresDir);
    for (const n of [...missingStageWarnings(dm.sessions, inputs.manifest.sessions, unwantedStages(opt), nothing), ...mixedMadeByNotes(dm.sessions), ...mixedAudioRoleNotes(dm.sessions), ...mixedFaceModelNotes(dm.sessions)]) o.onNote?.(n);
    // Refusals are said with the paths as the build met them; the release's texts relative to the manifest's folder.
    refuseEmpty(dm, { manifest: inputs.manifest, labelSet: inputs.labelSet, segments: opt.segments, minLabelCoverage: o.minLabelCoverage, onNote: o.onNote });
    for (const w of [...emptySplitWarnings(dm), ...(dm.split_note ? [dm.split_note] : [])]) (o.onWarning ?? o.onNote)?.(w);
    pathsAsInManifest(dm.sessions, inputs.manifest, inputs.featuresDir);
    refusePartialOverRelease(dm, failedSessions, out, o);
    await writeExtraFiles(tmp, dm, opt);
    await writeFileAtomic(join(tmp, 'manifest.json'), toJsonText(dm));
    await swapIntoPlace(tmp, out);
    return { out, manifest: dm, failedSessions };
  } catch (e) {
    await writer.abort();
    await rm(tmp, { recursive: true, force: true });
    throw fullDiskError(out, e) ?? e;
  } finally {
    runningTemps.delete(tmp);
  }
}

/**
 * A build with failed sessions (exit 4) does not replace an earlier release at -o unless --replace-partial: a CI job
 * rebuilding its release in place lost a good release to one without a session's records (ttrial45b: 6 records, no
 * val split), although --help said -o is "replaced only when the new build is complete". A fresh -o gets the partial
 * build, exit 4, as before.
 */
function refusePartialOverRelease(dm: DatasetManifest, failedSessions: BuildResult['failedSessions'], out: string, o: BuildOptions): void {
  const failed = failedSessionsError(dm, failedSessions, { featuresDir: resolve(o.features), written: false });
  if (!failed || o.replacePartial || !existsSync(join(out, 'manifest.json'))) return;
  throw new PartialBuildRefused(`${failed.message}; nothing was written: the earlier release at -o is kept, as a build with failed sessions does not replace one (fix them and build again, pass --replace-partial to replace it anyway, or give a new -o)`, failedSessions);
}

/** The refusal of refusePartialOverRelease, carrying which sessions failed and why (for --json's failed_sessions). */
export class PartialBuildRefused extends BatchError {
  constructor(message: string, readonly failedSessions: BuildResult['failedSessions']) {
    super(message);
  }
}

/** A disk that fills (or a quota met) while the release is written: an output that cannot be written (exit 2, README). */
function fullDiskError(out: string, e: unknown): OutputPathError | null {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG' ? unwritableOutput(out, e) : null;
}

/** Where a failed session's reason can be read besides its stderr line: extract's errors files, the release if written. */
export interface FailureSources {
  /** The --features folder (its `_errors*.jsonl` hold extract's failures). */
  featuresDir?: string;
  /** The release was written (its manifest.json and card name every reason). */
  written?: boolean;
}

/**
 * Throws a BatchError (exit 4) naming the failed sessions when a build finished with some; for the CLI. The line names
 * each session under what failed it (failureKind) and where the reasons are, not the reasons: each is on the session's
 * own stderr line, in manifest.json and the card, and ttrial51's 4 sessions gave a summary line of ~2 900 characters (R3).
 */
export function failedSessionsError(m: DatasetManifest, failedSessions?: BuildResult['failedSessions'], where: FailureSources = {}): BatchError | null {
  // The build's own errors (absolute paths, for stderr) when given, else manifest.json's.
  const bad = failedSessions ?? m.sessions.filter((s) => s.error);
  if (bad.length === 0) return null;
  const groups = new Map<string, string[]>();
  for (const b of bad) {
    const kind = failureKind(b.error ?? '');
    groups.set(kind, [...(groups.get(kind) ?? []), b.session_id]);
  }
  const named = [...groups].map(([kind, ids]) => `${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ` and ${ids.length - 5} more` : ''} (${kind})`).join('; ');
  const release = where.written === false ? " and --json's failed_sessions" : ", the release's manifest.json (sessions[].error) and its card";
  const extractFile = where.featuresDir && [...groups.keys()].some((k) => k.startsWith('extract failed')) ? `; extract's failures also in ${join(where.featuresDir, '_errors*.jsonl')}` : '';
  return new BatchError(`${bad.length} of ${m.sessions.length} sessions failed and are not in the dataset: ${named}; each session's reason: its FAILED line on stderr${release}${extractFile}`);
}

/** What failed a session, from its error (build-session.ts missingMetaReason, feature-check.ts): a few words for the summary line. */
export function failureKind(error: string): string {
  const extract = / failed this session in its (\S+) stage/.exec(error);
  if (extract) return `extract failed in ${extract[1]}`;
  if (/ is not the file its features were extracted from/.test(error)) return 'media changed since extraction';
  if (/an mmprep extract run is working/.test(error)) return 'extract still running';
  if (/features incomplete/.test(error)) return 'extract did not finish';
  if (/features missing: no folder/.test(error)) return 'not extracted';
  return 'left out by the build';
}


interface ThreadResult {
  outcome: DatasetSessionOutcome;
  tally: SessionTally;
  file: string;
}

/**
 * Streams the lines of a file (each with its newline) into `fn`. Each chunk is searched once: the part of a line read
 * so far is kept as pieces and joined when its newline comes. Before, the pending part was prepended to every new
 * chunk and searched again from its start, so a line of L bytes cost L^2 / 2 MB of scanning and copying (a 64 MB
 * record took 5.9 s, 32 MB 1.4 s, 16 MB 0.7 s: a release with landmarks over long windows).
 */
export async function appendLines(path: string, fn: (line: string) => Promise<void>): Promise<void> {
  let pending: string[] = [];
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = chunk as string;
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) >= 0) {
      const piece = text.slice(start, nl + 1);
      await fn(pending.length ? pending.join('') + piece : piece);
      pending = [];
      start = nl + 1;
    }
    if (start < text.length) pending.push(text.slice(start));
  }
  if (pending.length) await fn(pending.join('') + '\n');
}

/**
 * Builds sessions in `jobs` worker threads, each writing a session's records to a temp file; `commit` gets the results
 * in manifest order (finished sessions wait on disk, not in memory, for their predecessors).
 */
async function buildInThreads(
  sessions: ManifestSession[],
  jobs: number,
  commit: (i: number, r: ThreadResult) => Promise<void>,
  jobOf: (s: ManifestSession, i: number) => SessionJob,
): Promise<void> {
  const workers = Array.from({ length: jobs }, () => new Worker(threadFile('build-thread.js', 'dataset'), { execArgv: threadExecArgv() }));
  const done = new Map<number, ThreadResult>();
  let next = 0;
  let committed = 0;
  let chain: Promise<void> = Promise.resolve();
  try {
    await new Promise<void>((resolveAll, rejectAll) => {
      let failed = false;
      const fail = (e: unknown) => {
        if (failed) return;
        failed = true;
        rejectAll(e);
      };
      const flush = () => {
        chain = chain.then(async () => {
          while (done.has(committed)) {
            const r = done.get(committed)!;
            done.delete(committed);
            await commit(committed, r);
            committed++;
          }
          if (committed === sessions.length) resolveAll();
        });
        chain.catch(fail);
      };
      const feed = (w: Worker) => {
        if (next >= sessions.length || failed) return;
        const i = next++;
        w.postMessage(jobOf(sessions[i], i));
      };
      for (const w of workers) {
        w.on('message', (m: { i: number; outcome?: DatasetSessionOutcome; tally?: SessionTally; file: string; fatal?: string; code?: string }) => {
          if (m.fatal) return fail(Object.assign(new Error(m.fatal), { code: m.code }));
          done.set(m.i, { outcome: m.outcome!, tally: m.tally!, file: m.file });
          flush();
          feed(w);
        });
        w.on('error', fail);
        feed(w);
      }
      if (sessions.length === 0) resolveAll();
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
