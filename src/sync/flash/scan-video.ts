/** Decodes only the search windows of one video stream (small, grey) and finds the flashes in them. */
import { VideoDecoder, type DecodeErrors } from '../../media/decode-video.js';
import type { ProbeResult } from '../../media/probe.js';
import { SAME_PULSE_S } from '../choose.js';
import { DamageLog, refuseDamaged } from './flash-damage.js';
import { DEFAULT_FLASH_MIN_CONFIDENCE, FlashScanner, type FlashDetection, type FlashScanOptions, type FlashTrack } from './flash.js';
import type { LightLeftOn } from './flash-step.js';
import { judgePair, type FlashPairHint } from './flash-pair.js';
import type { SearchWindow, WindowName } from '../windows.js';

/**
 * Where the same camera file's own beep says the flash must be (one device, one clock). The flash search looks
 * there first; `tolerance_s` allows for audio/video skew inside cameras; `duration_s` is the pulse length measured
 * at the reference microphone (null when unknown).
 */
export interface FlashGuide {
  window: WindowName;
  /** Expected flash onset on the video stream's own timeline, seconds. */
  t_s: number;
  tolerance_s: number;
  duration_s: number | null;
}

export interface VideoScanOptions extends FlashScanOptions {
  /** Audio-guided search (see FlashGuide); without guides the whole window is searched unguided. */
  guides?: FlashGuide[];
  stream?: number;
  /** Longest side of the decoded frames (default DEFAULT_FLASH_SIDE). */
  maxSide?: number;
  /**
   * What a cell averages: `value` each pixel's brightest channel (HSV V: a red, green or amber LED changes it as much
   * as a white one), `luma` the grey picture. Default: `value` for the guided search (the camera's own beep says
   * where) and for the start/end pair search (flash-pair.ts: its null, the file's own pulse-free pairs, is computed
   * from the same value track, so it is judged on the channel it was found in), `luma` for the lone unguided search:
   * its 6x margin was set on grey scores, and in value a colourful subject entering at the frame edge of the small
   * scene set's negative control scored 8.1x the window's next event (grey: 3.4x) and was placed (measured
   * 2026-11-30).
   */
  picture?: 'value' | 'luma';
  probed?: ProbeResult;
  /**
   * Guided: re-examine a guide's span at the source's resolution when the first look places nothing there (default
   * true; recheckGuide). false keeps the single look at `maxSide` (tests of what one decoded size sees).
   */
  recheck?: boolean;
  /**
   * Guided: search a guide's span once more for a light of any length in LENGTH_FREE_S when the looks with the beep's
   * length place nothing there (default true; lengthFreeGuide).
   */
  lengthFree?: boolean;
  /**
   * Unguided (no guides), a camera without its own beep: the reference's start/end beeps give the pulse length and
   * their interval, and the start and end flashes are judged as a pair (flash-pair.ts; needs start and end windows).
   * With a start beep only (interval null), a candidate must agree with the beep's length to be placed.
   */
  pairHint?: FlashPairHint;
  /** Where every look's decode logs its damaged frames (scanVideoFlash sets it: flash-damage.ts). */
  damageLog?: DamageLog;
  /** Looks kept from earlier searches of the same file, reused where one would decode and scan the same (FlashLooks). */
  looks?: FlashLooks;
}

/**
 * Longest side of the frames decoded for the flash search, px. With 4 px cells an LED must cover a good part of a
 * cell to be seen undiluted: at 160 px (the CLI's default before 2026-11-30) an 8 px LED of a 640 px picture filled at
 * most a quarter of one and scored under the placeable floor in busy scenes. 640 px (a cell of 4 source pixels) let
 * small details of a walking subject score as clean pulses and raised the pulse-free maximum 10-30x on the small
 * scene set, placing one whole-frame flash 21 frames early unguided (measured 2026-11-30): not used.
 */
export const DEFAULT_FLASH_SIDE = 320;

export interface VideoWindowResult {
  window: SearchWindow;
  detections: Array<FlashDetection & { window: WindowName }>;
  frames: number;
  /**
   * Seconds of the window the frames cover: from its start to the last frame's time plus one frame step, or the frame
   * count times the step when more (a stream starting after its file). A variable frame rate (a phone dropping
   * frames) covers its window with fewer frames than count x step: 4.2 s of 5 s, called truncated, before.
   */
  decoded_s: number;
  /** A light left on at, or since before, the camera's beep, or lit throughout (lengthFreeGuide): its onset and why it is no pulse. */
  left_on?: { t_s: number; reason: string; kind: LightLeftOn['kind'] };
}

export async function scanVideoFlash(file: string, windows: SearchWindow[], opts: VideoScanOptions = {}): Promise<{ windows: VideoWindowResult[]; decode_errors: DecodeErrors }> {
  const results: VideoWindowResult[] = [];
  const damage = new DamageLog();
  opts = { ...opts, damageLog: damage };
  const scans: SpanScan[] = [];
  const hint = opts.guides === undefined ? opts.pairHint : undefined;
  const paired = typeof hint?.interval_s === 'number' && windows.some((w) => w.name === 'start') && windows.some((w) => w.name === 'end');
  // Without a pair, the reference's beep still gives the pulse length: a candidate must agree with it.
  const scanOpts: FlashScanOptions = paired ? { ...opts, pair: { pulse_s: hint?.pulse_s ?? null } } : { ...opts, pulseS: hint?.pulse_s ?? null };
  let frameS = 0;
  const picture = opts.picture ?? (opts.guides !== undefined || paired ? 'value' : 'luma');
  for (const w of windows) {
    // Guided mode (guides given, even an empty list: the camera has sound): a window without a guide is searched,
    // but nothing found there is placeable (the camera's own sound has no beep there).
    const guides = (opts.guides ?? []).filter((g) => g.window === w.name);
    const noBeepHere = opts.guides !== undefined && guides.length === 0;
    const span = windowSpan(w, opts.probed?.start_time_s ?? 0);
    const scan = await scanSpan(file, w, span, guides, { ...opts, picture }, scanOpts, opts.maxSide ?? DEFAULT_FLASH_SIDE);
    damage.count(scan.decodeErrors);
    let found = scan.found;
    for (const g of guides) found = await recheckGuide(file, w, span, g, found, scan, { ...opts, picture }, scanOpts);
    const leftOn: Array<VideoWindowResult['left_on']> = [];
    for (const g of guides) found = await lengthFreeGuide(file, w, span, g, found, scan, { ...opts, picture }, scanOpts, leftOn);
    if (noBeepHere) for (const d of found) markNoBeep(d);
    const covered = scan.lastT_s === null ? 0 : scan.lastT_s + scan.frameS - (span.start ?? opts.probed?.start_time_s ?? 0);
    results.push({ window: w, detections: found, frames: scan.frames, decoded_s: Math.max(scan.frames * scan.frameS, covered), ...(leftOn[0] ? { left_on: leftOn[0] } : {}) });
    scans.push(scan);
    frameS ||= scan.frameS;
  }
  if (paired) {
    const at = (name: string) => results.findIndex((r) => r.window.name === name);
    const [s, e] = [at('start'), at('end')];
    judgePair({ track: scans[s].track, detections: results[s].detections }, { track: scans[e].track, detections: results[e].detections }, opts.pairHint as FlashPairHint, frameS, opts.minConfidence);
    await recheckPair(file, [results[s], results[e]], scans[s], { ...opts, picture }, scanOpts);
  }
  for (const r of results) refuseDamaged(r.detections, damage, frameS);
  return { windows: results, decode_errors: damage.errors };
}

/** A window's span on the stream's own timeline (the decoder's start and end, seconds; undefined: the file's edge). */
interface Span {
  start?: number;
  end?: number;
}

function windowSpan(w: SearchWindow, fileStart: number): Span {
  const start = w.start_s > 0 ? w.start_s + fileStart : undefined;
  return { start, end: w.duration_s === null ? undefined : (start ?? fileStart) + w.duration_s };
}

interface SpanScan {
  found: Array<FlashDetection & { window: WindowName }>;
  frames: number;
  /** The last decoded frame's time on the stream's clock (null: none). */
  lastT_s: number | null;
  track: FlashTrack;
  frameS: number;
  /** The length-free look's light switched on at its guide and left on (FlashScanner.leftOn). */
  leftOn: ReturnType<FlashScanner['leftOn']>;
  /** The decoded frames' longest side and the source's (display) longest side, px. */
  side: number;
  sourceSide: number;
  /** What ffmpeg reported of damaged data in this decode (decode-video.ts DecodeErrors). */
  decodeErrors: DecodeErrors;
}

/**
 * Looks (a span of a file decoded at a side and scanned) kept for later searches of the same, unchanged file. A look
 * does not depend on the start/end pair's interval: the scanner gets the pulse length only, and flash-pair.ts judges
 * the interval afterwards from the look's candidates and score track. So a clip searched at several intervals (the
 * tests' true and shifted ones; scripts/measure-sync-flash.mjs's session and mismatch searches) decodes each span
 * once, and every search is judged as if it had decoded it itself: its own copy of the candidates (judgePair marks
 * them), the look's damaged frames logged again. Keyed by everything a look reads besides the pair hint; `recheck`
 * (whether a search looks again at the source's resolution afterwards) is not read by a look either, so a search
 * with one look only (recheck: false) takes the first look of one with both.
 */
export class FlashLooks {
  private readonly kept = new Map<string, { scan: SpanScan; damagedAt: number[] }>();

  static key(file: string, w: SearchWindow, span: Span, guides: FlashGuide[], opts: VideoScanOptions, scanOpts: FlashScanOptions, maxSide: number): string {
    const { pairHint: _h, guides: _g, damageLog: _d, looks: _l, probed: _p, recheck: _r, ...scanner } = scanOpts as VideoScanOptions;
    return JSON.stringify([file, opts.stream ?? 0, opts.picture, opts.probed ?? null, w.name, span.start ?? null, span.end ?? null, maxSide, guides, scanner]);
  }

  /** A copy of the look kept under `key` (its damaged frames logged in `log`), or null. */
  take(key: string, log: DamageLog | undefined): SpanScan | null {
    const k = this.kept.get(key);
    if (!k) return null;
    for (const t of k.damagedAt) log?.frame(t);
    return { ...k.scan, found: structuredClone(k.scan.found), decodeErrors: { ...k.scan.decodeErrors } };
  }

  /** How many looks are kept (a test's check that a search took a kept look instead of decoding its own). */
  get size(): number {
    return this.kept.size;
  }

  keep(key: string, scan: SpanScan, damagedAt: number[]): void {
    this.kept.set(key, { scan: { ...scan, found: structuredClone(scan.found), decodeErrors: { ...scan.decodeErrors } }, damagedAt });
  }
}

/** Decodes one span of a window at `maxSide` and runs the flash scanner over it (or takes the look from opts.looks). */
async function scanSpan(file: string, w: SearchWindow, span: Span, guides: FlashGuide[], opts: VideoScanOptions, scanOpts: FlashScanOptions, maxSide: number): Promise<SpanScan> {
  const key = opts.looks ? FlashLooks.key(file, w, span, guides, opts, scanOpts, maxSide) : '';
  const kept = opts.looks?.take(key, opts.damageLog);
  if (kept) return kept;
  const damagedAt: number[] = [];
  const scan = await decodeAndScan(file, w, span, guides, opts, scanOpts, maxSide, damagedAt);
  opts.looks?.keep(key, scan, damagedAt);
  return scan;
}

async function decodeAndScan(file: string, w: SearchWindow, span: Span, guides: FlashGuide[], opts: VideoScanOptions, scanOpts: FlashScanOptions, maxSide: number, damagedAt: number[]): Promise<SpanScan> {
  // One decoding thread (countDamage), so that each damaged picture is known (flash-damage.ts).
  const dec = await VideoDecoder.open(file, { stream: opts.stream ?? 0, start: span.start, end: span.end, maxSide, pixelFormat: opts.picture === 'value' ? 'rgb24' : 'gray', probed: opts.probed, countDamage: true });
  // A whole-file window ('all') may hold the pulses of both ends.
  const scanner = new FlashScanner(1 / dec.geometry.scale, scanOpts, guides, w.name === 'all' ? 2 : 1);
  let frames = 0;
  let lastT_s: number | null = null;
  for await (const f of dec) {
    scanner.push(f);
    // The scanner keeps the frame's cell means only: its buffer goes back to the decoder for the next frame.
    dec.release(f.data);
    if (f.damaged) {
      opts.damageLog?.frame(f.t_s);
      damagedAt.push(f.t_s);
    }
    frames++;
    lastT_s = f.t_s;
  }
  const found = scanner.finish().map((d) => ({ ...d, window: w.name }));
  const g = dec.geometry;
  return { found, frames, lastT_s, track: scanner.track(), frameS: scanner.frameS(), leftOn: scanner.leftOn(), side: Math.max(g.width, g.height), sourceSide: Math.max(g.displayWidth, g.displayHeight), decodeErrors: { ...dec.decodeErrors } };
}

/**
 * Guided re-examination at the source's resolution (up to RECHECK_SIDE): a window whose guide found no placeable
 * flash at the default side is decoded again around the guide (± RECHECK_HALF_SPAN_S) at up to 640 px and searched
 * with the same guide. An 8 px LED of a 640 px picture is 4 px at 320, split over up to four 4 px cells, and in a
 * busy scene (a flickering cellular automaton) it scored under the placeable floor; at 640 it fills whole cells
 * (cellauto scenes of variants 1, 8, 14, 17, 19: scores 10-24 against 5-9 at 320). The second look is judged like the
 * first (score >= minScore, its own null from the same re-decoded frames, shape, within the beep's span) but at half
 * the false-pulse budget (confidence >= 1 - (1 - minConfidence)/2, a Bonferroni split), so both looks together
 * expect at most 1.5x the false pulses of one, and with a lone unguided candidate's shape rules (FlashScanOptions
 * strict: a tight fit, nothing arriving through the cells around it). Unguided searches are never re-examined: at 640 px a walking subject's
 * details raise the pulse-free maximum 10-30x (DEFAULT_FLASH_SIDE), which the guide's few frames do not face.
 */
export const RECHECK_SIDE = 640;
const RECHECK_HALF_SPAN_S = 5;

async function recheckGuide(file: string, w: SearchWindow, span: Span, g: FlashGuide, found: SpanScan['found'], first: SpanScan, opts: VideoScanOptions, scanOpts: FlashScanOptions): Promise<SpanScan['found']> {
  const side = Math.min(first.sourceSide, RECHECK_SIDE);
  const near = nearGuide(g, first.frameS);
  if (opts.recheck === false || side <= first.side || found.some((d) => d.guided && d.placeable && near(d.t_s))) return found;
  const sub = spanAround(span, g, opts);
  const minConfidence = 1 - (1 - (scanOpts.minConfidence ?? DEFAULT_FLASH_MIN_CONFIDENCE)) / 2;
  const again = await scanSpan(file, w, sub, [g], opts, { ...scanOpts, minConfidence, strict: true }, side);
  const hit = again.found.filter((d) => d.guided && d.placeable && near(d.t_s));
  if (!hit.length) return found;
  for (const d of hit) d.decoded_side_px = side;
  return found.filter((d) => !near(d.t_s)).concat(hit).sort((a, b) => a.t_s - b.t_s);
}

/** Whether an onset is the guide's pulse: within its tolerance, a frame, and SAME_PULSE_S. */
function nearGuide(g: FlashGuide, frameS: number): (t: number) => boolean {
  return (t) => Math.abs(t - g.t_s) <= g.tolerance_s + frameS + SAME_PULSE_S;
}

/**
 * The part of a window within RECHECK_HALF_SPAN_S of a guide (the second looks decode only that); `past`: the span may
 * reach past the window's end (a light lit for up to LENGTH_FREE_S[1] after an onset near the end of a short file's
 * start window goes out, and its after-flank lies, beyond the window).
 */
function spanAround(span: Span, g: FlashGuide, opts: VideoScanOptions, past = false): Span {
  const fileStart = opts.probed?.start_time_s ?? 0;
  const from = Math.max(span.start ?? fileStart, g.t_s - RECHECK_HALF_SPAN_S);
  return { start: from > fileStart ? from : undefined, end: Math.min(past ? Infinity : (span.end ?? Infinity), g.t_s + RECHECK_HALF_SPAN_S) };
}

/**
 * Shortest and longest light of the length-free look, seconds: sync boxes hold their LED a fixed 0.1-1 s whatever
 * the tone (issue 11), and one lit 30-50 ms is seen and named even where its onset cannot be timed.
 */
export const LENGTH_FREE_S: [number, number] = [0.03, 1.2];

/**
 * Guided look for an LED lit for another length than the beep: when the looks with the beep's length (the first, and
 * recheckGuide's) place nothing at a guide, its span (± RECHECK_HALF_SPAN_S, past the window's end when the file goes on) is decoded again at the first look's side
 * and searched with plateaus over LENGTH_FREE_S and the length fitted free (the rising edge gives the onset:
 * flash-pulse.ts fitPulse). A light lit 0.4-1.2 s against a 0.2 s beep is still lit after the beep's length, so its
 * "fall" there scored about zero and the camera was refused with "no flash" (exit 2). Judged as recheckGuide's look
 * (a lone unguided candidate's shape rules, `strict`), at a quarter of the false-pulse budget (the three looks
 * together expect at most 1.75x the false pulses of one: a Bonferroni split), and placed only when its frames time
 * its onset within a quarter frame (sd); otherwise, when the first looks found nothing at all there, what this look
 * found is reported unplaced, so the refusal names it. A light switched on at the guide and left on past LENGTH_FREE_S
 * (flash-step.ts) is pushed to `leftOn` for the refusal to name instead (before, it named an unrelated candidate).
 */
async function lengthFreeGuide(file: string, w: SearchWindow, span: Span, g: FlashGuide, found: SpanScan['found'], first: SpanScan, opts: VideoScanOptions, scanOpts: FlashScanOptions, leftOn: Array<VideoWindowResult['left_on']>): Promise<SpanScan['found']> {
  const near = nearGuide(g, first.frameS);
  if (opts.lengthFree === false || found.some((d) => d.guided && d.placeable && near(d.t_s))) return found;
  const minConfidence = 1 - (1 - (scanOpts.minConfidence ?? DEFAULT_FLASH_MIN_CONFIDENCE)) / 4;
  const look: FlashScanOptions = { ...scanOpts, minConfidence, strict: true, lengthFree: true, minFlashS: LENGTH_FREE_S[0], maxFlashS: LENGTH_FREE_S[1] };
  const again = await scanSpan(file, w, spanAround(span, g, opts, true), [{ ...g, duration_s: null }], opts, look, first.side);
  const hit = again.found.filter((d) => d.guided && near(d.t_s));
  const placed = hit.filter((d) => d.placeable);
  if (placed.length) return found.filter((d) => !near(d.t_s)).concat(placed).sort((a, b) => a.t_s - b.t_s);
  if (again.leftOn) leftOn.push({ t_s: again.leftOn.t_s, reason: leftOnReason(again.leftOn, g), kind: again.leftOn.kind });
  if (found.some((d) => near(d.t_s))) return found;
  return found.concat(hit).sort((a, b) => a.t_s - b.t_s);
}

/**
 * Why a light switched on at the camera's beep and left on, switched on before it, or lit throughout (flash-step.ts)
 * places nothing, and what to do. The last two said "no flash" before 2026-12-02, sending the user to look for a
 * missing LED (test sync-flash-lit-on).
 */
function leftOnReason(l: NonNullable<SpanScan['leftOn']>, g: FlashGuide): string {
  const lv = (v: number) => v.toFixed(0);
  const at = `x ${l.region.x_px}, y ${l.region.y_px} px`;
  const beep = `the camera's beep (${g.t_s.toFixed(3)} s)`;
  const dark = "drive the LED from the beep's trigger so that it is dark before the beep and goes dark again after 100-500 ms, as long as the beep";
  if (l.kind === 'throughout') {
    return `no flash: a small bright spot at ${at} (grey level ${lv(l.level_after)}, ${lv(l.level_before)} around it) stays lit and steady over all ${l.lit_s.toFixed(1)} s decoded around ${beep}, with no change at the beep: if that is the LED, it is lit throughout (never dark), and a light that does not change marks no time; ${dark}`;
  }
  if (l.kind === 'before') {
    return `a light at ${at} comes on in the frame at ${l.t_s.toFixed(3)} s, ${(g.t_s - l.t_s).toFixed(2)} s before ${beep}, from grey level ${lv(l.level_before)} to ${lv(l.level_after)}, and stays on through the beep for the ${l.lit_s.toFixed(1)} s decoded after it: a light switched on before the beep and left on (or something that came and stayed), so no flash marks the beep; ${dark}`;
  }
  return `a light at ${at} comes on in the frame at ${l.t_s.toFixed(3)} s (the camera's beep: ${g.t_s.toFixed(3)} s), from grey level ${lv(l.level_before)} to ${lv(l.level_after)}, and stays on for the ${l.lit_s.toFixed(1)} s decoded after it: a light switched on and left on (or something that came and stayed), not a pulse; drive the LED from the beep's trigger so that it goes dark again after 100-500 ms, as long as the beep`;
}

/**
 * The start/end pair search's re-examination at the source's resolution (up to RECHECK_SIDE), the pair's counterpart
 * of recheckGuide: when the pair search at the default side places nothing, both windows are decoded again at up to
 * 640 px and the pair is searched and judged there as in the first look (same pulse length, interval, same-place
 * rule, its own null from the re-decoded frames' pulse-free pairs), at half the false-pulse budget (pair confidence
 * >= 1 - (1 - minConfidence)/2: both looks together expect at most 1.5x the false pairs of one, recheckGuide's
 * split) and with the lone unguided candidate's shape rules for each end (FlashScanOptions strict: a tight fit,
 * nothing arriving through the cells around it). Without a camera beep there is no span to narrow to, so the whole
 * windows are read again; the end window is read only when the start window holds a candidate. The first look's
 * detections (and refusals) stay unless the second places a pair. Mutates `pair`.
 */
async function recheckPair(file: string, pair: [VideoWindowResult, VideoWindowResult], first: SpanScan, opts: VideoScanOptions, scanOpts: FlashScanOptions): Promise<void> {
  const side = Math.min(first.sourceSide, RECHECK_SIDE);
  const placed = (r: VideoWindowResult) => r.detections.some((d) => d.placeable);
  if (opts.recheck === false || side <= first.side || placed(pair[0]) || placed(pair[1])) return;
  const strict: FlashScanOptions = { ...scanOpts, strict: true };
  const again: SpanScan[] = [];
  for (const r of pair) {
    const scan = await scanSpan(file, r.window, windowSpan(r.window, opts.probed?.start_time_s ?? 0), [], opts, strict, side);
    if (!scan.found.some((d) => d.pair_candidate)) return;
    again.push(scan);
  }
  const minConfidence = 1 - (1 - (opts.minConfidence ?? DEFAULT_FLASH_MIN_CONFIDENCE)) / 2;
  const [s, e] = again;
  judgePair({ track: s.track, detections: s.found }, { track: e.track, detections: e.found }, opts.pairHint as FlashPairHint, s.frameS, minConfidence);
  if (!s.found.some((d) => d.paired && d.placeable)) return;
  again.forEach((scan, i) => {
    for (const d of scan.found) if (d.paired) d.decoded_side_px = side;
    pair[i].detections = scan.found;
  });
}

function markNoBeep(d: FlashDetection): void {
  if (!d.placeable) return;
  d.placeable = false;
  d.unplaceable_reason = `flash candidate at ${d.t_s.toFixed(3)} s (score ${d.score.toFixed(1)}): the camera's own sound has no beep in this window to confirm it`;
}
