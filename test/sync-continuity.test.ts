/**
 * Trial 2026-12-06 row 7 (issue 11): a camera paused 2 s mid-file (its file continuous, real time skipped) was placed
 * by its start beep and flash under the default --ends start with exit 0, everything after the pause 2 s off. Now the
 * end window of a stream placed at its start is cross-correlated with the reference where the placement puts it
 * (src/sync/checks/continuity.ts): content found clearly 1 s away refuses the stream and its file's picture (exit 2); content
 * at the predicted lag is recorded as `continuity: continuous`; content of another session says nothing new. A long
 * recorder whose clock drifts (210 s, 104.2 ppm: trial row 6's rate) is not refused and takes its drift from that content
 * instead of `drift_unmeasured`.
 * Media: 16 kHz WAV, a syllable-like talker heard by both microphones, noise and one beep; one small H.264 picture.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncSession } from '../src/sync/session.js';
import { runCliInProcess, tempDir } from './helpers/cli.js';
import { addBeeps, flashVideo, rng, talker, writeWavF32 } from './sync-media.js';

const SR = 16000;
/** The camera started this much before the lav (its beep at lav 2.0 s is at its own 3.3 s). */
const LEAD_S = 1.3;
const PAUSE_AT_S = 9;
const PAUSE_S = 1;
/** The long room recorder: its lead and its clock's rate against the lav's. */
const ROOM_LEAD_S = 0.8;
const DRIFT = 104.2e-6;

let dir: string;
let cleanup: () => void;

function noise(n: number, seed: number, amp: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => amp * r.g());
}

/** The lav's sound as heard by a microphone started `lead` s earlier, its own noise added; `pause`: PAUSE_S of real time skipped at `pauseAt` s of its file. */
function cameraSound(lav: Float32Array, seconds: number, pause: boolean, seed: number, pauseAt = PAUSE_AT_S, lead = LEAD_S): Float32Array {
  const x = noise(seconds * SR, seed, 0.004);
  for (let i = 0; i < x.length; i++) {
    const skip = pause && i >= pauseAt * SR ? PAUSE_S * SR : 0;
    const j = Math.round(i - lead * SR + skip);
    if (j >= 0 && j < lav.length) x[i] += 0.5 * lav[j];
  }
  return x;
}

beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-continuity-'));
  // lav46.wav: the session's 46 s lav; lav.wav its first 24 s (a lav that stopped early, for the part after its end)
  const speech = talker(41, 46 * SR).map((v) => v * 0.3);
  const lav46 = speech.map((v, i) => v + 0.003 * Math.sin(i)).map((v, i) => (i < 2.5 * SR ? 0.003 * Math.sin(i * 0.37) : v));
  addBeeps(lav46, SR, [{ t_s: 2, dur_s: 0.2, amp: 0.6 }]);
  const lav = lav46.slice(0, 24 * SR);
  writeWavF32(join(dir, 'lav.wav'), lav, SR);
  writeWavF32(join(dir, 'lav46.wav'), lav46, SR);
  // 44 s cameras: paused 1 s at 26 s (inside the end window, 22-44 s) and at 30 s (after lav.wav's end); a room
  // recorder started 0.8 s before the lav, 46 s, that covers the camera's part after lav.wav's end
  writeWavF32(join(dir, 'cam44-p26.wav'), cameraSound(lav46, 44, true, 6, 26), SR);
  writeWavF32(join(dir, 'cam44-p30.wav'), cameraSound(lav46, 44, true, 6, 30), SR);
  writeWavF32(join(dir, 'cam44-whole.wav'), cameraSound(lav46, 44, false, 6), SR);
  writeWavF32(join(dir, 'room46.wav'), cameraSound(lav46, 46, false, 8, 0, 0.8), SR);
  // a camera without sound (its picture only): nothing of it to cross-correlate
  flashVideo(join(dir, 'pic.mp4'), { fpsNum: 25, fpsDen: 1, seconds: 10, flashes: [{ t_s: 2 + LEAD_S, dur_s: 0.2 }], kind: 'frame', w: 96, h: 64 });
  writeWavF32(join(dir, 'cam-paused.wav'), cameraSound(lav, 22, true, 2), SR);
  writeWavF32(join(dir, 'cam-whole.wav'), cameraSound(lav, 22, false, 2), SR);
  const other = talker(42, 22 * SR).map((v) => v * 0.3);
  const otherCam = noise(22 * SR, 3, 0.004).map((v, i) => v + (i > 4 * SR ? other[i] : 0));
  addBeeps(otherCam, SR, [{ t_s: 2 + LEAD_S, dur_s: 0.2, amp: 0.5 }]);
  writeWavF32(join(dir, 'cam-other.wav'), otherCam, SR);
  // A 210 s room recorder started 0.8 s before a 210 s lav, its clock 104.2 ppm fast (trial row 6's, 48000/47995): its
  // sample n holds the lav's sound at n / (1 + 104.2e-6) - 0.8 s (linear interpolation).
  const long = talker(43, 210 * SR).map((v) => v * 0.3);
  const longLav = long.map((v, i) => v + 0.002 * Math.sin(i * 0.37));
  addBeeps(longLav, SR, [{ t_s: 2, dur_s: 0.2, amp: 0.6 }]);
  writeWavF32(join(dir, 'lav210.wav'), longLav, SR);
  const room = noise(210 * SR, 5, 0.004);
  for (let i = 0; i < room.length; i++) {
    const u = i / (1 + DRIFT) - ROOM_LEAD_S * SR;
    const j = Math.floor(u);
    if (j >= 0 && j + 1 < long.length) room[i] += 0.5 * (long[j] + (u - j) * (long[j + 1] - long[j]));
  }
  addBeeps(room, SR, [{ t_s: (2 + ROOM_LEAD_S) * (1 + DRIFT), dur_s: 0.2, amp: 0.4 }]);
  writeWavF32(join(dir, 'room210.wav'), room, SR);
  // The paused camera's file with its picture: a corner LED lit with the beep (its clock: the sound's).
  flashVideo(join(dir, 'cam-paused.mp4'), { fpsNum: 25, fpsDen: 1, seconds: 22, flashes: [{ t_s: 2 + LEAD_S, dur_s: 0.2 }], kind: 'corner', w: 96, h: 64, audio: join(dir, 'cam-paused.wav') });
}, 60_000);
afterAll(() => cleanup());

const entries = async (cam: string) => (await syncSession([{ file: join(dir, 'lav.wav') }, { file: join(dir, cam) }])).streams;

describe('--ends start: a stream placed at its start is checked at its end window', () => {
  it('a recorder that paused 1 s mid-file is refused (exit 2) with the jump measured, the likely cause and what to do', async () => {
    const r = await runCliInProcess(['sync', 'lav.wav', 'cam-paused.wav', '-o', 'p.json', '--quiet'], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/cam-paused\.wav: audio stream 0 cannot be put on the reference clock: placed by its start beep at 3\.300 s \(offset -1\.300 s\), but its sound in its end window \(11\.0-22\.0 s\) matches lav\.wav's clearly \(z [\d.]+\) 1\.000 s later on the reference clock than that placement puts it/);
    expect(r.stderr).toMatch(/as when the recording paused, was cut or skipped .*--ends both .*or split the file at the pause/);
  });

  it('the camera file\'s picture (placed by its own flash) is refused with its sound', async () => {
    const err = await entries('cam-paused.mp4').then(() => null, (e: Error) => e.message);
    expect(err).toMatch(/audio stream 0 cannot be put on the reference clock: .* 1\.000 s later .*\(1 more stream\(s\) unplaced\)$/);
  });

  it('the same recorder without the pause: placed, its continuity checked (content within a ms of the prediction)', async () => {
    const s = (await entries('cam-whole.wav'))[1];
    expect(Math.abs((s.offset_s as number) + LEAD_S)).toBeLessThan(0.001);
    const c = s.continuity as { result: string; measured_minus_predicted_ms: number; end_window_s: number[] };
    expect(c.result).toBe('continuous');
    expect(Math.abs(c.measured_minus_predicted_ms)).toBeLessThan(1);
    expect(c.end_window_s).toEqual([11, 22]);
  });

  it('a 210 s recorder 104 ppm fast is not refused: its drift is taken from its end window\'s content (no drift_unmeasured)', async () => {
    const map = await syncSession([{ file: join(dir, 'lav210.wav') }, { file: join(dir, 'room210.wav') }]);
    const s = map.streams[1];
    expect((s.continuity as { result: string }).result).toBe('continuous');
    // t_ref = t (1 + k) + offset: k = 1 / (1 + DRIFT) - 1, offset -0.8 s; the sd counts 8.75 ms over the ~150 s span.
    expect(Math.abs((s.drift_ppm as number) + 104.2)).toBeLessThan(10);
    expect(s.drift_sd_ppm as number).toBeGreaterThan(40);
    expect(Math.abs((s.offset_s as number) + ROOM_LEAD_S)).toBeLessThan(0.002);
    const codes = (s.warnings as Array<{ code: string }>).map((w) => w.code);
    expect(codes).toContain('content_lag');
    expect(codes).not.toContain('drift_unmeasured');
  }, 60_000);

  it('another session\'s talker: no clear match, nothing new (placed by its beep, content_mismatch as before)', async () => {
    const r = await runCliInProcess(['sync', 'lav.wav', 'cam-other.wav', '-o', 'o.json', '--quiet'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(join(dir, 'o.json'), 'utf8')).streams[1];
    expect(s.continuity.result).toBe('no_clear_match');
    expect(s.warnings.map((w: { code: string }) => w.code)).toContain('content_mismatch');
  });
});

describe('--ends start: what the check could not see is said, or checked another way (tsync48b)', () => {
  const codes = (s: Record<string, unknown>) => (s.warnings as Array<{ code: string }>).map((w) => w.code);
  it('a pause inside the end window (1 s at 26 s of 44 s, window 22-44 s): its last part is read on its own and refused', async () => {
    // the window as a whole matched the prediction clearly from its 4 s before the pause: `continuous`, exit 0 before
    const r = await runCliInProcess(['sync', 'lav46.wav', 'cam44-p26.wav', '-o', 'p26.json', '--quiet'], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/cam44-p26\.wav: audio stream 0 cannot be put on the reference clock: placed by its start beep at 3\.300 s \(offset -1\.300 s\), but its sound in the last part of its end window \([\d.]+-44\.0 s\) matches lav46\.wav's clearly \(z [\d.]+\) 1\.000 s later/);
  });

  it('control: the same camera without the pause is continuous to its end', async () => {
    const s = (await syncSession([{ file: join(dir, 'lav46.wav') }, { file: join(dir, 'cam44-whole.wav') }])).streams[1];
    expect(s.continuity).toMatchObject({ result: 'continuous', end_window_s: [22, 44] });
    expect(s.continuity).not.toHaveProperty('checked_to_s');
    expect(codes(s)).not.toContain('continuity_unchecked');
  });

  it('a lav that stopped early (24 s): the camera is read where the lav covers it, and its part after is named (continuity_unchecked)', async () => {
    const r = await runCliInProcess(['sync', 'lav.wav', 'cam44-p30.wav', '-o', 'u.json', '--quiet'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/cam44-p30\.wav audio stream 0: continuity_unchecked: continuity not checked to its end: placed at its start \(--ends start\), and its 25\.3-44\.0 s lie after lav\.wav's end, so nothing there was read: a pause or cut there would leave the rest off by its length unseen; record a pulse at the session's end too and run with --ends both/);
    const s = JSON.parse(readFileSync(join(dir, 'u.json'), 'utf8')).streams[1];
    expect(s.continuity).toMatchObject({ result: 'continuous', unchecked_s: [25.3, 44] });
    expect(s.continuity.end_window_s[1]).toBe(25.3);
  });

  it('... and read against a room recorder that covers it, the pause is found and the camera refused', async () => {
    const r = await runCliInProcess(['sync', 'lav.wav', 'cam44-p30.wav', 'room46.wav', '-o', 'r.json', '--quiet'], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/cam44-p30\.wav: audio stream 0 cannot be put on the reference clock: placed by its start beep at 3\.300 s \(offset -1\.300 s\), but its sound in its part after lav\.wav's end, read against room46\.wav \([\d.]+-44\.0 s\) matches room46\.wav's clearly \(z [\d.]+\) 1\.000 s later .*\(or room46\.wav's did\)/);
  });

  it('a camera without sound: continuity not_checked, said (continuity_unchecked)', async () => {
    const s = (await syncSession([{ file: join(dir, 'lav.wav') }, { file: join(dir, 'pic.mp4') }])).streams[1];
    expect(s).toMatchObject({ kind: 'video', method: 'flash', continuity: { result: 'not_checked' } });
    expect((s.warnings as Array<{ code: string; message: string }>).find((w) => w.code === 'continuity_unchecked')?.message).toMatch(/^continuity not checked: placed by its start alone \(--ends start\), with no sound of its own .*run --ends both/);
  });
});
