/**
 * trial29 LOUD-MISLEADING-1: a stream whose pulse was chosen (by the policy or forced by --pick) but found no placed
 * stream with a pulse in the same window was refused as having none ("no flash in the whole file ... check that the
 * LED is in view"; for sound "no 1000 Hz tone burst in the whole file"), contradicting the run that named it. Now the
 * refusal names its pulse (and --pick's choice) and where the others' pulses lie (unpaired.ts). Whole files searched
 * (--search-s 0): a 16 s reference whose beep lies in its second half, a 10 s recorder whose beep(s) lie in its first
 * half; cross-correlation off (--fallback none), so the beep is the only route. Control: a recorder without any beep
 * keeps "no 1000 Hz tone burst in the whole file". 16 kHz WAVs generated here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncSession, type PickRule } from '../src/sync/session.js';
import { addBeeps, rng, writeWavF32 } from './sync-media.js';

const SR = 16000;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmprep-unpaired-'));
  for (const [name, seed, len, beeps] of [['ref', 1, 16, [9.4]], ['one', 2, 10, [2.1]], ['two', 3, 10, [1.0, 2.1]], ['none', 4, 10, []]] as const) {
    const r = rng(seed);
    const x = Float32Array.from({ length: len * SR }, () => 0.01 * r.g());
    addBeeps(x, SR, beeps.map((t) => ({ t_s: t, dur_s: 0.2, amp: 0.3 })));
    writeWavF32(join(dir, `${name}.wav`), x, SR);
  }
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const refusal = (other: string, pick: PickRule | null = null) =>
  syncSession([{ file: join(dir, 'ref.wav') }, { file: join(dir, `${other}.wav`) }], { searchS: 0, fallback: 'none', pick }).then(() => null, (e: Error) => e.message);
// Since 2026-12-04 the pulses in different halves of whole files get the line of across.ts (test sync-one-pulse): both
// pulses, their halves, and that they pair only if they are one pulse (before: `but no placed stream has a pulse in the
// same window to pair it with ...: ref.wav audio stream 0's pulse at 9.400 s is in its end window ...`).
const OTHERS = /, in the first half of its file \(searched whole\), and \S*ref\.wav audio stream 0's beep at 9\.400 s lies in the second half of its file: pulses pair only within the same half, and these two would pair only if they are one pulse; .*; if the session had one pulse, --one-pulse pairs them$/;

describe('a stream whose own pulse found no partner in its window', () => {
  it('is refused naming its beep, not as having none', async () => {
    const err = await refusal('one');
    expect(err).toMatch(/^audio stream 0 cannot be put on the reference clock: its start-window beep at 2\.100 s was found, /);
    expect(err).toMatch(OTHERS);
    expect(err).not.toMatch(/no 1000 Hz tone burst/);
  }, 60_000);

  it('under --pick: names --pick\'s choice and why the policy would not have taken it', async () => {
    const err = await refusal('two', 'first');
    expect(err).toMatch(/^audio stream 0 cannot be put on the reference clock: --pick first chose its start-window beep at 1\.000 s \(other beeps of similar strength\), /);
    expect(err).toMatch(OTHERS);
    expect(err).not.toMatch(/no 1000 Hz tone burst/);
  }, 60_000);

  it('control: a recorder without a beep is still refused as having none', async () => {
    const err = await refusal('none', 'strongest');
    expect(err).toMatch(/^audio stream 0 cannot be put on the reference clock: no 1000 Hz tone burst in the whole file$/);
  }, 60_000);
});
