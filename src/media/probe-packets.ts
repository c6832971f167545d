/**
 * A file's probe and its packet times from one ffprobe run (`-show_streams -show_format -show_entries packet=...`;
 * ffprobe prints the packets first, then the streams and the format, these, for the containers of MERGE_FORMATS, the
 * same as a probe alone gives them but for each stream's `nb_read_packets`, which no one reads). For the callers that read both (`mmprep sync`, `mmprep
 * extract` before its stages): each start of a distribution's ffprobe costs ~0.15 CPU s before it reads a byte
 * (docs/benchmarks-history.md "Where the test suite's CPU goes"), and a file read twice was two starts. The packets are read
 * one line at a time as packet-times.ts reads them (memory flat in the file's length). Anything unexpected (an
 * ffprobe that fails, a line not read as a packet, output that is not JSON) falls back to probe() alone, so the packet
 * read runs later on its own as before and fails or warns as it did: this only saves a start, never changes a result.
 * A file ffprobe cannot open at all (NOT_OPENED) fails as probe() fails it, from this run's error (the open is the same).
 * A file over MERGE_MAX_BYTES, or in a container whose streams can start mid-file (MERGE_FORMATS), is read in two
 * runs as before. Over MERGE_MAX_BYTES the packets in JSON cost more than in CSV, ~1 CPU s more
 * for a 2-hour 25 fps + AAC file's 517 000 packets (ffprobe's JSON 70 MB against CSV's 18 MB), more than a start saves.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { childrenStopped, startAgainAfterGroupInterrupt, trackChild } from './children.js';
import { childEnv, ffmpegBinaries } from './ffmpeg-path.js';
import { checkMediaFile } from './input-file.js';
import { keepPacketRead, newTrack, readPacketFields, type ClockJump, type Track } from './packet-times.js';
import { directWavProbe, printfF6, wavLayoutOf } from './wav-direct.js';
import { fileIdentity, type FileIdentity } from './probe-memo.js';
import { liftRotation, probeKept, probeResultOf, runFfprobe, type FfprobeJson, type ProbeResult } from './probe.js';

/**
 * The containers whose streams the header declares, for which ffprobe's streams are the same after reading every
 * packet (checked, see the module comment). Not MPEG-TS/PS, Ogg, FLV: streams can start mid-file there, and a stream
 * a probe alone called mp3 with 0 Hz (its packets after the first seconds) read as mp2, 44100 Hz, after them (a TS
 * joined from a picture-only and a picture-and-sound recording): those keep the two runs. By ffprobe's format_name;
 * files whose name says another container are not tried (MERGE_SKIP_NAMES).
 */
const MERGE_FORMATS = /^(mov,mp4,m4a,3gp,3g2,mj2|matroska,webm|wav|w64|flac|mp3|avi|aiff)$/;
const MERGE_SKIP_NAMES = /\.(ts|mts|m2ts|mpg|mpeg|vob|ps|flv|ogg|oga|ogv|opus|spx)$/i;

/**
 * Larger files are probed alone (see the module comment): under this size a file can hold ~100 000 packets, where
 * the JSON's cost reaches a start's, only at under ~160 bytes a packet (sound alone at under ~64 kbit/s: voice memos).
 */
export const MERGE_MAX_BYTES = 16 * 1024 * 1024;

/** ffprobe's compact JSON line of one packet (its fields in ffprobe's order, each there or not). */
const PACKET_LINE = /^ {8}\{ "codec_type": "(\w+)", "stream_index": (\d+)(?:, "pts_time": "([^"]*)")?(?:, "dts_time": "([^"]*)")?(?:, "duration_time": "([^"]*)")?(?:,| \},?)$/;

interface MergedRead {
  tracks: Map<number, Track>;
  jumps: ClockJump[];
  /** The output without its packets: the streams and the format, as JSON. */
  rest: string[];
  /** A line of the packets not read as a packet (a build printing them otherwise): the run is not used. */
  unread: boolean;
  /** The packets array was found (else the packets, if any, were not read: the run is not used). */
  seen: boolean;
}

/** One output line into the read: outside the packets array it is kept; inside it, a packet is read into its track. */
function readLine(line: string, r: MergedRead, state: { inPackets: boolean }): void {
  if (!state.inPackets) {
    if (line === '    "packets": [') state.inPackets = r.seen = true;
    else r.rest.push(line);
    return;
  }
  if (line === '    ],' || line === '    ]') return void (state.inPackets = false);
  if (!line.startsWith('        {')) return; // a packet's side data (its own lines, deeper), or the empty array's blank line
  const m = PACKET_LINE.exec(line);
  if (!m) return void (r.unread = true);
  const [, kind, index, pts, dts, dur] = m;
  if ((kind === 'audio' || kind === 'video') && !r.tracks.has(Number(index))) r.tracks.set(Number(index), newTrack(kind));
  readPacketFields(index, pts, dts, dur, r.tracks, r.jumps);
}

/**
 * ffprobe's whole output when it could not open the file (no section printed: `moov atom not found`, not media at
 * all), the same with either build. The open is a plain probe's, so its failure is the plain probe's: not run again.
 */
const NOT_OPENED = '{\n\n}';
/** ffprobe's stderr kept of the one run (its first bytes: the error a failed open prints; a damaged file's run can print more). */
const STDERR_KEEP = 64 * 1024;

/** The one run's outcome: its read, the error of a file ffprobe could not open, or null when not used (module comment). */
type MergedOutcome = MergedRead | { notOpened: Error } | null;

/** The first STDERR_KEEP bytes a stream gives, read to its end (a child's stderr never fills its pipe). */
function keepHead(stream: NodeJS.ReadableStream): () => string {
  const kept: Buffer[] = [];
  let size = 0;
  stream.on('data', (b: Buffer) => {
    if (size < STDERR_KEEP) kept.push(b.subarray(0, STDERR_KEEP - size));
    size += b.length;
  });
  return () => Buffer.concat(kept).toString('utf8');
}

/**
 * The one ffprobe run (see MergedOutcome). One killed by the group's Ctrl-C before it ran (children.ts) is started
 * again, as every child is.
 */
async function runMerged(abs: string, attempt = 1): Promise<MergedOutcome> {
  if (childrenStopped()) return null;
  const { ffprobe } = ffmpegBinaries();
  // The packet entries in packet-times.ts's order (a log or a test matching `packet=stream_index,...` finds this run too).
  const args = ['-v', 'error', '-print_format', 'json=compact=1', '-show_streams', '-show_format', '-show_entries', 'packet=stream_index,pts_time,dts_time,duration_time,codec_type', abs];
  const child = spawn(ffprobe.path, args, { env: childEnv(), detached: process.platform !== 'win32', stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  trackChild(child);
  const stderr = keepHead(child.stderr);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', () => resolve({ code: null, signal: null }));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const r: MergedRead = { tracks: new Map(), jumps: [], rest: [], unread: false, seen: false };
  const state = { inPackets: false };
  let lines = 0;
  for await (const line of createInterface({ input: child.stdout })) (lines++, readLine(line, r, state));
  const { code, signal } = await exit;
  if (startAgainAfterGroupInterrupt(signal, lines, attempt)) return runMerged(abs, attempt + 1);
  if (code === 0) return r.seen && !r.unread && !state.inPackets ? r : null;
  // As runFfprobe (probe.ts) words a failed run.
  if (code !== null && !r.seen && r.rest.join('\n') === NOT_OPENED) return { notOpened: new Error(`ffprobe exited with code ${code}\n${stderr()}`) };
  return null;
}

/**
 * probe(file), with the file's packet times read in the same ffprobe run and kept for readPacketTimes (packet-times.ts).
 * For callers that read both; probe() alone for the rest (`mmprep audio` reads no packets: a 2-hour file's would cost it).
 * Both are kept by the file's identity (probe-memo.ts): a file probed before in this process starts no ffprobe here
 * (its packets, when not kept, are read by readPacketTimes if asked for), and a later probe() of it starts none either.
 */
export async function probeWithPacketTimes(file: string): Promise<ProbeResult> {
  const abs = await checkMediaFile(file);
  const id = await fileIdentity(abs);
  const wav = wavProbeWithPackets(file, id);
  if (wav) return wav;
  if (id.size > MERGE_MAX_BYTES || MERGE_SKIP_NAMES.test(abs)) return probeKept(file, id, () => runFfprobe(abs));
  return probeKept(file, id, () => mergedOrPlain(abs, id));
}

/**
 * ffprobe's streams and format from the one run, its packet read kept for the file's identity `id` (readPacketTimes); a plain
 * probe's when the one run is not used (see the module comment).
 */
async function mergedOrPlain(abs: string, id: FileIdentity): Promise<FfprobeJson> {
  const r = await runMerged(abs);
  if (r && 'notOpened' in r) throw r.notOpened;
  let data: FfprobeJson | null = null;
  try {
    data = r ? liftRotation(JSON.parse(r.rest.join('\n')) as FfprobeJson) : null;
  } catch {
    data = null;
  }
  if (!r || !data || !Array.isArray(data.streams) || !data.format || 'packets' in data || !MERGE_FORMATS.test(String(data.format.format_name))) return runFfprobe(abs);
  keepPacketRead(id, probeResultOf(abs, data), r.tracks, r.jumps);
  return data;
}

/**
 * The probe and packet read of a 16 kHz mono PCM WAV (wav-direct.ts directWavProbe: its probe result is ffprobe's)
 * without ffprobe: ffmpeg's WAV reader gives packets of 4096 bytes (its MAX_SIZE; the last one shorter) timed by
 * their first sample (time base 1 / rate), pts = dts, which ffprobe prints as "%f" of ts * (1 / rate) (printfF6); these
 * lines go through the same reader as ffprobe's (readPacketFields), so the spans are the ones ffprobe's run gives
 * (test/audio-wav-direct.test.ts compares them with Debian's 5.1 and the npm build). Such a WAV cannot jump (its
 * times count samples). Null for any other file: ffprobe reads it.
 */
function wavProbeWithPackets(file: string, id: FileIdentity): ProbeResult | null {
  const p = directWavProbe(file, { sampleRate: 16000 });
  const layout = wavLayoutOf(p ?? undefined);
  if (!p || !layout) return null;
  const tracks = new Map<number, Track>([[0, newTrack('audio')]]);
  const perPacket = 4096 / layout.bytesPerSample;
  const q = 1 / layout.sampleRate;
  for (let at = 0; at < layout.nSamples; at += perPacket) {
    const t = printfF6(at * q);
    readPacketFields('0', t, t, printfF6(Math.min(perPacket, layout.nSamples - at) * q), tracks, null);
  }
  keepPacketRead(id, p, tracks, []);
  return p;
}
