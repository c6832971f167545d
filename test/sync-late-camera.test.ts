/**
 * Trial 2026-12-03 item 4: a camera that started after the session's start pulse. Its sound, placed by
 * cross-correlation, puts the lav's start beep before the picture's first frame, and the refusal named what the
 * guide's span showed instead ("no flash: a small bright spot ... stays lit and steady ... drive the LED from the
 * beep's trigger"). Now that guide is not searched (late-camera.ts) and the line says the pulse falls N s before the
 * camera's recording began, with --ends both as the way out when the reference has a beep in its end window (else what is left). Negative control: the same camera started before the beep
 * (its own sound has the beep), no flash in its picture: no "started late". Generated here: a 14 s lav (talker of
 * syllable-like noise bursts, beep at 1.5 s), 10 s cameras (160x90, 25 fps, the lav's sound from 3.0 s or 0.5 s on).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncSession } from '../src/sync/session.js';
import { addBeeps, flashVideo, rng, talker, writeWavF32 } from './sync-media.js';

const SR = 16000;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmprep-late-camera-'));
  const r = rng(9);
  const lav = Float32Array.from(talker(17, 14 * SR), (v) => 0.3 * v + 0.002 * r.g());
  addBeeps(lav, SR, [{ t_s: 1.5, dur_s: 0.25, amp: 0.3 }]);
  writeWavF32(join(dir, 'lav.wav'), lav, SR);
  // The same lav with a pulse at the session's end as well (12.5 s).
  const lavEnds = lav.slice();
  addBeeps(lavEnds, SR, [{ t_s: 12.5, dur_s: 0.25, amp: 0.3 }]);
  writeWavF32(join(dir, 'lav-ends.wav'), lavEnds, SR);
  for (const [name, from] of [['late', 3.0], ['early', 0.5]] as const) {
    const cam = Float32Array.from({ length: 10 * SR }, (_, i) => 0.6 * lav[i + Math.round(from * SR)] + 0.005 * r.g());
    writeWavF32(join(dir, `${name}.wav`), cam, SR);
    flashVideo(join(dir, `${name}.mp4`), { fpsNum: 25, fpsDen: 1, seconds: 10, flashes: [], kind: 'corner', w: 160, h: 90, audio: join(dir, `${name}.wav`) });
  }
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const refusal = (cam: string, lav = 'lav.wav') => syncSession([{ file: join(dir, lav) }, { file: join(dir, cam) }]).then(() => null, (e: Error) => e.message);

describe('a camera that started after the start pulse', () => {
  it('is refused with the pulse before its recording began and --ends both, not an LED advice', async () => {
    const err = await refusal('late.mp4');
    expect(err).toMatch(/^video stream 0 cannot be put on the reference clock: start window: the session's start pulse falls 1\.5 s before this camera's recording began \(it started late: the pulse at -1\.5\d\d s on its clock, where its sound puts it; its first frame at 0\.000 s\), so its picture cannot show that flash; the reference has no 1000 Hz beep in its end window \(from 7\.0 s\) either, so --ends both cannot place it: record a pulse at the session's end too, or pass --share-camera-clock to place the picture by its own sound \(their skew unmeasured\), and the same file's audio stream 0 is placed, .*--share-camera-clock/);
    expect(err).not.toMatch(/LED|no flash/);
  }, 60_000);

  it('--ends both is advised only when the reference has an end pulse, and names it (trial A, session 42: advised on a session without one)', async () => {
    const err = await refusal('late.mp4', 'lav-ends.wav');
    expect(err).toMatch(/so its picture cannot show that flash; use --ends both: the reference's 1000 Hz beep at 12\.5\d\d s, in its end window, places it if this camera saw that pulse, and the same file's audio stream 0 is placed/);
  }, 60_000);

  it('negative control: started before the beep, no flash in its picture: no "started late"', async () => {
    const err = await refusal('early.mp4');
    expect(err).toMatch(/^video stream 0 cannot be put on the reference clock: /);
    expect(err).not.toMatch(/started late|before this camera's recording began/);
  }, 60_000);
});
