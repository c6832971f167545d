/**
 * One camera filming two speakers, each a session of the manifest (a new user's trial, 2026-12-06, W9): the face stage
 * gave both sessions the same track (the largest face), one of them the other person's, exit 0. Now it analyses the
 * video for neither and says why and what to do (crop per speaker); --strict fails such a session.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';

const { dir, cleanup } = tempDir('mmprep-shared-video-');
afterAll(() => cleanup());
const DEMO = join(FIXTURES, 'demo');

describe('extract: a video shared by sessions of two speakers', () => {
  it('the face stage analyses it for neither, saying why (was: the same face track for both)', async () => {
    const m = join(dir, 'm.csv');
    writeFileSync(m, `session_id,speaker_id,video,lav_audio\ndA,spk_a,${join(DEMO, 's01_camera.mp4')},${join(DEMO, 's01_lav.flac')}\ndB,spk_b,${join(DEMO, 's01_camera.mp4')},${join(DEMO, 's02_lav.flac')}\n`);
    const r = await runCli(['extract', m, '-o', join(dir, 'out'), '--only', 'face', '--progress', 'none']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/session dA \(line 2\): warning: face stage produced nothing: \S*s01_camera\.mp4 is also the video of 'dB' \(speaker 'spk_b'\): which face is whose is not known .*crop the picture per speaker/);
    expect(existsSync(join(dir, 'out', 'dA', 'face.jsonl'))).toBe(false);
    const strict = await runCli(['extract', m, '-o', join(dir, 'strict'), '--only', 'face', '--progress', 'none', '--strict']);
    expect(strict.code).toBe(4);
  }, 60_000);
});
