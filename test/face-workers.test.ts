/**
 * Start-up choices of `mmprep face` that must not change its output: the default number of workers by the clip's
 * frame count (one for a clip under ONE_WORKER_BELOW_FRAMES frames), the start-up check in the first worker only, and the decoder's showinfo filter found out
 * without blocking and noted per ffmpeg binary (src/media/showinfo.ts showinfoReady), the workers started before the
 * command line's code loads (src/face/early-workers.ts). Fast: no model is loaded (one begins loading and is ended).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectedFrames, ONE_WORKER_BELOW_FRAMES, resolveFaceOptions, workersFor } from '../src/face/extract.js';
import { disposeEarlyFaceWorkers, earlyFaceOptions, earlyFaceWorkersWaiting, faceWorkerSetup, startEarlyFaceWorkers, takeEarlyFaceWorkers } from '../src/face/early-workers.js';
import { usableCpus } from '../src/common/cpus.js';
import { defaultModelDir } from '../src/face/models.js';
import { runCli } from './helpers/cli.js';
import { FaceWorkers, workerSetup } from '../src/face/pool.js';
import type { HumanSetup } from '../src/face/backend.js';
import type { ProbeResult, StreamInfo } from '../src/media/probe.js';
import { ffmpegBinaries } from '../src/media/ffmpeg-path.js';
import { showinfoFilter, showinfoReady } from '../src/media/showinfo.js';

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

describe("the workers' start-up check", () => {
  // The first worker checks the build every worker of the pool loads (selfcheck.ts); a second check is a detector frame more.
  it('runs in the first worker only, and nowhere when the setup turns it off', () => {
    const setup: HumanSetup = { backend: 'wasm', maxFaces: 1, detectorMinConfidence: 0.2, minConfidence: 0.5 };
    expect(workerSetup(setup, 0)).toBe(setup);
    for (const i of [1, 2, 5]) expect(workerSetup(setup, i)).toEqual({ ...setup, selfCheck: false });
    expect(setup.selfCheck).toBeUndefined(); // the caller's setup (the kept workers' key) is not changed
    const off = { ...setup, selfCheck: false };
    expect(workerSetup(off, 0).selfCheck).toBe(false);
    expect(workerSetup(off, 1).selfCheck).toBe(false);
  });
});

describe('the hand-off of frames to a worker', () => {
  // A worker given one frame at a time waited for the main thread between frames (pool.ts TASKS_IN_WORKER). Ping tasks
  // only: the thread loads its modules, no engine is made.
  it('gives a worker its next task while it runs one, not once the main thread has taken the result', async () => {
    const workers = new FaceWorkers({ backend: 'wasm', maxFaces: 1, detectorMinConfidence: 0.2 }, 1);
    try {
      const [pool] = workers.pools;
      await pool.run({ ping: true }); // the thread is up
      const runs = [pool.run({ ping: true }), pool.run({ ping: true })];
      expect(pool.queueSize).toBe(0); // both are in the thread; none waits in the main thread's queue
      await Promise.all(runs);
    } finally {
      await workers.destroy();
    }
  });
});

describe('face workers started before the command line is parsed', () => {
  const argv = (...a: string[]) => ['node', 'mmprep.js', ...a];
  it('reads the options that decide the workers as commander does, or gives up', () => {
    const defaults = { backend: 'wasm', modelDir: defaultModelDir(), maxFaces: 1, minConfidence: 0.5, workers: usableCpus() };
    expect(earlyFaceOptions(argv('face', 'v.mp4'))).toEqual(defaults);
    expect(earlyFaceOptions(argv('--verbose', 'face', 'v.mp4', '-o', 'x', '--workers', '3', '--max-faces=2', '--min-confidence', '0.05', '--models', defaultModelDir()))).toEqual({ ...defaults, workers: 3, maxFaces: 2, minConfidence: 0.05 });
    // --jobs over --workers whatever the order (cli/face.ts); the last value of an option counts.
    expect(earlyFaceOptions(argv('face', '-j2', 'v.mp4', '--workers', '1'))?.workers).toBe(2);
    expect(earlyFaceOptions(argv('face', 'v.mp4', '--jobs=1', '--workers', '3', '-j', '4'))?.workers).toBe(4);
    // The same setup as the run's own (extract.ts FaceRun.open): the key the workers are taken by.
    const o = earlyFaceOptions(argv('face', 'v.mp4', '--min-confidence', '0.05', '--workers', '2'))!;
    expect(faceWorkerSetup(o)).toEqual(faceWorkerSetup(resolveFaceOptions({ minConfidence: 0.05, workers: 2 })));
    for (const a of [['audio', 'v.wav'], ['face', 'v.mp4', '--help'], ['face', 'v.mp4', '--workers', '0'], ['face', 'v.mp4', '--backend', 'cpu'], ['face', 'v.mp4', '--workers', 'two'], ['face', 'v.mp4', '--max-faces', '0'], ['face', 'v.mp4', '--min-confidence'], ['face', 'v.mp4', '--models', tmpdir()]]) {
      expect(earlyFaceOptions(argv(...a)), a.join(' ')).toBeNull();
    }
  });

  it('are ended when the run asks for other workers', async () => {
    startEarlyFaceWorkers(argv('face', 'v.mp4', '--workers', '1'));
    expect(earlyFaceWorkersWaiting()).toBe(true);
    const asked = faceWorkerSetup(resolveFaceOptions({ maxFaces: 2 }));
    expect(takeEarlyFaceWorkers(asked, 1)).toBeNull();
    expect(earlyFaceWorkersWaiting()).toBe(false);
    await disposeEarlyFaceWorkers();
  });

  // bin/mmprep.js starts them before it loads the CLI (dist/cli/main.js), and the run takes them: one set of workers.
  // A file that is not there: refused after the run took its workers, before any frame (~0.35 CPU s in all).
  it('start before the command line code loads, and the run takes them', async () => {
    const r = await runCli(['face', join(tmpdir(), 'mmprep-no-such-video.mp4'), '--workers', '1'], { env: { MMPREP_TIMELINE: '1' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no such file/);
    const marks = r.stderr.split('\n').filter((l) => l.startsWith('mmprep timeline: main ')).map((l) => l.replace(/^mmprep timeline: main (.*) wall .*$/, '$1'));
    expect(marks.filter((m) => m === 'face workers start')).toHaveLength(1);
    expect(marks.indexOf('face workers start')).toBeLessThan(marks.indexOf('cli loaded'));
  });
});

describe("the decoder's showinfo filter", () => {
  // One note file per user for every binary: a file per binary path (mmprep-UID-showinfo-HASH.json) was left in /tmp
  // for every install, worktree and CI clone, and for each deleted one. Run in a temp folder of its own (TMPDIR).
  it('is found out without blocking, agrees with the synchronous answer, and is noted in one file of this user', async () => {
    const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
    const dir = mkdtempSync(join(tmpdir(), 'mmprep-showinfo-note-'));
    const before = process.env.TMPDIR;
    process.env.TMPDIR = dir;
    try {
      writeFileSync(join(dir, `mmprep-${uid}-showinfo-0123456789abcdef.json`), JSON.stringify({ id: '/gone/ffmpeg', filter: 'showinfo' }));
      writeFileSync(join(dir, `mmprep-${uid}-showinfo.json`), JSON.stringify({ notes: [{ id: '/gone/ffmpeg\n1\n2\n3', filter: 'showinfo' }] }));
      const got = await showinfoReady();
      expect(['showinfo', 'showinfo=checksum=0']).toContain(got);
      expect(showinfoFilter()).toBe(got);
      // the old per-binary note is removed, the deleted binary's entry dropped
      expect(readdirSync(dir)).toEqual([`mmprep-${uid}-showinfo.json`]);
      const file = join(dir, `mmprep-${uid}-showinfo.json`);
      const notes = (JSON.parse(readFileSync(file, 'utf8')) as { notes: Array<{ id: string; filter: string }> }).notes;
      expect(notes).toHaveLength(1);
      expect(notes[0].filter).toBe(got);
      expect(notes[0].id.split('\n')[0]).toBe(ffmpegBinaries().ffmpeg.path);
      expect(statSync(file).mode & 0o077).toBe(0); // readable by this user only
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
