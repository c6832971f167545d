/**
 * A camera-only session whose file's first audio stream is a silent input and whose microphone is its second (trial
 * 2026-12-06, ttrial46 row 5): `extract --only audio --strict` wrote 1001 frames of digital silence, exit 0, with only
 * the "2 audio streams" note. Now the audio stage says the stream is digital silence and names the other stream;
 * with --strict the session fails in audio as a face track without a face does (extract-strict-face.test.ts), also
 * under --resume over a folder a run without --strict made (it was skipped with exit 0: ttrial47 5e).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegSync } from './helpers/ffmpeg.js';
import { runCli, tempDir } from './helpers/cli.js';

const { dir, cleanup } = tempDir('mmprep-strict-silence-');
afterAll(() => cleanup());

let manifest: string;
beforeAll(() => {
  // 2 s: audio stream 0 all zeros, stream 1 a tone (the microphone), in one Matroska file
  ffmpegSync(['-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-f', 'lavfi', '-i', 'sine=f=300:sample_rate=16000', '-map', '0', '-map', '1', '-t', '2', '-c:a', 'pcm_s16le', join(dir, 'cam.mka')]);
  manifest = join(dir, 'm.csv');
  writeFileSync(manifest, 'session_id,speaker_id,cam_audio\nq,p1,cam.mka\n');
});

const SAID = /audio stream 0 is digital silence throughout \(every sample 0\): its features are those of silence \(every frame unvoiced, rms 0\), not of a recording; the file has 2 audio streams: analyse another \(mmprep audio --stream 1; for extract, give it its own file: ffmpeg -i cam\.mka -map 0:a:1 -c copy cam-a1\.mka, in an \*_audio column\)/;

describe('extract and an audio stream of digital silence', () => {
  it('without --strict: a warning naming the other stream, the session kept (exit 0)', async () => {
    const r = await runCli(['extract', manifest, '-o', join(dir, 'out'), '--only', 'audio', '--progress', 'none']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`session q \\(line 2\\): warning: audio: cam\\.mka: ${SAID.source}`));
    expect(existsSync(join(dir, 'out', 'q', 'audio.jsonl'))).toBe(true);
  }, 60_000);

  it('--resume --strict over that folder: the session fails in audio (exit 4), its folder kept', async () => {
    const r = await runCli(['extract', manifest, '-o', join(dir, 'out'), '--only', 'audio', '--progress', 'none', '--resume', '--strict']);
    expect(r.code, r.stderr).toBe(4);
    const err = JSON.parse(readFileSync(join(dir, 'out', '_errors.jsonl'), 'utf8'));
    expect(err).toMatchObject({ session_id: 'q', stage: 'audio', earlier_output_kept: true, reason: expect.stringMatching(new RegExp(`^produced no data: cam\\.mka: ${SAID.source}.* \\(--strict; recorded by the earlier run`)) });
    expect(existsSync(join(dir, 'out', 'q', 'audio.jsonl'))).toBe(true);
  }, 60_000);

  it('with --strict: the session fails in audio (exit 4), named in _errors.jsonl', async () => {
    const out = join(dir, 'out-strict');
    const r = await runCli(['extract', manifest, '-o', out, '--only', 'audio', '--progress', 'none', '--strict']);
    expect(r.code, r.stderr).toBe(4);
    const err = JSON.parse(readFileSync(join(out, '_errors.jsonl'), 'utf8'));
    expect(err).toMatchObject({ session_id: 'q', stage: 'audio', reason: expect.stringMatching(new RegExp(`^produced no data: cam\\.mka: ${SAID.source}.* \\(--strict\\)$`)) });
    expect(existsSync(join(out, 'q'))).toBe(false);
  }, 60_000);
});
