/**
 * A camera/phone file given only under an *_audio role: the face stage said "the session has no video role" and no
 * more (trial 2026-12-03 item 8). It now names the file holding a picture and the *_video column to add. A session
 * with only an audio file is not warned: face does not apply to it (negative control). --only face: the stage stops before any model.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-face-picture-');
afterAll(() => tmp.cleanup());
const DEMO = join(FIXTURES, 'demo');

it("face stage names the picture in an *_audio role's file", async () => {
  const m = join(tmp.dir, 'm.csv');
  writeFileSync(m, `session_id,speaker_id,lav_audio,phone_audio\ns01,spk_a,${join(DEMO, 's01_lav.flac')},${join(DEMO, 's01_camera.mp4')}\ns02,spk_g,${join(DEMO, 's02_lav.flac')},\n`);
  const r = await runCli(['extract', m, '-o', join(tmp.dir, 'out'), '--only', 'face', '--progress', 'none', '--jobs', '2']);
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/session s01 .*face stage produced nothing: the session has no video role, but .*s01_camera\.mp4 \(column phone_audio\) holds a picture \(video stream 0, h264, 320x240\): to analyse its faces, name the file in a phone_video column too/);
  // s02 has no picture at all: the face stage does not apply (ttrial51 F2), said once for the run, not as a warning.
  expect(r.stderr).not.toMatch(/session s02 .*warning/);
  expect(r.stderr).toMatch(/face stage not applicable to 1 session\(s\) whose row names no input for it \(s02\)/);
});
