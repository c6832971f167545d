/**
 * A device restarted mid-session whose file holds both recordings, the restart past the search windows (the first and
 * last `--search-s` seconds): before 2026-12-02 (measured the same day on a camera restarted 20 s into a 50 s
 * session, real speech) such a camera was placed by its start pulses with exit 0 and the part after the restart was
 * on another clock. Two forms:
 * - the clock restarts (two recordings joined as `cat` joins VOB/MPEG-TS files): the file's timestamps go back;
 *   now refused before any search, naming where (clock-jumps.ts refuseTimesBack);
 * - the clock runs on (a soundless camera whose timestamps jump 3 s ahead at the restart): under `--ends start` the
 *   placement says nothing about the part after the jump: refused; under `--ends both` its end flash checks the
 *   clock across the jump, and it is placed (the control).
 * Session: a 24 s lav (16 kHz, speech-like bursts) with beeps at 1.5, 12 and 22 s; cameras at 25 fps, the LED lit
 * with each beep: the restarted one 160x90 (320x180 until 2026-12-06: ~4x the pixels to make, encode twice and read),
 * the soundless one 320x180.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, runCliInProcess } from './helpers/cli.js';
import { addBeeps, ffmpeg, flashVideo, rng, talker, writeWavF32 } from './sync-media.js';

const SR = 16000;
const BEEPS = [1.5, 12, 22];
const CAM0 = 0.3; // the camera started 0.3 s into the session
let dir: string;
let cleanup: () => void;

function session(seed: number, amp: number): Float32Array {
  const r = rng(seed);
  const x = talker(5, 24 * SR).map((v) => 0.3 * v + 0.003 * r.g());
  addBeeps(x, SR, BEEPS.map((t) => ({ t_s: t, dur_s: 0.2, amp })));
  return x;
}

/** A camera recording of session seconds [a, b): its picture (LED lit with each beep) and, with `sound`, its sound. */
function camera(name: string, a: number, b: number, sound: Float32Array | null): string {
  const flashes = BEEPS.filter((t) => t >= a && t < b).map((t) => ({ t_s: t - a, dur_s: 0.2 }));
  let audio: string | undefined;
  if (sound) {
    audio = join(dir, `${name}.wav`);
    writeWavF32(audio, sound.slice(Math.round(a * SR), Math.round(b * SR)), SR);
  }
  const out = join(dir, `${name}.mp4`);
  flashVideo(out, { fpsNum: 25, fpsDen: 1, seconds: b - a, flashes, kind: 'corner', w: 160, h: 90, audio });
  return out;
}

beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-clock-jump-'));
  writeWavF32(join(dir, 'lav.wav'), session(1, 0.5), SR);
  const heard = session(2, 0.4);
  // Clock restarted: two recordings (0.3-9 s and 10.5-24 s of the session) as VOBs, joined with cat.
  const vob = (mp4: string) => {
    const v = mp4.replace(/\.mp4$/, '.vob');
    ffmpeg(['-i', mp4, '-c:v', 'mpeg2video', '-q:v', '3', '-c:a', 'mp2', '-f', 'vob', v]);
    return readFileSync(v);
  };
  const p1 = vob(camera('part1', CAM0, 9, heard));
  writeFileSync(join(dir, 'joined.vob'), Buffer.concat([p1, vob(camera('part2', 10.5, 24, heard))]));
  // Clock running on: a soundless camera on a still wall over the whole session (a 20 px LED lit with each beep), 7-10 s
  // of the session cut out, its timestamps kept.
  const lit = BEEPS.map((t) => `between(t,${(t - CAM0).toFixed(2)},${(t - CAM0 + 0.2).toFixed(2)})`).join('+');
  const wall = `color=c=0x505050:s=320x180:r=25:d=${24 - CAM0},noise=alls=8:allf=t,drawbox=x=290:y=8:w=20:h=20:c=white:t=fill:enable='${lit}'`;
  const cut = `select='not(between(t,${7 - CAM0},${10 - CAM0}))'`;
  ffmpeg(['-f', 'lavfi', '-i', wall, '-vf', cut, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', join(dir, 'mute-gap.mkv')]);
});
afterAll(() => cleanup());

function offsetOf(stdout: string, file: string, kind: string): number {
  const e = JSON.parse(stdout).streams.find((s: { file: string; kind: string }) => s.file === file && s.kind === kind);
  return e.offset_s;
}

describe('a device restarted mid-session, its file holding both recordings', () => {
  it('control: the first recording alone is placed by its beep and flash', async () => {
    const r = await runCliInProcess(['sync', 'lav.wav', 'part1.vob', '--search-s', '4', '-o', '-', '--quiet'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).streams.map((e: { method: string }) => e.method)).toEqual(['reference', 'tone', 'flash']);
  });
  it('joined (its clock restarts): refused, naming where its times go back (was placed by its start pulses, exit 0)', async () => {
    const r = await runCliInProcess(['sync', 'lav.wav', 'joined.vob', '--search-s', '4', '-o', 'j.json', '--quiet'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mmprep: joined\.vob: its (audio|video) timestamps go back from \d+\.\d+ s to \d+\.\d+ s, 8\.\d s into the file: it holds two recordings on two clocks .*use each recording as a file of its own/m);
  });
  it('soundless, its clock running on, --ends start: refused past the jump (was placed by its start flash, exit 0)', async () => {
    const r = await runCliInProcess(['sync', 'lav.wav', 'mute-gap.mkv', '--search-s', '5', '-o', 'g.json', '--quiet'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mmprep: mute-gap\.mkv: video stream 0 cannot be put on the reference clock past 6\.\d+ s: its timestamps jump ahead by 3\.\d+ s at 6\.\d+ s.* placed by its start pulse alone, which does not say whether its clock ran on across the jump.*--ends both checks that/m);
  });
  it('the same with --ends both: its end flash checks the clock across the jump, and it is placed', async () => {
    const r = await runCliInProcess(['sync', 'lav.wav', 'mute-gap.mkv', '--search-s', '5', '--ends', 'both', '-o', '-', '--quiet'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(Math.abs(offsetOf(r.stdout, 'mute-gap.mkv', 'video') - CAM0)).toBeLessThan(0.02);
  });
});
