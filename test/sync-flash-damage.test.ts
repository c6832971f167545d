/**
 * Damaged picture data beside a flash: ffmpeg patches up a picture decoded from damaged data (error concealment) and
 * goes on, and every frame predicted from it to the next key frame shows the patch. `mmprep face` and `mmprep audio`
 * counted such decode errors; sync's flash scan did not, so a camera whose flash frames were concealed was placed
 * from them with exit 0 and nothing said (before this test: the demo camera with its key frame at 2.0 s damaged,
 * the flash at 2.11 s in that key frame's group, placed with exit 0). Now such a flash is not used (exit 2, the line
 * names the damaged span), and damage far from the flash is counted (`decode_errors`) and warned about in one line.
 * The damaged copies are made here from fixtures/demo/s01_camera.mp4 (key frames every 2 s): 300 seeded random bytes
 * written 1000 bytes into the key frame's packet at 2.0 s (beside the flash) or 4.0 s (far from it).
 * A damaged frame can itself look like a flash: `make-sync-scenes.mjs --set damage` case d-ci-neg-...-nosound (a
 * soundless 320x180 camera whose LED never lights, two packets at the reference's beep damaged) has such a frame as its
 * only candidate, and before `--pick strongest` placed the picture by it with exit 0; now a damaged candidate is never
 * forced by --pick (nor, when the rule would choose one, another candidate of its window in its place).
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../scripts/rng.mjs';
import { FIXTURES, tempDir, runCliInProcess } from './helpers/cli.js';
import { renderScenes } from './helpers/scenes.js';
import { ffprobeJson } from './helpers/ffmpeg.js';

const CAM = join(FIXTURES, 'demo', 's01_camera.mp4');
let dir: string;
let cleanup: () => void;

/** The demo camera with 300 random bytes written 1000 bytes into the packet of its key frame at `keyS` seconds. */
function damagedCopy(name: string, keyS: number): void {
  const { packets } = ffprobeJson(['-select_streams', 'v:0', '-show_entries', 'packet=pts_time,pos,flags', CAM]) as { packets: Array<{ pts_time: string; pos: string; flags: string }> };
  const key = packets.find((p) => p.flags.startsWith('K') && Math.abs(Number(p.pts_time) - keyS) < 0.01);
  if (!key) throw new Error(`no key frame at ${keyS} s in ${CAM}`);
  const b = readFileSync(CAM);
  const u = mulberry32(1);
  for (let i = 0; i < 300; i++) b[Number(key.pos) + 1000 + i] = Math.floor(u() * 256);
  writeFileSync(join(dir, name), b);
}

const NEG = 'd-ci-neg-life-2997-beep-noled-nosound';

beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-flash-damage-'));
  renderScenes(join(dir, 'scenes'), ['--set', 'damage', '--only', NEG]);
  copyFileSync(join(FIXTURES, 'demo', 's01_lav.flac'), join(dir, 'lav.flac'));
  damagedCopy('near.mp4', 2);
  damagedCopy('far.mp4', 4);
});
afterAll(() => cleanup());

describe('damaged pictures in sync flash scan', () => {
  it('a key frame damaged in the flash frames group: the picture is not placed, the line says why (was exit 0)', async () => {
    const r = await runCliInProcess(['sync', 'lav.flac', 'near.mp4', '-o', 'near.json', '--quiet'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/near\.mp4: video stream 0 cannot be put on the reference clock: .*flash candidate at 2\.1\d\d s .*ffmpeg decoded damaged data there \(its pictures from 2\.000 to 3\.9\d\d s patched up/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
  it('a key frame damaged 2 s after the flash: placed within half a frame, the damage counted and warned about', async () => {
    const r = await runCliInProcess(['sync', 'lav.flac', 'far.mp4', '-o', 'far.json', '--quiet'], { cwd: dir });
    expect(r.code).toBe(0);
    const v = JSON.parse(readFileSync(join(dir, 'far.json'), 'utf8')).streams.find((x: { kind: string }) => x.kind === 'video');
    expect(Math.abs(v.offset_s + 0.62)).toBeLessThan(0.02);
    expect(v.decode_errors.errors).toBeGreaterThan(0);
    expect(v.decode_errors.concealed_frames).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/far\.mp4 video stream 0: decode_errors: ffmpeg reported \d+ decode error\(s\) and patched up \d+ damaged picture\(s\)/);
  });
  it('--pick strongest does not force a flash fitted from damaged frames (was exit 0, placed by it)', async () => {
    const r = await runCliInProcess(['sync', 'lav.flac', 'near.mp4', '-o', 'pick.json', '--quiet', '--pick', 'strongest'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/near\.mp4: video stream 0 cannot be put on the reference clock: .*flash candidate at 2\.1\d\d s .*ffmpeg decoded damaged data there/);
  });
  it('a damaged frame, the only candidate of a soundless camera whose LED never lit: refused, naming the damage, even with --pick (was placed by it, exit 0)', async () => {
    const r = await runCliInProcess(['sync', 'lav.wav', 'cam.mp4', '-o', 'neg.json', '--quiet', '--pick', 'strongest'], { cwd: join(dir, 'scenes', NEG) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cam\.mp4: video stream 0 cannot be put on the reference clock: start-window candidate at 1\.1\d\d s not used: .*; and ffmpeg decoded damaged data there \(its pictures from 1\.\d{3} to 1\.9\d\d s patched up/);
  });
});
