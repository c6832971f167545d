/** Decodes only the search windows of one audio stream (input seeks) and finds the tone bursts in them. */
import { AudioDecoder, type TimestampGap } from '../../media/decode-audio.js';
import type { ProbeResult } from '../../media/probe.js';
import { ToneScanner, type ToneDetection, type ToneScanOptions } from './tone.js';
import type { SearchWindow, WindowName } from '../windows.js';
import { gapIsDamage, refuseDamagedBeep } from './tone-damage.js';

export interface AudioScanOptions extends ToneScanOptions {
  stream?: number;
  /** Decode rate (default 16000 Hz, raised to keep the tone below a quarter of it). */
  sampleRate?: number;
  probed?: ProbeResult;
  /** Keep up to this many seconds of the first window's samples (for the cross-correlation fallback). */
  keepS?: number;
}

export interface AudioWindowResult {
  window: SearchWindow;
  detections: Array<ToneDetection & { window: WindowName }>;
  decoded_s: number;
  /** Jumps of the stream's timestamps in this window's decode (decode-audio.ts TimestampGap). */
  gaps: TimestampGap[];
  /** ffmpeg's error-level messages in this window's decode (damaged packets), as `mmprep audio` counts them. */
  decode_errors: number;
}

/**
 * A beep after a jump of the stream's timestamps in the same decode (a recorder that dropped 0.5 s of sound, two
 * recordings joined) is timed by counting samples from the window's start, which the jump makes wrong by its size
 * (0.512 s measured, exit 0, before 2026-12-02): it is not placeable. A beep before the jump is timed right.
 */
function afterGap<T extends ToneDetection>(d: T, gaps: TimestampGap[], t0: number, damageS: number[]): T {
  const before = gaps.filter((g) => t0 + g.at_s <= d.t_s);
  if (!before.length) return d;
  const g = before[before.length - 1];
  // A hole where ffmpeg reported damaged data is that (tone-damage.ts), not sound the recorder dropped.
  const cause = gapIsDamage(t0 + g.at_s, damageS) ? 'damaged packets ffmpeg skipped: decode_errors' : 'dropped sound, or recordings joined';
  const why = `its stream's timestamps jump by ${(g.jump_s * 1000).toFixed(0)} ms at ${(t0 + g.at_s).toFixed(3)} s, before it (${cause}): its time, counted from the decoded samples, is off by that`;
  return { ...d, placeable: false, unplaceable_reason: d.placeable === false && d.unplaceable_reason ? `${d.unplaceable_reason}; ${why}` : why };
}

export interface AudioScan {
  sampleRate: number;
  windows: AudioWindowResult[];
  /** The first window's samples (up to keepS seconds) and the stream time of kept[0]. */
  kept: Float32Array | null;
  keptT0: number;
  /** The same for the last window when there are two (--ends both). */
  keptEnd: Float32Array | null;
  keptEndT0: number;
  /** Presentation time of the stream's first decoded sample (probe.ts firstSampleTime), null when unknown. */
  firstSampleS: number | null;
}

export function decodeRateFor(toneHz: number, requested?: number): number {
  if (requested) return requested;
  for (const r of [16000, 24000, 48000, 96000]) if (r >= 4 * toneHz) return r;
  return 192000;
}

/**
 * The stream time of a window's first decoded sample. Times are presentation times on the file's timeline (as ffprobe
 * and the video decoder report them): sample 0 of an unseeked decode is the stream's first sample; an input seek is
 * relative to the file's start time. Its first sample's time is the first decoded frame's, not the first packet's
 * (probe.ts firstSampleTime: Opus in WebM).
 */
function windowT0(w: SearchWindow, dec: AudioDecoder, probed: ProbeResult | undefined): number {
  return w.start_s > 0 ? w.start_s + (probed?.start_time_s ?? 0) : (dec.info.firstSampleS ?? 0);
}

/**
 * The samples of one window of an audio stream (input seek: only that window is decoded; memory: the window's
 * samples), without a tone search (continuity.ts reads the end window of a stream placed by its start this way), and
 * the stream time of its first sample. Cut at the first jump of its timestamps, as scanAudioTone cuts what it keeps.
 */
export async function readAudioWindow(file: string, w: SearchWindow, o: { sampleRate: number; stream: number; probed?: ProbeResult }): Promise<{ x: Float32Array; t0: number }> {
  const dec = await AudioDecoder.open(file, { sampleRate: o.sampleRate, stream: o.stream, start: w.start_s, duration: w.duration_s ?? undefined, probed: o.probed, chunkSamples: 65536, timestampGaps: true, copiesChunks: true });
  const chunks: Float32Array[] = [];
  let n = 0;
  for await (const c of dec) {
    chunks.push(c.slice());
    n += c.length;
  }
  const x = new Float32Array(n);
  let at = 0;
  for (const c of chunks) {
    x.set(c, at);
    at += c.length;
  }
  const keep = dec.gaps.length ? Math.min(n, Math.round(dec.gaps[0].at_s * o.sampleRate)) : n;
  return { x: x.subarray(0, keep), t0: windowT0(w, dec, o.probed) };
}

export async function scanAudioTone(file: string, windows: SearchWindow[], opts: AudioScanOptions = {}): Promise<AudioScan> {
  const toneHz = opts.toneHz ?? 1000;
  const sr = decodeRateFor(toneHz, opts.sampleRate);
  const results: AudioWindowResult[] = [];
  let kept: Float32Array | null = null;
  let keptT0 = 0;
  let keptEnd: Float32Array | null = null;
  let keptEndT0 = 0;
  let firstSampleS: number | null = null;
  for (const [wi, w] of windows.entries()) {
    const dec = await AudioDecoder.open(file, {
      sampleRate: sr,
      stream: opts.stream ?? 0,
      start: w.start_s,
      duration: w.duration_s ?? undefined,
      probed: opts.probed,
      chunkSamples: 65536,
      timestampGaps: true,
    });
    const t0 = windowT0(w, dec, opts.probed);
    firstSampleS ??= dec.info.firstSampleS;
    // A lossy codec's pre-echo before the beep is not taken for an earlier arrival, and a lossless stream gets the
    // hidden-direct-sound floor (tone.ts forStream; as in mmprep audio's beep marking).
    const scanner = ToneScanner.forStream(sr, t0, dec.info.stream, opts);
    // Pulses are taken only before pulses_before_s (a short file's start window): its confidence counts only that span.
    if (w.pulses_before_s !== undefined) scanner.searchedUntilS = t0 + w.pulses_before_s;
    const last = wi > 0 && wi === windows.length - 1;
    const keepN = (wi === 0 || last) && opts.keepS ? Math.round(opts.keepS * sr) : 0;
    const keepBuf = keepN ? new Float32Array(keepN) : null;
    let keptN = 0;
    for await (const c of dec) {
      scanner.push(c);
      if (keepBuf && keptN < keepN) {
        const take = Math.min(c.length, keepN - keptN);
        keepBuf.set(c.subarray(0, take), keptN);
        keptN += take;
      }
    }
    // Samples across a jump of the timestamps are not one stretch of time: not cross-correlated.
    if (dec.gaps.length) keptN = Math.min(keptN, Math.round(dec.gaps[0].at_s * sr));
    if (keepBuf && wi === 0) {
      kept = keepBuf.subarray(0, keptN);
      keptT0 = t0;
    } else if (keepBuf) {
      keptEnd = keepBuf.subarray(0, keptN);
      keptEndT0 = t0;
    }
    const damageS = dec.damage.map((a) => t0 + a);
    const errors = dec.info.decodeErrors.errors;
    const detections = scanner.finish().map((d) => refuseDamagedBeep(afterGap({ ...d, window: w.name }, dec.gaps, t0, damageS), damageS, errors));
    results.push({ window: w, detections, decoded_s: dec.samples / sr, gaps: dec.gaps, decode_errors: errors });
  }
  return { sampleRate: sr, windows: results, kept, keptT0, keptEnd, keptEndT0, firstSampleS };
}
