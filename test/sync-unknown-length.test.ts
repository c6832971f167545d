/**
 * A file whose container states no length (FLAC in Matroska written to a pipe: ffprobe's format duration is N/A) is
 * searched whole as one window, its pulses split into start and end by its middle (issue 11). Before 2026-12-02 that
 * middle was taken as infinite, so both of its beeps counted as start pulses: a session with beeps at both ends
 * stopped as ambiguous (exit 3, "2 tone bursts of similar strength ... in the start window") under --ends start and
 * --ends both alike. Now the middle is the decoded length's: placed, with the drift under --ends both, and under
 * --ends start a null drift that says why. 20 s, 16 kHz, beeps at 1.0/19.0 s (reference WAV) and 0.5/18.5 s.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegBinaries } from '../src/media/ffmpeg-path.js';
import { runCliInProcess, tempDir } from './helpers/cli.js';
import { addBeeps, rng, writeWavF32 } from './sync-media.js';

const tmp = tempDir('mmprep-sync-unknown-length-');
afterAll(() => tmp.cleanup());
const SR = 16000;
const [lav, mic, piped] = ['lav.wav', 'mic.wav', 'mic-piped.mka'].map((n) => join(tmp.dir, n));

function wav(path: string, seed: number, beeps: number[]): void {
  const r = rng(seed);
  const x = Float32Array.from({ length: 20 * SR }, () => 0.01 * r.g());
  addBeeps(x, SR, beeps.map((t) => ({ t_s: t, dur_s: 0.2, amp: 0.3 })));
  writeWavF32(path, x, SR);
}

beforeAll(() => {
  wav(lav, 1, [1.0, 19.0]);
  wav(mic, 2, [0.5, 18.5]);
  // To a pipe, the muxer cannot go back to write the segment's Duration.
  const r = spawnSync(ffmpegBinaries().ffmpeg.path, ['-nostdin', '-v', 'error', '-i', mic, '-c:a', 'flac', '-f', 'matroska', 'pipe:1'], { maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  writeFileSync(piped, r.stdout);
  const p = spawnSync(ffmpegBinaries().ffprobe.path, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', piped]);
  expect(p.stdout.toString().trim()).toBe('N/A');
}, 60_000);

async function sync(ends: 'start' | 'both') {
  const out = join(tmp.dir, `sync-${ends}.json`);
  const r = await runCliInProcess(['sync', lav, piped, '--ends', ends, '--quiet', '-o', out]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8')).streams[1];
}

describe('a file of unknown length with beeps at both ends', () => {
  it('--ends both: its second-half beep is its end pulse, and the drift is measured (was exit 3, ambiguous)', async () => {
    const m = await sync('both');
    expect(m.warnings.map((w: { code: string }) => w.code)).toContain('unknown_length');
    expect(Math.abs(m.offset_s - 0.5)).toBeLessThan(0.001);
    expect(m.pulses).toEqual({ start_s: expect.closeTo(0.5, 2), end_s: expect.closeTo(18.5, 2), used: ['start', 'end'] });
    expect(Math.abs(m.drift_ppm)).toBeLessThan(100);
    expect(m.drift_null_reason).toBeUndefined();
  }, 60_000);

  it('--ends start: placed by its start beep; the drift is null and says why (was exit 3, ambiguous)', async () => {
    const m = await sync('start');
    expect(Math.abs(m.offset_s - 0.5)).toBeLessThan(0.001);
    expect(m.drift_ppm).toBeNull();
    expect(m.drift_null_reason).toMatch(/^--ends start: the stream is placed at one time, so no drift is measured/);
    expect(m.pulses.used).toEqual(['start']);
  }, 60_000);
});
