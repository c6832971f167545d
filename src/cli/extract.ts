/** `mmprep extract`: thin wrapper over extract() (src/batch/extract.ts). */
import { InvalidArgumentError, type Command } from 'commander';
import { usableCpus } from '../common/cpus.js';
import { BatchError, EXIT, InputError, isMmprepError } from '../common/errors.js';
import { extract, ExtractControl, ManifestError, parseShard as parseShardText, STAGE_NAMES, type ExtractSummary, type StageName } from '../batch/extract.js';
import { exitUnlessDone, ROLLBACK_EXIT_MS } from '../batch/interrupt.js';
import { checkManifest } from '../batch/check.js';
import type { ProgressMode } from '../batch/progress.js';
import { STAGE_OPTION_KEYS, type StageOptions } from '../batch/extract-stages.js';
import { action, choiceOption, pickOption, columnList, delimiterOption, jobsOption, numberOption, outputOf, outputOption, printJsonFailure, reportError, absoluteOrNull } from './run.js';

function stageList(v: string): StageName[] {
  const names = v
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0) throw new InvalidArgumentError('--only needs at least one of sync, audio, face');
  for (const n of names) if (!(STAGE_NAMES as readonly string[]).includes(n)) throw new InvalidArgumentError(`--only: unknown stage '${n}' (stages: ${STAGE_NAMES.join(', ')})`);
  return names as StageName[];
}

/** The command's options: the stage options (recorded in meta.json) plus how the run is driven. */
interface Opts extends StageOptions {
  output?: string;
  out?: string;
  jobs?: number;
  delimiter?: string;
  allowColumns?: string[];
  strict: boolean;
  only?: StageName[];
  resume: boolean;
  redoChanged: boolean;
  shard?: string;
  refRole?: string;
  faceWorkers?: number;
  progress: ProgressMode;
  check: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('extract')
    .description(
      'batch extraction over a session manifest (CSV or JSONL): per session OUT/<session_id>/ with sync.json, audio.jsonl, face.jsonl, their summaries and meta.json (written last); failed sessions go to OUT/_errors.jsonl (exit 4). Progress on stderr; a JSON summary on stdout.',
    )
    .argument('<manifest>', 'session manifest (column names in any case): session_id, speaker_id, media columns video / *_video / *_audio, optional transcript and transcript_clock, other columns kept as metadata');
  outputOption(cmd, 'output folder (required)');
  jobsOption(cmd, `sessions processed at the same time (default: the CPUs this process may use (affinity, cgroup quota, SLURM_CPUS_PER_TASK), ${usableCpus()} here)`);
  delimiterOption(cmd, 'manifest');
  addRunAndStageOptions(cmd);
  cmd.action(action(runExtract));
}

/** How the run is driven (columns, strict, stages, resume, shard, progress) and the stage options it passes on. */
function addRunAndStageOptions(cmd: Command): void {
  cmd
    .option('--allow-columns <names>', `manifest columns to keep as metadata although they look like a misspelt role or known column (comma-separated, repeatable; or name them ${'meta_'}*)`, columnList)
    .option('--strict', 'a session whose stage produced nothing it was asked for (no audio, no video, no face in any frame, an audio stream of digital silence) fails instead of a warning', false)
    .option('--only <stages>', `comma-separated stages to run (default: ${STAGE_NAMES.join(',')})`, stageList)
    .option('--resume', 'skip sessions whose meta.json matches the current inputs (size and SHA-256), the stage options as typed (a default typed out, e.g. --tone-hz 1000, counts as a change) and this mmprep\'s code; redo the rest, saying why. Done sessions made with other stage options than this run\'s (flags, or a row\'s sync_options cell) refuse the run before any work (exit 2) unless --redo-changed', false)
    .option('--redo-changed', 'with --resume: redo the done sessions whose stage options differ from this run\'s (a deliberate change of --face-fps, say), instead of refusing the run', false)
    .option('--shard <K/N>', 'process only shard K of N (0-based K; sessions split by a stable hash of session_id)')
    .option('--ref-role <role>', 'media column whose clock is the reference (default: per session, the first non-empty *_audio column, else the first video column, whose sound the audio stage then analyses)')
    .option('--backend <name>', "face inference backend, passed to the face stage (default: the face stage's default)")
    .option('--face-workers <n>', 'threads for each session\'s face inference (default: cores / jobs, at least 1)', numberOption('--face-workers', { min: 1, integer: true }))
    .option('--face-fps <n>', 'analyse video at this frame rate (default: every frame)', numberOption('--face-fps', { min: 0.01 }))
    .option('--max-faces <n>', "faces tracked per frame (default: the face stage's default)", numberOption('--max-faces', { min: 1, integer: true }))
    .option('--voice', "voice quality in the audio stage (jitter, shimmer, HNR, formants as Praat's voice report; mmprep audio --voice), for dataset build --audio-features voice", false)
    .option('--f0-floor <hz>', 'audio: pitch floor of F0, Hz (mmprep audio --f0-floor; default: 65)', numberOption('--f0-floor', { min: 0 }))
    .option('--f0-ceiling <hz>', 'audio: pitch ceiling of F0, Hz (mmprep audio --f0-ceiling; default: 600)', numberOption('--f0-ceiling', { min: 0 }))
    .option('--tone-hz <hz>', "sync beep frequency (default: sync's default, 1000)", numberOption('--tone-hz', { min: 20, max: 20000 }))
    .option('--search-s <s>', "seconds searched for the sync pulse at each end, by sync and, for the beep it leaves out, by the audio stage; 0 = whole file (default: sync's default, 60)", numberOption('--search-s', { min: 0 }))
    .option('--ends <which>', "sync pulses at the start only or at both ends (drift) (default: sync's default, start)", choiceOption('--ends', ['start', 'both'] as const))
    .option('--pick <rule>', 'sync: force a choice in every window among all its candidates, placeable or not: first (the earliest, even over a clear choice), strongest or at:T (the reference\'s beep nearest T s; mmprep sync --pick; default: none, a session with pulses of similar strength fails as ambiguous)', pickOption)
    .option('--fallback <how>', "sync: a microphone without a usable beep: xcorr (placed by its content, only to about ±9 ms) or none (refused); mmprep sync --fallback (default: sync's default, xcorr)", choiceOption('--fallback', ['xcorr', 'none'] as const))
    .option('--share-camera-clock', "sync: a camera's picture (or sound) with no usable pulse of its own takes the clock of the same file's other stream, its audio/video skew unmeasured (mmprep sync --share-camera-clock)", false)
    .option('--one-pulse', "sync: the session had one sync pulse: with --search-s 0, a stream's only pulse pairs with another's in the other half of its file (mmprep sync --one-pulse)", false)
    .option('--check', 'check the manifest and every file it names (all rows, whatever --shard says: columns, roles, duplicate ids, sync_options, files present and readable, transcripts) and the stage options, as a run would before its first session; write nothing, start no stage. Exit 0 with a one-line summary, or 2 listing every problem, one line each', false)
    .option('--progress <mode>', 'auto (a bar on a TTY, lines every 10 s otherwise), bar, lines or none', choiceOption('--progress', ['auto', 'bar', 'lines', 'none'] as const), 'auto');
}

/**
 * `--shard K/N` as batch/shard.ts reads it, and for K = N, the last task of an array counted from 1 (sbatch
 * --array=1-N), what to do: its other tasks run shards 1..N-1 and shard 0 never runs. (Here, not in batch/, whose
 * bytes are in extract's code fingerprint: a message is no reason to redo everyone's sessions on --resume.)
 */
function parseShard(text: string): ReturnType<typeof parseShardText> {
  try {
    return parseShardText(text);
  } catch (e) {
    const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
    if (!(e instanceof InputError) || !m || Number(m[2]) < 2 || Number(m[1]) !== Number(m[2])) throw e;
    const n = Number(m[2]);
    throw new InputError(`${e.message}; an array counted from 1 (sbatch --array=1-${n}) leaves shard 0 out: number its tasks 0..${n - 1} (--array=0-${n - 1}), or pass K-1`);
  }
}

/** `mmprep extract MANIFEST`: the run under SIGINT/SIGTERM handlers, then its summary and exit code. */
async function runExtract(manifest: string, o: Opts): Promise<number> {
  warnUnreadStageOptions(o);
  if (o.check) return runCheck(manifest, o);
  const control = new ExtractControl();
  const signals = interruptHandlers(control);
  let summary;
  try {
    summary = await extract(manifest, {
      out: outputOf(o, true),
      delimiter: o.delimiter,
      allowColumns: o.allowColumns,
      strict: o.strict,
      jobs: o.jobs,
      faceWorkers: o.faceWorkers,
      only: o.only,
      resume: o.resume,
      redoChanged: o.redoChanged,
      // parsed here, so a bad --shard (3/2) prints its JSON failure on stdout like every refused run
      shard: o.shard !== undefined ? parseShard(o.shard) : null,
      refRole: o.refRole,
      stageOptions: stageOptionsOf(o),
      progress: o.progress,
      control,
    });
  } catch (e) {
    // stdout is JSON (the summary line): a run refused before it started prints its failure there too
    if (isMmprepError(e)) printJsonFailure(e, { manifest: absoluteOrNull(manifest), out: absoluteOrNull(outputOf(o)), ...(e instanceof ManifestError ? { problems: e.lines() } : {}) });
    if (e instanceof ManifestError) {
      for (const l of e.lines()) process.stderr.write(`mmprep: ${l}\n`);
      process.stderr.write(`mmprep: ${e.problems.length} problem(s) in ${manifest}; nothing was extracted\n`);
      return EXIT.BAD_INPUT;
    }
    throw e;
  } finally {
    signals.remove();
  }
  return reportSummary(summary);
}

/**
 * `--check`: the manifest's checks over every row, nothing written (-o and --shard are not used; a malformed --shard is
 * refused as the run would refuse it). stdout: the JSON
 * summary (ok true), or the JSON failure with every problem as a refused run prints it; stderr: one line each.
 */
async function runCheck(manifest: string, o: Opts): Promise<number> {
  let checked;
  try {
    // -o and --shard are not used, but a --shard the run would refuse (2/2 from a 1-based array index) is refused here
    if (o.shard !== undefined) parseShard(o.shard);
    checked = await checkManifest(manifest, { only: o.only, refRole: o.refRole, delimiter: o.delimiter, allowColumns: o.allowColumns, stageOptions: stageOptionsOf(o) });
  } catch (e) {
    if (isMmprepError(e)) printJsonFailure(e, { manifest: absoluteOrNull(manifest), ...(e instanceof ManifestError ? { problems: e.lines() } : {}) });
    if (e instanceof ManifestError) {
      for (const l of e.lines()) process.stderr.write(`mmprep: ${l}\n`);
      process.stderr.write(`mmprep: ${e.problems.length} problem(s) in ${manifest} (every row checked, whatever --shard says); fix them before submitting\n`);
      return EXIT.BAD_INPUT;
    }
    throw e;
  }
  const { summary, notes } = checked;
  for (const note of notes) process.stderr.write(`mmprep extract: ${note}\n`);
  process.stdout.write(JSON.stringify({ ok: true, check: true, ...summary }) + '\n');
  const also = summary.transcripts ? ` and ${summary.transcripts} transcript(s)` : '';
  process.stderr.write(`mmprep extract --check: ${manifest}: ${summary.sessions} session(s), ${summary.media_files} media file(s)${also} present and readable, no problem${summary.warnings ? `, ${summary.warnings} warning(s) above` : ''}; stages ${summary.stages.join(',')}; nothing written\n`);
  return EXIT.OK;
}

/**
 * SIGINT finishes the running sessions (a second one rolls them back); SIGTERM (Kubernetes pod deletion, Slurm time
 * limit or preemption) leaves a short grace period: roll back at once. Installed now; remove() takes them off.
 */
function interruptHandlers(control: ExtractControl): { remove: () => void } {
  // A rollback that does not end (a stuck step) is cut short: after ROLLBACK_EXIT_MS, or at once on a further signal.
  const rollBack = (signal: 'SIGTERM' | 'SIGINT') => {
    if (control.mode === 'rollback') return exitUnlessDone(0, signal);
    control.stop('rollback');
    exitUnlessDone(ROLLBACK_EXIT_MS, signal);
  };
  const onSigint = () => (control.mode === 'run' ? control.stop('finish') : rollBack('SIGINT'));
  const onSigterm = () => rollBack('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  return {
    remove: () => {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
    },
  };
}

/** The stage options as typed (a default not typed stays out, so --resume compares what the user asked for). */
function stageOptionsOf(o: Opts): StageOptions {
  return {
    ...(o.backend !== undefined ? { backend: o.backend.toLowerCase() } : {}),
    ...(o.faceFps !== undefined ? { faceFps: o.faceFps } : {}),
    ...(o.maxFaces !== undefined ? { maxFaces: o.maxFaces } : {}),
    ...(o.voice ? { voice: true } : {}),
    ...(o.f0Floor !== undefined ? { f0Floor: o.f0Floor } : {}),
    ...(o.f0Ceiling !== undefined ? { f0Ceiling: o.f0Ceiling } : {}),
    ...(o.toneHz !== undefined ? { toneHz: o.toneHz } : {}),
    ...(o.searchS !== undefined ? { searchS: o.searchS } : {}),
    ...(o.ends !== undefined ? { ends: o.ends } : {}),
    ...(o.pick !== undefined ? { pick: o.pick } : {}),
    ...(o.shareCameraClock ? { shareCameraClock: true } : {}),
    ...(o.onePulse ? { onePulse: true } : {}),
    ...(o.fallback !== undefined ? { fallback: o.fallback } : {}),
  };
}

/** The flag of each stage option, for the line naming one that no stage run reads. */
const STAGE_OPTION_FLAGS: Record<keyof StageOptions, string> = {
  backend: '--backend',
  faceFps: '--face-fps',
  maxFaces: '--max-faces',
  voice: '--voice',
  f0Floor: '--f0-floor',
  f0Ceiling: '--f0-ceiling',
  toneHz: '--tone-hz',
  searchS: '--search-s',
  ends: '--ends',
  pick: '--pick',
  shareCameraClock: '--share-camera-clock',
  onePulse: '--one-pulse',
  fallback: '--fallback',
};

/**
 * A stage option typed for a stage --only leaves out (`--only audio --ends both`) does nothing and is not recorded
 * in meta.json: said in one warning line per option (a new user's trial: the run went by without a word).
 */
function warnUnreadStageOptions(o: Opts): void {
  const stages = o.only && o.only.length ? o.only : [...STAGE_NAMES];
  const read = new Set<string>(stages.flatMap((st) => STAGE_OPTION_KEYS[st]));
  for (const [key, value] of Object.entries(stageOptionsOf(o))) {
    if (value === undefined || read.has(key)) continue;
    const by = STAGE_NAMES.filter((st) => (STAGE_OPTION_KEYS[st] as string[]).includes(key)).join(' or ');
    process.stderr.write(`mmprep extract: warning: ${STAGE_OPTION_FLAGS[key as keyof StageOptions]} has no effect: only the ${by} stage reads it, and --only ${stages.join(',')} leaves it out (it is not recorded in meta.json)\n`);
  }
}

/**
 * One line per stage that did not apply to some sessions (their row leaves its input role empty: an audio-only
 * session's face stage): said once for the run, not as a warning per session (ttrial51 F2), so a run where it applied
 * to none is not a silent empty output.
 */
function notApplicableLines(na: ExtractSummary['not_applicable']): void {
  for (const [stage, ids] of Object.entries(na)) {
    if (!ids?.length) continue;
    const named = ids.length > 5 ? `${ids.slice(0, 5).join(', ')}, ... (${ids.length - 5} more)` : ids.join(', ');
    process.stderr.write(`mmprep extract: ${stage} stage not applicable to ${ids.length} session(s) whose row names no input for it (${named}): recorded in their meta.json not_applicable; not a warning, and --strict does not fail them\n`);
  }
}

/** The JSON summary on stdout; exit 130 after an interrupt (saying what was finished and rolled back), 4 on failures. */
function reportSummary(summary: ExtractSummary): number {
  const { errors, warnings, not_applicable, ...rest } = summary;
  const ok = !summary.interrupted && summary.failed === 0; // exit 0
  const naCounts = Object.fromEntries(Object.entries(not_applicable).map(([stage, ids]) => [stage, ids.length]));
  process.stdout.write(JSON.stringify({ ok, ...rest, errors: errors.length, warnings: warnings.length, not_applicable: naCounts }) + "\n");
  notApplicableLines(not_applicable);
  if (summary.shard && summary.sessions === 0 && summary.manifest_sessions > 0) {
    const { index, count } = summary.shard;
    process.stderr.write(`mmprep extract: shard ${index}/${count} holds none of the manifest's ${summary.manifest_sessions} sessions (each session goes to one shard by a hash of its session_id): nothing to do here\n`);
  }
  if (summary.interrupted) {
    process.stderr.write(
      // "finished none" alone read as "nothing done" to a new user's trial whose run had completed 2 sessions before it.
      `mmprep extract: stopped by interrupt: finished ${summary.finished_after_interrupt.length ? summary.finished_after_interrupt.join(', ') : 'none'}; rolled back ${summary.rolled_back.length ? summary.rolled_back.join(', ') : 'none'}; ${summary.not_started} not started (run again with --resume); ${summary.done} session(s) of this run done and kept, those finished after the interrupt included\n`,
    );
    return 130;
  }
  if (summary.failed > 0) {
    return reportError(new BatchError(`${summary.failed} of ${summary.sessions} sessions failed; see ${summary.errors_file ?? 'the lines above (the errors file could not be written)'}`));
  }
  return EXIT.OK;
}
