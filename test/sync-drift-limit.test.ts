/**
 * Trial 2026-12-03 item 7: a content drift at the edge of the range the fine cross-correlation searches
 * (xcorr-drift.ts MAX_SCAN_DRIFT, 250 ppm) is no measurement. A room recorder 299.9 ppm off read -248.8 ppm, and
 * place.ts (bothBeepsOnContentDrift) took it over both beeps' -292.1 and reported it ± 10 ppm. Now such a value counts
 * as unknown: the beeps' drift is used, with a `drift_at_limit` warning. A microphone (WAV, 16 kHz, 16 s) of a talker of
 * syllable-like noise bursts on a clock 300 ppm off, beeps at both ends; the control at 100 ppm keeps the content's drift.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncSession } from '../src/sync/session.js';
import { addBeeps, rng, talker, writeWavF32 } from './sync-media.js';

const SR = 16000;
const DUR_S = 16;
const OFFSET_S = 0.7321; // t_lav = t_mic (1 + k) + OFFSET_S
const BEEPS_LAV = [2.3456, DUR_S + OFFSET_S - 2.1];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmprep-drift-limit-'));
  const nLav = Math.round((DUR_S + OFFSET_S + 1) * SR);
  const participant = talker(41, nLav);
  const r = rng(7);
  const lav = Float32Array.from(participant, (v) => 0.3 * v + 0.002 * r.g());
  addBeeps(lav, SR, BEEPS_LAV.map((t) => ({ t_s: t, dur_s: 0.25, amp: 0.3 })));
  writeWavF32(join(dir, 'lav.wav'), lav, SR);
  for (const ppm of [-300, -100]) {
    const k = ppm * 1e-6;
    const mic = Float32Array.from({ length: DUR_S * SR }, (_, i) => {
      const p = ((i / SR) * (1 + k) + OFFSET_S) * SR;
      const j = Math.floor(p);
      return (j >= 0 && j + 1 < participant.length ? 0.5 * (participant[j] + (p - j) * (participant[j + 1] - participant[j])) : 0) + 0.01 * r.g();
    });
    addBeeps(mic, SR, BEEPS_LAV.map((t) => ({ t_s: (t - OFFSET_S) / (1 + k), dur_s: 0.25, amp: 0.2 })));
    writeWavF32(join(dir, `mic${ppm}.wav`), mic, SR);
  }
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const micEntry = async (ppm: number) => {
  const map = await syncSession([{ file: join(dir, 'lav.wav') }, { file: join(dir, `mic${ppm}.wav`) }], { ends: 'both' });
  const e = map.streams[1] as typeof map.streams[1] & { drift_source?: string; drift_sd_ppm?: number | null };
  return { ...e, warnings: (e.warnings ?? []) as Array<{ code: string; message: string }>, offset_s: e.offset_s as number };
};

describe('a content drift at the edge of the range searched', () => {
  it('300 ppm off: the beeps give the drift (not the edge value ± 10 ppm), with a drift_at_limit warning', async () => {
    const e = await micEntry(-300);
    const codes = e.warnings.map((w) => w.code);
    expect(codes).toContain('drift_at_limit');
    expect(e.warnings.find((w) => w.code === 'drift_at_limit')?.message).toMatch(/the edge of the drift range searched \(±250 ppm\): .* the drift is from its beeps \(-(29|30)\d\.\d ppm\)$/);
    expect(String(e.drift_source ?? '')).not.toMatch(/cross-correlating its content/);
    expect(e.drift_ppm as number).toBeLessThan(-285);
    expect(Math.abs((e.drift_ppm as number) + 300)).toBeLessThanOrEqual(3 * (e.drift_sd_ppm as number));
    expect(Math.abs(e.offset_s - OFFSET_S)).toBeLessThan(0.001);
  }, 60_000);

  it('100 ppm off (control): the content drift is used, within 5 ppm, no warning', async () => {
    const e = await micEntry(-100);
    expect(e.warnings.map((w) => w.code)).not.toContain('drift_at_limit');
    expect(String(e.drift_source)).toMatch(/cross-correlating its content/);
    expect(Math.abs((e.drift_ppm as number) + 100)).toBeLessThan(5);
  }, 60_000);
});
