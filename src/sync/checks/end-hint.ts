/**
 * Under --ends start, a session refused for want of a start beep whose beep sounds only at its end (trial 2026-12-03
 * item 5: "no 1000 Hz tone burst in the first 60 s ..." with no hint, where --ends both placed both camera streams
 * within 9 ms). Before the refusal, the end window that --ends both would search (searchWindows) is looked at for a
 * placeable beep at --tone-hz, and the refusal says so (as the --tone-hz hint does). Only after the start failed, and
 * only as far as needed: the streams without a pulse, the reference first, up to the first one with such a beep; a
 * short file's end window is already decoded (its start window is read whole for cross-correlation: StreamState.later),
 * so only a longer file's is decoded here.
 */
import { fileSpanS } from '../../media/probe.js';
import { scanAudioTone } from '../tone/scan-audio.js';
import type { ProbedFile, StreamState } from '../streams.js';
import { searchWindows, type Ends } from '../windows.js';

/** A beep counts for the hint when the detector would place it and a false one as strong is unlikely. */
const HINT_MIN_CONFIDENCE = 0.5;

type Beep = { t_s: number };

function usable(d: Record<string, unknown>): boolean {
  return d.placeable !== false && Number(d.confidence ?? 0) >= HINT_MIN_CONFIDENCE;
}

/** The first usable beep of the stream's end window (searchWindows under --ends both), or null. */
export async function endBeep(st: StreamState, q: ProbedFile, o: { toneHz: number; searchS: number }): Promise<(Beep & { from_s: number }) | null> {
  const span = fileSpanS(q.p);
  if (span === null || o.searchS <= 0) return null;
  const end = searchWindows(q.file, span, o.searchS, 'both').windows.find((w) => w.name === 'end');
  if (!end) return null;
  const from = end.start_s + (q.p.start_time_s ?? 0);
  const seen = (st.later ?? []).filter((d) => Number(d.t_s) >= from && usable(d));
  if (seen.length) return { t_s: Number(seen[0].t_s), from_s: from };
  // Decoded already, up to the start window's end: nothing there.
  const start = q.windows.find((w) => w.name === 'start');
  if (start && start.duration_s !== null && start.start_s + start.duration_s >= span) return null;
  const scan = await scanAudioTone(q.file, [end], { toneHz: o.toneHz, stream: st.stream, probed: q.p });
  const found = scan.windows.flatMap((w) => w.detections).filter((d) => usable(d as unknown as Record<string, unknown>));
  return found.length ? { t_s: found[0].t_s, from_s: from } : null;
}

/**
 * Sets the hint of the first stream without a pulse (the reference first) whose end window holds a usable beep, when
 * --ends start left a stream unplaced (the refusal follows: report.ts refuseUnplaced). A stream with a hint already
 * (another frequency) keeps it.
 */
export async function endWindowHint(states: StreamState[], ref: StreamState, probes: ProbedFile[], o: { toneHz: number; searchS: number; ends: Ends }): Promise<void> {
  if (o.ends !== 'start' || states.every((s) => s.placed)) return;
  const bare = states.filter((s) => s.kind === 'audio' && !s.chosen.start && !s.chosen.end && s.hint === undefined);
  for (const st of bare.sort((a, b) => Number(b === ref) - Number(a === ref))) {
    const q = probes.find((p) => p.abs === st.abs);
    if (!q || q.windows[0]?.name === 'all') continue;
    const beep = await endBeep(st, q, o);
    if (!beep) continue;
    st.hint = ` (but a ${o.toneHz} Hz tone burst at ${beep.t_s.toFixed(3)} s, in the end window from ${beep.from_s.toFixed(1)} s, which --ends start does not search: --ends both?)`;
    const refused = st.warnings.find((w) => w.code === 'unplaceable_pulse');
    if (refused) refused.message += st.hint;
    return;
  }
}

/** The late-camera line's advice (late-camera.ts lateCameraWarning), which only a pulse at the session's end makes true. */
export const ENDS_BOTH_ADVICE = "; use --ends both (a pulse at the session's end places it)";

/**
 * A camera that started after the start pulse was told "use --ends both" whether or not the session has an end pulse
 * (trial A, session 42: on a session with a start pulse only, --ends both then also refused the camera's sound, which
 * --ends start had placed by cross-correlation). Under --ends start, the reference's end window is looked at (as
 * endWindowHint does) and the advice names its end beep, or says there is none and what is left.
 */
export async function lateCameraAdvice(states: StreamState[], ref: StreamState, probes: ProbedFile[], o: { toneHz: number; searchS: number; ends: Ends }): Promise<void> {
  if (o.ends !== 'start') return;
  const told = states.flatMap((s) => (s.placed ? [] : s.warnings)).filter((w) => w.code === 'unplaceable_pulse' && w.message.endsWith(ENDS_BOTH_ADVICE));
  const q = probes.find((p) => p.abs === ref.abs);
  if (told.length === 0 || !q || ref.kind !== 'audio' || q.windows[0]?.name === 'all') return;
  const beep = await endBeep(ref, q, o);
  const advice = beep
    ? `; use --ends both: the reference's ${o.toneHz} Hz beep at ${beep.t_s.toFixed(3)} s, in its end window, places it if this camera saw that pulse`
    : `; the reference has no ${o.toneHz} Hz beep in its end window (from ${endFrom(q, o.searchS)} s) either, so --ends both cannot place it: record a pulse at the session's end too, or pass --share-camera-clock to place the picture by its own sound (their skew unmeasured)`;
  for (const w of told) w.message = w.message.slice(0, -ENDS_BOTH_ADVICE.length) + advice;
}

/** Where the reference's end window (searchWindows under --ends both) begins, in its own seconds, as text. */
function endFrom(q: ProbedFile, searchS: number): string {
  const span = fileSpanS(q.p);
  const end = span === null ? undefined : searchWindows(q.file, span, searchS, 'both').windows.find((w) => w.name === 'end');
  return end ? (end.start_s + (q.p.start_time_s ?? 0)).toFixed(1) : '?';
}
