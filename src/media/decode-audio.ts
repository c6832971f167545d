/**
 * Streaming audio decoding: ffmpeg downmixes and resamples, we read Float32 mono PCM from its stdout in bounded
 * chunks, so memory stays flat however long the file.
 */
import type { ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { InputError } from '../common/errors.js';
import { decodeFailure, startAgainAfterGroupInterrupt } from './children.js';
import { childExitOf, ffmpegCommand, type ChildExit } from './ffmpeg-path.js';
import { ffmpegErrorLine, truncatedAdvice } from './input-file.js';
import { shellWord, siblingName } from '../common/shell.js';
import { reportDecodeProgress } from './decode-progress.js';
import { firstSampleTime, pickStream, probe, taggedStreamEndS, type ProbeResult, type StreamInfo } from './probe.js';
import { CODEC_DELAY_S, streamEnds, type StreamEnd } from './stream-ends.js';
import { readPacketTimes } from './packet-times.js';
import { DEFAULT_CHUNK_SAMPLES, readWavSamples, wavHeaderChannels, wavLayoutMatching, wavWindow, type WavLayout } from './wav-direct.js';

export interface AudioDecodeOptions {
  /** Output sample rate in Hz (default 16000). */
  sampleRate?: number;
  /** Which audio stream, 0-based among the file's audio streams (default 0). */
  stream?: number;
  /** Decode this channel alone (0-based) instead of the average of all channels. */
  channel?: number;
  /**
   * Decode channels 0 and 1 of a two-channel stream together (`-ac 2`, no filter), interleaved: each channel's samples
   * are those of its `channel` decode (`pan=mono|c0=cN`; byte-identical with Debian's 5.1 and the npm build for WAV
   * s16/s24, FLAC, AAC, MP3 and Opus: test audio-stereo-speakers), from one ffmpeg start instead of two. The chunks hold
   * whole sample pairs; `samples` counts values (two per instant).
   */
  pair?: boolean;
  /** Start time in seconds (input seek). */
  start?: number;
  /** Seconds to decode from start. */
  duration?: number;
  /** Samples per chunk yielded (default 16384). */
  chunkSamples?: number;
  /** An existing probe result (saves a second ffprobe run). */
  probed?: ProbeResult;
  /**
   * Raise InputError when the decoded audio is clearly shorter than the duration the header declares (a truncated
   * WAV or MP4), or when no sample at all could be decoded. Off by default. Ignored with start/duration.
   */
  detectTruncation?: boolean;
  /** An ffmpeg run started before the probe (PrestartedDecode.start): used when its command is the one needed. */
  prestarted?: PrestartedDecode;
  /**
   * Read each decoded frame's time (ffmpeg's ashowinfo) and collect the jumps of its timestamps (AudioDecoder.gaps)
   * and where ffmpeg reported damaged data (AudioDecoder.damage).
   */
  timestampGaps?: boolean;
  /**
   * The caller copies each chunk before it asks for the next and gives none away: a direct-read WAV is then read
   * into one reused chunk (wav-direct.ts readWavSamples; AudioDecoder.reusesChunks says so). ffmpeg's are fresh always.
   */
  copiesChunks?: boolean;
  /**
   * Decode through ffmpeg even a WAV that would be read directly (wav-direct.ts): for tests that compare the two.
   */
  viaFfmpeg?: boolean;
  /**
   * How a stream at another rate is resampled: 'swr' (default), ffmpeg's own filter (`-ar`); 'soxr', libsoxr at its
   * HQ setting in float32 (`aresample=resampler=soxr:precision=20`), the filter librosa.load(path, sr) applies (its
   * default res_type 'soxr_hq', python-soxr): the same samples with Debian's ffmpeg 5.1, within 1.2e-7 with the npm
   * build (measured 2026-12-07, docs/audio.md). The mono mix comes first, as librosa.load's to_mono. A stream at the
   * decode's rate passes unchanged either way.
   */
  resampler?: 'swr' | 'soxr';
}

/** A jump of a stream's timestamps: at `at_s` decoded seconds (counted from the decode's first sample), `jump_s` more (or less, < 0) than its samples. */
export interface TimestampGap {
  at_s: number;
  jump_s: number;
}

/** Jumps of at least this are gaps (dropped audio, recordings joined); an AAC frame is 21 ms, a WebM timestamp is rounded to 1 ms. */
export const GAP_MIN_S = 0.02;
const ASHOWINFO = /\bn:\s*\d+\s+pts:\s*(-?\d+)\s+pts_time:\s*(-?[0-9.eE+-]+).*?\brate:\s*(\d+)\s+nb_samples:\s*(\d+)/;

/**
 * Collects a decode's timestamp jumps from ashowinfo's lines (pts, pts_time with 6 digits, rate, nb_samples): the
 * time base is taken from a frame at least 0.5 s in (pts / pts_time, rounded), so jumps are exact in long files too.
 */
class GapTracker {
  readonly gaps: TimestampGap[] = [];
  /** Decoded seconds (from the decode's first sample) at each error-level message of ffmpeg's; the first MAX_DAMAGE. */
  readonly damage: number[] = [];
  private samples = 0;
  private prev: { pts: number; t: number; n: number; rate: number } | null = null;
  private den: number | null = null;

  /** cutBySamples: the decode runs from the file's start to a window cut by atrim (sampleTrim); damage before its first frame lies outside it. */
  constructor(private readonly cutBySamples = false) {}

  push(line: string): boolean {
    const m = ASHOWINFO.exec(line);
    if (!m) return false;
    const [pts, t, rate, n] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
    if (this.den === null && Math.abs(t) >= 0.5 && pts !== 0) this.den = Math.round(pts / t);
    const p = this.prev;
    if (p && rate > 0) {
      const jump = this.den ? (pts - p.pts) / this.den - p.n / p.rate : t - p.t - p.n / p.rate;
      if (Math.abs(jump) >= GAP_MIN_S) this.gaps.push({ at_s: this.samples / rate, jump_s: jump });
    }
    this.samples += n;
    this.prev = { pts, t, n, rate };
    return true;
  }

  /**
   * An error-level message: ffmpeg logs it while decoding the damaged packet, before the frames after it reach
   * ashowinfo (one thread decodes and filters in both builds), so it lies where the decoded samples stand now.
   */
  error(): void {
    if (this.cutBySamples && this.prev === null) return;
    if (this.damage.length < MAX_DAMAGE) this.damage.push(this.prev && this.prev.rate > 0 ? this.samples / this.prev.rate : 0);
  }
}

/** At most this many damage positions are kept per decode (memory bounded; the count goes on). */
const MAX_DAMAGE = 1000;

/** A line ffmpeg logged at error level (-loglevel level+…): "[error] …" or "[aac @ 0x…] [error] …". */
const ERROR_LINE = /^(?:\[[^\]]* @ 0x[0-9a-fA-F]+\] )?\[error\] /;

/** One ffmpeg run of a decode: the command, its outcome and its stdout. */
interface DecodeRun {
  cmd: FfmpegCommand;
  run: ReturnType<typeof watchDecode>;
  out: Readable;
}

/**
 * An ffmpeg decode started beside the file's ffprobe run instead of after it (its start-up, mostly dynamic linking,
 * then overlaps with the probe). Started with the command a mono source needs, or for a WAV the one its header's
 * channel count needs (a recorder's stereo WAV: the downmix filter; the mono command was killed there and the downmix
 * started again, one ffmpeg start more, until 2026-12-07): the decoder adopts it when the command it builds from the
 * probe is the same and kills it otherwise. dispose() kills it unless a decoder adopted it; call it once the decode
 * is over or failed.
 */
export class PrestartedDecode {
  private taken = false;
  private constructor(readonly key: string, private readonly started: DecodeRun) {}

  /** Starts ffmpeg on `file` (a regular file, else nothing is started: null) as a mono source (or its WAV header) needs it. */
  static start(file: string, opts: Pick<AudioDecodeOptions, 'sampleRate' | 'stream' | 'resampler'>): PrestartedDecode | null {
    const abs = resolve(file);
    try {
      if (!statSync(abs).isFile()) return null;
    } catch {
      return null; // the probe reports it
    }
    const args = decodeArgs(abs, { ...opts }, opts.sampleRate ?? 16000, wavHeaderChannels(abs) ?? 1);
    return new PrestartedDecode(args.key, startDecode(args, file));
  }

  /** The run, when its command is `key` and nobody took it before; else null (and it is killed). */
  take(key: string): DecodeRun | null {
    if (this.taken) return null;
    if (key !== this.key) {
      this.dispose();
      return null;
    }
    this.taken = true;
    return this.started;
  }

  /** Kills the run unless a decoder took it (idempotent). */
  dispose(): void {
    if (this.taken) return;
    this.taken = true;
    const { cmd, run, out } = this.started;
    run.finished = true;
    out.resume(); // whatever it wrote is dropped
    const proc = (cmd as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc;
    if (proc) cmd.kill('SIGKILL');
    else cmd.once('start', () => cmd.kill('SIGKILL'));
  }
}

import { statesExactDuration } from './stream-ends.js';
export { statesExactDuration };

/**
 * Why a stream decoded short (one phrase for its error line): its packets stop before its declared end (truncated), or
 * they reach it and ffmpeg reported damaged packets (damaged), or its timestamps jump over dropped sound (a gap).
 */
async function shortfallText(info: DecodedAudioInfo, p: ProbeResult, got: number, want: number, end: StreamEnd | null): Promise<string> {
  const errors = info.decodeErrors.errors;
  const of = `decoded ${got.toFixed(3)} s of audio`;
  if (end && end.verdict.kind !== 'truncated') {
    if (errors > 0) return `damaged: ffmpeg reported ${errors} decode error(s) and ${of} of the ${want.toFixed(3)} s the header declares: re-encode from the original recording, or replace the file with an undamaged copy`;
    const read = await readPacketTimes(p).catch(() => null);
    const jumps = read?.jumps.filter((j) => j.index === info.stream.index && j.to_s > j.from_s) ?? [];
    if (jumps.length) {
      const fill = `ffmpeg -i ${shellWord(info.file)} -vn -af aresample=async=1 ${shellWord(siblingName(info.file, '-filled.wav'))}`;
      return `its timestamps jump ahead ${jumps.length} time(s) (the first by ${((jumps[0].to_s - jumps[0].from_s) * 1000).toFixed(0)} ms at ${jumps[0].from_s.toFixed(3)} s: dropped sound), so it ${of} of the ${want.toFixed(3)} s its timestamps span and a count of its samples runs early after each jump; fill the gaps with silence and use that file: ${fill}`;
    }
  }
  return `truncated: ${of} but the header declares ${want.toFixed(3)} s (${truncatedAdvice(info.file)})`;
}


export interface DecodedAudioInfo {
  file: string;
  stream: StreamInfo;
  sampleRate: number;
  sourceSampleRate: number | null;
  sourceChannels: number | null;
  /** Audio streams in the file (one is decoded: `stream`). */
  audioStreams: number;
  resampled: boolean;
  /** The resampler of a resampled decode (AudioDecodeOptions.resampler). */
  resampler: 'swr' | 'soxr';
  downmixed: boolean;
  /** The one channel decoded (AudioDecodeOptions.channel); undefined: all channels averaged. */
  channel?: number;
  /** Presentation time of the stream's first decoded sample (probe.ts firstSampleTime); null when unknown. */
  firstSampleS: number | null;
  /**
   * ffmpeg's error-level messages while decoding (damaged packets: "Header missing", "Error while decoding stream
   * #0:0: Invalid data found when processing input"), set when the decode is over; 0 for a clean file.
   */
  decodeErrors: { errors: number };
}

/**
 * Average of all channels, as librosa.to_mono does (ffmpeg's own -ac 1 matrix weights channels differently).
 */
function downmixFilter(channels: number): string | null {
  if (channels <= 1) return null;
  const g = (1 / channels).toPrecision(17);
  const terms = Array.from({ length: channels }, (_, i) => `${g}*c${i}`).join('+');
  // In floating point (aformat first): pan runs in the input's sample format, so 16-bit channels were averaged into 16
  // bits, re-quantised (a stereo WAV's F3 median 1.4 % from Praat's Convert to mono, which averages in double; trial
  // ttrial43b). Float input is left as it is (the same bytes as before).
  return `aformat=sample_fmts=flt|fltp|dbl|dblp,pan=mono|c0=${terms}`;
}

/** `--channel N` against the stream's channel count: N, or an InputError saying which channels there are. */
function checkedChannel(file: string, stream: StreamInfo, n: number): number {
  const have = stream.channels ?? 1;
  if (!Number.isInteger(n) || n < 0 || n >= have) throw new InputError(`has ${have} channel(s) in its audio stream; --channel ${n} does not exist: pass --channel 0${have > 1 ? `..${have - 1}` : ''}`, { file });
  return n;
}

export class AudioDecoder implements AsyncIterable<Float32Array> {
  readonly info: DecodedAudioInfo;
  /** Samples yielded so far. */
  samples = 0;
  /** With timestampGaps: the jumps of the stream's timestamps seen so far (decoded seconds before each, its size). */
  gaps: TimestampGap[] = [];
  /** With timestampGaps: where ffmpeg reported damaged data, decoded seconds from the decode's first sample (GapTracker.error). */
  damage: number[] = [];
  private readonly abs: string;
  private readonly opts: AudioDecodeOptions;
  /** The WAV samples read without ffmpeg (directLayout), found once at open. */
  private readonly wav: WavLayout | null;

  private constructor(abs: string, info: DecodedAudioInfo, opts: AudioDecodeOptions) {
    this.abs = abs;
    this.info = info;
    this.opts = opts;
    this.wav = this.directLayout();
  }

  static async open(file: string, opts: AudioDecodeOptions = {}): Promise<AudioDecoder> {
    const p = opts.probed ?? (await probe(file));
    if (opts.detectTruncation) await checkContainerComplete(file, p);
    const stream = pickStream(p, 'audio', opts.stream ?? 0);
    const sampleRate = opts.sampleRate ?? 16000;
    const info: DecodedAudioInfo = {
      file,
      stream,
      sampleRate,
      sourceSampleRate: stream.sample_rate_hz,
      sourceChannels: stream.channels,
      audioStreams: p.streams.filter((s) => s.type === 'audio').length,
      resampled: stream.sample_rate_hz !== null && stream.sample_rate_hz !== sampleRate,
      resampler: opts.resampler ?? 'swr',
      downmixed: opts.channel === undefined && !opts.pair && (stream.channels ?? 1) > 1,
      firstSampleS: await firstSampleTime(p, stream),
      decodeErrors: { errors: 0 },
      ...(opts.channel !== undefined ? { channel: checkedChannel(file, stream, opts.channel) } : {}),
    };
    return new AudioDecoder(resolve(file), info, { ...opts, probed: p });
  }

  /**
   * Truncation check (see AudioDecodeOptions.detectTruncation): the decoded seconds against the stream's declared
   * length, within stream-ends.ts's tolerance (one packet + the codec's delay; the stream's packets are read only when
   * the decode fell short by more than the codec's delay). Why it fell short is told apart by the packet read: packets
   * that stop early (truncated), damaged packets ffmpeg skipped, or timestamps that jump over dropped sound.
   */
  private async checkComplete(): Promise<void> {
    const got = this.samples / this.info.sampleRate;
    if (this.samples === 0) throw new InputError('no audio samples could be decoded (empty or truncated audio stream)', { file: this.info.file });
    // Only containers whose header states the duration exactly; ffprobe estimates it (from the bit rate) for raw
    // MP3/ADTS streams, and a truncated Ogg simply reports the shorter length.
    const p = this.opts.probed;
    const want = p && statesExactDuration(p.container) ? declaredDuration(this.info, p) : null;
    if (!p || want === null || want - got <= CODEC_DELAY_S) return;
    const end = await streamEnds(p).then((all) => all.find((e) => e.index === this.info.stream.index) ?? null, () => null);
    if (end && end.verdict.kind !== 'truncated' && want - got <= end.tolerance_s) return;
    throw new InputError(await shortfallText(this.info, p, got, want, end), { file: this.info.file });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Float32Array> {
    // An ffmpeg killed by the group's Ctrl-C before it ran (children.ts) gave nothing: it is started again.
    for (let attempt = 1; (yield* this.decodeOnce(attempt)) === 'again'; attempt++);
    if (this.opts.detectTruncation && this.opts.start === undefined && this.opts.duration === undefined) await this.checkComplete();
  }

  /**
   * The WAV samples to read without ffmpeg (wav-direct.ts): a PCM WAV at the decode's rate, its one channel (a probe
   * result directWavProbe made, or ffprobe's of a file directWavProbe reads the same), whole or the window ffmpeg's
   * -ss/-t would give (wavWindow). A file without timestamps' jumps or damage to report: ffmpeg's WAV reader times its
   * packets by their byte position, and PCM has nothing to decode wrong. Not with a prestarted ffmpeg run (its start
   * is paid, and a run nobody reads would wait on its full pipe until disposed).
   */
  private directLayout(): WavLayout | null {
    const o = this.opts;
    if (o.viaFfmpeg || o.prestarted || !o.probed || o.channel !== undefined || o.pair || this.info.stream.index !== 0) return null;
    const wav = wavLayoutMatching(this.abs, o.probed, { sampleRate: this.info.sampleRate, stream: o.stream });
    return wav && wavWindow(wav, o.start, o.duration);
  }

  /** True when each chunk yielded is the same reused buffer (AudioDecodeOptions.copiesChunks, a direct-read WAV). */
  get reusesChunks(): boolean {
    return this.opts.copiesChunks === true && this.wav !== null;
  }

  /** The samples of a direct-read WAV, in the chunks ffmpeg's decode gives (Chunker), with its progress reports. */
  private *readDirect(wav: WavLayout, chunkSamples: number): Generator<Float32Array, 'done'> {
    const chunks = readWavSamples(wav, chunkSamples, this.opts.copiesChunks === true);
    try {
      for (;;) {
        let r: IteratorResult<Float32Array>;
        try {
          r = chunks.next();
        } catch (e) {
          throw new InputError(`cannot read audio (${(e as Error).message})`, { file: this.info.file });
        }
        if (r.done) return 'done';
        this.samples += r.value.length;
        reportDecodeProgress((this.opts.start ?? 0) + this.samples / this.info.sampleRate);
        yield r.value;
      }
    } finally {
      chunks.return(undefined);
    }
  }

  /** One ffmpeg run; 'again' when its ffmpeg died of the group's SIGINT before it ran (nothing was yielded). */
  private async *decodeOnce(attempt: number): AsyncGenerator<Float32Array, 'done' | 'again'> {
    const { sampleRate } = this.info;
    const chunkSamples = this.opts.chunkSamples ?? DEFAULT_CHUNK_SAMPLES;
    if (this.wav) return yield* this.readDirect(this.wav, chunkSamples);
    const trim = await sampleTrim(this.opts, this.info);
    const args = decodeArgs(this.abs, this.opts, sampleRate, this.info.sourceChannels ?? 1, trim);
    const tracker = this.opts.timestampGaps ? new GapTracker(trim !== null) : undefined;
    this.gaps = tracker?.gaps ?? [];
    this.damage = tracker?.damage ?? [];
    const { cmd, run, out } = (attempt === 1 ? this.opts.prestarted?.take(args.key) : null) ?? startDecode(args, this.info.file, tracker);
    const chunks = new Chunker(chunkSamples);
    let bytes = 0;
    try {
      for await (const raw of out) {
        bytes += (raw as Buffer).length;
        for (const chunk of chunks.take(raw as Buffer)) {
          this.samples += chunk.length;
          reportDecodeProgress((this.opts.start ?? 0) + this.samples / (this.opts.pair ? 2 : 1) / sampleRate);
          yield chunk;
        }
      }
      await run.exit;
      const exit = await run.status;
      if (bytes === 0 && startAgainAfterGroupInterrupt(exit.signal, bytes, attempt)) {
        run.finished = true;
        return 'again';
      }
      const why = decodeFailure(exit, bytes, () => ffmpegErrorLine(run.stderr));
      // A death names its signal (ffmpeg's last line is then a progress line); an exit code, ffmpeg's error line.
      if (run.failure && !(why && exit.signal)) throw run.failure;
      if (why) throw new InputError(`cannot decode audio (${why})`, { file: this.info.file });
      const last = chunks.rest();
      if (last) {
        this.samples += last.length;
        yield last;
      }
      run.finished = true;
      this.info.decodeErrors.errors = run.errors;
      return 'done';
    } finally {
      if (!run.finished) {
        run.finished = true;
        cmd.kill('SIGKILL');
      }
    }
  }

}

/**
 * The decode's Float32 PCM in chunks of `size` samples (the last one shorter), whatever sizes the pipe reads have.
 * A read that is exactly one chunk, its own whole ArrayBuffer, at a chunk boundary is yielded as it is: a view of
 * the read buffer, no copy (ffmpeg fills the pipe faster than the analysis reads it, so nearly every read is one
 * 64 kB chunk of 16384 samples); any other read is copied into fresh chunks. The chunk boundaries are the same
 * either way, and each yielded chunk is its own whole ArrayBuffer (the caller may transfer it), except the last.
 */
export class Chunker {
  private chunk: Float32Array | null = null;
  private filled = 0;
  private carry: Buffer | null = null;

  constructor(private readonly size: number) {}

  /** The chunks this read completes, in order. */
  *take(raw: Buffer): Generator<Float32Array> {
    const size = this.size;
    if (this.filled === 0 && this.carry === null && raw.length === 4 * size && raw.byteOffset === 0 && raw.buffer instanceof ArrayBuffer && raw.buffer.byteLength === raw.length) {
      yield new Float32Array(raw.buffer, 0, size);
      return;
    }
    const { pcm, carry } = floatSamples(raw, this.carry);
    this.carry = carry;
    const n = pcm.length;
    let i = 0;
    while (i < n) {
      const chunk = (this.chunk ??= new Float32Array(size));
      const take = Math.min(n - i, size - this.filled);
      chunk.set(pcm.subarray(i, i + take), this.filled);
      this.filled += take;
      i += take;
      if (this.filled === size) {
        this.chunk = null;
        this.filled = 0;
        yield chunk;
      }
    }
  }

  /** The samples of an unfinished chunk after the last read (null: none). */
  rest(): Float32Array | null {
    return this.chunk && this.filled > 0 ? this.chunk.subarray(0, this.filled) : null;
  }
}

type FfmpegCommand = ReturnType<typeof ffmpegCommand>;

/** The ffmpeg arguments of a decode (key: all of them, to tell whether a prestarted run is the one needed). */
interface DecodeArgs {
  abs: string;
  inOpts: string[];
  outOpts: string[];
  key: string;
}

/** A window cut by decoded-sample count (atrim): its first sample's index in the stream's decode, the end's (exclusive). */
interface SampleTrim {
  first: number;
  end: number | null;
}

/** Containers whose timestamps are whole milliseconds (Matroska/WebM, FLV): coarser than one audio sample. */
const MS_TIMESTAMPS = /\b(matroska|webm|flv)\b/;

/**
 * A window of a Matroska/WebM/FLV stream is cut by sample count, decoded from the file's start: an input seek (-ss)
 * trims at packet times rounded to the millisecond, so the window's first sample sat up to 1 ms off the time sync
 * gives it (start + the file's start_time; scan-audio.ts windowT0): Opus in MKV/WebM (packets at 0.0135 + 0.02k s
 * stamped 0.014 + 0.02k) 1.0 ms late at every seek tried, AAC in MKV 0 to 0.67 ms (ttrial58s, OBS recordings: the end
 * beep read 0.5-1.0 ms late, -19/-38 ppm of drift between beeps on one clock, the offset 0.38/0.77 ms off at sd 0.32).
 * The cut's first sample is the one `start` s after the file's start time, counted from the stream's first decoded
 * sample (firstSampleS), as the unseeked start window counts them. Costs the decode of what lies before the window
 * (the end window of a 10-minute Opus MKV: 1.2 -> 3.2 CPU s). Null (an input seek) for other containers, an unknown rate, or a
 * stream whose timestamps jump before the window (packet-times.ts, read once per file: sync reads them anyway), where
 * a count of samples is not its time (test sync-audio-gap).
 */
async function sampleTrim(opts: AudioDecodeOptions, info: DecodedAudioInfo): Promise<SampleTrim | null> {
  const p = opts.probed;
  const rate = info.sourceSampleRate;
  if (opts.start === undefined || opts.start <= 0 || !p || !rate || !MS_TIMESTAMPS.test(p.container ?? '')) return null;
  const startS = opts.start + (p.start_time_s ?? 0);
  const first = Math.round((startS - (info.firstSampleS ?? 0)) * rate);
  if (first <= 0) return null;
  const jumps = (await readPacketTimes(p)).jumps.filter((j) => j.index === info.stream.index && Math.min(j.from_s, j.to_s) < startS);
  if (jumps.length) return null;
  return { first, end: opts.duration !== undefined ? first + Math.round(opts.duration * rate) : null };
}

/**
 * The ffmpeg command's options: seek, stream, resample, downmix (librosa.to_mono), duration, Float32 PCM to stdout.
 * `-flush_packets 0`: the raw muxer otherwise writes each 2048-sample frame to the pipe in its own system call
 * (8 kB; 4688 writes for 10 minutes at 16 kHz), now its 32 kB I/O buffer at a time (1172): the same bytes (md5 of
 * the stream with Debian's 5.1 and the npm build), fewer wake-ups of the reader.
 */
function decodeArgs(abs: string, opts: AudioDecodeOptions, sampleRate: number, channels: number, trim: SampleTrim | null = null): DecodeArgs {
  // Each line with its level ("[mp3float @ 0x…] [error] Header missing"), none folded into "Last message repeated":
  // the errors are counted (watchDecode).
  const inOpts = ['-nostdin', '-loglevel', 'repeat+level+info'];
  if (!trim && opts.start !== undefined && opts.start > 0) inOpts.push('-ss', String(opts.start));
  const outOpts = ['-map', `0:a:${opts.stream ?? 0}`, '-vn', '-sn', '-dn', '-ar', String(sampleRate), '-ac', opts.pair ? '2' : '1'];
  const mix = opts.pair ? null : opts.channel !== undefined ? `pan=mono|c0=c${opts.channel}` : downmixFilter(channels);
  const cut = trim ? `atrim=start_sample=${trim.first}${trim.end !== null ? `:end_sample=${trim.end}` : ''}` : null;
  const af = [cut, opts.timestampGaps ? 'ashowinfo' : null, mix, opts.resampler === 'soxr' ? soxrFilter(sampleRate) : null].filter((x): x is string => x !== null);
  if (af.length) outOpts.push('-af', af.join(','));
  if (!trim && opts.duration !== undefined) outOpts.push('-t', String(opts.duration));
  outOpts.push('-acodec', 'pcm_f32le', '-flush_packets', '0');
  return { abs, inOpts, outOpts, key: JSON.stringify([abs, inOpts, outOpts]) };
}

/**
 * libsoxr's HQ recipe as python-soxr's resample(x, sr_in, sr_out, 'soxr_hq') sets it (soxr_quality_spec(SOXR_HQ, 0):
 * 20 bits, linear phase; ffmpeg's soxr_resample.c maps precision 20 to SOXR_HQ, cheby off), on float32 samples as
 * librosa.load reads them (aformat first: from 16-bit samples swr would otherwise resample in 16 bits).
 */
function soxrFilter(sampleRate: number): string {
  return `aformat=sample_fmts=flt,aresample=${sampleRate}:resampler=soxr:precision=20`;
}

/** Starts ffmpeg with these arguments, its outcome watched (watchDecode) and its stdout piped. */
function startDecode(a: DecodeArgs, file: string, tracker?: GapTracker): DecodeRun {
  const cmd = ffmpegCommand(a.abs);
  cmd.inputOptions(a.inOpts);
  cmd.outputOptions(a.outOpts).format('f32le');
  const run = watchDecode(cmd, file, tracker);
  const out = cmd.pipe() as Readable;
  return { cmd, run, out };
}

/**
 * A decode's outcome as ffmpeg reports it: `exit` resolves when it ends (or errs); `failure` holds the error with its
 * telling stderr line, unless `finished` was set first (every sample read).
 */
function watchDecode(cmd: FfmpegCommand, file: string, tracker?: GapTracker): { exit: Promise<void>; status: Promise<ChildExit>; stderr: string; failure: Error | null; finished: boolean; errors: number } {
  const run = { exit: Promise.resolve(), status: childExitOf(cmd), stderr: '', failure: null as Error | null, finished: false, errors: 0 };
  cmd.on('stderr', (line: string) => {
    if (ERROR_LINE.test(line)) {
      run.errors++;
      tracker?.error();
    }
    if (tracker?.push(line)) return; // a frame's time, not what ffmpeg says
    // Its last 64 kB: ffmpeg's last words are what an exit code other than 0 is told with.
    run.stderr += line + '\n';
    if (run.stderr.length > 65536) run.stderr = run.stderr.slice(-32768);
  });
  cmd.on('error', (err: Error, _so: string | null, se: string | null) => {
    // fluent-ffmpeg reports "Output stream closed" (and kills ffmpeg) when our pipe closes more than 20 ms before
    // ffmpeg's exit event, which happens under load after a complete decode: not a failure by itself; the exit code
    // and signal are read when the pipe is done (decodeFailure).
    if (err?.message === 'Output stream closed') return;
    if (!run.finished) run.failure = new InputError(`cannot decode audio (${ffmpegErrorLine(se || run.stderr || err.message)})`, { file });
  });
  run.exit = new Promise<void>((res) => {
    cmd.on('end', () => res());
    cmd.on('error', () => res());
  });
  return run;
}

/** Float32 samples of whole 4-byte groups (a fresh, aligned copy), with the bytes left over for the next chunk. */
function floatSamples(raw: Buffer, carry: Buffer | null): { pcm: Float32Array; carry: Buffer | null } {
  const buf = carry ? Buffer.concat([carry, raw]) : raw;
  const whole = buf.length - (buf.length % 4);
  const rest = whole < buf.length ? Buffer.from(buf.subarray(whole)) : null;
  // A view when the Buffer is 4-aligned (pipe reads are: each its own allocation), else slice() copies into a fresh,
  // aligned ArrayBuffer. The caller only reads it (copied into chunks), so a view of the read buffer is safe.
  const pcm = buf.byteOffset % 4 === 0 ? new Float32Array(buf.buffer, buf.byteOffset, whole >> 2) : new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + whole));
  return { pcm, carry: rest };
}

/**
 * Container-level truncation checks: an MP4/MOV without its stream index (moov atom) shows no streams at all, and
 * a WAV whose data chunk is shorter than its header declares (ffprobe then reports the shorter duration).
 */
export async function checkContainerComplete(file: string, p: ProbeResult): Promise<void> {
  if (p.streams.length === 0) {
    const what = /mp4|mov/.test(p.container ?? '') ? ' (no moov atom: truncated or damaged MP4/MOV?)' : ' (truncated or damaged?)';
    throw new InputError(`no streams ffmpeg can read${what}`, { file });
  }
  if (!/(^|,)wav(,|$)/.test(p.container ?? '')) return;
  const { open } = await import('node:fs/promises');
  const fh = await open(resolve(file), 'r');
  try {
    const size = (await fh.stat()).size;
    const head = Buffer.alloc(Math.min(size, 1 << 16));
    await fh.read(head, 0, head.length, 0);
    if (head.length < 12 || head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE') return;
    let off = 12;
    while (off + 8 <= head.length) {
      const id = head.toString('latin1', off, off + 4);
      const len = head.readUInt32LE(off + 4);
      if (id === 'data') {
        // 0 and 0xFFFFFFFF mean "unknown length" (streamed WAV): nothing to check.
        if (len !== 0 && len !== 0xffffffff && off + 8 + len > size) {
          throw new InputError(`truncated: the WAV header declares ${len} bytes of audio data but the file holds ${size - off - 8} (${truncatedAdvice(file)})`, { file });
        }
        return;
      }
      off += 8 + len + (len & 1);
    }
  } finally {
    await fh.close();
  }
}

/** Seconds of audio the header declares for the decoded stream (stream duration, else container duration). */
export function declaredDuration(info: DecodedAudioInfo, probed?: ProbeResult): number | null {
  if (info.stream.duration_s !== null && info.stream.duration_s !== undefined) return info.stream.duration_s;
  // Matroska/WebM: the stream's own end as its muxer wrote it (a sound shorter than the file's picture is not cut).
  const tagged = taggedStreamEndS(info.stream);
  if (tagged !== null) return Math.max(0, tagged - (info.stream.start_time_s ?? probed?.start_time_s ?? 0));
  const d = probed?.duration_s ?? null;
  if (d === null) return null;
  // Without a stream duration (Matroska) the container's Duration is the last timestamp, so a file whose stream
  // starts later than 0 declares start + length: take the start off, or it looks truncated by its start time.
  const start = info.stream.start_time_s ?? probed?.start_time_s ?? 0;
  return start > 0 ? Math.max(0, d - start) : d;
}

/** Decodes a whole file into memory (for short clips and tests; use AudioDecoder to stream long files). */
export async function decodeAudioToArray(file: string, opts: AudioDecodeOptions = {}): Promise<{ samples: Float32Array; info: DecodedAudioInfo }> {
  const dec = await AudioDecoder.open(file, opts);
  const parts: Float32Array[] = [];
  let total = 0;
  for await (const c of dec) {
    parts.push(c.slice());
    total += c.length;
  }
  const samples = new Float32Array(total);
  let o = 0;
  for (const p of parts) {
    samples.set(p, o);
    o += p.length;
  }
  return { samples, info: dec.info };
}
