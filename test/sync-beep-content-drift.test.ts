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
import { draws, session, type Condition } from '../scripts/make-content-pairs.mjs';

const SR = 16000;
const DUR_S = 60;
const PLACING = { ends: 'start', fallback: 'xcorr', minXcorrConfidence: 0.5 } as const;
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

function stream(file: string, x: Float32Array, beepS: number | null): StreamState {
  return {
    file,
    abs: `/s/${file}`,
    kind: 'audio',
    stream: 0,
    frameS: null,
    firstSampleS: 0,
    lengthS: null,
    detections: [],
    chosen: { start: beepS === null ? null : ({ window: 'start', t_s: beepS, strength: -10, placeable: true, confidence: 0.99, onset_sd_s: 0.0003 } as Candidate), end: null },
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
  placeStreams([ref, room], ref, PLACING);
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
      /^placed by its start beep -8\.\d ms away from where its content cross-correlates with lav\.wav at 1\.8 s, its beep \(the content's lag at 30\.0 s carried there at its drift, -(199\.\d|200\.\d) ppm; fine z [\d.]+, coarse peak ratio [\d.]+\): one of them is wrong, so the stream is not placed$/,
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

/**
 * Clocks 250 ppm apart (tsync48a). Two gaps let a beep read late be placed with exit 0 and no word: (1) the coarse
 * peak ratio under the 3 that let content overrule a beep, though the content matched within the fine stage's 30 ms of
 * the beep at fine z ~30 (the talkers' repeated clips keep the envelope's other peaks high: ratio ~2 over 30 s);
 * (2) a drift at the edge of the range searched (±250 ppm) admitted any drift up to 500 ppm, which carried to the beep
 * absorbed a beep read late on a fast clock. 30 s windows, 16 kHz, in memory.
 */
describe('one start beep against its content over 30 s, clocks 250 ppm apart', () => {
  /** A make-content-pairs session (as tsync47b's make-drift-pair.mjs: room mic at DRR -3 dB), the mic's clock k off; built once per k. */
  const pairs = new Map<number, { lav: Float32Array; mic: Float32Array; lavBeepS: number; micBeepS: number; offsetS: number }>();
  function contentPair(k: number) {
    if (!pairs.has(k)) {
      const c: Condition = { cond: 'drift', rt60: 0.5, drrP: -3, drrI: 0, snr: 10, hum: false, enc: 'wav', dur: 30, args: [] };
      const d = { ...draws(c, 7, 1), k };
      pairs.set(k, { ...session(c, d), lavBeepS: d.beeps[0], micBeepS: (d.beeps[0] - d.offset) / (1 + k), offsetS: d.offset });
    }
    return pairs.get(k) as NonNullable<ReturnType<typeof pairs.get>>;
  }
  /** The mic placed by its beep read lateS late (the same arrays per k: the cross-correlation is computed once). */
  function placeContentPair(k: number, lateS: number): StreamState {
    const p = contentPair(k);
    const ref = stream('lav.wav', p.lav, p.lavBeepS);
    const room = stream('mic.wav', p.mic, p.micBeepS + lateS);
    placeStreams([ref, room], ref, PLACING);
    return room;
  }

  it('a beep read 20 ms late, content at coarse ratio under 3 but within 30 ms of the beep (fine z ~30): refused', () => {
    const room = placeContentPair(-250e-6, 0.02);
    expect(room.placed).toBeNull();
    expect(room.warnings.find((w) => w.code === 'xcorr_disagrees')?.message).toMatch(/^placed by its start beep -20\.\d ms away .* at its drift, -25\d\.\d ppm; fine z \d\d\.\d, coarse peak ratio [0-2]\.\d\d\)/);
  });

  for (const k of [-250e-6, 250e-6]) {
    it(`the beep read right at ${k * 1e6} ppm (control): placed by it within 0.5 ms`, () => {
      const room = placeContentPair(k, 0);
      const { micBeepS, offsetS } = contentPair(k);
      expect(room.warnings.map((w) => w.code)).not.toContain('xcorr_disagrees');
      const p = room.placed as NonNullable<StreamState['placed']>;
      expect(p.method).toBe('tone');
      expect(Math.abs(p.offset + (p.k ?? 0) * micBeepS - (offsetS + k * micBeepS))).toBeLessThan(0.0005);
    });
  }

  it('a beep read 8 ms late on a clock 250 ppm fast, drift at the edge of the search (coarse ratio over 3): the drift measured beyond it, refused', () => {
    // A synthetic talker (no repeated clips: a clear coarse peak), so only the edge is in question: the bound carried
    // 13 s from the window's middle to the beep spans 3.3 ms, which took up all but 4.7 ms of the 8.
    const kFast = 250e-6;
    const src = talker(53, 33 * SR);
    const n = rng(5);
    const lavX = Float32Array.from(src.subarray(0, 32 * SR), (v) => v + 0.002 * n.g());
    const micX = Float32Array.from({ length: 30 * SR }, (_, i) => {
      const p = ((i / SR) * (1 + kFast) + OFFSET_S) * SR;
      const j = Math.floor(p);
      return src[j] + (p - j) * (src[j + 1] - src[j]) + 0.002 * n.g();
    });
    const ref = stream('lav.wav', lavX, LAV_BEEP_S);
    const room = stream('mic.wav', micX, (LAV_BEEP_S - OFFSET_S) / (1 + kFast) + 0.008);
    placeStreams([ref, room], ref, PLACING);
    expect(room.placed).toBeNull();
    expect(room.warnings.find((w) => w.code === 'xcorr_disagrees')?.message).toMatch(/^placed by its start beep -8\.\d ms away .* at its drift, 25\d\.\d ppm; fine z [\d.]+, coarse peak ratio ([3-9]|\d\d)\.\d\d\)/);
  });
});
