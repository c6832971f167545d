/**
 * Results a user must hear about are said on stderr, one line each (they used to be silent): a video with no face in
 * any frame (`face`, and counted in `extract`'s warnings), a stream placed by the camera's other clock
 * (--share-camera-clock) or without an end pulse under `--ends both` (`sync`, and counted by `extract`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceRecordBuilder } from '../src/face/extract.js';
import { faceSummaryWarnings } from '../src/face/summary-warnings.js';
import type { RawFace } from '../src/face/engine.js';
import { syncWarningLines } from '../src/sync/warnings.js';
import type { SyncMap } from '../src/sync/clock.js';
import { ffmpegSync } from './helpers/ffmpeg.js';
import { FIXTURES, runCli, runFaceInProcess, tempDir } from './helpers/cli.js';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('mmprep-warnings-cli-');
  // Negative control: a cluttered test pattern, no face in any frame.
  ffmpegSync(['-f', 'lavfi', '-i', 'testsrc2=s=320x240:d=1:r=5', '-c:v', 'mpeg4', '-q:v', '3', join(tmp.dir, 'noface.mp4')]);
});
afterAll(() => tmp?.cleanup());

describe('warnings on stderr', () => {
  it('face: a video with no face in any frame prints one warning line, exit 0', async () => {
    const r = await runFaceInProcess(['face', join(tmp.dir, 'noface.mp4'), '-o', join(tmp.dir, 'f.jsonl')]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mmprep face: .*noface\.mp4: warning: no face found in any of the 5 frames analysed \(detection_rate 0\)/);
  });

  it('extract: a session whose video has no face counts and prints the warning', async () => {
    const m = join(tmp.dir, 'm.csv');
    writeFileSync(m, 'session_id,speaker_id,video\ns1,p1,noface.mp4\n');
    // One face worker (two by default with one session on 2 cores: a second thread loading tfjs and Human for 5 frames).
    const r = await runCli(['extract', m, '-o', join(tmp.dir, 'out'), '--only', 'face', '--progress', 'none', '--face-workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ done: 1, warnings: 1 });
    expect(r.stderr).toMatch(/session s1 \(line 2\): warning: face: no face found in any of the 5 frames analysed/);
  });

  it('faceSummaryWarnings: only when no frame had a face', () => {
    expect(faceSummaryWarnings({ frames_analysed: 10, frames_with_face: 0 })).toHaveLength(1);
    expect(faceSummaryWarnings({ frames_analysed: 10, frames_with_face: 1 })).toEqual([]);
  });

  // trial32: a bar over the eyes, 122 of 125 frames left out as implausible and 3 by the orientation check, was told
  // "no face found ... check the video role, --start/--end and the camera framing" above the lines saying why.
  it('no face kept because every face was left out: the first line does not send the user to the framing', () => {
    const w = faceSummaryWarnings({ frames_analysed: 125, frames_with_face: 0, faces_rejected_orientation: 3, faces_rejected_orientation_first_t_s: 1.28, faces_rejected_implausible: 122, face_null_reasons: { orientation_doubtful: 3, implausible: 122, orientation_flip: 0, rolled_low_mesh_score: 0 } });
    expect(w).toHaveLength(3);
    expect(w[0]).toMatch(/^no face kept in any of the 125 frames analysed \(detection_rate 0\): the detector found faces, and all were left out/);
    expect(w[0]).not.toMatch(/video role|framing/);
    expect(w[1]).toMatch(/^3 face\(s\) left out on detector frames/);
    expect(w[2]).toMatch(/^122 frame\(s\) without a face although the detector and the mesh found one/);
  });

  // trial30 N1/L1: an upright face with its mouth covered was left out by the orientation check (54 of 58 frames) with
  // only the advice to turn the camera, and records that said nothing (face_found false, all null).
  it('faces left out by the orientation check: the warning names occlusion and the records carry the reason', () => {
    const w = faceSummaryWarnings({ frames_analysed: 58, frames_with_face: 4, faces_rejected_orientation: 54, faces_rejected_orientation_first_t_s: 3.2 });
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^54 face\(s\) left out on detector frames \(first at 3\.20 s\).*face_null_reason "orientation_doubtful".*mouth or eyes covered.*turn the video upright/);
    const b = new FaceRecordBuilder({ scale: 1, width: 640, height: 480, minConfidence: 0.5, normalized: false, blinkEar: 0.2 });
    b.noteOrientation(3.2, 0, 1);
    const left = b.build(96, 3.2, []);
    expect([left.face_found, left.face_null_reason, left.face_id]).toEqual([false, 'orientation_doubtful', null]);
    // The next frame: no face seen, nothing left out: no reason.
    b.noteOrientation(3.24, 0, 0);
    expect(b.build(97, 3.24, []).face_null_reason).toBeNull();
  });

  // A trial clip (a bar over the mouth): records with face_found false and face_null_reason null while the summary
  // counted faces left out. The frames whose mesh the plausibility check rejected said nothing.
  it('a frame whose only face failed the plausibility check says so; the summary counts records per reason', () => {
    const fx = JSON.parse(readFileSync(join(FIXTURES, 'face', 'nonface-meshes.json'), 'utf8')) as { meshes: Array<{ det_bbox_px: [number, number, number, number]; skin_contrast: number | null; landmarks: number[][] }> };
    const m = fx.meshes[0];
    const raw = { det_score: 0.8, mesh_score: 0.9, box: m.det_bbox_px, mesh: Float64Array.from(m.landmarks.flat()), skin: m.skin_contrast, yaw: null, pitch: null, roll: null, expr: null } as RawFace;
    const b = new FaceRecordBuilder({ scale: 1, width: 720, height: 528, minConfidence: 0.5, normalized: false, blinkEar: 0.2 });
    b.noteOrientation(0, 0, 0);
    const rec = b.build(0, 0, [raw]);
    expect([rec.face_found, rec.face_null_reason, rec.face_id]).toEqual([false, 'implausible', null]);
    // Below --min-confidence it is no face: no reason.
    b.noteOrientation(0.04, 0, 0);
    expect(b.build(1, 0.04, [{ ...raw, det_score: 0.4 }]).face_null_reason).toBeNull();
    // Two faces left out on one frame: two faces counted, one record.
    b.noteOrientation(0.08, 0, 2);
    expect(b.build(2, 0.08, [raw]).face_null_reason).toBe('orientation_doubtful');
    const s = b.summaryStats();
    expect([s.faces_rejected_implausible, s.faces_rejected_orientation, s.face_null_reasons]).toEqual([2, 2, { orientation_doubtful: 1, implausible: 1, orientation_flip: 0, rolled_low_mesh_score: 0 }]);
    const w = faceSummaryWarnings(s);
    expect(w).toHaveLength(3);
    expect(w[0]).toMatch(/^no face kept in any of the 3 frames analysed \(detection_rate 0\): the detector found faces, and all were left out/);
    expect(w[1]).toMatch(/^2 face\(s\) left out .*1 frame\(s\) left without a face by it have face_null_reason "orientation_doubtful"/);
    expect(w[2]).toMatch(/^1 frame\(s\) without a face .*plausibility check \(face_null_reason "implausible"; faces_rejected_implausible 2\).*--no-plausibility/);
  });

  it('syncWarningLines: camera_clock_shared and no_end_pulse, one line each; other codes stay in sync.json', () => {
    const entry = (file: string, kind: string, codes: string[]) => ({ file, kind, stream: 0, warnings: codes.map((code) => ({ code, message: `m-${code}` })) });
    const map = { version: 1, reference: { file: 'a.wav', kind: 'audio', stream: 0 }, streams: [entry('a.wav', 'audio', ['no_end_pulse']), entry('cam.mp4', 'video', ['camera_clock_shared', 'low_confidence'])] } as unknown as SyncMap;
    expect(syncWarningLines(map)).toEqual(['a.wav audio stream 0: no_end_pulse: m-no_end_pulse', 'cam.mp4 video stream 0: camera_clock_shared: m-camera_clock_shared']);
  });

  it('syncWarningLines: a no_end_pulse every stream shares is one line (the demo under --ends both printed it three times)', () => {
    const msg = 'no usable pulse in the end window: drift unknown';
    const entry = (file: string, kind: string, ws: Array<[string, string]>) => ({ file, kind, stream: 0, warnings: ws.map(([code, message]) => ({ code, message })) });
    const demo = { streams: [entry('s01_lav.flac', 'audio', [['no_end_pulse', msg]]), entry('s01_camera.mp4', 'audio', [['no_end_pulse', msg]]), entry('s01_camera.mp4', 'video', [['no_end_pulse', msg], ['other_route', 'placed by its start pulse alone']])] } as unknown as SyncMap;
    expect(syncWarningLines(demo)).toEqual([`every stream (s01_lav.flac, s01_camera.mp4): no_end_pulse: ${msg}`, 's01_camera.mp4 video stream 0: other_route: placed by its start pulse alone']);
    // Two of three streams: one line naming both; another message stays its own line.
    const some = { streams: [entry('lav.wav', 'audio', []), entry('cam.mp4', 'audio', [['no_end_pulse', msg]]), entry('cam.mp4', 'video', [['no_end_pulse', msg]]), entry('mic.wav', 'audio', [['no_end_pulse', 'no usable pulse in the start window: drift unknown']])] } as unknown as SyncMap;
    expect(syncWarningLines(some)).toEqual([`cam.mp4 audio stream 0, cam.mp4 video stream 0: no_end_pulse: ${msg}`, 'mic.wav audio stream 0: no_end_pulse: no usable pulse in the start window: drift unknown']);
  });
});
