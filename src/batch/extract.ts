/**
 * `mmprep extract`: batch extraction over a session manifest. Sessions run in a pool of worker threads (piscina), one
 * session per thread at a time; each writes OUT/<session_id>/ (sync.json, audio.*, face.*, meta.json last). A failed
 * session goes to OUT/_errors.jsonl and the run goes on; --resume skips sessions whose meta.json matches; --shard K/N
 * takes a stable share of the manifest so many machines can split one manifest without talking to each other.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { writeFileAtomic } from '../common/atomic.js';
import { usableCpus } from '../common/cpus.js';
import { InputError, unwritableOutput } from '../common/errors.js';
import { makeFolder } from '../common/make-folder.js';
import { threadExecArgv, threadFile } from '../common/threads.js';
import { showinfoReady } from '../media/showinfo.js';
import { orderStages, type SessionOutcome, type SessionProgress, type SessionTask } from './extract-session.js';
import { restoreBefore } from './session-snapshot.js';
import { ThreadExits } from './thread-exits.js';
import { audioSource, checkStageOptions, loadStages, referenceAudio, STAGE_NAMES, type StageName, type StageOptions } from './extract-stages.js';
import { CHILDREN_GRACE_MS, interruptFollows } from './interrupt.js';

import { readManifest, type Manifest, type ManifestSession } from './manifest.js';
import { audioRoleMixNotes } from './manifest-shared.js';
import { referenceRoleNotes } from './reference-choice.js';
import { countedStages, sessionShare, StageCostMeter, workOf, type WorkItem } from './work-share.js';
import { createProgress, type ProgressMode, type ProgressReporter, type ProgressState } from './progress.js';
import { HEARTBEAT_MS, holderText, LOCK_FILE, releaseLock, takeoverText, touchLock, tryLockSession, type SessionLock } from './session-lock.js';
import { inShard, selectShard, type Shard } from './shard.js';
import { otherOptionsRefusal, sessionsWithOtherOptions } from './resume-check.js';
import { toolchainOf, type Toolchain } from './toolchain.js';

/** How long a rollback waits for a terminated session thread to stop before restoring its folder anyway. */
const THREAD_STOP_WAIT_MS = 15_000;

export * from './manifest.js';
export * from './shard.js';
export { STAGE_NAMES, STAGE_FILES, type StageName, type StageOptions, type StageFn, type StageTable, type StageContext, type StageResult } from './extract-stages.js';
export { META_FILE, type SessionMeta, type SessionOutcome } from './extract-session.js';

export interface ExtractOptions {
  /** Output folder (created). */
  out: string;
  /** Sessions processed at the same time (default: the CPUs this process may use, usableCpus()). */
  jobs?: number;
  /** Stages to run (default all: sync, audio, face). */
  only?: StageName[];
  /** Skip sessions whose meta.json matches the current inputs and options. */
  resume?: boolean;
  /**
   * With resume: redo the done sessions whose stage options (the command line's, a row's sync_options) differ from
   * this run's. Without it such a resume is refused before any work (src/batch/resume-check.ts).
   */
  redoChanged?: boolean;
  /** Threads for each session's face inference (default: faceWorkersFor(jobs)). Does not change outputs. */
  faceWorkers?: number;
  /** Only the sessions of this shard. */
  shard?: Shard | null;
  /** The reference role (default: per session, the first `*_audio` role). */
  refRole?: string;
  stageOptions?: StageOptions;
  progress?: ProgressMode | ProgressReporter;
  /** A module whose `stages` export replaces the built-in stage table. */
  stagesModule?: string;
  /** Lets the caller stop the run (the CLI wires SIGINT to it). */
  control?: ExtractControl;
  /** Manifest CSV delimiter (default: sniffed). */
  delimiter?: string;
  /** Manifest columns kept as metadata although they look like misspelt roles. */
  allowColumns?: string[];
  /** A stage that produces nothing it was asked for fails its session (default: a warning and meta.json's `not_produced`). */
  strict?: boolean;
}

export interface ErrorRecord {
  session_id: string;
  /** The session's line in `manifest`. */
  line: number;
  /** The manifest that named the session (absolute path): two manifests may extract into one folder. */
  manifest: string;
  stage: string;
  reason: string;
  /**
   * The session's folder holds an earlier run's output (meta.json and files) as it was before this run: a failed
   * session is left as it was (src/batch/session-snapshot.ts), so a re-extract that fails keeps what it would have replaced.
   */
  earlier_output_kept: boolean;
}

export interface ExtractSummary {
  manifest: string;
  out: string;
  /** The errors file of this run; null when it could not be written (a full disk: the failures are then on stderr only). */
  errors_file: string | null;
  shard: Shard | null;
  stages: StageName[];
  jobs: number;
  face_workers: number;
  /** Sessions in the manifest, and in this shard. */
  manifest_sessions: number;
  sessions: number;
  done: number;
  skipped: number;
  failed: number;
  interrupted: boolean;
  /** After an interrupt: sessions that were running and finished, rolled back, or never started. */
  finished_after_interrupt: string[];
  rolled_back: string[];
  not_started: number;
  media_s: number;
  wall_s: number;
  errors: ErrorRecord[];
  /**
   * The manifest's warnings first (shared media files, copied rows, speaker id variants: session_id null, line the
   * manifest line the warning names, else 0), then the sessions' (stages that produced nothing, stale files removed;
   * also in each meta.json).
   */
  warnings: Array<{ session_id: string | null; line: number; warning: string }>;
  /**
   * Per stage, the sessions (done or skipped) whose row leaves that stage's input role empty (an audio-only session's
   * face stage): not applicable, neither a warning nor failed by --strict (meta.json `not_applicable`).
   */
  not_applicable: Partial<Record<StageName, string[]>>;
}

/** A session handed to the pool; on rollback its worker ends its ffmpeg/ffprobe children before it is aborted. */
interface RunningSession {
  session: ManifestSession;
  abort: AbortController;
  port: MessagePort;
  /** The worker runs the task and listens for the rollback's request to end its children. */
  watched: boolean;
  /** Aborts the task once the worker says its children are gone. */
  endChildren?: () => void;
}

/**
 * Stopping a run: `stop('finish')` starts no new session and lets the running ones finish; `stop('rollback')` also
 * ends the running ones (their worker threads are terminated) and removes what they wrote.
 */
export class ExtractControl {
  mode: 'run' | 'finish' | 'rollback' = 'run';
  private listeners: Array<(m: 'finish' | 'rollback') => void> = [];
  stop(mode: 'finish' | 'rollback'): void {
    if (mode === 'finish' && this.mode !== 'run') return;
    this.mode = mode;
    for (const l of this.listeners) l(mode);
  }
  onStop(l: (m: 'finish' | 'rollback') => void): void {
    this.listeners.push(l);
  }
}

export function errorsFileName(shard: Shard | null | undefined): string {
  return shard && shard.count > 1 ? `_errors.shard-${shard.index}-of-${shard.count}.jsonl` : '_errors.jsonl';
}

/** How many threads face inference gets per session: the cores left over when fewer sessions than cores run. */
export function faceWorkersFor(jobs: number, cores = usableCpus()): number {
  return Math.max(1, Math.floor(cores / jobs));
}

/** What a run works on: this shard's sessions of the manifest, the output folder, the stages and the pool size. */
interface RunPlan {
  manifest: Manifest;
  out: string;
  shard: Shard | null;
  selected: ManifestSession[];
  stages: StageName[];
  jobs: number;
  faceWorkers: number;
  errorsPath: string;
  /** Lines of the errors file about sessions this run does not process (another manifest's, a session not selected), kept as they were. */
  keptErrors: string[];
  /** The ffmpeg build and face models every session of this run records (src/batch/toolchain.ts). */
  toolchain: Toolchain;
}

/** The built-in stage table must have every stage asked for, and their options must be valid (skipped for a custom table). */
async function checkStagesAvailable(stages: StageName[], opts: ExtractOptions): Promise<void> {
  if (opts.stagesModule) return;
  const table = await loadStages();
  const missing = stages.filter((s) => !table[s]);
  if (missing.length) {
    const have = STAGE_NAMES.filter((s) => table[s]);
    throw new InputError(`stage${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not available in this build (available: ${have.length ? have.join(', ') : 'none'}); choose with --only`);
  }
  await checkStageOptions(stages, opts.stageOptions ?? {});
}

/** Creates the output folder (refused when the path is a file); returns its absolute path. */
async function makeOutFolder(given: string): Promise<string> {
  const out = resolve(given);
  try {
    const st = await stat(out);
    if (!st.isDirectory()) throw new InputError('-o exists and is not a folder: choose another -o (a folder, made when missing)', { file: given });
  } catch (e) {
    if (e instanceof InputError) throw e;
  }
  try {
    await makeFolder(out);
    await checkWritable(out);
  } catch (e) {
    throw unwritableOutput(given, e) ?? e;
  }
  return out;
}

/**
 * A file can be made in OUT (created and removed again). An existing OUT on a read-only mount (or one where nothing
 * can be created, /proc/1) failed every session one by one, "cannot write OUT/<id>", and then crashed writing the
 * errors file; it is refused before any work now (exit 2), as a folder that cannot be made is.
 */
async function checkWritable(out: string): Promise<void> {
  const probe = join(out, `.mmprep-write-check.${process.pid}.tmp`);
  await writeFile(probe, '');
  await rm(probe, { force: true });
}

/**
 * Clears the errors file of an earlier run of this shard (and the temp file of one killed while writing it) of the
 * sessions this run processes: their folders get a new outcome. Lines about other sessions are kept, as they were:
 * another manifest extracted into the same folder (its failed sessions would otherwise lose their reason, and
 * `dataset build` of that manifest then said "extract did not finish" where --resume alone fails again).
 */
async function clearErrorsFile(out: string, shard: Shard | null, selected: readonly ManifestSession[]): Promise<{ errorsPath: string; keptErrors: string[] }> {
  const errorsPath = join(out, errorsFileName(shard));
  const ids = new Set(selected.map((s) => s.session_id));
  const old = existsSync(errorsPath) ? (await readFile(errorsPath, 'utf8')).split('\n') : [];
  const keptErrors = old.filter((l) => {
    const id = errorLineSession(l);
    return id !== null && !ids.has(id);
  });
  if (keptErrors.length) await writeFileAtomic(errorsPath, keptErrors.join('\n') + '\n');
  else await rm(errorsPath, { force: true });
  for (const n of await readdir(out)) if (n.startsWith(`.${errorsFileName(shard)}.`) && n.endsWith('.tmp')) await rm(join(out, n), { force: true });
  await clearOtherErrorsFiles(out, errorsFileName(shard), ids);
  return { errorsPath, keptErrors };
}

/**
 * The same sessions' lines in the errors files of other shard counts (`--shard 1/2` failed s03; fixed, it ran under
 * `--shard 1/3` or unsharded): this run records their outcome in its own file, so `cat OUT/_errors*.jsonl` no longer
 * lists a session that is done. Shards of one N have disjoint sessions: their files are only read here.
 */
async function clearOtherErrorsFiles(out: string, own: string, ids: ReadonlySet<string>): Promise<void> {
  for (const n of (await readdir(out)).filter((f) => f !== own && /^_errors(\.shard-\d+-of-\d+)?\.jsonl$/.test(f)).sort()) {
    const path = join(out, n);
    const lines = (await readFile(path, 'utf8').catch(() => '')).split('\n').filter((l) => errorLineSession(l) !== null);
    const kept = lines.filter((l) => !ids.has(errorLineSession(l)!));
    if (kept.length === lines.length) continue;
    if (kept.length) await writeFileAtomic(path, kept.join('\n') + '\n');
    else await rm(path, { force: true });
  }
}

/** The session id of an errors file line, or null for a line that is not one (empty, or cut short by a kill). */
function errorLineSession(line: string): string | null {
  try {
    const e = JSON.parse(line) as { session_id?: unknown };
    return typeof e?.session_id === 'string' ? e.session_id : null;
  } catch {
    return null;
  }
}

/** The role the audio stage analyses: the reference audio role, else the first video role's sound (extract-stages.ts audioSource). */
function audioRoleOf(s: ManifestSession): string | null {
  const video = s.media.find((m) => m.role === s.ref_role && m.kind === 'video') ?? s.media.find((m) => m.kind === 'video');
  return referenceAudio(s)?.role ?? (video ? `${video.role}'s own sound` : null);
}

/**
 * audioRoleOf for every session, a camera without sound (or one ffprobe cannot read) as null: the audio stage gets
 * nothing from it. The role-mix line counted a soundless camera as "1 session from video's own sound" beside the
 * lavaliers, a mix that was not there. The cameras are probed only when the line could be said (another role too).
 */
async function audioRoles(sessions: readonly ManifestSession[]): Promise<Map<ManifestSession, string | null>> {
  const roles = new Map(sessions.map((s) => [s, audioRoleOf(s)] as const));
  const cameraSound = sessions.filter((s) => !referenceAudio(s) && roles.get(s) !== null);
  if (cameraSound.length === 0 || !sessions.some((s) => referenceAudio(s))) return roles;
  const queue = [...cameraSound];
  const probeNext = async (): Promise<void> => {
    for (let s = queue.shift(); s; s = queue.shift()) {
      const src = await audioSource(s).catch(() => ({ reason: 'unreadable' }));
      if (!('media' in src)) roles.set(s, null);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, queue.length) }, probeNext));
  return roles;
}

/**
 * `--resume` without `--redo-changed`: done sessions of this shard made with other stage options than this run's
 * refuse the run before anything is written (exit 2; src/batch/resume-check.ts). `--redo-changed` without
 * `--resume` is refused too: every session is redone then anyway, and the flag would promise a check it does not make.
 */
async function refuseOtherOptions(out: string, selected: ManifestSession[], stages: StageName[], opts: ExtractOptions, shard: Shard | null): Promise<void> {
  if (opts.redoChanged && !opts.resume) throw new InputError('--redo-changed goes with --resume (without --resume every session is redone anyway): add --resume, or drop --redo-changed');
  if (!opts.resume || opts.redoChanged) return;
  const found = await sessionsWithOtherOptions(out, selected, stages, opts.stageOptions ?? {});
  if (found.length) throw otherOptionsRefusal(found, selected.length, out, shard);
}

/** Plans the run: stages, manifest, output folder, this shard's sessions, pool size; clears the previous errors file. */

async function planRun(manifestPath: string, opts: ExtractOptions): Promise<RunPlan> {
  const stages = orderStages(opts.only && opts.only.length ? opts.only : [...STAGE_NAMES]);
  await checkStagesAvailable(stages, opts);
  const checkFilesOf = opts.shard ? (id: string) => inShard(id, opts.shard) : undefined;
  const manifest = await readManifest(manifestPath, { refRole: opts.refRole, delimiter: opts.delimiter, allowColumns: opts.allowColumns, checkFilesOf });
  if (stages.includes('audio')) {
    const roles = await audioRoles(manifest.sessions);
    manifest.notes.push(...audioRoleMixNotes(manifestPath, manifest.sessions, (s) => roles.get(s) ?? null));
    manifest.notes.push(...referenceRoleNotes(manifestPath, manifest.sessions, opts.refRole !== undefined));
  }
  const shard = opts.shard ?? null;
  const selected: ManifestSession[] = selectShard(manifest.sessions, shard);
  await refuseOtherOptions(resolve(opts.out), selected, stages, opts, shard);
  const out = await makeOutFolder(opts.out);
  const cores = usableCpus(); // affinity, cgroup quota, SLURM_CPUS_PER_TASK (src/common/cpus.ts)
  const jobs = Math.max(1, Math.min(opts.jobs ?? cores, Math.max(1, selected.length)));
  const faceWorkers = opts.faceWorkers ?? faceWorkersFor(jobs, cores);
  const { errorsPath, keptErrors } = await clearErrorsFile(out, shard, selected);
  const toolchain = await toolchainOf(stages, opts.stageOptions ?? {});
  return { manifest, out, shard, selected, stages, jobs, faceWorkers, errorsPath, keptErrors, toolchain };
}

type WorkerMessage = SessionProgress | { childrenKilled: true } | { childrenWatched: true } | { showinfoWanted: true };

/**
 * One run of the pool over the planned sessions: starts sessions while the run goes on, records each outcome (errors
 * file, warnings, progress), and on an interrupt starts no new session or rolls the running ones back.
 */
class ExtractRun {
  readonly state: ProgressState;
  /** Progress inside the running sessions (SessionProgress messages from their threads). */
  private readonly partial = new Map<string, SessionProgress>();
  /** Each selected session as the progress weighs it (media seconds x counted stages), by session id. */
  private readonly work = new Map<string, WorkItem>();
  /** Run seconds per media second of each stage, timed from the sessions' progress messages. */
  private readonly stageCosts = new StageCostMeter();
  readonly errors: ErrorRecord[] = [];
  readonly warnings: ExtractSummary['warnings'] = [];
  private readonly running = new Map<string, RunningSession>();
  readonly finishedAfterInterrupt: string[] = [];
  /** Sessions that kept stage files whose media an older meta.json does not record (SessionOutcome.notes): said in full once. */
  readonly unrecordedMedia: string[] = [];
  readonly rolledBack: string[] = [];
  readonly notApplicable: Partial<Record<StageName, string[]>> = {};
  /** Index in plan.selected of the next session to start. */
  next = 0;
  /** Sessions whose folder another run holds (src/batch/session-lock.ts): tried again when a slot frees or every 2 s. */
  readonly waiting: ManifestSession[] = [];
  private readonly told = new Set<string>();
  private readonly locks = new Map<string, SessionLock>();
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly pool: Piscina;
  private readonly threadExits = new ThreadExits();
  private writingErrors: Promise<void> = Promise.resolve();

  constructor(
    private readonly plan: RunPlan,
    private readonly opts: ExtractOptions,
    readonly control: ExtractControl,
    private readonly progress: ProgressReporter,
    private readonly t0: number,
  ) {
    this.state = { total: plan.selected.length, done: 0, skipped: 0, failed: 0, running: 0, media_s: 0, elapsed_s: 0, in_progress: 0, detail: '' };
    for (const s of plan.selected) {
      const counted = countedStages(plan.stages, s);
      this.work.set(s.session_id, { media_s: null, stages: counted, state: 'waiting', share: 0 });
    }
    this.pool = new Piscina({ filename: threadFile('extract-worker.js', 'batch').href, minThreads: plan.jobs, maxThreads: plan.jobs, concurrentTasksPerWorker: 1, idleTimeout: 1000, execArgv: threadExecArgv() });
    this.pool.on('workerCreate', () => this.threadExits.watch(this.pool.threads));
    control.onStop((mode) => (mode === 'finish' ? this.announceFinish() : this.rollBackRunning()));
  }

  tick = (): void => {
    const { state } = this;
    state.elapsed_s = (performance.now() - this.t0) / 1000;
    let sum = 0;
    let media = 0;
    const detail: string[] = [];
    const costs = this.stageCosts.costs();
    for (const [id, p] of this.partial) {
      const item = this.work.get(id);
      const share = item ? sessionShare(item.stages, p, costs) : 0;
      if (item) Object.assign(item, { state: 'running', share });
      sum += share;
      media += share * p.media_s;
      detail.push(`${id} ${p.stage} ${p.done_s.toFixed(1)}/${p.media_s.toFixed(1)} s`);
    }
    state.in_progress = sum;
    state.in_progress_media_s = media;
    state.work = workOf([...this.work.values()], costs);
    state.detail = detail.join(', ');
    this.progress.update(state);
  };

  /** Why the errors file could not be written (said once; the failures are still in the summary on stdout). */
  errorsUnwritten: string | null = null;

  /**
   * Rewrites the errors file. One that cannot be written (a disk full to the last byte) is one stderr line, and the run
   * goes on: it was an unhandled rejection, a stack trace and exit 1, the running sessions' locks left behind.
   */
  private saveErrors(): Promise<void> {
    const sorted = [...this.errors].sort((a, b) => a.line - b.line);
    const text = [...this.plan.keptErrors, ...sorted.map((e) => JSON.stringify(e))].join('\n') + '\n';
    this.writingErrors = this.writingErrors.then(() =>
      writeFileAtomic(this.plan.errorsPath, text).then(
        () => void (this.errorsUnwritten = null),
        (e: unknown) => {
          if (this.errorsUnwritten === null) this.progress.log(`mmprep extract: ${(e as Error).message ?? String(e)}: each failed session's line on stderr is its only record`);
          this.errorsUnwritten = (e as Error).message ?? String(e);
        },
      ),
    );
    return this.writingErrors;
  }

  private runningIds(): string {
    return [...this.running.keys()].join(', ') || 'none';
  }

  /** A first SIGINT announced that the running sessions finish (a rollback after it is "interrupted again"). */
  private finishing = false;

  private announceFinish(): void {
    this.finishing = true;
    this.progress.log(`mmprep extract: interrupted: starting no new session; ${this.running.size} running (${this.runningIds()}) will finish (interrupt again to roll them back)`);
  }

  private rollBackRunning(): void {
    this.progress.log(`mmprep extract: interrupted${this.finishing ? ' again' : ''}: rolling back ${this.running.size} running session(s) (${this.runningIds()})`);
    // The session's worker first kills and waits for its ffmpeg/ffprobe children (no zombie left behind), then is
    // terminated; a worker that does not answer within the grace period is terminated anyway.
    for (const r of this.running.values()) {
      if (!r.watched) {
        r.abort.abort(); // its task has not started in a worker yet: no child to end
        continue;
      }
      const timer = setTimeout(() => r.abort.abort(), CHILDREN_GRACE_MS);
      r.endChildren = () => {
        clearTimeout(timer);
        r.abort.abort();
      };
      r.port?.postMessage({ killChildren: true });
    }
  }

  /** Runs the sessions until all are done or an interrupt stops the run and the running ones have ended. */
  async runAll(): Promise<void> {
    this.tick();
    const ticker = setInterval(this.tick, 1000);
    ticker.unref();
    const heartbeat = setInterval(() => this.locks.forEach(touchLock), HEARTBEAT_MS);
    heartbeat.unref();
    try {
      await new Promise<void>((resolveAll) => {
        this.control.onStop(() => {
          if (this.running.size === 0) resolveAll();
        });
        this.launch(resolveAll);
      });
    } finally {
      clearInterval(ticker);
      clearInterval(heartbeat);
      if (this.retryTimer) clearTimeout(this.retryTimer);
      await this.writingErrors.catch(() => undefined);
      await this.pool.destroy();
    }
  }

  /** Starts sessions while the run goes on and the pool has room: first those that waited for another run's lock. */
  private launch(resolveAll: () => void): void {
    const { selected, jobs } = this.plan;
    const retry = this.waiting.splice(0);
    while (this.control.mode === 'run' && this.running.size < jobs) {
      const session = retry.shift() ?? (this.next < selected.length ? selected[this.next++] : undefined);
      if (!session) break;
      this.lockAndStart(session, resolveAll);
    }
    this.waiting.push(...retry);
    if (this.running.size === 0 && (this.waiting.length === 0 || this.control.mode !== 'run')) return resolveAll();
    if (this.waiting.length > 0 && !this.retryTimer && this.control.mode === 'run') {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.launch(resolveAll);
      }, 2000);
    }
  }

  /** Takes the session folder's lock and starts the session; a folder another run holds waits (one line says so). */
  private lockAndStart(session: ManifestSession, resolveAll: () => void): void {
    const dir = join(this.plan.out, session.session_id);
    const got = tryLockSession(dir);
    if (got && 'busy' in got) {
      if (!this.told.has(session.session_id)) this.progress.log(`mmprep extract: session ${session.session_id} (line ${session.line}) ${holderText(got.busy, join(dir, LOCK_FILE))}`);
      this.told.add(session.session_id);
      this.waiting.push(session);
      return;
    }
    if (got) this.locks.set(session.session_id, got.lock);
    if (got?.tookOver) this.progress.log(`mmprep extract: session ${session.session_id} (line ${session.line}) ${takeoverText(got.tookOver, join(dir, LOCK_FILE))}`);
    this.startSession(session, resolveAll);
  }

  private startSession(session: ManifestSession, resolveAll: () => void): void {
    const abort = new AbortController();
    const channel = new MessageChannel();
    const entry: RunningSession = { session, abort, port: channel.port1, watched: false };
    this.running.set(session.session_id, entry);
    this.state.running = this.running.size;
    channel.port1.on('message', (p: WorkerMessage) => {
      if ('childrenWatched' in p) return void (entry.watched = true);
      if ('childrenKilled' in p) return entry.endChildren?.();
      // one answer for every session thread (src/media/showinfo.ts showinfoFrom); a port closed meanwhile drops it
      if ('showinfoWanted' in p) return void showinfoReady().then((filter) => channel.port1.postMessage({ showinfo: filter }));
      this.partial.set(session.session_id, p);
      const item = this.work.get(session.session_id);
      if (item && p.media_s > 0) item.media_s = p.media_s; // probed as the session starts (its inputs read)
      this.stageCosts.seen(session.session_id, p.stage, p.media_s, performance.now() / 1000, p.done_s);
      this.tick(); // the reporter rate-limits its lines; a session shorter than the 1 s ticker still shows its stages
    });
    channel.port1.unref();
    (this.pool.run(this.taskFor(session, channel.port2), { signal: abort.signal, transferList: [channel.port2] as never }) as Promise<SessionOutcome>)
      .then(
        (o) => this.recordOutcome(o),
        (e: unknown) => this.recordWorkerFailure(session, abort, e),
      )
      .finally(() => this.sessionEnded(session, channel.port1, resolveAll));
  }

  private taskFor(session: ManifestSession, progressPort: MessagePort): SessionTask {
    const { opts, plan } = this;
    return {
      session,
      progressPort,
      outDir: plan.out,
      stages: plan.stages,
      // the row's own sync options (manifest column sync_options) over the command line's, for this session only
      options: { ...(opts.stageOptions ?? {}), ...(session.sync_options ?? {}) },
      resume: Boolean(opts.resume),
      faceWorkers: plan.faceWorkers,
      strict: Boolean(opts.strict),
      toolchain: plan.toolchain,
      ...(opts.stagesModule ? { stagesModule: opts.stagesModule } : {}),
    };
  }

  /** A session's worker answered: done, skipped or failed (a failure an interrupt caused counts as rolled back). */
  private async recordOutcome(o: SessionOutcome): Promise<void> {
    const { state, control } = this;
    const interrupted = control.mode !== 'run' || (o.status === 'failed' && (await interruptFollows(o.reason, control)));
    if (o.status === 'failed' && interrupted) {
      // ffmpeg runs in its own process group, but a batch system may signal every process of the job: a
      // failure after an interrupt may be the interrupt's, so it is reported as rolled back, not as an error; its
      // reason is still printed (a session asked to finish that is lost must say why).
      this.rolledBack.push(o.session_id);
      if (control.mode === 'finish') this.progress.log(`mmprep extract: session ${o.session_id} (line ${o.line}) could not finish: ${o.stage ?? 'unknown'}: ${oneLine(o.reason)}; rolled back`);
      return;
    }
    if (interrupted) this.finishedAfterInterrupt.push(o.session_id);
    for (const w of o.warnings ?? []) {
      this.warnings.push({ session_id: o.session_id, line: o.line, warning: w });
      this.progress.log(`mmprep extract: session ${o.session_id} (line ${o.line}): warning: ${w}`);
    }
    if (o.notes?.length && this.unrecordedMedia.push(o.session_id) === 1) for (const n of o.notes) this.progress.log(`mmprep extract: session ${o.session_id} (line ${o.line}): note: ${n}`);
    if (o.redone) this.progress.log(`mmprep extract: session ${o.session_id} (line ${o.line}): redone although --resume: its meta.json records ${o.redone}`);
    this.partial.delete(o.session_id); // its media now counts in state.media_s, not twice until sessionEnded
    for (const st of o.not_applicable ?? []) (this.notApplicable[st] ??= []).push(o.session_id);
    this.finishWork(o.session_id, o.status, o.media_s);
    if (o.status === 'done') {
      state.done++;
      state.media_s += o.media_s;
    } else if (o.status === 'skipped') state.skipped++;
    else {
      state.failed++;
      state.media_s += 0;
      const kept = Boolean(o.earlier_kept);
      this.errors.push({ session_id: o.session_id, line: o.line, manifest: this.plan.manifest.path, stage: o.stage ?? 'unknown', reason: o.reason ?? 'unknown', earlier_output_kept: kept });
      this.progress.log(`mmprep extract: session ${o.session_id} (line ${o.line}) failed in ${o.stage}: ${o.reason}${keptNote(kept)}`);
      await this.saveErrors();
    }
  }

  /** A session's outcome in the weighed work: its media seconds as probed, its share kept when it failed. */
  private finishWork(id: string, status: 'done' | 'skipped' | 'failed', media_s: number): void {
    const item = this.work.get(id);
    if (!item) return;
    if (media_s > 0) item.media_s = media_s;
    this.stageCosts.ended(id, performance.now() / 1000, status === 'done');
    item.state = status;
    if (status !== 'failed') item.share = 1;
  }

  /** The task was aborted by a rollback (its outputs are removed), or the worker itself died (a failed session). */
  private async recordWorkerFailure(session: ManifestSession, abort: AbortController, e: unknown): Promise<void> {
    const dir = join(this.plan.out, session.session_id);
    // Once the session's thread has stopped (src/batch/thread-exits.ts), the folder as it was before the session's
    // attempt (src/batch/session-snapshot.ts), as the worker does on a failure; once more if the terminated worker's own
    // restore was still under way (it is safe to run again).
    await this.threadExits.removedStopped(this.pool.threads, THREAD_STOP_WAIT_MS);
    const kept = await restoreBefore(dir)
      .catch(() => restoreBefore(dir))
      .catch(() => false);
    if (abort.signal.aborted) {
      this.rolledBack.push(session.session_id);
      return;
    }
    // The worker itself died (out of memory, a native crash): record it like any failed session.
    this.finishWork(session.session_id, 'failed', 0);
    this.state.failed++;
    const reason = `worker failed: ${(e as Error)?.message ?? String(e)}`.replace(/\s*\n\s*/g, ' ');
    this.errors.push({ session_id: session.session_id, line: session.line, manifest: this.plan.manifest.path, stage: 'worker', reason, earlier_output_kept: kept });
    this.progress.log(`mmprep extract: session ${session.session_id} (line ${session.line}) failed: ${reason}${keptNote(kept)}`);
    await this.saveErrors();
  }

  /** A session left the pool: the run ends when none runs and none is left to start, else the next one starts. */
  private sessionEnded(session: ManifestSession, port: MessagePort, resolveAll: () => void): void {
    port.close();
    this.partial.delete(session.session_id);
    const item = this.work.get(session.session_id);
    if (item?.state === 'running') Object.assign(item, { state: 'waiting', share: 0 }); // rolled back: not finished
    this.stageCosts.ended(session.session_id, performance.now() / 1000, false);
    this.running.delete(session.session_id);
    const lock = this.locks.get(session.session_id);
    if (lock) releaseLock(lock); // after a failed or rolled-back session's files are removed
    this.locks.delete(session.session_id);
    this.state.running = this.running.size;
    this.tick();
    if (this.running.size === 0 && ((this.next >= this.plan.selected.length && this.waiting.length === 0) || this.control.mode !== 'run')) resolveAll();
    else this.launch(resolveAll);
  }
}

/** A failure reason on one line (ffmpeg's stderr tail may follow its first line). */
function oneLine(reason: string | undefined): string {
  return (reason ?? 'unknown').replace(/\s*\n\s*/g, ' ').trim();
}

function summaryOf(plan: RunPlan, run: ExtractRun): ExtractSummary {
  const { state } = run;
  return {
    manifest: plan.manifest.path,
    out: plan.out,
    // The errors file when there is one (failures of this run or lines kept from others'); null when no session
    // failed, or when it could not be written (said on stderr): a path to a file that is not there was named before.
    errors_file: run.errorsUnwritten === null && existsSync(plan.errorsPath) ? plan.errorsPath : null,
    shard: plan.shard,
    stages: plan.stages,
    jobs: plan.jobs,
    face_workers: plan.faceWorkers,
    manifest_sessions: plan.manifest.sessions.length,
    sessions: plan.selected.length,
    done: state.done,
    skipped: state.skipped,
    failed: state.failed,
    interrupted: run.control.mode !== 'run',
    finished_after_interrupt: run.finishedAfterInterrupt.sort(),
    rolled_back: run.rolledBack.sort(),
    not_started: plan.selected.length - run.next + run.waiting.length,
    media_s: Math.round(state.media_s * 1000) / 1000,
    wall_s: Math.round(state.elapsed_s * 1000) / 1000,
    errors: [...run.errors].sort((a, b) => a.line - b.line),
    warnings: [...manifestWarnings(plan.manifest.notes), ...[...run.warnings].sort((a, b) => a.line - b.line)],
    not_applicable: Object.fromEntries(Object.entries(run.notApplicable).map(([stage, ids]) => [stage, [...ids].sort()])),
  };
}

/** The end of a failed session's stderr line when its folder keeps an earlier run's output (ErrorRecord.earlier_output_kept). */
function keptNote(kept: boolean): string {
  return kept ? '; its folder keeps the earlier run\'s output as it was (meta.json and files)' : '';
}

/** The manifest's notes that are warnings (`warning: <file>[:<line>]: ...`), as summary entries (src/batch/manifest-shared.ts). */
export function manifestWarnings(notes: readonly string[]): ExtractSummary['warnings'] {
  return notes
    .filter((n) => n.startsWith('warning: '))
    .map((n) => {
      const text = n.slice('warning: '.length);
      const line = /^.*?:(\d+): /.exec(text);
      return { session_id: null, line: line ? Number(line[1]) : 0, warning: text };
    });
}

/** The note on kept files of unrecorded media is said in full for the first session only: the others in one line. */
function unrecordedMediaLine(ids: readonly string[], progress: ProgressReporter): void {
  if (ids.length < 2) return;
  const more = ids.slice(1).sort();
  const named = more.length > 10 ? `${more.slice(0, 10).join(', ')}, …` : more.join(', ');
  progress.log(`mmprep extract: note: ${more.length} more session(s) (${named}) likewise kept files of stages not run this time whose meta.json (an mmprep before 2026-12-06) does not record which media they were made from; if a file was replaced since, run extract with --only for those stages`);
}

export async function extract(manifestPath: string, opts: ExtractOptions): Promise<ExtractSummary> {
  const t0 = performance.now();
  const plan = await planRun(manifestPath, opts);
  const progress: ProgressReporter = typeof opts.progress === 'object' ? opts.progress : createProgress(opts.progress ?? 'auto');
  for (const note of plan.manifest.notes) progress.log(`mmprep extract: ${note}`);
  const run = new ExtractRun(plan, opts, opts.control ?? new ExtractControl(), progress, t0);
  await run.runAll();
  unrecordedMediaLine(run.unrecordedMedia, progress);
  run.state.elapsed_s = (performance.now() - t0) / 1000;
  progress.stop(run.state);
  return summaryOf(plan, run);
}
