/**
 * Motion-JPEG video (a webcam's AVI) is a picture to search; cover art (a still JPEG or PNG attached to a sound file)
 * is not. A new user's trial (2026-12-02): the demo camera as an MJPEG AVI was synced as its sound alone (every mjpeg
 * stream was taken for cover art), exit 0, and sync.json had no entry for the picture. Truth: the demo camera's
 * -0.620 s (fixtures/demo/truth.json; the H.264 original's picture reads -0.608, its LED lit 5 whole frames).
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, tempDir, runCliInProcess } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-mjpeg-video-'));
  const lav = join(FIXTURES, 'demo', 's01_lav.flac');
  copyFileSync(lav, join(dir, 'lav.flac'));
  ffmpegSync(['-i', join(FIXTURES, 'demo', 's01_camera.mp4'), '-c:v', 'mjpeg', '-q:v', '3', '-c:a', 'pcm_s16le', join(dir, 'webcam.avi')]);
  ffmpegSync(['-f', 'lavfi', '-i', 'color=c=red:s=64x64', '-frames:v', '1', join(dir, 'cover.png')]);
  ffmpegSync(['-i', lav, '-i', join(dir, 'cover.png'), '-map', '0', '-map', '1', '-c:a', 'flac', '-c:v', 'copy', '-disposition:v', 'attached_pic', join(dir, 'with-cover.flac')]);
});
afterAll(() => cleanup());

type Entry = { file: string; kind: string; offset_s: number; method: string };
const streams = (name: string): Entry[] => JSON.parse(readFileSync(join(dir, name), 'utf8')).streams;

describe('Motion-JPEG video and cover art', () => {
  it("a webcam's MJPEG AVI: its picture is placed by its flash (it was left out, exit 0)", async () => {
    const r = await runCliInProcess(['sync', 'lav.flac', 'webcam.avi', '-o', 'a.json', '--quiet'], { cwd: dir });
    expect(r.code).toBe(0);
    const v = streams('a.json').find((s) => s.file === 'webcam.avi' && s.kind === 'video');
    expect(v?.method).toBe('flash');
    expect(Math.abs((v?.offset_s ?? 0) + 0.62)).toBeLessThan(0.02);
  });
  it("a sound file's cover art is still not a picture", async () => {
    const r = await runCliInProcess(['sync', 'lav.flac', 'with-cover.flac', '-o', 'b.json', '--quiet'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(streams('b.json').map((s) => `${s.file} ${s.kind}`)).toEqual(['lav.flac audio', 'with-cover.flac audio']);
  });
});
