/**
 * Trial 2026-12-06 (ttrial46 row 6): a 10-min room recorder 104 ppm fast, placed by its start beep under the default
 * --ends start, lay 62 ms off at its end with exit 0 and nothing said (drift null, drift_null_reason only in sync.json).
 * Now a stream placed by its start alone whose length would let 100 ppm move its end by more than 20 ms (half a 25 fps
 * frame) warns `drift_unmeasured` in the table and on stderr; a shorter one does not (the demo's 10 s sessions), nor
 * does --ends both (which measures the drift, or says `no_end_pulse`). Microphones: 16 kHz WAV, noise and one beep.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncMapWarnings } from '../src/dataset/sync-warnings.js';
import { syncSession } from '../src/sync/session.js';
import { runCliInProcess } from './helpers/cli.js';
import { addBeeps, rng, writeWavF32 } from './sync-media.js';

const SR = 16000;
const OFFSET_S = 0.7321; // the room recorder started this much before the lav

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmprep-drift-unmeasured-'));
  const r = rng(11);
  const mic = (seconds: number, beepAt: number) => {
    const x = Float32Array.from({ length: seconds * SR }, () => 0.003 * r.g());
    addBeeps(x, SR, [{ t_s: beepAt, dur_s: 0.25, amp: 0.3 }]);
    return x;
  };
  writeWavF32(join(dir, 'lav.wav'), mic(20, 2.5), SR);
  writeWavF32(join(dir, 'room250.wav'), mic(250, 2.5 + OFFSET_S), SR);
  writeWavF32(join(dir, 'room150.wav'), mic(150, 2.5 + OFFSET_S), SR);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const roomWarnings = async (room: string, ends: 'start' | 'both') => {
  const map = await syncSession([{ file: join(dir, 'lav.wav') }, { file: join(dir, room) }], { ends });
  const e = map.streams[1];
  expect(Math.abs((e.offset_s as number) + OFFSET_S)).toBeLessThan(0.001);
  return (e.warnings ?? []) as Array<{ code: string; message: string }>;
};

describe('a long stream placed by its start alone', () => {
  it('250 s under --ends start: drift_unmeasured names what its end may be off by and what to do', async () => {
    const w = (await roomWarnings('room250.wav', 'start')).find((x) => x.code === 'drift_unmeasured');
    expect(w?.message).toBe('placed by its start alone (--ends start), so its clock drift is not measured and 0 is applied: over its 250 s, 20-100 ppm (usual between recorders and cameras) would put its end 5-25 ms off; record a pulse at the end too and sync with --ends both, which measures the drift');
    const cli = await runCliInProcess(['sync', join(dir, 'lav.wav'), join(dir, 'room250.wav'), '-o', join(dir, 'sync.json')]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stderr).toMatch(/^mmprep sync: warning: .*room250\.wav audio stream 0: drift_unmeasured: placed by its start alone/m);
    expect(cli.stderr).not.toMatch(/lav\.wav audio stream 0: drift_unmeasured/);
    // the table prints the drift as sync.json holds it: null with its sd (it printed a bare `null` before session 50)
    expect(cli.stdout).toMatch(/room250\.wav\s+audio\s+0\s+-0\.73\d+\s+[\d.]+\s+null±57\.7\s+tone\s/);
    // a release keeps it in the session's issues (dataset build takes them from syncMapWarnings), and since 2026-12-08
    // (tuser62) the continuity check's continuity_unchecked too (its end lies after the lav's: a pause there unseen)
    expect(syncMapWarnings(JSON.parse(readFileSync(join(dir, 'sync.json'), 'utf8'))).map((w) => w.code)).toEqual(['continuity_unchecked', 'drift_unmeasured']);
  }, 60_000);

  it('150 s (100 ppm: 15 ms) and --ends both: no drift_unmeasured', async () => {
    expect((await roomWarnings('room150.wav', 'start')).map((x) => x.code)).not.toContain('drift_unmeasured');
    expect((await roomWarnings('room250.wav', 'both')).map((x) => x.code)).not.toContain('drift_unmeasured');
  }, 60_000);
});
