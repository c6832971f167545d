/**
 * Damaged audio data is said, not analysed silently: an AAC stream with random bytes written into it decoded whole
 * (ffmpeg skipping the damaged packets with "Error while decoding stream"), exit 0 and no word before 2026-12-02.
 * The AAC file is made here from fixtures/demo/s01_lav.flac (10 s), then seeded random bytes written around its middle.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../scripts/rng.mjs';
import { FIXTURES, runCli, tempDir, type CliResult } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

let tmp: { dir: string; cleanup: () => void };

async function audio(file: string): Promise<CliResult & { errors: number | undefined }> {
  const sum = join(tmp.dir, 'summary.json');
  const r = await runCli(['audio', file, '-o', join(tmp.dir, 'out.jsonl'), '--summary', sum]);
  const s = r.code === 0 ? (JSON.parse(readFileSync(sum, 'utf8')) as { source: { decode_errors?: number } }) : null;
  return { ...r, errors: s?.source.decode_errors };
}

/** The file with `n` runs of `len` seeded random bytes, `spread` bytes apart around its middle. */
function damagedCopy(from: string, to: string, n: number, spread: number, len: number): void {
  const b = readFileSync(from);
  const u = mulberry32(23);
  const mid = b.length >> 1;
  for (let k = 0; k < n; k++) {
    const at = mid + (k - ((n - 1) >> 1)) * spread;
    for (let i = 0; i < len; i++) b[at + i] = Math.floor(u() * 256);
  }
  writeFileSync(to, b);
}

let damaged: Awaited<ReturnType<typeof audio>>;
let lost: Awaited<ReturnType<typeof audio>>;
let clean: Awaited<ReturnType<typeof audio>>;

beforeAll(async () => {
  tmp = tempDir('mmprep-audio-damage-');
  const m4a = join(tmp.dir, 'clean.m4a');
  ffmpegSync(['-i', join(FIXTURES, 'demo', 's01_lav.flac'), '-c:a', 'aac', '-b:a', '96k', m4a]);
  // One run of 100 bytes: 2-3 errors, a packet or two skipped (within the truncation check's 0.1 s); nine runs of 300
  // bytes 4 kB apart: 26-29 errors and 0.66-0.72 s lost (the AAC encoders of the two ffmpeg builds differ).
  damagedCopy(m4a, join(tmp.dir, 'damaged.m4a'), 1, 0, 100);
  damagedCopy(m4a, join(tmp.dir, 'lost.m4a'), 9, 4000, 300);
  damaged = await audio(join(tmp.dir, 'damaged.m4a'));
  lost = await audio(join(tmp.dir, 'lost.m4a'));
  clean = await audio(m4a);
}, 120_000);
afterAll(() => tmp?.cleanup());

describe('decode errors while decoding audio', () => {
  it('counts them in source.decode_errors and warns on stderr, naming the file and what to do; not refused', () => {
    expect(damaged.code).toBe(0);
    expect(damaged.errors).toBeGreaterThan(0);
    const warn = damaged.stderr.split('\n').filter((l) => /decode error/.test(l));
    expect(warn).toHaveLength(1);
    expect(warn[0]).toMatch(/^mmprep audio: .*damaged\.m4a: warning: ffmpeg reported \d+ decode error\(s\).*re-encode from the original recording, or replace the file/);
  });

  it('refuses a file whose damage lost audio beyond the truncation tolerance, saying damaged, not cut short', () => {
    expect(lost.code).toBe(2);
    expect(lost.stderr.trim()).toMatch(/^mmprep: .*lost\.m4a: damaged: ffmpeg reported \d+ decode error\(s\) and decoded [\d.]+ s of audio of the 10\.000 s the header declares: re-encode from the original recording, or replace the file/);
  });

  it('gives 0 and no warning for the clean file', () => {
    expect(clean.code).toBe(0);
    expect(clean.errors).toBe(0);
    expect(clean.stderr).not.toMatch(/decode error/);
  });
});
