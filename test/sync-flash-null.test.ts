import { describe, expect, it } from 'vitest';
import { calibrate, CLEAR_MARGIN, looseFitReason, summariseNull, upperBoundFactor } from '../src/sync/flash/flash-null.js';

// Null score tracks measured by the flash detector on real footage (Debian opencv-doc's vtest.avi, 10 fps, with an
// LED composited by scripts/make-sync-scenes.mjs --set real), rounded to 0.01: each is the best pulse score per
// onset frame away from the detection, in one search window (92 frames).
const WALKING_NEG = [0, 0, 0, 0, 0, 0, 0, 0.13, 0.22, 0.32, 0.35, 0.36, 0.38, 0.63, 0.64, 0.71, 0.75, 0.84, 0.93, 1.01, 1.21, 1.26, 1.31, 1.35, 1.36, 1.39, 1.43, 1.46, 1.47, 1.51, 1.6, 1.6, 1.64, 1.69, 1.71, 1.76, 1.8, 1.82, 1.89, 1.93, 1.94, 1.97, 2.04, 2.07, 2.08, 2.09, 2.14, 2.17, 2.19, 2.19, 2.25, 2.29, 2.31, 2.42, 2.91, 2.97, 3.05, 3.11, 3.49, 3.75, 3.8, 3.81, 3.85, 4.14, 4.17, 4.27, 4.28, 4.31, 4.31, 4.47, 4.49, 4.67, 4.88, 4.97, 5.03, 5.45, 5.55, 6.39, 6.58, 6.58, 6.71, 6.85, 6.86, 6.98, 7.07, 7.58, 7.88, 8.01, 8.06, 10.82, 11.04, 14.89];
const WITH_LED = [...Array(19).fill(0), 0.01, 0.05, 0.09, 0.15, 0.16, 0.16, 0.3, 0.39, 0.42, 0.48, 0.48, 0.52, 0.56, 0.6, 0.63, 0.64, 0.64, 0.76, 0.82, 0.86, 0.93, 0.93, 1.0, 1.03, 1.04, 1.07, 1.08, 1.15, 1.26, 1.33, 1.36, 1.36, 1.46, 1.55, 1.56, 1.61, 1.72, 1.75, 1.78, 1.84, 1.87, 1.88, 1.93, 1.94, 1.96, 1.99, 2.03, 2.06, 2.15, 2.42, 2.44, 2.47, 2.55, 2.66, 2.69, 2.81, 2.84, 2.85, 3.2, 3.27, 3.31, 3.45, 3.52, 3.65, 3.66, 5.15, 5.4, 5.74, 8.11, 8.43, 13.32, 13.52, 122.97];

describe('flash confidence on small nulls (flash-null.ts, issue 11 item 2)', () => {
  it('bounds the tail scale by its 80 % upper confidence limit from k exceedances (2k / chi2(0.2; 2k))', () => {
    // chi2 20 % quantiles (R: qchisq(0.2, df)): 8 -> 4.593574, 18 -> 12.856953, 50 -> 41.449211, 200 -> 183.002791.
    expect(upperBoundFactor(4)).toBeCloseTo(8 / 4.593574, 1);
    expect(upperBoundFactor(9)).toBeCloseTo(18 / 12.856953, 2);
    expect(upperBoundFactor(25)).toBeCloseTo(50 / 41.449211, 2);
    expect(upperBoundFactor(100)).toBeCloseTo(200 / 183.002791, 2);
  });

  it('gives less confidence, never more, when the same clutter is seen over fewer null frames', () => {
    const many = summariseNull(WALKING_NEG.concat(WALKING_NEG, WALKING_NEG));
    const few = summariseNull(WALKING_NEG.concat(WALKING_NEG));
    const fewer = summariseNull(WALKING_NEG);
    for (const z of [16, 20, 30]) {
      const [a, b, c] = [many, few, fewer].map((s) => calibrate(s, z, 9, { bounded: true }).expected_false);
      expect(a).toBeLessThan(b);
      expect(b).toBeLessThan(c);
    }
    // The pedestrian of vtest@52s-neg (19.2, 1.3x the null maximum) over a session's 9-frame span: the point estimate
    // of the tail called it 0.002 false pulses; the bound makes it several times that (its shape refuses it, below).
    const point = calibrate(fewer, 19.19, 9).expected_false;
    expect(calibrate(fewer, 19.19, 9, { bounded: true }).expected_false).toBeGreaterThan(3 * point);
  });

  it('still places a real LED pulse far above the same kind of clutter', () => {
    // vtest@0s: the LED scored 293.6 in a 4-frame guide span, against a null with a 123 outlier (2.4x).
    expect(calibrate(summariseNull(WITH_LED), 293.6, 4, { bounded: true }).confidence).toBeGreaterThanOrEqual(0.95);
  });

  it('a ragged pulse near the clutter is not a light: the pedestrian and the slide change with an occlusion are refused, LEDs are not', () => {
    // Measured (measure-sync-flash.mjs): the pedestrian of vtest@52s-neg, guided (fit residual 16 % of the rise) ...
    expect(looseFitReason({ score: 19.19, nullMax: 14.89, rms: 4.6, amp: 29, guided: true })).toMatch(/only loosely \(residual 16 %.*1\.3x/);
    // ... and a held-out scene's slide change with an occlusion, unguided at 6.1x the window's next event (18 %).
    expect(looseFitReason({ score: 47.8, nullMax: 7.8, rms: 6.25, amp: 35.3, guided: false })).toMatch(/no beep of the camera's own/);
    // LEDs on real footage fit within 7 %, also at 2.4x the clutter (vtest@0s) and unguided.
    expect(looseFitReason({ score: 293.6, nullMax: 122.97, rms: 0.74, amp: 148, guided: true })).toBeNull();
    expect(looseFitReason({ score: 46.4, nullMax: 4.7, rms: 2.0, amp: 29, guided: false })).toBeNull();
    // A loose fit far above the clutter, within the camera's own beep's span, is still a light.
    expect(looseFitReason({ score: CLEAR_MARGIN * 20 + 1, nullMax: 20, rms: 5, amp: 30, guided: true })).toBeNull();
  });
});

// The guided negative control on rendered video (a beep heard, the LED dark) is in sync-flash-scenes.test.ts, which
// renders the small set that holds its case.
