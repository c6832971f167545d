/**
 * Streaming video decoding: ffmpeg decodes (applying rotation metadata), optionally resamples the frame rate and
 * downscales, and writes raw frames to stdout; each frame's presentation time comes from ffmpeg's showinfo filter on
 * stderr, so times are exact for variable frame rate. -copyts keeps the file's own timestamps (as ffprobe shows them).
 * One frame buffer at a time: memory stays flat whatever the length.
 */
import { resolve as resolvePath } from 'node:path';
import type { Readable } from 'node:stream';
import { InputError } from '../common/errors.js';
import { decodeFailure, startAgainAfterGroupInterrupt } from './children.js';
import { childExitOf, ffmpegCommand } from './ffmpeg-path.js';
import { showinfoFilter, showinfoReady } from './showinfo.js';
import { ffmpegErrorLine } from './input-file.js';
import { reportDecodeProgress } from './decode-progress.js';
import { fileSpanS, pickStream, probe, type ProbeResult, type StreamInfo } from './probe.js';

export type PixelFormat = 'rgb24' | 'gray';

export interface VideoDecodeOptions {
  /** Which video stream, 0-based among the file's video streams (default 0). */
  stream?: number;
  /** Resample to this constant frame rate (ffmpeg's fps filter); default: every decoded frame. */
  fps?: number;
  /** Start time in seconds (input seek; frames before it are not emitted). */
  start?: number;
  /** End time in seconds (exclusive); decoding stops there. */
  end?: number;
  /** Downscale so that neither side exceeds this (keeps aspect); default: source size. */
  maxSide?: number;
  /** Exact output size (overrides maxSide). */
  width?: number;
  height?: number;
  pixelFormat?: PixelFormat;
  probed?: ProbeResult;
  /**
   * Decode in one thread, so that decodeErrors is the same on every run: with the decoder's frame threads, a thread's
   * error message is printed inside a showinfo line, without its level (av_log's line prefix is shared), and went
   * uncounted at random (1-4 of the 4 errors of a damaged H.264 MP4 in 6 runs; 4 in each of 8 runs with one thread).
   */
  countDamage?: boolean;
  /**
   * Report each decoded frame's time to the thread's progress listener (src/media/decode-progress.ts; default true).
   * The face stage sets false and reports the frames its models have analysed: the decoder runs up to the face pool's
   * capacity (64 frames with 2 workers) ahead, and extract's progress stood at "100 % of the work, ETA 0:00" while
   * those were analysed (28 s of a 156 s run under load).
   */
  reportProgress?: boolean;
}

export interface VideoFrame {
  /** 0-based index of the emitted frame. */
  index: number;
  /** Presentation time in seconds on the file's own timeline. */
  t_s: number;
  width: number;
  height: number;
  /**
   * With countDamage: set when ffmpeg reported damaged data (an error, or a concealed picture) since the last key
   * frame before this one (ShowinfoTimes.onShowinfo): the frame may show patched-up content.
   */
  damaged?: boolean;
  /**
   * Pixel data, rows top to bottom, 3 bytes per pixel (rgb24) or 1 (gray). Each frame has its own buffer, the
   * caller's to keep, or to give back with VideoDecoder.release() for a later frame to reuse.
   */
  data: Uint8Array;
}

export interface VideoGeometry {
  stream: StreamInfo;
  /**
   * Size as a player shows it, before scaling: rotation applied, and square pixels (an anamorphic stream's stored
   * width stretched by its sample aspect ratio, as players do).
   */
  displayWidth: number;
  displayHeight: number;
  /** The sample aspect ratio the stored width was stretched by: the stream's, or 1 within SQUARE_SAR_TOLERANCE of it. */
  sampleAspectRatio: number;
  /** Size of ffmpeg's decoded frames before any scaling (stored size, rotation applied). */
  decodedWidth: number;
  decodedHeight: number;
  /** Size of emitted frames. */
  width: number;
  height: number;
  /** Emitted pixels per display pixel. */
  scale: number;
}

/**
 * A sample aspect ratio this close to 1 is taken as square: ffmpeg's scale filter rounds the SAR it writes after a
 * resize (640x662 with 16819:16839, 0.12 % off, trial30 U1); stretching by it moves the width by under a pixel per
 * 200 (639 for 640) and only warned of pixels "not square". Real anamorphic material is 4 % off or more (PAL 16:15,
 * NTSC 10:11 and 8:9, HDV 4:3).
 */
export const SQUARE_SAR_TOLERANCE = 0.005;

/** The stream's sample aspect ratio as the picture is analysed: 1 when unknown or within SQUARE_SAR_TOLERANCE of 1. */
export function effectiveSar(sar: number | null | undefined): number {
  return sar === null || sar === undefined || Math.abs(sar - 1) <= SQUARE_SAR_TOLERANCE ? 1 : sar;
}

export function videoGeometry(p: ProbeResult, opts: VideoDecodeOptions = {}): VideoGeometry {
  const stream = pickStream(p, 'video', opts.stream ?? 0);
  const w0 = stream.width_px ?? 0;
  const h0 = stream.height_px ?? 0;
  if (w0 < 1 || h0 < 1) throw new InputError(`video stream has no picture size (${w0}x${h0})`, { file: p.file });
  const swap = stream.rotation_deg === 90 || stream.rotation_deg === 270;
  // Non-square pixels (SAR != 1: HDV 1440x1080 at 4:3, DV, PAL 720x576) are made square by stretching the stored
  // width, as ffmpeg's players do; else a face is analysed squeezed (eye aspect ratios, pose, gaze all skewed).
  const sar = effectiveSar(stream.sample_aspect_ratio);
  const sqW = Math.max(1, Math.round(w0 * sar));
  const displayWidth = swap ? h0 : sqW;
  const displayHeight = swap ? sqW : h0;
  let width = displayWidth;
  let height = displayHeight;
  if (opts.width && opts.height) {
    width = opts.width;
    height = opts.height;
  } else if (opts.maxSide && Math.max(displayWidth, displayHeight) > opts.maxSide) {
    const s = opts.maxSide / Math.max(displayWidth, displayHeight);
    width = Math.max(1, Math.round(displayWidth * s));
    height = Math.max(1, Math.round(displayHeight * s));
  }
  return { stream, displayWidth, displayHeight, sampleAspectRatio: sar, decodedWidth: swap ? h0 : w0, decodedHeight: swap ? w0 : h0, width, height, scale: width / displayWidth };
}

const TIMEBASE = /config in time_base:\s*(\d+)\/(\d+)/;
/**
 * Frame times that go back by more than this (seconds) are two recordings joined end to end (`cat a.ts b.ts`, or
 * MPEG-PS/VOB files): the second one's frames restart at the first one's times, and every time read after that is on
 * another recording's clock. A new user's trial (2026-12-02): two 3 s VOBs of the demo camera joined with `cat` gave
 * 150 face records whose times ran 0.54-3.50 s twice, exit 0 (ffprobe called the file 3.0 s long). Decoders reorder
 * B-frames into presentation order, so a picture's times never go back in one recording.
 */
const TIMES_BACK_S = 0.1;

function checkTimesGoOn(file: string, prev: number, t: number): void {
  if (t >= prev - TIMES_BACK_S) return;
  throw new InputError(`its video frame times go back from ${prev.toFixed(3)} s to ${t.toFixed(3)} s (two recordings joined end to end, as \`cat a.ts b.ts\` makes): the frames after that are on another recording's clock; use each recording as a file of its own`, { file });
}

const SHOWINFO = /\bn:\s*(\d+)\s+pts:\s*(-?\d+)\s+pts_time:\s*(-?[0-9.eE+-]+)/;

/**
 * ffmpeg's log level on each line (`-loglevel repeat+level+info`: "[h264 @ 0x…] [error] …", "[info] …"; both ffmpeg
 * builds, 4.1 and 5.1, take these flags; `repeat` keeps ffmpeg from folding equal lines into "Last message repeated N
 * times", so every message is counted). The tag is taken off before anything else reads the line.
 */
const LOG_LEVEL = /^((?:\[[^\]]* @ 0x[0-9a-fA-F]+\] )?)\[(trace|debug|verbose|info|warning|error|fatal|panic)\] /;
/** showinfo's key-frame flag (both builds print `iskey:1`). */
const KEY_FRAME = /\biskey:1\b/;
/** Frames a decoder may hold a decoded picture before showing it (B-frame reordering; x264's default keeps 2). */
const REORDER_FRAMES = 4;
/** Damage reported while frames up to this long before a decode's start are shown still counts (REORDER_FRAMES at 4 fps). */
const DAMAGE_MARGIN_S = 1;
/** The error-concealment line of the MPEG-family decoders (H.264, MPEG-2/4, H.263), once per damaged picture. */
const CONCEALING = /\bconcealing \d+ DC, \d+ AC, \d+ MV errors in \w+ frame/;
/**
 * The raw muxer's complaint at error level when two frames of a variable-rate file round to one tick of the output's
 * time base (the file's average rate: ffmpeg 5.1 fftools/ffmpeg_mux.c write_packet, "Application provided invalid,
 * non monotonically increasing dts to muxer"). Said of the output, not of the data decoded: the frame is written
 * (its dts moved on by one tick) and its time is showinfo's. A phone's VFR clip gave 14 of them in a seeked window.
 */
const MUXER_DTS = /\bnon monotonically increasing dts to muxer\b/;

/**
 * What ffmpeg said of damaged data while decoding: its error-level messages, and the pictures its decoder patched up
 * (error concealment). Both 0 for a clean file. ffmpeg's messages carry no frame time, and the decoder's threads print
 * them out of step with the frame times, so no times are given.
 */
export interface DecodeErrors {
  errors: number;
  concealed_frames: number;
}

export class VideoDecoder implements AsyncIterable<VideoFrame> {
  readonly geometry: VideoGeometry;
  readonly file: string;
  private readonly opts: VideoDecodeOptions;
  /** Frame buffers given back by the caller, reused before allocating (see release()). */
  private readonly free: Uint8Array[] = [];
  /** ffmpeg's reports of damaged data in the last run, complete once the frames are all read (see countDamage). */
  decodeErrors: DecodeErrors = { errors: 0, concealed_frames: 0 };

  private constructor(file: string, geometry: VideoGeometry, opts: VideoDecodeOptions) {
    this.file = file;
    this.geometry = geometry;
    this.opts = opts;
  }

  static async open(file: string, opts: VideoDecodeOptions = {}): Promise<VideoDecoder> {
    const [p] = await Promise.all([opts.probed ?? probe(file), showinfoReady()]);
    return new VideoDecoder(file, videoGeometry(p, opts), { ...opts, probed: p });
  }

  /** The file's ffprobe reading the decoder was opened with. */
  get probed(): ProbeResult | undefined {
    return this.opts.probed;
  }

  /**
   * Where the stream's frames lie on its own clock (the clock of --start/--end and t_s): its ffprobe start time, to
   * that plus its duration (else the file's span, fileSpanS). For a message when a requested range misses them.
   */
  get spanS(): { start: number; end: number | null } {
    const p = this.opts.probed;
    const st = this.geometry.stream;
    const start = st.start_time_s ?? p?.start_time_s ?? 0;
    if (st.duration_s !== null) return { start, end: start + st.duration_s };
    const span = p ? fileSpanS(p) : null;
    return { start, end: span === null ? null : (p?.start_time_s ?? 0) + span };
  }

  private get frameBytes(): number {
    return this.geometry.width * this.geometry.height * ((this.opts.pixelFormat ?? 'rgb24') === 'rgb24' ? 3 : 1);
  }

  /**
   * Gives a frame's buffer back for reuse by a later frame (the caller must not touch it afterwards). Recycling keeps
   * about 1 MB per 640x480 frame from becoming garbage: at 25 fps that churn made V8 run a full GC every few seconds.
   */
  release(data: Uint8Array): void {
    // A buffer transferred to another thread and not returned is detached (length 0) and is not taken.
    if (data.byteLength === this.frameBytes && data.byteOffset === 0 && data.buffer.byteLength === this.frameBytes && this.free.length < 16) this.free.push(data);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<VideoFrame> {
    // An ffmpeg killed by the group's Ctrl-C before it ran (children.ts) gave nothing: it is started again.
    for (let attempt = 1; (yield* this.decodeOnce(attempt)) === 'again'; attempt++);
  }

  /** One ffmpeg run; 'again' when its ffmpeg died of the group's SIGINT before it ran (nothing was yielded). */
  private async *decodeOnce(attempt: number): AsyncGenerator<VideoFrame, 'done' | 'again'> {
    const { width, height } = this.geometry;
    const frameBytes = this.frameBytes;
    const cmd = this.command();
    const ffmpegSays = new ShowinfoTimes(cmd, this.file, this.opts.start === undefined ? -Infinity : this.opts.start - DAMAGE_MARGIN_S);
    this.decodeErrors = ffmpegSays.damage;
    const status = childExitOf(cmd);
    const out = cmd.pipe() as Readable;
    const newBuffer = () => this.free.pop() ?? new Uint8Array(frameBytes);
    let buf = newBuffer();
    let filled = 0;
    let index = 0;
    let bytes = 0;
    let prevT = -Infinity;
    try {
      for await (const raw of out) {
        const chunk = raw as Buffer;
        bytes += chunk.length;
        let off = 0;
        while (off < chunk.length) {
          const take = Math.min(chunk.length - off, frameBytes - filled);
          buf.set(chunk.subarray(off, off + take), filled);
          filled += take;
          off += take;
          if (filled === frameBytes) {
            const t = await ffmpegSays.nextTime();
            const damaged = ffmpegSays.lastDamaged;
            filled = 0;
            checkTimesGoOn(this.file, prevT, t);
            prevT = t;
            if (this.opts.end !== undefined && t >= this.opts.end) return 'done';
            if (this.opts.reportProgress !== false) reportDecodeProgress(t);
            if (this.opts.start === undefined || t >= this.opts.start - 1e-9) {
              yield damaged ? { index: index++, t_s: t, width, height, data: buf, damaged } : { index: index++, t_s: t, width, height, data: buf };
              buf = newBuffer();
            }
          }
        }
      }
      const again = bytes === 0 && (await ffmpegSays.ended()) && startAgainAfterGroupInterrupt((await status).signal, bytes, attempt);
      if (!again) await ffmpegSays.exit();
      ffmpegSays.countRest();
      const why = again ? null : decodeFailure(await status, bytes, () => ffmpegSays.lastWords());
      if (why) throw new InputError(`cannot decode video (${why})`, { file: this.file });
      ffmpegSays.finished = true;
      return again ? 'again' : 'done';
    } finally {
      if (!ffmpegSays.finished) {
        ffmpegSays.finished = true;
        cmd.kill('SIGKILL');
      }
    }
  }

  /** The ffmpeg command: seek, fps resampling, area downscale, showinfo for the times, raw frames to stdout. */
  private command(): FfmpegCommand {
    const { width, height, decodedWidth, decodedHeight } = this.geometry;
    const cmd = ffmpegCommand(resolvePath(this.file));
    const inOpts = ['-nostdin', '-loglevel', 'repeat+level+info', ...(this.opts.countDamage ? ['-threads', '1'] : []), '-copyts'];
    const seek = inputSeekS(this.opts.start, this.opts.probed);
    if (seek !== null) inOpts.push('-ss', String(seek));
    cmd.inputOptions(inOpts);
    const filters: string[] = [];
    if (this.opts.fps) filters.push(`fps=fps=${this.opts.fps}`);
    if (width !== decodedWidth || height !== decodedHeight) filters.push(`scale=${width}:${height}:flags=area`);
    filters.push(showinfoFilter());
    cmd
      .outputOptions(['-map', `0:v:${this.opts.stream ?? 0}`, '-an', '-sn', '-dn', '-vsync', '0', '-vf', filters.join(','), '-pix_fmt', this.opts.pixelFormat ?? 'rgb24', '-vcodec', 'rawvideo'])
      .format('rawvideo');
    return cmd;
  }
}

type FfmpegCommand = ReturnType<typeof ffmpegCommand>;

/**
 * Containers without an index (MPEG-TS, MPEG-PS): ffmpeg's seek there finds a packet at or before the target by its
 * timestamps, not a key frame, and the decoder drops what it reads up to the next key frame, so the first frame shown
 * is the key frame after the target (both builds: a TS with key frames every 2 s, start 1.4 s, -ss 0.5 shows 3.42 s
 * first, not 1.9 s). Such a file is seeked this much earlier; the frames before the start are not emitted anyway.
 */
const UNINDEXED_CONTAINER = /^(mpegts|mpeg)$/;
const UNINDEXED_SEEK_BACK_S = 10;

/**
 * The input -ss for a decode from `start` (a time on the stream's clock, as showinfo prints it with -copyts), or null
 * for none. ffmpeg adds the file's start time to an input -ss (and trims there), so it is taken off: a file whose
 * streams start at 2 s was seeked 2 s too far. No start: no seek, also for a file whose start time is negative (an
 * MPEG-TS whose 33-bit PTS wraps, after ffmpeg's wrap correction; ttrial46 row 8: a seek to its time 0 dropped the
 * frames before it, the flash among them, and the demuxer landed at the key frame 1.68 s in).
 */
export function inputSeekS(start: number | undefined, probed: ProbeResult | undefined): number | null {
  if (start === undefined) return null;
  const back = UNINDEXED_CONTAINER.test(probed?.container ?? '') ? UNINDEXED_SEEK_BACK_S : 0;
  const seek = start - (probed?.start_time_s ?? 0) - back;
  return seek > 0 ? seek : null;
}

/**
 * What ffmpeg says while it decodes: each frame's presentation time (showinfo lines on stderr), its exit, and a
 * failure with the telling stderr line. One waiter at a time: the frame loop, waiting for a time or for the exit.
 */
class ShowinfoTimes {
  private readonly times: number[] = [];
  /** Per time in `times`: whether that frame is damaged (onShowinfo). */
  private readonly damagedFlags: boolean[] = [];
  /** Whether the frame whose time nextTime() returned last is damaged. */
  lastDamaged = false;
  /** Damage reported since the last clean key frame, and how many frames were shown since the last report. */
  private tainted = false;
  private framesSinceDamage = Infinity;
  private stderrTail = '';
  private waiter: (() => void) | null = null;
  private timeBase: [number, number] | null = null;
  private exited = false;
  private failure: Error | null = null;
  /** Set once every frame was read: an error event after that is not a failure. */
  finished = false;
  readonly damage: DecodeErrors = { errors: 0, concealed_frames: 0 };
  /** Reports not yet given to a frame: they count with the next frame shown, if it is at or after countFromS. */
  private readonly pending: DecodeErrors = { errors: 0, concealed_frames: 0 };

  /**
   * `countFromS`: damage reported for frames shown before this time is not counted (the frames a seek decodes before
   * the window starts, which are never emitted: ttrial46 row 8's TS, seeked 10 s early, counted the H.264 errors of the
   * frames after its seek point, "co located POCs unavailable", as damage in the searched frames). A report counts
   * with the next frame shown, which is the damaged one or precedes it by at most REORDER_FRAMES frames: the caller
   * passes its start less a margin for that.
   */
  constructor(
    cmd: FfmpegCommand,
    private readonly file: string,
    private readonly countFromS = -Infinity,
  ) {
    cmd.on('stderr', (line: string) => this.onStderr(line));
    cmd.on('error', (err: Error, _o: string | null, se: string | null) => this.onError(err, se));
    cmd.on('end', () => {
      this.exited = true;
      this.wake();
    });
  }

  /** The next frame's time; ffmpeg gone without one: its failure (or a missing timestamp). */
  async nextTime(): Promise<number> {
    while (this.times.length === 0) {
      if (this.exited) throw this.failure ?? new InputError('ffmpeg emitted a frame without a timestamp', { file: this.file });
      await this.wait();
    }
    this.lastDamaged = this.damagedFlags.shift() ?? false;
    return this.times.shift() as number;
  }

  /** Waits for ffmpeg's exit (true); its failure is left to exit(). */
  async ended(): Promise<boolean> {
    while (!this.exited) await this.wait();
    return true;
  }

  /** Waits for ffmpeg's exit; throws its failure. */
  async exit(): Promise<void> {
    while (!this.exited) await this.wait();
    if (this.failure) throw this.failure;
  }

  private wait(): Promise<void> {
    return new Promise<void>((r) => (this.waiter = r));
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private onStderr(tagged: string): void {
    const lv = LOG_LEVEL.exec(tagged);
    const line = lv ? lv[1] + tagged.slice(lv[0].length) : tagged;
    const error = lv?.[2] === 'error' && !MUXER_DTS.test(line);
    const concealed = CONCEALING.test(line);
    if (error) this.pending.errors++;
    if (concealed) this.pending.concealed_frames++;
    if (error || concealed) {
      this.tainted = true;
      this.framesSinceDamage = 0;
    }
    const m = SHOWINFO.exec(line);
    const c = m ? null : TIMEBASE.exec(line);
    if (c) this.timeBase = [Number(c[1]), Number(c[2])];
    if (m) {
      this.onShowinfo(KEY_FRAME.test(line));
      // pts x time_base is exact; showinfo's printed pts_time has only 6 significant digits.
      const tb = this.timeBase;
      const t = tb && tb[1] > 0 ? Math.round((Number(m[2]) * tb[0] * 1e9) / tb[1]) / 1e9 : Number(m[3]);
      this.attributePending(t >= this.countFromS);
      this.times.push(t);
      this.wake();
    } else {
      this.stderrTail = (this.stderrTail + line + '\n').slice(-8192);
    }
  }

  /**
   * Marks the frame being shown damaged or not. With one decoding thread (countDamage) ffmpeg reports a picture's
   * damage while decoding it, before the filters show it (seen with both builds: the error and concealment lines of a
   * damaged I frame come just before its showinfo line), and the picture is shown at most REORDER_FRAMES frames later
   * (B-frame reordering). A concealed picture's patches are copied on by every frame predicted from it, up to the
   * next key frame (ITU-T H.264 8.4: inter prediction from reference pictures), so frames count as damaged from the
   * first shown after a report until a key frame shown more than REORDER_FRAMES frames after it.
   */
  private onShowinfo(key: boolean): void {
    if (key && this.framesSinceDamage >= REORDER_FRAMES) this.tainted = false;
    this.damagedFlags.push(this.tainted);
    this.framesSinceDamage++;
  }

  /** Counts the reports since the last frame shown (or drops them: that frame lies before the window). */
  private attributePending(count: boolean): void {
    if (count) {
      this.damage.errors += this.pending.errors;
      this.damage.concealed_frames += this.pending.concealed_frames;
    }
    this.pending.errors = 0;
    this.pending.concealed_frames = 0;
  }

  /** Reports after the last frame shown count (ffmpeg exited: they concern the stream's end). */
  countRest(): void {
    this.attributePending(true);
  }

  /** The telling line of what ffmpeg said last (besides the frame times). */
  lastWords(): string {
    return ffmpegErrorLine(this.stderrTail);
  }

  private onError(err: Error, se: string | null): void {
    this.exited = true;
    // fluent-ffmpeg reports "Output stream closed" when our pipe closes more than 20 ms before ffmpeg's exit event
    // (it happens under load after a complete decode): not a failure by itself; the exit code and signal are read
    // when the pipe is done (decodeFailure).
    if (err?.message === 'Output stream closed') return this.wake();
    if (!this.finished) this.failure = new InputError(`cannot decode video (${ffmpegErrorLine(se || this.stderrTail || err.message)})`, { file: this.file });
    this.wake();
  }
}
