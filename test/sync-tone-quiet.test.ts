/**
 * A camera's sound followed by a quiet, not silent, stretch (20 s of pink noise at -70 or -50 dBFS: a recorder paused
 * into a quiet room): the beep detector's floor, the chunk's median tone-band power, fell into the quiet stretch,
 * 43.5 / 23.5 dB under the noise around the beep, the beep's power run merged with that noise and was refused, and
 * the beep was kept only by its coherence, 20 ms early, "unplaceable" with a reason about speech over it (a trial,
 * 2026-12-05, on the demo's s01 camera sound). A floor segment now takes the median of the windows within 5 s when
 * that lies more than 10 dB over the chunk's (src/sync/tone/tone-floor.ts). Control: a file without a beep whose quiet
 * stretch holds a steady 1 kHz hum and a 1 kHz whistle under the loud part's threshold: no tone burst found (a floor
 * taken from the quiet stretch alone found the whistle, 24.34 s; the floor never drops under the chunk's).
 * Levels are RMS re full scale 1 (ffmpeg astats' "RMS level"); the pink noise is Paul Kellet's economy filter of
 * white noise (musicdsp.org, "pink noise filter", 1999).
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

/** n samples of pink noise at RMS 10^(dbfs/20) (Paul Kellet's economy filter: three one-pole sections and the white). */
function pinkNoise(seed: number, n: number, dbfs: number): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(n);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const w = r.g();
    b0 = 0.99765 * b0 + w * 0.099046;
    b1 = 0.963 * b1 + w * 0.2965164;
    b2 = 0.57 * b2 + w * 1.0526913;
    x[i] = b0 + b1 + b2 + w * 0.1848;
    sum += x[i] * x[i];
  }
  const gain = 10 ** (dbfs / 20) / Math.sqrt(sum / n);
  return x.map((v) => v * gain);
}

/** seconds of talkers over room noise, with quietS seconds from quietFromS replaced by pink noise at quietDb. */
function withQuietStretch(seconds: number, quietFromS: number, quietS: number, quietDb: number): Float32Array {
  const r = rng(7);
  const x = talker(11, seconds * SR).map((v) => 0.4 * v + 0.05 * r.g());
  x.set(pinkNoise(5, quietS * SR, quietDb), quietFromS * SR);
  return x;
}

/** A steady 1 kHz hum over from..to s and a 0.4 s whistle at 1 kHz (5 Hz vibrato of +-2 Hz, 30 ms fades) at whistleS. */
function addHumAndWhistle(x: Float32Array, from: number, to: number, whistleS: number): void {
  for (let i = from * SR; i < to * SR; i++) x[i] += 0.0003 * Math.sin((2 * Math.PI * 1000 * i) / SR);
  let phase = 0;
  for (let i = Math.round(whistleS * SR); i < Math.round((whistleS + 0.4) * SR); i++) {
    const t = i / SR - whistleS;
    phase += (2 * Math.PI * (1000 + 2 * Math.sin(2 * Math.PI * 5 * t))) / SR;
    x[i] += 0.002 * Math.min(1, t / 0.03, (0.4 - t) / 0.03) * Math.sin(phase);
  }
}

beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-tone-quiet-'));
  for (const db of [-70, -50]) {
    const x = withQuietStretch(30, 10, 20, db);
    addBeeps(x, SR, [{ t_s: BEEP_S, dur_s: 0.2, amp: 0.4 }]);
    writeWavF32(join(dir, `quiet${db}.wav`), x, SR);
  }
  // 60 s, so that --search-s 30 searches its first 30 s (a shorter file's second half is not searched): talkers, the
  // quiet stretch at 20-30 s with the hum and the whistle, talkers again.
  const control = withQuietStretch(60, 20, 10, -70);
  addHumAndWhistle(control, 21, 29, 24.5);
  writeWavF32(join(dir, 'control.wav'), control, SR);
});
afterAll(() => cleanup());

const sync = (file: string) => runCliInProcess(['sync', file, '--search-s', '30', '-o', `${file}.json`, '--quiet'], { cwd: dir });

describe('a beep in a recording followed by a quiet, not silent, stretch', () => {
  it.each([-70, -50])('is found placeable within 1 ms of its onset, with the stretch at %i dBFS', async (db) => {
    const f = `quiet${db}.wav`;
    const r = await sync(f);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(readFileSync(join(dir, `${f}.json`), 'utf8')).streams[0].detections;
    expect(d).toHaveLength(1);
    expect(d[0].placeable, d[0].unplaceable_reason).toBe(true);
    expect(Math.abs(d[0].t_s - BEEP_S)).toBeLessThan(0.001);
    expect(Math.abs(d[0].duration_s - 0.2)).toBeLessThan(0.01);
  });

  it('control: a hum and a whistle at 1 kHz in the quiet stretch of a file without a beep are no tone burst (not found)', async () => {
    const r = await sync('control.wav');
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(join(dir, 'control.wav.json'), 'utf8')).streams[0];
    expect(s.detections).toEqual([]);
    expect(s.warnings.map((w: { code: string }) => w.code)).toContain('not_found');
  });
});
