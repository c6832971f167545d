/**
 * Issue 11 (never place a stream wrongly): a cross-correlation whose clear peak rests on one 2.3 s stretch of the
 * window is not taken (place.ts oneStretchWhy, xcorr-drift.ts restZ). scripts/make-sync-rooms.mjs with the talkers at
 * stated distances and their levels by distance (--levels distance), no beep (--beep none: placed by content, the
 * truth the devices' clock offset): a camera microphone 1.5 m and a room microphone 3 m from the participant, the
 * interviewer 4.1 m from the camera and 1.2 m from the room microphone (scripts/measure-content-geometry.mjs layout
 * cam-room3-I4). The two talkers draw their words from the same five clips, so one clip the participant says near the
 * camera matches the same clip the interviewer says near the room microphone: before the rule the room microphone was
 * placed there, 3.32 s off the truth, with exit 0 (fine z 9.1, confidence 0.999; the right lag z 4.5), with both
 * ffmpeg builds. Without its clearest run the match stands at z 5.7.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncSession } from '../src/sync/session.js';
import { tempDir } from './helpers/cli.js';
import { renderCached } from './helpers/scenes.js';

const tmp = tempDir('mmprep-sync-one-stretch-');
afterAll(() => tmp.cleanup());
const ID = 'rt5-drr0-snr10-aac-both-20s';
/** Participant to camera, to room microphone; interviewer to camera, to room microphone; loudspeaker (unused: no beep). */
const GEOMETRY = '1.5,3,4.079,1.221,3.041,1';
let dir = '';

describe('a content match resting on one stretch (the same clip said by both talkers)', () => {
  beforeAll(() => {
    renderCached('make-sync-rooms.mjs', tmp.dir, ['--set', 'small', '--only', ID, '--geometry', GEOMETRY, '--levels', 'distance', '--beep', 'none']);
    dir = join(tmp.dir, ID);
  }, 600_000);

  it('the truth is the clock offset and the case has no beep', () => {
    const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));
    expect(truth.geometry.truth).toBe('clock');
    expect(truth.streams[1].offset_s).toBeCloseTo(truth.geometry.clock_offset_s, 8);
    expect(truth.streams[1].pulses_src_s).toEqual([]);
    expect(truth.args).toEqual(['--ends', 'both']);
  });

  it('is refused, the line saying the match rests on one stretch (placed 3.3 s off with exit 0 before)', async () => {
    const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));
    const run = syncSession(truth.files.map((f: string) => ({ file: join(dir, f) })), { ends: 'both', fallback: 'xcorr' });
    await expect(run).rejects.toThrow(/no two audio tracks could be aligned by content \(\S*mic\.m4a audio: cross-correlation with \S*lav\.wav is not conclusive \(its fine peak \(z \d+\.\d\) rests on one 2\.3 s stretch: without it the match stands at z \d\.\d \(at least 7 needed\)/);
  }, 300_000);
});
