import { describe, expect, it } from 'vitest';
import { describe as describeState, etaSeconds, type ProgressState } from '../src/batch/progress.js';
import { countedStages, sessionShare, stageShown, workOf, type WorkItem } from '../src/batch/work-share.js';

const STAGES = ['sync', 'audio', 'face'];
const withVideo = { media: [{ kind: 'audio' }, { kind: 'video' }] };
const audioOnly = { media: [{ kind: 'audio' }] };

/** A synthetic run as extract.ts's tick feeds the progress: finished sessions, running ones with their stage. */
function runState(finished: { media_s: number; session: typeof audioOnly }[], running: { media_s: number; session: typeof audioOnly; stage: string; done_s: number }[], waiting: { media_s: number | null; session: typeof audioOnly }[], elapsed_s: number): ProgressState {
  const items: WorkItem[] = [
    ...finished.map((f) => ({ media_s: f.media_s, n_stages: countedStages(STAGES, f.session).length, state: 'done' as const, share: 1 })),
    ...running.map((r) => {
      const counted = countedStages(STAGES, r.session);
      return { media_s: r.media_s, n_stages: counted.length, state: 'running' as const, share: sessionShare(counted, { stage: r.stage, done_s: r.done_s, media_s: r.media_s }) };
    }),
    ...waiting.map((w) => ({ media_s: w.media_s, n_stages: countedStages(STAGES, w.session).length, state: 'waiting' as const, share: 0 })),
  ];
  const in_progress = items.filter((i) => i.state === 'running').reduce((a, i) => a + i.share, 0);
  return { total: items.length, done: finished.length, skipped: 0, failed: 0, running: running.length, media_s: finished.reduce((a, f) => a + f.media_s, 0), elapsed_s, in_progress, work: workOf(items) };
}

describe('extract progress weighs sessions by media seconds and the stages they have (ttrial51 F1)', () => {
  it('29 short sessions done and one hour-long audio-only session half done read about half the work, not 98 %', () => {
    const short = Array.from({ length: 29 }, (_, i) => ({ media_s: 10, session: i % 2 ? audioOnly : withVideo }));
    const st = runState(short, [{ media_s: 3600, session: audioOnly, stage: 'audio', done_s: 1800 }], [], 300);
    const line = describeState(st);
    expect(line).not.toContain('98 %');
    // (29 short: 15 x 20 + 14 x 10 = 440 weight; the long one 3600 x 1, 1800 done): 2240 / 4040 = 55 %
    expect(line).toMatch(/^29\/30 sessions \(55 % of the work\)/);
    // 2240 units of work in 300 s, 1800 left: 241 s (sessions counted: 0:05)
    expect(etaSeconds(st)).toBeCloseTo((300 / 2240) * 1800, 6);
  });
  it('the share moves with the media seconds of a long session (it stayed at 62 % for 780 s of an hour-long one)', () => {
    const short = Array.from({ length: 7 }, () => ({ media_s: 10, session: audioOnly }));
    const at = (done_s: number) => describeState(runState(short, [{ media_s: 3600, session: audioOnly, stage: 'audio', done_s }], [], 600));
    expect(at(2798)).not.toBe(at(3578));
    expect(at(2798)).toMatch(/\(78 % of the work\)/); // (70 + 2798) / (70 + 3600)
  });
  it('a session not probed yet weighs the mean media seconds of those probed', () => {
    const w = workOf([
      { media_s: 10, n_stages: 1, state: 'done', share: 1 },
      { media_s: 30, n_stages: 1, state: 'done', share: 1 },
      { media_s: null, n_stages: 2, state: 'waiting', share: 0 },
    ]);
    expect(w).toEqual({ total: 80, finished: 40, processed: 40, unprobed: 1 });
  });
  it('an audio-only session has no face stage: not counted, never shown; the sync stage is not media work', () => {
    expect(countedStages(STAGES, audioOnly)).toEqual(['audio']);
    expect(countedStages(STAGES, withVideo)).toEqual(['audio', 'face']);
    expect(countedStages(STAGES, { ...withVideo, video_shared_with: ['dyB'] })).toEqual(['audio']);
    expect(countedStages(['sync'], audioOnly)).toEqual(['sync']);
    expect(stageShown('face', countedStages(STAGES, audioOnly))).toBe(false);
    expect(stageShown('face', countedStages(STAGES, withVideo))).toBe(true);
    // audio done, face next: a session with video is half done; audio-only all done after its audio
    expect(sessionShare(['audio', 'face'], { stage: 'face', done_s: 0, media_s: 60 })).toBe(0.5);
    expect(sessionShare(['audio'], { stage: 'audio', done_s: 60, media_s: 60 })).toBe(1);
    expect(sessionShare(['audio'], { stage: 'sync', done_s: 30, media_s: 60 })).toBe(0);
  });
  it('a failed session counts its share reached as work done, not its whole weight (the rate)', () => {
    const w = workOf([
      { media_s: 100, n_stages: 1, state: 'failed', share: 0.1 },
      { media_s: 100, n_stages: 1, state: 'waiting', share: 0 },
    ]);
    expect(w).toEqual({ total: 200, finished: 100, processed: 10, unprobed: 0 });
  });
});
