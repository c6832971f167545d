/** A hint for a user whose beep is at another frequency than --tone-hz (used in "not found" messages). */
import FFT from 'fft.js';
import { findToneBursts, type ToneDetection } from './tone.js';
import { median } from './tone-math.js';
import { harmonicCouplings, harmonicOfVoice, MIN_COUPLING, MIN_RAYLEIGH, SURE_COUPLING } from './tone-harmonic.js';

const SIZE = 1024;
const HOP = 256;

/** Hann-windowed power spectrogram (SIZE-point frames every HOP) over bins kLo..kHi, with each frame's peak bin. */
function peakSpectrogram(samples: Float32Array, nF: number, kLo: number, kHi: number): { pw: Float32Array; peakBin: Int32Array; peakPow: Float64Array } {
  const size = SIZE;
  const hop = HOP;
  const nk = kHi - kLo + 1;
  const peakBin = new Int32Array(nF);
  const peakPow = new Float64Array(nF);
  const pw = new Float32Array(nF * nk);
  const win = new Float64Array(size);
  for (let i = 0; i < size; i++) win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size);
  const fft = new FFT(size);
  const frame = new Array<number>(size).fill(0);
  const spec = fft.createComplexArray() as number[];
  for (let f = 0; f < nF; f++) {
    for (let i = 0; i < size; i++) frame[i] = samples[f * hop + i] * win[i];
    fft.realTransform(spec, frame);
    let best = kLo;
    for (let k = kLo; k <= kHi; k++) {
      const p = spec[2 * k] * spec[2 * k] + spec[2 * k + 1] * spec[2 * k + 1];
      pw[f * nk + (k - kLo)] = p;
      if (p > pw[f * nk + (best - kLo)]) best = k;
    }
    peakBin[f] = best;
    peakPow[f] = pw[f * nk + (best - kLo)];
  }
  return { pw, peakBin, peakPow };
}

/** Each bin's median power over the frames (+1e-20). */
function binMedians(pw: Float32Array, nF: number, nk: number): Float64Array {
  const med = new Float64Array(nk);
  const col = new Float64Array(nF);
  for (let k = 0; k < nk; k++) {
    for (let f = 0; f < nF; f++) col[f] = pw[f * nk + k];
    med[k] = median(col) + 1e-20;
  }
  return med;
}

/**
 * Spectral candidates: peaks that stay within one bin, 20 dB over that bin's median, for 80 ms (not within 20 Hz of
 * skipHz), with their strength over the median, strongest first.
 */
function steadyPeaks(peakBin: Int32Array, peakPow: Float64Array, med: Float64Array, kLo: number, sampleRate: number, skipHz?: number): Array<{ k: number; strength: number }> {
  const nF = peakBin.length;
  const cands: Array<{ k: number; strength: number }> = [];
  for (let f = 0; f < nF; ) {
    const k = peakBin[f];
    let e = f;
    while (e + 1 < nF && Math.abs(peakBin[e + 1] - k) <= 1 && peakPow[e + 1] > 100 * med[k - kLo]) e++;
    const frames = e - f + 1;
    // The run's middle frame gives its bin: its first frame, partly before the burst's onset, can peak a bin off (a
    // 2 kHz beep read as 2016 Hz at 16 kHz, tried at 2010-2030 Hz and not confirmed: no hint, before 2026-12-02).
    const m = (f + e) >> 1;
    const hz = (peakBin[m] * sampleRate) / SIZE;
    if (frames >= Math.ceil((0.08 * sampleRate) / HOP) && peakPow[f] > 100 * med[k - kLo] && !(skipHz && Math.abs(hz - skipHz) < 20)) {
      cands.push({ k: peakBin[m], strength: peakPow[m] / med[peakBin[m] - kLo] });
    }
    f = e + 1;
  }
  cands.sort((x, y) => y.strength - x.strength || x.k - y.k);
  return cands;
}

/** A sync beep's length, s: shorter is a click, longer a held note or a whistle (docs/sync.md "The beep": 0.1-0.5 s). */
const BEEP_MIN_S = 0.05;
const BEEP_MAX_S = 0.6;
/**
 * How far under the burst its partial at twice its frequency may lie and still make it a voice's fundamental, dB. A
 * voice's second harmonic lies within about 15 dB of its first (H1-H2 of breathy to pressed voices); an espeak-ng voice
 * heard on an OBS desktop track lay 13.7 dB under its 254 Hz fundamental, phase-locked to it (coupling 0.97, ttrial58s
 * finding 4). A sine beep has none there (its 2f bin is noise: 38-46 dB under it, coupling 0.5 or less, also clipped
 * by tanh, whose distortion is odd), and a loudspeaker's even distortion lies 30 dB or more under it.
 */
const VOICE_H2_DB = 20;

/**
 * Whether a confirmed burst looks like a sync beep rather than a voiced stretch (for the hint only): 50-600 ms long,
 * not a harmonic of a voice below it (tone-harmonic.ts harmonicOfVoice: partials at f/2, f/3, f/4 locked to it), and
 * not a voice's fundamental (its partial at 2f within VOICE_H2_DB and locked to it, by the same phase coupling of Kim &
 * Powers 1979). ttrial58s: a voice at 254 Hz was offered as `--tone-hz 254?` on a desktop track with speech.
 */
function beepLike(samples: Float32Array, sampleRate: number, t0: number, d: ToneDetection): boolean {
  if (d.duration_s < BEEP_MIN_S || d.duration_s > BEEP_MAX_S) return false;
  const a = Math.max(0, Math.round((d.t_s - t0) * sampleRate));
  const b = Math.min(samples.length, a + Math.round(d.duration_s * sampleRate));
  if (harmonicOfVoice(samples, a, b, sampleRate, d.freq_hz)) return false;
  if (2 * d.freq_hz >= sampleRate / 2) return true;
  const locked = (c: { coupling: number; windows: number }) => c.coupling >= SURE_COUPLING || (c.coupling >= MIN_COUPLING && c.windows * c.coupling ** 2 >= MIN_RAYLEIGH);
  const fundamental = harmonicCouplings(samples, a, b, sampleRate, 2 * d.freq_hz).find((c) => Math.abs(c.f0_hz - d.freq_hz) < 1);
  return !(fundamental && fundamental.level_db <= VOICE_H2_DB && locked(fundamental));
}

/**
 * The most prominent burst the tone-burst detector confirms at a candidate's frequency rounded to 10 Hz (or 10 Hz
 * either side), trying at most 12 frequencies: a sustained speech harmonic is a spectral candidate too, so each is
 * confirmed by the detector (phase linearity, prominence over neighbours).
 */
function confirmedBurst(samples: Float32Array, sampleRate: number, t0: number, cands: Array<{ k: number; strength: number }>): ToneDetection | null {
  const tried = new Set<number>();
  // Each frequency's bursts, searched once: neighbouring candidates' ±10 Hz overlap (1010 Hz tries 1020 Hz, and so
  // does a candidate at 1020 Hz); 46 of the 231 searches on the small scene set and 10 v151 cases were repeats.
  const bursts = new Map<number, ToneDetection[]>();
  const burstsAt = (h: number) => bursts.get(h) ?? bursts.set(h, findToneBursts(samples, sampleRate, t0, { toneHz: h, maxFreqDevHz: 10, minProminenceDb: 15 })).get(h) as ToneDetection[];
  let best: ToneDetection | null = null;
  for (const c of cands) {
    const hz = Math.round((c.k * sampleRate) / SIZE / 10) * 10;
    if (tried.has(hz) || tried.size >= 12) continue;
    tried.add(hz);
    for (const h of [hz, hz - 10, hz + 10]) {
      const d = burstsAt(h);
      for (const x of d) if ((!best || x.prominence_db > best.prominence_db) && beepLike(samples, sampleRate, t0, x)) best = x;
      if (d.length) break;
    }
  }
  return best;
}

/**
 * The frequency of the most prominent tone burst at any frequency (200 Hz to 6 kHz), for a hint when none is found at
 * the expected one: a spectrogram peak that stays in one 15.6 Hz bin, 20 dB over that bin's median, for 80 ms, then
 * confirmed (and its onset measured) by the tone-burst detector at that frequency rounded to 10 Hz, and looking like a
 * beep, not a voice (beepLike; since 2026-12-07).
 */
export function findOtherToneBurst(samples: Float32Array, sampleRate: number, t0 = 0, skipHz?: number): { hz: number; t_s: number; level_dbfs: number; placeable: boolean } | null {
  const nF = Math.floor((samples.length - SIZE) / HOP) + 1;
  if (nF < 8) return null;
  const kLo = Math.ceil((200 / sampleRate) * SIZE);
  const kHi = Math.min(SIZE / 2 - 2, Math.floor((6000 / sampleRate) * SIZE));
  const { pw, peakBin, peakPow } = peakSpectrogram(samples, nF, kLo, kHi);
  const med = binMedians(pw, nF, kHi - kLo + 1);
  const best = confirmedBurst(samples, sampleRate, t0, steadyPeaks(peakBin, peakPow, med, kLo, sampleRate, skipHz));
  if (best) return { hz: Math.round(best.freq_hz), t_s: best.t_s, level_dbfs: best.level_dbfs, placeable: best.placeable !== false };
  return null;
}
