/**
 * The first decoded sample of Opus in Matroska/WebM (a browser's MediaRecorder file, a remux to MKV) is not at the
 * stream's start_time: its first packet is stamped -0.007 s (the codec delay) and the decoder starts at 0.000.
 * `sync` counted the start window's samples from -0.007 s: the camera sound of the demo remuxed with Opus was placed
 * 6.5 ms off (sd 1.5 ms, exit 0) with `--ends start`, and `--ends both` (its end window seeked, so timed right) fitted
 * -268 ppm of drift between a wrong start and a right end beep (measured on a 36 s camera file, 2026-12-02).
 * Truth: the demo camera's -0.620 s (fixtures/demo/truth.json), whatever the container.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, tempDir, runCliInProcess } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-first-sample-'));
  copyFileSync(join(FIXTURES, 'demo', 's01_lav.flac'), join(dir, 'lav.flac'));
  ffmpegSync(['-i', join(FIXTURES, 'demo', 's01_camera.mp4'), '-c:v', 'copy', '-c:a', 'libopus', '-b:a', '96k', join(dir, 'cam.mkv')]);
});
afterAll(() => cleanup());

type Entry = { file: string; kind: string; offset_s: number; first_sample_s?: number };

describe('Opus in Matroska: times from the first decoded sample', () => {
  it('sync --ends start places the camera sound at the demo truth (-0.620 s), not 6.5 ms early', async () => {
    const r = await runCliInProcess(['sync', 'lav.flac', 'cam.mkv', '-o', 's.json', '--quiet'], { cwd: dir });
    expect(r.code).toBe(0);
    const a = (JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')).streams as Entry[]).find((x) => x.file === 'cam.mkv' && x.kind === 'audio');
    expect(a?.first_sample_s).toBeCloseTo(0, 3);
    expect(Math.abs((a?.offset_s ?? NaN) + 0.62)).toBeLessThan(1.5e-3);
  });
});
