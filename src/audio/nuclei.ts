/**
 * Syllable nuclei and pauses after de Jong & Wempe (2009), "Praat script to detect syllable nuclei and measure
 * speech rate automatically", Behavior Research Methods 41(2): intensity peaks above a threshold (the 0.99
 * quantile of the intensity minus 25 dB), each standing more than 2 dB above the dip before the next peak (the
 * last peak has no follower and is dropped, as in the script), counted only where the pitch track is voiced and
 * inside a sounding interval (Praat's "To TextGrid (silences)": silences of at least 0.3 s, sounding parts of at
 * least 0.1 s). Praat's "To PointProcess (extrema)" with sinc interpolation is replaced by parabolic interpolation
 * of the peak; the voicing check uses mmprep's F0 track (nearest frame) instead of a second pitch analysis.
 */

export interface NucleiParams {
  silenceDb: number;
  minDipDb: number;
  minPauseS: number;
  minSoundingS: number;
}

export interface NucleiResult {
  n_syllables: number;
  nuclei_times_s: number[];
  n_pauses: number;
  pause_durations_s: number[];
  phonation_time_s: number;
  sounding_intervals_s: Array<[number, number]>;
  intensity_max_db: number | null;
  intensity_q99_db: number | null;
  peak_threshold_db: number | null;
}

/** Praat's NUMquantile on sorted values (linear interpolation between order statistics, 1-based place q*n + 0.5). */
function quantileSorted(a: Float64Array, q: number): number {
  const n = a.length;
  const place = q * n + 0.5;
  const left = Math.floor(place);
  if (left < 1) return a[0];
  if (left >= n) return a[n - 1];
  return a[left - 1] + (place - left) * (a[left] - a[left - 1]);
}

type Interval = { sounding: boolean; a: number; b: number };

/** Joins neighbouring intervals of the same kind (copies, so the input list is left alone). */
function mergeSameKind(list: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const iv of list) {
    const last = out[out.length - 1];
    if (last && last.sounding === iv.sounding) last.b = iv.b;
    else out.push({ ...iv });
  }
  return out;
}

/**
 * Sounding / silent intervals (Praat's Intensity_to_TextGrid_detectSilences, dwtools/Intensity_extensions.cpp):
 * frames at or above max99 + silenceDb are sounding; boundaries halfway between frames; short sounding parts are
 * absorbed first, then short silences, in Praat's order ("works much better", its comment says): a blip shorter
 * than minSoundingS between two short silences leaves one pause, not one sounding stretch (the other order until
 * 2026-12-07).
 */
function soundingIntervals(db: ArrayLike<number>, times: ArrayLike<number>, duration: number, silThr: number, p: NucleiParams): Interval[] {
  const n = db.length;
  let ivs: Interval[] = [];
  let cur: Interval = { sounding: db[0] >= silThr, a: 0, b: duration };
  for (let k = 1; k < n; k++) {
    const s = db[k] >= silThr;
    if (s !== cur.sounding) {
      const tb = 0.5 * (times[k - 1] + times[k]);
      cur.b = tb;
      ivs.push(cur);
      cur = { sounding: s, a: tb, b: duration };
    }
  }
  ivs.push(cur);
  ivs = mergeSameKind(ivs.map((iv) => (iv.sounding && iv.b - iv.a < p.minSoundingS ? { ...iv, sounding: false } : iv)));
  ivs = mergeSameKind(ivs.map((iv) => (!iv.sounding && iv.b - iv.a < p.minPauseS ? { ...iv, sounding: true } : iv)));
  return ivs;
}

/**
 * Whether t lies in one of the intervals (sorted by start, disjoint: the sounding ones of soundingIntervals), by
 * binary search: the same answer as testing each interval, which cost O(peaks x intervals) on long files.
 */
function inIntervals(ivs: Interval[], t: number): boolean {
  let lo = 0;
  let hi = ivs.length - 1;
  let j = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ivs[mid].a <= t) {
      j = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return j >= 0 && t <= ivs[j].b;
}

/** Intensity maxima with parabolic interpolation, kept when above the threshold: their times and values. */
function intensityPeaks(db: ArrayLike<number>, times: ArrayLike<number>, threshold: number): { peakT: number[]; peakV: number[] } {
  const n = db.length;
  const peakT: number[] = [];
  const peakV: number[] = [];
  for (let k = 1; k < n - 1; k++) {
    if (db[k] > db[k - 1] && db[k] >= db[k + 1]) {
      const d2 = db[k - 1] - 2 * db[k] + db[k + 1];
      let off = 0;
      let val = db[k];
      if (d2 < 0) {
        off = (0.5 * (db[k - 1] - db[k + 1])) / d2;
        val = db[k] - 0.25 * (db[k - 1] - db[k + 1]) * off;
      }
      const dt = times[k + 1] - times[k];
      if (val > threshold) {
        peakT.push(times[k] + off * dt);
        peakV.push(val);
      }
    }
  }
  return { peakT, peakV };
}

/** Praat: "Get value at time ... Nearest": the frame (of the first n) nearest to t. */
function nearestFrame(times: ArrayLike<number>, n: number, t: number, frameStep: number): number {
  let near = Math.min(n - 1, Math.max(0, Math.round((t - times[0]) / frameStep)));
  while (near + 1 < n && Math.abs(times[near + 1] - t) < Math.abs(times[near] - t)) near++;
  while (near > 0 && Math.abs(times[near - 1] - t) < Math.abs(times[near] - t)) near--;
  return near;
}

/**
 * A peak counts when it stands more than minDip above the lowest frame before the next peak (the last peak has no
 * follower and is dropped): the times of the peaks that count.
 */
function peaksAboveDips(db: ArrayLike<number>, times: ArrayLike<number>, peakT: number[], peakV: number[], minDipDb: number): number[] {
  const n = db.length;
  const valid: number[] = [];
  const frameStep = (times[n - 1] - times[0]) / (n - 1);
  let currentInt = peakV[0];
  let k0 = 0;
  for (let i = 0; i < peakT.length - 1; i++) {
    let dip = Infinity;
    const ta = peakT[i];
    const tb = peakT[i + 1];
    while (k0 < n && times[k0] < ta) k0++;
    for (let k = k0; k < n && times[k] <= tb; k++) if (db[k] < dip) dip = db[k];
    if (Math.abs(currentInt - dip) > minDipDb) valid.push(ta);
    currentInt = db[nearestFrame(times, n, tb, frameStep)];
  }
  return valid;
}

function noNuclei(): NucleiResult {
  return {
    n_syllables: 0,
    nuclei_times_s: [],
    n_pauses: 0,
    pause_durations_s: [],
    phonation_time_s: 0,
    sounding_intervals_s: [],
    intensity_max_db: null,
    intensity_q99_db: null,
    peak_threshold_db: null,
  };
}

/**
 * What syllableNuclei finds before the voicing check: the candidate nuclei (peaks above their dips), the sounding
 * intervals and the pauses. It needs the intensity contour only, so `mmprep audio` finds it while the pitch worker
 * still runs (features.ts), and only the voicing check waits for the F0 track (nucleiOf).
 */
export interface NucleiCandidates {
  /** Peak times that stand above their dips, before the voicing and sounding checks; null with fewer than 3 frames. */
  valid: number[] | null;
  sounding: Interval[];
  pauses: number[];
  phonation: number;
  max: number;
  q99: number;
  threshold: number;
}

/** syllableNuclei up to the voicing check. @param db intensity contour (dB), @param times its frame times (s), @param duration the file's duration (s). */
export function nucleiCandidates(db: ArrayLike<number>, times: ArrayLike<number>, duration: number, p: NucleiParams): NucleiCandidates {
  const n = db.length;
  if (n < 3) return { valid: null, sounding: [], pauses: [], phonation: 0, max: NaN, q99: NaN, threshold: NaN };
  const sorted = Float64Array.from(db).sort();
  const max = sorted[n - 1];
  const minint = sorted[0];
  const q99 = quantileSorted(sorted, 0.99);
  let threshold = q99 + p.silenceDb;
  if (threshold < minint) threshold = minint;

  const ivs = soundingIntervals(db, times, duration, q99 + p.silenceDb, p);
  const sounding = ivs.filter((iv) => iv.sounding);
  const phonation = sounding.reduce((s, iv) => s + (iv.b - iv.a), 0);
  const pauses: number[] = [];
  for (let i = 1; i < ivs.length - 1; i++) if (!ivs[i].sounding) pauses.push(ivs[i].b - ivs[i].a);

  const { peakT, peakV } = intensityPeaks(db, times, threshold);
  const valid = peaksAboveDips(db, times, peakT, peakV, p.minDipDb);
  return { valid, sounding, pauses, phonation, max, q99, threshold };
}

/** The nuclei of the candidates: those where the F0 track is voiced (isVoiced, at a time) inside a sounding interval. */
export function nucleiOf(c: NucleiCandidates, isVoiced: (t: number) => boolean): NucleiResult {
  if (c.valid === null) return noNuclei();
  const inSounding = (t: number) => inIntervals(c.sounding, t);
  const nuclei = c.valid.filter((t) => isVoiced(t) && inSounding(t));
  return {
    n_syllables: nuclei.length,
    nuclei_times_s: nuclei,
    n_pauses: c.pauses.length,
    pause_durations_s: c.pauses,
    phonation_time_s: c.phonation,
    sounding_intervals_s: c.sounding.map((iv) => [iv.a, iv.b]),
    intensity_max_db: c.max,
    intensity_q99_db: c.q99,
    peak_threshold_db: c.threshold,
  };
}

/**
 * @param db intensity contour (dB), @param times its frame times (s), @param duration the file's duration (s),
 * @param isVoiced whether the F0 track is voiced at a time.
 */
export function syllableNuclei(db: ArrayLike<number>, times: ArrayLike<number>, duration: number, isVoiced: (t: number) => boolean, p: NucleiParams): NucleiResult {
  return nucleiOf(nucleiCandidates(db, times, duration, p), isVoiced);
}
