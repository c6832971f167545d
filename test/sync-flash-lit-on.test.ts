/**
 * An LED that never goes dark (issue 11): lit for the whole video, or switched on before the camera's beep and left
 * on. No flash marks the beep, and the refusal said "no flash in the first 60 s", which sends the user looking for a
 * missing LED. Now a camera with sound names the light (flash-step.ts lightOnBefore, litThroughout, through the
 * length-free look at its beep) and says what to do; a camera without sound (no look at a beep) says what a flash is.
 * A camera with no LED at all names no spot. 6 s, 320x180, 25 fps H.264 with a 16 px white LED (ffmpeg drawbox);
 * the camera's beep at 2.0 s, the lav's at 1.5 s.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess, tempDir } from './helpers/cli.js';
import { ffmpeg } from './sync-media.js';

const tmp = tempDir('mmprep-sync-flash-lit-on-');
afterAll(() => tmp.cleanup());
const lav = join(tmp.dir, 'lav.wav');
const beep = (t: number, sr: number) => `aevalsrc='0.3*sin(2*PI*1000*t)*between(t,${t},${t + 0.2})+0.01*(random(0)-0.5)':s=${sr}:d=6`;
const wall = 'color=c=0x303030:s=320x180:r=25:d=6,noise=alls=12:allf=t';
const led = (enable: string | null) => (enable === null ? wall : `${wall},drawbox=x=296:y=4:w=16:h=16:color=white:t=fill${enable ? `:enable='${enable}'` : ''}`);

/**
 * A camera whose LED is lit where `enable` says (ffmpeg's expression; '' always, null never), with or without sound.
 * With sound, x264's veryfast preset, as the other generated clips of the sync tests (its default, medium, took 2.2
 * against 0.9 CPU s a clip on the noise filter's grain, 2026-12-05). Without sound the default stays: the unguided
 * search of that clip found a candidate in veryfast's grain (score 6.1, under 8) and named it instead of the line
 * this test checks.
 */
function camera(name: string, enable: string | null, sound: boolean): string {
  const path = join(tmp.dir, `${name}.mp4`);
  const audio = sound ? ['-f', 'lavfi', '-i', beep(2, 48000)] : [];
  const preset = sound ? ['-preset', 'veryfast'] : [];
  ffmpeg(['-f', 'lavfi', '-i', led(enable), ...audio, '-c:v', 'libx264', ...preset, '-crf', '23', '-pix_fmt', 'yuv420p', ...(sound ? ['-c:a', 'aac', '-shortest'] : []), path]);
  return path;
}

beforeAll(() => {
  ffmpeg(['-f', 'lavfi', '-i', beep(1.5, 16000), lav]);
}, 60_000);

async function refusal(cam: string): Promise<string> {
  const r = await runCliInProcess(['sync', lav, cam, '--quiet', '-o', join(tmp.dir, 'sync.json')]);
  expect(r.code).toBe(2);
  return r.stderr;
}

describe('an LED that never goes dark', () => {
  it('lit for the whole video (camera with sound): names the lit spot and says it never goes dark', async () => {
    const err = await refusal(camera('always', '', true));
    expect(err).toMatch(/always\.mp4: video stream 0 cannot be put on the reference clock: start window: no flash: a small bright spot at x (29\d|30\d), y \d+ px \(grey level \d+, \d+ around it\) stays lit and steady over all 6\.0 s decoded around the camera's beep \(2\.0\d\d s\), with no change at the beep: if that is the LED, it is lit throughout \(never dark\)/);
    expect(err).toMatch(/drive the LED from the beep's trigger so that it is dark before the beep and goes dark again after 100-500 ms/);
  }, 60_000);

  it('switched on before the beep and left on (camera with sound): names when it came on', async () => {
    const err = await refusal(camera('before', 'gte(t,1.0)', true));
    expect(err).toMatch(/before\.mp4: video stream 0 cannot be put on the reference clock: start-window candidate at 1\.000 s not used: a light at x (29\d|30\d), y \d+ px comes on in the frame at 1\.000 s, 1\.0\d s before the camera's beep \(2\.0\d\d s\), from grey level \d+ to \d+, and stays on through the beep for the 5\.0 s decoded after it: a light switched on before the beep and left on/);
  }, 60_000);

  it('lit for the whole video (camera without sound): the line says what a flash is', async () => {
    const err = await refusal(camera('always-mute', '', false));
    expect(err).toMatch(/always-mute\.mp4: video stream 0 cannot be put on the reference clock: no flash in the first 60 s \(or half the file when shorter\) \(no light in view went on and off again as a pulse does: check that the LED is in view and dark before and after each pulse; one lit throughout shows none\)/);
  }, 60_000);

  it('no LED at all (camera with sound): no spot is named', async () => {
    const err = await refusal(camera('none', null, true));
    expect(err).toMatch(/none\.mp4: video stream 0 cannot be put on the reference clock: no flash in the first 60 s \(or half the file when shorter\) \(no light in view/);
    expect(err).not.toMatch(/bright spot|comes on/);
  }, 60_000);
});
