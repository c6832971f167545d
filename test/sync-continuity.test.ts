/**
 * Trial 2026-12-06 row 7 (issue 11): a camera paused 2 s mid-file (its file continuous, real time skipped) was placed
 * by its start beep and flash under the default --ends start with exit 0, everything after the pause 2 s off. Now the
 * end window of a stream placed at its start is cross-correlated with the reference where the placement puts it
 * (src/sync/checks/continuity.ts): content found clearly 1 s away refuses the stream and its file's picture (exit 2); content
 * at the predicted lag is recorded as `continuity: continuous`; content of another session says nothing new. A long
 * recorder whose clock drifts (210 s, 104.2 ppm: trial row 6's rate) is not refused and takes its drift from that content
 * instead of `drift_unmeasured`. After the reference's end the other sounds are read against each other (session 49):
 * two that disagree are both refused, three name the one that disagrees with the two that agree.
 * Media: 16 kHz WAV, a syllable-like talker heard by all microphones, noise and one beep; small H.264 pictures. Cost
 * (session 49): sessions share their media (the controls beside other files), short --search-s where the windows
 * allow, the after-the-end cases on a 12 s lav; 20.6 CPU s before.
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
/** The talker reaches the room recorder this much later than the beep does (against the lav): it stands nearer the lav than the beep's loudspeaker. */
const TALKER_LAG_S = 0.004;

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
  // 44 s cameras: paused 1 s at 26 s (inside the end window, 22-44 s), and not paused
  writeWavF32(join(dir, 'cam44-p26.wav'), cameraSound(lav46, 44, true, 6, 26), SR);
  writeWavF32(join(dir, 'cam44-whole.wav'), cameraSound(lav46, 44, false, 6), SR);
  // After a 12 s lav's end (lav12.wav): a 30 s camera (its end window 15-30 s), a 32 s room recorder (34 s when paused:
  // the sound reaching farthest, which HEAD read the camera against) and a 32 s recorder, started 1.3, 0.8 and 0.5 s
  // before the lav; the camera paused 1 s at 14.5 s, or the room recorder at 14 s (both after the lav's end and before
  // the end windows read against each other)
  writeWavF32(join(dir, 'lav12.wav'), lav46.slice(0, 12 * SR), SR);
  writeWavF32(join(dir, 'cam30-p14.wav'), cameraSound(lav46, 30, true, 6, 14.5), SR);
  writeWavF32(join(dir, 'cam30.wav'), cameraSound(lav46, 30, false, 6), SR);
  writeWavF32(join(dir, 'room32.wav'), cameraSound(lav46, 32, false, 8, 0, 0.8), SR);
  writeWavF32(join(dir, 'room34-p14.wav'), cameraSound(lav46, 34, true, 8, 14, 0.8), SR);
  writeWavF32(join(dir, 'rec32.wav'), cameraSound(lav46, 32, false, 9, 0, 0.5), SR);
  // a camera without sound (its picture only): nothing of it to cross-correlate
  flashVideo(join(dir, 'pic.mp4'), { fpsNum: 25, fpsDen: 1, seconds: 10, flashes: [{ t_s: 2 + LEAD_S, dur_s: 0.2 }], kind: 'frame', w: 96, h: 64 });
  writeWavF32(join(dir, 'cam-paused.wav'), cameraSound(lav, 22, true, 2), SR);
  writeWavF32(join(dir, 'cam-whole.wav'), cameraSound(lav, 22, false, 2), SR);
  const other = talker(42, 22 * SR).map((v) => v * 0.3);
  const otherCam = noise(22 * SR, 3, 0.004).map((v, i) => v + (i > 4 * SR ? other[i] : 0));
  addBeeps(otherCam, SR, [{ t_s: 2 + LEAD_S, dur_s: 0.2, amp: 0.5 }]);
  writeWavF32(join(dir, 'cam-other.wav'), otherCam, SR);
  // A 210 s room recorder started 0.8 s before a 210 s lav, its clock 104.2 ppm fast (trial row 6's, 48000/47995): its
  // sample n holds the lav's beep at n / (1 + 104.2e-6) - 0.8 s, and its talker TALKER_LAG_S later (linear
  // interpolation): the talker's lag is not the beep's (content-lag.ts, measure-content-geometry's layouts).
  const long = talker(43, 210 * SR).map((v) => v * 0.3);
  const longLav = long.map((v, i) => v + 0.002 * Math.sin(i * 0.37));
  addBeeps(longLav, SR, [{ t_s: 2, dur_s: 0.2, amp: 0.6 }]);
  writeWavF32(join(dir, 'lav210.wav'), longLav, SR);
  const room = noise(210 * SR, 5, 0.004);
  for (let i = 0; i < room.length; i++) {
    const u = i / (1 + DRIFT) - (ROOM_LEAD_S + TALKER_LAG_S) * SR;
    const j = Math.floor(u);
    if (j >= 0 && j + 1 < long.length) room[i] += 0.5 * (long[j] + (u - j) * (long[j + 1] - long[j]));
  }
  addBeeps(room, SR, [{ t_s: (2 + ROOM_LEAD_S) * (1 + DRIFT), dur_s: 0.2, amp: 0.4 }]);
  writeWavF32(join(dir, 'room210.wav'), room, SR);
  // The paused camera's file with its picture: a corner LED lit with the beep (its clock: the sound's).
  flashVideo(join(dir, 'cam-paused.mp4'), { fpsNum: 25, fpsDen: 1, seconds: 22, flashes: [{ t_s: 2 + LEAD_S, dur_s: 0.2 }], kind: 'corner', w: 96, h: 64, audio: join(dir, 'cam-paused.wav') });
}, 60_000);
afterAll(() => cleanup());

describe('--ends start: a stream placed at its start is checked at its end window', () => {
  it('a camera whose sound paused 1 s mid-file is refused (exit 2) with the jump measured, the likely cause and what to do, its picture with it', async () => {
    const r = await runCliInProcess(['sync', 'lav.wav', 'cam-paused.mp4', '--search-s', '11', '-o', 'p.json', '--quiet'], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/cam-paused\.mp4: audio stream 0 cannot be put on the reference clock: placed by its start beep at 3\.30\d s \(offset -1\.30\d s\), but its sound in its end window \(11\.\d-22\.\d s\) matches lav\.wav's clearly \(z [\d.]+\) 1\.000 s later on the reference clock than that placement puts it/);
    expect(r.stderr).toMatch(/as when the recording paused, was cut or skipped .*--ends both .*or split the file at the pause and sync each part by its own pulse \(1 more stream\(s\) unplaced: its line follows\)$/m);
    // Its picture's own line follows (was: only in the warnings).
    expect(r.stderr).toMatch(/^mmprep: cam-paused\.mp4: video stream 0 cannot be put on the reference clock: /m);
  });

  it('the same recorder without the pause: placed, its continuity checked (content within a ms of the prediction); another session\'s talker beside it: no clear match, nothing new', async () => {
    const r = await runCliInProcess(['sync', 'lav.wav', 'cam-whole.wav', 'cam-other.wav', '-o', 'o.json', '--quiet'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const [, s, other] = JSON.parse(readFileSync(join(dir, 'o.json'), 'utf8')).streams;
    expect(Math.abs((s.offset_s as number) + LEAD_S)).toBeLessThan(0.001);
    const c = s.continuity as { result: string; measured_minus_predicted_ms: number; end_window_s: number[] };
    expect(c.result).toBe('continuous');
    expect(Math.abs(c.measured_minus_predicted_ms)).toBeLessThan(1);
    expect(c.end_window_s).toEqual([11, 22]);
    // placed by its beep, content_mismatch as before
    expect(other.continuity.result).toBe('no_clear_match');
    expect(other.warnings.map((w: { code: string }) => w.code)).toContain('content_mismatch');
  });

  it('a 210 s recorder 104 ppm fast is not refused: its drift is taken from its start and end windows\' content (no drift_unmeasured), the talker\'s lag cancelling', async () => {
    // --search-s 20: its end window 190-210 s (the last 10 s are read first), its start window the first 20 s
    const map = await syncSession([{ file: join(dir, 'lav210.wav') }, { file: join(dir, 'room210.wav') }], { searchS: 20 });
    const s = map.streams[1];
    expect((s.continuity as { result: string }).result).toBe('continuous');
    // t_ref = t (1 + k) + offset: k = 1 / (1 + DRIFT) - 1, offset -0.8 s; the sd counts 8.75 ms over the ~190 s span.
    // Before session 50 the line ran from the beep (at its lag) to the end window's content (at the talker's, 4 ms
    // behind): -124.0 ppm, its end 4 ms off.
    const k = 1 / (1 + DRIFT) - 1;
    expect(Math.abs((s.drift_ppm as number) - k * 1e6)).toBeLessThan(2);
    expect(s.drift_sd_ppm as number).toBeGreaterThan(40);
    expect(Math.abs((s.offset_s as number) + ROOM_LEAD_S)).toBeLessThan(0.002);
    const clockErrorAt = (t: number) => Math.abs(t * (s.drift_ppm as number) * 1e-6 + (s.offset_s as number) - (t * k - ROOM_LEAD_S));
    expect(clockErrorAt(205)).toBeLessThan(0.001);
    expect(String(s.drift_source)).toMatch(/^its start and end windows' content cross-correlated with .*lav210\.wav \(the line through the two lags/);
    const codes = (s.warnings as Array<{ code: string }>).map((w) => w.code);
    expect(codes).toContain('content_lag');
    expect(codes).not.toContain('drift_unmeasured');
  }, 60_000);

});

describe('--ends start: what the check could not see is said, or checked another way (tsync48b)', () => {
  const codes = (s: Record<string, unknown>) => (s.warnings as Array<{ code: string }>).map((w) => w.code);
  it('a pause inside the end window (1 s at 26 s of 44 s, window 24-44 s under --search-s 20): its last part is read on its own and refused', async () => {
    // the window as a whole matched the prediction clearly from its 2 s before the pause: `continuous`, exit 0 before
    const r = await runCliInProcess(['sync', 'lav46.wav', 'cam44-p26.wav', '--search-s', '20', '-o', 'p26.json', '--quiet'], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/cam44-p26\.wav: audio stream 0 cannot be put on the reference clock: placed by its start beep at 3\.300 s \(offset -1\.300 s\), but its sound in the last part of its end window \([\d.]+-44\.0 s\) matches lav46\.wav's clearly \(z [\d.]+\) 1\.000 s later/);
  });

  it('control: the same camera without the pause is continuous to its end', async () => {
    const s = (await syncSession([{ file: join(dir, 'lav46.wav') }, { file: join(dir, 'cam44-whole.wav') }], { searchS: 20 })).streams[1];
    expect(s.continuity).toMatchObject({ result: 'continuous', end_window_s: [24, 44] });
    expect(s.continuity).not.toHaveProperty('checked_to_s');
    expect(codes(s)).not.toContain('continuity_unchecked');
  });

  it('a lav that stopped early (12 s): the camera is read where the lav covers it, and its part after is named (continuity_unchecked)', async () => {
    const s = (await syncSession([{ file: join(dir, 'lav12.wav') }, { file: join(dir, 'cam30-p14.wav') }])).streams[1];
    expect(s.continuity).toMatchObject({ result: 'continuous', end_window_s: [4.5, 13.3], unchecked_s: [13.3, 30] });
    expect((s.warnings as Array<{ code: string; message: string }>).find((w) => w.code === 'continuity_unchecked')?.message).toMatch(/^continuity not checked to its end: placed at its start \(--ends start\), and its 13\.3-30\.0 s lie after \S*lav12\.wav's end, so nothing there was read: a pause or cut there would leave the rest off by its length unseen; record a pulse at the session's end too and run with --ends both/);
  });
});

describe('--ends start: after the reference\'s end, the other sounds are read against each other (session 49)', () => {
  it('two that disagree there: which one jumped cannot be told, and both are refused (was: the one read first, its partner placed)', async () => {
    const r = await runCliInProcess(['sync', 'lav12.wav', 'cam30-p14.wav', 'room32.wav', '-o', 'r.json', '--quiet'], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/cam30-p14\.wav: audio stream 0 cannot be put on the reference clock: placed by its start beep at 3\.300 s \(offset -1\.300 s\), but after lav12\.wav's end \(its 13\.3-30\.0 s\) its sound matches room32\.wav's clearly 1\.000 s later than the two placements put them \(read in its 15\.0-30\.0 s, z [\d.]+; .*\): one of the two recordings \(or both\) paused, was cut or skipped there, and with no third sound covering that part which one cannot be told, so both are refused; .*--ends both.* \(1 more stream\(s\) unplaced: its line follows\)$/m);
    // The partner's line too, naming its file (ttrial49: it sat only in the warnings).
    expect(r.stderr).toMatch(/^mmprep: room32\.wav: audio stream 0 cannot be put on the reference clock: .*cam30-p14\.wav/m);
    expect(r.stderr.split('\n').filter((l) => /cannot be put on the reference clock/.test(l))).toHaveLength(2);
  });

  it('three: the one that disagrees with two that agree is refused, named the cause; the two stand (was: the camera, read first against the room recorder, refused)', async () => {
    const r = await runCliInProcess(['sync', 'lav12.wav', 'cam30.wav', 'room34-p14.wav', 'rec32.wav', '-o', 't.json', '--quiet'], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^mmprep: room34-p14\.wav: audio stream 0 cannot be put on the reference clock: placed by its start beep at 2\.800 s \(offset -0\.800 s\), but after lav12\.wav's end \(its 12\.8-34\.0 s\) its sound matches (cam30|rec32)\.wav's clearly 1\.000 s later than the two placements put them .*, and (cam30|rec32)\.wav's agrees there with (cam30|rec32)\.wav's: this recording paused, was cut or skipped between its start and its end, .*or split the file at the pause and sync each part by its own pulse$/m);
  });

  it('a camera without sound: continuity not_checked, said in its one pairing_unchecked line (was two lines)', async () => {
    const s = (await syncSession([{ file: join(dir, 'lav.wav') }, { file: join(dir, 'pic.mp4') }])).streams[1];
    expect(s).toMatchObject({ kind: 'video', method: 'flash', continuity: { result: 'not_checked' } });
    const ws = s.warnings as Array<{ code: string; message: string }>;
    expect(ws.map((w) => w.code)).not.toContain('continuity_unchecked');
    expect(ws.find((w) => w.code === 'pairing_unchecked')?.message).toMatch(/nothing checks that this flash was lit with that beep \(.*\), nor that its clock ran on to its end \(a camera that paused mid-file, .* would be off by the pause after it, unseen; its packet times hold no jump of 2 s or more\); a pulse at the session's end as well, with --ends both, checks both$/);
  });
});
