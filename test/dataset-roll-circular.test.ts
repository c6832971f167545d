/**
 * roll_deg is an angle: -180 and 180 are one pose. A new user's trial (ttrial48b W2): an upside-down camera (roll near
 * +-180) built a release whose roll on the audio grid read -156, -66, 23.6, 113 on 72 of 336 grid times, and whose
 * functionals read mean -121, std 133, exit 0. Interpolation now goes the shorter way round and the functionals are
 * taken around the circular mean; rolls that never cross +-180 give the same numbers as before.
 */
import { describe, expect, it } from 'vitest';
import { circularLerp, WeightedAngle, WeightedScalar } from '../src/dataset/functionals.js';
import { buildRecord, type RecordContext } from '../src/dataset/record.js';
import type { Frame } from '../src/dataset/frames.js';

describe('circular interpolation and functionals', () => {
  it('178 to -178 passes through 180, not 0; within 180 of each other it is the linear value', () => {
    expect(circularLerp(178, -178, 0.5)).toBe(180);
    expect(circularLerp(178, -178, 0.25)).toBe(179);
    expect(circularLerp(178, -178, 0.75)).toBe(-179);
    expect(circularLerp(-10, 30, 0.25)).toBe(0);
  });

  it('rolls 178..-178 summarise to mean 180, std 1.41 around it; rolls that do not cross +-180 as WeightedScalar does', () => {
    const acc = new WeightedAngle();
    for (const v of [178, 179, 180, -179, -178]) acc.add(v, 1);
    const r = acc.result();
    expect(r.mean).toBeCloseTo(180, 9);
    expect(r.std).toBeCloseTo(Math.sqrt(2), 6); // rounded to 7 significant digits (round7)
    expect([r.min, r.max, r.n]).toEqual([178, 182, 5]);
    const a = new WeightedAngle();
    const s = new WeightedScalar();
    for (const [v, w] of [[-12.5, 1], [3.25, 0.5], [40, 1], [null, 1]] as Array<[number | null, number]>) {
      a.add(v, w);
      s.add(v, w);
    }
    expect(a.result()).toEqual(s.result());
  });
});

describe('a record of an upside-down face', () => {
  it('its roll on the audio grid and its functionals stay near 180', () => {
    const face: Frame[] = Array.from({ length: 10 }, (_, i) => ({ t_s: i * 0.04, face_found: true, roll_deg: i % 2 ? -178.5 : 178.5 }) as Frame);
    const audio: Frame[] = Array.from({ length: 40 }, (_, i) => ({ t_s: i * 0.01 }) as Frame);
    const ctx: RecordContext = { session_id: 's', speaker_id: 'p', split: 'train', audioFields: [], faceFields: ['roll_deg'], faceRate: 'audio', audioInfo: { step: 0.01 }, faceInfo: { step: 0.04 }, syncConfidence: 1 };
    const seg = { id: 's/u0000', start_s: 0, end_s: 0.36, text: null, words: [], speakers: [], word_timing: null };
    const rec = buildRecord(seg, ctx, audio, face, {}) as { face: { frames: { roll_deg: number[] }; functionals: { roll_deg: { mean: number; std: number } } } };
    for (const v of rec.face.frames.roll_deg) expect(Math.abs(v)).toBeGreaterThanOrEqual(178.5 - 1e-9);
    expect(Math.abs(rec.face.functionals.roll_deg.mean)).toBeGreaterThan(179.9);
    expect(rec.face.functionals.roll_deg.std).toBeCloseTo(1.5, 1);
  });
});
