/**
 * A 1 kHz tone that is a harmonic of a voice at 1000/k Hz is not a sync beep (src/sync/tone/tone-harmonic.ts): a steady
 * voice at 500 Hz has its second partial on the beep with its neighbours 500 Hz away, beyond the prominence check,
 * and was found as a placeable beep (SNR -4 dB, confidence 0.999). Negative controls (generated voices) must be
 * refused with the reason; positive controls (a beep alone, clipped at full scale, under a 50 Hz hum whose 10th
 * harmonic is exactly 500 Hz, in speech, through AAC) must stay placeable beeps.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findToneBursts, type ToneDetection } from '../src/sync/tone/tone.js';
import { tempDir, runCliInProcess } from './helpers/cli.js';
import { addBeeps, beepInSpeech, ffmpeg, rng, writeWavF32 } from './sync-media.js';

const tmp = tempDir('mmprep-tone-harmonic-');
const p = (name: string) => join(tmp.dir, name);
afterAll(() => tmp.cleanup());
const SR = 16000;

/** A voice at f0 from t0 for dur s: partials 1..n with amplitudes amps (then 0.05), F0 drifting by jitter (relative sd). */
function voice(f0: number, o: { t0?: number; dur?: number; amps?: number[]; n?: number; jitter?: number; vibrato?: number; totalS?: number } = {}): Float32Array {
  const { t0 = 0.8, dur = 0.25, amps = [0.3, 0.2, 0.1], n = 3, jitter = 0, vibrato = 0, totalS = 2 } = o;
  const x = new Float32Array(totalS * SR);
  const r = rng(7);
  let ph = 0;
  let drift = 0;
  for (let i = Math.round(t0 * SR); i < Math.round((t0 + dur) * SR); i++) {
    drift = 0.999 * drift + 0.0447 * jitter * r.g();
    ph += (2 * Math.PI * f0 * (1 + drift + vibrato * Math.sin((2 * Math.PI * 5.5 * i) / SR))) / SR;
    for (let h = 0; h < n; h++) x[i] += (amps[h] ?? 0.05) * Math.sin((h + 1) * ph);
  }
  return x;
}

/** Through AAC at 64 kb/s and back (the stream a camera writes). */
function aac(x: Float32Array, name: string): Float32Array {
  writeWavF32(p(`${name}.wav`), x, SR);
  ffmpeg(['-i', p(`${name}.wav`), '-c:a', 'aac', '-b:a', '64k', p(`${name}.m4a`)]);
  ffmpeg(['-i', p(`${name}.m4a`), '-ac', '1', '-ar', String(SR), '-f', 'f32le', p(`${name}.raw`)]);
  const b = readFileSync(p(`${name}.raw`));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

const refused = (d: ToneDetection[], f0: number) => {
  expect(d.length).toBeGreaterThan(0);
  for (const e of d) {
    expect(e.placeable).toBe(false);
    expect(e.harmonic_of_hz).toBe(f0);
    expect(e.onset_sd_s).toBeNull();
    expect(e.unplaceable_reason).toMatch(new RegExp(`^a harmonic of a voice at ${f0.toFixed(1)} Hz, not a beep: its partial there is locked in phase to the tone \\(coupling \\d\\.\\d\\d, partial -?\\d+\\.\\d dB re the tone\\)$`));
  }
};

const beepAt = (d: ToneDetection[], t: number) => {
  const e = d.filter((q) => Math.abs(q.t_s - t) < 0.002);
  expect(e, JSON.stringify(d)).toHaveLength(1);
  expect(e[0].harmonic_of_hz).toBeUndefined();
  expect(e[0].placeable, e[0].unplaceable_reason).toBe(true);
};

describe('a voice at 1000/k Hz is not a 1 kHz beep (tone-harmonic.ts)', () => {
  it('negative controls: steady 500 Hz voices (3 and 8 partials, F0 jitter 0.2 %, through AAC) are refused, named as a voice', () => {
    refused(findToneBursts(voice(500), SR), 500);
    refused(findToneBursts(voice(500, { n: 8, amps: [0.3, 0.25, 0.1], dur: 0.6, jitter: 0.002 }), SR), 500);
    refused(findToneBursts(aac(voice(500), 'v500'), SR), 500);
  });

  it('positive controls: a beep alone, clipped at 0 dBFS, under an exact 50 Hz hum, in speech at 6 dB and through AAC stays a placeable beep', async () => {
    const beep = () => {
      const x = new Float32Array(2 * SR);
      addBeeps(x, SR, [{ t_s: 0.8, dur_s: 0.2, amp: 0.3 }]);
      return x;
    };
    beepAt(findToneBursts(beep(), SR), 0.8);
    const clipped = beep().map((v) => Math.max(-1, Math.min(1, 4 * v)));
    beepAt(findToneBursts(clipped, SR), 0.8);
    // Hum partials 1..30 of exactly 50 Hz (1/h): its 500 Hz partial is phase-locked to the beep, 26 dB under it.
    const hum = beep().map((v, i) => v + Array.from({ length: 30 }, (_, h) => (0.15 * Math.sin((2 * Math.PI * 50 * (h + 1) * i) / SR + h)) / (h + 1)).reduce((a, b) => a + b, 0));
    beepAt(findToneBursts(hum, SR), 0.8);
    beepAt(findToneBursts(await beepInSpeech(SR, 6, 3, [{ t_s: 2.5, dur_s: 0.2 }], 6), SR), 2.5);
    beepAt(findToneBursts(aac(beep(), 'beep'), SR), 0.8);
  });

  it('mmprep sync: two microphones whose only 1 kHz tone is a 500 Hz voice are not placed (exit 2, the reason named), not even with --pick', async () => {
    writeWavF32(p('lav.wav'), voice(500, { totalS: 4 }), SR);
    writeWavF32(p('mic.wav'), voice(500, { t0: 1.3, totalS: 4 }), SR);
    const r = await runCliInProcess(['sync', p('lav.wav'), p('mic.wav'), '-o', p('sync.json'), '--fallback', 'none']);
    expect(r.code, r.stdout).toBe(2);
    expect(r.stderr).toMatch(/lav\.wav audio: start-window candidate at 0\.800 s not used: a harmonic of a voice at 500\.0 Hz, not a beep/);
    // --pick forces a choice among candidates the policy refused, never a voice's harmonic: it is no pulse.
    const forced = await runCliInProcess(['sync', p('lav.wav'), p('mic.wav'), '-o', p('sync-pick.json'), '--fallback', 'none', '--pick', 'first']);
    expect(forced.code, forced.stdout).toBe(2);
    expect(forced.stderr).toMatch(/not used: a harmonic of a voice at 500\.0 Hz/);
  });

  it('mmprep sync: the same voices beside real beeps 1.2 s later: placed by the beeps (before: exit 3, the voice as strong as the beep), the voice listed in detections[] with its reason', async () => {
    const withBeep = (t0: number) => {
      const x = voice(500, { t0, totalS: 8 });
      addBeeps(x, SR, [{ t_s: t0 + 1.2, dur_s: 0.2, amp: 0.2 }]);
      return x;
    };
    writeWavF32(p('lav2.wav'), withBeep(0.8), SR);
    writeWavF32(p('mic2.wav'), withBeep(1.3), SR);
    const r = await runCliInProcess(['sync', p('lav2.wav'), p('mic2.wav'), '-o', p('sync2.json')]);
    expect(r.code, r.stderr).toBe(0);
    const mic = JSON.parse(readFileSync(p('sync2.json'), 'utf8')).streams.find((s: { file: string }) => s.file === 'mic2.wav');
    expect(mic.method).toBe('tone');
    expect(Math.abs(mic.offset_s + 0.5)).toBeLessThan(0.001);
    expect(JSON.stringify(mic.warnings ?? [])).not.toContain('extra_pulses');
    expect(mic.detections.map((d: ToneDetection) => [Math.round(d.t_s * 10) / 10, d.placeable, d.harmonic_of_hz ?? null])).toEqual([[1.3, false, 500], [2.5, true, null]]);
  });
});
