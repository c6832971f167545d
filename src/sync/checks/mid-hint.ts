/**
 * issue 11 (trial29 session E): a refusal for want of a beep whose beep lies between the searched windows (the first
 * --search-s seconds and, under --ends both or as end-hint.ts looks, the last ones) said nothing of it. Before that
 * refusal, the part between them is looked at for a placeable beep at --tone-hz, as end-hint.ts looks at the end window
 * (the beep past half of a short file is that window's: end-hint names it). Only on the refusal path, for the streams
 * without a pulse (the reference first) up to the first one with such a beep, and at most MID_MAX_S of it is decoded.
 */
import { fileSpanS } from '../../media/probe.js';
import { scanAudioTone } from '../tone/scan-audio.js';
import type { ProbedFile, StreamState } from '../streams.js';
import { searchWindows, type Ends } from '../windows.js';

/** A beep counts for the hint when the detector would place it and a false one as strong is unlikely (end-hint.ts). */
const HINT_MIN_CONFIDENCE = 0.5;
/** At most this much of the unsearched middle is decoded for the hint (a 10 min span decodes in a few CPU s). */
const MID_MAX_S = 600;

/** The unsearched part between the start window and the end window (--ends both's, which end-hint.ts also reads). */
function middleOf(q: ProbedFile, searchS: number): { from: number; to: number; span: number } | null {
  const span = fileSpanS(q.p);
  if (span === null || searchS <= 0) return null;
  const w = searchWindows(q.file, span, searchS, 'both').windows;
  const start = w.find((x) => x.name === 'start');
  const end = w.find((x) => x.name === 'end');
  if (!start || !end || start.duration_s === null) return null;
  const from = start.start_s + start.duration_s;
  return end.start_s - from > 0.3 ? { from, to: Math.min(end.start_s, from + MID_MAX_S), span } : null;
}

async function middleBeep(st: StreamState, q: ProbedFile, o: { toneHz: number; searchS: number }): Promise<{ t_s: number; span: number } | null> {
  const mid = middleOf(q, o.searchS);
  if (!mid) return null;
  const win = { name: 'start' as const, start_s: mid.from, duration_s: mid.to - mid.from };
  const scan = await scanAudioTone(q.file, [win], { toneHz: o.toneHz, stream: st.stream, probed: q.p });
  const found = scan.windows.flatMap((w) => w.detections).filter((d) => d.placeable !== false && Number(d.confidence ?? 0) >= HINT_MIN_CONFIDENCE);
  return found.length ? { t_s: found[0].t_s, span: mid.span } : null;
}

/**
 * The options that search the beep at `t` of a file `span` s long: in its first half the start window reaches it with
 * --search-s past it (plus 1 s for the pulse); in its second half --ends both's end window does; --search-s 0 always.
 */
function reach(t: number, span: number): string {
  const own = t < span / 2 ? `--search-s ${Math.ceil(t) + 1}` : `--ends both --search-s ${Math.ceil(span - t) + 1}`;
  return `${own}, or --search-s 0 (the whole file)`;
}

/**
 * Sets the hint of the first stream without a pulse (the reference first) whose unsearched middle holds a usable beep,
 * when a stream is left unplaced and no stream has a hint yet (the refusal follows: report.ts refuseUnplaced).
 */
export async function middleHint(states: StreamState[], ref: StreamState, probes: ProbedFile[], o: { toneHz: number; searchS: number; ends: Ends }): Promise<void> {
  if (states.every((s) => s.placed) || states.some((s) => s.hint !== undefined)) return;
  const bare = states.filter((s) => s.kind === 'audio' && !s.chosen.start && !s.chosen.end);
  const searched = o.ends === 'both' ? `between the first and last ${o.searchS} s searched` : `past the first ${o.searchS} s searched`;
  for (const st of bare.sort((a, b) => Number(b === ref) - Number(a === ref))) {
    const q = probes.find((p) => p.abs === st.abs);
    if (!q || q.windows[0]?.name === 'all') continue;
    const beep = await middleBeep(st, q, o);
    if (!beep) continue;
    st.hint = ` (but a ${o.toneHz} Hz tone burst at ${beep.t_s.toFixed(3)} s, ${searched}: ${reach(beep.t_s, beep.span)}?)`;
    const refused = st.warnings.find((w) => w.code === 'unplaceable_pulse');
    if (refused) refused.message += st.hint;
    return;
  }
}
