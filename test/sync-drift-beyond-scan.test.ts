/**
 * A content match whose clock runs beyond the drift range audioOffset searches (±250 ppm) but whose best fit in that
 * range lies inside it, not at its edge (place.ts withDriftBeyondEdge). ttrial50 session B (fixtures/sync/PROVENANCE.md):
 * a 21 s camera 400 ppm fast against its lav, beeps at both ends, both read within 0.1 ms. Its two 10 s windows fitted
 * -97.7 and +55.5 ppm (halves 2.7 and 1.5 ms apart), their lines lay 4.1 and 2.4 ms off the right beeps, so the pair
 * check (pairAgainstContent) set the right start beep aside as "suspect" and the drift came from the content:
 * -95.9 ± 10 ppm here (true 400; exit 0). Searched to 500 ppm the windows read about 400 ppm at z 140-150: both beeps
 * are kept and the drift is theirs.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syncSession } from '../src/sync/session.js';
import { FIXTURES } from './helpers/cli.js';

const DIR = join(FIXTURES, 'sync', 'drift');
/** gen.py's truth: t_lav = OFFSET + t_cam (1 + K); the lav's beeps at 1.0 and 18.5 s. */
const [OFFSET, K] = [0.4137, 400e-6];
const BEEPS_LAV = [1.0, 18.5];

describe('a content drift beyond the range searched, its fit inside it', () => {
  it('ttrial50 session B (camera 400 ppm fast): both right beeps kept, the drift within 2 sd of 400 ppm, the clock within 1 ms at both', async () => {
    const map = await syncSession([{ file: join(DIR, 'ttrial50-B-lav.opus') }, { file: join(DIR, 'ttrial50-B-cam.opus') }], { ends: 'both' });
    const cam = map.streams[1];
    expect(cam.method).toBe('tone');
    // Before: ["end"] (the start beep "suspect"), drift -95.9 ppm with sd 10.
    expect((cam.pulses as { used: string[] }).used).toEqual(['start', 'end']);
    const [k, kSd] = [cam.drift_ppm as number, cam.drift_sd_ppm as number];
    expect(Math.abs(k - K * 1e6)).toBeLessThan(2 * kSd);
    for (const tLav of BEEPS_LAV) {
      const tCam = (tLav - OFFSET) / (1 + K);
      expect(Math.abs((cam.offset_s as number) + tCam * (1 + k * 1e-6) - tLav)).toBeLessThan(0.001);
    }
    expect((cam.warnings as Array<{ code: string }>).map((w) => w.code)).not.toContain('unplaceable_pulse');
  }, 60_000);
});
