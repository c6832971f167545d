/**
 * A beep onset beside a change point of direct sound and echo that is not sure (its profile interval wider than 4 ms)
 * takes that interval's sd, at most twice its own (tone-refine.ts unsureEcho); so does one that agrees with a change
 * point refused for an interval over 2 ms (judgeRoutes): the edge route's step, fitted with the
 * amplitude 4 periods after the onset, was read late on the echo's build-up, or early on a speech transient in the
 * beep's phase, with an sd that did not say so (issue 11: each onset's error within about 3 sd, downstream placement
 * trusts it). Cases generated here by scripts/make-sync-rooms.mjs --only; beeps scanned in the windows `mmprep sync
 * --ends both` searches.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../src/media/probe.js';
import { scanAudioTone } from '../src/sync/tone/scan-audio.js';
import { searchWindows } from '../src/sync/windows.js';
import { tempDir } from './helpers/cli.js';
import { roomCase } from './helpers/room-case.js';
import { renderCached } from './helpers/scenes.js';

const tmp = tempDir('mmprep-sync-beep-unsure-echo-');
afterAll(() => tmp.cleanup());
/** The cases and which of their files the tests read (the first its room microphone, the second its lav). */
const CASES = [
  ['rt5-drr-6-snr10-wav-both', 55, 'mic'],
  ['rt8-drr-3-snr10-wav-both', 59, 'all'],
] as const;

/** The detections of stream `which` (0: the lav, the reference; 1: the room microphone) and its true beeps (its own clock). */
async function beeps(id: string, variant: number, which: 0 | 1) {
  const dir = roomCase(tmp.dir, id, variant, which === 0 ? 'all' : 'mic');
  const mic = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')).streams[1];
  const file = join(dir, which === 0 ? 'lav.wav' : mic.file);
  const truth = (mic.pulses_src_s as number[]).map((t) => (which === 0 ? t + mic.offset_s + mic.drift_ppm * 1e-6 * t : t));
  const p = await probe(file);
  const { windows } = searchWindows(file, p.duration_s ?? null, 60, 'both');
  const scan = await scanAudioTone(file, windows, { probed: p });
  return { truth, dets: scan.windows.flatMap((w) => w.detections) };
}

/** The placeable detection nearest the true beep t, its error and its sd (seconds). */
function near(truth: number, dets: Array<{ t_s: number; placeable?: boolean; onset_sd_s?: number | null; unplaceable_reason?: string }>) {
  const d = dets.find((x) => Math.abs(x.t_s - truth) < 0.05);
  expect(d, `a beep near ${truth} s`).toBeDefined();
  return { placeable: d!.placeable !== false, err: Math.abs(d!.t_s - truth), sd: d!.onset_sd_s as number, why: d!.unplaceable_reason ?? null };
}

describe('an onset beside an unsure change point of direct sound and echo: that interval\'s sd, at most twice its own', () => {
  beforeAll(() => {
    for (const [id, v, files] of CASES) roomCase(tmp.dir, id, v, files);
  }, 1_800_000);

  it('DRR -6 dB, RT60 0.5 s, WAV (room variant 55): the room microphone\'s end beep, read 1.49 ms late (sd was 0.56 ms, 2.7 sd), within 2 sd', async () => {
    const { truth, dets } = await beeps('rt5-drr-6-snr10-wav-both', 55, 1);
    const end = near(truth[1], dets);
    expect(end.placeable).toBe(true);
    expect(end.err, `${(end.err * 1000).toFixed(2)} ms off, sd ${(end.sd * 1000).toFixed(2)} ms`).toBeLessThanOrEqual(2 * end.sd);
  }, 300_000);

  it('the lav of room variant 59 (rt8-drr-3-snr10-wav-both): the end beep, read 2.05 ms early on a speech transient (sd was 0.44 ms, 4.7 sd; then within 3 sd), now not placeable; the start beep keeps its sd', async () => {
    const { truth, dets } = await beeps('rt8-drr-3-snr10-wav-both', 59, 0);
    const end = near(truth[1], dets);
    // Since tsync61 (session 61) refused instead: the tone turns against the edge onset's phase within 14 ms after it
    // (tone-refine.ts turnsAgainstWhy, -0.85), the speech transient it was read on being a sound of its own. A WAV: the
    // same samples under every ffmpeg build.
    expect(end.placeable, `${(end.err * 1000).toFixed(2)} ms off, sd ${(end.sd * 1000).toFixed(2)} ms`).toBe(false);
    expect(end.why).toMatch(/turns against the onset's phase/);
    const start = near(truth[0], dets);
    expect(start.placeable).toBe(true);
    expect(start.err).toBeLessThan(0.0002);
    expect(start.sd).toBeLessThan(0.0005);
  }, 300_000);
});

/**
 * Room variant 180's `rt3-drr-9-snr0-aac-start`, encoded by the ffmpeg mmprep runs (its AAC frames differ between
 * builds): with Debian's ffmpeg 5.1 (the bench's) its room microphone's start beep is read 2.50 ms late, sd 0.52 ms
 * before (4.8 sd), beside a change point 0.04 ms from it refused for its 3.25 ms interval; the npm 2018 build's encode
 * reads it 5.2 ms late with sd 2.1 ms, not placeable. Either way, a placeable onset lies within 3.1 sd.
 */
describe('an onset agreeing with a change point refused for its interval (over 2 ms): that interval\'s sd, at most twice its own', () => {
  const ID = 'rt3-drr-9-snr0-aac-start';
  beforeAll(() => {
    renderCached('make-sync-rooms.mjs', join(tmp.dir, 'v180m'), ['--set', 'full', '--variant', '180', '--only', ID, '--files', 'mic'], { byMmprepsFfmpeg: true });
  }, 600_000);

  it('DRR -9 dB, RT60 0.3 s, AAC (room variant 180): the room microphone\'s start beep, placeable only within 3.1 sd', async () => {
    const dir = join(tmp.dir, 'v180m', ID);
    const mic = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')).streams[1];
    const file = join(dir, mic.file);
    const p = await probe(file);
    const scan = await scanAudioTone(file, searchWindows(file, p.duration_s ?? null, 60, 'start').windows, { probed: p });
    const start = near(mic.pulses_src_s[0], scan.windows.flatMap((w) => w.detections));
    if (start.placeable) expect(start.err, `${(start.err * 1000).toFixed(2)} ms off, sd ${(start.sd * 1000).toFixed(2)} ms`).toBeLessThanOrEqual(3.1 * start.sd);
    else expect(start.sd).toBeGreaterThan(0.002);
  }, 300_000);
});
