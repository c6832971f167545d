/**
 * `extract --only audio --ref-role video` over a session folder whose sync.json was made with the lav as reference:
 * the audio stage put its times on that sync.json's clock (the lav's) while meta.json said the reference was video, so
 * the features were 0.62 s off the clock they claimed (demo s01: camera 0.62 s behind) and dataset build read them as
 * video time, exit 0. Now the session fails with a line saying to include the sync stage; with it, the times are the
 * video clock's. On the demo's s01 (10 s); the first run (sync and audio on the lav's clock) is the one
 * test/helpers/extract-cache.ts makes once for this file, extract-clock and extract-provenance.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { extractCached } from './helpers/extract-cache.js';

const { dir, cleanup } = tempDir('mmprep-extract-kept-sync-ref-');
afterAll(() => cleanup());
let m = '';
const out = join(dir, 'out');
const run = (...a: string[]) => runCli(['extract', m, '-o', out, '--jobs', '1', '--progress', 'none', ...a]);
const firstTime = () => {
  const { t_s, t_src_s } = JSON.parse(readFileSync(join(out, 's01', 'audio.jsonl'), 'utf8').split('\n')[0]) as { t_s: number; t_src_s: number };
  return { t_s, t_src_s };
};

beforeAll(async () => {
  for (const f of ['s01_camera.mp4', 's01_lav.flac']) copyFileSync(join(FIXTURES, 'demo', f), join(dir, f));
  m = join(dir, 'm.csv');
  writeFileSync(m, 'session_id,speaker_id,video,lav_audio\ns01,p1,s01_camera.mp4,s01_lav.flac\n');
  const first = await extractCached(m, out, ['--only', 'sync,audio', '--progress', 'none']);
  expect(first.code, first.stderr).toBe(0);
  expect(firstTime()).toEqual({ t_s: 0, t_src_s: 0 }); // the lav is the reference
});

describe('extract without the sync stage keeps sync.json only when its reference is the session reference role', () => {
  it('--only audio --ref-role video fails the session with what to do; with the sync stage the times are on the video clock', async () => {
    const r = await run('--only', 'audio', '--ref-role', 'video');
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout)).toMatchObject({ done: 0, failed: 1 });
    expect(r.stderr).toContain(
      `mmprep extract: session s01 (line 2) failed in sync: sync.json in the session folder has ../../s01_lav.flac as its reference clock, not s01_camera.mp4 of the reference role video: features made with it would be on that other clock; include the sync stage (--only sync,...) to make the clock for video; its folder keeps the earlier run's output as it was (meta.json and files)\n`,
    );
    const ok = await run('--only', 'sync,audio', '--ref-role', 'video');
    expect(ok.code, ok.stderr).toBe(0);
    const t = firstTime();
    expect(t.t_src_s).toBe(0);
    expect(Math.abs(t.t_s - 0.62)).toBeLessThan(0.01); // truth.json: t_lav = t_camera - 0.62, so the lav's start is 0.62 s on the camera's clock
    // The same reference again: the kept sync.json is used, as before.
    const again = await run('--only', 'audio', '--ref-role', 'video');
    expect(again.code, again.stderr).toBe(0);
    expect(Math.abs(firstTime().t_s - 0.62)).toBeLessThan(0.01);
  });
});
