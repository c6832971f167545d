/**
 * README's own manifest example `video,camera_audio,lav_audio` made the camera's distant microphone the audio source
 * (default reference role = first *_audio column) without a word (trial 2026-12-03 item 3). The default is kept; extract
 * warns, naming both files and --ref-role. Runs the CLI on a shard that holds no session (nothing decoded).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-camera-ref-');
afterAll(() => tmp.cleanup());
const DEMO = join(FIXTURES, 'demo');
const cam = join(DEMO, 's01_camera.mp4');
const lav = join(DEMO, 's01_lav.flac');
/** Another audio file, standing in for a room recorder (nothing is decoded). */
const room = join(DEMO, 's02_lav.flac');

/** extract --only audio on shard 1/2, which holds none of these sessions (s01 hashes to shard 0): only the checks before the run. */
async function notesOf(name: string, header: string, row: string, ...extra: string[]): Promise<string> {
  const m = join(tmp.dir, `${name}.csv`);
  writeFileSync(m, `session_id,speaker_id,${header}\ns01,spk_a,${row}\n`);
  const r = await runCli(['extract', m, '-o', join(tmp.dir, `${name}-out`), '--only', 'audio', '--shard', '1/2', '--progress', 'none', ...extra]);
  expect(r.code).toBe(0);
  expect(r.stderr).toContain('holds none of the manifest');
  return r.stderr;
}

describe("extract: the default reference is a camera's sound beside a separate audio file", () => {
  it('warns naming both files and --ref-role', async () => {
    const err = await notesOf('readme', 'video,camera_audio,lav_audio', `${cam},${cam},${lav}`);
    expect(err).toMatch(/warning: .*readme\.csv:2: session 's01' takes its reference clock and audio features from camera_audio .*s01_camera\.mp4, a camera's sound .* while lav_audio .*s01_lav\.flac is a separate audio file.*--ref-role lav_audio/);
  });

  it('says nothing with --ref-role, with the lav first, or with no camera sound role (negative controls)', async () => {
    const errs = await Promise.all([
      notesOf('given', 'video,camera_audio,lav_audio', `${cam},${cam},${lav}`, '--ref-role', 'camera_audio'),
      notesOf('lavfirst', 'video,lav_audio,camera_audio', `${cam},${lav},${cam}`),
      notesOf('plain', 'video,lav_audio', `${cam},${lav}`),
    ]);
    for (const err of errs) expect(err).not.toContain("a camera's sound");
  });
});

describe('extract: the default reference is a room recorder beside a role named like a close microphone', () => {
  it('warns naming both roles and --ref-role (a new user\'s room_audio,lav_audio read the lav-timed transcript 0.62 s off, no word)', async () => {
    const err = await notesOf('room', 'room_audio,lav_audio,video', `${room},${lav},${cam}`);
    expect(err).toMatch(/warning: .*room\.csv:2: session 's01' takes its reference clock and audio features from room_audio .*s02_lav\.flac \(the first \*_audio column is the default\), while lav_audio .*s01_lav\.flac is named like a close microphone: .*--ref-role lav_audio/);
  });

  it('says nothing with the lav first, with --ref-role, or when no later role is named like a close microphone (controls)', async () => {
    const errs = await Promise.all([
      notesOf('room-lavfirst', 'lav_audio,room_audio,video', `${room},${lav},${cam}`),
      notesOf('room-given', 'room_audio,lav_audio,video', `${room},${lav},${cam}`, '--ref-role', 'room_audio'),
      notesOf('room-two', 'room_audio,hall_audio,video', `${room},${lav},${cam}`),
    ]);
    for (const err of errs) expect(err).not.toContain('named like a close microphone');
  });
});
