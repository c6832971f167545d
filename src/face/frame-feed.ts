/**
 * The decoded frames' way into the frame pool (pool.ts): --fps picking, the flow context's greys of every decoded
 * frame, and, per submitted frame in submission order, what its record needs later (index, time, flow frame).
 *
 * FaceRun.open feeds the first frames while the pool's workers start (prefeed): the first worker runs the start-up
 * check (selfcheck.ts, about one detector frame) after loading its models, and a second worker, loaded by then, had
 * nothing to do until the check was over (0.3-0.4 s of wall clock at the start of every run, measured with
 * MMPREP_TIMELINE=1; docs/benchmarks-history.md). Nothing is written before the check passes: FaceRun.open still waits for it
 * and throws its error before any record. A decoding error met while prefeeding is kept and thrown where records()
 * would have met it (the start-up's errors first, as before). A run refused by the check still waits for the frames
 * fed to the other workers before it ends (pool.ts close(): no analysis outlives the run; about one block, ~0.5 CPU s
 * on the bench clip; ending the threads at once made piscina throw on their late answers). Which worker analyses a frame does not change its result
 * (pool.ts: the block layout alone does), so the output is the same bytes.
 */
import type { VideoFrame } from '../media/decode-video.js';
import type { FlowContext, FlowFrame } from './flow-frames.js';
import type { FramePool } from './pool.js';

/** Decoded frames that can be stopped before they are read to the end (extract.ts EarlyFrames: ffmpeg is killed). */
export interface FrameSource extends AsyncIterable<VideoFrame> {
  stop(): Promise<void>;
}

/** What a submitted frame's record needs once its result is back. */
export type FedFrame = { index: number; t: number } & FlowFrame;

const SETTLED: unique symbol = Symbol('settled');

export class FrameFeed {
  /** Submitted frames not yet taken, oldest first (records() shifts one per result). */
  readonly meta: FedFrame[] = [];
  /** Frames decoded (picked or not) and the last two frames' times, for the truncation check. */
  readonly ends = { decoded: 0, lastT: NaN, prevT: NaN };
  private lastIndex = -2;
  private t0: number | null = null;
  private lastBucket = -1;
  /** The decoder's answer asked for and not yet used (prefeed stopped waiting for it when the start-up settled). */
  private asked: Promise<IteratorResult<VideoFrame>> | null = null;
  /** A decoding error met by prefeed, thrown by the next next(). */
  private failed: { error: unknown } | null = null;
  private finished = false;
  /** The source's frames, once one was asked for. */
  private frames: AsyncIterator<VideoFrame> | null = null;

  constructor(
    private readonly source: FrameSource,
    private readonly pool: FramePool,
    private readonly fps: number | undefined,
    private readonly flow: FlowContext | null,
  ) {}

  /** Reads the next decoded frame and submits it unless --fps leaves it out; false once the stream has ended. */
  async next(): Promise<boolean> {
    if (this.failed) {
      const { error } = this.failed;
      this.failed = null;
      throw error;
    }
    if (this.finished) return false;
    const r = await this.ask();
    this.asked = null;
    if (r.done) {
      this.finished = true;
      return false;
    }
    this.submit(r.value);
    return true;
  }

  /**
   * Submits frames until `settled` resolves (the pool's start-up is over) or `max` frames wait in the pool, whichever
   * comes first; it does not wait for a frame once `settled` has resolved.
   */
  async prefeed(settled: Promise<unknown>, max: number): Promise<void> {
    const over: Promise<typeof SETTLED> = settled.then(
      () => SETTLED,
      () => SETTLED,
    );
    try {
      while (!this.finished && this.pool.pending < max) {
        const r = await Promise.race([this.ask(), over]);
        if (r === SETTLED) return;
        this.asked = null;
        if (r.done) this.finished = true;
        else this.submit(r.value);
      }
    } catch (e) {
      this.asked = null;
      this.failed = { error: e };
    }
  }

  /** Ends the decoder (ffmpeg is killed when it has not finished). */
  async stop(): Promise<void> {
    const asked = this.asked;
    this.asked = null;
    await asked?.catch(() => undefined);
    this.finished = true;
    await this.frames?.return?.(undefined);
    await this.source.stop(); // also when no frame was asked for (then the iterator above never ran)
  }

  private ask(): Promise<IteratorResult<VideoFrame>> {
    if (!this.asked) {
      this.frames ??= this.source[Symbol.asyncIterator]();
      this.asked = this.frames.next();
      this.asked.catch(() => undefined); // thrown where it is awaited
    }
    return this.asked;
  }

  private submit(fr: VideoFrame): void {
    this.ends.decoded++;
    [this.ends.prevT, this.ends.lastT] = [this.ends.lastT, fr.t_s];
    this.flow?.decoded(fr);
    if (this.fps) {
      // The first frame of each 1/fps interval from the first frame's time.
      this.t0 ??= fr.t_s;
      const bucket = Math.floor((fr.t_s - this.t0) * this.fps + 1e-6);
      if (bucket <= this.lastBucket) return;
      this.lastBucket = bucket;
    }
    this.meta.push({ index: fr.index, t: fr.t_s, ...this.flow?.frame(fr) });
    this.pool.submit({ data: fr.data, width: fr.width, height: fr.height }, fr.index === this.lastIndex + 1);
    this.lastIndex = fr.index;
  }
}
