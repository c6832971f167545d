import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitPulseChecked, litFraction } from '../src/sync/flash/flash-pulse.js';
import { syncSession } from '../src/sync/session.js';
import { ROOT } from './helpers/cli.js';
import { renderScenes, sceneTruth } from './helpers/scenes.js';

// Fast shutters (exposures of 1/500 s and shorter): the LED is dark or fully lit in every frame, so no partly lit
// frame times the onset between frames; the frames only bound it (after the last dark frame's exposure, before the
// first lit frame's). The exposure fit's shutters stopped at 90° (180° without the pulse length), each putting the
// onset late in that span, with an sd of 5-6 ms: scene set `fast` placed 3 of 16 pictures 0.51-0.67 frame off with
// exit 0 and nothing said. Now the fit's grid holds shutters down to about 1 % of the frame period (flash-pulse.ts
// fastShutters), so the posterior over the onset spreads over the span the frames leave open and its sd widens.
const DIR = join(ROOT, 'test', '.tmp', 'sync-flash-fast');
const ID = 'f-ci-led12-wall-25-1000-nosound';

interface Truth {
  streams: Array<{ kind: string; offset_s: number }>;
  flash: { onsets_s: number[]; frame_s: number };
}

beforeAll(() => renderScenes(DIR, ['--set', 'fast', '--only', ID]), 300_000);
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

const T = 1 / 25;

/** Frames around a pulse of length D at `phase` of a frame period past frame 10, shutter open `s` of the period, levels 40 and 190 with a little noise. */
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

describe('fast shutters: a flash without a partly lit frame (flash-pulse.ts fastShutters)', () => {
  it('1/1000 s at 25 fps, the pulse length known (whole frames or not) or free: every onset phase within 2 sd, the sd wide enough to warn (was up to 0.65 frame off at 3 sd)', () => {
    for (const [len, D] of [[0.2, 0.2], [0.23, 0.23], [0.2, null]] as Array<[number, number | null]>) {
      for (let p = 2; p <= 18; p += 2) {
        const f = frames(p / 20, len, 0.025);
        const fit = fitPulseChecked(f.times, f.values, T, f.tau0, D, len, 1);
        const err = Math.abs(fit.onset_s - f.tau);
        const at = `phase ${p / 20}, length ${len}, known ${D !== null}`;
        expect(err / T, at).toBeLessThan(0.5);
        expect(err, at).toBeLessThanOrEqual(2 * fit.model_sd_s);
      }
    }
    // With no partly lit frame at either end the onset lies anywhere in a frame period: sd near T/√12 (0.29 frame),
    // so that 2 sd pass half a frame (report.ts offset_uncertain).
    const f = frames(0.5, 0.2, 0.025);
    expect(fitPulseChecked(f.times, f.values, T, f.tau0, 0.2, 0.2, 1).model_sd_s / T).toBeGreaterThan(0.25);
  });

  it('negative control: a 180° shutter with a partly lit frame keeps its narrow onset (a fast shutter cannot fit it)', () => {
    for (const phase of [0.15, 0.35, 0.45]) {
      const f = frames(phase, 0.23, 0.5);
      const fit = fitPulseChecked(f.times, f.values, T, f.tau0, 0.23, 0.23, 1);
      expect(Math.abs(fit.onset_s - f.tau) / T, `phase ${phase}`).toBeLessThan(0.1);
      expect(fit.model_sd_s / T, `phase ${phase}`).toBeLessThan(0.12);
      expect(fit.shutter).toBeGreaterThanOrEqual(0.25);
    }
  });

  it('a soundless camera at 1/1000 s, the LED lit 0.2 frame into a frame period: placed within half a frame and 2 sd, warned offset_uncertain (was 0.55 frame off, sd 0.17 frame, nothing said)', async () => {
    const dir = join(DIR, ID);
    const t: Truth = sceneTruth(DIR, ID);
    const map = await syncSession([{ file: join(dir, 'lav.wav') }, { file: join(dir, 'cam.mp4') }]);
    const v = map.streams.find((x) => x.kind === 'video') as unknown as { method: string; offset_s: number; offset_sd_s: number; warnings: Array<{ code: string }> };
    expect(v.method).toBe('flash');
    const truth = (t.streams.find((x) => x.kind === 'video') as { offset_s: number }).offset_s;
    const err = Math.abs(v.offset_s - truth);
    expect(err / t.flash.frame_s).toBeLessThan(0.5);
    expect(err).toBeLessThanOrEqual(2 * v.offset_sd_s);
    expect(v.warnings.map((w) => w.code)).toContain('offset_uncertain');
  }, 120_000);
});
