/**
 * Candidate beeps found by their coherence (tone.ts): a beep is one steady sinusoid at the tone frequency, so its
 * complex demodulated sum over 50 ms keeps all the power that its five 10 ms windows hold one by one, while noise
 * keeps a fifth of it and a speech harmonic gliding through the tone frequency little more. This is the ratio of
 * coherent to incoherent integration (Van Trees, "Detection, Estimation and Modulation Theory" I, 4.4; the
 * magnitude-squared coherence of successive DFT frames), and it finds a beep that speech over it hides from the 10 ms
 * power threshold: in a reverberant room at band SNR 0 dB a beep's 10 ms windows stand only 5 to 15 dB over the
 * recording's median and are broken up by speech, while its 50 ms coherence stays near 1 for the beep's whole length.
 */
import { trackArray, type Blocks, type TrackArrays, type Windows } from './tone-demod.js';
import { fitLine, kthSmallest } from './tone-math.js';

/** 2 ms blocks in the coherent window (50 ms). */
export const COH_BLOCKS = 25;
/** Least coherence (coherent over incoherent 50 ms power; 1 for a steady tone, 0.2 on average for noise). */
const MIN_COHERENCE = 0.6;
/** Least coherent power over the track's median, dB. */
const MIN_OVER_MEDIAN_DB = 6;
/**
 * Least length of a run of window starts, in 2 ms steps (80 ms: a steady tone at least 130 ms long). On the room
 * bench (2026-11-30) speech, noise and echo made runs of up to 130 ms only where their window was 50 ms, and beeps at
 * band SNR 0 dB runs of 150-400 ms; shorter beeps are left to the 10 ms power threshold.
 */
const MIN_RUN_STEPS = 40;
/**
 * Largest RMS deviation (radians) of the 50 ms sums' phase, every 10 ms, from a line. A steady beep heard through a
 * room stays well under it; a whistle with vibrato (the room bench's 1003 Hz negative control, +-10 Hz at 5 Hz) has
 * stretches of 130 ms coherent enough to pass the run test, at 0.3-0.4 rad (2026-11-30: 0.25 kept 88 of 120 room
 * beeps and no whistle, 0.3 kept 90 and no whistle, 0.4 all four whistles).
 */
export const MAX_COHERENT_RESID = 0.25;
/**
 * Largest deviation of a coherent run's frequency from the tone: max(2 Hz, 0.2 %), tighter than the power
 * threshold's max(5 Hz, 0.5 %). Room beeps found this way measured 998.6-1002.7 Hz at 1 kHz (2026-11-30, 120 beeps),
 * while a whistle with vibrato around 1003 Hz made coherent stretches at 995-997 Hz; a beep from a generator more than
 * 2 Hz off is still found by the power threshold where it stands clear of the speech.
 */
export function coherentMaxDevHz(toneHz: number): number {
  return Math.max(2, 0.002 * toneHz);
}
/** Steps below the thresholds bridged inside a run (10 ms). */
const MAX_GAP_STEPS = 5;

export interface CoherentTrack {
  /** Coherent tone power of the 50 ms window starting at each block (A^2/2, as tone-demod's tp). */
  pow: Float64Array;
  /** Its complex sums. */
  re: Float64Array;
  im: Float64Array;
  /** Coherent over incoherent power (the mean tp of the five 10 ms windows inside), 0..1. */
  coh: Float64Array;
}

/** The 50 ms coherent track from the 2 ms block sums and the 10 ms windows' power tp (WIN_BLOCKS blocks each). */
export function coherentTrack({ bre, bim }: Blocks, { tp }: Windows, blockN: number, winBlocks: number, arrays?: TrackArrays): CoherentTrack {
  const n = Math.max(0, bre.length - COH_BLOCKS + 1);
  const pow = trackArray(arrays, 'cpow', n);
  const re = trackArray(arrays, 'cre', n);
  const im = trackArray(arrays, 'cim', n);
  const coh = trackArray(arrays, 'coh', n);
  coherentSums(bre, bim, bre.length, tp, tp.length, blockN, winBlocks, n, pow, re, im, coh);
  return { pow, re, im, coh };
}

/*
 * coherentTrack's loop, in a helper that returns nothing and takes only numbers and Float64Arrays (as tone-demod.ts's
 * blockSumsTable): V8 compiled the loop on-stack before the result literal after it had run, and threw the code away
 * at the loop's exit (`node --trace-deopt` on the 10-minute bench file: 3-5 deopts, then a second compile).
 */
function coherentSums(bre: Float64Array, bim: Float64Array, nb: number, tp: Float64Array, ntp: number, blockN: number, winBlocks: number, n: number, pow: Float64Array, re: Float64Array, im: Float64Array, coh: Float64Array): void {
  const K = COH_BLOCKS;
  const NK = blockN * K;
  const per = Math.floor(K / winBlocks);
  let sr = 0;
  let si = 0;
  // One loop, the first K - 1 blocks only added (the same additions in the same order as a loop of their own before
  // it: as tone-demod.ts's slideWindows), and the lengths given, not read.
  for (let e = 0; e < Math.min(nb, n + K - 1); e++) {
    sr += bre[e];
    si += bim[e];
    const b = e - K + 1;
    if (b < 0) continue;
    re[b] = sr;
    im[b] = si;
    pow[b] = (2 * (sr * sr + si * si)) / (NK * NK);
    let inc = 0;
    for (let k = 0; k < per; k++) inc += tp[Math.min(ntp - 1, b + k * winBlocks)];
    coh[b] = inc > 0 ? pow[b] / (inc / per) : 0;
    sr -= bre[b];
    si -= bim[b];
  }
}

/**
 * Whether the 50 ms window at b is coherent and over thr. A module function, not a closure made per call: V8 inlined
 * the first call's closure into coherentRuns's optimised code, and the next chunk's closure threw that code away
 * ("wrong call target", `node --trace-deopt` on the 10-minute bench file), so it was compiled twice per run.
 */
function coherentAt(coh: Float64Array, pow: Float64Array, thr: number, b: number): boolean {
  return coh[b] >= MIN_COHERENCE && pow[b] > thr;
}

/** Runs [b0, b1] of window starts where the 50 ms window is coherent and stands over the track's median. */
export function coherentRuns(track: CoherentTrack, arrays?: TrackArrays): Array<[number, number]> {
  const { pow, coh } = track;
  const n = pow.length;
  if (n < MIN_RUN_STEPS) return [];
  const sel = trackArray(arrays, 'select', n);
  sel.set(pow);
  const med = kthSmallest(sel, n >> 1);
  const thr = Math.max(med, 1e-30) * 10 ** (MIN_OVER_MEDIAN_DB / 10);
  return coherentRunsOver(coh, pow, n, thr);
}

/**
 * coherentRuns's loop, in a function of its own with nothing before it (as runsOver in tone.ts): the reads before it
 * ran before V8 had a feedback vector, and the next chunk threw the code compiled on-stack away there.
 */
function coherentRunsOver(coh: Float64Array, pow: Float64Array, n: number, thr: number): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (let b = 0; b < n; b++) {
    if (!coherentAt(coh, pow, thr, b)) continue;
    let e = b;
    let gap = 0;
    for (let v = b + 1; v < n; v++) {
      if (coherentAt(coh, pow, thr, v)) {
        e = v;
        gap = 0;
      } else if (++gap > MAX_GAP_STEPS) break;
    }
    if (e - b >= MIN_RUN_STEPS) runs.push([b, e]);
    b = e;
  }
  return runs;
}

/**
 * Frequency from the phase slope of the 50 ms sums at every 10 ms over window starts b0..b1, the RMS deviation of
 * that phase from a line (radians), and the mean coherent power (the tone's power with the interference averaged
 * out, not added).
 */
export function coherentPlateau(track: CoherentTrack, b0: number, b1: number, toneHz: number, sampleRate: number, blockN: number, stepBlocks: number): { freq: number; resid: number; power: number } {
  const ph: number[] = [];
  let prev = 0;
  let acc = 0;
  let power = 0;
  for (let b = b0; b <= b1; b += stepBlocks) {
    const a = Math.atan2(track.im[b], track.re[b]);
    if (ph.length) {
      let d = a - prev;
      d -= 2 * Math.PI * Math.round(d / (2 * Math.PI));
      acc += d;
    } else acc = a;
    ph.push(acc);
    prev = a;
    power += track.pow[b];
  }
  const m = ph.length;
  power /= Math.max(1, m);
  if (m < 3) return { freq: toneHz, resid: 0, power };
  const [slope, icpt] = fitLine(ph, 0, m - 1);
  let r2 = 0;
  for (let i = 0; i < m; i++) r2 += (ph[i] - icpt - slope * i) ** 2;
  return { freq: toneHz + (slope * sampleRate) / (2 * Math.PI * blockN * stepBlocks), resid: Math.sqrt(r2 / m), power };
}

/** Mean coherent 50 ms power over window starts b0..b1 (windows wholly inside a burst), or null when there are none. */
export function coherentPower(track: CoherentTrack, b0: number, b1: number): number | null {
  b0 = Math.max(0, b0);
  b1 = Math.min(track.pow.length - 1, b1);
  if (b1 < b0) return null;
  let s = 0;
  for (let b = b0; b <= b1; b++) s += track.pow[b];
  return s / (b1 - b0 + 1);
}
