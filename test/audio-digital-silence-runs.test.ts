/**
 * A microphone that dies mid-session (a new user's trial, 2026-12-06: the demo lav zeroed from 6.0 s, a battery or a
 * cable) gave records of silence, voiced_ratio 0 there, with exit 0 and no word anywhere. Now the summary's
 * `digital_silence` gives the stretch and a warning says it. Controls: the lav as recorded, and a 0.5 s zero gap
 * (under the 1 s reported), have neither.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegOutputs } from './helpers/ffmpeg.js';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { digitalSilenceRuns } from '../src/audio/silent-stream.js';

const LAV = join(FIXTURES, 'demo', 's01_lav.flac');
const { dir, cleanup } = tempDir('mmprep-zero-runs-');
afterAll(() => cleanup());

beforeAll(() => {
  copyFileSync(LAV, join(dir, 'lav.flac'));
  ffmpegOutputs([
    ['-i', LAV, '-af', "volume=volume=0:enable='gte(t,6)'", '-c:a', 'flac', join(dir, 'dead.flac')],
    ['-i', LAV, '-af', "volume=volume=0:enable='between(t,4,4.5)'", '-c:a', 'flac', join(dir, 'gap.flac')],
  ]);
}, 60_000);

async function run(name: string): Promise<{ stderr: string; summary: { digital_silence?: { n_runs: number; total_s: number; longest_start_s: number; longest_end_s: number } } }> {
  const r = await runCli(['audio', name, '-o', `${name}.jsonl`, '--summary', `${name}.summary.json`], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  return { stderr: r.stderr, summary: JSON.parse(readFileSync(join(dir, `${name}.summary.json`), 'utf8')) };
}

describe('digital silence inside a recording', () => {
  it('a lav zeroed from 6.0 s: the stretch in the summary and a warning (was no word)', async () => {
    const { stderr, summary } = await run('dead.flac');
    const d = summary.digital_silence;
    expect(d?.n_runs).toBe(1);
    // at 16 kHz the resampler's ringing carries the last sound ~50 ms past 6.0 s
    expect(d?.longest_start_s).toBeGreaterThanOrEqual(6.0);
    expect(d?.longest_start_s).toBeLessThan(6.1);
    expect(d?.longest_end_s).toBeCloseTo(10.0, 2);
    expect(stderr).toMatch(/^mmprep audio: dead\.flac: warning: digital silence \(every sample 0\) inside the recording \(6\.0\d-10\.00 s, 3\.9 s\): a microphone or recorder that stopped/m);
  });

  it('controls: the lav as recorded, and a 0.5 s zero gap, have no stretch and no warning', async () => {
    for (const name of ['lav.flac', 'gap.flac']) {
      const { stderr, summary } = await run(name);
      expect(summary.digital_silence).toBeUndefined();
      expect(stderr).not.toMatch(/digital silence/);
    }
  });

  it('the kernel: runs of 1 s or more counted, the longest timed with half a window either side, bounded by the file', () => {
    const rms = new Float32Array(500).fill(0.1);
    rms.fill(0, 100, 150); // 0.5 s: too short
    rms.fill(0, 200, 320); // 1.2 s
    rms.fill(0, 400, 500); // 1.0 s to the end
    const d = digitalSilenceRuns(rms, 500, { hopS: 0.01, halfWindowS: 0.032, durationS: 5.0 }, (t) => t + 100);
    expect(d?.n_runs).toBe(2);
    expect(d?.total_s).toBeCloseTo(2.2, 9);
    expect(d?.longest_start_s).toBeCloseTo(100 + 2.0 - 0.032, 9);
    expect(d?.longest_end_s).toBeCloseTo(100 + 3.19 + 0.032, 9);
    expect(digitalSilenceRuns(rms.subarray(0, 190), 190, { hopS: 0.01, halfWindowS: 0.032, durationS: 1.9 }, (t) => t)).toBeNull();
  });
});
