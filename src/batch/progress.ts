/**
 * Progress of an extract run on stderr (stdout stays free for piping): a cli-progress bar on a TTY, plain lines at
 * a fixed interval otherwise (logs of batch jobs), or nothing.
 */
import cliProgress from 'cli-progress';
import type { WorkTotals } from './work-share.js';

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

export interface ProgressState {
  total: number;
  done: number;
  skipped: number;
  failed: number;
  running: number;
  /** Media seconds of the sessions processed in this run (skipped ones not counted). */
  media_s: number;
  elapsed_s: number;
  /** Sum over running sessions of the share of their work done (0..1 each): progress inside sessions. */
  in_progress?: number;
  /** Media seconds of that share: each running session's media seconds times its share done. */
  in_progress_media_s?: number;
  /** The running sessions' stage and media seconds done, e.g. `s01 audio 5.2/10.0 s`. */
  detail?: string;
  /** The work weighed by media seconds and stages (workOf); without it the share and ETA count sessions. */
  work?: WorkTotals;
}

/** No ETA before this much time has passed unless a session has finished (the first figures are noise). */
export const ETA_AFTER_S = 60;

export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '--:--';
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

/**
 * Seconds left, from the rate at which this run has worked through sessions (skips excluded), counting the share
 * done inside running sessions; NaN until a session has finished or ETA_AFTER_S have passed with some progress.
 */
export function etaSeconds(st: ProgressState): number {
  if (st.work) return workEta(st, st.work);
  const inside = st.in_progress ?? 0;
  const finished = st.done + st.failed;
  const processed = finished + inside;
  const left = st.total - st.done - st.failed - st.skipped;
  if (left <= 0) return 0;
  if (st.elapsed_s <= 0 || processed <= 0) return NaN;
  if (finished === 0 && st.elapsed_s < ETA_AFTER_S) return NaN;
  return (st.elapsed_s / processed) * (left - inside);
}

/** Seconds left from the rate at which this run has done weighed work (workOf); the same gates as etaSeconds. */
function workEta(st: ProgressState, w: WorkTotals): number {
  const finished = st.done + st.failed + st.skipped;
  if (finished >= st.total || w.total - w.finished <= 0) return 0;
  if (st.elapsed_s <= 0 || w.processed <= 0) return NaN;
  // Before the first minute, an ETA once a twentieth of the work is done: a first short audio-only session done
  // after 10 s priced the video sessions' face stage by its prior and read "ETA 28:35" for a run of 4 minutes.
  if (st.elapsed_s < ETA_AFTER_S && w.processed < w.total / 20) return NaN;
  return (st.elapsed_s / w.processed) * (w.total - w.finished);
}

/** Share of the run's work finished (0..1): weighed by media seconds and stages when st.work is there, else by sessions. */
export function workShare(st: ProgressState): number {
  if (st.work) return st.work.total > 0 ? st.work.finished / st.work.total : 1;
  return st.total > 0 ? (st.done + st.skipped + st.failed + (st.in_progress ?? 0)) / st.total : 1;
}

/**
 * Media seconds worked through per second of the run: finished sessions plus the share done inside running ones (it
 * read 0.00x until the first session ended, for the whole first hour of a run of hour-long recordings).
 */
export function speedOf(st: ProgressState): number {
  return st.elapsed_s > 0 ? (st.media_s + (st.in_progress_media_s ?? 0)) / st.elapsed_s : 0;
}

/** `final`: the run's last line (stop): a run stopped before its last session (an interrupt) has no ETA to give. */
export function describe(st: ProgressState, final = false): string {
  const finished = st.done + st.skipped + st.failed;
  const stoppedEarly = final && finished < st.total;
  const speed = speedOf(st);
  // Whole percents rounded down, and never 100 while a session runs (its last stage's tail, meta.json): 99.7 % read
  // "100 % of the work" for the last seconds of a run.
  const work = st.total > 0 ? Math.min(finished < st.total ? 99 : 100, Math.floor(100 * workShare(st) + 1e-9)) : 100;
  const parts = [
    `${finished}/${st.total} sessions${st.in_progress || (st.work && st.running) ? ` (${work} % of the work)` : ''}`,
    `${st.done} done`,
    ...(st.skipped ? [`${st.skipped} skipped (complete)`] : []),
    ...(st.failed ? [`${st.failed} failed`] : []),
    `${(st.media_s / 3600).toFixed(3)} media h`,
    `${speed.toFixed(2)}x real time`,
    `elapsed ${formatDuration(st.elapsed_s)}`,
    stoppedEarly ? `stopped with ${st.total - finished} not finished` : `ETA ${formatDuration(etaSeconds(st))}`,
    ...(st.detail ? [`running: ${st.detail}`] : []),
  ];
  return parts.join(', ');
}

export interface ProgressReporter {
  update(st: ProgressState): void;
  /** A message that must not be overwritten by the bar (a failed session, an interrupt notice). */
  log(line: string): void;
  stop(st: ProgressState): void;
}

export function createProgress(mode: ProgressMode, opts: { stream?: NodeJS.WriteStream; intervalS?: number } = {}): ProgressReporter {
  const stream = opts.stream ?? process.stderr;
  const m = mode === 'auto' ? (stream.isTTY ? 'bar' : 'lines') : mode;
  if (m === 'none') return { update: () => undefined, log: (l) => stream.write(l + '\n'), stop: () => undefined };
  if (m === 'lines') {
    const every = (opts.intervalS ?? Number(process.env.MMPREP_PROGRESS_INTERVAL_S ?? 10)) * 1000;
    let last = -Infinity;
    return {
      update(st) {
        const now = performance.now();
        if (now - last >= every) {
          last = now;
          stream.write(`mmprep extract: ${describe(st)}\n`);
        }
      },
      log: (l) => stream.write(l + '\n'),
      stop: (st) => stream.write(`mmprep extract: ${describe(st, true)}\n`),
    };
  }
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: 'extract |{bar}| {finished}/{total} sessions, {failed} failed | {hours} media h | {speed}x real time | ETA {eta_text} | {detail}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      barsize: 20,
      etaBuffer: 1,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | null = null;
  const payload = (st: ProgressState) => ({
    finished: st.done + st.skipped + st.failed,
    failed: st.failed,
    hours: (st.media_s / 3600).toFixed(3),
    speed: speedOf(st).toFixed(2),
    eta_text: formatDuration(etaSeconds(st)),
    detail: st.detail ?? '',
  });
  return {
    update(st) {
      if (!bar) bar = multi.create(st.total, 0, payload(st));
      bar.setTotal(st.total);
      // The bar moves within sessions too: finished sessions plus the share done in the running ones.
      bar.update(Math.round(workShare(st) * st.total * 100) / 100, payload(st));
    },
    log: (l) => multi.log(l + '\n'),
    stop(st) {
      if (bar) bar.update(st.done + st.skipped + st.failed, payload(st));
      multi.stop();
      stream.write(`mmprep extract: ${describe(st, true)}\n`);
    },
  };
}
