import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanVideoFlash, type VideoScanOptions } from '../src/sync/flash/scan-video.js';
import type { FlashDetection } from '../src/sync/flash/flash.js';
import { FIXTURES, ROOT } from './helpers/cli.js';
import { probeOnce, renderScenes, sceneTruth } from './helpers/scenes.js';

// scripts/make-sync-scenes.mjs --set colour: a 10 px red LED (640x360 picture) off the 4 px cell grid on ffmpeg's
// scrolling cellauto source, 180° shutter, exposure pumps, CRF 28, pulse 0.2 s; and the same scene with the LED dark
// while the camera hears its beep. Before 2026-11-30 the picture was decoded grey at 160 px (the CLI's --max-side) or
// 320 px: the LED filled at most part of a cell, and its luma changes about a quarter of its brightest channel, so it
// was not even a candidate (160 px) or scored 5 (320 px), under the placeable 8; the guided search now reads each
// pixel's brightest channel at 320 px (scored 12.7, measured).
const DIR = join(ROOT, 'test', '.tmp', 'sync-flash-colour');
const LED = 'c-led10red-cellauto-25-pump-180deg';
const NEG = 'c-neg-cellauto-beep-noled';

interface Truth {
  flash: { onsets_s: number[]; duration_s: number; frame_s: number; beep_on_camera_s: number[] | null; region: { x_px: number; y_px: number; w_px: number; h_px: number } };
}

// Both cameras committed (fixtures/sync/pictures, scripts/make-sync-picture-fixtures.mjs: the bytes their render
// gives) and taken instead of rendered (--picture-from): 2.4 -> 0.3 CPU s for the set.
beforeAll(() => {
  renderScenes(DIR, ['--set', 'colour', '--picture-from', join(FIXTURES, 'sync', 'pictures')]);
}, 120_000);
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/** Guided by the camera's own beep (as heard, with its A/V skew), ±0.1 s, the reference's pulse length. */
async function guided(id: string, opts: VideoScanOptions = {}): Promise<{ dets: FlashDetection[]; t: Truth }> {
  const t: Truth = sceneTruth(DIR, id);
  const file = join(DIR, id, 'cam.mp4');
  const p = await probeOnce(file);
  const half = (p.duration_s as number) / 2;
  const guides = (t.flash.beep_on_camera_s as number[]).map((b) => ({ window: b < half ? ('start' as const) : ('end' as const), t_s: b, tolerance_s: 0.1, duration_s: t.flash.duration_s }));
  const r = await scanVideoFlash(file, [{ name: 'start', start_s: 0, duration_s: half }, { name: 'end', start_s: half, duration_s: null }], { ...opts, probed: p, guides });
  return { dets: r.windows.flatMap((w) => w.detections), t };
}

describe('a small coloured LED in a busy scene (issue 11 items 1, 6)', () => {
  it('10 px red LED on cellauto, 180° shutter: placed within half a frame, in the LED\'s place', async () => {
    const { dets, t } = await guided(LED);
    const placed = dets.filter((d) => d.placeable);
    expect(placed).toHaveLength(1);
    expect(Math.abs(placed[0].t_s - t.flash.onsets_s[0]) / t.flash.frame_s).toBeLessThan(0.5);
    expect(placed[0].confidence).toBeGreaterThan(0.95);
    expect(placed[0].confidence).toBeLessThan(1);
    const g = t.flash.region;
    const cx = placed[0].region.x_px + placed[0].region.w_px / 2;
    const cy = placed[0].region.y_px + placed[0].region.h_px / 2;
    expect(cx).toBeGreaterThanOrEqual(g.x_px - 4);
    expect(cx).toBeLessThanOrEqual(g.x_px + g.w_px + 4);
    expect(cy).toBeGreaterThanOrEqual(g.y_px - 4);
    expect(cy).toBeLessThanOrEqual(g.y_px + g.h_px + 4);
  });

  it('the same LED seen as before (grey, 160 px, one look): refused, not placed', async () => {
    // One look: the guided re-examination at the source's resolution (scan-video.ts recheckGuide, 2026-12-01) reads
    // 640 px, where the npm build's decode of this grey LED scored placeable.
    const { dets } = await guided(LED, { maxSide: 160, picture: 'luma', recheck: false });
    expect(dets.filter((d) => d.placeable)).toEqual([]);
  });

  it('negative control: the camera hears its beep, the LED stays dark: nothing placeable', async () => {
    const { dets } = await guided(NEG);
    expect(dets.filter((d) => d.placeable)).toEqual([]);
  });
});
