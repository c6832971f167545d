/**
 * The share of an extract run's work that is done, weighed by media seconds and by the stages each session has (ttrial51
 * F1: counted by sessions, a run of 29 short sessions and one of an hour read "98 % of the work, ETA 0:05" with 28 % of
 * the media to do). Pure functions: the run (extract.ts) feeds them, progress.ts shows them. No I/O here.
 */

/**
 * Stages whose work grows with the media's duration, and so count in a session's weight: audio (every session) and
 * face (a session with a video of its own; one without runs no face analysis and never shows a face stage). Sync reads
 * the ends of the files around the pulses, not the recording: it counts for nothing (its line still shows while it runs).
 */
export function countedStages(stages: readonly string[], session: { media: readonly { kind: string }[]; video_shared_with?: readonly string[] }): string[] {
  const hasVideo = session.media.some((m) => m.kind === 'video') && !session.video_shared_with?.length;
  const counted = stages.filter((s) => s === 'audio' || (s === 'face' && hasVideo));
  return counted.length ? counted : stages.filter((s) => s === 'sync'); // --only sync: the sync stage is the work

}

/** Whether a session's progress line names this stage: not a face stage of a session without a video to analyse. */
export function stageShown(stage: string, counted: readonly string[]): boolean {
  return stage !== 'face' || counted.includes('face');
}

/** Stage order of extract (src/batch/extract-stages.ts STAGE_NAMES), for the counted stages a running one follows. */
const STAGE_ORDER = ['inputs', 'sync', 'audio', 'face'];

/**
 * Share (0..1) of a session's counted work done: its counted stages before the running one, plus the media seconds the
 * running one has decoded when it counts. Stages weigh alike (media seconds each).
 */
export function sessionShare(counted: readonly string[], p: { stage: string; done_s: number; media_s: number }): number {
  if (counted.length === 0) return 0;
  const at = STAGE_ORDER.indexOf(p.stage);
  const before = counted.filter((s) => STAGE_ORDER.indexOf(s) < at).length;
  const inStage = counted.includes(p.stage) && p.media_s > 0 ? Math.min(1, p.done_s / p.media_s) : 0;
  return Math.min(1, (before + inStage) / counted.length);
}

/** One session of a run as the progress weighs it. */
export interface WorkItem {
  /** Its media seconds (the reference role's duration), null until its inputs are probed (or a duration of 0). */
  media_s: number | null;
  /** Its counted stages (countedStages). */
  n_stages: number;
  state: 'waiting' | 'running' | 'done' | 'skipped' | 'failed';
  /** Share done (running), or reached when it failed (0..1). */
  share: number;
}

/** The run's work in weight units (media seconds x counted stages). */
export interface WorkTotals {
  total: number;
  /** Finished sessions' weight (done, skipped, failed) plus the share done of running ones. */
  finished: number;
  /** The work this run has done: done sessions, the share of running ones and of failed ones (no skipped one). */
  processed: number;
  /** Sessions whose media seconds are not known yet (counted by the mean of those known). */
  unprobed: number;
}

/**
 * Each session weighs its media seconds times its counted stages; one not probed yet weighs the mean media seconds of
 * those probed (1 s when none is: the sessions' stages are counted then). A failed session is finished work, but only
 * the share it reached counts as work done for the rate (a session failing at once would make the rate look fast).
 */
export function workOf(items: readonly WorkItem[]): WorkTotals {
  const known = items.filter((i) => i.media_s !== null && i.media_s > 0);
  const mean = known.length ? known.reduce((a, i) => a + (i.media_s as number), 0) / known.length : 1;
  const t: WorkTotals = { total: 0, finished: 0, processed: 0, unprobed: items.length - known.length };
  for (const i of items) {
    const w = (i.media_s !== null && i.media_s > 0 ? i.media_s : mean) * Math.max(1, i.n_stages);
    t.total += w;
    if (i.state === 'done' || i.state === 'skipped' || i.state === 'failed') t.finished += w;
    if (i.state === 'running') t.finished += w * i.share;
    if (i.state === 'done') t.processed += w;
    if (i.state === 'running' || i.state === 'failed') t.processed += w * i.share;
  }
  return t;
}
