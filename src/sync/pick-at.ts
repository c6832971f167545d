/**
 * --pick at:T (choose.ts): the reference's beep is the one nearest T; every other sound's beep in that window is the
 * one whose pairing with it the content supports. Each of the stream's candidate beeps gives an offset (the
 * reference's beep's time minus its own); the content, every pulse masked (content-mismatch.ts withoutPulses), is read
 * at those offsets only (beep-pairing.ts contentZ: the multiple-hypothesis test of a small candidate set) and must
 * support one clearly (z MIN_FINE_Z or more and CLEAR_RATIO times every other's), else no beep is chosen and the
 * stream goes to its other routes with the reason. A window with one beep keeps the policy's choice. ttrial49 R2 (s02b): a phone's ringtone (1 kHz bursts, louder at the
 * phone than the beep) before the beep; the phone's beep could not be chosen by first or strongest.
 */
import { CLEAR_RATIO, contentZ, mayBeBeep, type MaskedPair } from './checks/beep-pairing.js';
import { withoutPulses } from './checks/content-mismatch.js';
import { candidatesOf, distinctPulses, type PickRule } from './choose.js';
import { pulsesOf } from './place.js';
import type { Candidate, StreamState } from './streams.js';
import { MIN_FINE_Z } from './xcorr/xcorr.js';

/** The masked window pair of the reference's window w and the stream's, or none when either was not kept. */
function maskedPair(st: StreamState, ref: StreamState, w: 'start' | 'end'): MaskedPair[] {
  const [a, aT0] = w === 'start' ? [ref.kept, ref.keptT0] : [ref.keptEnd, ref.keptEndT0];
  const [b, bT0] = w === 'start' ? [st.kept, st.keptT0] : [st.keptEnd, st.keptEndT0];
  if (!a?.length || !b?.length || ref.sampleRate !== st.sampleRate) return [];
  return [{ a: withoutPulses(a, aT0, st.sampleRate, pulsesOf(ref)), aT0, b: withoutPulses(b, bT0, st.sampleRate, pulsesOf(st)), bT0 }];
}

/** Chooses st's beep in window w by its pairing with the reference's chosen (picked) beep there; says what it did. */
export function chooseByPairing(st: StreamState, ref: StreamState, w: 'start' | 'end', pick: PickRule): void {
  const refBeep = ref.chosen[w];
  if (!refBeep || st.kind !== 'audio' || ref.kind !== 'audio') return;
  const cands = distinctPulses(candidatesOf(st, w)).filter((c) => mayBeBeep(c) && c.damaged !== true);
  // One beep: the policy's choice stands (place.ts refuseUnclearPairing reads the reference's other beeps' pairings).
  if (cands.length < 2) return;
  const pairs = maskedPair(st, ref, w);
  // The reference's clock is its own (offset 0, no drift): a pairing's lag is its offset, at every time.
  const scored = cands.map((c) => ({ c, z: contentZ(pairs, st.sampleRate, refBeep.t_s - c.t_s, (offset) => offset) })).sort((a, b) => (b.z ?? -1) - (a.z ?? -1));
  const [best, next] = scored;
  const zs = (z: number | null) => (z === null ? 'unreadable' : `z ${z.toFixed(1)}`);
  const said = `the one whose pairing with ${ref.file}'s beep at ${refBeep.t_s.toFixed(3)} s its content supports (${zs(best.z)}${next ? `; next, its beep at ${next.c.t_s.toFixed(3)} s: ${zs(next.z)}` : ''}, pulses masked)`;
  const clear = best.z !== null && best.z >= MIN_FINE_Z && (!next || next.z === null || best.z >= CLEAR_RATIO * next.z);
  st.warnings = st.warnings.filter((x) => !(x.code === 'unplaceable_pulse' && x.message.startsWith(`${w}-window`)) && !(x.code === 'extra_pulses' && x.message.includes(`the ${w} window`)));
  if (!clear) {
    st.chosen[w] = null;
    st.warnings.push({ code: 'unplaceable_pulse', message: `${w}-window candidate at ${best.c.t_s.toFixed(3)} s not used: --pick ${pick} took ${ref.file}'s beep at ${refBeep.t_s.toFixed(3)} s, and no beep of this recording's ${cands.length} in its ${w} window is ${said.replace(/^the one /, 'one ')}: z ${MIN_FINE_Z} or more and ${CLEAR_RATIO} times every other's needed` });
    return;
  }
  st.chosen[w] = best.c as Candidate;
  st.forcedPick = pick;
  st.warnings.push({ code: 'forced_pick', message: `--pick ${pick} chose the ${w} beep at ${best.c.t_s.toFixed(3)} s (${said}); check it` });
}
