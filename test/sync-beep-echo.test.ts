/**
 * Beep onsets in a room as the change point of direct sound and building echo (src/sync/tone/tone-step.ts, issue 11 item 4).
 * A 1 kHz beep through a generated room impulse response (a unit direct path, then from 1.5 ms an exponentially
 * decaying Gaussian tail scaled to the direct-to-reverberant ratio: the model of scripts/make-sync-rooms.mjs) in
 * white noise, at 16 kHz. Seconds of CPU.
 */
import { describe, expect, it } from 'vitest';
import { findToneBursts } from '../src/sync/tone/tone.js';
import { echoOnset } from '../src/sync/tone/tone-step.js';
import { rng as mulberry, reverbBeep } from './sync-media.js';

const SR = 16000;
const T = 1.2345678;
const rng = (seed: number) => mulberry(seed).g;

/** A 250 ms beep of amplitude 0.1 at T through the room, in white noise snrDb under the beep's dry power. */
function beepInRoom(drrDb: number, rt60: number, snrDb: number, seed: number): Float32Array {
  const n = Math.round(2.5 * SR);
  const x = reverbBeep(rt60, drrDb, seed, SR, T);
  const g = rng(seed + 99);
  const sd = 0.1 * 10 ** (-snrDb / 20);
  for (let i = 0; i < n; i++) x[i] += sd * g();
  return x;
}

/**
 * A vowel before the beep: harmonics of an f0 gliding 120 -> 130 Hz (the 8th crosses 1 kHz) under a formant at 1 kHz,
 * `amp` per harmonic at the formant, starting abruptly `leadS` before the beep and lasting 120 ms.
 */
function addVowel(x: Float32Array, leadS: number, amp: number, seed: number): void {
  const v0 = Math.round((T - leadS) * SR);
  const v1 = Math.round((T - leadS + 0.12) * SR);
  const r = mulberry(seed + 5);
  const ph = Array.from({ length: 26 }, () => 2 * Math.PI * r.u());
  for (let i = v0; i < Math.min(x.length, v1); i++) {
    const f0 = 120 + (10 * (i - v0)) / (v1 - v0);
    let s = 0;
    for (let k = 1; k <= 25; k++) {
      ph[k] += (2 * Math.PI * k * f0) / SR;
      s += amp * (0.15 + Math.exp(-(((k * f0 - 1000) / 250) ** 2))) * Math.sin(ph[k]);
    }
    x[i] += s;
  }
}

/** A click: 3 ms of white noise clickDb over the noise (white, snrDb under the beep's dry power) starting leadS before the beep. */
function addClick(x: Float32Array, leadS: number, clickDb: number, snrDb: number, seed: number): void {
  const g = rng(seed + 5);
  const sd = 0.1 * 10 ** (-snrDb / 20) * 10 ** (clickDb / 20);
  const c0 = Math.round((T - leadS) * SR);
  for (let i = c0; i < c0 + Math.round(0.003 * SR); i++) x[i] += sd * g();
}

describe('beep onset as the change point of direct sound and echo (issue 11 item 4)', () => {
  it('DRR -6 dB, RT60 0.5 s: the onset the edge route refused (tone after it 6 dB under the plateau) is placed within 1 ms', () => {
    const d = findToneBursts(beepInRoom(-6, 0.5, 20, 3), SR);
    expect(d).toHaveLength(1);
    expect(d[0].placeable).toBe(true);
    expect(Math.abs(d[0].t_s - T)).toBeLessThan(0.001);
    expect(d[0].onset_sd_s).toBeLessThan(0.001);
  });

  it('the change point is found from a coarse edge 40 ms late, within 1 ms, with an interval under 2 ms', () => {
    const x = beepInRoom(-6, 0.5, 20, 4);
    const phase = (i: number): [number, number] => [Math.cos((2 * Math.PI * 1000 * i) / SR), Math.sin((2 * Math.PI * 1000 * i) / SR)];
    // Block power of the plateau: a sine of amplitude A gives block means of magnitude A / 2; the plateau here is
    // direct + echo, about 0.1 * sqrt(1 + 10^0.6).
    const A = 0.1 * Math.sqrt(1 + 10 ** 0.6);
    const e = echoOnset(x, x.length, phase, T * SR + 0.04 * SR, (A * A) / 4, SR, 1000);
    expect(e).not.toBeNull();
    expect(Math.abs((e as { t: number }).t / SR - T)).toBeLessThan(0.001);
    expect(((e as { hi: number }).hi - (e as { lo: number }).lo) / SR).toBeLessThan(0.002);
  });

  // Room variant 23's rt3-drr-9-snr10-wav-both: its start beep was read 61.9 ms early at speech, placeable with sd 0.2 ms.
  it('a vowel 60 ms before a DRR -9 dB beep: the change point at its onset (a walk faster than a room builds echo) is not taken', () => {
    for (const amp of [0.06, 0.1]) {
      const x = beepInRoom(-9, 0.3, 30, 1);
      addVowel(x, 0.06, amp, 1);
      const d = findToneBursts(x, SR);
      expect(d).toHaveLength(1);
      // Before: placeable, 60.0 and 60.3 ms early with onset_sd_s 0.19 and 0.16 ms; now the edge route's refusal stands.
      expect(d[0].placeable).toBe(false);
      expect(d[0].unplaceable_reason).toMatch(/^onset uncertain/);
    }
    // The control: the same room and noise without the vowel, placed by the change point within 1 ms.
    const c = findToneBursts(beepInRoom(-9, 0.3, 30, 1), SR);
    expect(c).toHaveLength(1);
    expect(c[0].placeable).toBe(true);
    expect(Math.abs(c[0].t_s - T)).toBeLessThan(0.001);
  });

  it('a click 60 ms before a DRR -9 dB beep: the change point on the click is not taken (the tone does not hold after it)', () => {
    for (const seed of [1, 3, 4]) {
      const x = beepInRoom(-9, 0.5, 20, seed);
      addClick(x, 0.06, 30, 20, seed);
      const d = findToneBursts(x, SR);
      expect(d).toHaveLength(1);
      // Before: placeable, 60.2, 60.5 and 60.9 ms early with onset_sd_s 0.03-0.13 ms (the change point on the click).
      expect(d[0].placeable).toBe(false);
      expect(Math.abs(d[0].t_s - T)).toBeLessThan(0.005);
    }
    // The control: the same beeps without the click, placed by the change point within 1 ms.
    for (const seed of [1, 3, 4]) {
      const c = findToneBursts(beepInRoom(-9, 0.5, 20, seed), SR);
      expect(c).toHaveLength(1);
      expect(c[0].placeable).toBe(true);
      expect(Math.abs(c[0].t_s - T)).toBeLessThan(0.001);
    }
  });

  it('DRR -3 dB, RT60 0.45 s, room 14: a plateau that starts after the rise (its amplitude already over half and dipping) is timed within 1 ms (was: 83 ms early, refused)', () => {
    // The rising edge's line fitted there fell, and its zero was taken far after the beep (tone.ts edge; ttrial49 s01's
    // camera beep: 0.58 s late, then "found only by its coherence"). 7 of 300 rooms (DRR 0 to -9 dB, RT60 0.3-0.6 s,
    // seeds 1-25) changed, all to within 0.2 ms and placeable; none got worse.
    const x = reverbBeep(0.45, -3, 14, SR, T);
    const g = rng(14 + 99);
    for (let i = 0; i < x.length; i++) x[i] += 0.1 * 10 ** (-30 / 20) * g();
    const d = findToneBursts(x, SR);
    expect(d).toHaveLength(1);
    expect(d[0].placeable, d[0].unplaceable_reason).toBe(true);
    expect(Math.abs(d[0].t_s - T)).toBeLessThan(0.001);
  });

  it('DRR -9 dB, RT60 0.8 s, noise 8 dB under the beep: the direct sound is buried, the onset is refused as uncertain', () => {
    const d = findToneBursts(beepInRoom(-9, 0.8, 8, 1), SR);
    expect(d).toHaveLength(1);
    expect(d[0].placeable).toBe(false);
    expect(d[0].unplaceable_reason).toMatch(/uncertain/);
  });
});
