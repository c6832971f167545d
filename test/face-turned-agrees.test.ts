/**
 * A weak "face" that BlazeFace reads the same way up on the frame turned 180 degrees is no face (orientation.ts
 * turnedAgrees; docs/face.md "No faces on non-faces"; trial33, 2026-12-04). A squirrel's head in OpenCV's
 * squirrel_cls.jpg (fixtures/face/squirrel.jpg, made by scripts/make-face-trial32.mjs squirrelJpegArgs), as a still
 * 640x480 clip zoomed 1.084 (squirrelArgs), was kept on 25 of 25 frames before the check, with Debian's ffmpeg 5.1
 * and with the npm 2018 build (det 0.58-0.59, mesh inside every human range of the plausibility check); now none.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orientBoxes, turnedAgrees, TURNED_AGREE_DET_MAX, type DetectorBox } from '../src/face/orientation.js';
// @ts-expect-error plain ES module without types
import { squirrelArgs } from '../scripts/make-face-trial32.mjs';
import { FIXTURES, type CliResult } from './helpers/cli.js';
import { faceOnMadeClip, type FaceClipRun } from './helpers/face-clip.js';

interface Rec {
  frame: number;
  face_found: boolean;
  face_null_reason: string | null;
}

type Summary = Record<string, unknown> & { face_null_reasons: Record<string, number>; faces_rejected_implausible: number };

/** A 100 px box at (100, 100) whose mouth-to-nose axis is turned `deg` degrees from upright (clockwise positive). */
const box = (confidence: number, deg: number): DetectorBox => {
  const a = ((deg - 90) * Math.PI) / 180;
  const mouth: [number, number] = [150, 160];
  const nose: [number, number] = [150 + 20 * Math.cos(a), 160 + 20 * Math.sin(a)];
  return { startPoint: [100, 100], endPoint: [200, 200], landmarks: [[130, 130], [170, 130], nose, mouth, [100, 140], [200, 140]], confidence, size: [100, 100] };
};

describe('turnedAgrees', () => {
  it('takes weak readings pointing the same way and about as sure, within 60 degrees of upright', () => {
    expect(turnedAgrees(box(0.58, 30), box(0.52, 7))).toBe(true);
    expect(turnedAgrees(box(0.58, 30), box(0.52, 170))).toBe(false); // opposite: a human face turned upside down
    expect(turnedAgrees(box(0.58, 30), box(0.4, 10))).toBe(false); // the turned reading much less sure
    expect(turnedAgrees(box(TURNED_AGREE_DET_MAX, 0), box(0.6, 0))).toBe(false); // not weak
    expect(turnedAgrees(box(0.6, 70), box(0.6, 70))).toBe(false); // sideways: el_side.mp4's faces agree at ~70 degrees
  });

  it('is listed by orientBoxes for the kept box only', () => {
    const [u, t] = [box(0.58, 30), box(0.53, 10)];
    const r = orientBoxes([u], [t], 1, 0.5);
    expect(r.boxes).toEqual([u]);
    expect(r.agreeing).toEqual([u]);
    expect(orientBoxes([box(0.8, 0)], [box(0.75, 5)], 1, 0.5).agreeing).toEqual([]);
  });
});

describe('a squirrel read as a face, and read so on the frame turned 180 degrees (trial33; fixtures/face/squirrel.jpg)', () => {
  let made: FaceClipRun<Rec, Summary>;
  let run: CliResult;
  let recs: Rec[];
  let summary: Summary;

  beforeAll(async () => {
    made = await faceOnMadeClip<Rec, Summary>('squirrel.mp4', (clip) => squirrelArgs(clip, join(FIXTURES, 'face', 'squirrel.jpg')));
    ({ run, recs, summary } = made);
  }, 120_000);
  afterAll(() => made?.tmp.cleanup());

  it('keeps no face; the frames left out say implausible, are counted and warned of', () => {
    expect(run.code).toBe(0);
    expect(recs).toHaveLength(25);
    expect(recs.filter((r) => r.face_found).map((r) => r.frame)).toEqual([]);
    const implausible = recs.filter((r) => r.face_null_reason === 'implausible').length;
    expect(implausible).toBeGreaterThan(15);
    expect(summary.face_null_reasons.implausible).toBe(implausible);
    expect(summary.faces_rejected_implausible).toBeGreaterThanOrEqual(implausible);
    expect(run.stderr).toMatch(/plausibility check \(face_null_reason "implausible".*--no-plausibility keeps/);
  });
});
