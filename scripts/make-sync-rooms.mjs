#!/usr/bin/env node
/**
 * Sync test cases with known truth (docs/sync.md; format: docs/sync.md "Test cases with known truth"; issue 11 item 6): microphones in
 * reverberant rooms. Each case is a folder with a close reference microphone (lav.wav: beep and speech dry, band SNR
 * 20 dB) and a room microphone on its own clock (non-round offset, 20-100 ppm drift) that hears the beep through a
 * room impulse response (a direct path plus an exponentially decaying noise tail, RT60 0.3-0.8 s, with a set
 * direct-to-reverberant ratio at 1 kHz), two talkers from the CMU clips in fixtures/sync (the participant, whom the
 * lav hears close and the room microphone from a distance; the interviewer, nearer the room microphone and 20 dB down
 * at the lav, so that cross-correlating the two microphones is not flattered by one shared talker) and noise as the
 * interference at a set band SNR (the beep's power against the interference within the 10 ms demodulator's band at
 * 1 kHz, averaged over the whole recording), encoded to WAV, AAC, Opus or MP3. Each true beep's own band SNR (the
 * beep against the interference over its 0.25 s: beepBandSnrDb) is in the truth as pulses_band_snr_db.
 * Negative controls: no beep in any file (and --fallback none), which `mmprep sync` must refuse (exit 2).
 *
 *   node scripts/make-sync-rooms.mjs --out DIR [--set small|full] [--only ID,ID] [--variant N] [--geometry drawn|PL,PR,IL,IR,SL,SR] [--files mic]
 *
 * --variant N (default 0) draws other seeds (offsets, drift, beep times, rooms, talkers, noise) for the same grid:
 * a held-out set to check that a fix is not tuned to the committed one.
 * --geometry (default off: every case as without it, byte for byte) puts the participant, the interviewer and the
 * sync loudspeaker at distances from the lav and the room microphone: `drawn` draws a layout per case from its seed
 * (positions in a plane, below: roomGeometry), or six distances in metres (participant-lav, participant-room,
 * interviewer-lav, interviewer-room, speaker-lav, speaker-room) for every case. Each source reaches each microphone
 * after its direct path's delay (distance / 343 m/s), added before the microphone's room response. The truth follows
 * the beep (docs/sync.md "Test cases with known truth"): the beep defines the common clock, so the room microphone's
 * offset is its clock offset plus the beep's delay to the lav minus its delay to the room microphone; the truth's
 * `geometry` records the layout, the delays and each talker's own lag against the beep's.
 * --levels distance (with --geometry; default off) sets each source's level and echo at each microphone by its
 * distance instead of the fixed mix: the direct sound falls as 1/r and the reverberant field is the same everywhere
 * in the room, so a source's direct-to-reverberant ratio is 20 log10(r_c / r) (r_c, the critical distance: Kuttruff,
 * Room Acoustics, 5th ed., sec. 5.5), with r_c set where the case's DRR holds for the loudspeaker at the room
 * microphone. The lav then hears the interviewer as far as they stand (a lav at 0.2 m: 20 dB down at 2 m), and a first
 * microphone stated farther from the participant (1.5 m: a camera's) hears both talkers alike.
 * --lav-rt60 S (with --levels distance) gives the first microphone's room its own RT60 (a camera or recorder in
 * another room, or a drier corner), its critical distance scaled by sqrt(RT60 / S) (r_c = 0.057 sqrt(V / RT60)).
 * --files mic writes the room microphone and truth.json only, not lav.wav (for tests that read the room microphone
 * alone: the lav's convolution, a quarter of a case's CPU, is skipped). The room microphone and the truth are the bytes
 * the full case has (the lav's samples feed nothing of the room microphone's, and its draws come from seeds of its own).
 * --beep none makes every case without a beep and places it by its content (mmprep's default --fallback): the truth
 * is then the sample clock offset between the two devices (no beep defines the clock), and `geometry` records each
 * talker's lag against it (content_lag_vs_clock_s: its delay to the first microphone minus to the room's).
 *
 * Deterministic: fixed seeds (mulberry32), no wall clock. Truth offsets follow docs/sync.md's timeline convention:
 * presentation times (an MP3's first decoded sample is at its start_time, the encoder delay ffprobe reports).
 * Since 2026-12-07 (session 55) the room responses are applied by overlap-add with block FFTs (convolve), not one
 * transform of the whole signal: ~0.15 instead of ~0.6 CPU s a convolution. The two differ by at most ~6e-16 of the
 * signal's peak before the float32 rounding (measured), so a sample now and then rounds the other way: of --set full
 * --variant 0's 196 files, 5 differ in 1-2 samples by one float32 step, the encoded room microphones and truth.json not
 * at all (docs/sync.md "Running the bench yourself"); renders from before differ from these by that much.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import FFT from 'fft.js';
import { toolPath } from './ffmpeg-bin.mjs';
import { writeWav } from './wav.mjs';
import { rng } from './rng.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SR = 48000;
const FFMPEG = toolPath('ffmpeg');
const FFPROBE = toolPath('ffprobe');
const arg = (n, d) => {
  const i = process.argv.indexOf(`--${n}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const OUT = arg('out', null);
const SET = arg('set', 'small');
const ONLY = arg('only', null)?.split(',') ?? null;
const VARIANT = Number(arg('variant', '0'));
const GEOMETRY = arg('geometry', null);
const GEOMETRY_M = GEOMETRY && GEOMETRY !== 'drawn' ? GEOMETRY.split(',').map(Number) : null;
const geometryBad = GEOMETRY_M !== null && (GEOMETRY_M.length !== 6 || GEOMETRY_M.some((d) => !Number.isFinite(d) || d < 0 || d > 20));
const LEVELS = arg('levels', null);
const LAV_RT60 = arg('lav-rt60', null) === null ? null : Number(arg('lav-rt60', null));
const BEEP = arg('beep', 'on');
const FILES = arg('files', 'all');
const levelsBad = (LEVELS !== null && (LEVELS !== 'distance' || !GEOMETRY)) || (LAV_RT60 !== null && (LEVELS === null || !(LAV_RT60 >= 0.1 && LAV_RT60 <= 2)));
if (!OUT || !['small', 'full'].includes(SET) || !Number.isInteger(VARIANT) || VARIANT < 0 || geometryBad || levelsBad || !['on', 'none'].includes(BEEP) || !['all', 'mic'].includes(FILES)) {
  console.error('usage: node scripts/make-sync-rooms.mjs --out DIR [--set small|full] [--variant N (integer >= 0)] [--geometry drawn|PL,PR,IL,IR,SL,SR (metres, 0-20)] [--levels distance (needs --geometry)] [--lav-rt60 S (0.1-2, needs --levels)] [--beep on|none] [--files all|mic]');
  process.exit(2);
}

const ff = (args) => execFileSync(FFMPEG, ['-nostdin', '-y', '-v', 'error', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });

/**
 * Decodes each file to mono float at SR, all in one ffmpeg run (one output per input, each on its own pipe, fd 3 on):
 * each output has its own resampler, so the samples are those of one ffmpeg run per file (checked equal, both ffmpeg
 * builds), without four more ffmpeg start-ups per generator run.
 */
function decodeAll(files) {
  const args = ['-nostdin', '-v', 'error'];
  for (const f of files) args.push('-i', f);
  files.forEach((_, i) => args.push('-map', `${i}:a:0`, '-ac', '1', '-ar', String(SR), '-f', 'f32le', `pipe:${3 + i}`));
  const r = spawnSync(FFMPEG, args, { stdio: ['ignore', 'ignore', 'inherit', ...files.map(() => 'pipe')], maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`ffmpeg could not decode ${files.join(', ')} (exit ${r.status ?? r.signal})`);
  return files.map((_, i) => {
    const b = r.output[3 + i];
    return new Float32Array(b.buffer, b.byteOffset, b.length / 4).slice();
  });
}

const CLIPS = decodeAll(['001', '002', '003', '004', '005'].map((n) => join(ROOT, 'fixtures', 'sync', 'speech', `${n}.wav`)));

/** A talker: the clips in a seeded order with gaps (ref time, SR). */
function speechTrack(totalS, seed) {
  const out = new Float32Array(Math.round(totalS * SR));
  const r = rng(seed);
  let pos = Math.round(r.u() * 0.3 * SR);
  while (pos < out.length) {
    const c = CLIPS[Math.floor(r.u() * CLIPS.length)];
    const gain = 0.5 + r.u();
    for (let i = 0; i < c.length && pos + i < out.length; i++) out[pos + i] += gain * c[i];
    pos += c.length + Math.round((0.05 + r.u() * 0.4) * SR);
  }
  return out;
}

/**
 * An fft.js plan (fft.js 4.0.4's fields) built with typed arrays: the same twiddle doubles (the same expression) and
 * bit-reversal integers as `new FFT(size)`, without its 2^22-element plain Array and per-element growth.
 */
function fftPlan(size) {
  const f = Object.create(FFT.prototype);
  f.size = size;
  f._csize = size << 1;
  const table = new Float64Array(size * 2);
  for (let i = 0; i < table.length; i += 2) {
    const angle = (Math.PI * i) / size;
    table[i] = Math.cos(angle);
    table[i + 1] = -Math.sin(angle);
  }
  f.table = table;
  let power = 0;
  for (let t = 1; size > t; t <<= 1) power++;
  f._width = power % 2 === 0 ? power - 1 : power;
  const bitrev = new Int32Array(1 << f._width);
  for (let j = 0; j < bitrev.length; j++) {
    let b = 0;
    for (let shift = 0; shift < f._width; shift += 2) b |= ((j >>> shift) & 3) << (f._width - shift - 2);
    bitrev[j] = b;
  }
  f._bitrev = bitrev;
  f._out = null;
  f._data = null;
  f._inv = 0;
  return f;
}

/**
 * Plans by size (a case's convolutions share a few block sizes; a plan's tables cost as much as a transform), each with
 * its work buffers: H, the impulse response's spectrum; Z, two blocks of the input packed as one complex signal (then
 * their convolutions); Y, Z's spectrum; r, the zero-padded response.
 */
const plans = new Map();
function plan(size) {
  if (!plans.has(size)) plans.set(size, { fft: fftPlan(size), H: new Float64Array(2 * size), Y: new Float64Array(2 * size), Z: new Float64Array(2 * size), r: new Float64Array(size) });
  return plans.get(size);
}

/** The real spectrum of x zero-padded to the plan's size, into S (fft.js realTransform + completeSpectrum). */
function spectrum(f, r, x, S) {
  r.set(x);
  r.fill(0, x.length);
  f.realTransform(S, r);
  f.completeSpectrum(S);
}

/** Whether x[a..b) is all zeros. */
function allZero(x, a, b) {
  for (let i = a; i < b; i++) if (x[i] !== 0) return false;
  return true;
}

/** The block FFT size for a response of length m: at least 4 m (a block of size - m + 1 input samples), 2^15 or more. */
function blockSize(m) {
  let size = 1 << 15;
  while (size < 4 * m) size <<= 1;
  return size;
}

/**
 * Linear convolution of x with h, cut to x's length, by overlap-add (Oppenheim & Schafer, Discrete-Time Signal
 * Processing, 3rd ed., sec. 8.7.3) with block FFTs (fft.js): h's spectrum once per call; blocks of size - h.length + 1
 * input samples, two per complex transform (the first as the real part, the next as the imaginary: h is real, so the
 * inverse's real and imaginary parts are the two blocks' convolutions); a pair of all-zero blocks is skipped (a beep
 * track is mostly zeros). Summed in doubles, rounded to float32 once. Since 2026-12-07 (session 55); before, one
 * transform of the whole signal: the outputs differ at float32 rounding (largest difference measured in docs/sync.md).
 */
function convolve(x, h) {
  const size = blockSize(h.length);
  const block = size - h.length + 1;
  const { fft: f, H, Y, Z, r } = plan(size);
  spectrum(f, r, h, H);
  const acc = new Float64Array(x.length);
  for (let a = 0; a < x.length; a += 2 * block) {
    const b = a + block;
    const end = Math.min(x.length, b + block);
    if (allZero(x, a, end)) continue;
    Z.fill(0);
    for (let i = a; i < Math.min(b, x.length); i++) Z[2 * (i - a)] = x[i];
    for (let i = b; i < end; i++) Z[2 * (i - b) + 1] = x[i];
    f.transform(Y, Z);
    for (let k = 0; k < size; k++) {
      const re = Y[2 * k] * H[2 * k] - Y[2 * k + 1] * H[2 * k + 1];
      const im = Y[2 * k] * H[2 * k + 1] + Y[2 * k + 1] * H[2 * k];
      Y[2 * k] = re;
      Y[2 * k + 1] = im;
    }
    f.inverseTransform(Z, Y);
    for (let j = 0; j < size && a + j < x.length; j++) acc[a + j] += Z[2 * j];
    for (let j = 0; j < size && b + j < x.length; j++) acc[b + j] += Z[2 * j + 1];
  }
  return new Float32Array(acc);
}

/** Band frequencies of bandEnergy1k (Hz). */
const BAND_F = [];
for (let f = 950; f <= 1050; f += 5) BAND_F.push(f);

/**
 * cos and sin of (2 pi f i) / SR for sample i = 0..len-1 of each band frequency (bandEnergy1k) or of 1 kHz
 * (bandPower), computed once per run with the same expression the sums used inline (so the same doubles).
 */
const phaseTables = new Map();
function phaseTable(f, len) {
  let t = phaseTables.get(f);
  if (!t || t.cos.length < len) {
    const cos = new Float64Array(len);
    const sin = new Float64Array(len);
    for (let i = 0; i < len; i++) {
      const ph = (2 * Math.PI * f * i) / SR;
      cos[i] = Math.cos(ph);
      sin[i] = Math.sin(ph);
    }
    t = { cos, sin };
    phaseTables.set(f, t);
  }
  return t;
}

/** Energy of h in 950-1050 Hz (mean |H(f)|^2 over the band; a unit impulse has 1). */
function bandEnergy1k(h) {
  let e = 0;
  let m = 0;
  for (const f of BAND_F) {
    const { cos, sin } = phaseTable(f, h.length);
    let re = 0;
    let im = 0;
    for (let i = 0; i < h.length; i++) {
      re += h[i] * cos[i];
      im -= h[i] * sin[i];
    }
    e += re * re + im * im;
    m++;
  }
  return e / m;
}

/**
 * Room impulse response: a unit direct path at 0, then from 1.5 ms an exponentially decaying Gaussian noise tail
 * (60 dB down after rt60), scaled so that the direct-to-reverberant energy ratio at 1 kHz is drrDb.
 */
function roomIR(rt60, drrDb, seed) {
  const r = rng(seed);
  const len = Math.round(rt60 * SR);
  const h = new Float32Array(len);
  const pre = Math.round(0.0015 * SR);
  for (let i = pre; i < len; i++) h[i] = r.g() * Math.exp((-6.91 * (i - pre)) / (rt60 * SR));
  const eTail = bandEnergy1k(h);
  const g = Math.sqrt(1 / (eTail * 10 ** (drrDb / 10)));
  for (let i = pre; i < len; i++) h[i] *= g;
  h[0] = 1;
  return h;
}

/** In-band power at 1 kHz (10 ms boxcar demodulator, as the detector measures it) of x over [a, b) samples. */
function bandPower(x, a, b) {
  const N = Math.round(0.01 * SR);
  let s = 0;
  let n = 0;
  const { cos, sin } = phaseTable(1000, Math.max(0, Math.min(b, x.length)));
  for (let w = Math.max(0, a); w + N <= Math.min(b, x.length); w += N) {
    let re = 0;
    let im = 0;
    for (let i = w; i < w + N; i++) {
      re += x[i] * cos[i];
      im -= x[i] * sin[i];
    }
    s += (2 * (re * re + im * im)) / (N * N);
    n++;
  }
  return s / Math.max(1, n);
}

function power(x, a, b) {
  let s = 0;
  for (let i = a; i < b; i++) s += x[i] * x[i];
  return s / Math.max(1, b - a);
}

const BEEP_S = 0.25;

/**
 * One beep's own band SNR at the room microphone: the beep as heard there (direct sound and its building echo) against
 * the interference (both talkers and noise, at the gain the mix uses) over the beep's 0.25 s, each by bandPower (the
 * 10 ms demodulator at 1 kHz): the session's snr_db is the first beep's band power against the interference's mean
 * over the whole recording, which says nothing of a beep that sounds under a loud vowel. Rounded to 0.01 dB.
 */
function beepBandSnrDb(beepMic, interference, gain, ts) {
  const te = ts + Math.round(BEEP_S * SR);
  const pi = gain * gain * bandPower(interference, ts, te);
  return Math.round(100 * 10 * Math.log10(bandPower(beepMic, ts, te) / Math.max(pi, 1e-30))) / 100;
}

/** Beep (1 kHz on the reference clock, starting at sine phase 0) as a source signal on a device clock. */
function beepOnClock(n, beepsRef, offset, k) {
  const x = new Float32Array(n);
  for (const T of beepsRef) {
    const ts = (T - offset) / (1 + k);
    const i0 = Math.ceil(ts * SR);
    const i1 = Math.min(n, Math.ceil((ts + BEEP_S / (1 + k)) * SR));
    for (let i = Math.max(0, i0); i < i1; i++) x[i] = Math.sin(2 * Math.PI * 1000 * (1 + k) * (i / SR - ts));
  }
  return x;
}

/** A ref-time signal seen on a device clock (t_ref = t_src (1 + k) + offset), by linear interpolation. */
function onClock(xRef, n, offset, k) {
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = (i / SR) * (1 + k) + offset;
    const p = t * SR;
    const j = Math.floor(p);
    if (j >= 0 && j + 1 < xRef.length) y[i] = xRef[j] + (p - j) * (xRef[j + 1] - xRef[j]);
  }
  return y;
}

function probeStart(file) {
  const s = execFileSync(FFPROBE, ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=start_time', '-of', 'csv=p=0', file]).toString().trim();
  const v = Number(s);
  return Number.isFinite(v) ? v : 0;
}

const ENC = {
  wav: { ext: 'wav', args: ['-c:a', 'pcm_s16le'] },
  aac: { ext: 'm4a', args: ['-c:a', 'aac', '-b:a', '96k'] },
  opus: { ext: 'ogg', args: ['-c:a', 'libopus', '-b:a', '48k', '-fflags', '+bitexact'] }, // bitexact: no random Ogg serial number
  mp3: { ext: 'mp3', args: ['-c:a', 'libmp3lame', '-b:a', '128k'] },
};

/** Speed of sound in air at about 20 °C, m/s (ISO 9613-1). */
const SOUND_M_S = 343;

const r4 = (v) => Math.round(v * 1e4) / 1e4;
const at = (p, d, a) => [p[0] + d * Math.cos(a), p[1] + d * Math.sin(a)];
const dist = (p, q) => Math.hypot(p[0] - q[0], p[1] - q[1]);

/**
 * A drawn layout in a plane (metres; the lav at 0,0): the participant's mouth 0.2 m from the lav they wear; the room
 * microphone 1-3 m from the lav; the interviewer 0.5-1 m from the room microphone and at least 1 m from the lav; the
 * sync loudspeaker 0.5-2.5 m from the lav and at least 0.3 m from the room microphone, anywhere around. Seeded by the
 * case, so --variant draws other layouts.
 */
function drawnPositions(seed) {
  const r = rng(seed);
  const turn = () => 2 * Math.PI * r.u();
  const lav = [0, 0];
  const participant = at(lav, 0.2, turn());
  const room = at(lav, 1 + 2 * r.u(), turn());
  let interviewer;
  do interviewer = at(room, 0.5 + 0.5 * r.u(), turn());
  while (dist(interviewer, lav) < 1);
  let speaker;
  do speaker = at(lav, 0.5 + 2 * r.u(), turn());
  while (dist(speaker, room) < 0.3);
  return { lav, room, participant, interviewer, speaker };
}

/**
 * The case's layout (null without --geometry): each source's distance to the lav and to the room microphone, and its
 * direct-path delays (s). Its lag against the beep's is how far a placement by that source's content lies from the
 * beep-defined truth (offset by content minus true offset: the source's lav delay minus its room delay, less the
 * beep's).
 */
function roomGeometry(seed) {
  if (!GEOMETRY) return null;
  const pos = GEOMETRY_M ? null : drawnPositions(seed);
  const m = GEOMETRY_M ?? ['participant', 'interviewer', 'speaker'].flatMap((k) => [dist(pos[k], pos.lav), dist(pos[k], pos.room)]);
  const src = (i) => ({ lav_m: r4(m[i]), room_m: r4(m[i + 1]), lav_delay_s: m[i] / SOUND_M_S, room_delay_s: m[i + 1] / SOUND_M_S });
  const g = { participant: src(0), interviewer: src(2), speaker: src(4) };
  const beepLag = g.speaker.lav_delay_s - g.speaker.room_delay_s;
  const lagVsBeep = (s) => Math.round((s.lav_delay_s - s.room_delay_s - beepLag) * 1e9) / 1e9;
  const lagVsClock = (s) => Math.round((s.lav_delay_s - s.room_delay_s) * 1e9) / 1e9;
  const record = {
    sound_m_s: SOUND_M_S,
    layout: GEOMETRY_M ? 'stated' : 'drawn',
    ...(pos ? { positions_m: Object.fromEntries(Object.entries(pos).map(([k, p]) => [k, p.map(r4)])) } : {}),
    distances_m: Object.fromEntries(Object.entries(g).map(([k, s]) => [k, { lav: s.lav_m, room: s.room_m }])),
    beep_lag_s: Math.round(beepLag * 1e9) / 1e9,
    content_lag_vs_beep_s: { participant: lagVsBeep(g.participant), interviewer: lagVsBeep(g.interviewer) },
    content_lag_vs_clock_s: { participant: lagVsClock(g.participant), interviewer: lagVsClock(g.interviewer) },
  };
  return { ...g, beepLag, record };
}

/**
 * --levels distance: a source r metres from a microphone is heard at 1/r (direct sound) through a room response whose
 * DRR is 20 log10(r_c / r) (diffuse reverberant field, the same everywhere; Kuttruff, Room Acoustics, sec. 5.5).
 * r_c puts the case's DRR at the loudspeaker's distance to the room microphone; a first microphone in a room of
 * another RT60 (--lav-rt60) has r_c scaled by sqrt(rt60 / lavRt60) (r_c = 0.057 sqrt(V / RT60), same volume).
 */
function distanceLevels(c, geo) {
  const rc = Math.max(geo.speaker.room_m, 0.05) * 10 ** (c.drr / 20);
  const rcLav = LAV_RT60 === null ? rc : rc * Math.sqrt(c.rt60 / LAV_RT60);
  const at = (r, rcMic) => ({ gain: 1 / Math.max(r, 0.05), drr: 20 * Math.log10(rcMic / Math.max(r, 0.05)) });
  return {
    record: { critical_distance_m: r4(rc), critical_distance_lav_m: r4(rcLav), lav_rt60_s: LAV_RT60 ?? c.rt60 },
    lav: { participant: at(geo.participant.lav_m, rcLav), interviewer: at(geo.interviewer.lav_m, rcLav), rt60: LAV_RT60 ?? c.rt60 },
    room: { participant: at(geo.participant.room_m, rc), interviewer: at(geo.interviewer.room_m, rc) },
  };
}

/** No geometry: every delay 0 (the sums below then give the same doubles as without the option). */
const NO_DELAY = { lav_delay_s: 0, room_delay_s: 0 };

/**
 * The case's reference (lav.wav): the participant close, the interviewer across the room, the dry beep at band SNR
 * 20 dB over the talker's mean and a little noise (draws of its own seed, c.seed + 2: the room microphone's do not
 * depend on whether it is made).
 */
function writeLav(c, dir, talker, interviewer, beeps, geo, lv, gP, gI, gS, totalRef) {
  // Reference (lav): dry beep at band SNR 20 dB over the talker's mean, plus a little noise.
  const nRef = Math.round(totalRef * SR);
  const lavBeep = beepOnClock(nRef, beeps.map((T) => T + gS.lav_delay_s), 0, 0);
  const lav = new Float32Array(nRef);
  const nz = rng(c.seed + 2);
  // The lav hears the participant close and the interviewer from across the room (20 dB down, reverberated).
  const talkerAtLav = geo ? onClock(talker, nRef, -gP.lav_delay_s, 0) : talker;
  const interviewerAtLav = convolve(geo ? onClock(interviewer, nRef, -gI.lav_delay_s, 0) : interviewer, lv ? roomIR(lv.lav.rt60, lv.lav.interviewer.drr, c.seed + 8) : roomIR(c.rt60, -6, c.seed + 8));
  if (lv) {
    // By distance: 0.1 / r, so a participant 0.2 m from the lav is heard at 0.5 as in the fixed mix.
    const pLav = convolve(talkerAtLav, roomIR(lv.lav.rt60, lv.lav.participant.drr, c.seed + 12));
    for (let i = 0; i < nRef; i++) lav[i] = 0.1 * (lv.lav.participant.gain * pLav[i] + lv.lav.interviewer.gain * interviewerAtLav[i]) + 0.002 * nz.g();
  } else for (let i = 0; i < nRef; i++) lav[i] = talkerAtLav[i] * 0.5 + 0.05 * interviewerAtLav[i] + 0.002 * nz.g();
  if (beeps.length) {
    const b0 = Math.ceil(beeps[0] * SR);
    const bp = bandPower(lav, 0, nRef);
    const amp = Math.sqrt(2 * bp * 10 ** (20 / 10));
    for (let i = 0; i < nRef; i++) lav[i] += Math.min(amp, 0.4) * lavBeep[i];
  }
  normalize(lav);
  writeWav(join(dir, 'lav.wav'), lav, SR);
}

function makeCase(c) {
  const dir = join(OUT, c.id);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const r = rng(c.seed);
  const totalRef = c.dur + c.offset + 2;
  const talker = speechTrack(totalRef, c.seed + 1);
  // A second talker (the interviewer), near the room microphone and far from the participant's lav.
  const interviewer = speechTrack(totalRef, c.seed + 7);
  const beeps = c.beep ? (c.ends === 'both' ? [c.beepAt, c.dur - 2 + c.offset - 0.3] : [c.beepAt]) : [];
  const geo = roomGeometry(c.seed + 11);
  const lv = LEVELS === 'distance' ? distanceLevels(c, geo) : null;
  const [gP, gI, gS] = geo ? [geo.participant, geo.interviewer, geo.speaker] : [NO_DELAY, NO_DELAY, NO_DELAY];
  if (FILES === 'all') writeLav(c, dir, talker, interviewer, beeps, geo, lv, gP, gI, gS, totalRef);
  // Room microphone on its own clock.
  const n = Math.round(c.dur * SR);
  const ir = roomIR(c.rt60, c.drr, c.seed + 3);
  const beepMic = convolve(beepOnClock(n, beeps.map((T) => T + gS.room_delay_s), c.offset, c.k), ir);
  // The room microphone hears the participant from a distance (DRR 3 dB below the beep's), the interviewer nearer
  // to it (DRR 6 dB above the beep's, as loud as the participant) and ambient noise.
  const participantMic = convolve(onClock(talker, n, c.offset - gP.room_delay_s, c.k), roomIR(c.rt60, lv ? lv.room.participant.drr : c.drr - 3, c.seed + 4));
  const interviewerMic = convolve(onClock(interviewer, n, c.offset - gI.room_delay_s, c.k), roomIR(c.rt60, lv ? lv.room.interviewer.drr : c.drr + 6, c.seed + 9));
  const speechMic = new Float32Array(n);
  if (lv) {
    // By distance: each talker at 1 / r (their levels as far as they stand).
    for (let i = 0; i < n; i++) speechMic[i] = lv.room.participant.gain * participantMic[i] + lv.room.interviewer.gain * interviewerMic[i];
  } else {
    const ip = power(interviewerMic, 0, n);
    const pp = power(participantMic, 0, n);
    for (let i = 0; i < n; i++) speechMic[i] = participantMic[i] + interviewerMic[i] * Math.sqrt(pp / Math.max(ip, 1e-20));
  }
  const noise = new Float32Array(n);
  const nr = rng(c.seed + 5);
  for (let i = 0; i < n; i++) noise[i] = nr.g();
  const sp = power(speechMic, 0, n);
  for (let i = 0; i < n; i++) noise[i] = speechMic[i] + noise[i] * Math.sqrt(sp / 10);
  // Scale the interference so that the first beep has the set band SNR against its mean over the recording.
  let gain = 1;
  if (beeps.length) {
    const ts = Math.ceil(((beeps[0] + gS.room_delay_s - c.offset) / (1 + c.k)) * SR);
    const pb = bandPower(beepMic, ts, ts + BEEP_S * SR);
    const pi = bandPower(noise, 0, n);
    gain = Math.sqrt(pb / (pi * 10 ** (c.snr / 10)));
  } else {
    gain = 0.1 / Math.sqrt(power(noise, 0, n));
  }
  const beepBandSnr = beeps.map((T) => beepBandSnrDb(beepMic, noise, gain, Math.ceil(((T + gS.room_delay_s - c.offset) / (1 + c.k)) * SR)));
  const mic = new Float32Array(n);
  for (let i = 0; i < n; i++) mic[i] = beepMic[i] + gain * noise[i];
  if (c.distractor) {
    // A sustained whistle near the tone (1003 Hz, 1.5 s, slow vibrato), as loud as a beep would be.
    const a = 0.2;
    for (let i = Math.round(3 * SR); i < Math.round(4.5 * SR); i++) mic[i] += a * Math.sin(2 * Math.PI * 1003 * (i / SR) + 2 * Math.sin(2 * Math.PI * 5 * (i / SR)));
  }
  normalize(mic);
  const wav = join(dir, 'mic-raw.wav');
  writeWav(wav, mic, SR);
  const enc = ENC[c.codec];
  const micFile = `mic.${enc.ext}`;
  ff(['-i', wav, ...enc.args, join(dir, micFile)]);
  rmSync(wav);
  const first = c.codec === 'wav' ? 0 : probeStart(join(dir, micFile));
  // The beep defines the common clock: the room microphone's true offset is where its beep puts it.
  const offsetCount = geo && c.beep ? c.offset + geo.beepLag : c.offset;
  const truth = {
    id: c.id,
    tags: { rt60_s: c.rt60, drr_db: c.drr, snr_db: c.snr, codec: c.codec, ends: c.ends, dur_s: c.dur, beep: c.beep },
    ...(geo ? { geometry: { ...geo.record, ...(lv ? { levels: 'distance', ...lv.record } : {}), clock_offset_s: c.offset, truth: c.beep ? 'beep' : 'clock' } } : {}),
    args: [...(c.ends === 'both' ? ['--ends', 'both'] : []), ...(c.beep || c.content ? [] : ['--fallback', 'none'])],
    files: ['lav.wav', micFile],
    expect: c.beep || c.content ? 'placed' : 'not_found',
    streams: [
      { file: 'lav.wav', kind: 'audio', stream: 0, offset_s: 0, drift_ppm: 0, drr_db: 20, snr_db: 20 },
      {
        file: micFile,
        kind: 'audio',
        stream: 0,
        // t_ref = t_count (1 + k) + offset on decoded-sample time; presentation time t = t_count + first_sample_s.
        offset_s: Math.round((offsetCount - first * (1 + c.k)) * 1e9) / 1e9,
        offset_count_s: geo ? Math.round(offsetCount * 1e9) / 1e9 : c.offset,
        first_sample_s: first,
        drift_ppm: Math.round(c.k * 1e6 * 1000) / 1000,
        drr_db: c.drr,
        snr_db: c.snr,
        pulses_src_s: beeps.map((T) => Math.round(((T + gS.room_delay_s - c.offset) / (1 + c.k) + first) * 1e9) / 1e9),
        pulses_band_snr_db: beepBandSnr,
      },
    ],
  };
  writeFileSync(join(dir, 'truth.json'), JSON.stringify(truth, null, 2) + '\n');
  void r;
}

function normalize(x) {
  let p = 0;
  for (let i = 0; i < x.length; i++) p = Math.max(p, Math.abs(x[i]));
  if (p > 0.9) for (let i = 0; i < x.length; i++) x[i] *= 0.9 / p;
}

function cases() {
  const out = [];
  const codecs = ['wav', 'aac', 'opus', 'mp3'];
  let seed = 1000 + 100003 * VARIANT;
  const add = (o) => {
    seed += 17;
    const r = rng(seed);
    const k = (r.u() < 0.5 ? -1 : 1) * (20 + 80 * r.u()) * 1e-6;
    const offset = 0.5 + 2.5 * r.u();
    const id = o.id ?? `rt${Math.round(o.rt60 * 10)}-drr${o.drr}-snr${o.snr}-${o.codec}-${o.ends}${o.dur < 30 ? `-${o.dur}s` : ''}`;
    const c = { beep: true, ends: 'start', dur: 30, beepAt: 2 + offset + r.u(), distractor: false, ...o, id, seed, k, offset };
    // --beep none: no beep anywhere, placed by content (the negative controls are left out: nothing tells them apart).
    if (BEEP === 'none') {
      if (c.beep) out.push({ ...c, beep: false, content: true, distractor: false });
    } else out.push(c);
  };
  if (SET === 'small') {
    add({ rt60: 0.5, drr: 0, snr: 10, codec: 'aac', ends: 'both', dur: 20 });
    add({ rt60: 0.8, drr: -9, snr: 10, codec: 'opus', ends: 'start', dur: 14 });
    add({ rt60: 0.3, drr: 6, snr: 0, codec: 'mp3', ends: 'start', dur: 14 });
    add({ rt60: 0.5, drr: 0, snr: -6, codec: 'wav', ends: 'both', dur: 24 });
    add({ id: 'negative-none', rt60: 0.5, drr: 0, snr: 0, codec: 'aac', beep: false, dur: 14, distractor: true });
    return out;
  }
  let i = 0;
  for (const rt60 of [0.3, 0.5, 0.8]) {
    for (const drr of [6, 0, -3, -6, -9]) {
      for (const snr of [10, 0, -6]) {
        add({ rt60, drr, snr, codec: codecs[i % 4], ends: i % 3 === 0 ? 'both' : 'start', dur: i % 5 === 0 ? 24 : 30 });
        i++;
      }
    }
  }
  for (let j = 0; j < 4; j++) add({ id: `negative-${j}`, rt60: [0.3, 0.5, 0.8, 0.5][j], drr: 0, snr: 0, codec: codecs[j], beep: false, dur: 20, distractor: j % 2 === 0 });
  return out;
}

mkdirSync(OUT, { recursive: true });
const list = cases().filter((c) => !ONLY || ONLY.includes(c.id));
for (const c of list) makeCase(c);
console.log(`make-sync-rooms: ${list.length} cases (${SET}) in ${OUT}`);
