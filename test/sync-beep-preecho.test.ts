/**
 * A lossy codec's pre-echo is not an early arrival (tone-onset.ts preEchoSpanS, tone-refine.ts PRE_ECHO_DB). An
 * abrupt camera beep in AAC was refused by the check for tone in the onset's phase before it ("tone 16.9 dB over the
 * noise 10.5 ms before the onset") depending on where it fell in the AAC frames: the encoder spreads a transient's
 * quantisation noise over its frame (1024 samples, 21 ms at 48 kHz). Generated here: an abrupt 1 kHz beep (amplitude
 * 0.5, 250 ms) in white noise 20-25 dB under it, 48 kHz, encoded to AAC, at the positions in the frame (of 16 tried,
 * 64 samples apart) where a build refused it before the change: with Debian's ffmpeg 5.1 noise -20 dB, position 3 at
 * 128 kb/s and 15 at 96 kb/s; with the npm build noise -25 dB, positions 3 and 13 at 64 kb/s. And the allowance does
 * not let a tone that really starts early through: the same beep with a quarter of its amplitude 10 ms before its
 * step is read at that start or refused, in AAC as in WAV (at the step it would be 10 ms late).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { computeAudioFeatures } from '../src/audio/features.js';
import { scanAudioTone } from '../src/sync/tone/scan-audio.js';
import { ffmpeg, rng, writeWavF32 } from './sync-media.js';

const SR = 48000;
const dir = mkdtempSync(join(tmpdir(), 'mmprep-beep-preecho-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 1.2 s of white noise at noiseDb re full scale, the beep from t (amplitude 0.5; `lead`: a quarter of it from t - 10 ms). */
function beep(t: number, noiseDb: number, seed: number, lead = false): Float32Array {
  const x = new Float32Array(Math.round(1.2 * SR));
  const g = rng(seed);
  const nA = 10 ** (noiseDb / 20);
  for (let i = 0; i < x.length; i++) x[i] = nA * g.g();
  const i0 = Math.ceil(t * SR);
  const from = lead ? Math.ceil((t - 0.01) * SR) : i0;
  for (let i = from; i < Math.ceil((t + 0.25) * SR); i++) x[i] += (i < i0 ? 0.125 : 0.5) * Math.sin(2 * Math.PI * 1000 * (i / SR - t));
  return x;
}

/** The file (WAV, or AAC at kbps), made once per name. */
function encoded(name: string, x: () => Float32Array, kbps: number | null): string {
  const wav = join(dir, `${name}.wav`);
  const f = kbps === null ? wav : join(dir, `${name}.m4a`);
  if (existsSync(f)) return f;
  writeWavF32(wav, x(), SR);
  if (kbps !== null) ffmpeg(['-i', wav, '-c:a', 'aac', '-b:a', `${kbps}k`, f]);
  return f;
}

const scans = new Map<string, ReturnType<typeof scanAudioTone>>();
/**
 * sync's scan of a whole file, once per file: the pre-echo test and the audio-path test judge the same four files (a
 * scan of each is a probe and a decode by ffmpeg; scanAudioTone is deterministic).
 */
function scanWhole(f: string): ReturnType<typeof scanAudioTone> {
  let s = scans.get(f);
  if (!s) scans.set(f, (s = scanAudioTone(f, [{ name: 'all', start_s: 0, duration_s: null }])));
  return s;
}

async function detect(name: string, x: Float32Array, kbps: number | null) {
  const scan = await scanWhole(encoded(name, () => x, kbps));
  return scan.windows[0].detections;
}

/** The abrupt beeps that a build refused before the allowance (above): noise dB, kb/s, position in the frame. */
const REFUSED_BEFORE = [[-20, 128, 3], [-20, 96, 15], [-25, 64, 3], [-25, 64, 13]];
const abrupt = ([noiseDb, kbps, k]: number[]) => ({ t: 1 + (k * 64) / SR + 1e-5, name: `abrupt-${noiseDb}-${kbps}-${k}`, x: () => beep(1 + (k * 64) / SR + 1e-5, noiseDb, 12345 + k) });

describe("a lossy codec's pre-echo before an abrupt beep", () => {
  it('AAC at 64-128 kb/s: the beep is placeable and right where it fell in the frame', async () => {
    const refused: string[] = [];
    for (const c of REFUSED_BEFORE) {
      const [noiseDb, kbps, k] = c;
      const { t, name, x } = abrupt(c);
      const d = await detect(name, x(), kbps);
      expect(d).toHaveLength(1);
      if (!d[0].placeable) refused.push(`noise ${noiseDb} dB, ${kbps} kb/s, position ${k}: ${d[0].unplaceable_reason}`);
      else expect(Math.abs(d[0].t_s - t)).toBeLessThan(0.0003);
    }
    expect(refused).toEqual([]);
  }, 400_000);
  it('a tone that starts 10 ms before the step (12 dB under it) is never placed at the step, in AAC or WAV', async () => {
    for (const k of [1, 3]) {
      const t = 1 + (k * 128) / SR + 1e-5;
      for (const kbps of [128, null]) {
        const d = await detect(`lead-${kbps}-${k}`, beep(t, -40, 99 + k, true), kbps);
        for (const e of d.filter((e) => e.placeable)) expect(Math.abs(e.t_s - (t - 0.01))).toBeLessThan(0.001);
      }
    }
  }, 400_000);
  it("mmprep audio's beep marking (features.ts) judges the same beeps as sync: one scanner for both (ToneScanner.forStream)", async () => {
    // Before, the audio path built its scanner without the allowance: sync placed these beeps, the audio path's
    // detections called them unplaceable ('tone ... before the onset'; Debian's 5.1: the first two).
    const verdict = (d: { t_s: number; placeable?: boolean; unplaceable_reason?: string }) => `${d.t_s.toFixed(6)} ${d.placeable} ${d.unplaceable_reason}`;
    for (const c of REFUSED_BEFORE) {
      const { name, x } = abrupt(c);
      const f = encoded(name, x, c[1]);
      const scan = await scanWhole(f);
      const t0 = scan.firstSampleS ?? 0;
      const sync = scan.windows[0].detections.map((d) => verdict({ ...d, t_s: d.t_s - t0 }));
      const audio = (await computeAudioFeatures(f, {}, { toneHz: 1000, threads: false })).toneBursts?.detections.map(verdict);
      // Not two empty lists agreeing: each file holds one beep, which sync places.
      expect(scan.windows[0].detections.some((d) => d.placeable !== false), name).toBe(true);
      expect(audio, name).toEqual(sync);
    }
  }, 400_000);
});
