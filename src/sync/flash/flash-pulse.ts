/**
 * Pure kernels of the flash detector: the pulse statistic of one region's brightness series, and the sub-frame fit
 * of a pulse's onset.
 *
 * A frame exposed over [t, t + s·T) (s: the shutter's open fraction of the frame period T; s = 1 for a 360° shutter)
 * shows the LED with weight f = |[t, t + s·T) ∩ [τ, τ + D)| / (s·T), the fraction of its exposure during which the
 * LED was lit: a pulse of length D starting at τ gives one partly lit frame (or none, when τ falls while the shutter
 * is closed), then fully lit frames, then one partly lit frame, on a baseline. The statistic is a box (matched
 * filter) test on the fully lit frames against flanks before and after, skipping the partly lit frames, and the
 * weaker of the rise and the fall counts, so a step that stays (a scene change, an exposure step) scores near zero.
 * It is scaled by the region's own temporal variation plus the misfit of the box model (a moving textured subject
 * crossing a still area brightens and returns, but its "plateau" is not flat and its flanks are not still), in the
 * manner of a generalised likelihood ratio for a known-shape pulse (Kay 1998, Fundamentals of Statistical Signal
 * Processing II, ch. 7).
 */
import { selectKth } from '../../common/select.js';

/** Frames of flank before and after the pulse. */
export const FLANK_FRAMES = 4;

/** A plateau hypothesis: L fully lit frames, then `gap` frames skipped (partly lit, or a longer pulse) before the after-flank. */
export interface PlateauTest {
  L: number;
  gap: number;
}

/**
 * Plateau tests covering fully lit runs from minFrames to maxFrames contiguously: a test with L lit frames and a gap
 * of G skipped frames accepts true plateaus of L to L + G - 1 frames without lit frames in its after-flank.
 */
export function plateauTests(minFrames: number, maxFrames: number): PlateauTest[] {
  const out: PlateauTest[] = [];
  let L = Math.max(1, Math.floor(minFrames));
  do {
    const gap = 2 + Math.ceil(0.3 * L);
    out.push({ L, gap });
    L += gap - 1;
  } while (L <= maxFrames);
  return out;
}

/** Prefix sums of x and x² (length n + 1) for O(1) segment means and sums of squares. */
export function prefixSums(x: Float64Array, s1: Float64Array, s2: Float64Array): void {
  s1[0] = 0;
  s2[0] = 0;
  for (let i = 0; i < x.length; i++) {
    s1[i + 1] = s1[i] + x[i];
    s2[i + 1] = s2[i] + x[i] * x[i];
  }
}

/**
 * The onsets a >= from (ascending, into `out`; returns their count) at which a plateau of up to `maxL` frames may pass
 * FlashScanner.scoreTrack's contrast gate: the largest of x[a+1..a+maxL] at least `thr` above x[a-1]. A plateau's mean
 * is at most its largest frame, so no other onset passes the gate (thr: the gate's rise less an allowance for the
 * rounding of its prefix-sum mean). The largest frame ahead by a sliding maximum (a monotonic deque; Lemire 2006,
 * "Streaming maximum-minimum filter using no more than three comparisons per element"), O(n).
 */
export function riseOnsets(x: Float64Array, from: number, maxL: number, thr: number, deque: Int32Array, out: Int32Array): number {
  const n = x.length;
  let head = 0;
  let tail = 0;
  let m = 0;
  // The deque holds indices of the window's frames, their values descending from the head (the window's largest).
  for (let a = from - maxL; a + 1 < n; a++) {
    const j = a + maxL;
    if (j < n && j > from) {
      const v = x[j];
      while (tail > head && x[deque[tail - 1]] <= v) tail--;
      deque[tail++] = j;
    }
    if (a < from) continue;
    while (deque[head] <= a) head++;
    if (x[deque[head]] - x[a - 1] >= thr) out[m++] = a;
  }
  return m;
}

/** Robust SD of a series' frame-to-frame changes (1.4826·MAD of the differences / √2): its own temporal variation. */
export function temporalSd(x: Float64Array, scratch: Float64Array): number {
  const n = x.length - 1;
  if (n < 2) return 0;
  const stride = Math.max(1, Math.floor(n / 600));
  let m = 0;
  for (let i = 1; i <= n; i += stride) scratch[m++] = Math.abs(x[i] - x[i - 1]);
  return (1.4826 * quickMedian(scratch, m)) / Math.SQRT2;
}

/** Median of the first m values of a (reordered in place; Hoare's selection). */
export function quickMedian(a: Float64Array, m: number): number {
  return m === 0 ? NaN : selectKth(a, m >> 1, m);
}

export interface PulseStat {
  /** The pulse statistic (a z-score: contrast over the region's variation and the box model's misfit). */
  z: number;
  /** Weaker of rise and fall, grey levels. */
  contrast: number;
  before: number;
  plateau: number;
  after: number;
}

/**
 * The box statistic for a pulse whose first (partly) lit frame is a: plateau a+1..a+L, before-flank a-P..a-1,
 * after-flank a+L+1+gap .. a+L+gap+P. sd: the region's temporal SD; floor: codec quantisation noise (grey levels).
 * Returns -Infinity when the test does not fit in the series.
 */
export function boxZ(s1: Float64Array, s2: Float64Array, n: number, a: number, t: PlateauTest, sd: number, floor: number, out?: PulseStat): number {
  const P = FLANK_FRAMES;
  const b0 = a - P;
  const a0 = a + t.L + 1 + t.gap;
  if (b0 < 0 || a0 + P > n) return -Infinity;
  const seg = (i: number, j: number) => s1[j] - s1[i];
  const sq = (i: number, j: number) => s2[j] - s2[i];
  return boxZOfSums({ b: seg(b0, a), p: seg(a + 1, a + 1 + t.L), a: seg(a0, a0 + P) }, { b: sq(b0, a), p: sq(a + 1, a + 1 + t.L), a: sq(a0, a0 + P) }, t, sd, floor, out);
}

/** Sums of a series (or of its squares) over the before-flank, the plateau and the after-flank of a box test. */
export interface BoxSums {
  b: number;
  p: number;
  a: number;
}

/**
 * boxZ from the segment sums of x (`sum`) and of x² (`sq`): the same statistic, for callers that sum the segments
 * without a whole series' prefix sums (FlashScanner.litCells sums every cell at once).
 */
export function boxZOfSums(sum: BoxSums, sq: BoxSums, t: PlateauTest, sd: number, floor: number, out?: PulseStat): number {
  const P = FLANK_FRAMES;
  const mb = sum.b / P;
  const mp = sum.p / t.L;
  const ma = sum.a / P;
  // A pulse returns to the level before: the difference between the flanks counts against it (an exposure step
  // followed by something darker is not a pulse).
  const c = Math.min(mp - mb, mp - ma) - 0.5 * Math.abs(ma - mb);
  // Pooled within-segment SS: how far the frames are from a flat baseline, a flat plateau and a flat baseline.
  const ss = sq.b - P * mb * mb + (sq.p - t.L * mp * mp) + (sq.a - P * ma * ma);
  const misfit = Math.max(0, ss) / Math.max(1, t.L + 2 * P - 3);
  const z = c / Math.sqrt(sd * sd + misfit + floor * floor);
  if (out) {
    out.z = z;
    out.contrast = c;
    out.before = mb;
    out.plateau = mp;
    out.after = ma;
  }
  return z;
}

/** Mean and sum of squared deviations of x[i0..i0+P) without its one frame farthest from the others' median. */
function trimmedFlank(x: ArrayLike<number>, i0: number, P: number): { mean: number; ss: number; m: number } {
  const v = Array.from({ length: P }, (_, i) => x[i0 + i]).sort((p, q) => p - q);
  const med = 0.5 * (v[(P - 1) >> 1] + v[P >> 1]);
  const far = Math.abs(v[0] - med) > Math.abs(v[P - 1] - med) ? 0 : P - 1;
  const kept = v.filter((_, i) => i !== far);
  const mean = kept.reduce((a, b) => a + b, 0) / kept.length;
  return { mean, ss: kept.reduce((a, b) => a + (b - mean) ** 2, 0), m: kept.length };
}

/**
 * boxZ with each flank's mean taken without its one most outlying frame (a trimmed mean; Tukey 1962): for the whole
 * picture, where an auto-exposure step a frame before or after a screen flash would otherwise count as misfit of
 * the flat baseline and sink a 150-grey-level flash to a score of 20. A step that stays is still judged by the
 * weaker of rise and fall and the difference of the flanks, as in boxZ.
 */
export function boxZTrimmed(x: ArrayLike<number>, s1: Float64Array, s2: Float64Array, n: number, a: number, t: PlateauTest, sd: number, floor: number, out?: PulseStat): number {
  const P = FLANK_FRAMES;
  const a0 = a + t.L + 1 + t.gap;
  if (a - P < 0 || a0 + P > n) return -Infinity;
  const b = trimmedFlank(x, a - P, P);
  const f = trimmedFlank(x, a0, P);
  const mp = (s1[a + 1 + t.L] - s1[a + 1]) / t.L;
  const c = Math.min(mp - b.mean, mp - f.mean) - 0.5 * Math.abs(f.mean - b.mean);
  const ss = b.ss + f.ss + (s2[a + 1 + t.L] - s2[a + 1] - t.L * mp * mp);
  const misfit = Math.max(0, ss) / Math.max(1, t.L + b.m + f.m - 3);
  const z = c / Math.sqrt(sd * sd + misfit + floor * floor);
  if (out) Object.assign(out, { z, contrast: c, before: b.mean, plateau: mp, after: f.mean });
  return z;
}

/**
 * The fit span [lo, hi) of a whole-picture pulse without an exposure step in its flanks: an auto-exposure step
 * (the whole picture darkens or brightens and stays) a few frames before or after a screen flash is not the pulse's
 * baseline, and fitting one flat baseline across it reads as misfit (on the scene set variant 3 a step 2 frames before
 * a screen flash left 22 % of the rise as residual). Each flank [lo, a) and [a0, hi) is cut at its largest
 * frame-to-frame jump when that exceeds `minStep` (a change point; the frames next to the pulse are kept, at least
 * two per flank), in the manner of boxZTrimmed's trimmed flanks.
 */
export function stepFreeSpan(x: ArrayLike<number>, lo: number, a: number, a0: number, hi: number, minStep: number): [number, number] {
  let from = lo;
  let big = minStep;
  for (let i = lo + 1; i <= a - 2; i++) {
    const j = Math.abs(x[i] - x[i - 1]);
    if (j > big) [big, from] = [j, i];
  }
  let to = hi;
  big = minStep;
  for (let i = a0 + 2; i < hi; i++) {
    const j = Math.abs(x[i] - x[i - 1]);
    if (j > big) [big, to] = [j, i];
  }
  return [from, to];
}

/**
 * The strongest distinct events of a contrast track (local maxima at least `apart` frames from each other), largest
 * first: up to `count` of them as [frame, contrast]. `at`: the frames to look at, ascending (the others hold no
 * positive contrast); default every frame.
 */
export function topEvents(c: Float64Array, count: number, apart: number, at?: number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const m = at ? at.length : c.length;
  for (let k = 0; k < count; k++) {
    let best = -1;
    for (let j = 0; j < m; j++) {
      const i = at ? at[j] : j;
      if (!(c[i] > 0) || (best >= 0 && c[i] <= c[best])) continue;
      if (out.some(([p]) => Math.abs(p - i) <= apart)) continue;
      best = i;
    }
    if (best < 0) break;
    out.push([best, c[best]]);
  }
  return out;
}

/**
 * The region's own other events: the strongest brighten-and-return of this region that is not the one at frame a,
 * allowing `pulses` pulses per window (start, or start and end). A region where things come and go (a passing object
 * in a busy background) has other events as strong as this one; an LED has none.
 */
export function otherEvent(events: Array<[number, number]>, a: number, pulses: number, apart: number): number {
  const own = events.findIndex(([p]) => Math.abs(p - a) <= apart);
  const others = events.filter((_, i) => i !== own);
  return others.length >= pulses ? Math.max(0, others[pulses - 1][1]) : 0;
}

/** Lit fraction of the exposure [t0, t0 + s·T) for a pulse [tau, tau + D). */
export function litFraction(t0: number, T: number, s: number, tau: number, D: number): number {
  const e = s * T;
  return Math.max(0, Math.min(t0 + e, tau + D) - Math.max(t0, tau)) / e;
}

export interface PulseFit {
  onset_s: number;
  duration_s: number;
  /** Shutter open fraction of the fit (1 = 360°). */
  shutter: number;
  base: number;
  amp: number;
  /** RMS residual of the fit, grey levels. */
  rms: number;
  /** Range of onsets the frames cannot tell from the best fit (nearSse; onset_s is the posterior mean, reportedOnset). */
  onset_lo_s: number;
  onset_hi_s: number;
  /** Range of onsets that fit alike once a frame's level is known only within the model's precision (modelVar). */
  alike_lo_s: number;
  alike_hi_s: number;
  /**
   * SD of the onset under the model's precision (modelVar): the posterior SD over the grid (posteriorOnset) and the
   * distance of its mean from onset_s, in quadrature.
   */
  model_sd_s: number;
}

/** Shutters of 90-360°, the fit's shapes (length, shutter, levels) with a known pulse length; FAST below them. */
const SHUTTERS = [1, 0.75, 0.5, 0.35, 0.25];
const FAST = fastShutters(0.25, 0.72);

/**
 * Fast shutters: open fractions of the frame period from below `from` down to about 1 % (1.3-1.6 %: 5°; 1/2000 s at 25 fps), each
 * `ratio` of the one before (log-spaced, as the 90-360° shutters are: a flat prior over the grid is then flat in the
 * logarithm of the exposure, Jeffreys' prior for a scale). Exposures of 1/500-1/2000 s at 25-30 fps are open 1-6 % of
 * the period: the LED is dark or fully lit in every frame, no partly lit frame times the onset, and only a fit with such
 * a shutter lets the onset lie anywhere between the last dark frame's exposure and the first lit frame's. Without them
 * every fit put the onset late in that span with an sd of 5-6 ms (scene set `fast`, 2026-12-03: 3 of 16 pictures
 * 0.51-0.67 frame off with exit 0; docs/sync.md, Known limits). A partly lit frame at both ends of a known length
 * cannot be fitted by a shutter open a few percent of the period (its onset and end would each have to fall within
 * that few percent of a frame's start), so such fits weigh next to nothing there.
 */
function fastShutters(from: number, ratio: number): number[] {
  const out: number[] = [];
  for (let s = from * ratio; s >= 0.0099; s *= ratio) out.push(Math.round(s * 1e4) / 1e4);
  return out;
}

/** Shutters fitted when the pulse length is free (fitPulse): 360° and 180°, and the fast ones below them. */
const FREE_SHUTTERS = [1, 0.5];
const FREE_FAST = fastShutters(0.5, 0.5);

/**
 * The best fit among those whose shutter is `slowest` or longer (grid index; the first of equals, in grid order). A
 * fast shutter's fits of a flash without a partly lit frame tie over a range of lengths and levels (none of them a
 * measurement, and fitPulseChecked compares lengths, the flash checks use the length and levels): the reported shape
 * stays the 90-360° grid's, as before the fast shutters; they move only the onset's posterior and ranges.
 */
function bestIndex(g: GridFits, slowest: number): number {
  let k = -1;
  for (let j = 0; j < g.m; j++) if (g.shutter[j] >= slowest && (k < 0 || g.sse[j] < g.sse[k])) k = j;
  if (k >= 0) return k;
  for (let j = 0; j < g.m; j++) if (k < 0 || g.sse[j] < g.sse[k]) k = j;
  return k;
}

/**
 * Whether the fast shutters' fits stay in the onset's posterior and ranges: not when a frame looks partly lit beyond
 * what the frames and the codec can do, that is when the best fast fit's SSE exceeds the best 90-360° fit's by more
 * than one noise variance (the region's own temporal variance or that fit's residual variance, the larger) plus a
 * level's precision under the model, 3 % of the rise (LEVEL_MODEL_FRACTION, modelVar): the two families' best fits
 * compared as in a generalised likelihood ratio test (Kay 1998, Fundamentals of Statistical Signal Processing II,
 * ch. 6). A fast shutter reproduces no partly lit frame (its onset would have to fall within its exposure); weighed
 * in whatever the frames show (54da96a), its many onsets where a faint or noisy partly lit frame reads as dark or
 * lit took the onset: on scene variant 121 (2026-12-04) 6 of 29 pictures 2.2-7.0 ms worse, 11 rather than 3 warned
 * offset_uncertain. The bound was chosen on variant 121 and the fast set: with Wilks' 4 noise variances (nearSse) a
 * 180° camera's 8 px red LED (first lit frames 94 and 98 % of the rise) and a 30 fps screen flash kept the fast
 * shutters and stayed 0.44 and 0.46 frame off (0.28 and 0.27 without them); with one noise variance alone a soundless
 * 1/1000 s camera whose plateau the codec dimmed by 3 % in its last frames (test sync-flash-fast) lost them and was
 * placed 0.55 frame off.
 */
function keepsFast(g: GridFits, slowest: number, n: number, noiseVar: number): boolean {
  let slow = -1;
  let minFast = Infinity;
  for (let j = 0; j < g.m; j++) {
    if (g.shutter[j] < slowest) minFast = Math.min(minFast, g.sse[j]);
    else if (slow < 0 || g.sse[j] < g.sse[slow]) slow = j;
  }
  if (slow < 0) return true;
  const residualVar = Math.max(0, g.sse[slow]) / Math.max(1, n - 3);
  const level = (LEVEL_MODEL_FRACTION * g.amp[slow]) ** 2;
  return minFast <= g.sse[slow] + Math.max(noiseVar, residualVar) + level + 1e-9;
}

/** The shutter below which a grid fit is left out of the onset's posterior and ranges (keptFrom; 0: none left out). */
function fitFloor(g: GridFits, slowest: number, n: number, noiseVar: number): number {
  return keepsFast(g, slowest, n, noiseVar) ? 0 : slowest;
}

/**
 * Largest SSE of a fit the frames cannot tell from the best one: a profile-likelihood bound, SSE_min + 4·σ² (about
 * 95 % for one parameter; Wilks 1938, as in Press et al., Numerical Recipes 15.6), σ² the frames' noise variance:
 * the region's own temporal variance (noiseVar) or the best fit's residual variance, whichever is larger. A fixed
 * fraction of SSE_min (the 5 % used before) shrinks to nothing on a clean region, where codec noise of a grey level
 * then picks a shutter (and an onset up to 0.75 frame away) that the frames do not tell.
 */
function nearSse(minSse: number, n: number, noiseVar: number): number {
  const residualVar = Math.max(0, minSse) / Math.max(1, n - 3);
  return Math.max(minSse * 1.05, minSse + 4 * Math.max(noiseVar, residualVar)) + 1e-9;
}

/** Precision of a partly lit frame's level under the model: this fraction of the rise (modelVar). */
const LEVEL_MODEL_FRACTION = 0.03;
/** ... and this many times the best fit's RMS residual (modelVar). */
const RESIDUAL_MODEL = 4;

/**
 * How well the exposure-integrated model reproduces a partly lit frame's level, as a variance (grey levels²): a
 * fraction of the rise (LEVEL_MODEL_FRACTION) and a multiple of the best fit's RMS residual (RESIDUAL_MODEL). The
 * frames' noise (nearSse) says which onsets the data tell apart if the model were exact; it is not. The codec
 * reproduces a still region (most of the fit's frames) nearly exactly but not a change: at CRF 28-30 a frame 9 % lit
 * read as unlit and one 64 % lit as 54 % (scene variant 14, a 14 px red LED), and with the pulse length known two
 * partly lit frames give the onset and the shutter exactly, leaving no residual to show it; the fit took a 180°
 * shutter for a 360° camera and an onset 0.45 frame early with onset_sd_s 1.5 ms. On the scene sets 14-44 (the
 * pictures whose offset was off by more than 2 sds, 2026-12-01) a fit at the true onset was within 4 sds of the
 * noise (nearSse's bound) once a level was allowed 3 % of the rise where the fit's residual was under 1 % of the rise,
 * and about 4x the residual where it was larger (small red and amber LEDs at CRF 23-30). Same bound as nearSse
 * (Wilks 1938), with this variance added to the frames' noise.
 */
export function modelVar(amp: number, rms: number): number {
  return (LEVEL_MODEL_FRACTION * amp) ** 2 + (RESIDUAL_MODEL * rms) ** 2;
}

/** The level precision the reported onset is weighed with: this fraction of the rise (posteriorOnset). */
const LEVEL_ONSET_FRACTION = 0.01;

/**
 * Every fit of fitPulse's grid that rises (amp > 0), in grid order (shutter, length, onset): one entry per index
 * below m of each array, so that the ~19 000 fits of a free length are not ~19 000 objects.
 */
interface GridFits {
  m: number;
  onset: Float64Array;
  duration: Float64Array;
  shutter: Float64Array;
  base: Float64Array;
  amp: Float64Array;
  sse: Float64Array;
}

/**
 * Mean and SD of the onset over every fit of the grid, each weighed by its likelihood exp(-(SSE - SSE_min) / 2σ²)
 * under Gaussian level errors of variance σ² (a flat prior over the grid's shutters, lengths and onsets: Bayesian
 * model averaging, Hoeting et al. 1999, Statistical Science 14(4); the grid as a quadrature of the posterior, as in
 * Gelman et al., Bayesian Data Analysis, 3rd ed., 10.1). The best fit alone (or the middle of the onsets within
 * Wilks' bound) follows the codec's errors on the two partly lit frames: with the pulse length known they fix the
 * shutter and the onset, and where a shorter shutter fits them exactly the onset moves early (a 360° shutter cannot
 * be overestimated, so on 106 chosen LED pulses of 360° cameras of scene variants 14-48 the onset was 0.09 frame
 * early on average, up to 0.45). Averaging over the fits the levels' precision cannot tell apart weighs each
 * shutter by how well it fits instead of taking the one that fits best. Fits of shutters below `keptFrom` are left out
 * (keepsFast).
 */
function posteriorOnset(g: GridFits, minSse: number, variance: number, keptFrom: number): { mean: number; sd: number } {
  let w = 0;
  let m = 0;
  let m2 = 0;
  for (let j = 0; j < g.m; j++) {
    if (g.shutter[j] < keptFrom) continue;
    const p = Math.exp(-(g.sse[j] - minSse) / (2 * variance));
    w += p;
    m += p * g.onset[j];
    m2 += p * g.onset[j] * g.onset[j];
  }
  m /= w;
  return { mean: m, sd: Math.sqrt(Math.max(0, m2 / w - m * m)) };
}

/**
 * The reported onset and its model SD from the grid's fits (see fitPulse): the onset is the posterior mean with the
 * frames' noise (the region's own variance or the best fit's residual variance, the larger) and a level precision of
 * 1 % of the rise plus the best fit's RMS residual; the SD is the posterior's under the model's full precision
 * (modelVar), with the distance between the two means. Re-fitted on the saved frame series of the chosen pulses of
 * scene variants 14, 28, 34, 35, 36 (real footage), 37, 44 and 48 (154 pulses, 2026-12-02), against the middle of
 * the onsets within Wilks' bound: median error 0.068 → 0.065 frame, 90th percentile 0.29 → 0.26, largest 0.45 →
 * 0.43; pulses whose 2 SD pass half a frame 22 → 13; median SD 4.6 → 4.7 ms; none beyond 3 SD before or after.
 */
function reportedOnset(g: GridFits, minSse: number, top: PulseFit, n: number, noiseVar: number, keptFrom: number): { onset: number; sd: number } {
  const frames = Math.max(noiseVar, Math.max(0, minSse) / Math.max(1, n - 3));
  const onset = posteriorOnset(g, minSse, frames + (LEVEL_ONSET_FRACTION * top.amp) ** 2 + top.rms * top.rms, keptFrom);
  const model = posteriorOnset(g, minSse, frames + modelVar(top.amp, top.rms), keptFrom);
  return { onset: onset.mean, sd: Math.hypot(model.sd, model.mean - onset.mean) };
}

/** Lowest and highest onset among the fits whose SSE is at most `limit` and whose shutter is `keptFrom` or longer (keepsFast). */
function onsetRange(g: GridFits, limit: number, keptFrom: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let j = 0; j < g.m; j++) {
    if (g.sse[j] > limit || g.shutter[j] < keptFrom) continue;
    lo = Math.min(lo, g.onset[j]);
    hi = Math.max(hi, g.onset[j]);
  }
  return [lo, hi];
}

/** Onset steps of the grid either side of the coarse onset (T/64 each: a frame and a half). */
const ONSET_STEPS = 96;

/**
 * Least-squares fits of base + amp·f_i(τ, D, s) on the grid (shutters × durations × onsets τ0 + q·T/64, |q| <= 96),
 * f_i = litFraction(times[i], T, s, τ, D). Σy and Σy² are summed once (the same sums each fit made), and a frame
 * with f_i = 0 adds nothing to Σf, Σf², Σfy (x + 0 is x: the same bits, for finite times and levels); frames are
 * skipped only where their f is 0 (outside [lo, hi), found when the times ascend, and any f of 0 inside).
 * Shutters below `wholeBelow` (the fast ones) are fitted only at onsets where every frame is dark or fully lit: such a
 * shutter shows a frame partly lit only while the onset falls within its exposure, s·T, under a grid step (T/64) for
 * the fastest; a grid point there would stand for a whole step of onsets, weighing that partly lit frame up to 1/(64 s)
 * times what its onsets' measure gives (the grid as a quadrature of the posterior, reportedOnset), so that a 180°
 * camera's 50 %-lit frame read a quarter frame early (test sync-flash-duration) and a codec-shrunk one past half a frame.
 */
function gridFits(times: ArrayLike<number>, values: ArrayLike<number>, T: number, tau0: number, shutters: number[], durations: number[], wholeBelow = 0): GridFits {
  const n = times.length;
  const g = gridScratch(shutters.length * durations.length * (2 * ONSET_STEPS + 1));
  let sy = 0;
  let syy = 0;
  let finite = true;
  let ascending = true;
  for (let i = 0; i < n; i++) {
    sy += values[i];
    syy += values[i] * values[i];
    finite &&= Number.isFinite(values[i]) && Number.isFinite(times[i]);
    if (i > 0 && !(times[i] >= times[i - 1])) ascending = false;
  }
  const ends = new Float64Array(n);
  for (const s of shutters) {
    const e = s * T;
    for (let i = 0; i < n; i++) ends[i] = times[i] + e;
    for (const d of durations) {
      // [lo, hi) only moves forward as the onset steps later (with T >= 0, tau and tau + d never decrease with q): each
      // search goes on from the last onset's bounds, which a search from frame 0 would pass over (the same bounds).
      let lo = 0;
      let hi = 0;
      for (let q = -ONSET_STEPS; q <= ONSET_STEPS; q++) {
        const tau = tau0 + (q * T) / 64;
        const te = tau + d;
        // Frames outside [lo, hi) end by tau or start from tau + d: no overlap (f = 0), when the times ascend.
        if (ascending && finite) {
          if (!(T >= 0)) [lo, hi] = [0, 0];
          while (lo < n && ends[lo] <= tau) lo++;
          if (hi < lo) hi = lo;
          while (hi < n && times[hi] < te) hi++;
        } else {
          lo = 0;
          hi = n;
        }
        let sf = 0;
        let sff = 0;
        let sfy = 0;
        let partly = false;
        for (let i = lo; i < hi; i++) {
          // litFraction(times[i], T, s, tau, d) inlined, times[i] + s·T hoisted: keep the two formulas the same.
          const over = Math.min(ends[i], te) - Math.max(times[i], tau);
          if (!(over > 0) && finite) continue;
          const f = Math.max(0, over) / e;
          partly ||= f < 1 - 1e-9;
          sf += f;
          sff += f * f;
          sfy += f * values[i];
        }
        if (!(partly && s < wholeBelow)) addFit(g, n, sf, sff, sy, sfy, syy, tau, d, s);
      }
    }
  }
  return g;
}

let gridKept: GridFits | null = null;

/**
 * The grid's arrays, reused from call to call (fitPulse reads them before it returns; a free length's ~19 000 fits
 * took ~0.9 MB of new arrays per call, garbage for the collector), emptied (m = 0) and grown when too small.
 */
function gridScratch(cap: number): GridFits {
  if (!gridKept || gridKept.sse.length < cap) {
    const a = () => new Float64Array(cap);
    gridKept = { m: 0, onset: a(), duration: a(), shutter: a(), base: a(), amp: a(), sse: a() };
  }
  gridKept.m = 0;
  return gridKept;
}

/** One fit of the grid from its sums: kept when the design is not singular and it rises. */
function addFit(g: GridFits, n: number, sf: number, sff: number, sy: number, sfy: number, syy: number, tau: number, d: number, s: number): void {
  const det = n * sff - sf * sf;
  if (det <= 1e-9) return;
  const amp = (n * sfy - sf * sy) / det;
  if (!(amp > 0)) return;
  const base = (sy - amp * sf) / n;
  const j = g.m++;
  g.onset[j] = tau;
  g.duration[j] = d;
  g.shutter[j] = s;
  g.base[j] = base;
  g.amp[j] = amp;
  g.sse[j] = syy - base * sy - amp * sfy;
}

/**
 * Least-squares fit of base + amp·f_i(τ, D, s) to the frames around a pulse (times[i], values[i]; frame period T).
 * τ is searched on a grid of T/64 within a frame and a half of the coarse onset. D: the pulse length when known (from
 * the reference microphone), else fitted too (from the plateau's length), and then the shutter cannot be told (with D
 * free, a shorter shutter and an earlier onset fit equally well): 360°, 180° and fast shutters (FREE_SHUTTERS, FREE_FAST) are
 * fitted. A known D makes the shutter identifiable from the partly lit frames at the two ends.
 */
export function fitPulse(times: ArrayLike<number>, values: ArrayLike<number>, T: number, tau0: number, D: number | null, D0: number, noiseVar = 0): PulseFit {
  // Without the pulse length the shutter cannot be fitted: 360°, 180° and the fast shutters all fit, and the
  // posterior mean of their onsets stays between them (a partly lit frame rules the fast ones out, as with a known D).
  const slow = D === null ? FREE_SHUTTERS : SHUTTERS;
  const shutters = [...slow, ...(D === null ? FREE_FAST : FAST)];
  const durations: number[] = [];
  if (D !== null) durations.push(D);
  else for (let d = Math.max(T / 2, D0 - 1.5 * T); d <= D0 + 1.5 * T; d += T / 16) durations.push(d);
  // Every (shutter, length, onset) on the grid is fitted; the onset reported is the mean of the onsets of all fits,
  // each weighed by how well it fits (reportedOnset: when a frame falls wholly before or after the onset, or two
  // shutters fit alike, the data only bound the onset), with the best fit's other values; onset_lo_s..onset_hi_s
  // are the onsets the frames cannot tell from the best (nearSse), which the placement's gates use.
  const n = times.length;
  const g = gridFits(times, values, T, tau0, shutters, durations, slow[slow.length - 1]);
  if (!g.m) return { onset_s: tau0, duration_s: D ?? D0, shutter: 1, base: 0, amp: 0, rms: Infinity, onset_lo_s: tau0, onset_hi_s: tau0, alike_lo_s: tau0, alike_hi_s: tau0, model_sd_s: T };
  // The fast shutters are weighed in only when the frames show no partly lit frame beyond their noise (keepsFast).
  const keptFrom = fitFloor(g, slow[slow.length - 1], n, noiseVar);
  let minSse = Infinity;
  for (let j = 0; j < g.m; j++) if (g.shutter[j] >= keptFrom) minSse = Math.min(minSse, g.sse[j]);
  const [lo, hi] = onsetRange(g, nearSse(minSse, n, noiseVar), keptFrom);
  const k = bestIndex(g, slow[slow.length - 1]);
  const tau = g.onset[k];
  const top: PulseFit = { onset_s: tau, duration_s: g.duration[k], shutter: g.shutter[k], base: g.base[k], amp: g.amp[k], rms: Math.sqrt(Math.max(0, g.sse[k]) / n), onset_lo_s: tau, onset_hi_s: tau, alike_lo_s: tau, alike_hi_s: tau, model_sd_s: 0 };
  // The same bound with the model's own precision added to the noise: the onsets the model cannot tell apart.
  const [alo, ahi] = onsetRange(g, nearSse(minSse, n, noiseVar + modelVar(top.amp, top.rms)), keptFrom);
  const rep = reportedOnset(g, minSse, top, n, noiseVar, keptFrom);
  return { ...top, onset_s: rep.onset, onset_lo_s: lo, onset_hi_s: hi, alike_lo_s: alo, alike_hi_s: ahi, model_sd_s: rep.sd };
}

/**
 * fitPulse with the pulse length D known from the reference microphone's beep, checked against the frames. An LED
 * lit longer or shorter than the beep (LED and tone from separate drivers) fitted with the beep's length makes the
 * fit split the difference between its rising and falling edges: lit 0.23 s against a 0.2 s beep at 25 fps read
 * 0.9 frame late with an onset spread of a quarter frame (sdur, session 17). Only the rising edge is simultaneous with
 * the beep's start (a sync box triggers both at once), so when a free length fits the frames better than the beep's
 * by more than their noise can tell (nearSse: Wilks' bound, as for the onsets) and by a quarter frame or more, the length is fitted free around the
 * frames' own plateau D0 and the onset taken from that fit; the shutter is then not told (360° and 180°, as without
 * the reference). `lengthKnown` says whether the beep's length held.
 */
export function fitPulseChecked(times: ArrayLike<number>, values: ArrayLike<number>, T: number, tau0: number, D: number | null, D0: number, noiseVar = 0): PulseFit & { lengthKnown: boolean } {
  const free = fitPulse(times, values, T, tau0, null, D0, noiseVar);
  if (D === null) return { ...free, lengthKnown: false };
  const known = fitPulse(times, values, T, tau0, D, D0, noiseVar);
  const n = times.length;
  const sse = (f: PulseFit) => (Number.isFinite(f.rms) ? f.rms * f.rms * n : Infinity);
  // A free length within a quarter frame of the beep's is codec smear of the partly lit frames, not another length: on
  // H.264 at CRF 30 such fits beat the beep's by more than the noise and moved matched pulses 0.3 frame (sweep, s17).
  const agrees = Math.abs(free.duration_s - D) < T / 4 || sse(known) <= nearSse(sse(free), n, noiseVar);
  return agrees ? { ...known, lengthKnown: true } : { ...free, lengthKnown: false };
}

/**
 * Longest stretch of a beep as heard at a microphone by its room's echo tail, s: issue #11 item 1 ("room echo
 * stretches the beep as heard ... by tens of ms"); ttrial49 R6 (RT60 0.45 s): a 230 ms beep read 279-316 ms at the
 * lav, its 230 ms LED's frames 217-225 ms.
 */
const ECHO_STRETCH_S = 0.12;

/**
 * Whether the frames' own length is the beep's dry length, the heard one (D) being stretched by the room's echo tail:
 * shorter than D by at most ECHO_STRETCH_S, and lit at least 3 frames, so its fully lit frames fix its length (a light
 * of one or two partly lit frames fits many lengths: flash.ts untimedReason). flash.ts fitOnset then refits the onset
 * with that length known, which tells the shutter from the partly lit frames at both ends, as a known beep length does.
 */
export function echoShortened(frameLength: number, D: number, T: number): boolean {
  return frameLength < D && D - frameLength <= ECHO_STRETCH_S && frameLength >= 3 * T;
}
