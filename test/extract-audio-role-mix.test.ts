/**
 * A manifest whose lav cell is empty for some sessions: the audio stage takes those sessions' sound from the camera,
 * the others' from the lav, and extract said nothing (exit 0, no warning): a modality swapped without a word for
 * features that are not comparable. Now one warning line names the roles and the sessions off the majority.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { audioRoleMixNotes } from '../src/batch/manifest-shared.js';
import type { ManifestSession } from '../src/batch/manifest.js';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

const { dir, cleanup } = tempDir('mmprep-extract-audio-role-mix-');
afterAll(() => cleanup());

describe('extract: sessions whose audio comes from different roles', () => {
  it('an empty lav cell: one warning line naming the camera-sound session (exit 0, counted in the summary)', async () => {
    for (const f of ['s01_camera.mp4', 's01_lav.flac', 's02_camera.mp4']) copyFileSync(join(FIXTURES, 'demo', f), join(dir, f));
    // A camera without sound (s03) gives the audio stage nothing: it is no third way (it was counted as the camera's sound).
    ffmpegSync(['-i', join(FIXTURES, 'demo', 's03_camera.mp4'), '-an', '-c', 'copy', join(dir, 's03_mute.mp4')]);
    writeFileSync(join(dir, 'm.csv'), 'session_id,speaker_id,video,lav_audio\ns01,p1,s01_camera.mp4,s01_lav.flac\ns02,p2,s02_camera.mp4,\ns03,p3,s03_mute.mp4,\n');
    const r = await runCli(['extract', 'm.csv', '-o', 'out', '--only', 'audio', '--jobs', '1', '--progress', 'none'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      "mmprep extract: warning: m.csv: the audio stage takes its sound from different roles: 1 session from lav_audio, 1 session from video's own sound ('s02' line 3); a camera's microphone at a distance and a close lavalier give features that are not comparable",
    );
    expect(r.stderr).toContain('session s03 (line 4): warning: audio stage produced nothing: no *_audio role and the video file has no sound (s03_mute.mp4)');
    expect(JSON.parse(r.stdout)).toMatchObject({ done: 3, warnings: 2 });
  });

  it('names at most three sessions of each smaller group, none when every session has the same source', () => {
    const s = (id: string, line: number, role: string | null) => ({ session_id: id, line, role }) as unknown as ManifestSession;
    const role = (x: ManifestSession) => (x as unknown as { role: string | null }).role;
    const lav = [1, 2, 3, 4, 5].map((i) => s(`a${i}`, i + 1, 'lav_audio'));
    const cam = [1, 2, 3, 4].map((i) => s(`c${i}`, i + 6, "video's own sound"));
    expect(audioRoleMixNotes('m.csv', [...lav, s('n', 20, null)], role)).toEqual([]);
    const [note] = audioRoleMixNotes('m.csv', [...cam, ...lav], role);
    expect(note).toContain("5 sessions from lav_audio, 4 sessions from video's own sound ('c1' line 7, 'c2' line 8, 'c3' line 9, and 1 more);");
  });
});
