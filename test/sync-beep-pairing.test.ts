/**
 * The reference beeped twice (a device restarted and beeped again) and the other recording, started later, heard only
 * the second beep: pairing its beep with the reference's first places it the beeps' spacing off. When the content
 * repeats (a looped stimulus playing in the room, as content pairs variant 130 `wrong_beep-camera-agc`, whose speech
 * clips recur) it matches clearly at that wrong offset too, so neither the far-content refusal (place.ts
 * refuseFarContent: nothing shared at the placed lag) nor the coarse cross-check (peak ratio under 3) fired: placed 8 s
 * off with exit 0 and only the forced_pick line any --pick gives. Now each pairing's lag is read (beep-pairing.ts, place.ts refuseUnclearPairing) and the stream refused unless
 * the content supports the chosen pairing clearly over the other. Controls: the right pairing, forced by --pick
 * strongest, stays placed at the truth; another session's recording beside the twice-beeping reference (no content at
 * either pairing) under --pick is placed as the user forced it, with forced_pick and content_mismatch on stderr.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, runCliInProcess } from './helpers/cli.js';
import { addBeeps, rng, talker, writeWavF32 } from './sync-media.js';
import { mayBeBeep, otherPairings, pairingVerdict, type Pairing } from '../src/sync/checks/beep-pairing.js';

const SR = 16000;
const LAV_S = 30;
/** The reference's beeps (s): the session's at 1 s, the restart's 8 s later. */
const BEEPS_S = [1, 9];
/** The second recording started this far into the reference (its time + TRUTH_S = the reference's), so it heard the second beep only. */
const TRUTH_S = 8;
let dir: string;
let cleanup: () => void;

function withNoise(x: Float32Array, level: number, seed: number): Float32Array {
  const r = rng(seed);
  return x.map((v) => v + level * r.g());
}

/** A talker over the whole session plus an 8 s stimulus looped (its period the beeps' spacing: it repeats at the wrong pairing's lag). */
function roomSound(talkerSeed: number, loopSeed: number): Float32Array {
  const own = talker(talkerSeed, LAV_S * SR).map((v) => v * 0.3);
  const loop = talker(loopSeed, TRUTH_S * SR);
  return own.map((v, i) => v + LOOP_LEVEL * loop[i % loop.length]);
}
/**
 * The loop's level beside the talker's 0.3: at 0.15 the coarse peak at the truth stood 6.9 times the loop's (the old
 * cross-check refused at 3); at 0.3 3.6; at 0.45 the old code placed it 8 s off. Here the masked fine z reads 264 at the
 * wrong pairing and 491 at the right one (1.86 times: the right one, when forced, is supported).
 */
const LOOP_LEVEL = 0.45;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-beep-pairing-'));
  const sound = roomSound(71, 72);
  const lav = withNoise(sound, 0.003, 1);
  addBeeps(lav, SR, [{ t_s: BEEPS_S[0], dur_s: 0.2, amp: 0.5 }, { t_s: BEEPS_S[1], dur_s: 0.2, amp: 0.7 }]);
  writeWavF32(join(dir, 'lav.wav'), lav, SR);
  const cam = withNoise(sound.slice(TRUTH_S * SR), 0.01, 2);
  addBeeps(cam, SR, [{ t_s: BEEPS_S[1] - TRUTH_S, dur_s: 0.2, amp: 0.4 }]);
  writeWavF32(join(dir, 'cam.wav'), cam, SR);
  const other = withNoise(roomSound(73, 74).subarray(0, (LAV_S - TRUTH_S) * SR), 0.01, 3);
  addBeeps(other, SR, [{ t_s: 1, dur_s: 0.2, amp: 0.4 }]);
  writeWavF32(join(dir, 'other.wav'), other, SR);
});
afterAll(() => cleanup());

async function sync(args: string[]): Promise<{ code: number; stderr: string; offset: number | null }> {
  const r = await runCliInProcess(['sync', ...args, '-o', 's.json', '--quiet'], { cwd: dir });
  const offset = r.code === 0 ? JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')).streams[1].offset_s : null;
  return { code: r.code, stderr: r.stderr, offset };
}

describe('a recording that heard the second of the reference\'s two beeps', () => {
  it('--pick first pairs it with the first: refused (exit 2) naming both pairings and their content scores (was placed 8 s off, exit 0, a forced_pick line only)', async () => {
    const r = await sync(['lav.wav', 'cam.wav', '--pick', 'first']);
    expect(r.offset).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cam\.wav: audio stream 0 cannot be put on the reference clock: placed by its start beep at 1\.0\d\d s paired with lav\.wav's at 1\.0\d\d s .*offset -?0\.0\d\d s, content z \d+\.\d.*lav\.wav's at 9\.0\d\d s: offset 8\.0\d\d s, z \d+\.\d.*it points to its beep at 1\.0\d\d s with lav\.wav's at 9\.0\d\d s.*trim the recording with the extra beep/);
  });
  it('control: --pick strongest takes the second beep, which the content supports clearly: placed at the truth', async () => {
    const r = await sync(['lav.wav', 'cam.wav', '--pick', 'strongest']);
    expect(r.code).toBe(0);
    expect(Math.abs((r.offset as number) - TRUTH_S)).toBeLessThan(0.005);
  });
  it('another session\'s recording beside it, --pick strongest: no content at either pairing, so the forced pick stands, said by forced_pick and content_mismatch', async () => {
    const r = await runCliInProcess(['sync', 'lav.wav', 'other.wav', '-o', 'o.json', '--pick', 'strongest'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/lav\.wav audio stream 0: forced_pick: /);
    expect(r.stderr).toMatch(/other\.wav audio stream 0: content_mismatch: /);
  });
});

describe('the pairings and the verdict (beep-pairing.ts)', () => {
  const toRef = (t: number) => t;
  it('one other pairing per distinct offset; the chosen one\'s, an echo 0.25 s later and repeats of an offset are not others', () => {
    // The stream's beep at 1 s; the reference's at 1 s (chosen: offset 0), its echo at 1.25 s, a restart at 9 s and 9.1 s.
    const others = otherPairings([1], [1, 1.25, 9, 9.1], toRef, 0, 0, 0.3);
    expect(others.map((p) => p.offset)).toEqual([8]);
    // Two beeps in each (both heard by both): the matching pairs give the chosen offset, the crossed ones two others.
    expect(otherPairings([1, 9], [1, 9], toRef, 0, 0, 0.3).map((p) => p.offset).sort((a, b) => a - b)).toEqual([-8, 8]);
  });
  const other = (z: number | null): Pairing => ({ own_s: 1, from_s: 9, offset: 8, z });
  it('supported only at z 7 and 1.5 times every other pairing\'s; otherwise ambiguous when any pairing reads z 7, weak when none does', () => {
    expect(pairingVerdict(80.7, [other(475)], 7)).toBe('ambiguous');
    expect(pairingVerdict(475, [other(80.7)], 7)).toBe('supported');
    expect(pairingVerdict(10.5, [other(7)], 7)).toBe('supported');
    expect(pairingVerdict(10.4, [other(7)], 7)).toBe('ambiguous');
    expect(pairingVerdict(9, [other(6.5)], 7)).toBe('ambiguous');
    expect(pairingVerdict(6.9, [other(null)], 7)).toBe('weak');
    expect(pairingVerdict(null, [other(5)], 7)).toBe('weak');
    expect(pairingVerdict(7, [other(null)], 7)).toBe('supported');
  });
  it('a voice\'s harmonic and a beep\'s echo tail are no beeps to pair; a beep whose onset is not trusted is', () => {
    expect(mayBeBeep({ harmonic_of_hz: 500, unplaceable_reason: 'a harmonic of a voice at 500.0 Hz, not a beep: ...' })).toBe(false);
    expect(mayBeBeep({ unplaceable_reason: "starts 20 ms from the end of the beep at 2.999 s: the room's echo after that beep, not a beep of its own" })).toBe(false);
    expect(mayBeBeep({ unplaceable_reason: 'two readings of the onset disagree by 53.9 ms (edge after the change point of direct sound and echo): the onset cannot be trusted' })).toBe(true);
    expect(mayBeBeep({})).toBe(true);
  });
});
