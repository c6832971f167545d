/**
 * Jumps of a file's own clock outside the search windows: a device restarted mid-session whose file holds two
 * recordings (MPEG-TS or VOB files joined with `cat`, a recorder that went on writing one file after a restart). The
 * search windows see the first `--search-s` seconds (and the last), so a restart between them was placed by the start
 * pulse alone with exit 0, its second part on another clock (a new user's trial, 2026-12-02; measured again
 * 2026-12-02 on a camera restarted 20 s into a 50 s session: placed with exit 0, the part after the restart 8 s off).
 * The packets' timestamps of the whole file are read (ffprobe -show_entries packet, demuxing only, one line at a time:
 * memory flat in the file's length), stream by stream, in decoding order (dts; pts where a container gives none).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ffmpegBinaries } from '../media/ffmpeg-path.js';
import { startAgainAfterGroupInterrupt, trackChild } from '../media/children.js';
import type { ProbeResult } from '../media/probe.js';
import { InputError } from '../common/errors.js';
import { shellWord, siblingName } from '../common/shell.js';
import type { StreamState } from './streams.js';

/** One jump of one stream's timestamps: from `from_s` (where the stream had reached) to `to_s`, file timeline. */
export interface ClockJump {
  /** ffprobe's stream index in the file. */
  index: number;
  kind: 'audio' | 'video';
  from_s: number;
  to_s: number;
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
const PICTURE_GAP_S = 2;

/** Containers whose timestamps are computed from the samples (they cannot jump): not read. */
function countsSamples(container: string | null): boolean {
  return /^(wav|w64|flac|mp3|aac|aiff|caf)$/.test(container ?? '');
}

interface Track {
  kind: 'audio' | 'video';
  /** The latest time reached (the running maximum), the previous packet's time and end, the longest duration. */
  max: number;
  last: number;
  end: number;
  dur: number;
  /** The shortest step between packets seen: a packet's duration where the container gives none. */
  step: number;
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

/** Reads one `stream_index,pts,dts,duration` line into the tracks; a jump found is pushed to `out`. */
function readPacket(line: string, tracks: Map<number, Track>, out: ClockJump[]): void {
  const [i, pts, dts, d] = line.split(',');
  const tr = tracks.get(Number(i));
  const t = Number(dts !== undefined && dts !== 'N/A' && dts !== '' ? dts : pts);
  if (!tr || !Number.isFinite(t)) return;
  const dur = d !== undefined && d !== '' && d !== 'N/A' && Number(d) > 0 ? Number(d) : NaN;
  if (Number.isNaN(dur) && t > tr.last) tr.step = Number.isFinite(tr.step) ? Math.min(tr.step, t - tr.last) : t - tr.last;
  const jump = jumpOf(tr, t, Number.isNaN(dur) ? 0 : dur);
  if (jump !== null && out.length < 100) out.push({ index: Number(i), kind: tr.kind, from_s: jump < 0 ? tr.max : t - jump, to_s: t });
  tr.max = Math.max(Number.isFinite(tr.max) ? tr.max : -Infinity, t);
  tr.last = t;
  tr.end = t + dur;
  if (!Number.isNaN(dur)) tr.dur = Math.max(tr.dur, dur);
}

/**
 * The clock jumps of a file's audio and video streams (none for containers whose times count samples). An ffprobe
 * killed by the group's Ctrl-C before it ran (src/media/children.ts) is started again; one that fails otherwise is an
 * error naming the file, never a file whose clock went unchecked.
 */
export async function clockJumps(abs: string, p: ProbeResult): Promise<ClockJump[]> {
  if (countsSamples(p.container)) return [];
  for (let attempt = 1; ; attempt++) {
    const tracks = new Map<number, Track>();
    for (const s of p.streams) if (s.type === 'audio' || s.type === 'video') tracks.set(s.index, { kind: s.type, max: NaN, last: NaN, end: NaN, dur: 0, step: NaN });
    const out: ClockJump[] = [];
    const { exit, lines } = await readPackets(abs, (line) => readPacket(line, tracks, out));
    if (exit.code === 0) return out;
    if (startAgainAfterGroupInterrupt(exit.signal, lines, attempt)) continue;
    throw new Error(`${abs}: ffprobe could not read the packet times that show a restarted device's clock jumps (${exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`}); run again`);
  }
}

/** `ffprobe -show_entries packet` over the whole file, each line to `onLine`; its exit and how many lines it gave. */
async function readPackets(abs: string, onLine: (line: string) => void): Promise<{ exit: { code: number | null; signal: NodeJS.Signals | null }; lines: number }> {
  const { ffprobe } = ffmpegBinaries();
  const child = spawn(ffprobe.path, ['-v', 'quiet', '-show_entries', 'packet=stream_index,pts_time,dts_time,duration_time', '-of', 'csv=p=0', abs], {
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

const s3 = (t: number) => `${t.toFixed(3)} s`;

/**
 * A file whose timestamps go back holds two recordings on two clocks (a device restarted and went on writing it,
 * files joined with `cat`): one offset cannot place both. Refused (exit 2) before any search, naming where.
 */
export function refuseTimesBack(file: string, p: ProbeResult, jumps: ClockJump[]): void {
  const back = jumps.find((j) => j.to_s < j.from_s);
  if (!back) return;
  const into = back.from_s - (p.start_time_s ?? 0);
  throw new InputError(
    `its ${back.kind} timestamps go back from ${s3(back.from_s)} to ${s3(back.to_s)}, ${into.toFixed(1)} s into the file: it holds two recordings on two clocks (a device restarted mid-session and went on writing this file, or two files joined with cat), and one offset cannot place both; use each recording as a file of its own (the device's own files), each synced by its own pulse`,
    { file },
  );
}

/** A forward jump this long is a restart (the device stopped and went on writing the file), not dropped sound. */
export const RESTART_S = PICTURE_GAP_S;

function jumpText(j: ClockJump, p0: number): string {
  const gap = j.to_s - j.from_s;
  return `its timestamps jump ahead by ${gap >= 1 ? `${gap.toFixed(3)} s` : `${(gap * 1000).toFixed(0)} ms`} at ${s3(j.from_s)}, ${(j.from_s - p0).toFixed(1)} s into the file`;
}

/**
 * A stream whose clock jumps ahead by RESTART_S or more is placed only when pulses on both sides of the jump agree
 * on its clock (--ends both, placed by its start and end pulses: their drift check would see a clock that did not
 * run on); otherwise the part after the jump is unchecked and the stream is refused (exit 2). The reference counts its
 * decoded samples, which a jump leaves behind its timestamps: refused too. Before 2026-12-02 both went through with
 * exit 0 (a camera restarted 20 s into a session, its clock running 8 s ahead: placed by its start beep and flash).
 */
export function refuseClockJumps(states: StreamState[], ref: StreamState): void {
  for (const st of states) {
    const j = (st.jumps ?? []).find((x) => x.to_s - x.from_s >= RESTART_S);
    if (!j || !st.placed) continue;
    const p0 = st.firstSampleS;
    const who = `${st.kind} stream ${st.stream}`;
    if (st === ref) {
      throw new InputError(`the reference ${who} cannot be the session's clock: ${jumpText(j, p0)} (a device restarted mid-session, or stopped and went on writing this file), and the reference clock counts its decoded samples, which leave that jump out; name another file with --ref, or use each recording as a file of its own`, { file: st.file });
    }
    const used = st.placed.used ?? [];
    if (used.includes('start') && used.includes('end')) continue;
    const how = used.length ? `by its ${used[0]} pulse alone` : `by ${st.placed.method === 'xcorr' ? 'its content' : `method ${st.placed.method}`} in its search windows`;
    throw new InputError(`${who} cannot be put on the reference clock past ${s3(j.from_s)}: ${jumpText(j, p0)} (a device restarted mid-session, or stopped and went on writing this file); it was placed ${how}, which does not say whether its clock ran on across the jump, so the part after it may be off by any amount; with a pulse at the session's end too, --ends both checks that, or use each recording as a file of its own`, { file: st.file });
  }
}

/**
 * A sound whose timestamps jump ahead (dropped sound, a restart whose clock ran on) and that stands placed: its
 * offset holds on the file's timestamps, but a count of its decoded samples (mmprep audio, Praat, ELAN) falls
 * behind by the jump after it. Warned (`timestamp_gap`, told on stderr), with the ffmpeg command that fills the gap.
 */
export function warnSoundGaps(states: StreamState[]): void {
  for (const st of states) {
    const gaps = st.kind === 'audio' && st.placed ? st.jumps ?? [] : [];
    if (!gaps.length) continue;
    const j = gaps[0];
    const more = gaps.length > 1 ? ` (and ${gaps.length - 1} more jump(s))` : '';
    const fill = `ffmpeg -i ${shellWord(st.file)} -vn -af aresample=async=1 ${shellWord(siblingName(st.file, '-filled.wav'))}`;
    st.warnings.push({ code: 'timestamp_gap', message: `${jumpText(j, st.firstSampleS)}${more}: its offset holds on the file's timestamps, but its decoded samples miss that time, so a count of them (mmprep audio's times, Praat, ELAN) runs early after it by the jump; fill the gap with silence before extracting: ${fill}` });
  }
}
