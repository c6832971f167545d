/**
 * Why a stream that has a chosen pulse of its own was left unplaced (trial29 LOUD-MISLEADING-1): a soundless copy of
 * the demo camera, searched whole (--search-s 0) with --pick strongest, had its flash at 2.110 s chosen, yet the refusal
 * read "no flash in the whole file ... check that the LED is in view", contradicting the run without --pick that named
 * that flash. The flash was there; what it lacked was a partner: a pulse pairs only with a placed stream's pulse of
 * the same window (place.ts placeByPulse), and the lav's beep lay in its file's second half (its end window). Only on
 * the refusal path (report.ts refuseUnplaced): no placement changes.
 */
import type { StreamState } from '../streams.js';
import { acrossPartner, halfWords, onlyPulse, otherHalf, secondPulseSeen } from '../across.js';
import type { Ends } from '../windows.js';

type W = 'start' | 'end';

/** Where a window lies in a file, for the line: a whole file searched (--search-s 0) is split at its half. */
function windowWords(w: W, searchS: number): string {
  if (searchS > 0) return `${w} window`;
  return `${w} window (the ${w === 'start' ? 'first' : 'second'} half of its file, searched whole)`;
}

/** The stream's own chosen pulse in window `w`, as --pick's choice (with the policy's reason) when the rule forced it. */
function ownPulse(s: StreamState, w: W): string {
  const c = s.chosen[w] as NonNullable<StreamState['chosen'][W]>;
  const what = `${w}-window ${s.kind === 'audio' ? 'beep' : 'flash'} at ${c.t_s.toFixed(3)} s`;
  // choose.ts: `--pick <rule> chose the <window> <beep|flash> at <t> s (<why>); check it`.
  const forced = s.warnings.map((x) => (x.code === 'forced_pick' ? /^--pick (\S+) chose the (?:start|end) \S+ at (\S+) s \(([\s\S]*)\); check it$/.exec(x.message) : null)).find((m) => m && m[2] === c.t_s.toFixed(3));
  return forced ? `--pick ${forced[1]} chose its ${what} (${forced[3]})` : `its ${what} was found`;
}

/** What the other streams hold in the windows `s` has no pulse in, or what keeps their pulse in its window from placing it. */
function partners(s: StreamState, states: StreamState[], own: W[], searchS: number): string[] {
  const out: string[] = [];
  for (const x of states) {
    if (x === s) continue;
    const name = `${x.file} ${x.kind} stream ${x.stream}`;
    const same = own.filter((w) => x.chosen[w]);
    if (same.length && !x.placed) out.push(`${name}'s ${same[0]}-window pulse at ${(x.chosen[same[0]] as { t_s: number }).t_s.toFixed(3)} s is not placed itself`);
    else if (!same.length) {
      const other = (['start', 'end'] as const).find((w) => x.chosen[w]);
      if (other) out.push(`${name}'s pulse at ${(x.chosen[other] as { t_s: number }).t_s.toFixed(3)} s is in its ${windowWords(other, searchS)}`);
    }
  }
  return out;
}

/**
 * The refusal's reason for a stream with a chosen pulse that placed nothing, or null when it has none (the caller then
 * says no pulse was found). Names the pulse (and --pick's choice), then why no placed stream's pulse paired with it.
 */
export function unpairedPulseWhy(s: StreamState, states: StreamState[], o: { searchS: number; ends: Ends; onePulse?: boolean }): string | null {
  const { searchS } = o;
  const own = (['start', 'end'] as const).filter((w) => s.chosen[w]);
  if (!own.length) return null;
  const across = searchS > 0 ? null : acrossWhy(s, states, o);
  if (across) return across;
  const others = partners(s, states, own, searchS);
  const none = `no placed stream has a pulse in the same window to pair it with (a pulse places a stream only against a placed stream's pulse in the same window)`;
  return `${own.map((w) => ownPulse(s, w)).join(' and ')}, but ${none}${others.length ? `: ${others.join('; ')}` : ''}`;
}

/**
 * Whole files (--search-s 0): the stream's only pulse and a placed stream's only pulse lie in different halves
 * (across.ts). The line says both, that they pair only if they are one pulse, that the files cannot tell, the offset
 * pairing them would give, and --one-pulse (or, when given, the second pulse that stopped it). Null otherwise.
 */
function acrossWhy(s: StreamState, states: StreamState[], o: { ends: Ends; onePulse?: boolean }): string | null {
  const w = onlyPulse(s);
  const from = acrossPartner(s, states);
  if (!w || !from?.placed) return null;
  const a = (from.chosen[otherHalf(w)] as { t_s: number }).t_s;
  const b = (s.chosen[w] as { t_s: number }).t_s;
  const p = from.placed;
  const offset = a + p.offset + (p.k ?? 0) * a - b;
  const theirs = `${from.file} ${from.kind} stream ${from.stream}'s ${from.kind === 'audio' ? 'beep' : 'flash'} at ${a.toFixed(3)} s lies in the ${halfWords(otherHalf(w))} of its file`;
  const head = `${ownPulse(s, w)}, in the ${halfWords(w)} of its file (searched whole), and ${theirs}: pulses pair only within the same half, and these two would pair only if they are one pulse`;
  const cannot = `two files with one pulse each look the same whether the session had one pulse (devices started at different times put it in different halves) or a start and an end pulse seen one by each (a recorder started after the first, a camera stopped before the second), so they are not paired (paired, they would place it at offset ${offset >= 0 ? '+' : ''}${offset.toFixed(3)} s)`;
  const second = secondPulseSeen(states);
  const way = o.onePulse
    ? `--one-pulse is given, but ${second ?? 'a check refused the pairing'}, which one pulse does not give: not paired`
    : o.ends === 'start'
      ? 'if the session had one pulse, --one-pulse pairs them'
      : '--ends both says the session had a pulse at each end; if it had one only, --ends start --one-pulse pairs them';
  return `${head}; ${cannot}; ${way}`;
}
