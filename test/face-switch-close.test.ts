/**
 * A switch of the primary face between two people side by side (trial33, adjacent_close.mp4): P, the larger head,
 * leaves, and the primary face becomes Q, its centre ~1.4 faces away. A switch needed a jump over twice the smaller
 * face's size, and this one went uncounted: the one-face series mixed two people with nothing said. It is now counted
 * when the jump from one analysed frame to the next is over the larger face's size (src/face/extract.ts noteSwitch).
 * The negative control is one person moving 0.7 of a face at once. Clips made at test time from
 * fixtures/face/astronaut.png (scripts/make-face-trial32.mjs sideBySideArgs).
 */
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ES module without types
import { sideBySideArgs } from '../scripts/make-face-trial32.mjs';
import { faceOnMadeClip, type FaceClipRun } from './helpers/face-clip.js';

interface Rec {
  face_found: boolean;
  face_id: number | null;
  bbox_px: number[] | null;
}
type Summary = { frames_with_face: number; primary_face_switches: number; primary_face_first_switch_t_s: number | null };

const runs: Array<FaceClipRun<Rec, Summary>> = [];
afterAll(() => runs.forEach((r) => r.tmp.cleanup()));
const made = async (name: string, args: (clip: string) => string[]) => {
  const r = await faceOnMadeClip<Rec, Summary>(name, args);
  runs.push(r);
  expect(r.run.code, r.run.stderr).toBe(0);
  return r;
};

describe('primary_face_switches between two faces side by side', () => {
  it('P leaving Q beside it is one switch at 1.00 s, warned about', async () => {
    const { run, recs, summary } = await made('side-by-side.mp4', (clip) => sideBySideArgs(clip));
    // The material: a face on every frame, P (the larger) then Q, centres 1-2 faces apart.
    expect(summary.frames_with_face).toBe(50);
    const [p, q] = [recs[24], recs[25]].map((r) => r.bbox_px as number[]);
    expect(recs[24].face_id).not.toBe(recs[25].face_id);
    const jump = Math.hypot(p[0] + p[2] / 2 - q[0] - q[2] / 2, p[1] + p[3] / 2 - q[1] - q[3] / 2);
    expect(jump / Math.max(p[2], p[3], q[2], q[3])).toBeGreaterThan(1.1);
    expect(jump / Math.min(Math.max(p[2], p[3]), Math.max(q[2], q[3]))).toBeLessThan(1.9);
    expect([summary.primary_face_switches, summary.primary_face_first_switch_t_s]).toEqual([1, 1]);
    expect(run.stderr).toMatch(/side-by-side\.mp4: warning: the primary face switched to another face 1 time\(s\) \(first at 1\.00 s\)/);
  });

  it('one person moving 0.7 of a face at once is not a switch', async () => {
    const { run, summary } = await made('one-jump.mp4', (clip) => sideBySideArgs(clip, null, 70));
    expect(summary.frames_with_face).toBe(50);
    expect(summary.primary_face_switches).toBe(0);
    expect(run.stderr).not.toContain('switched');
  });
});
