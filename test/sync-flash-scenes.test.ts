import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sameFlashRegion, type FlashDetection } from '../src/sync/flash/flash.js';
import { scanVideoFlash, type FlashGuide } from '../src/sync/flash/scan-video.js';
import type { FlashPairHint } from '../src/sync/flash/flash-pair.js';
import { syncSession } from '../src/sync/session.js';
import type { SearchWindow } from '../src/sync/windows.js';
import { FIXTURES, ROOT } from './helpers/cli.js';
import { probeOnce, renderScenes, sceneTruth } from './helpers/scenes.js';

// The small set of scripts/make-sync-scenes.mjs (issue 11 item 6), made at test time: an 8 px white LED at the frame
// edge behind a walking, zooming, gesturing subject (start and end pulses, 60 ppm drift, 29.97 fps, CRF 26); a red
// 16 px LED on ffmpeg's moving testsrc2 with a 180° shutter (25 fps, CRF 28); a whole-frame flash through auto-exposure
// pumps on a camera without sound; and a negative control (subject crossing a still wall, exposure steps, a large
// slide change that stays, no pulse); an 8 px LED on ffmpeg's life source with a decoy as strong as the end flash,
// on a camera without sound (the session's start/end pair search).
const DIR = join(ROOT, 'test', '.tmp', 'sync-flash-scenes');

interface Truth {
  id: string;
  expect: 'placed' | 'not_found';
  tags: Record<string, unknown>;
  streams: Array<{ kind: string; offset_s: number; drift_ppm: number }>;
  flash: { onsets_s: number[]; duration_s: number; region: 'whole-frame' | { x_px: number; y_px: number; w_px: number; h_px: number }; frame_s: number; beep_on_camera_s: number[] | null };
}

const truth = (id: string): Truth => sceneTruth(DIR, id);

// Four of the five cameras are committed (fixtures/sync/pictures, scripts/make-sync-picture-fixtures.mjs: the bytes
// their render gives, 1.1 MB) and taken instead of rendered (--picture-from): 12.2 -> 7.0 CPU s for the set. The
// life-fade case (7 MB) is rendered.
beforeAll(() => {
  renderScenes(DIR, ['--set', 'small', '--picture-from', join(FIXTURES, 'sync', 'pictures')]);
});
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/**
 * Start and end halves of the file, as the session searches a short recording (min(search-s, duration/2)). With one
 * fake beep, only the half it falls in: guided windows are searched independently, and nothing found in a half
 * without a beep is placeable (scan-video.ts markNoBeep), so the other half cannot change a negative's outcome.
 */
async function scan(id: string, guided: boolean, fakeBeep?: number, pairHint?: FlashPairHint): Promise<{ dets: FlashDetection[]; t: Truth }> {
  const t = truth(id);
  const file = join(DIR, id, 'cam.mp4');
  const p = await probeOnce(file);
  const half = (p.duration_s as number) / 2;
  let windows: SearchWindow[] = [
    { name: 'start', start_s: 0, duration_s: half },
    { name: 'end', start_s: half, duration_s: null },
  ];
  let guides: FlashGuide[] | undefined;
  if (guided) {
    // The camera's own beeps (truth, heard with the camera's A/V skew); pulse length from the reference microphone.
    const beeps = fakeBeep !== undefined ? [fakeBeep] : (t.flash.beep_on_camera_s as number[]);
    guides = beeps.map((b) => ({ window: b < half ? 'start' : 'end', t_s: b, tolerance_s: 0.1, duration_s: t.flash.duration_s }));
    if (fakeBeep !== undefined) windows = windows.filter((w) => w.name === guides?.[0].window);
  }
  const r = await scanVideoFlash(file, windows, { probed: p, guides, pairHint });
  return { dets: r.windows.flatMap((w) => w.detections), t };
}

function expectOnsets(dets: FlashDetection[], t: Truth): FlashDetection[] {
  const placed = dets.filter((d) => d.placeable);
  expect(placed.map((d) => d.t_s).length).toBe(t.flash.onsets_s.length);
  for (const [i, on] of t.flash.onsets_s.entries()) {
    const err = Math.abs(placed[i].t_s - on) / t.flash.frame_s;
    expect(err, `${t.id}: onset ${placed[i].t_s} vs truth ${on}`).toBeLessThan(0.5);
    expect(placed[i].confidence).toBeLessThan(1);
    expect(placed[i].confidence).toBeGreaterThan(0.95);
  }
  return placed;
}

function insideTruth(d: FlashDetection, t: Truth): boolean {
  const g = t.flash.region;
  if (g === 'whole-frame') return !!d.whole_frame;
  const cx = d.region.x_px + d.region.w_px / 2;
  const cy = d.region.y_px + d.region.h_px / 2;
  const slack = 8;
  return cx >= g.x_px - slack && cx <= g.x_px + g.w_px + slack && cy >= g.y_px - slack && cy <= g.y_px + g.h_px + slack;
}

describe('flash scenes with known truth (issue 11)', () => {
  it('8 px LED at the frame edge behind a moving subject: both pulses, guided and unguided, same LED region', async () => {
    for (const guided of [true, false]) {
      const { dets, t } = await scan('s-led8-edge-walk-2997', guided);
      const placed = expectOnsets(dets, t);
      for (const d of placed) expect(insideTruth(d, t), JSON.stringify(d.region)).toBe(true);
      expect(sameFlashRegion(placed[0], placed[1])).toBe(true);
      expect(placed.every((d) => d.guided === guided)).toBe(true);
    }
  });

  it('red LED on a moving test pattern with a 180° shutter, guided by the camera beep (A/V skew -20 ms)', async () => {
    const { dets, t } = await scan('s-red16-testsrc2-25-180deg', true);
    const [d] = expectOnsets(dets, t);
    expect(insideTruth(d, t)).toBe(true);
    expect(d.duration_s).toBeCloseTo(t.flash.duration_s, 2);
  });

  it('whole-frame flash through exposure pumps, unguided (camera without sound): found as whole-frame', async () => {
    const { dets, t } = await scan('s-screen-pump-30-nosound', false);
    const [d] = expectOnsets(dets, t);
    expect(d.whole_frame).toBe(true);
    expect(d.cells_lit_fraction).toBeGreaterThan(0.5);
  });

  it('negative control (subject crossing a still wall, exposure steps, a slide change that stays): nothing placeable', async () => {
    const un = await scan('s-neg-cross-step', false);
    expect(un.dets.filter((d) => d.placeable)).toEqual([]);
    for (const d of un.dets) expect(d.unplaceable_reason).toMatch(/flash candidate at/);
    // A beep at a time where the subject's hand passes a still cell must not turn that into a flash.
    for (const fake of [2.95, 5.5]) {
      const g = await scan('s-neg-cross-step', true, fake);
      expect(g.dets.filter((d) => d.placeable), `fake beep at ${fake}`).toEqual([]);
    }
  });
});

// The negative control with a beep the camera heard at 2.5 s (its LED dark): the subject's hand passing a still cell
// scores 10.3 there, 1.1x the window's pulse-free maximum (9.3 over 78 frames), with a ragged shape (fit residual 17 %
// of its rise), and was placed with confidence 0.9958 (flash-null.ts looseFitReason). It was in sync-flash-null.test.ts
// with a render of its own of this case; here it reads the set this file renders.
describe('a beep heard, the LED dark (guided negative control)', () => {
  it('the crossing subject within the beep\'s span is not placed', async () => {
    const file = join(DIR, 's-neg-cross-step', 'cam.mp4');
    const p = await probeOnce(file);
    const half = (p.duration_s as number) / 2;
    const guides = [{ window: 'start' as const, t_s: 2.5, tolerance_s: 0.15, duration_s: 0.2 }];
    // The start half only: the end half has no beep, and nothing found there is placeable (scan() above).
    const r = await scanVideoFlash(file, [{ name: 'start', start_s: 0, duration_s: half }], { probed: p, guides });
    const dets = r.windows.flatMap((w) => w.detections);
    expect(dets.filter((d) => d.placeable)).toEqual([]);
    const g = dets.find((d) => d.guided);
    if (g) expect(g.unplaceable_reason).toMatch(/only loosely|does not stand out|score under/);
  });
});

describe('camera without sound: the start/end pair at the reference beeps\' interval (issue 11)', () => {
  const id = 's-led8-life-fade-30-both-nosound';
  /** The reference microphone's interval: camera onsets on the reference clock are t·(1 + drift) + offset. */
  const hint = (t: Truth, off = 0): FlashPairHint => {
    const k = 1 + (t.streams.find((x) => x.kind === 'video')?.drift_ppm ?? 0) * 1e-6;
    return { interval_s: (t.flash.onsets_s[1] - t.flash.onsets_s[0]) * k + off, pulse_s: t.flash.duration_s };
  };

  it('an interval that is not the camera\'s (0.77 s off), and a negative control with a pair hint: nothing placeable', async () => {
    const t = truth(id);
    const off = await scan(id, false, undefined, hint(t, 0.77));
    expect(off.dets.filter((d) => d.placeable)).toEqual([]);
    const neg = await scan('s-neg-cross-step', false, undefined, { interval_s: 4.4, pulse_s: 0.2 });
    expect(neg.dets.filter((d) => d.placeable)).toEqual([]);
  });

  // Unguided (without the pair search) both are refused here: neither stands 6x above the decoy (measured: scores 20
  // and 16 against a decoy of 15).
  // The pair at the interval of the lav's own beeps, as mmprep sync searches it: both flashes placed within half a
  // frame, in the same place, with the pair's confidence; and the picture's clock from them. (Until 2026-12-03 a test
  // of its own searched the clip once more with the truth's interval for the detections' claims.)
  it('mmprep sync (lav + camera without sound, --ends both): both flashes placed as a pair in the same place, within half a frame, and the picture by them', async () => {
    const t = truth(id);
    const map = await syncSession([{ file: join(DIR, id, 'lav.wav') }, { file: join(DIR, id, 'cam.mp4') }], { ends: 'both' });
    const v = map.streams.find((x) => x.kind === 'video') as unknown as { method: string; offset_s: number; drift_ppm: number | null; detections: FlashDetection[] };
    const placed = expectOnsets(v.detections, t);
    expect(placed.every((d) => d.paired)).toBe(true);
    for (const d of placed) expect(insideTruth(d, t), JSON.stringify(d.region)).toBe(true);
    expect(placed[0].confidence).toBe(placed[1].confidence);
    expect(v.method).toBe('flash');
    const truthV = t.streams.find((x) => x.kind === 'video') as { offset_s: number; drift_ppm: number };
    for (const on of t.flash.onsets_s) {
      const got = on + v.offset_s + (v.drift_ppm ?? 0) * 1e-6 * on;
      const want = on * (1 + truthV.drift_ppm * 1e-6) + truthV.offset_s;
      expect(Math.abs(got - want) / t.flash.frame_s, `at ${on} s`).toBeLessThan(0.5);
    }
  });
});

describe('generator', () => {
  it('writes the case format of docs/sync.md (test cases with known truth)', () => {
    const t = sceneTruth<{ files: string[]; args: string[]; streams: Array<{ kind: string }> }>(DIR, 's-led8-edge-walk-2997');
    expect(t.files).toEqual(['lav.wav', 'cam.mp4']);
    expect(t.args).toEqual(['--ends', 'both']);
    expect(t.streams.map((s: { kind: string }) => s.kind)).toEqual(['audio', 'video', 'audio']);
    expect(existsSync(join(DIR, 's-led8-edge-walk-2997', 'lav.wav'))).toBe(true);
    expect(truth('s-neg-cross-step').expect).toBe('not_found');
  });
});
