/**
 * Audio kernels rewritten for speed (issue 15 item 3) against their plain definitions: the pitch analyser's
 * autocorrelation (power spectrum -> cosine transform by a half-size FFT) equals the direct circular
 * autocorrelation, and the split sinc interpolation gives the same bits as Praat's single-loop
 * NUM_interpolate_sinc written out plainly (the form it replaced), and the real-input FFT (real-fft-js.ts) equals a
 * direct DFT and fft.js; the beep detector's median and k-th smallest by selection (tone-math.ts) give the bits of
 * the sort they replaced.
 */
import { describe, expect, it } from 'vitest';
import { PitchAnalyzer } from '../src/audio/pitch.js';
import { sincInterpolate } from '../src/audio/sinc.js';
import { createRealFft as RealFftCreate, RealFftJs } from '../src/audio/real-fft.js';
import FFT from 'fft.js';
import { kthSmallest, median } from '../src/sync/tone/tone-math.js';

/** Praat's NUM_interpolate_sinc on a lag array mirrored at 0, as one loop per side (the replaced code). */
function plainSinc(r: Float64Array, rMax: number, x: number, maxDepth: number, nonzero = rMax): number {
  const midleft = Math.floor(x);
  const midright = midleft + 1;
  if (x === midleft) return r[Math.abs(midleft)];
  if (x >= rMax) return r[rMax];
  const depth = Math.min(maxDepth, rMax - midleft);
  if (depth < 1) return r[Math.abs(Math.round(x))];
  const left = midright - depth;
  const right = midleft + depth;
  let result = 0;
  const side = (from: number, to: number, step: number, a0: number, span: number) => {
    let a = a0;
    let halfsina = 0.5 * Math.sin(a);
    let cosaa = Math.cos(a / span);
    let sinaa = Math.sin(a / span);
    const cosdaa = Math.cos(Math.PI / span);
    const sindaa = Math.sin(Math.PI / span);
    for (let ix = from; step < 0 ? ix >= to : ix <= to; ix += step) {
      if (step < 0 ? ix < -nonzero : ix > nonzero) break;
      result += r[step < 0 ? Math.abs(ix) : ix] * ((halfsina / a) * (1 + cosaa));
      a += Math.PI;
      const help = cosaa * cosdaa - sinaa * sindaa;
      sinaa = cosaa * sindaa + sinaa * cosdaa;
      cosaa = help;
      halfsina = -halfsina;
    }
  };
  side(midleft, left, -1, Math.PI * (x - midleft), x - left + 1);
  side(midright, right, 1, Math.PI * (midright - x), right - x + 1);
  return result;
}

/** Deterministic pseudo-random numbers in [-0.5, 0.5). */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;
}

describe('audio kernels', () => {
  it('sincInterpolate gives the bits of the plain NUM_interpolate_sinc (depths 30, 70, 700; lag limits)', () => {
    const rnd = lcg(7);
    const r = Float64Array.from({ length: 289 }, (_, i) => Math.cos(i / 9) * Math.exp(-i / 120) + 0.01 * rnd());
    for (let i = 0; i < 5000; i++) {
      const x = 300 * (rnd() + 0.5) - 2;
      const depth = [30, 70, 700][i % 3];
      const nonzero = i % 4 === 0 ? 200 : 288;
      expect(Object.is(sincInterpolate(r, 288, x, depth, nonzero), plainSinc(r, 288, x, depth, nonzero)), `x=${x} depth=${depth}`).toBe(true);
    }
  });

  it('the pitch autocorrelation equals the direct circular autocorrelation (lags 0..M/2, to 1e-12 of lag 0)', () => {
    const p = new PitchAnalyzer({ sampleRate: 16000, hop: 160, floor: 65, ceiling: 600, maxCandidates: 15, silenceThreshold: 0.03, voicingThreshold: 0.45, octaveCost: 0.01, octaveJumpCost: 0.35, voicedUnvoicedCost: 0.14 });
    const k = p as unknown as { M: number; nsampWindow: number; frameBuf: Float64Array; acf: Float64Array; powerSpectrum(): void; autocorrelate(): void };
    const rnd = lcg(11);
    const M = k.M;
    for (let t = 0; t < 5; t++) {
      k.frameBuf.fill(0);
      for (let i = 0; i < k.nsampWindow; i++) k.frameBuf[i] = rnd();
      k.powerSpectrum();
      k.autocorrelate();
      const direct = (lag: number) => {
        let s = 0;
        for (let i = 0; i < M; i++) s += k.frameBuf[i] * k.frameBuf[(i + lag) % M];
        return s;
      };
      const scale = direct(0) / k.acf[0];
      for (let lag = 0; lag <= M / 2; lag++) expect(Math.abs(k.acf[lag] * scale - direct(lag))).toBeLessThan(1e-12 * direct(0));
    }
  });
  it('RealFft equals a direct DFT and fft.js on random frames (sizes 8..2048, to 1e-12 of the largest bin)', () => {
    const rnd = lcg(5);
    for (const n of [8, 16, 32, 64, 128, 256, 512, 1024, 2048]) {
      const f = new RealFftJs(n);
      const ref = new FFT(n);
      const out = ref.createComplexArray() as number[];
      const power = new Float64Array(n / 2 + 1);
      for (let t = 0; t < 6; t++) {
        // scales from 1e-3 to 1e3; t = 5: a frame that is zero beyond 70 % (as the analysers' zero-padded frames)
        const scale = 10 ** (t - 2);
        const x = Float64Array.from({ length: n }, (_, j) => (t === 5 && j > 0.7 * n ? 0 : scale * rnd()));
        f.forward(x);
        f.power(x, power);
        ref.realTransform(out, x);
        ref.completeSpectrum(out);
        let top = 0;
        for (let k = 0; k <= n / 2; k++) top = Math.max(top, Math.hypot(out[2 * k], out[2 * k + 1]));
        for (let k = 0; k <= n / 2; k++) {
          let re = 0;
          let im = 0;
          if (n <= 512) {
            for (let j = 0; j < n; j++) {
              const a = (-2 * Math.PI * ((j * k) % n)) / n;
              re += x[j] * Math.cos(a);
              im += x[j] * Math.sin(a);
            }
            expect(Math.hypot(f.re[k] - re, f.im[k] - im), `n=${n} k=${k} vs DFT`).toBeLessThan(1e-12 * top);
          }
          expect(Math.hypot(f.re[k] - out[2 * k], f.im[k] - out[2 * k + 1]), `n=${n} k=${k} vs fft.js`).toBeLessThan(1e-12 * top);
          expect(Math.abs(power[k] - (f.re[k] ** 2 + f.im[k] ** 2)), `n=${n} k=${k} power`).toBeLessThan(1e-12 * top * top);
        }
      }
    }
    expect(() => RealFftCreate(12)).toThrow(RangeError);
    expect(() => new RealFftJs(12)).toThrow(RangeError);
  });
  it('kthSmallest and median give the bits of sorting (odd/even counts, ties, zeros of both signs, NaN)', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const sortedMedian = (a: Float64Array) => {
      const s = Float64Array.from(a).sort();
      const m = s.length >> 1;
      return s.length === 0 ? 0 : s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
    };
    for (let t = 0; t < 300; t++) {
      const n = 1 + Math.floor(rnd() * 60);
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const u = rnd();
        // Ties, +0 and -0 (sort() puts -0 first), the odd NaN, and plain values.
        a[i] = u < 0.1 ? 0 : u < 0.2 ? -0 : u < 0.22 && t % 5 === 0 ? NaN : u < 0.4 ? Math.round(u * 4) : u * 100 - 50;
      }
      expect(Object.is(median(a), sortedMedian(a))).toBe(true);
      const k = Math.floor(rnd() * n);
      expect(Object.is(kthSmallest(Float64Array.from(a), k), Float64Array.from(a).sort()[k])).toBe(true);
    }
    expect(median(new Float64Array(0))).toBe(0);
  });
});
