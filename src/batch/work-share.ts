/**
 * The share of an extract run's work that is done, weighed by media seconds and by the stages each session has (ttrial51
 * F1: counted by sessions, a run of 29 short sessions and one of an hour read "98 % of the work, ETA 0:05" with 28 % of
 * the media to do). Pure functions: the run (extract.ts) feeds them, progress.ts shows them. No I/O here.
 */
import { STAGE_NAMES } from './extract-stages.js';

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

/** Stage order of extract (reading the inputs, then STAGE_NAMES), for the counted stages a running one follows. */
const STAGE_ORDER: readonly string[] = ['inputs', ...STAGE_NAMES];

/**
 * Run seconds a stage takes: a fixed part (starting the stage: models, ffmpeg) plus a part per media second. Only the
 * ratios between stages and sessions matter.
 */
export interface StageCost {
  fixed_s: number;
  per_media_s: number;
}
export type StageCosts = Readonly<Record<string, StageCost>>;

/**
 * Costs before any stage has been timed in this run, relative to audio: the face stage (models on each analysed frame)
 * took about 20x the audio stage per media second in the scale trial (ttrial51 ref run, --face-fps 2: audio of a 60-min
 * recording in about 40 s, 40 s of video in about 40 s); the sync stage counts only when it is the only stage.
 */
export const PRIOR_STAGE_COSTS: StageCosts = { sync: { fixed_s: 0, per_media_s: 1 }, audio: { fixed_s: 0, per_media_s: 1 }, face: { fixed_s: 0, per_media_s: 20 } };

/** The cost of a stage: measured, else the prior scaled by the measured stages' per-media-second ratio to their priors. */
export function stageCost(stage: string, costs: StageCosts): StageCost {
  if (costs[stage] !== undefined) return costs[stage];
  const measured = Object.keys(costs).filter((s) => PRIOR_STAGE_COSTS[s] !== undefined && costs[s].per_media_s > 0);
  const scale = measured.length ? measured.reduce((a, s) => a + costs[s].per_media_s / PRIOR_STAGE_COSTS[s].per_media_s, 0) / measured.length : 1;
  const prior = PRIOR_STAGE_COSTS[stage] ?? { fixed_s: 0, per_media_s: 1 };
  return { fixed_s: prior.fixed_s * scale, per_media_s: prior.per_media_s * scale };
}

/** Run seconds of a stage over media_s seconds. */
function stageWork(stage: string, costs: StageCosts, media_s: number): number {
  const c = stageCost(stage, costs);
  return c.fixed_s + c.per_media_s * media_s;
}

/** A session's work: the sum of its counted stages' costs over its media seconds. */
export function sessionCost(counted: readonly string[], costs: StageCosts, media_s: number): number {
  return counted.reduce((a, s) => a + stageWork(s, costs, media_s), 0);
}

/**
 * Share (0..1) of a session's counted work done: its counted stages before the running one, plus the media seconds the
 * running one has decoded when it counts, each stage weighed by its cost.
 */
export function sessionShare(counted: readonly string[], p: { stage: string; done_s: number; media_s: number }, costs: StageCosts = {}): number {
  const whole = sessionCost(counted, costs, p.media_s);
  if (whole <= 0) return 0;
  const at = STAGE_ORDER.indexOf(p.stage);
  const before = sessionCost(counted.filter((s) => STAGE_ORDER.indexOf(s) < at), costs, p.media_s);
  const inStage = counted.includes(p.stage) && p.media_s > 0 ? Math.min(1, p.done_s / p.media_s) * stageWork(p.stage, costs, p.media_s) : 0;
  return Math.min(1, (before + inStage) / whole);
}

/** Sums for a least-squares line run_s = fixed_s + per_media_s x media_s over a stage's timed runs. */
interface FitSums {
  n: number;
  x: number;
  y: number;
  xx: number;
  xy: number;
}

/** The sums with one more timed run (x media seconds in y run seconds). */
function addPoint(f: FitSums | undefined, x: number, y: number): FitSums {
  const g = f ?? { n: 0, x: 0, y: 0, xx: 0, xy: 0 };
  const yy = Math.max(0, y);
  return { n: g.n + 1, x: g.x + x, y: g.y + yy, xx: g.xx + x * x, xy: g.xy + x * yy };
}

/**
 * A stage's cost from its timed runs: the least-squares line (ordinary least squares, slope cov(x,y)/var(x)), with a
 * slope and an intercept of at least 0; runs of one length only give the ratio of the sums (no fixed part).
 * Short sessions alone overstate the per-media-second part of a long one (a 10-s session's audio stage is mostly
 * its start): the fixed part keeps an hour of audio from being priced as 360 ten-second sessions.
 */
export function fitCost(f: FitSums): StageCost {
  const varX = f.xx - (f.x * f.x) / f.n;
  const ratio = { fixed_s: 0, per_media_s: f.y / f.x };
  if (f.n < 2 || varX <= 1e-9 * f.xx) return ratio;
  const slope = (f.xy - (f.x * f.y) / f.n) / varX;
  if (slope <= 0) return { fixed_s: f.y / f.n, per_media_s: 0 };
  const fixed = (f.y - slope * f.x) / f.n;
  return fixed >= 0 ? { fixed_s: fixed, per_media_s: slope } : ratio;
}

/**
 * Times each stage of the run's sessions from their progress messages (a stage runs from its message to the next
 * stage's, or to the session's end) to give StageCosts, fitted over the stages finished (fitCost).
 */
export class StageCostMeter {
  private readonly current = new Map<string, { stage: string; media_s: number; t: number; done_s: number; t_done: number }>();
  private readonly sums = new Map<string, FitSums>();

  /** A session's progress message at time t (seconds): a new stage ends the one before; done_s its media seconds done. */
  seen(session: string, stage: string, media_s: number, t: number, done_s = 0): void {
    const cur = this.current.get(session);
    if (cur && cur.stage === stage) return void Object.assign(cur, { done_s, t_done: t });
    if (cur) this.close(cur, t);
    this.current.set(session, { stage, media_s, t, done_s, t_done: t });
  }

  /** The session ended at time t: its last stage ends; `finished` false (failed, rolled back) drops its timing. */
  ended(session: string, t: number, finished: boolean): void {
    const cur = this.current.get(session);
    if (cur && finished) this.close(cur, t);
    this.current.delete(session);
  }

  private close(cur: { stage: string; media_s: number; t: number }, t: number): void {
    if (!(cur.media_s > 0) || cur.stage === 'inputs') return;
    this.sums.set(cur.stage, addPoint(this.sums.get(cur.stage), cur.media_s, t - cur.t));
  }

  /**
   * The fitted costs; a running stage adds its point so far (media seconds done, run seconds since it began): the
   * rate of an hour-long session's stage is its own, not the one 10-s sessions suggest (the fixed part dominates those).
   */
  costs(): StageCosts {
    const sums = new Map(this.sums);
    for (const cur of this.current.values()) if (cur.stage !== 'inputs' && cur.done_s > 0) sums.set(cur.stage, addPoint(sums.get(cur.stage), cur.done_s, cur.t_done - cur.t));
    const out: Record<string, StageCost> = {};
    for (const [stage, f] of sums) if (f.y > 0) out[stage] = fitCost(f);
    return out;
  }
}

/** One session of a run as the progress weighs it. */
export interface WorkItem {
  /** Its media seconds (the reference role's duration), null until its inputs are probed (or a duration of 0). */
  media_s: number | null;
  /** Its counted stages (countedStages). */
  stages: readonly string[];
  state: 'waiting' | 'running' | 'done' | 'skipped' | 'failed';
  /** Share done (running), or reached when it failed (0..1). */
  share: number;
}

/** The run's work in run seconds as the stage costs price it (relative units before any stage is timed). */
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
 * Each session weighs the costs of its counted stages over its media seconds; one not probed yet is priced at the mean
 * media seconds of those probed with the same stages, else of all those probed (1 s when none is: the sessions'
 * stages are counted then). A failed session is finished work,
 * but only the share it reached counts as work done for the rate (a session failing at once would make it look fast).
 */
export function workOf(items: readonly WorkItem[], costs: StageCosts = {}): WorkTotals {
  const known = items.filter((i) => i.media_s !== null && i.media_s > 0);
  const meanOf = (group: readonly WorkItem[]) => group.reduce((a, i) => a + (i.media_s as number), 0) / group.length;
  const overall = known.length ? meanOf(known) : 1;
  // The mean of the sessions with the same stages (a camera session is not priced by an archive's long audio-only
  // recordings: arch.csv's failing camera sessions were priced at l30's weight), else of all those probed.
  const means = new Map<string, number>();
  const meanFor = (stages: readonly string[]): number => {
    const key = stages.join(',');
    if (!means.has(key)) {
      const same = known.filter((i) => i.stages.join(',') === key);
      means.set(key, same.length ? meanOf(same) : overall);
    }
    return means.get(key) as number;
  };
  const t: WorkTotals = { total: 0, finished: 0, processed: 0, unprobed: items.length - known.length };
  for (const i of items) {
    const w = sessionCost(i.stages, costs, i.media_s !== null && i.media_s > 0 ? i.media_s : meanFor(i.stages)) || 1;
    t.total += w;
    if (i.state === 'done' || i.state === 'skipped' || i.state === 'failed') t.finished += w;
    if (i.state === 'running') t.finished += w * i.share;
    if (i.state === 'done') t.processed += w;
    if (i.state === 'running' || i.state === 'failed') t.processed += w * i.share;
  }
  return t;
}
