/**
 * Streaming video decoding: ffmpeg decodes (applying rotation metadata), optionally resamples the frame rate and
 * downscales, and writes raw frames to stdout; each frame's presentation time comes from ffmpeg's showinfo filter on
 * stderr, so times are exact for variable frame rate. -copyts keeps the file's own timestamps (as ffprobe shows them).
 * One frame buffer at a time: memory stays flat whatever the length.
 */
import { resolve as resolvePath } from 'node:path';
import type { Readable } from 'node:stream';
import { InputError } from '../common/errors.js';
import { ffmpegCommand, showinfoFilter } from './ffmpeg-path.js';
import { ffmpegErrorLine } from './input-file.js';
import { reportDecodeProgress } from './decode-progress.js';
import { pickStream, probe, type ProbeResult, type StreamInfo } from './probe.js';

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
}

export interface VideoFrame {
  /** 0-based index of the emitted frame. */
  index: number;
  /** Presentation time in seconds on the file's own timeline. */
  t_s: number;
  width: number;
  height: number;
  /**
   * Pixel data, rows top to bottom, 3 bytes per pixel (rgb24) or 1 (gray). Each frame has its own buffer, the
   * caller's to keep, or to give back with VideoDecoder.release() for a later frame to reuse.
   */
  data: Uint8Array;
}

export interface VideoGeometry {
  stream: StreamInfo;
  /** Size after rotation, before scaling. */
  displayWidth: number;
  displayHeight: number;
  /** Size of emitted frames. */
  width: number;
  height: number;
  /** Emitted pixels per display pixel. */
  scale: number;
}

export function videoGeometry(p: ProbeResult, opts: VideoDecodeOptions = {}): VideoGeometry {
  const stream = pickStream(p, 'video', opts.stream ?? 0);
  const w0 = stream.width_px ?? 0;
  const h0 = stream.height_px ?? 0;
  if (w0 < 1 || h0 < 1) throw new InputError(`video stream has no picture size (${w0}x${h0})`, { file: p.file });
  const swap = stream.rotation_deg === 90 || stream.rotation_deg === 270;
  const displayWidth = swap ? h0 : w0;
  const displayHeight = swap ? w0 : h0;
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
  return { stream, displayWidth, displayHeight, width, height, scale: width / displayWidth };
}

const TIMEBASE = /config in time_base:\s*(\d+)\/(\d+)/;
const SHOWINFO = /\bn:\s*(\d+)\s+pts:\s*(-?\d+)\s+pts_time:\s*(-?[0-9.eE+-]+)/;

export class VideoDecoder implements AsyncIterable<VideoFrame> {
  readonly geometry: VideoGeometry;
  readonly file: string;
  private readonly opts: VideoDecodeOptions;
  /** Frame buffers given back by the caller, reused before allocating (see release()). */
  private readonly free: Uint8Array[] = [];

  private constructor(file: string, geometry: VideoGeometry, opts: VideoDecodeOptions) {
    this.file = file;
    this.geometry = geometry;
    this.opts = opts;
  }

  static async open(file: string, opts: VideoDecodeOptions = {}): Promise<VideoDecoder> {
    const p = opts.probed ?? (await probe(file));
    return new VideoDecoder(file, videoGeometry(p, opts), opts);
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
    const { width, height, displayWidth, displayHeight } = this.geometry;
    const pix = this.opts.pixelFormat ?? 'rgb24';
    const frameBytes = this.frameBytes;
    const cmd = ffmpegCommand(resolvePath(this.file));
    const inOpts = ['-nostdin', '-copyts'];
    if (this.opts.start !== undefined && this.opts.start > 0) inOpts.push('-ss', String(this.opts.start));
    cmd.inputOptions(inOpts);
    const filters: string[] = [];
    if (this.opts.fps) filters.push(`fps=fps=${this.opts.fps}`);
    if (width !== displayWidth || height !== displayHeight) filters.push(`scale=${width}:${height}:flags=area`);
    filters.push(showinfoFilter());
    cmd
      .outputOptions(['-map', `0:v:${this.opts.stream ?? 0}`, '-an', '-sn', '-dn', '-vsync', '0', '-vf', filters.join(','), '-pix_fmt', pix, '-vcodec', 'rawvideo'])
      .format('rawvideo');

    const times: number[] = [];
    let stderrTail = '';
    let waiter: (() => void) | null = null;
    const wake = () => {
      const w = waiter;
      waiter = null;
      w?.();
    };
    let exited = false;
    let failure: Error | null = null;
    let finished = false;
    let tb: [number, number] | null = null;
    cmd.on('stderr', (line: string) => {
      const m = SHOWINFO.exec(line);
      const c = m ? null : TIMEBASE.exec(line);
      if (c) tb = [Number(c[1]), Number(c[2])];
      if (m) {
        // pts x time_base is exact; showinfo's printed pts_time has only 6 significant digits.
        times.push(tb && tb[1] > 0 ? Math.round((Number(m[2]) * tb[0] * 1e9) / tb[1]) / 1e9 : Number(m[3]));
        wake();
      } else {
        stderrTail = (stderrTail + line + '\n').slice(-8192);
      }
    });
    cmd.on('error', (err: Error, _o: string | null, se: string | null) => {
      exited = true;
      // fluent-ffmpeg reports "Output stream closed" when our pipe closes more than 20 ms before ffmpeg's exit event
      // (it happens under load after a complete decode): not a failure; lost frames would show as missing times.
      if (err?.message === 'Output stream closed') return wake();
      if (!finished) failure = new InputError(`cannot decode video (${ffmpegErrorLine(se || stderrTail || err.message)})`, { file: this.file });
      wake();
    });
    cmd.on('end', () => {
      exited = true;
      wake();
    });
    const out = cmd.pipe() as Readable;

    const newBuffer = () => this.free.pop() ?? new Uint8Array(frameBytes);
    let buf = newBuffer();
    let filled = 0;
    let index = 0;
    const nextTime = async (): Promise<number> => {
      while (times.length === 0) {
        if (exited) throw failure ?? new InputError('ffmpeg emitted a frame without a timestamp', { file: this.file });
        await new Promise<void>((r) => (waiter = r));
      }
      return times.shift() as number;
    };
    try {
      for await (const raw of out) {
        const chunk = raw as Buffer;
        let off = 0;
        while (off < chunk.length) {
          const take = Math.min(chunk.length - off, frameBytes - filled);
          buf.set(chunk.subarray(off, off + take), filled);
          filled += take;
          off += take;
          if (filled === frameBytes) {
            const t = await nextTime();
            filled = 0;
            if (this.opts.end !== undefined && t >= this.opts.end) return;
            reportDecodeProgress(t);
            if (this.opts.start === undefined || t >= this.opts.start - 1e-9) {
              yield { index: index++, t_s: t, width, height, data: buf };
              buf = newBuffer();
            }
          }
        }
      }
      while (!exited) await new Promise<void>((r) => (waiter = r));
      if (failure) throw failure;
      finished = true;
    } finally {
      if (!finished) {
        finished = true;
        cmd.kill('SIGKILL');
      }
    }
  }
}
