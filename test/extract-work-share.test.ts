import { describe, expect, it } from 'vitest';
import { describe as describeState, etaSeconds, type ProgressState } from '../src/batch/progress.js';
import { countedStages, sessionShare, StageCostMeter, stageShown, workOf, type StageCosts, type WorkItem } from '../src/batch/work-share.js';

const STAGES = ['sync', 'audio', 'face'];
const withVideo = { media: [{ kind: 'audio' }, { kind: 'video' }] };
const audioOnly = { media: [{ kind: 'audio' }] };

/** A synthetic run as extract.ts's tick feeds the progress: finished sessions, running ones with their stage. */
function runState(finished: { media_s: number; session: typeof audioOnly }[], running: { media_s: number; session: typeof audioOnly; stage: string; done_s: number }[], waiting: { media_s: number | null; session: typeof audioOnly }[], elapsed_s: number, costs: StageCosts = {}): ProgressState {
  const items: WorkItem[] = [
    ...finished.map((f) => ({ media_s: f.media_s, stages: countedStages(STAGES, f.session), state: 'done' as const, share: 1 })),
    ...running.map((r) => {
      const counted = countedStages(STAGES, r.session);
      return { media_s: r.media_s, stages: counted, state: 'running' as const, share: sessionShare(counted, { stage: r.stage, done_s: r.done_s, media_s: r.media_s }, costs) };
    }),
    ...waiting.map((w) => ({ media_s: w.media_s, stages: countedStages(STAGES, w.session), state: 'waiting' as const, share: 0 })),
  ];
  const in_progress = items.filter((i) => i.state === 'running').reduce((a, i) => a + i.share, 0);
  return { total: items.length, done: finished.length, skipped: 0, failed: 0, running: running.length, media_s: finished.reduce((a, f) => a + f.media_s, 0), elapsed_s, in_progress, work: workOf(items, costs) };
}

describe('extract progress weighs sessions by media seconds and the stages they have (ttrial51 F1)', () => {
  it('29 short sessions done and one hour-long audio-only session half done do not read 98 % (prior stage costs)', () => {
    const short = Array.from({ length: 29 }, (_, i) => ({ media_s: 10, session: i % 2 ? audioOnly : withVideo }));
    const st = runState(short, [{ media_s: 3600, session: audioOnly, stage: 'audio', done_s: 1800 }], [], 300);
    const line = describeState(st);
    expect(line).not.toContain('98 %');
    // 29 short: 15 with video x 10 s x (audio 1 + face 20) + 14 x 10 s x 1 = 3290; the long one 3600 x 1, 1800 done:
    // 5090 / 6890 = 73 %; 5090 units of work in 300 s, 1800 left: 106 s (sessions counted: 'ETA 0:05')
    expect(line).toMatch(/^29\/30 sessions \(73 % of the work\)/);
    expect(etaSeconds(st)).toBeCloseTo((300 / 5090) * 1800, 6);
    // in the first minute, no ETA until a twentieth of the work is done (one short session done is not)
    const early = runState(short.slice(0, 1), [], [...short.slice(1), { media_s: 3600, session: audioOnly }], 10);
    expect(etaSeconds(early)).toBeNaN();
    expect(etaSeconds({ ...early, elapsed_s: 60 })).toBeGreaterThan(0);
  });
  it('stage costs timed in the run replace the priors (audio of an hour in 40 s, face of 40 s in 40 s)', () => {
    const meter = new StageCostMeter();
    meter.seen('l60', 'inputs', 0, 0);
    meter.seen('l60', 'sync', 3600, 1);
    meter.seen('l60', 'audio', 3600, 2);
    meter.ended('l60', 42, true);
    meter.seen('s00', 'audio', 40, 10);
    meter.seen('s00', 'face', 40, 11);
    meter.ended('s00', 51, true);
    meter.seen('bad', 'face', 40, 11);
    meter.ended('bad', 12, false); // a failed session's stage is not timed
    const costs = meter.costs();
    // audio: 1 s for 40 s, 40 s for 3600 s: a line of 39/3560 s per media second from 0.56 s fixed
    expect(costs.audio.per_media_s).toBeCloseTo(39 / 3560, 9);
    expect(costs.audio.fixed_s).toBeCloseTo(1 - (39 / 3560) * 40, 9);
    expect(costs.face).toEqual({ fixed_s: 0, per_media_s: 1 });
    // a session with video whose audio is done is 3 % through its work: the face stage is the rest
    expect(sessionShare(['audio', 'face'], { stage: 'face', done_s: 0, media_s: 40 }, costs)).toBeCloseTo(1 / 41, 9);
    // an hour of audio is priced at 40 s, not at 90 times the 40-s session's 1 s (the ratio of those two alone)
    expect(workOf([{ media_s: 3600, stages: ['audio'], state: 'waiting', share: 0 }], costs).total).toBeCloseTo(40, 9);
    // a running stage's own rate counts: 1800 s of a 2-hour audio done in 5 s
    meter.seen('l120', 'audio', 7200, 100);
    meter.seen('l120', 'audio', 7200, 105, 1800);
    expect(meter.costs().audio.per_media_s).toBeLessThan(costs.audio.per_media_s);
  });
  it('the share moves with the media seconds of a long session (it stayed at 62 % for 780 s of an hour-long one)', () => {
    const short = Array.from({ length: 7 }, () => ({ media_s: 10, session: audioOnly }));
    const at = (done_s: number) => describeState(runState(short, [{ media_s: 3600, session: audioOnly, stage: 'audio', done_s }], [], 600));
    expect(at(2798)).not.toBe(at(3578));
    expect(at(2798)).toMatch(/\(78 % of the work\)/); // (70 + 2798) / (70 + 3600)
  });
  it('a session not probed yet weighs the mean media seconds of those probed', () => {
    const w = workOf([
      { media_s: 10, stages: ['audio'], state: 'done', share: 1 },
      { media_s: 30, stages: ['audio'], state: 'done', share: 1 },
      { media_s: null, stages: ['audio', 'face'], state: 'waiting', share: 0 },
    ]);
    expect(w).toEqual({ total: 40 + 20 * 21, finished: 40, processed: 40, unprobed: 1 });
    // with a probed session of the same stages, its mean: a camera session is not priced by a long audio-only one
    const v = workOf([
      { media_s: 3600, stages: ['audio'], state: 'done', share: 1 },
      { media_s: 20, stages: ['audio', 'face'], state: 'done', share: 1 },
      { media_s: null, stages: ['audio', 'face'], state: 'waiting', share: 0 },
    ]);
    expect(v.total).toBe(3600 + 20 * 21 * 2);
  });
  it('an audio-only session has no face stage: not counted, never shown; the sync stage is not media work', () => {
    expect(countedStages(STAGES, audioOnly)).toEqual(['audio']);
    expect(countedStages(STAGES, withVideo)).toEqual(['audio', 'face']);
    expect(countedStages(STAGES, { ...withVideo, video_shared_with: ['dyB'] })).toEqual(['audio']);
    expect(countedStages(['sync'], audioOnly)).toEqual(['sync']);
    expect(stageShown('face', countedStages(STAGES, audioOnly))).toBe(false);
    expect(stageShown('face', countedStages(STAGES, withVideo))).toBe(true);
    // audio done, face next: a session with video is half done; audio-only all done after its audio
    const alike = { audio: { fixed_s: 0, per_media_s: 1 }, face: { fixed_s: 0, per_media_s: 1 } };
    expect(sessionShare(['audio', 'face'], { stage: 'face', done_s: 0, media_s: 60 }, alike)).toBe(0.5);
    expect(sessionShare(['audio'], { stage: 'audio', done_s: 60, media_s: 60 })).toBe(1);
    expect(sessionShare(['audio'], { stage: 'sync', done_s: 30, media_s: 60 })).toBe(0);
  });
  it('a failed session counts its share reached as work done, not its whole weight (the rate)', () => {
    const w = workOf([
      { media_s: 100, stages: ['audio'], state: 'failed', share: 0.1 },
      { media_s: 100, stages: ['audio'], state: 'waiting', share: 0 },
    ]);
    expect(w).toEqual({ total: 200, finished: 100, processed: 10, unprobed: 0 });
  });
});
