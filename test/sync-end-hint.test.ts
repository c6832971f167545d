/**
 * Trial 2026-12-03 item 5: under the default --ends start, a session whose beep sounds only at its end was refused with
 * "no 1000 Hz tone burst in the first 60 s (or half the file when shorter)" and no hint, where --ends both placed it.
 * Now, before that refusal, the end window --ends both would search is looked at (end-hint.ts), and a beep there is
 * named with "--ends both?"; a session without any beep (negative control) gets no such hint. 8 s WAVs at 16 kHz,
 * generated here: the end window of a short file is decoded already (its start window is read whole), and with
 * --search-s 3 it is decoded for the hint.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncSession } from '../src/sync/session.js';
import { addBeeps, rng, writeWavF32 } from './sync-media.js';

const SR = 16000;
let dir: string;
const file = (n: string) => ({ file: join(dir, `${n}.wav`) });
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmprep-end-hint-'));
  for (const [name, seed, t] of [['a', 1, 7.0], ['b', 2, 6.5], ['q1', 3, null], ['q2', 4, null]] as const) {
    const r = rng(seed);
    const x = Float32Array.from({ length: 8 * SR }, () => 0.01 * r.g());
    if (t !== null) addBeeps(x, SR, [{ t_s: t, dur_s: 0.2, amp: 0.3 }]);
    writeWavF32(join(dir, `${name}.wav`), x, SR);
  }
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const refusal = (names: string[], o: { searchS?: number } = {}) => syncSession(names.map(file), { fallback: 'none', ...o }).then(() => null, (e: Error) => e.message);

describe('--ends start: a beep in the end window only', () => {
  it('is named in the refusal with --ends both? (a short file: its end window was decoded already)', async () => {
    const err = await refusal(['a', 'b']);
    expect(err).toMatch(/^no usable sync pulse \(1000 Hz tone burst or flash\) found in the first 60 s \(or half the file when shorter\) of any stream \(but a 1000 Hz tone burst at 7\.000 s, in the end window from 4\.0 s, which --ends start does not search: --ends both\?\); the content of \S*b\.wav audio stream 0 would align it with the reference, but only to about ±9 ms \(the talkers' lag, not a beep's\): rerun with --fallback xcorr to accept that, or record a beep every microphone hears$/);
  }, 60_000);

  it('is named when the end window lies past what was decoded (--search-s 3: decoded for the hint)', async () => {
    const err = await refusal(['a', 'b'], { searchS: 3 });
    expect(err).toMatch(/ of any stream \(but a 1000 Hz tone burst at 7\.000 s, in the end window from 5\.0 s, which --ends start does not search: --ends both\?\)$/);
  }, 60_000);

  it('negative control: no beep anywhere, no --ends both hint', async () => {
    const err = await refusal(['q1', 'q2']);
    expect(err).toMatch(/^no usable sync pulse \(1000 Hz tone burst or flash\) found in the first 60 s/);
    expect(err).not.toMatch(/--ends both|end window/);
  }, 60_000);
});
