/**
 * A decoder that dies of SIGKILL (the kernel's out-of-memory killer) or a crash must not pass as a short recording.
 * fluent-ffmpeg reports "Output stream closed" instead of the signal when the pipe closes more than 20 ms before the
 * exit event (under load), and the decoders take that error as a normal end; a window decode (sync, `-t`) then
 * returned the samples read so far, even none, without an error. A wrapper stands for ffmpeg: it lets the real one
 * run briefly, kills it, closes the pipe, ignores fluent-ffmpeg's SIGTERM and dies of SIGKILL 0.3 s later.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudioToArray } from '../src/media/decode-audio.js';
import { FIXTURES, tempDir } from './helpers/cli.js';
import { countDecodedFrames } from './helpers/decode.js';
import { useFfmpegWrapper } from './helpers/ffmpeg.js';

const { dir, cleanup } = tempDir('mmprep-child-death-');
afterAll(() => cleanup());

beforeAll(() => {
  for (const f of ['s01_camera.mp4', 's01_lav.flac']) copyFileSync(join(FIXTURES, 'demo', f), join(dir, f));
  return useFfmpegWrapper(dir, (real) => `#!/bin/sh
case "$*" in
  *f32le*|*rawvideo*) '${real}' "$@" & pid=$!; sleep 0.02; kill -KILL $pid; trap "" TERM; exec >&- 2>&-; sleep 0.3; kill -KILL $$ ;;
esac
exec '${real}' "$@"
`);
});

describe.runIf(process.platform === 'linux')('a decoder killed by SIGKILL after its pipe closed', () => {
  it('an audio window decode fails naming the signal instead of returning what was read', async () => {
    await expect(decodeAudioToArray(join(dir, 's01_lav.flac'), { start: 1, duration: 6 })).rejects.toThrow(/cannot decode audio \(ffmpeg killed by SIGKILL/);
  });

  it('a video decode fails instead of ending early', async () => {
    await expect(countDecodedFrames(join(dir, 's01_camera.mp4'))).rejects.toThrow(/cannot decode video \(ffmpeg killed by SIGKILL/);
  });
});
