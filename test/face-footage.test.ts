/**
 * `mmprep face` on footage as cameras and editors deliver it (the seventh new-user trial, an OpenFace 2.0 user):
 * an MP4 cut with `ffmpeg -ss X -c copy` at a frame that is not a keyframe (its edit list hides the frames from the
 * keyframe before X). Media made at test time from the face fixture with the ffmpeg mmprep runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegSync, ffprobeJson } from './helpers/ffmpeg.js';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';

const MP4 = join(FIXTURES, 'face', 'transform.mp4');
let tmp: { dir: string; cleanup: () => void };

const readJsonl = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** Presentation times of the frames ffprobe shows (what a user checks t_s against). */
function frameTimes(file: string): number[] {
  const j = ffprobeJson(['-select_streams', 'v:0', '-show_entries', 'frame=pts_time', file]) as { frames: Array<{ pts_time: string }> };
  return j.frames.map((f) => Number(f.pts_time));
}

beforeAll(() => {
  tmp = tempDir('mmprep-face-footage-');
});
afterAll(() => tmp?.cleanup());

describe('mmprep face on delivered footage', () => {
  it('an MP4 cut with -ss -c copy at a non-keyframe: every frame shown, none refused as truncated', async () => {
    const gop = join(tmp.dir, 'gop10.mp4');
    const cut = join(tmp.dir, 'cut.mp4');
    // Keyframes every 10 frames (0.4 s); the cut at 2.1 s starts 0.1 s after the keyframe at 2.0 s.
    ffmpegSync(['-i', MP4, '-vf', 'scale=320:240', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10', '-keyint_min', '10', '-sc_threshold', '0', '-pix_fmt', 'yuv420p', gop]);
    ffmpegSync(['-ss', '2.1', '-i', gop, '-c', 'copy', cut]);
    const shown = frameTimes(cut);
    const declared = (ffprobeJson(['-select_streams', 'v:0', '-show_entries', 'stream=nb_frames', cut]) as { streams: Array<{ nb_frames: string }> }).streams[0].nb_frames;
    // The container counts the hidden frames too (this is what was refused: "decoded 22 of the 25 frames").
    expect(Number(declared)).toBeGreaterThan(shown.length);
    const out = join(tmp.dir, 'cut.csv');
    const r = await runCli(['face', cut, '--format', 'openface', '--workers', '1', '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map((c) => c.trim()));
    expect(rows.map((c) => Number(c[0]))).toEqual(shown.map((_, i) => i + 1)); // OpenFace's 1-based frame
    rows.forEach((c, i) => expect(Math.abs(Number(c[2]) - shown[i])).toBeLessThan(1e-6)); // timestamp = pts
  });
});
