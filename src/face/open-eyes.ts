/**
 * A "closed" eye is a blink only where the same face's eyes were seen open shortly before. A blink closes an open eye
 * and reopens it within ~100-400 ms (Caffier et al. 2003, Eur. J. Appl. Physiol. 89), and the eye aspect ratio it
 * follows is a drop from the eye's own open level (Soukupová & Čech 2016 threshold the drop at 0.2 for eyes open at
 * ~0.3). An eye under a skin-coloured patch gives the mesh no lid line: it draws the eye half shut, EAR 0.07-0.24
 * frame after frame, hovering round the threshold (ttrial48b W4: coverB_tight.mp4 read `blink` true on 3 of 10 frames;
 * coverL_skin.mp4's covered eye 0.18-0.22), while the region reads visible (0.5-0.75; single-frame cues could not
 * tell it from a real closed lid: tface49b). Such an eye is never seen open, so its `blink` is null with
 * 'eye_not_seen_open'. Megamind.avi's five blinks close from an open level of 0.37-0.48 seen within 1 s.
 */

/**
 * An eye reads open from this multiple of --blink-ear (0.30 at the default 0.2). Measured (2026-12-06): every decided
 * frame of Megamind.avi had each eye at 0.373 or more within the second before it; eyes under the trial's skin patches
 * read at most 0.268 (coverB_skin), 0.240 (coverB_tight), 0.225 (coverL_skin). Eyes open narrower than 0.30 read null.
 */
export const OPEN_EAR_FACTOR = 1.5;
/** How recently both eyes must have read open for a frame's `blink` to be decided (a blink lasts under 0.5 s). */
export const OPEN_SEEN_S = 1;

type EyeTimes = { left: number | null; right: number | null };

/** Per face id, when each eye last read open (its visible EAR at least OPEN_EAR_FACTOR x the blink threshold). */
export class OpenEyeMemory {
  private readonly lastOpen = new Map<number, EyeTimes>();
  constructor(private readonly blinkEar: number) {}

  /**
   * Notes face `id`'s eyes at `t` (source seconds; EARs null where an eye is not visible or outside the picture) and
   * says whether both were seen open within OPEN_SEEN_S up to and including this frame.
   */
  seenOpen(id: number, t: number, ears: { left: number | null; right: number | null }): boolean {
    const open = OPEN_EAR_FACTOR * this.blinkEar;
    const last = this.lastOpen.get(id) ?? { left: null, right: null };
    if (ears.left !== null && ears.left >= open) last.left = t;
    if (ears.right !== null && ears.right >= open) last.right = t;
    this.lastOpen.set(id, last);
    this.forgetBefore(t - OPEN_SEEN_S);
    const recent = (s: number | null) => s !== null && t - s <= OPEN_SEEN_S;
    return recent(last.left) && recent(last.right);
  }

  /** Drops faces whose eyes were last open before `t` (ids count up: a long run would keep every one). */
  private forgetBefore(t: number): void {
    for (const [id, s] of this.lastOpen) if ((s.left ?? -Infinity) < t && (s.right ?? -Infinity) < t) this.lastOpen.delete(id);
  }
}

/** A frame's blink with the open-eye rule: a decided blink (true or false) becomes null where the eyes were not seen open. */
export function gatedBlink(blink: boolean | null, reason: string | null, seenOpen: boolean): { blink: boolean | null; reason: string | null } {
  if (blink === null || seenOpen) return { blink, reason };
  return { blink: null, reason: 'eye_not_seen_open' };
}
