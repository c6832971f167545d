/**
 * A spilled file's MFCC and delta functionals computed while the pitch worker still runs (extract.ts
 * earlyCoefficientFunctionals, AudioFeatures.earlyFunctionals): the summary takes them only when they left out the
 * frames it leaves out (the sync beep's, f.columnsMask); any other set is ignored and the series read again. Which of
 * them are computed early depends on timing, so the guard is tested with planted values here (test/audio-spill.test.ts
 * compares whole spilled summaries, beep included, with the in-memory ones).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES } from './helpers/cli.js';
import { computeAudioFeatures, type AudioFeatures } from '../src/audio/features.js';
import { summarizeAudio } from '../src/audio/extract.js';
import type { Functionals } from '../src/audio/functionals.js';

const speech = join(FIXTURES, 'audio', 'wav', 'cards_005.flac');
let f: AudioFeatures;
let ref: Record<string, Functionals>;
const planted: Functionals = { n: 1, mean: 12345, sd: 0, p5: 1, p50: 2, p95: 3, slope_per_s: 0 };

beforeAll(async () => {
  f = await computeAudioFeatures(speech, {}, { spillAfterFrames: 0, threads: false });
  ref = summarizeAudio(f, 'x').functionals;
});
afterAll(() => f?.columns?.close());

describe('early coefficient functionals', () => {
  it('are taken when they left out the summary frames (none here)', () => {
    expect(f.columns).toBeDefined();
    f.columnsMask = undefined;
    f.earlyFunctionals = { mask: new Uint8Array(f.nFrames), func: { delta_2: planted } };
    const got = summarizeAudio(f, 'x').functionals;
    expect(got.delta_2).toEqual(planted);
    expect(got.mfcc_0).toEqual(ref.mfcc_0);
  });

  it('are not taken when they left out other frames than the summary does', () => {
    const one = new Uint8Array(f.nFrames);
    one[5] = 1;
    // Early ones without the beep, the summary with it; then the other way round; then another beep.
    f.earlyFunctionals = { mask: new Uint8Array(f.nFrames), func: { delta_2: planted } };
    f.columnsMask = one;
    const withBeep = summarizeAudio(f, 'x').functionals;
    expect(withBeep.delta_2).not.toEqual(planted);
    expect(withBeep.delta_2.n).toBe(ref.delta_2.n - 1);
    f.earlyFunctionals = { mask: one, func: { delta_2: planted } };
    f.columnsMask = undefined;
    expect(summarizeAudio(f, 'x').functionals.delta_2).toEqual(ref.delta_2);
    const other = new Uint8Array(f.nFrames);
    other[6] = 1;
    f.columnsMask = other;
    const otherBeep = summarizeAudio(f, 'x').functionals.delta_2;
    expect(otherBeep).not.toEqual(planted);
    expect(otherBeep.n).toBe(ref.delta_2.n - 1);
  });
});
