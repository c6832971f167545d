/**
 * A media file cut short (a copy that did not finish) among the session's files. Its header still declares the whole
 * length, so the probe passed it: a camera cut at 60 kB of 110 kB ran the sync and audio stages and half its face
 * inference before the face stage refused it ("decoded 118 of the 250 frames"), on every retry; a cut lav failed in
 * the audio stage after sync. Now each stream's packets are read before any stage runs (src/media/file-end.ts,
 * stream-ends.ts): the session fails in `inputs`, one line naming the file and the stream, nothing left in its folder.
 * The line names the file by its manifest cell, and its ffmpeg advice runs from the manifest's folder (a new user's
 * trial, 2026-12-05: the reason held the absolute path, and the advice the file's name alone, which ran only in the
 * file's own folder).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

const tmp = tempDir('mmprep-extract-truncated-');
afterAll(() => tmp.cleanup());
const p = (n: string) => join(tmp.dir, n);
const demo = (n: string) => join(FIXTURES, 'demo', n);

describe('extract: a truncated media file', () => {
  it('fails its session before any stage runs, naming the file (camera and lav)', async () => {
    for (const f of ['s01_camera.mp4', 's02_lav.flac']) copyFileSync(demo(f), p(f));
    mkdirSync(p('cams'));
    writeFileSync(p('cams/cut_camera.mp4'), readFileSync(demo('s02_camera.mp4')).subarray(0, 60_000));
    writeFileSync(p('cut_lav.flac'), readFileSync(demo('s03_lav.flac')).subarray(0, 30_000));
    writeFileSync(p('m.csv'), 'session_id,speaker_id,video,lav_audio\ncam,p1,cams/cut_camera.mp4,s02_lav.flac\nlav,p2,s01_camera.mp4,cut_lav.flac\nsnd,p3,s02_lav.flac,\n');
    const r = await runCli(['extract', 'm.csv', '-o', 'out', '--jobs', '1', '--progress', 'none'], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(4);
    expect(JSON.parse(r.stdout)).toMatchObject({ done: 0, failed: 3, errors_file: p('out/_errors.jsonl') });
    const errors = readFileSync(p('out/_errors.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(errors.map((e) => [e.session_id, e.stage])).toEqual([
      ['cam', 'inputs'],
      ['lav', 'inputs'],
      ['snd', 'inputs'],
    ]);
    // a file of sound alone in the picture's column (an audio-only corpus clip, tuser59): the line names the column it belongs in
    expect(errors[2].reason).toBe('video: s02_lav.flac: has no video stream, only sound: give it in an audio column (lav_audio) instead of video: a session of sound alone (an audio-only clip) is extracted without a face stage');
    expect(errors[0].reason).toMatch(
      /^video: cams\/cut_camera\.mp4: truncated: its video stream 0 has packets that end at 4\.\d\d\d s but its header declares 10\.000 s \(a copy or upload that did not finish\? replace it with the full file, or keep the part that decodes: ffmpeg -i cams\/cut_camera\.mp4 -c copy cams\/cut_camera-remuxed\.mp4, and use that file\)$/,
    );
    // The advice, run as written from the manifest's folder, makes the file it names.
    const [, input, output] = /: ffmpeg -i (\S+) -c copy (\S+),/.exec(errors[0].reason)!;
    ffmpegSync(['-i', join(tmp.dir, input), '-c', 'copy', join(tmp.dir, output)]); // relative to the manifest's folder
    expect(existsSync(p('cams/cut_camera-remuxed.mp4'))).toBe(true);
    expect(errors[1].reason).toMatch(/^lav_audio: cut_lav\.flac: truncated: its audio stream 0 has packets that end at [\d.]+ s but its header declares 10\.000 s \(a copy or upload that did not finish\? replace it with the full file\)$/);
    expect(r.stderr).toContain(`mmprep extract: session cam (line 2) failed in inputs: video: cams/cut_camera.mp4: truncated:`);
    expect(existsSync(p('out/cam')) || existsSync(p('out/lav'))).toBe(false);
  }, 120_000);
});
