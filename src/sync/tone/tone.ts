/**
 * Tone-burst onsets (the 1 kHz sync beep) in a stream of mono PCM.
 *
 * Method: a sliding quadrature demodulator at the tone frequency (the complex single-bin DFT that the Goertzel
 * algorithm computes; Goertzel 1958, Lyons "Understanding DSP" 13.17) gives the tone's amplitude and phase in 10 ms
 * windows on a 2 ms grid. Candidate bursts are runs of windows whose narrow-band power exceeds the floor by
 * `thresholdDb` (the chunk's median narrow-band power, or the median around them where that is much higher:
 * tone-floor.ts); a burst is kept when it lasts long enough, its measured frequency
 * is within `maxFreqDevHz` of the tone and its phase advances linearly (a sustained speech harmonic or a musical
 * note near the tone drifts in phase and is rejected). The onset is then refined below one sample period: with a
 * boxcar window of N samples, the window amplitude grows linearly from 0 to full while the window slides onto the
 * burst, so a least-squares line through the noise-corrected rising edge (25 % to 65 % of the plateau) crosses zero
 * one sample before the first tone sample.
 *
 * Memory is bounded: samples are analysed in chunks of `chunkS` seconds with `overlapS` seconds of overlap.
 *
 * The steps, by file: tone-demod.ts (reference oscillator, 2 ms block and 10 ms window sums); tone-floor.ts (the
 * floor, chunk-wide and local); this file (candidate
 * runs, their core, frequency and phase checks, coarse edges); tone-refine.ts (the direct-arrival onset, its change
 * point, its uncertainty and whether it is placeable); tone-step.ts (the change point of direct sound and building
 * echo, tried where the edge route refuses or to check it); tone-onset.ts (the onset judged against the noise before the beep: an echo dip can make it late);
 * tone-early.ts (tone in any phase just before the onset: read late on the echo's build-up; a beep's echo after
 * its end is not a second beep);
 * tone-spectrum.ts (prominence over neighbouring frequencies); tone-harmonic.ts (a voice's harmonic: a tone
 * phase-locked to its partial at half, a third or a quarter of its frequency is not a beep); tone-null.ts (confidence against the recording's
 * own null); tone-hint.ts (a beep at another frequency, for messages); tone-math.ts (median, line fit).
 */

import { BlockSumsKernel, blockSums, slidingAmplitude, ToneOscillator, TrackArrays, windowSums } from './tone-demod.js';
import { fitLine, median } from './tone-math.js';
import { floorAt, toneFloors, type ToneFloors } from './tone-floor.js';
import { prominenceDb } from './tone-spectrum.js';
import { harmonicOfVoice, type HarmonicFinding } from './tone-harmonic.js';
import { COH_BLOCKS, MAX_COHERENT_RESID, coherentMaxDevHz, coherentPlateau, coherentPower, coherentRuns, coherentTrack, type CoherentTrack } from './tone-coherent.js';
import { calibrateBeeps, STAT_WINDOWS, statTrack } from './tone-null.js';
import { markEchoTails } from './tone-early.js';
import { OnsetRefiner, RINGING_PHRASE } from './tone-refine.js';
import { losslessCodec, preEchoSpanS } from './tone-onset.js';

export interface ToneScanOptions {
  /** Tone frequency in Hz (default 1000). */
  toneHz?: number;
  /** Shortest burst accepted, seconds (default 0.05). */
  minDurationS?: number;
  /** Longest burst accepted, seconds (default 5). */
  maxDurationS?: number;
  /** Narrow-band power over the floor needed to start a candidate, dB (default 12). */
  thresholdDb?: number;
  /** Lowest accepted broadband SNR of a burst (tone power against everything else while it sounds), dB (default -10). */
  minSnrDb?: number;
  /** Least prominence of the tone over other spectral components 60 to 450 Hz away, dB (default 6). */
  minProminenceDb?: number;
  /**
   * Least prominence of a beep found by its coherence (tone-coherent.ts), dB (default minProminenceDb - 3): speech
   * over a beep at band SNR 0 dB puts harmonics nearly as strong as the beep beside it (room bench, 2026-11-30: 11
   * such beeps at 2.9-5.6 dB), while speech that holds a harmonic on the tone for 130 ms stood 3 dB or more under
   * its neighbours there.
   */
  minCoherentProminenceDb?: number;
  /** Largest accepted deviation of the measured frequency from toneHz, Hz (default max(5, 0.5 % of toneHz)). */
  maxFreqDevHz?: number;
  /** Analysis chunk length in seconds (default 30) and overlap between chunks (default 6). */
  chunkS?: number;
  overlapS?: number;
  /** How far before a transient the stream's lossy codec spreads it, seconds (tone-onset.ts preEchoSpanS; default 0). */
  preEchoS?: number;
  /** The stream is PCM or a lossless codec (tone-onset.ts losslessCodec; default false): nothing of the beep's own sound lies before its onset. */
  lossless?: boolean;
  /**
   * Only onsets in these spans of samples (from the first pushed sample, [start, end)) are wanted (`mmprep audio`'s
   * beep search at the file's ends, as `mmprep sync --search-s` searches): a chunk whose own onsets (those it reports,
   * after the previous chunk's) lie in none of them is not analysed. The chunks analysed are the ones a whole-stream
   * scan analyses, on the same samples, so their detections are that scan's (default: every chunk).
   */
  onsetSpans?: Array<[number, number]>;
}

export interface ToneDetection {
  /** Onset on the stream's own timeline, seconds. */
  t_s: number;
  /** Burst length at half amplitude, seconds. */
  duration_s: number;
  /** Frequency measured from the phase slope, Hz. */
  freq_hz: number;
  /** Tone power against everything else in the signal while it sounds, dB. */
  snr_db: number;
  /** Tone power against the in-band interference a span as long as the beep typically holds around it (bandSnrOf), dB. */
  band_snr_db: number;
  /** Tone RMS level, dB re full scale (a full-scale sine is 0 dBFS). */
  level_dbfs: number;
  /** Tone power over the strongest other spectral component 60 to 450 Hz away, dB. */
  prominence_db: number;
  /**
   * 0..0.999: exp(-expected_false), the probability that this recording makes no tone-band event as strong as the
   * beep in the span searched (tone-null.ts).
   */
  confidence: number;
  /** Expected number of times without a beep, in the span searched, with tone-band energy as strong (tone-null.ts). */
  expected_false?: number;
  /** Whether the onset is trustworthy enough to place a stream by (e.g. band SNR >= 0 dB); see session placement. */
  placeable?: boolean;
  /** Why the detection is not placeable (one line), when it is not. */
  unplaceable_reason?: string;
  /** Estimated standard uncertainty of the onset, seconds (null when unknown). */
  onset_sd_s?: number | null;
  /**
   * Set when the tone is a harmonic of a voice at this fundamental (toneHz / k; tone-harmonic.ts): not a beep, never
   * placeable, and `mmprep audio` leaves its frames in.
   */
  harmonic_of_hz?: number;
}

const BLOCK_S = 0.002;
const WIN_BLOCKS = 5;
/**
 * The refusal of a beep found only by its coherence (tone-coherent.ts: speech over it broke its 10 ms power, from which
 * its edge is read) whose onset the refiner's checks refuse too (tone-refine.ts judge); one they pass is placeable. From
 * 2026-11-30 to 2026-12-07 every such beep was refused: on the held-out room set of 2026-11-30 (beep-rooms-v2) one
 * (DRR -3 dB) was read 8.6 ms late with sd 0.6 ms and passed the onset checks of that day. The checks added since
 * (the change point's scatter in the sound before the onset, the two readings' agreement, the lead-in, an unsure change
 * point of direct sound and echo) refuse the others: measured 2026-12-07 on every detection of every audio file of
 * room variants 0, 10, 160, 180, 190, 150 and 151 (`--geometry drawn`), 230, 231 and 232 (drawn), 185 of 1010
 * detections were found only by their coherence; the checks passed 4, 0.10-0.49 ms from the truth (sds 0.71-1.85 ms),
 * none off and none where no beep was, and refused the other 181 (up to 300 ms off). Held-out variants 311 and 312
 * (drawn): 29 such detections, none passed (docs/sync.md "Known limits"). A beep refused by both keeps this reason (its
 * onset is no evidence either way: onset_sd_s null).
 */
const COHERENT_ONLY_REASON = 'found only by its coherence (speech over it breaks up its 10 ms power, from which its onset is read): the onset is not timed well enough to place by';
/** The refusal of a tone that is a harmonic of a voice (tone-harmonic.ts). */
function harmonicReason(h: HarmonicFinding): string {
  return `a harmonic of a voice at ${h.f0_hz.toFixed(1)} Hz, not a beep: its partial there is locked in phase to the tone (coupling ${h.coupling.toFixed(2)}, partial ${h.level_db.toFixed(1)} dB re the tone)`;
}
/** The lowest band SNR reported (a tone whose coherent power does not exceed the interference's share). */
const MIN_BAND_SNR_DB = -40;
/** The part of the rising edge fitted, as fractions of the plateau (low enough to end before early reflections). */
const FIT_LO = 0.25;
const FIT_HI = 0.65;
/** How much earlier than its plateau a beep's rise is searched again when the plateau's own span holds none, s. */
const EARLY_RISE_S = 0.2;
/** How far before a burst's rise its onset is searched for (tone-refine.ts onsetOf, directArrival's 0.15 s), s. */
const RISE_SEARCH_S = 0.15;

/** A burst's plateau (ToneScanner.plateauOf): run w0..w1, plateau windows p0..p1, tone and total power, phase line. */
interface Plateau {
  w0: number;
  w1: number;
  p0: number;
  p1: number;
  pt: number;
  ptot: number;
  freq: number;
  resid: number;
  coherent: boolean;
}

/** Least number of spans outside a beep for its band SNR to be judged against their median (typicalSpanPower). */
const MIN_SPANS = 8;

/**
 * The in-band interference a span of `spanWindows` windows typically holds: the median, over the back-to-back spans of
 * tp (10 ms power on the 2 ms grid) that lie wholly outside windows a..b, of their mean; null when fewer than
 * MIN_SPANS such spans.
 */
export function typicalSpanPower(tp: Float64Array, a: number, b: number, spanWindows: number): number | null {
  const means: number[] = [];
  const addSpans = (from: number, to: number) => {
    for (let s = from; s + spanWindows <= to; s += spanWindows) {
      let sum = 0;
      for (let w = s; w < s + spanWindows; w++) sum += tp[w];
      means.push(sum / spanWindows);
    }
  };
  addSpans(0, Math.min(tp.length, Math.max(0, a)));
  addSpans(Math.max(0, b + 1), tp.length);
  return means.length >= MIN_SPANS ? median(means) : null;
}

/**
 * runsAbove's loop, in a function of its own with nothing before it but the result array (as tone-demod.ts's
 * blockSumsTable; its length given, not read): V8 compiled
 * it on-stack while the property reads before it, run once before V8 had a feedback vector, had no type feedback, and
 * threw that code away at them in the next chunk ("insufficient type feedback for generic named access").
 */
function runsOver(tp: Float64Array, nw: number, thr: Float64Array, seg: number): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (let w = 0; w < nw; w++) {
    if (tp[w] <= thr[(w / seg) | 0]) continue;
    let e = w;
    let gap = 0;
    for (let v = w + 1; v < nw; v++) {
      if (tp[v] > thr[(v / seg) | 0]) {
        e = v;
        gap = 0;
      } else if (++gap > 3) break;
    }
    runs.push([w, e]);
    w = e;
  }
  return runs;
}

/** Streaming tone-burst detector: push() PCM chunks in order, then finish(). */
export class ToneScanner {
  readonly sampleRate: number;
  readonly toneHz: number;
  private readonly t0: number;
  private readonly o: Required<ToneScanOptions>;
  private readonly buf: Float32Array;
  private filled = 0;
  /** Global sample index of buf[0]. */
  private bufStart = 0;
  /** Onsets at or after this global sample index are new (earlier ones were reported by the previous chunk). */
  private acceptFrom = -Infinity;
  private readonly found: ToneDetection[] = [];
  /** The reference oscillator at the tone frequency (tone-demod.ts). */
  private readonly ref: ToneOscillator;
  /** The chunk's block, window and coherent tracks, reused from chunk to chunk (nothing keeps them past analyse). */
  private readonly arrays = new TrackArrays();
  /** The block sums by WebAssembly, on buf (its memory); null: blockSums in JavaScript. */
  private readonly blockKernel: BlockSumsKernel | null;
  /** Samples in the sliding windows. */
  readonly blockN: number;
  readonly winN: number;
  /**
   * Stream time where the searched span ends when the audio decoded runs past it (a short file's start window under
   * --ends start is decoded whole, its second half for cross-correlation only): the tries that a beep's confidence
   * counts end here, as "the searched span" of tone-null.ts says. The null's values still come from all of it.
   */
  searchedUntilS = Infinity;

  /**
   * The scanner for a decoded stream, as `mmprep sync` (scan-audio.ts) and `mmprep audio`'s beep marking
   * (features.ts) both build it: a lossy codec's pre-echo before a beep is not taken for an earlier arrival
   * (tone-onset.ts preEchoSpanS, from the stream's codec and its own sample rate; opts.preEchoS overrides it), and a
   * PCM or lossless stream's in-phase tone far under the direct sound is not taken for a hidden direct sound
   * (losslessCodec, tone-refine.ts HIDDEN_DIRECT_DB). `stream` undefined: samples of unknown origin, given neither.
   */
  static forStream(sampleRate: number, t0: number, stream: { codec?: string | null; sample_rate_hz?: number | null } | undefined, opts: ToneScanOptions = {}): ToneScanner {
    const preEchoS = opts.preEchoS ?? preEchoSpanS(stream?.codec, stream?.sample_rate_hz);
    return new ToneScanner(sampleRate, t0, { ...opts, preEchoS, lossless: opts.lossless ?? losslessCodec(stream?.codec) });
  }

  /** t0: time of the first pushed sample on the stream's timeline. */
  constructor(sampleRate: number, t0: number, opts: ToneScanOptions = {}) {
    this.sampleRate = sampleRate;
    this.t0 = t0;
    const toneHz = opts.toneHz ?? 1000;
    this.toneHz = toneHz;
    if (!(toneHz > 0 && toneHz < sampleRate / 2)) throw new RangeError(`tone frequency ${toneHz} Hz must be between 0 and ${sampleRate / 2} Hz`);
    this.o = {
      toneHz,
      minDurationS: opts.minDurationS ?? 0.05,
      maxDurationS: opts.maxDurationS ?? 5,
      thresholdDb: opts.thresholdDb ?? 12,
      minSnrDb: opts.minSnrDb ?? -10,
      minProminenceDb: opts.minProminenceDb ?? 6,
      minCoherentProminenceDb: opts.minCoherentProminenceDb ?? (opts.minProminenceDb ?? 6) - 3,
      maxFreqDevHz: opts.maxFreqDevHz ?? Math.max(5, 0.005 * toneHz),
      chunkS: opts.chunkS ?? 30,
      overlapS: opts.overlapS ?? 6,
      preEchoS: opts.preEchoS ?? 0,
      lossless: opts.lossless ?? false,
      onsetSpans: opts.onsetSpans ?? [[0, Infinity]],
    };
    if (this.o.overlapS < this.o.maxDurationS + 0.5) this.o.overlapS = this.o.maxDurationS + 0.5;
    const bufLength = Math.round((this.o.chunkS + this.o.overlapS) * sampleRate);
    this.blockN = Math.max(1, Math.round(BLOCK_S * sampleRate));
    this.winN = this.blockN * WIN_BLOCKS;
    this.ref = new ToneOscillator(sampleRate, toneHz);
    this.blockKernel = BlockSumsKernel.create(bufLength, this.blockN, this.ref);
    this.buf = this.blockKernel ? this.blockKernel.samples : new Float32Array(bufLength);
  }

  push(chunk: Float32Array): void {
    let i = 0;
    while (i < chunk.length) {
      const take = Math.min(chunk.length - i, this.buf.length - this.filled);
      this.buf.set(chunk.subarray(i, i + take), this.filled);
      this.filled += take;
      i += take;
      if (this.filled === this.buf.length) {
        const keep = Math.round(this.o.overlapS * this.sampleRate);
        const boundary = this.bufStart + this.buf.length - keep;
        this.analyseIfWanted(this.filled, boundary);
        this.buf.copyWithin(0, this.buf.length - keep);
        this.filled = keep;
        this.bufStart += this.buf.length - keep;
      }
    }
  }

  finish(): ToneDetection[] {
    if (this.filled > 0) this.analyseIfWanted(this.filled, Infinity);
    this.filled = 0;
    return this.found.slice().sort((a, b) => a.t_s - b.t_s);
  }

  /**
   * Analyses the buffer when the onsets it reports, [acceptFrom, boundary), meet a wanted span (onsetSpans); else
   * only moves on, as analyse does after a chunk (nothing found in it).
   */
  private analyseIfWanted(n: number, boundary: number): void {
    const from = this.acceptFrom;
    if (this.o.onsetSpans.some(([a, b]) => a < boundary && b > from)) this.analyse(this.buf, n, boundary);
    else this.acceptFrom = boundary;
  }

  /** Analyses x[0..n) (global start bufStart); keeps bursts whose onset lies in [acceptFrom, boundary). */
  private analyse(x: Float32Array, n: number, boundary: number): void {
    const nb = Math.floor(n / this.blockN);
    if (nb - WIN_BLOCKS + 1 < 3) {
      this.acceptFrom = boundary;
      return;
    }
    const blocks = blockSums(x, nb, this.blockN, this.bufStart, this.ref, this.arrays, this.blockKernel);
    const { wre, wim, tp, tot } = windowSums(blocks, WIN_BLOCKS, this.winN, this.arrays);
    const floors = toneFloors(tp, tot, BLOCK_S, this.arrays);
    const kept: ToneDetection[] = [];
    const all: ToneDetection[] = [];
    const keep = (det: ToneDetection | null) => {
      if (!det) return;
      all.push(det);
      const onsetGlobal = Math.round((det.t_s - this.t0) * this.sampleRate);
      if (onsetGlobal >= this.acceptFrom && onsetGlobal < boundary) kept.push(det);
    };
    const coh = coherentTrack(blocks, { wre, wim, tp, tot }, this.blockN, WIN_BLOCKS, this.arrays);
    for (const [w0, w1] of ToneScanner.runsAbove(tp, floors, 10 ** (this.o.thresholdDb / 10))) keep(this.measure(x, n, w0, w1, wre, wim, tp, tot, floorAt(floors, w0), coh, false));
    // Beeps that speech over them hides from the power threshold, found by their coherence (tone-coherent.ts); a run
    // inside a beep already found or its echo is that beep.
    for (const [b0, b1] of coherentRuns(coh, this.arrays)) {
      const t = (b: number) => this.t0 + (this.bufStart + b * this.blockN) / this.sampleRate;
      if (all.some((d) => t(b1) + 0.05 > d.t_s - 0.1 && t(b0) < d.t_s + d.duration_s + 0.5)) continue;
      keep(this.measure(x, n, b0, b1 + COH_BLOCKS - WIN_BLOCKS, wre, wim, tp, tot, floorAt(floors, b0), coh, true));
    }
    // The null statistic only when a beep was kept (calibrate does nothing without one).
    if (kept.length) this.calibrate(x, kept, statTrack(blocks.bre, blocks.bim));
    this.found.push(...kept);
    markEchoTails(this.found);
    this.acceptFrom = boundary;
  }

  /**
   * Confidence of each beep against this chunk's own tone-band energy at times without a beep (tone-null.ts): the
   * expected number of false beeps as strong in the chunk searched, and exp(-that).
   */
  private calibrate(x: Float32Array, dets: ToneDetection[], track: Float64Array): void {
    if (!dets.length) return;
    const B = this.blockN;
    const sr = this.sampleRate;
    const local = (t: number) => (t - this.t0) * sr - this.bufStart;
    const spans = dets.map((d) => {
      const w = Math.ceil(local(d.t_s) / B);
      // The beep and its room echo (0.5 s after its end) are not null material.
      return { w, from: w - 2 * WIN_BLOCKS, to: Math.ceil((local(d.t_s) + (d.duration_s + 0.5) * sr) / B) };
    });
    const prominent = (w: number) => this.prominence(x, w * B, (w + STAT_WINDOWS) * B, this.o.minProminenceDb) >= this.o.minProminenceDb;
    const searched = Math.min(track.length, Math.max(0, Math.round(local(this.searchedUntilS) / B)));
    const cal = calibrateBeeps(track, spans, searched, prominent);
    dets.forEach((d, i) => {
      d.expected_false = cal[i].expected_false;
      d.confidence = cal[i].confidence;
    });
  }

  /** Runs of windows above their floor (tone-floor.ts) times over, bridging dips of up to 3 windows (6 ms). */
  private static runsAbove(tp: Float64Array, floors: ToneFloors, over: number): Array<[number, number]> {
    const thr = Float64Array.from(floors.segments, (f) => f * over);
    return runsOver(tp, tp.length, thr, floors.segmentWindows);
  }


  /** Complex demodulation of x[a..b) at the tone frequency (the single-bin DFT), [re, im]. */
  private demod(x: Float32Array, a: number, b: number): [number, number] {
    return this.ref.demod(x, a, b, this.bufStart);
  }


  /** A run can merge with neighbouring in-band sound: its longest stretch within 6 dB of the run's upper-quartile power. */
  private coreOfRun(tp: Float64Array, w0: number, w1: number): [number, number] {
    const vals = Float64Array.from(tp.subarray(w0, w1 + 1)).sort();
    const level = vals[Math.floor((vals.length - 1) * 0.75)];
    let bestA = w0;
    let bestB = w0 - 1;
    let a = -1;
    for (let w = w0; w <= w1 + 1; w++) {
      const ok = w <= w1 && tp[w] >= level / 4;
      if (ok && a < 0) a = w;
      if (!ok && a >= 0) {
        if (w - 1 - a > bestB - bestA) {
          bestA = a;
          bestB = w - 1;
        }
        a = -1;
      }
    }
    return [bestA, bestB];
  }

  /** Frequency from the phase slope of windows p0..p1 and the RMS deviation of the phase from a line (radians). */
  private phaseTrack(wre: Float64Array, wim: Float64Array, p0: number, p1: number): { freq: number; resid: number } {
    if (p1 - p0 + 1 < 3) return { freq: this.toneHz, resid: 0 };
    const ph: number[] = [];
    let prev = Math.atan2(wim[p0], wre[p0]);
    let acc = prev;
    ph.push(acc);
    for (let w = p0 + 1; w <= p1; w++) {
      const a = Math.atan2(wim[w], wre[w]);
      let d = a - prev;
      d -= 2 * Math.PI * Math.round(d / (2 * Math.PI));
      acc += d;
      ph.push(acc);
      prev = a;
    }
    const m = ph.length;
    const [slope, icpt] = fitLine(ph, 0, m - 1);
    let r2 = 0;
    for (let i = 0; i < m; i++) r2 += (ph[i] - icpt - slope * i) ** 2;
    return { freq: this.toneHz + (slope * this.sampleRate) / (2 * Math.PI * this.blockN), resid: Math.sqrt(r2 / m) };
  }

  /** Mean of tp over windows a..b (clamped), or null when fewer than 10. */
  private static meanOf(tp: Float64Array, a: number, b: number): number | null {
    a = Math.max(0, a);
    b = Math.min(tp.length - 1, b);
    if (b - a + 1 < 10) return null;
    let s = 0;
    for (let w = a; w <= b; w++) s += tp[w];
    return s / (b - a + 1);
  }


  /**
   * The burst's core and plateau: for a run of the 10 ms power threshold, its longest stretch within 6 dB of its
   * upper quartile, with the mean tone power and phase line of the 10 ms windows inside; for a coherent run (coh),
   * the run itself, with the 50 ms sums' power and phase line (speech over the beep averages out instead of adding).
   */
  private plateauOf(w0: number, w1: number, wre: Float64Array, wim: Float64Array, tp: Float64Array, tot: Float64Array, coh: CoherentTrack | null) {
    if (!coh) [w0, w1] = this.coreOfRun(tp, w0, w1);
    let p0 = w0 + 3;
    let p1 = w1 - 3;
    if (p1 < p0) p0 = p1 = (w0 + w1) >> 1;
    let pt = 0;
    let ptot = 0;
    for (let w = p0; w <= p1; w++) {
      pt += tp[w];
      ptot += tot[w];
    }
    pt /= p1 - p0 + 1;
    ptot /= p1 - p0 + 1;
    if (!coh) return { w0, w1, p0, p1, pt, ptot, ...this.phaseTrack(wre, wim, p0, p1), coherent: false };
    const c = coherentPlateau(coh, w0, w1 - (COH_BLOCKS - WIN_BLOCKS), this.toneHz, this.sampleRate, this.blockN, WIN_BLOCKS);
    return { w0, w1, p0, p1, pt: c.power, ptot, freq: c.freq, resid: c.resid, coherent: true };
  }

  /**
   * The run's plateau (plateauOf) with the tone power over the floor, or null when it is too short, off the tone's
   * frequency, not on one phase line, or (10 ms windows) below the minimum SNR.
   */
  private plateauTone(w0: number, w1: number, wre: Float64Array, wim: Float64Array, tp: Float64Array, tot: Float64Array, chunkFloor: number, coh: CoherentTrack, coherentRun: boolean): { plat: Plateau; floor: number; toneP: number } | null {
    const B = this.blockN;
    const sr = this.sampleRate;
    // The plateau's span lies within the run (coreOfRun keeps a stretch of it), so a run that is already too short
    // for the length test below is refused before its core and phase line are computed: the same result, and in
    // speech most runs of the 10 ms power threshold are that short (2825 of 4778 on the 10-minute bench file).
    if ((w1 - w0 + 1) * B < (this.o.minDurationS * sr) / 2) return null;
    const plat: Plateau = this.plateauOf(w0, w1, wre, wim, tp, tot, coherentRun ? coh : null);
    ({ w0, w1 } = plat);
    const { pt, ptot, freq, resid } = plat;
    if ((w1 - w0 + 1) * B < (this.o.minDurationS * sr) / 2) return null;
    const maxDev = plat.coherent ? Math.min(this.o.maxFreqDevHz, coherentMaxDevHz(this.toneHz)) : this.o.maxFreqDevHz;
    if (Math.abs(freq - this.toneHz) > maxDev || resid > (plat.coherent ? MAX_COHERENT_RESID : 0.6)) return null;
    // Floor: the narrow-band power just before the burst (speech there may be louder than the chunk median).
    const localMedian = w0 - WIN_BLOCKS - 10 >= Math.max(0, w0 - 60) ? median(tp.subarray(Math.max(0, w0 - 60), w0 - WIN_BLOCKS)) : 0;
    const floor = Math.max(chunkFloor, localMedian);
    // A coherent plateau holds a fifth of the noise's 10 ms power (tone-coherent.ts).
    const toneP = Math.max(pt - (plat.coherent ? floor / (COH_BLOCKS / WIN_BLOCKS) : floor), 1e-20);
    if (!plat.coherent && 10 * Math.log10(toneP / Math.max(ptot - toneP, 1e-20)) < this.o.minSnrDb) return null;
    return { plat, floor, toneP };
  }

  /**
   * The burst's edges and refined onset, its duration and prominence, or null when it has no edges or onset, or
   * its duration or prominence is out of bounds.
   */
  private timedBurst(x: Float32Array, n: number, plat: Plateau, wre: Float64Array, wim: Float64Array, tp: Float64Array, floor: number, chunkFloor: number) {
    const N = this.winN;
    const sr = this.sampleRate;
    const { w0, w1, p0, p1 } = plat;
    const edges = this.edges(x, n, w0, w1, p0, p1, wre, wim, plat.coherent);
    if (!edges) return null;
    // Noise of the arrival search: the mean in-band power 150-400 ms before the burst (before any direct sound).
    const farBefore = ToneScanner.meanOf(tp, w0 - 200, w0 - 75) ?? floor;
    const refiner = new OnsetRefiner(this.sampleRate, this.toneHz, this.winN, this.ref, this.bufStart, this.o.preEchoS, this.o.lossless);
    // An onset after end - minimum duration is refused below: onsetOf stops early when it cannot be earlier.
    const onset = refiner.onsetOf(x, n, edges.rise, Math.max(farBefore, chunkFloor), edges.end - this.o.minDurationS * sr);
    if (!onset) return null;
    const duration = (edges.end - onset.t) / sr;
    if (duration < this.o.minDurationS || duration > this.o.maxDurationS) return null;
    const minProminence = plat.coherent ? this.o.minCoherentProminenceDb : this.o.minProminenceDb;
    const prominence = this.prominence(x, Math.ceil(onset.t + 0.1 * N), Math.floor(edges.end - 0.1 * N), minProminence);
    if (prominence < minProminence) return null;
    // A partial of a voice at toneHz / k (tone-harmonic.ts): looked at inside the burst, clear of its edges' splatter.
    const harmonic = harmonicOfVoice(x, Math.ceil(onset.t + 0.2 * N), Math.floor(edges.end - 0.2 * N), sr, this.toneHz);
    return { end: edges.end, refiner, onset, duration, prominence, harmonic };
  }

  /**
   * Why the onset cannot be trusted (a voice's harmonic, band SNR below 0 dB, the refiner's verdict: for a beep found
   * only by its coherence, COHERENT_ONLY_REASON), or null.
   */
  private static unplaceableReason(bandSnr: number, coherent: boolean, judgedWhy: string | null, harmonic: HarmonicFinding | null): string | null {
    if (harmonic) return harmonicReason(harmonic);
    return bandSnr < 0
      ? bandSnr <= MIN_BAND_SNR_DB
        ? `the tone does not rise over the band's interference (band SNR ${MIN_BAND_SNR_DB} dB or less): the onset cannot be trusted`
        : `band SNR ${bandSnr.toFixed(1)} dB is below 0 dB: the onset cannot be trusted`
      : coherent && judgedWhy !== null
        ? COHERENT_ONLY_REASON
        : judgedWhy;
  }

  private measure(
    x: Float32Array,
    n: number,
    w0: number,
    w1: number,
    wre: Float64Array,
    wim: Float64Array,
    tp: Float64Array,
    tot: Float64Array,
    chunkFloor: number,
    coh: CoherentTrack,
    coherentRun: boolean,
  ): ToneDetection | null {
    const B = this.blockN;
    const sr = this.sampleRate;
    const tone = this.plateauTone(w0, w1, wre, wim, tp, tot, chunkFloor, coh, coherentRun);
    if (!tone) return null;
    const { plat, floor, toneP } = tone;
    const { pt, ptot, freq } = plat;
    const burst = this.timedBurst(x, n, plat, wre, wim, tp, floor, chunkFloor);
    if (!burst) return null;
    const { refiner, onset, duration, prominence, harmonic } = burst;
    // In-band interference: the mean narrow-band power over the 0.5 s before the onset (speech is bursty: a mean, not
    // a median), at least the floor.
    const onsetW = Math.floor(onset.t / B) - WIN_BLOCKS;
    const interference = Math.max(ToneScanner.meanOf(tp, onsetW - 250, onsetW - 5) ?? floor, chunkFloor);
    const bandSnr = this.bandSnrOf(tp, coh, onset.t, burst.end, { toneP, pt, floor, interference, chunkFloor });
    const judged = refiner.judge(x, n, onset, pt, interference, ptot - toneP);
    const onsetSd = judged.onsetSd;
    const why = ToneScanner.unplaceableReason(bandSnr, plat.coherent, judged.why, harmonic);
    return {
      t_s: this.t0 + (this.bufStart + judged.t) / sr,
      duration_s: duration,
      freq_hz: freq,
      snr_db: 10 * Math.log10(toneP / Math.max(ptot - toneP, 1e-20)),
      band_snr_db: bandSnr,
      level_dbfs: 10 * Math.log10(toneP / 0.5),
      prominence_db: prominence,
      confidence: 0, // set against the chunk's null by calibrate()
      placeable: why === null,
      ...(why === null ? {} : { unplaceable_reason: why }),
      ...(harmonic ? { harmonic_of_hz: Math.round(harmonic.f0_hz * 10) / 10 } : {}),
      // Below 0 dB band SNR, for a beep found only by its coherence and refused, or for an onset that is no step out of the noise,
      // the onset cannot be trusted, so its uncertainty is not known either: a coherent beep at -10 dB read 18 ms
      // early with a fitted sd of 0.8 ms, and on the room bench onsets read 25-84 ms early (speech just before the
      // beep) with sd 0.2-4.3 ms; as timed evidence they refused right cross-correlations (place.ts, beepBeforeXcorr).
      // An onset refused as a ringing sound's (tone-ringing.ts) is read on that sound, up to 40 ms early: untimed too.
      onset_sd_s: bandSnr < 0 || (plat.coherent && why !== null) || !judged.step || harmonic || judged.why?.includes(RINGING_PHRASE) ? null : onsetSd,
    };
  }

  /**
   * Band SNR: the tone's power (bandToneP) against the in-band interference a span as long as the beep typically holds
   * in this chunk (typicalSpanPower: the median, over the chunk's spans of the beep's length outside this beep and its
   * echo, of their mean 10 ms power), at least the chunk's floor. This is the quantity make-sync-rooms writes as each
   * beep's own band SNR (the beep against the interference over its own span, by the same 10 ms demodulator), with
   * the span under the beep, which the beep hides, replaced by the recording's typical span: a median, so a pause or
   * a loud vowel just before the beep, or a few other tone-band events, do not move it. Until 2026-12-06 it was
   * against the larger of the 0.5 s before the onset and the chunk's mean, which read 9.3 dB under the beeps' own
   * (median over 111 room-microphone beeps of room variants 10, 160 and 190; 36 read under 0 dB whose own was over it)
   * and refused a beep 0.10 ms off (variant 160); the median of spans reads 2.5 dB under (14 under 0 dB whose own
   * was over it, 3 over 0 dB whose own was under it, all three found only by their coherence, so not placeable).
   * A loud sound under the beep itself it cannot see (nor could the earlier measure); in a recording mostly quiet
   * between utterances the typical span is the quiet. The noise just before the onset still judges the onset
   * (tone-refine.ts judge). With fewer than MIN_SPANS spans outside the beep (a clip of a few seconds), the
   * interference before the onset. At most 40 dB under: a tone that does not rise over the interference at all has no
   * SNR to tell.
   */
  private bandSnrOf(tp: Float64Array, coh: CoherentTrack, onset: number, end: number, p: { toneP: number; pt: number; floor: number; interference: number; chunkFloor: number }): number {
    const B = this.blockN;
    const spanWindows = Math.max(1, Math.round((end - onset) / B));
    const typical = typicalSpanPower(tp, Math.floor(onset / B) - 50, Math.ceil(end / B) + 250, spanWindows);
    const noise = typical === null ? p.interference : Math.max(typical, p.chunkFloor);
    const toneP = this.bandToneP(coh, onset, end, p.toneP, p.pt, p.floor);
    return Math.max(MIN_BAND_SNR_DB, 10 * Math.log10(toneP / noise));
  }

  /**
   * The tone power the band SNR is judged by: its coherent power over the burst (50 ms sums, tone-coherent.ts; speech
   * over the beep adds to the 10 ms windows' power, not to the coherent sums'), never more than the plateau's toneP,
   * so that a beep is not judged over 0 dB by the speech that sounds with it. Where the plateau is not above the
   * power just before it (a run that starts late in the beep: the beep is no floor), the coherent power alone.
   */
  private bandToneP(coh: CoherentTrack, onset: number, end: number, toneP: number, pt: number, floor: number): number {
    const B = this.blockN;
    const steadyP = coherentPower(coh, Math.ceil(onset / B), Math.floor(end / B) - COH_BLOCKS);
    if (steadyP === null) return toneP;
    const steady = Math.max(steadyP - floor / (COH_BLOCKS / WIN_BLOCKS), 1e-20);
    return toneP <= 1e-20 || pt <= floor ? steady : Math.min(toneP, steady);
  }


  /** Coarse rising edge (sample where a window ending there holds no tone) and the last tone sample, from the 10 ms windows. */
  private edges(x: Float32Array, n: number, w0: number, w1: number, p0: number, p1: number, wre: Float64Array, wim: Float64Array, coherent = false): { rise: number; end: number } | null {
    const B = this.blockN;
    const N = this.winN;
    const risePhasor = this.phasor(wre, wim, p0, Math.min(p1, p0 + 10));
    let z0 = this.edge(x, n, w0 * B - N, (w0 + WIN_BLOCKS) * B + N, true, risePhasor);
    // A plateau that starts after the rise (the core of a run whose first part the room's echo built up over tens of
    // ms: ttrial49 s01's camera, already at 61 % of the plateau where the search began) has no rise in that span: it
    // is searched again from EARLY_RISE_S before (the fitted line's zero had been taken 0.58 s after the beep's start).
    if (z0 === null && !coherent) z0 = this.edge(x, n, w0 * B - N - Math.round(EARLY_RISE_S * this.sampleRate), (w0 + WIN_BLOCKS) * B + N, true, risePhasor);
    // A coherent run (tone-coherent.ts) whose 10 ms edge speech hides starts where its first coherent window does.
    if (z0 === null && coherent) z0 = w0 * B - 1;
    if (z0 === null) return null;
    const zEnd = this.edge(x, n, w1 * B, (w1 + WIN_BLOCKS) * B + 2 * N, false, this.phasor(wre, wim, Math.max(p0, p1 - 10), p1));
    // Falling line reaches zero when the window has left the burst: last tone sample = zEnd - N.
    const end = zEnd === null ? (w1 + WIN_BLOCKS) * B : zEnd - N + 1;
    return { rise: z0 + 1, end: coherent && end < z0 + 1 + (w1 - w0) * B ? (w1 + WIN_BLOCKS) * B : end };
  }

  /** Unit phasor and mean magnitude of windows a..b. */
  private phasor(wre: Float64Array, wim: Float64Array, a: number, b: number): [number, number, number] {
    let re = 0;
    let im = 0;
    for (let w = a; w <= b; w++) {
      re += wre[w];
      im += wim[w];
    }
    const m = Math.hypot(re, im) || 1;
    return [re / m, im / m, m / (b - a + 1)];
  }

  /**
   * One edge of the sliding-window amplitude, projected onto the burst's own phase (noise then averages out instead
   * of biasing a magnitude upward): a least-squares line over FIT_LO..FIT_HI of the plateau, refitted twice over a
   * span fixed in time relative to its zero. Returns the zero crossing (rising) or the full->zero crossing (falling).
   */
  private edge(x: Float32Array, n: number, from: number, to: number, rising: boolean, [ur, ui, zp]: [number, number, number]): number | null {
    const N = this.winN;
    from = Math.max(N - 1, from);
    to = Math.min(n - 1, to);
    if (to - from < 8) return null;
    const a = new Float64Array(to - from + 1);
    const [re, im] = this.demod(x, from - N + 1, from + 1);
    slidingAmplitude(x, from, to, N, this.bufStart, this.ref, re, im, ur, ui, a);
    const L = a.length;
    let i50 = -1;
    if (rising) {
      for (let i = 0; i < L; i++) if (a[i] >= 0.5 * zp) { i50 = i; break; }
    } else {
      for (let i = L - 1; i >= 0; i--) if (a[i] >= 0.5 * zp) { i50 = i; break; }
    }
    if (i50 < 0) return null;
    let lo = i50;
    let hi = i50;
    if (rising) {
      while (lo > 0 && a[lo - 1] >= FIT_LO * zp) lo--;
      while (hi < L - 1 && a[hi + 1] <= FIT_HI * zp) hi++;
    } else {
      while (lo > 0 && a[lo - 1] <= FIT_HI * zp) lo--;
      while (hi < L - 1 && a[hi + 1] >= FIT_LO * zp) hi++;
    }
    if (hi - lo < 2) return from + i50;
    const fit = (l: number, h: number): [number, number] | null => {
      l = Math.max(0, Math.round(l));
      h = Math.min(L - 1, Math.round(h));
      if (h - l + 1 < 3) return null;
      const [slope, icpt] = fitLine(a, l, h);
      return Math.abs(slope) > 0 ? [slope, icpt] : null;
    };
    let f = fit(lo, hi);
    if (!f) return from + i50;
    let z = -f[1] / f[0];
    for (let it = 0; it < 2; it++) {
      const g = rising ? fit(z + FIT_LO * N, z + FIT_HI * N) : fit(z - FIT_HI * N, z - FIT_LO * N);
      if (!g) break;
      f = g;
      z = -f[1] / f[0];
    }
    // A line whose zero lies far past the span read on the side the burst lies found no edge here: its zero is an
    // extrapolation of a line that does not cross the edge (a rise 0.58 s late on ttrial49 s01's camera, read from
    // amplitudes already over half the plateau and dipping; the end 64 ms before its plateau's end there). A rise is
    // kept up to RISE_SEARCH_S past (the onset is searched for that far before it: tone-refine.ts onsetOf; a room
    // beep's rise read 90 ms late was still timed within 0.2 ms), an end up to a window before; a zero on the other
    // side is kept.
    if (rising ? z > L - 1 + RISE_SEARCH_S * this.sampleRate : z < -N) return null;
    return from + z;
  }

  /** The tone's prominence over other components 60-450 Hz away in x[a..b) (tone-spectrum.ts; exact at or above belowDb). */
  private prominence(x: Float32Array, a: number, b: number, belowDb: number): number {
    return prominenceDb(x, a, b, this.sampleRate, this.toneHz, belowDb);
  }
}

/** Tone bursts in an in-memory signal (tests, short clips). */
export function findToneBursts(samples: Float32Array, sampleRate: number, t0 = 0, opts: ToneScanOptions = {}): ToneDetection[] {
  const s = new ToneScanner(sampleRate, t0, opts);
  s.push(samples);
  return s.finish();
}

