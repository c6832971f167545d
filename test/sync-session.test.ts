import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClock } from '../src/sync/clock.js';
import { syncSession, writeSyncMap, AmbiguousPulseError } from '../src/sync/session.js';
import { tempDir, runCliInProcess } from './helpers/cli.js';
import { addBeeps, beepInSpeech, ffmpeg, flashVideo, REVERB, rng, speechTrack, writeWavF32 } from './sync-media.js';

const tmp = tempDir('mmprep-sync-session-');
/**
 * AAC made by ffmpeg's fast coder: the npm build's default; Debian's 5.1 defaults to twoloop, ~1.5x the CPU (1.95
 * against 1.32 s on the 10-minute mix below, 2026-12-05). Either is lossy AAC at the same bit rate for the tests here.
 */
const AAC_FAST = ['-aac_coder', 'fast'];
const D = tmp.dir;
afterAll(() => tmp.cleanup());

// A session: the lav mic starts first; the camera starts 2.5 s later (its t=0 is lav t=2.5). The beep and the flash
// happen at lav time 4.0 s (start) and 16.0 s (end).
const CAM_START = 2.5;
const PULSES = [4.0, 16.0];
const lav = join(D, 'lav.wav');
const cam = join(D, 'cam.mp4');
const camAudio = join(D, 'cam-audio.wav');

beforeAll(async () => {
  const sr = 48000;
  const x = await beepInSpeech(sr, 20, 11, PULSES.map((t) => ({ t_s: t, dur_s: 0.2 })), 10);
  writeWavF32(lav, x, sr);
  // Camera audio: the same scene from further away (reverb, more noise, lower level), starting CAM_START later.
  const y = x.slice(Math.round(CAM_START * sr));
  const r = rng(5);
  for (let i = 0; i < y.length; i++) y[i] = 0.5 * y[i] + 0.01 * r.g();
  writeWavF32(camAudio, y, sr);
  flashVideo(cam, { fpsNum: 30000, fpsDen: 1001, seconds: 20 - CAM_START, flashes: PULSES.map((t) => ({ t_s: t - CAM_START, dur_s: 0.2 })), kind: 'corner', audio: camAudio });
});

/**
 * White noise (uniform, amplitude 0.03, seeded) with 0.25 s bursts of a 1000 Hz tone (amplitude 0.3) at `at` seconds,
 * each at half level: the signal ffmpeg's amix of anoisesrc and aevalsrc made before 2026-12-05 (as 16-bit PCM), made
 * here and written as a float WAV (the same samples whatever the ffmpeg build; ~0.35 CPU s against ffmpeg's 1.6-1.9 on
 * 10 minutes at 20 kHz, 2026-12-05).
 */
function noiseWithBursts(sr: number, seconds: number, at: number[]): Float32Array {
  const r = rng(3);
  const x = new Float32Array(seconds * sr);
  for (let i = 0; i < x.length; i++) x[i] = (0.03 * (2 * r.u() - 1)) / 2;
  for (const b of at) for (let i = Math.ceil(b * sr); i <= (b + 0.25) * sr; i++) x[i] += (0.3 * Math.sin((2 * Math.PI * 1000 * i) / sr)) / 2;
  return x;
}

describe('syncSession: pulses, drift, sync.json', () => {
  it('puts the lav mic, the camera picture and the camera sound on one clock (--ends both)', async () => {
    const map = await syncSession([{ file: lav }, { file: cam }], { searchS: 6, ends: 'both' });
    console.log('session', JSON.stringify(map.streams.map((e) => [e.kind, e.offset_s, e.drift_ppm, e.confidence])));
    expect(map.reference).toMatchObject({ kind: 'audio', stream: 0 });
    expect(map.streams.map((e) => [e.kind, e.method])).toEqual([
      ['audio', 'reference'],
      ['audio', 'tone'],
      ['video', 'flash'],
    ]);
    for (const e of map.streams.slice(1)) {
      // AAC frame delay and the half-frame limit of video bound the errors: 1 ms for sound, 1/2 frame for picture.
      expect(Math.abs((e.offset_s as number) - CAM_START)).toBeLessThan(e.kind === 'audio' ? 0.001 : 0.5 / 29.97);
      expect(Math.abs(e.drift_ppm as number)).toBeLessThan(e.kind === 'audio' ? 100 : 3000);
    }
    // The picture takes the drift of its own file's sound.
    expect(map.streams[2].drift_ppm).toBe(map.streams[1].drift_ppm);
    expect(map.streams[2].drift_source).toBe('audio stream 0 of the same file');
    expect(typeof map.streams[2].drift_flash_ppm).toBe('number');
    const out = join(D, 'sub', 'sync.json');
    await writeSyncMap(out, map);
    const text = readFileSync(out, 'utf8');
    const json = JSON.parse(text);
    expect(json.streams[1].file).toBe('../cam.mp4');
    const clock = await loadClock(out, cam, 'audio');
    expect(Math.abs(clock(PULSES[0] - CAM_START) - PULSES[0])).toBeLessThan(0.001);
    // Deterministic: the same inputs give byte-identical JSON.
    const again = await syncSession([{ file: lav }, { file: cam }], { searchS: 6, ends: 'both' });
    await writeSyncMap(join(D, 'sub', 'sync2.json'), again);
    expect(readFileSync(join(D, 'sub', 'sync2.json'), 'utf8')).toBe(text);
  });

  it('measures 100 ppm drift on a 10-minute pair within 10 ppm, decoding only the search windows', async () => {
    const a = join(D, 'drift-a.wav');
    const b = join(D, 'drift-b.wav');
    // 20 kHz so that 100 ppm is a whole sample rate (20002): B runs 1.0001 x faster and starts 1.5 s into A.
    writeWavF32(a, noiseWithBursts(20000, 600, [5, 595]), 20000);
    ffmpeg(['-i', a, '-af', 'atrim=start=1.5,asetpts=PTS-STARTPTS,asetrate=20002,aresample=16000', '-c:a', 'pcm_s16le', b]);
    const map = await syncSession([{ file: a }, { file: b }], { searchS: 60, ends: 'both' });
    const e = map.streams[1];
    console.log('drift pair', e.offset_s, e.drift_ppm);
    expect(e.method).toBe('tone');
    expect(Math.abs((e.drift_ppm as number) - 100)).toBeLessThan(10);
    expect(Math.abs((e.offset_s as number) - 1.5)).toBeLessThan(0.001);
    const pulses = e.pulses as { start_s: number; end_s: number };
    expect(pulses.end_s).toBeGreaterThan(590);
  });
});

describe('fallback without a pulse: cross-correlation (camera mic against lav mic)', () => {
  it('finds the offset within 5 ms despite different EQ, noise and reverberation', async () => {
    const sr = 48000;
    const x = await speechTrack(sr, 40, 21);
    const lavF = join(D, 'xc-lav.wav');
    const camDry = join(D, 'xc-cam-dry.wav');
    const camF = join(D, 'xc-cam.m4a');
    const r = rng(9);
    const l = x.map((v) => v + 0.003 * r.g());
    writeWavF32(lavF, l, sr);
    const delay = 37123; // samples: the camera mic hears everything 0.7734 s later on its own clock
    const c = new Float32Array(x.length);
    for (let i = delay; i < c.length; i++) c[i] = 0.6 * x[i - delay] + 0.02 * r.g();
    writeWavF32(camDry, c, sr);
    ffmpeg(['-i', camDry, '-af', `highpass=f=250,lowpass=f=3800,equalizer=f=2000:width_type=o:width=1:g=6,${REVERB}`, '-c:a', 'aac', ...AAC_FAST, '-b:a', '96k', camF]);
    // The session's own cross-correlation of the two files (audioOffset, place.ts bestPartner; over 39.3 s, the whole
    // files) and its coarse peak ratio. Until 2026-12-06 the test also decoded both files itself and ran audioOffset
    // on them: the same peak ratio (2.092) and fine z (152.9), four more ffmpeg/ffprobe starts and a second correlation.
    const map = await syncSession([{ file: lavF }, { file: camF }], { searchS: 60, fallback: 'xcorr' });
    const e = map.streams[1];
    const xc = e.xcorr as { peak_ratio: number; fine_z: number; overlap_s: number };
    console.log('xcorr error ms', ((e.offset_s as number) + delay / sr) * 1000, xc.peak_ratio, xc.fine_z, xc.overlap_s);
    expect(e.method).toBe('xcorr');
    expect(Math.abs((e.offset_s as number) + delay / sr)).toBeLessThan(0.005);
    expect(xc.peak_ratio).toBeGreaterThan(1.5);
    expect((e.warnings as Array<{ code: string }>).map((w) => w.code)).toContain('fallback');
  });
});

describe('fallback drift: cross-correlating both ends', () => {
  it('measures 100 ppm between two 3-minute recordings without a pulse within 10 ppm', async () => {
    const a = join(D, 'xd-a.wav');
    const b = join(D, 'xd-b.m4a');
    writeWavF32(a, await speechTrack(20000, 180, 41), 20000);
    // B: starts 2 s into A, runs 1.0001 x faster (asetrate 20002/20000), band-limited and noisier, AAC.
    ffmpeg(['-i', a, '-af', 'atrim=start=2,asetpts=PTS-STARTPTS,asetrate=20002,aresample=16000,highpass=f=200,lowpass=f=3500', '-c:a', 'aac', ...AAC_FAST, '-b:a', '64k', b]);
    const map = await syncSession([{ file: a }, { file: b }], { searchS: 30, ends: 'both', fallback: 'xcorr' });
    const e = map.streams[1];
    console.log('xcorr drift', e.offset_s, e.drift_ppm, JSON.stringify(e.xcorr));
    expect(e.method).toBe('xcorr');
    expect(Math.abs((e.drift_ppm as number) - 100)).toBeLessThan(10);
    expect(Math.abs((e.offset_s as number) - 2)).toBeLessThan(0.005);
  });
});

/**
 * Equal-tempered notes with harmonics, 4 per second, across 2 octaves from A4 (B5 = 987.8 Hz and C6 among them): the
 * samples of ffmpeg's aevalsrc expression this test ran until 2026-12-06 ('0.15*(sin(2*PI*440*pow(2,floor(mod(t*4*7,
 * 25))/12)*t)+0.5*sin(4*PI*440*...)+0.25*sin(6*PI*220*pow(2,floor(mod(t*3*5,19))/12)*t))'), written as float instead
 * of 16-bit PCM (the two differ by at most half a 16-bit step, 1.5e-5: checked 2026-12-06): one start of Debian's
 * ffmpeg and ~0.3 CPU s of its expression evaluator less.
 */
function notes(sr: number, seconds: number): Float32Array {
  const x = new Float32Array(sr * seconds);
  for (let i = 0; i < x.length; i++) {
    const t = i / sr;
    const f = 440 * 2 ** (Math.floor((t * 4 * 7) % 25) / 12);
    const g = 220 * 2 ** (Math.floor((t * 3 * 5) % 19) / 12);
    x[i] = 0.15 * (Math.sin(2 * Math.PI * f * t) + 0.5 * Math.sin(4 * Math.PI * f * t) + 0.25 * Math.sin(6 * Math.PI * g * t));
  }
  return x;
}

describe('no pulse on 10 minutes of speech and music without a beep', () => {
  it('scans the whole file and reports no pulse (exit 2, nothing written)', async () => {
    const speech = join(D, 'speech40.wav');
    writeWavF32(speech, await speechTrack(16000, 41, 33), 16000);
    const music = join(D, 'music.wav');
    writeWavF32(music, notes(16000, 37), 16000);
    const long = join(D, 'speech-music-10min.m4a');
    ffmpeg(['-stream_loop', '-1', '-i', speech, '-stream_loop', '-1', '-i', music, '-filter_complex', '[0][1]amix=inputs=2', '-t', '600', '-c:a', 'aac', ...AAC_FAST, '-b:a', '64k', long]);
    const out = join(D, 'none.json');
    // Two files: one stream alone is its own reference (exit 0, tests/sync-single-stream.test.ts).
    const res = await runCliInProcess(['sync', long, speech, '--search-s', '0', '--fallback', 'none', '-o', out]);
    expect(res.stderr).toMatch(/no usable sync pulse \(1000 Hz tone burst or flash\) found in the whole file/);
    expect(res.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});
