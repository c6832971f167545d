/**
 * `extract --strict` on a session whose video has no face in any frame (a camera pointed at a wall, the wrong file in
 * the video column): the face stage writes its files but they hold no face. Without --strict that is a warning (exit
 * 0, as before); with --strict the session fails like a stage that produced nothing (exit 4, `_errors.jsonl` names
 * the stage and why, nothing of the session left). It used to pass --strict with exit 0.
 * `--resume --strict` over a folder a run without --strict made fails such a session as a fresh --strict run does (it
 * was skipped, exit 0: ttrial47 5e). A session with no video role is not a failure: face does not apply (ttrial51 F2).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegSync } from './helpers/ffmpeg.js';
import { runCli, tempDir } from './helpers/cli.js';

const { dir, cleanup } = tempDir('mmprep-strict-face-');
afterAll(() => cleanup());

let manifest: string;
beforeAll(() => {
  // 3 s of a plain grey picture with a tone: real media through ffmpeg, no face anywhere (the negative control).
  ffmpegSync(['-f', 'lavfi', '-i', 'color=c=gray:size=160x120:rate=10', '-f', 'lavfi', '-i', 'sine=f=300:sample_rate=16000', '-t', '3', '-shortest', '-pix_fmt', 'yuv420p', join(dir, 'wall.mp4')]);
  manifest = join(dir, 'm.csv');
  writeFileSync(manifest, 'session_id,speaker_id,video\nwall,p1,wall.mp4\n');
});

describe('extract --strict and a video without a face', () => {
  it('without --strict: a warning, the session is kept, exit 0', async () => {
    const out = join(dir, 'out');
    // --face-workers 1: one thread for the 6 frames (two by default with one session on 2 cores, each loading tfjs and
    // Human, ~1.5 CPU s); what the stage finds does not depend on it.
    const r = await runCli(['extract', manifest, '-o', out, '--only', 'face', '--face-fps', '2', '--progress', 'none', '--face-workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ done: 1, failed: 0, warnings: 1 });
    expect(r.stderr).toMatch(/session wall \(line 2\): warning: face: no face found in any of the 6 frames analysed/);
    expect(existsSync(join(out, 'wall', 'meta.json'))).toBe(true);
  }, 120_000);

  it('--resume --strict over that folder: the session fails in face as a fresh --strict run does (exit 4), its folder kept', async () => {
    const out = join(dir, 'out');
    const r = await runCli(['extract', manifest, '-o', out, '--only', 'face', '--face-fps', '2', '--progress', 'none', '--face-workers', '1', '--resume', '--strict']);
    expect(r.code, r.stderr).toBe(4);
    expect(JSON.parse(r.stdout)).toMatchObject({ done: 0, skipped: 0, failed: 1 });
    const err = JSON.parse(readFileSync(join(out, '_errors.jsonl'), 'utf8'));
    expect(err).toMatchObject({ session_id: 'wall', stage: 'face', earlier_output_kept: true, reason: expect.stringMatching(/^produced no data: no face found in any of the 6 frames analysed .*\(--strict; recorded by the earlier run, which made the folder without --strict; --resume kept its output\)$/) });
    expect(existsSync(join(out, 'wall', 'meta.json'))).toBe(true);
  }, 60_000);

  it('an audio-only session (no video role): face is not applicable, no warning, and --strict (fresh or --resume) passes it', async () => {
    // ttrial51 F2: each audio-only session of a mixed archive got "face stage produced nothing" on every run, and
    // --strict failed it (exit 4). An empty video cell says the session has no camera: the face stage does not apply.
    ffmpegSync(['-f', 'lavfi', '-i', 'sine=f=300:sample_rate=16000', '-t', '1', join(dir, 'tone.wav')]);
    const m = join(dir, 'novid.csv');
    writeFileSync(m, 'session_id,speaker_id,lav_audio,video\nnv,p1,tone.wav,\n');
    const out = join(dir, 'out-novid');
    const args = ['extract', m, '-o', out, '--only', 'face', '--progress', 'none'];
    const first = await runCli([...args, '--strict']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toMatch(/warning:/);
    expect(first.stderr).toMatch(/^mmprep extract: face stage not applicable to 1 session\(s\) whose row names no input for it \(nv\): recorded in their meta\.json not_applicable/m);
    expect(JSON.parse(first.stdout)).toMatchObject({ done: 1, failed: 0, warnings: 0, not_applicable: { face: 1 } });
    const meta = JSON.parse(readFileSync(join(out, 'nv', 'meta.json'), 'utf8'));
    expect(meta.not_produced).toEqual([]);
    expect(meta.not_applicable).toEqual([{ stage: 'face', reason: 'the session has no video role' }]);
    const r = await runCli([...args, '--resume', '--strict']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ skipped: 1, failed: 0, not_applicable: { face: 1 } });
  }, 60_000);

  it('with --strict: the session fails in face (exit 4), named in _errors.jsonl, its folder removed', async () => {
    const out = join(dir, 'out-strict');
    const r = await runCli(['extract', manifest, '-o', out, '--only', 'face', '--face-fps', '2', '--progress', 'none', '--face-workers', '1', '--strict']);
    expect(r.code, r.stderr).toBe(4);
    expect(JSON.parse(r.stdout)).toMatchObject({ done: 0, failed: 1 });
    const err = JSON.parse(readFileSync(join(out, '_errors.jsonl'), 'utf8'));
    expect(err).toMatchObject({ session_id: 'wall', line: 2, stage: 'face', reason: expect.stringMatching(/^produced no data: no face found in any of the 6 frames analysed .*\(--strict\)$/) });
    expect(existsSync(join(out, 'wall'))).toBe(false);
  }, 120_000);
});
