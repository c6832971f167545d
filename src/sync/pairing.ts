/**
 * A picture without sound of its own placed by one flash: its flash is paired with the reference's beep in the same
 * window, and nothing checks that pairing (a camera with sound has its content cross-checked, place.ts crossCheck; a
 * second pulse checks the interval). A soundless camera restarted mid-session that saw only a later flash was placed
 * off by the time between the two beeps, confidence 0.989, exit 0, with no word (measured 2026-12-02: 28.5 s off on
 * a still wall, --search-s 10; refused under --ends both). Flagged (`pairing_unchecked`, told on stderr).
 */
import type { StreamState } from './streams.js';

export function warnUncheckedPairing(states: StreamState[]): void {
  for (const s of states) {
    const used = s.placed?.method === 'flash' ? s.placed.used ?? [] : [];
    if (s.kind !== 'video' || used.length !== 1 || states.some((x) => x.abs === s.abs && x.kind === 'audio')) continue;
    const from = s.placed?.from;
    const beep = from ? `${from.file}'s ${used[0]} beep` : `the reference's ${used[0]} pulse`;
    s.warnings.push({
      code: 'pairing_unchecked',
      message: `placed by pairing its ${used[0]} flash with ${beep} alone: with no sound of its own and no second pulse, nothing checks that this flash was lit with that beep (a camera restarted mid-session that saw only a later flash would be placed off by the time between the two beeps); a pulse at the session's end as well, with --ends both, checks it`,
    });
  }
}
