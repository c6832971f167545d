/**
 * issue 11, the mirror of sync-late-camera: a camera that stopped recording before the session's end pulse. Under
 * --ends both its sound, placed by its start beep, puts the reference's end beep after the picture's last frame; its end
 * window's line said only "no usable pulse" (placed) or, refused, "no flash in the first and last 60 s ... check that
 * the LED is in view". Now the end window's line says the end pulse falls N s after the camera's recording ended
 * (early-stop.ts); the start flash still places the picture, and other_route says so. Negative control: a camera that
 * recorded past the end beep but shows no end flash keeps its old lines. Generated here: a 10 s lav (talker of
 * syllable-like noise bursts, beeps at 1.5 and 8.0 s), cameras (160x90, 25 fps) with the lav's sound from 0.5 s on.
 * The same pictures without sound (2026-12-04): a soundless camera's start flash is judged only as one end of a
 * start/end pair at the reference's interval, and one that stopped before the end pulse was refused with "no flash at
 * the other end at the reference's interval matches it" alone; now that line says the end pulse fell after its
 * recording ended (early-stop.ts notePairEndAfterPicture). Control: the soundless camera that recorded past it keeps
 * the old line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncSession } from '../src/sync/session.js';
import type { SyncMap } from '../src/sync/clock.js';
import { addBeeps, ffmpeg, flashVideo, rng, talker, writeWavF32 } from './sync-media.js';

const SR = 16000;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmprep-early-stop-'));
  const r = rng(9);
  const lav = Float32Array.from(talker(17, 10 * SR), (v) => 0.3 * v + 0.002 * r.g());
  addBeeps(lav, SR, [{ t_s: 1.5, dur_s: 0.25, amp: 0.3 }, { t_s: 8.0, dur_s: 0.25, amp: 0.3 }]);
  writeWavF32(join(dir, 'lav.wav'), lav, SR);
  // stopped: 6.5 s (the end beep at 7.5 s on its clock); nostart: the same without any flash; full: 8.2 s, no end flash.
  for (const [name, len, flashes] of [['stopped', 6.5, [1.0]], ['nostart', 6.5, []], ['full', 8.2, [1.0]]] as const) {
    const cam = Float32Array.from({ length: Math.round(len * SR) }, (_, i) => 0.6 * lav[i + Math.round(0.5 * SR)] + 0.005 * r.g());
    writeWavF32(join(dir, `${name}.wav`), cam, SR);
    flashVideo(join(dir, `${name}.mp4`), { fpsNum: 25, fpsDen: 1, seconds: len, flashes: flashes.map((t) => ({ t_s: t, dur_s: 0.25 })), kind: 'corner', w: 160, h: 90, audio: join(dir, `${name}.wav`) });
  }
  for (const name of ['stopped', 'full']) ffmpeg(['-i', join(dir, `${name}.mp4`), '-an', '-c', 'copy', join(dir, `${name}-mute.mp4`)]);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sync = (cam: string) => syncSession([{ file: join(dir, 'lav.wav') }, { file: join(dir, cam) }], { ends: 'both' });
const picture = (m: SyncMap) => m.streams.find((s) => s.kind === 'video') as SyncMap['streams'][number];
const AFTER = /^end window: the session's end pulse falls 1\.0 s after this camera's recording ended \(it stopped early: the pulse at 7\.5\d\d s on its clock, where its sound puts it; its picture ends at 6\.5\d\d s\), so its picture cannot show that flash$/;

describe('--ends both: a camera that stopped before the end pulse', () => {
  it('is placed by its start flash, and its end window says the pulse fell after its recording ended', async () => {
    const v = picture(await sync('stopped.mp4'));
    expect(v.method).toBe('flash');
    expect(v.pulses).toMatchObject({ end_s: null, used: ['start'] });
    const w = v.warnings as Array<{ code: string; message: string }>;
    expect(w.filter((x) => x.code === 'unplaceable_pulse').map((x) => x.message)).toEqual([expect.stringMatching(AFTER)]);
    expect(w.find((x) => x.code === 'other_route')?.message).toMatch(/^placed by its start pulse alone: no usable pulse in its end window \(the session's end pulse falls 1\.0 s after this camera's recording ended /);
    // ttrial56: its drift is its sound's, and its no_end_pulse line says so (it said "drift unknown" beside drift_ppm).
    expect(v.drift_ppm).not.toBeNull();
    expect(w.find((x) => x.code === 'no_end_pulse')?.message).toBe(`no usable pulse in the end window: drift ${(v.drift_ppm as number).toFixed(1)} ppm, measured from audio stream 0 of the same file`);
  }, 60_000);

  it('refused (no start flash either): the line says both windows, the end one without the LED advice', async () => {
    const err = await sync('nostart.mp4').then(() => null, (e: Error) => e.message);
    expect(err).toMatch(/^video stream 0 cannot be put on the reference clock: start window: no flash \(no light in view went on and off again as a pulse does: check that the LED is in view [^;]*; one lit throughout shows none\); end window: the session's end pulse falls 1\.0 s after this camera's recording ended .*, so its picture cannot show that flash, and the same file's audio stream 0 is placed/);
  }, 60_000);

  it('negative control: recording past the end beep, no end flash: no "stopped early"', async () => {
    const v = picture(await sync('full.mp4'));
    expect(v.method).toBe('flash');
    expect(JSON.stringify(v.warnings)).not.toMatch(/stopped early|after this camera's recording ended/);
    expect(v.drift_ppm).not.toBeNull(); // its sound's (before ttrial56 its line said "drift unknown" all the same)
    expect((v.warnings as Array<{ code: string; message: string }>).find((x) => x.code === 'no_end_pulse')?.message).toBe(`no usable pulse in the end window: drift ${(v.drift_ppm as number).toFixed(1)} ppm, measured from audio stream 0 of the same file`);
  }, 60_000);
});

describe('--ends both: a camera without sound that stopped before the end pulse', () => {
  const NO_PAIR = /^video stream 0 cannot be put on the reference clock: start-window candidate at 0\.9\d\d s not used: flash candidate at 0\.9\d\d s \(score [\d.]+\): no flash at the other end at the reference's interval matches it/;
  it('is refused with its start candidate\'s line saying the end pulse fell after its recording ended', async () => {
    const err = await sync('stopped-mute.mp4').then(() => null, (e: Error) => e.message);
    expect(err).toMatch(NO_PAIR);
    expect(err).toMatch(/matches it: if it is the start flash, the end pulse 6\.500 s later falls at 7\.4\d\d s on its clock, 1\.0 s after this camera's recording ended \(its picture ends at 6\.5\d\d s\): a camera that stopped before the end pulse cannot show that flash, and there is no pair to judge \(--ends start judges the start flash alone\)$/);
  }, 60_000);

  it('negative control: recording past the end pulse, no end flash: the old line alone', async () => {
    const err = await sync('full-mute.mp4').then(() => null, (e: Error) => e.message);
    expect(err).toMatch(NO_PAIR);
    expect(err).toMatch(/matches it$/);
  }, 60_000);
});
