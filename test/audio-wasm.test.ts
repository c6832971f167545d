/**
 * The WebAssembly SIMD kernels (src/audio/wasm/*.wat, issue 15 item 3) give the same bits as the JavaScript they
 * replace: every output compared with Object.is (so -0 / +0 and NaN count) against the JS reference on random
 * frames over 12 decades of scale, zero-padded frames and frames with exact zeros, infinities and NaN; and the
 * committed module bytes are what scripts/build-wasm.mjs assembles from the .wat sources today.
 */
import { describe, expect, it } from 'vitest';
import { createRealFft, RealFftJs } from '../src/audio/real-fft.js';
import { SincKernel, sincInterpolate } from '../src/audio/sinc.js';
import { IntensityAnalyzer } from '../src/audio/intensity.js';
import { FrameStore, SampleBuffer } from '../src/audio/sample-buffer.js';
import { mfccFromLogMel, mfccFromLogMelJs, SpectralAnalyzer } from '../src/audio/spectral.js';
import { resolveAudioOptions, type AudioOptions } from '../src/audio/options.js';
import { forwardPass, forwardPassJs, PitchAnalyzer } from '../src/audio/pitch.js';
import { PathKernel } from '../src/audio/path-kernel.js';
import { S16Kernel, s16ToFloatJs } from '../src/media/s16-kernel.js';
import { RecordsKernel } from '../src/audio/jsonl-wasm.js';
import { jsonlBlock, type FrameView } from '../src/audio/jsonl.js';
// @ts-expect-error: a plain .mjs script without type declarations
import { assembleAll } from '../scripts/build-wasm.mjs';
import { readFileSync } from 'node:fs';

/**
 * What `make` builds with (or without) WebAssembly: MMPREP_AUDIO_WASM set for it alone, then restored (removed when it
 * was unset: assigning undefined would leave the string "undefined" for the next test file of this worker).
 */
function madeWith<T>(wasm: boolean, make: () => T): T {
  const saved = process.env.MMPREP_AUDIO_WASM;
  process.env.MMPREP_AUDIO_WASM = wasm ? '1' : '0';
  try {
    return make();
  } finally {
    if (saved === undefined) delete process.env.MMPREP_AUDIO_WASM;
    else process.env.MMPREP_AUDIO_WASM = saved;
  }
}

/** Praat's pitch settings (as the audio command's) at a floor. */
const pitchParams = (floor: number) => ({ sampleRate: 16000, hop: 160, floor, ceiling: 600, maxCandidates: 15, silenceThreshold: 0.03, voicingThreshold: 0.45, octaveCost: 0.01, octaveJumpCost: 0.35, voicedUnvoicedCost: 0.14 });

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
}

/** Index of the first value where a and b differ in bits (Object.is), or -1. */
function firstDiff(a: Float64Array, b: Float64Array, n: number): number {
  for (let i = 0; i < n; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** Test frames of length n: random at scales 1e-6 .. 1e6, zero beyond 70 %, sparse exact zeros, and specials. */
function frames(n: number, rnd: () => number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let t = 0; t < 13; t++) out.push(Float64Array.from({ length: n }, () => rnd() * 10 ** (t - 6)));
  out.push(Float64Array.from({ length: n }, (_, j) => (j > 0.7 * n ? 0 : rnd())));
  out.push(Float64Array.from({ length: n }, (_, j) => (j % 3 === 0 ? 0 : j % 5 === 0 ? -0 : rnd())));
  out.push(new Float64Array(n));
  const special = Float64Array.from({ length: n }, () => rnd());
  special[1] = Infinity;
  out.push(special);
  const nan = Float64Array.from({ length: n }, () => rnd());
  nan[n - 1] = NaN;
  out.push(nan);
  return out;
}

describe('audio WebAssembly kernels', () => {
  it('the real FFT equals RealFftJs bit for bit (forward and power, sizes 8..4096)', () => {
    const rnd = lcg(11);
    for (const n of [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096]) {
      const wasm = createRealFft(n);
      const js = new RealFftJs(n);
      const pj = new Float64Array(n / 2 + 1);
      const pw = new Float64Array(n / 2 + 1);
      for (const x of frames(n, rnd)) {
        js.forward(x);
        wasm.forward(x);
        expect(firstDiff(js.re, wasm.re, n / 2 + 1), `n=${n} re`).toBe(-1);
        expect(firstDiff(js.im, wasm.im, n / 2 + 1), `n=${n} im`).toBe(-1);
        js.power(x, pj);
        wasm.power(x, pw);
        expect(firstDiff(pj, pw, n / 2 + 1), `n=${n} power`).toBe(-1);
        // the no-copy path: the frame written into the kernel's own input, the spectrum read from its output
        wasm.input.set(x);
        wasm.power(wasm.input, wasm.out);
        expect(firstDiff(pj, wasm.out, n / 2 + 1), `n=${n} power in place`).toBe(-1);
      }
    }
  });

  it('sinc interpolation equals sincInterpolate bit for bit (depths 30 and 70, lags near 0, the middle and rMax)', () => {
    const rnd = lcg(23);
    for (const rMax of [5, 40, 150, 400]) {
      const k = new SincKernel(rMax, 70);
      const plain = new Float64Array(rMax + 1);
      for (let t = 0; t < 20; t++) {
        for (let i = 0; i <= rMax; i++) plain[i] = i === 0 ? 1 : rnd() * 10 ** ((t % 9) - 4);
        if (t === 7) plain[3] = -0;
        k.r.set(plain);
        for (let q = 0; q < 60; q++) {
          const x = q < 5 ? [0.5, rMax - 0.25, rMax, rMax - 1 + 1e-9, 3][q] : 0.01 + (rMax + 0.5) * (rnd() + 0.5);
          for (const depth of [30, 70, 1]) {
            const want = sincInterpolate(plain, rMax, x, depth);
            expect(Object.is(k.at(x, depth), want), `rMax=${rMax} x=${x} depth=${depth}`).toBe(true);
          }
        }
      }
    }
  });

  it('the intensity contour with the WebAssembly four- and eight-frame kernels equals the JavaScript one bit for bit', () => {
    const rnd = lcg(31);
    const n = 16000 * 3;
    // speech-like: a decaying tone, noise at three levels, digital silence, a DC step and a full-scale stretch
    const x = Float32Array.from({ length: n }, (_, i) =>
      i < 8000 ? 0.3 * Math.sin(i * 0.07) * Math.exp(-i / 4000) : i < 20000 ? rnd() * 10 ** -((i >> 12) % 4) : i < 26000 ? 0 : i < 34000 ? 0.25 + 1e-4 * rnd() : rnd() * 1.9,
    );
    const contour = (wasm: boolean, floor: number) => {
      const an = madeWith(wasm, () => new IntensityAnalyzer(16000, floor));
      // each frame's windowed sum in float64, before the dB conversion and the float32 store
      const sums: number[] = [];
      (an as unknown as { add: (v: number) => void }).add = (v) => sums.push(v);
      const buf = new SampleBuffer();
      for (let i = 0; i < n; i += 3000) {
        buf.append(x.subarray(i, i + 3000), Math.max(0, an.minNeeded()));
        an.pump(buf);
      }
      buf.total = buf.end;
      an.pump(buf);
      return { sums: Float64Array.from(sums), eight: an.eightFrames };
    };
    // floor 50 and 100: a whole-sample step (256, 128), so most frames go eight at a time through the table of pairs;
    // floor 75: a step of 170.67 samples, frames not one gap apart, so four, two or one at a time
    for (const [floor, eightAtATime] of [[50, true], [100, true], [75, false]] as const) {
      const js = contour(false, floor);
      const wasm = contour(true, floor);
      expect(wasm.sums.length, `floor ${floor}`).toBe(js.sums.length);
      expect(js.sums.length).toBeGreaterThan(100);
      expect(firstDiff(js.sums, wasm.sums, js.sums.length), `floor ${floor}`).toBe(-1);
      expect(js.eight, `floor ${floor}: no kernel without WebAssembly`).toBe(0);
      if (eightAtATime) expect(wasm.eight, `floor ${floor}`).toBeGreaterThan(js.sums.length / 2);
      else expect(wasm.eight, `floor ${floor}`).toBe(0);
    }
  });

  it('MFCC from log-mel frames equals mfccFromLogMelJs bit for bit (odd and even counts, blocks, clip or none)', () => {
    const rnd = lcg(41);
    for (const [n, nMels, nMfcc, topDb] of [[2500, 40, 13, 80], [1, 40, 13, 80], [1023, 41, 20, null], [2048, 128, 40, 30], [0, 40, 13, 80]] as const) {
      const lm = new FrameStore(nMels, Math.max(1, n));
      lm.length = n;
      for (let i = 0; i < n * nMels; i++) lm.data[i] = i % 97 === 0 ? -300 : -100 + 100 * (rnd() + 0.5);
      const want = mfccFromLogMelJs(lm, nMfcc, topDb);
      const got = mfccFromLogMel(lm, nMfcc, topDb);
      expect(got.length).toBe(n * nMfcc);
      expect(firstDiff(want, got, want.length), `n=${n} nMels=${nMels}`).toBe(-1);
    }
  });

  it('the log-mel bands equal the JavaScript ones bit for bit, including the values the kernel leaves to Math.log10', () => {
    const rnd = lcg(61);
    type Inner = { logmel: FrameStore; logMel(p: Float64Array): void; melKernel: { fallbacks: number } | null; bands: { start: number; weights: Float64Array }[] };
    const analyser = (wasm: boolean, o: Partial<AudioOptions>) => {
      return madeWith(wasm, () => new SpectralAnalyzer(resolveAudioOptions(o)) as unknown as Inner);
    };
    let fallbacks = 0;
    for (const o of [{}, { nFft: 1024, winLength: 1024, nMels: 40 }, { nFft: 256, winLength: 256, nMels: 13, fmin: 80, fmax: 7600 }, { nMels: 127 }]) {
      const js = analyser(false, o);
      const wasm = analyser(true, o);
      expect(js.melKernel).toBe(null);
      expect(wasm.melKernel).not.toBe(null);
      const nBins = ((o.nFft ?? 512) >> 1) + 1;
      const spectra: Float64Array[] = [];
      // random power over 26 decades (sums below and above the 1e-10 floor), exact zeros, infinities and NaN
      for (let t = 0; t < 27; t++) spectra.push(Float64Array.from({ length: nBins }, () => (rnd() + 0.5) ** 2 * 10 ** (t - 14)));
      spectra.push(new Float64Array(nBins), Float64Array.from({ length: nBins }, (_, k) => (k % 7 === 0 ? 0 : rnd() + 0.5)));
      const special = Float64Array.from({ length: nBins }, () => rnd() + 0.5);
      special[5] = Infinity;
      special[nBins - 2] = NaN;
      spectra.push(special);
      // one bin per spectrum whose band sum puts 10 log10 halfway between two float32 values (the rounding test's
      // uncertain case), at levels from -99 to +79 dB
      for (let t = 0; t < 60; t++) {
        const b = wasm.bands[(t * 7) % wasm.bands.length];
        if (b.weights.length === 0) continue;
        const f = Math.fround(-99 + 3 * t + rnd());
        const mid = f + (Math.fround(f * (1 + 2 ** -23)) - f) / 2;
        const p = new Float64Array(nBins);
        p[b.start] = 10 ** (mid / 10) / b.weights[0];
        spectra.push(p);
      }
      for (const p of spectra) {
        js.logMel(p);
        wasm.logMel(p);
      }
      const n = js.logmel.length * js.logmel.width;
      for (let i = 0; i < n; i++) {
        if (!Object.is(js.logmel.data[i], wasm.logmel.data[i])) expect([i, wasm.logmel.data[i]], JSON.stringify(o)).toEqual([i, js.logmel.data[i]]);
      }
      fallbacks += wasm.melKernel!.fallbacks;
    }
    // the uncertain values were met and left to Math.log10
    expect(fallbacks).toBeGreaterThan(20);
  });

  it("the pitch autocorrelation's cosine transform (cosft1) equals the JavaScript one bit for bit", () => {
    const rnd = lcg(53);
    type Inner = { spec: Float64Array; acf: Float64Array; autocorrelate(): void };
    const analyser = (wasm: boolean, floor: number) => {
      return madeWith(wasm, () => new PitchAnalyzer(pitchParams(floor)) as unknown as Inner);
    };
    for (const floor of [65, 75, 40]) {
      const js = analyser(false, floor);
      const wasm = analyser(true, floor);
      expect(firstDiff(js.acf, wasm.acf, js.acf.length), `floor ${floor}: the window's autocorrelation`).toBe(-1);
      for (let t = 0; t < 30; t++) {
        for (let k = 0; k < js.spec.length; k++) js.spec[k] = t === 3 ? 0 : (rnd() + 0.5) * 10 ** ((t % 11) - 5);
        wasm.spec.set(js.spec);
        js.autocorrelate();
        wasm.autocorrelate();
        expect(firstDiff(js.acf, wasm.acf, js.acf.length), `floor ${floor} frame ${t}`).toBe(-1);
      }
    }
  });

  it('frames windowed by the FFT kernel from staged samples (spectral and pitch) equal the JavaScript ones bit for bit', () => {
    const rnd = lcg(71);
    // float32 samples: speech-like, 7 decades of level, exact zeros (digital silence), -0, a DC offset, full scale
    // and beyond, float32 subnormals, infinities and NaN
    const n = 16000 * 2 + 123;
    const x = Float32Array.from({ length: n }, (_, i) =>
      i < 3000 ? 0.3 * Math.sin(i * 0.05) : i < 9000 ? rnd() * 10 ** -((i >> 10) % 7) : i < 12000 ? (i % 2 ? 0 : -0) : i < 15000 ? 0.25 + 1e-3 * rnd() : i < 18000 ? rnd() * 2.5 : rnd() * 1e-42);
    x[20000] = Infinity;
    x[24000] = NaN;
    type Frames = { staged: unknown; minNeeded(): number; pump(b: SampleBuffer): void };
    /** The analyser (made with or without WebAssembly) and every frame it windowed, recorded by `record`. */
    const run = (make: () => Frames, record: (a: Frames, out: number[][]) => void) => {
      const out: number[][] = [];
      const a = make();
      record(a, out);
      const buf = new SampleBuffer();
      for (let i = 0; i < n; i += 997) {
        buf.append(x.subarray(i, i + 997), a.minNeeded());
        a.pump(buf);
      }
      buf.finish();
      a.pump(buf);
      return { a, out };
    };
    const compare = (js: number[][], wasm: number[][], what: string) => {
      expect(wasm.length, what).toBe(js.length);
      for (let t = 0; t < js.length; t++) expect(firstDiff(Float64Array.from(js[t]), Float64Array.from(wasm[t]), js[t].length), `${what} frame ${t}`).toBe(-1);
    };
    for (const o of [{}, { nFft: 1024, winLength: 1001 }, { winLength: 401 }]) {
      type S = Frames & { fftIn: Float64Array; melRmsZcr(): void };
      const rec = (a: Frames, out: number[][]) => ((a as S).melRmsZcr = () => void out.push(Array.from((a as S).fftIn)));
      const js = run(() => madeWith(false, () => new SpectralAnalyzer(resolveAudioOptions(o)) as unknown as Frames), rec);
      const wasm = run(() => madeWith(true, () => new SpectralAnalyzer(resolveAudioOptions(o)) as unknown as Frames), rec);
      expect(js.a.staged).toBe(null);
      expect(wasm.a.staged).not.toBe(null);
      expect(js.out.length).toBeGreaterThan(200);
      compare(js.out, wasm.out, `spectral ${JSON.stringify(o)}`);
    }
    for (const floor of [65, 75, 40]) {
      type P = Frames & { frameBuf: Float64Array; candidates(peak: number): void };
      const rec = (a: Frames, out: number[][]) => ((a as P).candidates = (peak) => void out.push([peak, ...(a as P).frameBuf]));
      const js = run(() => madeWith(false, () => new PitchAnalyzer(pitchParams(floor)) as unknown as Frames), rec);
      const wasm = run(() => madeWith(true, () => new PitchAnalyzer(pitchParams(floor)) as unknown as Frames), rec);
      expect(js.a.staged).toBe(null);
      expect(wasm.a.staged).not.toBe(null);
      // digital silence (local peak 0), NaN and infinity (NaN frames), ordinary frames
      expect(js.out.filter((f) => f[0] === 0).length).toBeGreaterThan(5);
      expect(js.out.filter((f) => f.some((v, j) => j > 0 && Number.isNaN(v))).length).toBeGreaterThan(3);
      compare(js.out, wasm.out, `pitch floor ${floor}`);
    }
  });

  it("the pitch candidates with r and its peaks by the sinc kernel (sinc.wat peaks) equal the JavaScript's bit for bit", () => {
    const rnd = lcg(79);
    // speech-like voiced stretches at three pitches, noise at four levels, digital silence, a DC step, NaN
    const n = 16000 * 2;
    const x = Float32Array.from({ length: n }, (_, i) =>
      i < 9000 ? 0.3 * Math.sin(i * (0.05 + 0.03 * Math.floor(i / 3000))) * (1 + 0.4 * Math.sin(i * 0.011)) : i < 17000 ? rnd() * 10 ** -((i >> 11) % 4) : i < 21000 ? 0 : i < 24000 ? 0.25 + 1e-3 * rnd() : 0.2 * Math.sin(i * 0.031) + 0.05 * rnd());
    x[28000] = NaN;
    type A = { pump(b: SampleBuffer): void; minNeeded(): number; nCand: FrameStore; freq: FrameStore; strength: FrameStore; sinc: { peakInputs?: { lags: Int32Array } | null } };
    const analyse = (wasm: boolean, floor: number) => {
      const a = madeWith(wasm, () => new PitchAnalyzer(pitchParams(floor)) as unknown as A);
      const buf = new SampleBuffer();
      for (let i = 0; i < n; i += 4000) {
        buf.append(x.subarray(i, i + 4000), a.minNeeded());
        a.pump(buf);
      }
      buf.finish();
      a.pump(buf);
      return a;
    };
    for (const floor of [65, 75]) {
      const js = analyse(false, floor);
      const wasm = analyse(true, floor);
      expect(js.sinc.peakInputs ?? null).toBe(null);
      expect(wasm.sinc.peakInputs?.lags).toBeInstanceOf(Int32Array);
      const frames = js.nCand.length;
      expect(wasm.nCand.length).toBe(frames);
      const nc = Array.from(js.nCand.data.subarray(0, frames));
      // voiced frames with several candidates, and frames with none (silence, noise)
      expect(nc.filter((c) => c >= 4).length, `floor ${floor}`).toBeGreaterThan(10);
      expect(nc.filter((c) => c === 1).length, `floor ${floor}`).toBeGreaterThan(10);
      expect(Array.from(wasm.nCand.data.subarray(0, frames))).toEqual(nc);
      const w = js.freq.width;
      expect(firstDiff(Float64Array.from(js.freq.data.subarray(0, frames * w)), Float64Array.from(wasm.freq.data.subarray(0, frames * w)), frames * w), `floor ${floor} freq`).toBe(-1);
      expect(firstDiff(Float64Array.from(js.strength.data.subarray(0, frames * w)), Float64Array.from(wasm.strength.data.subarray(0, frames * w)), frames * w), `floor ${floor} strength`).toBe(-1);
    }
  });

  it("the path finder's forward pass by path.wat equals forwardPassJs bit for bit (chunk edges, ties, unvoiced rows)", () => {
    const rnd = lcg(83);
    // 5000 frames cross the edge of the kernel's chunks of 4097 rows; counts 1..mc; candidate 0 and some others unvoiced
    // (lf NaN); scores and log2 frequencies on coarse grids, so that many values tie (the first of equals wins)
    for (const mc of [15, 4]) {
      const n = 5000;
      const NC = Float32Array.from({ length: n }, (_, t) => (t % 97 === 0 ? 1 : 1 + Math.floor((rnd() + 0.5) * mc)));
      const delta = Float64Array.from({ length: n * mc }, () => Math.round((rnd() + 0.5) * 8) / 8);
      const lf = Float64Array.from({ length: n * mc }, (_, i) => (i % mc === 0 || rnd() > 0.35 ? NaN : 6 + Math.round((rnd() + 0.5) * 16) / 4));
      const run = (js: boolean) => {
        const d = delta.slice();
        const psi = new Uint8Array(n * mc).fill(255);
        (js ? forwardPassJs : forwardPass)(NC, n, mc, 0.35, 0.14, d, lf, psi);
        return { d, psi };
      };
      expect(PathKernel.forCandidates(mc)).not.toBe(null);
      const js = run(true);
      const wasm = run(false);
      expect(firstDiff(js.d, wasm.d, n * mc), `mc ${mc} delta`).toBe(-1);
      expect(Buffer.from(wasm.psi).equals(Buffer.from(js.psi)), `mc ${mc} psi`).toBe(true);
      // the recursion did run: later rows hold sums, and not every predecessor is candidate 0
      expect(js.d[(n - 1) * mc]).toBeGreaterThan(100);
      expect(js.psi.filter((p, i) => i >= mc && p > 0 && p !== 255).length).toBeGreaterThan(n / 4);
    }
  });

  it("a WAV's 16-bit samples converted by s16.wat equal s16ToFloatJs bit for bit (every value, odd tails)", () => {
    const all = Int16Array.from({ length: 65536 + 13 }, (_, i) => (i * 40503) & 0xffff); // every value, in a scrambled order, and 13 more
    const k = S16Kernel.create(all.length);
    expect(k).not.toBe(null);
    const js = new Float32Array(all.length);
    s16ToFloatJs(all, js, all.length);
    for (const n of [all.length, all.length - 5, 7]) {
      k!.floats.fill(NaN);
      k!.bytes.set(new Uint8Array(all.buffer, 0, 2 * n));
      k!.convert(n);
      expect(Buffer.from(k!.floats.buffer, k!.floats.byteOffset, 4 * n).equals(Buffer.from(js.buffer, 0, 4 * n)), `n ${n}`).toBe(true);
      expect(Number.isNaN(k!.floats[n]) || n === all.length, `n ${n}: nothing past n`).toBe(true);
    }
    expect(new Set(js).size).toBe(65536);
  });

  it("the FFT kernel's frame calls equal their JavaScript expressions bit for bit (odd lengths and peak ranges)", () => {
    const rnd = lcg(83);
    for (const [nw, reach, P, H] of [[41, 30, 9, 20], [64, 40, 17, 31], [7, 6, 3, 3]]) {
      const fft = createRealFft(64, { samples: 2 * reach + 3, window: nw });
      const fi = fft.frameInput!;
      for (let t = 0; t < 40; t++) {
        for (let i = 0; i < fi.samples.length; i++) fi.samples[i] = rnd() * 10 ** ((t % 9) - 4);
        if (t === 5) fi.samples[reach] = NaN;
        if (t === 6) fi.samples.fill(0);
        for (let j = 0; j < nw; j++) fi.window[j] = rnd() + 0.5;
        const from = t % 3;
        // windowed: input[lpad + j] = samples[from + j] * window[j]
        const lpad = t % 4;
        const before = Float64Array.from(fft.input);
        fi.windowed(from, nw, lpad);
        for (let j = 0; j < 64; j++) {
          const want = j >= lpad && j < lpad + nw ? fi.samples[from + j - lpad] * fi.window[j - lpad] : before[j];
          expect(Object.is(fft.input[j], want), `windowed nw=${nw} t=${t} j=${j}`).toBe(true);
        }
        // pitchFrame, the peak over [j0, j1] of odd and even length
        const j0 = t % 5;
        const j1 = Math.min(nw - 1, j0 + (t % 7));
        let sum = 0;
        for (let i = from + reach - P; i < from + reach + P; i++) sum += fi.samples[i];
        const mean = sum / (2 * P);
        const want = Array.from({ length: nw }, (_, j) => (fi.samples[from + reach - H + j] - mean) * fi.window[j]);
        let peak = 0;
        for (let j = j0; j <= j1; j++) if (Math.abs(want[j]) > peak) peak = Math.abs(want[j]);
        expect(Object.is(fi.pitchFrame(from, reach, P, H, j0, j1), peak), `pitchFrame nw=${nw} t=${t}`).toBe(true);
        expect(firstDiff(Float64Array.from(want), fft.input, nw), `pitchFrame nw=${nw} t=${t}`).toBe(-1);
      }
    }
  });

  it('JSONL records formatted by the numbers kernel equal jsonlBlock byte for byte (digits 0, 1, 7, 9, 12, specials, late times)', () => {
    const rnd = lcg(61);
    const N = 768;
    const k = 13;
    // Values the formatter meets and its edges: 24 decades either side, powers of ten and their neighbours, trailing
    // zeros, roundings up to the next power, zeros, NaN, infinities and the deltas' 1e-31 rounding noise.
    const edge = [0, -0, NaN, Infinity, -Infinity, 1, -1, 10, 0.1, 1e-7, 9.9999995, 0.99999995, 999999.95, 1e-31, -1.972152e-31, 0.125, 1.5, 2.5e-5, 1e21, 1e-21, 1e25, 5e-25, 123456789, 0.5, 4.35, 1e9, 2147483647];
    const value = (j: number) => {
      const r = rnd();
      if (j % 7 === 0) return edge[Math.floor((r + 0.5) * edge.length) % edge.length];
      if (j % 11 === 0) {
        const p = 10 ** (Math.floor((rnd() + 0.5) * 48) - 24);
        return j % 2 ? p * (1 + 2 ** -52) : p * (1 - 2 ** -53);
      }
      return r * 10 ** (Math.floor((rnd() + 0.5) * 30) - 15);
    };
    let fallbacks = 0;
    for (const digits of [7, 1, 9, 0, 12]) {
      for (const first of [0, 13_421_000]) {
        const kernel = RecordsKernel.create(k, N, 96);
        if (!kernel) return; // no WebAssembly SIMD: nothing to compare
        const group = () => {
          const a = kernel.float64(N * k);
          for (let j = 0; j < N * k; j++) a[j] = value(j);
          return a;
        };
        const f32 = (f: (j: number) => number) => Float32Array.from({ length: N }, (_, j) => f(j));
        const view: FrameView = {
          options: { nMfcc: k, digits },
          sampleRate: 16000,
          hop: 160,
          nFrames: first + N,
          first,
          mfcc: group(),
          delta: group(),
          delta2: group(),
          deltaReason: null,
          f0: f32((j) => (j % 3 === 0 ? 0 : j % 17 === 0 ? -1 : 75 + 500 * (rnd() + 0.5))),
          voicedProb: f32((j) => (j % 5 === 0 ? 0 : rnd() + 0.5)),
          rms: f32((j) => (j % 9 === 0 ? 0 : j % 4 === 0 ? 1e-6 * (rnd() + 0.5) : 10 ** (-4 * (rnd() + 0.5)))),
          zcr: f32((j) => (j % 6 === 0 ? 0 : j % 13 === 0 ? NaN : rnd() + 0.5)),
        };
        for (let i = first; i < first + N; i += 96) {
          const to = Math.min(first + N, i + 96);
          const ours = Buffer.from(kernel.records(view, i, to)).toString('latin1');
          const js = jsonlBlock(view, i, to).toString('latin1');
          if (ours !== js) expect([digits, first, i, ours.split('\n').find((l, n) => l !== js.split('\n')[n])]).toEqual([digits, first, i, js.split('\n').find((l, n) => l !== ours.split('\n')[n])]);
        }
        fallbacks += kernel.fallbacks;
      }
    }
    // the numbers and times left to the JavaScript were met
    expect(fallbacks).toBeGreaterThan(1000);
  });

  it('the numbers kernel asks the JavaScript once per value it cannot print (the deltas\' rounding noise of silence)', () => {
    const N = 96;
    const k = 13;
    const kernel = RecordsKernel.create(k, N, N);
    if (!kernel) return; // no WebAssembly SIMD
    // digital silence's deltas: +-1.972152e-31 and +-3.944305e-31 over and over (k = 37 > 24: not numAt's path)
    const noise = [1.9721522630525295e-31, -1.9721522630525295e-31, 3.944304526105059e-31, -3.944304526105059e-31];
    const group = (f: (j: number) => number) => {
      const a = kernel.float64(N * k);
      for (let j = 0; j < N * k; j++) a[j] = f(j);
      return a;
    };
    const f32 = (v: number) => new Float32Array(N).fill(v);
    const view: FrameView = {
      options: { nMfcc: k, digits: 7 },
      sampleRate: 16000,
      hop: 160,
      nFrames: N,
      first: 0,
      mfcc: group((j) => -1e3 + j),
      delta: group((j) => (j % 2 ? 0 : noise[(j >> 1) % 4])),
      delta2: group((j) => noise[j % 4]),
      deltaReason: null,
      f0: f32(0),
      voicedProb: f32(0),
      rms: f32(0),
      zcr: f32(0),
    };
    const ours = Buffer.from(kernel.records(view, 0, N)).toString('latin1');
    expect(ours).toBe(jsonlBlock(view, 0, N).toString('latin1'));
    expect(ours).toContain('-1.972152e-31');
    // 96 x 19.5 such numbers, four values: four calls
    expect(kernel.fallbacks).toBe(4);
  });

  it('the committed module bytes are assembled from the current .wat sources', async () => {
    for (const { path, text } of await assembleAll()) expect(readFileSync(path, 'utf8'), path).toBe(text);
  });
});
