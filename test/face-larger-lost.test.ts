/**
 * A larger face found and then lost is counted (trial33 larger_blur2.mp4, 2026-12-04): a large blurred, dim head beside
 * a small sharp one. The primary face is the large one (primary.ts), but on later detector frames its mesh on the
 * detector's box came out no face, the frame was analysed again in the detector's order (engine.ts analyseDetected)
 * and the large face was missing from records and `faces` with faces_larger_not_analysed 0 and nothing said.
 * Made at test time by scripts/make-face-trial32.mjs largerBlurArgs. Measured: with Debian's ffmpeg 5.1 the large face
 * is lost on frames 12-15 and 20-29 of 30 (3 detector frames; main: count 0, this change: 3, first at 0.48 s); with
 * the npm 2018 build it is kept on all 30 frames and the count is 0 both ways (the test then checks that nothing is
 * counted when nothing is lost).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ES module without types
import { largerBlurArgs } from '../scripts/make-face-trial32.mjs';
import { join } from 'node:path';
import { FIXTURES, type CliResult } from './helpers/cli.js';
import { faceOnMadeClip, type FaceClipRun } from './helpers/face-clip.js';

interface Rec {
  frame: number;
  face_found: boolean;
  bbox_px: [number, number, number, number] | null;
  faces: Array<{ bbox_px: [number, number, number, number] }>;
}

type Summary = { faces_larger_not_analysed: number; faces_larger_not_analysed_first_t_s: number | null };

describe('a larger blurred face found and then lost (trial33 larger_blur2)', () => {
  let made: FaceClipRun<Rec, Summary>;
  let run: CliResult;
  let recs: Rec[];
  let summary: Summary;

  beforeAll(async () => {
    made = await faceOnMadeClip<Rec, Summary>('larger-blur.mp4', (clip) => largerBlurArgs(clip));
    ({ run, recs, summary } = made);
  }, 120_000);
  afterAll(() => made?.tmp.cleanup());

  it('counts and warns of the large face on the frames it is missing from, and not when it is kept', () => {
    expect(run.code).toBe(0);
    expect(recs).toHaveLength(30);
    // The large face lies left of x = 300 (at 20-340 px), the small one right of it.
    const large = (r: Rec) => [...(r.face_found && r.bbox_px ? [r.bbox_px] : []), ...r.faces.map((f) => f.bbox_px)].some((b) => b[0] + b[2] / 2 < 300);
    expect(large(recs[0])).toBe(true);
    const lost = recs.filter((r) => !large(r)).map((r) => r.frame);
    expect(summary.faces_larger_not_analysed > 0, `frames without the large face: ${lost.join(', ')}`).toBe(lost.length > 0);
    if (lost.length > 0) {
      expect(summary.faces_larger_not_analysed_first_t_s).not.toBeNull();
      expect(summary.faces_larger_not_analysed_first_t_s as number).toBeLessThanOrEqual(lost[0] * 0.04 + 1e-9);
      expect(run.stderr).toMatch(/a face larger than the primary one was in view and not analysed \d+ time\(s\).*its mesh did not come out a confident, plausible face/);
    }
  });
});

describe('a face covered by a black box: no "larger face" without a primary one (a trial, 2026-12-05)', () => {
  let made: FaceClipRun<Rec, Summary & { frames_with_face: number }>;

  beforeAll(async () => {
    // The demo camera's face under a black box, H.264 CRF 16: with Debian's ffmpeg 5.1 the detector's boxes there
    // counted 3 larger faces not analysed on 8 frames without any face (the warning then said one was in view).
    const cover = 'drawbox=x=90:y=60:w=120:h=110:color=black:t=fill';
    made = await faceOnMadeClip('covered.mp4', (clip) => ['-ss', '1.4', '-t', '0.32', '-i', join(FIXTURES, 'demo', 's01_camera.mp4'), '-vf', cover, '-c:v', 'libx264', '-crf', '16', '-an', clip]);
  }, 120_000);
  afterAll(() => made?.tmp.cleanup());

  it('counts none and says none', () => {
    expect(made.run.code).toBe(0);
    expect(made.summary.frames_with_face).toBe(0);
    expect(made.summary.faces_larger_not_analysed).toBe(0);
    expect(made.run.stderr).not.toMatch(/a face larger than the primary one/);
  });
});
