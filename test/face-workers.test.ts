/**
 * Start-up choices of `mmprep face` that must not change its output: the default number of workers by the clip's
 * frame count (one for a clip under ONE_WORKER_BELOW_FRAMES frames), and the decoder's showinfo filter found out
 * without blocking and noted per ffmpeg binary (ffmpeg-path.ts showinfoReady), and the decoder's frames read ahead
 * while the workers load (extract.ts EarlyFrames), and blocks of frames sent to ready workers with room (pool.ts
 * dispatch, with stand-in workers). Fast: no model is loaded.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EarlyFrames, expectedFrames, ONE_WORKER_BELOW_FRAMES, workersFor } from '../src/face/extract.js';
import { VideoDecoder, type VideoFrame } from '../src/media/decode-video.js';
import { DETECT_EVERY, FramePool, type FaceWorkers } from '../src/face/pool.js';
import { FIXTURES } from './helpers/cli.js';
import type { ProbeResult, StreamInfo } from '../src/media/probe.js';
import { showinfoFilter, showinfoReady } from '../src/media/ffmpeg-path.js';

const stream: StreamInfo = {
  index: 0, type: 'video', codec: 'h264', sample_rate_hz: null, channels: null, width_px: 640, height_px: 480,
  fps_avg: 30, fps_real: 30, start_time_s: 0, duration_s: 6, rotation_deg: 0, n_frames: 180,
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

describe("the decoder's frames read ahead while the workers load", () => {
  const file = join(FIXTURES, 'face', 'transform.mp4');
  const open = () => VideoDecoder.open(file, { maxSide: 320, pixelFormat: 'rgb24' });
  const plain = async () => {
    const out: Array<{ t: number; bytes: Buffer }> = [];
    for await (const f of await open()) out.push({ t: f.t_s, bytes: Buffer.from(f.data) });
    return out;
  };
  const drain = async (frames: AsyncIterable<VideoFrame>) => {
    const out: Array<{ t: number; bytes: Buffer }> = [];
    for await (const f of frames) out.push({ t: f.t_s, bytes: Buffer.from(f.data) });
    return out;
  };

  it('decodes `ahead` frames before anything asks for them, then hands out the same frames in the same order', async () => {
    const want = await plain();
    expect(want.length).toBeGreaterThan(20);
    const early = new EarlyFrames(await open(), 16);
    await early.readAhead; // nothing has iterated yet
    expect(early.buffer).toBe(16);
    const got = await drain(early);
    expect(got.map((f) => f.t)).toEqual(want.map((f) => f.t));
    for (let i = 0; i < want.length; i++) expect(got[i].bytes.equals(want[i].bytes)).toBe(true);
  });

  it('a clip shorter than `ahead` is read whole, ends, and stops cleanly when not read', async () => {
    const want = await plain();
    const early = new EarlyFrames(await open(), want.length + 10);
    await early.readAhead;
    expect(early.buffer).toBe(want.length);
    expect((await drain(early)).map((f) => f.t)).toEqual(want.map((f) => f.t));
    const unread = new EarlyFrames(await open(), 4);
    await unread.readAhead;
    await unread.stop(); // ffmpeg ended, nothing handed out
    expect(unread.buffer).toBe(0);
  });

  it('a failure while reading ahead comes after the frames read before it', async () => {
    let n = 0;
    const failing: AsyncIterable<VideoFrame> = {
      async *[Symbol.asyncIterator]() {
        for (; n < 3; n++) yield { index: n, t_s: n / 30, width: 1, height: 1, data: new Uint8Array(3) };
        throw new Error('decoder broke');
      },
    };
    const early = new EarlyFrames(failing, 8);
    await early.readAhead;
    expect(early.buffer).toBe(3);
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const f of early) seen.push(f.index);
      })(),
    ).rejects.toThrow('decoder broke');
    expect(seen).toEqual([0, 1, 2]);
  });
});

/** A stand-in for one face worker's piscina pool: it records the frames it is given and answers when told to. */
class FakeWorker {
  readonly frames: number[] = [];
  private readonly answers: Array<() => void> = [];
  private started!: (ok: boolean) => void;
  private readonly warmed = new Promise<boolean>((r) => (this.started = r));
  run(task: { warm?: true; width?: number }): Promise<unknown> {
    if (task.warm) return this.warmed.then((ok) => (ok ? { faces: [], ms: 0 } : { error: 'models failed to load', input: false }));
    this.frames.push(task.width!);
    return new Promise((r) => this.answers.push(() => r({ faces: [], ms: task.width! })));
  }
  ready(ok = true): void {
    this.started(ok);
  }
  /** Answers the oldest `n` frames given to this worker. */
  answer(n: number): void {
    for (const a of this.answers.splice(0, n)) a();
  }
}

describe('face frames to workers by block', () => {
  const setup = { backend: 'wasm' as const, modelDir: '-', maxFaces: 1, detectorMinConfidence: 0.1 };
  // A frame's width carries its number (frameThumbnail reads any size); every frame is the same grey picture.
  const frame = (i: number) => ({ data: new Uint8Array(3 * (i + 1) * 2).fill(90), width: i + 1, height: 2 });
  const settle = () => new Promise((r) => setTimeout(r, 0));
  const workers = () => {
    const w = [new FakeWorker(), new FakeWorker()];
    return { w, pool: new FramePool(setup, 2, { pools: w } as unknown as FaceWorkers) };
  };
  const block = (b: number) => Array.from({ length: DETECT_EVERY }, (_, k) => b * DETECT_EVERY + k + 1);

  it('the worker ready first starts at once; a worker with two blocks to do gets no more; a block waits for room', async () => {
    const { w, pool } = workers();
    w[1].ready(); // the second worker's models load first
    await pool.warm(true);
    for (let i = 0; i < 3 * DETECT_EVERY; i++) pool.submit(frame(i));
    await settle();
    expect(w[1].frames).toEqual([...block(0), ...block(1)]); // two blocks, then no room
    expect(w[0].frames).toEqual([]); // still loading: nothing sent to it
    w[0].ready();
    await settle();
    expect(w[0].frames).toEqual(block(2)); // the waiting block goes to the worker ready now
    for (let i = 3 * DETECT_EVERY; i < 4 * DETECT_EVERY; i++) pool.submit(frame(i));
    await settle();
    expect(w[0].frames).toEqual([...block(2), ...block(3)]); // the fewest frames outstanding (8 against 16)
    w[1].answer(DETECT_EVERY); // the worker with room again takes the next block
    for (let i = 4 * DETECT_EVERY; i < 5 * DETECT_EVERY; i++) pool.submit(frame(i));
    await settle();
    expect(w[1].frames).toEqual([...block(0), ...block(1), ...block(4)]);
    w[0].answer(99);
    w[1].answer(99);
    const order: number[] = [];
    for (let i = 0; i < 5 * DETECT_EVERY; i++) order.push((await pool.next()).ms);
    expect(order).toEqual(Array.from({ length: 5 * DETECT_EVERY }, (_, i) => i + 1)); // records in frame order
    await pool.warm(); // every worker started
    await pool.close();
  });

  it("a worker that fails to start after another is ready fails the frames waiting for it and the run's last check", async () => {
    const { w, pool } = workers();
    w[0].ready();
    await pool.warm(true);
    for (let i = 0; i < 3 * DETECT_EVERY; i++) pool.submit(frame(i));
    w[1].ready(false);
    await settle();
    w[0].answer(99);
    for (let i = 0; i < 2 * DETECT_EVERY; i++) expect((await pool.next()).ms).toBe(i + 1);
    await expect(pool.next()).rejects.toThrow('models failed to load'); // the third block had no worker
    pool.submit(frame(3 * DETECT_EVERY)); // a frame after the failure fails too (it does not wait for a worker)
    for (let i = 1; i < DETECT_EVERY; i++) await expect(pool.next()).rejects.toThrow('models failed to load');
    await expect(pool.next()).rejects.toThrow('models failed to load');
    await expect(pool.warm()).rejects.toThrow('models failed to load');
    await pool.close();
  });
});
