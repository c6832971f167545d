/**
 * Which clock a transcript's or ratings file's times fit: the declared one (`transcript_clock`, `labels_clock`; empty
 * is the reference's) or another stream's of the session's sync.json. A camera-clock transcript with an empty
 * `transcript_clock` was read as the lav's: every utterance 1.25 s late (ttrial50 W1, session D) or 414 ms early (B),
 * words on silence, exit 0; the older guard (offClockTranscriptWarning) saw it only when every utterance was unvoiced.
 *
 * The measure follows ffsubsync (Macke, github.com/smacke/ffsubsync), which aligns subtitles by the agreement between
 * their spans and a voice-activity detector's output; here only the offsets sync.json offers are scored, not a search.
 * Score: the share of voiced audio frames (audio.jsonl `voiced`) inside the spans (words where the file times them,
 * else utterances or rated spans) minus the share in the frames within NEAR_S of a span but outside every span. Words
 * on their speech give a high share inside and a low one around; spans shifted by a clock's offset take in the pause
 * beside them and leave speech outside. On the trial's 8 sessions (A-G2) the right clock gave 0.33 to 0.58 (words,
 * utterances, rated spans) and the wrong one -0.25 to 0.17, so another clock is said to fit when its score is at least
 * FIT_MIN and beats the declared clock's by FIT_MARGIN.
 * Numeric kernel only (no I/O): build-session.ts feeds it the audio frames it streams anyway.
 */
import type { Clock } from '../sync/clock.js';

/** Frames this near a span (s) but outside every span are its surroundings. */
export const NEAR_S = 0.25;
/** A clock whose contrast is below this shows no speech structure in the spans: it is not named as fitting. */
export const FIT_MIN = 0.2;
/** Another clock fits clearly better when its contrast beats the declared clock's by this much. */
export const FIT_MARGIN = 0.15;
/** Fewer spans than this (a transcript of 1-2 words) are not checked: too few to tell clocks apart. */
export const MIN_SPANS = 3;
/**
 * Clocks that place every span within this of the declared clock (s) are not compared: ASR word times are often off
 * by 0.1-0.2 s, and a camera that close would then "fit better" for the transcript's own error, not its clock.
 */
export const SAME_CLOCK_S = 0.2;

/** The audio grid's voicing: frame k at t0 + k * step, 1 voiced, 0 unvoiced, NaN unknown (sync beep, no F0 field). */
export interface VoicingGrid {
  t0: number;
  step: number;
  voiced: ArrayLike<number>;
}

/** Collects a voicing grid from audio frames streamed in time order (frames on a regular grid: frames.ts checks it). */
export class VoicingTap {
  private t0 = NaN;
  private values: number[] = [];
  constructor(private readonly step: number) {}
  push(frame: { t_s: number; voiced?: unknown }): void {
    if (Number.isNaN(this.t0)) this.t0 = frame.t_s;
    this.values.push(typeof frame.voiced === 'boolean' ? (frame.voiced ? 1 : 0) : NaN);
  }
  grid(): VoicingGrid | null {
    return this.values.length ? { t0: this.t0, step: this.step, voiced: Float32Array.from(this.values) } : null;
  }
}

export interface Contrast {
  /** Voiced share inside the spans minus that in their surroundings; null when either holds no frame with a voicing. */
  contrast: number | null;
  inside: number | null;
  around: number | null;
}

/** The voicing contrast of spans (reference-clock seconds) on a grid (see the file's comment). */
export function voicingContrast(spans: ReadonlyArray<readonly [number, number]>, g: VoicingGrid, near = NEAR_S): Contrast {
  const n = g.voiced.length;
  const mark = new Uint8Array(n); // 1 inside a span, 2 in a span's surroundings only
  for (const [a, b] of spans) {
    const k0 = Math.max(0, Math.ceil((a - near - g.t0) / g.step - 1e-9));
    for (let k = k0; k < n; k++) {
      const t = g.t0 + k * g.step;
      if (t >= b + near) break;
      if (t >= a && t < b) mark[k] = 1;
      else if (mark[k] === 0) mark[k] = 2;
    }
  }
  const sum = [0, 0, 0];
  const cnt = [0, 0, 0];
  for (let k = 0; k < n; k++) {
    const v = g.voiced[k];
    if (mark[k] === 0 || Number.isNaN(v)) continue;
    sum[mark[k]] += v;
    cnt[mark[k]]++;
  }
  const inside = cnt[1] ? sum[1] / cnt[1] : null;
  const around = cnt[2] ? sum[2] / cnt[2] : null;
  return { inside, around, contrast: inside !== null && around !== null ? inside - around : null };
}

/** A clock a file's times may be on: the reference role's (identity) or another role's stream in sync.json. */
export interface RoleClock {
  role: string;
  clock: Clock;
}

/** manifest.json `sessions[].clock_check.transcript` / `.labels`: what the check found, with its figures. */
export interface ClockFit {
  /** The role whose clock the times were read on (the column's, or the reference role when it is empty). */
  declared: string;
  checked: boolean;
  /** Why it was not checked, or null. */
  reason: string | null;
  /** Per role, the voicing contrast of the spans read on its clock (rounded to 3 decimals; null: no frames). */
  contrast: Record<string, number | null>;
  /** The role whose clock fits clearly better than the declared one, or null. */
  fits_better: string | null;
}

const r3 = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);

/**
 * Compares the declared clock with every other role's for spans given in the file's own times (`raw`): the contrast
 * under each, and the role that fits clearly better (FIT_MIN, FIT_MARGIN), if any. Roles whose clock places the spans
 * within SAME_CLOCK_S of the declared one are left out (the camera's own sound and picture, a second lav).
 */
export function clockFit(raw: ReadonlyArray<readonly [number, number]>, declared: RoleClock, others: readonly RoleClock[], g: VoicingGrid | null): ClockFit {
  const out: ClockFit = { declared: declared.role, checked: false, reason: null, contrast: {}, fits_better: null };
  const ends = raw.flatMap(([a, b]) => [a, b]);
  const apart = others.filter((o) => o.role !== declared.role && ends.some((t) => Math.abs(o.clock(t) - declared.clock(t)) >= SAME_CLOCK_S));
  if (apart.length === 0) return { ...out, reason: `no other clock in sync.json places these times ${SAME_CLOCK_S} s or more apart` };
  if (raw.length < MIN_SPANS) return { ...out, reason: `${raw.length} span(s): too few to tell the clocks apart (at least ${MIN_SPANS})` };
  if (!g) return { ...out, reason: 'no audio frames with a voicing' };
  const on = (c: Clock) => voicingContrast(raw.map(([a, b]) => [c(a), c(b)] as const), g).contrast;
  const mine = on(declared.clock);
  out.contrast[declared.role] = r3(mine);
  let best: { role: string; c: number } | null = null;
  for (const o of apart) {
    const c = on(o.clock);
    out.contrast[o.role] = r3(c);
    if (c !== null && (best === null || c > best.c)) best = { role: o.role, c };
  }
  if (mine === null) return { ...out, reason: 'the spans read on the declared clock hold no audio frame with a voicing' };
  out.checked = true;
  if (best && best.c >= FIT_MIN && best.c - mine >= FIT_MARGIN) out.fits_better = best.role;
  return out;
}

/** The spans of a transcript the check reads: each word where the file times it, else the utterance. */
export function transcriptSpans(utts: ReadonlyArray<{ start_s: number; end_s: number; words: ReadonlyArray<{ start_s: number; end_s: number }>; word_timing: string }>): Array<[number, number]> {
  return utts.flatMap((u) => (u.word_timing === 'source' && u.words.length ? u.words.map((w) => [w.start_s, w.end_s] as [number, number]) : [[u.start_s, u.end_s] as [number, number]]));
}
