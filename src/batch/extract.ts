/**
 * `mmprep extract`: batch extraction over a session manifest. Sessions run in a pool of worker threads (piscina), one
 * session per thread at a time; each writes OUT/<session_id>/ (sync.json, audio.*, face.*, meta.json last). A failed
 * session goes to OUT/_errors.jsonl and the run goes on; --resume skips sessions whose meta.json matches; --shard K/N
 * takes a stable share of the manifest so many machines can split one manifest without talking to each other.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, rmdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { writeFileAtomic } from '../common/atomic.js';
import { usableCpus } from '../common/cpus.js';
import { InputError } from '../common/errors.js';
import { clearSessionOutputs, orderStages, type SessionOutcome, type SessionProgress, type SessionTask } from './extract-session.js';
import { checkStageOptions, loadStages, STAGE_NAMES, type StageName, type StageOptions } from './extract-stages.js';
import { CHILDREN_GRACE_MS, interruptFollows } from './interrupt.js';
import { readManifest, type ManifestSession } from './manifest.js';
import { createProgress, sessionFraction, type ProgressMode, type ProgressReporter, type ProgressState } from './progress.js';
import { selectShard, type Shard } from './shard.js';

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
  line: number;
  stage: string;
  reason: string;
}

export interface ExtractSummary {
  manifest: string;
  out: string;
  errors_file: string;
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
  /** Stages that produced nothing they were asked for, stale files removed (also in each meta.json). */
  warnings: Array<{ session_id: string; line: number; warning: string }>;
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

function workerFile(): string {
  const here = new URL('./extract-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here.href;
  // Running from src/ (tests): the worker thread needs the compiled JavaScript.
  return new URL('../../dist/batch/extract-worker.js', import.meta.url).href;
}

export async function extract(manifestPath: string, opts: ExtractOptions): Promise<ExtractSummary> {
  const t0 = performance.now();
  const stages = orderStages(opts.only && opts.only.length ? opts.only : [...STAGE_NAMES]);
  if (!opts.stagesModule) {
    const table = await loadStages();
    const missing = stages.filter((s) => !table[s]);
    if (missing.length) {
      const have = STAGE_NAMES.filter((s) => table[s]);
      throw new InputError(`stage${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not available in this build (available: ${have.length ? have.join(', ') : 'none'}); choose with --only`);
    }
    await checkStageOptions(stages, opts.stageOptions ?? {});
  }
  const manifest = await readManifest(manifestPath, { refRole: opts.refRole, delimiter: opts.delimiter, allowColumns: opts.allowColumns });
  const out = resolve(opts.out);
  try {
    const st = await stat(out);
    if (!st.isDirectory()) throw new InputError('exists and is not a folder', { file: opts.out });
  } catch (e) {
    if (e instanceof InputError) throw e;
  }
  await mkdir(out, { recursive: true });
  const shard = opts.shard ?? null;
  const selected: ManifestSession[] = selectShard(manifest.sessions, shard);
  const cores = usableCpus(); // affinity, cgroup quota, SLURM_CPUS_PER_TASK (src/common/cpus.ts)
  const jobs = Math.max(1, Math.min(opts.jobs ?? cores, Math.max(1, selected.length)));
  const faceWorkers = opts.faceWorkers ?? faceWorkersFor(jobs, cores);
  const errorsPath = join(out, errorsFileName(shard));
  await rm(errorsPath, { force: true });
  // A run killed while writing its errors file leaves the temp file behind.
  for (const n of await readdir(out)) if (n.startsWith(`.${errorsFileName(shard)}.`) && n.endsWith('.tmp')) await rm(join(out, n), { force: true });

  const progress: ProgressReporter = typeof opts.progress === 'object' ? opts.progress : createProgress(opts.progress ?? 'auto');
  for (const note of manifest.notes) progress.log(`mmprep extract: ${note}`);
  const state: ProgressState = { total: selected.length, done: 0, skipped: 0, failed: 0, running: 0, media_s: 0, elapsed_s: 0, in_progress: 0, detail: '' };
  // Progress inside the running sessions (SessionProgress messages from their threads).
  const partial = new Map<string, SessionProgress>();
  const tick = () => {
    state.elapsed_s = (performance.now() - t0) / 1000;
    let sum = 0;
    const detail: string[] = [];
    for (const [id, p] of partial) {
      sum += sessionFraction(p);
      detail.push(`${id} ${p.stage} ${p.done_s.toFixed(1)}/${p.media_s.toFixed(1)} s`);
    }
    state.in_progress = sum;
    state.detail = detail.join(', ');
    progress.update(state);
  };
  const errors: ErrorRecord[] = [];
  const warnings: ExtractSummary['warnings'] = [];
  const control = opts.control ?? new ExtractControl();
  const running = new Map<string, RunningSession>();
  const finishedAfterInterrupt: string[] = [];
  const rolledBack: string[] = [];

  const pool = new Piscina({ filename: workerFile(), minThreads: jobs, maxThreads: jobs, concurrentTasksPerWorker: 1, idleTimeout: 1000 });
  let writingErrors: Promise<void> = Promise.resolve();
  const saveErrors = () => {
    const sorted = [...errors].sort((a, b) => a.line - b.line);
    const text = sorted.map((e) => JSON.stringify(e)).join('\n') + '\n';
    writingErrors = writingErrors.then(() => writeFileAtomic(errorsPath, text));
    return writingErrors;
  };

  control.onStop((mode) => {
    if (mode === 'finish') {
      progress.log(`mmprep extract: interrupted: starting no new session; ${running.size} running (${[...running.keys()].join(', ') || 'none'}) will finish (interrupt again to roll them back)`);
    } else {
      progress.log(`mmprep extract: interrupted again: rolling back ${running.size} running session(s) (${[...running.keys()].join(', ') || 'none'})`);
      // The session's worker first kills and waits for its ffmpeg/ffprobe children (no zombie left behind), then is
      // terminated; a worker that does not answer within the grace period is terminated anyway.
      for (const r of running.values()) {
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
  });

  tick();
  const ticker = setInterval(tick, 1000);
  ticker.unref();
  let next = 0;
  try {
    await new Promise<void>((resolveAll) => {
      const launch = () => {
        while (control.mode === 'run' && running.size < jobs && next < selected.length) {
          const session = selected[next++];
          const abort = new AbortController();
          const channel = new MessageChannel();
          const entry: RunningSession = { session, abort, port: channel.port1, watched: false };
          running.set(session.session_id, entry);
          state.running = running.size;
          channel.port1.on('message', (p: SessionProgress | { childrenKilled: true } | { childrenWatched: true }) => {
            if ('childrenWatched' in p) return void (entry.watched = true);
            if ('childrenKilled' in p) return entry.endChildren?.();
            partial.set(session.session_id, p);
            tick(); // the reporter rate-limits its lines; a session shorter than the 1 s ticker still shows its stages
          });
          channel.port1.unref();
          const task: SessionTask = {
            session,
            progressPort: channel.port2,
            outDir: out,
            stages,
            options: opts.stageOptions ?? {},
            resume: Boolean(opts.resume),
            faceWorkers,
            strict: Boolean(opts.strict),
            ...(opts.stagesModule ? { stagesModule: opts.stagesModule } : {}),
          };
          (pool.run(task, { signal: abort.signal, transferList: [channel.port2] as never }) as Promise<SessionOutcome>)
            .then(
              async (o) => {
                const interrupted = control.mode !== 'run' || (o.status === 'failed' && (await interruptFollows(o.reason, control)));
                if (o.status === 'failed' && interrupted) {
                  // ffmpeg runs in its own process group, but a batch system may signal every process of the job: a
                  // failure after an interrupt may be the interrupt's, so it is reported as rolled back, not as an error.
                  rolledBack.push(o.session_id);
                  return;
                }
                if (interrupted) finishedAfterInterrupt.push(o.session_id);
                for (const w of o.warnings ?? []) {
                  warnings.push({ session_id: o.session_id, line: o.line, warning: w });
                  progress.log(`mmprep extract: session ${o.session_id} (line ${o.line}): warning: ${w}`);
                }
                if (o.status === 'done') {
                  state.done++;
                  state.media_s += o.media_s;
                } else if (o.status === 'skipped') state.skipped++;
                else {
                  state.failed++;
                  state.media_s += 0;
                  errors.push({ session_id: o.session_id, line: o.line, stage: o.stage ?? 'unknown', reason: o.reason ?? 'unknown' });
                  progress.log(`mmprep extract: session ${o.session_id} (line ${o.line}) failed in ${o.stage}: ${o.reason}`);
                  await saveErrors();
                }
              },
              async (e: unknown) => {
                if (abort.signal.aborted) {
                  await clearSessionOutputs(join(out, session.session_id), stages).catch(() => undefined);
                  await rmdir(join(out, session.session_id)).catch(() => undefined);
                  rolledBack.push(session.session_id);
                  return;
                }
                // The worker itself died (out of memory, a native crash): record it like any failed session.
                await clearSessionOutputs(join(out, session.session_id), stages).catch(() => undefined);
                state.failed++;
                const reason = `worker failed: ${(e as Error)?.message ?? String(e)}`.replace(/\s*\n\s*/g, ' ');
                errors.push({ session_id: session.session_id, line: session.line, stage: 'worker', reason });
                progress.log(`mmprep extract: session ${session.session_id} (line ${session.line}) failed: ${reason}`);
                await saveErrors();
              },
            )
            .finally(() => {
              channel.port1.close();
              partial.delete(session.session_id);
              running.delete(session.session_id);
              state.running = running.size;
              tick();
              if (running.size === 0 && (next >= selected.length || control.mode !== 'run')) resolveAll();
              else launch();
            });
        }
        if (running.size === 0) resolveAll();
      };
      control.onStop(() => {
        if (running.size === 0) resolveAll();
      });
      launch();
    });
  } finally {
    clearInterval(ticker);
    await writingErrors.catch(() => undefined);
    await pool.destroy();
  }
  state.elapsed_s = (performance.now() - t0) / 1000;
  progress.stop(state);
  const interrupted = control.mode !== 'run';
  return {
    manifest: manifest.path,
    out,
    errors_file: errorsPath,
    shard,
    stages,
    jobs,
    face_workers: faceWorkers,
    manifest_sessions: manifest.sessions.length,
    sessions: selected.length,
    done: state.done,
    skipped: state.skipped,
    failed: state.failed,
    interrupted,
    finished_after_interrupt: finishedAfterInterrupt.sort(),
    rolled_back: rolledBack.sort(),
    not_started: selected.length - next,
    media_s: Math.round(state.media_s * 1000) / 1000,
    wall_s: Math.round(state.elapsed_s * 1000) / 1000,
    errors: [...errors].sort((a, b) => a.line - b.line),
    warnings: [...warnings].sort((a, b) => a.line - b.line),
  };
}
