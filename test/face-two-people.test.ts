/**
 * Two people in view (a participant and, smaller, an interviewer): with the default --max-faces 1 the detector's one
 * face went from the participant to the interviewer at frame 16 and back at frame 32, so the flat series (pose,
 * expressions, landmarks) mixed two people, n_faces 1, exit 0, nothing said (a fourth new user's trial). Such a switch
 * of the primary face to another tracked face far away is now counted in the summary and is a warning line. The same
 * picture with the participant alone is the negative control (no switch, no warning).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

const { dir, cleanup } = tempDir('mmprep-face-two-');
afterAll(() => cleanup());

beforeAll(() => {
  const png = join(FIXTURES, 'face', 'astronaut.png');
  const big = '[0:v]split[a][b];[a]scale=300:-2[big];[b]scale=200:-2,hflip[small];color=c=gray:s=640x400:r=25:d=2[bg];[bg][big]overlay=x=20+10*sin(t*3):y=40[t1]';
  ffmpegSync(['-loop', '1', '-t', '2', '-r', '25', '-i', png, '-filter_complex', `${big};[t1][small]overlay=x=400:y=90+8*sin(t*2)`, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '18', join(dir, 'two.mp4')]);
  ffmpegSync(['-loop', '1', '-t', '2', '-r', '25', '-i', png, '-filter_complex', `${big};[t1][small]overlay=x=900:y=0`, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '18', join(dir, 'one.mp4')]);
});

describe('mmprep face with two people in view', () => {
  it('a primary face that switches between two people is counted and warned about; one person alone is not', async () => {
    const two = await runCli(['face', 'two.mp4', '-o', 'two.jsonl', '--summary', 'two.summary.json', '-j', '1'], { cwd: dir });
    expect(two.code).toBe(0);
    const s = JSON.parse(readFileSync(join(dir, 'two.summary.json'), 'utf8'));
    expect(s.primary_face_switches).toBeGreaterThanOrEqual(1);
    expect(two.stderr).toMatch(/two\.mp4: warning: the primary face switched to another face \d+ time\(s\) \(first at \d+\.\d+ s\): two or more people in view/);
    const one = await runCli(['face', 'one.mp4', '-o', 'one.jsonl', '--summary', 'one.summary.json', '-j', '1'], { cwd: dir });
    expect(one.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'one.summary.json'), 'utf8')).primary_face_switches).toBe(0);
    expect(one.stderr).not.toContain('warning');
  });
});
