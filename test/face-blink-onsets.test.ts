/**
 * Blink onsets (summary `blinks`): a frame whose blink is null (eye not visible, no face) is not an open eye. The
 * sequence is the per-frame blink of the trial's coverB_tight.mp4 (2026-12-06, W4: eyes under skin patches, the right
 * eye's visibility 0.495-0.512 around the 0.5 threshold), where 3 onsets (180/min) were counted before.
 */
import { describe, expect, it } from 'vitest';
import { isBlinkOnset } from '../src/face/extract.js';

const count = (seq: Array<boolean | null>) => seq.reduce<{ n: number; prev: boolean | null }>((a, b) => ({ n: a.n + (isBlinkOnset(a.prev, b) ? 1 : 0), prev: b }), { n: 0, prev: null }).n;

describe('blink onsets', () => {
  it('null between true frames starts no blink (coverB_tight: 3 before)', () => {
    expect(count([null, true, false, null, true, null, null, false, null, true])).toBe(0);
  });
  it('open, closed, open, closed: two blinks; a blink at the first frame or after a frame without a face is not an onset seen', () => {
    expect(count([false, true, true, false, true, false])).toBe(2);
    expect(count([true, false])).toBe(0);
    expect(count([false, null, true])).toBe(0);
  });
});
