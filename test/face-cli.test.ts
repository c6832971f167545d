/**
 * `mmprep face` and `mmprep doctor` from the shell: bad input (issue 3, item 6) gives one line, exit 2 and nothing
 * partial; doctor reports ffmpeg and the backends and exits 0.
 */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { ffmpegBinaries } from '../src/media/ffmpeg-path.js';
import { ffmpegOutputs, ffmpegSync, ffprobeJson } from './helpers/ffmpeg.js';
import { FIXTURES, runCli, runFaceInProcess, tempDir, type CliResult } from './helpers/cli.js';
import { formatDoctor, type DoctorReport } from '../src/face/doctor.js';

const MP4 = join(FIXTURES, 'face', 'transform.mp4');
let tmp: { dir: string; cleanup: () => void };
let mkvEnd = '';

beforeAll(() => {
  tmp = tempDir('mmprep-face-cli-');
  const d = tmp.dir;
  mkdirSync(join(d, 'frames'));
  // The files made from lavfi or the fixture in one ffmpeg run (ffmpegOutputs: each what its own run writes; ~0.15 CPU
  // s a start of Debian's ffmpeg, 6 starts before):
  ffmpegOutputs([
    ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', join(d, 'audio-only.wav')],
    // The first second of the same frames in Matroska (no frame count; the muxer's DURATION tag records the stream's
    // end: read back here, it differs by a frame between ffmpeg builds), cut at half below. (The whole 3 s file before
    // 2026-12-03: its first half, 35 frames, was analysed before the refusal; now 9.)
    ['-i', MP4, '-t', '1', '-c', 'copy', join(d, 'whole.mkv')],
    // A container with zero video frames.
    ['-f', 'lavfi', '-i', 'color=s=320x240:d=1', '-frames:v', '0', '-c:v', 'mpeg4', join(d, 'zero-frames.mp4')],
    // A 1-pixel-high video (lossless FFV1 in Matroska allows odd sizes). ffmpeg's scale keeps the display aspect, so the
    // file may carry a sample aspect ratio (1:2 with ffmpeg 5.1): the line names the stored size, and the displayed one.
    ['-f', 'lavfi', '-i', 'color=s=320x2:d=0.5:r=10', '-vf', 'scale=320:1', '-c:v', 'ffv1', join(d, 'one-pixel-high.mkv')],
    // A phone's photo: stored 48x64 (turned), given EXIF orientation 6 below (turn 90 degrees clockwise for display: 64x48).
    ['-f', 'lavfi', '-i', 'testsrc=s=48x64:d=0.04:r=25', '-frames:v', '1', join(d, 'stored.jpg')],
    // An image sequence (OpenFace's -fdir input): a folder of three PNG frames.
    ['-f', 'lavfi', '-i', 'color=s=64x48:d=0.1:r=30', '-frames:v', '3', join(d, 'frames', 'f%03d.png')],
  ]);
  // Random bytes named .mp4; and a real H.264 file cut after 30 kB (its header declares 75 frames, 3 decode).
  writeFileSync(join(d, 'random.mp4'), Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919 + 13) % 251)));
  writeFileSync(join(d, 'truncated.mp4'), readFileSync(MP4).subarray(0, 30000));
  const tag = (ffprobeJson(['-show_entries', 'stream_tags=DURATION', join(d, 'whole.mkv')]) as { streams: Array<{ tags: { DURATION: string } }> }).streams[0].tags.DURATION;
  mkvEnd = tag.split(':').reduce((acc, x) => acc * 60 + Number(x), 0).toFixed(3);
  const mkv = readFileSync(join(d, 'whole.mkv'));
  writeFileSync(join(d, 'truncated.mkv'), mkv.subarray(0, mkv.length >> 1));
  rmSync(join(d, 'whole.mkv'));
  copyFileSync(MP4, join(d, 'good.mp4'));
  writeFileSync(join(d, 'turned.jpg'), withExifOrientation(readFileSync(join(d, 'stored.jpg')), 6));
  rmSync(join(d, 'stored.jpg'));
  // A camera's MP4 whose display matrix mirrors the picture (what ffmpeg >= 6 -display_hflip writes): a 64x48 clip's
  // tkhd matrix (9 fixed-point numbers 44 bytes after the box type) patched to a = -1, x = the width.
  ffmpegSync(['-f', 'lavfi', '-i', 'testsrc=s=64x48:d=0.3:r=10', '-c:v', 'mpeg4', join(d, 'plain.mp4')]);
  const mp4 = readFileSync(join(d, 'plain.mp4'));
  const m = mp4.indexOf('tkhd') + 44;
  mp4.writeInt32BE(-65536, m);
  mp4.writeInt32BE(64 * 65536, m + 24);
  writeFileSync(join(d, 'mirrored.mp4'), mp4);
  // A song's M4A: its sound plus cover art (a JPEG, disposition attached_pic: one "video" packet).
  ffmpegSync(['-i', join(d, 'audio-only.wav'), '-i', join(d, 'turned.jpg'), '-map', '0', '-map', '1', '-c:a', 'aac', '-c:v', 'copy', '-disposition:v', 'attached_pic', join(d, 'cover.m4a')]);
  // A camera's Motion-JPEG AVI whose frames carry that EXIF orientation.
  ffmpegSync(['-noautorotate', '-loop', '1', '-framerate', '10', '-i', join(d, 'turned.jpg'), '-frames:v', '3', '-c:v', 'copy', join(d, 'turned-mjpeg.avi')]);
});
afterAll(() => tmp?.cleanup());

/**
 * `mmprep face ARGS` refused: exit 2, one line, nothing written. main() in this process (runFaceInProcess, with
 * --workers 0; a child with one worker thread before 2026-12-06, ~0.5 CPU s to start Node and mmprep's modules, more
 * with a thread and the face models): the refusal, its line and what is left are main's, not the process's.
 */
async function expectBadInput(args: string[], pattern: RegExp): Promise<CliResult> {
  const before = readdirSync(tmp.dir).sort();
  const out = join(tmp.dir, 'out.jsonl');
  const r = await runFaceInProcess(['face', ...args, '-o', out, '--summary', join(tmp.dir, 'out.summary.json')]);
  expect(r.code).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines[0]).toMatch(pattern);
  // One line (commander's usage errors add its "(run with --help ...)" hint line).
  expect(lines.filter((l) => !l.startsWith('(run with --help')).length).toBe(1);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(r.stdout).toBe('');
  expect(readdirSync(tmp.dir).sort()).toEqual(before); // nothing partial, no temp files
  return r;
}

/** A JPEG with an APP1 Exif segment right after SOI holding one IFD0 entry: Orientation (0x0112, SHORT) = `o`. */
function withExifOrientation(jpeg: Buffer, o: number): Buffer {
  const ifd = Buffer.alloc(18);
  ifd.writeUInt16BE(1, 0);
  ifd.writeUInt16BE(0x0112, 2);
  ifd.writeUInt16BE(3, 4);
  ifd.writeUInt32BE(1, 6);
  ifd.writeUInt16BE(o, 10);
  const payload = Buffer.concat([Buffer.from('Exif\0\0MM\0\x2a\0\0\0\x08', 'latin1'), ifd]);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(payload.length + 2);
  return Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xe1]), len, payload, jpeg.subarray(2)]);
}

/** The refusal names the folder or pattern, and the ffmpeg command it gives makes a video of the frames. */
async function expectSequenceAdvice(input: string, pattern: RegExp) {
  // The refusal does not depend on -o/--summary (they are checked to be left unwritten): its line gives the command.
  const r = await expectBadInput([input], pattern);
  const cmd = (r.stderr.trim().match(pattern)?.[1] ?? '').replace(/^ffmpeg /, '');
  const out = cmd.split(' ').pop() ?? '';
  try {
    execFileSync('sh', ['-c', `"$0" -nostdin -v error -y ${cmd}`, ffmpegBinaries().ffmpeg.path]);
    expect(ffprobeJson(['-count_frames', '-show_streams', out])).toMatchObject({ streams: [{ codec_name: 'ffv1', nb_read_frames: '3' }] });
  } finally {
    rmSync(out, { force: true });
  }
}

describe('mmprep face: bad input', () => {
  it('audio-only file', () => expectBadInput([join(tmp.dir, 'audio-only.wav')], /audio-only\.wav: has no video stream/));
  // Before 2026-12-06 the cover was analysed as a 1-frame video, exit 0 (a new user's trial, W6).
  it('audio with cover art (attached_pic)', () => expectBadInput([join(tmp.dir, 'cover.m4a')], /cover\.m4a: has no video stream, only cover art \(stream 1, mjpeg: .*it is an audio file/));
  // Before 2026-12-06 Debian's ffmpeg 5.1 analysed it mirrored and the npm build turned 180 degrees, both exit 0 (W5).
  it('a display matrix that mirrors the picture', () =>
    expectBadInput([join(tmp.dir, 'mirrored.mp4')], /mirrored\.mp4: its display matrix \(-65536 0 0 65536\) says to mirror the picture for display, .*: ffmpeg -noautorotate -i mirrored\.mp4 -vf hflip -c:v ffv1 -c:a copy mirrored-unmirrored\.mkv, and run mmprep on that$/));
  it('corrupt video (random bytes)', () => expectBadInput([join(tmp.dir, 'random.mp4')], /random\.mp4: not a media file ffmpeg can read/));
  it('corrupt video (truncated)', () => expectBadInput([join(tmp.dir, 'truncated.mp4')], /truncated\.mp4: video is truncated or corrupt: decoded 3 of the 75 frames its container declares \(a copy or upload that did not finish\? replace it with the full file, or keep the part that decodes: ffmpeg -i \/\S+\/truncated\.mp4 -c copy \/\S+\/truncated-remuxed\.mp4, and use that file\)$/));
  // Before 2026-12-02: exit 0 with the records of the first half only (Matroska states no frame count to compare with).
  it('corrupt video (truncated Matroska)', () => {
    expect(Number(mkvEnd)).toBeGreaterThan(0.9);
    const end = mkvEnd.replace('.', '\\.');
    return expectBadInput([join(tmp.dir, 'truncated.mkv')], new RegExp(`truncated\\.mkv: video is truncated or corrupt: its frames end at 0\\.\\d{3} s but its container records the stream's end at ${end} s \\(a copy or upload that did not finish\\? replace it with the full file`));
  });
  it('video with zero frames', () => expectBadInput([join(tmp.dir, 'zero-frames.mp4')], /zero-frames\.mp4: has no video stream/));
  it('no frames in the requested range', () => expectBadInput([join(tmp.dir, 'good.mp4'), '--start', '10'], /good\.mp4: video has no frames in the requested range \(--start 10\): its frames are at 0\.000-2\.960 s \(the last frame's time; the stream ends at 3\.000 s\) on the stream's clock, which --start\/--end and t_s use: pass times within that$/m));
  it('1-pixel-high video', () => expectBadInput([join(tmp.dir, 'one-pixel-high.mkv')], /one-pixel-high\.mkv: video is 320x1 pixels( \(\d+x1 as displayed, square pixels\))?: too small/));
  it('missing model directory', () => expectBadInput([join(tmp.dir, 'good.mp4'), '--models', join(tmp.dir, 'no-models')], /no-models: model directory not found/));
  it('model directory without the models', () => expectBadInput([join(tmp.dir, 'good.mp4'), '--models', tmp.dir], /model directory has no blazeface\.json/));
  it('unknown backend name', () => expectBadInput([join(tmp.dir, 'good.mp4'), '--backend', 'webgl'], /--backend must be one of wasm, cpu, tensorflow, tensorflow-gpu, got 'webgl'/));
  it('backend not installed', () => expectBadInput([join(tmp.dir, 'good.mp4'), '--backend', 'tensorflow'], /backend 'tensorflow' needs @tensorflow\/tfjs-node, which is not installed: run `npm install @tensorflow\/tfjs-node/));
  it('backend not installed (gpu)', () => expectBadInput([join(tmp.dir, 'good.mp4'), '--backend', 'tensorflow-gpu'], /needs @tensorflow\/tfjs-node-gpu/));
  // Before 2026-12-02: exit 0, the photo analysed sideways (npm build) or a turned picture read at the stored size (Debian).
  it('a photo whose EXIF orientation turns it', async () => {
    const pattern = /turned\.jpg: the photo's EXIF orientation \(6\) says to turn the picture for display, which mmprep does not apply \(ffmpeg builds differ on it\): make the upright picture first: ffmpeg -noautorotate -i turned\.jpg -vf transpose=1 turned-upright\.png, and run mmprep on that$/;
    await expectBadInput([join(tmp.dir, 'turned.jpg')], pattern);
    const out = join(tmp.dir, 'turned-upright.png');
    try {
      ffmpegSync(['-noautorotate', '-i', join(tmp.dir, 'turned.jpg'), '-vf', 'transpose=1', out]);
      expect(ffprobeJson(['-show_streams', out])).toMatchObject({ streams: [{ width: 64, height: 48 }] });
    } finally {
      rmSync(out, { force: true });
    }
  });
  it('a Motion-JPEG video whose frames carry an EXIF orientation', () =>
    expectBadInput([join(tmp.dir, 'turned-mjpeg.avi')], /turned-mjpeg\.avi: the EXIF orientation in the video's JPEG frames \(6\) says to turn the picture for display, which mmprep does not apply \(ffmpeg builds differ on it\): make the upright picture first: ffmpeg -noautorotate -i turned-mjpeg\.avi -vf transpose=1 -c:v ffv1 turned-mjpeg-upright\.mkv, and run mmprep on that$/));
  it('missing file', () => expectBadInput([join(tmp.dir, 'nope.mp4')], /nope\.mp4: no such file/));
  // Before 2026-12-02: 'is a directory, not a media file' and, for the pattern, 'no such file: check the path'.
  it('a folder of images', () => expectSequenceAdvice(join(tmp.dir, 'frames'), /frames: is a directory of 3 images \(an image sequence, as OpenFace's -fdir reads\), not a media file: make a video of it first .*: (ffmpeg -framerate 30 -pattern_type glob -i .*frames\.mkv), and run mmprep on that$/));
  it('an image-sequence pattern', () => expectSequenceAdvice(join(tmp.dir, 'frames', 'f%03d.png'), /f%03d\.png: an image-sequence pattern \(%03d\) is not read, only a video or one image: make a video of it first .*: (ffmpeg -framerate 30 -i .*frames\/f\.mkv), and run mmprep on that$/));
  it('--format openface with --normalized', () => expectBadInput([join(tmp.dir, 'good.mp4'), '--format', 'openface', '--normalized'], /--format openface writes pixel coordinates as OpenFace does: drop --normalized/));
  it('--landmarks other than 68', () => expectBadInput([join(tmp.dir, 'good.mp4'), '--landmarks', '5'], /--landmarks must be one of 68/));
});

describe('mmprep face: help', () => {
  it('--help lists every option with its default', async () => {
    const r = await runFaceInProcess(['face', '--help']);
    expect(r.code).toBe(0);
    for (const o of ['--output', '--format', '--fps', '--start', '--end', '--max-faces', '--backend', '--min-confidence', '--normalized', '--summary', '--sync', '--workers', '--models', '--landmarks', '--no-plausibility']) expect(r.stdout).toContain(o);
    expect(r.stdout).toMatch(/--min-confidence <p>.*\(default: 0\.5\)/s);
    expect(r.stdout).toMatch(/--backend <name>.*\(default: "wasm"\)/s);
  });
  // 'the cpu backend gives a face on a frame' is in face.test.ts, next to the wasm run of the same frame it is compared with.
});

describe('mmprep doctor', () => {
  it('shows ffmpeg and which backends load, exit 0', async () => {
    const r = await runCli(['doctor', '--json']);
    expect(r.code).toBe(0);
    // A line before each backend is tried (the cpu one took ~2 minutes of a new user's trial, nothing said meanwhile).
    expect(r.stderr.split('\n').filter((l) => l.startsWith('mmprep doctor: loading the face models on the '))).toHaveLength(4);
    expect(r.stdout.trim().split('\n')).toHaveLength(1); // one object on one line, as the dataset commands' --json
    const rep = JSON.parse(r.stdout);
    expect(rep.ffmpeg.path).toBeTruthy();
    expect(['env', 'path', 'npm']).toContain(rep.ffmpeg.source);
    expect(rep.ffmpeg.version).toBeTruthy();
    expect(rep.ffprobe.version).toBeTruthy();
    const by = Object.fromEntries(rep.face_backends.map((b: { backend: string }) => [b.backend, b]));
    expect(by.wasm.loads).toBe(true);
    expect(by.wasm.versions['@vladmandic/human']).toBe('3.3.6');
    expect(by.cpu.loads).toBe(true);
    expect(by.tensorflow.loads).toBe(false);
    expect(by.tensorflow.error).toMatch(/npm install @tensorflow\/tfjs-node/);
    expect(rep.containers).toHaveLength(1);
    expect(rep.containers[0].container).toMatch(/mpegts/);
    expect(typeof rep.containers[0].ok).toBe('boolean');
    // The text form is formatDoctor() of the same report (src/cli/doctor.ts: `--json` picks JSON.stringify instead):
    // formatted here, not by a second doctor run (each loads every backend again, ~7 CPU s).
    const text = formatDoctor(rep as DoctorReport);
    expect(text).toMatch(/^ffmpeg\s+\S+\s+\//m);
    expect(text).toMatch(/^reads\s+mpegts/m);
    expect(text).toMatch(/wasm\s+loads/);
  });

  it('says when ffprobe cannot read MPEG-TS (an ffprobe that crashes on files, as the npm build does on .ts)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmprep-doctor-test-'));
    try {
      const fake = join(dir, 'ffprobe');
      writeFileSync(fake, '#!/bin/sh\nif [ "$1" = "-version" ]; then echo "ffprobe version 9.9-fake"; exit 0; fi\nkill -SEGV $$\n');
      chmodSync(fake, 0o755);
      // --models at a folder without them: doctor then loads no face backend (~5 CPU s each run), which this
      // check of the container does not need (the test above loads them).
      const r = await runCli(['doctor', '--json', '--models', dir], { env: { MMPREP_FFPROBE: fake } });
      expect(r.code).toBe(0);
      const rep = JSON.parse(r.stdout);
      expect(rep.ffprobe.version).toBe('9.9-fake');
      expect(rep.containers[0].ok).toBe(false);
      expect(rep.containers[0].error).toMatch(/ffprobe crashed \(SIGSEGV\).*MMPREP_FFPROBE/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
