import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitPulseChecked, litFraction } from '../src/sync/flash-pulse.js';
import { syncSession } from '../src/sync/session.js';
import { ROOT } from './helpers/cli.js';
import { renderScenes, sceneTruth } from './helpers/scenes.js';

// Fast shutters (exposures of 1/500 s and shorter): the LED is dark or fully lit in every frame, so no partly lit
// frame times the onset between frames; the frames only bound it (after the last dark frame's exposure, before the
// first lit frame's). The exposure fit's shutters stopped at 90°, each putting the onset late in that span, with an
// sd of 5-6 ms: scene set `fast` placed 3 of 16 pictures 0.51-0.67 frame off with exit 0 and nothing said. Now a
// fit with the shutter open 1/256 of the period that the frames cannot tell from the best puts the onset in the
// middle of the onsets any shutter allows, with their spread as sd (flash-pulse.ts fastShutterOnset), in a picture
// without its own beep (anyShutter); one guided by its beep keeps the 90-360° fit (test sync-flash-fit's demo case).
const DIR = join(ROOT, 'test', '.tmp', 'sync-flash-fast');
const ID = 'f-ci-led12-wall-25-1000-nosound';

interface Truth {
  streams: Array<{ kind: string; offset_s: number }>;
  flash: { onsets_s: number[]; frame_s: number };
}

beforeAll(() => renderScenes(DIR, ['--set', 'fast', '--only', ID]), 300_000);
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

const T = 1 / 25;

/** Frames around a pulse at `phase` of a frame period past frame 10, shutter open `s` of the period, levels 40 and 190 with a little noise. */
function frames(phase: number, D: number, s: number): { times: number[]; values: number[]; tau: number; tau0: number } {
  const tau = (10 + phase) * T;
  const times: number[] = [];
  const values: number[] = [];
  let seed = 7;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 2;
  for (let k = 4; k < 16 + Math.ceil(D / T); k++) {
    times.push(k * T);
    values.push(40 + 150 * litFraction(k * T, T, s, tau, D) + noise());
  }
  // As flash.ts fitOnset: the coarse onset half a frame after the frame before the first fully lit one.
  const full = values.findIndex((v) => v > 40 + 0.97 * 150);
  return { times, values, tau, tau0: times[full - 1] + T / 2 };
}

describe('fast shutters: a flash without a partly lit frame (flash-pulse.ts fastShutterOnset)', () => {
  it('1/1000 s at 25 fps, the pulse length known or not: every onset phase within half a frame and 2 sd (was 0.65 frame off, 3 sd)', () => {
    for (const D of [0.2, null]) {
      for (let p = 1; p < 20; p += 2) {
        const f = frames(p / 20, 0.2, 0.025);
        const fit = fitPulseChecked(f.times, f.values, T, f.tau0, D, 0.2, 1, true);
        const err = Math.abs(fit.onset_s - f.tau);
        expect(err / T, `phase ${p / 20}, D ${D}`).toBeLessThanOrEqual(0.5);
        expect(err, `phase ${p / 20}, D ${D}`).toBeLessThanOrEqual(2 * Math.max(fit.model_sd_s, 1e-9));
      }
    }
  });

  it('negative control: a 180° shutter with a partly lit frame keeps its narrow onset (the fast shutter does not fit it)', () => {
    for (const phase of [0.1, 0.25, 0.4]) {
      const f = frames(phase, 0.23, 0.5);
      const fit = fitPulseChecked(f.times, f.values, T, f.tau0, 0.23, 0.23, 1, true);
      expect(Math.abs(fit.onset_s - f.tau) / T).toBeLessThan(0.1);
      expect(fit.model_sd_s / T).toBeLessThan(0.12);
      expect(fit.shutter).toBeGreaterThanOrEqual(0.25);
    }
  });

  it('a soundless camera at 1/1000 s, the LED lit 0.1 frame into a frame period: placed within half a frame, its sd a frame/√12, warned offset_uncertain (was 0.65 frame off, sd 6.6 ms, nothing said)', async () => {
    const dir = join(DIR, ID);
    const t: Truth = sceneTruth(DIR, ID);
    const map = await syncSession([{ file: join(dir, 'lav.wav') }, { file: join(dir, 'cam.mp4') }]);
    const v = map.streams.find((x) => x.kind === 'video') as unknown as { method: string; offset_s: number; offset_sd_s: number; warnings: Array<{ code: string }> };
    expect(v.method).toBe('flash');
    const truth = (t.streams.find((x) => x.kind === 'video') as { offset_s: number }).offset_s;
    const err = Math.abs(v.offset_s - truth);
    expect(err / t.flash.frame_s).toBeLessThan(0.5);
    // The onset lies anywhere in the frame period before the first lit frame: sd T/√12 (0.29 frame), not 0.17.
    expect(v.offset_sd_s / t.flash.frame_s).toBeGreaterThan(0.25);
    expect(err).toBeLessThanOrEqual(2 * v.offset_sd_s);
    expect(v.warnings.map((w) => w.code)).toContain('offset_uncertain');
  });
});
