import { describe, expect, it } from 'vitest';
import { beepSearchSpans } from '../src/audio/beep-search.js';
import { findToneBursts } from '../src/sync/tone/tone.js';
import { addBeeps, speechTrack } from './sync-media.js';

// `mmprep audio` searches the sync beep where `mmprep sync` does: the first and last --beep-search-s seconds
// (src/audio/beep-search.ts), through the tone detector's onsetSpans (src/sync/tone/tone.ts).
describe('the audio command searches the sync beep at the file ends', () => {
  it('searches the whole file when the two ends meet, the length is unknown or the search is 0', () => {
    expect(beepSearchSpans(120, 60, 16000)).toBeUndefined();
    expect(beepSearchSpans(null, 60, 16000)).toBeUndefined();
    expect(beepSearchSpans(undefined, 60, 16000)).toBeUndefined();
    expect(beepSearchSpans(600, 0, 16000)).toBeUndefined();
    expect(beepSearchSpans(600, 60, 16000)).toEqual([
      [0, 960000],
      [8640000, Infinity],
    ]);
  });

  it('finds the beeps at the ends as the whole-file scan does, to the bit, and not the one in between', async () => {
    const sr = 16000;
    const x = await speechTrack(sr, 150, 7);
    addBeeps(x, sr, [5.123, 75.456, 144.789].map((t) => ({ t_s: t, dur_s: 0.3, amp: 0.3 })));
    const whole = findToneBursts(x, sr);
    expect(whole.map((d) => Math.round(d.t_s * 1000))).toEqual([5123, 75456, 144789]);
    // The chunks holding onsets in the first and last 60 s are the whole scan's chunks (30 s steps): the same
    // detections, every field; the chunk of 60-90 s is not analysed.
    const ends = findToneBursts(x, sr, 0, { onsetSpans: beepSearchSpans(150, 60, sr) });
    expect(ends).toEqual([whole[0], whole[2]]);
  });
});
