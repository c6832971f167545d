/**
 * A stream placed by one start beep, cross-checked against its content (place.ts crossCheck, beep-vs-content.ts) when
 * the clocks drift: the comparison is made at the beep's own time, the content's lag carried there along the drift it
 * measured. Before, it was made at the window's middle, where the beep placement (no drift of its own) and the content
 * differ by the drift over half the window: a 120 s session at -94.5 ppm (tsync46b) was refused with `xcorr_disagrees`
 * (5.2 ms at 60 s) under --search-s 120 or 0 and placed under the default 60; the same drift hid a beep 8 ms late
 * (placed 8.2 ms off, exit 0). Here in memory at 16 kHz: a 60 s window at -200 ppm (5.6 ms over its half), a close
 * microphone (the talker heard dry on the mic's clock), one cross-correlation shared by the cases (place.ts caches it
 * per pair of windows).
 */
import { describe, expect, it } from 'vitest';
import { placeStreams } from '../src/sync/place.js';
import type { Candidate, StreamState } from '../src/sync/streams.js';
import { rng, talker } from './sync-media.js';

const SR = 16000;
const DUR_S = 60;
const OFFSET_S = 1.2345; // t_lav = t_mic (1 + K) + OFFSET_S
const K = -200e-6;
const LAV_BEEP_S = 3;
/** The mic's true beep, on its own clock. */
const MIC_BEEP_S = (LAV_BEEP_S - OFFSET_S) / (1 + K);

const lavTalker = talker(47, (DUR_S + 3) * SR);
const noise = rng(12);
const lav = Float32Array.from(lavTalker, (v) => v + 0.002 * noise.g());
/** The talker as the mic's clock samples it (linear interpolation), with its own noise. */
const mic = Float32Array.from({ length: DUR_S * SR }, (_, i) => {
  const p = ((i / SR) * (1 + K) + OFFSET_S) * SR;
  const j = Math.floor(p);
  return lavTalker[j] + (p - j) * (lavTalker[j + 1] - lavTalker[j]) + 0.002 * noise.g();
});

function stream(file: string, x: Float32Array, beepS: number): StreamState {
  return {
    file,
    abs: `/s/${file}`,
    kind: 'audio',
    stream: 0,
    frameS: null,
    firstSampleS: 0,
    lengthS: null,
    detections: [],
    chosen: { start: { window: 'start', t_s: beepS, strength: -10, placeable: true, confidence: 0.99, onset_sd_s: 0.0003 } as Candidate, end: null },
    forcedPick: null,
    warnings: [],
    kept: x,
    keptT0: 0,
    keptEnd: null,
    keptEndT0: 0,
    sampleRate: SR,
    placed: null,
  };
}

/** The mic placed by its beep read `lateS` late (same lav and mic arrays: the cross-correlation is computed once). */
function placeWithBeepLate(lateS: number): StreamState {
  const ref = stream('lav.wav', lav, LAV_BEEP_S);
  const room = stream('mic.wav', mic, MIC_BEEP_S + lateS);
  placeStreams([ref, room], ref, { ends: 'start', fallback: 'xcorr', minXcorrConfidence: 0.5 });
  return room;
}

describe('one start beep against its content over a 60 s window, clocks 200 ppm apart', () => {
  it('the beep read right: placed at the beep within 0.1 ms, not refused for the drift over half the window', () => {
    const room = placeWithBeepLate(0);
    expect(room.warnings.map((w) => w.code)).not.toContain('xcorr_disagrees');
    expect(room.placed?.method).toBe('tone');
    const p = room.placed as NonNullable<StreamState['placed']>;
    expect(Math.abs(p.offset + (p.k ?? 0) * MIC_BEEP_S - (OFFSET_S + K * MIC_BEEP_S))).toBeLessThan(0.0001);
  });

  it('the beep read 8 ms late (the drift at the middle cancelled it before): refused, 8 ms at the beep named', () => {
    const room = placeWithBeepLate(0.008);
    expect(room.placed).toBeNull();
    expect(room.warnings.find((w) => w.code === 'xcorr_disagrees')?.message).toMatch(
      /^placed by its start beep -8\.\d ms away from where its content cross-correlates with lav\.wav at 1\.8 s, its beep \(the content's lag at 30\.0 s carried there at its drift, -(199\.\d|200\.\d) ppm; peak ratio [\d.]+\): one of them is wrong, so the stream is not placed$/,
    );
  });

  it('the beep read 20 ms late or early: refused either way (the refusal the check exists for)', () => {
    for (const late of [0.02, -0.02]) {
      const room = placeWithBeepLate(late);
      expect(room.placed).toBeNull();
      expect(room.warnings.find((w) => w.code === 'xcorr_disagrees')?.message).toMatch(late > 0 ? /by its start beep -2\d\.\d ms away/ : /by its start beep 2\d\.\d ms away/);
    }
  });
});
