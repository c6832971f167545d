/**
 * A cross-correlation that matches clearly at two lags, where no beep picks one (src/sync/place.ts resolveBySpan,
 * src/sync/xcorr/xcorr-span.ts): the lag whose match lies all through the stream is taken when the other matches only where
 * it matches too (a sound heard twice). Lead room variant 90 rt5-drr-6-snr0-aac-start-24s: a start-only room
 * microphone without a beep found (the lav's not timed) matched the lav at -18.221 s (z 33.0, the interviewer near the
 * room mic saying a clip the participant says at the lav's start) and at the right 2.187 s (z 21.7); refused before.
 * Generated content (no media): syllable-like noise bursts at 16 kHz.
 */
import { describe, expect, it } from 'vitest';
import { placeStreams } from '../src/sync/place.js';
import type { StreamState } from '../src/sync/streams.js';
import { rng } from './sync-media.js';

const SR = 16000;
const OFF = 2.2;

/** Noise in syllable-like bursts of 50-300 ms (as sync-place.test.ts), `n` samples. */
function burstNoise(seed: number, n: number): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(n);
  let on = false;
  for (let i = 0, next = 0; i < n; i++) {
    if (i >= next) {
      on = !on;
      next = i + Math.round((0.05 + 0.25 * r.u()) * SR);
    }
    x[i] = (on ? 0.3 : 0.02) * r.g();
  }
  return x;
}

function state(file: string, kept: Float32Array): StreamState {
  return {
    file, abs: `/s/${file}`, kind: 'audio', stream: 0, frameS: null, firstSampleS: 0, lengthS: null, detections: [], chosen: { start: null, end: null },
    forcedPick: null, warnings: [], kept, keptT0: 0, keptEnd: null, keptEndT0: 0, sampleRate: SR, placed: null,
  };
}

const participant = burstNoise(7, 32 * SR);
const interviewer = burstNoise(8, 32 * SR);

/**
 * The lav (28 s: the participant) and a room mic on a clock OFF s behind it (24 s): the participant at `far`, the
 * interviewer, noise, and from 18.2 s on the lav's first seconds again at `twice` (the same clip said at two times).
 * `participantUntil`: the participant is heard at the room mic until then only; `gap`: not heard from .. to (s).
 */
function session(o: { far: number; twice: number; participantUntil?: number; second?: number; gap?: [number, number] }) {
  const r = rng(9);
  const mic = new Float32Array(24 * SR);
  for (let i = 0; i < mic.length; i++) {
    const t = i / SR;
    const inGap = o.gap !== undefined && t >= o.gap[0] && t < o.gap[1];
    const heard = t < (o.participantUntil ?? Infinity) && !inGap ? o.far * participant[Math.round((t + OFF) * SR)] : 0;
    mic[i] = heard + 0.3 * interviewer[i] + 0.105 * r.g();
    if (t >= 18.2) mic[i] += o.twice * participant[Math.round((t - 18.2) * SR)];
    if (o.second) mic[i] += o.second * participant[Math.round((t + OFF - 3) * SR)];
  }
  const lav = state('lav.wav', participant.slice(0, 28 * SR));
  const room = state('mic.wav', mic);
  placeStreams([lav, room], lav, { ends: 'start', fallback: 'xcorr', minXcorrConfidence: 0.5 });
  return room;
}

describe('sync by cross-correlation: two clear lags told apart by where each matches', () => {
  it('takes the lag that matches all through over a stronger one that matches only in the last 6 s, and says so', () => {
    const room = session({ far: 0.32, twice: 0.9 });
    expect(room.placed?.method).toBe('xcorr');
    expect(Math.abs((room.placed?.offset as number) - OFF)).toBeLessThan(0.0005);
    const said = room.warnings.find((w) => w.code === 'xcorr_two_lags')?.message;
    expect(said).toMatch(/clearly at offsets 2\.200 s .* and -18\.200 s; taken by where the match lies: its 2\.3 s runs match at 2\.200 s in 11 of 11, at -18\.200 s \(z [\d.]+\) only in 2 of 2 .* \(a sound heard twice\)/);
  });

  it('refuses where the other lag matches where the first does not (the participant not heard in the last 6 s)', () => {
    // Both lags clear (z about 175 and 104): 2.2 s supported in the first 18 s only, -18.2 s in the last 6 s.
    const room = session({ far: 0.32, twice: 0.3, participantUntil: 18 });
    expect(room.placed).toBeNull();
    expect(room.warnings.map((w) => w.code)).toContain('xcorr_weak');
  });

  it('refuses where both lags match all through (the content heard at two lags everywhere)', () => {
    const room = session({ far: 0.32, twice: 0, second: 0.32 });
    expect(room.placed).toBeNull();
    expect(room.warnings.map((w) => w.code)).toContain('xcorr_weak');
  });
});

/**
 * One clear wrong lag (src/sync/xcorr/xcorr-rest.ts, place.ts checkRest): with the participant not heard at the room mic from
 * 17 s on, the coarse envelope tried only the lag of the clip heard twice (-18.2 s, overlapping the lav over the mic's
 * last 5.8 s), the only clear one, and the stream was placed there, 20.4 s off, exit 0. The mic's first 18.2 s, left
 * without a partner by that lag, match the lav clearly at 2.2 s.
 */
describe('sync by cross-correlation: one clear lag that leaves a stretch matching elsewhere', () => {
  it('takes the lag the rest of the window matches at where the single clear lag matches only over the sound heard twice', () => {
    const room = session({ far: 0.32, twice: 0.9, gap: [17, 20] });
    expect(room.placed?.method).toBe('xcorr');
    expect(Math.abs((room.placed?.offset as number) - OFF)).toBeLessThan(0.0005);
    const said = room.warnings.find((w) => w.code === 'xcorr_two_lags')?.message;
    expect(said).toMatch(/clearly at -18\.200 s \(z [\d.]+\), which overlaps it over 5\.8 s only, and its 0\.0-18\.2 s outside that overlap at 2\.200 s .*taken by where the match lies: its 2\.3 s runs match at 2\.200 s in \d+ of \d+, at -18\.200 s only in \d of \d/);
  });

  it('refuses where the rest matches at another lag but the two cannot be told apart (the participant not heard from 17 s on)', () => {
    const room = session({ far: 0.32, twice: 0.9, gap: [17, 24] });
    expect(room.placed).toBeNull();
    const weak = room.warnings.find((w) => w.code === 'xcorr_weak')?.message;
    expect(weak).toMatch(/clearly at -18\.200 s .* outside that overlap at 2\.200 s .*the same sound heard at two times/);
  });

  it('still places a right lag that leaves a long stretch without a partner (the room mic started 8 s before the lav)', () => {
    const r = rng(11);
    const early = burstNoise(12, 8 * SR);
    const mic = new Float32Array(24 * SR);
    for (let i = 0; i < mic.length; i++) {
      const t = i / SR;
      const p = t < 8 ? early[i] : participant[Math.round((t - 8) * SR)];
      mic[i] = 0.32 * p + 0.3 * interviewer[i] + 0.105 * r.g();
    }
    const lav = state('lav.wav', participant.slice(0, 28 * SR));
    const room = state('mic.wav', mic);
    placeStreams([lav, room], lav, { ends: 'start', fallback: 'xcorr', minXcorrConfidence: 0.5 });
    expect(room.placed?.method).toBe('xcorr');
    expect(Math.abs((room.placed?.offset as number) + 8)).toBeLessThan(0.0005);
    expect(room.warnings.map((w) => w.code)).not.toContain('xcorr_two_lags');
  });
});
