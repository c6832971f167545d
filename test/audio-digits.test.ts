/**
 * Floats in the frame records have at most --digits (7) significant digits. Tiny values (|v| < 1e-15, e.g. the
 * MFCC deltas of digital silence) used to print as 1.9721520000000002e-30: roundSig's 10^k is inexact beyond 10^22.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { num, roundSig, timeText } from '../src/audio/format.js';
import { ByteSink } from '../src/audio/jsonl-bytes.js';
import { jsonlBlock, type FrameView } from '../src/audio/jsonl.js';
import { FIXTURES, runCli } from './helpers/cli.js';

/** Significant digits of a JSON/CSV number text. */
function sigDigits(text: string): number {
  const mantissa = text.replace(/^-/, '').split(/e/i)[0].replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return mantissa.length;
}

function sinkText(v: number, d: number): string {
  const s = new ByteSink(64);
  s.num(v, d);
  return s.take().toString('latin1');
}

describe('7 significant digits for every magnitude', () => {
  // Magnitudes across the whole double range, with mantissas that are not short decimals.
  const values: number[] = [];
  for (let e = -300; e <= 300; e += 7) for (const m of [1.97215203, 2.36658271, 9.86076131, 5.68434188, 1.23456789]) values.push(m * 10 ** e, -m * 10 ** e);
  for (let p = 1; p <= 1000; p += 3) values.push(2 ** -p, -(2 ** -p) * 3);

  it('num(), the byte writer and String(roundSig()) (CSV) print at most 7 significant digits, within half a unit of the 7th', () => {
    for (const v of values) {
      for (const text of [num(v, 7), sinkText(v, 7), String(roundSig(v, 7))]) {
        if (text === '0') continue;
        expect(sigDigits(text), `${v} -> ${text}`).toBeLessThanOrEqual(7);
        expect(Math.abs(Number(text) - v), `${v} -> ${text}`).toBeLessThanOrEqual(Math.abs(v) * 5.0001e-7);
      }
    }
  });

  it('the silence delta of the report prints as 1.972152e-30; -0 and values rounding to zero print 0', () => {
    expect(num(1.97215203e-30, 7)).toBe('1.972152e-30');
    expect(String(roundSig(-2.3665827156630354e-30, 7))).toBe('-2.366583e-30');
    expect(num(-0, 7)).toBe('0');
    expect(sinkText(-0, 7)).toBe('0');
    expect(num(-4e-30, 0)).toBe('-4e-30');
  });

  it('the byte writer prints times as timeText does (its integer-microsecond fast path below 1e9 s, and beyond)', () => {
    const times: number[] = [0, -0, 1e-7, 4.9e-7, 5e-7, 1e-6, 0.3, 0.01 * 3, 599.99, 7147.639, 2147.483648, 1e9 - 1e-6, 1e9, 3e12, -1e9, NaN, Infinity];
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < 3000; i++) {
      const t = (rand() - 0.3) * 10 ** (rand() * 14 - 5);
      times.push(t, (i * 160) / 16000, Math.round(t * 1e6) / 1e6 + 5e-7);
    }
    for (const t of times) {
      const s = new ByteSink(64);
      s.time(t);
      expect(s.take().toString('latin1'), String(t)).toBe(timeText(t));
    }
  });

  it('audio on digital silence (fixture): every float in the JSONL has <= 7 significant digits, no -0', async () => {
    const r = await runCli(['audio', join(FIXTURES, 'audio', 'wav', 'silence.flac')]);
    expect(r.code, r.stderr).toBe(0);
    const first = JSON.parse(r.stdout.split('\n')[0]) as Record<string, unknown>;
    expect(first.rms).toBe(0);
    for (const line of r.stdout.trim().split('\n')) {
      const floats = line.replace(/"t_s":[^,]*,/, '').match(/-?\d[\d.]*(?:e[-+]?\d+)?/gi) ?? [];
      for (const f of floats) expect(sigDigits(f), f).toBeLessThanOrEqual(7);
      expect(line).not.toMatch(/[:,[]-0[,\]}]/);
    }
  });
});

describe('the byte writer is num() to the byte', () => {
  // num()'s paths: the integer mantissa (numAt for 1-9 digits, ByteSink.mantissa beyond), zero, NaN, infinities, and
  // magnitudes outside k = 1..24 (String of roundSig); near-halfway and carry cases (9.9999995 -> 10) included.
  const values: number[] = [0, -0, NaN, Infinity, -Infinity, 1, -1, 10, 1e-31, -1.972152e-31, 9.9999995, 0.99999995, 99999.995, 1.0000005, 123456.75, 2147483647, 2147483648, 1e9, 1e21, 1e-24, 3e-25];
  let seed = 987654321;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < 4000; i++) {
    const v = (rand() < 0.5 ? -1 : 1) * rand() * 10 ** Math.floor(rand() * 60 - 35);
    values.push(v, Math.round(v * 1e4) / 1e4, Math.fround(v));
  }
  it('ByteSink.num(v, d) writes num(v, d) for digits 0-16', () => {
    for (let d = 0; d <= 16; d++) for (const v of values) expect(sinkText(v, d), `${v} at ${d} digits`).toBe(num(v, d));
  });

  it('a vector of numbers the fast path takes and leaves, in a small sink that must grow, is what num() prints', () => {
    const k = 13;
    const mfcc = Float64Array.from({ length: 3 * k }, (_, i) => [0, NaN, 1e-31, -2.5, 1234567.8, 9.9999995, -0.000123456789][i % 7] * (1 + i / 100));
    const one = new Float32Array([0, 0, 0]);
    const f: FrameView = { options: { nMfcc: k, digits: 7 }, sampleRate: 16000, hop: 160, nFrames: 3, mfcc, delta: mfcc, delta2: mfcc, deltaReason: null, f0: one, voicedProb: one, rms: one, zcr: one };
    const sink = new ByteSink(16);
    const got = jsonlBlock(f, 0, 3, undefined, 0, sink).toString('latin1').split('\n');
    for (let i = 0; i < 3; i++) {
      const row = `[${Array.from(mfcc.subarray(i * k, i * k + k), (v) => num(v, 7)).join(',')}]`;
      expect(got[i]).toContain(`"mfcc":${row},"delta":${row},"delta2":${row},`);
    }
  });
});
