/**
 * Damaged video data is said, not analysed silently (a colleague's trial, 2026-12-02: random bytes written into an
 * H.264 MP4 gave ffmpeg decode errors, nearly every frame decoded, exit 0 and nothing in the output said so).
 * The damaged copy is made here from fixtures/face/orientation.mp4: 3 x 300 seeded random bytes in its middle.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../scripts/rng.mjs';
import { FIXTURES, runFaceInProcess, tempDir, type CliResult } from './helpers/cli.js';

const MP4 = join(FIXTURES, 'face', 'orientation.mp4');
let tmp: { dir: string; cleanup: () => void };

/** The fixture with 300 random bytes written at each of three places around its middle (40 kB apart). */
function damagedCopy(out: string): void {
  const b = readFileSync(MP4);
  const u = mulberry32(23);
  const mid = b.length >> 1;
  for (const at of [mid - 40_000, mid, mid + 40_000]) for (let i = 0; i < 300; i++) b[at + i] = Math.floor(u() * 256);
  writeFileSync(out, b);
}

interface Run extends CliResult {
  summary: { frames_analysed: number; decode_errors: { errors: number; concealed_frames: number } };
  records: string;
}

async function face(video: string, name: string): Promise<Run> {
  const out = join(tmp.dir, `${name}.jsonl`);
  const sum = join(tmp.dir, `${name}.summary.json`);
  const r = await runFaceInProcess(['face', video, '-o', out, '--summary', sum]);
  if (r.code !== 0) return { ...r, summary: null as never, records: '' };
  return { ...r, summary: JSON.parse(readFileSync(sum, 'utf8')) as Run['summary'], records: readFileSync(out, 'utf8') };
}

let damaged: Run;
let clean: Run;

beforeAll(async () => {
  tmp = tempDir('mmprep-face-damage-');
  damagedCopy(join(tmp.dir, 'damaged.mp4'));
  damaged = await face(join(tmp.dir, 'damaged.mp4'), 'damaged');
  clean = await face(MP4, 'clean');
}, 240_000);
afterAll(() => tmp?.cleanup());

describe('decode errors while decoding video for face', () => {
  it('counts them in the summary and warns on stderr, naming the file and what to do; not refused', () => {
    expect(damaged.code).toBe(0);
    expect(damaged.summary.frames_analysed).toBe(28); // every frame decodes: the frame-count check does not see it
    expect(damaged.summary.decode_errors.errors).toBeGreaterThan(0);
    expect(damaged.summary.decode_errors.concealed_frames).toBeGreaterThan(0);
    const warn = damaged.stderr.split('\n').filter((l) => /decode error/.test(l));
    expect(warn).toHaveLength(1);
    expect(warn[0]).toMatch(/^mmprep face: .*damaged\.mp4: warning: ffmpeg reported \d+ decode error\(s\) and patched up \d+ damaged picture\(s\).*re-encode from the original recording, or replace the file/);
  });

  it('gives 0 and no warning for the clean file', () => {
    expect(clean.code).toBe(0);
    expect(clean.summary.decode_errors).toEqual({ errors: 0, concealed_frames: 0 });
    expect(clean.stderr).toBe('');
  });

  it('gives the same count on another run (one decoding thread: no message lost inside a showinfo line)', async () => {
    const again = await face(join(tmp.dir, 'damaged.mp4'), 'again');
    expect(again.summary.decode_errors).toEqual(damaged.summary.decode_errors);
    expect(again.records).toBe(damaged.records);
  });
});
