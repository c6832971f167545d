/**
 * A sound placed by its own beep beside a stream of another session (trial 2026-12-03 item 2: a misfiled camera file
 * was synced beside the session's lav by its beep with exit 0 and no word, though the two share no sound). It now
 * gets a `content_mismatch` warning on stderr naming both files (exit 0: a warning, not a refusal). Control: the same
 * talker heard by both recordings at an offset (a genuine pair) gets none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from './helpers/cli.js';
import { addBeeps, rng, talker, writeWavF32 } from './sync-media.js';

const SR = 16000;
/** The second recording of the genuine pair starts this far into the first. */
const START_S = 1.5;
let dir: string;
let cleanup: () => void;

function withNoise(x: Float32Array, seed: number): Float32Array {
  const r = rng(seed);
  return x.map((v) => v + 0.003 * r.g());
}
beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-content-mismatch-'));
  const speech = talker(31, 30 * SR).map((v) => v * 0.3);
  const lav = withNoise(speech, 1);
  addBeeps(lav, SR, [{ t_s: 2 + START_S, dur_s: 0.2, amp: 0.6 }]);
  writeWavF32(join(dir, 'lav.wav'), lav, SR);
  const same = withNoise(speech.slice(Math.round(START_S * SR), Math.round((START_S + 27) * SR)), 2);
  addBeeps(same, SR, [{ t_s: 2, dur_s: 0.2, amp: 0.5 }]);
  writeWavF32(join(dir, 'cam-same.wav'), same, SR);
  const other = withNoise(talker(32, 27 * SR).map((v) => v * 0.3), 3);
  addBeeps(other, SR, [{ t_s: 2, dur_s: 0.2, amp: 0.5 }]);
  writeWavF32(join(dir, 'cam-other.wav'), other, SR);
});
afterAll(() => cleanup());

describe('a sound placed by its beep that shares no sound with the stream it was placed from', () => {
  it('another session\'s recording: placed by its beep, exit 0, content_mismatch on stderr naming both files', async () => {
    const r = await runCli(['sync', 'lav.wav', 'cam-other.wav', '-o', 'b.json', '--quiet'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/cam-other\.wav audio stream 0: content_mismatch: cam-other\.wav and lav\.wav share no sound at the placed offset/);
    const s = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8')).streams[1];
    expect(s.warnings.map((w: { code: string }) => w.code)).toContain('content_mismatch');
  });
  it('control: the same talker in both (a genuine pair 1.5 s apart) gets no content_mismatch', async () => {
    const r = await runCli(['sync', 'lav.wav', 'cam-same.wav', '-o', 'a.json', '--quiet'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/content_mismatch/);
    const s = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8')).streams[1];
    expect(Math.abs(s.offset_s - START_S)).toBeLessThan(0.002);
    expect(JSON.stringify(s.warnings ?? [])).not.toMatch(/content_mismatch/);
  });
});
