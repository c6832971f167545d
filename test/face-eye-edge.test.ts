/**
 * An eye partly outside the picture (a new user's trial, 2026-12-06, W8: a face sliding out to the right, the outer
 * corner of the subject's left eye at x 648-652 of a 640 picture): its EAR came from corners the mesh made up (0.25
 * against 0.33-0.38 before), exit 0. Now ear_left is null with 'eye_outside_picture' and so is blink; the other eye is
 * kept. The trial's edge.mp4 from 1.0 s: the 240 px portrait at x = 400 + 100 t in a 640x360 picture, 1.2 s at 10
 * fps (the last two frames have the corner past the edge; 1.9 CPU s).
 * The same run: a face cut by the picture's edge had its pose drift with nothing said (session 58's trial: yaw +4
 * degrees on a portrait leaving the picture at one side). mesh_outside_ratio says how much of the mesh the picture
 * cut; past 5 % (quality.ts MESH_OUTSIDE_POSE_MAX) yaw, pitch and roll are null with 'face_outside_picture', the summary
 * counts those frames and a warning says so (here 0.9-1.1 s, 10-45 % outside).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, runFaceInProcess, tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';
import { readFileSync } from 'node:fs';

const tmp = tempDir('mmprep-face-eye-edge-');
afterAll(() => tmp.cleanup());

describe('an eye beyond the picture edge', () => {
  it('ear_left and blink null with eye_outside_picture; ear_right kept', async () => {
    const clip = join(tmp.dir, 'edge.mp4');
    ffmpegSync(['-f', 'lavfi', '-i', 'color=c=0x606060:s=640x360:r=10:d=1.2', '-loop', '1', '-i', join(FIXTURES, 'face', 'astronaut.png'), '-filter_complex', "[1]crop=240:240:105:0[a];[0][a]overlay=x='400+100*t':y=60:shortest=1", '-t', '1.2', '-c:v', 'libx264', '-crf', '18', '-pix_fmt', 'yuv420p', clip]);
    const out = join(tmp.dir, 'edge.jsonl');
    const summaryFile = join(tmp.dir, 'edge.summary.json');
    const r = await runFaceInProcess(['face', clip, '-o', out, '--summary', summaryFile]);
    expect(r.code).toBe(0);
    const recs = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(recs.length).toBe(12);
    const out_ = recs.filter((x) => x.face_found && x.landmarks[263][0] > 640);
    const in_ = recs.filter((x) => x.face_found && x.landmarks[263][0] <= 640);
    expect(out_.length).toBeGreaterThanOrEqual(1);
    expect(in_.length).toBeGreaterThanOrEqual(8);
    for (const x of out_) {
      expect([x.ear_left, x.ear_left_null_reason, x.blink, x.blink_null_reason]).toEqual([null, 'eye_outside_picture', null, 'eye_outside_picture']);
      expect(x.ear_right).toBeGreaterThan(0.25);
      // Gaze of that eye too: its eyeball centre is the midpoint of the made-up corners (ttrial57b: a face cut by the
      // picture's left edge read gaze_angle_x -0.65 rad where the uncut picture reads -0.07, exit 0).
      expect([x.gaze_left, x.gaze_angle_x_rad, x.gaze_angle_y_rad, x.gaze_null_reason]).toEqual([null, null, null, 'eye_outside_picture']);
    }
    for (const x of in_) expect(x.ear_left).toBeGreaterThan(0.25);
    expect(in_.filter((x) => x.gaze_left !== null).length).toBeGreaterThanOrEqual(6);
    // Pose: kept (with its ratio) while the mesh is inside or nearly, null past MESH_OUTSIDE_POSE_MAX.
    const cut = recs.filter((x) => x.face_found && x.mesh_outside_ratio > 0.05);
    const whole = recs.filter((x) => x.face_found && x.mesh_outside_ratio === 0);
    expect(cut.length).toBeGreaterThanOrEqual(2);
    expect(whole.length).toBeGreaterThanOrEqual(6);
    for (const x of cut) expect([x.yaw_deg, x.pitch_deg, x.roll_deg, x.pose_null_reason]).toEqual([null, null, null, 'face_outside_picture']);
    for (const x of whole) expect([typeof x.yaw_deg, typeof x.roll_deg, x.pose_null_reason]).toEqual(['number', 'number', null]);
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
    expect(summary.frames_pose_face_outside).toBe(cut.length);
    // The frames' mean luma (luma.ts meanLuma): the 0x606060 background (96) and the portrait; 102.8 measured.
    expect(summary.mean_luma).toBeGreaterThan(95);
    expect(summary.mean_luma).toBeLessThan(110);
    expect(r.stderr).toMatch(new RegExp(`warning: ${cut.length} of 12 frames with a face have over 5 % of its mesh beyond the picture's edge`));
  });
});
