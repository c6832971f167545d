/**
 * A session of one stream (an audio-only manifest row, `mmprep sync x.wav`): nothing to align, so the stream is its
 * own reference clock (offset 0, method 'single_stream', a warning that no alignment was measured) and sync exits 0;
 * `extract` of an audio-only session completes with sync and audio. Two streams without a pulse are still refused.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir, runCliInProcess } from './helpers/cli.js';
import { SPEECH_CLIPS } from './sync-media.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-sync-single-'));
  copyFileSync(join(FIXTURES, 'demo', 's01_lav.flac'), join(dir, 'lav.flac'));
});
afterAll(() => cleanup());

const SINGLE_LINE = (file: string) => `${file} audio stream 0: single_stream: the only stream of the session: it is its own reference clock (offset 0); no alignment was measured`;

describe('one stream: its own reference (trial item 4)', () => {
  it('mmprep sync x.flac alone: exit 0, offset 0, method single_stream, a warning that no alignment was measured', async () => {
    const out = join(dir, 'sync.json');
    const r = await runCliInProcess(['sync', 'lav.flac', '-o', out], { cwd: dir });
    expect(r.code).toBe(0);
    // one stderr line, the one extract prints for such a session (file named relative to the working folder)
    expect(r.stderr).toBe(`mmprep sync: warning: ${SINGLE_LINE('lav.flac')}\n`);
    const map = JSON.parse(readFileSync(out, 'utf8'));
    expect(map.reference).toEqual({ file: 'lav.flac', kind: 'audio', stream: 0 });
    expect(map.streams).toHaveLength(1);
    expect(map.streams[0]).toMatchObject({ kind: 'audio', stream: 0, offset_s: 0, drift_ppm: 0, method: 'single_stream', confidence: 1 });
    expect(map.streams[0].warnings).toContainEqual({ code: 'single_stream', message: expect.stringContaining('no alignment was measured') });
    // Its beep is still looked for and reported (fixtures/demo/truth.json: beep_lav_s 1.5), though none is needed.
    expect(Math.abs(map.streams[0].pulses.start_s - 1.5)).toBeLessThan(0.01);
  });
  it('negative control: two audio files without a pulse are still refused (exit 2)', async () => {
    const r = await runCliInProcess(['sync', SPEECH_CLIPS[0], SPEECH_CLIPS[2], '-o', join(dir, 'two.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no usable sync pulse');
  });
  it('extract of an audio-only session completes with sync.json and the audio outputs; face says it has no video', async () => {
    const manifest = join(dir, 'manifest.csv');
    writeFileSync(manifest, 'session_id,speaker_id,lav_audio\ns1,p1,lav.flac\n');
    const out = join(dir, 'out');
    const r = await runCli(['extract', manifest, '-o', out, '--progress', 'lines']);
    expect(r.code).toBe(0);
    // The file is named as the manifest's cell names it (src/batch/sync-names.ts), not by its absolute path.
    // An audio-only row has nothing to align and no video: neither is a session warning (ttrial51 F2); sync.json records it.
    expect(r.stderr).not.toContain('warning:');
    expect(JSON.parse(r.stdout)).toMatchObject({ done: 1, failed: 0, warnings: 0, not_applicable: { face: 1 } });
    const map = JSON.parse(readFileSync(join(out, 's1', 'sync.json'), 'utf8'));
    expect(map.streams.map((e: { method: string }) => e.method)).toEqual(['single_stream']);
    expect(readFileSync(join(out, 's1', 'audio.jsonl'), 'utf8').split('\n').filter(Boolean).length).toBeGreaterThan(100);
    const meta = JSON.parse(readFileSync(join(out, 's1', 'meta.json'), 'utf8'));
    expect(meta.clock.sync).toBe('computed');
    expect(meta.not_produced).toEqual([]);
    expect(meta.not_applicable).toEqual([{ stage: 'face', reason: 'the session has no video role' }]);
  });
});
