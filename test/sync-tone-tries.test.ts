/**
 * A beep's confidence counts its tries (the times a false beep could have turned up) in the span searched
 * (docs/sync.md "What confidence means": `expected_false` is the number of times without a beep in the searched span
 * at which the recording has tone-band energy as strong). With `--ends start` a file shorter than twice `--search-s`
 * is decoded whole, its second half for cross-correlation only (windows.ts `pulses_before_s`); the tries counted the
 * whole decoded file, twice the span searched. Now they end where the search does (tone.ts `searchedUntilS`); the
 * null's values still come from all the audio decoded. A 10 s speech track with one beep at 2 s, decoded whole.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanAudioTone } from '../src/sync/tone/scan-audio.js';
import { tempDir } from './helpers/cli.js';
import { beepInSpeech, writeWavF32 } from './sync-media.js';

const SR = 16000;
let tmp: ReturnType<typeof tempDir>;
let wav: string;

beforeAll(async () => {
  tmp = tempDir('mmprep-tone-tries-');
  wav = join(tmp.dir, 'beep.wav');
  // Band SNR low enough that speech in the 1 kHz band gives the beep a measurable expected_false.
  writeWavF32(wav, await beepInSpeech(SR, 10, 41, [{ t_s: 2, dur_s: 0.2 }], 6), SR);
}, 60_000);
afterAll(() => tmp?.cleanup());

const efOf = async (pulsesBeforeS?: number): Promise<number> => {
  const scan = await scanAudioTone(wav, [{ name: 'start', start_s: 0, duration_s: 10, ...(pulsesBeforeS === undefined ? {} : { pulses_before_s: pulsesBeforeS }) }], { sampleRate: SR });
  const beep = scan.windows[0].detections.find((d) => Math.abs(d.t_s - 2) < 0.05);
  expect(beep).toBeDefined();
  return beep?.expected_false as number;
};

describe('beep confidence: tries in the span searched', () => {
  it('a start window searched over its first 5 s of 10 decoded counts 5 s of tries, half the whole file\'s', async () => {
    const whole = await efOf();
    const half = await efOf(5);
    expect(whole).toBeGreaterThan(0);
    // The same null (all 10 s), half the tries: half the expected false beeps (the search's edge rounded to 2 ms).
    expect(half / whole).toBeGreaterThan(0.49);
    expect(half / whole).toBeLessThan(0.51);
  });
});
