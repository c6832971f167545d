/**
 * trial29 LOUD-MISLEADING-1: a stream whose pulse was chosen (by the policy or forced by --pick) but found no placed
 * stream with a pulse in the same window was refused as having none ("no flash in the whole file ... check that the
 * LED is in view"; for sound "no 1000 Hz tone burst in the whole file"), contradicting the run that named it. Now the
 * refusal names its pulse (and --pick's choice) and where the others' pulses lie (unpaired.ts). Whole files searched
 * (--search-s 0): an 8 s reference whose beep lies in its second half, a 5 s recorder whose beep(s) lie in its first
 * half; cross-correlation off (--fallback none), so the beep is the only route. Control: a recorder without any beep
 * keeps "no 1000 Hz tone burst in the whole file". 16 kHz WAVs generated here.
 *
 * Since 2026-12-04 (issue 11, trial29 session E) pulses in different halves of whole files get a line of their own
 * (unpaired.ts acrossWhy; before: `but no placed stream has a pulse in the same window to pair it with ...: ref.wav
 * audio stream 0's pulse at 9.400 s is in its end window ...`): two files with one pulse each cannot tell one pulse from
 * a session's start and end pulses seen one by each, so they are not paired by the data (across.ts); the line says
 * both pulses, their halves, that they pair only if they are one pulse, the offset that would give, and --one-pulse,
 * which pairs them on the user's word. Negative controls: a two-pulse session in which each file holds one (the same
 * shape) is not placed without --one-pulse; --one-pulse does not pair when the reference shows a second (refused) beep
 * candidate; a recorder without any beep still exits 2 as having none; --one-pulse contradicting --ends both or
 * --search-s > 0 exits 2. A soundless camera (the trial's case; a whole-frame flash, which stands out without --pick)
 * is placed by its flash under --one-pulse, its pairing_unchecked naming the reference's end beep. A 160x90 25 fps
 * H.264 picture generated here too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncSession, type SyncOptions } from '../src/sync/session.js';
import type { SyncMap } from '../src/sync/clock.js';
import { addBeeps, flashVideo, rng, writeWavF32 } from './sync-media.js';

const SR = 16000;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmprep-unpaired-'));
  // The trial's shape at half its length. Session time: one pulse at 4.7 s (ref from 0, one from 3.65 s; two: another
  // beep 0.55 s before it). two-*: pulses at 2.5 and 7.5 s; two-ref started at 2.75 s (hears the end pulse at 4.75 s
  // only), two-rec at 1.5 s and stopped at 6.5 s (hears the start pulse at 1.0 s only): true offset two-rec -> two-ref
  // -1.25 s, a pairing of the two pulses would give +3.75 s. weak: ref with a beep 40 dB under the noise's band at
  // 1.5 s (found, refused: band SNR below 0 dB).
  const files: Array<[string, number, number, Array<[number, number]>]> = [
    ['ref', 1, 8, [[4.7, 0.3]]],
    ['one', 2, 5, [[1.05, 0.3]]],
    ['two', 3, 5, [[0.5, 0.3], [1.05, 0.3]]],
    ['none', 4, 5, []],
    ['two-ref', 8, 8, [[4.75, 0.3]]],
    ['two-rec', 9, 5, [[1.0, 0.3]]],
    ['weak', 5, 8, [[1.5, 0.003], [4.7, 0.3]]],
  ];
  for (const [name, seed, len, beeps] of files) {
    const r = rng(seed);
    const x = Float32Array.from({ length: len * SR }, () => 0.01 * r.g());
    addBeeps(x, SR, beeps.map(([t, amp]) => ({ t_s: t, dur_s: 0.2, amp })));
    writeWavF32(join(dir, `${name}.wav`), x, SR);
  }
  // A whole-frame flash: a soundless camera's flash is placed alone only when it stands out clearly (flash.ts), as this one does.
  flashVideo(join(dir, 'cam.mp4'), { fpsNum: 25, fpsDen: 1, seconds: 5, flashes: [{ t_s: 1.05, dur_s: 0.2 }], kind: 'frame', w: 160, h: 90 });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (ref: string, other: string, o: SyncOptions = {}) => syncSession([{ file: join(dir, ref) }, { file: join(dir, other) }], { searchS: 0, fallback: 'none', ...o });
const refusal = (ref: string, other: string, o: SyncOptions = {}) =>
  run(ref, other, o).then(
    () => null,
    (e: Error & { exitCode?: number }) => ({ exit: e.exitCode, message: e.message }),
  );
const second = (m: SyncMap) => m.streams[1];
const ACROSS = (mine: string, theirs: string, offset: string) =>
  new RegExp(`^audio stream 0 cannot be put on the reference clock: ${mine}, in the first half of its file \\(searched whole\\), and \\S*${theirs} audio stream 0's beep at \\S+ s lies in the second half of its file: pulses pair only within the same half, and these two would pair only if they are one pulse; two files with one pulse each look the same whether the session had one pulse .* or a start and an end pulse seen one by each .*, so they are not paired \\(paired, they would place it at offset \\${offset}\\d\\d s\\); if the session had one pulse, --one-pulse pairs them$`);

describe('a stream whose own pulse found no partner: pulses in different halves of whole files', () => {
  it('without --one-pulse: refused naming its beep (not as having none), both halves, the offset and --one-pulse', async () => {
    const r = await refusal('ref.wav', 'one.wav');
    expect(r?.exit).toBe(2);
    expect(r?.message).toMatch(ACROSS('its start-window beep at 1\\.050 s was found', 'ref\\.wav', '+3\\.6'));
  }, 60_000);

  it('under --pick: names --pick\'s choice and why the policy would not have taken it', async () => {
    const r = await refusal('ref.wav', 'two.wav', { pick: 'first' });
    expect(r?.message).toMatch(ACROSS('--pick first chose its start-window beep at 0\\.500 s \\(other beeps of similar strength\\)', 'ref\\.wav', '+4\\.2'));
  }, 60_000);

  it('--one-pulse: placed at the one pulse (3.65 s), marked one_pulse', async () => {
    const m = await run('ref.wav', 'one.wav', { onePulse: true });
    const s = second(m);
    expect(s.method).toBe('tone');
    expect(Math.abs((s.offset_s as number) - 3.65)).toBeLessThan(0.002);
    expect(s.pulses).toEqual({ start_s: expect.any(Number), end_s: null, used: ['start'] });
    expect(m.streams[0].pulses).toMatchObject({ used: ['end'] });
    expect((s.warnings as Array<{ code: string; message: string }>).find((w) => w.code === 'one_pulse')?.message).toMatch(/^placed by pairing its beep at 1\.050 s \(the first half of its file\) with \S*ref\.wav audio stream 0's beep at 4\.700 s \(the second half of its file\) as the session's one pulse \(--one-pulse\): /);
    expect(m.options).toMatchObject({ one_pulse: true });
  }, 60_000);

  it('negative control: a start and an end pulse, one heard by each file, is not paired (it would be 5 s off)', async () => {
    const r = await refusal('two-ref.wav', 'two-rec.wav');
    expect(r?.exit).toBe(2);
    expect(r?.message).toMatch(ACROSS('its start-window beep at 1\\.000 s was found', 'two-ref\\.wav', '+3\\.7'));
  }, 60_000);

  it('negative control: --one-pulse does not pair when the reference shows a second beep candidate', async () => {
    const r = await refusal('weak.wav', 'one.wav', { onePulse: true });
    expect(r?.exit).toBe(2);
    expect(r?.message).toMatch(/; --one-pulse is given, but \S*weak\.wav audio stream 0 has a beep candidate at 1\.[45]\d\d s in the other half of its file, which one pulse does not give: not paired$/);
  }, 60_000);

  it('control: a recorder without a beep is still refused as having none (--pick strongest, --one-pulse)', async () => {
    // --one-pulse too: its pairing needs a pulse of the stream's own (the same code path without it).
    const r = await refusal('ref.wav', 'none.wav', { onePulse: true, pick: 'strongest' });
    // Since 2026-12-08 under --fallback none the line also says why its content would not place it (noise here).
    expect(r?.exit).toBe(2);
    expect(r?.message).toMatch(/^audio stream 0 cannot be put on the reference clock: no 1000 Hz tone burst in the whole file, and its content would not place it under --fallback xcorr either: cross-correlation with \S*ref\.wav is not conclusive \(.*\)$/);
  }, 60_000);

  it('--one-pulse with --ends both, or without --search-s 0, is bad input', async () => {
    expect(await refusal('ref.wav', 'one.wav', { onePulse: true, ends: 'both' })).toEqual({ exit: 2, message: '--one-pulse says the session had one sync pulse, --ends both that it had one at each end: give one of them' });
    expect(await refusal('ref.wav', 'one.wav', { onePulse: true, searchS: 60 })).toEqual({ exit: 2, message: '--one-pulse pairs pulses in either half of whole files: add --search-s 0 (got --search-s 60)' });
  }, 60_000);

  it('a soundless camera (the trial\'s case): --one-pulse places its flash at 3.65 s', async () => {
    const m = await run('ref.wav', 'cam.mp4', { onePulse: true });
    const v = second(m);
    expect(v.method).toBe('flash');
    expect(Math.abs((v.offset_s as number) - 3.65)).toBeLessThan(0.02);
    const w = v.warnings as Array<{ code: string; message: string }>;
    expect(w.map((x) => x.code)).toEqual(expect.arrayContaining(['one_pulse', 'pairing_unchecked']));
    expect(w.find((x) => x.code === 'pairing_unchecked')?.message).toMatch(/^placed by pairing its start flash with \S*ref\.wav's end beep alone: /);
  }, 60_000);
});
