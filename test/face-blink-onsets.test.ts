/**
 * Blink onsets (summary `blinks`): a frame whose blink is null (eye not visible, no face) is not an open eye. The
 * sequence is the per-frame blink of the trial's coverB_tight.mp4 (2026-12-06, W4: eyes under skin patches, the right
 * eye's visibility 0.495-0.512 around the 0.5 threshold), where 3 onsets (180/min) were counted before.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_BLINK_EAR, isBlinkOnset } from '../src/face/extract.js';
import { gatedBlink, OpenEyeMemory } from '../src/face/open-eyes.js';
import { faceSummaryWarnings } from '../src/face/summary-warnings.js';

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

type Ears = Array<[number | null, number | null]>;
/** Each frame's blink as faceQuality decides it (mean EAR under --blink-ear, both eyes read), then the open-eye rule. */
function blinks(ears: Ears, fps: number, gate = true): Array<boolean | null> {
  const memory = new OpenEyeMemory(DEFAULT_BLINK_EAR);
  return ears.map(([left, right], k) => {
    const shut = left !== null && right !== null ? (left + right) / 2 < DEFAULT_BLINK_EAR : null;
    const seen = memory.seenOpen(0, k / fps, { left, right });
    return gate ? gatedBlink(shut, null, seen).blink : shut;
  });
}
const trueAt = (seq: Array<boolean | null>) => seq.flatMap((b, k) => (b === true ? [k] : []));

// The visible EARs (left, right) of mmprep's records of OpenCV's Megamind.avi (23.976 fps) around its five blinks,
// frames 20-36, 66-75, 220-232 and 250-262 (2026-12-06), and of the trial's coverB_tight.mp4 (10 fps, cheek skin over
// both eyes; right null where its visibility was under 0.5).
const MEGAMIND: Array<{ first: number; ears: Ears; shut: number[]; onsets: number }> = [
  { first: 20, shut: [28, 29, 30, 32], onsets: 2, ears: [[0.3974,0.3814],[0.3756,0.3771],[0.3695,0.3864],[0.3862,0.3425],[0.5077,0.4036],[0.402,0.4123],[0.4235,0.3754],[0.2814,0.3211],[0.2003,0.17],[0.1606,0.1887],[0.1952,0.1834],[0.2234,0.1948],[0.2125,0.1869],[0.2261,0.2073],[0.2781,0.2943],[0.3944,0.3694],[0.4241,0.4069]] },
  { first: 66, shut: [71], onsets: 1, ears: [[0.4007,0.3731],[0.4229,0.3844],[0.3796,0.3749],[0.2907,0.2915],[0.2052,0.2019],[0.1828,0.2081],[null,0.1587],[0.3328,0.1501],[0.3837,0.2347],[0.3585,0.265]] },
  { first: 220, shut: [227, 228], onsets: 1, ears: [[0.4546,0.4677],[0.4625,0.4645],[0.455,0.4761],[0.455,0.4674],[0.4821,0.4752],[0.4552,0.4448],[0.2955,0.2615],[0.2212,0.0824],[0.1524,0.0633],[0.2241,0.1771],[0.281,0.2444],[0.2864,0.2649],[0.3185,0.3187]] },
  { first: 250, shut: [256, 257, 258], onsets: 1, ears: [[0.4343,0.4547],[0.4084,0.4492],[0.4027,0.42],[0.4029,0.437],[0.4204,0.4235],[0.3702,0.3974],[0.1282,0.0974],[0.1428,0.0744],[0.1029,0.0572],[0.3542,0.3432],[0.4187,0.4442],[0.4717,0.4529],[0.4669,0.4805]] },
];
const COVER_B_TIGHT: Ears = [[0.2101,null],[0.1736,0.2238],[0.1808,0.2396],[0.1809,null],[0.1431,0.238],[0.1736,null],[0.1808,null],[0.1808,0.2396],[0.1736,null],[0.1752,0.2237]];

describe('a closed eye is a blink only where the eyes were seen open (open-eyes.ts)', () => {
  it("keeps every one of Megamind's blinks: the same frames shut, the same onsets", () => {
    for (const m of MEGAMIND) {
      const seq = blinks(m.ears, 23.976);
      expect(trueAt(seq).map((k) => k + m.first), `from frame ${m.first}`).toEqual(m.shut);
      expect(count(seq), `from frame ${m.first}`).toBe(m.onsets);
      expect(seq).toEqual(blinks(m.ears, 23.976, false));
    }
  });
  it('eyes under skin patches (coverB_tight: EAR 0.14-0.24, never open): null on every frame, where 3 frames read shut', () => {
    expect(trueAt(blinks(COVER_B_TIGHT, 10, false))).toEqual([1, 4, 9]);
    expect(blinks(COVER_B_TIGHT, 10)).toEqual(COVER_B_TIGHT.map(() => null));
    expect(gatedBlink(true, null, false)).toEqual({ blink: null, reason: 'eye_not_seen_open' });
    expect(gatedBlink(null, 'eye_not_visible', false)).toEqual({ blink: null, reason: 'eye_not_visible' });
  });
  it('an eye shut for over a second after it was last seen open reads null from then on (1 s at 10 fps: frames 3-13)', () => {
    const ears: Ears = [...Array(3).fill([0.35, 0.35]), ...Array(15).fill([0.12, 0.12])];
    expect(blinks(ears, 10)).toEqual([false, false, false, ...Array(10).fill(true), ...Array(5).fill(null)]);
    // Per face: another face's open eyes do not vouch for this one's.
    const memory = new OpenEyeMemory(DEFAULT_BLINK_EAR);
    expect(memory.seenOpen(1, 0, { left: 0.35, right: 0.35 })).toBe(true);
    expect(memory.seenOpen(2, 0.1, { left: 0.12, right: 0.12 })).toBe(false);
    expect(memory.seenOpen(1, 0.2, { left: 0.12, right: 0.12 })).toBe(true);
  });
});

// blinks 0 on a clip whose eyes never read open is not a measurement: said, with the two causes and what to do.
describe('the summary warns when most frames have blink null and some were not seen open', () => {
  const warned = (blinkNull: number, notSeenOpen: number) => faceSummaryWarnings({ frames_analysed: 10, frames_with_face: 10, frames_blink_null: blinkNull, frames_eye_not_seen_open: notSeenOpen }).filter((w) => /eye_not_seen_open/.test(w));
  it('coverB_tight (10 null, 5 not seen open) and coverL_skin (10, 10): warned; half or none not seen open: not', () => {
    expect(warned(10, 5)).toEqual([expect.stringMatching(/^10 of 10 frames with a face have blink null, 5 because the eyes did not read open .* lower --blink-ear \(e\.g\. --blink-ear 0\.15\)$/)]);
    expect(warned(10, 10)).toHaveLength(1);
    expect(warned(5, 5)).toEqual([]);
    expect(warned(10, 0)).toEqual([]); // every eye covered by the visibility cue: eye_not_visible, as before
  });
});
