/**
 * Step 2 of `mmprep sync`: choose the pulse of each stream and window.
 *
 * Policy: a window's pulse is the only placeable candidate, or the placeable candidate that clearly outstrips every
 * other one in time (beeps 6 dB louder; flashes twice the score). A candidate the detector marks unplaceable (a beep
 * below 0 dB band SNR; a flash that does not stand out of its own file's scores without a pulse) is never chosen
 * silently: the window is left without a pulse and a warning says why, so that the stream is placed by another route
 * or refused. Two or more placeable candidates of similar strength are ambiguous (exit 3) unless the user who has
 * looked forces a rule with --pick; a forced pick is recorded in the stream's `forced_pick` and a warning.
 */
import { GateError } from '../common/errors.js';
import type { StreamKind } from './clock.js';
import { flashRegionText, sameFlashRegion, type FlashDetection, type FlashRegion } from './flash/flash.js';
import type { Candidate, StreamState } from './streams.js';

/**
 * --pick: first, strongest, or at:T[,T2] (the reference's beep nearest each time T, seconds on the reference's own
 * clock, within PICK_AT_TOLERANCE_S; every other sound's beep is then the one whose pairing with it its content
 * supports: pick-at.ts). ttrial49 R2: a phone's ringtone (1 kHz bursts) before the beep; first and strongest both took
 * a burst, and the beep at 10 s could not be chosen.
 */
export type PickRule = 'first' | 'strongest' | `at:${string}`;

/** How far from a --pick at time the candidate it takes may lie, s (a beep's onset is read to ms; the time is typed from a listing). */
export const PICK_AT_TOLERANCE_S = 0.5;

/** The times of a --pick at:T[,T2] rule (s), or null for another rule. */
export function pickTimes(pick: PickRule | null): number[] | null {
  return pick !== null && pick.startsWith('at:') ? pick.slice(3).split(',').map(Number) : null;
}

/** The rule a --pick value names, or null when it names none (first, strongest, at:T or at:T1,T2 with T >= 0 in seconds). */
export function parsePickRule(v: string): PickRule | null {
  const t = v.trim().toLowerCase();
  if (t === 'first' || t === 'strongest') return t;
  const m = /^at:(.+)$/.exec(t);
  if (!m) return null;
  const times = m[1].split(',').map((x) => x.trim());
  if (times.length > 2 || times.some((x) => !/^\d+(\.\d+)?$/.test(x))) return null;
  return `at:${times.join(',')}`;
}

/** Pulses are 100-500 ms long (docs/sync.md): two onsets closer than this are one pulse. */
export const SAME_PULSE_S = 0.1;
/** How many candidates an ambiguity message names. */
const NAMED = 3;

function describe(kind: StreamKind, c: Candidate): string {
  if (kind === 'audio') return `${c.t_s.toFixed(3)} s (${c.strength.toFixed(1)} dBFS, band SNR ${Number(c.band_snr_db).toFixed(1)} dB)`;
  const r = c.region as Partial<FlashRegion> | undefined;
  const where = r ? ` at ${flashRegionText(r)}` : '';
  return `${c.t_s.toFixed(3)} s (score ${c.strength.toFixed(1)}${where})`;
}

/** Two or more placeable candidate pulses of similar strength and no --pick: exit 3, nothing written. */
export class AmbiguousPulseError extends GateError {
  readonly file: string;
  readonly kind: StreamKind;
  readonly stream: number;
  readonly candidates: Candidate[];
  constructor(file: string, kind: StreamKind, stream: number, candidates: Candidate[], more: number, refFile: string | null = null) {
    const what = kind === 'audio' ? 'tone bursts' : 'flashes';
    const top = candidates.slice().sort((a, b) => b.strength - a.strength || a.t_s - b.t_s).slice(0, NAMED);
    const list = top.map((c) => describe(kind, c)).join(', ');
    const rest = candidates.length > top.length ? `; the strongest ${top.length}` : '';
    // Every candidate's time, for --pick at (ttrial49 R2: the beep every device heard was not among the 3 named).
    const all = candidates.length > top.length ? `; all at ${candidates.map((c) => c.t_s.toFixed(3)).join(', ')} s` : '';
    const at = refFile === file ? `--pick at:T with T the time of the beep every device heard, listed above (${file}'s clock; others' beeps are then paired with it by their content)` : `--pick at:T with T the time of the beep every device heard on ${refFile ?? 'the reference'}'s clock`;
    super(
      `${file}: ${kind} stream ${stream}: ambiguous sync pulse in the ${candidates[0].window} window: ${candidates.length} ${what} of similar strength${rest}: ${list}${all}; rerun with --pick first, --pick strongest or ${at}${more ? ` (and ${more} more ambiguous window(s))` : ''}`,
    );
    this.file = file;
    this.kind = kind;
    this.stream = stream;
    this.candidates = candidates;
  }
}

interface Choice {
  chosen: Candidate | null;
  ambiguous: Candidate[] | null;
  /** The candidates the policy refused (unplaceable), strongest first. */
  refused: Candidate[];
  forced: boolean;
  extra: number;
}

/** Strongest first; a candidate within SAME_PULSE_S of a stronger one is that pulse seen again (one flash lighting several parts of the picture). */
export function distinctPulses(all: Candidate[]): Candidate[] {
  const byStrength = all.slice().sort((a, b) => b.strength - a.strength || a.t_s - b.t_s);
  const out: Candidate[] = [];
  for (const c of byStrength) if (!out.some((k) => Math.abs(k.t_s - c.t_s) < SAME_PULSE_S)) out.push(c);
  return out;
}

/** The policy's choice for one window; with --pick, the rule's choice among all its candidates, placeable or not (forced when it differs from the policy's). */
export function chooseWindow(all: Candidate[], pick: PickRule | null, clearMargin: (a: number, b: number) => boolean): Choice {
  const cands = distinctPulses(all);
  // A voice's harmonic (tone-harmonic.ts) is no extra pulse either.
  const extra = Math.max(0, all.filter((c) => c.harmonic_of_hz === undefined).length - 1);
  if (cands.length === 0) return { chosen: null, ambiguous: null, refused: [], forced: false, extra: 0 };
  const usable = cands.filter((c) => c.placeable !== false);
  const refused = cands.filter((c) => c.placeable === false);
  const times = pickTimes(pick);
  // --pick at: the candidate nearest one of the times, within PICK_AT_TOLERANCE_S (none further off).
  const gap = (c: Candidate) => Math.min(...(times ?? []).map((t) => Math.abs(c.t_s - t)));
  const nearest = (list: Candidate[]) => list.filter((c) => gap(c) <= PICK_AT_TOLERANCE_S).sort((a, b) => gap(a) - gap(b))[0];
  const byRule = (list: Candidate[]) => (times ? nearest(list) : pick === 'first' ? list.slice().sort((a, b) => a.t_s - b.t_s)[0] : list[0]);
  const policy = usable.length === 1 || (usable.length > 1 && clearMargin(usable[0].strength, usable[1].strength)) ? usable[0] : null;
  // --pick at:T in a window no time falls in (within the tolerance): the policy's choice there.
  if (pick && !(times && !nearest(cands))) {
    // A voice's harmonic (tone-harmonic.ts) is no pulse at all, so --pick does not force it either. Nor a flash fitted
    // from damaged frames (flash-damage.ts: what lit may be ffmpeg's patch), nor, when the rule would choose one, any
    // other candidate of that window in its place (the damage would silently hand the pick to another event).
    const pulses = cands.filter((c) => c.harmonic_of_hz === undefined);
    const chosen = pulses.length ? byRule(pulses) : null;
    if (!chosen) return { chosen: null, ambiguous: null, refused, forced: false, extra: 0 };
    if (chosen.damaged === true) return { chosen: null, ambiguous: null, refused: [chosen, ...refused.filter((c) => c !== chosen)], forced: false, extra: 0 };
    // A beep taken by its time is the user's choice even where the policy would take it too (place.ts lets a forced
    // pick stand where the content cannot tell the pairings apart).
    return { chosen, ambiguous: null, refused: [], forced: times !== null || chosen !== policy, extra };
  }
  if (policy) return { chosen: policy, ambiguous: null, refused, forced: false, extra };
  if (usable.length > 1) {
    const similar = usable.filter((c) => !clearMargin(usable[0].strength, c.strength));
    return { chosen: null, ambiguous: similar.sort((a, b) => a.t_s - b.t_s), refused, forced: false, extra: 0 };
  }
  return { chosen: null, ambiguous: null, refused, forced: false, extra };
}

interface Box {
  x_px: number;
  y_px: number;
  w_px: number;
  h_px: number;
}

/**
 * With flashes at both ends the LED region must be the same: an end flash elsewhere in the picture is something else
 * (a screen, a reflection), so the end pulse is dropped (drift then unknown) with a warning.
 */
function checkFlashRegions(st: StreamState): void {
  const { start, end } = st.chosen;
  // The same LED within a region's size (the best-scoring box can move by a cell between the ends; flash.ts).
  if (st.kind !== 'video' || !start || !end || !start.region || !end.region) return;
  if (sameFlashRegion(start as unknown as FlashDetection, end as unknown as FlashDetection)) return;
  const r = (c: Candidate) => {
    const b = c.region as Box;
    return `x ${b.x_px} y ${b.y_px} ${b.w_px}x${b.h_px} px`;
  };
  st.warnings.push({ code: 'region_mismatch', message: `the end flash at ${end.t_s.toFixed(3)} s is at ${r(end)}, not where the start flash was (${r(start)}): end pulse not used, drift unknown` });
  st.chosen.end = null;
}

/** Strength: the beep's level (its SNR depends on what else sounds around it) or the flash's score. */
export function candidatesOf(st: StreamState, w: 'start' | 'end'): Candidate[] {
  return st.detections
    .filter((d) => d.window === w)
    .map((d) => ({ ...d, window: w, t_s: Number(d.t_s), strength: Number(st.kind === 'audio' ? d.level_dbfs : d.score) }) as Candidate);
}

/**
 * The line of a window whose candidates were all refused. A light left on at the camera's beep (scan-video.ts) says
 * more than the strongest candidate elsewhere; a light on since before the beep, or a spot lit throughout (flash-step.ts),
 * is named only where nothing else was found (the refusal said "no flash": any steady bright spot passes that look,
 * so it does not replace a candidate's own reason).
 */
function namedRefusal(st: StreamState, w: 'start' | 'end', c: Choice): string | null {
  const on = st.leftOn?.[w];
  if (on && (on.kind === 'at_beep' || !st.detections.some((d) => d.window === w))) {
    return on.kind === 'throughout' ? `${w} window: ${on.reason}` : `${w}-window candidate at ${on.t_s.toFixed(3)} s not used: ${on.reason}`;
  }
  const r = c.refused[0];
  return r ? `${w}-window candidate at ${r.t_s.toFixed(3)} s not used: ${r.unplaceable_reason ?? 'does not stand out'}` : null;
}

/** Chooses every window's pulse of one stream; returns the ambiguous windows (for an AmbiguousPulseError). */
export function choosePulses(st: StreamState, pick: PickRule | null): Candidate[] | null {
  const clear = st.kind === 'audio' ? (a: number, b: number) => a - b >= 6 : (a: number, b: number) => a >= 2 * b;
  let ambiguous: Candidate[] | null = null;
  for (const w of ['start', 'end'] as const) {
    const c = chooseWindow(candidatesOf(st, w), pick, clear);
    st.chosen[w] = c.chosen;
    if (c.ambiguous && !ambiguous) ambiguous = c.ambiguous;
    if (c.chosen && c.forced) {
      st.forcedPick = pick;
      // The user's words for what the stream holds: a beep in sound, a flash in a picture.
      const [one, many] = st.kind === 'audio' ? ['beep', 'beeps'] : ['flash', 'flashes'];
      const why = c.chosen.placeable === false ? `not placeable by itself: ${c.chosen.unplaceable_reason ?? 'does not stand out'}` : pickTimes(pick) ? `the ${one} nearest the time given` : `other ${many} of similar strength`;
      st.warnings.push({ code: 'forced_pick', message: `--pick ${pick} chose the ${w} ${one} at ${c.chosen.t_s.toFixed(3)} s (${why}); check it` });
    } else if (c.extra > 0 && c.chosen) {
      st.warnings.push({ code: 'extra_pulses', message: `${c.extra} more candidate pulse(s) in the ${w} window; chose ${c.chosen.t_s.toFixed(3)} s (${pick ?? 'clearly strongest'})` });
    }
    const named = namedRefusal(st, w, c);
    if (!c.chosen && named) st.warnings.push({ code: 'unplaceable_pulse', message: named });
    if (c.chosen && st.kind === 'audio' && Number(c.chosen.confidence) < 0.5) {
      st.warnings.push({ code: 'low_snr', message: `${w} beep at ${c.chosen.t_s.toFixed(3)} s stands out little (band SNR ${Number(c.chosen.band_snr_db).toFixed(1)} dB, confidence ${Number(c.chosen.confidence).toFixed(2)})` });
    }
    if (c.chosen && st.kind === 'video' && Number(c.chosen.confidence) < 0.5) {
      st.warnings.push({ code: 'low_contrast', message: `${w} flash at ${c.chosen.t_s.toFixed(3)} s stands out little (score ${Number(c.chosen.score).toFixed(1)})` });
    }
  }
  checkFlashRegions(st);
  return ambiguous;
}
