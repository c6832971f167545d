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
import { decodeAudioToArray } from '../src/media/decode-audio.js';
import { probe } from '../src/media/probe.js';

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

describe('Opus in Matroska: a window after the start is timed by sample count', () => {
  // ttrial58s: an input seek cut at the packets' millisecond stamps (0.0135 + 0.02k s written 0.014 + 0.02k), so a
  // window's first sample lay 1 ms before the time sync gave it: an OBS MKV's end beep read 1.0 ms late (-38 ppm
  // between the beeps of one clock, offset 0.77 ms off at sd 0.32). The window must be the whole decode's samples
  // from start + start_time, counted from the first decoded sample.
  it('a 2 s window from 4 s is the whole decode at sample (4 + start_time - first_sample) x 48000', async () => {
    const file = join(dir, 'cam.mkv');
    const probed = await probe(file);
    const whole = await decodeAudioToArray(file, { sampleRate: 48000, probed });
    const win = await decodeAudioToArray(file, { sampleRate: 48000, probed, start: 4, duration: 2 });
    const first = Math.round((4 + (probed.start_time_s ?? 0) - (whole.info.firstSampleS ?? 0)) * 48000);
    expect(win.samples.length).toBe(96000);
    let worst = 0;
    for (let i = 0; i < win.samples.length; i++) worst = Math.max(worst, Math.abs(win.samples[i] - whole.samples[first + i]));
    expect(worst).toBeLessThan(1e-6);
  });
});

