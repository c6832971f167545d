/**
 * Issue 12, the media half, on the demo's s01 (10 s camera + lav): a camera-only session analyses the camera's sound;
 * a stage that produces nothing is reported (and fails with --strict); feature files record their clock and an
 * `--only sync` run that changes the clock removes what was made on the old one; the progress display moves within
 * a session (a Ctrl-C sent to the whole terminal process group letting the running session finish is in
 * test/extract-group-interrupt.test.ts). Stages are limited to sync and audio (no face inference) to keep it short;
 * the first sync+audio run of s01 is test/helpers/extract-cache.ts's (made once for this file, extract-kept-sync-reference
 * and extract-provenance: the bytes a run here gives, its meta.json checked below as a run's own).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etaSeconds } from '../src/batch/progress.js';
import { sessionShare } from '../src/batch/work-share.js';
import { ffmpegSync } from './helpers/ffmpeg.js';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { extractCached } from './helpers/extract-cache.js';

const DEMO = join(FIXTURES, 'demo');
const { dir, cleanup } = tempDir('mmprep-extract-clock-');
afterAll(() => cleanup());

beforeAll(() => {
  for (const f of ['s01_camera.mp4', 's01_lav.flac']) copyFileSync(join(DEMO, f), join(dir, f));
  // The camera file without its sound (stream copy: no re-encode).
  ffmpegSync(['-i', join(dir, 's01_camera.mp4'), '-an', '-c', 'copy', join(dir, 'mute.mp4')]);
});

/** s01 with its lav; its sync and audio stages are the run test/helpers/extract-cache.ts makes once for several files. */
const BOTH = 'session_id,speaker_id,video,lav_audio\ns01,p1,s01_camera.mp4,s01_lav.flac\n';
const SYNC_AUDIO = ['--only', 'sync,audio', '--progress', 'none'];
const meta = (out: string, s = 's01') => JSON.parse(readFileSync(join(out, s, 'meta.json'), 'utf8'));
const write = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

describe('extract: audio from the camera, stages that produce nothing (issue 12, item 2)', () => {
  it('a session without an *_audio role analyses the camera file\'s sound on the camera\'s clock; progress moves within it', async () => {
    const m = write('cam.csv', 'session_id,speaker_id,video\ns01,p1,s01_camera.mp4\n');
    const out = join(dir, 'out-cam');
    const r = await runCli(['extract', m, '-o', out, '--only', 'sync,audio', '--progress', 'lines'], { env: { MMPREP_PROGRESS_INTERVAL_S: '0' } });
    expect(r.code, r.stderr).toBe(0);
    // The one warning: the demo camera's LED is drawn on whole frames (no partly lit frame), so against the camera's own
    // beep its flash's onset is known only within a frame period (docs/sync.md "The LED"): offset_uncertain.
    expect(JSON.parse(r.stdout)).toMatchObject({ done: 1, warnings: 1 });
    expect(r.stderr).toMatch(/s01_camera\.mp4 video stream 0: offset_uncertain/);
    const mt = meta(out);
    expect(mt).toMatchObject({ ref_role: 'video', sources: { audio: { role: 'video', file: 's01_camera.mp4', stream: 'audio' } }, not_produced: [] });
    const audio = readFileSync(join(out, 's01', 'audio.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(audio.length).toBeGreaterThan(900); // 10 s at 10 ms
    expect(audio[0].t_s).toBe(audio[0].t_src_s); // the camera's sound is the reference: no offset
    // item 6: a line while the session ran shows its stage and media seconds done, before any session finished.
    expect(r.stderr).toMatch(/0\/1 sessions \(\d+ % of the work\).*running: s01 (sync|audio) \d+\.\d\/10\.0 s/);
  });

  it('a video without sound: a warning and meta.json not_produced; --strict fails the session', async () => {
    const m = write('mute.csv', 'session_id,speaker_id,video\ns01,p1,mute.mp4\n');
    const out = join(dir, 'out-mute');
    const r = await runCli(['extract', m, '-o', out, '--only', 'audio', '--progress', 'none']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/session s01 \(line 2\): warning: audio stage produced nothing: no \*_audio role and the video file has no sound \(mute\.mp4\)/);
    expect(JSON.parse(r.stdout)).toMatchObject({ done: 1, warnings: 1 });
    expect(meta(out).not_produced).toEqual([{ stage: 'audio', reason: 'no *_audio role and the video file has no sound (mute.mp4)' }]);
    const strict = await runCli(['extract', m, '-o', join(dir, 'out-strict'), '--only', 'audio', '--progress', 'none', '--strict']);
    expect(strict.code).toBe(4);
    expect(strict.stderr).toMatch(/session s01 \(line 2\) failed in audio: produced nothing: no \*_audio role .* \(--strict\)/);
    expect(existsSync(join(dir, 'out-strict', 's01'))).toBe(false);
  });
});

describe('extract: no stale features (issue 12, item 4)', () => {
  it('files record their clock; --only sync that changes the clock removes what was made on the old one', async () => {
    const m = write('both.csv', BOTH);
    const out = join(dir, 'out-clock');
    const run = (...a: string[]) => runCli(['extract', m, '-o', out, '--progress', 'none', ...a]);
    expect((await extractCached(m, out, SYNC_AUDIO)).code).toBe(0);
    const first = meta(out);
    const clock = `sync.json sha256:${first.clock.sync_sha256}`;
    expect(first.outputs.map((o: { file: string; clock: string | null }) => [o.file, o.clock])).toEqual([
      ['audio.jsonl', clock],
      ['audio.summary.json', clock],
      ['sync.json', null],
    ]);
    // The same clock again (a sync run on the same media): the audio files stay and are listed again; that is
    // extract-provenance's "an --only sync run keeps the audio record" (one sync run fewer here, ~1.9 CPU s).
    // The media moved (another folder, so sync.json's relative paths and sha256 change; the placement does not): the
    // audio stays, now listed on the new sync.json (ttrial43: removed as "made on another clock").
    mkdirSync(join(dir, 'moved', 'deeper'), { recursive: true });
    for (const f of ['s01_camera.mp4', 's01_lav.flac']) copyFileSync(join(dir, f), join(dir, 'moved', 'deeper', f));
    writeFileSync(join(dir, 'moved', 'deeper', 'both.csv'), BOTH);
    const moved = await runCli(['extract', join(dir, 'moved', 'deeper', 'both.csv'), '-o', out, '--progress', 'none', '--only', 'sync']);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stderr).not.toMatch(/removed/);
    const afterMove = meta(out);
    expect(afterMove.clock.sync_sha256).not.toBe(first.clock.sync_sha256);
    expect(readFileSync(join(out, 's01', 'sync.json'), 'utf8')).toContain('moved/deeper/s01_lav.flac');
    expect(afterMove.outputs.map((o: { file: string; clock: string | null }) => [o.file, o.clock])).toEqual([
      ['audio.jsonl', `sync.json sha256:${afterMove.clock.sync_sha256}`],
      ['audio.summary.json', `sync.json sha256:${afterMove.clock.sync_sha256}`],
      ['sync.json', null],
    ]);
    // Another reference: another clock; the audio made on the old one goes, loudly.
    const other = await run('--only', 'sync', '--ref-role', 'video');
    expect(other.code, other.stderr).toBe(0);
    expect(other.stderr).toMatch(/warning: removed audio\.jsonl, audio\.summary\.json \(made on sync\.json sha256:[0-9a-f]{64}, the session's clock is now sync\.json sha256:[0-9a-f]{64}\)/);
    // Every warning line printed is counted in the summary on stdout.
    expect(JSON.parse(other.stdout)).toMatchObject({ done: 1, warnings: (other.stderr.match(/: warning: /g) ?? []).length });
    // The removal, and the camera's picture against its own beep: offset_uncertain (see the first test above).
    expect(JSON.parse(other.stdout).warnings).toBe(2);
    expect(other.stderr).toMatch(/offset_uncertain/);
    expect(readdirSync(join(out, 's01')).sort()).toEqual(['meta.json', 'sync.json']);
    expect(meta(out).outputs.map((o: { file: string }) => o.file)).toEqual(['sync.json']);
    // Redone on the new clock: listed with it.
    expect((await run('--only', 'audio', '--ref-role', 'video')).code).toBe(0);
    const last = meta(out);
    expect(last.outputs.find((o: { file: string }) => o.file === 'audio.jsonl').clock).toBe(`sync.json sha256:${last.clock.sync_sha256}`);
    expect(last.clock.sync_sha256).not.toBe(first.clock.sync_sha256);
  });
});

describe('extract: a reused sync.json must come from the same media', () => {
  it('--only audio after the lav file changed fails the session (the clock would be wrong), naming the role', async () => {
    // A folder of its own whose lav file can be replaced: the media and the manifest of the test before, its first run.
    const sub = join(dir, 'changed');
    mkdirSync(sub);
    for (const f of ['s01_camera.mp4', 's01_lav.flac']) copyFileSync(join(dir, f), join(sub, f));
    writeFileSync(join(sub, 'both.csv'), BOTH);
    const m = join(sub, 'both.csv');
    const out = join(sub, 'out');
    const run = (...a: string[]) => runCli(['extract', m, '-o', out, '--progress', 'none', ...a]);
    expect((await extractCached(m, out, SYNC_AUDIO)).code).toBe(0);
    expect(meta(out).clock.sync_media.map((x: { role: string }) => x.role).sort()).toEqual(['lav_audio', 'video']);
    // Unchanged media: the existing clock is taken.
    expect((await run('--only', 'audio')).code).toBe(0);
    expect(meta(out).clock).toMatchObject({ sync: 'existing', sync_media: expect.any(Array) });
    // The lav file replaced by a different recording (here: the same sound 1 s later).
    ffmpegSync(['-i', join(dir, 's01_lav.flac'), '-af', 'adelay=1000|1000', join(sub, 's01_lav.flac')]);
    const r = await run('--only', 'audio');
    expect(r.code, r.stderr).toBe(4);
    const errors = readFileSync(join(out, '_errors.jsonl'), 'utf8');
    expect(errors).toMatch(/sync\.json was made from a different lav_audio file than s01_lav\.flac; include the sync stage/);
  });
});

describe('extract: signals and progress (issue 12, item 6)', () => {
  it('the ETA shows after the first minute with progress inside sessions, not only after a whole session', () => {
    const st = { total: 4, done: 0, skipped: 0, failed: 0, running: 2, media_s: 0, elapsed_s: 30, in_progress: 0.5 };
    expect(etaSeconds(st)).toBeNaN();
    expect(etaSeconds({ ...st, elapsed_s: 61 })).toBeCloseTo((61 / 0.5) * 3.5, 6);
    expect(etaSeconds({ ...st, elapsed_s: 61, in_progress: 0 })).toBeNaN();
    // Within a session: its audio done and half of its face stage's media seconds, the two priced alike here.
    const alike = { audio: { fixed_s: 0, per_media_s: 1 }, face: { fixed_s: 0, per_media_s: 1 } };
    expect(sessionShare(['audio', 'face'], { stage: 'face', done_s: 5, media_s: 10 }, alike)).toBeCloseTo(0.75, 9);
  });
  // Ctrl-C at a terminal (SIGINT to the whole process group) letting the running session finish: extract-group-interrupt
  // (the same Ctrl-C to mmprep's group during s01, sent by the session's first child, every kind of child hit once).
});
