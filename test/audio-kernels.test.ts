/**
 * Audio kernels rewritten for speed (issue 15 item 3) against their plain definitions: the pitch analyser's
 * autocorrelation (power spectrum -> cosine transform by a half-size FFT) equals the direct circular
 * autocorrelation, and the split sinc interpolation gives the same bits as Praat's single-loop
 * NUM_interpolate_sinc written out plainly (the form it replaced).
 */
import { describe, expect, it } from 'vitest';
import { PitchAnalyzer } from '../src/audio/pitch.js';
import { sincInterpolate } from '../src/audio/sinc.js';

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
  it('two frames in one complex FFT give the power spectra of two real FFTs (to 1e-12 of the largest bin)', () => {
    const p = new PitchAnalyzer({ sampleRate: 16000, hop: 160, floor: 65, ceiling: 600, maxCandidates: 15, silenceThreshold: 0.03, voicingThreshold: 0.45, octaveCost: 0.01, octaveJumpCost: 0.35, voicedUnvoicedCost: 0.14 });
    const k = p as unknown as { nsampWindow: number; frameBuf: Float64Array; frameBufB: Float64Array; spec: Float64Array; specB: Float64Array; powerSpectrum(): void; powerSpectra2(): void };
    const rnd = lcg(7);
    for (let t = 0; t < 4; t++) {
      const a = Array.from({ length: k.nsampWindow }, () => rnd());
      // t = 2: the second frame silent (a frame pair where only one frame has candidates)
      const b = Array.from({ length: k.nsampWindow }, () => (t === 2 ? 0 : rnd() * (t + 1)));
      k.frameBuf.set(a);
      k.powerSpectrum();
      const specA = k.spec.slice();
      k.frameBuf.set(b);
      k.powerSpectrum();
      const specB = k.spec.slice();
      k.frameBuf.set(a);
      k.frameBufB.set(b);
      k.powerSpectra2();
      const top = Math.max(...specA, ...specB);
      for (let i = 0; i < specA.length; i++) {
        expect(Math.abs(k.spec[i] - specA[i])).toBeLessThan(1e-12 * top);
        expect(Math.abs(k.specB[i] - specB[i])).toBeLessThan(1e-12 * top);
      }
    }
  });
});
