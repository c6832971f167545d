/**
 * Start-up choices of `mmprep face` that must not change its output: the default number of workers by the clip's
 * frame count (one for a clip under ONE_WORKER_BELOW_FRAMES frames), and the decoder's showinfo filter found out
 * without blocking and noted per ffmpeg binary (ffmpeg-path.ts showinfoReady). Fast: no model is loaded.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectedFrames, ONE_WORKER_BELOW_FRAMES, workersFor } from '../src/face/extract.js';
import type { ProbeResult, StreamInfo } from '../src/media/probe.js';
import { showinfoFilter, showinfoReady } from '../src/media/ffmpeg-path.js';

const stream: StreamInfo = {
  index: 0, type: 'video', codec: 'h264', sample_rate_hz: null, channels: null, width_px: 640, height_px: 480,
  fps_avg: 30, fps_real: 30, start_time_s: 0, duration_s: 6, rotation_deg: 0, sample_aspect_ratio: 1, n_frames: 180,
};
const probed: ProbeResult = { file: 'x.mp4', container: 'mp4', duration_s: 6, start_time_s: 0, size_bytes: 1, bit_rate_bps: 1, streams: [stream] };

describe('face workers by frame count', () => {
  it('counts the frames a run will analyse from the container, with --start/--end/--fps', () => {
    expect(expectedFrames(probed, stream, {})).toBe(180);
    expect(expectedFrames(probed, stream, { end: 0.5 })).toBeCloseTo(15, 9);
    expect(expectedFrames(probed, stream, { start: 5.5 })).toBeCloseTo(15, 9);
    expect(expectedFrames(probed, stream, { start: 2, end: 100 })).toBeCloseTo(120, 9);
    expect(expectedFrames(probed, stream, { fps: 2 })).toBeCloseTo(12, 9);
    expect(expectedFrames(probed, { ...stream, n_frames: null, duration_s: null }, {})).toBe(6 * 30);
    expect(expectedFrames({ ...probed, duration_s: null }, { ...stream, n_frames: null, duration_s: null }, {})).toBeNull();
    expect(expectedFrames(probed, { ...stream, n_frames: null, fps_avg: null, fps_real: null }, {})).toBeNull();
  });

  it('uses one worker below the threshold, all of them from it on or when the count is unknown', () => {
    expect(workersFor(ONE_WORKER_BELOW_FRAMES - 1, 2)).toBe(1);
    expect(workersFor(ONE_WORKER_BELOW_FRAMES, 2)).toBe(2);
    expect(workersFor(null, 2)).toBe(2);
    expect(workersFor(5, 0)).toBe(0); // in-thread stays in-thread
  });
});

describe("the decoder's showinfo filter", () => {
  it('is found out without blocking, agrees with the synchronous answer, and is noted for this binary only', async () => {
    const got = await showinfoReady();
    expect(['showinfo', 'showinfo=checksum=0']).toContain(got);
    expect(showinfoFilter()).toBe(got);
    const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
    const notes = readdirSync(tmpdir()).filter((f) => f.startsWith(`mmprep-${uid}-showinfo-`) && f.endsWith('.json'));
    expect(notes.length).toBeGreaterThan(0);
    const mine = notes.map((f) => join(tmpdir(), f)).filter((f) => existsSync(f) && JSON.parse(readFileSync(f, 'utf8')).filter === got);
    expect(mine.length).toBeGreaterThan(0);
    for (const f of mine) expect(statSync(f).mode & 0o077).toBe(0); // readable by this user only
  });
});
