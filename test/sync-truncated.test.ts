/**
 * A file cut short (its header still declares the full length) is searched only where it has data: `mmprep sync`
 * says so in a `truncated` warning on stderr and in sync.json, naming the window and how much of it decoded, instead of
 * "searched its first 5.0 s" alone (a new user's trial: demo s01 cut to 100 kB and 60 kB exited 0 without a word).
 * The pulses it did find still place the streams (same offsets as the whole files). Control: the whole files have no
 * such warning. The window check itself (windows.ts truncatedWindow) is tested on its own, including a camera's sound
 * that ends before its picture (not a truncation).
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { truncatedWindow, truncatedWarning } from '../src/sync/windows.js';
import { FIXTURES, tempDir, runCliInProcess } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-sync-trunc-'));
  copyFileSync(join(FIXTURES, 'demo', 's01_lav.flac'), join(dir, 'lav.flac'));
  copyFileSync(join(FIXTURES, 'demo', 's01_camera.mp4'), join(dir, 'cam.mp4'));
  // The demo's files are 10 s; these keep their headers and about the first 4.7-4.9 s (the beep is at 1.5 s).
  writeFileSync(join(dir, 'lav_cut.flac'), readFileSync(join(dir, 'lav.flac')).subarray(0, 100_000));
  writeFileSync(join(dir, 'cam_cut.mp4'), readFileSync(join(dir, 'cam.mp4')).subarray(0, 60_000));
  // A phone's variable frame rate: every third frame of the first 6 s dropped, the others at their own times.
  ffmpegSync(['-i', join(dir, 'cam.mp4'), '-vf', "select='not(eq(mod(n,3),1))*lt(t,6)+gte(t,6)'", '-vsync', 'vfr', '-c:v', 'libx264', '-crf', '18', '-c:a', 'copy', join(dir, 'cam_vfr.mp4')]);
});
afterAll(() => cleanup());

type Entry = { file: string; kind: string; offset_s: number | null; warnings: Array<{ code: string; message: string }> };
const streams = (f: string): Entry[] => JSON.parse(readFileSync(f, 'utf8')).streams;

describe('sync of truncated files', () => {
  it('--ends both: every stream warns `truncated` (stderr and sync.json) and is placed as the whole files are', async () => {
    const whole = await runCliInProcess(['sync', 'lav.flac', 'cam.mp4', '--ends', 'both', '-o', 'whole.json'], { cwd: dir });
    expect(whole.code).toBe(0);
    expect(whole.stderr).not.toContain('truncated');
    const cut = await runCliInProcess(['sync', 'lav_cut.flac', 'cam_cut.mp4', '--ends', 'both', '-o', 'cut.json'], { cwd: dir });
    expect(cut.code).toBe(0);
    // The lav cut at 100 kB holds 4.9 s of its 5 s start window: within the tolerance (one packet + 0.15 s), its start window is not named.
    for (const s of ['lav_cut.flac audio', 'cam_cut.mp4 audio', 'cam_cut.mp4 video']) {
      const start = s.startsWith('lav') ? '(?:only \\d\\.\\d s of its start search window \\(0\\.0-5\\.0 s\\) and )?' : 'only \\d\\.\\d s of its start search window \\(0\\.0-5\\.0 s\\) and ';
      expect(cut.stderr).toMatch(new RegExp(`${s} stream 0: truncated: decoded ${start}only 0\\.0 s of its end search window \\(5\\.0-10\\.0 s\\): the file holds less than its header declares`));
    }
    const a = streams(join(dir, 'whole.json'));
    const b = streams(join(dir, 'cut.json'));
    for (const [i, e] of b.entries()) {
      expect(e.warnings.filter((w) => w.code === 'truncated')).toHaveLength(1);
      expect(Math.abs((e.offset_s ?? NaN) - (a[i].offset_s ?? NaN))).toBeLessThan(1e-3);
    }
  });
  it('the window check: short by more than the tolerance of every truncation check (one frame + 0.15 s); a stream ending early is not cut', () => {
    const start = { name: 'start' as const, start_s: 0, duration_s: 60 };
    const end = { name: 'end' as const, start_s: 540, duration_s: null };
    expect(truncatedWindow(start, 59.86, 600)).toBeNull(); // within 0.15 s
    expect(truncatedWindow(start, 59.5, 600)).toBe('only 59.5 s of its start search window (0.0-60.0 s)'); // was within 1 % of 60 s
    expect(truncatedWindow(start, 30, 600)).toBe('only 30.0 s of its start search window (0.0-60.0 s)');
    expect(truncatedWindow(end, 59.95, 600)).toBeNull();
    expect(truncatedWindow(end, 10, 599.8)).toBe('only 10.0 s of its end search window (540.0-599.8 s)');
    expect(truncatedWindow(end, 59.6, 599.6)).toBeNull(); // the sound ends 0.4 s before the container: its own end counts
    expect(truncatedWindow(end, 0, null)).toBeNull(); // length not stated exactly (raw MP3/ADTS): no check
    // A picture: one frame more allowed (0.18 s short of a 5 s window: over 0.15 s, within 0.15 s + 1/25 s).
    const short = { name: 'start' as const, start_s: 0, duration_s: 5 };
    expect(truncatedWindow(short, 4.82, 600)).toBe('only 4.8 s of its start search window (0.0-5.0 s)');
    expect(truncatedWindow(short, 4.82, 600, 1 / 25)).toBeNull();
    expect(truncatedWarning([null, null])).toBeNull();
    expect(truncatedWarning(['only 1.0 s of its end search window (540.0-600.0 s)', null])?.code).toBe('truncated');
  });

  it('a variable-frame-rate picture (a third of its frames dropped, the rest at their times) is whole: no `truncated` (it said 4.2 s of 5 s decoded)', async () => {
    const r = await runCliInProcess(['sync', 'lav.flac', 'cam_vfr.mp4', '-o', 'vfr.json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('truncated');
    const video = streams(join(dir, 'vfr.json')).find((e) => e.kind === 'video') as Entry;
    expect(video.warnings.map((w) => w.code)).not.toContain('truncated');
    expect(Math.abs((video.offset_s ?? NaN) + 0.62)).toBeLessThan(0.02);
  });
});
