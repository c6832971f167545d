/**
 * Checks of a beep's onset against the same recording's noise before the beep (issue 11 item 4).
 *
 * The direct sound arrives before any reflection; room echo then builds the level up over 20-100 ms and can cancel
 * the direct sound for a few ms before it does (the sum of the direct path and a diffuse tail at the tone frequency
 * is a random walk that may pass near zero). An onset read after such a dip is late by the dip's position, and the
 * change-point fit after it looks sure of itself. So each onset is judged against the noise floor measured before
 * the beep, not against the beep's own (echo-built) level: if the tone's coherent energy stands clearly above that
 * floor in the milliseconds just before the onset, the onset may be late and is not placeable.
 *
 * The statistic is the energy of 4-period windows in the onset's own phase, the lesser of two windows 2 periods
 * apart (the direct sound keeps its phase for milliseconds; noise has any phase, and speech glides); the null is the same statistic 20-120 ms before the onset (before the beep even if the onset is read
 * late by a dip, and close enough to hear the same talker and noise), in units of its mean;
 * its upper tail is fitted by peaks over a threshold (flash-null.ts, Davison & Smith 1990), as the flash detector
 * judges a flash against its own scene.
 */
import { exceedanceP, summariseNull, type NullSummary } from '../flash/flash-null.js';

/** Complex single-bin DFT of samples [a, b) at the tone frequency. */
export type Demod = (a: number, b: number) => [number, number];

export interface EnergyNull {
  /** Summary in units of the null's mean (the tail fit expects values of order 1). */
  nul: NullSummary;
  /** Mean |demod|^2 of the null windows. */
  mean: number;
}

/**
 * In-phase energy of an L-sample window: the square of its DFT's component along the unit phasor (ur, ui) when its
 * phase is within 45 degrees of it, else 0 (the direct sound keeps the onset's phase; noise and speech fall within
 * 45 degrees a quarter of the time).
 */
function inPhase(demod: Demod, a: number, L: number, ur: number, ui: number): number {
  const [re, im] = demod(a, a + L);
  const p = re * ur + im * ui;
  const q = im * ur - re * ui;
  return p > Math.abs(q) ? p * p : 0;
}

/** The lesser in-phase energy of two half-overlapping L-sample windows from a: tone that lasts 6 periods in phase. */
function lasting(demod: Demod, a: number, L: number, ur: number, ui: number): number {
  return Math.min(inPhase(demod, a, L, ur, ui), inPhase(demod, a + (L >> 1), L, ur, ui));
}

/**
 * The statistic `lasting` at steps of L/2 over [from, to); null when fewer than 16 fit. `floorE`: the least mean
 * taken (tone this weak against the beep itself is no sign of anything, even over a noise-free floor).
 */
export function energyNull(demod: Demod, from: number, to: number, L: number, ur: number, ui: number, floorE = 0): EnergyNull | null {
  const q: number[] = [];
  for (let a = Math.max(0, from); a + L + (L >> 1) <= to; a += Math.max(1, L >> 1)) q.push(lasting(demod, a, L, ur, ui));
  if (q.length < 16) return null;
  // Digital silence: the tiny floor keeps any real tone far above it without dividing by zero.
  const mean = Math.max(q.reduce((s, v) => s + v, 0) / q.length, 1e-24 * L * L, floorE);
  return { nul: summariseNull(q.map((v) => v / mean)), mean };
}

export interface BeforeOnset {
  /** Expected number of windows of pre-beep noise as strong as the strongest one just before the onset. */
  expected_false: number;
  /** That window's energy over the null's mean, dB, and how far before the onset it ends, seconds. */
  over_noise_db: number;
  ends_before_s: number;
  /** That window's energy against the direct sound's in a window as long, dB (null when not given). */
  under_direct_db: number | null;
}

/**
 * A lossy codec's pre-echo (Painter & Spanias, "Perceptual coding of digital audio", Proc. IEEE 88(4), 2000, sec.
 * on pre-echo): the quantisation noise of the frame that holds a transient is spread over the whole frame, so an
 * abrupt beep has a faint copy of itself, in its own phase, up to one frame before its onset. Windows starting at or
 * after `from` (the frame before the onset) with energy at most `maxE` are taken as that and not judged.
 */
export interface PreEchoAllowance {
  from: number;
  maxE: number;
}

/**
 * The strongest `lasting` pair of windows ending between `spanS` and `marginS` before the onset (steps of L/2), judged
 * against the null: the expected number of noise windows at least as strong among as many tries. Small (below
 * 0.01, say) means tone-band energy right before the onset that noise does not make: the onset may be late.
 * `directE`: the direct sound's energy in an L-sample window; `preEcho`: windows a codec's pre-echo explains.
 */
export function toneBeforeOnset(demod: Demod, onset: number, L: number, sampleRate: number, nul: EnergyNull, ur: number, ui: number, spanS = 0.015, marginS = 0.0005, directE = 0, preEcho: PreEchoAllowance | null = null): BeforeOnset | null {
  const last = Math.floor(onset - marginS * sampleRate) - L - (L >> 1);
  const first = Math.round(onset - spanS * sampleRate);
  if (first < 0 || last < first) return null;
  let best = 0;
  let bestEnd = 0;
  let tries = 0;
  for (let a = last; a >= first; a -= Math.max(1, L >> 1), tries++) {
    const e = lasting(demod, a, L, ur, ui);
    if (preEcho && a >= preEcho.from && e <= preEcho.maxE) continue;
    if (e / nul.mean > best) {
      best = e / nul.mean;
      bestEnd = a + L;
    }
  }
  return {
    expected_false: tries * exceedanceP(nul.nul, best),
    over_noise_db: 10 * Math.log10(Math.max(best, 1e-12)),
    ends_before_s: (onset - bestEnd) / sampleRate,
    under_direct_db: directE > 0 ? 10 * Math.log10(Math.max(best * nul.mean, 1e-30) / directE) : null,
  };
}

/**
 * The span a lossy codec's pre-echo can reach before a transient, in seconds, from its frame (samples at the stream's
 * own rate): AAC-LC one frame of 1024 (ISO/IEC 14496-3), MP3 one of 1152 (ISO/IEC 11172-3), Opus 20 ms frames (ffmpeg's
 * libopus default, RFC 6716) and the 2.5 ms overlap of CELT's window. 0 for PCM, lossless codecs and codecs not
 * measured here: their tone before an onset is judged as it stands.
 */
export function preEchoSpanS(codec: string | null | undefined, sampleRateHz: number | null | undefined): number {
  const sr = sampleRateHz && sampleRateHz > 0 ? sampleRateHz : 48000;
  if (codec === 'aac') return 1024 / sr;
  if (codec === 'mp3' || codec === 'mp3float') return 1152 / sr;
  if (codec === 'opus') return 0.0225;
  return 0;
}

/**
 * Whether a stream's codec keeps the waveform (PCM, FLAC, ALAC, WavPack, TTA, Monkey's Audio, MLP/TrueHD): then
 * nothing of an abrupt beep's own sound lies before its onset (decoded at 16 kHz by ffmpeg's resampler, measured
 * 2026-12-02: 84 dB under the beep and less, none from 1 ms before it), and tone before a right onset is the room's
 * own sound (tone-refine.ts HIDDEN_DIRECT_DB). False for lossy codecs and codecs not known here.
 */
export function losslessCodec(codec: string | null | undefined): boolean {
  if (!codec) return false;
  return codec.startsWith('pcm_') || ['flac', 'alac', 'wavpack', 'tta', 'ape', 'mlp', 'truehd'].includes(codec);
}

/** Mean |demod|^2 of W-sample windows at steps of W/2 over [from, to); null when fewer than 16 fit. */
export function meanWindowEnergy(demod: Demod, from: number, to: number, W: number): number | null {
  let sum = 0;
  let k = 0;
  for (let a = Math.max(0, from); a + W <= to; a += Math.max(1, W >> 1), k++) {
    const [re, im] = demod(a, a + W);
    sum += re * re + im * im;
  }
  return k >= 16 ? sum / k : null;
}

/**
 * An onset's lead-in, seconds: how long before the onset the tone already stands, in the onset's own phase (within 45
 * degrees of the unit phasor ur, ui), in W-sample windows walked back from the one ending at the onset (steps of W/8;
 * a gap longer than one window ends the walk), each with energy over `minE` (above the noise and a codec's pre-echo).
 * A change point in mean fits a step: where the tone ramps up over a few ms (a lossy codec's smoothed transient, or
 * the direct sound and early echo adding in phase) it is placed up the ramp, late by up to the ramp's length; the
 * lead-in is that length, the distance to a third reading of the onset (where the tone first leaves the noise, as a
 * leading-edge detector reads it). 0 when the window ending at the onset holds no such tone.
 */
export function leadInS(demod: Demod, onset: number, W: number, sampleRate: number, ur: number, ui: number, minE: number, spanS = 0.015): number {
  const T = Math.round(onset);
  const step = Math.max(1, W >> 3);
  let earliest = T;
  let miss = 0;
  for (let a = T - W; a >= Math.max(0, T - Math.round(spanS * sampleRate)); a -= step) {
    const [re, im] = demod(a, a + W);
    const p = re * ur + im * ui;
    const q = im * ur - re * ui;
    if (p > Math.abs(q) && p * p > minE) {
      earliest = a;
      miss = 0;
    } else if ((miss += step) > W) break;
  }
  return (T - earliest) / sampleRate;
}

/**
 * How far before an onset a short burst of tone in the onset's own phase at close to the direct sound's level reaches,
 * seconds: the earliest pair of half-overlapping one-period windows (`lasting`, P samples, steps of P/4) ending between
 * `marginS` and `spanS` before the onset whose lesser in-phase energy is over `minE`; 0 when there is none. An onset
 * read after a dip (a talker's glottal pulse over the beep's first ms cancelling it, as an echo dip does in a room) has
 * the beep's own first periods before it, in its phase and at its level, too short for the 4-period windows of
 * toneBeforeOnset and too brief to raise the 10-16 ms windows of localScatter and toneEarlyAnyPhase.
 */
export function inPhaseLeadS(demod: Demod, onset: number, P: number, sampleRate: number, ur: number, ui: number, minE: number, spanS = 0.004, marginS = 0.0005): number {
  const last = Math.floor(onset - marginS * sampleRate) - P - (P >> 1);
  const first = Math.round(onset - spanS * sampleRate);
  let earliest = onset;
  for (let a = last; a >= Math.max(0, first); a -= Math.max(1, P >> 2)) if (lasting(demod, a, P, ur, ui) > minE) earliest = a;
  return (onset - earliest) / sampleRate;
}
