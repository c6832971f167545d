/**
 * A reference microphone whose decoded sound is silence: a stereo lav recorded with its two channels in opposite
 * polarity (a miswired balanced cable) averages to nothing at sync's mono downmix. A new user's trial (2026-12-02):
 * `mmprep sync lav.wav cam.mp4` then died with "internal error: Maximum call stack size exceeded" (exit 1):
 * the cross-correlation's normalTail recursed forever on a z of exactly 0 (silence gives no peak). Now the run is
 * refused (exit 2) with the line for a reference without a beep, which says that its sound decodes to silence and how
 * to sync one channel (it said only "no 1000 Hz tone burst" and "choose another --ref").
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalTail } from '../src/sync/xcorr/xcorr.js';
import { FIXTURES, tempDir, runCliInProcess } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-silent-ref-'));
  copyFileSync(join(FIXTURES, 'demo', 's01_camera.mp4'), join(dir, 'cam.mp4'));
  ffmpegSync(['-i', join(FIXTURES, 'demo', 's01_lav.flac'), '-af', 'pan=stereo|c0=c0|c1=-1*c0', join(dir, 'lav-inverted.wav')]);
  // a WAV header without data (a recorder that never wrote: trial 2026-12-06 C3)
  ffmpegSync(['-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-t', '0', '-c:a', 'pcm_s16le', join(dir, 'header-only.wav')]);
});
afterAll(() => cleanup());

describe('a reference that decodes to silence', () => {
  it('normalTail(0) is one half (it recursed forever on 0)', () => {
    expect(normalTail(0)).toBeCloseTo(0.5, 6);
    expect(normalTail(-0)).toBeCloseTo(0.5, 6);
    expect(normalTail(-1) + normalTail(1)).toBeCloseTo(1, 6);
  });
  it('a stereo lav in opposite polarity: refused naming the reference (exit 2), not an internal error (exit 1)', async () => {
    const r = await runCliInProcess(['sync', 'lav-inverted.wav', 'cam.mp4', '-o', 's.json', '--quiet'], { cwd: dir });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/lav-inverted\.wav: the reference audio stream 0 has no 1000 Hz tone burst in the first 60 s \(or half the file when shorter\) \(its sound decodes to silence, digital zero, over the 10\.0 s decoded: a stereo recording whose two channels cancel when averaged, one of them in opposite polarity, does that; sync one channel of it: ffmpeg -i lav-inverted\.wav -af "pan=mono\|c0=c0" lav-inverted-left\.wav\)/);
  });

  it('a WAV header without samples: the line says it decodes to no samples (was only "no tone burst", choose another --ref)', async () => {
    const r = await runCliInProcess(['sync', 'header-only.wav', 'cam.mp4', '-o', 'h.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mmprep: header-only\.wav: the reference audio stream 0 has no 1000 Hz tone burst .*\(it decodes to no audio samples at all: an empty or truncated stream/);
  });
});
