/**
 * Two readings of a beep's onset that agree (tone-refine.ts agreed): where the room's echo shows in the edge route's
 * direct sound, the change point of direct sound and echo (tone-step.ts), whose model has the echo's build-up in it,
 * is the onset taken; the edge route's change in mean reads late there. The case is generated at test time
 * (scripts/make-sync-rooms.mjs --only), as test/sync-beep-room.test.ts does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanAudioTone } from '../src/sync/tone/scan-audio.js';
import { searchWindows } from '../src/sync/windows.js';
import { probe } from '../src/media/probe.js';
import { tempDir } from './helpers/cli.js';
import { renderCached } from './helpers/scenes.js';

const tmp = tempDir('mmprep-sync-beep-agree-');
afterAll(() => tmp.cleanup());
const ID = 'rt8-drr0-snr10-aac-both';

describe('agreeing onset readings in a room (tone-refine.ts agreed)', () => {
  beforeAll(() => {
    renderCached('make-sync-rooms.mjs', tmp.dir, ['--set', 'full', '--variant', '45', '--only', ID, '--files', 'mic']);
  }, 600_000);

  it('DRR 0 dB, RT60 0.8 s, AAC (room variant 45): the start beep, read 1.06 ms late by the edge route with sd 0.50 ms, is placed by the change point within 1 ms', async () => {
    const truth = JSON.parse(readFileSync(join(tmp.dir, ID, 'truth.json'), 'utf8'));
    const mic = truth.streams[1];
    const file = join(tmp.dir, ID, mic.file);
    const probed = await probe(file);
    // The windows `mmprep sync --ends both` searches (each half of the 30 s file).
    const { windows } = searchWindows(file, probed.duration_s ?? null, 60, 'both');
    const dets = (await scanAudioTone(file, windows, { probed })).windows.flatMap((w) => w.detections);
    const t0: number = mic.pulses_src_s[0];
    const d = dets.find((x) => Math.abs(x.t_s - t0) < 0.05);
    expect(d?.placeable, d?.unplaceable_reason).toBe(true);
    // Before: 1.06 ms late (Debian's ffmpeg 5.1), sd 0.50 ms; the change point of direct sound and echo lay 0.45 ms late.
    expect(Math.abs(d!.t_s - t0) * 1000).toBeLessThan(1);
    expect(Math.abs(d!.t_s - t0)).toBeLessThanOrEqual(3 * (d!.onset_sd_s as number));
    // Nothing placeable near a true beep is more than 5 ms off.
    for (const e of dets) {
      const err = Math.min(...mic.pulses_src_s.map((t: number) => Math.abs(e.t_s - t)));
      if (e.placeable !== false && err < 0.3) expect(err).toBeLessThan(0.005);
    }
  }, 120_000);
});
