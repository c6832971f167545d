/**
 * A camera's picture against its own sound: the two share the camera's clock and lie only its A/V skew apart (up to
 * 50 ms, AV_SKEW_MAX_S). Scene variant 69 had a picture placed 81.5 ms (2 frames) off by its flash with exit 0
 * (sd 21.9 ms), 64.8 ms from its own sound, which cross-correlation had placed right; nothing compared the two. Here a
 * camera whose sound does not hear the beep (placed by cross-correlation with the lav) is muxed with its sound 120 ms
 * late against its picture: picture and sound cannot both be right, and the picture is refused (exit 2). A control
 * muxed 30 ms late (a real camera's skew) is placed. Media made here (320x180, 25 fps, 6 s).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, runCliInProcess } from './helpers/cli.js';
import { addBeeps, beepInSpeech, flashVideo, rng, writeWavF32 } from './sync-media.js';

const SR = 48000;
const BEEP_REF_S = 1.9;
const BEEP_S = 0.2;
const OFFSET_S = 0.7734;

let dir: string;
let cleanup: () => void;

/** A lav (speech, noise, the beep) and a camera whose sound hears the speech without the beep, skew_s late. */
async function makeCamera(name: string, skewS: number): Promise<void> {
  const room = await beepInSpeech(SR, 8, 41, [], 15);
  const lav = Float32Array.from(room);
  addBeeps(lav, SR, [{ t_s: BEEP_REF_S, dur_s: BEEP_S, amp: 0.3 }]);
  writeWavF32(join(dir, 'lav.wav'), lav, SR);
  const cam = new Float32Array(8 * SR);
  const r = rng(91);
  for (let n = 0; n < cam.length; n++) cam[n] = 0.6 * (room[Math.round((n / SR + OFFSET_S - skewS) * SR)] ?? 0) + 0.01 * r.g();
  const wav = join(dir, `${name}.wav`);
  writeWavF32(wav, cam, SR);
  flashVideo(join(dir, `${name}.mp4`), { fpsNum: 25, fpsDen: 1, seconds: 6, flashes: [{ t_s: BEEP_REF_S - OFFSET_S, dur_s: BEEP_S }], kind: 'corner', audio: wav });
}

/** Beeps of lav2.wav (and flashes of the lagging cameras' pictures, on the lav's clock) at both ends of a 9 s session. */
const BEEPS2_S = [1.9, 8.4];

/**
 * A lav with beeps at both ends (lav2.wav) and a camera whose sound hears them lagS late against its picture's flashes:
 * the sound of a Zoom/Teams call or a Bluetooth headset lags its picture for real (ttrial58s: 60 ms).
 */
function makeLaggingCamera(room: Float32Array, name: string, lagS: number): void {
  const lav = Float32Array.from(room.subarray(0, 10 * SR));
  addBeeps(lav, SR, BEEPS2_S.map((t_s) => ({ t_s, dur_s: BEEP_S, amp: 0.3 })));
  writeWavF32(join(dir, 'lav2.wav'), lav, SR);
  const cam = new Float32Array(8 * SR);
  const r = rng(92);
  for (let n = 0; n < cam.length; n++) cam[n] = 0.6 * (lav[Math.round((n / SR + OFFSET_S - lagS) * SR)] ?? 0) + 0.01 * r.g();
  const wav = join(dir, `${name}.wav`);
  writeWavF32(wav, cam, SR);
  flashVideo(join(dir, `${name}.mp4`), { fpsNum: 25, fpsDen: 1, seconds: 8, flashes: BEEPS2_S.map((t) => ({ t_s: t - OFFSET_S, dur_s: BEEP_S })), kind: 'corner', audio: wav });
}

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('mmprep-sound-picture-'));
  await makeCamera('cam-skew120', 0.12);
  await makeCamera('cam-skew30', 0.03);
  const room = await beepInSpeech(SR, 10, 43, [], 15);
  makeLaggingCamera(room, 'cam-lag250', 0.25);
});
afterAll(() => cleanup());

describe("a picture placed by its flash against its own sound placed by cross-correlation", () => {
  it('120 ms apart: the picture is refused, naming both (was placed, exit 0)', async () => {
    const r = await runCliInProcess(['sync', 'lav.wav', 'cam-skew120.mp4', '--fallback', 'xcorr', '-o', 'a.json', '--quiet'], { cwd: dir });
    expect(r.stderr).toMatch(/cam-skew120\.mp4: video stream 0 cannot be put on the reference clock: its flash at 1\.1\d\d s and its own file's audio stream 0 \(placed by cross-correlation with lav\.wav\) put that moment 1[12]\d\.\d ms apart on the reference clock, more than the 50 ms a camera's sound and picture may be apart/);
    expect(r.code).toBe(2);
  });
  it('30 ms apart (a camera skew): both placed, the picture within half a frame, the sound within 1 ms', async () => {
    const r = await runCliInProcess(['sync', 'lav.wav', 'cam-skew30.mp4', '--fallback', 'xcorr', '-o', 'b.json', '--quiet'], { cwd: dir });
    expect(r.code).toBe(0);
    const map = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8'));
    const v = map.streams.find((e: { kind: string }) => e.kind === 'video');
    const a = map.streams.find((e: { kind: string; file: string }) => e.kind === 'audio' && e.file.endsWith('cam-skew30.mp4'));
    expect(a.method).toBe('xcorr');
    expect(Math.abs(v.offset_s - OFFSET_S)).toBeLessThan(0.02);
    expect(Math.abs(a.offset_s - (OFFSET_S - 0.03))).toBeLessThan(0.001);
    // One flash, no drift of its own: the picture takes its sound's content drift and its sd (one camera, one clock;
    // before 2026-12-07 drift null ±57.7 ppm beside its sound's measured drift: trial 56's camq.mp4).
    expect(a.drift_ppm).not.toBeNull();
    // The sound reports its content drift's sd (a window's fitted rate: 10 ppm); it said null before 2026-12-07.
    expect(a.drift_sd_ppm).toBe(10);
    expect(v.drift_ppm).toBe(a.drift_ppm);
    expect(v.drift_sd_ppm).toBe(10);
    expect(v.drift_source).toBe('audio stream 0 of the same file (its content cross-correlated with lav.wav)');
  });
});

describe('a file whose sound lags its picture for real (a Zoom/Teams recording, a Bluetooth headset), its sound placed by its beeps', () => {
  /** Both placed, the picture by its flashes, the skew within 2 sd of the truth and warned (stderr and sync.json). */
  const placedWithSkew = async (name: string, lagS: number) => {
    const r = await runCliInProcess(['sync', 'lav2.wav', `${name}.mp4`, '--ends', 'both', '-o', `${name}.json`, '--quiet'], { cwd: dir });
    expect(r.code).toBe(0);
    const map = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
    const v = map.streams.find((e: { kind: string }) => e.kind === 'video');
    const a = map.streams.find((e: { kind: string; file: string }) => e.kind === 'audio' && e.file.endsWith(`${name}.mp4`));
    expect(a.method).toBe('tone');
    expect(Math.abs(a.offset_s - (OFFSET_S - lagS))).toBeLessThan(0.001);
    expect(v.method).toBe('flash');
    expect(Math.abs(v.offset_s - OFFSET_S)).toBeLessThan(0.02);
    expect(Math.abs(v.av_skew_s - lagS)).toBeLessThan(2 * v.av_skew_sd_s + 0.005);
    expect(v.warnings.map((w: { code: string }) => w.code)).toContain('av_skew');
    return r.stderr;
  };
  it('250 ms, --ends both: beyond the 170 ms searched around its beeps, its flashes are searched again at the skew both ends show, and placed (was refused)', async () => {
    expect(await placedWithSkew('cam-lag250', 0.25)).toMatch(/cam-lag250\.mp4 video stream 0: av_skew: .* lags its picture by 2[45]\d\.\d ms .*its flashes lay beyond the 170 ms searched around its beeps at first, at both ends 2[45]\d\.\d ms from them, and were searched again there/);
  });
  it('250 ms, --ends start (one flash): refused as before, the line naming --ends both as the way out', async () => {
    const r = await runCliInProcess(['sync', 'lav2.wav', 'cam-lag250.mp4', '--ends', 'start', '-o', 'd.json', '--quiet'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cam-lag250\.mp4: video stream 0 cannot be put on the reference clock: its flash candidate at 1\.1\d\d s lies 2[45]\d ms before its own sound's beep .*; if the file's sound really lags its picture by that much \(a Zoom\/Teams recording, a Bluetooth headset\), rerun with --ends both and a flash at the session's end as well/);
  });
});
