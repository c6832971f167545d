/**
 * A neighbour's beep (another session's device in the same room) louder than the session's own. A new user's trial
 * (2026-12-06, ttrial46 rows 1-2): the room recorder heard our beep weakly (x0.2) and the neighbour's loud, chose the
 * neighbour's as "clearly strongest" and was placed 1.2 s off (-1.900 s, truth -0.700 s) with exit 0 and only a
 * `content_mismatch` warning, though its content matched 1.2 s away at z 341: the cross-check refused only at a coarse
 * peak ratio of 3 and the wrongly paired beeps made the competing coarse peak themselves (2.88). The same with the
 * neighbour's beep at the lav (the reference) instead. Now refused (exit 2) naming both offsets and --pick first.
 * Controls: the same room recorder without the neighbour's beep is placed at the truth; the refusal's advice
 * (--pick first) places it there too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, runCliInProcess } from './helpers/cli.js';
import { addBeeps, rng, talker, writeWavF32 } from './sync-media.js';

const SR = 16000;
/** The room recorder started this long before the lav: its offset (room time + offset = lav time) is -TRUTH_S. */
const TRUTH_S = 0.7;
const LAV_S = 12;
let dir: string;
let cleanup: () => void;

function noise(n: number, level: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => level * r.g());
}

/** The room recorder: the lav's talker at `speech`, our beep (lav 1.0 s) weak, and optionally a neighbour's loud one. */
function room(speech: Float32Array, neighbour: boolean): Float32Array {
  const x = noise((LAV_S + 4) * SR, 0.01, 2);
  const at = Math.round(TRUTH_S * SR);
  for (let i = 0; i < speech.length && at + i < x.length; i++) x[at + i] += 0.15 * speech[i];
  addBeeps(x, SR, [{ t_s: 1 + TRUTH_S, dur_s: 0.23, amp: 0.1 }]);
  if (neighbour) addBeeps(x, SR, [{ t_s: 2.9, dur_s: 0.23, amp: 0.6 }]);
  return x;
}

beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-neighbour-beep-'));
  const speech = talker(46, LAV_S * SR).map((v) => v * 0.3);
  speech.fill(0, 0, Math.round(2.5 * SR));
  const lav = speech.map((v, i) => v + 0.003 * Math.sin(i * 0.37));
  const lavOwn = lav.slice();
  addBeeps(lavOwn, SR, [{ t_s: 1, dur_s: 0.23, amp: 0.6 }]);
  writeWavF32(join(dir, 'lav.wav'), lavOwn, SR);
  // The neighbour's beep at the lav, 1.2 s after ours and 11 dB louder (as in the trial's b9): the lav (the reference) takes it.
  const lavNeighbour = lav.slice();
  addBeeps(lavNeighbour, SR, [{ t_s: 1, dur_s: 0.23, amp: 0.25 }, { t_s: 2.2, dur_s: 0.23, amp: 0.9 }]);
  writeWavF32(join(dir, 'lav-neighbour.wav'), lavNeighbour, SR);
  writeWavF32(join(dir, 'room.wav'), room(speech, false), SR);
  writeWavF32(join(dir, 'room-neighbour.wav'), room(speech, true), SR);
});
afterAll(() => cleanup());

async function sync(args: string[]): Promise<{ code: number; stderr: string; offset: number | null }> {
  const r = await runCliInProcess(['sync', ...args, '-o', 's.json', '--quiet'], { cwd: dir });
  const offset = r.code === 0 ? JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')).streams[1].offset_s : null;
  return { code: r.code, stderr: r.stderr, offset };
}

describe('a neighbour\'s beep louder than the session\'s', () => {
  it('control: without it the room recorder is placed by its beep at the truth', async () => {
    const r = await sync(['lav.wav', 'room.wav']);
    expect(r.code).toBe(0);
    expect(Math.abs((r.offset as number) + TRUTH_S)).toBeLessThan(0.005);
  });
  it('heard loud by the room recorder: refused with both offsets and --pick first (was -1.900 s, exit 0)', async () => {
    const r = await sync(['lav.wav', 'room-neighbour.wav']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/room-neighbour\.wav: audio stream 0 cannot be put on the reference clock: placed by its start beep -1\.200 s away .*offset -0\.700 s there.*beep's offset -1\.900 s.*its beep at 1\.70\d s and lav\.wav's at 1\.000 s line up with the content.*its own at 2\.900 s.*rerun with --pick first/);
  });
  it('heard loud at the lav (the reference): refused, naming the lav\'s chosen beep', async () => {
    const r = await sync(['lav-neighbour.wav', 'room.wav']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/room\.wav: audio stream 0 cannot be put on the reference clock: .*offset -0\.700 s there.*lav-neighbour\.wav's at 2\.200 s.*rerun with --pick first/);
  });
  it('the advice holds: --pick first places it at the truth', async () => {
    const r = await sync(['lav.wav', 'room-neighbour.wav', '--pick', 'first']);
    expect(r.code).toBe(0);
    expect(Math.abs((r.offset as number) + TRUTH_S)).toBeLessThan(0.005);
  });
});
