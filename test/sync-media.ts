/** Test-time media with known truth for the sync tests (beeps in speech and noise, flash videos). Nothing is committed. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv } from '../src/media/ffmpeg-path.js';
import { scanAudioTone } from '../src/sync/tone/scan-audio.js';
import { generatorBinaries } from './helpers/ffmpeg.js';
import { FIXTURES } from './helpers/cli.js';
// @ts-expect-error plain ES module without types
import { writeWav } from '../scripts/wav.mjs';
import { rng as scriptsRng } from '../scripts/rng.mjs';

export const SPEECH_DIR = join(FIXTURES, 'sync', 'speech');
export const SPEECH_CLIPS = ['001.wav', '002.wav', '003.wav', '004.wav', '005.wav'].map((n) => join(SPEECH_DIR, n));

/** Deterministic PRNG (mulberry32) and a Gaussian from it: the scripts' one copy (scripts/rng.mjs). */
export const rng: (seed: number) => { u: () => number; g: () => number } = scriptsRng;

/** Syllable-like bursts (80-330 ms, pauses of 30-430 ms) of noise through a one-pole low-pass (a speech-like tilt). */
export function talker(seed: number, n: number, sr = 16000): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(n);
  let y = 0;
  for (let i = 0, next = 0, on = false, amp = 0; i < n; i++) {
    if (i >= next) {
      on = !on;
      amp = on ? 0.2 + 0.3 * r.u() : 0.005;
      next = i + Math.round((on ? 0.08 + 0.25 * r.u() : 0.03 + 0.4 * r.u()) * sr);
    }
    y = 0.7 * y + 0.3 * r.g();
    x[i] = amp * y;
  }
  return x;
}

/**
 * Room impulse response at sr Hz (the model of scripts/make-sync-rooms.mjs): a unit direct path at 0, then from 1.5 ms
 * a decaying Gaussian tail (60 dB down at rt60) with drrDb direct-to-tail energy.
 */
export function roomIR(rt60: number, drrDb: number, seed: number, sr: number): Float32Array {
  const r = rng(seed);
  const h = new Float32Array(Math.round(rt60 * sr));
  const pre = Math.round(0.0015 * sr);
  let e = 0;
  for (let i = pre; i < h.length; i++) {
    h[i] = r.g() * Math.exp((-6.91 * (i - pre)) / (rt60 * sr));
    e += h[i] * h[i];
  }
  const k = Math.sqrt(10 ** (-drrDb / 10) / e);
  for (let i = pre; i < h.length; i++) h[i] *= k;
  h[0] = 1;
  return h;
}

/**
 * A 250 ms, 1 kHz beep of amplitude 0.1 starting at tS, convolved with roomIR(rt60, drrDb, seed, sr), in a buffer of
 * totalS seconds (no noise: each test adds its own).
 */
export function reverbBeep(rt60: number, drrDb: number, seed: number, sr: number, tS: number, totalS = 2.5): Float32Array {
  const n = Math.round(totalS * sr);
  const i0 = Math.ceil(tS * sr);
  const i1 = Math.ceil((tS + 0.25) * sr);
  const h = roomIR(rt60, drrDb, seed, sr);
  const x = new Float32Array(n);
  // The beep's samples once (the same doubles as computed in the sum: the same output, a fifth of the CPU).
  const tone = new Float64Array(i1 - i0);
  for (let j = i0; j < i1; j++) tone[j - i0] = Math.sin(2 * Math.PI * 1000 * (j / sr - tS));
  for (let i = i0; i < Math.min(n, i1 + h.length); i++) {
    let s = 0;
    for (let j = Math.max(i0, i - h.length + 1); j <= Math.min(i, i1 - 1); j++) s += h[i - j] * 0.1 * tone[j - i0];
    x[i] = s;
  }
  return x;
}

const clipCache = new Map<number, Float32Array[]>();
/**
 * The speech clips as mono float samples at `sr` Hz: what decodeAudioToArray(clip, { sampleRate: sr }) gives (the same
 * ffmpeg output options, -ar sr -ac 1 to f32le, per clip), from one ffmpeg run for all five and no ffprobe. Five
 * decodes with a probe each started Debian's ffmpeg or ffprobe ten times (~0.15 CPU s each) per rate and test file.
 */
export async function speechClips(sr: number): Promise<Float32Array[]> {
  let c = clipCache.get(sr);
  if (!c) {
    c = decodeClips(SPEECH_CLIPS, sr);
    clipCache.set(sr, c);
  }
  return c;
}

/** One ffmpeg run: each file to its own raw f32le output (little-endian, the host's order) in a temporary folder. */
function decodeClips(files: string[], sr: number): Float32Array[] {
  const dir = mkdtempSync(join(tmpdir(), 'mmprep-speech-'));
  try {
    const outs = files.map((_, i) => join(dir, `${i}.f32`));
    const args = files.flatMap((f) => ['-i', f]);
    outs.forEach((o, i) => args.push('-map', `${i}:a:0`, '-vn', '-sn', '-dn', '-ar', String(sr), '-ac', '1', '-acodec', 'pcm_f32le', '-f', 'f32le', o));
    ffmpeg(args);
    return outs.map((o) => {
      const b = readFileSync(o);
      return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** totalS seconds of the speech clips in a seeded random order with random gaps and gains (no periodicity). */
export async function speechTrack(sr: number, totalS: number, seed: number): Promise<Float32Array> {
  const clips = await speechClips(sr);
  const out = new Float32Array(Math.round(totalS * sr));
  const r = rng(seed);
  let pos = Math.round(r.u() * 0.3 * sr);
  while (pos < out.length) {
    const c = clips[Math.floor(r.u() * clips.length)];
    const gain = 0.5 + r.u();
    for (let i = 0; i < c.length && pos + i < out.length; i++) out[pos + i] += gain * c[i];
    pos += c.length + Math.round((0.05 + r.u() * 0.6) * sr);
  }
  return out;
}

export function power(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return s / Math.max(1, to - from);
}

export interface Beep {
  t_s: number;
  dur_s: number;
  hz?: number;
  amp?: number;
}

/** Adds sine bursts starting at exact (fractional-sample) times. */
export function addBeeps(x: Float32Array, sr: number, beeps: Beep[]): void {
  for (const b of beeps) {
    const hz = b.hz ?? 1000;
    const amp = b.amp ?? 0.3;
    const i0 = Math.ceil(b.t_s * sr);
    const i1 = Math.min(x.length, Math.ceil((b.t_s + b.dur_s) * sr));
    for (let i = i0; i < i1; i++) x[i] += amp * Math.sin(2 * Math.PI * hz * (i / sr - b.t_s));
  }
}

/**
 * Speech + white noise (noise 10 dB under the speech) with beeps whose power is snrDb above the background's power
 * measured over the beep's own span.
 */
export async function beepInSpeech(sr: number, totalS: number, seed: number, beeps: Beep[], snrDb: number): Promise<Float32Array> {
  const x = await speechTrack(sr, totalS, seed);
  const r = rng(seed + 1);
  const sp = power(x);
  const nAmp = Math.sqrt(sp / 10);
  for (let i = 0; i < x.length; i++) x[i] += nAmp * r.g();
  const scaled: Beep[] = beeps.map((b) => {
    const bg = power(x, Math.ceil(b.t_s * sr), Math.ceil((b.t_s + b.dur_s) * sr));
    return { ...b, amp: Math.sqrt(2 * bg * 10 ** (snrDb / 10)) };
  });
  addBeeps(x, sr, scaled);
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  if (peak > 0.95) for (let i = 0; i < x.length; i++) x[i] *= 0.95 / peak;
  return x;
}

/** A 32-bit float mono WAV. */
export function writeWavF32(path: string, x: Float32Array, sr: number): void {
  writeWav(path, x, sr, 32);
}

/**
 * The beep detector's detections in a signal: written as a float WAV in `dir`, made a 16-bit PCM WAV by ffmpeg (as a
 * recorder writes it), scanned whole at 1 kHz (scanAudioTone).
 */
export async function beepDetections(dir: string, name: string, x: Float32Array, sr: number) {
  const raw = join(dir, `${name}-f32.wav`);
  writeWavF32(raw, x, sr);
  const f = join(dir, `${name}.wav`);
  ffmpeg(['-i', raw, '-c:a', 'pcm_s16le', f]);
  const scan = await scanAudioTone(f, [{ name: 'all', start_s: 0, duration_s: null }]);
  return scan.windows[0].detections;
}

export function ffmpeg(args: string[], input?: Buffer): void {
  const r = spawnSync(generatorBinaries().ffmpeg, ['-nostdin', '-y', '-v', 'error', ...args], { input, maxBuffer: 1 << 30, env: childEnv() });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr?.toString()}`);
}

/**
 * Float WAVs written again as 16-bit PCM WAVs ([from, to] pairs) by one ffmpeg run: each output the same bytes as a run
 * of its own (checked with Debian's ffmpeg 5.1 and the npm build, 2026-12-05), one start (~0.15 CPU s of Debian's).
 */
export function pcm16(pairs: Array<[string, string]>): void {
  ffmpeg([...pairs.flatMap(([from]) => ['-i', from]), ...pairs.flatMap(([, to], i) => ['-map', `${i}:a`, '-c:a', 'pcm_s16le', to])]);
}

export const REVERB = 'aecho=0.8:0.9:11|23|37|53:0.35|0.25|0.18|0.1';

/**
 * One frame of flashVideo's scene into `frame`. What depends on one coordinate alone (the bars' sines, the blob's
 * squared distance along x or y, the LED square's columns and rows) is computed per column and per row: the same
 * values as per pixel (the same operations on the same numbers), w + h of each a frame instead of wh; 320x180 frames
 * cost ~50 ns a pixel computed per pixel (2026-12-06).
 */
class SceneRows {
  private readonly colBar: Float64Array;
  private readonly rowBar: Float64Array;
  private readonly dx2: Float64Array;
  private readonly dy2: Float64Array;
  private readonly sq: number;

  constructor(
    private readonly w: number,
    private readonly h: number,
  ) {
    this.colBar = new Float64Array(w);
    this.dx2 = new Float64Array(w);
    this.rowBar = new Float64Array(h);
    this.dy2 = new Float64Array(h);
    this.sq = Math.round(Math.min(w, h) * 0.1);
  }

  /** The frame at t0 s, the flash on for the fraction `on` of its exposure; one draw of `u` a pixel, row by row. */
  drawFrame(frame: Uint8Array, t0: number, on: number, kind: 'corner' | 'frame', u: () => number): void {
    const { w, h, sq, colBar, rowBar, dx2, dy2 } = this;
    const bx = (w / 2) + (w / 3) * Math.sin(t0 * 1.3);
    const by = (h / 2) + (h / 3) * Math.cos(t0 * 0.9);
    for (let x = 0; x < w; x++) {
      colBar[x] = 40 * Math.sin((x + 40 * t0) / 9);
      dx2[x] = (x - bx) ** 2;
    }
    for (let y = 0; y < h; y++) {
      rowBar[y] = 25 * Math.sin((y - 25 * t0) / 13);
      dy2[y] = (y - by) ** 2;
    }
    const ledX0 = w - sq - 6;
    const ledX1 = w - 6;
    for (let y = 0, i = 0; y < h; y++) {
      const led = kind === 'corner' && y >= 6 && y < 6 + sq;
      const rb = rowBar[y];
      const yy = dy2[y];
      for (let x = 0; x < w; x++, i++) {
        let v = 60 + colBar[x] + rb;
        if (dx2[x] + yy < 400) v += 90;
        v += (u() - 0.5) * 12;
        if (kind === 'frame') v = v + on * (235 - v) * 0.85;
        else if (led && x >= ledX0 && x < ledX1) v = v + on * (250 - v);
        frame[i] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
}

/**
 * A moving scene (drifting bars and a moving blob over noise) with a flash whose brightness follows a camera with a
 * fully open shutter: a frame exposed over [t, t + 1/fps) shows the fraction of that interval the flash was on, so
 * flash onsets can fall between frames. kind 'corner': a small bright square in the top-right corner; 'frame': the
 * whole frame brightens. Encoded to H.264.
 */
export function flashVideo(path: string, o: { fpsNum: number; fpsDen: number; seconds: number; flashes: Array<{ t_s: number; dur_s: number }>; kind: 'corner' | 'frame'; w?: number; h?: number; audio?: string }): void {
  const w = o.w ?? 320;
  const h = o.h ?? 180;
  const fps = o.fpsNum / o.fpsDen;
  const nFrames = Math.round(o.seconds * fps);
  const frames = Buffer.alloc(nFrames * w * h);
  const u = rng(7).u;
  const scene = new SceneRows(w, h);
  for (let f = 0; f < nFrames; f++) {
    const t0 = (f * o.fpsDen) / o.fpsNum;
    const t1 = ((f + 1) * o.fpsDen) / o.fpsNum;
    let on = 0;
    for (const fl of o.flashes) on += Math.max(0, Math.min(t1, fl.t_s + fl.dur_s) - Math.max(t0, fl.t_s));
    on /= t1 - t0;
    scene.drawFrame(frames.subarray(f * w * h, (f + 1) * w * h), t0, on, o.kind, u);
  }
  const args = ['-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${w}x${h}`, '-framerate', `${o.fpsNum}/${o.fpsDen}`, '-i', 'pipe:0'];
  if (o.audio) args.push('-i', o.audio);
  args.push('-map', '0:v');
  if (o.audio) args.push('-map', '1:a', '-c:a', 'aac', '-b:a', '128k');
  args.push('-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', path);
  ffmpeg(args, frames);
}
