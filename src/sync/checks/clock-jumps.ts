/**
 * Jumps of a file's own clock outside the search windows: a device restarted mid-session whose file holds two
 * recordings (MPEG-TS or VOB files joined with `cat`, a recorder that went on writing one file after a restart). The
 * search windows see the first `--search-s` seconds (and the last), so a restart between them was placed by the start
 * pulse alone with exit 0, its second part on another clock (a new user's trial, 2026-12-02; measured again
 * 2026-12-02 on a camera restarted 20 s into a 50 s session: placed with exit 0, the part after the restart 8 s off).
 * The packets' timestamps of the whole file are read (ffprobe -show_entries packet, demuxing only, one line at a time:
 * memory flat in the file's length), stream by stream, in decoding order (dts; pts where a container gives none).
 */
import { readPacketTimes, PICTURE_GAP_S, type ClockJump } from '../../media/packet-times.js';
import type { ProbeResult } from '../../media/probe.js';
import { InputError } from '../../common/errors.js';
import { shellWord, siblingName } from '../../common/shell.js';
import type { StreamState } from '../streams.js';

export type { ClockJump };

/**
 * The clock jumps of a file's audio and video streams (none for containers whose times count samples), from the
 * file's one packet read (src/media/packet-times.ts: `mmprep extract` made it for its input check already). An
 * ffprobe that fails is an error naming the file, never a file whose clock went unchecked.
 */
export async function clockJumps(p: ProbeResult): Promise<ClockJump[]> {
  return (await readPacketTimes(p)).jumps;
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
