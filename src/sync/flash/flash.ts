/**
 * LED / screen flash onsets in a video stream (issue 11).
 *
 * Steps (FlashScanner): frames are reduced to cell means (flash-cells.ts); every region (squares of 1, 2 and 4 cells
 * at every position, and the whole frame) gets a pulse score at every candidate onset frame (flash-pulse.ts: a box
 * test of a brighten-and-return against the region's own temporal variation and the misfit of the box); the best
 * region per onset frame gives the file's score track. With guides (the same camera file's own beep says where the
 * flash must be), the detection is the best onset within the guide's tolerance; without, the best onset anywhere; in
 * pair mode (a camera without sound, the reference's beeps at both ends), the candidates of each window are left to
 * flash-pair.ts, which judges a start and an end flash together at the reference's interval.
 * Each detection is judged against the same track at times without a pulse (flash-null.ts): its confidence is the
 * probability that no time without a pulse in the searched span scores as high. The onset is refined below one frame
 * by fitting the exposure-integrated pulse model. A flash that lights most cells at once is reported as whole-frame.
 *
 * Memory is bounded: cell means are analysed in chunks of frames with overlap.
 */
import { frameGapNear, frameGapWords } from './flash-gaps.js';
import type { VideoFrame } from '../../media/decode-video.js';
import { arrivalAround } from './flash-arrival.js';
import { lightLeftOn, lightOnBefore, litThroughout, type LightLeftOn } from './flash-step.js';
import { allRegions, cellMeans, gridFor, regionRowSeries, regionSeries, type Grid, type Region } from './flash-cells.js';
import { grownOverlap, litExtent, samePlace, type CellBox } from './flash-lit.js';
import { calibrate, CLEAR_MARGIN, looseFitReason, summariseNull, type NullSummary } from './flash-null.js';
import { boxZ, boxZOfSums, boxZTrimmed, echoShortened, FLANK_FRAMES, fitPulse, fitPulseChecked, riseOnsets, otherEvent, plateauTests, prefixSums, quickMedian, stepFreeSpan, temporalSd, topEvents, type BoxSums, type PlateauTest, type PulseStat } from './flash-pulse.js';

/** Where to look (seconds on the video stream's own timeline) and how long the pulse is, from the camera's own beep. */
export interface FlashSearchGuide {
  t_s: number;
  tolerance_s: number;
  duration_s: number | null;
}

export interface FlashScanOptions {
  /** Cell size in (decoded) pixels (default 4). */
  cellPx?: number;
  /** Least pulse score (z) of a placeable detection (default 8). */
  minScore?: number;
  /** Least contrast of the pulse, grey levels 0..255 (default 5). */
  minJump?: number;
  /** Shortest and longest flash of the unguided search, seconds (defaults 0.05 and 0.6: docs/sync.md asks for 100 to 500 ms). */
  minFlashS?: number;
  maxFlashS?: number;
  /** Least confidence of a placeable detection (default 0.95: at most 0.05 false pulses expected this strong). */
  minConfidence?: number;
  /** Unguided: the detection must score this many times the strongest pulse-free time of the window (default 1.5). */
  unguidedMargin?: number;
  /** Candidates reported per window besides the guided detections (default 3). */
  maxCandidates?: number;
  /** Frames per analysis chunk (default 2400) and overlap (default 240). */
  chunkFrames?: number;
  overlapFrames?: number;
  /**
   * Unguided search for one end of a start/end pair (flash-pair.ts): the pulse length is known from the reference
   * microphone (`pulse_s`), more candidates are reported (`maxCandidates` of the pair search, default 12), and a
   * candidate that passes the shape checks is left for the pair search to judge (placeable: false, `pair_candidate`).
   */
  pair?: { pulse_s: number | null; maxCandidates?: number };
  /**
   * Unguided search of a session whose reference microphone measured the beep (start only): the pulse length,
   * seconds. A candidate whose fitted length is far from it is not placed (the search itself is unchanged).
   */
  pulseS?: number | null;
  /**
   * A second look (scan-video.ts recheckGuide, at the source's resolution): a guided candidate must also pass the
   * shape rules of a lone unguided one, a tight pulse fit (no 2x exception) and nothing arriving or leaving through
   * the cells around it (movingReason). At 640 px a hand passing a still 4 px cell of the small set's negative control
   * scored 2.7x its span's pulse-free maximum in the beep's span (confidence 0.991) and was placed without these.
   * In pair mode (scan-video.ts recheckPair) a pair candidate must pass the same two rules.
   */
  strict?: boolean;
  /**
   * The guided look for an LED lit for another length than the beep (scan-video.ts lengthFreeGuide): the guide's
   * length is not used, and a candidate is placed only when its frames time its onset within a quarter frame (sd).
   */
  lengthFree?: boolean;
}

export interface FlashRegion {
  x_px: number;
  y_px: number;
  w_px: number;
  h_px: number;
}

/** "x 284 y 16 4x4 px": a flash region as the messages name it (choose.ts, report.ts, the null's max here). */
export function flashRegionText(r: Partial<FlashRegion>): string {
  return `x ${r.x_px} y ${r.y_px} ${r.w_px}x${r.h_px} px`;
}

export interface FlashDetection {
  /** Onset on the stream's own timeline, seconds. */
  t_s: number;
  /** Pulse length: from the fit (fitted, or the guide's when it gave one), seconds. */
  duration_s: number | null;
  /** Brightening of the region (weaker of rise and fall) as a fraction of the grey range (0..1). */
  contrast: number;
  /** The pulse score: a z of the pulse fit against the region's own temporal variation (see flash-pulse.ts). */
  score: number;
  level_before: number;
  level_after: number;
  /** The region (in display pixels of the source) where the pulse scores best; the whole frame for a screen flash. */
  region: FlashRegion;
  /**
   * The light's lit extent around `region` (flash-lit.ts: the connected cells that brightened with it by at least half
   * its contrast), display pixels; absent for a whole-frame flash or a lit area larger than an LED.
   */
  lit_region?: FlashRegion;
  /**
   * exp(-expected_false): the probability that no time without a pulse in the searched span scores this high, from
   * this file's own scores at such times (flash-null.ts). Below 1 by construction.
   */
  confidence: number;
  /**
   * Whether the detection stands clearly out of what a false pulse looks like in this same file (its own scores at
   * times without a pulse). A stream is only placed from a placeable detection unless the user forces a --pick.
   */
  placeable?: boolean;
  /** Why the detection is not placeable (one line), when it is not. */
  unplaceable_reason?: string;
  /** True when found by the audio-guided search (FlashGuide). */
  guided?: boolean;
  /** Same as score (the z of the pulse fit). */
  z?: number;
  /** 95th percentile and maximum of this file's pulse scores at times without a pulse (the null). */
  null_p95?: number;
  null_max?: number;
  /** Expected number of false pulses at least this strong in the searched span (confidence = exp(-this)). */
  expected_false?: number;
  /** Frames searched for this detection (the guide's span, or the whole window). */
  searched_frames?: number;
  /** Shutter open fraction of the best sub-frame fit (1 = 360°; only told apart when the pulse length is known). */
  shutter?: number;
  /**
   * Standard error of the onset, seconds: noise of the partly lit frames and the range of onsets that fit alike once
   * a frame's level is known only to the model's precision (flash-pulse.ts modelVar).
   */
  onset_sd_s?: number;
  /** The fit's own standard error (noise and the onsets the frames' noise cannot tell apart): used by the placement's gates. */
  fit_onset_sd_s?: number;
  /** Fraction of the picture's cells that brightened with it; whole_frame when most did (a screen or photo flash). */
  cells_lit_fraction?: number;
  whole_frame?: boolean;
  /** Pair search (flash-pair.ts): passed the shape checks and waits to be judged as one end of a start/end pair. */
  pair_candidate?: boolean;
  /** Pair search: judged as one end of a start/end pair at the reference's interval (confidence is the pair's). */
  paired?: boolean;
  /**
   * Longest side (px) of the frames this detection was found in, when the guided search re-examined the beep's span
   * at the source's resolution (scan-video.ts recheckGuide); absent for the default decode.
   */
  decoded_side_px?: number;
  /** Pair search: onset frame's presentation time (the frame the score track holds this candidate at). */
  frame_t_s?: number;
  /**
   * A damaged frame (decode_errors) lies among the frames its onset is fitted from (flash-damage.ts): never placeable,
   * never a pair's end, and never forced by --pick (what lit there may be ffmpeg's patch).
   */
  damaged?: boolean;
}

/** The file's score track over one window: per onset frame, its time, the best region's score and that region. */
export interface FlashTrack {
  t_s: number[];
  z: number[];
  /** The best region per frame, in display pixels; null where no region brightened. `whole` when it is the whole frame. */
  region: Array<FlashRegion | null>;
  whole: boolean[];
  /** Pair mode: the lit extent of each frame's best region (flash-lit.ts), null where it has none. */
  lit?: Array<FlashRegion | null>;
}

/**
 * True when two detections lit the same place: both whole-frame, or neither and their regions overlap within their
 * own size or lie inside each other's lit extent (flash-lit.ts samePlace).
 */
export function sameFlashRegion(a: FlashDetection, b: FlashDetection): boolean {
  if (a.whole_frame || b.whole_frame) return !!a.whole_frame && !!b.whole_frame;
  return samePlace({ region: a.region, lit: a.lit_region }, { region: b.region, lit: b.lit_region });
}

/** Least confidence of a placeable detection (FlashScanOptions.minConfidence). */
export const DEFAULT_FLASH_MIN_CONFIDENCE = 0.95;

/** Codec quantisation noise floor of a region's brightness, grey levels. */
const NOISE_FLOOR = 0.5;

/**
 * Allowance for the rounding of the contrast gate's plateau mean (a difference of prefix sums over up to a chunk of
 * frames, under 1e-6 of a grey level), grey levels: riseOnsets keeps every onset the gate can pass.
 */
const GATE_SLACK = 1e-3;
/** Unguided: a pulse lighting this fraction of the cells (but not most of them) is not placed. */
const PARTIAL_SCENE_FRACTION = 0.1;
/** Weight of a region's own strongest other event in its noise (flash-pulse.ts otherEvent). */
const OTHER_EVENT_WEIGHT = 0.5;
/** A flash lighting at least this fraction of the cells is a whole-frame (screen) flash. */
const WHOLE_FRAME_FRACTION = 0.5;
/** Unguided: a whole-frame flash standing 6x over the whole picture's own pulse-free scores must still score this many times the window's strongest other event (marginReason). */
const WHOLE_LOCAL_MARGIN = 1.5;

/** Length-free guided look: the onset's sd (the reported one, onset_sd_s) must be at most this fraction of a frame. */
const LENGTH_FREE_SD_FRAMES = 0.25;

/** Length-free guided look: the light must score this many times the file's strongest pulse-free event. */
const LENGTH_FREE_MARGIN = 3;

/**
 * Length-free guided look (FlashScanOptions.lengthFree), besides the guided rules: the light must score
 * LENGTH_FREE_MARGIN (3x) this file's strongest pulse-free event. With plateaus of 1 to 36 frames a bright object
 * crossing a still wall lights each cell for a few frames like an LED (test sync-flash-ledlen: a 40 px square crossing
 * in a second at the beep scored 302 against a pulse-free maximum of 261, confidence 0.995), and a 1.0 s LED whose
 * after-flank was not decoded left a wrong light 128 ms early at 2.2x (scene set ledlen, 2026-12-02); the LEDs this
 * look placed there and in the test scored 4.1-36x and 47-95x. And its frames must time its onset within a quarter
 * frame (sd; 2 sd within half a frame), else it is named, not placed: a light lit for less than about two frames has
 * no fully lit frame to give its brightness, so one or two partly lit frames fit many onsets alike (flash-pulse.ts
 * fitPulse).
 */
function lengthFreeReason(at: string, d: FlashDetection, nullMax: number, T: number): string | null {
  if (d.score < LENGTH_FREE_MARGIN * nullMax) return `${at}: searched for a light of any length, it scores only ${(d.score / Math.max(1e-9, nullMax)).toFixed(1)}x this file's strongest pulse-free event (${nullMax.toFixed(1)}; not ${LENGTH_FREE_MARGIN}x)`;
  return untimedReason(at, d, T, '');
}

/**
 * A light whose onset its frames time only beyond a quarter frame (sd; 2 sd beyond half a frame, the accuracy
 * target), fitted with its own length: named, not placed (lengthFreeReason's timing rule; null when it is timed).
 * The advice to light it 3 frames is given only to a light shorter than that (a longer one was lit long enough).
 */
function untimedReason(at: string, d: FlashDetection, T: number, lengthNote: string): string | null {
  const sd = d.onset_sd_s ?? T;
  if (sd <= LENGTH_FREE_SD_FRAMES * T) return null;
  const len = d.duration_s === null ? '' : ` about ${(d.duration_s * 1000).toFixed(0)} ms long${lengthNote}`;
  const short = d.duration_s === null || d.duration_s < 3 * T;
  const advice = short ? `: an LED lit for at least 3 frames (${Math.round(3 * T * 1000)} ms at this frame rate) is timed` : '';
  return `${at}: a light${len}, but its frames time its onset only to ±${(sd * 1000).toFixed(1)} ms (more than a quarter frame, ${((LENGTH_FREE_SD_FRAMES * T) * 1000).toFixed(1)} ms)${advice}`;
}

/**
 * The beep-guided look (not lengthFree) whose frames fit another length than the reference's beep
 * (flash-pulse.ts fitPulseChecked: `lengthKnown` false) takes the onset from a fit of the frames' own length, as the
 * length-free look does, and is held to that look's timing rule (untimedReason). Without it a light lit 40 ms at
 * 25 fps (one or two partly lit frames, no fully lit frame to give its brightness) fitted 80 ms against a 200 ms beep
 * was placed 37 ms (0.93 frame) early with exit 0, onset_sd_s 12.0 ms (test sync-flash-ledlen, 2026-12-06), where the
 * length-free look names it and does not place it. Its cost on scene variant 151: one end flash of 29 pictures not
 * used (an LED lit as long as its 370 ms beep, the frames fitting 381 ms, sd 9.4 ms against the 8.3 ms bound, 8.8 ms
 * early): that picture placed by its start flash alone, 5.10 -> 1.33 ms off, its drift not measured.
 */
function ownLengthReason(at: string, d: FlashDetection, guide: FlashSearchGuide, lengthKnown: boolean, T: number): string | null {
  if (guide.duration_s === null || lengthKnown) return null;
  const why = untimedReason(at, d, T, ` (its frames' own length; the reference's beep: ${(guide.duration_s * 1000).toFixed(0)} ms)`);
  return why && `${why}; drive the LED for the beep's whole length`;
}

/** Best region and plateau test per candidate onset frame: the file's pulse-score track. */
interface ScoreTrack {
  z: Float64Array;
  region: Int32Array;
  test: Int32Array;
  /** The whole picture's own pulse score per onset frame (0 where it did not brighten by minJump). */
  wholeZ?: Float64Array;
}

/**
 * A candidate's null (flash-null.ts) and the same comparison for events of the whole picture's kind: the whole
 * picture's own pulse score at the candidate's onset (`wholeAt`) and its largest at the null's frames (`wholeMax`).
 */
/** `maxAt`: the frame and region of the null's largest score (a refusal names it: it may be the LED, ttrial50 R1). */
type WindowNull = NullSummary & { wholeMax: number; wholeAt: number; maxAt: { t_s: number; region: FlashRegion | null } | null };

/**
 * The running per-cell sums of FlashScanner.cellPrefixAt over frames 0..i - 1 of one chunk (`frames`), and copies of
 * them kept every PREFIX_CHECK_FRAMES frames (checks[c]: over frames 0..c·PREFIX_CHECK_FRAMES - 1).
 */
interface PrefixRun {
  frames: Float32Array[];
  i: number;
  acc1: Float64Array;
  acc2: Float64Array;
  checks: Array<{ acc1: Float64Array; acc2: Float64Array } | undefined>;
}

/**
 * Frames between the kept copies of cellPrefixAt's running sums: the candidates are described in score order, not time
 * order, and each one's sums ran from frame 0 again. The copies take a sixteenth of the memory of the chunk's cell means (two
 * float64 per cell every 64 frames, against one float32 per cell and frame).
 */
const PREFIX_CHECK_FRAMES = 64;

/** Regions kept per onset frame before the motion check picks among them. */
const TOP_PER_FRAME = 6;
/** Onset shifts (frames) at which neighbouring cells are checked for the same brightening arriving earlier or later. */
const MOTION_SHIFT = 6;

interface Candidate {
  a: number;
  z: number;
  guide: FlashSearchGuide | null;
  searched: number;
}

/**
 * Whether an onset near a guided candidate, scoring z, is that candidate's own light seen by a shifted test (not a
 * candidate of its own): unless it scores CLEAR_MARGIN (flash-null.ts, the guided look's margin over the clutter) x
 * the guided one. A guided candidate is the best onset of its beep's span, so an onset near it scoring more lies
 * outside that span, and one scoring twice as much is the stronger event: the guided candidate is its tail, not the
 * other way round. The demo camera with its sound muxed 0.5 s late, --share-camera-clock --search-s 3 (2026-12-06):
 * the flash at 2.102 s (score 402), 8 frames before the span's best onset (2.44 s, 31.7), was dropped as that weak
 * candidate's event, the far-skew check never saw it (place.ts farSkew), and the picture was placed 0.5 s off by its
 * sound with exit 0 (so with --search-s 0, 4, 4.6, and 5, 6 and the default with the camera's file first).
 */
function guidedShadow(guided: Candidate, z: number): boolean {
  return z < CLEAR_MARGIN * guided.z;
}

/** Inserts (z, region, test) into the descending top-M list at offset o. */
function insertTop(top: ScoreTrack, o: number, M: number, z: number, r: number, t: number): void {
  if (!(z > top.z[o + M - 1])) return;
  let i = o + M - 1;
  while (i > o && top.z[i - 1] < z) {
    top.z[i] = top.z[i - 1];
    top.region[i] = top.region[i - 1];
    top.test[i] = top.test[i - 1];
    i--;
  }
  top.z[i] = z;
  top.region[i] = r;
  top.test[i] = t;
}

export class FlashScanner {
  private readonly o: Required<Omit<FlashScanOptions, 'pair' | 'pulseS' | 'strict' | 'lengthFree'>>;
  private readonly strict: boolean;
  private readonly lengthFree: boolean;
  /** The pulse length known from the reference in pair mode (searched and fitted with it), seconds; else null. */
  private readonly knownS: number | null;
  /** Unguided (not pair mode): the reference's pulse length a placeable candidate's fitted length must agree with. */
  private readonly checkS: number | null;
  private readonly pair: FlashScanOptions['pair'] | null;
  /** The score track of every accepted frame (for the pair search). */
  private readonly kept: FlashTrack = { t_s: [], z: [], region: [], whole: [], lit: [] };
  private readonly guides: FlashSearchGuide[];
  private grid: Grid | null = null;
  private cellBuf: Float32Array[] = [];
  private times: number[] = [];
  private frameBase = 0;
  private acceptFrom = -Infinity;
  private readonly found: FlashDetection[] = [];
  /** The length-free look (lengthFree): a light switched on at the guide and left on (flash-step.ts), to name in a refusal. */
  private leftOnFound: (LightLeftOn & { region: FlashRegion }) | null = null;
  /** Per analysed chunk, each cell's temporal SD (NaN until scoreTrack or litCells needs it). */
  private cellSd = new Float64Array(0);
  /** Per analysed chunk, litCells' answers by onset frame and plateau test. */
  private readonly litKnown = new Map<string, { fraction: number }>();
  /** Display pixels per decoded pixel. */
  private readonly scaleBack: number;

  /** Pulses a region may hold in one chunk without counting as clutter: one per guide, else `expectedPulses`. */
  private readonly pulses: number;

  constructor(scaleBack = 1, opts: FlashScanOptions = {}, guides: FlashSearchGuide[] = [], expectedPulses = 1) {
    this.scaleBack = scaleBack;
    this.guides = guides;
    this.pulses = Math.max(1, guides.length || expectedPulses);
    this.pair = guides.length ? null : (opts.pair ?? null);
    this.knownS = guides.length ? null : (opts.pair?.pulse_s ?? null);
    this.checkS = guides.length || opts.pair ? null : (opts.pulseS ?? null);
    this.strict = opts.strict ?? false;
    this.lengthFree = opts.lengthFree ?? false;
    this.o = {
      cellPx: opts.cellPx ?? 4,
      minScore: opts.minScore ?? 8,
      minJump: opts.minJump ?? 5,
      minFlashS: opts.minFlashS ?? 0.05,
      maxFlashS: opts.maxFlashS ?? 0.6,
      minConfidence: opts.minConfidence ?? DEFAULT_FLASH_MIN_CONFIDENCE,
      unguidedMargin: opts.unguidedMargin ?? 6,
      maxCandidates: this.pair ? (this.pair.maxCandidates ?? 12) : (opts.maxCandidates ?? 3),
      chunkFrames: opts.chunkFrames ?? 2400,
      overlapFrames: opts.overlapFrames ?? 240,
    };
  }

  /** Grey frames (1 byte per pixel), in presentation order. */
  push(f: VideoFrame): void {
    this.grid ??= gridFor(f.width, f.height, this.o.cellPx);
    this.cellBuf.push(cellMeans(f, this.grid));
    this.times.push(f.t_s);
    if (this.cellBuf.length >= this.o.chunkFrames + this.o.overlapFrames) {
      const boundary = this.frameBase + this.cellBuf.length - this.o.overlapFrames;
      this.analyse(boundary);
      const drop = this.cellBuf.length - this.o.overlapFrames;
      this.cellBuf = this.cellBuf.slice(drop);
      this.times = this.times.slice(drop);
      this.frameBase += drop;
    }
  }

  /** The score track of the frames analysed so far (after finish: the whole window). */
  track(): FlashTrack {
    return this.kept;
  }

  finish(): FlashDetection[] {
    if (this.cellBuf.length) this.analyse(Infinity);
    this.cellBuf = [];
    this.times = [];
    return this.found.slice().sort((a, b) => a.t_s - b.t_s);
  }

  /** The frame period found in the last analysed chunk, seconds (0 before any). */
  frameS(): number {
    return this.lastT;
  }

  private lastT = 0;

  private framePeriod(): number {
    const n = this.times.length;
    const d = Float64Array.from({ length: Math.max(1, n - 1) }, (_, i) => (n > 1 ? this.times[i + 1] - this.times[i] : 1 / 30));
    return quickMedian(d, d.length);
  }

  /** Plateau tests: from the guides' pulse length (allowing a frame either way), else the unguided range. */
  private plateauTestsFor(T: number): PlateauTest[] {
    const ds = this.guides.length ? this.guides.map((g) => g.duration_s) : [this.knownS];
    if (ds.some((d) => d === null)) return plateauTests(Math.max(1, this.o.minFlashS / T - 1), this.o.maxFlashS / T);
    return plateauTests(Math.max(1, Math.min(...(ds as number[])) / T - 2), Math.max(...(ds as number[])) / T + 0.5);
  }

  private analyse(boundary: number): void {
    const n = this.cellBuf.length;
    const grid = this.grid;
    if (!grid || n < 4 * FLANK_FRAMES) {
      this.acceptFrom = boundary;
      return;
    }
    const T = this.framePeriod();
    this.lastT = T;
    this.cellSd = new Float64Array(grid.cols * grid.rows).fill(NaN);
    this.litKnown.clear();
    const tests = this.plateauTestsFor(T);
    const regions = allRegions(grid);
    const track = this.scoreTrack(regions, tests, n);
    this.keepTrack(track, regions, tests, boundary, n);
    this.findLeftOn(T, grid);
    const cands = this.guides.length ? this.guidedCandidates(track, T, n) : [];
    cands.push(...this.unguidedCandidates(track, regions, tests, n, cands));
    for (const c of cands) {
      const global = this.frameBase + c.a;
      if (global < this.acceptFrom || global >= boundary) continue;
      const d = this.describe(c, track, regions, tests, T, cands);
      // Only candidates worth naming in a message are reported: half the placeable score, a visible brightening, and
      // some chance (confidence >= 0.1) of not being this file's clutter.
      if (d.placeable || d.pair_candidate || (d.score >= 0.5 * this.o.minScore && d.contrast * 255 >= this.o.minJump && d.confidence >= 0.1)) this.found.push(d);
    }
    this.acceptFrom = boundary;
  }

  /**
   * The length-free look at one guide: a light switched on there and left on, else one switched on before it and
   * still on, else a bright spot lit throughout the span (flash-step.ts), kept for leftOn().
   */
  private findLeftOn(T: number, grid: Grid): void {
    if (!this.lengthFree || this.guides.length !== 1 || this.leftOnFound) return;
    const [cells, times, g] = [this.cellBuf, this.times, this.guides[0]];
    const l =
      lightLeftOn(cells, times, g, T, grid, { noiseFloor: NOISE_FLOOR, minLitS: this.o.maxFlashS }) ??
      lightOnBefore(cells, times, g, T, grid, { noiseFloor: NOISE_FLOOR }) ??
      litThroughout(cells, times, grid, { minS: 2 * this.o.maxFlashS });
    if (l) this.leftOnFound = { ...l, region: this.regionPx({ cx: l.cx, cy: l.cy, size: 1 }) };
  }

  /** A light switched on at the guide and left on, found by the length-free look (null: none, or another look). */
  leftOn(): (LightLeftOn & { region: FlashRegion }) | null {
    return this.leftOnFound;
  }

  /** Appends the track of this chunk's accepted frames (those not already kept from the previous chunk). */
  private keepTrack(track: ScoreTrack, regions: Region[], tests: PlateauTest[], boundary: number, n: number): void {
    for (let a = 0; a < n; a++) {
      const global = this.frameBase + a;
      if (global < this.acceptFrom || global >= boundary) continue;
      const r = track.region[a];
      this.kept.t_s.push(this.times[a]);
      this.kept.z.push(r < 0 ? 0 : Math.max(0, track.z[a]));
      this.kept.region.push(r < 0 ? null : this.regionPx(regions[r]));
      this.kept.whole.push(r >= 0 && regions[r].size === 0);
      // The pair's null takes the same same-place rule as its candidates: lit extents where the track has a score.
      if (this.pair) this.kept.lit?.push(r < 0 || !(track.z[a] > 0) ? null : this.litRegion(regions[r], a, tests[track.test[a]]));
    }
  }

  /** The lit extent of a region's light at onset frame a (flash-lit.ts), display pixels; null when it has none. */
  private litRegion(r: Region, a: number, t: PlateauTest): FlashRegion | null {
    const box = litExtent(this.grid as Grid, r, (k) => this.cellContrast(k, a, t), this.regionContrast(r, a, t), this.o.minJump);
    return box ? this.boxPx(box) : null;
  }

  /**
   * Every region's pulse score at every onset frame; keeps the best region (and its plateau test) per frame. The
   * score is the box statistic with the region's own other events added to its noise (see otherEvent).
   */
  private scoreTrack(regions: Region[], tests: PlateauTest[], n: number): ScoreTrack {
    const grid = this.grid as Grid;
    const M = TOP_PER_FRAME;
    const top: ScoreTrack = { z: new Float64Array(n * M).fill(-Infinity), region: new Int32Array(n * M).fill(-1), test: new Int32Array(n * M) };
    const [s1, s2, scratch] = [new Float64Array(n + 1), new Float64Array(n + 1), new Float64Array(n)];
    const contrast = new Float64Array(n).fill(-Infinity);
    const touched: number[] = [];
    const [variance, testOf] = [new Float64Array(n), new Int32Array(n)];
    const st: PulseStat = { z: 0, contrast: 0, before: 0, plateau: 0, after: 0 };
    const apart = this.exclusion(tests, tests.length - 1);
    const minC = this.o.minJump;
    const wholeZ = new Float64Array(n);
    const rows = new RowSeries(this.cellBuf, grid);
    const [maxL, deque, onsets] = [Math.max(...tests.map((t) => t.L)), new Int32Array(n), new Int32Array(n)];
    for (let r = 0; r < regions.length; r++) {
      const x = rows.of(regions[r]);
      // Only the onsets whose frames ahead rise minJump over the frame before may pass the gate below (riseOnsets).
      const m = riseOnsets(x, FLANK_FRAMES, maxL, minC - GATE_SLACK, deque, onsets);
      if (m === 0) continue;
      prefixSums(x, s1, s2);
      // The region's temporal SD, only once some onset passes the contrast gate (most regions of a still scene never do).
      let sd = NaN;
      for (let ti = 0; ti < tests.length; ti++) {
        const t = tests[ti];
        for (let k = 0; k < m; k++) {
          const a = onsets[k];
          if (a + t.L + 1 + t.gap + FLANK_FRAMES > n) break;
          // Cheap contrast gate before the full statistic: the plateau must rise minJump over the frame before.
          if ((s1[a + 1 + t.L] - s1[a + 1]) / t.L - x[a - 1] < minC) continue;
          if (Number.isNaN(sd)) sd = this.keepCellSd(regions[r], temporalSd(x, scratch));
          // The whole picture takes its flanks trimmed (an exposure step next to a screen flash; boxZTrimmed).
          const z = regions[r].size === 0 ? boxZTrimmed(x, s1, s2, n, a, t, sd, NOISE_FLOOR, st) : boxZ(s1, s2, n, a, t, sd, NOISE_FLOOR, st);
          if (st.contrast > 0 && (contrast[a] === -Infinity || z > st.contrast / Math.sqrt(variance[a]))) {
            if (contrast[a] === -Infinity) touched.push(a);
            contrast[a] = st.contrast;
            variance[a] = (st.contrast / z) ** 2;
            testOf[a] = ti;
          }
        }
      }
      // Only the onsets that passed the gate hold a contrast (the rest stay -Infinity): visit those, then clear them.
      touched.sort((p, q) => p - q);
      const events = topEvents(contrast, this.pulses + 1, apart, touched);
      for (const a of touched) {
        if (events.length) {
          const other = OTHER_EVENT_WEIGHT * otherEvent(events, a, this.pulses, apart);
          const z = contrast[a] / Math.sqrt(variance[a] + other * other);
          if (regions[r].size === 0) wholeZ[a] = Math.max(0, z);
          insertTop(top, a * M, M, z, r, testOf[a]);
        }
        contrast[a] = -Infinity;
      }
      touched.length = 0;
    }
    const track = this.motionChecked(top, regions, tests, n);
    track.wholeZ = wholeZ;
    return track;
  }

  /** A single cell's temporal SD, kept for litCells (sdOfCell); returns it. */
  private keepCellSd(r: Region, sd: number): number {
    if (r.size === 1) this.cellSd[r.cy * (this.grid as Grid).cols + r.cx] = sd;
    return sd;
  }

  /**
   * Per onset frame, the best of its top regions after the motion check: a pulse whose neighbouring cells brighten
   * as much at other frames is something moving through (a passing object, a gesture), not a light switching on.
   */
  private motionChecked(top: ScoreTrack, regions: Region[], tests: PlateauTest[], n: number): ScoreTrack {
    const M = TOP_PER_FRAME;
    const track: ScoreTrack = { z: new Float64Array(n).fill(-Infinity), region: new Int32Array(n).fill(-1), test: new Int32Array(n) };
    for (let a = 0; a < n; a++) {
      for (let m = 0; m < M; m++) {
        const r = top.region[a * M + m];
        if (r < 0) break;
        const z = top.z[a * M + m];
        if (z <= track.z[a]) break; // sorted: the rest are weaker
        const t = tests[top.test[a * M + m]];
        const leak = this.motionLeak(regions[r], a, t);
        const zm = z * Math.min(1, Math.max(0, 1.1 - leak)) ** 2;
        if (zm > track.z[a]) {
          track.z[a] = zm;
          track.region[a] = r;
          track.test[a] = top.test[a * M + m];
        }
      }
    }
    return track;
  }

  /** Box contrast of one cell for onset frame a (NaN when the test does not fit). */
  private cellContrast(k: number, a: number, t: PlateauTest): number {
    const P = FLANK_FRAMES;
    const n = this.cellBuf.length;
    const a0 = a + t.L + 1 + t.gap;
    if (a - P < 0 || a0 + P > n) return NaN;
    let mb = 0;
    let mp = 0;
    let ma = 0;
    for (let i = a - P; i < a; i++) mb += this.cellBuf[i][k];
    for (let i = a + 1; i <= a + t.L; i++) mp += this.cellBuf[i][k];
    for (let i = a0; i < a0 + P; i++) ma += this.cellBuf[i][k];
    mp /= t.L;
    return Math.min(mp - mb / P, mp - ma / P) - (0.5 * Math.abs(ma - mb)) / P;
  }

  /**
   * How strongly the cells around a region brighten at other onset frames than a (better aligned there than at a),
   * relative to the region's own contrast at a: 0 for a light switching on in place (its halo, if any, lights at the
   * same frame), about 1 for an object moving through.
   */
  private motionLeak(r: Region, a: number, t: PlateauTest): number {
    const g = this.grid as Grid;
    if (r.size === 0) return 0;
    const own = this.regionContrast(r, a, t);
    if (!(own > 0)) return 0;
    let leak = 0;
    const x0 = r.cx - 1;
    const y0 = r.cy - 1;
    const x1 = r.cx + r.size;
    const y1 = r.cy + r.size;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        if (x >= r.cx && x < x1 && y >= r.cy && y < y1) continue;
        if (x < 0 || y < 0 || x >= g.cols || y >= g.rows) continue;
        const k = y * g.cols + x;
        const at = this.cellContrast(k, a, t);
        for (let d = -MOTION_SHIFT; d <= MOTION_SHIFT; d++) {
          if (d === 0) continue;
          const c = this.cellContrast(k, a + d, t);
          if (c > (Number.isNaN(at) ? 0 : at) + this.o.minJump) leak = Math.max(leak, c / own);
        }
      }
    }
    return leak;
  }

  private regionContrast(r: Region, a: number, t: PlateauTest): number {
    const g = this.grid as Grid;
    let sum = 0;
    for (let y = r.cy; y < r.cy + r.size; y++) for (let x = r.cx; x < r.cx + r.size; x++) sum += this.cellContrast(y * g.cols + x, a, t);
    return sum / (r.size * r.size);
  }

  /** Frames within a guide's span: onsets t_s ± tolerance, plus a frame for the onset falling inside a frame. */
  private guideSpan(g: FlashSearchGuide, T: number, n: number): [number, number] {
    let lo = 0;
    while (lo < n && this.times[lo] < g.t_s - g.tolerance_s - T) lo++;
    let hi = lo;
    while (hi < n && this.times[hi] <= g.t_s + g.tolerance_s + T) hi++;
    return [lo, hi];
  }

  private guidedCandidates(track: ScoreTrack, T: number, n: number): Candidate[] {
    const out: Candidate[] = [];
    for (const g of this.guides) {
      const [lo, hi] = this.guideSpan(g, T, n);
      if (hi <= lo) continue;
      let best = -1;
      for (let a = lo; a < hi; a++) if (track.region[a] >= 0 && (best < 0 || track.z[a] > track.z[best])) best = a;
      if (best >= 0) out.push({ a: best, z: track.z[best], guide: g, searched: hi - lo });
    }
    return out;
  }

  /**
   * The strongest distinct events of the track (local maxima, one per pulse length), besides those already taken. An
   * onset near a stronger unguided event is the same event only in the same place (oneEvent); near a guided one, unless
   * it scores far more (guidedShadow).
   */
  private unguidedCandidates(track: ScoreTrack, regions: Region[], tests: PlateauTest[], n: number, taken: Candidate[]): Candidate[] {
    const order = Array.from({ length: n }, (_, i) => i).filter((i) => track.region[i] >= 0 && track.z[i] > 0);
    order.sort((p, q) => track.z[q] - track.z[p] || p - q);
    const out: Candidate[] = [];
    const near = (a: number, b: number) => Math.abs(a - b) <= this.exclusion(tests, track.test[b]);
    const whole = new Map<number, boolean>();
    const isWhole = (b: number) => whole.get(b) ?? whole.set(b, this.litCells(b, tests[track.test[b]]).fraction >= WHOLE_FRAME_FRACTION).get(b) === true;
    for (const a of order) {
      if (out.length >= this.o.maxCandidates) break;
      if (taken.some((c) => near(a, c.a) && guidedShadow(c, track.z[a]))) continue;
      if (out.some((c) => near(a, c.a) && this.oneEvent(track, regions, c.a, a, isWhole(c.a)))) continue;
      out.push({ a, z: track.z[a], guide: null, searched: n });
    }
    // A guided search reports the strongest events elsewhere as unplaceable candidates (for the messages).
    return this.guides.length ? out.slice(0, 2) : out;
  }

  /**
   * Whether onset frame i, near the event at onset frame a, is that event's own light seen by a shifted test: its best
   * region is in the same place (overlapping within their own size, flash-lit.ts grownOverlap) or the event lit the
   * whole frame (`whole`), or either frame has no region of its own. An event elsewhere in the picture is another
   * event: until 2026-12-01 any onset within the exclusion span (0.84 s at 25 fps for a 0.36 s pulse) counted as the
   * same event, so on scene variant 37 (cellauto-led10-...-180deg-both-nosound) a cellular-automaton event at 2.32 s
   * (score 45.5, x 88 y 72) hid the true start flash 20 frames later (26.6, x 600 y 8) from the pair search, and the
   * stronger event's null left the weaker one out.
   */
  private oneEvent(track: ScoreTrack, regions: Region[], a: number, i: number, whole: boolean): boolean {
    const [ra, ri] = [track.region[a], track.region[i]];
    if (whole || ra < 0 || ri < 0 || regions[ra].size === 0 || regions[ri].size === 0) return true;
    return grownOverlap(this.regionPx(regions[ra]), this.regionPx(regions[ri]));
  }

  /** Frames around a pulse's onset frame that its own light influences (excluded from its null). */
  private exclusion(tests: PlateauTest[], ti: number): number {
    const t = tests[ti];
    return t.L + t.gap + 2 * FLANK_FRAMES + 1;
  }

  /**
   * The null: the track at frames away from this candidate (and from every guide's span, which may hold a pulse). Near
   * an unguided candidate only its own light is left out (oneEvent; `whole`: it lit the whole frame): a stronger event
   * elsewhere in the picture a few frames away stays in its null.
   */
  private nullFor(c: Candidate, track: ScoreTrack, regions: Region[], tests: PlateauTest[], all: Candidate[], whole: boolean): WindowNull {
    const vals: number[] = [];
    let wholeMax = 0;
    let [maxI, maxV] = [-1, 0];
    const excl = all.filter((o) => o.guide !== null || o === c).map((o) => [o.a, this.exclusion(tests, track.test[o.a])]);
    const own = (i: number) => c.guide !== null || this.oneEvent(track, regions, c.a, i, whole);
    // A frame where no region brightened at all (nothing passed the contrast gate) is a null score of 0.
    for (let i = FLANK_FRAMES; i < track.z.length - FLANK_FRAMES - 3; i++) {
      if (excl.some(([a, e]) => Math.abs(i - a) <= e && (a !== c.a || own(i)))) continue;
      const v = track.region[i] < 0 ? 0 : Math.max(0, track.z[i]);
      if (v > maxV) [maxI, maxV] = [i, v];
      vals.push(v);
      wholeMax = Math.max(wholeMax, track.wholeZ?.[i] ?? 0);
    }
    const maxAt = maxI < 0 ? null : { t_s: this.times[maxI], region: track.region[maxI] >= 0 ? this.regionPx(regions[track.region[maxI]]) : null };
    return { ...summariseNull(vals), wholeMax, wholeAt: track.wholeZ?.[c.a] ?? 0, maxAt };
  }

  private describe(c: Candidate, track: ScoreTrack, regions: Region[], tests: PlateauTest[], T: number, all: Candidate[]): FlashDetection {
    const test = tests[track.test[c.a]];
    const whole = this.litCells(c.a, test);
    const region = whole.fraction >= WHOLE_FRAME_FRACTION ? regions[0] : regions[track.region[c.a]];
    const fit = this.fitOnset(c, region, test, T);
    const nul = this.nullFor(c, track, regions, tests, all, whole.fraction >= WHOLE_FRAME_FRACTION);
    const cal = calibrate(nul, c.z, c.searched, { bounded: true });
    const det: FlashDetection = {
      t_s: fit.onset_s,
      duration_s: fit.duration_s,
      contrast: fit.stat.contrast / 255,
      score: c.z,
      level_before: fit.stat.before,
      level_after: fit.stat.plateau,
      region: this.regionPx(region),
      ...this.litField(region, c.a, test),
      confidence: cal.confidence,
      guided: c.guide !== null,
      z: c.z,
      null_p95: nul.p95,
      null_max: nul.max,
      expected_false: cal.expected_false,
      searched_frames: c.searched,
      shutter: fit.shutter,
      onset_sd_s: fit.onset_sd_s,
      fit_onset_sd_s: fit.fit_onset_sd_s,
      cells_lit_fraction: whole.fraction,
      whole_frame: whole.fraction >= WHOLE_FRAME_FRACTION,
      frame_t_s: this.times[c.a],
    };
    let why = this.unplaceableReason(det, c, fit, nul, T);
    // A candidate placeable so far, or a strict pair candidate (the pair search's second look: its reason only says it
    // waits for its partner), must not arrive or leave through the cells around it; one look at those cells serves both.
    if (why === null || (det.pair_candidate && this.strict)) {
      const moving = this.movingReason(det, c, region, T);
      if (moving) {
        delete det.pair_candidate;
        why = moving;
      }
    }
    det.placeable = why === null;
    if (why !== null) det.unplaceable_reason = why;
    return det;
  }

  /**
   * Fraction of single cells that show the same pulse at this onset: a cell counts when it brightens and returns by
   * at least minJump grey levels (box contrast, the weaker of rise and fall), or by half that with a score of 3 of
   * its own. The contrast alone counts because a screen flash over a busy moving picture (a zooming mandelbrot with
   * a subject walking, exposure steps) leaves most cells too restless for a score of 3: on the scene set variant 3
   * such a flash lit 71 % of the cells by contrast but 28 % by score, and was refused as a partial scene change;
   * at that scene's other onsets at most 14 % of the cells brightened by minJump (measured 2026-11-30).
   */
  private litCells(a: number, test: PlateauTest): { fraction: number } {
    // unguidedCandidates asks for a candidate's lit cells, and describe again: one count per onset and test and chunk.
    const key = `${a}:${test.L}:${test.gap}`;
    const known = this.litKnown.get(key);
    if (known) return known;
    const lit = this.countLitCells(a, test);
    this.litKnown.set(key, lit);
    return lit;
  }

  /** litCells' count for one onset frame and plateau test (its comment says what counts). */
  private countLitCells(a: number, test: PlateauTest): { fraction: number } {
    const grid = this.grid as Grid;
    const K = grid.cols * grid.rows;
    const P = FLANK_FRAMES;
    const a0 = a + test.L + 1 + test.gap;
    if (a - P < 0 || a0 + P > this.cellBuf.length) return { fraction: 0 };
    // Each cell's prefix sums at the box test's six edges, as boxZ reads them (same sums, so the same statistic).
    const { s1, s2 } = this.cellPrefixAt([a - P, a, a + 1, a + 1 + test.L, a0, a0 + P], K);
    const seg = (s: Float64Array, k: number): BoxSums => ({ b: s[K + k] - s[k], p: s[3 * K + k] - s[2 * K + k], a: s[5 * K + k] - s[4 * K + k] });
    const st = { z: 0, contrast: 0, before: 0, plateau: 0, after: 0 };
    let lit = 0;
    for (let k = 0; k < K; k++) {
      const [sum, sq] = [seg(s1, k), seg(s2, k)];
      boxZOfSums(sum, sq, test, 0, NOISE_FLOOR, st); // the contrast does not depend on the SD
      if (st.contrast >= this.o.minJump) lit++;
      // Only a cell between half and all of minJump needs its own score (and so its temporal SD).
      else if (st.contrast >= this.o.minJump / 2 && boxZOfSums(sum, sq, test, this.sdOfCell(k), NOISE_FLOOR) >= 3) lit++;
    }
    return { fraction: lit / K };
  }

  /**
   * Every cell's prefix sums of its values and squared values (s1[j·K + k], s2[j·K + k]: over frames 0..at[j] - 1,
   * summed in frame order as prefixSums does), at the frame indices `at` (ascending), in one pass over the frames.
   */
  private cellPrefixAt(at: number[], K: number): { s1: Float64Array; s2: Float64Array } {
    const s1 = new Float64Array(at.length * K);
    const s2 = new Float64Array(at.length * K);
    const run = this.prefixRun(at[0], K);
    const { acc1, acc2 } = run;
    let j = 0;
    let i = run.i;
    for (; j < at.length; i++) {
      for (; j < at.length && at[j] === i; j++) {
        s1.set(acc1, j * K);
        s2.set(acc2, j * K);
      }
      if (j === at.length) break;
      if (i % PREFIX_CHECK_FRAMES === 0 && !run.checks[i / PREFIX_CHECK_FRAMES]) run.checks[i / PREFIX_CHECK_FRAMES] = { acc1: acc1.slice(), acc2: acc2.slice() };
      const f = this.cellBuf[i];
      for (let k = 0; k < K; k++) {
        const v = f[k];
        acc1[k] += v;
        acc2[k] += v * v;
      }
    }
    run.i = i;
    return { s1, s2 };
  }

  /**
   * The running per-cell sums of cellPrefixAt, kept between its calls in one chunk: a call from frame `from` on goes
   * on from the last call's frame when that is not past `from`, else from the last copy of the sums kept at a multiple
   * of PREFIX_CHECK_FRAMES at or before `from` (the sums over frames 0..c - 1, added in frame order: the same additions
   * in the same order as from 0, so the same bits), else from 0.
   */
  private prefixRun(from: number, K: number): PrefixRun {
    const r = this.runSums;
    if (r && r.frames === this.cellBuf && r.acc1.length === K) {
      if (r.i <= from) return r;
      const c = Math.floor(from / PREFIX_CHECK_FRAMES);
      const kept = r.checks[c];
      if (kept) {
        r.acc1.set(kept.acc1);
        r.acc2.set(kept.acc2);
        r.i = c * PREFIX_CHECK_FRAMES;
        return r;
      }
    }
    this.runSums = { frames: this.cellBuf, i: 0, acc1: new Float64Array(K), acc2: new Float64Array(K), checks: [] };
    return this.runSums;
  }

  private sdBufs = [new Float64Array(0), new Float64Array(0)];

  private runSums: PrefixRun | null = null;

  /** A cell's temporal SD over the chunk (temporalSd of its series), kept from scoreTrack or computed once here. */
  private sdOfCell(k: number): number {
    if (Number.isNaN(this.cellSd[k])) {
      const grid = this.grid as Grid;
      const n = this.cellBuf.length;
      // Two series-long buffers reused from cell to cell (the series is rewritten whole, the scratch only read below m).
      if (this.sdBufs[0].length !== n) this.sdBufs = [new Float64Array(n), new Float64Array(n)];
      const [x, scratch] = this.sdBufs;
      regionSeries(this.cellBuf, grid, { cx: k % grid.cols, cy: Math.floor(k / grid.cols), size: 1 }, x);
      this.cellSd[k] = temporalSd(x, scratch);
    }
    return this.cellSd[k];
  }

  /** Sub-frame onset: the exposure-integrated pulse fitted to the region's frames around the onset. */
  private fitOnset(c: Candidate, region: Region, test: PlateauTest, T: number) {
    const n = this.cellBuf.length;
    const x = new Float64Array(n);
    regionSeries(this.cellBuf, this.grid as Grid, region, x);
    const s1 = new Float64Array(n + 1);
    const s2 = new Float64Array(n + 1);
    prefixSums(x, s1, s2);
    const stat: PulseStat = { z: 0, contrast: 0, before: 0, plateau: 0, after: 0 };
    const sd = temporalSd(x, new Float64Array(n));
    boxZ(s1, s2, n, c.a, test, sd, NOISE_FLOOR, stat);
    const a0 = c.a + test.L + 1 + test.gap;
    let lo = Math.max(0, c.a - FLANK_FRAMES);
    let hi = Math.min(n, a0 + FLANK_FRAMES);
    // The whole picture's flanks without an auto-exposure step (as boxZTrimmed's trimmed flanks score it).
    if (region.size === 0) [lo, hi] = stepFreeSpan(x, lo, c.a, a0, hi, Math.max(4 * sd, this.o.minJump));
    // Frames above half the rise give the pulse length when no guide gives it.
    const half = 0.5 * (stat.before + stat.plateau);
    let above = 0;
    for (let i = c.a; i < hi; i++) if (x[i] >= half) above++;
    const D = c.guide ? c.guide.duration_s : this.knownS;
    const [times, values, tau0, D0, noiseVar] = [this.times.slice(lo, hi), x.subarray(lo, hi), this.times[c.a] + T / 2, Math.max(T, above * T), sd * sd + NOISE_FLOOR * NOISE_FLOOR];
    let fit = fitPulseChecked(times, values, T, tau0, D, D0, noiseVar);
    const noiseOf = (f: { amp: number; rms: number }) => (f.amp > 0 ? (T * f.rms) / f.amp : T);
    // A length the beep's echo tail explains (flash-pulse.ts echoShortened), fitted free and timed beyond
    // ownLengthReason's quarter frame: refitted with that length known, the shutter told (ttrial49 R6).
    if (c.guide && D !== null && !fit.lengthKnown && echoShortened(fit.duration_s, D, T) && Math.hypot(noiseOf(fit), fit.model_sd_s) > LENGTH_FREE_SD_FRAMES * T) {
      fit = { ...fitPulse(times, values, T, tau0, fit.duration_s, D0, noiseVar), lengthKnown: true };
    }
    const noise = noiseOf(fit);
    // Noise of the partly lit frames and the spread of onsets that fit alike (uniform: width/√12): the fit's own sd,
    // which the placement's gates use (place.ts gateSd). The reported sd is the onset's posterior sd under the model's
    // precision (flash-pulse.ts reportedOnset, modelVar) with the same noise.
    const spread = (fit.onset_hi_s - fit.onset_lo_s) / Math.sqrt(12);
    const fit_onset_sd_s = Math.sqrt(noise * noise + spread * spread);
    const onset_sd_s = Math.hypot(noise, fit.model_sd_s);
    return { onset_s: fit.onset_s, duration_s: fit.duration_s, shutter: fit.shutter, rms: fit.rms, amp: fit.amp, onset_sd_s, fit_onset_sd_s, stat, lengthKnown: fit.lengthKnown };
  }

  private unplaceableReason(d: FlashDetection, c: Candidate, fit: { rms: number; amp: number; lengthKnown: boolean }, nul: WindowNull, T: number): string | null {
    const at = `flash candidate at ${d.t_s.toFixed(3)} s (score ${d.score.toFixed(1)})`;
    if (d.score < this.o.minScore) return `${at}: score under ${this.o.minScore}`;
    if (d.contrast * 255 < this.o.minJump) return `${at}: brightens only ${(d.contrast * 255).toFixed(1)} grey levels`;
    if (d.confidence < this.o.minConfidence && !this.pair) {
      return `${at} does not stand out of this file's own scores without a pulse (95th percentile ${nul.p95.toFixed(1)}, max ${nul.max.toFixed(1)}${this.nullMaxWhere(nul)}; ${d.expected_false?.toPrecision(2)} false pulses this strong expected in the ${(c.searched * T).toFixed(2)} s searched)`;
    }
    if (!(fit.rms <= 0.3 * fit.amp)) return `${at}: does not fit a pulse shape (residual ${fit.rms.toFixed(1)} against a rise of ${fit.amp.toFixed(1)} grey levels)`;
    const gap = frameGapNear(this.times, d.t_s - 2 * T, d.t_s + (d.duration_s ?? 0) + 2 * T, T);
    if (gap) return `${at}: ${frameGapWords(gap, T)}`;
    // A ragged pulse near the clutter is an object passing through, not a light (flash-null.ts looseFitReason).
    const loose = this.pair && !this.strict ? null : looseFitReason({ score: d.score, nullMax: nul.max, rms: fit.rms, amp: fit.amp, guided: c.guide !== null && !this.strict });
    if (loose) return `${at}: ${loose}`;
    if (this.pair) {
      // Judged with its partner at the other end (flash-pair.ts): the pair's own null replaces the window's.
      d.pair_candidate = true;
      return `${at}: no flash at the other end at the reference's interval matches it`;
    }
    if (c.guide) {
      if (Math.abs(d.t_s - c.guide.t_s) > c.guide.tolerance_s + T / 2) return `${at}: outside the beep's span ${c.guide.t_s.toFixed(3)} ± ${c.guide.tolerance_s.toFixed(3)} s`;
      return this.lengthFree ? lengthFreeReason(at, d, nul.max, T) : ownLengthReason(at, d, c.guide, fit.lengthKnown, T);
    }
    if (this.guides.length) return `${at}: outside the spans where this file's beeps say the flash is`;
    // A large part of the picture but not most of it changing at once is a scene change (a slide, an object filling
    // the view) as often as a light; without the beep to confirm it, it is not placed.
    const lit = d.cells_lit_fraction ?? 0;
    if (lit >= PARTIAL_SCENE_FRACTION && lit < WHOLE_FRAME_FRACTION) return `${at}: ${(lit * 100).toFixed(0)} % of the picture changed with it (a scene change or a light?); without the camera's own beep to guide the search that is too close to tell`;
    if (d.duration_s !== null && (d.duration_s < this.o.minFlashS || d.duration_s > this.o.maxFlashS)) return `${at}: lit ${d.duration_s.toFixed(3)} s, outside ${this.o.minFlashS}-${this.o.maxFlashS} s`;
    const margin = this.marginReason(d, nul);
    if (margin) return `${at}: ${margin}; without the camera's own beep to guide the search that is too close to tell`;
    // The reference microphone's beep says how long the pulse is: two frames (onset frames, shutter) and 20 % of slack.
    if (this.checkS !== null && d.duration_s !== null && Math.abs(d.duration_s - this.checkS) > 2 * T + 0.2 * this.checkS) {
      return `${at}: lit ${d.duration_s.toFixed(3)} s, but the reference's beep lasted ${this.checkS.toFixed(3)} s`;
    }
    return null;
  }

  /**
   * Unguided: the candidate must score unguidedMargin (6x) over the window's strongest other event. A whole-frame
   * candidate (a screen flash: most cells brightening together at one frame, litCells) is held to that margin against
   * events of its own kind, the whole picture's own pulse score (at least minScore at the candidate, 6x its largest at
   * the pulse-free frames), and to WHOLE_LOCAL_MARGIN against the window's strongest other event (the best region per
   * frame, in practice local: a cell or a few, an LED or clutter that cannot light the whole picture). Issue 11 ("a whole-frame flash is many cells brightening together;
   * detect it as such"); like with like, as in the null (Kay 1998, vol. II ch. 7: a statistic's threshold comes from
   * that same statistic's distribution without the signal, here the whole picture's own score). On scene variant 37
   * (testsrc2-screen-30-steps, no sound, start only) the screen flash scored 224 (the whole picture 92, never above 0
   * elsewhere in the window) and one of testsrc2's moving lines bouncing in a corner cell 127 (1.76x): refused by the
   * 6x against every event. The local margin stays because a whole-frame pulse may still be clutter where the flash is
   * a weaker local LED (one lit for another length than the beep: the fourteenth session's probe).
   */
  private marginReason(d: FlashDetection, nul: WindowNull): string | null {
    const m = this.o.unguidedMargin;
    const local = `not ${m}x the strongest other event in the window (score ${nul.max.toFixed(1)})`;
    if (!d.whole_frame) return d.score < m * nul.max ? local : null;
    if (d.score >= m * nul.max) return null;
    if (nul.wholeAt < this.o.minScore || nul.wholeAt < m * nul.wholeMax) {
      return `${local}, and the whole picture's own score ${nul.wholeAt.toFixed(1)} is not ${m}x its strongest elsewhere (${nul.wholeMax.toFixed(1)}) and ${this.o.minScore}`;
    }
    if (d.score < WHOLE_LOCAL_MARGIN * nul.max) return `a whole-frame flash not ${WHOLE_LOCAL_MARGIN}x the strongest other event in the window (score ${nul.max.toFixed(1)})`;
    return null;
  }

  /** `lit_region` of a detection, when its region has a lit extent (spread into the detection). */
  private litField(r: Region, a: number, t: PlateauTest): { lit_region?: FlashRegion } {
    const lit = this.litRegion(r, a, t);
    return lit ? { lit_region: lit } : {};
  }

  private boxPx(b: CellBox): FlashRegion {
    const px = (this.grid as Grid).cellPx * this.scaleBack;
    return { x_px: Math.round(b.x0 * px), y_px: Math.round(b.y0 * px), w_px: Math.round((b.x1 - b.x0) * px), h_px: Math.round((b.y1 - b.y0) * px) };
  }

  /**
   * Unguided and alone (no beep of the camera's own, no partner at the other end): a candidate that the cells around
   * it show arriving or leaving (flash-arrival.ts: one of them brightened by half the candidate's contrast, and at
   * least minJump, in the frame just before it lit or just after it went out) is something moving, not an LED.
   */
  private movingReason(d: FlashDetection, c: Candidate, region: Region, T: number): string | null {
    if ((!this.strict && (c.guide !== null || this.guides.length || this.pair)) || d.duration_s === null) return null;
    const eps = 1e-6;
    let fPre = -1;
    while (fPre + 1 < this.times.length && this.times[fPre + 1] + T <= d.t_s + eps) fPre++;
    let fPost = 0;
    while (fPost < this.times.length && this.times[fPost] < d.t_s + d.duration_s - eps) fPost++;
    const arr = arrivalAround(this.cellBuf, this.grid as Grid, region, fPre, fPost, FLANK_FRAMES);
    const contrast = d.contrast * 255;
    if (!arr || arr.levels < Math.max(this.o.minJump, 0.5 * contrast)) return null;
    const px = (this.grid as Grid).cellPx * this.scaleBack;
    return `flash candidate at ${d.t_s.toFixed(3)} s (score ${d.score.toFixed(1)}): the picture next to it (at x ${Math.round(arr.cx * px)}, y ${Math.round(arr.cy * px)} px) was ${arr.levels.toFixed(0)} grey levels brighter (the candidate's rise: ${contrast.toFixed(0)}) just ${arr.when === 'before' ? 'before it lit' : 'after it went out'}: something moving through, not an LED switching on and off in place`;
  }

  /**
   * " at 1.782 s (x 284 y 16 4x4 px)": where the null's largest score lies, which may be the LED itself when something
   * else scored more (ttrial50 R1: a head roll at 3.982 s, 494, refused against the LED's 330, which no line named).
   */
  private nullMaxWhere(nul: WindowNull): string {
    if (!nul.maxAt || !(nul.max > 0)) return '';
    const r = nul.maxAt.region;
    return ` at ${nul.maxAt.t_s.toFixed(3)} s${r ? ` (${flashRegionText(r)})` : ''}`;
  }

  private regionPx(r: Region): FlashRegion {
    const g = this.grid as Grid;
    const k = this.scaleBack;
    if (r.size === 0) return { x_px: 0, y_px: 0, w_px: Math.round(g.width * k), h_px: Math.round(g.height * k) };
    const px = g.cellPx * k;
    return { x_px: Math.round(r.cx * px), y_px: Math.round(r.cy * px), w_px: Math.round(r.size * px), h_px: Math.round(r.size * px) };
  }
}

/**
 * Regions' series for scoreTrack, which visits the regions in allRegions' order (rows of one side, top to bottom): a
 * row's series are summed together (regionRowSeries) when its first region is asked for.
 */
class RowSeries {
  private readonly buf: Float64Array;
  private readonly whole: Float64Array;
  private key = '';

  constructor(
    private readonly frames: Float32Array[],
    private readonly g: Grid,
  ) {
    this.buf = new Float64Array(g.cols * frames.length);
    this.whole = new Float64Array(frames.length);
  }

  of(r: Region): Float64Array {
    const n = this.frames.length;
    if (r.size === 0) {
      regionSeries(this.frames, this.g, r, this.whole);
      return this.whole;
    }
    const key = `${r.size}:${r.cy}`;
    if (key !== this.key) {
      regionRowSeries(this.frames, this.g, r.size, r.cy, this.buf);
      this.key = key;
    }
    return this.buf.subarray(r.cx * n, r.cx * n + n);
  }
}
