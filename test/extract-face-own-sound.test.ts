/**
 * ttrial55: extract without the sync stage (`--only audio,face`) of a camera-only session whose file's sound starts at
 * 0.478 s (a `-c copy` cut, an edit list): the audio features count from the sound's first sample (0 there), the face
 * frames kept their presentation times, both recorded as "source time", and dataset build paired them 0.478 s apart
 * (exit 0). The face stage now puts the frames on the sound's clock by the container's timestamps (ownSoundClock), as
 * the sync stage's reference clock is. Only probes: no face inference.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownSoundClock, type StageContext } from '../src/batch/extract-stages.js';
import type { ManifestMedia, ManifestSession } from '../src/batch/manifest.js';
import { probe } from '../src/media/probe.js';
import { FIXTURES } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

const CAMERA = join(FIXTURES, 'demo', 's01_camera.mp4');
const LAV = join(FIXTURES, 'demo', 's01_lav.flac');
let dir: string;
let late: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmprep-own-sound-'));
  late = join(dir, 'cam_late.mp4');
  // the picture from 0 s, the same sound muxed 0.5 s later (an AAC track with priming starts about 0.48 s)
  ffmpegSync(['-i', CAMERA, '-itsoffset', '0.5', '-i', CAMERA, '-map', '0:v', '-map', '1:a', '-t', '2', '-c', 'copy', late]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const media = (role: string, kind: 'audio' | 'video', path: string): ManifestMedia => ({ role, kind, path, column: role, given: role });
const ctx = (m: ManifestMedia[]): StageContext => {
  const session: ManifestSession = { session_id: 'c1', speaker_id: 'spk', line: 2, media: m, ref_role: m[0].role, meta: {} };
  return { session, options: {}, syncMap: null, faceWorkers: 1, probe } as unknown as StageContext;
};

describe('face stage without a sync map: a camera-only session on its own sound\'s clock', () => {
  it('a sound that starts late moves the face frames by its start; a sound at 0 or from another file leaves them', async () => {
    const p = await probe(late);
    const soundStart = p.streams.find((s) => s.type === 'audio')!.start_time_s!;
    expect(soundStart).toBeGreaterThan(0.4);
    const video = media('video', 'video', late);
    const clock = await ownSoundClock(ctx([video]), video);
    expect(clock, 'fails before the fix: face kept the file times while audio counts from its first sample').toBeDefined();
    expect(clock!(0)).toBeCloseTo(-soundStart, 9);
    expect(clock!(1.5)).toBeCloseTo(1.5 - soundStart, 9);
    const cam = media('video', 'video', CAMERA);
    expect(await ownSoundClock(ctx([cam]), cam)).toBeUndefined(); // the demo camera's sound starts at 0
    expect(await ownSoundClock(ctx([media('lav_audio', 'audio', LAV), video]), video)).toBeUndefined(); // audio from the lav: no pairing by container
  }, 60_000);
});
