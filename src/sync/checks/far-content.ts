/**
 * A beep placement whose content matches clearly elsewhere once the pulses are masked, and not at the placed lag: the
 * beep was paired with another beep than the one the recording heard (a neighbour's device beeping in the room, a
 * restart). A new user's trial (2026-12-06, rows 1-2): a neighbour's beep, louder than the session's at the lav (or at
 * the room recorder), was chosen as "clearly strongest" and the other stream was placed 1.2 s off with exit 0 and a
 * `content_mismatch` warning, though its content matched 1.2 s away at z 341-413. The cross-check (place.ts crossCheck)
 * refused only at a coarse peak ratio of 3 or more, and the wrongly paired beeps made the competing coarse peak
 * themselves (ratio 2.55-2.88; 1.07 with quiet speech, where the beeps' lag also read fine z 12 and the match was
 * taken as "speech heard twice"). With every detected pulse silenced in both windows (content-mismatch.ts
 * withoutPulses, as the content check at the placed lag already does) the content alone is read.
 */
import { fineAtOffset, type XcorrResult } from '../xcorr/xcorr.js';
import { readContent, verdictOf, withoutPulses } from './content-mismatch.js';

/** One window pair: the window of the stream placed from (a) and of the stream (b), first samples at aT0 and bT0. */
export interface WindowPair {
  w: 'start' | 'end';
  a: Float32Array;
  aT0: number;
  b: Float32Array;
  bT0: number;
  /** The cross-correlation of the windows as they are (pulses in), shared with the placement (place.ts cachedOffset). */
  unmasked: XcorrResult | null;
}

/** What the placement and the stream hold, for the test (stream times, seconds). */
export interface FarContentInput {
  sr: number;
  /** Pulses (onset, duration) of the stream placed from (a) and of the stream (b), masked out of their windows. */
  pulsesA: Array<{ t_s: number; duration_s: number }>;
  pulsesB: Array<{ t_s: number; duration_s: number }>;
  /** Where the beep places b's time tm minus where a content lag offsetS (add to b's time to get a's) places it, seconds. */
  beepMinusContent: (tm: number, offsetS: number) => number;
  /** The beep placement's offset at b's time tm (add to b's time to get a's). */
  placedOffsetAt: (tm: number) => number;
  /** Content and beep further apart than this (seconds) are no onset error: another beep was paired. */
  farS: number;
  /** Fine peaks this clear count as a match (xcorr.ts MIN_FINE_Z). */
  minZ: number;
}

export interface FarContent {
  w: 'start' | 'end';
  /** b's window middle, the content's offset there (add to b's time to get a's) and drift, its masked fine z. */
  tm: number;
  offset_s: number;
  drift: number;
  z: number;
  /** Where the beep places b's time tm minus where the content does, seconds. */
  diff: number;
  /** The masked content's z at the placed lag (null: too short to read). */
  placedZ: number | null;
}

/**
 * The first window whose content, with every pulse masked, matches clearly (fine z minZ or more, confidence 0.5) at
 * exactly one lag more than farS from the beep placement while showing no shared sound at the placed lag (z under
 * minZ), or null. The lags tried are the unmasked cross-correlation's clear candidates that far away (shared with the
 * placement, so a placement whose content agrees costs nothing more); each is read again about its lag on the masked
 * windows (xcorr.ts fineAtOffset), not searched afresh: the masks' silent gaps start and end sound at the beeps' lags,
 * so a new coarse search prefers those (trial row 2 masked: coarse peak ratio 1.01-1.03, the content's lag not among
 * those tried at speech level 0.03). Two such lags (content heard twice) name no single offset: null.
 */
export function farContentMatch(pairs: WindowPair[], o: FarContentInput): FarContent | null {
  for (const p of pairs) {
    const tm = p.bT0 + p.b.length / o.sr / 2;
    const far = (offsetS: number) => Math.abs(o.beepMinusContent(tm, offsetS)) > o.farS;
    const tried = p.unmasked?.candidates.filter((c) => c.fine_z >= o.minZ && far(c.offset_s)) ?? [];
    if (!tried.length) continue;
    const a = withoutPulses(p.a, p.aT0, o.sr, o.pulsesA);
    const b = withoutPulses(p.b, p.bT0, o.sr, o.pulsesB);
    const atPlaced = readContent({ a, aT0: p.aT0, b, bT0: p.bT0, sr: o.sr, offsetS: o.placedOffsetAt(tm) });
    if (verdictOf(atPlaced) === 'shared') continue;
    const held = tried.flatMap((c) => {
      const f = fineAtOffset(a, p.aT0, b, p.bT0, o.sr, c.offset_s);
      return f && f.z >= o.minZ && f.confidence >= MIN_CONFIDENCE ? [{ c, z: f.z }] : [];
    });
    if (held.length !== 1) continue;
    const { c, z } = held[0];
    return { w: p.w, tm, offset_s: c.offset_s, drift: c.drift, z, diff: o.beepMinusContent(tm, c.offset_s), placedZ: atPlaced.z };
  }
  return null;
}

/** The fine confidence a content match needs (as place.ts crossCheck asks of its conclusive matches). */
const MIN_CONFIDENCE = 0.5;

/** A detected pulse of a stream: its window and onset (stream time). */
export interface PulseAt {
  window: 'start' | 'end';
  t_s: number;
}

/** How close (s) a beep pair must lie to the content's line to be taken as the pair it shows: beyond any talkers' lag (content-lag.ts, 17.5 ms) and onset error. */
const PAIR_ON_CONTENT_S = 0.05;

/**
 * The pair of detected beeps (one of the stream's, one of the stream placed from, same window) that the content's
 * lag lines up, or null; the earliest of each window first (what --pick first takes: a neighbour's device heard by
 * both recordings lines up its own pair as well), else the closest. refMinusContent(tB, tA): a's beep time tA minus
 * where the content puts b's time tB, seconds.
 */
export function beepPairOnContent(own: PulseAt[], from: PulseAt[], refMinusContent: (tB: number, tA: number) => number): { own: PulseAt; from: PulseAt } | null {
  const pairs: Array<{ own: PulseAt; from: PulseAt; d: number; first: boolean }> = [];
  for (const b of own) {
    for (const a of from) {
      const d = Math.abs(refMinusContent(b.t_s, a.t_s));
      if (a.window === b.window && d <= PAIR_ON_CONTENT_S) pairs.push({ own: b, from: a, d, first: isFirst(b, own) && isFirst(a, from) });
    }
  }
  pairs.sort((x, y) => Number(y.first) - Number(x.first) || x.d - y.d);
  return pairs.length ? { own: pairs[0].own, from: pairs[0].from } : null;
}

/** True when p is the earliest pulse of its window among `all` (what --pick first would choose). */
export function isFirst(p: PulseAt, all: PulseAt[]): boolean {
  return all.every((x) => x.window !== p.window || x.t_s >= p.t_s);
}
