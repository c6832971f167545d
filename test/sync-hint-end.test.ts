/**
 * Issue 11: the `--tone-hz` hint ("but a tone burst at about 2000 Hz at <t> s: --tone-hz 2000?") when no beep is
 * found at --tone-hz. It searched only the start window's audio, so under --ends both a session whose 2 kHz beeps lie
 * in the end windows only was refused without it. 20 s WAVs at 16 kHz, generated here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncSession } from '../src/sync/session.js';
import { addBeeps, rng, writeWavF32 } from './sync-media.js';

const SR = 16000;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmprep-hint-end-'));
  for (const [name, seed, t] of [['a', 1, 18.0], ['b', 2, 17.5]] as const) {
    const r = rng(seed);
    const x = Float32Array.from({ length: 20 * SR }, () => 0.01 * r.g());
    addBeeps(x, SR, [{ t_s: t, dur_s: 0.2, hz: 2000, amp: 0.3 }]);
    writeWavF32(join(dir, `${name}.wav`), x, SR);
  }
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the --tone-hz hint under --ends both', () => {
  it('names a 2 kHz beep found in the end windows only', async () => {
    const files = ['a', 'b'].map((n) => ({ file: join(dir, `${n}.wav`) }));
    await expect(syncSession(files, { ends: 'both', fallback: 'none' })).rejects.toThrow(/no usable sync pulse \(1000 Hz tone burst or flash\) found in the first and last 60 s \(or half the file when shorter\) of any stream \(but a tone burst at about 2000 Hz at 1[78]\.\d{3} s: --tone-hz 2000\?\)$/);
  }, 60_000);
});
