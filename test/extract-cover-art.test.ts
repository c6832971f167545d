/**
 * A manifest's video cell naming a sound file with cover art (the camera's sound exported as M4A with a still picture,
 * disposition attached_pic): the session failed at the face stage with "the session's sync map has no video stream of
 * this file", which hid the cause (a new user's trial, 2026-12-06, R1). The inputs stage now says the file has no video,
 * only cover art. Fails before sync reads anything (0.4 CPU s; a 2 s sound).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

const { dir, cleanup } = tempDir('mmprep-extract-cover-art-');
afterAll(() => cleanup());

beforeAll(() => {
  const lav = join(FIXTURES, 'demo', 's01_lav.flac');
  ffmpegSync(['-t', '2', '-i', lav, '-c:a', 'flac', join(dir, 'lav.flac')]);
  ffmpegSync(['-f', 'lavfi', '-i', 'color=c=red:s=64x64', '-frames:v', '1', join(dir, 'cover.png')]);
  ffmpegSync(['-t', '2', '-i', lav, '-i', join(dir, 'cover.png'), '-map', '0:a', '-map', '1', '-c:a', 'aac', '-c:v', 'copy', '-disposition:v', 'attached_pic', join(dir, 'cam_cover.m4a')]);
  writeFileSync(join(dir, 'm.csv'), 'session_id,speaker_id,video,lav_audio\ns01,p1,cam_cover.m4a,lav.flac\n');
});

describe('extract: a video cell naming a sound file with cover art', () => {
  it('fails its session at inputs, naming the cover art (not "the sync map has no video stream")', async () => {
    const out = join(dir, 'out');
    const r = await runCli(['extract', join(dir, 'm.csv'), '-o', out, '--only', 'sync,face', '--progress', 'none']);
    expect(r.code, r.stderr).toBe(4);
    const e = JSON.parse(readFileSync(join(out, '_errors.jsonl'), 'utf8').trim().split('\n')[0]);
    expect(e.stage).toBe('inputs');
    expect(e.reason).toMatch(/^video: cam_cover\.m4a: has no video stream, only cover art \(stream 1, png: .*it is an audio file; give the camera's recording/);
  });
});
