import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, InputError } from '../src/common/errors.js';
import { clockOf, loadClock } from '../src/sync/clock.js';
import { tempDir } from './helpers/cli.js';

describe('sync clock map', () => {
  it('applies offset and drift', () => {
    const c = clockOf({ offset_s: 1.5, drift_ppm: 100 });
    expect(c(0)).toBe(1.5);
    expect(c(1000)).toBeCloseTo(1000 + 1.5 + 0.1, 12);
    expect(clockOf({ offset_s: -0.25, drift_ppm: null })(2)).toBe(1.75);
  });
  it('finds a stream by path relative to sync.json and rejects unknown ones', async () => {
    const t = tempDir();
    try {
      const p = join(t.dir, 'sync.json');
      writeFileSync(p, JSON.stringify({ version: 1, reference: { file: 'lav.wav', kind: 'audio', stream: 0 }, streams: [
        { file: 'lav.wav', kind: 'audio', stream: 0, offset_s: 0, drift_ppm: null, method: 'reference', confidence: 1 },
        { file: 'cam.mp4', kind: 'video', stream: 0, offset_s: 0.5, drift_ppm: null, method: 'flash', confidence: 0.9 },
      ] }));
      const c = await loadClock(p, join(t.dir, 'cam.mp4'), 'video');
      expect(c(1)).toBe(1.5);
      await expect(loadClock(p, join(t.dir, 'cam.mp4'), 'audio')).rejects.toThrow(/has no audio stream/);
      // what the map holds and what to do (a new user passed another session's map and was told only what it lacks)
      await expect(loadClock(p, join(t.dir, 's02_lav.wav'), 'audio')).rejects.toThrow(/has no audio stream 0 of \S*s02_lav\.wav \(it holds lav\.wav, cam\.mp4\): pass the sync map made for this file's session, or make one with mmprep sync/);
      // Another session's file with the same base name is refused (exit 2), never matched by name.
      const other = join(t.dir, 'B', 'cam.mp4');
      const err = await loadClock(p, other, 'video').catch((e: unknown) => e as InputError);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).exitCode).toBe(EXIT.BAD_INPUT);
      expect((err as InputError).message).toMatch(/was made for \S*cam\.mp4; \S*B.cam\.mp4 does not exist, so it cannot be checked to be that file: put the media where the manifest names them/);
      mkdirSync(join(t.dir, 'B'));
      writeFileSync(join(t.dir, 'cam.mp4'), 'camera A');
      writeFileSync(other, 'camera B');
      const err2 = await loadClock(p, other, 'video').catch((e: unknown) => e as InputError);
      expect((err2 as InputError).exitCode).toBe(EXIT.BAD_INPUT);
      expect((err2 as InputError).message).toMatch(/not \S*B.cam\.mp4 \(same name, different content\); rerun mmprep sync/);
    } finally {
      t.cleanup();
    }
  });
});
