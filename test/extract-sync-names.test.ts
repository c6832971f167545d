/**
 * issue 11 / trial29 session E: under `mmprep extract`, sync.json's message texts and a sync refusal's line (what
 * _errors.jsonl records as `reason`) named the session's files by their absolute paths, so the same session extracted
 * from another checkout differed byte-wise. They now name the manifest's cells, as meta.json's inputs[] and the
 * audio/face summaries do (src/batch/sync-names.ts); sync.json's `file` fields stay relative to the session's folder.
 * The sync stage is run in-process on 16 kHz WAVs generated here: a 12 s lav with a start beep and a room microphone
 * hearing the same talker without one (placed by cross-correlation: its warning names the lav), and two 8 s beep-less noise
 * files (refused: the line names both); and a 2 s clip of picture and sound in one file without a pulse (a corpus clip:
 * its refusal says such a session needs no sync stage, ttrial59c).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncStage } from '../src/batch/extract-stages.js';
import type { ManifestSession } from '../src/batch/manifest.js';
import { isMmprepError } from '../src/common/errors.js';
import { addBeeps, rng, talker, writeWavF32 } from './sync-media.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

const SR = 16000;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmprep-sync-names-'));
  mkdirSync(join(dir, 'media'));
  const r = rng(5);
  const speech = talker(21, 13 * SR);
  const lav = Float32Array.from({ length: 12 * SR }, (_, i) => 0.3 * speech[i] + 0.002 * r.g());
  addBeeps(lav, SR, [{ t_s: 1.0, dur_s: 0.2, amp: 0.3 }]);
  writeWavF32(join(dir, 'media', 'lav.wav'), lav, SR);
  writeWavF32(join(dir, 'media', 'room.wav'), Float32Array.from({ length: 12 * SR }, (_, i) => 0.2 * speech[i + SR / 2] + 0.01 * r.g()), SR);
  for (const n of ['a', 'b']) writeWavF32(join(dir, 'media', `${n}.wav`), Float32Array.from({ length: 8 * SR }, () => 0.01 * r.g()), SR);
  ffmpegSync(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10', '-i', join(dir, 'media', 'a.wav'), '-t', '2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', join(dir, 'media', 'clip.mp4')]);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function session(id: string, files: Array<[string, string]>): ManifestSession {
  const media = files.map(([role, name]) => ({ role, kind: role === 'video' ? 'video' as const : 'audio' as const, path: join(dir, 'media', name), column: role, given: `media/${name}` }));
  return { session_id: id, speaker_id: 'spk', line: 2, media, ref_role: files[0][0], meta: {} };
}
const run = (s: ManifestSession, options: { ends?: 'both'; fallback?: 'xcorr' } = {}) => {
  const out = join(dir, 'out', s.session_id);
  mkdirSync(out, { recursive: true });
  return syncStage({ session: s, dir: out, options, syncMap: null, faceWorkers: 1 }).then((r) => ({ r, json: readFileSync(join(out, 'sync.json'), 'utf8') }));
};

describe('extract sync stage: texts name the manifest cells, not absolute paths', () => {
  it('sync.json warnings and the stage warning lines', async () => {
    // --ends both: the lav has no end beep, so a no_end_pulse line is told (on stderr, counted in meta.json) naming it.
    const { r, json } = await run(session('s1', [['lav_audio', 'lav.wav'], ['room_audio', 'room.wav']]), { ends: 'both', fallback: 'xcorr' });
    expect(json).not.toContain(dir);
    const room = JSON.parse(json).streams.find((e: { file: string }) => e.file.endsWith('room.wav'));
    expect(room.method).toBe('xcorr');
    expect(room.file).toBe('../../media/room.wav');
    expect(JSON.stringify(room.warnings)).toMatch(/cross-correlating its audio with media\/lav\.wav /);
    expect(r.warnings?.join('\n')).toMatch(/media\/lav\.wav/);
    expect(r.warnings?.join('\n')).not.toContain(dir);
  }, 60_000);

  it('a refusal (the _errors.jsonl reason)', async () => {
    const e = await run(session('s2', [['lav_audio', 'a.wav'], ['room_audio', 'b.wav']])).then(() => null, (x: unknown) => x);
    expect(isMmprepError(e)).toBe(true);
    const line = (e as { toLine(): string }).toLine();
    expect(line).toMatch(/^media\/a\.wav, media\/b\.wav: no usable sync pulse /);
    expect(line).not.toContain(dir);
  }, 60_000);

  it('a clip of picture and sound in one file without a pulse: the refusal says to extract it with --only audio,face', async () => {
    const e = await run(session('clip', [['video', 'clip.mp4']])).then(() => null, (x: unknown) => x);
    const line = (e as { toLine(): string }).toLine();
    expect(line).toMatch(/^media\/clip\.mp4: no usable sync pulse .*this session is one file, its picture and sound on that file's own clock: .* --only audio,face /);
    // Two files without a pulse are not told so (they do need syncing).
    const two = await run(session('s3', [['lav_audio', 'a.wav'], ['room_audio', 'b.wav']])).then(() => null, (x: unknown) => x);
    expect((two as { toLine(): string }).toLine()).not.toMatch(/--only audio,face/);
  }, 60_000);
});
