/**
 * `--ends start --search-s 0` (issue 11): the whole file is one window; a pulse in its first half is the start
 * pulse and one in its second half is labelled `end`. Under --ends start only the start pulse places a stream: before,
 * both were used (a drift measured that --ends start does not ask for), and a wrong second-half beep refused the
 * stream with pulses_disagree, where docs/sync.md advised "--ends start uses the start pulse alone". The halves' labels
 * stay: a stream whose only pulse lies in its second half is placed against the reference's second-half pulse, never
 * against its start pulse (a two-ended session whose start beep one microphone missed). 10 s WAVs at 16 kHz.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncSession } from '../src/sync/session.js';
import { addBeeps, rng, writeWavF32 } from './sync-media.js';

const SR = 16000;
let dir: string;
const file = (name: string) => join(dir, `${name}.wav`);

function wav(name: string, seed: number, beeps: number[]): void {
  const r = rng(seed);
  const x = Float32Array.from({ length: 10 * SR }, () => 0.01 * r.g());
  addBeeps(x, SR, beeps.map((t) => ({ t_s: t, dur_s: 0.2, amp: 0.3 })));
  writeWavF32(file(name), x, SR);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmprep-ends-start-whole-'));
  wav('lav', 1, [1.0, 8.0]); // the reference: beeps at both ends
  wav('mic', 2, [0.5, 7.56]); // 0.5 s later; its second-half beep 60 ms off (another sound)
  wav('late', 3, [7.5]); // its only beep: the reference's second-half one
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--ends start with --search-s 0', () => {
  it('places by the start pulse alone: no drift, and a wrong second-half beep does not refuse the stream', async () => {
    const map = await syncSession([{ file: file('lav') }, { file: file('mic') }], { ends: 'start', searchS: 0 });
    const m = map.streams[1];
    expect(m.method).toBe('tone');
    expect(Math.abs((m.offset_s ?? NaN) - 0.5)).toBeLessThan(0.001);
    expect(m.drift_ppm).toBeNull();
    // The second-half beep is still reported, labelled by its half, and the output says it did not place the stream
    // (before 2026-12-02 `pulses` listed it beside the start pulse as if both had, and the null drift said nothing).
    expect((m.detections as Array<{ window: string }>).map((d) => d.window)).toEqual(['start', 'end']);
    expect(m.pulses).toEqual({ start_s: expect.closeTo(0.5, 3), end_s: expect.closeTo(7.56, 3), used: ['start'] });
    expect(m.drift_null_reason).toMatch(/^--ends start: the stream is placed at one time, so no drift is measured/);
    // The reference's pulses used: those the other stream was placed against.
    expect(map.streams[0].pulses).toEqual({ start_s: expect.closeTo(1, 3), end_s: expect.closeTo(8, 3), used: ['start'] });
  }, 60_000);

  it('--ends both still judges the two pulses together (pulses_disagree)', async () => {
    await expect(syncSession([{ file: file('lav') }, { file: file('mic') }], { ends: 'both', searchS: 0 })).rejects.toThrow(/its start and end pulses imply -?\d+ ppm of drift against \S*lav\.wav: one of them is wrong, so neither is used \(start pulse at \d+\.\d{3} s here, \d+\.\d{3} s in \S*lav\.wav; end pulse at \d+\.\d{3} s here, .*a --search-s that leaves the stray pulse out of its window, or --ends start/);
  }, 60_000);

  it('a lone second-half pulse is placed against the reference\'s second-half pulse, not its start pulse', async () => {
    const map = await syncSession([{ file: file('lav') }, { file: file('late') }], { ends: 'start', searchS: 0 });
    const m = map.streams[1];
    expect(m.method).toBe('tone');
    expect(Math.abs((m.offset_s ?? NaN) - 0.5)).toBeLessThan(0.001);
    expect(m.pulses).toEqual({ start_s: null, end_s: expect.closeTo(7.5, 3), used: ['end'] });
    expect((map.streams[0].pulses as { used: string[] }).used).toEqual(['end']);
  }, 60_000);
});
