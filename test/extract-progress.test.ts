import { describe, expect, it } from 'vitest';
import { describe as describeState, etaSeconds, formatDuration } from '../src/batch/progress.js';
import { faceWorkersFor, errorsFileName } from '../src/batch/extract.js';

describe('extract progress and pool sizing', () => {
  it('ETA from the rate of sessions processed in this run (skipped ones excluded)', () => {
    const st = { total: 10, done: 2, skipped: 4, failed: 0, running: 2, media_s: 7200, elapsed_s: 60 };
    expect(etaSeconds(st)).toBeCloseTo(120, 9); // 30 s per processed session, 4 left
    expect(etaSeconds({ ...st, done: 0 })).toBeNaN();
    expect(etaSeconds({ ...st, done: 6 })).toBe(0);
    expect(describeState(st)).toBe('6/10 sessions, 2 done, 4 skipped (complete), 2.000 media h, 120.00x real time, elapsed 1:00, ETA 2:00');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(NaN)).toBe('--:--');
  });
  it('face threads per session use the cores the session pool leaves', () => {
    expect(faceWorkersFor(1, 2)).toBe(2);
    expect(faceWorkersFor(2, 2)).toBe(1);
    expect(faceWorkersFor(4, 2)).toBe(1);
    expect(faceWorkersFor(2, 8)).toBe(4);
  });
  it('shards write their own errors file', () => {
    expect(errorsFileName(null)).toBe('_errors.jsonl');
    expect(errorsFileName({ index: 0, count: 1 })).toBe('_errors.jsonl');
    expect(errorsFileName({ index: 2, count: 4 })).toBe('_errors.shard-2-of-4.jsonl');
  });
});
