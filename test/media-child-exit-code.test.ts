/**
 * An ffmpeg that catches SIGINT or SIGTERM mid-decode (sent to it alone, or by Slurm or systemd to every process of
 * the job) stops, closes its output and exits 255 ("Exiting normally, received signal 2."). When its exit is seen more
 * than 20 ms after its pipe closed (a descheduled process under load), fluent-ffmpeg reports "Output stream closed"
 * instead, and the decoders took that as a normal end: a 10 s MP3 (a container without an exact duration, so no
 * truncation check) passed as a shorter recording, exit 0. A wrapper stands for ffmpeg: it runs the real one at 1x
 * speed (-re), interrupts it 2 s in, closes the pipe, and exits with the real one's status 0.3 s after it ended,
 * ignoring fluent-ffmpeg's SIGTERM in between as ffmpeg does once it is exiting.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudioToArray } from '../src/media/decode-audio.js';
import { FIXTURES, tempDir } from './helpers/cli.js';
import { countDecodedFrames } from './helpers/decode.js';
import { ffmpegSync, useFfmpegWrapper } from './helpers/ffmpeg.js';

const { dir, cleanup } = tempDir('mmprep-child-exit-');
afterAll(() => cleanup());

beforeAll(() => {
  copyFileSync(join(FIXTURES, 'demo', 's01_camera.mp4'), join(dir, 's01_camera.mp4'));
  ffmpegSync(['-i', join(FIXTURES, 'demo', 's01_lav.flac'), '-c:a', 'libmp3lame', '-b:a', '64k', join(dir, 'lav.mp3')]);
  return useFfmpegWrapper(dir, (real) => `#!/bin/sh
case "$MMPREP_TEST_DEATH:$*" in
  INT:*f32le*)
    # A decoder that dies of SIGINT after writing (one that does not catch it, signalled alone): not a short file.
    # It dies once the decoder has its first 4 KiB (head passes them on), not after a time: under load a fixed sleep
    # could end before ffmpeg wrote anything, and a SIGINT death with no output is a group Ctrl-C, started again.
    fifo="${dir}/out.$$"; mkfifo "$fifo"
    '${real}' -re "$@" > "$fifo" & pid=$!
    head -c 4096 < "$fifo"; kill -KILL $pid; rm -f "$fifo"; trap '' TERM; exec >&-; sleep 0.3; trap - INT; kill -INT $$ ;;
  *f32le*|*rawvideo*)
    '${real}' -re "$@" & pid=$!
    # Like ffmpeg itself, which catches it and exits with its status: fluent-ffmpeg's SIGTERM 20 ms after the pipe closed.
    trap '' TERM
    exec >&-
    # A SIGINT before ffmpeg set its handler is ignored (an async list's SIGINT is): a second one a while later.
    (for s in 2 2; do sleep $s; grep -q ffmpeg /proc/$pid/cmdline 2>/dev/null && kill -INT $pid; done) &
    wait $pid; rc=$?; sleep 0.3; exit $rc ;;
esac
exec '${real}' "$@"
`);
});

describe.runIf(process.platform === 'linux')('a decoder that caught SIGINT and exited 255 after its pipe closed', () => {
  it('a whole MP3 decode fails naming the signal instead of returning the first 2 s', async () => {
    await expect(decodeAudioToArray(join(dir, 'lav.mp3'))).rejects.toThrow(/cannot decode audio \(.*received signal 2/);
  });

  it('a decoder dead of SIGINT after it wrote is not a complete decode (the group Ctrl-C reaches one only before it ran)', async () => {
    process.env.MMPREP_TEST_DEATH = 'INT';
    try {
      await expect(decodeAudioToArray(join(dir, 'lav.mp3'))).rejects.toThrow(/cannot decode audio \(ffmpeg died of SIGINT/);
    } finally {
      delete process.env.MMPREP_TEST_DEATH;
    }
  });

  it('a video decode fails instead of ending early', async () => {
    await expect(countDecodedFrames(join(dir, 's01_camera.mp4'))).rejects.toThrow(/cannot decode video \(.*received signal 2/);
  });
});
