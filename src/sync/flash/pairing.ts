/**
 * A picture without sound of its own placed by one flash: its flash is paired with the reference's beep in the same
 * window, and nothing checks that pairing (a camera with sound has its content cross-checked, place.ts crossCheck; a
 * second pulse checks the interval). A soundless camera restarted mid-session that saw only a later flash was placed
 * off by the time between the two beeps, confidence 0.989, exit 0, with no word (measured 2026-12-02: 28.5 s off on
 * a still wall, --search-s 10; refused under --ends both). Flagged (`pairing_unchecked`, told on stderr).
 */
import type { Candidate, StreamState } from '../streams.js';
import { PICTURE_PAUSE_WORDS } from '../checks/continuity.js';

export function warnUncheckedPairing(states: StreamState[]): void {
  for (const s of states) {
    const used = s.placed?.method === 'flash' ? s.placed.used ?? [] : [];
    if (s.kind !== 'video' || used.length !== 1 || states.some((x) => x.abs === s.abs && x.kind === 'audio')) continue;
    const from = s.placed?.from;
    // Its partner's pulse lies in the other half of its file when --one-pulse paired them (across.ts).
    const theirs = s.placed?.fromUsed?.[0] ?? used[0];
    const beep = from ? `${from.file}'s ${theirs} beep` : `the reference's ${theirs} pulse`;
    // Under --ends start the continuity check's line for the same picture (continuity_unchecked) is said here, in one line.
    const cont = s.warnings.findIndex((w) => w.code === 'continuity_unchecked');
    if (cont >= 0) s.warnings.splice(cont, 1);
    const nor = cont >= 0 ? `, nor that its clock ran on to its end (${PICTURE_PAUSE_WORDS}; its packet times hold no jump of 2 s or more)` : '';
    s.warnings.push({
      code: 'pairing_unchecked',
      message: `placed by pairing its ${used[0]} flash with ${beep} alone: ${loneWords(s.chosen[used[0]])}with no sound of its own and no second pulse, nothing checks that this flash was lit with that beep (a camera restarted mid-session that saw only a later flash would be placed off by the time between the two beeps)${nor}; a pulse at the session's end as well, with --ends both, checks ${cont >= 0 ? 'both' : 'it'}`,
    });
  }
}

/**
 * What placed it, in words: one flash judged by itself (the lone search's margin over the window's strongest other
 * event, flash.ts marginReason), which no pulse-free window of the scene sets passed (docs/sync.md "The LED"). Empty
 * for a flash judged as one end of a pair (its other end then dropped).
 */
function loneWords(c: Candidate | null): string {
  if (!c || c.paired === true) return '';
  const score = Number(c.score);
  const other = Number(c.null_max);
  const margin = other > 0 ? `${(score / other).toFixed(1)}x the strongest other event in its search window (score ${other.toFixed(1)})` : 'with no other event in its search window';
  return `one flash judged by itself, scoring ${margin} (placed from 6x, 1.5x for a whole-frame flash; exit 0), and `;
}
