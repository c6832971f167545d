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
import { fileSpanS } from '../media/probe.js';
import { readAudioWindow } from './scan-audio.js';
import { audioOffset, fineAtOffset, MIN_FINE_Z, type XcorrResult } from './xcorr.js';
import { MAX_SCAN_DRIFT } from './xcorr-drift.js';
import { CONTENT_LAG_BOUND_S, CONTENT_LAG_SD_S, contentDriftWarning } from './content-lag.js';
import { pulsesOf, whyNotConclusive } from './place.js';
import { readContent, verdictOf, withoutPulses } from './content-mismatch.js';
import type { Placement, ProbedFile, StreamState } from './streams.js';
import { searchWindows, type Ends, type SearchWindow } from './windows.js';

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
  result: 'continuous' | 'jump' | 'no_clear_match' | 'start_unshared' | 'no_overlap';
  end_window_s: [number, number];
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

/** The samples of [from, to) (stream times) from what the stream kept of its start window, or null when it does not cover them. */
function fromKept(s: StreamState, from: number, to: number): { x: Float32Array; t0: number } | null {
  if (!s.kept) return null;
  const keptEnd = s.keptT0 + s.kept.length / s.sampleRate;
  if (from < s.keptT0 || to > keptEnd + 0.01) return null;
  const i0 = Math.round((from - s.keptT0) * s.sampleRate);
  const i1 = Math.min(s.kept.length, Math.round((to - s.keptT0) * s.sampleRate));
  return { x: s.kept.subarray(i0, i1), t0: s.keptT0 + i0 / s.sampleRate };
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
  near: { offset_s: number; z: number } | null;
  full: XcorrResult | null;
  /** The placement's offset (add to the stream's time to get the reference's) at `at` (the window's middle), and the allowance about it. */
  predicted: number;
  at: number;
  allowance: number;
  /** The stream time at which the start placement holds (its start pulse, else its start window's middle). */
  anchor: number;
  /** Whether its start shares sound with the reference at the placed lag (startShared), read only when a jump is suspected. */
  startShared: () => boolean;
}

/**
 * Reads the end window against the reference: first the fine stage about the predicted lag alone (xcorr.ts
 * fineAtOffset, FINE_SEARCH_S either side: 0.5 CPU s for 60 s windows), which settles a stream whose content is where
 * the placement puts it; only when nothing clear is there, the full search over every lag (audioOffset: four
 * coarse lags tried, 2.3 CPU s), which finds a jump.
 */
async function readEnd(s: StreamState, ref: StreamState, qs: ProbedFile, qr: ProbedFile, searchS: number): Promise<Reading | 'no_overlap' | null> {
  const win = endWindowOf(qs, searchS);
  if (!win) return null;
  const [pl, pr] = [s.placed as Placement, ref.placed as Placement];
  const toRef = (t: number) => (clockOf(pl)(t) - pr.offset) / (1 + (pr.k ?? 0));
  const anchor = s.chosen.start?.t_s ?? (s.kept ? s.keptT0 + s.kept.length / s.sampleRate / 2 : win[0]);
  const allowanceAt = (t: number) => DRIFT_ALLOWANCE * Math.abs(t - anchor) + CONTENT_LAG_BOUND_S + TIMING_TOLERANCE_S;
  const refSpan = fileSpanS(qr.p);
  const refEnd = refSpan === null ? Infinity : (qr.p.start_time_s ?? 0) + refSpan;
  const pad = PAD_S + allowanceAt(win[1]);
  const from = Math.max(ref.firstSampleS, toRef(win[0]) - pad);
  const to = Math.min(refEnd, toRef(win[1]) + pad);
  if (Math.min(to, toRef(win[1])) - Math.max(from, toRef(win[0])) < MIN_OVERLAP_S) return 'no_overlap';
  const b = await samplesOf(s, qs, win[0], win[1]);
  const a = await samplesOf(ref, qr, from, to);
  const at = b.t0 + b.x.length / s.sampleRate / 2;
  const reading = { window: win, predicted: toRef(at) - at, at, allowance: allowanceAt(at), anchor, startShared: () => startShared(s, ref, win[0], toRef) };
  const f = fineAtOffset(a.x, a.t0, b.x, b.t0, s.sampleRate, reading.predicted);
  if (f && f.z >= MIN_FINE_Z && f.confidence >= MIN_CONFIDENCE && Math.abs(f.offset_s - reading.predicted) <= reading.allowance) return { ...reading, near: f, full: null };
  return { ...reading, near: null, full: audioOffset(a.x, a.t0, b.x, b.t0, s.sampleRate) };
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
  if (r && r.fine_z !== null && whyNotConclusive(r, MIN_CONFIDENCE) === null) return { result: rd.startShared() ? 'jump' : 'start_unshared', ...base, measured_minus_predicted_ms: diffMs(r.offset_s), z: r3(r.fine_z) };
  return { result: 'no_clear_match', ...base };
}

/** How the stream was placed at its start, for the refusal. */
function placedBy(s: StreamState): string {
  const pl = s.placed as Placement;
  const how = pl.method === 'tone' ? `its start beep at ${s.chosen.start?.t_s.toFixed(3) ?? '?'} s` : pl.method === 'xcorr' ? 'its content in its start window' : "its camera's picture (--share-camera-clock)";
  return `placed by ${how} (offset ${pl.offset.toFixed(3)} s)`;
}

function jumpMessage(s: StreamState, ref: StreamState, c: Continuity): string {
  const jump = (c.measured_minus_predicted_ms ?? 0) / 1000;
  const [w0, w1] = c.end_window_s;
  return (
    `${placedBy(s)}, but its sound in its end window (${w0.toFixed(1)}-${w1.toFixed(1)} s) matches ${ref.file}'s clearly (z ${(c.z ?? 0).toFixed(1)}) ${Math.abs(jump).toFixed(3)} s ${jump > 0 ? 'later' : 'earlier'} on the reference clock than that placement puts it ` +
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
 * report.ts refuseUnplaced).
 */
export async function checkContinuity(states: StreamState[], ref: StreamState, probes: ProbedFile[], o: { searchS: number; ends: Ends }): Promise<void> {
  if (o.ends !== 'start' || ref.kind !== 'audio' || !ref.placed) return;
  const qr = probes.find((p) => p.abs === ref.abs);
  if (!qr) return;
  for (const s of states) {
    const pl = s.placed;
    // Under --ends start only the start window placed it (an xcorr placement's drift is its start window's own fit).
    if (s.kind !== 'audio' || s.abs === ref.abs || !pl || !CHECKED_METHODS.has(pl.method) || s.sampleRate !== ref.sampleRate) continue;
    const qs = probes.find((p) => p.abs === s.abs);
    if (!qs) continue;
    const rd = await readEnd(s, ref, qs, qr, o.searchS);
    if (rd === null) continue;
    const win = endWindowOf(qs, o.searchS) as [number, number];
    const c: Continuity = rd === 'no_overlap' ? { result: 'no_overlap', end_window_s: [r3(win[0]), r3(win[1])] } : judge(rd);
    pl.extra = { ...pl.extra, continuity: c };
    if (c.result === 'jump') refuseFile(s, states, jumpMessage(s, ref, c));
    else if (c.result === 'continuous' && typeof rd === 'object') driftFromContent(s, states, ref, rd, c);
  }
}

/**
 * A stream whose drift would matter (report.ts DRIFT_UNMEASURED_WARN_S: 100 ppm moves its end more than 20 ms) and
 * whose end window's content lies within the allowance takes its drift from the line through its start placement and
 * that content (as --ends both's driftFromOtherEnd takes it from a pulse at one end and the content at the other),
 * instead of 0 with `drift_unmeasured`. Its sd counts the talkers' lag against the beep's (content-lag.ts: 8.75 ms) and
 * the start placement's own sd over the span. The streams of the same file placed at their start take it too (one
 * device, one clock), each about its own start pulse. Trial 2026-12-06 row 6 (a 10-min recorder 104.2 ppm fast):
 * -104.2 ppm, sd 15 ppm.
 */
function driftFromContent(s: StreamState, states: StreamState[], ref: StreamState, rd: Reading, c: Continuity): void {
  const pl = s.placed as Placement;
  const span = rd.at - rd.anchor;
  // A stream placed by its content (xcorr) has no pulse at its start for the content_lag line to name: left unmeasured.
  if (pl.method === 'xcorr' || pl.k !== null || s.lengthS === null || s.lengthS * DRIFT_MATTERS_K <= DRIFT_MATTERS_S || !(span > 0)) return;
  const dk = (c.measured_minus_predicted_ms as number) / 1000 / span;
  const kSd = Math.hypot(CONTENT_LAG_SD_S, pl.offsetSd ?? 0) / span;
  const source = `its start placement and its end window's content cross-correlated with ${ref.file} (continuity check, --ends start)`;
  for (const o of [s, ...states.filter((x) => x.abs === s.abs && x !== s && x.placed?.k === null)]) {
    const op = o.placed as Placement;
    const about = o === s || op.from === s ? rd.anchor : (o.chosen.start?.t_s ?? rd.anchor);
    o.placed = { ...op, offset: op.offset - dk * about, k: (op.k ?? 0) + dk, kSd: Math.hypot(op.kSd ?? 0, kSd), extra: { ...op.extra, drift_source: o === s ? source : `audio stream ${s.stream} of the same file: ${source}` } };
  }
  s.warnings.push(contentDriftWarning(ref.file, span));
}

/** The drift taken from the content only where 100 ppm would move the stream's end by over 20 ms (report.ts drift_unmeasured's rule). */
const DRIFT_MATTERS_K = 100e-6;
const DRIFT_MATTERS_S = 0.02;
