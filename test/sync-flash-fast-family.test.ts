import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncSession } from '../src/sync/session.js';
import { FIXTURES, ROOT } from './helpers/cli.js';
import { renderScenes, sceneTruth } from './helpers/scenes.js';

// The fast shutters (flash-pulse.ts, 1-18 % of the frame period) are for flashes without a partly lit frame; an
// ordinary camera's faint or noisy partly lit frame must not hand them the onset (flash-pulse.ts keepsFast). Two
// pictures of scene variant 121 (examined: the rule was chosen on it), rendered as the bench renders them. With the
// fast shutters weighed in whatever the frames show (54da96a), the 180° camera's 8 px red LED at 25 fps was placed
// 0.44 frame off with 2 sd past half a frame (offset_uncertain), against 0.28 frame before the fast shutters; the
// 29.97 fps 10 px amber LED kept its error (0.08 frame) but its sd grew 0.17 -> 0.26 frame (offset_uncertain).
const DIR = join(ROOT, 'test', '.tmp', 'sync-flash-fast-family');
const RED8 = 'v121-testsrc2-led8red-x183y1-25-crf26-steps-180deg';
const AMBER10 = 'v121-testsrc2-led10amber-x3y105-2997-crf23-fade-both';

interface Truth {
  args?: string[];
  streams: Array<{ kind: string; offset_s: number; drift_ppm: number }>;
  flash: { onsets_s: number[]; frame_s: number };
}

beforeAll(() => {
  // The 180° camera's picture as committed (scripts/make-sync-picture-fixtures.mjs), taken by the generator instead of
  // one it would render (--picture-from; its render was overwritten with it until 2026-12-06: 4.3 of 4.7 CPU s of the
  // case): its 2 sd sits near the half-frame line, and the 2018 npm ffmpeg's x264 encodes this case to 0.52 frame,
  // Debian's 5.1 to 0.43. The sound and the truth are the generator's own (no encoder in them).
  renderScenes(join(DIR, RED8), ['--set', 'full', '--variant', '121', '--only', RED8, '--picture-from', join(FIXTURES, 'sync', 'pictures')]);
  renderScenes(join(DIR, AMBER10), ['--set', 'full', '--variant', '121', '--only', AMBER10]);
  expect(readFileSync(join(DIR, RED8, RED8, 'cam.mp4')).equals(readFileSync(join(FIXTURES, 'sync', 'pictures', `${RED8}.mp4`)))).toBe(true);
}, 900_000);
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/** The picture's entry of a sync of the case (its own --ends), its largest clock error at the true onsets, in frames. */
async function placed(id: string): Promise<{ err: number; sd: number; warnings: string[] }> {
  const dir = join(DIR, id, id);
  const t: Truth = sceneTruth(join(DIR, id), id);
  const ends = (t.args ?? []).includes('both') ? 'both' : 'start';
  const map = await syncSession([{ file: join(dir, 'lav.wav') }, { file: join(dir, 'cam.mp4') }], { ends });
  const v = map.streams.find((x) => x.kind === 'video') as unknown as { method: string; offset_s: number; offset_sd_s: number; drift_ppm: number | null; warnings: Array<{ code: string }> };
  expect(v.method).toBe('flash');
  const truthV = t.streams.find((x) => x.kind === 'video') as { offset_s: number; drift_ppm: number };
  const T = t.flash.frame_s;
  const errs = t.flash.onsets_s.map((on) => Math.abs(on + v.offset_s + (v.drift_ppm ?? 0) * 1e-6 * on - (on * (1 + truthV.drift_ppm * 1e-6) + truthV.offset_s)));
  return { err: Math.max(...errs) / T, sd: v.offset_sd_s / T, warnings: v.warnings.map((w) => w.code) };
}

describe('ordinary cameras keep the 90-360° fit when a partly lit frame shows (flash-pulse.ts keepsFast)', () => {
  it('180° camera, 8 px red LED, 25 fps: within 0.36 frame (was 0.44), no offset_uncertain', async () => {
    const r = await placed(RED8);
    expect(r.err).toBeLessThan(0.36);
    expect(r.err).toBeLessThanOrEqual(3 * r.sd);
    expect(2 * r.sd).toBeLessThan(0.5);
    expect(r.warnings).not.toContain('offset_uncertain');
  });

  it('29.97 fps 10 px amber LED with sound: sd under 0.21 frame (was 0.26), no offset_uncertain', async () => {
    const r = await placed(AMBER10);
    expect(r.err).toBeLessThan(0.2);
    expect(r.sd).toBeLessThan(0.21);
    expect(r.warnings).not.toContain('offset_uncertain');
  });
});
