import { describe, expect, it } from 'vitest';
import { calibrate, summariseNull } from '../src/sync/flash-null.js';

// Null score tracks measured by the flash detector on real footage (Debian opencv-doc's vtest.avi, 10 fps, with an
// LED composited by scripts/make-sync-scenes.mjs --set real), rounded to 0.01: each is the best pulse score per
// onset frame away from the detection, in one search window (92 frames).
const WALKING_NEG = [0, 0, 0, 0, 0, 0, 0, 0.13, 0.22, 0.32, 0.35, 0.36, 0.38, 0.63, 0.64, 0.71, 0.75, 0.84, 0.93, 1.01, 1.21, 1.26, 1.31, 1.35, 1.36, 1.39, 1.43, 1.46, 1.47, 1.51, 1.6, 1.6, 1.64, 1.69, 1.71, 1.76, 1.8, 1.82, 1.89, 1.93, 1.94, 1.97, 2.04, 2.07, 2.08, 2.09, 2.14, 2.17, 2.19, 2.19, 2.25, 2.29, 2.31, 2.42, 2.91, 2.97, 3.05, 3.11, 3.49, 3.75, 3.8, 3.81, 3.85, 4.14, 4.17, 4.27, 4.28, 4.31, 4.31, 4.47, 4.49, 4.67, 4.88, 4.97, 5.03, 5.45, 5.55, 6.39, 6.58, 6.58, 6.71, 6.85, 6.86, 6.98, 7.07, 7.58, 7.88, 8.01, 8.06, 10.82, 11.04, 14.89];
const WITH_LED = [...Array(19).fill(0), 0.01, 0.05, 0.09, 0.15, 0.16, 0.16, 0.3, 0.39, 0.42, 0.48, 0.48, 0.52, 0.56, 0.6, 0.63, 0.64, 0.64, 0.76, 0.82, 0.86, 0.93, 0.93, 1.0, 1.03, 1.04, 1.07, 1.08, 1.15, 1.26, 1.33, 1.36, 1.36, 1.46, 1.55, 1.56, 1.61, 1.72, 1.75, 1.78, 1.84, 1.87, 1.88, 1.93, 1.94, 1.96, 1.99, 2.03, 2.06, 2.15, 2.42, 2.44, 2.47, 2.55, 2.66, 2.69, 2.81, 2.84, 2.85, 3.2, 3.27, 3.31, 3.45, 3.52, 3.65, 3.66, 5.15, 5.4, 5.74, 8.11, 8.43, 13.32, 13.52, 122.97];

describe('flash null calibration (heavy-tailed clutter, small null samples)', () => {
  it('does not call a walking person 1.3x the null maximum a pulse in a 92-frame window (negative control)', () => {
    // vtest@52s-neg: no LED lit; the guide's 5 frames hold a score of 19.2. The exponential tail called this
    // 0.0014 expected false pulses (confidence 0.9986, placed).
    const cal = calibrate(summariseNull(WALKING_NEG), 19.19, 5);
    expect(cal.expected_false).toBeGreaterThan(0.05);
    expect(cal.confidence).toBeLessThan(0.95);
  });

  it('still places a real LED pulse far above the same kind of clutter', () => {
    // vtest@0s: the LED scored 293.6 in a 4-frame guide span, against a null with a 123 outlier.
    const cal = calibrate(summariseNull(WITH_LED), 293.6, 4);
    expect(cal.confidence).toBeGreaterThanOrEqual(0.95);
  });

  it('gives less confidence, never more, when the same clutter is seen over fewer null frames', () => {
    // The same empirical distribution over 276, 184 and 92 frames.
    const many = summariseNull(WALKING_NEG.concat(WALKING_NEG, WALKING_NEG));
    const few = summariseNull(WALKING_NEG.concat(WALKING_NEG));
    const fewer = summariseNull(WALKING_NEG);
    for (const z of [20, 40, 80, 160]) {
      const [a, b, c] = [many, few, fewer].map((s) => calibrate(s, z, 5).expected_false);
      expect(a).toBeLessThanOrEqual(b);
      expect(b).toBeLessThanOrEqual(c);
    }
    // The tail's shape is bounded: never lighter than a power law (the exponential's optimism), never heavier than 1/z.
    for (const s of [many, few, fewer]) {
      expect(s.xi_bound).toBeGreaterThanOrEqual(0.2);
      expect(s.xi_bound).toBeLessThanOrEqual(1);
      expect(s.xi_bound).toBeGreaterThan(s.xi);
    }
  });

  it('grows the expected false count with the span searched, and refuses on a null too small to judge', () => {
    const s = summariseNull(WITH_LED);
    expect(calibrate(s, 60, 130).expected_false).toBeGreaterThan(calibrate(s, 60, 5).expected_false);
    expect(calibrate(summariseNull([1, 2]), 500, 3).confidence).toBeLessThan(0.1);
  });
});
