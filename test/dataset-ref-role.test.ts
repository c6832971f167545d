/**
 * A new user's trial: `mmprep extract --ref-role video` put s01's features on the camera's clock; the manifest's
 * transcript_clock said the transcript was timed on the lav (lav_audio), but dataset build took the manifest's
 * default reference role (the first *_audio, the lav) and so read the transcript as already on the reference clock:
 * every record 0.62 s early (the camera's lag), exit 0. The build now takes the role the features were extracted on
 * (meta.json ref_role).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-ref-role-');
afterAll(() => tmp.cleanup());
const DEMO = join(FIXTURES, 'demo');

describe('dataset build on features extracted with --ref-role', () => {
  it("maps a lav-timed transcript onto the camera clock extract used (records 0.62 s later than the lav's times)", async () => {
    const manifest = join(tmp.dir, 'm.csv');
    const f = (n: string) => join(DEMO, n);
    writeFileSync(manifest, `session_id,speaker_id,video,lav_audio,transcript,transcript_clock\ns01,spk_a,${f('s01_camera.mp4')},${f('s01_lav.flac')},${f('s01_transcript.json')},lav_audio\n`);
    const x = await runCli(['extract', manifest, '-o', join(tmp.dir, 'feat'), '--ref-role', 'video', '--only', 'sync,audio', '--progress', 'none']);
    expect(x.code, x.stderr).toBe(0);
    const out = join(tmp.dir, 'rel');
    const b = await runCliInProcess(['dataset', 'build', manifest, '--features', join(tmp.dir, 'feat'), '-o', out, '--quiet']);
    expect(b.code, b.stderr).toBe(0);
    const recs = readdirSync(out)
      .filter((n) => n.startsWith('data-'))
      .flatMap((n) => readFileSync(join(out, n), 'utf8').trim().split('\n').map((l) => JSON.parse(l)));
    // s01_transcript.json's first utterance: 2.69-3.42 s on the lav; the camera's clock runs 0.62 s behind (truth.json).
    expect(recs[0].text).toBe('ten of clubs');
    expect(recs[0].start_s).toBeCloseTo(2.69 + 0.62, 2);
    expect(recs[0].end_s).toBeCloseTo(3.42 + 0.62, 2);
  }, 300_000);

  // An empty transcript_clock means the reference clock: after extract --ref-role video that is the camera's, not the
  // lav's the manifest was written against; a lav-timed transcript was then read 0.62 s off without a word.
  // --face-features none: the features were extracted with --only sync,audio (else the face-not-extracted warning too).
  it('an empty transcript_clock on features extracted with another --ref-role is a warning of the session; naming the role silences it', async () => {
    const f = (n: string) => join(DEMO, n);
    const row = (clock: string) => `session_id,speaker_id,video,lav_audio,transcript,transcript_clock\ns01,spk_a,${f('s01_camera.mp4')},${f('s01_lav.flac')},${f('s01_transcript.json')},${clock}\n`;
    writeFileSync(join(tmp.dir, 'empty.csv'), row(''));
    writeFileSync(join(tmp.dir, 'video.csv'), row('video'));
    const b = await runCliInProcess(['dataset', 'build', join(tmp.dir, 'empty.csv'), '--features', join(tmp.dir, 'feat'), '-o', join(tmp.dir, 'rel-empty'), '--face-features', 'none']);
    expect(b.code, b.stderr).toBe(0);
    const warning = "session s01: its features were extracted on the clock of role video (extract --ref-role video), not the manifest's default reference lav_audio, so its transcript's times (transcript_clock is empty) are read as timed on video; if they were timed on lav_audio (an ASR of that file, ratings made while listening to it), write lav_audio in the clock column, else video, to say so";
    expect(b.stderr).toContain(`mmprep dataset build: warning: ${warning}\n`);
    // Since 2026-12-06 the clock check (clock-fit.ts) says it too, with its figures: the words fit the lav's clock.
    expect(JSON.parse(readFileSync(join(tmp.dir, 'rel-empty', 'manifest.json'), 'utf8')).sessions[0].warnings).toEqual([warning.replace('session s01: ', ''), expect.stringMatching(/its words fit the clock of role lav_audio better .* its records sit 0\.620 s earlier/)]);
    expect(readFileSync(join(tmp.dir, 'rel-empty', 'README.md'), 'utf8')).toContain(`- ${warning}`);
    const named = await runCliInProcess(['dataset', 'build', join(tmp.dir, 'video.csv'), '--features', join(tmp.dir, 'feat'), '-o', join(tmp.dir, 'rel-video'), '--face-features', 'none']);
    expect(named.code, named.stderr).toBe(0);
    expect(named.stderr).not.toContain('extracted on the clock');
  }, 120_000);
});
