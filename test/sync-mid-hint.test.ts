/**
 * issue 11 (trial29 session E): a session refused for want of a beep whose beep lies between the searched windows
 * (`--search-s 3` on 20 s files: the first and last 3 s) got "no usable sync pulse ... of any stream" and no word of
 * it. Now, on the refusal path only (mid-hint.ts), the part between the windows is looked at and a beep there is named
 * with the options that search it. Negative control: no beep anywhere, no such hint. 20 s WAVs at 16 kHz, generated here.
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
  dir = mkdtempSync(join(tmpdir(), 'mmprep-mid-hint-'));
  for (const [name, seed, t] of [['a', 1, 7.0], ['b', 2, 12.5], ['q1', 3, null], ['q2', 4, null]] as const) {
    const r = rng(seed);
    const x = Float32Array.from({ length: 20 * SR }, () => 0.01 * r.g());
    if (t !== null) addBeeps(x, SR, [{ t_s: t, dur_s: 0.2, amp: 0.3 }]);
    writeWavF32(join(dir, `${name}.wav`), x, SR);
  }
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const refusal = (names: string[], o: { ends?: 'both' } = {}) => syncSession(names.map(file), { fallback: 'none', searchS: 3, ...o }).then(() => null, (e: Error) => e.message);

describe('a beep between the searched windows', () => {
  it('in the first half: named with --search-s past it', async () => {
    const err = await refusal(['a', 'q1']);
    expect(err).toMatch(/^no usable sync pulse \(1000 Hz tone burst or flash\) found in the first 3 s \(or half the file when shorter\) of any stream \(but a 1000 Hz tone burst at 7\.000 s, past the first 3 s searched: --search-s 9, or --search-s 0 \(the whole file\)\?\)$/);
  }, 60_000);

  it('in the second half, under --ends both: named with its end window', async () => {
    const err = await refusal(['b', 'q1'], { ends: 'both' });
    expect(err).toMatch(/ of any stream \(but a 1000 Hz tone burst at 12\.500 s, between the first and last 3 s searched: --ends both --search-s 9, or --search-s 0 \(the whole file\)\?\)$/);
  }, 60_000);

  it('negative control: no beep anywhere, no hint', async () => {
    const err = await refusal(['q1', 'q2']);
    expect(err).toMatch(/^no usable sync pulse \(1000 Hz tone burst or flash\) found in the first 3 s/);
    expect(err).not.toMatch(/between|--search-s/);
  }, 60_000);
});
