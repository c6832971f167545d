/**
 * `extract --only sync --resume` after the camera file was replaced by another whose first seconds (the sync search
 * window) are the same but whose picture differs later (a re-export, a redacted part): sync.json comes out
 * byte-identical, and the face files of the old camera were kept while meta.json's `inputs` named the new one, so
 * dataset build's media check passed (ttrial47 finding 1). Each stage now records the media it read
 * (made_by.<stage>.inputs: role, size, SHA-256); a stage not run whose media changed has its files removed with a line
 * saying what to run. A meta.json without them (an mmprep before 2026-12-06) keeps them as before, with a note.
 * The demo's s01 camera re-encoded twice with one encoder's settings, the second mirrored from 6 s (sync finds the LED
 * flash and beep at ~1.5 s in both); the face stage at 1 frame/s.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

const { dir, cleanup } = tempDir('mmprep-extract-stage-inputs-');
afterAll(() => cleanup());
const m = join(dir, 'm.csv');
const out = join(dir, 'out');
const s01 = (f: string) => join(out, 's01', f);
const meta = () => JSON.parse(readFileSync(s01('meta.json'), 'utf8'));
const run = (...a: string[]) => runCli(['extract', m, '-o', out, '--jobs', '1', '--progress', 'none', '--face-workers', '1', ...a]);
let syncBefore: Buffer;
/** The first run's meta.json (with made_by.<stage>.inputs). */
let metaFirst = '';

beforeAll(async () => {
  copyFileSync(join(FIXTURES, 'demo', 's01_lav.flac'), join(dir, 'lav.flac'));
  const encode = (vf: string[], to: string) => ffmpegSync(['-i', join(FIXTURES, 'demo', 's01_camera.mp4'), '-c:a', 'copy', ...vf, '-c:v', 'libx264', '-g', '25', '-threads', '1', join(dir, to)]);
  encode([], 'cam_a.mp4');
  encode(['-vf', "hflip=enable='gte(t,6)'"], 'cam_b.mp4');
  copyFileSync(join(dir, 'cam_a.mp4'), join(dir, 'cam.mp4'));
  writeFileSync(m, 'session_id,speaker_id,video,lav_audio\ns01,p1,cam.mp4,lav.flac\n');
  const first = await run('--only', 'sync,face', '--face-fps', '1');
  expect(first.code, first.stderr).toBe(0);
  syncBefore = readFileSync(s01('sync.json'));
  metaFirst = readFileSync(s01('meta.json'), 'utf8');
}, 180_000);

describe('extract: the files of a stage not run are kept only when its media are the files given now', () => {
  it('records the media each stage read: face the camera, sync every file', () => {
    const { made_by, inputs } = meta();
    const ident = (role: string) => {
      const i = inputs.find((x: { role: string }) => x.role === role);
      return { role, size_bytes: i.size_bytes, sha256: i.sha256 };
    };
    expect(made_by.face.inputs).toEqual([ident('video')]);
    expect(made_by.sync.inputs).toEqual([ident('video'), ident('lav_audio')]);
  });

  it('a meta.json without them (older mmprep): the face files are kept, with a note saying they are unchecked', async () => {
    const old = meta();
    for (const s of Object.keys(old.made_by)) delete old.made_by[s].inputs;
    writeFileSync(s01('meta.json'), JSON.stringify(old, null, 2) + '\n');
    const r = await run('--only', 'sync', '--resume');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/session s01 \(line 2\): note: kept the earlier run's files of face \(video cam\.mp4\): its meta\.json \(an mmprep before 2026-12-06\) does not record which media files they were made from.*run extract with --only face for this session/);
    expect(existsSync(s01('face.jsonl'))).toBe(true);
    expect(meta().made_by.face.inputs).toBeUndefined();
  }, 120_000);

  it('the camera replaced (same sync window, sync.json byte-identical): its face files are removed, saying what to run', async () => {
    // The first run's meta.json again (the run above rewrote sync.json to the same bytes and kept the face files).
    writeFileSync(s01('meta.json'), metaFirst);
    copyFileSync(join(dir, 'cam_b.mp4'), join(dir, 'cam.mp4'));
    const r = await run('--only', 'sync', '--resume');
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(s01('sync.json')).equals(syncBefore)).toBe(true);
    expect(r.stderr).toMatch(/session s01 \(line 2\): warning: removed face\.jsonl, face\.summary\.json \(face files made from media that changed since: video cam\.mp4 is another file now \(sha256 [0-9a-f]{12}… then, [0-9a-f]{12}… now\)\); run extract with --only face for this session/);
    expect(existsSync(s01('face.jsonl'))).toBe(false);
    expect(existsSync(s01('face.summary.json'))).toBe(false);
    const after = meta();
    expect(after.made_by.face).toBeUndefined();
    expect(after.outputs.map((o: { file: string }) => o.file)).toEqual(['sync.json']);
    const cam = after.inputs.find((i: { role: string }) => i.role === 'video');
    expect(after.made_by.sync.inputs).toContainEqual({ role: 'video', size_bytes: cam.size_bytes, sha256: cam.sha256 });
  }, 120_000);
});
