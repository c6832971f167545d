/**
 * Warnings about a session's recordings reach the release (ttrial47 W5, W7): a pair's sync content warning when either
 * file of the pair is a source of the release, and the audio and face stages' warnings (audio.summary.json notes,
 * face.summary.json counts) as session issues of kind `audio_stage` and `face_stage`. Before, an audio-only release
 * from a row with another session's lav, a lav of two speakers' channels averaged, an 8 kHz lav and a damaged camera
 * file all gave issues [] and a silent card, exit 0. Synthetic feature folders, no media decoded.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../src/dataset/build.js';
import { syncMapWarnings } from '../src/dataset/sync-warnings.js';
import { writeSyntheticSession } from '../src/dataset/synthetic-features.js';
import type { SyncMap } from '../src/sync/clock.js';
import { FIXTURES, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-build-stage-warnings-');
afterAll(() => tmp.cleanup());
const DEMO = join(FIXTURES, 'demo');

describe('dataset build: a pair warning is kept when either file of the pair is a source', () => {
  const unchecked = { code: 'content_unchecked', message: 'its placement rests on its pulse alone: … (is s01_camera.mp4 of this session?)' };
  const uncertain = { code: 'offset_uncertain', message: 'offset uncertain: sd 28.9 ms' };
  // ttrial47 W7: the camera's sound was placed from another session's lav; the warning sits on the camera's stream
  const map = {
    version: 1,
    reference: { file: '../../s02_lav.flac', kind: 'audio', stream: 0 },
    streams: [
      { file: '../../s02_lav.flac', kind: 'audio', stream: 0, offset_s: 0, confidence: 1 },
      { file: '../../s01_camera.mp4', kind: 'audio', stream: 0, offset_s: -0.62, confidence: 0.999, placed_from: { file: '../../s02_lav.flac', kind: 'audio', stream: 0 }, warnings: [unchecked, uncertain] },
    ],
  } as unknown as SyncMap;
  it('an audio-only release from the lav keeps the camera stream\'s content_unchecked, not its own offset_uncertain', () => {
    const kept = syncMapWarnings(map, ['s02_lav.flac']);
    expect(kept.map((w) => w.code)).toEqual(['content_unchecked']);
    expect(kept[0].message).toBe(`sync: s01_camera.mp4 audio stream 0: content_unchecked: ${unchecked.message}`);
    // neither file of the pair is a source: left out, as before
    expect(syncMapWarnings(map, ['other.flac'])).toEqual([]);
    expect(syncMapWarnings(map, ['s01_camera.mp4']).map((w) => w.code)).toEqual(['content_unchecked', 'offset_uncertain']);
  });
  it("a picture on its own clock, or whose drift is its sound's unchecked, or placed apart from its sound (av_skew, session 59), reaches the release (since 2026-12-06)", () => {
    const own = { code: 'picture_own_clock', message: 'placed by its own flashes' };
    const assumed = { code: 'picture_drift_assumed', message: "its drift is its sound's, not checked" };
    const pic = { file: '../../s01_camera.mp4', kind: 'video', stream: 0, offset_s: -0.62, confidence: 0.9, placed_from: { file: '../../s02_lav.flac', kind: 'audio', stream: 0 } };
    const skew = { code: 'av_skew', message: "the file's sound lags its picture by 72.5 ms" };
    const m = { ...map, streams: [map.streams[0], { ...pic, warnings: [own] }, { ...pic, stream: 1, warnings: [assumed] }, { ...pic, stream: 2, warnings: [skew] }] } as unknown as SyncMap;
    expect(syncMapWarnings(m, ['s01_camera.mp4']).map((w) => w.code)).toEqual(['picture_own_clock', 'picture_drift_assumed', 'av_skew']);
  });
  it("a camera placed by its content (content_lag: the talkers' lag, not the beep's, ±8.75 ms) reaches a release of its face features, not one of the lav alone (since 2026-12-08)", () => {
    const lag = { code: 'content_lag', message: "placed by its content, at the talkers' lag against s02_lav.flac, not the beep's" };
    const cam = { file: '../../s01_camera.mp4', kind: 'audio', stream: 0, offset_s: -0.62, confidence: 0.9, placed_from: { file: '../../s02_lav.flac', kind: 'audio', stream: 0 }, warnings: [lag] };
    const m = { ...map, streams: [map.streams[0], cam] } as unknown as SyncMap;
    expect(syncMapWarnings(m, ['s01_camera.mp4'])).toEqual([{ code: 'content_lag', message: `sync: s01_camera.mp4 audio stream 0: content_lag: ${lag.message}` }]);
    expect(syncMapWarnings(m, ['s02_lav.flac'])).toEqual([]);
  });
  it("a sound whose end was not checked for a pause (continuity_unchecked) reaches a release of that file's features (since 2026-12-08, tuser62)", () => {
    const unread = { code: 'continuity_unchecked', message: "continuity not checked to its end: placed at its start (--ends start), and its sound in 4.7-9.7 s shares no clear sound with s02_lav.flac's" };
    const cam = { file: '../../s01_camera.mp4', kind: 'audio', stream: 0, offset_s: 0.3, confidence: 0.996, placed_from: { file: '../../s02_lav.flac', kind: 'audio', stream: 0 }, warnings: [unread] };
    const m = { ...map, streams: [map.streams[0], cam] } as unknown as SyncMap;
    expect(syncMapWarnings(m, ['s01_camera.mp4'])).toEqual([{ code: 'continuity_unchecked', message: `sync: s01_camera.mp4 audio stream 0: continuity_unchecked: ${unread.message}` }]);
    expect(syncMapWarnings(m, ['s02_lav.flac'])).toEqual([]);
  });
});

describe('dataset build: the audio and face stages\' warnings', () => {
  it('an 8 kHz lav and a damaged camera file are session issues (audio_stage, face_stage) and lines of the card', async () => {
    const feats = join(tmp.dir, 'features');
    for (const [i, id] of ['s01', 's02', 's03'].entries()) await writeSyntheticSession(feats, { session_id: id, duration_s: 10, seed: 71 + i, mediaDir: DEMO });
    const dir = join(feats, 's02');
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
    writeFileSync(join(dir, 'meta.json'), JSON.stringify({ ...meta, sources: { audio: { role: 'lav_audio', file: 's02_lav.flac', stream: 'audio' }, face: { role: 'video', file: 's02_camera.mp4', stream: 'video' } } }));
    // the fields the stages' warnings read, as extract writes them (audio.summary.json source, face.summary.json counts)
    writeFileSync(join(dir, 'audio.summary.json'), JSON.stringify({ sample_rate_hz: 16000, duration_s: 10, source: { codec: 'flac', sample_rate_hz: 8000, channels: 1 }, notes: [] }));
    writeFileSync(join(dir, 'face.summary.json'), JSON.stringify({ frames_analysed: 250, frames_with_face: 250, decode_errors: { errors: 18, concealed_frames: 3 } }));
    const out = join(tmp.dir, 'out');
    const r = await buildDataset(join(DEMO, 'manifest.csv'), { features: feats, out, segments: 'fixed:2' });
    const issues = r.manifest.sessions.find((s) => s.session_id === 's02')!.issues ?? [];
    const audio = 'audio: s02_lav.flac: recorded at 8000 Hz and analysed at 16000 Hz: nothing above 4000 Hz, so the mel bands above it are empty and its MFCCs are not comparable with full-band recordings';
    expect(issues).toContainEqual({ kind: 'audio_stage', message: audio });
    expect(issues.filter((x) => x.kind === 'face_stage').map((x) => x.message)).toEqual([expect.stringMatching(/^face: s02_camera\.mp4: ffmpeg reported 18 decode error\(s\) and patched up 3 damaged picture\(s\)/)]);
    for (const id of ['s01', 's03']) expect(r.manifest.sessions.find((s) => s.session_id === id)!.issues ?? []).toEqual([]);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain(`session s02: ${audio}`);
    // built without face features, the picture's warnings are not the release's
    const noFace = await buildDataset(join(DEMO, 'manifest.csv'), { features: feats, out: join(tmp.dir, 'out-noface'), segments: 'fixed:2', faceFeatures: 'none' });
    expect((noFace.manifest.sessions.find((s) => s.session_id === 's02')!.issues ?? []).map((x) => x.kind)).toEqual(['audio_stage']);
  });
});
