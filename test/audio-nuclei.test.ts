/**
 * The syllable nuclei in two steps (src/audio/nuclei.ts): nucleiCandidates needs the intensity contour only (mmprep
 * audio finds them while the pitch worker runs), nucleiOf applies the voicing check once the F0 track is in. Together
 * they are syllableNuclei; the voicing check decides which candidates count.
 */
import { describe, expect, it } from 'vitest';
import { nucleiCandidates, nucleiOf, syllableNuclei } from '../src/audio/nuclei.js';

/** 100 frames a second for 4 s: 60 dB with four 12 dB bumps (at 0.5, 1.5, 2.5 and 3.5 s) over dips to 48 dB. */
function contour(): { db: Float64Array; times: Float64Array } {
  const n = 400;
  const db = new Float64Array(n);
  const times = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    times[k] = (k + 0.5) / 100;
    db[k] = 54 + 6 * Math.cos(2 * Math.PI * (times[k] - 0.5));
  }
  return { db, times };
}

const P = { silenceDb: -25, minDipDb: 2, minPauseS: 0.3, minSoundingS: 0.1 };

describe('syllable nuclei before and after the voicing check', () => {
  it('the candidates are the peaks above their dips (the last one has no follower); only voiced ones count', () => {
    const { db, times } = contour();
    const c = nucleiCandidates(db, times, 4, P);
    expect(c.valid!.map((t) => Math.round(t * 100) / 100)).toEqual([0.5, 1.5, 2.5]);
    const all = nucleiOf(c, () => true);
    expect(all.n_syllables).toBe(3);
    // Voiced only around 1.5 s: one nucleus, the same pauses and sounding time.
    const one = nucleiOf(c, (t) => t > 1 && t < 2);
    expect(one.n_syllables).toBe(1);
    expect(one.nuclei_times_s[0]).toBeCloseTo(1.5, 2);
    expect(one.phonation_time_s).toBe(all.phonation_time_s);
    expect(nucleiOf(c, () => false).n_syllables).toBe(0);
  });

  it('syllableNuclei is nucleiOf of the candidates, value for value', () => {
    const { db, times } = contour();
    const voiced = (t: number) => t < 2;
    expect(syllableNuclei(db, times, 4, voiced, P)).toEqual(nucleiOf(nucleiCandidates(db, times, 4, P), voiced));
    expect(syllableNuclei(db, times, 4, voiced, P).n_syllables).toBe(2);
  });

  it("short sounding parts are absorbed before short silences, in Praat's order: a 50 ms blip between two 150 ms silences leaves one pause", () => {
    // 100 frames a second for 3 s: 70 dB, but 30 dB over 1.00-1.15 s and 1.20-1.35 s (a blip at 1.15-1.20 s).
    const n = 300;
    const times = Float64Array.from({ length: n }, (_, k) => (k + 0.5) / 100);
    const db = times.map((t) => ((t > 1 && t < 1.15) || (t > 1.2 && t < 1.35) ? 30 : 70));
    const r = nucleiOf(nucleiCandidates(db, times, 3, P), () => true);
    // Praat's To TextGrid (silences) 45 dB, 0.3, 0.1: the blip goes silent, then the 0.35 s silence is a pause.
    expect(r.n_pauses).toBe(1);
    expect(r.pause_durations_s[0]).toBeCloseTo(0.35, 9);
    expect(r.phonation_time_s).toBeCloseTo(2.65, 9);
    expect(r.sounding_intervals_s.map(([a, b]) => [+a.toFixed(6), +b.toFixed(6)])).toEqual([[0, 1], [1.35, 3]]);
  });

  it('fewer than 3 frames: no nuclei, nothing measured', () => {
    const r = nucleiOf(nucleiCandidates(new Float64Array([60, 61]), new Float64Array([0.005, 0.015]), 0.02, P), () => true);
    expect(r.n_syllables).toBe(0);
    expect(r.intensity_max_db).toBeNull();
  });
});
