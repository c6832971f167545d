/** Unit checks of the audio library: streaming invariance, short inputs, mel scale, deltas. */
import { describe, expect, it } from 'vitest';
import { analyzePcm } from '../src/audio/features.js';
import { hzToMel, melToHz, melFilterBank } from '../src/audio/mel.js';
import { deltaFeatures } from '../src/audio/delta.js';

function chunked(x: Float32Array, size: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < x.length; i += size) out.push(x.slice(i, i + size));
  return out;
}

function voiceLike(n: number, sr = 16000): Float32Array {
  const x = new Float32Array(n);
  let seed = 12345;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const t = i / sr;
    const f = 120 + 30 * Math.sin(2 * Math.PI * 0.7 * t);
    const env = 0.5 + 0.5 * Math.sin(2 * Math.PI * 3 * t);
    x[i] = 0.3 * env * Math.sin(2 * Math.PI * f * t) + 0.01 * (seed / 2 ** 32 - 0.5);
  }
  return x;
}

describe('streaming', () => {
  it('gives identical features whatever the chunk size (memory bounded by the window, not the file)', async () => {
    const x = voiceLike(16000 * 3 + 77);
    const a = await analyzePcm(chunked(x, 1 << 16));
    const b = await analyzePcm(chunked(x, 333));
    const c = await analyzePcm(chunked(x, 1));
    for (const other of [b, c]) {
      expect(other.nFrames).toBe(a.nFrames);
      expect(Array.from(other.mfcc)).toEqual(Array.from(a.mfcc));
      expect(Array.from(other.f0)).toEqual(Array.from(a.f0));
      expect(Array.from(other.rms)).toEqual(Array.from(a.rms));
      expect(Array.from(other.zcr)).toEqual(Array.from(a.zcr));
      expect(other.nuclei).toEqual(a.nuclei);
    }
    expect(a.nFrames).toBe(1 + Math.floor(x.length / 160));
  });

  it('short input: fewer than 9 frames gives null deltas with a reason; empty input gives no frames', async () => {
    const s = await analyzePcm([voiceLike(160 * 5)]);
    expect(s.nFrames).toBe(6);
    expect(s.delta).toBeNull();
    expect(s.delta2).toBeNull();
    expect(s.deltaReason).toMatch(/fewer than 9 frames/);
    const e = await analyzePcm([]);
    expect(e.nFrames).toBe(1);
    expect(e.nuclei.n_syllables).toBe(0);
  });

  it("a sound shorter than the pitch window (3 periods of the floor) gets no F0, with the reason, as Praat's To Pitch refuses it", async () => {
    // 100 Hz, three harmonics. Before: frames F0'd from zero-padded windows (a male voice's 10-20 ms clips 4 octaves high).
    const tone = (n: number) => Float32Array.from({ length: n }, (_, i) => [1, 2, 3].reduce((a, k) => a + (0.3 / k) * Math.sin((2 * Math.PI * 100 * k * i) / 16000), 0));
    const short = await analyzePcm([tone(320)], {}, { threads: false }); // 20 ms < 46 ms at the 65 Hz floor
    expect(Array.from(short.f0)).toEqual([0, 0, 0]);
    expect(short.f0Reason).toBe("the sound (20 ms) is shorter than the pitch analysis window (46 ms: 3 periods of the 65 Hz floor), so F0 is not measured and every frame is unvoiced, as Praat's To Pitch refuses such a sound; a higher --f0-floor shortens the window");
    const long = await analyzePcm([tone(800)], {}, { threads: false }); // 50 ms
    expect(long.f0Reason).toBeUndefined();
    expect(Array.from(long.f0).every((v) => Math.abs(v - 100) < 0.5)).toBe(true);
  });
});

describe('building blocks', () => {
  it('Slaney mel scale: linear below 1 kHz, 15 mel at 1 kHz, invertible', () => {
    expect(hzToMel(1000)).toBeCloseTo(15, 12);
    expect(hzToMel(200)).toBeCloseTo(3, 12);
    for (const f of [0, 55, 440, 1000, 3000, 8000]) expect(melToHz(hzToMel(f))).toBeCloseTo(f, 9);
    const bank = melFilterBank(16000, 512, 40, 0, 8000);
    expect(bank).toHaveLength(40);
    // Slaney area normalisation: each triangle integrates (over Hz) to about 1.
    const df = 16000 / 512;
    for (const b of bank.slice(5)) expect(b.weights.reduce((s, w) => s + w, 0) * df).toBeCloseTo(1, 1);
  });

  it('deltas: slope of a linear ramp, zero second derivative, constant edges (mode interp)', () => {
    const n = 20;
    const x = new Float64Array(n).map((_, i) => 3 * i + 1);
    const d = deltaFeatures(x, n, 1, 9, 1)!;
    const d2 = deltaFeatures(x, n, 1, 9, 2)!;
    for (let i = 0; i < n; i++) {
      expect(d[i]).toBeCloseTo(3, 12);
      expect(d2[i]).toBeCloseTo(0, 12);
    }
    const q = new Float64Array(n).map((_, i) => i * i);
    const q2 = deltaFeatures(q, n, 1, 9, 2)!;
    for (let i = 0; i < n; i++) expect(q2[i]).toBeCloseTo(2, 10);
  });
});

describe('functionals', () => {
  it('percentiles by selection equal the sorted-array definition (numpy linear)', async () => {
    const { functionals, percentileSorted } = await import('../src/audio/functionals.js');
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 100 - 50;
    for (const n of [1, 2, 3, 10, 101, 1000]) {
      const v = Float64Array.from({ length: n }, () => Math.round(rnd() * 4) / 4); // ties included
      const f = functionals(v, n, 0.01);
      const sorted = Float64Array.from(v).sort();
      expect(f.p5).toBeCloseTo(percentileSorted(sorted, 0.05), 12);
      expect(f.p50).toBeCloseTo(percentileSorted(sorted, 0.5), 12);
      expect(f.p95).toBeCloseTo(percentileSorted(sorted, 0.95), 12);
      expect(f.mean).toBeCloseTo(v.reduce((a, b) => a + b, 0) / n, 10);
    }
    // The three percentiles from one split (percentiles5_50_95) are exactly those selected one by one.
    const { percentiles5_50_95, percentileSelect } = await import('../src/audio/functionals.js');
    for (let n = 1; n <= 300; n += n < 40 ? 1 : 37) {
      for (const step of [0.25, 1e-9]) {
        const v = Float64Array.from({ length: n }, () => Math.round(rnd() / step) * step);
        const one = [0.05, 0.5, 0.95].map((q) => percentileSelect(Float64Array.from(v), q));
        expect(percentiles5_50_95(Float64Array.from(v)), `n=${n}`).toEqual(one);
      }
    }
    // Long series: the sampled brackets give the same values as selection (===: a zero may come back as -0 from one
    // and 0 from the other, which JSON and the writers print alike), on random, tied, sorted,
    // reversed, constant, periodic and skewed series; the brackets held the order statistics (no fallback) on all
    // but the degenerate ones. Series with a gap in the frames use the per-series index moments, the same bits.
    const { sampledPercentiles5_50_95, selectedPercentiles5_50_95 } = await import('../src/audio/functionals.js');
    const series: Array<[string, (i: number) => number]> = [
      ['random', () => rnd()],
      ['ties', () => Math.round(rnd() / 5)],
      ['sorted', (i) => i * 0.5],
      ['reversed', (i) => -i],
      ['constant', () => 3],
      ['periodic', (i) => Math.sin(i % 97) * 10],
      ['skewed', () => Math.exp(rnd() / 5)],
      ['two values', (i) => (i % 10 === 0 ? 1 : 0)],
    ];
    let used = 0;
    for (const n of [16384, 16385, 60001]) {
      for (const [name, gen] of series) {
        const v = Float64Array.from({ length: n }, (_, i) => gen(i));
        const want = selectedPercentiles5_50_95(Float64Array.from(v));
        const got = sampledPercentiles5_50_95(v);
        if (got) {
          used++;
          got.forEach((x, j) => expect(x === want[j], `${name} n=${n} p${[5, 50, 95][j]}: ${x} vs ${want[j]}`).toBe(true));
        }
        expect(percentiles5_50_95(Float64Array.from(v)).map((x, j) => x === want[j])).toEqual([true, true, true]);
      }
    }
    expect(used).toBeGreaterThanOrEqual(18);
    const gappy = Float64Array.from({ length: 20000 }, () => rnd());
    const use = Uint8Array.from({ length: 20000 }, (_, i) => (i % 7 === 3 ? 0 : 1));
    const fg = functionals(gappy, 20000, 0.01, 1, 0, use);
    const full = functionals(gappy, 20000, 0.01);
    const kept = Float64Array.from(gappy.filter((_, i) => use[i]));
    const idx = Float64Array.from(Array.from({ length: 20000 }, (_, i) => i).filter((i) => use[i]));
    const mi = idx.reduce((a, b) => a + b, 0) / idx.length;
    const mv = kept.reduce((a, b) => a + b, 0) / kept.length;
    let sii = 0;
    let siv = 0;
    for (let j = 0; j < idx.length; j++) sii += (idx[j] - mi) * (idx[j] - mi);
    for (let j = 0; j < idx.length; j++) siv += (idx[j] - mi) * (kept[j] - mv);
    expect(fg.slope_per_s).toBe(siv / sii / 0.01);
    expect(full.n).toBe(20000);
    const ramp = functionals(Float64Array.from({ length: 50 }, (_, i) => 2 * i), 50, 0.01);
    expect(ramp.slope_per_s).toBeCloseTo(200, 9);
  });
});

describe('deltas in one pass', () => {
  it('deltaFeaturesBoth equals deltaFeatures order 1 and 2', async () => {
    const { deltaFeaturesBoth } = await import('../src/audio/delta.js');
    const n = 40;
    const dim = 3;
    const x = Float64Array.from({ length: n * dim }, (_, i) => Math.sin(i * 0.37) * 10 + (i % 7));
    const [a, b] = deltaFeaturesBoth(x, n, dim, 9)!;
    const a1 = deltaFeatures(x, n, dim, 9, 1)!;
    const b1 = deltaFeatures(x, n, dim, 9, 2)!;
    for (let i = 0; i < n * dim; i++) {
      expect(a[i]).toBeCloseTo(a1[i], 12);
      expect(b[i]).toBeCloseTo(b1[i], 12);
    }
    expect(deltaFeaturesBoth(x, 8, dim, 9)).toBeNull();
  });
});
