/**
 * The least onset sd (tone-refine.ts ONSET_SD_FLOOR_S, 0.1 ms): the change point of direct sound and echo of a clean
 * beep can be fitted to half a sample (0.031 ms at 16 kHz) where the onset is 0.1 ms off (the model's block grid and
 * the room's onset shape, which its fit does not see). Generated here at 16 kHz: a 250 ms beep through a generated
 * room (sync-media roomIR) with white noise 40 dB under it, written as WAV and decoded through ffmpeg; the onset times
 * (sub-sample) were chosen where the fitted sd is half a sample and the error 0.10-0.13 ms (3.2 and 4.1 fitted sds).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanAudioTone } from '../src/sync/tone/scan-audio.js';
import { reverbBeep, rng, writeWavF32 } from './sync-media.js';

const SR = 16000;
const dir = mkdtempSync(join(tmpdir(), 'mmprep-beep-sd-floor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The beep (amplitude 0.1 at tS) through a room (RT60, DRR, seed), noise 40 dB under it; its detections. */
async function detect(rt60: number, drrDb: number, seed: number, tS: number) {
  const x = reverbBeep(rt60, drrDb, seed, SR, tS);
  const g = rng(seed + 99);
  for (let i = 0; i < x.length; i++) x[i] += 0.001 * g.g();
  const f = join(dir, `beep-${seed}.wav`);
  writeWavF32(f, x, SR);
  return (await scanAudioTone(f, [{ name: 'all', start_s: 0, duration_s: null }])).windows[0].detections;
}

describe('a clean beep\'s onset sd is at least 0.1 ms (ONSET_SD_FLOOR_S)', () => {
  for (const [rt60, drr, seed, tS] of [
    [0.3, 0, 5, 1.23469],
    [0.8, -6, 22, 1.2346],
  ] as const) {
    it(`RT60 ${rt60} s, DRR ${drr} dB, seed ${seed}: placeable, its error within 3 sd`, async () => {
      const d = await detect(rt60, drr, seed, tS);
      expect(d).toHaveLength(1);
      expect(d[0].placeable).toBe(true);
      const err = Math.abs(d[0].t_s - tS);
      const sd = d[0].onset_sd_s as number;
      expect(err).toBeGreaterThan(0.00005);
      expect(err, `${(err * 1000).toFixed(3)} ms off with sd ${(sd * 1000).toFixed(3)} ms`).toBeLessThanOrEqual(3 * sd);
    });
  }
});
