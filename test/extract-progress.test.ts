import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describe as describeState, etaSeconds, formatDuration } from '../src/batch/progress.js';
import { faceWorkersFor, errorsFileName } from '../src/batch/extract.js';
import { runCli, tempDir } from './helpers/cli.js';
import { writeWavF32 } from './sync-media.js';

const { dir, cleanup } = tempDir('mmprep-extract-progress-');
afterAll(() => cleanup());

describe('extract progress and pool sizing', () => {
  it('ETA from the rate of sessions processed in this run (skipped ones excluded)', () => {
    const st = { total: 10, done: 2, skipped: 4, failed: 0, running: 2, media_s: 7200, elapsed_s: 60 };
    expect(etaSeconds(st)).toBeCloseTo(120, 9); // 30 s per processed session, 4 left
    expect(etaSeconds({ ...st, done: 0 })).toBeNaN();
    expect(etaSeconds({ ...st, done: 6 })).toBe(0);
    expect(describeState(st)).toBe('6/10 sessions, 2 done, 4 skipped (complete), 2.000 media h, 120.00x real time, elapsed 1:00, ETA 2:00');
    // The last line of a run stopped before its end (an interrupt) gives no ETA (a new user's trial read 'ETA 0:52').
    expect(describeState(st, true)).toBe('6/10 sessions, 2 done, 4 skipped (complete), 2.000 media h, 120.00x real time, elapsed 1:00, stopped with 4 not finished');
    expect(describeState({ ...st, done: 6 }, true)).toContain('ETA 0:00');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(NaN)).toBe('--:--');
  });
  it('the real-time factor counts the share done inside running sessions (it read 0.00x until the first session ended)', () => {
    // Two one-hour sessions half done after 10 minutes: 3600 media s in 600 s.
    const st = { total: 4, done: 0, skipped: 0, failed: 0, running: 2, media_s: 0, elapsed_s: 600, in_progress: 1, in_progress_media_s: 3600 };
    expect(describeState(st)).toBe('0/4 sessions (25 % of the work), 0 done, 0.000 media h, 6.00x real time, elapsed 10:00, ETA 30:00');
    expect(describeState({ ...st, done: 1, media_s: 3600, in_progress: 0.5, in_progress_media_s: 1800 })).toContain('9.00x real time');
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
  it('a run whose one session is still running shows a real-time factor above 0 (a 3-minute voice-like tone, audio stage)', async () => {
    // Long enough that the session posts its progress (every 250 ms) before it ends, on either ffmpeg build.
    const sr = 16000;
    const x = new Float32Array(180 * sr);
    for (let i = 0; i < x.length; i++) x[i] = 0.3 * Math.sin((2 * Math.PI * 150 * i) / sr) * (0.6 + 0.4 * Math.sin((2 * Math.PI * i) / sr));
    writeWavF32(join(dir, 'long.wav'), x, sr);
    writeFileSync(join(dir, 'm.csv'), 'session_id,speaker_id,lav_audio\ns1,p1,long.wav\n');
    const r = await runCli(['extract', join(dir, 'm.csv'), '-o', join(dir, 'out'), '--only', 'audio', '--jobs', '1', '--progress', 'lines'], { env: { ...process.env, MMPREP_PROGRESS_INTERVAL_S: '0' } });
    expect(r.code, r.stderr).toBe(0);
    const running = r.stderr.split('\n').filter((l) => / 0 done, .*running: s1 audio [1-9]/.test(l));
    expect(running.length, r.stderr).toBeGreaterThan(0);
    for (const l of running) expect(l, r.stderr).not.toContain(' 0.00x real time');
  });
});
