/**
 * --pick at:T (choose.ts, pick-at.ts): the reference's beep nearest T; another sound's beep in that window is the one
 * whose pairing with it the content (pulses masked) supports clearly. ttrial49 R2 (s02b): a phone's ringtone (1 kHz
 * bursts) before the beep; --pick first and strongest both took a burst and the beep could not be chosen. Stream
 * states built here on 8 s of generated talk (no media, no ffmpeg).
 */
import { describe, expect, it } from 'vitest';
import { AmbiguousPulseError, chooseWindow, parsePickRule, pickTimes } from '../src/sync/choose.js';
import { chooseByPairing } from '../src/sync/pick-at.js';
import type { Candidate, StreamState } from '../src/sync/streams.js';
import { rng, talker } from './sync-media.js';

const SR = 16000;
/** The second recording started this far into the reference (its time + LEAD_S = the reference's). */
const LEAD_S = 0.5;

const beep = (t: number, level = -20): Candidate => ({ window: 'start', t_s: t, strength: level, level_dbfs: level, placeable: true, confidence: 0.99, onset_sd_s: 0.0003, duration_s: 0.2 }) as Candidate;

function stream(file: string, kept: Float32Array, detections: Candidate[]): StreamState {
  return { file, abs: `/s/${file}`, kind: 'audio', stream: 0, frameS: null, firstSampleS: 0, lengthS: null, detections, chosen: { start: null, end: null }, forcedPick: null, warnings: [], kept, keptT0: 0, keptEnd: null, keptEndT0: 0, sampleRate: SR, placed: null } as StreamState;
}

describe('--pick at:T', () => {
  it('parses first, strongest, at:T and at:T1,T2; refuses anything else', () => {
    expect(parsePickRule('at:10.04')).toBe('at:10.04');
    expect(pickTimes(parsePickRule(' AT:3,95.5 '))).toEqual([3, 95.5]);
    expect(parsePickRule('Strongest')).toBe('strongest');
    for (const bad of ['at:', 'at:x', 'at:-1', 'at:1,2,3', 'last']) expect(parsePickRule(bad)).toBeNull();
  });

  it('takes the candidate nearest T within 0.5 s (forced), and leaves a window no time falls in to the policy', () => {
    const clear = (a: number, b: number) => a - b >= 6;
    const ring = [beep(1.039, -22.8), beep(4.039, -22.8), beep(7.039, -22.8), beep(10.027, -25.4)];
    const c = chooseWindow(ring, 'at:10.0', clear);
    expect(c.chosen?.t_s).toBe(10.027);
    expect(c.forced).toBe(true);
    expect(chooseWindow(ring, 'at:20', clear).ambiguous?.length).toBe(4);
  });

  it('another recording\'s beep is the one its content pairs with the reference\'s picked beep; no clear pairing leaves it unchosen, said', () => {
    const talk = talker(5, 8 * SR).map((v) => v * 0.3);
    const noisy = (x: Float32Array, seed: number) => {
      const r = rng(seed);
      return x.map((v) => v + 0.003 * r.g());
    };
    const ref = stream('lav.wav', noisy(talk, 1), [beep(1.0), beep(6.0)]);
    ref.chosen.start = ref.detections[1] as Candidate;
    ref.forcedPick = 'at:6';
    // The phone heard the beep at 5.5 s on its clock (6.0 on the reference's) and a ringtone burst at 2.2 s.
    const phone = stream('phone.mp4', noisy(talk.slice(LEAD_S * SR), 2), [beep(2.2, -17), beep(5.5, -25)]);
    chooseByPairing(phone, ref, 'start', 'at:6');
    expect(phone.chosen.start?.t_s).toBe(5.5);
    expect(phone.warnings.find((w) => w.code === 'forced_pick')?.message).toMatch(/^--pick at:6 chose the start beep at 5\.500 s \(the one whose pairing with lav\.wav's beep at 6\.000 s its content supports \(z [\d.]+; next, its beep at 2\.200 s: z [\d.]+, pulses masked\)\); check it$/);
    // Another session's recording: no pairing is supported, so no beep is chosen, and the line says why.
    const other = stream('other.wav', noisy(talker(9, 7.5 * SR).map((v) => v * 0.3), 3), [beep(2.2, -17), beep(5.5, -25)]);
    chooseByPairing(other, ref, 'start', 'at:6');
    expect(other.chosen.start).toBeNull();
    expect(other.warnings.find((w) => w.code === 'unplaceable_pulse')?.message).toMatch(/--pick at:6 took lav\.wav's beep at 6\.000 s, and no beep of this recording's 2 in its start window is one whose pairing/);
  });

  it('the ambiguity line lists every candidate\'s time and names --pick at on the reference\'s clock', () => {
    const e = new AmbiguousPulseError('lav.mp3', 'audio', 0, [beep(1.039, -22.8), beep(1.439, -22.9), beep(4.039, -22.8), beep(7.039, -22.8), beep(10.027, -25.4)], 1, 'lav.mp3');
    expect(e.message).toMatch(/the strongest 3: 1\.039 s .*; all at 1\.039, 1\.439, 4\.039, 7\.039, 10\.027 s; rerun with --pick first, --pick strongest or --pick at:T with T the time of the beep every device heard, listed above \(lav\.mp3's clock; /);
    expect(new AmbiguousPulseError('phone.mp4', 'audio', 0, [beep(1), beep(2)], 0, 'lav.mp3').message).toMatch(/--pick at:T with T the time of the beep every device heard on lav\.mp3's clock$/);
  });
});
