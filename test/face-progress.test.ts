/**
 * `mmprep extract`'s progress inside the face stage counts the frames the face models have analysed, not the frames
 * the decoder has delivered: the decoder runs up to the face pool's capacity ahead (64 frames with 2 workers), and a
 * run under load stood at "100 % of the work, ETA 0:00" for 28 of its 156 s while those frames were analysed. Small
 * frames without a face, inference in this thread (workers 0): a second or two of CPU.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceRun } from '../src/face/extract.js';
import { onDecodeProgress } from '../src/media/decode-progress.js';
import { describe as describeState } from '../src/batch/progress.js';
import { tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

const tmp = tempDir('mmprep-face-progress-');
afterAll(() => tmp.cleanup());
const clip = join(tmp.dir, 'clip.mkv');

beforeAll(() => {
  ffmpegSync(['-f', 'lavfi', '-i', 'testsrc2=s=128x96:r=10', '-frames:v', '12', '-c:v', 'ffv1', clip]);
});

describe('extract progress in the face stage', () => {
  it('is never ahead of the frames analysed: each time reported is that of the next record or an earlier one', async () => {
    const reported: number[] = [];
    const ahead: string[] = [];
    onDecodeProgress((t) => reported.push(t));
    try {
      const run = await FaceRun.open(clip, { workers: 0 });
      let n = 0;
      for await (const rec of run.records()) {
        for (const t of reported) if (t > rec.t_s + 1e-9) ahead.push(`${t} reported before record ${n} (t ${rec.t_s})`);
        reported.length = 0;
        n++;
      }
      expect(n).toBe(12);
    } finally {
      onDecodeProgress(null);
    }
    expect(ahead).toEqual([]);
  });

  it('the work shown while a session runs is rounded down and never 100 %', () => {
    const st = { total: 1, done: 0, skipped: 0, failed: 0, running: 1, media_s: 0, elapsed_s: 100, in_progress: 0.998, in_progress_media_s: 9.98 };
    expect(describeState(st)).toContain('0/1 sessions (99 % of the work)');
    expect(describeState({ ...st, total: 3, done: 1, media_s: 10, in_progress: 1.9 })).toContain('(96 % of the work)'); // 96.7
  });
});
