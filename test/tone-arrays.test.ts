/**
 * The beep detector's reused tracks (tone-demod.ts TrackArrays: one set of Float64Arrays kept from chunk to chunk)
 * and kthSmallest's zero results (tone-math.ts: the sign counted instead of a fallback sort that V8 deoptimised at).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coherentRuns, coherentTrack } from '../src/sync/tone/tone-coherent.js';
import { BlockSumsKernel, blockSums, ToneOscillator, TrackArrays, windowSums } from '../src/sync/tone/tone-demod.js';
import { findToneBursts, ToneScanner } from '../src/sync/tone/tone.js';
import { ROOT } from './helpers/cli.js';

const SR = 16000;

/** Speech-like noise with a 1 kHz beep at `beepS` (0.2 s), deterministic. */
function signal(seconds: number, beepS: number, seed: number): Float32Array {
  const x = new Float32Array(Math.round(seconds * SR));
  let s = seed;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    x[i] = 0.05 * (s / 2147483648 - 0.5) + 0.1 * Math.sin((2 * Math.PI * 180 * i) / SR) * (Math.sin((2 * Math.PI * 3 * i) / SR) > 0 ? 1 : 0);
  }
  const b0 = Math.round(beepS * SR);
  for (let i = b0; i < b0 + 0.2 * SR && i < x.length; i++) x[i] += 0.3 * Math.sin((2 * Math.PI * 1000 * (i - b0)) / SR);
  return x;
}

const same = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe('the beep detector reuses its tracks from chunk to chunk', () => {
  it('reused arrays (longer ones first, holding other values) give the bits of fresh ones', () => {
    const ref = new ToneOscillator(SR, 1000);
    const arrays = new TrackArrays();
    const long = signal(3, 1, 1);
    // Fill the kept arrays with a longer chunk's values, then a shorter chunk: its tracks are views of those arrays.
    const lb = blockSums(long, Math.floor(long.length / 32), 32, 0, ref, arrays);
    coherentTrack(lb, windowSums(lb, 5, 160, arrays), 32, 5, arrays);
    const x = signal(2, 0.7, 2);
    const nb = Math.floor(x.length / 32);
    const fresh = blockSums(x, nb, 32, 4800, ref);
    const kept = blockSums(x, nb, 32, 4800, ref, arrays);
    expect(kept.bre.buffer).toBe(lb.bre.buffer);
    for (const k of ['bre', 'bim', 'ben'] as const) expect(same(kept[k], fresh[k]), k).toBe(true);
    const wf = windowSums(fresh, 5, 160);
    const wk = windowSums(kept, 5, 160, arrays);
    for (const k of ['wre', 'wim', 'tp', 'tot'] as const) expect(same(wk[k], wf[k]), k).toBe(true);
    const cf = coherentTrack(fresh, wf, 32, 5);
    const ck = coherentTrack(kept, wk, 32, 5, arrays);
    for (const k of ['pow', 're', 'im', 'coh'] as const) expect(same(ck[k], cf[k]), k).toBe(true);
    // coherentRuns' median copy goes into the kept 'select' array and leaves the track as it was.
    const pow = Float64Array.from(ck.pow);
    expect(coherentRuns(ck, arrays)).toEqual(coherentRuns(cf));
    expect(same(ck.pow, pow)).toBe(true);
  });

  it('a whole scan over chunks of different lengths finds the beeps as before, each once', () => {
    // 75 s: three 36 s chunks (30 s apart), the last one shorter; beeps in the first, in an overlap and in the last.
    const x = signal(75, 5, 3);
    for (const t of [32, 70]) {
      const b0 = Math.round(t * SR);
      for (let i = b0; i < b0 + 0.2 * SR; i++) x[i] += 0.3 * Math.sin((2 * Math.PI * 1000 * (i - b0)) / SR);
    }
    const found = findToneBursts(x, SR);
    expect(found.map((d) => Math.round(d.t_s))).toEqual([5, 32, 70]);
    for (const d of found) expect(Math.abs(d.freq_hz - 1000)).toBeLessThan(2);
  });
});

describe('the block sums by WebAssembly (wasm/tone-blocks.wat)', () => {
  it('equal the JavaScript ones bit for bit, at any phase of the oscillator, and a scanner uses them', () => {
    const ref = new ToneOscillator(SR, 1000);
    const x = signal(2, 0.7, 4);
    x[100] = 0;
    x[101] = -0;
    x[3200] = 1e-30;
    const kernel = BlockSumsKernel.create(x.length + 100, 32, ref);
    expect(kernel, 'WebAssembly SIMD').not.toBeNull();
    kernel!.samples.set(x);
    const nb = Math.floor(x.length / 32);
    for (const g0 of [0, 7, 4800, 4813, 1e9 + 3]) {
      const js = blockSums(x, nb, 32, g0, ref);
      const wasm = blockSums(kernel!.samples, nb, 32, g0, ref, undefined, kernel);
      expect(wasm.bre.buffer, 'views of the kernel memory').toBe(kernel!.samples.buffer);
      for (const k of ['bre', 'bim', 'ben'] as const) expect(same(wasm[k], js[k]), `${k} at g0 ${g0}`).toBe(true);
    }
    // a 1001 Hz tone: a period of 16000 samples (the whole table), blocks of 31 samples
    const odd = new ToneOscillator(SR, 1001);
    const k2 = BlockSumsKernel.create(x.length, 31, odd)!;
    k2.samples.set(x);
    const js2 = blockSums(x, Math.floor(x.length / 31), 31, 12345, odd);
    const wasm2 = blockSums(k2.samples, Math.floor(x.length / 31), 31, 12345, odd, undefined, k2);
    for (const k of ['bre', 'bim', 'ben'] as const) expect(same(wasm2[k], js2[k]), `1001 Hz ${k}`).toBe(true);
    const scanner = new ToneScanner(SR, 0, { toneHz: 1000 }) as unknown as { blockKernel: BlockSumsKernel | null };
    expect(scanner.blockKernel).toBeInstanceOf(BlockSumsKernel);
    // no table (a tone of no whole Hz): no kernel, the JavaScript's per-sample phase
    expect(BlockSumsKernel.create(1000, 32, new ToneOscillator(SR, 1000.5))).toBeNull();
  });
});

describe('kthSmallest with a zero result', () => {
  const TONE_MATH = join(ROOT, 'dist', 'sync', 'tone', 'tone-math.js');
  // Optimised on tracks without zeros (as the detector's chunk medians are), then given tracks whose k-th value is
  // +0 or -0 (digital silence). Prints the results for the check against sort().
  const script = `
import { kthSmallest } from ${JSON.stringify(TONE_MATH)};
const track = (n, zeros, negZeros) => { const a = new Float64Array(n); for (let i = 0; i < n; i++) a[i] = i < zeros ? 0 : i < zeros + negZeros ? -0 : 1 + ((i * 7919) % 101); return a; };
%PrepareFunctionForOptimization(kthSmallest);
for (let r = 0; r < 50; r++) kthSmallest(track(61, 0, 0), 30);
%OptimizeFunctionOnNextCall(kthSmallest);
kthSmallest(track(61, 0, 0), 30);
console.log('--optimised--', %GetOptimizationStatus(kthSmallest) & 64 ? 'turbofan' : 'not');
const out = [];
for (let r = 0; r < 40; r++) {
  const a = track(61, 20 + (r % 20), r % 3 === 0 ? 15 : 0);
  const k = r % 35;
  out.push(Object.is(kthSmallest(Float64Array.from(a), k), Float64Array.from(a).sort()[k]));
}
console.log('--same--', out.every(Boolean));`;

  it('gives the bits of sort() without throwing the optimised code away', () => {
    const r = spawnSync(process.execPath, ['--trace-deopt', '--allow-natives-syntax', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('--optimised-- turbofan');
    expect(r.stdout).toContain('--same-- true');
    const after = r.stdout.slice(r.stdout.indexOf('--optimised--'));
    // The old fallback (s.sort()[k] for a zero) deoptimised here at every call: its sort call had no type feedback.
    expect(after.split('\n').filter((l) => /deoptimizing .*<JSFunction kthSmallest/.test(l))).toEqual([]);
  });
});
