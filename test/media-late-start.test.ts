/**
 * Files whose streams start later than 0 (an MKV remuxed from a recorder that starts its clock at 2 s, an MP4 with an
 * edit list): their container duration is where the media ends (2 + 10 s), not how long it is (10 s).
 * - `mmprep sync` took the 12 s for the file's length: a false `truncated` warning ("decoded only 10.0 s of its start
 *   search window (0.0-12.0 s)"), "is 12.0 s long" in `short_file`, and the end window placed 2 s too late.
 * - The video decoder's seek added the file's start time twice (ffmpeg adds it to an input -ss): `sync --ends both`
 *   decoded 3 s of a 5 s end window (a `truncated` warning again), and `mmprep face --start 5 --end 5.2` on such a
 *   file found "no frames in the requested range"; a range before such a stream's first frame now says where its frames are.
 * Control: the same streams in the demo's MP4 (start 0) give the same offsets, 2 s apart.
 * - A camera file whose sound starts 0.3 s after its picture (audio start_time 0.278, video 0, as many cameras write):
 *   `sync` called its audio truncated ("decoded only 4.7 s of its start search window (0.0-5.0 s)"), counting the
 *   window from the file's start where the sound's decoded seconds count from its first sample.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSpanS, type ProbeResult } from '../src/media/probe.js';
import { FIXTURES, runCliInProcess, runFaceInProcess, tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-late-start-'));
  copyFileSync(join(FIXTURES, 'demo', 's01_lav.flac'), join(dir, 'lav.flac'));
  copyFileSync(join(FIXTURES, 'demo', 's01_camera.mp4'), join(dir, 'cam.mp4'));
  ffmpegSync(['-i', join(dir, 'cam.mp4'), '-output_ts_offset', '2', '-c', 'copy', join(dir, 'cam2.mkv')]);
  // The camera's sound from 0.3 s on, stamped 0.3 s: its audio stream starts after its video in the container.
  ffmpegSync(['-ss', '0.3', '-i', join(dir, 'cam.mp4'), '-vn', '-c:a', 'pcm_s16le', join(dir, 'a.wav')]);
  ffmpegSync(['-i', join(dir, 'cam.mp4'), '-itsoffset', '0.3', '-i', join(dir, 'a.wav'), '-map', '0:v', '-map', '1:a', '-c:v', 'copy', '-c:a', 'aac', join(dir, 'late-audio.mp4')]);
});
afterAll(() => cleanup());

// The sync run goes through main() in this process (runCliInProcess: what the command computes and says is the subject,
// not its process; a child's Node start and module load ~0.5 CPU s each); the face runs stay child processes (their
// refusal is a face run ending before its first frame: d25be40).
type Entry = { file: string; kind: string; offset_s: number | null; warnings: Array<{ code: string; message: string }> };
const streams = (f: string): Entry[] => JSON.parse(readFileSync(f, 'utf8')).streams;

/**
 * One `mmprep sync` of the lav and the three cameras (the MP4, its 2 s later Matroska remux and the late sound), for
 * both sync tests: each camera is placed against the lav on its own, and its entries and warnings are those of a run
 * with that camera alone (three runs until 2026-12-05: the lav decoded three times, ~3 CPU s more; the offsets and
 * warning codes of every stream the same in both ways, Debian's ffmpeg 5.1).
 */
let placed: Promise<{ code: number; stderr: string; entries: Entry[] }> | undefined;
const placeAll = () =>
  (placed ??= runCliInProcess(['sync', 'lav.flac', 'cam.mp4', 'cam2.mkv', 'late-audio.mp4', '--ends', 'both', '-o', 'all.json'], { cwd: dir }).then((r) => ({ ...r, entries: streams(join(dir, 'all.json')) })));
/** The lines of the run's stderr that name `file` or the lav: what a run of the lav and that camera alone would say. */
const linesOf = (stderr: string, file: string) => stderr.split('\n').filter((l) => l.includes(file) || l.includes('lav.flac')).join('\n');

describe('streams that start at 2 s', () => {
  it('sync: no false `truncated`, the length is 10 s, and the offsets are the MP4\'s minus 2 s', async () => {
    const { code, stderr, entries } = await placeAll();
    expect(code).toBe(0);
    expect(linesOf(stderr, 'cam2.mkv')).not.toContain('truncated');
    const b = entries.filter((x) => x.file === 'cam2.mkv');
    expect(b.length).toBe(2);
    for (const e of b) {
      expect(e.warnings.map((w) => w.code)).not.toContain('truncated');
      expect(e.warnings.find((w) => w.code === 'short_file')?.message).toContain('is 10.0 s long');
      const m = entries.find((x) => x.file === 'cam.mp4' && x.kind === e.kind);
      expect(Math.abs((e.offset_s ?? NaN) - ((m?.offset_s ?? NaN) - 2))).toBeLessThan(2e-3);
    }
  });
  it('sync: a camera whose sound starts 0.3 s after its picture is not called truncated, and is placed as the original', async () => {
    const { code, stderr, entries } = await placeAll();
    expect(code).toBe(0);
    expect(linesOf(stderr, 'late-audio.mp4')).not.toContain('truncated');
    const c = entries.filter((x) => x.file === 'late-audio.mp4');
    expect(c.length).toBe(2);
    for (const e of c) {
      expect(e.warnings.map((w) => w.code)).not.toContain('truncated');
      // The truth: the demo camera's -0.62 s (MP4 edit lists state the sound's start to the millisecond: 0.278 s).
      expect(Math.abs((e.offset_s ?? NaN) + 0.62)).toBeLessThan(e.kind === 'audio' ? 1.5e-3 : 0.02);
    }
  });
  // The face runs through main() in this process (runFaceInProcess: --workers 0, this process's face models; a child
  // each, with its worker thread, before 2026-12-06): the records, the exit code and the line are main's.
  it('face --start/--end are times on the stream clock: 5.0-5.2 s gives the 5 frames there', async () => {
    const r = await runFaceInProcess(['face', join(dir, 'cam2.mkv'), '--start', '5', '--end', '5.2']);
    expect(r.code).toBe(0);
    const t = r.stdout.trim().split('\n').map((l) => JSON.parse(l).t_s);
    expect(t).toEqual([5, 5.04, 5.08, 5.12, 5.16]);
  });
  it('face --start/--end before a late stream\'s first frame: refused, saying where its frames are (was only "no frames")', async () => {
    // The refusal does not depend on the number of worker threads (one in a child until 2026-12-06, none here).
    const r = await runFaceInProcess(['face', join(dir, 'cam2.mkv'), '--start', '0', '--end', '1.5']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`mmprep: ${join(dir, 'cam2.mkv')}: video has no frames in the requested range (--start 0, --end 1.5): its frames are at 2.000-11.960 s (the last frame's time; the stream ends at 12.000 s) on the stream's clock, which --start/--end and t_s use: pass times within that\n`);
  });
  it('fileSpanS: the start is taken off MP4/MOV and Matroska durations only; an MP4 is as long as its longest stream', () => {
    const p = (container: string, start: number, d: number): ProbeResult => ({ file: 'x', container, duration_s: d, start_time_s: start, size_bytes: 1, bit_rate_bps: 1, streams: [] });
    expect(fileSpanS(p('matroska,webm', 1.979, 12))).toBeCloseTo(10.021, 9);
    expect(fileSpanS(p('mov,mp4,m4a,3gp,3g2,mj2', 2, 12))).toBe(10);
    // MP4 states its streams' ends: those count (a start from B-frame delay without an edit list is not taken off twice).
    const mp4 = { ...p('mov,mp4,m4a,3gp,3g2,mj2', 0.066, 10), streams: [{ index: 0, type: 'video' as const, codec: 'h264', sample_rate_hz: null, channels: null, width_px: 64, height_px: 64, fps_avg: 25, fps_real: 25, start_time_s: 0.066, duration_s: 10, rotation_deg: 0, sample_aspect_ratio: 1, n_frames: 250 }] };
    expect(fileSpanS(mp4)).toBe(10);
    // Starting at 0 with a late sound (-itsoffset 0.5): Lavf58 declared 10.022 s (the sound's empty edit left out),
    // Lavf59 10.500 s; the sound's stated end counts, so both are 10.499 s long (test sync-av-skew-far).
    const v = mp4.streams[0];
    const lateSound = { ...p('mov,mp4,m4a,3gp,3g2,mj2', 0, 10.022), streams: [{ ...v, start_time_s: 0 }, { ...v, index: 1, type: 'audio' as const, codec: 'aac', start_time_s: 0.478, duration_s: 10.021333 }] };
    expect(fileSpanS(lateSound)).toBeCloseTo(10.499333, 9);
    expect(fileSpanS({ ...lateSound, duration_s: 10.5 })).toBe(10.5);
    expect(fileSpanS({ ...lateSound, start_time_s: -0.021 })).toBe(10.022); // audio priming: the container's duration
    expect(fileSpanS(p('mpegts', 1.4, 10))).toBe(10); // MPEG-TS: ffprobe's duration is the span
    expect(fileSpanS(p('matroska,webm', 0, 10))).toBe(10);
  });
});
