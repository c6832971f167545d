/**
 * A PCM WAV file that is already what the analysis reads (mono, at the analysis rate, 16-bit integer or 32-bit float
 * samples) is read straight from the file instead of through ffprobe and ffmpeg: their start-up alone (Debian's
 * build links 215 shared libraries) cost ~0.25 CPU s of `mmprep audio`'s ~2.9 s on 10 minutes of speech (issue 15).
 * The samples are the ones ffmpeg's decode gives (its s16 -> float conversion is x / 32768, exact; float is copied),
 * in the same 16384-sample chunks; since 2026-12-07 also when ffprobe read the file (`mmprep sync`, `extract`) and for
 * the windows sync decodes with -ss/-t (wavWindow): 96 of 161 ffmpeg starts of eight sync test files. Any other file (another layout, a WAVE_FORMAT_EXTENSIBLE header, a data chunk
 * that is cut short, empty or of unknown length, an S/PDIF stream wrapped in PCM, which ffmpeg's WAV reader detects)
 * gets null here and goes through ffprobe and ffmpeg as before.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { resolve } from 'node:path';
import type { ProbeResult, StreamInfo } from './probe.js';
import { S16Kernel, s16ToFloatJs } from './s16-kernel.js';

/** Where a direct-read WAV's samples are. */
export interface WavLayout {
  abs: string;
  codec: 'pcm_s16le' | 'pcm_f32le';
  bytesPerSample: 2 | 4;
  sampleRate: number;
  dataOffset: number;
  /** Samples (frames of the one channel) in the data chunk. */
  nSamples: number;
}

const layouts = new WeakMap<ProbeResult, WavLayout>();

/** The layout of a probe result made by directWavProbe (undefined for ffprobe's). */
export function wavLayoutOf(p: ProbeResult | undefined): WavLayout | undefined {
  return p ? layouts.get(p) : undefined;
}

/** What the caller will decode: only the first audio stream, all channels (a mono file's one), at `sampleRate`. */
export interface DirectWant {
  sampleRate: number;
  stream?: number;
  channel?: number;
}

/** The header bytes read (the fmt and data chunk headers of a WAV are near its start). */
const HEAD_BYTES = 1 << 16;
/** ffmpeg's WAV reader looks for an S/PDIF (IEC 61937) burst in this many first bytes of 16-bit PCM data. */
const SPDIF_SCAN_BYTES = 1 << 16;

interface Fmt {
  tag: number;
  channels: number;
  rate: number;
  blockAlign: number;
  bits: number;
}

/** The fmt fields and the data chunk's place, from the RIFF chunks of `head` (null: not a plain RIFF WAVE file). */
function parseHead(head: Buffer): { fmt: Fmt; dataOffset: number; dataBytes: number } | null {
  if (head.length < 12 || head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE') return null;
  let fmt: Fmt | null = null;
  let off = 12;
  while (off + 8 <= head.length) {
    const id = head.toString('latin1', off, off + 4);
    const len = head.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      if (fmt || len < 16 || off + 8 + 16 > head.length) return null;
      fmt = { tag: head.readUInt16LE(off + 8), channels: head.readUInt16LE(off + 10), rate: head.readUInt32LE(off + 12), blockAlign: head.readUInt16LE(off + 20), bits: head.readUInt16LE(off + 22) };
    } else if (id === 'data') {
      return fmt ? { fmt, dataOffset: off + 8, dataBytes: len } : null;
    }
    off += 8 + len + (len & 1);
  }
  return null;
}

/**
 * The channel count a RIFF WAVE file's fmt chunk states (before its data chunk), or null (not such a file, unreadable).
 * Only a guess for a decode started before ffprobe answers (decode-audio.ts PrestartedDecode): the decoder adopts that
 * run only when the command it builds from ffprobe's reading is the same.
 */
export function wavHeaderChannels(abs: string): number | null {
  return withOpenFile(abs, (fd) => {
    const head = Buffer.alloc(HEAD_BYTES);
    return parseHead(head.subarray(0, readSync(fd, head, 0, head.length, 0)))?.fmt.channels ?? null;
  });
}

/** `read(fd)` on `abs` opened for reading, closed after; null when it cannot be opened or `read` throws. */
function withOpenFile<T>(abs: string, read: (fd: number) => T | null): T | null {
  let fd: number;
  try {
    fd = openSync(abs, 'r');
  } catch {
    return null;
  }
  try {
    return read(fd);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** The codec a mono fmt chunk is read directly as (null: any other). */
function directCodec(f: Fmt): WavLayout['codec'] | null {
  if (f.channels !== 1) return null;
  if (f.tag === 1 && f.bits === 16 && f.blockAlign === 2) return 'pcm_s16le';
  if (f.tag === 3 && f.bits === 32 && f.blockAlign === 4) return 'pcm_f32le';
  return null;
}

/** True when IEC 61937's sync words (Pa 0xF872, Pb 0x4E1F, little-endian) occur in `b`: ffmpeg may read it as AC-3/DTS. */
function hasSpdifSync(b: Buffer): boolean {
  return b.indexOf(Buffer.from([0x72, 0xf8, 0x1f, 0x4e])) >= 0;
}

/**
 * ffprobe's "%f" of x as glibc's printf gives it: the double's exact value rounded to 6 decimals, an exact tie to the
 * even digit (toFixed takes the larger there: a last WAV packet of 125 samples at 16 kHz is 0.0078125 s, "0.007812").
 */
export function printfF6(x: number): string {
  const exact = x.toFixed(40);
  const dot = exact.indexOf('.');
  const tie = /^50*$/.test(exact.slice(dot + 7));
  return tie && Number(exact[dot + 6]) % 2 === 0 ? exact.slice(0, dot + 7) : x.toFixed(6);
}

/**
 * ffprobe's "%f" of a stream duration, as a number: N * (1 / rate) rounded to microseconds as printf rounds (toFixed
 * alone, until 2026-12-07, gave 0.007813 for ffprobe's 0.007812 on an exact tie: 125 samples at 16 kHz).
 */
const micro = (s: number) => Number(printfF6(s));

/** The ProbeResult ffprobe gives for such a file (the fields mmprep reads; WAV streams state no start time). */
function probeOf(file: string, size: number, layout: WavLayout): ProbeResult {
  const durS = micro(layout.nSamples * (1 / layout.sampleRate));
  const stream: StreamInfo = {
    index: 0,
    type: 'audio',
    codec: layout.codec,
    sample_rate_hz: layout.sampleRate,
    channels: 1,
    width_px: null,
    height_px: null,
    fps_avg: null,
    fps_real: null,
    start_time_s: null,
    duration_s: durS,
    rotation_deg: 0,
    sample_aspect_ratio: null,
    n_frames: null,
  };
  const formatUs = Math.round((layout.nSamples * 1e6) / layout.sampleRate);
  const formatS = micro(formatUs * 1e-6);
  // ffmpeg: the file size in bits over the duration, truncated to an integer (update_stream_timings).
  return { file, container: 'wav', duration_s: formatS, start_time_s: null, size_bytes: size, bit_rate_bps: formatUs > 0 ? Math.floor((size * 8 * 1e6) / formatUs) : null, streams: [stream] };
}

/**
 * The probe result of `file` when it is a WAV the decoder reads directly for `want` (see the file comment), else null
 * (the caller runs ffprobe; an unreadable or missing file is null too, and ffprobe's path reports it).
 */
export function directWavProbe(file: string, want: DirectWant): ProbeResult | null {
  if ((want.stream ?? 0) !== 0 || want.channel !== undefined || endianness() !== 'LE') return null;
  const abs = resolve(file);
  return withOpenFile(abs, (fd) => {
    const st = fstatSync(fd);
    if (!st.isFile()) return null;
    const head = Buffer.alloc(Math.min(st.size, HEAD_BYTES));
    const got = readSync(fd, head, 0, head.length, 0);
    const h = parseHead(head.subarray(0, got));
    const codec = h && directCodec(h.fmt);
    if (!h || !codec || h.fmt.rate !== want.sampleRate) return null;
    const { dataOffset, dataBytes } = h;
    // Unknown length (0, 0xFFFFFFFF: a streamed WAV), cut short, or a partial sample: ffmpeg's reader decides.
    if (dataBytes === 0 || dataBytes === 0xffffffff || dataOffset + dataBytes > st.size || dataBytes % h.fmt.blockAlign !== 0) return null;
    if (codec === 'pcm_s16le') {
      const scan = Buffer.alloc(Math.min(dataBytes, SPDIF_SCAN_BYTES));
      if (readSync(fd, scan, 0, scan.length, dataOffset) !== scan.length || hasSpdifSync(scan)) return null;
    }
    const layout: WavLayout = { abs, codec, bytesPerSample: h.fmt.blockAlign as 2 | 4, sampleRate: h.fmt.rate, dataOffset, nSamples: dataBytes / h.fmt.blockAlign };
    const p = probeOf(file, st.size, layout);
    layouts.set(p, layout);
    return p;
  });
}

/**
 * The layout of `file` when ffprobe's reading of it (`p`) is of a WAV directWavProbe would read for `want`, and that
 * reading is the one directWavProbe makes of the file now (the same codec, rate, length and size: not a file changed
 * since it was probed); else null (ffmpeg decodes it). `mmprep sync` and `extract` probe with ffprobe (packet times).
 */
export function wavLayoutMatching(file: string, p: ProbeResult, want: DirectWant): WavLayout | null {
  const known = wavLayoutOf(p);
  if (known) return known.sampleRate === want.sampleRate && (want.stream ?? 0) === 0 && want.channel === undefined ? known : null;
  if (!/(^|,)wav(,|$)/.test(p.container ?? '') || p.streams.length !== 1) return null;
  const direct = directWavProbe(file, want);
  if (!direct) return null;
  const [a, b] = [direct.streams[0], p.streams[0]];
  const same = a.type === b.type && a.codec === b.codec && a.sample_rate_hz === b.sample_rate_hz && a.channels === b.channels && a.duration_s === b.duration_s && direct.size_bytes === p.size_bytes;
  return same ? (layouts.get(direct) ?? null) : null;
}

/**
 * A time option as ffmpeg reads it (av_parse_time: seconds with at most 6 decimals, further digits dropped) in whole
 * microseconds, from the text mmprep passes (String(s)); null for text it would read otherwise (an exponent) or < 0.
 */
export function ffmpegMicroseconds(s: number): number | null {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(String(s));
  return m ? Number(m[1]) * 1e6 + Number((m[2] ?? '').padEnd(6, '0').slice(0, 6)) : null;
}

/**
 * The samples ffmpeg decodes of a PCM WAV at its own rate with `-ss start` (input) and `-t duration` (output): from
 * sample round(start * rate) to round(duration * rate) samples later or the end (null when that is none), each time first cut to whole
 * microseconds (ffmpegMicroseconds); checked against Debian's 5.1 and the npm 2018 build on random windows
 * (test/audio-wav-direct.test.ts). Null when a time is not one ffmpegMicroseconds reads.
 */
export function wavWindow(layout: WavLayout, start: number | undefined, duration: number | undefined): WavLayout | null {
  const atRate = (us: number) => Math.floor((us * layout.sampleRate) / 1e6 + 0.5);
  const startUs = start !== undefined && start > 0 ? ffmpegMicroseconds(start) : 0;
  const durUs = duration !== undefined ? ffmpegMicroseconds(duration) : null;
  if (startUs === null || (duration !== undefined && (durUs === null || durUs <= 0))) return null;
  const first = Math.min(layout.nSamples, atRate(startUs));
  const n = durUs === null ? layout.nSamples - first : Math.min(layout.nSamples - first, atRate(durUs));
  // An empty window (a seek to the end or past it) is left to ffmpeg: what it says there is its own.
  return n > 0 ? { ...layout, dataOffset: layout.dataOffset + first * layout.bytesPerSample, nSamples: n } : null;
}

/** Samples per chunk the audio decoder yields by default (decode-audio.ts), and the pitch worker reads a WAV in. */
export const DEFAULT_CHUNK_SAMPLES = 16384;

/**
 * The layout's samples as Float32 chunks of `chunkSamples` (the last one shorter), read with bounded memory. Each is
 * its own ArrayBuffer, or with `reuse` the same one each time (the last chunk a view of it): valid only until the
 * next is asked for, for a reader that copies the samples (SampleBuffer.append). A fresh 64 kB buffer per chunk
 * (zeroed memory, its page faults, then the GC of 38 MB of them per 10 minutes) made this read and the buffering of 10
 * minutes cost a fresh process 0.14-0.16 CPU s, reused 0.03 s (issue 15). Throws when the file no longer holds them
 * (changed since it was probed).
 */
export function* readWavSamples(layout: WavLayout, chunkSamples: number, reuse = false): Generator<Float32Array> {
  const fd = openSync(layout.abs, 'r');
  try {
    const bps = layout.bytesPerSample;
    // 16-bit samples are read into the conversion kernel's memory (s16-kernel.ts) where WebAssembly runs.
    const kernel = bps === 2 ? S16Kernel.create(chunkSamples) : null;
    const raw = bps === 2 && !kernel ? new Int16Array(chunkSamples) : null;
    const kept = reuse ? (kernel?.floats ?? new Float32Array(chunkSamples)) : null;
    for (let done = 0; done < layout.nSamples; ) {
      const n = Math.min(chunkSamples, layout.nSamples - done);
      const position = layout.dataOffset + done * bps;
      let chunk: Float32Array;
      if (kernel) {
        readFully(fd, kernel.bytes.subarray(0, 2 * n), position);
        kernel.convert(n);
        chunk = kept ? (n === chunkSamples ? kept : kept.subarray(0, n)) : kernel.floats.slice(0, n);
      } else {
        chunk = kept ? (n === chunkSamples ? kept : kept.subarray(0, n)) : new Float32Array(n);
        readFully(fd, raw ? new Uint8Array(raw.buffer, 0, n * 2) : new Uint8Array(chunk.buffer, chunk.byteOffset, n * 4), position);
        if (raw) s16ToFloatJs(raw, chunk, n);
      }
      done += n;
      yield chunk;
    }
  } finally {
    closeSync(fd);
  }
}

/** Reads b.length bytes at `position` (several reads when the system returns fewer); throws at the file's end. */
function readFully(fd: number, b: Uint8Array, position: number): void {
  for (let o = 0; o < b.length; ) {
    const got = readSync(fd, b, o, b.length - o, position + o);
    if (got === 0) throw new Error(`the file ended ${b.length - o} bytes before its WAV header's data chunk does (changed while it was read?)`);
    o += got;
  }
}
