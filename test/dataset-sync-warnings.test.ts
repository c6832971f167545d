/**
 * A session's sync warnings reach the release (a trial, 2026-12-05): a picture placed on its sound's clock with an sd
 * of 29 ms (`camera_clock_shared`, `offset_uncertain`) or a camera of another session placed by its own beep
 * (`content_mismatch`) read `quality.sync_confidence` 0.95-0.999 in the release, and neither manifest.json's
 * `sessions[].warnings` nor the card said a word. Now both carry them; warnings that do not make a placement less
 * sure (`short_file`, `extra_pulses`) stay in the extract folder. Synthetic feature folders, no media decoded.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../src/dataset/build.js';
import { writeSyntheticSession } from '../src/dataset/synthetic-features.js';
import { FIXTURES, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-build-sync-warnings-');
afterAll(() => tmp.cleanup());
const DEMO = join(FIXTURES, 'demo');
const UNCERTAIN = { code: 'offset_uncertain', message: 'offset uncertain: sd 28.9 ms, 2 sd (57.7 ms) beyond half a frame (20.0 ms), the target: the picture may be placed more than half a frame off' };
const SHORT = { code: 'short_file', message: 'is 10.0 s long: searched its first 5.0 s (half) for the pulse' };

describe('dataset build: the sessions\' sync warnings', () => {
  it('an uncertain placement is in manifest.json sessions[].warnings and the card; a short_file note is not', async () => {
    const feats = join(tmp.dir, 'features');
    for (const [i, id] of ['s01', 's02', 's03'].entries())
      await writeSyntheticSession(feats, { session_id: id, duration_s: 10, seed: 41 + i, mediaDir: DEMO, videoSyncWarnings: id === 's02' ? [SHORT, UNCERTAIN] : [SHORT] });
    const out = join(tmp.dir, 'out');
    const r = await buildDataset(join(DEMO, 'manifest.csv'), { features: feats, out, segments: 'fixed:2' });
    const line = `sync: s02_camera.mp4 video stream 0: offset_uncertain: ${UNCERTAIN.message}`;
    expect(r.manifest.sessions.find((s) => s.session_id === 's02')!.warnings).toContain(line);
    for (const id of ['s01', 's03']) expect(JSON.stringify(r.manifest.sessions.find((s) => s.session_id === id)!.warnings ?? [])).not.toMatch(/sync:/);
    expect(JSON.stringify(r.manifest)).not.toMatch(/short_file/);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain(`session s02: ${line}`);
  });
});
