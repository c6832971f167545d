/**
 * Provenance of kept feature files: meta.json `made_by` keeps, per stage, the options, clock and version its files were
 * made with across runs of other stages (an `--only` run used to leave `options: {}` beside a kept face.jsonl made at
 * 2 fps), and --resume redoes a stage whose recorded options differ from the ones given; `--voice` through the batch
 * path (the records' voice fields, the option recorded). On the demo's s01 (10 s).
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { extractCached } from './helpers/extract-cache.js';
import { placementClockId } from '../src/batch/clock-moved.js';

const { dir, cleanup } = tempDir('mmprep-extract-prov-');
afterAll(() => cleanup());
let m = '';
beforeAll(() => {
  for (const f of ['s01_camera.mp4', 's01_lav.flac']) copyFileSync(join(FIXTURES, 'demo', f), join(dir, f));
  m = join(dir, 'm.csv');
  writeFileSync(m, 'session_id,speaker_id,video,lav_audio\ns01,p1,s01_camera.mp4,s01_lav.flac\n');
});
const meta = (out: string) => JSON.parse(readFileSync(join(out, 's01', 'meta.json'), 'utf8'));
const summary = (r: { stdout: string }) => JSON.parse(r.stdout);

describe('extract: meta.json made_by keeps what made each kept file', () => {
  it('an --only run with other options keeps the face record (0.5 fps); --resume redoes face at another rate (0.25 fps)', async () => {
    const out = join(dir, 'out-face');
    // One face worker (--face-workers 1; the default on 2 cores with one session is two): 5 and 10 frames need no
    // second thread loading tfjs and Human (~1.5 CPU s each run); the records are those of any count of workers.
    const run = (...a: string[]) => runCli(['extract', m, '-o', out, '--progress', 'none', '--face-workers', '1', ...a]);
    // The face stage on the clock of test/helpers/extract-cache.ts's sync and audio run (made once for this file and
    // others; it was a sync stage of this run's own until 2026-12-05, ~3 CPU s), then an audio run with other options,
    // at 0.5 and 1 fps: face inference costs ~0.2 CPU s a frame.
    expect((await extractCached(m, out, ['--only', 'sync,audio', '--progress', 'none'])).code).toBe(0);
    const first = await run('--only', 'face', '--face-fps', '0.5');
    expect(first.code, first.stderr).toBe(0);
    expect(meta(out).stages).toEqual(['face']);
    const face1 = readFileSync(join(out, 's01', 'face.jsonl'), 'utf8');
    // The summary names the video as meta.json's inputs[] do (the manifest's cell), not by its absolute path, so the
    // same session extracted under another folder gives the same bytes (trial 2026-12-03 item 9).
    expect(JSON.parse(readFileSync(join(out, 's01', 'face.summary.json'), 'utf8')).file).toBe('s01_camera.mp4');
    // made_by names the clock by its placement (src/batch/clock-moved.ts placementClockId), outputs[] by the file's bytes.
    const clock = placementClockId(readFileSync(join(out, 's01', 'sync.json'), 'utf8'));
    expect(meta(out).outputs.find((o: { file: string }) => o.file === 'audio.jsonl').clock).toBe(`sync.json sha256:${meta(out).clock.sync_sha256}`);
    const second = await run('--only', 'audio', '--face-fps', '3', '--resume');
    expect(second.code, second.stderr).toBe(0);
    expect(summary(second)).toMatchObject({ done: 1, skipped: 0 });
    expect(readFileSync(join(out, 's01', 'face.jsonl'), 'utf8')).toBe(face1); // kept, not redone
    const mt = meta(out);
    expect(mt.options).toEqual({}); // this run's audio stage read none of the options given
    expect(mt.made_by.face).toMatchObject({ options: { faceFps: 0.5 }, clock });
    expect(mt.made_by.audio).toMatchObject({ options: {}, clock });
    expect(mt.made_by.sync).toMatchObject({ options: {}, clock: null });
    // The face stage asked for again at another rate: its record says 0.5, so it is redone, not reused. 0.25 fps (3
    // frames of the 10 s) rather than 1 fps (10 frames, until 2026-12-06): what --resume compares is the recorded
    // option, whatever its value; face inference costs ~0.2 CPU s a frame.
    const third = await run('--only', 'face', '--face-fps', '0.25', '--resume', '--redo-changed');
    expect(summary(third)).toMatchObject({ done: 1, skipped: 0 });
    expect(meta(out).made_by.face).toMatchObject({ options: { faceFps: 0.25 }, clock });
    const face3 = readFileSync(join(out, 's01', 'face.jsonl'), 'utf8');
    expect(face3).not.toBe(face1);
    expect(face3.trim().split('\n')).toHaveLength(3);
    // Same stage, same options: skipped.
    expect(summary(await run('--only', 'face', '--face-fps', '0.25', '--resume'))).toMatchObject({ done: 0, skipped: 1 });
  }, 240_000);

  it('an --only sync run keeps the audio record (--voice) while the clock is unchanged; --resume without --voice redoes audio', async () => {
    const out = join(dir, 'out-voice');
    const run = (...a: string[]) => runCli(['extract', m, '-o', out, '--progress', 'none', ...a]);
    // sync and audio without --voice (test/helpers/extract-cache.ts's run, as in the test before); the audio stage's
    // record says {}: --resume with --voice redoes it, on the same clock.
    expect((await extractCached(m, out, ['--only', 'sync,audio', '--progress', 'none'])).code).toBe(0);
    const clock = meta(out).clock.sync_sha256;
    const records = () => readFileSync(join(out, 's01', 'audio.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records()[0]).not.toHaveProperty('jitter_local');
    const voice = await run('--only', 'audio', '--voice', '--resume', '--redo-changed');
    expect(voice.code, voice.stderr).toBe(0);
    expect(summary(voice)).toMatchObject({ done: 1, skipped: 0 });
    // --voice gives the records the voice fields (so `dataset build --audio-features voice` has them) and is recorded
    // as the run's option (issue 15 item 4 through the batch path: test/extract-voice.test.ts until 2026-12-06, the
    // same two runs on an audio-only session, ~2.8 CPU s).
    const voiced = records();
    for (const k of ['jitter_local', 'shimmer_local', 'hnr_db', 'f1_hz']) expect(voiced[0]).toHaveProperty(k);
    expect(voiced.some((r) => typeof r.jitter_local === 'number')).toBe(true);
    expect(meta(out).options).toEqual({ voice: true });
    expect(meta(out).made_by.audio.options).toEqual({ voice: true });
    expect(meta(out).clock.sync_sha256).toBe(clock);
    // The sync stage is run again (not skipped: the last run's stages were audio alone) on the same media: the same
    // clock, so the audio files stay, listed again, and nothing is removed (extract-clock's "same clock again" step
    // until 2026-12-06, a sync run of its own).
    const again = await run('--only', 'sync', '--resume');
    expect(again.code, again.stderr).toBe(0);
    expect(summary(again)).toMatchObject({ done: 1, skipped: 0 });
    expect(again.stderr).not.toMatch(/removed/);
    const mt = meta(out);
    expect(mt.stages).toEqual(['sync']);
    expect(mt.clock.sync_sha256).toBe(clock);
    expect(mt.outputs.map((o: { file: string }) => o.file)).toEqual(['audio.jsonl', 'audio.summary.json', 'sync.json']);
    expect(mt.made_by.audio.options).toEqual({ voice: true });
    // Named as meta.json's inputs[] name it (trial 2026-12-03 item 9: it was the absolute path).
    expect(JSON.parse(readFileSync(join(out, 's01', 'audio.summary.json'), 'utf8')).file).toBe('s01_lav.flac');
    expect(mt.inputs.find((i: { role: string }) => i.role === 'lav_audio').file).toBe('s01_lav.flac');
    const plain = await run('--only', 'audio', '--resume', '--redo-changed');
    expect(summary(plain)).toMatchObject({ done: 1, skipped: 0 });
    expect(meta(out).made_by.audio.options).toEqual({});
    expect(readFileSync(join(out, 's01', 'audio.jsonl'), 'utf8')).not.toMatch(/jitter_local/);
  }, 240_000);

  it('the same session extracted with its media elsewhere relative to -o: made_by records one clock, outputs[] each its sync.json bytes', async () => {
    // ttrial45b finding 5a: a release's manifest.json (made_by copied from meta.json) differed in made_by.*.clock
    // only, as sync.json holds the media's paths relative to itself.
    const near = join(dir, 'out-near');
    const far = join(dir, 'deep', 'er', 'out-far');
    expect((await extractCached(m, near, ['--only', 'sync,audio', '--progress', 'none'])).code).toBe(0);
    const r = await runCli(['extract', m, '-o', far, '--only', 'sync,audio', '--progress', 'none']);
    expect(r.code, r.stderr).toBe(0);
    const [a, b] = [meta(near), meta(far)];
    expect(readFileSync(join(far, 's01', 'audio.jsonl'), 'utf8')).toBe(readFileSync(join(near, 's01', 'audio.jsonl'), 'utf8'));
    expect(a.clock.sync_sha256).not.toBe(b.clock.sync_sha256); // the paths in sync.json differ
    expect(a.made_by.audio.clock).toMatch(/^sync\.json placement sha256:[0-9a-f]{64}$/);
    expect(b.made_by).toEqual(a.made_by);
    expect(b.outputs.find((o: { file: string }) => o.file === 'audio.jsonl').clock).toBe(`sync.json sha256:${b.clock.sync_sha256}`);
  }, 120_000);
});

