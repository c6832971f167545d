import { describe, expect, it } from 'vitest';
import { driftBasis } from '../src/sync/report.js';
import type { Placement, StreamState } from '../src/sync/streams.js';

// The drift_uncertain warning names what the drift was measured from; it used to print the stream's own start-to-end
// span, "0.0 s apart", when the drift came from cross-correlation at the other end or from a sibling stream.
const state = (start: number | null, end: number | null, file = 'a.wav', stream = 0): StreamState =>
  ({ file, stream, chosen: { start: start === null ? null : { t_s: start }, end: end === null ? null : { t_s: end } } }) as unknown as StreamState;
const placement = (p: Partial<Placement>): Placement => ({ offset: 0, k: 1e-4, kSd: 5e-5, offsetSd: 1e-3, method: 'tone', confidence: 1, from: null, ...p });

describe('drift_uncertain: what the drift came from', () => {
  it('own pulses: their span', () => {
    expect(driftBasis(state(2, 14.5), placement({}))).toBe('pulses only 12.5 s apart');
  });
  it('one pulse plus cross-correlation at the other end: says so, not "0.0 s apart"', () => {
    const pl = placement({ extra: { drift_source: 'the pulse at one end and cross-correlation with lav.wav at the other' } });
    expect(driftBasis(state(2, null), pl)).toBe('measured from the pulse at one end and cross-correlation with lav.wav at the other');
  });
  it('clock of the same file: the sibling stream and its span', () => {
    const sib = state(1, 21, 'cam.mp4', 1);
    expect(driftBasis(state(null, null, 'cam.mp4', 0), placement({ method: 'container', from: sib }))).toBe('taken from cam.mp4 stream 1, whose pulses are 20.0 s apart');
  });
});
