/**
 * One read of a file's packet times (ffprobe -show_entries packet: demuxing only, one line at a time, memory flat in
 * the file's length), for everything that needs them: where each audio and video stream's packets end
 * (stream-ends.ts: truncated or short streams) and the jumps of each stream's clock (src/sync/checks/clock-jumps.ts: a
 * device restarted mid-session). `mmprep extract` checks every file before its stages and syncs it after: the read is
 * kept per file (its identity: path, inode, size, times; probe-memo.ts), so the file is read once, not twice.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startAgainAfterGroupInterrupt, trackChild } from './children.js';
import { childEnv, ffmpegBinaries } from './ffmpeg-path.js';
import { checkMediaFile } from './input-file.js';
import { EXIT, MmprepError } from '../common/errors.js';
import type { ProbeResult } from './probe.js';
import { fileIdentity, IdentityMemo, type FileIdentity } from './probe-memo.js';

/** One jump of one stream's timestamps: from `from_s` (where the stream had reached) to `to_s`, file timeline. */
export interface ClockJump {
  /** ffprobe's stream index in the file. */
  index: number;
  kind: 'audio' | 'video';
  from_s: number;
  to_s: number;
}

/** What the packets of one audio or video stream say, on the file's timeline (ffprobe's pts, else dts). */
export interface PacketSpan {
  index: number;
  kind: 'audio' | 'video';
  packets: number;
  /** The earliest packet time; null when the stream has no packet with a time. */
  first_s: number | null;
  /** The latest packet time plus its duration (the shortest step between packets where the container gives none). */
  end_s: number | null;
  /** The longest packet duration (a video frame, an audio frame), else the shortest step seen; 0 when unknown. */
  packet_s: number;
}

export interface PacketRead {
  spans: PacketSpan[];
  /** Clock jumps (none for containers whose times count samples: they cannot jump). */
  jumps: ClockJump[];
}

/**
 * Times going back by more than this (and by more than 8 packets' durations: a picture's packets in decoding order
 * carry presentation times that go back by the B-frames' reordering, a few frames) are a second recording.
 */
const BACK_S = 0.5;
/**
 * A forward jump of the sound by more than this: samples counted from the file's start are off after it (the value
 * decode-audio.ts GAP_MIN_S takes for a gap inside a search window: an AAC frame is 21 ms).
 */
const SOUND_GAP_S = 0.02;
/** A forward jump of a picture by more than this is a restart, not frames a phone dropped (those are 0.03-0.5 s). */
export const PICTURE_GAP_S = 2;

/** Containers whose timestamps are computed from the samples (they cannot jump): no jumps looked for. */
function countsSamples(container: string | null): boolean {
  return /^(wav|w64|flac|mp3|aac|aiff|caf)$/.test(container ?? '');
}

export interface Track {
  kind: 'audio' | 'video';
  /** Jumps (decoding order): the latest time reached (the running maximum), the previous packet's time and end, the longest duration. */
  max: number;
  last: number;
  end: number;
  dur: number;
  /** The shortest step between packets seen: a packet's duration where the container gives none. */
  step: number;
  /** Ends (presentation order): packets read, the earliest time, the latest time + duration, the latest time alone. */
  packets: number;
  first: number;
  presEnd: number;
  presLast: number;
}

/** The jump a packet at `t` (duration `dur`) makes in its stream, or null. */
function jumpOf(tr: Track, t: number, dur: number): number | null {
  if (!Number.isFinite(tr.max)) return null;
  if (t < tr.max - Math.max(BACK_S, 8 * tr.dur)) return t - tr.max;
  // The previous packet's end; without a duration, its time plus the shortest step seen (none yet: no gap told).
  const end = Number.isFinite(tr.end) ? tr.end : tr.last + tr.step;
  const gap = t - end;
  if (!Number.isFinite(gap)) return null;
  return gap > (tr.kind === 'audio' ? SOUND_GAP_S : Math.max(PICTURE_GAP_S, 8 * dur)) ? gap : null;
}

const field = (v: string | undefined): number => (v === undefined || v === '' || v === 'N/A' ? NaN : Number(v));

/** A stream's track before its first packet. */
export function newTrack(kind: 'audio' | 'video'): Track {
  return { kind, max: NaN, last: NaN, end: NaN, dur: 0, step: NaN, packets: 0, first: Infinity, presEnd: -Infinity, presLast: -Infinity };
}

/** Reads one `stream_index,pts,dts,duration` line into the tracks; a jump found is pushed to `out` (when given). */
function readPacket(line: string, tracks: Map<number, Track>, out: ClockJump[] | null): void {
  const [i, pts, dts, d] = line.split(',');
  readPacketFields(i, pts, dts, d, tracks, out);
}

/** Reads one packet's stream index, pts, dts and duration (ffprobe's text, '' or 'N/A' or undefined when none) into the tracks. */
export function readPacketFields(i: string, pts: string | undefined, dts: string | undefined, d: string | undefined, tracks: Map<number, Track>, out: ClockJump[] | null): void {
  const tr = tracks.get(Number(i));
  const shown = field(pts);
  const t = Number.isFinite(field(dts)) ? field(dts) : shown;
  if (!tr || !Number.isFinite(t)) return;
  const dur = field(d) > 0 ? field(d) : NaN;
  if (Number.isNaN(dur) && t > tr.last) tr.step = Number.isFinite(tr.step) ? Math.min(tr.step, t - tr.last) : t - tr.last;
  const jump = out ? jumpOf(tr, t, Number.isNaN(dur) ? 0 : dur) : null;
  if (out && jump !== null && out.length < 100) out.push({ index: Number(i), kind: tr.kind, from_s: jump < 0 ? tr.max : t - jump, to_s: t });
  tr.max = Math.max(Number.isFinite(tr.max) ? tr.max : -Infinity, t);
  tr.last = t;
  tr.end = t + dur;
  if (!Number.isNaN(dur)) tr.dur = Math.max(tr.dur, dur);
  const p = Number.isFinite(shown) ? shown : t;
  tr.packets++;
  tr.first = Math.min(tr.first, p);
  tr.presLast = Math.max(tr.presLast, p);
  if (!Number.isNaN(dur)) tr.presEnd = Math.max(tr.presEnd, p + dur);
}

/** A track's span: without durations, its latest time plus the shortest step seen. */
function spanOf(index: number, tr: Track): PacketSpan {
  const packet = tr.dur > 0 ? tr.dur : Number.isFinite(tr.step) ? tr.step : 0;
  const end = tr.packets ? Math.max(Number.isFinite(tr.presEnd) ? tr.presEnd : -Infinity, tr.presLast + (tr.dur > 0 ? 0 : packet)) : null;
  return { index, kind: tr.kind, packets: tr.packets, first_s: tr.packets ? tr.first : null, end_s: end, packet_s: packet };
}

/** `ffprobe -show_entries packet` over the whole file, each line to `onLine`; its exit and how many lines it gave. */
async function runPacketProbe(abs: string, onLine: (line: string) => void): Promise<{ exit: { code: number | null; signal: NodeJS.Signals | null }; lines: number }> {
  const { ffprobe } = ffmpegBinaries();
  const child = spawn(ffprobe.path, ['-v', 'quiet', '-show_entries', 'packet=stream_index,pts_time,dts_time,duration_time', '-of', 'csv=p=0', abs], {
    env: childEnv(),
    detached: process.platform !== 'win32',
    stdio: ['ignore', 'pipe', 'ignore'],
    windowsHide: true,
  });
  trackChild(child);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', () => resolve({ code: null, signal: null }));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  let lines = 0;
  for await (const line of createInterface({ input: child.stdout })) if (line) (lines++, onLine(line));
  return { exit: await exit, lines };
}

/**
 * The packet read of a file's audio and video streams. An ffprobe killed by the group's Ctrl-C before it ran
 * (children.ts) is started again; one that fails otherwise is an error naming the file, never a file left unchecked.
 */
async function readOnce(abs: string, p: ProbeResult): Promise<PacketRead> {
  const wantJumps = !countsSamples(p.container);
  for (let attempt = 1; ; attempt++) {
    const tracks = new Map<number, Track>();
    for (const s of p.streams) if (s.type === 'audio' || s.type === 'video') tracks.set(s.index, newTrack(s.type));
    const jumps: ClockJump[] = [];
    const { exit, lines } = await runPacketProbe(abs, (line) => readPacket(line, tracks, wantJumps ? jumps : null));
    if (exit.code === 0) return { spans: [...tracks].map(([i, tr]) => spanOf(i, tr)), jumps };
    if (startAgainAfterGroupInterrupt(exit.signal, lines, attempt)) continue;
    const why = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
    throw new MmprepError(`ffprobe could not read the packet times that show a stream cut short or ending early and a restarted device's clock jumps (${why}); run again`, EXIT.INTERNAL, { file: p.file });
  }
}

/** Reads kept by the file's identity (probe-memo.ts: a file changed or replaced in between is read again); the latest KEEP. */
const KEEP = 128;
const kept = new IdentityMemo<PacketRead>(KEEP);

/** The packet times of a file (one ffprobe pass, kept for the next caller; see the module comment). */
export async function readPacketTimes(p: ProbeResult): Promise<PacketRead> {
  const abs = await checkMediaFile(p.file);
  return kept.once(await fileIdentity(abs), () => readOnce(abs, p));
}

/**
 * Keeps a read made with the probe itself (probe-packets.ts: one ffprobe run for both), as readOnce would have made it:
 * `tracks` holds the audio and video streams that had packets, `jumps` every jump found; `id` is the file's identity (fileIdentity) before that run.
 */
export function keepPacketRead(id: FileIdentity, p: ProbeResult, tracks: Map<number, Track>, jumps: ClockJump[]): void {
  const spans = p.streams.filter((s) => s.type === 'audio' || s.type === 'video').map((s) => spanOf(s.index, tracks.get(s.index) ?? newTrack(s.type as 'audio' | 'video')));
  kept.set(id, Promise.resolve({ spans, jumps: countsSamples(p.container) ? [] : jumps }));
}
