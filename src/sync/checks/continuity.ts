/**
 * Under --ends start a stream is placed at its start (its start beep, its content in the start window, or its camera's
 * clock) and the offset is applied to the whole file. A recording that paused, was cut or skipped mid-file keeps a
 * continuous file while real time jumped: everything after the jump is off by it. A new user's trial (2026-12-06, row
 * 7): a camera paused 2 s mid-file was placed by its start beep and flash with exit 0, the part after the pause 2 s off
 * (`--ends both` refused it: its end pulse implied 133326 ppm). Now the end window of such a stream (the one --ends both
 * searches: the last min(--search-s, duration/2) s, decoded by an input seek) is cross-correlated with the reference's
 * sound where the start placement puts it (xcorr.ts: the coarse onset envelopes find the lag anywhere in the overlap,
 * the drift-aware fine stage times it). The content lies within the allowance of the prediction (drift up to
 * MAX_SCAN_DRIFT, the xcorr's range, over the span, plus the talkers' lag against the beep's, content-lag.ts): the
 * placement holds to the end ("continuity checked"). It matches clearly (as a placement by content would need:
 * place.ts whyNotConclusive) only farther away: the stream is refused (exit 2), and the file's other streams with it
 * (one device, one clock). No clear match (silence, other talkers, no overlap with the reference): nothing is said.
 */
import { fileSpanS } from '../../media/probe.js';
import { readAudioWindow } from '../tone/scan-audio.js';
import { audioOffset, fineAtOffset, MIN_FINE_Z, type XcorrResult } from '../xcorr/xcorr.js';
import { MAX_SCAN_DRIFT } from '../xcorr/xcorr-drift.js';
import { CONTENT_LAG_BOUND_S, CONTENT_LAG_SD_S, contentDriftWarning, contentLinesDriftWarning } from '../xcorr/content-lag.js';
import { pulsesOf, WINDOW_DRIFT_SD } from '../place.js';
import { readContent, verdictOf, withoutPulses } from './content-mismatch.js';
import type { Placement, ProbedFile, StreamState } from '../streams.js';
import { searchWindows, type Ends, type SearchWindow, type SyncWarning } from '../windows.js';

/** The drift allowed between the start placement and the end window: the range the fine stage searches (xcorr-drift.ts). */
const DRIFT_ALLOWANCE = MAX_SCAN_DRIFT;
/** Beyond drift and the talkers' lag, the content's own timing (place.ts XCHECK_TOLERANCE_S). */
const TIMING_TOLERANCE_S = 0.005;
/** The reference's window is read this much wider each side than the prediction (the coarse search finds a jump within it and beyond, while 5 s overlap). */
const PAD_S = 3;
/** Less overlap than this between the end window and the reference: not checked (the coarse stage's least overlap, xcorr.ts). */
const MIN_OVERLAP_S = 5;
/** The fine confidence a content match needs (place.ts crossCheck's). */
const MIN_CONFIDENCE = 0.5;
/** Placements whose clock holds to the end unchecked under --ends start (a 'container' track follows its file's first). */
const CHECKED_METHODS = new Set(['tone', 'xcorr', 'camera_clock']);

/** What the check found, for sync.json `continuity` (seconds on the stream's own clock; ms of the content's lag). */
export interface Continuity {
  result: 'continuous' | 'jump' | 'no_clear_match' | 'start_unshared' | 'no_overlap' | 'not_checked';
  /** The window read (the last --ends both would search, or the last the reference covers), own clock; absent when not_checked. */
  end_window_s?: [number, number];
  /** Continuous, but the window's last part (from here to its end) held nothing clear at the prediction nor elsewhere. */
  checked_to_s?: number;
  /** The stream's part after the reference's end (own clock): not checked. */
  unchecked_s?: [number, number];
  /** Why nothing was checked (not_checked). */
  reason?: string;
  /** Its part after the reference's end read against another placed sound that covers it (checkBeyond). */
  beyond_reference?: Continuity & { file: string };
  /** The content's lag at the window's middle minus the placement's prediction there, ms (continuous, jump). */
  measured_minus_predicted_ms?: number;
  allowance_ms?: number;
  z?: number;
}

const r3 = (v: number) => Math.round(v * 1e3) / 1e3;

/** The clock of a placement: t_ref = t + offset + k t. */
function clockOf(p: Placement): (t: number) => number {
  return (t) => t + p.offset + (p.k ?? 0) * t;
}

/**
 * The samples of [from, to) (stream times) from what the stream kept of its start window, or null when it does not
 * cover them. Kept to the file's end (a short file read whole: keptToEnd), it holds all a decode of [from, to) could
 * give: the slice is clipped to it (before 2026-12-07 a short file's end was decoded again whenever the decoded sound
 * ended over 10 ms before the file's stated end, e.g. an AAC's last frame: one more ffmpeg start and decode per stream).
 */
function fromKept(s: StreamState, from: number, to: number): { x: Float32Array; t0: number } | null {
  if (!s.kept) return null;
  const keptEnd = s.keptT0 + s.kept.length / s.sampleRate;
  if (s.keptToEnd) [from, to] = [Math.max(from, s.keptT0), Math.min(to, keptEnd)];
  else if (from < s.keptT0 || to > keptEnd + 0.01) return null;
  const i0 = Math.round((from - s.keptT0) * s.sampleRate);
  const i1 = Math.min(s.kept.length, Math.round((to - s.keptT0) * s.sampleRate));
  return { x: s.kept.subarray(Math.min(i0, i1), i1), t0: s.keptT0 + i0 / s.sampleRate };
}

/** The samples of [from, to) of the stream: from its kept start window when that covers them (a short file), else decoded. */
async function samplesOf(s: StreamState, q: ProbedFile, from: number, to: number): Promise<{ x: Float32Array; t0: number }> {
  const kept = fromKept(s, from, to);
  if (kept) return kept;
  const p0 = q.p.start_time_s ?? 0;
  const w: SearchWindow = { name: 'end', start_s: Math.max(0, from - p0), duration_s: to - Math.max(from, p0) };
  return readAudioWindow(q.file, w, { sampleRate: s.sampleRate, stream: s.stream, probed: q.p });
}

/** The stream's end window (searchWindows under --ends both) on its own clock, or null (length unknown, a whole-file search). */
function endWindowOf(q: ProbedFile, searchS: number): [number, number] | null {
  const span = fileSpanS(q.p);
  if (span === null || searchS <= 0 || q.windows[0]?.name === 'all') return null;
  const end = searchWindows(q.file, span, searchS, 'both').windows.find((w) => w.name === 'end');
  const p0 = q.p.start_time_s ?? 0;
  return end ? [end.start_s + p0, span + p0] : null;
}

/** The reading of one stream against the reference: where its end window's content lies, or why nothing clear. */
interface Reading {
  window: [number, number];
  /** The content's clear match at the predicted lag (fine stage about it), else the full search's (xcorr.ts audioOffset). */
  near: { offset_s: number; z: number; drift?: number; drift_limit?: number | null } | null;
  full: XcorrResult | null;
  /** The placement's offset (add to the stream's time to get the reference's) at `at` (the window's middle), and the allowance about it. */
  predicted: number;
  at: number;
  allowance: number;
  /** The stream time at which the start placement holds (its start pulse, else its start window's middle). */
  anchor: number;
  /** The reference's time (its own clock) the placements put at a stream time. */
  toRef: (t: number) => number;
  /** Whether its start shares sound with the reference at the placed lag (startShared), read only when a jump is suspected. */
  startShared: () => boolean;
  /** The window's last part that held nothing clear at the prediction, read on its own (unconfirmedTail), when the window as a whole did. */
  tail?: Reading;
}

/** What the check reads of a stream: its reading, or the window and why nothing was read; and its part after the reference's end. */
interface EndRead {
  reading: Reading | null;
  window: [number, number];
  /** The stream's part (own clock) after the reference's end, when more than UNCOVERED_WARN_S: not checked. */
  uncovered: [number, number] | null;
}

/** The reference ending this much (s, stream clock) before the stream's end is said (continuity_unchecked): as much as the check needs to read anything. */
const UNCOVERED_WARN_S = MIN_OVERLAP_S;
/** A start pulse's echo tail (content-mismatch.ts masks as much after a pulse). */
const PULSE_TAIL_S = 1;
/** The end window's parts read on their own at the prediction, from its end (a pause inside the window). */
const SEGMENT_S = 10;

/**
 * Reads the end window against the reference: first the fine stage about the predicted lag alone (xcorr.ts
 * fineAtOffset, FINE_SEARCH_S either side: 0.5 CPU s for 60 s windows), which settles a stream whose content is where
 * the placement puts it; only when nothing clear is there, the full search over every lag (audioOffset: four
 * coarse lags tried, 2.3 CPU s), which finds a jump. The window is the last one the reference covers: a reference
 * that ends before the stream (the lav stopped early, the camera ran on) moves it back, and the part after is named.
 */
async function readEnd(s: StreamState, ref: StreamState, qs: ProbedFile, qr: ProbedFile, searchS: number): Promise<EndRead | null> {
  const end = endWindowOf(qs, searchS);
  if (!end) return null;
  const [pl, pr] = [s.placed as Placement, ref.placed as Placement];
  const toRef = (t: number) => (clockOf(pl)(t) - pr.offset) / (1 + (pr.k ?? 0));
  const fromRef = (r: number) => (r * (1 + (pr.k ?? 0)) + pr.offset - pl.offset) / (1 + (pl.k ?? 0));
  const anchor = s.chosen.start?.t_s ?? (s.kept ? s.keptT0 + s.kept.length / s.sampleRate / 2 : end[0]);
  const allowanceAt = (t: number) => DRIFT_ALLOWANCE * Math.abs(t - anchor) + CONTENT_LAG_BOUND_S + TIMING_TOLERANCE_S;
  const refSpan = fileSpanS(qr.p);
  const refEnd = refSpan === null ? Infinity : (qr.p.start_time_s ?? 0) + refSpan;
  const coveredEnd = Math.min(end[1], fromRef(refEnd));
  const uncovered: [number, number] | null = end[1] - coveredEnd > UNCOVERED_WARN_S ? [r3(coveredEnd), r3(end[1])] : null;
  // Moved back, the window starts after the start pulse and its echo (which line up at the placed lag by construction).
  const pulse = s.chosen.start;
  const afterPulse = pulse ? pulse.t_s + (pulse.duration_s ?? 0) + PULSE_TAIL_S : s.firstSampleS;
  const win: [number, number] = coveredEnd < end[1] ? [Math.max(s.firstSampleS, afterPulse, coveredEnd - (end[1] - end[0])), coveredEnd] : end;
  if (win[1] - win[0] < MIN_OVERLAP_S) return { reading: null, window: win, uncovered };
  const pad = PAD_S + allowanceAt(win[1]);
  const from = Math.max(ref.firstSampleS, toRef(win[0]) - pad);
  const to = Math.min(refEnd, toRef(win[1]) + pad);
  if (Math.min(to, toRef(win[1])) - Math.max(from, toRef(win[0])) < MIN_OVERLAP_S) return { reading: null, window: win, uncovered };
  const b = await samplesOf(s, qs, win[0], win[1]);
  const a = await samplesOf(ref, qr, from, to);
  const readingOf = (x: { x: Float32Array; t0: number }): Reading => {
    const at = x.t0 + x.x.length / s.sampleRate / 2;
    const w: [number, number] = [x.t0, x.t0 + x.x.length / s.sampleRate];
    return { window: w, near: null, full: null, predicted: toRef(at) - at, at, allowance: allowanceAt(at), anchor, toRef, startShared: () => startShared(s, ref, w[0], toRef) };
  };
  const clearAt = (x: { x: Float32Array; t0: number }, rd: Reading) => {
    const f = fineAtOffset(a.x, a.t0, x.x, x.t0, s.sampleRate, rd.predicted);
    return f && f.z >= MIN_FINE_Z && f.confidence >= MIN_CONFIDENCE && Math.abs(f.offset_s - rd.predicted) <= rd.allowance ? f : null;
  };
  // The window's last part first: clear at the prediction, the placement holds to the end, and the whole window
  // (twice its cost and more) is not read; else the whole window, then its parts (unconfirmedTail).
  const last = lastPart(b, s.sampleRate);
  const fLast = last ? clearAt(last, readingOf(last)) : null;
  if (last && fLast) return { reading: { ...readingOf(last), window: win, near: fLast }, window: win, uncovered };
  const reading = { ...readingOf(b), window: win };
  const f = clearAt(b, reading);
  if (!f) return { reading: { ...reading, full: audioOffset(a.x, a.t0, b.x, b.t0, s.sampleRate) }, window: win, uncovered };
  const tail = unconfirmedTail(b, s.sampleRate, (x) => clearAt(x, readingOf(x)) !== null, last !== null);
  const tailReading = tail ? { ...readingOf(tail), full: audioOffset(a.x, a.t0, tail.x, tail.t0, s.sampleRate) } : undefined;
  return { reading: { ...reading, near: f, tail: tailReading }, window: win, uncovered };
}

/** The end window's last SEGMENT_S s, when the window holds two or more (unconfirmedTail reads it in such parts), else null. */
function lastPart(b: { x: Float32Array; t0: number }, sr: number): { x: Float32Array; t0: number } | null {
  const seg = Math.round(SEGMENT_S * sr);
  return b.x.length < 2 * seg ? null : { x: b.x.subarray(b.x.length - seg), t0: b.t0 + (b.x.length - seg) / sr };
}

/**
 * The end window's part after the last SEGMENT_S s segment (counted from its end) whose content is clear at the
 * prediction, when that is not the last one (all but the first segment when none is), or null. A clear match over
 * the whole window may come from its part before a pause inside it: a camera paused 2 s 35 s into a 60 s file read
 * `continuous` (z over 7 from its 5 s before the pause) and was placed with exit 0, its last 25 s 2 s off.
 */
function unconfirmedTail(b: { x: Float32Array; t0: number }, sr: number, clear: (x: { x: Float32Array; t0: number }) => boolean, lastUnclear: boolean): { x: Float32Array; t0: number } | null {
  const seg = Math.round(SEGMENT_S * sr);
  if (b.x.length < 2 * seg) return null;
  let e = lastUnclear ? b.x.length - seg : b.x.length;
  for (; e - seg >= 0; e -= seg) if (clear({ x: b.x.subarray(e - seg, e), t0: b.t0 + (e - seg) / sr })) break;
  if (e === b.x.length) return null;
  const from = e - seg >= 0 ? e : seg;
  return { x: b.x.subarray(from), t0: b.t0 + from / sr };
}

/**
 * Whether the stream's start window, up to its end window, shares sound with the reference's at the lag its placement
 * gives (content-mismatch.ts readContent, every pulse masked: a beep lines up there by construction). A jump needs it:
 * a camera file of another session whose talkers say the same clips (the demo's sessions) matches at its end window
 * somewhere, and at its start nowhere (test sync-content-short: s03's camera beside s01's lav, z 46 at 2.4 s).
 */
function startShared(s: StreamState, ref: StreamState, endFrom: number, toRef: (t: number) => number): boolean {
  if (!s.kept || !ref.kept) return false;
  const n = Math.max(0, Math.min(s.kept.length, Math.round((endFrom - s.keptT0) * s.sampleRate)));
  const b = withoutPulses(s.kept.subarray(0, n), s.keptT0, s.sampleRate, pulsesOf(s));
  const a = withoutPulses(ref.kept, ref.keptT0, ref.sampleRate, pulsesOf(ref));
  const tm = s.keptT0 + n / s.sampleRate / 2;
  return verdictOf(readContent({ a, aT0: ref.keptT0, b, bT0: s.keptT0, sr: s.sampleRate, offsetS: toRef(tm) - tm })) === 'shared';
}

/** The reading's verdict: continuous (a clear match within the allowance), a jump (a conclusive match only beyond it), or no clear match. */
function judge(rd: Reading): Continuity {
  const base = { end_window_s: [r3(rd.window[0]), r3(rd.window[1])] as [number, number], allowance_ms: r3(rd.allowance * 1000) };
  const diffMs = (offset: number) => r3((offset - rd.predicted) * 1000);
  const r = rd.full;
  const near = rd.near ?? (r?.candidates ?? []).find((c) => c.fine_z >= MIN_FINE_Z && Math.abs(c.offset_s - rd.predicted) <= rd.allowance);
  if (near) return { result: 'continuous', ...base, measured_minus_predicted_ms: diffMs(near.offset_s), z: r3('z' in near ? near.z : near.fine_z) };
  const far = clearElsewhere(r);
  if (far) return { result: rd.startShared() ? 'jump' : 'start_unshared', ...base, measured_minus_predicted_ms: diffMs(far.offset_s), z: r3(far.fine_z) };
  return { result: 'no_clear_match', ...base };
}

/**
 * The full search's clearest lag when it is clear (fine z MIN_FINE_Z or more, confidence MIN_CONFIDENCE), else null.
 * Not the conclusiveness a placement by content needs (place.ts whyNotConclusive: a coarse peak ratio of 1.5, no second
 * clear lag): that guards a search whose right lag may not be among those tried, and here the lag the placement
 * predicts was read on its own first (fineAtOffset) and held nothing clear, so sound the two share lies elsewhere
 * whichever clear lag is the right one (far-content.ts reads a beep placement's start window alike). Measured on
 * /work/tsync48b-data: a camera mic 10 dB under its noise paused 2 s at 10 s, fine z 139.5 at the jump, 4.9 at the
 * prediction, coarse ratio 1.31, read as no clear match (exit 0, 2 s off after the pause); a pause read against a
 * room recorder whose talkers repeat a clip, z 301 at the jump and 81 at the repeat, read so too.
 */
function clearElsewhere(r: XcorrResult | null): XcorrResult['candidates'][number] | null {
  const best = r?.candidates[0];
  if (!r || !best || best.fine_z < MIN_FINE_Z || r.confidence < MIN_CONFIDENCE || best.offset_s !== r.offset_s) return null;
  return best;
}

/** How the stream was placed at its start, for the refusal. */
function placedBy(s: StreamState): string {
  const pl = s.placed as Placement;
  const how = pl.method === 'tone' ? `its start beep at ${s.chosen.start?.t_s.toFixed(3) ?? '?'} s` : pl.method === 'xcorr' ? 'its content in its start window' : "its camera's picture (--share-camera-clock)";
  return `placed by ${how} (offset ${pl.offset.toFixed(3)} s)`;
}

function jumpMessage(s: StreamState, ref: StreamState, c: Continuity, part: string): string {
  const jump = (c.measured_minus_predicted_ms ?? 0) / 1000;
  const [w0, w1] = c.end_window_s as [number, number];
  return (
    `${placedBy(s)}, but its sound in ${part} (${w0.toFixed(1)}-${w1.toFixed(1)} s) matches ${ref.file}'s clearly (z ${(c.z ?? 0).toFixed(1)}) ${Math.abs(jump).toFixed(3)} s ${jump > 0 ? 'later' : 'earlier'} on the reference clock than that placement puts it ` +
    `(clock drift could explain ${(c.allowance_ms ?? 0).toFixed(0)} ms at most): a jump of ${Math.abs(jump).toFixed(3)} s between its start and its end, as when the recording ${jump > 0 ? 'paused, was cut or skipped' : 'was joined from two takes'} (or ${ref.file}'s did), so one offset cannot place the whole file; ` +
    `record a pulse at the session's end too and run with --ends both (it places both ends and refuses a clock that jumped), or split the file at the ${jump > 0 ? 'pause' : 'join'} and sync each part by its own pulse`
  );
}

/** Refuses a stream and every other stream of its file (one device, one clock), and streams placed from them. */
function refuseFile(s: StreamState, states: StreamState[], message: string): void {
  s.warnings.push({ code: 'discontinuous', message });
  s.placed = null;
  s.refusedBy = 'discontinuous';
  for (const o of states.filter((x) => x.abs === s.abs && x !== s && x.placed)) {
    o.warnings.push({ code: 'discontinuous', message: `refused with its file's ${s.kind} stream ${s.stream} (one device, one clock): ${message}` });
    o.placed = null;
    o.refusedBy = 'discontinuous';
  }
  let changed = true;
  while (changed) {
    changed = false;
    for (const o of states) if (o.placed?.from && !o.placed.from.placed) [o.placed, changed] = [null, true];
  }
}

/**
 * The continuity check of every audio stream placed at its start under --ends start (CHECKED_METHODS) against the
 * reference's sound; sets the placement's `continuity` (sync.json) or refuses the stream's file (exit 2 follows:
 * report.ts refuseUnplaced). What it could not check is said (`continuity_unchecked`, on stderr): a part after the
 * reference's end, an end window without clear sound where the start shares it, a picture without sound.
 */
export async function checkContinuity(states: StreamState[], ref: StreamState, probes: ProbedFile[], o: { searchS: number; ends: Ends }): Promise<void> {
  if (o.ends !== 'start' || !ref.placed) return;
  notePicturesUnchecked(states, ref);
  const qr = probes.find((p) => p.abs === ref.abs);
  if (ref.kind !== 'audio' || !qr) return;
  const beyond: Beyond[] = [];
  for (const s of states) {
    const pl = s.placed;
    // Under --ends start only the start window placed it (an xcorr placement's drift is its start window's own fit).
    if (s.kind !== 'audio' || s.abs === ref.abs || !pl || !CHECKED_METHODS.has(pl.method) || s.sampleRate !== ref.sampleRate) continue;
    const qs = probes.find((p) => p.abs === s.abs);
    if (!qs) continue;
    const er = await readEnd(s, ref, qs, qr, o.searchS);
    if (er === null) continue;
    const rd = er.reading;
    let c: Continuity = rd === null ? { result: 'no_overlap', end_window_s: [r3(er.window[0]), r3(er.window[1])] } : judge(rd);
    let part = 'its end window';
    if (rd?.tail && c.result === 'continuous') {
      const ct = judge(rd.tail);
      if (ct.result === 'jump' || ct.result === 'start_unshared') [c, part] = [ct, 'the last part of its end window'];
      else if (ct.result === 'no_clear_match') c = { ...c, checked_to_s: r3(rd.tail.window[0]) };
    }
    pl.extra = { ...pl.extra, continuity: c };
    if (c.result === 'jump') {
      refuseFile(s, states, jumpMessage(s, ref, c, er.uncovered ? 'the last part the reference covers' : part));
      continue;
    }
    if (c.result === 'continuous' && rd) driftFromContent(s, states, ref, rd, c);
    const unread = c.result === 'no_clear_match' && rd?.startShared() ? c.end_window_s ?? null : null;
    if (er.uncovered) beyond.push({ s, uncovered: er.uncovered, unread });
    else if (unread) s.warnings.push(uncheckedWarning(ref, null, unread));
  }
  if (beyond.length) await checkBeyond(beyond, states, probes, o.searchS, ref);
}

/** A stream whose part after the reference's end is left to checkBeyond, with what its reading against the reference left unread. */
interface Beyond {
  s: StreamState;
  /** Its part (own clock) after the reference's end. */
  uncovered: [number, number];
  /** Its end window's part that shared no clear sound with the reference though its start does (uncheckedWarning). */
  unread: [number, number] | null;
}

/** One reading of two streams against each other after the reference's end: `x`'s window read against `y` (x ends first). */
interface PairReading {
  x: StreamState;
  y: StreamState;
  c: Continuity;
}

/** A stream's readings against its partners after the reference's end, seen from its side. */
interface Verdict {
  other: StreamState;
  pair: PairReading;
  /** The content's lag against the prediction from this stream's side, ms (the pair's, negated when the partner's window was read). */
  diffMs: number;
}

/** Where a placed sound ends, on the reference clock (null: length unknown). */
function endOnRef(st: StreamState, probes: ProbedFile[]): number | null {
  const q = probes.find((p) => p.abs === st.abs);
  const span = q ? fileSpanS(q.p) : null;
  if (!q || span === null || !st.placed) return null;
  return clockOf(st.placed)((q.p.start_time_s ?? 0) + span);
}

/** The placed sounds a stream's part after the reference's end can be read against: of another file than its own and the reference's, reaching MIN_OVERLAP_S past the reference's end. */
function partnersOf(s: StreamState, states: StreamState[], probes: ProbedFile[], ref: StreamState): StreamState[] {
  const refEnd = endOnRef(ref, probes) ?? Infinity;
  return states.filter((o) => {
    if (o.kind !== 'audio' || !o.placed || o.abs === s.abs || o.abs === ref.abs || o.sampleRate !== s.sampleRate) return false;
    const e = endOnRef(o, probes);
    return e !== null && e > refEnd + MIN_OVERLAP_S;
  });
}

/** Two streams read against each other after the reference's end (readEnd, judge, its last part as in checkContinuity): the one that ends first read against the other, so that its window lies where both have sound. */
async function readPair(a: StreamState, b: StreamState, probes: ProbedFile[], searchS: number): Promise<PairReading | null> {
  const [x, y] = (endOnRef(a, probes) ?? Infinity) <= (endOnRef(b, probes) ?? Infinity) ? [a, b] : [b, a];
  const [qx, qy] = [probes.find((p) => p.abs === x.abs), probes.find((p) => p.abs === y.abs)];
  if (!qx || !qy) return null;
  const er = await readEnd(x, y, qx, qy, searchS);
  if (!er?.reading) return null;
  let c = judge(er.reading);
  if (c.result === 'continuous' && er.reading.tail) {
    const ct = judge(er.reading.tail);
    if (ct.result === 'jump') c = ct;
  }
  return { x, y, c };
}

/** Every pair of a stream left after the reference's end and a partner (partnersOf), read once. */
async function readPairs(beyond: Beyond[], states: StreamState[], probes: ProbedFile[], searchS: number, ref: StreamState): Promise<PairReading[]> {
  const pairs: PairReading[] = [];
  const seen = new Set<string>();
  const key = (a: StreamState, b: StreamState) => [a, b].map((x) => `${x.abs}#${x.stream}`).sort().join('|');
  for (const { s } of beyond) {
    for (const o of partnersOf(s, states, probes, ref)) {
      if (seen.has(key(s, o))) continue;
      seen.add(key(s, o));
      const r = await readPair(s, o, probes, searchS);
      if (r) pairs.push(r);
    }
  }
  return pairs;
}

function verdictsOf(s: StreamState, pairs: PairReading[]): Verdict[] {
  return pairs.flatMap((p) => (p.x === s || p.y === s ? [{ other: p.x === s ? p.y : p.x, pair: p, diffMs: (p.c.measured_minus_predicted_ms ?? 0) * (p.x === s ? 1 : -1) }] : []));
}

/** The streams that agree (`continuous`) with `st` after the reference's end, other than `but`. */
function agreeingWith(st: StreamState, but: StreamState, pairs: PairReading[]): StreamState[] {
  return verdictsOf(st, pairs).filter((v) => v.other !== but && v.pair.c.result === 'continuous').map((v) => v.other);
}

/**
 * The parts of streams after the reference's end (the lav stopped early, a camera and a room recorder ran on), read
 * against each other (readPairs: each stream left there with every placed sound of another file that reaches past the
 * reference's end). A stream that agrees with one of them (`continuous`) is checked there (`beyond_reference`). Two
 * that disagree (a jump) cannot both hold: where the other agrees with a third sound, this one is the cause and is
 * refused (three sounds: the one disagreeing with two that agree); where neither agrees with a third, which one jumped
 * cannot be told and both are refused, each line saying so. Before session 49 only the stream read first was refused,
 * as though it were the cause, and its partner was placed with exit 0, said to have had nothing read there (test
 * sync-continuity: a camera paused at 30 s and a room recorder paused at 36 s after a 24 s lav's end). What no partner
 * that agrees covers stays `unchecked_s` with `continuity_unchecked`.
 */
async function checkBeyond(beyond: Beyond[], states: StreamState[], probes: ProbedFile[], searchS: number, ref: StreamState): Promise<void> {
  const live = beyond.filter((b) => b.s.placed);
  const pairs = await readPairs(live, states, probes, searchS, ref);
  const refusals: Array<{ s: StreamState; message: string }> = [];
  for (const b of live) {
    const v = verdictsOf(b.s, pairs);
    const jumps = v.filter((r) => r.pair.c.result === 'jump');
    // Told: a partner it disagrees with agrees with a third sound. Untold: it agrees with none of the others either.
    const told = jumps.find((r) => agreeingWith(r.other, b.s, pairs).length > 0);
    const untold = !told && jumps.length && !v.some((r) => r.pair.c.result === 'continuous') ? jumps[0] : null;
    const decided = told ?? untold;
    recordBeyond(b, decided ?? v.find((r) => r.pair.c.result === 'continuous') ?? v[0]);
    if (decided) refusals.push({ s: b.s, message: beyondJumpMessage(b.s, ref, decided, b.uncovered, told ? agreeingWith(told.other, b.s, pairs) : []) });
    // Else it agrees with a sound there (one it disagrees with is refused in its turn, the cause).
    else warnBeyondUnchecked(b, v, probes, ref);
  }
  for (const r of refusals) if (r.s.placed) refuseFile(r.s, states, r.message);
}

/** sync.json `continuity.beyond_reference`: the reading that decided, from the stream's side, with the partner's file (and `window_of`: whose window was read, when the partner's). */
function recordBeyond(b: Beyond, pick: Verdict | undefined): void {
  const pl = b.s.placed as Placement;
  if (!pick) return;
  const c = pick.pair.c;
  const reading: Continuity & { file: string; window_of?: string } = { file: pick.other.file, ...c };
  if (c.measured_minus_predicted_ms !== undefined) reading.measured_minus_predicted_ms = r3(pick.diffMs);
  if (pick.pair.x !== b.s) reading.window_of = pick.other.file;
  pl.extra = { ...pl.extra, continuity: { ...(pl.extra?.continuity as Continuity), beyond_reference: reading } };
}

/**
 * A stream left placed after the reading beyond the reference: checked up to the farthest end of the sounds it agrees
 * with there; the rest (more than UNCOVERED_WARN_S), or all of its part after the reference's end when none agrees, is
 * `unchecked_s` and said (continuity_unchecked), with an end window the reference's sound left unread.
 */
function warnBeyondUnchecked(b: Beyond, v: Verdict[], probes: ProbedFile[], ref: StreamState): void {
  const pl = b.s.placed as Placement;
  const agree = v.filter((r) => r.pair.c.result === 'continuous').map((r) => r.other);
  const toOwn = (t: number) => (t - pl.offset) / (1 + (pl.k ?? 0));
  const reach = Math.max(b.uncovered[0], ...agree.map((o) => toOwn(endOnRef(o, probes) ?? -Infinity)));
  const left: [number, number] | null = b.uncovered[1] - reach > UNCOVERED_WARN_S ? [r3(reach), b.uncovered[1]] : null;
  if (left) pl.extra = { ...pl.extra, continuity: { ...(pl.extra?.continuity as Continuity), unchecked_s: left } };
  const after = agree.length ? `${ref.file}'s end and ${agree.map((o) => `${o.file}'s`).join(', ')}` : `${ref.file}'s end`;
  if (left || b.unread) b.s.warnings.push(uncheckedWarning(ref, left, b.unread, after));
}

/**
 * The refusal of a stream whose part after the reference's end disagrees with another sound's: naming it the cause
 * when a third sound agrees with the other (`agreeing`), else saying that which of the two jumped cannot be told.
 */
function beyondJumpMessage(s: StreamState, ref: StreamState, v: Verdict, uncovered: [number, number], agreeing: StreamState[]): string {
  const c = v.pair.c;
  const jump = Math.abs(v.diffMs) / 1000;
  const [w0, w1] = c.end_window_s as [number, number];
  const read = `read in ${v.pair.x === s ? 'its' : `${v.other.file}'s`} ${w0.toFixed(1)}-${w1.toFixed(1)} s, z ${(c.z ?? 0).toFixed(1)}`;
  const apart = `after ${ref.file}'s end (its ${uncovered[0].toFixed(1)}-${uncovered[1].toFixed(1)} s) its sound matches ${v.other.file}'s clearly ${jump.toFixed(3)} s ${v.diffMs > 0 ? 'later' : 'earlier'} than the two placements put them (${read}; clock drift could explain ${(c.allowance_ms ?? 0).toFixed(0)} ms at most)`;
  const how = v.diffMs > 0 ? 'paused, was cut or skipped' : 'was joined from two takes';
  const cause = agreeing.length
    ? `, and ${v.other.file}'s agrees there with ${agreeing.map((x) => `${x.file}'s`).join(' and ')}: this recording ${how} between its start and its end, so one offset cannot place the whole file; record a pulse at the session's end too and run with --ends both (it places both ends and refuses a clock that jumped), or split the file at the ${v.diffMs > 0 ? 'pause' : 'join'} and sync each part by its own pulse`
    : `: one of the two recordings (or both) paused, was cut or skipped there, and with no third sound covering that part which one cannot be told, so both are refused; record a pulse at the session's end too and run with --ends both (it places both ends and refuses a clock that jumped), or find by ear which one jumped, split it there and sync each part by its own pulse`;
  return `${placedBy(s)}, but ${apart}${cause}`;
}

/**
 * The `continuity_unchecked` warning of a sound: its part after the reference's end (the lav stopped early, the camera
 * ran on: nothing of the reference to read there), and/or an end window that shares no clear sound with the reference
 * at the placed lag nor at any other though its start does (the talkers fell silent or left, or a pause that cannot be
 * seen; a far microphone 16 dB under its noise paused 2 s at 10 s read so, /work/tsync48b-data).
 */
function uncheckedWarning(ref: StreamState, uncovered: [number, number] | null, unread: [number, number] | undefined | null, after = `${ref.file}'s end`): SyncWarning {
  const parts: string[] = [];
  if (uncovered) parts.push(`its ${uncovered[0].toFixed(1)}-${uncovered[1].toFixed(1)} s lie after ${after}, so nothing there was read`);
  if (unread) parts.push(`its sound in ${unread[0].toFixed(1)}-${unread[1].toFixed(1)} s shares no clear sound with ${ref.file}'s, where its start placement puts it or elsewhere, though its start does`);
  return {
    code: 'continuity_unchecked',
    message: `continuity not checked to its end: placed at its start (--ends start), and ${parts.join('; and ')}: a pause or cut there would leave the rest off by its length unseen; record a pulse at the session's end too and run with --ends both (it places both ends and refuses a clock that jumped)`,
  };
}

/**
 * A picture without sound of its own placed at its start (its flash) under --ends start: nothing of it can be
 * cross-correlated, its frames run on through a pause as through real time (a camera paused 2 s at 30 s of 60 s:
 * placed by its start flash, exit 0, the rest 2 s off; /work/tsync48b-data), and its end flash is searched only under
 * --ends both (which refused it: no flash at the reference's interval). What its file can show is read already: its
 * packet times (a jump of 2 s or more refuses it, clock-jumps.ts); a camera that writes on through a pause leaves
 * neither a gap nor a frame-count mismatch (/work/tsync49c-data: pic60_p30.mp4's 1500 packets 40 ms apart, as the
 * unpaused file's). `continuity: not_checked` and the warning, which the line of a lone flash's pairing
 * (flash/pairing.ts warnUncheckedPairing) takes into its own: one line on stderr.
 */
function notePicturesUnchecked(states: StreamState[], ref: StreamState): void {
  for (const s of states) {
    if (s.kind !== 'video' || !s.placed || s.abs === ref.abs || states.some((x) => x.abs === s.abs && x.kind === 'audio')) continue;
    const reason = 'no sound of its own to cross-correlate with the reference, its packet times hold no jump of 2 s or more, and its end flash is searched only under --ends both';
    s.placed = { ...s.placed, extra: { ...s.placed.extra, continuity: { result: 'not_checked', reason } satisfies Continuity } };
    s.warnings.push({
      code: 'continuity_unchecked',
      message: `continuity not checked: placed by its start alone (--ends start), with ${reason}: ${PICTURE_PAUSE_WORDS}; with a flash at the session's end too, run --ends both (it checks the interval between the two flashes)`,
    });
  }
}

/** What a soundless picture's unchecked continuity risks (this warning's and pairing_unchecked's words). */
export const PICTURE_PAUSE_WORDS = 'a camera that paused mid-file, its frames going on as if no time passed, would be off by the pause after it, unseen';

/**
 * A stream whose drift would matter (report.ts DRIFT_UNMEASURED_WARN_S: 100 ppm moves its end more than 20 ms) and
 * whose end window's content lies within the allowance takes its drift from its content instead of 0 with
 * `drift_unmeasured`, its offset kept at its start placement (the line is turned about its start pulse). The streams
 * of the same file placed at their start take it too (one device, one clock), each about its own start pulse. Trial
 * 2026-12-06 row 6 (a 10-min recorder 104.2 ppm fast): -104.2 ppm.
 * The drift is the line through the content's lags in its start and end windows (contentLine), as place.ts
 * driftFromBothWindows takes it under --ends both: both points lie at the talkers' lag, which cancels. Before session
 * 50 it was the line from the start placement (the beep's lag) to the end window's content (the talkers'), which
 * carries their difference whole over the span (content-lag.ts: up to 17.5 ms; test sync-continuity: the talkers 4 ms
 * behind the beep at a 210 s recorder read -124 ppm for -104.2, its end 4 ms off). That line is still taken where the
 * start window holds no clear content at the placement (contentLine null), with its sd (8.75 ms and the start's sd).
 */
function driftFromContent(s: StreamState, states: StreamState[], ref: StreamState, rd: Reading, c: Continuity): void {
  const pl = s.placed as Placement;
  const span = rd.at - rd.anchor;
  // A stream placed by its content (xcorr) has no pulse at its start for the content_lag line to name: left unmeasured.
  if (pl.method === 'xcorr' || pl.k !== null || s.lengthS === null || s.lengthS * DRIFT_MATTERS_K <= DRIFT_MATTERS_S || !(span > 0)) return;
  const line = contentLine(s, ref, rd, (c.measured_minus_predicted_ms as number) / 1000);
  const dk = line?.dk ?? (c.measured_minus_predicted_ms as number) / 1000 / span;
  const kSd = line?.kSd ?? Math.hypot(CONTENT_LAG_SD_S, pl.offsetSd ?? 0) / span;
  const source = line
    ? `its start and end windows' content cross-correlated with ${ref.file} (the line through the two lags, turned about its start placement; continuity check, --ends start)`
    : `its start placement and its end window's content cross-correlated with ${ref.file} (continuity check, --ends start)`;
  for (const o of [s, ...states.filter((x) => x.abs === s.abs && x !== s && x.placed?.k === null)]) {
    const op = o.placed as Placement;
    const about = o === s || op.from === s ? rd.anchor : (o.chosen.start?.t_s ?? rd.anchor);
    o.placed = { ...op, offset: op.offset - dk * about, k: (op.k ?? 0) + dk, kSd: Math.hypot(op.kSd ?? 0, kSd), extra: { ...op.extra, drift_source: o === s ? source : `audio stream ${s.stream} of the same file: ${source}` } };
  }
  s.warnings.push(line ? contentLinesDriftWarning(ref.file, line.span) : contentDriftWarning(ref.file, span));
}

/**
 * The drift (against the start placement's clock) of the line through the content's lag in the stream's start window
 * (startContentLag) and in its end window (`endDiff`: its lag minus the prediction, s, at rd.at), and its sd: the
 * talkers heard best may differ between the two windows, their lags then by up to CONTENT_LAG_BOUND_S (two talkers'
 * lags lie within the same bound as a talker's and the beep's: content-lag.ts), taken as CONTENT_LAG_SD_S over the
 * span. Null (the caller takes the start placement's line) when the start window holds no clear content there, or the
 * line disagrees with either window's own fitted drift (xcorr-drift.ts, known to WINDOW_DRIFT_SD) by more than 2
 * combined sd: a lag misread.
 */
function contentLine(s: StreamState, ref: StreamState, rd: Reading, endDiff: number): { dk: number; kSd: number; span: number } | null {
  const start = startContentLag(s, ref, rd);
  if (!start || !(rd.at - start.at > 1)) return null;
  const span = rd.at - start.at;
  const dk = (endDiff - start.diff) / span;
  const kSd = CONTENT_LAG_SD_S / span;
  const endDrift = rd.near && !rd.near.drift_limit ? rd.near.drift : undefined;
  const own = [start.drift, endDrift].filter((d): d is number => typeof d === 'number');
  if (own.some((d) => Math.abs(d - dk) > 2 * Math.hypot(WINDOW_DRIFT_SD, kSd))) return null;
  return { dk, kSd, span };
}

/**
 * The content's lag in the stream's start window (what it kept, every pulse masked as startShared reads it: a beep
 * lines up at the placed lag by construction) against the reference's where the start placement puts it: the fine
 * stage about that prediction (xcorr.ts fineAtOffset), when clear (fine z MIN_FINE_Z, confidence MIN_CONFIDENCE) within
 * the allowance. Its lag minus the prediction (s) at the window's middle, and its fitted drift (null at the search's
 * edge); null when nothing clear is there.
 */
function startContentLag(s: StreamState, ref: StreamState, rd: Reading): { at: number; diff: number; drift: number | null } | null {
  if (!s.kept || !ref.kept || ref.sampleRate !== s.sampleRate) return null;
  const b = withoutPulses(s.kept, s.keptT0, s.sampleRate, pulsesOf(s));
  const a = withoutPulses(ref.kept, ref.keptT0, ref.sampleRate, pulsesOf(ref));
  const tm = s.keptT0 + s.kept.length / s.sampleRate / 2;
  const predicted = rd.toRef(tm) - tm;
  const f = fineAtOffset(a, ref.keptT0, b, s.keptT0, s.sampleRate, predicted);
  const allowance = DRIFT_ALLOWANCE * Math.abs(tm - rd.anchor) + CONTENT_LAG_BOUND_S + TIMING_TOLERANCE_S;
  if (!f || f.z < MIN_FINE_Z || f.confidence < MIN_CONFIDENCE || Math.abs(f.offset_s - predicted) > allowance) return null;
  return { at: f.at_s, diff: f.offset_s - predicted, drift: f.drift_limit ? null : f.drift };
}

/** The drift taken from the content only where 100 ppm would move the stream's end by over 20 ms (report.ts drift_unmeasured's rule). */
const DRIFT_MATTERS_K = 100e-6;
const DRIFT_MATTERS_S = 0.02;
