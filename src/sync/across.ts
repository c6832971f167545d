/**
 * Pulses in different halves of whole files (--search-s 0; issue 11, trial29 session E). A pulse pairs with a placed
 * stream's pulse in the same window only (place.ts placeByPulse): a file's first half holds its start pulse, its
 * second half its end pulse. Devices that start at different times put one pulse in different halves: a 17.9 s lav
 * with the beep at 9.42 s and a soundless 10 s camera, started 7.3 s later, with the flash at 2.11 s. Nothing in two
 * such files tells one pulse from a session's start and end pulses seen one by each (a recorder started after the
 * start pulse, a camera stopped before the end one: the same two halves, the same single pulse each; the spans overlap
 * either way, since each file holds its pulse). So they are paired only when the user says the session had one pulse
 * (--one-pulse), and even then not when a stream shows a second one: pulses in both halves of its file, or a sound
 * with a beep candidate (refused or not) in the half its pulse is not in. Otherwise the refusal says what is true
 * (unpaired.ts). A picture's other candidates do not count as a second pulse: clutter gives most pictures some.
 */
import type { StreamState } from './streams.js';

export type Half = 'start' | 'end';

export const otherHalf = (w: Half): Half => (w === 'start' ? 'end' : 'start');

/** The window of a stream's only chosen pulse, or null when it has none or two. */
export function onlyPulse(s: StreamState): Half | null {
  const ws = (['start', 'end'] as const).filter((w) => s.chosen[w]);
  return ws.length === 1 ? ws[0] : null;
}

/** `first half` / `second half`, as the lines name a whole file's windows. */
export const halfWords = (w: Half): string => (w === 'start' ? 'first half' : 'second half');

const name = (x: StreamState) => `${x.file} ${x.kind} stream ${x.stream}`;

/** A sound's beep candidate (not a voice's harmonic) in the half its only pulse is not in. */
function secondBeep(s: StreamState): { t_s: number } | null {
  const w = onlyPulse(s);
  if (s.kind !== 'audio' || !w) return null;
  const d = s.detections.find((x) => x.window === otherHalf(w) && x.harmonic_of_hz === undefined);
  return d ? { t_s: Number(d.t_s) } : null;
}

/** What shows that the session had more than one pulse, in words, or null. */
export function secondPulseSeen(states: StreamState[]): string | null {
  for (const x of states) {
    const { start, end } = x.chosen;
    if (start && end) return `${name(x)} has a pulse in each half of its file (${start.t_s.toFixed(3)} and ${end.t_s.toFixed(3)} s)`;
    const b = secondBeep(x);
    if (b) return `${name(x)} has a beep candidate at ${b.t_s.toFixed(3)} s in the other half of its file`;
  }
  return null;
}

/**
 * The placed stream of another file whose only pulse lies in the other half than `s`'s only pulse, when no placed
 * stream has a pulse in `s`'s half (else placeByPulse pairs them) and it was placed by a pulse (the reference, or its
 * beep or flash). Not the same file's other stream: one file has one clock and one half for one pulse.
 */
export function acrossPartner(s: StreamState, states: StreamState[]): StreamState | null {
  const w = onlyPulse(s);
  if (!w || states.some((x) => x !== s && x.placed && x.chosen[w])) return null;
  const byPulse = (x: StreamState) => x.placed?.method === 'reference' || x.placed?.method === 'tone' || x.placed?.method === 'flash';
  return states.find((x) => x.abs !== s.abs && byPulse(x) && onlyPulse(x) === otherHalf(w)) ?? null;
}

/** The `one_pulse` warning of a stream placed across halves (place.ts placeAcrossHalves). */
export function onePulseMessage(s: StreamState, from: StreamState): string {
  const w = onlyPulse(s) as Half;
  const what = (x: StreamState) => (x.kind === 'audio' ? 'beep' : 'flash');
  const a = (s.chosen[w] as { t_s: number }).t_s;
  const b = (from.chosen[otherHalf(w)] as { t_s: number }).t_s;
  return `placed by pairing its ${what(s)} at ${a.toFixed(3)} s (the ${halfWords(w)} of its file) with ${name(from)}'s ${what(from)} at ${b.toFixed(3)} s (the ${halfWords(otherHalf(w))} of its file) as the session's one pulse (--one-pulse): that they are one pulse is what --one-pulse says, nothing in the files checks it; had the session a start and an end pulse, one seen by each file, this stream is off by the time between them`;
}
