/**
 * A stream that ends far before its file's other streams, given to a standalone command: `mmprep extract` fails such
 * a session in `inputs` (src/media/file-end.ts), but `mmprep face` of a picture that stopped at 6 s of a 10 s file,
 * `mmprep audio` of a sound that stopped so, and `mmprep sync` of either said nothing (exit 0, features or a
 * placement covering part of the file). Now each warns with extract's own line (the stream, both ends, what to do),
 * exit 0: what the stream holds is analysed right. A stream cut short (its packets stop before its header's end) is
 * refused by the decoders already (test extract-truncated-input, stream-ends).
 * The clips are the demo camera (10 s) with its picture or its sound taken from its first 6 s, by stream copy.
 */
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, runCliInProcess, tempDir, type CliResult } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';
import { ffmpegBinaries } from '../src/media/ffmpeg-path.js';

const tmp = tempDir('mmprep-short-stream-');
afterAll(() => tmp.cleanup());
const camera = join(FIXTURES, 'demo', 's01_camera.mp4');

beforeAll(() => {
  ffmpegSync(['-t', '6', '-i', camera, '-i', camera, '-map', '0:v', '-map', '1:a', '-c', 'copy', '-movflags', '+faststart', join(tmp.dir, 'pic6.mp4')]);
  ffmpegSync(['-i', camera, '-t', '6', '-i', camera, '-map', '0:v', '-map', '1:a', '-c', 'copy', '-movflags', '+faststart', join(tmp.dir, 'snd6.mp4')]);
  copyFileSync(join(FIXTURES, 'demo', 's01_lav.flac'), join(tmp.dir, 'lav.flac'));
});

const picture = /its video stream 0 ends at 6\.0\d\d s but its audio stream 0 goes on to 10\.0\d\d s: the picture stopped before the sound .*; replace it with the full recording, or keep the part where all its streams run and use that file: ffmpeg -i pic6\.mp4 -c copy -t 6\.0\d\d pic6-cut\.mp4 \(mmprep extract fails its session\)$/;
const sound = /its audio stream 0 ends at 6\.0\d\d s but its video stream 0 goes on to 10\.0\d\d s: the sound stopped before the picture .*: ffmpeg -i snd6\.mp4 -c copy -t 6\.0\d\d snd6-cut\.mp4 \(mmprep extract fails its session\)$/;
const warned = (stderr: string, re: RegExp) => stderr.split('\n').filter((l) => re.test(l));

/**
 * `mmprep face pic6.mp4 --fps 1 --workers 1` through an ffprobe that notes each call's arguments, then runs the real
 * one (its answers unchanged): one run for both face tests below (a child with a worker thread loads tfjs and Human
 * first, ~2 CPU s; the two tests ran the same command each until 2026-12-05).
 */
let faceRun: Promise<{ r: CliResult; calls: string[] }> | undefined;
function noted(): Promise<{ r: CliResult; calls: string[] }> {
  return (faceRun ??= runNoted(['face', 'pic6.mp4', '-o', 'f.jsonl', '--fps', '1', '--workers', '1'], 'face'));
}

/** `mmprep ARGS` in a child whose ffprobe notes each call's arguments (one line) in a log of its own, then runs the real one. */
async function runNoted(args: string[], name: string): Promise<{ r: CliResult; calls: string[] }> {
  const log = join(tmp.dir, `ffprobe-calls-${name}.txt`);
  const wrapper = join(tmp.dir, `ffprobe-noting-${name}`);
  writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> '${log}'\nexec '${ffmpegBinaries().ffprobe.path}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  writeFileSync(log, '');
  const r = await runCli(args, { cwd: tmp.dir, env: { MMPREP_FFPROBE: wrapper } });
  return { r, calls: readFileSync(log, 'utf8').split('\n').filter((l) => l.length > 0) };
}

describe('standalone commands on a stream that ends before the others', () => {
  it('mmprep face: a picture of 6 s in a 10 s file is a warning in extract\'s words, exit 0 (was no word)', async () => {
    const { r } = await noted();
    expect(r.code, r.stderr).toBe(0);
    const lines = warned(r.stderr, /ends at/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mmprep face: pic6\.mp4: warning: /);
    expect(lines[0]).toMatch(picture);
  });

  it("mmprep face: the file's streams are read by ffprobe once, the warning taken from that reading (a second ffprobe ran after the frames, ~0.2 CPU s)", async () => {
    const { r, calls } = await noted();
    expect(r.code, r.stderr).toBe(0);
    expect(warned(r.stderr, /ends at/)).toHaveLength(1);
    expect(warned(r.stderr, /ends at/)[0]).toMatch(picture);
    // The streams and format and the packet times (stream-ends.ts: where each stream ends) in one run (probe-packets.ts;
    // two runs before 2026-12-07, the packets read after the frames: ~0.15 CPU s a start of Debian's ffprobe).
    expect(calls, calls.join('\n')).toHaveLength(1);
    expect(calls[0]).toMatch(/-show_streams .*packet=.*pic6\.mp4$/);
  });

  it('mmprep audio: a sound of 6 s beside a 10 s picture is a warning, exit 0, from one ffprobe run; a whole sound beside a short picture is not', async () => {
    const { r, calls } = await runNoted(['audio', 'snd6.mp4', '-o', 'a.jsonl'], 'audio');
    expect(r.code, r.stderr).toBe(0);
    // The probe and the packet times in one run (two before 2026-12-07), as for face above.
    expect(calls, calls.join('\n')).toHaveLength(1);
    expect(calls[0]).toMatch(/-show_streams .*packet=.*snd6\.mp4$/);
    const lines = warned(r.stderr, /ends at/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mmprep audio: snd6\.mp4: warning: /);
    expect(lines[0]).toMatch(sound);
    const whole = await runCli(['audio', 'pic6.mp4', '-o', 'a2.jsonl'], { cwd: tmp.dir });
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stderr).not.toMatch(/ends at/);
  });

  it('mmprep sync: the short picture is placed and warned about (short_stream, on stderr and in sync.json)', async () => {
    // In this process (runCliInProcess: what the command prints and writes, without a Node start of its own).
    const r = await runCliInProcess(['sync', 'lav.flac', 'pic6.mp4', '-o', 's.json', '--quiet'], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    const lines = warned(r.stderr, /short_stream/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mmprep sync: warning: pic6\.mp4 video stream 0: short_stream: /);
    expect(lines[0]).toMatch(picture);
    const map = JSON.parse(readFileSync(join(tmp.dir, 's.json'), 'utf8')) as { streams: Array<{ kind: string; file: string; offset_s: number; warnings: Array<{ code: string }> }> };
    const video = map.streams.find((s) => s.kind === 'video')!;
    expect(Math.abs(video.offset_s + 0.62)).toBeLessThan(0.02);
    expect(video.warnings.map((w) => w.code)).toContain('short_stream');
    const camAudio = map.streams.find((s) => s.kind === 'audio' && s.file.endsWith('pic6.mp4'))!;
    expect(camAudio.warnings.map((w) => w.code)).not.toContain('short_stream');
  });
});
