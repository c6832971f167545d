/**
 * Step 3 of `mmprep sync`: put every stream on the reference clock, repeated until nothing changes:
 * (1) pulse to pulse from a placed stream (the beep and the flash are taken as simultaneous; drift from the pulses at
 * both ends: 1 + k = dt_ref / dt_src); (2) 'container': a stream of a file whose other stream of the same kind is
 * placed takes that clock (one device, one clock; 'camera_clock' across picture and sound only with
 * --share-camera-clock); (3) 'xcorr': an audio stream without a usable pulse is cross-correlated against a
 * placed audio stream (the audio-offset-finder approach, xcorr.ts).
 */
import { audioOffset, fineAtOffset, MIN_FINE_Z, type XcorrResult } from './xcorr/xcorr.js';
import { FINE_SEARCH_S } from './xcorr/xcorr-drift.js';
import { rateUnusableWhy } from './xcorr/content-rate.js';
import { CONTENT_MIN_Z, type ContentReading, mismatchWarning, readContent, uncheckedWarning, verdictOf, withoutPulses } from './checks/content-mismatch.js';
import { type MappedBeepRank, type MappedBeepScore, mappedBeepRank, mappedBeepScore } from './xcorr/xcorr-beep.js';
import { type LagSpan, lagSpan, pickBySpan } from './xcorr/xcorr-span.js';
import { outsideOverlap } from './xcorr/xcorr-rest.js';
import { beepPairOnContent, type FarContent, farContentMatch, isFirst, type PulseAt, type WindowPair } from './checks/far-content.js';
import { type BeepVsContent, beepVsContent, lineHolds, overrulesBeep } from './checks/beep-vs-content.js';
import { chanceCandidate, contentZ, CLEAR_RATIO, mayBeBeep, otherPairings, type Pairing, pairingVerdict } from './checks/beep-pairing.js';
import { acrossPartner, onePulseMessage, onlyPulse, otherHalf, secondPulseSeen } from './across.js';

/** How a run of the span test (xcorr-span.ts) is named in a message. */
const SPAN_RUN_LABEL = '2.3 s';
import type { Candidate, Placement, StreamState } from './streams.js';
import { flashGuides, sameFileStreams } from './streams.js';
import { CONTENT_LAG_SD_S, contentDriftWarning, contentLagSd, contentLagWarning } from './xcorr/content-lag.js';
import type { Ends, SyncWarning } from './windows.js';

const r3 = (v: number) => Math.round(v * 1e3) / 1e3;

/** Onset uncertainty of a chosen pulse: the beep's own estimate; a flash 0.1 frame (docs/sync.md "What confidence means": How precise). */
export function onsetSd(st: StreamState, c: Candidate): number {
  if (typeof c.onset_sd_s === 'number') return c.onset_sd_s;
  return st.kind === 'video' ? 0.1 * (st.frameS ?? 1 / 25) : 0.001;
}

/**
 * The onset sd the placement's gates use (the drift's plausibility, the beeps against the content): a flash's fit-only
 * sd (flash.ts fitOnset), as those gates were set with; its reported onset_sd_s adds the model's precision and would
 * let a pair a frame apart pass implausibleDrift (two flashes 0.3 frame uncertain each over 16 s: 2 sd of their drift
 * is ~1700 ppm, a frame is ~2100 ppm).
 */
function gateSd(st: StreamState, c: Candidate): number {
  return typeof c.fit_onset_sd_s === 'number' ? c.fit_onset_sd_s : onsetSd(st, c);
}

function clockOfPlacement(p: Placement): (t: number) => number {
  return (t) => t + p.offset + (p.k ?? 0) * t;
}

/** Pulse pairs (reference time, stream time, their combined sd, and the same from the gates' sds) at the ends both streams have. */
function pulsePairs(s: StreamState, from: StreamState): PulsePair[] {
  const p = from.placed as Placement;
  const clk = clockOfPlacement(p);
  const out: PulsePair[] = [];
  for (const w of ['start', 'end'] as const) {
    const a = from.chosen[w];
    const b = s.chosen[w];
    if (a && b) out.push({ w, tRef: clk(a.t_s), tSrc: b.t_s, sd: Math.hypot(onsetSd(from, a), onsetSd(s, b), p.offsetSd ?? 0), gateSd: Math.hypot(gateSd(from, a), gateSd(s, b), p.offsetSd ?? 0) });
  }
  return out;
}

/**
 * A picture takes the drift of its own file's sound when beeps at both ends measured it (one device, one clock), or,
 * for a picture with one usable flash (no drift of its own), when the sound's content did (placed by cross-correlation:
 * its contentKSd). Before 2026-12-07 such a picture was left at drift null ±57.7 ppm beside its sound's measured drift
 * (trial 56, /work/ttrial56-data/lab camq.mp4: sound 49.4 ppm by content, its picture's start flash alone).
 */
function soundDriftOf(s: StreamState, states: StreamState[], flashes: number): StreamState | undefined {
  if (s.kind !== 'video') return undefined;
  const byContent = (o: StreamState) => flashes < 2 && o.placed?.method === 'xcorr' && o.placed.contentKSd !== undefined;
  return states.find((o) => o.abs === s.abs && o.kind === 'audio' && (o.placed?.method === 'tone' || byContent(o)) && o.placed?.k !== null);
}

function pulseConfidence(s: StreamState): number {
  const confs = [s.chosen.start, s.chosen.end].filter(Boolean).map((c) => Number((c as Candidate).confidence ?? 0));
  return Math.min(...confs);
}

/** (1) A stream with a pulse, from a placed stream with a pulse at the same end (both ends preferred). */
function placeByPulse(s: StreamState, states: StreamState[], o: PlaceOptions): boolean {
  const shared = states.filter((o) => o.placed && ((o.chosen.start && s.chosen.start) || (o.chosen.end && s.chosen.end)));
  const from = shared.find((o) => o.chosen.start && o.chosen.end && s.chosen.start && s.chosen.end) ?? shared[0];
  if (!from || !from.placed) return false;
  // --ends start uses the start pulse alone. A whole-file window (--search-s 0) also finds pulses in the file's second
  // half (window `end`): such a pulse places the stream only when it shares no start pulse with `from`, and then only
  // against `from`'s second-half pulse (never another stream's start pulse: two-ended files stay unambiguous).
  const all = pulsePairs(s, from);
  const pairs = o.ends === 'start' && all.length === 2 ? all.slice(0, 1) : all;
  const clock = clockOfPulses(s, from, pairs, states, o);
  if (!clock) return false;
  // A pulses_disagree left by an earlier try (before the file's sound, whose drift settles it, was placed) is stale.
  s.warnings = s.warnings.filter((w) => w.code !== 'pulses_disagree');
  const method = s.kind === 'audio' ? 'tone' : 'flash';
  // The pulses the clock was computed from: both pairs, or (no drift from them) the first alone.
  const used = (clock.k === null ? pairs.slice(0, 1) : pairs).map((p) => p.w);
  s.placed = { offsetSd: pairs[0].sd, ...clock, method, confidence: Math.min(pulseConfidence(s), from.placed.confidence), from, used, ...lagOf(from.placed) };
  const note = oneEndNote(s, o.ends);
  if (note) s.warnings.push({ code: 'other_route', message: note });
  return true;
}

/**
 * (1b) --one-pulse: a stream's only pulse and a placed stream's only pulse in the other half of its file, taken as the
 * session's one pulse (across.ts says when and why only on the user's word). Not when any stream shows a second pulse.
 */
function placeAcrossHalves(s: StreamState, states: StreamState[]): boolean {
  const from = acrossPartner(s, states);
  if (!from?.placed || secondPulseSeen(states)) return false;
  const w = onlyPulse(s) as 'start' | 'end';
  const a = from.chosen[otherHalf(w)] as Candidate;
  const b = s.chosen[w] as Candidate;
  const p = from.placed;
  const offsetSd = Math.hypot(onsetSd(from, a), onsetSd(s, b), p.offsetSd ?? 0);
  const method = s.kind === 'audio' ? 'tone' : 'flash';
  const confidence = Math.min(pulseConfidence(s), p.confidence);
  s.placed = { offset: clockOfPlacement(p)(a.t_s) - b.t_s, k: null, kSd: null, offsetSd, method, confidence, from, used: [w], fromUsed: [otherHalf(w)], ...lagOf(p) };
  s.warnings.push({ code: 'one_pulse', message: onePulseMessage(s, from) });
  return true;
}

/**
 * The `other_route` note of a stream placed by its pulse at one end while its other window held a candidate that was
 * not used (the detector refused it, or the content check dropped it: `unplaceable_pulse`). That candidate may be the
 * real pulse or only noise at the other end (the demo under --ends both: an unplaceable flash candidate in a window
 * without a pulse), so it is called a candidate, not a pulse. Null when no window lacks a pulse for that reason.
 */
function oneEndNote(s: StreamState, ends: Ends): string | null {
  const refusedAt = (x: 'start' | 'end') => (s.chosen[x] ? undefined : s.warnings.find((m) => m.code === 'unplaceable_pulse' && m.message.startsWith(x)));
  // Under --ends start no end window was asked for: a candidate in a whole file's second half (--search-s 0) is no
  // missing end pulse.
  const w = (ends === 'both' ? (['start', 'end'] as const) : (['start'] as const)).find((x) => refusedAt(x));
  if (!w) return null;
  // A window's own line (`<window> window: ...`) is not prefixed twice.
  const why = (refusedAt(w) as { message: string }).message.replace(/^(?:start|end) window: /, '');
  // choose.ts `<window>-window candidate at <t> s not used: <reason>`; pairAgainstContent `<window> beep at <t> s ...`.
  const m = /^(?:start|end)(?:-window candidate| beep) at (\S+) s not used: ([\s\S]*)$/.exec(why);
  const n = s.detections.filter((d) => d.window === w).length;
  // A flash's reason names the candidate itself (`flash candidate at <t> s (score ...)`): not said twice.
  const what = !m ? why : m[2].includes(`at ${m[1]} s`) ? `not used: ${m[2]}` : `its candidate at ${m[1]} s was not used: ${m[2]}`;
  return `placed by its ${w === 'start' ? 'end' : 'start'} pulse alone: no usable pulse in its ${w} window (${what}${n > 1 ? `; ${n} candidates there in all` : ''})`;
}

type PulsePair = { w: 'start' | 'end'; tRef: number; tSrc: number; sd: number; gateSd: number };

/**
 * The stream's clock (offset, drift and its sd) from its pulse pairs, or null when its pulses contradict each other
 * (pulses_disagree). A picture whose file's sound measured a drift from beeps at both ends takes that drift, and its
 * two flashes are judged against it (flashesAgree), not against zero: over a short session two right flashes, each
 * a good part of a frame uncertain, can imply more than MAX_DRIFT (scene variant 15: -588 ppm over 16 s at 30 fps,
 * 9.4 ms, where the camera's clock did not drift). Otherwise the pulses' own drift must be plausible.
 */
function clockOfPulses(s: StreamState, from: StreamState, pairs: PulsePair[], states: StreamState[], o: PlaceOptions): { offset: number; k: number | null; kSd: number | null; offsetSd?: number; extra?: Record<string, unknown> } | null {
  const own = pairs.length === 2 && pairs[1].tSrc - pairs[0].tSrc > 1 ? driftOfPairs(pairs) : null;
  const sound = soundDriftOf(s, states, pairs.length);
  if (sound?.placed && sound.placed.k !== null) {
    const { k } = sound.placed;
    const kSd = sound.placed.kSd ?? sound.placed.contentKSd ?? null;
    const ownClock = own && flashesOwnClock(s, pairs, own, k, kSd, from);
    if (ownClock) return ownClock;
    if (!flashesAgree(s, pairs, k, kSd, from)) return null;
    const how = sound.placed.method === 'xcorr' ? ` (its content cross-correlated with ${sound.placed.from?.file})` : '';
    const extra = { drift_source: `audio stream ${sound.stream} of the same file${how}`, drift_flash_ppm: own === null ? null : r3(own.k * 1e6) };
    // Both flashes on that one line: the mean of their offsets (each flash's error halved at both ends).
    const offsets = pairs.map((p) => p.tRef - p.tSrc * (1 + k));
    return { offset: offsets.reduce((a, b) => a + b, 0) / offsets.length, k, kSd, offsetSd: meanOffsetSd(pairs, offsets), extra };
  }
  if (own && implausibleDrift(s, { k: own.k, kSd: Math.hypot(pairs[0].gateSd, pairs[1].gateSd) / (pairs[1].tSrc - pairs[0].tSrc) }, from, pairs)) return null;
  if (own) {
    // Beeps at both ends of an audio stream whose content matches: the content's rate, the offset from both beeps.
    // The content gives the rate whatever --fallback says (it only decides whether content alone may place a stream).
    const both = bothBeepsOnContentDrift(s, from, pairs);
    // A picture's clock through its two flashes carries each flash's error at its own end: the larger sd of the two.
    const offsetSd = s.kind === 'video' ? Math.max(pairs[0].sd, pairs[1].sd) : undefined;
    return both ?? { offset: pairs[0].tRef - pairs[0].tSrc * (1 + own.k), ...own, ...(offsetSd === undefined ? {} : { offsetSd }) };
  }
  if (pairs.length === 1 && o.ends === 'both') {
    const d = driftForOnePulse(s, from, pairs[0], o.minXcorrConfidence);
    if (d !== null) {
      s.warnings = s.warnings.filter((w) => w.code !== 'no_end_pulse');
      s.warnings.push({ code: 'fallback', message: d.message });
      return { offset: pairs[0].tRef - pairs[0].tSrc * (1 + d.k), k: d.k, kSd: d.kSd, extra: { drift_source: d.source } };
    }
  }
  return { offset: pairs[0].tRef - pairs[0].tSrc, k: null, kSd: null };
}

/**
 * A picture whose two flashes disagree with its file's sound's drift (flashesAgree) but give a plausible drift of
 * their own (within MAX_DRIFT and driftSlack) is placed by its own flashes, with `picture_own_clock`: a PC/browser
 * webcam recording times the picture on the PC's clock and the USB microphone's samples on the microphone's own
 * (trial 2026-12-06 W1, /work/ttrial49-data s11: +10 ppm against +210 ppm, 100 ms apart over 10 min; refused as
 * pulses_disagree before). The same two flashes would also be read so if one of them were a frame or more off over a
 * long span (one camera, one clock): the warning says both readings and what each means. Implausible own drift: null
 * (flashesAgree then refuses it, as before). Only where the sound's own two beeps measured its drift would its clock
 * be compared; a drift from one beep and content is compared all the same (its sd is in flashesAgree's tolerance).
 */
function flashesOwnClock(s: StreamState, pairs: PulsePair[], own: { k: number; kSd: number }, k: number, kSd: number | null, from: StreamState): { offset: number; k: number; kSd: number; offsetSd: number; extra: Record<string, unknown> } | null {
  if (s.kind !== 'video' || pairs.length < 2) return null;
  const span = pairs[1].tSrc - pairs[0].tSrc;
  const apart = (own.k - k) * span;
  const frame = s.frameS ?? 1 / 25;
  if (Math.abs(apart) <= flashesApartBound(frame, pairs) + 2 * (kSd ?? 0) * Math.abs(span)) return null;
  const gateKSd = Math.hypot(pairs[0].gateSd, pairs[1].gateSd) / span;
  if (Math.abs(own.k) > MAX_DRIFT + driftSlack(s, gateKSd)) return null;
  const [ownPpm, soundPpm] = [own.k * 1e6, k * 1e6].map((x) => x.toFixed(0));
  s.warnings.push({
    code: 'picture_own_clock',
    message: `the file's picture and sound run on different clocks (webcam/PC recordings): the picture is placed by its own start and end flashes, ${ownPpm} ppm against ${from.file}, where its sound's drift is ${soundPpm} ppm (its flashes ${Math.abs(apart * 1000).toFixed(1)} ms, ${Math.abs(apart / frame).toFixed(1)} frames, apart on the sound's drift); a camera whose picture and sound share one clock would instead have one flash that many frames off: look at both flashes' frames`,
  });
  const offsetSd = Math.max(pairs[0].sd, pairs[1].sd);
  const extra = { drift_source: 'its own start and end flashes (its sound runs on another clock)', drift_sound_ppm: r3(k * 1e6) };
  return { offset: pairs[0].tRef - pairs[0].tSrc * (1 + own.k), k: own.k, kSd: own.kSd, offsetSd, extra };
}

/**
 * Sd of the mean of a picture's two flash offsets on its sound's drift: the mean of their sds (not halved in
 * quadrature: most of a flash's sd is the onset model's error, flash-pulse.ts modelVar, which the same codec and LED
 * make alike at both ends; on scene variant 35 both flashes of one picture read 6.8 and 12.0 ms early) and half their
 * difference (two readings of one offset: their disagreement is itself an estimate of the error).
 */
function meanOffsetSd(pairs: PulsePair[], offsets: number[]): number {
  if (pairs.length < 2) return pairs[0].sd;
  return Math.hypot((pairs[0].sd + pairs[1].sd) / 2, (offsets[1] - offsets[0]) / 2);
}

/** Drift from the pulses at both ends, 1 + k = dt_ref / dt_src, and its sd from both pulses' sds over the span. */
function driftOfPairs(pairs: PulsePair[]): { k: number; kSd: number } {
  const span = pairs[1].tSrc - pairs[0].tSrc;
  return { k: (pairs[1].tRef - pairs[0].tRef) / span - 1, kSd: Math.hypot(pairs[0].sd, pairs[1].sd) / span };
}

/** Recording clocks differ by well under 500 ppm: pulses implying more (beyond driftSlack) disagree, one is wrong. */
function implausibleDrift(s: StreamState, d: { k: number; kSd: number }, from: StreamState, pairs: PulsePair[]): boolean {
  if (Math.abs(d.k) <= MAX_DRIFT + driftSlack(s, d.kSd)) return false;
  if (!s.warnings.some((w) => w.code === 'pulses_disagree')) s.warnings.push({ code: 'pulses_disagree', message: `its start and end pulses imply ${(d.k * 1e6).toFixed(0)} ppm of drift against ${from.file}: one of them is wrong, so neither is used (${pairs.map((p) => `${p.w} pulse at ${p.tSrc.toFixed(3)} s here, ${p.tRef.toFixed(3)} s in ${from.file}`).join('; ')}: a second press of the trigger, another device's beep, a recording started or stopped between pulses? a --search-s that leaves the stray pulse out of its window, or --ends start, uses the session's own)` });
  return true;
}

/**
 * With the drift of the file's own sound, the picture's start and end flashes must give one offset (one clock, one
 * skew) within half a frame, plus twice what the sound's drift sd makes of the span (a drift from one beep and the
 * other end's cross-correlation is known to tens of ppm); otherwise one flash is wrong (a frame or more off, or
 * another event) and neither is used (pulses_disagree). Half a frame is twice the spread of right flash onsets on the
 * scene bench (0.18 frame rms over 208 pictures of the 8 scene sets): their onset_sd_s is often far smaller
 * (0.05-0.3 ms where they were 6-16 ms off) and is not used here.
 */
function flashesAgree(s: StreamState, pairs: PulsePair[], k: number, kSd: number | null, from: StreamState): boolean {
  if (pairs.length < 2) return true;
  const [a, b] = pairs.map((p) => p.tRef - p.tSrc * (1 + k));
  const frame = s.frameS ?? 1 / 25;
  const tolerance = flashesApartBound(frame, pairs) + 2 * (kSd ?? 0) * Math.abs(pairs[1].tSrc - pairs[0].tSrc);
  if (Math.abs(b - a) <= tolerance) return true;
  if (!s.warnings.some((w) => w.code === 'pulses_disagree')) s.warnings.push({ code: 'pulses_disagree', message: `its start and end flashes give offsets ${((b - a) * 1000).toFixed(1)} ms apart against ${from.file} with its sound's drift (more than ${(tolerance * 1000).toFixed(1)} ms: half a frame or their onsets' own uncertainty, and the drift's): one of them is wrong, so neither is used` });
  return false;
}

/**
 * How far apart two right flashes of one clock may read (before the drift's share): half a frame, or twice their
 * onsets' combined sd where that is wider. A flash drawn on whole frames (an LED lit at once, a short exposure) is
 * timed only to within the frame between its dark and lit frames (onset sd ~8-9 ms at 30 fps): a phone's two such
 * flashes read 17.4 ms apart on one clock, over half a frame (16.8 ms), and the picture was put on "its own clock"
 * at 671 ppm (truth 0), 18 ms off at its start (ttrial58s, 2026-12-07). Where the sds are small (most flashes: 0.05-0.3
 * ms) half a frame stands, as before.
 */
function flashesApartBound(frame: number, pairs: PulsePair[]): number {
  return Math.max(0.5 * frame, 2 * Math.hypot(pairs[0].sd, pairs[1].sd));
}

/**
 * Drift of an audio stream placed by a pulse at one end only (--ends both): its window at the other end
 * cross-correlated with the same window of the stream it was placed from (both hear the session). Its lag gives a
 * second point of the clock map, 1 + k = (t_ref2 - t_ref1) / (t_src2 - t_src1), which must be plausible (within
 * MAX_DRIFT: the lag lies on the pulse's line); the drift taken is the window's own fitted rate (xcorr-drift.ts, sd
 * WINDOW_DRIFT_SD, composed with the partner's), the slope only where that rate lies at the search's edge. The slope
 * runs from the beep's lag to the talkers' (content-lag.ts: up to 17.5 ms apart), 8.75 ms sd over a 15 s span is
 * 580 ppm; measured before session 50 on the --ends both cases of room variants 10, 150g, 151g, 160 and 180
 * (/work/tsync50b-data/routes.mjs): the 3 streams this route placed read -73.5, -158.1 and -28.9 ppm by the slope
 * (true -64.6, -68.9, -57.9; clock 0.19, 1.48 and 0.84 ms off at a beep) and -64.3, -68.0 and -62.5 by the window's
 * rate (0.04, 0.24 and 0.28 ms). Null when the content does not match clearly (coarse confidence and a fine peak
 * ratio of 1.5, as for an xcorr placement) or the drift is implausible. A window that matches clearly at two lags
 * (speech said twice) is resolved by the pulse (otherLagOnPulseLine), and that lag's own fitted rate taken.
 */
function driftFromOtherEnd(s: StreamState, from: StreamState, pair: { tRef: number; tSrc: number; sd: number }, minConfidence: number): { k: number; kSd: number; rate: boolean } | null {
  if (s.kind !== 'audio' || from.kind !== 'audio' || from.sampleRate !== s.sampleRate || !from.placed) return null;
  const atStart = s.chosen.end !== null;
  const [a, aT0, b, bT0] = atStart ? [from.kept, from.keptT0, s.kept, s.keptT0] : [from.keptEnd, from.keptEndT0, s.keptEnd, s.keptEndT0];
  if (!a || !b) return null;
  const r = cachedOffset(a, aT0, b, bT0, s.sampleRate);
  const tSrc = bT0 + b.length / s.sampleRate / 2;
  if (!r || Math.abs(tSrc - pair.tSrc) < 1) return null;
  const driftAt = (offsetS: number) => (clockOfPlacement(from.placed as Placement)(tSrc + offsetS) - pair.tRef) / (tSrc - pair.tSrc) - 1;
  let offsetS = r.offset_s;
  let rate = r.drift_limit || !lineHolds(r) ? null : r.drift;
  if (whyNotConclusive(r, minConfidence) !== null) {
    const lag = otherLagOnPulseLine(r, driftAt, minConfidence);
    if (lag === null) return null;
    offsetS = lag.offset_s;
    rate = lag.drift_limit ? null : lag.drift;
    s.warnings.push({ code: 'xcorr_two_lags', message: `its ${atStart ? 'start' : 'end'} window matches ${from.file} clearly at ${r.candidates.filter((c) => c.fine_z >= MIN_FINE_Z).length} lags; only the one at ${offsetS.toFixed(3)} s (z ${lag.fine_z.toFixed(1)}) lies within ${MAX_DRIFT * 1e6} ppm of its pulse, so the drift is taken from that one` });
  }
  const k = driftAt(offsetS);
  if (Math.abs(k) > MAX_DRIFT) {
    s.warnings.push({ code: 'xcorr_weak', message: `the ${atStart ? 'start' : 'end'} window cross-correlates with ${from.file} at ${(k * 1e6).toFixed(0)} ppm from the pulse: not used for the drift` });
    return null;
  }
  const kRate = rate === null ? null : composedDrift(from.placed.k, rate);
  if (kRate !== null && Math.abs(kRate) <= MAX_DRIFT) return { k: kRate, kSd: Math.hypot(from.placed.kSd ?? 0, WINDOW_DRIFT_SD), rate: true };
  // The content's point lies at the talkers' lag, the pulse's at the beep's: their unknown difference (content-lag.ts)
  // goes into the slope between them.
  s.warnings.push(contentDriftWarning(from.file, Math.abs(tSrc - pair.tSrc)));
  return { k, kSd: Math.hypot(pair.sd, XCORR_OFFSET_SD_S, CONTENT_LAG_SD_S) / Math.abs(tSrc - pair.tSrc), rate: false };
}

/**
 * Drift of an audio stream placed by a pulse at one end only (--ends both), from its content alone: both windows
 * cross-correlate conclusively with the same windows of the stream it was placed from, and the line through the two
 * matches' lags gives the rate, 1 + k = (t_ref2 - t_ref1) / (t_src2 - t_src1). Both points lie at the talkers' lag,
 * so its difference from the beep's (content-lag.ts: up to 17.5 ms where the loudspeaker and the talkers stand apart)
 * cancels, where the line from the pulse to the other end's content (driftFromOtherEnd) carries it whole to that end:
 * room variant 151 (--geometry drawn) `rt5-drr0-snr10-opus-both`, the participant's lag 4.39 ms from the beep's, read
 * -240.7 ppm from its start beep and end window for a true -52.8, the clock 5.37 ms off at the end beep with exit 0;
 * its two windows' lags (4.38 and 4.39 ms off the beep's clock) give -53.6. Taken only when the line agrees with each
 * window's own fitted drift within 2 WINDOW_DRIFT_SD: where the talker heard best changes between the windows (a
 * talker's lag moves by up to 17.5 ms), the line moves by 67 ppm per ms over 15 s and is not taken. Its sd is
 * WINDOW_DRIFT_SD (what that agreement admits). Measured (2026-12-06, /work/tsync49b-data/drift-routes.mjs): on
 * variant 151's 26 pairs of windows whose clearest peaks both lie at a talker's lag, the line within 1.1 ppm of the true
 * drift, the windows' own fits within 4.4 ppm. Null when either window does not match conclusively or the two disagree.
 */
function driftFromBothWindows(s: StreamState, from: StreamState, minConfidence: number): { k: number; kSd: number; at: [number, number] } | null {
  if (s.kind !== 'audio' || from.kind !== 'audio' || from.sampleRate !== s.sampleRate || !from.placed) return null;
  const matches = windowMatches(s, from, (r) => whyNotConclusive(r, minConfidence) === null && oneStretchWhy(r) === null && r.drift !== null && !r.drift_limit);
  if (matches.length !== 2) return null;
  const clk = clockOfPlacement(from.placed);
  const [m0, m1] = matches;
  const span = m1.r.at_s - m0.r.at_s;
  if (!(span >= 1)) return null;
  const k = (clk(m1.r.at_s + m1.r.offset_s) - clk(m0.r.at_s + m0.r.offset_s)) / span - 1;
  const own = (m: ContentMatch) => composedDrift(from.placed?.k ?? null, m.r.drift as number);
  if (Math.abs(k) > MAX_DRIFT || matches.some((m) => Math.abs(own(m) - k) > 2 * WINDOW_DRIFT_SD)) return null;
  return { k, kSd: Math.hypot(from.placed.kSd ?? 0, WINDOW_DRIFT_SD), at: [m0.r.at_s, m1.r.at_s] };
}

/**
 * The drift of s against the reference from a drift measured against the stream it was placed from (a window's fitted
 * rate, or a line through two of its lags): clock maps compose, t_from = t_s (1 + k_window) and t_ref = t_from (1 +
 * k_from) + offset, so 1 + k = (1 + k_from)(1 + k_window) (the product, not the sum: the two differ by k_from k_window,
 * 0.01 ppm at 100 ppm each, but the form is exact). A partner of unknown drift (null) counts 0, as its clock applies.
 */
export function composedDrift(fromK: number | null, windowDrift: number): number {
  return (1 + (fromK ?? 0)) * (1 + windowDrift) - 1;
}

/**
 * Standard uncertainty taken for the drift that one window's content gives (xcorr-drift.ts fits it over the window):
 * on the tuned room sets (make-sync-rooms --set full, variants 0-2: 64 windows of 12-15 s that cross-correlate
 * conclusively) it was within 3.6 ppm of the truth, and their offsets within 0.09 ms at the beeps.
 */
export const WINDOW_DRIFT_SD = 10e-6;

/**
 * Drift of an audio stream placed by its pulse at one end only (--ends both), the first route that gives one: the line
 * through both windows' content lags when both cross-correlate conclusively (driftFromBothWindows: the talkers' lag
 * cancels); the other end's window, its lag on the pulse's line, by its own rate (driftFromOtherEnd; the slope from
 * the pulse to its lag where that rate lies at the search's edge); the content of the pulse's own window when
 * that cross-correlates conclusively with the same window of the stream it was placed from (its fitted drift over the
 * window, as xcorrClock takes a start window's alone); a window matching in the fine stage only, on the pulse's line, by
 * its rate (driftFromRateOnLine). Null when none does.
 */
function driftForOnePulse(s: StreamState, from: StreamState, pair: { tRef: number; tSrc: number; sd: number }, minConfidence: number): { k: number; kSd: number; message: string; source: string } | null {
  const missing = s.chosen.start ? 'end' : 'start';
  const both = driftFromBothWindows(s, from, minConfidence);
  if (both) return { ...both, message: `no usable pulse in the ${missing} window: drift ${(both.k * 1e6).toFixed(1)} ppm from cross-correlating both windows with ${from.file} (the content's lags at ${both.at[0].toFixed(1)} and ${both.at[1].toFixed(1)} s)`, source: `the pulse at one end and cross-correlation with ${from.file} in both windows (the drift from the content's lags at both ends)` };
  const other = driftFromOtherEnd(s, from, pair, minConfidence);
  const rateWords = other?.rate ? ' (the rate of its content there)' : '';
  if (other) return { k: other.k, kSd: other.kSd, message: `no usable pulse in the ${missing} window: drift ${(other.k * 1e6).toFixed(1)} ppm from cross-correlating that window with ${from.file}${rateWords}`, source: `the pulse at one end and cross-correlation with ${from.file} at the other${rateWords}` };
  if (s.kind !== 'audio' || from.kind !== 'audio' || from.sampleRate !== s.sampleRate || !from.placed) return null;
  const own = conclusiveMatches(s, from).find((m) => m.w !== missing);
  if (!own || own.r.drift === null || !lineHolds(own.r)) return driftFromRateOnLine(s, from, pair, minConfidence, missing);
  if (own.r.drift_limit) {
    s.warnings.push(driftAtLimitWarning(`its ${own.w} window`, from.file, own.r.drift, own.r.drift_limit, 'the drift is left unknown'));
    s.driftBeyondSearch = true;
    return null;
  }
  const k = composedDrift(from.placed.k, own.r.drift);
  if (Math.abs(k) > MAX_DRIFT) return null;
  const message = `no usable pulse in the ${missing} window, and that window does not cross-correlate clearly with ${from.file}: drift ${(k * 1e6).toFixed(1)} ppm from cross-correlating its ${own.w} window (the pulse's) with it`;
  return { k, kSd: Math.hypot(from.placed.kSd ?? 0, WINDOW_DRIFT_SD), message, source: `the pulse at one end and cross-correlation with ${from.file} over that end's window` };
}

/**
 * The last route of driftForOnePulse: a window (the missing pulse's first) whose content matches `from` clearly in the
 * fine stage (z, confidence, no second clear lag) though its coarse peak does not stand out, lying on the pulse's line
 * at its own rate (xcorr/content-rate.ts): that rate, known to WINDOW_DRIFT_SD. Null when no window qualifies.
 */
function driftFromRateOnLine(s: StreamState, from: StreamState, pair: { tRef: number; tSrc: number; sd: number }, minConfidence: number, missing: 'start' | 'end'): { k: number; kSd: number; message: string; source: string } | null {
  const fromClock = clockOfPlacement(from.placed as Placement);
  const fineOnly = (r: XcorrResult) => whyNotConclusive(r, minConfidence) !== null && whyNotConclusive({ ...r, peak_ratio: Infinity }, minConfidence) === null;
  const byMissingFirst = windowMatches(s, from, fineOnly).sort((x, y) => Number(y.w === missing) - Number(x.w === missing));
  for (const m of byMissingFirst) {
    const k = composedDrift((from.placed as Placement).k, m.r.drift ?? 0);
    const offLine = fromClock(m.tm + m.r.offset_s) - (pair.tRef + (m.tm - pair.tSrc) * (1 + k));
    const lineSd = Math.hypot(pair.sd, XCORR_OFFSET_SD_S, WINDOW_DRIFT_SD * Math.abs(m.tm - pair.tSrc));
    if (rateUnusableWhy(m.r, offLine, lineSd) !== null || Math.abs(k) > MAX_DRIFT) continue;
    const how = `its coarse peak does not stand out (ratio ${m.r.peak_ratio.toFixed(2)}), but its fine peak (z ${(m.r.fine_z ?? 0).toFixed(1)}) lies ${(offLine * 1000).toFixed(2)} ms from the ${missing === 'end' ? 'start' : 'end'} pulse's line and its two halves agree`;
    const message = `no usable pulse in the ${missing} window: drift ${(k * 1e6).toFixed(1)} ppm from the rate of its content in its ${m.w} window against ${from.file} (cross-correlated: ${how})`;
    return { k, kSd: Math.hypot((from.placed as Placement).kSd ?? 0, WINDOW_DRIFT_SD), message, source: `the pulse at one end and the rate of its content in its ${m.w} window against ${from.file}` };
  }
  return null;
}

/**
 * Beeps at both ends of an audio stream whose content cross-correlates conclusively with the stream it is placed from
 * in one or both windows: the clock's rate is taken from the content (each window's fitted drift, within 3.6 ppm on
 * the tuned room sets, taken with sd WINDOW_DRIFT_SD) and its offset from both beeps, weighted by their onset
 * uncertainties (a weighted least-squares line of fixed slope). Two beeps alone give the drift only as well as their
 * onsets over the span (1 ms over 19 s is 53 ppm) and put each beep's onset error in full on the clock at that end;
 * their offsets on the content's rate are averaged instead. A constant difference between the loudspeaker's and the
 * talkers' paths to the microphones moves the content's offset, not its rate, so only the rate is taken from it. Taken
 * only when the two beeps agree on that rate within two standard deviations of their difference (else a beep is
 * suspect and pairAgainstContent decides). On room variant 12 (held out) a 24 s session's start beep read 1.51 ms
 * early and its end beep 1.03 ms late (sds 0.92 and 0.90 ms): the beeps' own line put the clock 1.52 ms off at the start.
 */
function bothBeepsOnContentDrift(s: StreamState, from: StreamState, pairs: Array<{ tRef: number; tSrc: number; sd: number }>): { offset: number; k: number; kSd: number; offsetSd: number; extra: Record<string, unknown> } | null {
  if (s.kind !== 'audio' || from.kind !== 'audio' || from.sampleRate !== s.sampleRate || !from.placed) return null;
  const clk = clockOfPlacement(from.placed);
  const kBeeps = (pairs[1].tRef - pairs[0].tRef) / (pairs[1].tSrc - pairs[0].tSrc) - 1;
  const beepClock = (t: number) => pairs[0].tRef + (t - pairs[0].tSrc) * (1 + kBeeps);
  const drifts = contentDriftsNearBeeps(s, from, (tm, offsetS) => clk(tm + offsetS) - beepClock(tm));
  // A window's drift at the edge of the range searched is no measurement (xcorr-drift.ts atSearchEdge): the beeps' own.
  const edge = drifts.find((d) => d.limit);
  if (edge) s.warnings.push(driftAtLimitWarning(`its ${edge.w} window`, from.file, edge.drift, edge.limit as number, `the drift is from its beeps (${(kBeeps * 1e6).toFixed(1)} ppm)`));
  if (!drifts.length || edge) return null;
  const k = composedDrift(from.placed.k, drifts.reduce((a, b) => a + b.drift, 0) / drifts.length);
  const kSd = Math.hypot(from.placed.kSd ?? 0, WINDOW_DRIFT_SD);
  if (Math.abs(k) > MAX_DRIFT) return null;
  const span = pairs[1].tSrc - pairs[0].tSrc;
  const [r0, r1] = pairs.map((p) => p.tRef - p.tSrc * (1 + k));
  if (Math.abs(r1 - r0) > 2 * Math.hypot(pairs[0].sd, pairs[1].sd, kSd * span)) return null;
  const beeps = beepsBetterThanContent(pairs, kBeeps, from.placed.kSd ?? 0, k, kSd);
  if (beeps) return beeps;
  const [w0, w1] = pairs.map((p) => 1 / Math.max(p.sd, 1e-6) ** 2);
  const offset = (w0 * r0 + w1 * r1) / (w0 + w1);
  const offsetSd = Math.hypot(1 / Math.sqrt(w0 + w1), (kSd * span) / 2);
  const extra = { drift_source: `cross-correlating its content with ${from.file} (the offset from both beeps)`, drift_pulses_ppm: r3(((pairs[1].tRef - pairs[0].tRef) / span - 1) * 1e6) };
  return { offset, k, kSd, offsetSd, extra };
}

/**
 * How much better (a fraction of the content's sd) the beeps must know the drift for their line to replace the
 * content's rate: where the two sds are alike, which is right is a coin toss (trial 56's 60 s lab session: beeps 9.7
 * ppm, content 10; the content was 0.55 ppm off the truth, the beeps 1.27), and the offset from both beeps on the
 * content's rate is kept.
 */
const BEEPS_OVER_CONTENT = 0.5;

/**
 * Where the two beeps know the drift clearly better than the content (WINDOW_DRIFT_SD; BEEPS_OVER_CONTENT): their own
 * line, its sd their onsets' over the span (with the partner's drift sd: their reference times come through its clock);
 * null otherwise. Over 20 s two beeps 0.5 ms uncertain each know it to 35 ppm, so content's rate stays; over 10 minutes
 * to 1.2 ppm. Before
 * 2026-12-07 the content's 10 ppm was said there too: trial 56's 10-minute lab session (lav +50 ppm, room -30 ppm)
 * read 79.944 ± 10 ppm, the clock's sd 6.6 ms at its end beep where it was 0.12 ms off; its beeps gave 79.958 (truth
 * 80.002). The beeps' sd is their onsets' with half their difference from the content's rate: the caller's gate
 * lets them differ by up to twice the content's sd (20 ppm), and a beep read 10 ms off with an onset sd of 0.5 ms
 * (a burst of speech just before it: docs/sync.md "Known limits") would have claimed its line to 0.85 ppm where it is
 * 17 ppm off; so it now reads 8.5 ppm and, over half the content's sd, the content's rate stays (lab10: 0.014 ppm apart).
 */
export function beepsBetterThanContent(pairs: Array<{ tRef: number; tSrc: number; sd: number }>, kBeeps: number, fromKSd: number, kContent: number, kSdContent: number): { offset: number; k: number; kSd: number; offsetSd: number; extra: Record<string, unknown> } | null {
  const span = pairs[1].tSrc - pairs[0].tSrc;
  const kSd = Math.hypot(fromKSd, Math.hypot(pairs[0].sd, pairs[1].sd) / span, (kBeeps - kContent) / 2);
  if (!(kSd <= BEEPS_OVER_CONTENT * kSdContent)) return null;
  const extra = { drift_source: `its beeps at both ends, ${span.toFixed(1)} s apart (known better than its content's rate: ${(kSd * 1e6).toFixed(2)} against ${(kSdContent * 1e6).toFixed(1)} ppm)`, drift_content_ppm: r3(kContent * 1e6) };
  // The clock's sd at its start beep (at time 0 nearly so); over the span it grows by kSd to the end beep's and more.
  return { offset: pairs[0].tRef - pairs[0].tSrc * (1 + kBeeps), k: kBeeps, kSd, offsetSd: pairs[0].sd, extra };
}

/**
 * The fitted drifts of the windows of s whose content cross-correlates with the same window of `from` conclusively,
 * or conclusively but for a second clear lag (speech said twice: the room generator repeats its clips) when exactly
 * one clear lag lies within XCHECK_TOLERANCE_S of the beeps' clock and every other is over OTHER_LAG_OFF_LINE_S from it.
 * offBeeps(tm, offsetS): how far a lag puts the reference clock from the beeps' at s's time tm, seconds.
 */
function contentDriftsNearBeeps(s: StreamState, from: StreamState, offBeeps: (tm: number, offsetS: number) => number): Array<{ w: 'start' | 'end'; drift: number; limit: number | null }> {
  const out: Array<{ w: 'start' | 'end'; drift: number; limit: number | null }> = [];
  for (const [w, a, aT0, b, bT0] of [['start', from.kept, from.keptT0, s.kept, s.keptT0], ['end', from.keptEnd, from.keptEndT0, s.keptEnd, s.keptEndT0]] as const) {
    if (!a || !b) continue;
    const r = cachedOffset(a, aT0, b, bT0, s.sampleRate);
    if (!r || whyNotConclusive({ ...r, competing_z: null }, 0.5) !== null) continue;
    const tm = bT0 + b.length / s.sampleRate / 2;
    const clear = r.candidates.filter((c) => c.fine_z >= MIN_FINE_Z);
    const near = clear.filter((c) => Math.abs(offBeeps(tm, c.offset_s)) <= XCHECK_TOLERANCE_S);
    // The clearest lag's rate only where its line holds over the window (lineHolds; a drift beyond the range searched).
    const holds = near[0]?.offset_s !== r.offset_s || lineHolds(r);
    if (near.length === 1 && holds && clear.every((c) => c === near[0] || Math.abs(c.offset_s - near[0].offset_s) > OTHER_LAG_OFF_LINE_S)) out.push({ w, drift: near[0].drift, limit: near[0].drift_limit ?? null });
  }
  return out;
}

/**
 * A content drift at the edge of the range searched (xcorr-drift.ts atSearchEdge), not used: the true drift may lie
 * beyond it (trial 2026-12-03 item 7: -248.8 ppm reported ± 10 where the recorder ran -299.9 ppm off).
 */
function driftAtLimitWarning(what: string, file: string, drift: number, limit: number, instead: string): SyncWarning {
  return {
    code: 'drift_at_limit',
    message: `${what} cross-correlates with ${file} best at ${(drift * 1e6).toFixed(1)} ppm, the edge of the drift range searched (±${(limit * 1e6).toFixed(0)} ppm): its clock may run further off than that, so the value is not used; ${instead}`,
  };
}

/** Every other clear lag must lie at least this far (seconds) from the pulse's line: beyond any onset error. */
const OTHER_LAG_OFF_LINE_S = 0.3;

/**
 * The other end's window matches clearly at two or more lags (the same speech at two times) and is conclusive
 * otherwise: the pulse already placed says which, when exactly one clear lag implies a plausible drift (within
 * MAX_DRIFT) and every other clear lag lies over OTHER_LAG_OFF_LINE_S off that line (as resolveByEnd does with the end
 * window's line). On the room and scene benches (2026-11-30) the generators' repeated speech clips made such windows
 * (2.1 s and 11.4 s apart); the stream then had no drift, 1.5-1.9 ms off at its other pulse. Null otherwise.
 */
function otherLagOnPulseLine(r: XcorrResult, driftAt: (offsetS: number) => number, minConfidence: number): XcorrResult['candidates'][number] | null {
  if (r.competing_z === null || whyNotConclusive({ ...r, competing_z: null }, minConfidence) !== null) return null;
  const clear = r.candidates.filter((c) => c.fine_z >= MIN_FINE_Z);
  const onLine = clear.filter((c) => Math.abs(driftAt(c.offset_s)) <= MAX_DRIFT);
  if (onLine.length !== 1) return null;
  const c = onLine[0];
  return clear.every((x) => x === c || Math.abs(x.offset_s - c.offset_s) > OTHER_LAG_OFF_LINE_S) ? c : null;
}

/**
 * Standard uncertainty taken for a clear cross-correlation offset: on the room bench (npm run bench:sync) the 30
 * streams placed by xcorr were within 1.7 ms, most within 1 ms.
 */
const XCORR_OFFSET_SD_S = 0.001;

/** Largest plausible clock-rate difference between two recorders (consumer devices are within ±100 ppm). */
export const MAX_DRIFT = 500e-6;

/**
 * How far a picture's drift from its two flashes may read beyond MAX_DRIFT: two standard errors of that drift (a
 * two-sided 95 % bound). A flash onset is known only within its onset_sd_s (up to a third of a frame when the pulse
 * is a whole number of frames long and the shutter cannot be told: 9 ms at 25 fps, 600 ppm over 15 s), so two right
 * flashes can read more than 500 ppm apart; a wrong flash is a frame or more away (2500 ppm over 16 s at 25 fps).
 * Beep onsets (0.2-2 ms) keep the plain 500 ppm.
 */
function driftSlack(s: StreamState, kSd: number): number {
  return s.kind === 'video' ? 2 * kSd : 0;
}
/** An audio stream placed by its beep whose content cross-correlates clearly elsewhere is refused (the beep's onset is suspect). */
const XCHECK_PEAK_RATIO = 3;
const XCHECK_TOLERANCE_S = 0.005;
const XCHECK_MAX_S = 0.3;

/**
 * A beep placement more than XCHECK_MAX_S from a clear content match is not an onset error (those stay within a
 * burst's rise): the beep was paired with another beep than the one it heard. A new user's trial (2026-12-02): a
 * camera restarted 19 s into the session beeped again; its beep was paired with the lav's first beep (`--pick first`
 * after the lav's two beeps stopped the run) and both its streams were placed 18.5 s off with exit 0, beside a
 * content match at the right 19.000 s (peak ratio over 3). Before, such a disagreement was taken for repeated content.
 */
const FAR_BEEP = ' (more than a beep\'s onset can be off: the beep was paired with another beep than the one this recording heard, as when a device restarted and beeped again, or --pick chose the other beep; check which beep of the reference this recording heard)';

function disagreement(diff: number): string {
  return Math.abs(diff) > 1 ? `${diff.toFixed(3)} s` : `${(diff * 1000).toFixed(1)} ms`;
}

/**
 * Cross-correlations of two kept windows, computed once per pair of windows: the xcorr placement (bestPartner,
 * resolveByEnd, xcorrClock), crossCheck and driftFromOtherEnd share them (before 2026-12-06 the placement's own were
 * computed again by the checks: 5 of 38 audioOffset calls on the small and v151 scene sets repeated one). Callers
 * copy a result to change it (atLag), never write to it.
 */
const xcorrCache = new WeakMap<Float32Array, WeakMap<Float32Array, XcorrResult | null>>();

function cachedOffset(a: Float32Array, aT0: number, b: Float32Array, bT0: number, sr: number): XcorrResult | null {
  let byB = xcorrCache.get(a);
  if (!byB) xcorrCache.set(a, (byB = new WeakMap()));
  if (!byB.has(b)) byB.set(b, audioOffset(a, aT0, b, bT0, sr));
  return byB.get(b) as XcorrResult | null;
}

/** A window of s whose content cross-correlates clearly with the same window of the stream it was placed from. */
interface ContentMatch {
  w: 'start' | 'end';
  r: XcorrResult;
  /** The middle of s's kept window (stream time). */
  tm: number;
}

/** The windows of s whose content cross-correlates conclusively (whyNotConclusive) with the same window of `from`. */
function conclusiveMatches(s: StreamState, from: StreamState): ContentMatch[] {
  return windowMatches(s, from, (r) => whyNotConclusive(r, 0.5) === null);
}

/** Per window (start, end) that both streams kept: s's content cross-correlated with `from`'s, where `keep` takes it. */
function windowMatches(s: StreamState, from: StreamState, keep: (r: NonNullable<ReturnType<typeof cachedOffset>>) => boolean): ContentMatch[] {
  const windows: Array<['start' | 'end', Float32Array | null, number, Float32Array | null, number]> = [
    ['start', from.kept, from.keptT0, s.kept, s.keptT0],
    ['end', from.keptEnd, from.keptEndT0, s.keptEnd, s.keptEndT0],
  ];
  const out: ContentMatch[] = [];
  for (const [w, a, aT0, b, bT0] of windows) {
    if (!a || !b) continue;
    const r = cachedOffset(a, aT0, b, bT0, s.sampleRate);
    if (r && keep(r)) out.push({ w, r, tm: bT0 + b.length / s.sampleRate / 2 });
  }
  return out;
}

/**
 * Cross-check of a beep placement against the content: when the stream's audio cross-correlates clearly with the
 * audio stream it was placed from and the two disagree by more than 5 ms at the beep's time (the content's lag carried
 * there along its drift, beep-vs-content.ts; before 2026-12-06 at the window's middle, where a 120 s window's drift of
 * -94.5 ppm read as 5.2 ms), one of them is wrong (an onset taken from speech or echo); the stream is unplaced with a
 * warning that says so. Then a stream
 * placed by beeps at both ends is checked pulse by pulse (pairAgainstContent). Returns true when a pulse was dropped
 * and the stream must be placed again.
 */
export function crossCheck(s: StreamState): boolean {
  const from = s.placed?.from;
  if (s.kind !== 'audio' || s.placed?.method !== 'tone' || s.placed.checked || !from?.placed || from.kind !== 'audio' || from.sampleRate !== s.sampleRate) return false;
  s.placed.checked = true;
  if (refuseFarContent(s, from) || refuseUnclearPairing(s, from)) return false;
  const matches = conclusiveMatches(s, from).map((m) => withDriftBeyondEdge(s, from, m));
  // Only a clear content match overrules a beep (speech that repeats can cross-correlate confidently elsewhere): a
  // clear coarse peak too (its offset is then known to well under 1 ms), or one the beep itself points to
  // (beep-vs-content.ts overrulesBeep).
  for (const m of matches) {
    const at = atTheBeep(s, from, m);
    if (!overrulesBeep(m.r, at.diff, XCHECK_PEAK_RATIO) || at.least <= XCHECK_TOLERANCE_S) continue;
    s.warnings.push({ code: 'xcorr_disagrees', message: disagreesMessage(s, from, m, at) });
    s.placed = null;
    s.refusedBy = 'xcorr_disagrees';
    return false;
  }
  // The content check runs unless a conclusive match lies at the placed lag: a match far from it whose coarse peak is
  // not clear enough to refuse the stream (above) left a genuine pair placed 16-24 s off by the wrong beep with no
  // word (scripts/make-content-pairs.mjs, variant 130: 3 of 5 `wrong_beep` cases).
  const away = matches.map((m) => ({ m, diff: atTheBeep(s, from, m).diff }));
  if (!away.some((a) => Math.abs(a.diff) <= FINE_SEARCH_S)) warnContentMismatch(s, from, away[0]);
  return pairAgainstContent(s, from, matches.filter((m) => lineHolds(m.r)));
}

/**
 * A content match whose drift lies at the edge of the range audioOffset searches (±MAX_SCAN_DRIFT, 250 ppm) is a bound:
 * beep-vs-content.ts then admits every drift from there to MAX_DRIFT, which carried from the window's middle to its
 * beep spans 7-14 ms over 60-120 s windows. A beep 8 ms late on a clock 250 ppm fast went through (tsync48a:
 * placed 8.1 ms off, exit 0). So the drift is searched again about the match's lag out to MAX_DRIFT (xcorr.ts
 * fineAtOffset), and the match carries the line measured there; when that search too ends at its edge or finds no
 * clear peak (z under MIN_FINE_Z), the match is kept as it was (a bound). A drift beyond the range need not end at
 * its edge: the range's best fit may lie inside it, with a line that does not hold over the window (its halves apart,
 * beep-vs-content.ts lineHolds). ttrial50 session B, a 21 s camera 400 ppm fast: its windows fitted -97.7 and +55.5 ppm
 * (halves 2.7 and 1.5 ms apart, fine z 23 and 36), their lines 4.1 and 2.4 ms off its right beeps, and its right start
 * beep was set aside (drift -97.7 +- 10 ppm, exit 0); searched to MAX_DRIFT they read 394 and 405 ppm at z 140 and 150,
 * their offsets within 0.01 ms of the truth. So a match whose line does not hold is searched again too, and takes
 * the wider line only when that is clearer (higher z) and holds. Not every match (a drift inside the range gives the
 * same peak, and the search costs a fine stage per window, 1-2 CPU s for a 120 s one): the same session with
 * --search-s 6 fits inside the range with halves under 1 ms and still sets its right end beep aside (Known limits).
 */
function withDriftBeyondEdge(s: StreamState, from: StreamState, m: ContentMatch): ContentMatch {
  const [a, aT0, b, bT0] = m.w === 'start' ? [from.kept, from.keptT0, s.kept, s.keptT0] : [from.keptEnd, from.keptEndT0, s.keptEnd, s.keptEndT0];
  if ((!m.r.drift_limit && lineHolds(m.r)) || !a || !b) return m;
  const wide = fineAtOffset(a, aT0, b, bT0, s.sampleRate, m.r.offset_s, MAX_DRIFT);
  if (!wide || wide.drift_limit || wide.z < MIN_FINE_Z) return m;
  // A line that did not hold (no edge) is replaced only by a clearer one: the drift beyond the range explains it.
  if (!m.r.drift_limit && !(wide.z > (m.r.fine_z ?? 0) && lineHolds(wide))) return m;
  return { ...m, r: { ...m.r, offset_s: wide.offset_s, at_s: wide.at_s, drift: wide.drift, drift_limit: null, fine_z: m.r.drift_limit ? m.r.fine_z : wide.z, halves_ms: wide.halves_ms } };
}

/**
 * The beep placement against a content match, at the time of s's beep that the match's window holds (else its other
 * beep; else the window's middle): beep-vs-content.ts, the content's drift known to WINDOW_DRIFT_SD.
 */
function atTheBeep(s: StreamState, from: StreamState, m: ContentMatch): BeepVsContent {
  const beep = s.chosen[m.w] ?? s.chosen.start ?? s.chosen.end;
  return beepVsContent(clockOfPlacement(s.placed as Placement), clockOfPlacement(from.placed as Placement), m.r, beep?.t_s ?? m.tm, WINDOW_DRIFT_SD, MAX_DRIFT);
}

/** The refusal's line: which beeps placed it, how far from the content at which time, the content's drift carried there. */
function disagreesMessage(s: StreamState, from: StreamState, m: ContentMatch, at: BeepVsContent): string {
  // One beep or two: the message says which placed it (it said "its beeps" for one).
  const beeps = s.chosen.start && s.chosen.end ? 'its start and end beeps' : `its ${s.chosen.start ? 'start' : 'end'} beep`;
  const drift = m.r.drift === null ? 'drift unmeasured' : `${m.r.drift_limit ? 'at least ' : ''}${(m.r.drift * 1e6).toFixed(1)} ppm`;
  const where = `at ${at.t_s.toFixed(1)} s, its beep (the content's lag at ${m.tm.toFixed(1)} s carried there at its drift, ${drift}; fine z ${(m.r.fine_z ?? 0).toFixed(1)}, coarse peak ratio ${m.r.peak_ratio.toFixed(2)})`;
  return `placed by ${beeps} ${disagreement(at.diff)} away from where its content cross-correlates with ${from.file} ${where}: one of them is wrong${Math.abs(at.diff) > XCHECK_MAX_S ? FAR_BEEP : ''}, so the stream is not placed`;
}

/**
 * A beep placement whose content, with every pulse masked, matches clearly over XCHECK_MAX_S away and not at the
 * placed lag (far-content.ts): refused as xcorr_disagrees, naming both offsets and the beep pair the content lines up
 * (a neighbour's beep chosen as the strongest: trial 2026-12-06 rows 1-2, placed 1.2 s off with exit 0).
 */
function refuseFarContent(s: StreamState, from: StreamState): boolean {
  const [ps, pf] = [s.placed as Placement, from.placed as Placement];
  const pairs: WindowPair[] = [];
  for (const [w, a, aT0, b, bT0] of [['start', from.kept, from.keptT0, s.kept, s.keptT0], ['end', from.keptEnd, from.keptEndT0, s.keptEnd, s.keptEndT0]] as const) {
    if (a && b) pairs.push({ w, a, aT0, b, bT0, unmasked: cachedOffset(a, aT0, b, bT0, s.sampleRate) });
  }
  const far = farContentMatch(pairs, {
    sr: s.sampleRate,
    pulsesA: pulsesOf(from),
    pulsesB: pulsesOf(s),
    beepMinusContent: (tm, offsetS) => clockOfPlacement(ps)(tm) - clockOfPlacement(pf)(tm + offsetS),
    // from's time of the reference time s's beep puts at tm (T = u (1 + k) + offset), minus tm.
    placedOffsetAt: (tm) => (clockOfPlacement(ps)(tm) - pf.offset) / (1 + (pf.k ?? 0)) - tm,
    farS: XCHECK_MAX_S,
    minZ: MIN_FINE_Z,
  });
  if (!far) return false;
  s.warnings.push({ code: 'xcorr_disagrees', message: farContentMessage(s, from, far) });
  s.placed = null;
  s.refusedBy = 'xcorr_disagrees';
  return true;
}

/**
 * A stream placed by one pulse pair while the windows paired hold more beeps (beep-pairing.ts): each other pairing is
 * another offset. The masked content is read at each pairing's lag only; unless it supports the chosen pairing
 * clearly over every other, the placement rests on the pick alone and the stream is refused (`beep_pairing`). A
 * placement by pulses at both ends is left to the drift's plausibility (a wrong pairing at one end implies seconds of
 * drift: pulses_disagree).
 */
function refuseUnclearPairing(s: StreamState, from: StreamState): boolean {
  const [ps, pf] = [s.placed as Placement, from.placed as Placement];
  if (ps.used?.length !== 1) return false;
  const w = ps.used[0];
  const fw = ps.fromUsed?.[0] ?? w;
  const own = beepTimes(s, w);
  const theirs = beepTimes(from, fw);
  const k = ps.k ?? 0;
  const others = otherPairings(own, theirs, clockOfPlacement(pf), k, ps.offset, XCHECK_MAX_S);
  if (!others.length) return false;
  const masked = maskedWindows(s, from, w, fw);
  // The lag (add to s's time to get from's) that a placement offset gives at s's time tm: T = tm (1 + k) + offset.
  const lagAt = (offset: number, tm: number) => (offset + tm * (1 + k) - pf.offset) / (1 + (pf.k ?? 0)) - tm;
  const chosenZ = contentZ(masked, s.sampleRate, ps.offset, lagAt);
  for (const p of others) p.z = contentZ(masked, s.sampleRate, p.offset, lagAt);
  const verdict = pairingVerdict(chosenZ, others, MIN_FINE_Z);
  if (verdict === 'supported') return false;
  // No pairing's content stands out ('weak') and --pick forced the choice: the user's pick stands, said by forced_pick
  // and the content check's warning (content_mismatch / content_unchecked); content that points elsewhere still refuses.
  if (verdict === 'weak' && (s.forcedPick || from.forcedPick)) return false;
  s.warnings.push({ code: 'beep_pairing', message: pairingMessage(s, from, { w, fw, chosenZ, others, verdict }) });
  s.placed = null;
  s.refusedBy = 'beep_pairing';
  return true;
}

/** The onsets of a stream's detections in window w that may be beeps (beep-pairing.ts mayBeBeep) and are no chance sound clearly under its chosen beep (chanceCandidate). */
function beepTimes(s: StreamState, w: 'start' | 'end'): number[] {
  const chosen = s.chosen[w];
  const chosenLevel = chosen && s.kind === 'audio' ? Number(chosen.level_dbfs) : null;
  return s.detections.filter((d) => d.window === w && typeof d.t_s === 'number' && mayBeBeep(d) && !chanceCandidate(d, chosenLevel)).map((d) => d.t_s as number);
}

/**
 * The kept windows that hold the pair's beeps (s's window w, from's fw), every detected pulse masked (content-mismatch.ts
 * withoutPulses); none when either was not kept. The pair's own window only: the 2-3 fine reads of a 60 s window cost
 * 1.1-1.3 CPU s (content pairs 130 `genuine-camera-agc-1`: the run 1.8 -> 2.9-3.1 CPU s).
 */
function maskedWindows(s: StreamState, from: StreamState, w: 'start' | 'end', fw: 'start' | 'end'): Array<{ a: Float32Array; aT0: number; b: Float32Array; bT0: number }> {
  const [a, aT0] = fw === 'start' ? [from.kept, from.keptT0] : [from.keptEnd, from.keptEndT0];
  const [b, bT0] = w === 'start' ? [s.kept, s.keptT0] : [s.keptEnd, s.keptEndT0];
  if (!a || !b) return [];
  return [{ a: withoutPulses(a, aT0, s.sampleRate, pulsesOf(from)), aT0, b: withoutPulses(b, bT0, s.sampleRate, pulsesOf(s)), bT0 }];
}

/** The `beep_pairing` refusal's line: the pairings, their content scores and what to do. */
function pairingMessage(s: StreamState, from: StreamState, r: { w: 'start' | 'end'; fw: 'start' | 'end'; chosenZ: number | null; others: Pairing[]; verdict: 'ambiguous' | 'weak' }): string {
  const ps = s.placed as Placement;
  const [c, fc] = [s.chosen[r.w] as Candidate, from.chosen[r.fw] as Candidate];
  const zs = (z: number | null) => (z === null ? 'not readable (too little overlap)' : `z ${z.toFixed(1)}`);
  const others = r.others.map((p) => `its beep at ${p.own_s.toFixed(3)} s with ${from.file}'s at ${p.from_s.toFixed(3)} s: offset ${p.offset.toFixed(3)} s, ${zs(p.z)}`).join('; ');
  const forced = [s.forcedPick ? 'its own beep' : '', from.forcedPick ? `${from.file}'s beep` : ''].filter(Boolean).join(' and ');
  const pick = forced ? ` (--pick forced ${forced})` : '';
  const best = r.others.reduce((x, y) => ((y.z ?? 0) > (x.z ?? 0) ? y : x));
  const points = (best.z ?? 0) >= CLEAR_RATIO * (r.chosenZ ?? 0) ? `; it points to its beep at ${best.own_s.toFixed(3)} s with ${from.file}'s at ${best.from_s.toFixed(3)} s` : '';
  const why =
    r.verdict === 'ambiguous'
      ? `the content does not support the chosen pairing clearly over the other${r.others.length > 1 ? 's' : ''} (z ${MIN_FINE_Z} or more needed, and ${CLEAR_RATIO} times every other pairing's)${points}`
      : `the content is too weak at every pairing (z under ${MIN_FINE_Z}) to tell which beep this recording heard`;
  return (
    `placed by its ${r.w} beep at ${c.t_s.toFixed(3)} s paired with ${from.file}'s at ${fc.t_s.toFixed(3)} s${pick} (offset ${ps.offset.toFixed(3)} s, content ${zs(r.chosenZ)}, pulses masked), ` +
    `but ${r.others.length === 1 ? 'another pairing of beeps gives another offset' : `${r.others.length} other pairings of beeps give other offsets`} (${others}): ${why}, so the stream is not placed; ` +
    `trim the recording with the extra beep so that its window holds only the beep every device heard (a device that restarted and beeped again, a neighbour's device), or beep again with every device recording${weakPickAdvice(from, fc, r.verdict)}`
  );
}

/**
 * Where the content tells no pairing apart ('weak'), a pick the user makes stands (refuseUnclearPairing): the line names
 * the --pick at that takes the reference's beep chosen (ttrial49 R5: the chain of advice ended at "trim the recording
 * with the extra beep" where there was none).
 */
function weakPickAdvice(from: StreamState, fc: Candidate, verdict: 'ambiguous' | 'weak'): string {
  if (verdict !== 'weak' || from.placed?.method !== 'reference' || from.forcedPick) return '';
  return `; or, having checked that this recording heard ${from.file}'s beep at ${fc.t_s.toFixed(3)} s, rerun with --pick at:${fc.t_s.toFixed(3)} (placed as picked, marked forced_pick)`;
}

/** The refusal's line: both offsets, the beep pair the content lines up (when one was detected) and what to do. */
function farContentMessage(s: StreamState, from: StreamState, far: FarContent): string {
  const ps = s.placed as Placement;
  const beeps = s.chosen.start && s.chosen.end ? 'its start and end beeps' : `its ${s.chosen.start ? 'start' : 'end'} beep`;
  const z = far.placedZ === null ? 'too short to read' : `z ${far.placedZ.toFixed(1)}`;
  return (
    `placed by ${beeps} ${disagreement(far.diff)} away from where its content cross-correlates with ${from.file} at ${far.tm.toFixed(1)} s, pulses masked ` +
    `(offset ${(ps.offset - far.diff).toFixed(3)} s there, z ${far.z.toFixed(1)}; none at the beep's offset ${ps.offset.toFixed(3)} s, ${z}): ` +
    `the beep was paired with another beep than the one this recording heard, so the stream is not placed; ${beepPairAdvice(s, from, far)}`
  );
}

/** Which detected beeps the content lines up and the flag that takes them, or what else to do. */
function beepPairAdvice(s: StreamState, from: StreamState, far: FarContent): string {
  const own = pulsesAt(s);
  const theirs = pulsesAt(from);
  const clk = clockOfPlacement(from.placed as Placement);
  const pair = beepPairOnContent(own, theirs, (tB, tA) => clk(tA) - clk(tB + far.offset_s + far.drift * (tB - far.tm)));
  // tuser62: a lav with one beep and another session's camera sharing some of its speech 4 s away came here; the
  // advice named beeps alone, which left the user looking for a second beep neither file has
  if (!pair) return `none of ${from.file}'s detected beeps lines up with one of its own at the content's offset (as when a device restarted and beeped again, or --pick chose the other beep; or ${s.file} is another session's recording that shares some of its sound): check which beep of the reference this recording heard, and that ${s.file} belongs to this session (the manifest row)`;
  const [c, fc] = [s.chosen[pair.own.window], from.chosen[pair.from.window]];
  const chosen = [c && c.t_s !== pair.own.t_s ? `its own at ${c.t_s.toFixed(3)} s` : '', fc && fc.t_s !== pair.from.t_s ? `${from.file}'s at ${fc.t_s.toFixed(3)} s` : ''].filter(Boolean).join(' and ');
  const said = `its beep at ${pair.own.t_s.toFixed(3)} s and ${from.file}'s at ${pair.from.t_s.toFixed(3)} s line up with the content, so the beep chosen (${chosen || 'another'}) is another than the one this recording heard (a neighbouring session's device beeping in the room, or a device that restarted and beeped again)`;
  if (isFirst(pair.own, own) && isFirst(pair.from, theirs)) return `${said}: rerun with --pick first (it takes the earliest beep of every window of every stream: check its forced_pick lines)`;
  return `${said}: --pick first would not take them (an earlier beep lies in its window): trim the other beep out of the recording, or record the session's beep louder than any other device's`;
}

/** A stream's detected pulses (start and end windows) with their onsets. */
function pulsesAt(s: StreamState): PulseAt[] {
  return s.detections.filter((d) => typeof d.t_s === 'number' && (d.window === 'start' || d.window === 'end')).map((d) => ({ window: d.window as 'start' | 'end', t_s: d.t_s as number }));
}

/** Where s's beep places it minus where a content match does, seconds, at the match's window middle. */
function beepMinusContent(s: StreamState, from: StreamState, m: ContentMatch): number {
  return clockOfPlacement(s.placed as Placement)(m.tm) - clockOfPlacement(from.placed as Placement)(m.tm + m.r.offset_s);
}

/** A stream's pulses (chosen and detected) with their durations (0.5 s when unknown), to be masked out of its content. */
export function pulsesOf(s: StreamState): Array<{ t_s: number; duration_s: number }> {
  const all = [s.chosen.start, s.chosen.end, ...s.detections].filter((c): c is Candidate => Boolean(c));
  return all.map((c) => ({ t_s: c.t_s, duration_s: c.duration_s ?? 0.5 }));
}

/**
 * Without a conclusive content match: does the content show anything at the placed offset (content-mismatch.ts)? A
 * mismatch in either window is said (`content_mismatch`); a window whose content is shared says nothing; when no window
 * could judge (overlaps under 20 s, silence), `content_unchecked` names the longest reading.
 */
function warnContentMismatch(s: StreamState, from: StreamState, elsewhere?: { m: ContentMatch; diff: number }): void {
  const [ps, pf] = [s.placed, from.placed];
  if (!ps || !pf) return;
  const windows: Array<[Float32Array | null, number, Float32Array | null, number]> = [
    [from.kept, from.keptT0, s.kept, s.keptT0],
    [from.keptEnd, from.keptEndT0, s.keptEnd, s.keptEndT0],
  ];
  const readings: ContentReading[] = [];
  for (const [a, aT0, b, bT0] of windows) {
    if (!a || !b) continue;
    const tm = bT0 + b.length / s.sampleRate / 2;
    // from's time of the same reference time: T = u (1 + k) + offset.
    const u = (clockOfPlacement(ps)(tm) - pf.offset) / (1 + (pf.k ?? 0));
    const [ma, mb] = [withoutPulses(a, aT0, s.sampleRate, pulsesOf(from)), withoutPulses(b, bT0, s.sampleRate, pulsesOf(s))];
    readings.push(readContent({ a: ma, aT0, b: mb, bT0, sr: s.sampleRate, offsetS: u - tm }));
  }
  const note = elsewhere ? `; its content matches ${from.file} clearly ${disagreement(elsewhere.diff)} from where its beep places it (z ${(elsewhere.m.r.fine_z ?? 0).toFixed(1)}, coarse peak ratio ${elsewhere.m.r.peak_ratio.toFixed(2)}): its beep may be paired with another beep than the one it heard` : '';
  const mismatch = readings.find((r) => verdictOf(r) === 'mismatch');
  if (mismatch) return void s.warnings.push(mismatchWarning(mismatch, s.file, from.file, note));
  if (!readings.length || readings.some((r) => verdictOf(r) === 'shared')) return;
  const longest = readings.reduce((x, y) => (y.overlap_s > x.overlap_s ? y : x));
  s.warnings.push(uncheckedWarning(longest, s.file, from.file, note));
}

/**
 * How far (seconds) the change of a stream's offset between its two beeps may differ from the change its content
 * shows between the same times, beyond twice the beeps' combined sd: the cross-correlation's own error at the pulses
 * (within 0.09 ms on the tuned room sets, a window's drift extrapolated to its beeps: WINDOW_DRIFT_SD) and a talker
 * who moves between the two windows (2 ms is about 0.7 m nearer one microphone than the other), which the room sets
 * do not model.
 */
const PAIR_CONTENT_SLACK_S = 0.002;

/** The content's offset (add to a time in the stream) at stream time t, from a window's cross-correlation and its drift. */
function contentOffsetAt(r: XcorrResult, t: number): number {
  return r.offset_s + (r.drift ?? 0) * (t - r.at_s);
}

/**
 * A stream placed by beeps at both ends, one or both of whose windows cross-correlate conclusively with the stream it
 * was placed from (each beep is taken against its own window's line, else the one window's line: offset and drift):
 * the change of its offset from the start beep to the end beep (drift times span) must agree with the change the
 * content shows at the same two times, within twice the combined sd of the four onsets plus PAIR_CONTENT_SLACK_S. The difference of the two
 * changes does not depend on a constant difference between the beep's and the speech's acoustic paths (loudspeaker
 * and talker at other distances from the microphones); a talker who moves between the two windows does change it.
 * A change-point onset that took a burst of speech just before the beep for the direct sound was read 4.8 ms early
 * with an sd of 0.06 ms (room variant 9, an overconfident onset): its pair implied 123 +- 51 ppm where the clocks
 * drifted -91 ppm. When they disagree, the beep whose own offset lies further from the content's (in its sd) is not
 * used, and the stream is placed again (by the other beep and the content's drift, or by another route). Returns true
 * when a beep was dropped.
 */
function pairAgainstContent(s: StreamState, from: StreamState, matches: ContentMatch[]): boolean {
  const [a, b, fa, fb] = [s.chosen.start, s.chosen.end, from.chosen.start, from.chosen.end];
  if (!matches.length || !a || !b || !fa || !fb || !from.placed) return false;
  // Each beep against its own window's content, or against the one conclusive window's line (offset and drift).
  const ms = matches.find((m) => m.w === 'start') ?? matches[0];
  const me = matches.find((m) => m.w === 'end') ?? matches[0];
  const clk = clockOfPlacement(from.placed);
  // The beeps' offset minus the content's at each beep, on the reference clock.
  const offBy = (m: ContentMatch, c: Candidate, fc: Candidate) => clk(fc.t_s) - clk(c.t_s + contentOffsetAt(m.r, c.t_s));
  const [dS, dE] = [offBy(ms, a, fa), offBy(me, b, fb)];
  // A beep this far from the content: the content matched elsewhere (crossCheck), not a question of the onset.
  if (Math.abs(dS) > XCHECK_MAX_S || Math.abs(dE) > XCHECK_MAX_S) return false;
  const sdS = Math.hypot(gateSd(s, a), gateSd(from, fa));
  const sdE = Math.hypot(gateSd(s, b), gateSd(from, fb));
  const tol = 2 * Math.hypot(sdS, sdE) + PAIR_CONTENT_SLACK_S;
  if (Math.abs(dE - dS) <= tol) return false;
  const w = Math.abs(dE) / sdE > Math.abs(dS) / sdS ? 'end' : 'start';
  const [d, sd, c] = w === 'end' ? [dE, sdE, b] : [dS, sdS, a];
  s.warnings.push({
    code: 'unplaceable_pulse',
    message: `${w} beep at ${c.t_s.toFixed(3)} s not used: from its start beep to its end beep its offset changes by ${((dE - dS) * 1000).toFixed(1)} ms more than its content's cross-correlation with ${from.file} says (at most ${(tol * 1000).toFixed(1)} ms expected; ${((s.placed?.k ?? 0) * 1e6).toFixed(0)} ppm by the beeps), and this beep lies ${(d * 1000).toFixed(1)} ms from the content (sd ${(sd * 1000).toFixed(2)} ms): its onset is suspect`,
  });
  s.chosen[w] = null;
  s.placed = null;
  if (!s.warnings.some((x) => x.code === 'no_end_pulse')) s.warnings.push({ code: 'no_end_pulse', message: `no usable pulse in the ${w} window: drift unknown` });
  return true;
}


/**
 * Largest audio/video skew inside a camera file that the flash search allows for (streams.ts, flashGuides): the
 * picture and the sound of one file share a clock but not an origin, so one cannot take the other's offset.
 */
export const AV_SKEW_MAX_S = 0.05;

/**
 * (2) Same file, same clock: another stream of the same kind (a second audio track). Never the picture from the
 * sound or the sound from the picture: cameras put them up to AV_SKEW_MAX_S apart (more than a frame), which only a
 * pulse in both measures; the scene bench had a picture 20 ms and a sound 9.7 ms off that way, with exit 0.
 */
function placeByContainer(s: StreamState, states: StreamState[], shareCameraClock: boolean): boolean {
  const sib = states.find((o) => o.placed && o.abs === s.abs && o.kind === s.kind);
  if (sib?.placed) {
    s.placed = { ...sib.placed, method: 'container', from: sib, extra: undefined };
    s.warnings.push({ code: 'container_clock', message: `placed with the clock of the same file's ${sib.kind} stream ${sib.stream} (no usable pulse of its own)` });
    return true;
  }
  return shareCameraClock && placeByCameraClock(s, states);
}

/**
 * Beyond this, a track placed with its file's clock whose content clearly matches another placed track elsewhere is
 * refused: sound needs 44 ms for 15 m, a digital wireless microphone adds up to ~30 ms, so a track of the same file
 * whose content lags more was muxed with an offset (ttrial46 row 3: a separately recorded microphone muxed into the
 * camera's MKV 0.4 s late was placed 400 ms off, sd 1.9 ms, exit 0). Between XCHECK_TOLERANCE_S and this: a warning.
 */
const CONTAINER_MAX_LAG_S = 0.1;

/**
 * A stream placed with its file's clock ('container') checked against the content, as crossCheck checks a beep: its
 * audio against the sibling it took the clock from, then against the other placed audio streams (another file's, not
 * themselves placed by a container clock). Refused (`container_disagrees`) when its content matches one of them
 * clearly (fine peak z >= MIN_FINE_Z, coarse ratio >= MIN_COARSE_RATIO) more than CONTAINER_MAX_LAG_S from where the
 * clock places it and shares nothing with it at the placed lag (z under CONTENT_MIN_Z there: not speech that repeats);
 * a match more than XCHECK_TOLERANCE_S off is warned about (`container_lag`); no clear match with any of them:
 * `container_unchecked` (a silent track, or one of other sound). Unlike crossCheck no clear coarse peak (ratio 3) is
 * needed: the placed lag is read directly, and a 10 s file's coarse peak ratio is under 2 (ttrial46 row 3: 1.94,
 * fine z 264 at the 0.4 s lag, 0.3 at the placed one).
 */
export function containerCheck(s: StreamState, states: StreamState[]): boolean {
  const sib = s.placed?.from;
  if (s.kind !== 'audio' || s.placed?.method !== 'container' || s.placed.checked || !sib?.placed) return false;
  s.placed.checked = true;
  const others = states.filter((o) => o !== sib && o.abs !== s.abs && o.kind === 'audio' && o.placed && o.placed.method !== 'container');
  let far: { m: ContentMatch; o: StreamState; diff: number; zAtPlaced: number | null } | null = null;
  let near = false;
  for (const o of [sib, ...others].filter((x) => x.sampleRate === s.sampleRate)) {
    for (const m of clearMatches(s, o)) {
      const diff = beepMinusContent(s, o, m);
      if (Math.abs(diff) <= CONTAINER_MAX_LAG_S) near = true;
      else far ??= { m, o, diff, zAtPlaced: zAtPlacement(s, o, m.w) };
      if (Math.abs(diff) > XCHECK_TOLERANCE_S && Math.abs(diff) <= CONTAINER_MAX_LAG_S) warnContainerLag(s, sib, o, m, diff);
    }
  }
  const clock = `placed with the clock of the same file's audio stream ${sib.stream}`;
  if (far && (far.zAtPlaced ?? 0) < CONTENT_MIN_Z) {
    const { m, o, diff } = far;
    const placedZ = far.zAtPlaced === null ? 'none read' : `z ${far.zAtPlaced.toFixed(1)}`;
    s.warnings.push({ code: 'container_disagrees', message: `${clock}, but its content matches ${o.file} ${disagreement(diff)} from there (at ${m.tm.toFixed(1)} s: fine peak z ${(m.r.fine_z ?? 0).toFixed(1)}, at the placed lag ${placedZ}): the track was muxed into the file with an offset (a microphone recorded apart?), so the stream is not placed; extract it to a file of its own (ffmpeg -i IN -map 0:a:${s.stream} -c copy OUT.mka) and sync that file, which is then placed by its beep or its content` });
    s.placed = null;
    s.refusedBy = 'container_disagrees';
    return true;
  }
  if (!far && !near) s.warnings.push({ code: 'container_unchecked', message: `${clock}, unchecked: its content matches none of the placed audio streams clearly (a silent track, or one of other sound): if it is a microphone recorded apart and muxed into this file, its offset may be wrong` });
  return false;
}

/** Content matches of s with o that stand out (fine z >= MIN_FINE_Z, coarse ratio >= MIN_COARSE_RATIO), per window. */
function clearMatches(s: StreamState, o: StreamState): ContentMatch[] {
  return windowMatches(s, o, (r) => r.fine_z !== null && r.fine_z >= MIN_FINE_Z && r.peak_ratio >= MIN_COARSE_RATIO);
}

/** The content's fine z of s against o at the lag their placements give, in window w (pulses masked out), or null. */
function zAtPlacement(s: StreamState, o: StreamState, w: 'start' | 'end'): number | null {
  const [ps, po] = [s.placed, o.placed];
  const [a, aT0, b, bT0] = w === 'start' ? [o.kept, o.keptT0, s.kept, s.keptT0] : [o.keptEnd, o.keptEndT0, s.keptEnd, s.keptEndT0];
  if (!ps || !po || !a || !b) return null;
  const tm = bT0 + b.length / s.sampleRate / 2;
  const u = (clockOfPlacement(ps)(tm) - po.offset) / (1 + (po.k ?? 0));
  return readContent({ a: withoutPulses(a, aT0, s.sampleRate, pulsesOf(o)), aT0, b: withoutPulses(b, bT0, s.sampleRate, pulsesOf(s)), bT0, sr: s.sampleRate, offsetS: u - tm }).z;
}

function warnContainerLag(s: StreamState, sib: StreamState, o: StreamState, m: ContentMatch, diff: number): void {
  if (s.warnings.some((x) => x.code === 'container_lag')) return;
  s.warnings.push({ code: 'container_lag', message: `placed with the clock of the same file's audio stream ${sib.stream}, but its content matches ${o.file} ${disagreement(diff)} from there (at ${m.tm.toFixed(1)} s, fine peak z ${(m.r.fine_z ?? 0).toFixed(1)}): a far or wireless microphone lags so; more than ${CONTAINER_MAX_LAG_S * 1000} ms would be refused` });
}

/** The spread of an unknown skew anywhere within ±AV_SKEW_MAX_S (uniform), added to the other stream's offset sd. */
const AV_SKEW_SD_S = AV_SKEW_MAX_S / Math.sqrt(3);

/**
 * Opt-in (--share-camera-clock): a camera's picture (or sound) without a usable pulse of its own takes the same
 * file's placed sound (or picture) clock, with the camera's unknown A/V skew in offset_sd_s and a warning. For labs
 * whose LED is not in view of every camera and who accept that skew (up to AV_SKEW_MAX_S, i.e. about a frame).
 */
function placeByCameraClock(s: StreamState, states: StreamState[]): boolean {
  const other = sameFileStreams(s, states).find((o) => o.placed && o.kind !== s.kind && o.placed.method !== 'camera_clock');
  if (!other?.placed || farSkew(s, other)) return false;
  const offsetSd = Math.hypot(other.placed.offsetSd ?? 0, AV_SKEW_SD_S);
  s.placed = { ...other.placed, offsetSd, method: 'camera_clock', from: other, extra: undefined };
  s.warnings.push({
    code: 'camera_clock_shared',
    message: `no usable pulse of its own: placed with the clock of the same file's ${other.kind} stream ${other.stream} (--share-camera-clock); the camera's audio/video skew is not measured, so the offset may be up to ${AV_SKEW_MAX_S * 1000} ms off (offset_sd_s includes it)`,
  });
  return true;
}

/**
 * A picture's flash candidate that puts its file's sound and picture further apart than AV_SKEW_MAX_S (a sound muxed
 * with an offset, `ffmpeg -itsoffset`), or that is not the LED. Either way the sound's clock does not place the
 * picture. A new user's trial (2026-12-02): the demo camera with its sound muxed 0.5 s late was refused with the advice
 * --share-camera-clock, which then placed the picture 0.51 s off (the truth -0.61 s, given -1.12 s) with exit 0 and a
 * warning of "up to 50 ms". The evidence is a clear flash refused only for lying outside its sound's beep span, or an
 * unguided one far above everything else in its window (farFlashMargin).
 */
function farSkew(s: StreamState, other: StreamState, ends?: Ends): string | null {
  if (s.kind !== 'video' || other.kind !== 'audio') return null;
  for (const d of s.detections) {
    const beep = other.chosen[d.window === 'end' ? 'end' : 'start'];
    if (!beep || typeof d.t_s !== 'number') continue;
    const margin = clearOutsideSpans(d) ? null : farFlashMargin(s, d, beep);
    if (!clearOutsideSpans(d) && margin === null) continue;
    const ms = Math.abs((d.t_s - beep.t_s) * 1000).toFixed(0);
    const weak = margin === null ? '' : ` (that candidate is short of the ${MIN_FLASH_CONFIDENCE} confidence a flash is placed by, but scores ${margin.toFixed(1)}x anything else in its window, and nothing clear lies at the beep)`;
    const wayOut = other.placed?.method === 'tone' && Math.abs(d.t_s - beep.t_s) <= AV_SKEW_PLAUSIBLE_S ? skewWayOutFar(d.t_s < beep.t_s, ends) : '';
    return `its flash candidate at ${d.t_s.toFixed(3)} s lies ${ms} ms ${d.t_s < beep.t_s ? 'before' : 'after'} its own sound's beep at ${beep.t_s.toFixed(3)} s, more than the ${AV_SKEW_MAX_S * 1000} ms a camera's sound and picture may be apart (the sound muxed with an offset, as by -itsoffset or an edit, or that flash is not the LED): the sound's clock would place the picture that far off, so --share-camera-clock does not place it either${weak}${wayOut}`;
  }
  return null;
}

/**
 * The far-flash refusal's way out for a real skew: --ends both, whose two flashes, both that far from their beeps, are
 * searched there (skewBothEnds); under --ends both already, that the other end did not show it clearly.
 */
function skewWayOutFar(lags: boolean, ends?: Ends): string {
  const real = `if the file's sound really ${lags ? 'lags its picture by that much (a Zoom/Teams recording, a Bluetooth headset)' : 'leads its picture by that much (a webcam or capture card whose picture arrives late)'}`;
  if (ends === 'both') return `; ${real}, it is placed only where the flashes at both ends lie clearly that far from their beeps, and the other end's does not: check the LED there`;
  return `; ${real}, rerun with --ends both and a flash at the session's end as well: two flashes that agree on that skew are searched there and place the picture (warned av_skew)`;
}

/** Least confidence of a placeable flash (flash.ts DEFAULT_FLASH_MIN_CONFIDENCE). */
const MIN_FLASH_CONFIDENCE = 0.95;

/**
 * How many times its window's strongest other event (its null's maximum, and every other candidate of the window,
 * the guided ones near the beep included: the guides' spans are left out of an unguided candidate's null) an unguided
 * candidate refused only as "does not stand out" must score to count as far-skew evidence (farFlashMargin): the
 * guided look's CLEAR_MARGIN (flash-null.ts). The demo camera with its sound muxed 0.5 s late, --search-s 5
 * (2026-12-06): its flash scored 402, 3.2x its null's max (124.7), confidence 0.896, and --share-camera-clock placed
 * the picture 0.51 s off with exit 0. The demo cameras with the LED painted over scored at most 1.66x (an unguided
 * event of the drifting portrait, --search-s 0, 5 and the default).
 */
const FAR_FLASH_MARGIN = 2;

type Detection = StreamState['detections'][number];

/** A clear flash candidate (confidence at least MIN_FLASH_CONFIDENCE) refused only for lying outside the beep's spans. */
function clearOutsideSpans(d: Detection): boolean {
  const why = typeof d.unplaceable_reason === 'string' ? d.unplaceable_reason : '';
  return Number(d.confidence) >= MIN_FLASH_CONFIDENCE && /: outside the (beep's span|spans where)/.test(why);
}

/**
 * An unguided candidate refused only for its confidence ("does not stand out": its null's tail, fitted to a few
 * largest scores of ~100 frames, is wide), more than AV_SKEW_MAX_S from the beep, scoring FAR_FLASH_MARGIN x its
 * window's strongest other event, with no clear guided candidate (confidence MIN_FLASH_CONFIDENCE) in that window:
 * its score over that event, or null when it is no such evidence.
 */
function farFlashMargin(s: StreamState, d: Detection, beep: Candidate): number | null {
  const why = typeof d.unplaceable_reason === 'string' ? d.unplaceable_reason : '';
  if (d.guided !== false || !/ does not stand out of this file's own scores /.test(why)) return null;
  if (Math.abs(Number(d.t_s) - beep.t_s) <= AV_SKEW_MAX_S) return null;
  const rivals = s.detections.filter((o) => o !== d && o.window === d.window);
  if (rivals.some((o) => o.guided === true && Number(o.confidence) >= MIN_FLASH_CONFIDENCE)) return null;
  const strongest = Math.max(Number(d.null_max), ...rivals.map((o) => Number(o.score)));
  const margin = Number(d.score) / Math.max(strongest, 1e-9);
  return margin >= FAR_FLASH_MARGIN ? margin : null;
}

/**
 * How many combined sds (the picture's offset_sd_s and its sound's) a picture may lie from its own file's sound
 * beyond AV_SKEW_MAX_S before the two are taken to disagree: the threshold is the larger of AV_SKEW_MAX_S and
 * SOUND_PICTURE_K sds. Measured on camera scenes with sound (docs/sync.md "Known limits", a picture 2 frames off).
 */
const SOUND_PICTURE_K = 2;

/**
 * A picture placed by its flash against its own file's placed sound (one device, one clock: the two may lie only the
 * camera's A/V skew apart, up to AV_SKEW_MAX_S). Further apart than that and SOUND_PICTURE_K of their combined sd,
 * one of them is wrong: the picture, whose flash is the less certain (scene variant 69: a flash fitted 2 frames early
 * with sd 21.9 ms, 64.8 ms from its sound placed by cross-correlation), is refused (`sound_disagrees`). Returns true
 * when it unplaced the picture.
 */
export function soundPictureCheck(s: StreamState, states: StreamState[], ends: Ends = 'start'): boolean {
  if (s.kind !== 'video' || s.placed?.method !== 'flash') return false;
  const snd = sameFileStreams(s, states).find((o) => o.kind === 'audio' && o.placed && o.placed.method !== 'camera_clock');
  const c = s.chosen.start ?? s.chosen.end;
  if (!snd?.placed || !c) return false;
  const d = clockOfPlacement(s.placed)(c.t_s) - clockOfPlacement(snd.placed)(c.t_s);
  const sd = Math.hypot(s.placed.offsetSd ?? 0, snd.placed.offsetSd ?? 0);
  const limit = Math.max(AV_SKEW_MAX_S, SOUND_PICTURE_K * sd);
  if (Math.abs(d) <= limit) return false;
  const agreed = agreedSkew(s, snd);
  if (agreed) {
    keepSkew(s, snd, agreed, sd);
    return false;
  }
  const how = snd.placed.method === 'xcorr' ? `cross-correlation with ${snd.placed.from?.file}` : snd.placed.method === 'tone' ? 'its beep' : `the ${snd.placed.method} route`;
  s.warnings.push({
    code: 'sound_disagrees',
    message: `its flash at ${c.t_s.toFixed(3)} s and its own file's audio stream ${snd.stream} (placed by ${how}) put that moment ${(Math.abs(d) * 1000).toFixed(1)} ms apart on the reference clock, more than the ${AV_SKEW_MAX_S * 1000} ms a camera's sound and picture may be apart and ${SOUND_PICTURE_K} sd of the two (sd ${(sd * 1000).toFixed(1)} ms): the flash's onset or the sound's placement is wrong, so the picture is not placed${s.forcedPick ? ` (--pick forced this flash among its window's candidates: this far from its own sound it is likely not the session's pulse; the other --pick rule, or the stray flash trimmed out of the recording, may place the picture)` : ''}${skewWayOut(s, snd, d, ends)}`,
  });
  s.placed = null;
  s.refusedBy = 'sound_disagrees';
  return true;
}

/**
 * Largest audio/video skew a file's two flashes may show as real (agreedSkew): a Zoom/Teams recording or a Bluetooth
 * headset delays the sound 60-300 ms behind the picture (ttrial58s finding 3: a Zoom-like file 60 ms); a second
 * beyond that is more likely a muxing error or two different events.
 */
export const AV_SKEW_PLAUSIBLE_S = 1;

type AgreedSkew = { skew: number; atFlashes: [number, number] };

/**
 * A picture placed by both its flashes whose two flashes lie the same distance from its own file's sound placed by its
 * beeps: each flash's time on the reference clock (from its pulse pair) against the sound's clock at that stream time,
 * the two within the tolerance a one-clock pair is held to (flashesApartBound: half a frame, or 2 sd of the pair) and
 * on the same side, their mean within AV_SKEW_PLAUSIBLE_S. Both pulses are then right and the skew is real: the
 * picture keeps its flashes' placement. A flash a frame or more off never gets here (flashesAgree refused it, or
 * flashesOwnClock put the picture on its own drift, whose flashes then lie that far apart from the sound); one flash
 * alone cannot tell a real skew from a wrong onset. Null otherwise.
 */
function agreedSkew(s: StreamState, snd: StreamState): AgreedSkew | null {
  const pl = s.placed;
  if (!pl?.from?.placed || !snd.placed || snd.placed.method !== 'tone' || !pl.used?.includes('start') || !pl.used.includes('end')) return null;
  const pairs = pulsePairs(s, pl.from);
  if (pairs.length !== 2) return null;
  const soundClock = clockOfPlacement(snd.placed);
  const [a, b] = pairs.map((p) => p.tRef - soundClock(p.tSrc));
  const tolerance = flashesApartBound(s.frameS ?? 1 / 25, pairs);
  if (Math.sign(a) !== Math.sign(b) || Math.abs(b - a) > tolerance) return null;
  const skew = (a + b) / 2;
  return Math.abs(skew) <= AV_SKEW_PLAUSIBLE_S ? { skew, atFlashes: [a, b] } : null;
}

/** The agreed skew (agreedSkew) kept in sync.json (`av_skew_s`, `av_skew_sd_s`: the picture's and sound's offset sds) and warned once. */
function keepSkew(s: StreamState, snd: StreamState, agreed: AgreedSkew, sd: number): void {
  const pl = s.placed as Placement;
  pl.extra = { ...pl.extra, av_skew_s: Math.round(agreed.skew * 1e6) / 1e6, av_skew_sd_s: Math.round(sd * 1e6) / 1e6 };
  if (s.warnings.some((w) => w.code === 'av_skew')) return;
  const ms = (x: number) => (Math.abs(x) * 1000).toFixed(1);
  const late = agreed.skew > 0 ? 'lags' : 'leads';
  const cause = agreed.skew > 0 ? "a Zoom/Teams recording, a Bluetooth headset's delay" : 'a webcam or capture card whose picture arrives later than its sound';
  s.warnings.push({
    code: 'av_skew',
    message: `the file's sound (audio stream ${snd.stream}, placed by its beep${(snd.placed?.used?.length ?? 0) > 1 ? 's' : ''}) ${late} its picture by ${ms(agreed.skew)} ms (sd ${ms(sd)} ms; ${ms(agreed.atFlashes[0])} ms at the start flash, ${ms(agreed.atFlashes[1])} ms at the end flash), more than the ${AV_SKEW_MAX_S * 1000} ms a camera's sound and picture may be apart, and both flashes agree on it: a real skew (${cause}), so each is placed by its own pulses (av_skew_s in sync.json${s.searchedAtSkewS === undefined ? '' : `; its flashes lay beyond the ${((3 * (s.frameS ?? 1 / 25) + AV_SKEW_MAX_S) * 1000).toFixed(0)} ms searched around its beeps at first, at both ends ${ms(s.searchedAtSkewS)} ms from them, and were searched again there`}); an LED lit that long after each beep, or both flashes misread alike, reads the same: if the file's sound has no such delay, check both flashes' frames`,
  });
}

/**
 * The way out a `sound_disagrees` refusal names when the skew may be real (a picture placed by one flash, within
 * AV_SKEW_PLAUSIBLE_S of its sound placed by its beep): two flashes that agree on the skew place it. Under --ends start
 * that is --ends both with a flash at the end too; under --ends both the window whose flash was missing or not usable
 * (tuser59: a start flash refused under --ends both was told to rerun with --ends both and an end flash, which it had).
 */
function skewWayOut(s: StreamState, snd: StreamState, d: number, ends: Ends): string {
  const used = s.placed?.used ?? [];
  if (snd.placed?.method !== 'tone' || Math.abs(d) > AV_SKEW_PLAUSIBLE_S || used.length > 1) return '';
  const skew = `if the file's sound really ${d > 0 ? 'lags its picture by that much (a Zoom/Teams recording, a Bluetooth headset)' : 'leads its picture by that much (a webcam or capture card whose picture arrives late)'}`;
  const agree = 'two flashes that agree on that skew place the picture (warned av_skew)';
  if (ends !== 'both') return `; ${skew}, rerun with --ends both and a flash at the session's end as well: ${agree}`;
  const [have, lack] = used[0] === 'end' ? ['end', 'start'] : ['start', 'end'];
  return `; ${skew}, it needs a usable flash at the session's ${lack} too: this --ends both run had one at its ${have} only (check that the LED was in view and lit with the ${lack} beep): ${agree}`;
}

/** Why the same file's placed stream of the other kind does not place s (for the refusal), or null. */
export function skewNote(s: StreamState, states: StreamState[], ends?: Ends): string | null {
  const other = sameFileStreams(s, states).find((o) => o.placed && o.kind !== s.kind);
  if (!other) return null;
  const far = farSkew(s, other, ends);
  if (far) return far;
  return `the same file's ${other.kind} stream ${other.stream} is placed, but a camera's ${s.kind === 'video' ? 'picture' : 'sound'} is not placed by its ${other.kind === 'video' ? 'picture' : 'sound'}: their skew (up to ${AV_SKEW_MAX_S * 1000} ms) is measured only by a pulse in both (--share-camera-clock accepts it unmeasured)${nothingAtBeepNote(s, other)}`;
}

/**
 * A skew both ends of an unplaced picture show (--ends both): in each window a clear flash candidate refused only for
 * lying outside its own sound's beep span (clearOutsideSpans: the flash search looks within 3 frames + 50 ms of the
 * beep, or of the reference's beep mapped onto the sound where it has none there, streams.ts flashGuides), both the
 * same distance from those beeps (within half a frame, or 2 sd of the pair), on the same side, their mean within
 * AV_SKEW_PLAUSIBLE_S, the sound placed by its beep. The sound of held-out scene variant 71 (--av-skew 0.22) whose
 * start beep was not found was left out before this took the mapped one (session 59). The session
 * searches the picture again there (session.ts searchAtSkew), with every check a guided flash gets; a Zoom/Teams or
 * Bluetooth sound 200-300 ms late lay outside the span (its flash refused, exit 2, before session 59). A window may
 * hold more than one such candidate (one flash read twice, 1.5 ms apart; another event of confidence 0.95-0.97 seconds
 * away): the skew is taken where every start/end pair that agrees lies within half a frame of one skew (one LED), and
 * refused where pairs agree on two skews. Until 2026-12-08 (tsync60) a window with two such candidates was not searched
 * again: held-out scene variant 602 (--av-skew 0.22) left 4 of its 10 --ends both pictures with sound refused so
 * (placed since, 0.12-3.82 ms off; its 5th refused one shows no clear start flash). Null otherwise.
 */
export function skewBothEnds(s: StreamState, states: StreamState[]): number | null {
  if (s.kind !== 'video' || s.placed || s.chosen.start || s.chosen.end) return null;
  if (!sameFileStreams(s, states).some((o) => o.kind === 'audio' && o.placed?.method === 'tone')) return null;
  // Where its flashes were searched: its sound's own beep, or the reference's mapped onto the sound's clock.
  const guides = flashGuides(s, states, states.find((o) => o.placed?.method === 'reference'));
  const halfFrame = 0.5 * (s.frameS ?? 1 / 25);
  const [starts, ends] = (['start', 'end'] as const).map((w) => farSkews(s, w, guides.find((g) => g.window === w)));
  const agreed = starts.flatMap((a) => ends.map((b) => agreedPair(a, b, halfFrame)).filter((k): k is number => k !== null));
  if (!agreed.length) return null;
  const [lo, hi] = [Math.min(...agreed), Math.max(...agreed)];
  return hi - lo <= halfFrame ? (lo + hi) / 2 : null;
}

/** One window's clear candidates refused only for lying outside its beep's span: how far before that beep each lies. */
function farSkews(s: StreamState, w: 'start' | 'end', beep: { t_s: number } | undefined): Array<{ skew: number; sd: number }> {
  if (!beep) return [];
  const far = s.detections.filter((d) => d.window === w && clearOutsideSpans(d) && typeof d.t_s === 'number');
  return far.map((d) => ({ skew: beep.t_s - (d.t_s as number), sd: Number(d.onset_sd_s ?? 0) }));
}

/** The skew a start and an end candidate agree on (same side, within half a frame or 2 sd, beyond AV_SKEW_MAX_S, within AV_SKEW_PLAUSIBLE_S), or null. */
function agreedPair(a: { skew: number; sd: number }, b: { skew: number; sd: number }, halfFrame: number): number | null {
  const tolerance = Math.max(halfFrame, 2 * Math.hypot(a.sd, b.sd));
  const skew = (a.skew + b.skew) / 2;
  if (Math.sign(a.skew) !== Math.sign(b.skew) || Math.abs(b.skew - a.skew) > tolerance) return null;
  return Math.abs(skew) <= AV_SKEW_MAX_S || Math.abs(skew) > AV_SKEW_PLAUSIBLE_S ? null : skew;
}

/** The far-skew evidence of a picture against its own file's placed sound (farSkew), for the refusal to lead with; or null. */
export function farSkewNote(s: StreamState, states: StreamState[]): string | null {
  const other = sameFileStreams(s, states).find((o) => o.placed && o.kind !== s.kind);
  return other ? farSkew(s, other) : null;
}

/**
 * A picture whose own sound's beep says where its flash is, and nothing there stands out (its guided candidates are
 * weaker than the picture's clutter) while no far-skew evidence was found: the LED was out of view, or the sound and
 * picture are muxed apart so far that the flash lies outside the beep's span (ttrial46 row 9: the demo camera with its
 * sound muxed 0.3 s late was refused naming an unrelated candidate at 4.2 s, and the line advised
 * --share-camera-clock, which would place the picture 0.3 s off). Said as a possibility, with what to check.
 */
function nothingAtBeepNote(s: StreamState, sound: StreamState): string {
  if (s.kind !== 'video' || sound.kind !== 'audio') return '';
  for (const w of ['start', 'end'] as const) {
    const beep = sound.chosen[w];
    const guided = s.detections.filter((d) => d.window === w && d.guided === true && typeof d.score === 'number');
    if (!beep || !guided.length || guided.some((d) => d.placeable === true)) continue;
    const best = guided.reduce((a, b) => (Number(b.score) > Number(a.score) ? b : a));
    const clutter = Number(best.null_max);
    if (!(Number(best.score) < clutter)) continue;
    return `; and nothing stands out where its own sound's ${w} beep at ${beep.t_s.toFixed(3)} s says its flash is (the best there, at ${Number(best.t_s).toFixed(3)} s, scores ${Number(best.score).toFixed(1)}, under the ${clutter.toFixed(1)} of the picture's own changes): if the LED was in view then, look for its flash near that time: the file's sound may be muxed with an offset from its picture (-itsoffset, an edit list), and --share-camera-clock would then place the picture that far off`;
  }
  return '';
}

/**
 * Why a cross-correlation does not place a stream, or null when it does: its fine peak must stand out of the
 * correlation's own off-peak values (z >= MIN_FINE_Z; unrelated recordings reached 5.2 on the room bench), with a
 * confidence of at least --min-xcorr-confidence, and no other coarse lag may give a fine peak that stands out too: on
 * the room bench a wrong lag (two talkers saying the same clip) was clearer (z 38.8) than the right one (z 21.8), so
 * the stronger of two clear peaks is not taken.
 */
const MIN_COARSE_RATIO = 1.5;

export function whyNotConclusive(r: XcorrResult, minConfidence: number): string | null {
  if (r.fine_z === null) return `too little overlap for the fine stage (${r.overlap_s.toFixed(1)} s)`;
  // The coarse envelope must prefer one lag (ratio >= 1.5, as before the fine stage changed): where it does not, the
  // right lag may not be among those the fine stage tried (a stimulus replayed over part of the window), and the
  // clearest fine peak tried can be a wrong one.
  if (r.peak_ratio < MIN_COARSE_RATIO) return `its coarse peak does not stand out (ratio ${r.peak_ratio.toFixed(2)}, at least ${MIN_COARSE_RATIO} needed): the content may match elsewhere`;
  if (r.fine_z < MIN_FINE_Z || r.confidence < minConfidence) return `its fine peak does not stand out (z ${r.fine_z.toFixed(1)} against its own off-peak values, at least ${MIN_FINE_Z} needed; confidence ${r.confidence.toFixed(3)})`;
  if (r.competing_z !== null && r.competing_z >= MIN_FINE_Z) return `it matches clearly at two lags (fine peaks z ${r.fine_z.toFixed(1)} and ${r.competing_z.toFixed(1)}): the same sound heard at two times`;
  return null;
}

type XcorrPick = { o: StreamState; r: XcorrResult; endRes?: XcorrResult | null };

/**
 * A clear match that rests on one 2.3 s stretch of the window (the fine peak's z without its clearest run, xcorr-drift.ts
 * restZ, under MIN_FINE_Z) is not taken: one phrase matching is what a sound heard twice gives (the same words said or
 * played at two times), and nothing else in the window confirms the lag. Generated (scripts/measure-content-geometry.mjs,
 * layout cam-room3-I4: a camera 1.5 m and a room microphone 3 m from the participant, the interviewer 1.2 m from the
 * room microphone, no beep; the talkers share five clips): a room microphone placed 3.32 s off with exit 0 (z 9.1, the
 * right lag z 4.5), z 5.8 without its clearest run; the content placements of room variants 160 and 180 kept 10.9
 * and 12.7 and more, the right ones of that layout set 10.4 and more. The resolvers below may still take the lag on
 * other evidence (room variant 150 `rt3-drr-6-snr10-aac-both`, --geometry drawn: z 1.7 without its clearest run, its
 * own rough start beep within 200 ms of that lag alone: resolveByOwnPulse; placed as before, 29.6 ms off, sd 25.2 ms
 * counting its halves) (docs/sync.md "Known limits", "A stream placed by its content").
 */
/** Why a single clear lag was not taken as it stood, for a resolver's message: its coarse peak, or its one stretch. */
function singleLagDoubt(r: XcorrResult): string {
  if (r.peak_ratio < MIN_COARSE_RATIO) return `its coarse peak does not stand out (ratio ${r.peak_ratio.toFixed(2)})`;
  return oneStretchWhy(r) ?? `its coarse peak does not stand out (ratio ${r.peak_ratio.toFixed(2)})`;
}

function oneStretchWhy(r: XcorrResult): string | null {
  if (r.rest_z === null || r.rest_z === undefined || r.rest_z >= MIN_FINE_Z || r.fine_z === null) return null;
  return `its fine peak (z ${r.fine_z.toFixed(1)}) rests on one 2.3 s stretch: without it the match stands at z ${r.rest_z.toFixed(1)} (at least ${MIN_FINE_Z} needed), as a sound heard twice (the same words said or played at two times) would`;
}

/** The placed audio stream whose cross-correlation with s stands out most, or null (with an xcorr_weak warning). */
function bestPartner(s: StreamState, states: StreamState[], minConfidence: number, ends: Ends): XcorrPick | null {
  const partners = states.filter((o) => o.placed && o.kind === 'audio' && o.kept && o.sampleRate === s.sampleRate);
  let best: XcorrPick | null = null;
  for (const o of partners) {
    const r = cachedOffset(o.kept as Float32Array, o.keptT0, s.kept as Float32Array, s.keptT0, s.sampleRate);
    if (r && (!best || (r.fine_z ?? -Infinity) > (best.r.fine_z ?? -Infinity))) best = { o, r };
  }
  if (!best) return null;
  const why = whyNotConclusive(best.r, minConfidence) ?? oneStretchWhy(best.r);
  if (why === null) return checkRest(s, best, minConfidence);
  const resolved = (ends === 'both' ? resolveByEnd(s, best, minConfidence) : null) ?? resolveByOwnPulse(s, best, minConfidence) ?? resolveByMappedBeep(s, best, minConfidence) ?? resolveByBeepContrast(s, best, minConfidence) ?? resolveBySpan(s, best, minConfidence);
  if (resolved) return resolved;
  if (!s.warnings.some((w) => w.code === 'xcorr_weak')) s.warnings.push({ code: 'xcorr_weak', message: `cross-correlation with ${best.o.file} is not conclusive (${why})` });
  return null;
}

type RestLag = { c: Lag; from: number; to: number; rest: XcorrResult };

/**
 * Clear lags of the stretches of s's window that the lag of best leaves without a partner (xcorr-rest.ts), each at
 * least OTHER_LAG_MIN_S from it: every stretch of 4.6 s or more is cross-correlated with the partner on its own and
 * its clear lags (fine z at least MIN_FINE_Z, the stretch's result conclusive but for competing lags) kept, their
 * offsets moved to best's at_s along their drift.
 */
function otherLagsOutside(s: StreamState, best: XcorrPick, minConfidence: number): RestLag[] {
  const { r, o } = best;
  const a = o.kept as Float32Array;
  const b = s.kept as Float32Array;
  const sr = s.sampleRate;
  const out: RestLag[] = [];
  for (const [p, q] of outsideOverlap(a.length, o.keptT0, b.length, s.keptT0, sr, r.offset_s)) {
    const rest = audioOffset(a, o.keptT0, b.subarray(p, q), s.keptT0 + p / sr, sr);
    if (!rest || whyNotConclusive({ ...rest, competing_z: null }, minConfidence) !== null) continue;
    for (const c of rest.candidates) {
      const at = { ...c, offset_s: c.offset_s + c.drift * (r.at_s - rest.at_s) };
      if (c.fine_z >= MIN_FINE_Z && Math.abs(at.offset_s - r.offset_s) >= OTHER_LAG_MIN_S) out.push({ c: at, from: s.keptT0 + p / sr, to: s.keptT0 + q / sr, rest });
    }
  }
  return out;
}

/**
 * A single clear lag must leave no other clear lag in the stretches of the window it does not overlap: a sound heard
 * twice (generated: a clip the lav's talker says at 0 s said again, louder, near the room microphone 18.2 s into its
 * window) made a wrong lag (-18.2 s for 2.2 s) the only one the coarse envelope tried, overlapping the lav over the
 * window's last 5.8 s only; the window's first 18.2 s match the lav clearly at the right lag. Where another clear lag
 * is found there, the two are told apart by where each matches (xcorr-span.ts pickBySpan) or the stream is refused
 * (null, with an xcorr_weak warning). Returns the pick.
 */
function checkRest(s: StreamState, best: XcorrPick, minConfidence: number): XcorrPick | null {
  const r = best.r;
  if (!s.kept || !best.o.kept || r.drift === null || r.fine_z === null) return best;
  const others = otherLagsOutside(s, best, minConfidence);
  if (!others.length) return best;
  const sp = (c: { offset_s: number; drift: number }) => lagSpan(best.o.kept as Float32Array, best.o.keptT0, s.kept as Float32Array, s.keptT0, s.sampleRate, c, r.at_s);
  const spans = [sp({ offset_s: r.offset_s, drift: r.drift }), ...others.map((x) => sp(x.c))];
  const got = pickBySpan(spans, OTHER_LAG_MIN_S);
  const f3 = (v: number) => v.toFixed(3);
  const seen = `it matches ${best.o.file} clearly at ${f3(r.offset_s)} s (z ${r.fine_z.toFixed(1)}), which overlaps it over ${r.overlap_s.toFixed(1)} s only, and its ${others.map((x) => `${x.from.toFixed(1)}-${x.to.toFixed(1)} s outside that overlap at ${f3(x.c.offset_s)} s (z ${x.c.fine_z.toFixed(1)})`).join(', ')}`;
  if (!got) {
    s.warnings.push({ code: 'xcorr_weak', message: `cross-correlation with ${best.o.file} is not conclusive (${seen}; where each lag matches does not tell which one the stream shares: the same sound heard at two times)` });
    return null;
  }
  const i = spans.indexOf(got.pick);
  const where = (x: LagSpan) => x.supported.map(([p, q]) => `${p.toFixed(1)}-${q.toFixed(1)} s`).join(', ') || 'none';
  const rest = got.others.map((x) => `at ${f3(x.offset_s)} s only in ${x.supported.length} of ${x.runs} (${where(x)})`).join('; ');
  s.warnings.push({ code: 'xcorr_two_lags', message: `${seen}; taken by where the match lies: its ${SPAN_RUN_LABEL} runs match at ${f3(got.pick.offset_s)} s in ${got.pick.supported.length} of ${got.pick.runs}, ${rest}, where ${f3(got.pick.offset_s)} s matches too (a sound heard twice)` });
  if (i === 0) return best;
  const x = others[i - 1];
  return { o: best.o, r: { ...atLag(r, x.c), peak_ratio: x.rest.peak_ratio, confidence: x.rest.confidence } };
}

/**
 * A start window that matches clearly at two or more lags (the same sound at two times) is resolved by the end
 * window when exactly one pair of clear lags, one from each window, lies on one clock (the end lag's offset and drift,
 * within 5 ms + 500 ppm of the span): two independent windows then agree on one clock. The end window may itself
 * match at two or more lags (endLags): on room variant 92 (RT60 0.8 s, DRR -3 dB; the bench's talkers reuse clips) a
 * room microphone's start window matched at three lags (the right one third, z 32 against 46 and 35) and its end
 * window at two (the right one first, z 38.9 against 36.4); only the right pair agrees. Content repeated at a fixed
 * interval (a loop) puts two pairs on a line and is refused.
 */
function resolveByEnd(s: StreamState, best: XcorrPick, minConfidence: number): XcorrPick | null {
  const r = best.r;
  if (!s.keptEnd || !best.o.keptEnd || r.competing_z === null || r.competing_z < MIN_FINE_Z) return null;
  const endRes = cachedOffset(best.o.keptEnd, best.o.keptEndT0, s.keptEnd, s.keptEndT0, s.sampleRate);
  const ends = endRes ? endLags(endRes, minConfidence) : [];
  const clear = r.candidates.filter((c) => c.fine_z >= MIN_FINE_Z);
  const pair = endRes ? agreeingPair(clear, r.at_s, ends, endRes.at_s) : null;
  if (!endRes || !pair) return null;
  const { c, e } = pair;
  const lagList = (cs: typeof clear, x: (typeof clear)[number]) => cs.filter((y) => y !== x).map((y) => `${y.offset_s.toFixed(3)} s (z ${y.fine_z.toFixed(1)})`).join(', ');
  const endSays = ends.length === 1 ? `its end window (z ${e.fine_z.toFixed(1)}) confirms ${c.offset_s.toFixed(3)} s` : `its end window matches clearly at ${e.offset_s.toFixed(3)} s (z ${e.fine_z.toFixed(1)}) and ${lagList(ends, e)}; only ${c.offset_s.toFixed(3)} s and ${e.offset_s.toFixed(3)} s lie on one clock`;
  s.warnings.push({ code: 'xcorr_two_lags', message: `its start window matches ${best.o.file} clearly at offsets ${c.offset_s.toFixed(3)} s (z ${c.fine_z.toFixed(1)}) and ${lagList(clear, c)}; ${endSays}` });
  return { o: best.o, r: atLag(r, c), endRes: ends.length === 1 ? endRes : atLag(endRes, e) };
}

type Lag = XcorrResult['candidates'][number];

/**
 * The one pair of lags, start window's and end window's (offsets at startAt and endAt), that lie on one clock: the
 * start lag within 5 ms + MAX_DRIFT of the span of where the end lag's offset and drift put it. Null unless exactly
 * one pair does (none: the windows disagree; two or more: content repeated at a fixed interval, a loop).
 */
export function agreeingPair(starts: Lag[], startAt: number, ends: Lag[], endAt: number): { c: Lag; e: Lag } | null {
  const tol = 0.005 + MAX_DRIFT * Math.abs(endAt - startAt);
  const pairs = starts.flatMap((c) => ends.filter((e) => Math.abs(c.offset_s - (e.offset_s + e.drift * (startAt - endAt))) <= tol).map((e) => ({ c, e })));
  return pairs.length === 1 ? pairs[0] : null;
}

/** The end window's clear lags: its one lag when conclusive, every clear lag when only competing lags keep it from being so, else none. */
function endLags(endRes: XcorrResult, minConfidence: number): XcorrResult['candidates'] {
  if (endRes.drift === null) return [];
  if (whyNotConclusive(endRes, minConfidence) === null) return [{ offset_s: endRes.offset_s, drift: endRes.drift, fine_z: endRes.fine_z as number, overlap_s: endRes.overlap_s }];
  if (endRes.competing_z === null || whyNotConclusive({ ...endRes, competing_z: null }, minConfidence) !== null) return [];
  return endRes.candidates.filter((c) => c.fine_z >= MIN_FINE_Z);
}

/** How far a found but unplaceable beep may be off (onsets read on speech or echo: up to 150 ms on the room bench). */
const ROUGH_PULSE_S = 0.2;
/** Every other clear lag must be at least this far from what the beeps imply. */
const OTHER_LAG_MIN_S = 1;

/**
 * Where the partner's start beep lies on its own clock, each with how far it may be off: its chosen (placed-by) pulse,
 * else every beep found in its start window, timed or not (a rough onset: ROUGH_PULSE_S). On room variant 22 a lav's
 * start beep at RT60 0.8 s was found 136 ms early and not placed by (the lav was placed by its end beep).
 */
function partnerStartBeeps(o: StreamState): Array<{ t_s: number; tol_s: number }> {
  if (o.chosen.start) return [{ t_s: o.chosen.start.t_s, tol_s: 0 }];
  return o.detections
    .filter((d) => d.window === 'start' && typeof d.t_s === 'number' && typeof d.freq_hz === 'number')
    .map((d) => ({ t_s: d.t_s as number, tol_s: ROUGH_PULSE_S }));
}

/**
 * A start window that matches clearly at two or more lags (the same speech at two times), or whose coarse envelope
 * prefers no lag (ratio under MIN_COARSE_RATIO), is resolved by the stream's own start beep when it was found but not
 * placeable (not timed to 1 ms, but known to within ROUGH_PULSE_S): exactly one clear lag may lie within ROUGH_PULSE_S
 * (plus the partner's own roughness) of a lag the two streams' beeps imply (partner's start beep minus this stream's),
 * every other at least OTHER_LAG_MIN_S from it. The beep only picks the lag; the cross-correlation gives the offset.
 * The coarse gate guards against the right lag not being among those the fine stage tried; a clear fine peak where
 * the beeps put the lag answers that directly. On room variants 11, 12 and 22 (RT60 0.8 s, DRR -6/-9 dB) three streams
 * were refused so (coarse ratios 1.23-1.37, the other talker saying the same clip 2-11 s away, z 24-51 there against
 * 20-26 at the right lag, 31-78 ms from the beeps' lag).
 */
export function resolveByOwnPulse(s: StreamState, best: XcorrPick, minConfidence: number): XcorrPick | null {
  const r = best.r;
  if (whyNotConclusive({ ...r, competing_z: null, peak_ratio: Infinity }, minConfidence) !== null) return null;
  const own = s.detections.filter((d) => d.window === 'start' && typeof d.t_s === 'number' && typeof d.freq_hz === 'number');
  const implied = partnerStartBeeps(best.o).flatMap((p) => own.map((d) => ({ lag: p.t_s - (d.t_s as number), tol: ROUGH_PULSE_S + p.tol_s })));
  const clear = r.candidates.filter((c) => c.fine_z >= MIN_FINE_Z);
  const near = clear.filter((c) => implied.some((v) => Math.abs(c.offset_s - v.lag) <= v.tol));
  if (near.length !== 1) return null;
  const c = near[0];
  if (clear.some((x) => x !== c && implied.some((v) => Math.abs(x.offset_s - v.lag) < OTHER_LAG_MIN_S + v.tol - ROUGH_PULSE_S))) return null;
  const others = clear.filter((x) => x !== c).map((x) => `${x.offset_s.toFixed(3)} s (z ${x.fine_z.toFixed(1)})`);
  const what = others.length ? `clearly at offsets ${c.offset_s.toFixed(3)} s (z ${c.fine_z.toFixed(1)}) and ${others.join(', ')}` : `at ${c.offset_s.toFixed(3)} s (z ${c.fine_z.toFixed(1)}) but ${singleLagDoubt(r)}`;
  s.warnings.push({
    code: 'xcorr_two_lags',
    message: `its start window matches ${best.o.file} ${what}; its own start beep (found, not timed well enough to place by) lies within ${Math.round(Math.max(...implied.map((v) => v.tol)) * 1000)} ms of ${c.offset_s.toFixed(3)} s only`,
  });
  return { o: best.o, r: atLag(r, c) };
}

/** The partner's start beep to map through a lag: its placed-by pulse, else its one found start beep (rough: not timed to place by). */
function partnerBeepToMap(o: StreamState): { t_s: number; duration_s: number; freq_hz: number; rough: boolean } | null {
  const pb = o.chosen.start;
  if (pb) return typeof pb.duration_s === 'number' && typeof pb.freq_hz === 'number' ? { t_s: pb.t_s, duration_s: pb.duration_s, freq_hz: pb.freq_hz, rough: false } : null;
  // A found but unplaceable beep is off by its onset error (up to ROUGH_PULSE_S), far less than OTHER_LAG_MIN_S between lags;
  // two or more found in the window: which one is the beep is not known.
  const found = o.detections.filter((d) => d.window === 'start' && typeof d.t_s === 'number' && typeof d.freq_hz === 'number' && typeof d.duration_s === 'number');
  if (found.length !== 1) return null;
  const d = found[0];
  return { t_s: d.t_s as number, duration_s: d.duration_s as number, freq_hz: d.freq_hz as number, rough: true };
}

/** How the partner's beep is named in a message. */
const beepName = (o: StreamState, pb: { rough: boolean }) => `${o.file}'s start beep${pb.rough ? ' (found, not timed well enough to place by)' : ''}`;

/**
 * A cross-correlation result taken at one of its candidate lags (a resolver's pick): that lag's offset, drift, z and
 * overlap (sync.json's `xcorr.overlap_s` gave the first match's, 8.2 s where the lag taken overlapped about 30 s).
 */
function atLag(r: XcorrResult, c: XcorrResult['candidates'][number]): XcorrResult {
  // The clearest fit itself keeps its halves and rest z (its sd counts the halves: content-lag.ts).
  const top = c.offset_s === r.offset_s && c.fine_z === r.fine_z;
  return { ...r, offset_s: c.offset_s, drift: c.drift, drift_limit: c.drift_limit ?? null, fine_z: c.fine_z, overlap_s: c.overlap_s ?? r.overlap_s, competing_z: null, halves_ms: top ? r.halves_ms : null, rest_z: top ? r.rest_z : null };
}

/**
 * What the mapped-beep resolvers share: the partner's start beep to map, the clear lags (fine z at least MIN_FINE_Z)
 * of a result conclusive but for its competing lags, where each lag puts that beep in this stream, and whether it
 * falls wholly outside the kept window (before the recording started: not contradicted by it). Null when there is no
 * beep to map, no kept window, or the result is not otherwise conclusive.
 */
function lagsToMap(s: StreamState, best: XcorrPick, minConfidence: number) {
  const r = best.r;
  const pb = partnerBeepToMap(best.o);
  if (!pb || !s.kept) return null;
  if (whyNotConclusive({ ...r, competing_z: null, peak_ratio: Infinity }, minConfidence) !== null) return null;
  const clear = r.candidates.filter((c) => c.fine_z >= MIN_FINE_Z);
  const kept = s.kept;
  const beepAt = (c: (typeof clear)[number]) => ({ t_s: pb.t_s - c.offset_s, duration_s: pb.duration_s, freq_hz: pb.freq_hz });
  const outside = (c: (typeof clear)[number]) => beepAt(c).t_s + beepAt(c).duration_s < s.keptT0 || beepAt(c).t_s > s.keptT0 + kept.length / s.sampleRate;
  return { r, pb, clear, kept, beepAt, outside };
}

/**
 * A clear lag whose mapped beep is the window's steadiest tone by this much (dB of coherence over the largest
 * elsewhere) and at least MAPPED_BEEP_MIN_COH picks the lag. Noise's coherence over K = 10 sub-spans is Beta(1, 9):
 * 0.55 (the room windows' largest elsewhere) is exceeded with chance 8e-4, 1 dB more (0.69) with 3e-5.
 */
const MAPPED_BEEP_MIN_DB = 1;
const MAPPED_BEEP_MIN_COH = 0.6;

/**
 * A start window that matches clearly at two or more lags, or whose coarse peak does not stand out, where the stream's
 * own beep was not found at all: the partner's placed-by start beep, mapped through each clear lag, must fall on the
 * steadiest tone of this stream's start window (xcorr-beep.ts) for exactly one lag, by MAPPED_BEEP_MIN_DB over every
 * other placement, and below the steadiest elsewhere for every other clear lag (each at least OTHER_LAG_MIN_S away).
 * A wrong lag cannot pass where the right one was not tried: the real beep then lies elsewhere in the window and is
 * the steadiest there. The beep only picks the lag; the cross-correlation gives the offset.
 */
export function resolveByMappedBeep(s: StreamState, best: XcorrPick, minConfidence: number): XcorrPick | null {
  const m0 = lagsToMap(s, best, minConfidence);
  if (!m0) return null;
  const { r, pb, clear, kept, beepAt, outside } = m0;
  const scores = clear.map((c) => mappedBeepScore(kept, s.keptT0, s.sampleRate, beepAt(c)));
  const db = scores.map((x) => (x ? 10 * Math.log10(x.coherence / Math.max(x.null_max, 1e-9)) : null));
  const hit = clear.filter((_, i) => (db[i] ?? -Infinity) >= MAPPED_BEEP_MIN_DB && (scores[i]?.coherence ?? 0) >= MAPPED_BEEP_MIN_COH);
  if (hit.length !== 1) return null;
  const c = hit[0];
  const m = db[clear.indexOf(c)] as number;
  // Every other clear lag: its mapped beep no steadier than the window's steadiest elsewhere, or wholly outside the window.
  if (clear.some((x, i) => x !== c && (Math.abs(x.offset_s - c.offset_s) < OTHER_LAG_MIN_S || (db[i] === null ? !outside(x) : (db[i] as number) >= 0)))) return null;
  const others = clear.filter((x) => x !== c).map((x) => `${x.offset_s.toFixed(3)} s (z ${x.fine_z.toFixed(1)})`);
  const what = others.length ? `clearly at offsets ${c.offset_s.toFixed(3)} s (z ${c.fine_z.toFixed(1)}) and ${others.join(', ')}` : `at ${c.offset_s.toFixed(3)} s (z ${c.fine_z.toFixed(1)}) but ${singleLagDoubt(r)}`;
  s.warnings.push({
    code: 'xcorr_two_lags',
    message: `its start window matches ${best.o.file} ${what}; only at ${c.offset_s.toFixed(3)} s does ${beepName(best.o, pb)} fall on a steady ${Math.round(pb.freq_hz)} Hz tone here (its own beep not found by the detector): coherence ${(scores[clear.indexOf(c)] as MappedBeepScore).coherence.toFixed(2)}, ${m.toFixed(1)} dB over the steadiest elsewhere in the window`,
  });
  return { o: best.o, r: atLag(r, c) };
}

/**
 * Ranks (fractions of the window's other placements below it) that a mapped beep must reach in both coherent 1 kHz
 * power and coherence to count as heard (PRESENT), and that every other clear lag's mapped beep must stay under in
 * power to count as not heard (ABSENT). On the 214 true beeps of the room microphones at SNR 0 and -6 dB of the eight
 * room sets (make-sync-rooms variants 32, 33, 38, 39, 45, 47, 51, 52; DRR +6 to -9 dB, all codecs) the beep's place
 * ranked 0.68 or more in power (5th percentile 0.87, none under 0.5), and 186 of 214 ranked 0.9 or more in both.
 */
const BEEP_PRESENT_RANK = 0.9;
const BEEP_ABSENT_RANK = 0.5;

/**
 * A start window that matches clearly at two or more lags (or whose coarse peak does not stand out), where neither the
 * stream's own beep (not found) nor the steadiest-tone test (resolveByMappedBeep) picks one: the partner's placed-by
 * start beep is mapped through each clear lag into this stream, and a lag is taken when its mapped beep is heard
 * there (coherent power and coherence both above BEEP_PRESENT_RANK of the window's other placements) and at every
 * other clear lag (each at least OTHER_LAG_MIN_S away) the mapped beep is not heard: its coherent power under
 * BEEP_ABSENT_RANK (below the window's median), or it falls outside the recording. A two-hypothesis test (the beep is
 * at one lag or the other; Van Trees I, 2.2: the larger matched-filter output), with both sides required: a wrong
 * pick needs the true beep to sound no louder than half the window's placements, which none of 214 did on the room
 * sets (above). The confidence is at most one minus the fraction of placements as strong and as steady as the chosen one
 * (the chance that noise there looks as much like the beep).
 */
export function resolveByBeepContrast(s: StreamState, best: XcorrPick, minConfidence: number): XcorrPick | null {
  const m0 = lagsToMap(s, best, minConfidence);
  if (!m0) return null;
  const { r, pb, clear, kept, beepAt, outside } = m0;
  const ranks = clear.map((c) => mappedBeepRank(kept, s.keptT0, s.sampleRate, beepAt(c)));
  const heard = clear.filter((_, i) => (ranks[i]?.power_rank ?? 0) >= BEEP_PRESENT_RANK && (ranks[i]?.coherence_rank ?? 0) >= BEEP_PRESENT_RANK);
  if (heard.length !== 1 || clear.length < 2) return null;
  const c = heard[0];
  const rc = ranks[clear.indexOf(c)] as MappedBeepRank;
  const absent = (x: (typeof clear)[number], i: number) => Math.abs(x.offset_s - c.offset_s) >= OTHER_LAG_MIN_S && (ranks[i] === null ? outside(x) : (ranks[i] as MappedBeepRank).power_rank < BEEP_ABSENT_RANK);
  if (!clear.every((x, i) => x === c || absent(x, i))) return null;
  const others = clear.filter((x) => x !== c).map((x) => `${x.offset_s.toFixed(3)} s (z ${x.fine_z.toFixed(1)}${ranks[clear.indexOf(x)] ? `: its 1 kHz power there above ${Math.round((ranks[clear.indexOf(x)] as MappedBeepRank).power_rank * 100)} % of the window's` : ': outside the recording'})`);
  const confidence = Math.min(r.confidence, 1 - rc.joint_p);
  s.warnings.push({
    code: 'xcorr_two_lags',
    message: `its start window matches ${best.o.file} clearly at offsets ${c.offset_s.toFixed(3)} s (z ${c.fine_z.toFixed(1)}) and ${others.join(', ')}; ${beepName(best.o, pb)} falls where this stream's ${Math.round(pb.freq_hz)} Hz power and steadiness exceed ${Math.round(Math.min(rc.power_rank, rc.coherence_rank) * 100)} % of the window's at ${c.offset_s.toFixed(3)} s only (its own beep not found or not timed): the lag is taken from the beep, the offset from the cross-correlation, confidence ${confidence.toFixed(3)} (${(rc.joint_p * 100).toFixed(1)} % of the window as strong and as steady)`,
  });
  return { o: best.o, r: { ...atLag(r, c), confidence } };
}

/**
 * A start window that matches clearly at two or more lags, each at least OTHER_LAG_MIN_S apart, with a coarse peak
 * that stands out, where neither the stream's beeps nor the partner's mapped beep pick one: the lag whose evidence lies
 * all through the stream's overlap, every other clear lag matching only where it matches too (xcorr-span.ts). Lead room
 * variant 90 rt5-drr-6-snr0-aac-start-24s: a start-only room microphone (beep not found, the lav's not timed) matched
 * the lav at -18.221 s (z 33.0, 5.8 s of overlap: the interviewer saying a clip the participant says at the lav's
 * start) and at the right 2.187 s (z 21.7): 11 of 11 runs supported 2.187 s, 2 of 2 the wrong lag, both in the last
 * 6 s, where 2.187 s matches too. Refused before. The offset is the cross-correlation's at the lag taken.
 */
export function resolveBySpan(s: StreamState, best: XcorrPick, minConfidence: number): XcorrPick | null {
  const r = best.r;
  if (!s.kept || !best.o.kept || r.peak_ratio < MIN_COARSE_RATIO) return null;
  if (whyNotConclusive({ ...r, competing_z: null }, minConfidence) !== null) return null;
  const clear = r.candidates.filter((c) => c.fine_z >= MIN_FINE_Z);
  if (clear.length < 2) return null;
  const spans = clear.map((c) => lagSpan(best.o.kept as Float32Array, best.o.keptT0, s.kept as Float32Array, s.keptT0, s.sampleRate, c, r.at_s));
  const got = pickBySpan(spans, OTHER_LAG_MIN_S);
  if (!got) return null;
  const c = clear[spans.indexOf(got.pick)];
  const where = (x: LagSpan) => x.supported.map(([p, q]) => `${p.toFixed(1)}-${q.toFixed(1)} s`).join(', ');
  const others = got.others.map((x) => `${x.offset_s.toFixed(3)} s (z ${clear[spans.indexOf(x)].fine_z.toFixed(1)}) only in ${x.supported.length} of ${x.runs} (${where(x) || 'none'})`);
  s.warnings.push({
    code: 'xcorr_two_lags',
    message: `its start window matches ${best.o.file} clearly at offsets ${c.offset_s.toFixed(3)} s (z ${c.fine_z.toFixed(1)}) and ${got.others.map((x) => x.offset_s.toFixed(3) + ' s').join(', ')}; taken by where the match lies: its ${SPAN_RUN_LABEL} runs match at ${c.offset_s.toFixed(3)} s in ${got.pick.supported.length} of ${got.pick.runs}, at ${others.join('; ')}, where ${c.offset_s.toFixed(3)} s matches too (a sound heard twice)`,
  });
  return { o: best.o, r: atLag(r, c) };
}

/**
 * The stream's clock against its partner's, t_o = t_s (1 + k1) + c: with both ends conclusive, the change of offset
 * between the two window middles is the drift (the longer baseline); otherwise the start window's own drift (the
 * fine stage fits it over the window). Returns null after a refusal (start and end imply an implausible drift).
 */
function xcorrClock(s: StreamState, best: XcorrPick, ends: Ends, minConfidence: number): { k1: number | null; c: number; endRes: XcorrResult | null } | null {
  const r = best.r;
  // A drift at the edge of the range searched is no measurement (xcorr-drift.ts atSearchEdge).
  let k1 = r.drift_limit ? null : r.drift;
  let endRes: XcorrResult | null = null;
  if (ends === 'both' && s.keptEnd && best.o.keptEnd) {
    endRes = best.endRes ?? cachedOffset(best.o.keptEnd, best.o.keptEndT0, s.keptEnd, s.keptEndT0, s.sampleRate);
    if (endRes && whyNotConclusive(endRes, minConfidence) === null && endRes.at_s - r.at_s > 1) {
      k1 = (endRes.offset_s - r.offset_s) / (endRes.at_s - r.at_s);
      // Recording clocks differ by well under 500 ppm: start and end windows implying more disagree, one is wrong.
      if (Math.abs(k1) > MAX_DRIFT) {
        refuseXcorr(s, `its start and end windows cross-correlate with ${best.o.file} at offsets ${(Math.abs(endRes.offset_s - r.offset_s) * 1000).toFixed(1)} ms apart (${(k1 * 1e6).toFixed(0)} ppm of drift): one of them is wrong, so neither is used`);
        return null;
      }
    } else {
      s.warnings.push({ code: 'no_end_pulse', message: `no pulse, and ${endUnusedWhy(endRes, r, best.o.file, minConfidence)}; drift from the start window alone` });
    }
  }
  if (k1 === null && r.drift !== null && r.drift_limit) {
    s.warnings.push(driftAtLimitWarning('its start window', best.o.file, r.drift, r.drift_limit, 'the drift is left unknown'));
    s.driftBeyondSearch = true;
  }
  return { k1, c: r.offset_s - (k1 ?? 0) * r.at_s, endRes };
}

/**
 * Why the end windows' cross-correlation gives no drift, in words that agree with its numbers (sync.json's
 * xcorr.end_fine_z beside it): it found no 2 s of overlap, it is not conclusive (whyNotConclusive; where only the
 * coarse peak fails, the fine peak may be very clear: a looped stimulus matches at every loop), or its window's middle
 * is not more than 1 s after the start window's on this stream's timeline (no baseline to measure a drift over).
 */
function endUnusedWhy(endRes: XcorrResult | null, r: XcorrResult, file: string, minConfidence: number): string {
  if (!endRes) return `the end windows share under 2 s of sound with ${file} to cross-correlate`;
  const why = whyNotConclusive(endRes, minConfidence);
  const z = endRes.fine_z === null ? '' : endRes.fine_z.toFixed(1);
  if (why !== null && endRes.fine_z !== null && endRes.fine_z >= MIN_FINE_Z && endRes.peak_ratio < MIN_COARSE_RATIO) {
    return `the end windows' cross-correlation with ${file} is not conclusive: its fine peak stands out (z ${z}), but its coarse peak does not (ratio ${endRes.peak_ratio.toFixed(2)}, at least ${MIN_COARSE_RATIO} needed): the content matches at other lags too (a sound repeated or looped)`;
  }
  if (why !== null) return `the end windows' cross-correlation with ${file} is not conclusive: ${why}`;
  return `the end windows match ${file} clearly (fine z ${z}) but their middle (${endRes.at_s.toFixed(3)} s) is not more than 1 s after the start window's (${r.at_s.toFixed(3)} s), so they measure no drift`;
}

const r3n = (v: number | null) => (v === null ? null : r3(Math.min(v, 1e6)));

/**
 * (3) Cross-correlation against the placed audio stream that correlates best. It is always computed; only under
 * `--fallback xcorr` (the default) does it place the stream. Under `--fallback none` a stream whose content would
 * place it is refused, its line saying so (contentOnlyRefusal).
 */
function placeByXcorr(s: StreamState, states: StreamState[], ends: Ends, minConfidence: number, accept: boolean): boolean {
  if (s.kind !== 'audio' || !s.kept) return false;
  const best = bestPartner(s, states, minConfidence, ends);
  if (!best) return false;
  const clock = xcorrClock(s, best, ends, minConfidence);
  if (!clock) return false;
  const { k1, c, endRes } = clock;
  // Then onto the reference clock through o's clock: t_ref = t_o (1 + k_o) + off_o.
  const o = best.o.placed as Placement;
  const ko = o.k ?? 0;
  const offset = (1 + ko) * c + o.offset;
  const k = k1 === null ? null : composedDrift(o.k, k1);
  const contradiction = beepBeforeXcorr(s, best.o, { offset, k: k ?? 0 });
  if (contradiction) return refuseXcorr(s, `${contradiction}: the cross-correlation with ${best.o.file} (fine z ${(best.r.fine_z as number).toFixed(1)}) is wrong or the beep is, so the stream is not placed`);
  const r = best.r;
  const xcorr = { peak_ratio: r3n(r.peak_ratio), fine_z: r3n(r.fine_z), window_drift_ppm: r.drift === null ? null : r3(r.drift * 1e6), halves_ms: r3n(r.halves_ms), rest_z: r3n(r.rest_z ?? null), overlap_s: r3(r.overlap_s), end_fine_z: endRes ? r3n(endRes.fine_z) : null };
  // The content's lag is the talkers', not the beep's: its offset carries their unknown difference (content-lag.ts).
  const lagSd = contentLagSd(o.lagSd, best.r.halves_ms);
  if (!accept) return contentOnlyRefusal(s, best.o, lagSd, r);
  const contentKSd = k1 === null ? undefined : contentDriftSd(o.kSd, r, endRes, k1, minConfidence);
  s.placed = { offset, k, kSd: null, offsetSd: null, lagSd, offsetAtS: r.at_s, method: 'xcorr', confidence: Math.min(r.confidence, o.confidence), from: best.o, extra: { xcorr }, ...(contentKSd === undefined ? {} : { contentKSd }) };
  // Confidence capped as sync.json caps it (report.ts entryOf): it printed 1.000 where sync.json said 0.999.
  const how = `placed by cross-correlating its audio with ${best.o.file} (fine peak z ${(r.fine_z as number).toFixed(1)}, confidence ${Math.min(r.confidence, 0.999).toFixed(3)})`;
  const unusable = s.warnings.filter((w) => w.code === 'unplaceable_pulse').map((w) => w.message);
  const early = untrustedEarlyNote(s, best.o, { offset, k: k ?? 0 });
  if (unusable.length) s.warnings.push({ code: 'other_route', message: `${how}: no usable beep of its own (${unusable.join('; ')})${early}` });
  else s.warnings.push({ code: 'fallback', message: `no pulse: ${how}` });
  s.warnings.push(contentLagWarning(best.o.file, lagSd, best.r.halves_ms));
  return true;
}

/**
 * The sd of the drift a placement by content measured (xcorrClock's k1, against its partner `from`), for a picture of
 * its file that takes it (soundDriftOf): a window's own fitted rate, WINDOW_DRIFT_SD; the line through both windows'
 * lags, WINDOW_DRIFT_SD where it agrees with both windows' fitted rates within 2 of it (driftFromBothWindows' rule:
 * the talkers' lag cancels), else the talkers' lag bound's sd over the span between them (content-lag.ts, as
 * continuity.ts contentLine counts it). With the partner's drift sd.
 */
function contentDriftSd(fromKSd: number | null, r: XcorrResult, endRes: XcorrResult | null, k1: number, minConfidence: number): number {
  const line = endRes !== null && whyNotConclusive(endRes, minConfidence) === null && endRes.at_s - r.at_s > 1;
  if (!line) return Math.hypot(fromKSd ?? 0, WINDOW_DRIFT_SD);
  const own = [r, endRes].map((x) => (x.drift_limit ? null : x.drift));
  const agree = own.every((d) => d !== null && Math.abs(d - k1) <= 2 * WINDOW_DRIFT_SD);
  return Math.hypot(fromKSd ?? 0, agree ? WINDOW_DRIFT_SD : CONTENT_LAG_SD_S / (endRes.at_s - r.at_s));
}

/**
 * Under --fallback none, a stream that only its content would place is refused, its line saying what the content
 * would have given. Its content's lag is the talkers', not the beep's: on room sets made with --geometry drawn (talker
 * and loudspeaker at other distances from the microphones, as in real rooms) such placements lay 5-13 ms from the
 * beep's clock (session 50, rooms 231g: 10 streams, 232g: 4), within their 8.75 ms sd. The default (xcorr) places them
 * with that sd and a content_lag warning: refusing them by default refused 2-4 right placements for each wrong one
 * (session 51, docs/sync.md "Known limits").
 */
function contentOnlyRefusal(s: StreamState, partner: StreamState, sd: number, r: XcorrResult): false {
  // The refusal line (report.ts unplacedLine) says first why its own pulse did not place it, then this.
  s.warnings.push({
    code: 'content_only',
    message: `its content cross-correlates with ${partner.file} (fine peak z ${(r.fine_z as number).toFixed(1)}), but that places it only to about ±${(sd * 1000).toFixed(0)} ms (sd): the content lies at the talkers' lag, not the beep's, and the talkers and the beep's loudspeaker stand at other distances from the microphones (sound takes 2.9 ms a metre); rerun with --fallback xcorr to accept that, or record a beep this microphone hears`,
  });
  s.refusedBy = 'content_only';
  return false;
}

/** A placement's content-lag sd, to be inherited by a stream placed from it (none: nothing). */
function lagOf(p: Placement): { lagSd?: number } {
  return p.lagSd === undefined ? {} : { lagSd: p.lagSd };
}

/** A cross-correlation refused by a check: the reason is the stream's refusal (report.ts) and it is not tried again. */
function refuseXcorr(s: StreamState, message: string): false {
  s.warnings.push({ code: 'xcorr_disagrees', message });
  s.refusedBy = 'xcorr_disagrees';
  return false;
}

/** Slack for a beep onset read before where the cross-correlation puts the beep, beyond twice the combined sd. */
const BEEP_EARLY_SLACK_S = 0.003;

/**
 * The stream's own placeable beep detections against a cross-correlation placement: an echo reads a beep's onset late,
 * not early, so a detection within 0.3 s of where the placement puts the partner's beep, but earlier than it by more
 * than 2 sd + 3 ms, contradicts the placement (the direct sound cannot arrive before the beep sounded). Only a
 * placeable onset speaks: that argument holds for a reading on the beep's direct sound, and placeable is the detector's
 * word that its reading is one (every check of tone before it, echo, scatter and agreement passed). An onset not
 * placeable is not evidence either way, as it is not used to place: on the room bench such onsets were read 25-122 ms
 * early on speech before the beep, with fitted sds of 0.2-56 ms, under cross-correlations that were right (lead
 * variant 90 rt3-drr6-snr10-wav-both-24s: 55.3 ms early with sd 4.0 ms, its sd a bound on how late it may be read).
 * Returns that contradiction as a phrase, or null.
 */
function beepBeforeXcorr(s: StreamState, partner: StreamState, p: { offset: number; k: number }): string | null {
  const found = beepsBeforeXcorr(s, partner, p);
  const trusted = found.find((f) => f.d.placeable === true);
  if (!trusted) return null;
  return `its own beep at ${(trusted.d.t_s as number).toFixed(3)} s (sd ${(trusted.sd * 1000).toFixed(1)} ms) starts ${(-trusted.diff * 1000).toFixed(1)} ms before the cross-correlation puts ${partner.file}'s beep`;
}

/** What the other_route note says of the stream's own unplaceable beeps read before where the placement puts the partner's beep (not used to refuse: beepBeforeXcorr). */
function untrustedEarlyNote(s: StreamState, partner: StreamState, p: { offset: number; k: number }): string {
  const early = beepsBeforeXcorr(s, partner, p).filter((f) => f.d.placeable !== true);
  if (!early.length) return '';
  const each = early.map((f) => `${(f.d.t_s as number).toFixed(3)} s reads ${(-f.diff * 1000).toFixed(1)} ms before`);
  return `; its own unplaceable beep at ${each.join(', at ')} where the cross-correlation puts ${partner.file}'s beep: an onset not timed well enough to place by is not taken to refute the cross-correlation either`;
}

/** The stream's timed beep detections (onset_sd_s a number) that start before where the placement puts the partner's beep, beyond 2 sd + 3 ms and within 0.3 s. */
function beepsBeforeXcorr(s: StreamState, partner: StreamState, p: { offset: number; k: number }): Array<{ d: StreamState['detections'][number]; diff: number; sd: number }> {
  if (!partner.placed) return [];
  const clkS = (t: number) => t + p.offset + p.k * t;
  const clkP = clockOfPlacement(partner.placed);
  const out: Array<{ d: StreamState['detections'][number]; diff: number; sd: number }> = [];
  for (const d of s.detections) {
    const c = partner.chosen[d.window as 'start' | 'end'];
    if (typeof d.t_s !== 'number' || !c || typeof d.onset_sd_s !== 'number') continue;
    const diff = clkS(d.t_s) - clkP(c.t_s);
    const sd = Math.hypot(d.onset_sd_s, gateSd(partner, c));
    if (diff < -(2 * sd + BEEP_EARLY_SLACK_S) && diff > -XCHECK_MAX_S) out.push({ d, diff, sd });
  }
  return out;
}

export interface PlaceOptions {
  ends: Ends;
  /** xcorr (default): a stream that only its content places is placed by it; none: refused (contentOnlyRefusal). */
  fallback: 'xcorr' | 'none';
  minXcorrConfidence: number;
  /** Opt-in: a camera's picture or sound without a pulse takes the other's clock (placeByCameraClock). */
  shareCameraClock?: boolean;
  /** Opt-in (--one-pulse): the session had one pulse, so pulses in different halves of whole files pair (placeAcrossHalves). */
  onePulse?: boolean;
}

/** Places streams until nothing changes: by pulse first, then by container, then by cross-correlation. */
export function placeStreams(states: StreamState[], ref: StreamState, o: PlaceOptions): void {
  // The reference clock counts decoded samples from the reference file's start (docs/sync.md, Timelines).
  ref.placed = { offset: ref.kind === 'audio' ? -ref.firstSampleS : 0, k: 0, kSd: 0, offsetSd: 0, method: 'reference', confidence: 1, from: null };
  const hasPulse = (s: StreamState) => Boolean(s.chosen.start ?? s.chosen.end);
  const steps: Array<(s: StreamState) => boolean> = [
    (s) => hasPulse(s) && placeByPulse(s, states, o),
    (s) => placeByContainer(s, states, o.shareCameraClock === true),
    (s) => o.onePulse === true && placeAcrossHalves(s, states),
    (s) => placeByXcorr(s, states, o.ends, o.minXcorrConfidence, o.fallback === 'xcorr'),
  ];
  let changed = true;
  while (changed) {
    changed = false;
    for (const step of steps) {
      for (const s of states) if (!s.placed && !s.refusedBy && step(s)) changed = true;
      if (changed) break;
    }
    if (changed) continue;
    // Beep placements are checked against the content once everything that can be placed is.
    for (const s of states) if (crossCheck(s)) changed = true;
    // A track placed with its file's clock against the content.
    for (const s of states) if (containerCheck(s, states)) changed = true;
    // A picture against its own file's sound, once both are placed.
    for (const s of states) if (soundPictureCheck(s, states, o.ends)) changed = true;
    // A stream refused here takes the streams placed from it with it.
    for (const s of states) if (s.placed?.from && !s.placed.from.placed) s.placed = null;
  }
}

