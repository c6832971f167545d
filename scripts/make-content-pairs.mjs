#!/usr/bin/env node
/**
 * Test material for sync's content check (`content_mismatch`, docs/sync.md "Content check"; issue 11): pairs of a
 * session's lav (reference, a beep heard dry) and a second sound placed by its own beep, long enough (40 s to 3 min)
 * that their kept windows overlap by 20 s or more at the placed offset, and with content that correlates weakly:
 *   - genuine: the same session's far room microphone (RT60 0.5-0.8 s, participant DRR down to -9 dB, noise at 0-10 dB
 *     SNR over active speech, HVAC hum and fan noise, Opus/AAC/MP3 at 16-32 kbit/s), a camera microphone (AGC, its own
 *     noise), a far microphone that hears mostly the interviewer (the lav's wearer 10 dB down there, the lav with
 *     clothing rustle), long silences between turns, 40 s files (--search-s 0), overlaps just over 20 s;
 *   - other: the same kind of second sound from another session (other talkers, other room, other noise; its own
 *     beep at a plausible time), beside this session's lav: a misfiled file, which the check is for;
 *   - wrong_beep: a genuine pair placed by the wrong beep (the lav beeped twice, the second sound heard only the
 *     second beep, `--pick first` pairs it with the first): the placement is wrong by the beeps' spacing.
 * Speech: the five CMU clips of fixtures/sync/speech, each talker of each session resampled by its own factor
 * (0.80-1.25: another pitch and tempo, so that another session's talker never repeats this one's waveform at any lag)
 * and cut into turns (participant and interviewer alternate, silences between turns).
 *
 *   node scripts/make-content-pairs.mjs --out DIR [--variant N] [--only ID,ID]
 * (as a module: cases, conditions, draws and session, for a test that builds a case's signals in memory)
 *
 * Each case: lav.wav (48 kHz 16-bit), mic.<ext> (48 kHz), truth.json (kind, condition, the true offset, whether the
 * check should warn, the args to run `mmprep sync` with). Deterministic: seeded (mulberry32), no wall clock; synthesis
 * at 16 kHz (the clips' rate), written at 48 kHz by ffmpeg.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import FFT from 'fft.js';
import { toolPath } from './ffmpeg-bin.mjs';
import { writeWav } from './wav.mjs';
import { rng } from './rng.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SR = 16000;
const OUT_SR = 48000;
let ffmpegBin = null;
/** The ffmpeg to run, found at its first use (the tests import this file's pure functions and run none). */
const FFMPEG = () => (ffmpegBin ??= toolPath('ffmpeg'));
const FFPROBE = process.env.MMPREP_FFPROBE || 'ffprobe';
const ff = (args) => execFileSync(FFMPEG(), ['-nostdin', '-y', '-v', 'error', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
function decode(file) {
  const b = execFileSync(FFMPEG(), ['-nostdin', '-v', 'error', '-i', file, '-ac', '1', '-ar', String(SR), '-f', 'f32le', '-'], { maxBuffer: 1 << 30 });
  return new Float32Array(b.buffer, b.byteOffset, b.length / 4).slice();
}
const CLIPS = ['001', '002', '003', '004', '005'].map((n) => decode(join(ROOT, 'fixtures', 'sync', 'speech', `${n}.wav`)));

/** x read at rate f (f > 1: faster and higher), linear interpolation. */
function resample(x, f) {
  const y = new Float32Array(Math.floor((x.length - 1) / f));
  for (let i = 0; i < y.length; i++) {
    const p = i * f;
    const j = Math.floor(p);
    y[i] = x[j] + (p - j) * (x[j + 1] - x[j]);
  }
  return y;
}

/**
 * A conversation of totalS seconds: turns of the participant (3-10 s of clips) and the interviewer (2-6 s),
 * alternating, with silences of 0.3 s up to maxGap s between turns. Each talker's clips are resampled by its factor.
 * Returns both tracks and the fraction of time someone talks.
 */
function conversation(totalS, seed, fP, fI, maxGap) {
  const r = rng(seed);
  const n = Math.round(totalS * SR);
  const tracks = [new Float32Array(n), new Float32Array(n)];
  const clips = [CLIPS.map((c) => resample(c, fP)), CLIPS.map((c) => resample(c, fI))];
  let pos = Math.round(r.u() * SR);
  let who = 0;
  let active = 0;
  while (pos < n) {
    const turnEnd = pos + Math.round((who === 0 ? 3 + 7 * r.u() : 2 + 4 * r.u()) * SR);
    while (pos < Math.min(turnEnd, n)) {
      const c = clips[who][Math.floor(r.u() * CLIPS.length)];
      const gain = 0.6 + 0.6 * r.u();
      for (let i = 0; i < c.length && pos + i < n; i++) tracks[who][pos + i] += gain * c[i];
      active += Math.min(c.length, n - pos);
      pos += c.length + Math.round((0.05 + 0.3 * r.u()) * SR);
    }
    pos += Math.round((0.3 + (maxGap - 0.3) * r.u()) * SR);
    who = 1 - who;
  }
  return { p: tracks[0], i: tracks[1], activity: active / n };
}

/** Linear convolution by overlap-add (fft.js, blocks of 2^16). */
function convolve(x, h) {
  const size = 1 << 16;
  const seg = size - h.length;
  const f = new FFT(size);
  const H = f.createComplexArray();
  const hi = new Float64Array(size);
  hi.set(h);
  f.realTransform(H, hi);
  f.completeSpectrum(H);
  const out = new Float32Array(x.length);
  const X = f.createComplexArray();
  const y = f.createComplexArray();
  const xi = new Float64Array(size);
  for (let o = 0; o < x.length; o += seg) {
    xi.fill(0);
    xi.set(x.subarray(o, Math.min(x.length, o + seg)));
    f.realTransform(X, xi);
    f.completeSpectrum(X);
    for (let k = 0; k < size; k++) {
      const re = X[2 * k] * H[2 * k] - X[2 * k + 1] * H[2 * k + 1];
      X[2 * k + 1] = X[2 * k] * H[2 * k + 1] + X[2 * k + 1] * H[2 * k];
      X[2 * k] = re;
    }
    f.inverseTransform(y, X);
    for (let i = 0; i < size && o + i < x.length; i++) out[o + i] += y[2 * i];
  }
  return out;
}

/** Room impulse response (scripts/make-sync-rooms.mjs's model): unit direct path, decaying noise tail, broadband DRR. */
function roomIR(rt60, drrDb, seed) {
  const r = rng(seed);
  const h = new Float32Array(Math.round(rt60 * SR));
  const pre = Math.round(0.0015 * SR);
  let e = 0;
  for (let i = pre; i < h.length; i++) {
    h[i] = r.g() * Math.exp((-6.91 * (i - pre)) / (rt60 * SR));
    e += h[i] * h[i];
  }
  const g = Math.sqrt(10 ** (-drrDb / 10) / e);
  for (let i = pre; i < h.length; i++) h[i] *= g;
  h[0] = 1;
  return h;
}

function power(x) {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s / Math.max(1, x.length);
}

/** Pinkish noise (white through a one-pole low-pass at ~1 kHz, plus a little white) and fan rumble (low-passed ~100 Hz). */
function roomNoise(n, seed) {
  const r = rng(seed);
  const x = new Float32Array(n);
  let lp = 0;
  let fan = 0;
  for (let i = 0; i < n; i++) {
    const w = r.g();
    lp = 0.67 * lp + 0.33 * w;
    fan = 0.96 * fan + 0.04 * r.g();
    x[i] = lp + 0.3 * w + 4 * fan;
  }
  return x;
}

/** Mains hum of the ventilation: harmonics of 50 Hz (1/h amplitudes, to 400 Hz) whose frequency wanders slowly. */
function hum(n, seed) {
  const r = rng(seed);
  const x = new Float32Array(n);
  let f = 50 + 0.1 * (r.u() - 0.5);
  let ph = r.u() * 2 * Math.PI;
  const phases = [0, 1, 2, 3, 4, 5, 6, 7].map(() => r.u() * 2 * Math.PI);
  for (let i = 0; i < n; i++) {
    if (i % SR === 0) f = Math.min(50.1, Math.max(49.9, f + 0.01 * r.g()));
    ph += (2 * Math.PI * f) / SR;
    let s = 0;
    for (let h = 1; h <= 8; h++) s += Math.sin(h * ph + phases[h - 1]) / h;
    x[i] = s;
  }
  return x;
}

/** Clothing rustle on a lav: bursts (0.2-1.5 s) of high-passed noise every 2-10 s, each at its own level. */
function rustle(n, seed, level) {
  const r = rng(seed);
  const x = new Float32Array(n);
  for (let pos = Math.round(2 * r.u() * SR); pos < n; pos += Math.round((2 + 8 * r.u()) * SR)) {
    const len = Math.round((0.2 + 1.3 * r.u()) * SR);
    const a = level * (0.3 + r.u());
    let prev = 0;
    for (let i = 0; i < len && pos + i < n; i++) {
      const w = r.g();
      x[pos + i] += a * (w - 0.9 * prev) * Math.sin((Math.PI * i) / len) * (1 + r.u());
      prev = w;
    }
  }
  return x;
}

/** Camera AGC: gain toward an RMS of 0.1 (attack 10 ms, release 0.5 s, at most +20 dB) on a smoothed envelope. */
function agc(x) {
  const y = new Float32Array(x.length);
  const att = Math.exp(-1 / (0.01 * SR));
  const rel = Math.exp(-1 / (0.5 * SR));
  let env = 1e-3;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    env = a > env ? att * env + (1 - att) * a : rel * env + (1 - rel) * a;
    y[i] = x[i] * Math.min(10, 0.1 / Math.max(env, 1e-4));
  }
  return y;
}

/** A ref-time signal seen on a device clock (t_ref = t_dev (1 + k) + offset), by linear interpolation. */
function onClock(xRef, n, offset, k) {
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const p = ((i / SR) * (1 + k) + offset) * SR;
    const j = Math.floor(p);
    if (j >= 0 && j + 1 < xRef.length) y[i] = xRef[j] + (p - j) * (xRef[j + 1] - xRef[j]);
  }
  return y;
}

/**
 * The beep's direct-to-reverberant ratio at the second sound: the sync box near it (beside the camera, in view of
 * its lens), so that it is placed by its beep; these sets are about the content, not the beep.
 */
const BEEP_DRR_DB = 3;

/** 250 ms 1 kHz beeps at reference times beepsRef, on a device clock, in n samples. */
function beepsOnClock(n, beepsRef, offset, k) {
  const x = new Float32Array(n);
  for (const T of beepsRef) {
    const ts = (T - offset) / (1 + k);
    for (let i = Math.max(0, Math.ceil(ts * SR)); i < Math.min(n, Math.ceil((ts + 0.25 / (1 + k)) * SR)); i++) x[i] = Math.sin(2 * Math.PI * 1000 * (1 + k) * (i / SR - ts));
  }
  return x;
}

const ENC = {
  wav: { ext: 'wav', args: ['-c:a', 'pcm_s16le'] },
  opus16: { ext: 'ogg', args: ['-c:a', 'libopus', '-b:a', '16k', '-fflags', '+bitexact'] },
  opus24: { ext: 'ogg', args: ['-c:a', 'libopus', '-b:a', '24k', '-fflags', '+bitexact'] },
  aac32: { ext: 'm4a', args: ['-c:a', 'aac', '-b:a', '32k'] },
  aac64: { ext: 'm4a', args: ['-c:a', 'aac', '-b:a', '64k'] },
  mp3: { ext: 'mp3', args: ['-c:a', 'libmp3lame', '-b:a', '32k'] },
};

function normalize(x, peak = 0.9) {
  let p = 0;
  for (let i = 0; i < x.length; i++) p = Math.max(p, Math.abs(x[i]));
  if (p > 0) for (let i = 0; i < x.length; i++) x[i] *= peak / p;
  return x;
}

/** Writes x (SR) to dir/name at 48 kHz with encoder enc; returns the file name and its first sample's time. */
function encode(dir, name, x, enc) {
  const raw = join(dir, `${name}-raw.wav`);
  writeWav(raw, x, SR);
  const file = `${name}.${ENC[enc].ext}`;
  ff(['-i', raw, '-ar', String(OUT_SR), ...ENC[enc].args, join(dir, file)]);
  rmSync(raw);
  if (enc === 'wav') return { file, first: 0 };
  const s = execFileSync(FFPROBE, ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=start_time', '-of', 'csv=p=0', join(dir, file)]).toString().trim();
  return { file, first: Number.isFinite(Number(s)) ? Number(s) : 0 };
}

/**
 * One session: its conversation (ref time), lav and second sound. s: the session's draws (seed, talker factors,
 * offset, drift, beeps); c: the condition. Returns the lav and mic signals (SR) and the truth of the mic's clock.
 */
export function session(c, s) {
  const total = s.lavDur;
  const conv = conversation(total + 2, s.seed, s.fP, s.fI, c.maxGap ?? 2);
  const lavBeeps = beepsOnClock(Math.round(total * SR), s.beeps, 0, 0);
  const iAtLav = convolve(conv.i, roomIR(c.rt60, -6, s.seed + 1));
  const nz = rng(s.seed + 2);
  const rs = c.rustle ? rustle(conv.p.length, s.seed + 3, 0.5) : null;
  const lav = new Float32Array(Math.round(total * SR));
  for (let i = 0; i < lav.length; i++) lav[i] = 0.5 * conv.p[i] + 0.05 * iAtLav[i] + 0.002 * nz.g() + (rs ? rs[i] : 0) + 0.3 * lavBeeps[i];
  const n = Math.round(c.dur * SR);
  const pMic = convolve(onClock(conv.p, n, s.offset, s.k), roomIR(c.rt60, c.drrP, s.seed + 4));
  const iMic = convolve(onClock(conv.i, n, s.offset, s.k), roomIR(c.rt60, c.drrI, s.seed + 5));
  // The interviewer's level against the participant's; a short second sound in which the participant does not talk
  // (6-12 s files, scripts/measure-content-short.mjs) keeps the interviewer at full level (it was silenced: all zero).
  const pP = power(pMic);
  const gI = pP > 0 ? Math.sqrt((pP / Math.max(power(iMic), 1e-20)) * 10 ** (-(c.pOverI ?? 0) / 10)) : 1;
  const speech = pMic.map((v, i) => v + gI * iMic[i]);
  const sp = power(speech) / Math.max(conv.activity, 0.05);
  const noise = roomNoise(n, s.seed + 6);
  const gN = Math.sqrt(sp / power(noise) / 10 ** (c.snr / 10));
  const hm = c.hum ? hum(n, s.seed + 7) : null;
  const gH = hm ? Math.sqrt((sp * 10 ** (-(c.snr + 6) / 10)) / power(hm)) : 0;
  const beep = convolve(beepsOnClock(n, s.micBeeps, s.offset, s.k), roomIR(c.rt60, BEEP_DRR_DB, s.seed + 8));
  const gB = Math.sqrt((10 * (sp + gN * gN * power(noise))) / 0.5);
  let mic = speech.map((v, i) => v + gN * noise[i] + (hm ? gH * hm[i] : 0) + gB * beep[i]);
  if (c.agc) mic = agc(mic);
  return { lav: normalize(lav), mic: normalize(mic, 0.7) };
}

/** The draws of one session of a case (seed base b): talker factors from a pool by slot, clock, beeps. */
export function draws(c, b, slot) {
  const r = rng(b);
  const factors = [0.8, 0.87, 0.94, 1.0, 1.07, 1.15, 1.25];
  const offset = c.offset ?? 2 + 6 * r.u();
  const k = (r.u() < 0.5 ? -1 : 1) * (20 + 80 * r.u()) * 1e-6;
  const lavBeep = offset + 1.5 + 3 * r.u();
  return {
    seed: b,
    fP: factors[(2 * slot) % 7],
    fI: factors[(2 * slot + 1) % 7],
    offset,
    k,
    lavDur: c.lavDur ?? c.dur + offset + 2,
    beeps: c.wrongBeep ? [offset - c.wrongBeep, lavBeep] : [lavBeep],
    micBeeps: [lavBeep],
  };
}

function truthOf(c, kind, s, micFile, first) {
  return {
    id: c.id,
    kind,
    condition: c.cond,
    warn_expected: kind !== 'genuine',
    tags: { rt60_s: c.rt60, drr_participant_db: c.drrP, drr_interviewer_db: c.drrI, participant_over_interviewer_db: c.pOverI ?? 0, snr_db: c.snr, hum: !!c.hum, agc: !!c.agc, rustle: !!c.rustle, max_gap_s: c.maxGap ?? 2, codec: c.enc, dur_s: c.dur, lav_dur_s: s.lavDur },
    args: c.args,
    files: ['lav.wav', micFile],
    streams: [
      { file: 'lav.wav', offset_s: 0, drift_ppm: 0, beeps_s: s.beeps },
      { file: micFile, offset_s: Math.round((s.offset - first * (1 + s.k)) * 1e9) / 1e9, drift_ppm: Math.round(s.k * 1e9) / 1e3, first_sample_s: first, same_session: kind !== 'other' },
    ],
  };
}

function makeCase(out, c) {
  const dir = join(out, c.id);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const own = draws(c, c.seed, c.slot);
  const a = session(c, own);
  writeWav(join(dir, 'lav-raw.wav'), a.lav, SR);
  ff(['-i', join(dir, 'lav-raw.wav'), '-ar', String(OUT_SR), '-c:a', 'pcm_s16le', join(dir, 'lav.wav')]);
  rmSync(join(dir, 'lav-raw.wav'));
  let micSig = a.mic;
  let truthSession = own;
  if (c.kind === 'other') {
    // Another session: its own talkers (other factors), room seeds, noise and clock; its beep where it heard it.
    const theirs = draws(c, c.seed + 7919, c.slot + 2);
    micSig = session(c, theirs).mic;
    // Placed by its beep: its beep (mic time (T' - offset') / (1 + k')) falls on this lav's beep.
    truthSession = { ...own, offset: own.beeps[0] - (theirs.micBeeps[0] - theirs.offset), k: theirs.k };
  }
  const { file, first } = encode(dir, 'mic', micSig, c.enc);
  writeFileSync(join(dir, 'truth.json'), JSON.stringify(truthOf(c, c.kind, truthSession, file, first), null, 2) + '\n');
}

/** The conditions (acoustics of the second sound, length, args), each made genuine and other-session. */
export function conditions() {
  return [
    { cond: 'far-opus16', rt60: 0.8, drrP: -9, drrI: -3, snr: 0, hum: true, enc: 'opus16', dur: 180, args: [] },
    { cond: 'far-aac32', rt60: 0.6, drrP: -6, drrI: 0, snr: 5, hum: true, enc: 'aac32', dur: 90, args: [] },
    { cond: 'far-mp3', rt60: 0.5, drrP: -9, drrI: -3, snr: 10, hum: false, enc: 'mp3', dur: 120, args: [] },
    { cond: 'far-silences', rt60: 0.7, drrP: -9, drrI: -3, snr: 0, hum: true, maxGap: 8, enc: 'opus24', dur: 180, args: [] },
    { cond: 'camera-agc', rt60: 0.5, drrP: -3, drrI: 0, snr: 5, hum: true, agc: true, enc: 'aac64', dur: 120, args: [] },
    { cond: 'lav-rustle-other-talker', rt60: 0.6, drrP: -9, drrI: 0, pOverI: -10, snr: 5, rustle: true, enc: 'mp3', dur: 90, args: [] },
    { cond: 'short-40s', rt60: 0.8, drrP: -9, drrI: -3, snr: 0, hum: true, enc: 'opus16', dur: 40, args: ['--search-s', '0'] },
    // The kept windows are a file's first 60 s (scan-audio.ts keepS, whatever the search window): a mic started 38.7 s
    // after the lav overlaps the lav's window by 21.3 s.
    { cond: 'overlap-21s', rt60: 0.6, drrP: -6, drrI: 0, snr: 0, hum: true, enc: 'aac32', dur: 48, offset: 38.7, args: [] },
    { cond: 'other-talker-snr0-opus16', rt60: 0.8, drrP: -9, drrI: 0, pOverI: -10, snr: 0, rustle: true, hum: true, enc: 'opus16', dur: 90, args: [] },
  ];
}

export function cases(variant) {
  const out = [];
  let seed = 5000 + 100003 * variant;
  let slot = 0;
  for (const c of conditions()) {
    for (const rep of [0, 1]) {
      for (const kind of ['genuine', 'other']) {
        seed += 31;
        out.push({ ...c, id: `${kind}-${c.cond}-${rep}`, kind, seed, slot: slot++ });
      }
    }
  }
  // A genuine pair placed by the wrong beep: the lav beeped 12-20 s before its second beep, the mic (started 24 s
  // after the lav, a restart) heard only the second; --pick first pairs the mic's beep with the lav's first.
  for (const [j, c] of conditions().slice(0, 5).entries()) {
    seed += 31;
    out.push({ ...c, id: `wrong_beep-${c.cond}`, kind: 'wrong_beep', seed, slot: slot++, offset: 24, wrongBeep: 12 + 2 * j, args: [...c.args, '--pick', 'first'] });
  }
  return out;
}

function main() {
  const arg = (n, d) => {
    const i = process.argv.indexOf(`--${n}`);
    return i > 0 ? process.argv[i + 1] : d;
  };
  const out = arg('out', null);
  const only = arg('only', null)?.split(',') ?? null;
  const variant = Number(arg('variant', '0'));
  if (!out || !Number.isInteger(variant) || variant < 0) {
    console.error('usage: node scripts/make-content-pairs.mjs --out DIR [--variant N (integer >= 0)] [--only ID,ID]');
    process.exit(2);
  }
  mkdirSync(out, { recursive: true });
  const list = cases(variant).filter((c) => !only || only.includes(c.id));
  for (const c of list) makeCase(out, c);
  console.log(`make-content-pairs: ${list.length} cases (variant ${variant}) in ${out}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
