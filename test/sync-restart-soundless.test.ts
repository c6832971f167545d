/**
 * A soundless camera restarted mid-session whose file holds only the later recording: it saw the flash of the
 * beep made after the restart, and its flash is paired with the reference's first beep (the later one lies past the
 * reference's start window). Nothing can tell from the start window alone: no sound of its own to cross-correlate,
 * one pulse. Before 2026-12-02 it was placed 10.5 s off (confidence 0.989) with no word, exit 0; it is still placed so,
 * now with a `pairing_unchecked` warning on stderr (since 2026-12-03 also saying that one flash judged by itself placed
 * it, and by what margin), and `--ends both` (a pulse at each end) refuses it.
 * Session: a 24 s lav (16 kHz) with beeps at 1.5, 12 and 22 s; the camera (a still wall, a 20 px LED lit 0.2 s with
 * each beep, 25 fps) restarted at 10.5 s.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, runCliInProcess } from './helpers/cli.js';
import { addBeeps, ffmpeg, rng, talker, writeWavF32 } from './sync-media.js';

const SR = 16000;
const BEEPS = [1.5, 12, 22];
const RESTART = 10.5;
let dir: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-restart-soundless-'));
  const r = rng(3);
  const lav = talker(4, 24 * SR).map((v) => 0.3 * v + 0.003 * r.g());
  addBeeps(lav, SR, BEEPS.map((t) => ({ t_s: t, dur_s: 0.2, amp: 0.5 })));
  writeWavF32(join(dir, 'lav.wav'), lav, SR);
  const lit = BEEPS.filter((t) => t > RESTART).map((t) => `between(t,${t - RESTART},${t - RESTART + 0.2})`).join('+');
  const wall = `color=c=0x505050:s=320x180:r=25:d=${24 - RESTART},noise=alls=8:allf=t,drawbox=x=290:y=8:w=20:h=20:c=white:t=fill:enable='${lit}'`;
  ffmpeg(['-f', 'lavfi', '-i', wall, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', join(dir, 'cam.mp4')]);
});
afterAll(() => cleanup());

describe('a soundless camera restarted mid-session (only the later recording)', () => {
  it('--ends start: placed by pairing its flash with the first beep, and told that nothing checks the pairing (was silent)', async () => {
    const r = await runCliInProcess(['sync', 'lav.wav', 'cam.mp4', '--search-s', '5', '-o', '-', '--quiet'], { cwd: dir });
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout).streams[1];
    expect(Math.abs(e.offset_s - 0)).toBeLessThan(0.02); // paired with the 1.5 s beep: 10.5 s off the truth
    expect(e.warnings.map((w: { code: string }) => w.code)).toContain('pairing_unchecked');
    expect(r.stderr).toMatch(/^mmprep sync: warning: cam\.mp4 video stream 0: pairing_unchecked: placed by pairing its start flash with lav\.wav's start beep alone: .*a camera restarted mid-session that saw only a later flash would be placed off by the time between the two beeps\), nor that its clock ran on to its end \(.*\); a pulse at the session's end as well, with --ends both, checks both$/m);
    // One line for both (session 49; its continuity_unchecked line was a second one)
    expect(r.stderr).not.toMatch(/continuity_unchecked/);
    // The basis of the placement, said plainly (since 2026-12-03): one flash judged by itself, and its margin.
    expect(r.stderr).toMatch(/pairing_unchecked: placed by pairing its start flash with lav\.wav's start beep alone: one flash judged by itself, scoring (\d+\.\dx the strongest other event in its search window \(score \d+\.\d\)|with no other event in its search window) \(placed from 6x, 1\.5x for a whole-frame flash; exit 0\), and with no sound of its own/);
  });
  it('--ends both: refused, the interval of its flashes not the reference\'s', async () => {
    const r = await runCliInProcess(['sync', 'lav.wav', 'cam.mp4', '--search-s', '5', '--ends', 'both', '-o', 'b.json', '--quiet'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mmprep: cam\.mp4: video stream 0 cannot be put on the reference clock: /m);
  });
});
