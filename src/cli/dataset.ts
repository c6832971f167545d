import type { Command } from 'commander';
import { resolve } from 'node:path';
import { GateError, isMmprepError, type MmprepError } from '../common/errors.js';
import type { BuildOptions, DatasetManifest } from '../dataset/build.js';
import { DEFAULT_AUDIO_FEATURES, DEFAULT_FACE_FEATURES } from '../dataset/features.js';
import { DEFAULT_SPLIT } from '../dataset/splits.js';
import { action, exitInterrupted, choiceOption, columnList, delimiterOption, jobsOption, naList, numberOption, outputOf, outputOption, parseScale, printJsonFailure, absoluteOrNull } from './run.js';

interface BuildOpts {
  features: string;
  labels: string[];
  delimiter?: string;
  decimalComma: boolean;
  na?: string;
  categorical: boolean | string;
  scale?: [number, number];
  excludeSyncBeep?: boolean;
  targetCol?: string;
  raterCol?: string;
  ratingCol?: string;
  allowColumns?: string[];
  minLabelCoverage?: number;
  minTraceCoverage?: number;
  replacePartial?: boolean;
  output?: string;
  segments: string;
  audioFeatures: string;
  faceFeatures: string;
  faceRate: 'audio' | 'native';
  split?: string;
  gzip: boolean;
  shardMb: number;
  out?: string;
  quiet: boolean;
  jobs?: number;
  json: boolean;
}

interface ValidateOpts {
  json: boolean;
  minIcc?: number;
  minIccTargets?: number;
  maxMissing: string[];
  minLabelCoverage?: number;
  allowFailedSessions?: boolean;
  failOnWarnings?: boolean;
  allowWarning: string[];
  jobs?: number;
  inputs: string[];
}

const collect = (v: string, prev: string[]) => [...prev, v];

/**
 * Runs a build; interrupted (Ctrl-C, SIGTERM), its temp folder goes, an earlier release at -o stays, exit 130. With
 * --json stdout gets the refusal object too (`jsonFields`: manifest, out), as for any other refusal; it got nothing
 * before 2026-12-06 (ttrial45b).
 */
async function interruptible<T>(build: () => Promise<T>, discardRunningBuilds: () => void, jsonFields: Record<string, unknown> | null): Promise<T> {
  const onSignal = (signal: NodeJS.Signals) => {
    discardRunningBuilds();
    const line = `interrupted (${signal}): nothing was written`;
    if (jsonFields) process.stdout.write(JSON.stringify({ ok: false, ...jsonFields, error: line, exit_code: 130 }) + '\n');
    process.stderr.write(`mmprep dataset build: ${line}\n`);
    exitInterrupted(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await build();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function register(program: Command): void {
  const ds = program.command('dataset').description('build JSONL training datasets from extracted features, and validate dataset releases');
  registerBuild(ds);
  registerValidate(ds);
}

/** `mmprep dataset build MANIFEST --features DIR -o OUT`. */
function registerBuild(ds: Command): void {
  const build = ds.command('build')
    .description('one JSON record per segment (words, audio and face sequences with functionals, labels, quality) from a session manifest and extract\'s feature folders')
    .argument('<manifest>', 'session manifest (CSV or JSONL) as `mmprep extract` reads it')
    .requiredOption('--features <dir>', 'the output folder of `mmprep extract` (DIR/<session_id>/...)')
    .option('--labels <file>', 'ratings CSV as `mmprep agreement` reads it (repeat for one file per dimension or campaign); targets = segment ids or with session_id,start_s,end_s columns; or a gold trace of continuous ratings (target,dimension,time_s,gold,…) as `mmprep agreement FILE --traces --gold` writes it: each record gets its mean over the span', collect, [])
    .option('--decimal-comma', "labels files write numbers with a decimal comma ('3,5')", false)
    .option('--na <values>', "labels files: cell values that mean a missing rating besides an empty cell and NA, comma-separated (e.g. 99,-1)")
    .option('--categorical [files]', 'labels files hold category labels (happy, sad, ...), not numbers: gold is the majority label; with a comma list of --labels files (paths or names), those only', false)
    .option('--scale <low,high>', "labels files: the numeric rating scale's ends (e.g. 1,9): a rating outside is refused (exit 2), as mmprep agreement --scale", parseScale)
    .option('--target-col <name>', "labels files: the column of target ids (as mmprep agreement; default 'target', or a wide file's first column other than session_id/start_s/end_s)")
    .option('--rater-col <name>', "labels files: the rater column of a long file (as mmprep agreement; default 'rater')")
    .option('--rating-col <name>', "labels files: the rating column of a long file (as mmprep agreement; default 'rating')")
    .option('--min-label-coverage <x>', 'refuse the build (exit 4) when a label dimension labels less than this share of the records (default: refuse only when none)', numberOption('--min-label-coverage', { min: 0, max: 1 }))
    .option('--min-trace-coverage <x>', 'a gold-trace labels file (target,dimension,time_s,gold,…): the least share of a record\'s span the trace must cover for the record to get its mean (default 0.5; less: unlabelled, counted)', numberOption('--min-trace-coverage', { min: 0, max: 1 }))
    .option('--replace-partial', 'a build with failed sessions (exit 4) replaces an earlier release at -o (default: the earlier release is kept and nothing is written; a new -o always gets the partial build)', false)
    .option('--allow-columns <names>', 'manifest columns kept as metadata although they look like a misspelt role or known column (comma-separated, repeatable; or name them meta_*)', columnList)
    .option('--segments <mode>', 'utterance | fixed:LEN[:HOP] (seconds) | labels', 'utterance')
    .option('--audio-features <list>', 'audio fields or groups (all, mfcc, deltas, pitch, energy, voice), or none; all leaves voice out (its fields need extract --voice): all,voice takes both', DEFAULT_AUDIO_FEATURES)
    .option('--face-features <list>', 'face fields or groups (pose, eyes, mouth, expr, motion, scores, geometry, landmarks, all), or none', DEFAULT_FACE_FEATURES)
    .option('--face-rate <rate>', 'audio (resampled onto the 10 ms audio grid) | native (video frames with their times)', choiceOption('--face-rate', ['audio', 'native'] as const), 'audio')
    .option('--split <spec>', `speaker-disjoint split fractions (stable hash of speaker_id; default: ${DEFAULT_SPLIT}); a manifest column 'split' gives each session's split instead`)
    .option('--exclude-sync-beep', 'leave out the records whose span holds sync-beep audio (a 1 kHz tone, not speech; default: keep them, marked by quality.sync_beep)', false)
    .option('--gzip', 'write data-*.jsonl.gz', false)
    .option('--shard-mb <n>', 'start a new data file after this many MB of JSON per split', numberOption('--shard-mb', { min: 0.001 }), 256)
    .option('--quiet', 'no per-session lines on stderr (a failed session\'s FAILED line is still printed, before the closing line)', false)
    .option('--json', 'print the outcome as one JSON object on stdout (ok, out, counts, files, failed sessions; on refusal ok false, error, exit_code)', false);
  outputOption(build, 'output folder, required: an earlier release there is replaced only by a build with no failed session (or --replace-partial), never by a refused or interrupted one');
  jobsOption(build, 'sessions built at the same time in worker threads (default: the number of cores); the output does not depend on it');
  delimiterOption(build, 'manifest and labels files');
  build.action(action(runBuild));
}

/** Builds the release (interruptible), prints its counts; sessions that failed give exit 4 after the release is written. */
async function runBuild(manifest: string, o: BuildOpts): Promise<void> {
  // Loaded here, not at the top: `dataset validate` and --help do not need the build's modules.
  const { buildDataset, discardRunningBuilds, failedSessionsError, PartialBuildRefused } = await import('../dataset/build.js');
  let r;
  const jsonFields = { manifest: absoluteOrNull(manifest), out: absoluteOrNull(o.output ?? o.out) };
  try {
    r = await interruptible(() => buildDataset(manifest, buildOptions(o)), discardRunningBuilds, o.json ? jsonFields : null);
  } catch (e) {
    // --json: a CI job parsing stdout gets an object saying why nothing was written (exit 2 or 4)
    // a partial build refused over an earlier release still names its failed sessions, as a written one does
    if (o.json && isMmprepError(e)) printJsonFailure(e, e instanceof PartialBuildRefused ? { ...jsonFields, failed_sessions: e.failedSessions } : jsonFields);
    throw e;
  }
  const m = r.manifest;
  const err = failedSessionsError(m, r.failedSessions, { featuresDir: resolve(o.features), written: true });
  // --quiet leaves out the per-session lines, not a failure's reason: the failed sessions' lines come before the
  // closing line, which names them only (R3; without this a --quiet build said no reason at all)
  if (err && o.quiet) for (const s of r.failedSessions) process.stderr.write(`${s.session_id}: FAILED: ${s.error}\n`);
  if (o.json) process.stdout.write(JSON.stringify(buildJson(manifest, r.out, m, r.failedSessions, err)) + '\n');
  else process.stdout.write(`${r.out}: ${m.counts.records} records from ${m.counts.sessions} sessions (${Object.entries(m.counts.per_split).map(([k, v]) => `${k} ${v.records}`).join(', ')}) in ${m.files.length} data files\n`);
  if (err) throw err;
}

/** --json's object for a written release: `ok` false (exit 4) when sessions were left out. */
function buildJson(manifest: string, out: string, m: DatasetManifest, failedSessions: Array<{ session_id: string; error: string }>, err: MmprepError | null): Record<string, unknown> {
  return {
    ok: err === null,
    manifest: absoluteOrNull(manifest),
    out,
    records: m.counts.records,
    sessions: m.counts.sessions,
    sessions_failed: m.counts.sessions_failed,
    per_split: m.counts.per_split,
    files: m.files.map((f) => f.path),
    // with absolute paths, as `out` and `manifest` (manifest.json's are relative to the manifest's folder)
    failed_sessions: failedSessions,
    ...(err ? { error: err.toLine(), exit_code: err.exitCode } : {}),
  };
}

function buildOptions(o: BuildOpts): BuildOptions {
  return {
    features: o.features,
    labels: o.labels ?? [],
    segments: o.segments,
    audioFeatures: o.audioFeatures,
    faceFeatures: o.faceFeatures,
    faceRate: o.faceRate,
    split: o.split,
    gzip: o.gzip,
    shardMb: o.shardMb,
    out: outputOf(o, true),
    jobs: o.jobs,
    delimiter: o.delimiter,
    decimalComma: o.decimalComma,
    labelNa: naList(o.na),
    categorical: typeof o.categorical === 'string' ? o.categorical.split(',').map((f) => f.trim()).filter(Boolean) : o.categorical,
    labelScale: o.scale,
    excludeSyncBeep: o.excludeSyncBeep,
    labelColumns: { targetColumn: o.targetCol, raterColumn: o.raterCol, ratingColumn: o.ratingCol },
    allowColumns: o.allowColumns,
    minLabelCoverage: o.minLabelCoverage,
    minTraceCoverage: o.minTraceCoverage,
    replacePartial: o.replacePartial,
    onNote: (l) => process.stderr.write(`mmprep dataset build: ${l}\n`),
    onWarning: (l) => process.stderr.write(`mmprep dataset build: warning: ${l}\n`),
    onSession: o.quiet ? undefined : (s) => process.stderr.write(`${s.session_id}: ${s.error ? `FAILED: ${s.error}` : `${s.records} records (${s.split})`}\n`),
  };
}

/** `mmprep dataset validate DIR`: the report on stdout, exit 3 naming each failed check. */
function registerValidate(ds: Command): void {
  const validate = ds.command('validate')
    .description('check a dataset release (schema, NaN, times, lengths, checksums, the card (README.md) and record counts against manifest.json, speaker leaks, labels, gold labels against their ratings, the fingerprint, gates) against the format and schema versions it declares; exit 3 naming each failed check; 2 for bad input (no such folder, not a release, a format or schema version this mmprep does not know, a bad option value)')
    .argument('<dir>', 'dataset folder written by `mmprep dataset build`')
    .option('--json', 'print the report as one JSON object on one line (ok, dir, records, files, bytes, checks; without a report ok false, error, exit_code)', false)
    .option('--min-icc <x>', 'fail when a label dimension\'s ICC(2,1) is below X (default: no gate)', numberOption('--min-icc', { min: -1, max: 1 }))
    .option('--min-icc-targets <n>', 'with --min-icc: also fail when a dimension\'s ICC(2,1) comes from fewer targets than N (icc2_n_targets; default 30, after Koo & Li 2016; 0: not checked)', numberOption('--min-icc-targets', { min: 0, integer: true }), undefined)
    .option('--max-missing <modality=fraction>', 'fail when more than FRACTION of records lack MODALITY (audio, face, text, labels); repeatable', collect, [])
    .option('--min-label-coverage <x>', 'fail when a label dimension covers less than this share of records (default: at least one record)', numberOption('--min-label-coverage', { min: 0, max: 1 }))
    .option('--allow-failed-sessions', 'accept a release that left out sessions the build could not make (default: a failed check)')
    .option('--fail-on-warnings', 'fail (the warnings check) on session warnings of every kind (manifest.json sessions[].issues; default: only labels_unmatched and forced_pick fail)')
    .option('--allow-warning <kinds>', 'accept session warnings of these kinds (comma-separated, repeatable), e.g. forced_pick after checking the pick, labels_unmatched for ratings that cover other spans', collect, [])
    .option('--inputs <dir>', "folder holding the build's inputs (session manifest, labels files): fail (exit 3) when one differs from the sha256 manifest.json records for it, or is not there; repeatable", collect, []);
  jobsOption(validate, 'data files checked at the same time in worker threads (default: the number of cores for releases over 32 MB)');
  validate.action(action(runValidate));
}

/** Validates the release: the report (or --json) on stdout; a failed check is a GateError naming a few record ids. */
async function runValidate(dir: string, o: ValidateOpts): Promise<void> {
  // Loaded here: Ajv and the scanner are ~0.1 CPU s that `dataset build` and --help do not need.
  const { formatReport, parseMaxMissing, validateDataset } = await import('../dataset/validate.js');
  const { parseWarningKinds } = await import('../dataset/validate-warnings.js');
  let r;
  try {
    r = await validateDataset(dir, { minIcc: o.minIcc, minIccTargets: o.minIccTargets, maxMissing: parseMaxMissing(o.maxMissing), minLabelCoverage: o.minLabelCoverage, allowFailedSessions: o.allowFailedSessions, failOnWarnings: o.failOnWarnings, allowWarnings: parseWarningKinds(o.allowWarning), jobs: o.jobs, inputs: o.inputs });
  } catch (e) {
    // --json: a CI job parsing stdout gets an object saying why there is no report (not a release, bad usage), exit 2
    if (o.json && isMmprepError(e)) printJsonFailure(e, { dir, records: null, files: null, bytes: null, checks: [] });
    throw e;
  }
  const bad = r.checks.filter((c) => !c.ok);
  const err = r.ok ? null : new GateError(`dataset invalid: ${bad.map((c) => `${c.name} (${c.examples.slice(0, 3).join(', ')})`).join('; ')}`);
  // --json: one object on one line, as `dataset build --json`; a failed report carries the error line and exit_code (3)
  // as build's does (before 2026-12-06 only the exit-2 object had them: ttrial45b)
  process.stdout.write(o.json ? JSON.stringify(err ? { ...r, error: err.toLine(), exit_code: err.exitCode } : r) + '\n' : formatReport(r));
  if (err) throw err;
}
