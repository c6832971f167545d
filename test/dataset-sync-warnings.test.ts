/**
 * A session's sync warnings reach the release (a trial, 2026-12-05): a picture placed on its sound's clock with an sd
 * of 29 ms (`camera_clock_shared`, `offset_uncertain`) or a camera of another session placed by its own beep
 * (`content_mismatch`) read `quality.sync_confidence` 0.95-0.999 in the release, and neither manifest.json's
 * `sessions[].warnings` nor the card said a word. Now both carry them; warnings that do not make a placement less
 * sure (`short_file`, `extra_pulses`) stay in the extract folder. Synthetic feature folders, no media decoded.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../src/dataset/build.js';
import { syncConfidence } from '../src/dataset/build-session.js';
import { syncMapWarnings } from '../src/dataset/sync-warnings.js';
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
    // meta.json's sources say which files the features came from: a picture's warning is left out of a release
    // built without face features (dataset-ref-role's session without face features showed one)
    const meta = join(feats, 's02', 'meta.json');
    writeFileSync(meta, JSON.stringify({ ...JSON.parse(readFileSync(meta, 'utf8')), sources: { audio: { role: 'lav_audio', file: 's02_lav.flac', stream: 'audio' }, face: { role: 'video', file: 's02_camera.mp4', stream: 'video' } } }));
    const withFace = await buildDataset(join(DEMO, 'manifest.csv'), { features: feats, out: join(tmp.dir, 'out-face'), segments: 'fixed:2' });
    expect(withFace.manifest.sessions.find((s) => s.session_id === 's02')!.warnings).toContain(line);
    // ... built without face features, the picture's warning is left out, unless the camera's clock times the
    // transcript (the demo's s02: transcript_clock video), whose words its placement moves
    const absolute = readFileSync(join(DEMO, 'manifest.csv'), 'utf8').replace(/\bs0\d_[\w.]+/g, (f) => join(DEMO, f));
    const lavTimed = join(tmp.dir, 'manifest-lav-clock.csv');
    writeFileSync(lavTimed, absolute.replace(/,video\n/, ',\n'));
    const noFace = await buildDataset(lavTimed, { features: feats, out: join(tmp.dir, 'out-noface'), segments: 'fixed:2', faceFeatures: 'none' });
    expect(JSON.stringify(noFace.manifest.sessions.find((s) => s.session_id === 's02')!.warnings ?? [])).not.toMatch(/sync:/);
    const camTimed = join(tmp.dir, 'manifest-video-clock.csv');
    writeFileSync(camTimed, absolute);
    const clocked = await buildDataset(camTimed, { features: feats, out: join(tmp.dir, 'out-clock'), segments: 'fixed:2', faceFeatures: 'none' });
    expect(clocked.manifest.sessions.find((s) => s.session_id === 's02')!.warnings).toContain(line);
  });
});

describe('quality.sync_confidence', () => {
  // ttrial50: a lav-only session (sync.json's one stream, method single_stream, "no alignment was measured") read 1.
  const stream = (file: string, method: string, confidence: number) => ({ file, kind: 'audio' as const, stream: 0, offset_s: 0, drift_ppm: 0, method, confidence });
  const map = (...streams: ReturnType<typeof stream>[]) => ({ version: 1 as const, reference: { file: streams[0].file, kind: 'audio' as const, stream: 0 }, streams });
  it('is the lowest confidence of the placed streams; null when sync placed none (a single-stream session)', () => {
    expect(syncConfidence(map(stream('C_lav.wav', 'single_stream', 1)))).toBeNull();
    expect(syncConfidence(map(stream('A_lav.wav', 'reference', 1), stream('A_cam.mp4', 'tone', 0.997)))).toBe(0.997);
    expect(syncConfidence(null)).toBeNull();
  });
});

describe('a picture placed with a real A/V skew (av_skew)', () => {
  // tuser59: a Zoom-like camera whose sound lags 100 ms, placed by both flashes with av_skew on extract's stderr; the
  // release built from it carried no word of it (a recording without that delay would have its face 100 ms off).
  it('is kept for the release, beside the picture\'s other kept warnings', () => {
    const AV = { code: 'av_skew', message: "the file's sound (audio stream 0, placed by its beeps) lags its picture by 112.7 ms (sd 8.1 ms; ...)" };
    const map = { version: 1 as const, reference: { file: 'lav.wav', kind: 'audio' as const, stream: 0 }, streams: [
      { file: 'lav.wav', kind: 'audio' as const, stream: 0, offset_s: 0, drift_ppm: 0, method: 'reference', confidence: 1 },
      { file: 'cam.mp4', kind: 'video' as const, stream: 0, offset_s: 1.64, drift_ppm: 0, method: 'flash', confidence: 0.999, warnings: [SHORT, AV] },
    ] };
    expect(syncMapWarnings(map as never, ['lav.wav', 'cam.mp4'])).toEqual([{ code: 'av_skew', message: `sync: cam.mp4 video stream 0: av_skew: ${AV.message}` }]);
  });
});
