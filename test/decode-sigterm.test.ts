/**
 * Whose SIGTERM killed a decoder. fluent-ffmpeg kills ffmpeg with SIGTERM 20 ms after the output pipe closed (a
 * complete decode whose exit is seen late, under load): that death is a complete decode. A SIGTERM from someone else
 * (a group SIGTERM reaching ffmpeg right after exec, before ffmpeg catches the signal) cuts the decode short, which
 * must not pass as a shorter recording: it passed until the decoders told the two apart (src/media/children.ts).
 * A wrapper stands for ffmpeg (WRAP_MODE, read when it starts):
 * - `outside`: the real ffmpeg runs briefly and is killed, then the wrapper dies of a SIGTERM it sends itself, its
 *   stderr held open for 1 s by a `sleep`: fluent-ffmpeg then reports "Output stream closed" (and sends its own
 *   SIGTERM to the dead child) before it reports the death, the order a loaded machine produces;
 * - `late-exit`: the real ffmpeg decodes everything, then the wrapper closes its pipes and lingers, so fluent-ffmpeg's
 *   own SIGTERM ends it (were it not killed, its exit 3 after 20 s would fail the decode).
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudioToArray } from '../src/media/decode-audio.js';
import { FIXTURES, tempDir } from './helpers/cli.js';
import { countDecodedFrames } from './helpers/decode.js';
import { useFfmpegWrapper } from './helpers/ffmpeg.js';

const { dir, cleanup } = tempDir('mmprep-decode-sigterm-');
afterAll(() => cleanup());
afterEach(() => {
  delete process.env.WRAP_MODE;
});

beforeAll(() => {
  for (const f of ['s01_camera.mp4', 's01_lav.flac']) copyFileSync(join(FIXTURES, 'demo', f), join(dir, f));
  return useFfmpegWrapper(dir, (real) => `#!/bin/sh
case "$WRAP_MODE:$*" in
  outside:*f32le*|outside:*rawvideo*) '${real}' "$@" & pid=$!; sleep 0.05; kill -KILL $pid; wait $pid; sleep 1 >&- & kill -TERM $$; sleep 5 ;;
  late-exit:*f32le*|late-exit:*rawvideo*) '${real}' "$@"; exec >&- 2>&-; sleep 20; exit 3 ;;
esac
exec '${real}' "$@"
`);
});

describe.runIf(process.platform === 'linux')('a decoder that died of SIGTERM', () => {
  it('sent by someone else: the audio and video decodes fail naming it (held for an interrupt by extract)', async () => {
    process.env.WRAP_MODE = 'outside';
    await expect(decodeAudioToArray(join(dir, 's01_lav.flac'), { start: 1, duration: 6 })).rejects.toThrow(/cannot decode audio \(ffmpeg was killed with signal SIGTERM by another process/);
    await expect(countDecodedFrames(join(dir, 's01_camera.mp4'))).rejects.toThrow(/cannot decode video \(ffmpeg was killed with signal SIGTERM by another process/);
  });

  it('sent by fluent-ffmpeg after the pipe closed: a complete decode, every sample and frame', async () => {
    const audio = await decodeAudioToArray(join(dir, 's01_lav.flac'), { start: 1, duration: 6 });
    const frames = await countDecodedFrames(join(dir, 's01_camera.mp4'));
    process.env.WRAP_MODE = 'late-exit';
    const late = await decodeAudioToArray(join(dir, 's01_lav.flac'), { start: 1, duration: 6 });
    expect(late.samples).toEqual(audio.samples);
    expect(await countDecodedFrames(join(dir, 's01_camera.mp4'))).toBe(frames);
  });
});
