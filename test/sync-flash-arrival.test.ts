/**
 * The lone unguided flash search (a camera without a beep of its own, the reference's beep at one end only) refuses a
 * candidate that the cells around it show arriving or leaving (src/sync/flash/flash-arrival.ts): an LED is fixed in place
 * and switches on and off. Before: scene variant 14's negative control neg-wall-cross-none-screenstep, whose camera
 * has no LED at all, cut to start at 8 s (silent) and synced against a reference with a 0.2 s beep, was placed with
 * exit 0 by a peach disc leaving the picture over its right edge (`mmprep sync` on the build of 2026-11-30).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/common/errors.js';
import { arrivalAround } from '../src/sync/flash/flash-arrival.js';
import { gridFor } from '../src/sync/flash/flash-cells.js';
import { syncSession } from '../src/sync/session.js';
import { FIXTURES, ROOT } from './helpers/cli.js';
import { renderScenes } from './helpers/scenes.js';
import { addBeeps, ffmpeg, rng, writeWavF32 } from './sync-media.js';

const DIR = join(ROOT, 'test', '.tmp', 'sync-flash-arrival');
const NEG = 'v14-neg-wall-cross-none-screenstep';
const SR = 16000;

/** A reference microphone: low noise and a 0.2 s 1 kHz beep at beepS. */
function lav(path: string, seconds: number, beepS: number): void {
  const x = new Float32Array(Math.round(seconds * SR));
  const r = rng(3);
  for (let i = 0; i < x.length; i++) x[i] = 0.003 * r.g();
  addBeeps(x, SR, [{ t_s: beepS, dur_s: 0.2 }]);
  writeWavF32(path, x, SR);
}

beforeAll(() => {
  // The camera committed (fixtures/sync/pictures: the bytes its render gives), taken instead of rendered: 2.1 -> 0.2 CPU s.
  renderScenes(DIR, ['--set', 'full', '--variant', '14', '--only', NEG, '--picture-from', join(FIXTURES, 'sync', 'pictures')]);
  // The camera from 8 s on, its sound dropped: the disc leaves the picture about 2.4 s in (in the 3 s start window).
  ffmpeg(['-ss', '8', '-i', join(DIR, NEG, 'cam.mp4'), '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', join(DIR, 'neg-cam.mp4')]);
  lav(join(DIR, 'lav.wav'), 10, 4.24);
  // Positive control: a silent camera whose LED lights in place at the frame edge (5 frames from 1.2 s, 25 fps) over a
  // grey wall with sensor noise, the same kind of session.
  const led = "drawbox=x=622:y=100:w=18:h=18:color=white:t=fill:enable='between(t,1.19,1.39)'";
  ffmpeg(['-f', 'lavfi', '-i', `color=c=0x9a9a9a:s=640x360:r=25:d=6,noise=alls=6:allf=t,${led}`, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', join(DIR, 'led-cam.mp4')]);
}, 180_000);
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

describe('sync, a camera without sound searched alone: an LED stays in place', () => {
  it('negative control: a disc leaving the picture over the frame edge is not placed as a flash (exit 2, not found)', async () => {
    const err = await syncSession([{ file: join(DIR, 'lav.wav') }, { file: join(DIR, 'neg-cam.mp4') }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    // The reference's beep was found: the refusal is the picture's, for the moving candidate.
    expect((err as Error).message).toMatch(/^video stream 0 cannot be put on the reference clock: start-window candidate at 2\.\d+ s not used: .*something moving through, not an LED/);
  }, 120_000);

  it('positive control: an LED lighting in place in the same kind of session is placed', async () => {
    const map = await syncSession([{ file: join(DIR, 'lav.wav') }, { file: join(DIR, 'led-cam.mp4') }]);
    const v = map.streams.find((s) => s.kind === 'video');
    expect(v?.method).toBe('flash');
    // The beep at 4.24 s on the reference, the flash at 1.2 s on the camera: offset 3.04 s, within half a frame (a pulse
    // of whole frames: its onset is known within 0.75 frame, docs/sync.md).
    expect(Math.abs((v?.offset_s as number) - 3.04)).toBeLessThan(0.02);
  }, 120_000);
});

describe('arrivalAround (constructed cells)', () => {
  const grid = gridFor(40, 20, 4); // 10 x 5 cells
  const K = grid.cols * grid.rows;
  /** 20 frames of a grey wall (120) with `paint(frame, cells)` applied. */
  function frames(paint: (f: number, c: Float32Array) => void): Float32Array[] {
    return Array.from({ length: 20 }, (_, f) => {
      const c = new Float32Array(K + 1).fill(120);
      paint(f, c);
      return c;
    });
  }
  const at = (cx: number, cy: number) => cy * grid.cols + cx;
  const edge = { cx: 9, cy: 2, size: 1 }; // the right edge cell
  // The pulse: lit frames 8-11 (fPre 7, fPost 12), 25 grey levels.
  const lit = (f: number) => f >= 8 && f <= 11;

  it('an LED with a halo lighting in the same frames: nothing arrives or leaves', () => {
    const cells = frames((f, c) => {
      if (lit(f)) c[at(9, 2)] += 25;
      if (lit(f)) c[at(8, 2)] += 10;
    });
    expect(arrivalAround(cells, grid, edge, 7, 12, 4)?.levels ?? 0).toBeLessThan(5);
  });

  it('a disc moving right into the edge cell: its neighbour lit a frame earlier (before); the mirror image (after)', () => {
    const arriving = frames((f, c) => {
      if (f >= 7 && f <= 11) c[at(8, 2)] += 25;
      if (lit(f)) c[at(9, 2)] += 25;
    });
    expect(arrivalAround(arriving, grid, edge, 7, 12, 4)).toMatchObject({ levels: 25, when: 'before', cx: 8, cy: 2 });
    const leaving = frames((f, c) => {
      if (f >= 8 && f <= 12) c[at(8, 3)] += 25;
      if (lit(f)) c[at(9, 2)] += 25;
    });
    expect(arrivalAround(leaving, grid, edge, 7, 12, 4)).toMatchObject({ levels: 25, when: 'after', cx: 8, cy: 3 });
  });

  it('a neighbour that darkens after the pulse (a dark subject arriving) or steps and stays is no arrival', () => {
    const cells = frames((f, c) => {
      if (lit(f)) c[at(9, 2)] += 25;
      if (f >= 13) c[at(8, 2)] -= 100;
      if (f >= 7) c[at(7, 1)] += 30;
    });
    expect(arrivalAround(cells, grid, edge, 7, 12, 4)?.levels ?? 0).toBeLessThan(5);
  });
});
