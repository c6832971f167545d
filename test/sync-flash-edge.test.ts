import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlashDetection } from '../src/sync/flash/flash.js';
import { FlashLooks, RECHECK_SIDE, scanVideoFlash } from '../src/sync/flash/scan-video.js';
import { ROOT } from './helpers/cli.js';
import { probeOnce, renderScenes, sceneTruth } from './helpers/scenes.js';

// scripts/make-sync-scenes.mjs --set edge: an 8 px amber LED 4 px from the left edge of a 640 px picture over the
// flickering cellauto scene, with the camera's own beep (variant 17's cellauto-led8amber-x4y209-2997-crf30-none).
// Before 2026-12-01 the guided search read 320 px frames only, where the LED is 4 px split over 4 px cells: its best
// score in the beep's span was under 4 and the stream was refused ("score under 8" at another time). The guided
// search now re-examines the beep's span at the source's resolution (scan-video.ts recheckGuide).
const DIR = join(ROOT, 'test', '.tmp', 'sync-flash-edge');
const LED = 'e-led8amber-cellauto-2997-edge';
const NEG = 'e-neg-cellauto-beep-noled';
const FPS = 29.97;

interface Truth {
  flash: { onsets_s: number[]; duration_s: number; beep_on_camera_s: number[] };
}

beforeAll(() => {
  renderScenes(DIR, ['--set', 'edge']);
}, 180_000);
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

const truthOf = (id: string): Truth => sceneTruth(DIR, id);

/**
 * Looks kept across this file's searches (FlashLooks): the single 320 px look (recheck: false) is the first look of the
 * search that re-examines at 640 px, decoded and scanned once (a look does not depend on `recheck`); each search
 * judges its own copy.
 */
const looks = new FlashLooks();

/** The start window (first half), guided by the camera's own beep as flashGuides gives it (3 frames + 50 ms). */
async function guided(id: string, recheck = true): Promise<FlashDetection[]> {
  const t = truthOf(id);
  const file = join(DIR, id, 'cam.mp4');
  const p = await probeOnce(file);
  const guides = t.flash.beep_on_camera_s.map((b) => ({ window: 'start' as const, t_s: b, tolerance_s: 3 / FPS + 0.05, duration_s: t.flash.duration_s }));
  const r = await scanVideoFlash(file, [{ name: 'start', start_s: 0, duration_s: (p.duration_s as number) / 2 }], { probed: p, guides, recheck, looks });
  return r.windows[0].detections;
}

describe('guided flash search: small LED at the frame edge in a busy scene (issue 11 item 1)', () => {
  it('8 px LED at the edge over cellauto: found on re-examining the beep span at 640 px, within half a frame', async () => {
    const t = truthOf(LED);
    const placed = (await guided(LED)).filter((d) => d.placeable);
    expect(placed).toHaveLength(1);
    expect(placed[0].guided).toBe(true);
    expect(placed[0].decoded_side_px).toBe(RECHECK_SIDE);
    expect(Math.abs(placed[0].t_s - t.flash.onsets_s[0]) * FPS).toBeLessThan(0.5);
    // Half the false-pulse budget of the first look (Bonferroni split of the default 0.95).
    expect(placed[0].confidence).toBeGreaterThanOrEqual(0.975);
  }, 120_000);

  it('the same LED with one look at 320 px (as before): refused, not placed', async () => {
    const kept = looks.size;
    expect((await guided(LED, false)).filter((d) => d.placeable)).toEqual([]);
    // Its 320 px look is the one the search above made first (one new look: its length-free look at 320 px, which the
    // search above, placed at 640 px, did not make; two before 2026-12-06, the 320 px look decoded again). Run alone,
    // this test makes both.
    if (kept > 0) expect(looks.size).toBe(kept + 1);
  }, 120_000);

  it('negative control: the same scene with the LED dark while the camera hears its beep: nothing placeable', async () => {
    expect((await guided(NEG)).filter((d) => d.placeable)).toEqual([]);
  }, 120_000);
});
