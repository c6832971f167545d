/**
 * A beep in a recording whose searched window is mostly digital silence (a camera's sound followed by a muted
 * stretch, a lav padded with silence): the chunk's median tone-band power, the detector's floor, was the silence's
 * (1e-14), so the beep's power run began in the noise before it, 0.15 s early and 0.36 s long, and the beep was kept
 * only by its coherence, "unplaceable" with a reason about speech that was not there (a trial, 2026-12-05). The floor
 * now leaves digital silence out (src/sync/tone/tone.ts audibleToneP). Control: the same recording without the silence.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess, tempDir } from './helpers/cli.js';
import { addBeeps, rng, talker, writeWavF32 } from './sync-media.js';

const SR = 16000;
const BEEP_S = 2.1234;
let dir: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-tone-silence-'));
  const r = rng(7);
  const sound = talker(11, 10 * SR).map((v) => 0.2 * v + 0.003 * r.g());
  addBeeps(sound, SR, [{ t_s: BEEP_S, dur_s: 0.2, amp: 0.4 }]);
  const muted = new Float32Array(30 * SR);
  muted.set(sound);
  writeWavF32(join(dir, 'muted.wav'), muted, SR);
  writeWavF32(join(dir, 'sound.wav'), sound, SR);
});
afterAll(() => cleanup());

const beepOf = async (file: string) => {
  const r = await runCliInProcess(['sync', file, '--search-s', '20', '-o', `${file}.json`, '--quiet'], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(readFileSync(join(dir, `${file}.json`), 'utf8')).streams[0].detections[0];
};

describe('a beep in a window that is mostly digital silence', () => {
  it('is found placeable at its onset, as without the silence', async () => {
    for (const f of ['muted.wav', 'sound.wav']) {
      const d = await beepOf(f);
      expect(d.placeable, `${f}: ${d.unplaceable_reason}`).toBe(true);
      expect(Math.abs(d.t_s - BEEP_S), f).toBeLessThan(0.001);
      expect(Math.abs(d.duration_s - 0.2), f).toBeLessThan(0.01);
    }
  });
});
