/**
 * One camera filming two participants (a new user's trial, ttrial47 W9: two sessions sharing one room camera got the
 * same primary face, and nothing said that a second face was in view). With --max-faces 1 the summary now counts the
 * detector frames on which another face at --min-confidence was in view and not analysed, and warns when that is more
 * than half of them. The clip: the portrait and its paler mirror image side by side, 1.6 s at 10 fps (in-process). Paler, not grey: a
 * grey face in a colour picture is a photo, not a person, and is left out (plausibility.ts, since session 53).
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { faceSummaryWarnings } from '../src/face/summary-warnings.js';
import { FIXTURES, runFaceInProcess, tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

const tmp = tempDir('mmprep-face-other-face-');
afterAll(() => tmp.cleanup());

describe('another face in view, not analysed', () => {
  it('warns when more than half the detector frames had one, naming how to choose', () => {
    const base = { frames_analysed: 40, frames_with_face: 40, detector_frames: 5, frames_other_face_not_analysed_first_t_s: 0.8, max_faces: 1 };
    const [line] = faceSummaryWarnings({ ...base, frames_other_face_not_analysed: 3 });
    expect(line).toMatch(/^another face was in view and not analysed \(frames_other_face_not_analysed\) on 3 of 5 detector frames \(first at 0\.80 s\)/);
    expect(line).toContain('crop the video to each one (ffmpeg -vf crop=W:H:X:Y)');
    expect(line).toContain('--max-faces 2 and follow each one\'s face_id');
    expect(faceSummaryWarnings({ ...base, frames_other_face_not_analysed: 2 })).toEqual([]);
    expect(faceSummaryWarnings({ ...base, frames_other_face_not_analysed: 0 })).toEqual([]);
  });

  it('two people side by side: every detector frame has the other face (mmprep face, in-process)', async () => {
    const clip = join(tmp.dir, 'two.mp4');
    const overlay = '[1]crop=240:240:105:0,scale=160:160,split[a][b];[b]hflip,hue=s=0.5[bg];[0][a]overlay=x=60:y=100[v1];[v1][bg]overlay=x=420:y=110';
    ffmpegSync(['-f', 'lavfi', '-i', 'color=c=0x707070:s=640x360:r=10:d=1.6', '-loop', '1', '-i', join(FIXTURES, 'face', 'astronaut.png'), '-filter_complex', overlay, '-t', '1.6', '-r', '10', '-c:v', 'libx264', '-crf', '18', '-pix_fmt', 'yuv420p', clip]);
    const [out, sum] = [join(tmp.dir, 'two.jsonl'), join(tmp.dir, 'two.json')];
    const r = await runFaceInProcess(['face', clip, '-o', out, '--summary', sum]);
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(sum, 'utf8'));
    expect(s.frames_with_face).toBe(16);
    expect(s.detector_frames).toBeGreaterThanOrEqual(2);
    expect([s.frames_other_face_not_analysed, s.frames_other_face_not_analysed_first_t_s]).toEqual([s.detector_frames, 0]);
    expect(r.stderr).toContain('another face was in view and not analysed (frames_other_face_not_analysed)');
  });
});
