/**
 * Issue 11 item 6: a stream placed by one beep pair whose offset sd is over the 2 ms one beep's own onset sd may have
 * stays placed by that pair, its sd saying how unsure it is, and is not handed to its content. Room variant 10
 * `rt8-drr6-snr10-opus-both-24s` (scripts/make-sync-rooms.mjs --only, as test/sync-beep-honest-sd.test.ts): at band
 * SNR 10 dB the talkers' speech in the beep's band widens both end beeps' onsets (the room microphone's read 1.68 ms
 * late, sd 1.47 ms; the lav's 0.57 ms late, sd 1.66 ms; 2.22 ms together). From a169bed (2026-12-04) to 2026-12-05
 * such a stream was placed by cross-correlation instead (0.01 ms off here, because this generator puts every source at
 * the same distance from both microphones); with the talkers and the loudspeaker apart a content placement lies at the
 * talkers' lag, a few ms from the beep's clock, and its offset_sd_s is 8.75 ms (src/sync/xcorr/content-lag.ts): the pair's
 * 2.2 ms is the surer placement.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncSession } from '../src/sync/session.js';
import { tempDir } from './helpers/cli.js';
import { micClockError, roomCase, type MicTruth } from './helpers/room-case.js';

const tmp = tempDir('mmprep-sync-wide-pair-');
afterAll(() => tmp.cleanup());
const ID = 'rt8-drr6-snr10-opus-both-24s';
let dir = '';

const truthOf = () => JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));

async function run(fallback: 'xcorr' | 'none') {
  const truth = truthOf();
  const map = await syncSession(truth.files.map((f: string) => ({ file: join(dir, f) })), { ends: 'both', fallback });
  const m = map.streams[1] as unknown as { method: string; offset_s: number; offset_sd_s: number | null; drift_ppm: number | null; drift_source?: string; warnings: Array<{ code: string; message: string }> };
  return { m, err: micClockError(m, truth.streams[1] as MicTruth) };
}

describe('a beep pair that places a stream less surely than one beep may (room variant 10)', () => {
  beforeAll(() => {
    dir = roomCase(tmp.dir, ID, 10);
  }, 1_800_000);

  it('DRR +6 dB, band SNR 10 dB, Opus: the end pair (sd over 2 ms) places it, not its content (sd 8.75 ms), within 2 sd', async () => {
    const { m, err } = await run('xcorr');
    expect(m.method).toBe('tone');
    expect(m.offset_sd_s).toBeGreaterThan(0.002);
    expect(m.offset_sd_s).toBeLessThan(0.00875);
    // Its start beep is found only by its coherence: the drift comes from both windows' content (37.7 ppm, true 37.7;
    // before session 49 from its end beep and its start window's content, -33.7 ppm with content_lag and sd 578 ppm).
    expect(m.drift_source).toMatch(/in both windows/);
    expect(Math.abs((m.drift_ppm as number) - (truthOf().streams[1] as MicTruth).drift_ppm)).toBeLessThan(5);
    expect(m.warnings.some((w) => w.code === 'content_lag')).toBe(false);
    expect(err).toBeLessThan(2 * (m.offset_sd_s as number));
  }, 300_000);

  it('under --fallback none the end pair places it, its offset sd over 2 ms saying how unsure that is', async () => {
    const { m, err } = await run('none');
    expect(m.method).toBe('tone');
    expect(m.offset_sd_s).toBeGreaterThan(0.002);
    expect(err).toBeLessThan(2 * (m.offset_sd_s as number));
  }, 300_000);
});
