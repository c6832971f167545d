/**
 * One session of `mmprep extract`, as a worker thread runs it: hash and probe the inputs, skip it when --resume finds
 * a matching meta.json, otherwise clear what a previous attempt left, run the stages in order, and write meta.json
 * last (the completion marker). On failure the session folder is put back as it was before the attempt
 * (session-snapshot.ts): an earlier run's output as it was, a new session's folder removed.
 */
import { sha256File } from '../common/sha256.js';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import { writeFileAtomic } from '../common/atomic.js';
import { brokenLink, makeFolder } from '../common/make-folder.js';
import { InputError, isMmprepError, unreadableInput, unwritableOutput } from '../common/errors.js';
import { toJsonText } from '../common/records.js';
import { codeBuild, VERSION } from '../common/version.js';
import { killChildren, settleChildren } from '../media/children.js';
import { onDecodeProgress } from '../media/decode-progress.js';
import { showinfoFrom } from '../media/showinfo.js';
import { pickStream, probe, type ProbeResult } from '../media/probe.js';
import { probeWithPacketTimes } from '../media/probe-packets.js';
import { findSyncEntry, readSyncMap, type SyncMap } from '../sync/clock.js';
import { loadStages, STAGE_FILES, STAGE_NAMES, STAGE_OPTION_KEYS, type StageName, type StageOptions, type StageResult, type StageTable } from './extract-stages.js';
import type { ManifestSession, MediaKind } from './manifest.js';
import { placementClockId, placementIf } from './clock-moved.js';
import { cellRenamer } from './sync-names.js';
import { countedStages, stageShown } from './work-share.js';
import { dropBefore, keepBefore, restoreBefore } from './session-snapshot.js';
import { changedInput, inputStates } from './input-change.js';
import { stageToolchain, toolchainDiffers, type Toolchain } from './toolchain.js';

export interface SessionTask {
  session: ManifestSession;
  /** The run's output folder; the session writes into <outDir>/<session_id>/. */
  outDir: string;
  stages: StageName[];
  options: StageOptions;
  resume: boolean;
  faceWorkers: number;
  /** A stage that produces nothing it was asked for fails the session (default: a warning). */
  strict?: boolean;
  /** Where the session posts its progress (SessionProgress messages) while it runs. */
  progressPort?: MessagePort;
  /** A module whose `stages` export replaces the built-in stage table (custom pipelines). */
  stagesModule?: string;
  /** The ffmpeg build and face models of the run (src/batch/toolchain.ts): recorded in meta.json, compared by --resume. */
  toolchain: Toolchain;
}

export type SessionStatus = 'done' | 'skipped' | 'failed';

export interface SessionOutcome {
  session_id: string;
  line: number;
  status: SessionStatus;
  /** Where a failure happened: 'inputs', a stage name, or 'meta'. */
  stage?: string;
  reason?: string;
  /** Duration of the reference media, seconds (0 when unknown). */
  media_s: number;
  wall_s: number;
  /** Stages that produced nothing they were asked for, stale files removed: one line each for stderr. */
  warnings?: string[];
  /** Stages with no input role in the session's row (not applicable: no warning, not failed by --strict). */
  not_applicable?: StageName[];
  /** --resume redid a session that had a meta.json: why it was not skipped (a stderr line, not a warning). */
  redone?: string;
  /** Lines for stderr that are not warnings (kept files whose media are not recorded: unchecked, not wrong). */
  notes?: string[];
  /** A failed session: its folder holds an earlier run's output (meta.json and files) as it was before this run. */
  earlier_kept?: boolean;
}

/** Progress within a session: the stage running (0-based of n_stages) and the media seconds it has decoded. */
export interface SessionProgress {
  stage: string;
  stage_index: number;
  n_stages: number;
  done_s: number;
  media_s: number;
}

/**
 * Posts a session's progress at most every 250 ms (and at each stage change), from the decoders' reports. A stage
 * the session does not have (face without a video of its own: progress.ts stageShown) is not posted: the line keeps
 * the stage before it (ttrial51 F1: `running: l60 face 0.0/3600.0 s` for an audio-only session).
 */
function progressPoster(port: MessagePort | undefined, n_stages: number, shown: (stage: string) => boolean = () => true) {
  let last = -Infinity;
  const cur: SessionProgress = { stage: 'inputs', stage_index: 0, n_stages, done_s: 0, media_s: 0 };
  const post = (force: boolean) => {
    const now = performance.now();
    if (!port || (!force && now - last < 250)) return;
    last = now;
    port.postMessage({ ...cur });
  };
  onDecodeProgress(port ? (t) => ((cur.done_s = cur.media_s > 0 ? Math.min(cur.media_s, Math.max(cur.done_s, t)) : t), post(false)) : null);
  return {
    stage(name: string, index: number, media_s: number) {
      if (!shown(name)) return;
      Object.assign(cur, { stage: name, stage_index: index, done_s: 0, media_s });
      post(true);
    },
    close() {
      onDecodeProgress(null);
      port?.close();
    },
  };
}

export interface MetaInput {
  role: string;
  kind: MediaKind;
  file: string;
  size_bytes: number;
  sha256: string;
  duration_s: number | null;
}

export interface SessionMeta {
  session_id: string;
  speaker_id: string;
  /** `build`: the fingerprint of the code that made the files (src/common/version.ts codeBuild). */
  tool: { name: 'mmprep'; version: string; build?: string } & Partial<Toolchain>;
  ref_role: string;
  stages: StageName[];
  options: StageOptions;
  inputs: MetaInput[];
  /** Where t_s comes from: the sync map written by this run, one kept from an earlier run, or none (source time). */
  clock: { reference_role: string; sync: 'computed' | 'existing' | 'none'; sync_sha256: string | null; sync_media?: SyncMedia[] };
  /**
   * Every file of the session folder: `clock` is the clock its times are on (clockId: the sync.json it used, or
   * 'source time'); null for sync.json itself. Files of stages not run this time are kept only when made on the same clock.
   */
  outputs: MetaOutput[];
  /**
   * What made each stage's files that are in `outputs`, per stage: the options it ran with (as typed, the keys that
   * stage reads), the clock of its files and the mmprep version. A stage not run this time keeps its earlier record
   * with its kept files (options null: made by an older mmprep that did not record them).
   */
  made_by: Partial<Record<StageName, StageRecord>>;
  /** Where each stage took its input from (the audio stage falls back to the camera file's own sound). */
  sources: Partial<Record<StageName, { role: string; file: string; stream: MediaKind }>>;
  /** Stages that were asked for and produced nothing, with the reason (see --strict). */
  not_produced: Array<{ stage: StageName; reason: string }>;
  /** Stages asked for whose input role the session's row leaves empty (an audio-only session's face): not a failure. Absent: none. */
  not_applicable?: Array<{ stage: StageName; reason: string }>;
  media_s: number;
  /** The only part that differs between two runs over the same inputs. */
  run: { started_at: string; finished_at: string; timings_s: Record<string, number> };
}

/** The media a sync.json was made from (each role's file by SHA-256), recorded when the sync stage ran. */
export interface SyncMedia {
  role: string;
  sha256: string;
}

export const META_FILE = 'meta.json';

/** meta.json `made_by`: the options, clock and version a stage's kept files were made with. */
export interface StageRecord {
  options: StageOptions | null;
  clock: string | null;
  version: string | null;
  /** The code fingerprint (src/common/version.ts codeBuild); null or absent: not recorded (before 2026-12-02). */
  build?: string | null;
  /** The fingerprints of the ffmpeg build and (face) the models that made the files (src/batch/toolchain.ts); absent: not recorded. */
  ffmpeg?: string | null;
  models?: string;
  /**
   * The media files the stage read, by role, size and SHA-256 (the identity meta.json `inputs` and --resume use; no
   * path, so a release's copy is the same wherever the media are). Absent: not recorded (before 2026-12-06).
   */
  inputs?: StageInput[];
  /**
   * Sync: the options among `options` that came from the session's manifest row (column sync_options), a choice made
   * for this session alone; `dataset build` does not call sessions that differ only by them a mix (made-by-mix.ts).
   * Absent: none (or not recorded, before 2026-12-06).
   */
  row_options?: StageOptions;
}

/** A media file a stage read (meta.json made_by.<stage>.inputs). */
export interface StageInput {
  role: string;
  size_bytes: number;
  sha256: string;
}

export interface MetaOutput {
  file: string;
  size_bytes: number;
  sha256: string;
  clock: string | null;
}

/** The clock a feature file's times are on: the sync.json it was written with (by hash), or the files' own time. */
export function clockId(syncSha256: string | null): string {
  return syncSha256 ? `sync.json sha256:${syncSha256}` : 'source time';
}

/**
 * Audio and face features each on its own file's time (no sync map: extract ran without the sync stage and found no
 * sync.json) when they come from different files (a lav and a camera): their frames are not on one clock and must not
 * be paired. Returns the line saying so, or null. `sources` is meta.json's (files as given); when it lacks either
 * stage (made by another run) the session's media decide: more than one file is not one clock.
 */
export function sourceTimeMismatch(outputs: Array<{ file: string; clock?: string | null }>, sources: SessionMeta['sources'] | undefined, mediaPaths: readonly string[]): string | null {
  const clockOf = (f: string) => outputs.find((o) => o.file === f)?.clock;
  if (clockOf('audio.jsonl') !== clockId(null) || clockOf('face.jsonl') !== clockId(null)) return null;
  const a = sources?.audio;
  const v = sources?.face;
  if (a && v ? a.file === v.file : new Set(mediaPaths).size < 2) return null;
  const what = a && v ? `audio.jsonl (from ${a.file}) and face.jsonl (from ${v.file})` : 'audio.jsonl and face.jsonl';
  return `${what} are each on their own file's time (extracted without the sync stage and no sync.json), so their frames cannot be paired; run mmprep extract with the sync stage for this session (--only sync,audio,face)`;
}

/** Feature files whose times depend on the session clock (everything a stage writes except sync.json). */
export const CLOCKED_FILES: readonly string[] = STAGE_NAMES.filter((s) => s !== 'sync').flatMap((s) => STAGE_FILES[s]);

/** Marks a promise as handled (it is awaited later, maybe not at all when an earlier input fails). */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The options the given stages read, keys sorted (what meta.json records). */
export function relevantOptions(o: StageOptions, stages: readonly StageName[]): StageOptions {
  const keys = new Set<string>(stages.flatMap((s) => STAGE_OPTION_KEYS[s]));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) {
    if (!keys.has(k)) continue;
    const v = (o as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = v;
  }
  return out as StageOptions;
}

/** Stage order is fixed (sync first: audio and face need its clock) whatever the order given. */
export function orderStages(stages: readonly StageName[]): StageName[] {
  return STAGE_NAMES.filter((s) => stages.includes(s));
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The options object as typed, for a line (`{}` when none was typed). */
const optionsText = (o: unknown): string => JSON.stringify(o ?? {});

/**
 * Why --resume cannot skip a session that has a meta.json (inputs, options, version, stages, outputs all still as it
 * records them), or null when it is complete. Said on stderr: a resume with
 * one flag changed redid every session without a word (trial8: `--face-fps 1` over a `--face-fps 2` folder, "done 3,
 * skipped 0"), which on a cluster is hours of work a user did not expect.
 */
export async function incompleteReason(dir: string, meta: SessionMeta, inputs: MetaInput[], task: SessionTask, options: StageOptions): Promise<string | null> {
  const key = (i: MetaInput) => ({ role: i.role, kind: i.kind, size_bytes: i.size_bytes, sha256: i.sha256 });
  // A folder holding another session's output (copied or renamed by hand): say so, not the media or options that then
  // differ (a new user's trial was told p01's camera had changed size, the meta.json being p07's).
  if (typeof meta.session_id === 'string' && meta.session_id !== task.session.session_id) return `session '${meta.session_id}', not this one (a folder copied or renamed from another session's output?)`;
  if (meta.tool?.version !== VERSION) return `mmprep ${meta.tool?.version ?? 'unknown'}, this run ${VERSION}`;
  if (meta.tool?.build !== codeBuild()) return buildDiffers(meta.tool?.build);
  // Stages and options before the toolchain: a folder last written by a run without the face stage records no face
  // models, and a trial's resume with face named that ("face models not recorded (an mmprep before 2026-12-02)") in
  // place of the stage list and options that differed.
  if (meta.ref_role !== task.session.ref_role) return `reference role ${meta.ref_role}, this run ${task.session.ref_role}`;
  const stagesDiffer = sameJson(meta.stages, orderStages(task.stages)) ? null : `stages ${(meta.stages ?? []).join(',')}, this run ${orderStages(task.stages).join(',')}`;
  const optionsDiffer = sameJson(meta.options, options) ? null : `stage options as typed ${optionsText(meta.options)}, this run ${optionsText(options)}: ${optionsAdvice(meta, options, task.session)}`;
  if (stagesDiffer || optionsDiffer) return [stagesDiffer, optionsDiffer].filter(Boolean).join('; ');
  const toolchain = toolchainDiffers(meta.tool, task.toolchain);
  if (toolchain) return toolchain;
  // Each stage's own record too: never skip a stage whose files were made with other options.
  for (const s of orderStages(task.stages)) {
    const rec = meta.made_by?.[s];
    if (rec && !sameJson(rec.options, relevantOptions(options, [s]))) return `${s} files made with ${optionsText(rec.options)}, this run ${optionsText(relevantOptions(options, [s]))}`;
  }
  if (!Array.isArray(meta.inputs) || !sameJson(meta.inputs.map(key), inputs.map(key))) return inputsChanged(meta.inputs, inputs);
  if (!Array.isArray(meta.outputs)) return 'no outputs';
  // A clock taken from an earlier run's sync.json: that file must still be the same.
  if (meta.clock?.sync === 'existing' && !(await sameSha256(join(dir, 'sync.json'), meta.clock.sync_sha256))) return 'a sync.json that has changed since';
  return (await outputsUnchanged(dir, meta.outputs)) ? null : 'an output file that is missing or has changed since';
}

/**
 * What to do about options that differ, by where each differing key came from: a key whose value the session's
 * sync_options cell changed (made_by.sync.row_options then, the row's cell now) is the row's, the rest the command
 * line's. The line used to send a user whose row had gained `--ends both` to the command line's flags (ttrial51 R1).
 */
function optionsAdvice(meta: SessionMeta, options: StageOptions, session: ManifestSession): string {
  const was = (meta.options ?? {}) as Record<string, unknown>;
  const now = options as Record<string, unknown>;
  const rowWas = (meta.made_by?.sync?.row_options ?? {}) as Record<string, unknown>;
  const rowNow = (session.sync_options ?? {}) as Record<string, unknown>;
  const differing = [...new Set([...Object.keys(was), ...Object.keys(now)])].filter((k) => !sameJson(was[k], now[k]));
  const byRow = differing.filter((k) => !sameJson(rowWas[k], rowNow[k]));
  const flags = 'resume with the flags of the run that made the folder to skip it';
  if (byRow.length === 0) return flags;
  const row = `the manifest row's sync_options cell (line ${session.line}) gives ${optionsText(pick(rowNow, byRow))} where the run that made the folder had ${optionsText(pick(rowWas, byRow))} from its row: give the row its earlier cell to skip it`;
  return byRow.length === differing.length ? row : `${row}; for ${differing.filter((k) => !byRow.includes(k)).map(flagOf).join(', ')}, ${flags}`;
}

/** A stage option's command-line flag (faceFps: --face-fps). */
export const flagOf = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

const pick = (o: Record<string, unknown>, keys: string[]): Record<string, unknown> => Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));

/**
 * Which media files differ from meta.json's record, by role: a changed size or content names the file (a new user's
 * trial: "media files of another size or sha256" left them to find which of the session's files it was).
 */
function inputsChanged(recorded: MetaInput[] | undefined, now: MetaInput[]): string {
  const before = new Map((Array.isArray(recorded) ? recorded : []).map((i) => [`${i.role}\0${i.kind}`, i]));
  const changed = now.flatMap((i) => {
    const old = before.get(`${i.role}\0${i.kind}`);
    if (!old) return [`${i.role} ${i.file} (not in it)`];
    if (old.sha256 === i.sha256 && old.size_bytes === i.size_bytes) return [];
    return [`${i.role} ${i.file} (${old.size_bytes === i.size_bytes ? 'same size, other content' : `${old.size_bytes} bytes then, ${i.size_bytes} now`})`];
  });
  const gone = [...before.values()].filter((o) => !now.some((i) => i.role === o.role && i.kind === o.kind)).map((o) => `${o.role} ${o.file} (not in this row)`);
  const which = [...changed, ...gone];
  return `media files of another size or sha256 than this row names now${which.length ? `: ${which.join(', ')}` : ''}`;
}

/** Why a folder made by other code is redone (the version alone does not change between commits). */
function buildDiffers(was: string | undefined): string {
  const now = codeBuild();
  if (!was) return `no code fingerprint (made by an mmprep before 2026-12-02, whose features may differ from this one's), this run ${now}`;
  return `code fingerprint ${was}, this run ${now} (mmprep's code changed since, version ${VERSION} both: its features may differ)`;
}

async function sameSha256(path: string, want: string | null | undefined): Promise<boolean> {
  try {
    return (await sha256File(path)).sha256 === want;
  } catch {
    return false;
  }
}

/**
 * Every output listed in meta.json is there with its recorded size and SHA-256. Size alone let a sync.json edited by
 * hand (an offset changed digit for digit) pass: --resume skipped the session, its features still on the old clock,
 * and dataset build refused it as stale, a loop.
 */
async function outputsUnchanged(dir: string, outputs: MetaOutput[]): Promise<boolean> {
  for (const o of outputs) {
    try {
      if ((await stat(join(dir, o.file))).size !== o.size_bytes) return false;
    } catch {
      return false;
    }
  }
  for (const o of outputs) {
    try {
      if ((await sha256File(join(dir, o.file))).sha256 !== o.sha256) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** meta.json's inputs when it lists them (none: an unreadable or older meta.json). */
function recordedInputs(meta: SessionMeta | null): MetaInput[] {
  return Array.isArray(meta?.inputs) ? meta.inputs : [];
}

async function readMetaIf(dir: string): Promise<SessionMeta | null> {
  try {
    return JSON.parse(await readFile(join(dir, META_FILE), 'utf8')) as SessionMeta;
  } catch {
    return null;
  }
}

/** The media the session's sync.json was made from, per the previous meta.json (older ones: the inputs of a computed run). */
function recordedSyncMedia(meta: SessionMeta | null): SyncMedia[] | null {
  if (!meta?.clock) return null;
  if (Array.isArray(meta.clock.sync_media)) return meta.clock.sync_media;
  if (meta.clock.sync === 'computed' && Array.isArray(meta.inputs)) return meta.inputs.map((i) => ({ role: i.role, sha256: i.sha256 }));
  return null;
}

/**
 * A stage that reuses the session's sync.json: it must have been made from the media files given now (a changed camera
 * file moves every time). Returns what is recorded (carried into the new meta.json), null when nothing is.
 */
async function checkSyncMedia(dir: string, previous: SessionMeta | null, inputs: MetaInput[]): Promise<SyncMedia[] | null> {
  const recorded = recordedSyncMedia(previous);
  if (!recorded || !previous) return null;
  if ((await sha256File(join(dir, 'sync.json'))).sha256 !== previous.clock.sync_sha256) return null;
  for (const r of recorded) {
    const now = inputs.find((i) => i.role === r.role);
    if (now && now.sha256 !== r.sha256) {
      throw new StageFailure('sync', `sync.json was made from a different ${r.role} file than ${now.file}; include the sync stage`);
    }
  }
  return recorded;
}

async function sizeIf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch {
    return null;
  }
}

/**
 * Files of stages not run this time: kept (and listed again in meta.json) when an earlier meta.json lists them with
 * the clock the session has now, they are unchanged and the media their stage read are the files given now (its
 * made_by.<stage>.inputs); otherwise removed, so no feature file on another clock or of another file survives an
 * `--only` run. A camera replaced by a re-export whose sync window was the same bytes gave a byte-identical sync.json,
 * and `--only sync,audio` kept the old camera's face files while meta.json's inputs named the new one (ttrial47).
 * Returns a warning line per reason for removal, and in `unknown` the stages whose kept files' media are not recorded.
 */
async function keepOrRemoveEarlier(dir: string, earlier: EarlierRun, outputs: MetaOutput[], now: string, syncKept: boolean, samePlacement: string | null, unknown: StageName[]): Promise<string[]> {
  const { previous } = earlier;
  const have = new Set(outputs.map((o) => o.file));
  const removed: string[] = [];
  const why = new Set<string>();
  const otherMedia: string[] = [];
  for (const stage of STAGE_NAMES) {
    const media = stage === 'sync' ? null : stageMediaChange(earlier, stage);
    for (const f of STAGE_FILES[stage]) {
      if (have.has(f)) continue;
      const size = await sizeIf(join(dir, f));
      if (size === null) continue;
      const old = previous?.outputs?.find((o) => o.file === f);
      const sameFile = old !== undefined && old.size_bytes === size;
      if (f === 'sync.json') {
        // The clock itself, taken from an earlier run: listed again when that run wrote it, never removed.
        if (syncKept && sameFile) outputs.push({ ...old, clock: null });
        continue;
      }
      const sameClock = sameFile && (old.clock === now || (samePlacement !== null && old.clock === samePlacement));
      if (sameClock && media?.changed) {
        await rm(join(dir, f), { force: true });
        if (!otherMedia.includes(stage)) otherMedia.push(stage);
        why.add(media.changed);
        removed.push(f);
        continue;
      }
      if (sameClock) {
        // Made on the earlier sync.json, which placed every stream as the new one does (only its paths differ): the same clock.
        outputs.push(old.clock === now ? old : { ...old, clock: now });
        if (media?.unknown && !unknown.includes(stage)) unknown.push(stage);
        continue;
      }
      await rm(join(dir, f), { force: true });
      removed.push(f);
      why.add(old === undefined ? 'not listed in the earlier meta.json' : `made on ${old.clock ?? 'an unrecorded clock'}, the session's clock is now ${now}`);
    }
  }
  if (removed.length === 0) return [];
  const redo = otherMedia.length ? `; run extract with --only ${otherMedia.join(',')} for this session to make them from the files given now` : '; run extract with --only for their stages to make them again';
  return [`removed ${removed.join(', ')} (${[...why].join('; ')})${redo}`];
}

/** The earlier run's meta.json and the session's media now (size and SHA-256 by role). */
interface EarlierRun {
  previous: SessionMeta | null;
  inputs: MetaInput[];
}

/**
 * Whether the media a stage not run this time read are the files given now: `changed` says which differ (its files are
 * then removed), `unknown` that its meta.json does not record them (made before 2026-12-06: its files are kept, as then,
 * when the role it read has the size and SHA-256 the earlier meta.json records for the session).
 */
function stageMediaChange(earlier: EarlierRun, stage: StageName): { changed?: string; unknown?: boolean } {
  const { previous, inputs } = earlier;
  const rec = previous?.made_by?.[stage];
  const recorded: StageInput[] | null = Array.isArray(rec?.inputs) ? rec.inputs : null;
  const role = previous?.sources?.[stage]?.role;
  const read = recorded ?? (role ? recordedInputs(previous).filter((i) => i.role === role) : []);
  const differ = read.filter((r) => {
    const nowIn = inputs.find((i) => i.role === r.role);
    return !nowIn || nowIn.sha256 !== r.sha256 || nowIn.size_bytes !== r.size_bytes;
  });
  if (differ.length > 0) {
    const named = differ.map((r) => {
      const nowIn = inputs.find((i) => i.role === r.role);
      return nowIn ? `${r.role} ${nowIn.file} is another file now (sha256 ${r.sha256.slice(0, 12)}… then, ${nowIn.sha256.slice(0, 12)}… now)` : `${r.role} is not in this row`;
    });
    return { changed: `${stage} files made from media that changed since: ${named.join(', ')}` };
  }
  return recorded ? {} : { unknown: true };
}

/** Removes what an interrupted or failed attempt may have left: temp files, meta.json, the outputs of these stages. */
export async function clearSessionOutputs(dir: string, stages: readonly StageName[]): Promise<void> {
  await rm(join(dir, META_FILE), { force: true });
  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  const outputs = new Set(stages.flatMap((s) => STAGE_FILES[s]));
  await Promise.all(names.filter((n) => (n.startsWith('.') && n.endsWith('.tmp')) || outputs.has(n)).map((n) => rm(join(dir, n), { force: true, recursive: true })));
}

class StageFailure extends Error {
  constructor(
    readonly stage: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

function reasonOf(e: unknown): string {
  // A sync refusal of several streams: one line each on sync's stderr, here one reason holding them all.
  if (isMmprepError(e)) return [e, ...(e instanceof InputError ? e.also : [])].map((x) => x.toLine()).join('; ');
  const unreadable = unreadableInput(e);
  if (unreadable) return unreadable.toLine();
  const err = e as Error;
  return `internal error: ${err?.message ?? String(e)}`.replace(/\s*\n\s*/g, ' ');
}

async function loadTable(task: SessionTask): Promise<StageTable> {
  if (!task.stagesModule) return loadStages();
  const mod = (await import(task.stagesModule)) as { stages?: StageTable };
  if (!mod.stages) throw new Error(`${task.stagesModule} has no 'stages' export`);
  return mod.stages;
}

/** One attempt at a session: where it writes, what it runs with, and its timings so far. */
interface SessionAttempt {
  task: SessionTask;
  dir: string;
  stages: StageName[];
  options: StageOptions;
  t0: number;
  started_at: string;
  timings: Record<string, number>;
  /** Duration of the reference media, seconds (0 until the inputs are probed, or when unknown). */
  media_s: number;
}

/** The clock the session's features are put on: the sync map (this run's, an earlier run's kept sync.json, or none). */
interface SessionClock {
  syncMap: SyncMap | null;
  sync: SessionMeta['clock']['sync'];
  syncMedia: SyncMedia[] | null;
}

/** What the stages produced: files written, warning lines, input sources, and the stages that produced nothing. */
interface StagesDone {
  written: string[];
  warnings: string[];
  sources: SessionMeta['sources'];
  notProduced: SessionMeta['not_produced'];
  notApplicable: NonNullable<SessionMeta['not_applicable']>;
}

type ProgressPoster = ReturnType<typeof progressPoster>;

function lap(a: SessionAttempt, name: string, since: number): void {
  a.timings[name] = round3((performance.now() - since) / 1000);
}

function wallS(a: SessionAttempt): number {
  return round3((performance.now() - a.t0) / 1000);
}

/** Rollback (src/batch/extract.ts): end this worker's ffmpeg/ffprobe children and wait for them before it is terminated. */
function answerRollback(port: MessagePort | undefined): void {
  port?.on('message', (m: { killChildren?: boolean }) => {
    if (m.killChildren) void killChildren().then(() => port?.postMessage({ childrenKilled: true }));
  });
  port?.postMessage({ childrenWatched: true });
}

/** The video decoder's showinfo filter, from the run's main thread (found out once for every session thread). */
function askShowinfo(port: MessagePort): Promise<string> {
  return new Promise((resolveFilter) => {
    const answer = (m: { showinfo?: unknown }) => {
      if (typeof m.showinfo !== 'string') return;
      port.off('message', answer);
      resolveFilter(m.showinfo);
    };
    port.on('message', answer);
    port.postMessage({ showinfoWanted: true });
  });
}

type Probes = Map<string, Promise<ProbeResult>>;
type Hashes = Map<string, Promise<{ sha256: string; size: number }>>;

/**
 * Inputs: size and hash (each file once, even when it serves two roles), then a probe that each role's stream exists.
 * Its packet times are read in the same ffprobe run (probe-packets.ts) unless `mayskip`: a session --resume skips
 * reads none (checkFileEnds reads them after the resume check), and one whose file differs from every input its
 * meta.json records (role, kind, size and SHA-256, as incompleteReason compares them) is redone, so that file's are
 * read in the same run. `recorded`: the inputs of the session's meta.json
 * (--resume): a role whose file has the size and SHA-256 recorded there takes its recorded duration instead of an
 * ffprobe run (~0.15 CPU s each with Debian's build), so a session --resume skips starts no ffprobe; one it redoes
 * reads its inputs again without `recorded` and without `mayskip` (attemptSession), `hashes` keeping each file's hash from the first read.
 */
async function readInputs(session: ManifestSession, probes: Probes, mayskip: boolean, hashes: Hashes = new Map(), recorded: MetaInput[] = []): Promise<MetaInput[]> {
  const inputs: MetaInput[] = [];
  for (const m of session.media) {
    if (!hashes.has(m.path)) hashes.set(m.path, handled(sha256File(m.path)));
  }
  for (const m of session.media) {
    let h: { sha256: string; size: number };
    try {
      h = await hashes.get(m.path)!;
    } catch (e) {
      throw new StageFailure('inputs', `${m.role}: ${unreadableInput(e)?.message.replace(m.path, m.given) ?? `cannot read ${m.given} (${(e as Error).message})`}`);
    }
    const same = recorded.find((i) => i.role === m.role && i.kind === m.kind && i.file === m.given && i.size_bytes === h.size && i.sha256 === h.sha256);
    if (same && (same.duration_s === null || typeof same.duration_s === 'number')) {
      inputs.push({ role: m.role, kind: m.kind, file: m.given, size_bytes: h.size, sha256: h.sha256, duration_s: same.duration_s });
      continue;
    }
    const redone = !recorded.some((i) => i.role === m.role && i.kind === m.kind && i.size_bytes === h.size && i.sha256 === h.sha256);
    const probeFile = mayskip && !redone ? probe : probeWithPacketTimes;
    inputs.push({ role: m.role, kind: m.kind, file: m.given, size_bytes: h.size, sha256: h.sha256, duration_s: await probedDuration(m, probes, probeFile) });
  }
  return inputs;
}

/** The duration of a role's stream (else of its file) by ffprobe (rounded to ms; null when unknown); a failure fails the inputs. */
async function probedDuration(m: ManifestSession['media'][number], probes: Probes, probeFile: (path: string) => Promise<ProbeResult>): Promise<number | null> {
  if (!probes.has(m.path)) probes.set(m.path, handled(probeFile(m.path)));
  try {
    const p = await probes.get(m.path)!;
    const s = soundOnlyAsVideo(m, p) ?? pickStream(p, m.kind, 0);
    const duration = s.duration_s ?? p.duration_s;
    return duration === null ? null : round3(duration);
  } catch (e) {
    throw new StageFailure('inputs', `${m.role}: ${reasonOf(e)}`);
  }
}

/**
 * A file of sound alone (no video stream, no cover art) in a picture's column is refused with the column it belongs
 * in: an audio-only clip of a corpus (RAVDESS's 03-... .wav) in the recipe's `video` column was told only to "give a
 * file with a picture" (tuser59). Null when the role is not a picture's or the file has a picture.
 */
function soundOnlyAsVideo(m: ManifestSession['media'][number], p: ProbeResult): null {
  if (m.kind !== 'video' || p.streams.some((x) => x.type === 'video') || !p.streams.some((x) => x.type === 'audio')) return null;
  throw new InputError(`has no video stream, only sound: give it in an audio column (lav_audio) instead of ${m.role}: a session of sound alone (an audio-only clip) is extracted without a face stage`, { file: p.file });
}

/**
 * Each media file with a stream cut short (its packets stop before the end its header declares: a copy that did not
 * finish) or ending far before the file's other streams (a camera whose picture stopped while its sound went on) fails
 * the session before any stage runs (src/media/file-end.ts, per stream): the decoders found a cut file only on
 * reaching the missing part, after sync and audio had run, and a short picture gave face features for part of the
 * session with exit 0. The packet read is kept for the sync stage's clock-jump check (one ffprobe pass per file).
 */
async function checkFileEnds(session: ManifestSession, probes: Probes): Promise<void> {
  const { incompleteStreams } = await import('../media/file-end.js');
  for (const m of session.media) {
    const p = probes.get(m.path);
    if (!p || session.media.find((o) => o.path === m.path) !== m) continue;
    let why: string | null;
    try {
      why = await incompleteStreams(await p);
    } catch (e) {
      throw new StageFailure('inputs', `${m.role}: ${reasonOf(e)}`);
    }
    if (why) throw new StageFailure('inputs', `${m.role}: ${new InputError(why, { file: m.path }).toLine()}`);
  }
}

/**
 * `--resume --strict` on a session an earlier run without --strict finished: it fails as a fresh --strict run would
 * (exit 4), when a stage asked for produced nothing (meta.json `not_produced`) or files that hold nothing (a face
 * track without a face, features of digital silence: read from its summary as the stage decides it). A CI's
 * `--resume --strict` passed a session whose face stage had produced nothing (ttrial47 5e). Its folder is left as it is.
 */
async function failKeptUnderStrict(a: SessionAttempt, meta: SessionMeta): Promise<void> {
  const kept = 'recorded by the earlier run, which made the folder without --strict; --resume kept its output';
  for (const s of a.stages) {
    const np = Array.isArray(meta.not_produced) ? meta.not_produced.find((n) => n.stage === s) : undefined;
    if (np) throw new StageFailure(s, `produced nothing: ${np.reason} (--strict; ${kept})`);
    const empty = await keptEmptyOutput(a.dir, s, meta);
    if (empty) throw new StageFailure(s, `produced no data: ${empty} (--strict; ${kept})`);
  }
}

/** Why a stage's kept files hold nothing of what was asked, from its summary, as the stage says it (extract-stages.ts); null when they do. */
async function keptEmptyOutput(dir: string, stage: StageName, meta: SessionMeta): Promise<string | null> {
  const summaryOf = async (name: string): Promise<Record<string, unknown> | null> => JSON.parse(await readFile(join(dir, name), 'utf8').catch(() => 'null')) as Record<string, unknown> | null;
  if (stage === 'face') {
    const summary = await summaryOf('face.summary.json');
    if (!summary || !((summary.frames_analysed as number) > 0 && summary.frames_with_face === 0)) return null;
    const { faceSummaryWarnings } = await import('../face/summary-warnings.js');
    return faceSummaryWarnings(summary as unknown as Parameters<typeof faceSummaryWarnings>[0])[0] ?? 'no face found in any frame analysed';
  }
  if (stage === 'audio') {
    const summary = await summaryOf('audio.summary.json');
    const file = meta.sources?.audio?.file;
    if (!summary || !file) return null;
    const { digitalSilenceWarning } = await import('../audio/silent-stream.js');
    const silence = digitalSilenceWarning(summary as unknown as Parameters<typeof digitalSilenceWarning>[0], file);
    return silence ? `${file}: ${silence}` : null;
  }
  return null;
}

/** --resume: null when the session is complete (skip it), else why it is redone ('' when it has no meta.json). */
async function resumeRedoReason(a: SessionAttempt, meta: SessionMeta | null, inputs: MetaInput[]): Promise<string | null> {
  return meta ? incompleteReason(a.dir, meta, inputs, a.task, a.options) : '';
}

/** Without the sync stage, the clock is the session's existing sync.json (checked against the media given now), if any. */
async function existingClock(a: SessionAttempt, previous: SessionMeta | null, inputs: MetaInput[]): Promise<SessionClock> {
  const clock: SessionClock = { syncMap: null, sync: 'none', syncMedia: null };
  if (a.stages.includes('sync')) return clock;
  try {
    clock.syncMap = await readSyncMap(join(a.dir, 'sync.json'));
    clock.sync = 'existing';
  } catch {
    clock.syncMap = null;
  }
  if (clock.syncMap) {
    checkSyncReference(a.dir, clock.syncMap, a.task.session, inputs);
    clock.syncMedia = await checkSyncMedia(a.dir, previous, inputs);
  }
  return clock;
}

/**
 * A kept sync.json puts times on the clock of its own reference. `--only audio --ref-role video` over a sync.json made
 * with the lav as reference wrote audio.jsonl on the lav's clock while meta.json said video (0.62 s off on the demo's
 * s01, and dataset build read it as video time, exit 0). The session's reference role must be that sync.json's reference.
 */
function checkSyncReference(dir: string, map: SyncMap, session: ManifestSession, inputs: MetaInput[]): void {
  const ref = session.media.find((m) => m.role === session.ref_role);
  if (!ref || !map.reference) return;
  let entry = null;
  try {
    entry = findSyncEntry(map, dir, ref.path, map.reference.kind, map.reference.stream ?? 0, join(dir, 'sync.json'), inputs.find((i) => i.role === ref.role)?.sha256);
  } catch {
    entry = null; // the same name, another file: not the reference either
  }
  if (entry && resolve(dir, entry.file) === resolve(dir, map.reference.file)) return;
  throw new StageFailure(
    'sync',
    `sync.json in the session folder has ${map.reference.file} as its reference clock, not ${ref.given} of the reference role ${session.ref_role}: features made with it would be on that other clock; include the sync stage (--only sync,...) to make the clock for ${session.ref_role}`,
  );
}

/** Runs the stages in order; the sync stage sets the clock the later ones use. */
async function runStages(a: SessionAttempt, table: StageTable, clock: SessionClock, inputs: MetaInput[], progress: ProgressPoster, probes: Probes): Promise<StagesDone> {
  const done: StagesDone = { written: [], warnings: [], sources: {}, notProduced: [], notApplicable: [] };
  // The stages take readInputs' ffprobe readings (one ffprobe run per file and session, not one per stage).
  const probed = (path: string): Promise<ProbeResult> => probes.get(path) ?? probe(path);
  for (const [index, name] of a.stages.entries()) {
    const fn = table[name];
    if (!fn) throw new StageFailure(name, `stage '${name}' is not available in this build`);
    const ts = performance.now();
    progress.stage(name, index, a.media_s);
    let r: StageResult;
    try {
      r = await fn({ session: a.task.session, dir: a.dir, options: a.options, syncMap: clock.syncMap, faceWorkers: a.task.faceWorkers, probe: probed });
    } catch (e) {
      throw new StageFailure(name, reasonOf(e));
    }
    recordStage(name, r, done, clock, inputs, Boolean(a.task.strict));
    lap(a, name, ts);
  }
  return done;
}

/** Adds a stage's result to what the stages produced; a stage that produced nothing is a warning (a failure with strict). */
function recordStage(name: StageName, r: StageResult, done: StagesDone, clock: SessionClock, inputs: MetaInput[], strict: boolean): void {
  if (strict && r.files.length > 0 && r.emptyOutput) throw new StageFailure(name, `produced no data: ${r.emptyOutput} (--strict)`);
  done.written.push(...r.files);
  if (r.files.length > 0) done.warnings.push(...(r.warnings ?? []).map((w) => `${name}: ${w}`));
  if (r.source) done.sources[name] = r.source;
  if (name === 'sync') {
    clock.syncMap = r.syncMap ?? null;
    clock.sync = 'computed';
    clock.syncMedia = inputs.map((i) => ({ role: i.role, sha256: i.sha256 }));
  }
  if (r.files.length === 0 && r.notApplicable) {
    done.notApplicable.push({ stage: name, reason: r.notApplicable });
    return;
  }
  if (r.files.length === 0) {
    const reason = r.notProduced ?? r.warnings?.join('; ') ?? 'no output';
    if (strict) throw new StageFailure(name, `produced nothing: ${reason} (--strict)`);
    done.notProduced.push({ stage: name, reason });
    done.warnings.push(`${name} stage produced nothing: ${reason}`);
  }
}

/** The SHA-256 of the sync.json the features' times are on (null without a clock or when it is unreadable). */
async function clockSha256(dir: string, sync: SessionClock['sync']): Promise<string | null> {
  if (sync === 'none') return null;
  try {
    return (await sha256File(join(dir, 'sync.json'))).sha256;
  } catch {
    return null;
  }
}

/** meta.json's `outputs`: the files written now with their clock, plus earlier files kept on the same clock (sorted). */
async function listOutputs(dir: string, written: string[], now: string, earlier: EarlierRun, syncKept: boolean, warnings: string[], samePlacement: string | null, unknown: StageName[]): Promise<MetaOutput[]> {
  const outputs: MetaOutput[] = [];
  for (const f of [...new Set(written)].sort()) {
    const h = await sha256File(join(dir, f));
    outputs.push({ file: f, size_bytes: h.size, sha256: h.sha256, clock: CLOCKED_FILES.includes(f) ? now : null });
  }
  warnings.push(...(await keepOrRemoveEarlier(dir, earlier, outputs, now, syncKept, samePlacement, unknown)));
  outputs.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return outputs;
}

/** The ffmpeg and models fingerprints of a kept stage record, when it has them. */
function keptToolchain(rec: StageRecord): Pick<StageRecord, 'ffmpeg' | 'models'> {
  return { ...(rec.ffmpeg ? { ffmpeg: rec.ffmpeg } : {}), ...(rec.models ? { models: rec.models } : {}) };
}

/** What an earlier meta.json says made a stage's files: its `made_by` entry, else (older meta.json) its run's options. */
function earlierRecord(previous: SessionMeta | null, s: StageName): Omit<StageRecord, 'clock'> {
  const rec = previous?.made_by?.[s];
  if (rec) return { options: rec.options ?? null, version: rec.version ?? null, build: rec.build ?? null, ...keptToolchain(rec), ...(Array.isArray(rec.inputs) ? { inputs: rec.inputs } : {}), ...(rec.row_options ? { row_options: rec.row_options } : {}) };
  if (previous && Array.isArray(previous.stages) && previous.stages.includes(s)) {
    const t = previous.tool;
    return { options: relevantOptions(previous.options ?? {}, [s]), version: t?.version ?? null, build: t?.build ?? null, ...(t?.ffmpeg ? stageToolchain(t as Toolchain, s) : {}) };
  }
  return { options: null, version: null, build: null };
}

/**
 * meta.json `made_by`: for each stage with files in `outputs`, this run's options or the record kept with its files.
 * Its clock names the sync map by its placement (clock-moved.ts placementClockId: `placement`, for the files on the
 * session's sync.json), not by the file's bytes, which hold the media's paths relative to the output folder.
 */
function madeBy(a: SessionAttempt, previous: SessionMeta | null, outputs: MetaOutput[], onSync: { clock: string; placement: string } | null, inputs: MetaInput[], sources: SessionMeta['sources']): SessionMeta['made_by'] {
  const out: SessionMeta['made_by'] = {};
  for (const s of STAGE_NAMES) {
    const files = outputs.filter((o) => STAGE_FILES[s].includes(o.file));
    if (files.length === 0) continue;
    const clock = onSync && files[0].clock === onSync.clock ? onSync.placement : files[0].clock;
    out[s] = a.stages.includes(s)
      ? { options: relevantOptions(a.options, [s]), clock, version: VERSION, build: codeBuild(), ...stageToolchain(a.task.toolchain, s), inputs: stageInputs(inputs, sources[s]?.role), ...rowOptions(a, s) }
      : { ...earlierRecord(previous, s), clock };
  }
  return out;
}

/** made_by.sync.row_options: the options of this run that the session's manifest row gave (column sync_options). */
function rowOptions(a: SessionAttempt, s: StageName): Pick<StageRecord, 'row_options'> {
  const row = s === 'sync' ? relevantOptions(a.task.session.sync_options ?? {}, [s]) : {};
  return Object.keys(row).length ? { row_options: row } : {};
}

/**
 * The media a stage read, for made_by.<stage>.inputs: the role its `source` names (audio: the lav, or a camera-only
 * session's camera; face: the camera), else (sync, a custom stage) every role of the session. One entry per role.
 */
function stageInputs(inputs: MetaInput[], sourceRole: string | undefined): StageInput[] {
  const read = sourceRole ? inputs.filter((i) => i.role === sourceRole) : inputs;
  const seen = new Set<string>();
  return read.filter((i) => !seen.has(i.role) && seen.add(i.role)).map((i) => ({ role: i.role, size_bytes: i.size_bytes, sha256: i.sha256 }));
}

function metaOf(a: SessionAttempt, inputs: MetaInput[], clock: SessionClock, sync_sha256: string | null, outputs: MetaOutput[], done: StagesDone, made_by: SessionMeta['made_by']): SessionMeta {
  const { session } = a.task;
  return {
    session_id: session.session_id,
    speaker_id: session.speaker_id,
    tool: { name: 'mmprep', version: VERSION, build: codeBuild(), ...a.task.toolchain },
    ref_role: session.ref_role,
    stages: a.stages,
    options: a.options,
    inputs,
    clock: { reference_role: session.ref_role, sync: clock.sync, sync_sha256, ...(clock.syncMedia && clock.sync !== 'none' ? { sync_media: clock.syncMedia } : {}) },
    outputs,
    made_by,
    sources: done.sources,
    not_produced: done.notProduced,
    ...(done.notApplicable.length ? { not_applicable: done.notApplicable } : {}),
    media_s: a.media_s,
    run: { started_at: a.started_at, finished_at: new Date().toISOString(), timings_s: a.timings },
  };
}

/**
 * The transcript checked against the features just written, as dataset build will check it (src/dataset/transcript-fit.ts):
 * a warning now rather than a refused session at the build. The features are fine, so the session is not failed.
 */
async function transcriptWarning(session: ManifestSession, dir: string): Promise<string[]> {
  const { transcriptFitProblem } = await import('../dataset/transcript-fit.js');
  const problem = await transcriptFitProblem(session, dir);
  return problem ? [`transcript: ${problem}; dataset build will refuse this session as it stands (a fix to the transcript or the manifest needs no new extraction)`] : [];
}

/** Reads the inputs, skips a complete session on --resume, else runs the stages and writes meta.json last. */
async function attemptSession(a: SessionAttempt, progress: ProgressPoster): Promise<SessionOutcome> {
  const base = { session_id: a.task.session.session_id, line: a.task.session.line };
  const tIn = performance.now();
  const probes: Probes = new Map();
  const hashes: Hashes = new Map();
  // The files of before an attempt a killed run left (session-snapshot.ts): not this attempt's to restore. (A file
  // in the folder's place is left to makeSessionFolder's line.)
  await dropBefore(a.dir).catch(() => undefined);
  // The session's earlier meta.json, read once: the resume check, the durations it records, the files it lists. The
  // session's lock keeps other runs from writing it meanwhile (src/batch/session-lock.ts).
  const previous = await readMetaIf(a.dir);
  // --resume of a session with a meta.json may skip it: no packet read then, and no probe of a file it records
  // unchanged (a folder without one is redone).
  const recorded = a.task.resume ? previous : null;
  const mayskip = recorded !== null;
  // Each input's identity, size and time before it is hashed: compared again before meta.json (input-change.ts).
  const statesBefore = await inputStates(a.task.session);
  let inputs = await readInputs(a.task.session, probes, mayskip, hashes, recordedInputs(recorded));
  a.media_s = inputs.find((i) => i.role === a.task.session.ref_role)?.duration_s ?? 0;
  lap(a, 'inputs', tIn);

  await makeSessionFolder(a.dir, a.task.session.session_id);
  const redo = a.task.resume ? await resumeRedoReason(a, recorded, inputs) : '';
  if (redo === null) {
    if (a.task.strict) await failKeptUnderStrict(a, recorded!);
    const keptNa = Array.isArray(recorded!.not_applicable) ? recorded!.not_applicable.map((n) => n.stage).filter((st) => a.stages.includes(st)) : [];
    return { ...base, status: 'skipped', media_s: a.media_s, wall_s: wallS(a), ...(keptNa.length ? { not_applicable: keptNa } : {}) };
  }
  // Redone: every file probed now (the durations meta.json records may be another ffprobe's), its packet times in the
  // same run (checkFileEnds reads them next), the hashes kept.
  if (mayskip) {
    inputs = await readInputs(a.task.session, probes, false, hashes);
    a.media_s = inputs.find((i) => i.role === a.task.session.ref_role)?.duration_s ?? 0;
  }
  await checkFileEnds(a.task.session, probes);
  // The earlier clock's placement, before a sync run replaces its sync.json (clock-moved.ts).
  const before = await placementIf(a.dir, previous?.clock?.sync_sha256);
  // The first change to the folder: what it holds now is kept to be put back on failure. meta.json goes first: a
  // crash from here on leaves the session visibly incomplete.
  await keepBefore(a.dir);
  await clearSessionOutputs(a.dir, a.stages);
  const table = await loadTable(a.task);
  const clock = await existingClock(a, previous, inputs);
  const done = await runStages(a, table, clock, inputs, progress, probes);

  const tm = performance.now();
  const sync_sha256 = await clockSha256(a.dir, clock.sync);
  const moved = before !== null && before === (await placementIf(a.dir, sync_sha256)) ? clockId(previous!.clock.sync_sha256) : null;
  const unknownMedia: StageName[] = [];
  const outputs = await listOutputs(a.dir, done.written, clockId(sync_sha256), { previous, inputs }, clock.sync === 'existing', done.warnings, moved, unknownMedia);
  done.warnings.push(...(await transcriptWarning(a.task.session, a.dir)));
  const unaligned = clock.sync === 'none' ? sourceTimeMismatch(outputs, done.sources, a.task.session.media.map((m) => m.path)) : null;
  if (unaligned) done.warnings.push(`${unaligned}; dataset build refuses this session until then`);
  lap(a, 'meta', tm);
  a.timings.total = wallS(a);
  const changed = await changedInput(a.task.session, statesBefore, new Map(inputs.map((i) => [i.role, i.size_bytes])));
  if (changed) throw new StageFailure('inputs', changed);
  const unknown = unknownDurationWarning(a, inputs, done);
  if (unknown) done.warnings.push(unknown);
  const onSync = sync_sha256 ? { clock: clockId(sync_sha256), placement: placementClockId(await readFile(join(a.dir, 'sync.json'), 'utf8')) } : null;
  await writeFileAtomic(join(a.dir, META_FILE), toJsonText(metaOf(a, inputs, clock, sync_sha256, outputs, done, madeBy(a, previous, outputs, onSync, inputs, done.sources))));
  await dropBefore(a.dir);
  const { warnings } = done;
  const notes = unknownMediaNote(unknownMedia, previous, inputs);
  const na = done.notApplicable.map((n) => n.stage);
  return { ...base, status: 'done', media_s: a.media_s, wall_s: wallS(a), ...(warnings.length ? { warnings } : {}), ...(na.length ? { not_applicable: na } : {}), ...(redo ? { redone: redo } : {}), ...(notes ? { notes } : {}) };
}

/**
 * The reference media's duration unknown to ffprobe (an MKV a live recorder wrote without one, a stream) while the
 * stages wrote files: meta.json's media_s is 0, the batch's media hours leave the session out and its progress counts the mean duration. A
 * warning, not a failure: a complete file can lack it (one still being written is failed by input-change.ts).
 */
function unknownDurationWarning(a: SessionAttempt, inputs: MetaInput[], done: StagesDone): string | null {
  if (a.media_s > 0 || done.written.length === 0) return null;
  const ref = inputs.find((i) => i.role === a.task.session.ref_role);
  if (!ref) return null;
  const what = ref.duration_s === null ? 'records no duration that ffprobe reads' : 'has a duration of 0 s by ffprobe';
  return `${ref.role}: ${ref.file} ${what} (a file a live recorder or a stream wrote), while the stages read it: meta.json media_s is 0, the run's media hours leave this session out and its progress counts it by the mean duration of the others; if the file was still being written, extract it again once it is complete (remux it with ffmpeg -i IN -c copy OUT to give it a duration)`;
}

/**
 * One line for the stages whose files were kept from an earlier run whose meta.json (before 2026-12-06) does not record
 * which media they were made from: kept as before (the role they read has the size and SHA-256 the earlier meta.json
 * records for the session), but unchecked; their record stays without `inputs`, so the line comes back until they are made again.
 */
function unknownMediaNote(stages: StageName[], previous: SessionMeta | null, inputs: MetaInput[]): string[] | null {
  if (stages.length === 0) return null;
  const files = stages.map((s) => {
    const role = previous?.sources?.[s]?.role;
    const file = inputs.find((i) => i.role === role)?.file;
    return `${s} (${file ? `${role} ${file}` : 'its media'})`;
  });
  return [`kept the earlier run's files of ${files.join(', ')}: its meta.json (an mmprep before 2026-12-06) does not record which media files they were made from, so they are taken to be the ones given now; if one was replaced since, run extract with --only ${stages.join(',')} for this session`];
}

/**
 * OUT/<session_id>/. A file of that name in the way (session id `thesis.tex`, OUT/thesis.tex a user's file) fails
 * this session with a reason saying so, and the file is left alone; the batch goes on. An unwritable path says why.
 */
async function makeSessionFolder(dir: string, id: string): Promise<void> {
  try {
    await makeFolder(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException | null)?.code;
    const link = code === 'EEXIST' || code === 'ELOOP' ? await brokenLink(dir) : null;
    if (link) throw new StageFailure('meta', `cannot write the session folder ${dir}: it is ${link}; remove it, or point it at a folder`);
    if (code === 'EEXIST') throw new StageFailure('meta', `cannot write the session folder ${dir}: a file of that name is in the way (session_id '${id}' names it); move that file away or choose another -o`);
    const unwritable = unwritableOutput(dir, e);
    if (unwritable) throw new StageFailure('meta', unwritable.message);
    throw e;
  }
}

/** Runs one session; never throws for a session's own problems (they come back as a 'failed' outcome). */
export async function runSession(task: SessionTask): Promise<SessionOutcome> {
  const t0 = performance.now();
  const started_at = new Date().toISOString();
  const stages = orderStages(task.stages);
  const a: SessionAttempt = { task, dir: join(task.outDir, task.session.session_id), stages, options: relevantOptions(task.options, stages), t0, started_at, timings: {}, media_s: 0 };
  const counted = countedStages(stages, task.session);
  const progress = progressPoster(task.progressPort, stages.length, (name) => stageShown(name, counted));
  answerRollback(task.progressPort);
  const port = task.progressPort;
  showinfoFrom(port ? () => askShowinfo(port) : null);
  try {
    return await attemptSession(a, progress);
  } catch (e) {
    const earlier_kept = await restoreBefore(a.dir).catch(() => false);
    const stage = e instanceof StageFailure ? e.stage : 'meta';
    // Files named by the manifest's cells, in every stage's reason (sync's are already; README "extract").
    const reason = cellRenamer(task.session.media)(e instanceof StageFailure ? e.reason : reasonOf(e));
    return { session_id: task.session.session_id, line: task.session.line, status: 'failed', stage, reason, media_s: a.media_s, wall_s: wallS(a), earlier_kept };
  } finally {
    await settleChildren(); // no ffmpeg/ffprobe child outlives its session, not even unreaped (src/media/children.ts)
    progress.close();
  }
}
