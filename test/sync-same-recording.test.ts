/**
 * One recording given to `mmprep sync` for two roles: a byte-identical copy (the camera's file copied into the lav's
 * place), or another path to the same file (a link). Before 2026-12-02 it was placed twice, exit 0 (the copy at
 * offset 0 against the original), the session's own second recording left out unnoticed. Now refused in one line
 * naming both files. Controls: a copy that differs in one sample (same size) is synced as a recording of its own;
 * the same path spelled two ways is "given twice", naming both spellings.
 */
import { copyFileSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, tempDir, runCliInProcess } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-same-recording-'));
  copyFileSync(join(FIXTURES, 'demo', 's01_camera.mp4'), join(dir, 'cam.mp4'));
  copyFileSync(join(dir, 'cam.mp4'), join(dir, 'cam-copy.mp4'));
  ffmpegSync(['-i', join(FIXTURES, 'demo', 's01_lav.flac'), '-c:a', 'pcm_s16le', join(dir, 'lav.wav')]);
  copyFileSync(join(dir, 'lav.wav'), join(dir, 'lav-copy.wav'));
  symlinkSync('lav.wav', join(dir, 'lav-link.wav'));
  const b = readFileSync(join(dir, 'lav.wav'));
  b[b.length - 2] ^= 0x10; // the last sample changed: the same size, another recording
  writeFileSync(join(dir, 'lav-other.wav'), b);
});
afterAll(() => cleanup());

describe('one recording given twice', () => {
  it('a byte-identical copy of the camera file in a second role: refused naming both (was placed twice, exit 0)', async () => {
    const r = await runCliInProcess(['sync', 'lav.wav', 'cam.mp4', 'cam-copy.mp4', '-o', 'a.json', '--quiet'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('mmprep: cam-copy.mp4: a byte-identical copy of cam.mp4: one recording given twice would be placed twice (against itself), and the session\'s other recording left out; give each recording once (a camera file gives both its picture and its own sound: no copy is needed for a sound role)\n');
  });
  it('the reference microphone and its copy: refused', async () => {
    const r = await runCliInProcess(['sync', 'lav.wav', 'lav-copy.wav', '-o', 'b.json', '--quiet'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mmprep: lav-copy\.wav: a byte-identical copy of lav\.wav: /);
  });
  it('a link to a file given: refused as the same file', async () => {
    const r = await runCliInProcess(['sync', 'lav.wav', 'cam.mp4', 'lav-link.wav', '-o', 'c.json', '--quiet'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mmprep: lav-link\.wav: the same file as lav\.wav: /);
  });
  it('the same path spelled two ways: given twice, naming both spellings', async () => {
    const r = await runCliInProcess(['sync', './lav.wav', 'cam.mp4', 'lav.wav', '-o', 'd.json', '--quiet'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('mmprep: lav.wav: given twice (also as ./lav.wav): give each recording once\n');
  });
  it('control: a file of the same size that differs in one sample is a recording of its own (placed)', async () => {
    const r = await runCliInProcess(['sync', 'lav.wav', 'lav-other.wav', '-o', '-', '--quiet'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).streams[1].method).toBe('tone');
  });
});
