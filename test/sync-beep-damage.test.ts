/**
 * Damaged packets in a camera's sound, in sync's beep scan (src/sync/tone/tone-damage.ts). ffmpeg skips an AAC packet it
 * cannot decode and goes on; `mmprep audio` counts its decode errors, sync's beep scan did not: damage after the beep
 * gave exit 0 and no word (only a `truncated` window), damage inside the beep placed the camera from it with no word,
 * and damage before it was refused as "dropped sound, or recordings joined". Now the errors are counted per sound
 * stream (`decode_errors` in sync.json, a warning naming the file and the count), a beep with damage from 0.5 s
 * before its onset to its end is not used (the line names where), and a timestamp jump at a damage report is called
 * damaged packets.
 * The damaged copies are made here from fixtures/demo/s01_camera.mp4 (AAC, 48 kHz, its beep at 2.12 s, 0.2 s long):
 * 40 seeded random bytes written 8 bytes into each AAC packet of a time span.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../scripts/rng.mjs';
import { FIXTURES, tempDir, runCliInProcess } from './helpers/cli.js';
import { ffprobeJson } from './helpers/ffmpeg.js';

const CAM = join(FIXTURES, 'demo', 's01_camera.mp4');
const tmp = tempDir('mmprep-beep-damage-');
afterAll(() => tmp.cleanup());

/** The demo camera with 40 random bytes written into each of its AAC packets from `fromS` to `toS` seconds. */
function damagedCopy(name: string, fromS: number, toS: number): void {
  const { packets } = ffprobeJson(['-select_streams', 'a:0', '-show_entries', 'packet=pts_time,pos,size', CAM]) as { packets: Array<{ pts_time: string; pos: string; size: string }> };
  const b = readFileSync(CAM);
  const u = mulberry32(5);
  const hit = packets.filter((p) => Number(p.pts_time) >= fromS && Number(p.pts_time) <= toS);
  if (hit.length === 0) throw new Error(`no AAC packet from ${fromS} to ${toS} s in ${CAM}`);
  for (const p of hit) for (let i = 0; i < Math.min(40, Number(p.size) - 8); i++) b[Number(p.pos) + 8 + i] = Math.floor(u() * 256);
  writeFileSync(join(tmp.dir, name), b);
}

interface SyncStream {
  kind: string;
  file: string;
  offset_s: number;
  decode_errors?: { errors: number };
  warnings: Array<{ code: string }>;
}

beforeAll(() => {
  copyFileSync(join(FIXTURES, 'demo', 's01_lav.flac'), join(tmp.dir, 'lav.flac'));
  damagedCopy('inside.mp4', 2.16, 2.25); // in the beep, after its onset: no hole before it
  damagedCopy('before.mp4', 2.05, 2.1); // just before the onset: a hole the onset is counted across
  damagedCopy('after.mp4', 5.0, 5.2); // 3 s after the beep, in the same search window
});

describe('damaged packets in a camera\'s sound, in sync', () => {
  it('damage inside the beep: the beep is not used and the line names where (was placed from it, exit 0, no word)', async () => {
    const r = await runCliInProcess(['sync', 'lav.flac', 'inside.mp4', '-o', 'inside.json', '--quiet'], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    // One line per refused stream (since session 50): the sound's, then its picture's, which lost its beep's guide.
    expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(2);
    expect(r.stderr.trim().split('\n')[1]).toMatch(/^mmprep: inside\.mp4: video stream 0 cannot be put on the reference clock: /);
    expect(r.stderr).toMatch(/^mmprep: inside\.mp4: audio stream 0 cannot be put on the reference clock: start-window candidate at 2\.1\d\d s not used: ffmpeg decoded damaged data at 2\.[12]\d\d s \(\d+ decode error\(s\) in this window: packets skipped or patched, decode_errors\), among the samples its onset is read from/);
  });

  it('damage just before the onset: the hole is called damaged packets, not dropped sound', async () => {
    const r = await runCliInProcess(['sync', 'lav.flac', 'before.mp4', '-o', 'before.json', '--quiet'], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mmprep: before\.mp4: audio stream 0 cannot be put on the reference clock: .*timestamps jump by \d+ ms at 2\.\d\d\d s, before it \(damaged packets ffmpeg skipped: decode_errors\)/);
    expect(r.stderr).not.toMatch(/dropped sound, or recordings joined/);
  });

  it('damage 3 s after the beep: placed as the clean file is, the errors counted in sync.json and warned about', async () => {
    const r = await runCliInProcess(['sync', 'lav.flac', 'after.mp4', '-o', 'after.json', '--quiet'], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    const streams = (JSON.parse(readFileSync(join(tmp.dir, 'after.json'), 'utf8')) as { streams: SyncStream[] }).streams;
    const cam = streams.find((s) => s.kind === 'audio' && s.file.endsWith('after.mp4'))!;
    expect(Math.abs(cam.offset_s + 0.62)).toBeLessThan(0.001);
    expect(cam.decode_errors?.errors).toBeGreaterThan(0);
    expect(cam.warnings.map((w) => w.code)).toContain('decode_errors');
    expect(streams.find((s) => s.kind === 'audio' && s.file.endsWith('lav.flac'))!.decode_errors).toEqual({ errors: 0 });
    const lines = r.stderr.split('\n').filter((l) => /decode_errors/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^mmprep sync: warning: after\\.mp4 audio stream 0: decode_errors: ffmpeg reported ${cam.decode_errors?.errors} decode error\\(s\\) in the searched sound \\(decode_errors\\): .*re-encode from the original recording, or replace the file with an undamaged copy$`));
  });
});
