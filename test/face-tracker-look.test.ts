/**
 * Someone else appearing where a person left (a new user's trial, 2026-12-06, W7: A leaves at 1.0 s and B, another
 * face, appears 10 px away at 1.5 s): B took A's face_id 0, so per-face_id statistics mixed the two, exit 0. Now a face
 * that would take a hidden track's id must also have that track's look (appearance.ts: its cheek skin's chromaticity,
 * within LOOK_MAX_DISTANCE of the track's recent mean), else it opens a new id. The unit cases use the detector boxes
 * and looks of the trial's swap_person.mp4 (ffmpeg 5.1); the clip case draws the same scene, shorter (15 frames, in-process).
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { FaceTracker, type Box } from '../src/face/features.js';
import { LOOK_MAX_DISTANCE, type Look } from '../src/face/appearance.js';
import { FIXTURES, runFaceInProcess, tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

const A_BOX: Box = [115, 115, 130, 130];
const B_BOX: Box = [129, 121, 120, 120];
const A_LOOK: Look = [0.3934, 0.3287];
const B_LOOK: Look = [0.3333, 0.3333]; // the trial's B: the portrait mirrored and in grey

/** A on 0-0.9 s, nobody on 1.0-1.4 s, `b` with look `bLook` from 1.5 s; the ids given to the second face. */
function idsAfterGap(bLook: Look | null, b: Box = B_BOX): number[] {
  const tracker = new FaceTracker();
  for (let k = 0; k < 10; k++) expect(tracker.assign([A_BOX], k / 10, [A_LOOK])).toEqual([0]);
  for (let k = 10; k < 15; k++) tracker.assign([], k / 10, []);
  return [15, 16, 17].map((k) => tracker.assign([b], k / 10, [bLook])[0]);
}

const tmp = tempDir('mmprep-face-tracker-look-');
afterAll(() => tmp.cleanup());

describe('FaceTracker: another person where one left', () => {
  it('a face of another look gets a new id; without looks (or the same look) it takes the hidden one\'s', () => {
    expect(idsAfterGap(B_LOOK)).toEqual([1, 1, 1]);
    expect(idsAfterGap(null)).toEqual([0, 0, 0]);
    expect(idsAfterGap(A_LOOK)).toEqual([0, 0, 0]);
  });

  it('the tracker says which hidden track refused a new id by its look (none when no look refused it)', () => {
    const tracker = new FaceTracker();
    for (let k = 0; k < 10; k++) tracker.assign([A_BOX], k / 10, [A_LOOK]);
    for (let k = 10; k < 15; k++) tracker.assign([], k / 10, []);
    expect(tracker.assign([B_BOX], 1.5, [B_LOOK])).toEqual([1]);
    expect(tracker.refusedByLook(1)).toBe(0);
    expect(tracker.refusedByLook(0)).toBeUndefined();
    // a face far from the hidden track opens an id no look refused
    expect(tracker.assign([B_BOX, [450, 100, 120, 120]], 1.6, [B_LOOK, A_LOOK])).toEqual([1, 2]);
    expect(tracker.refusedByLook(2)).toBeUndefined();
  });

  it('one person back after a gap keeps the id within the measured spread of a look (0.038 on Megamind.avi)', () => {
    expect(idsAfterGap([A_LOOK[0] + 0.038, A_LOOK[1] - 0.005], A_BOX)).toEqual([0, 0, 0]);
    expect(idsAfterGap([A_LOOK[0] + LOOK_MAX_DISTANCE + 0.005, A_LOOK[1]], A_BOX)).toEqual([1, 1, 1]);
  });

  it('a face seen on the previous analysed frame is not gated: its id stays whatever its look does', () => {
    const tracker = new FaceTracker();
    expect(tracker.assign([A_BOX], 0, [A_LOOK])).toEqual([0]);
    expect(tracker.assign([A_BOX], 0.1, [B_LOOK])).toEqual([0]);
  });

  it('the clip: the second person gets face_id 1 (mmprep face, in-process)', async () => {
    const clip = join(tmp.dir, 'swap.mp4');
    const overlay = "[1]crop=240:240:105:0,scale=160:160,split[a][b];[b]hflip,hue=s=0[bg];[0][a]overlay=x=100:y=100:enable='lt(t,0.6)'[v1];[v1][bg]overlay=x=110:y=100:enable='gte(t,0.9)'";
    ffmpegSync(['-f', 'lavfi', '-i', 'color=c=0x707070:s=640x360:r=10:d=1.5', '-loop', '1', '-i', join(FIXTURES, 'face', 'astronaut.png'), '-filter_complex', overlay, '-t', '1.5', '-r', '10', '-c:v', 'libx264', '-crf', '18', '-pix_fmt', 'yuv420p', clip]);
    const out = join(tmp.dir, 'swap.jsonl');
    const summary = join(tmp.dir, 'swap.summary.json');
    const r = await runFaceInProcess(['face', clip, '-o', out, '--summary', summary]);
    expect(r.code).toBe(0);
    // ... and the one-face series' switch from A to B is counted and said, though B is 10 px from where A was
    expect(JSON.parse(readFileSync(summary, 'utf8')).primary_face_switches).toBe(1);
    expect(r.stderr).toContain('the primary face switched to another face 1 time(s)');
    const recs = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const idsOf = (from: number, to: number) => new Set(recs.filter((r) => r.face_found && r.t_s >= from && r.t_s < to).map((r) => r.face_id));
    expect([...idsOf(0, 0.6)]).toEqual([0]);
    expect([...idsOf(0.9, 1.5)]).toEqual([1]);
    expect(recs.filter((r) => r.face_found).length).toBeGreaterThanOrEqual(10);
  });
});
