/**
 * A recorder that dropped part of its sound (a gap in its audio timestamps before the beep): the sync scan counts a
 * window's decoded samples from its start, so the beep after the gap was timed early by the gap and placed with
 * exit 0 (a 0.5 s gap: the offset 512 ms off, sd 0.33 ms, only a `truncated` warning; measured 2026-12-02). Such a
 * beep is now not placeable, naming the jump; a beep before the gap is still placed. The gap is made from the
 * demo's lav (beep at 1.5 s) by dropping 0.5-0.8 s of it, timestamps kept (PCM in Matroska). A gap after the beep
 * leaves the offset right on the file's timestamps, but a count of its samples runs 0.3 s early after it: since
 * 2026-12-02 a `timestamp_gap` warning says so on stderr (the whole file's packet times are read: clock-jumps.ts).
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, tempDir, runCliInProcess } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-audio-gap-'));
  copyFileSync(join(FIXTURES, 'demo', 's01_lav.flac'), join(dir, 'lav.flac'));
  ffmpegSync(['-i', join(dir, 'lav.flac'), '-af', "aselect='not(between(t,0.5,0.8))'", '-c:a', 'pcm_s16le', join(dir, 'gap-before.mkv')]);
  ffmpegSync(['-i', join(dir, 'lav.flac'), '-af', "aselect='not(between(t,3,3.3))'", '-c:a', 'pcm_s16le', join(dir, 'gap-after.mkv')]);
});
afterAll(() => cleanup());

describe('a gap in a recorder\'s audio timestamps', () => {
  it('before its beep: the beep is not used, and the line names the jump (was placed ~0.3 s off, exit 0)', async () => {
    const r = await runCliInProcess(['sync', 'lav.flac', 'gap-before.mkv', '-o', 'a.json', '--quiet'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/gap-before\.mkv: audio stream 0 cannot be put on the reference clock: .*its stream's timestamps jump by \d+ ms at 0\.\d+ s, before it/);
  });
  it('after its beep: placed at the truth (0: the same recording), with a warning that its samples miss the gap (was silent)', async () => {
    const r = await runCliInProcess(['sync', 'lav.flac', 'gap-after.mkv', '-o', '-', '--quiet'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/gap-after\.mkv audio stream 0: timestamp_gap: its timestamps jump ahead by 2[89]\d ms at 3\.0\d\d s, 3\.0 s into the file: .*runs early after it by the jump; fill the gap with silence before extracting: ffmpeg -i gap-after\.mkv -vn -af aresample=async=1 gap-after-filled\.wav$/m);
    const e = JSON.parse(r.stdout).streams.find((x: { file: string }) => x.file === 'gap-after.mkv');
    expect(Math.abs(e.offset_s)).toBeLessThan(1e-3);
  });
});
