/**
 * A beep paired with another beep than the one the recording heard. A new user's trial (2026-12-02): a camera
 * restarted 19.6 s into a session and the experimenter beeped again; the lav heard both beeps (1.5 s and 20.6 s), the
 * restarted camera only the second (at its 1.0 s). The lav's second beep lay just past its start window (a 40 s
 * file is searched over its first 20 s), so the camera's beep was paired with the lav's first one and the camera was
 * placed 19.1 s off (0.5 s against the truth's 19.6 s) with exit 0, beside a clear match of their content at 19.6 s:
 * the cross-check against the content ignored disagreements over 0.3 s as repeated content. Such a disagreement is
 * now a refusal (exit 2) that says the beep was paired with another. The same camera without a beep is placed by its
 * content at 19.6 s (the control that the content match is the truth).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, runCliInProcess } from './helpers/cli.js';
import { addBeeps, rng, talker, writeWavF32 } from './sync-media.js';

const SR = 16000;
const RESTART_S = 19.6;
let dir: string;
let cleanup: () => void;

function withNoise(x: Float32Array, seed: number): Float32Array {
  const r = rng(seed);
  return x.map((v) => v + 0.003 * r.g());
}
beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-beep-other-pair-'));
  const speech = talker(11, 40 * SR).map((v) => v * 0.3);
  const lav = withNoise(speech, 1);
  addBeeps(lav, SR, [{ t_s: 1.5, dur_s: 0.23, amp: 0.6 }, { t_s: RESTART_S + 1, dur_s: 0.23, amp: 0.6 }]);
  writeWavF32(join(dir, 'lav.wav'), lav, SR);
  const cam = withNoise(speech.slice(Math.round(RESTART_S * SR), Math.round((RESTART_S + 20) * SR)), 2);
  writeWavF32(join(dir, 'cam-nobeep.wav'), cam, SR);
  addBeeps(cam, SR, [{ t_s: 1, dur_s: 0.23, amp: 0.5 }]);
  writeWavF32(join(dir, 'cam-restarted.wav'), cam, SR);
  const lavOneBeep = withNoise(speech, 1);
  addBeeps(lavOneBeep, SR, [{ t_s: 1.5, dur_s: 0.23, amp: 0.6 }]);
  writeWavF32(join(dir, 'lav-one-beep.wav'), lavOneBeep, SR);
});
afterAll(() => cleanup());

describe('a beep paired with the reference beep it did not hear', () => {
  it('control: the camera without its beep is placed by its content at the truth', async () => {
    const r = await runCliInProcess(['sync', 'lav.wav', 'cam-nobeep.wav', '--fallback', 'xcorr', '-o', 'a.json', '--quiet'], { cwd: dir });
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8')).streams[1];
    expect(s.method).toBe('xcorr');
    expect(Math.abs(s.offset_s - RESTART_S)).toBeLessThan(0.001);
  });
  it('the restarted camera is refused, naming the pairing (was placed 19.1 s off, exit 0)', async () => {
    const r = await runCliInProcess(['sync', 'lav.wav', 'cam-restarted.wav', '-o', 'b.json', '--quiet'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cam-restarted\.wav: audio stream 0 cannot be put on the reference clock: placed by its start beep -19\.100 s away from where its content cross-correlates with lav\.wav .*paired with another beep than the one this recording heard/);
  });
  it('with no beep of the reference to pair it with, the refusal also asks whether the file is this session\'s (tuser62: a misfiled camera sharing some speech read as a restart only)', async () => {
    const r = await runCliInProcess(['sync', 'lav-one-beep.wav', 'cam-restarted.wav', '-o', 'c.json', '--quiet'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/none of lav-one-beep\.wav's detected beeps lines up with one of its own at the content's offset \(.*; or cam-restarted\.wav is another session's recording that shares some of its sound\): check which beep of the reference this recording heard, and that cam-restarted\.wav belongs to this session \(the manifest row\)/);
  });
});
