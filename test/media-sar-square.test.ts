/**
 * trial30 U1: ffmpeg's scale filter rounds the sample aspect ratio it writes after a resize (a 640x662 clip stored with
 * SAR 16819:16839, 0.12 % off 1). mmprep stretched it to 639x662 and warned "pixels are not square". A SAR within
 * SQUARE_SAR_TOLERANCE (0.5 %) of 1 is now taken as square; real anamorphic ratios (4 % off or more) still stretch.
 * No model runs: the geometry the face decoder and the summary take, from ffprobe on real files.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectiveSar, SQUARE_SAR_TOLERANCE, videoGeometry } from '../src/media/decode-video.js';
import { probe } from '../src/media/probe.js';
import { faceSummaryWarnings } from '../src/face/summary-warnings.js';
import { ffmpegSync } from './helpers/ffmpeg.js';
import { tempDir } from './helpers/cli.js';

let tmp: ReturnType<typeof tempDir>;
const clip = (name: string) => join(tmp.dir, name);
beforeAll(() => {
  tmp = tempDir('mmprep-sar-square-');
  for (const [name, sar] of [['rounded.mp4', 'sar=16819/16839:max=20000'], ['pal.mp4', 'sar=16/15']]) {
    ffmpegSync(['-f', 'lavfi', '-i', 'testsrc2=s=640x662:d=0.08:r=25', '-vf', `setsar=${sar}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', clip(name)]);
  }
});
afterAll(() => tmp?.cleanup());

describe('sample aspect ratio near 1', () => {
  it("a SAR within 0.5 % of 1 (ffmpeg's scale rounding) is analysed at the stored size, with no warning", async () => {
    const p = await probe(clip('rounded.mp4'));
    const sar = p.streams[0].sample_aspect_ratio as number;
    // The stream says 16819:16839 (ffprobe), as the trial's clip did (setsar's max: its default 100 would round it to 1:1).
    expect(sar).toBeCloseTo(16819 / 16839, 9);
    const g = videoGeometry(p);
    expect([g.displayWidth, g.displayHeight, g.sampleAspectRatio]).toEqual([640, 662, 1]);
    const w = faceSummaryWarnings({ frames_analysed: 2, frames_with_face: 2, sample_aspect_ratio: g.sampleAspectRatio, width: g.displayWidth, height: g.displayHeight });
    expect(w).toEqual([]);
  });

  it('real anamorphic pixels (PAL 16:15) are still stretched, and warned of', async () => {
    const g = videoGeometry(await probe(clip('pal.mp4')));
    expect([g.displayWidth, g.displayHeight]).toEqual([683, 662]);
    expect(g.sampleAspectRatio).toBeCloseTo(16 / 15, 9);
    const w = faceSummaryWarnings({ frames_analysed: 2, frames_with_face: 2, sample_aspect_ratio: g.sampleAspectRatio, width: g.displayWidth, height: g.displayHeight });
    expect(w.join('\n')).toMatch(/pixels are not square .* 683x662/);
  });

  it('the bound: 0.5 % off is square, more is not', () => {
    expect(SQUARE_SAR_TOLERANCE).toBe(0.005);
    expect(effectiveSar(1.0049)).toBe(1);
    expect(effectiveSar(0.9951)).toBe(1);
    expect(effectiveSar(1.006)).toBe(1.006);
    expect(effectiveSar(10 / 11)).toBe(10 / 11);
    expect(effectiveSar(null)).toBe(1);
  });
});
