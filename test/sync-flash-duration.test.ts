/**
 * A camera's LED lit longer or shorter than the beep that guides its flash search (flash-pulse.ts fitPulseChecked).
 * The guided fit took the pulse's length from the reference microphone's beep; an LED lit 0.3 s against a 0.2 s beep
 * was fitted as a 0.2 s pulse, splitting the difference between its rising and falling edges: about a frame late at
 * 25 fps with an onset_sd_s of a few ms (sdur, session 17; sdocs found 0.9 frame late for 0.23 s against 0.2 s). The
 * onset (the rising edge) is what is simultaneous with the beep's start; the fit now frees the length when the frames
 * reject the beep's. Control: an LED lit as long as the beep keeps the beep's length (and the shutter it tells).
 * Media generated here: H.264 at CRF 30, 320x180, 25 fps, a 12 px LED on a noisy dark wall, 360° exposure.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../src/media/probe.js';
import { scanVideoFlash } from '../src/sync/flash/scan-video.js';
import { tempDir } from './helpers/cli.js';
import { ffmpeg, rng } from './sync-media.js';

const tmp = tempDir('mmprep-sync-flash-duration-');
afterAll(() => tmp.cleanup());

const [W, H, FPS, LEN_S, LED] = [320, 180, 25, 8, { x: 296, y: 8, s: 12 }];
const T = 1 / FPS;

/** A camera whose LED is lit over [tau, tau + lit) (each frame weighted by its lit fraction of a 360° exposure). */
function camera(path: string, tau: number, lit: number, fps = FPS): void {
  const T = 1 / fps;
  const r = rng(7);
  const wall = Float32Array.from({ length: W * H }, () => 48 + (r.u() - 0.5) * 16);
  const frames = Buffer.alloc(W * H * LEN_S * fps);
  for (let f = 0; f < LEN_S * fps; f++) {
    const on = Math.max(0, Math.min((f + 1) * T, tau + lit) - Math.max(f * T, tau)) / T;
    for (let i = 0; i < W * H; i++) {
      const [x, y] = [i % W, Math.floor(i / W)];
      let v = wall[i] + (r.u() - 0.5) * 6;
      if (x >= LED.x && x < LED.x + LED.s && y >= LED.y && y < LED.y + LED.s) v += on * (220 - v);
      frames[f * W * H + i] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  const input = ['-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${W}x${H}`, '-framerate', String(fps), '-i', 'pipe:0'];
  ffmpeg([...input, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '30', '-pix_fmt', 'yuv420p', path], frames);
}

const CASES = [
  { name: 'LED lit 0.3 s, beep 0.2 s', lit: 0.3, beep: 0.2, phase: 0.5, lengthHeld: false },
  { name: 'LED lit 0.23 s, beep 0.2 s', lit: 0.23, beep: 0.2, phase: 0.7, lengthHeld: false },
  { name: 'LED lit 0.1 s, beep 0.2 s', lit: 0.1, beep: 0.2, phase: 0.5, lengthHeld: false },
  { name: 'control: LED lit 0.2 s, beep 0.2 s', lit: 0.2, beep: 0.2, phase: 0.5, lengthHeld: true },
].map((c, i) => ({ ...c, file: join(tmp.dir, `cam${i}.mp4`), tau: (38 + c.phase) * T }));

/**
 * An LED lit as long as its beep (230 ms), the beep heard 310 ms long at the reference microphone by its room's echo
 * tail (ttrial49 R6: 279-316 ms at a lav, RT60 0.45 s), 30 fps, the onset 0.1 frame into a frame. The frames fit 219
 * ms; before 2026-12-06 that was "another length", fitted with the shutter not told, and refused: onset sd 9.0 ms over
 * the quarter frame (8.3 ms), its onset 18 ms (0.54 frame) early. Now a length between the beep's heard length less
 * its echo allowance and the heard length is the LED's (flash-pulse.ts echoShortened): fitted with it, the shutter
 * told, placed 11 ms (0.33 frame) early, sd 5.0 ms.
 */
const ECHO = { lit: 0.23, beep: 0.31, fps: 30, file: join(tmp.dir, 'cam-echo.mp4'), tau: 38.1 / 30 };

beforeAll(() => {
  for (const c of CASES) camera(c.file, c.tau, c.lit);
  camera(ECHO.file, ECHO.tau, ECHO.lit, ECHO.fps);
}, 120_000);

describe('a guided flash whose LED is lit longer or shorter than the beep (flash-pulse.ts fitPulseChecked)', () => {
  it.each(CASES)('$name: placed within a quarter frame of its rising edge', async (c) => {
    const p = await probe(c.file);
    const guides = [{ window: 'start' as const, t_s: c.tau, tolerance_s: 3 * T + 0.05, duration_s: c.beep }];
    const r = await scanVideoFlash(c.file, [{ name: 'start', start_s: 0, duration_s: LEN_S / 2 }], { probed: p, guides });
    const placed = r.windows[0].detections.filter((d) => d.placeable);
    expect(placed).toHaveLength(1);
    const d = placed[0];
    expect(Math.abs(d.t_s - c.tau) / T, `onset ${d.t_s} s, truth ${c.tau} s`).toBeLessThan(0.25);
    expect(Math.abs(d.t_s - c.tau)).toBeLessThanOrEqual(3 * (d.onset_sd_s as number) + 0.002);
    // The length the onset was fitted with: the beep's when the frames agree with it, else the LED's own.
    if (c.lengthHeld) expect(d.duration_s).toBe(c.beep);
    else expect(Math.abs((d.duration_s as number) - c.lit)).toBeLessThan(0.5 * T);
  }, 120_000);

  it('an LED as long as its beep, the beep heard longer by its echo tail: placed within half a frame', async () => {
    const T30 = 1 / ECHO.fps;
    const p = await probe(ECHO.file);
    const guides = [{ window: 'start' as const, t_s: ECHO.tau, tolerance_s: 3 * T30 + 0.05, duration_s: ECHO.beep }];
    const r = await scanVideoFlash(ECHO.file, [{ name: 'start', start_s: 0, duration_s: LEN_S / 2 }], { probed: p, guides });
    const guided = r.windows[0].detections.filter((d) => d.guided);
    expect(guided.map((d) => d.unplaceable_reason ?? null)).toEqual([null]);
    const d = guided[0];
    expect(Math.abs(d.t_s - ECHO.tau) / T30, `onset ${d.t_s} s, truth ${ECHO.tau} s`).toBeLessThan(0.5);
    expect(Math.abs(d.t_s - ECHO.tau)).toBeLessThanOrEqual(3 * (d.onset_sd_s as number) + 0.002);
    expect(Math.abs((d.duration_s as number) - ECHO.lit)).toBeLessThan(0.5 * T30);
  }, 120_000);
});
