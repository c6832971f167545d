/** Decodes only the search windows of one video stream (small, grey) and finds the flashes in them. */
import { VideoDecoder } from '../media/decode-video.js';
import type { ProbeResult } from '../media/probe.js';
import { FlashScanner, type FlashDetection, type FlashScanOptions } from './flash.js';
import type { SearchWindow, WindowName } from './windows.js';

/**
 * Where the same camera file's own beep says the flash must be (one device, one clock). The flash search looks
 * there first; `tolerance_s` allows for audio/video skew inside cameras; `duration_s` is the pulse length measured
 * at the reference microphone (null when unknown).
 */
export interface FlashGuide {
  window: WindowName;
  /** Expected flash onset on the video stream's own timeline, seconds. */
  t_s: number;
  tolerance_s: number;
  duration_s: number | null;
}

export interface VideoScanOptions extends FlashScanOptions {
  /** Audio-guided search (see FlashGuide); without guides the whole window is searched unguided. */
  guides?: FlashGuide[];
  stream?: number;
  /** Longest side of the decoded frames (default 160 px: enough for an LED of 1 % of the frame width). */
  maxSide?: number;
  probed?: ProbeResult;
}

export interface VideoWindowResult {
  window: SearchWindow;
  detections: Array<FlashDetection & { window: WindowName }>;
  frames: number;
}

export async function scanVideoFlash(file: string, windows: SearchWindow[], opts: VideoScanOptions = {}): Promise<{ windows: VideoWindowResult[] }> {
  const results: VideoWindowResult[] = [];
  for (const w of windows) {
    const fileStart = opts.probed?.start_time_s ?? 0;
    const start = w.start_s > 0 ? w.start_s + fileStart : undefined;
    const dec = await VideoDecoder.open(file, {
      stream: opts.stream ?? 0,
      start,
      end: w.duration_s === null ? undefined : (start ?? fileStart) + w.duration_s,
      maxSide: opts.maxSide ?? 160,
      pixelFormat: 'gray',
      probed: opts.probed,
    });
    const scanner = new FlashScanner(1 / dec.geometry.scale, opts);
    let frames = 0;
    for await (const f of dec) {
      scanner.push(f);
      frames++;
    }
    results.push({ window: w, detections: scanner.finish().map((d) => ({ ...d, window: w.name })), frames });
  }
  return { windows: results };
}
