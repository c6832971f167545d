/**
 * `mmprep probe`: container and stream facts from ffprobe (its JSON output), with units in the field names
 * (sample_rate_hz, width_px, height_px, rotation_deg, bit_rate_bps; renamed from sample_rate, width, height,
 * rotation, bit_rate).
 */
import { spawn } from 'node:child_process';
import { childrenStopped, startAgainAfterGroupInterrupt, trackChild } from './children.js';
import { InputError, unreadableReasonOfText } from '../common/errors.js';
import { shellWord, siblingName } from '../common/shell.js';
import { childEnv, ffmpegBinaries } from './ffmpeg-path.js';
import { checkMediaFile, ffmpegErrorLine } from './input-file.js';
import { fileIdentity, IdentityMemo, type FileIdentity } from './probe-memo.js';

export interface StreamInfo {
  index: number;
  type: 'audio' | 'video' | 'subtitle' | 'data' | 'attachment' | 'unknown';
  codec: string | null;
  sample_rate_hz: number | null;
  channels: number | null;
  width_px: number | null;
  height_px: number | null;
  /** avg_frame_rate: frames / duration. */
  fps_avg: number | null;
  /** r_frame_rate: the lowest rate that represents all timestamps (the "real" base rate). */
  fps_real: number | null;
  start_time_s: number | null;
  duration_s: number | null;
  /** Display rotation in degrees (ffprobe's display-matrix convention); 0 when none. */
  rotation_deg: number;
  /** Sample (pixel) aspect ratio, width over height of a stored pixel: 1 for square pixels (and when unknown). */
  sample_aspect_ratio: number | null;
  n_frames: number | null;
}

export interface ProbeResult {
  file: string;
  container: string | null;
  duration_s: number | null;
  start_time_s: number | null;
  size_bytes: number | null;
  bit_rate_bps: number | null;
  streams: StreamInfo[];
}

function num(v: unknown): number | null {
  if (v === undefined || v === null || v === 'N/A' || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

function rate(v: unknown): number | null {
  if (typeof v !== 'string') return num(v);
  const m = /^(\d+)\/(\d+)$/.exec(v);
  if (!m) return num(v);
  const d = Number(m[2]);
  return d === 0 || Number(m[1]) === 0 ? null : Number(m[1]) / d;
}

function streamType(t: unknown): StreamInfo['type'] {
  return t === 'audio' || t === 'video' || t === 'subtitle' || t === 'data' || t === 'attachment' ? t : 'unknown';
}

function rotationOf(s: Record<string, unknown>): number {
  const tags = (s.tags ?? {}) as Record<string, unknown>;
  const r = num(s.rotation) ?? num(tags.rotate);
  if (r === null) return 0;
  return ((Math.round(r) % 360) + 360) % 360;
}

/** ffprobe's sample_aspect_ratio ("16:15"); "0:1", "N/A" or none mean unknown, taken as square. */
function sarOf(v: unknown): number {
  const m = typeof v === 'string' ? /^(\d+):(\d+)$/.exec(v) : null;
  const sar = m ? Number(m[1]) / Number(m[2]) : 0;
  return Number.isFinite(sar) && sar > 0 ? sar : 1;
}

/**
 * The end time a Matroska/WebM muxer wrote for a stream (its `DURATION` tag, "HH:MM:SS.nnnnnnnnn": the stream's last
 * timestamp plus that frame's duration, on the file's timeline; ffmpeg's and mkvmerge's muxers write it), kept beside
 * the probe's StreamInfo (not a field of it: `mmprep probe` prints StreamInfo as is). For the face decoder's
 * truncation check: a Matroska stream states no frame count.
 */
const taggedEnds = new WeakMap<StreamInfo, number>();

/**
 * Streams ffprobe marks `disposition.attached_pic` (cover art of an MP3, M4A or FLAC; a thumbnail in an MP4): a still
 * picture stored as a "video" stream of one packet, not a recording's picture. Kept beside StreamInfo like taggedEnds.
 * Before 2026-12-06 `mmprep face cover.m4a` analysed the cover as a 1-frame video, exit 0 (a new user's trial, W6).
 */
const attachedPics = new WeakSet<StreamInfo>();

/**
 * A video stream's display matrix whose 2x2 part has a negative determinant: the picture is to be mirrored for display
 * (what ffmpeg >= 6 `-display_hflip` writes; ffprobe 5.1 calls an h-flip `rotation: -180`). The two ffmpeg builds mmprep
 * runs with apply it differently (Debian's 5.1 mirrors, the npm 2018 build turns the picture 180 degrees: ttrial48b
 * W5), so face refuses it (face/extract.ts). Kept beside StreamInfo: the matrix's a, b, c, d (ffprobe's
 * `displaymatrix` rows 0-1, 16.16 fixed point).
 */
const mirrorMatrices = new WeakMap<StreamInfo, [number, number, number, number]>();

/** ffprobe's displaymatrix text ("00000000: a b u\n00000001: c d v\n...") as [a, b, c, d], or null. */
function displayMatrixOf(s: Record<string, unknown>): [number, number, number, number] | null {
  const side = (s.side_data_list as Array<Record<string, unknown>> | undefined)?.find((d) => typeof d.displaymatrix === 'string');
  const rows = String(side?.displaymatrix ?? '').split('\n').map((l) => l.replace(/^\s*[0-9a-f]+:/i, '').trim().split(/\s+/).map(Number)).filter((r) => r.length === 3 && r.every(Number.isFinite));
  return rows.length >= 2 ? [rows[0][0], rows[0][1], rows[1][0], rows[1][1]] : null;
}

/** A stream's mirroring display matrix [a, b, c, d] (see mirrorMatrices), or null when it has none or only turns. */
export function mirrorDisplayMatrix(s: StreamInfo): [number, number, number, number] | null {
  return mirrorMatrices.get(s) ?? null;
}

/**
 * ffprobe's `field_order` of an interlaced video stream (tt, bb, tb, bt: two fields of different instants woven into
 * each frame), kept beside StreamInfo; progressive and unknown streams have none. A moving face is combed in such
 * frames: eye and mouth ratios read 17-20 % low (ttrial48b W3, a face moving 400 px/s at 25i), so face warns.
 */
const fieldOrders = new WeakMap<StreamInfo, string>();

/** An interlaced stream's field order (see fieldOrders), or null. */
export function interlacedFieldOrder(s: StreamInfo): string | null {
  return fieldOrders.get(s) ?? null;
}

/** Whether a stream is an attached picture (cover art), not a video (see attachedPics). */
export function isAttachedPicture(s: StreamInfo): boolean {
  return attachedPics.has(s);
}

function taggedEndS(container: unknown, s: Record<string, unknown>): number | null {
  if (typeof container !== 'string' || !/matroska|webm/.test(container)) return null;
  const tags = (s.tags ?? {}) as Record<string, unknown>;
  const m = /^(\d+):(\d\d):(\d\d(?:\.\d+)?)$/.exec(String(tags.DURATION ?? tags.duration ?? ''));
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : null;
}

/** A Matroska/WebM stream's end time as its muxer recorded it (see taggedEnds), or null. */
export function taggedStreamEndS(stream: StreamInfo): number | null {
  return taggedEnds.get(stream) ?? null;
}

export interface FfprobeJson {
  streams?: Array<Record<string, unknown>>;
  format?: Record<string, unknown>;
}

/** The display-matrix rotation of a stream's side data, lifted onto the stream as `rotation` (as fluent-ffmpeg's reader did). */
export function liftRotation(data: FfprobeJson): FfprobeJson {
  for (const st of data.streams ?? []) {
    const side = (st.side_data_list as Array<Record<string, unknown>> | undefined)?.find((d) => d.rotation !== undefined);
    if (st.rotation === undefined && side) st.rotation = side.rotation;
  }
  return data;
}

/**
 * ffprobe's JSON for a file, in its own process group like ffmpeg (see spawnOutsideProcessGroup). The display-matrix
 * rotation of side data is lifted onto the stream as `rotation` (as fluent-ffmpeg's reader did). Errors read like
 * fluent-ffmpeg's: "ffprobe exited with code N" + stderr, or "ffprobe was killed with signal SIG…".
 */
export function runFfprobe(abs: string, attempt = 1, args = ['-show_streams', '-show_format']): Promise<FfprobeJson> {
  const { ffprobe } = ffmpegBinaries();
  return new Promise((resolve, reject) => {
    if (childrenStopped()) return reject(new Error('ffprobe not started: the session is being rolled back'));
    const child = spawn(ffprobe.path, ['-v', 'error', '-print_format', 'json', ...args, abs], {
      env: childEnv(),
      detached: process.platform !== 'win32',
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    trackChild(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const stderr = Buffer.concat(err).toString('utf8');
      // Killed by the group's Ctrl-C before it ran (children.ts): started again.
      if (startAgainAfterGroupInterrupt(signal, out.length, attempt)) return resolve(runFfprobe(abs, attempt + 1, args));
      if (signal) return reject(new Error(`ffprobe was killed with signal ${signal}\n${stderr}`));
      if (code !== 0) return reject(new Error(`ffprobe exited with code ${code}\n${stderr}`));
      try {
        resolve(liftRotation(JSON.parse(Buffer.concat(out).toString('utf8')) as FfprobeJson));
      } catch (e) {
        reject(new Error(`ffprobe exited with code 0\nunreadable output (${(e as Error).message})`));
      }
    });
  });
}

/**
 * An ffprobe that died reading a file: not the file's fault as such, but the build's (a static build whose iconv
 * crashed on an MPEG-TS file's service name where childEnv() does not avoid it, ffmpeg-path.ts). The file's streams
 * copied into Matroska (any codec, no SDT) read, as does the file with another ffprobe.
 */
function crashText(file: string, signal: string): string {
  const { ffmpeg, ffprobe } = ffmpegBinaries();
  const name = file.split('/').pop() ?? file;
  const ts = /\.(ts|mts|m2ts)$/i.test(name) ? ' (MPEG-TS)' : '';
  const remux = `${ffmpeg.source === 'path' ? 'ffmpeg' : shellWord(ffmpeg.path)} -i ${shellWord(name)} -map '0:v?' -map '0:a?' -c copy ${shellWord(siblingName(name, '-remuxed.mkv'))}`;
  return `ffprobe crashed (${signal}) reading this file${ts}: a bug of the ffprobe at ${ffprobe.path}, not of the file; copy its streams into Matroska and use that file: ${remux}, or set MMPREP_FFPROBE to another ffprobe build (a distribution's, as apt-get install ffmpeg gives)`;
}

/**
 * ffprobe's streams and format of each file read in this process, by the file's identity (probe-memo.ts): a plain
 * probe's, or the one run of probe-packets.ts, whose streams and format are a plain probe's (test media-probe-starts).
 */
const probed = new IdentityMemo<FfprobeJson>(128);

/** ffprobe's first decoded frame of a stream (firstSampleTime), by the file's identity and the stream's index. */
const firstFrames = new IdentityMemo<FfprobeJson>(128);

/** Probes one file. Bad input (missing, directory, empty, unreadable by ffmpeg) raises InputError naming the file. */
export async function probe(file: string): Promise<ProbeResult> {
  const abs = await checkMediaFile(file);
  return probeKept(file, await fileIdentity(abs), () => runFfprobe(abs));
}

/**
 * The ProbeResult of `file` (of identity `id`): ffprobe's JSON kept for that identity, else `read()`'s (a plain
 * ffprobe run, or one giving the same streams and format), kept. A run's failure is an InputError naming `file`.
 */
export async function probeKept(file: string, id: FileIdentity, read: () => Promise<FfprobeJson>): Promise<ProbeResult> {
  let data: FfprobeJson;
  try {
    data = await probed.once(id, read);
  } catch (e) {
    throw probeError(file, e);
  }
  refuseShapelessStreams(file, data);
  return probeResultOf(file, data);
}

/**
 * A file whose every stream has no shape (audio without sample rate and channels, a picture without width and
 * height) is not media: ffprobe's raw demuxers (FLAC, AAC, MP3...) take any file for their format by its name alone
 * (probe_score 1), so a web page saved as `s01_lav.flac` (a failed download) was "valid audio" to `mmprep probe` and
 * failed later with ffmpeg's "Conversion failed!" (a new user's trial).
 */
function refuseShapelessStreams(file: string, data: FfprobeJson): void {
  const streams = data.streams ?? [];
  const shaped = (s: Record<string, unknown>) =>
    s.codec_type === 'audio' ? Number(s.sample_rate) > 0 || Number(s.channels) > 0 : s.codec_type === 'video' ? Number(s.width) > 0 || Number(s.height) > 0 : true;
  if (streams.length === 0 || streams.some(shaped)) return;
  const format = String(data.format?.format_long_name ?? data.format?.format_name ?? 'a media format');
  throw new InputError(`not a media file ffmpeg can read (ffprobe took it for ${format} by its name and found no sound or picture in it): check that it is a complete audio or video file (a download that saved an error page does this) and replace it`, { file });
}

/** A failed ffprobe run as the InputError naming the file: stopped, crashed (a build's bug), or not media. */
function probeError(file: string, e: unknown): InputError {
  const msg = (e as Error).message ?? String(e);
  const crash = /killed with signal (SIG[A-Z]+)/.exec(msg);
  if (crash && /^SIG(INT|TERM|HUP|KILL)$/.test(crash[1])) {
    // Someone stopped it (an interrupt, a batch system ending the job): neither the file's fault nor ffprobe's.
    return new InputError(`ffprobe was killed with signal ${crash[1]} while reading this file`, { file });
  }
  if (crash) return new InputError(crashText(file, crash[1]), { file });
  // A file made unreadable after its check (permissions changed, a mount dropped) is not a broken file.
  const unreadable = unreadableReasonOfText(ffmpegErrorLine(msg));
  if (unreadable) return new InputError(`cannot read: ${unreadable}`, { file });
  return new InputError(`not a media file ffmpeg can read (${ffmpegErrorLine(msg)}): check that it is a complete audio or video file (a copy cut short fails so) and replace it`, { file });
}

/** The ProbeResult of ffprobe's JSON (streams and format) for `file`. */
export function probeResultOf(file: string, data: FfprobeJson): ProbeResult {
  const fmt = (data.format ?? {}) as Record<string, unknown>;
  const streams: StreamInfo[] = (data.streams ?? []).map((s) => {
    const type = streamType(s.codec_type);
    const info: StreamInfo = {
      index: Number(s.index),
      type,
      codec: typeof s.codec_name === 'string' ? s.codec_name : null,
      sample_rate_hz: type === 'audio' ? num(s.sample_rate) : null,
      channels: type === 'audio' ? num(s.channels) : null,
      width_px: type === 'video' ? num(s.width) : null,
      height_px: type === 'video' ? num(s.height) : null,
      fps_avg: type === 'video' ? rate(s.avg_frame_rate) : null,
      fps_real: type === 'video' ? rate(s.r_frame_rate) : null,
      start_time_s: num(s.start_time),
      duration_s: num(s.duration),
      rotation_deg: type === 'video' ? rotationOf(s) : 0,
      sample_aspect_ratio: type === 'video' ? sarOf(s.sample_aspect_ratio) : null,
      n_frames: num(s.nb_frames),
    };
    const end = taggedEndS(fmt.format_name, s);
    if (end !== null) taggedEnds.set(info, end);
    if (type === 'video' && /^(tt|bb|tb|bt)$/.test(String(s.field_order ?? ''))) fieldOrders.set(info, String(s.field_order));
    const m = type === 'video' ? displayMatrixOf(s) : null;
    if (m && m[0] * m[3] - m[1] * m[2] < 0) mirrorMatrices.set(info, m);
    if (type === 'video' && Number((s.disposition as Record<string, unknown> | undefined)?.attached_pic) === 1) attachedPics.add(info);
    return info;
  });
  return {
    file,
    container: typeof fmt.format_name === 'string' ? fmt.format_name : null,
    duration_s: num(fmt.duration),
    start_time_s: num(fmt.start_time),
    size_bytes: num(fmt.size),
    bit_rate_bps: num(fmt.bit_rate),
    streams,
  };
}

/**
 * Presentation time of an audio stream's first decoded sample on the file's timeline. ffprobe's stream start_time is
 * its first packet's, which the decoder's first sample is not when the decoder drops samples the container does not
 * account for: Opus in Matroska/WebM (a browser's MediaRecorder file) starts its first packet at -0.007 s (the
 * codec delay, 312 samples at 48 kHz) and decodes from 0.000, 6.5 ms later; Vorbis in WebM likewise. For those
 * codecs the time of the first decoded frame is read (ffprobe -show_frames of one frame, as ffmpeg's decoder gives
 * it); every other stream keeps start_time (AAC in MP4 and MPEG-TS, MP3, PCM, FLAC: the first frame's time there).
 */
export async function firstSampleTime(p: ProbeResult, stream: StreamInfo): Promise<number | null> {
  if (!/^(opus|vorbis)$/.test(stream.codec ?? '')) return stream.start_time_s;
  const abs = await checkMediaFile(p.file);
  let data: { frames?: Array<Record<string, unknown>> };
  try {
    // Kept per file identity and stream like probe() (each decoder of the stream asked it: `mmprep audio` of a WebM
    // twice, `mmprep sync` once per search window); a failed run is not kept.
    const id = await fileIdentity(abs);
    const read = () => runFfprobe(abs, 1, ['-select_streams', String(stream.index), '-show_entries', 'frame=pts_time,best_effort_timestamp_time', '-read_intervals', '%+#1']);
    data = (await firstFrames.once({ ...id, key: `${id.key}\0${stream.index}` }, read)) as typeof data;
  } catch {
    return stream.start_time_s; // the decode itself reports an unreadable stream
  }
  const f = data.frames?.[0];
  return num(f?.pts_time) ?? num(f?.best_effort_timestamp_time) ?? stream.start_time_s;
}

/**
 * How long a file is on its own timeline (from its first timestamp), for windows and truncation checks. ffprobe's
 * container duration is the header's: MP4/MOV (mvhd, an edit list's empty edit included) and Matroska/WebM (the
 * segment's Duration, the last timestamp) state where the media ends, not how long it is, so a file whose streams
 * start at 2 s declares 2 s more than it holds. For such a file the streams' own ends are taken (MP4 states them),
 * else the start is taken off (Matroska). An MP4/MOV starting at 0 is as long as the container's duration or its
 * longest stream's stated end, whichever is later: the npm package's ffmpeg (Lavf58, 2018) leaves a late track's
 * empty edit out of the file's duration (`-itsoffset 0.5` on the sound: 10.022 s declared, the sound ending at
 * 10.500 s; Lavf59 declares 10.500 s), and the search windows (half the file) must not depend on the muxer. A file
 * starting before 0 (audio priming) keeps the container's duration; so do containers whose duration is the span
 * (MPEG-TS).
 */
export function fileSpanS(p: ProbeResult): number | null {
  const d = p.duration_s;
  if (d === null) return null;
  const start = p.start_time_s ?? 0;
  const mp4 = /mov|mp4/.test(p.container ?? '');
  if (start < 0 || !(mp4 || /matroska|webm/.test(p.container ?? ''))) return d;
  const ends = p.streams.filter((s) => (s.type === 'audio' || s.type === 'video') && s.duration_s !== null).map((s) => (s.start_time_s ?? start) - start + (s.duration_s as number));
  if (start === 0) return mp4 && ends.length ? Math.max(d, ...ends) : d;
  return ends.length ? Math.max(...ends) : Math.max(0, d - start);
}

/**
 * Where a file's packets end on its timeline: the largest pts (else dts) + duration of the packets from `fromS` to the
 * end of the file, demuxed without decoding (ffprobe -read_intervals seeks there through the container's index), or
 * null when none is read there. A copy that did not finish keeps a header declaring the whole length.
 */
/**
 * An interval's length standing for "to the end": the npm package's ffprobe (2018) reads no packet at all for an
 * interval without an end (`1.5%`), where ffprobe 5.1 reads to the end; a stereo FLAC .mka of 2 s was called truncated.
 */
const READ_TO_END_S = 86_400;

export async function packetsEndS(p: ProbeResult, fromS: number, streamIndex?: number): Promise<number | null> {
  const abs = await checkMediaFile(p.file);
  const only = streamIndex === undefined ? [] : ['-select_streams', String(streamIndex)];
  const data = (await runFfprobe(abs, 1, [...only, '-read_intervals', `${fromS.toFixed(3)}%+${READ_TO_END_S}`, '-show_entries', 'packet=pts_time,dts_time,duration_time'])) as { packets?: Array<Record<string, unknown>> };
  let end: number | null = null;
  for (const k of data.packets ?? []) {
    const t = num(k.pts_time) ?? num(k.dts_time);
    if (t !== null) end = Math.max(end ?? -Infinity, t + (num(k.duration_time) ?? 0));
  }
  return end;
}

/** The streams of a type, in file order; attached pictures (cover art) are not video streams. */
export function streamsOf(p: ProbeResult, type: 'audio' | 'video'): StreamInfo[] {
  return p.streams.filter((s) => s.type === type && !isAttachedPicture(s));
}

/**
 * The N-th stream of a type (0-based among streams of that type, cover art not counted), or an InputError naming what
 * is missing.
 */
export function pickStream(p: ProbeResult, type: 'audio' | 'video', n = 0): StreamInfo {
  const of = streamsOf(p, type);
  const covers = type === 'video' ? p.streams.filter(isAttachedPicture) : [];
  if (of.length === 0 && covers.length) {
    const which = covers.map((s) => `stream ${s.index}, ${s.codec ?? 'an image'}`).join('; ');
    throw new InputError(`has no video stream, only cover art (${which}: a still picture attached to the sound, ffprobe's disposition attached_pic): it is an audio file; give the camera's recording (a file with a moving picture)`, { file: p.file });
  }
  if (of.length === 0) throw new InputError(`has no ${type} stream: give a file with ${type === 'video' ? 'a picture (a camera recording)' : 'sound'}`, { file: p.file });
  const s = of[n];
  if (!s) throw new InputError(`has ${of.length} ${type} stream(s); --stream ${n} does not exist: pass --stream 0${of.length > 1 ? `..${of.length - 1}` : ''}`, { file: p.file });
  return s;
}
