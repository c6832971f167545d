/**
 * A camera that stopped recording before the session's end pulse (the mirror of late-camera.ts, issue 11): under
 * --ends both its sound, placed by its start beep (or by cross-correlation), puts the reference's end beep after the
 * picture's last frame, so its end window cannot show that flash. The lines said what an end window without a flash
 * says ("no usable pulse in the end window", or the refusal's "no flash in the first and last 60 s ... check that
 * the LED is in view"), sending the user to an LED that was fine. Only messages change here: the end window is still
 * searched as before, and the start pulse places the picture when it can (then `other_route` says so).
 */
import { isStill, type ProbedFile, type StreamState } from '../streams.js';
import type { FlashGuide } from '../flash/scan-video.js';
import { pairSpan } from '../flash/flash-pair.js';

/** Where a video stream's picture ends on its file's clock (its start + its stated length), or null when not stated. */
export function pictureEndS(st: StreamState, q: ProbedFile): number | null {
  const s = q.p.streams.filter((x) => x.type === 'video' && !isStill(x))[st.stream];
  if (!s || s.duration_s === null) return null;
  return (s.start_time_s ?? q.p.start_time_s ?? 0) + s.duration_s;
}

/** The end guide whose pulse, with its tolerance (3 frames + 50 ms of skew: flashGuides), lies wholly after `endS`. */
export function guideAfterPicture(guides: FlashGuide[], endS: number | null): FlashGuide | null {
  if (endS === null) return null;
  return guides.find((g) => g.window === 'end' && g.t_s - g.tolerance_s > endS) ?? null;
}

const PREFIX = 'end window: the session\'s end pulse falls ';

/** The end window's line for an end pulse after the picture's last frame. */
function endAfterLine(g: FlashGuide, endS: number): string {
  return `${PREFIX}${(g.t_s - endS).toFixed(1)} s after this camera's recording ended (it stopped early: the pulse at ${g.t_s.toFixed(3)} s on its clock, where its sound puts it; its picture ends at ${endS.toFixed(3)} s), so its picture cannot show that flash`;
}

/**
 * After the pulses are chosen: a picture without an end pulse whose end guide falls after its recording ended gets
 * that line as its end window's `unplaceable_pulse` (in place of what the frames there showed), so the refusal and
 * the start pulse's `other_route` note say it.
 */
export function noteEndAfterPicture(st: StreamState): void {
  const a = st.endAfter;
  if (!a || st.chosen.end) return;
  st.warnings = st.warnings.filter((w) => !(w.code === 'unplaceable_pulse' && /^end[ -]window/.test(w.message)));
  st.warnings.push({ code: 'unplaceable_pulse', message: endAfterLine(a.guide, a.endS) });
}

/**
 * The refusal's reason for a picture whose end pulse fell after its recording ended and which has no pulse at the
 * start either: both windows said (the start one as the reason its own line gives, or that no flash was found there).
 */
export function endAfterWhy(s: StreamState): string | null {
  const end = s.warnings.find((w) => w.code === 'unplaceable_pulse' && w.message.startsWith(PREFIX));
  if (!end || s.chosen.start) return null;
  const start = s.warnings.find((w) => w.code === 'unplaceable_pulse' && /^start[ -]window/.test(w.message));
  const head = start ? start.message : 'start window: no flash (no light in view went on and off again as a pulse does: check that the LED is in view and dark before and after each pulse; one lit throughout shows none)';
  return `${head}; ${end.message}`;
}

/** flash.ts unplaceableReason's line for a pair candidate whose partner was not found. */
const NO_PARTNER = ": no flash at the other end at the reference's interval matches it";

/**
 * A camera without sound of its own, under --ends both (issue 11): its start flash is judged only as one end of a
 * start/end pair at the reference's interval (flash-pair.ts), and a camera that stopped before the end pulse has no
 * end flash to pair it with. Its candidate's line said only that no flash at the other end matched it. When even the
 * earliest end onset that interval allows (flash-pair.ts pairSpan: drift and two frames) falls after the picture's end,
 * the line says so. "If": a candidate need not be the start flash. Only when no start/end pair was found at all (none
 * `paired`): scene variant 140's soundless testsrc2 camera, placed by its pair, had two clutter candidates late in
 * its start window that the first version of this note called a camera that "stopped early". Mutates the reasons.
 */
export function notePairEndAfterPicture(st: StreamState, endS: number | null): void {
  const h = st.flashPair;
  if (endS === null || !h || h.interval_s === null || st.frameS === null || st.detections.some((d) => d.paired === true)) return;
  const earliest = pairSpan(h, st.frameS)[0];
  for (const d of st.detections) {
    const why = d.unplaceable_reason;
    const t = Number(d.t_s);
    if (d.window !== 'start' || typeof why !== 'string' || !why.endsWith(NO_PARTNER) || !(t + earliest > endS)) continue;
    const at = t + h.interval_s;
    d.unplaceable_reason = `${why}: if it is the start flash, the end pulse ${h.interval_s.toFixed(3)} s later falls at ${at.toFixed(3)} s on its clock, ${(at - endS).toFixed(1)} s after this camera's recording ended (its picture ends at ${endS.toFixed(3)} s): a camera that stopped before the end pulse cannot show that flash, and there is no pair to judge (--ends start judges the start flash alone)`;
  }
}
