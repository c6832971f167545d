import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncSession } from '../src/sync/session.js';
import { FIXTURES, ROOT } from './helpers/cli.js';
import { renderScenes, sceneTruth } from './helpers/scenes.js';

// A flash's offset_sd_s must cover its error (issue 11: "calibrated confidence, no silent wrong placement"). Two
// cases of the full scene set, rendered as the bench renders them (make-sync-scenes.mjs --set full --variant N
// --only ID): small coloured LEDs at 29.97 fps, CRF 30, exposure steps, a camera with sound (the flash search guided
// by its beep). The codec shrinks the partly lit frames (a frame 9 % lit reads unlit, one 64 % lit reads 54 %); with
// the pulse length known the two partly lit frames then fit a shorter shutter and an earlier onset exactly. Before
// (8714c2a) the 14 px red LED was placed 14.9 ms early with offset_sd_s 1.5 ms (10 sd) and the 8 px amber LED
// 14.3 ms off with 4.6 ms (3.1 sd), nothing said; now the sd takes the onsets the model cannot tell apart
// (flash-pulse.ts modelVar), and a picture whose 2 sd reach past half a frame is warned offset_uncertain.
const DIR = join(ROOT, 'test', '.tmp', 'sync-flash-sd');
const CASES = [
  { variant: 14, id: 'v14-mandelbrot-led14red-x621y211-2997-crf30-steps' },
  { variant: 35, id: 'v35-mandelbrot-led8amber-x112y1-2997-crf30-steps' },
];

interface Truth {
  streams: Array<{ kind: string; offset_s: number; drift_ppm: number }>;
  flash: { onsets_s: number[]; frame_s: number };
}

// Both cameras committed (fixtures/sync/pictures, scripts/make-sync-picture-fixtures.mjs: the bytes their render gives)
// and taken instead of rendered (--picture-from): 9.8 -> 0.5 CPU s for the two cases.
beforeAll(() => {
  for (const c of CASES) renderScenes(join(DIR, String(c.variant)), ['--set', 'full', '--variant', String(c.variant), '--only', c.id, '--picture-from', join(FIXTURES, 'sync', 'pictures')]);
}, 900_000);
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/** The picture's entry of `mmprep sync lav.wav cam.mp4` and its largest clock error at the true flash onsets. */
async function placed(c: (typeof CASES)[number]): Promise<{ err: number; sd: number; frame: number; warnings: string[] }> {
  const dir = join(DIR, String(c.variant), c.id);
  const t: Truth = sceneTruth(join(DIR, String(c.variant)), c.id);
  const map = await syncSession([{ file: join(dir, 'lav.wav') }, { file: join(dir, 'cam.mp4') }]);
  const v = map.streams.find((x) => x.kind === 'video') as unknown as { method: string; offset_s: number; offset_sd_s: number; drift_ppm: number | null; warnings: Array<{ code: string }> };
  expect(v.method).toBe('flash');
  const truthV = t.streams.find((x) => x.kind === 'video') as { offset_s: number; drift_ppm: number };
  const errs = t.flash.onsets_s.map((on) => Math.abs(on + v.offset_s + (v.drift_ppm ?? 0) * 1e-6 * on - (on * (1 + truthV.drift_ppm * 1e-6) + truthV.offset_s)));
  return { err: Math.max(...errs), sd: v.offset_sd_s, frame: t.flash.frame_s, warnings: v.warnings.map((w) => w.code) };
}

describe("a flash's offset_sd_s covers its error (flash-pulse.ts modelVar)", () => {
  it('14 px red LED, CRF 30: within half a frame, and within 3 sd (was 10 sd)', async () => {
    const r = await placed(CASES[0]);
    expect(r.err / r.frame).toBeLessThan(0.5);
    expect(r.err).toBeGreaterThan(0.2 * r.frame); // the codec's shrunken partly lit frames still move the onset
    expect(r.err).toBeLessThanOrEqual(3 * r.sd);
  });

  // Its 2 sd sits at half a frame since the onset became the fits' mean (flash-pulse.ts reportedOnset): above
  // 16.7 ms with Debian's ffmpeg, 16.5 ms with the npm build (2026-12-02); the warning must follow the sd either way.
  it('8 px amber LED, CRF 30: within half a frame and 3 sd, warned exactly when 2 sd reach past half a frame', async () => {
    const r = await placed(CASES[1]);
    expect(r.err / r.frame).toBeLessThan(0.5);
    expect(r.err).toBeLessThanOrEqual(3 * r.sd);
    expect(r.warnings.includes('offset_uncertain')).toBe(2 * r.sd > 0.5 * r.frame);
  });
});
