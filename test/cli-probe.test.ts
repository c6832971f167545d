/**
 * `mmprep probe` over many files (`probe *.mp4`): every bad file is named on its own line, then one summary line,
 * exit 2, nothing on stdout. It used to stop at the first bad file, so a folder with three bad files took three runs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withDisplaySize } from '../src/cli/probe.js';
import type { StreamInfo } from '../src/media/probe.js';
import { FIXTURES, runCli, runCliInProcess } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

describe('probe with several bad files', () => {
  it('names each bad file, then a count; stdout stays empty', async () => {
    const good = join(FIXTURES, 'demo', 's01_lav.flac');
    const text = join(FIXTURES, 'demo', 'manifest.csv');
    const typo = join(FIXTURES, 'demo', 's01_lav.flc');
    const r = await runCli(['probe', good, text, typo, join(FIXTURES, 'demo')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(new RegExp(`^mmprep: ${text}: not a media file ffmpeg can read`));
    expect(lines[1]).toBe(`mmprep: ${typo}: no such file: check the path`);
    expect(lines[2]).toBe(`mmprep: ${join(FIXTURES, 'demo')}: is a directory, not a media file: pass the file itself`);
    expect(lines[3]).toBe('mmprep: 3 of 4 files could not be probed (each named above); nothing was printed');
  });

  it('one bad file keeps its single line; good files print one object each', async () => {
    const typo = join(FIXTURES, 'demo', 's01_lav.flc');
    const one = await runCliInProcess(['probe', join(FIXTURES, 'demo', 's01_lav.flac'), typo]);
    expect(one.code).toBe(2);
    expect(one.stderr).toBe(`mmprep: ${typo}: no such file: check the path\n`);
    const ok = await runCliInProcess(['probe', join(FIXTURES, 'demo', 's01_lav.flac'), join(FIXTURES, 'demo', 's01_camera.mp4')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim().split('\n').map((l) => JSON.parse(l).file)).toEqual([join(FIXTURES, 'demo', 's01_lav.flac'), join(FIXTURES, 'demo', 's01_camera.mp4')]);
  });

  it('a rotated video: the stored size and the displayed one (the size mmprep face analyses)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmprep-probe-rot-'));
    try {
      const rot = join(dir, 'rot.mp4');
      ffmpegSync(['-i', join(FIXTURES, 'demo', 's01_camera.mp4'), '-t', '0.5', '-c', 'copy', '-metadata:s:v', 'rotate=90', rot]);
      const r = await runCliInProcess(['probe', rot]);
      expect(r.code, r.stderr).toBe(0);
      const [v, a] = JSON.parse(r.stdout).streams;
      expect(v.rotation_deg).toBe(90);
      expect([v.display_width_px, v.display_height_px]).toEqual([v.height_px, v.width_px]);
      expect(v.width_px).toBeGreaterThan(v.height_px);
      expect(a.type).toBe('audio');
      expect(a).not.toHaveProperty('display_width_px');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('non-square pixels: the displayed width is the stored one stretched by the sample aspect ratio, as face analyses it (ttrial55)', () => {
    const v = (w: number, h: number, sar: number | null, rot = 0): StreamInfo => ({ index: 0, type: 'video', codec: 'h264', sample_rate_hz: null, channels: null, width_px: w, height_px: h, fps_avg: 10, fps_real: 10, start_time_s: 0, duration_s: 1, rotation_deg: rot, sample_aspect_ratio: sar, n_frames: 10 });
    const shown = (s: StreamInfo) => { const d = withDisplaySize(s) as { display_width_px: number; display_height_px: number }; return [d.display_width_px, d.display_height_px]; };
    expect(shown(v(320, 320, 2))).toEqual([640, 320]); // was [320, 320]; mmprep face analysed 640x320
    expect(shown(v(1440, 1080, 4 / 3))).toEqual([1920, 1080]); // HDV
    expect(shown(v(321, 241, 0.7507788))).toEqual([241, 241]); // a scale filter's export that keeps the picture's shape
    expect(shown(v(1440, 1080, 4 / 3, 90))).toEqual([1080, 1920]);
    expect(shown(v(640, 662, 16819 / 16839))).toEqual([640, 662]); // within SQUARE_SAR_TOLERANCE: taken as square, as face does
    expect(shown(v(320, 240, null))).toEqual([320, 240]);
  });

  it('a text file named .flac is not media (ffprobe takes it for raw FLAC by its name: a new user\'s trial got exit 0)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmprep-cli-probe-'));
    try {
      const page = join(dir, 's01_lav.flac');
      writeFileSync(page, '<html><body>404 Not Found</body></html>\n');
      const r = await runCliInProcess(['probe', page]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^mmprep: ${page}: not a media file ffmpeg can read \\(ffprobe took it for .*FLAC.* by its name and found no sound or picture in it\\): check that it is a complete audio or video file`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
