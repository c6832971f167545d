/**
 * Parameters of `mmprep audio`, with the defaults documented in docs/audio.md. The spectral defaults are librosa's
 * (librosa.feature.mfcc with n_fft 512, hop 160, win 400, 40 Slaney mel bands); the pitch defaults are Praat's
 * "To Pitch (ac)" standard values except the 65 Hz floor; the syllable-nuclei defaults are de Jong & Wempe (2009).
 */
import { VOICE_MAX_RATE_HZ } from './voice-rate.js';

/** The features' decode resamples as librosa.load(path, sr) does (soxr_hq; decode-audio.ts AudioDecodeOptions.resampler). */
export const FEATURE_RESAMPLER = 'soxr';
export interface AudioOptions {
  /** Analysis sample rate in Hz; the input is resampled to it by ffmpeg. */
  sampleRate: number;
  /** Audio stream among the file's audio streams (0-based). */
  stream: number;
  /** One channel of the stream (0-based) analysed alone; undefined: the channels are averaged (librosa.to_mono). */
  channel?: number;
  /** Window length in samples (Hann, periodic, centred in n_fft). */
  winLength: number;
  nFft: number;
  hopLength: number;
  nMels: number;
  fmin: number;
  /** Upper mel edge in Hz; null = sr/2. */
  fmax: number | null;
  nMfcc: number;
  /** power_to_db: clip at (whole-file maximum - topDb); null disables. */
  topDb: number | null;
  /** Savitzky-Golay width of the deltas (odd, >= 3). */
  deltaWidth: number;
  /** Frame length of RMS and ZCR in samples. */
  rmsFrameLength: number;
  f0Floor: number;
  f0Ceiling: number;
  /** Praat To Pitch (ac) costs and thresholds. */
  f0MaxCandidates: number;
  f0SilenceThreshold: number;
  f0VoicingThreshold: number;
  f0OctaveCost: number;
  f0OctaveJumpCost: number;
  f0VoicedUnvoicedCost: number;
  /** Syllable nuclei (de Jong & Wempe 2009). */
  nucleiSilenceDb: number;
  nucleiMinDipDb: number;
  nucleiMinPauseS: number;
  nucleiMinSoundingS: number;
  /** Pitch floor of the intensity contour (window 6.4/floor s, step 0.8/floor s). */
  nucleiIntensityFloor: number;
  /** Significant digits of floats in the frame records (0 = full precision). */
  digits: number;
  /** Voice quality (jitter, shimmer, HNR, formants as Praat's voice report); off by default (it keeps the PCM). */
  voice: boolean;
  /** Pitch floor and ceiling of the voice measures (Praat's voice report: 75 and 600 Hz). */
  voiceFloor: number;
  voiceCeiling: number;
  /** Window of the per-frame jitter and shimmer, centred on the frame (seconds). */
  voiceWindowS: number;
  /**
   * Praat's "maximum formant" of To Formant (burg): the signal is resampled to twice this before the LPC (5500 Hz for
   * adult female voices, 5000 for male, higher for children; Praat's manual, Sound: To Formant (burg)...).
   */
  formantCeilingHz: number;
}

export const AUDIO_DEFAULTS: Readonly<AudioOptions> = Object.freeze({
  sampleRate: 16000,
  stream: 0,
  channel: undefined,
  winLength: 400,
  nFft: 512,
  hopLength: 160,
  nMels: 40,
  fmin: 0,
  fmax: null,
  nMfcc: 13,
  topDb: 80,
  deltaWidth: 9,
  rmsFrameLength: 512,
  f0Floor: 65,
  f0Ceiling: 600,
  f0MaxCandidates: 15,
  f0SilenceThreshold: 0.03,
  f0VoicingThreshold: 0.45,
  f0OctaveCost: 0.01,
  f0OctaveJumpCost: 0.35,
  f0VoicedUnvoicedCost: 0.14,
  nucleiSilenceDb: -25,
  nucleiMinDipDb: 2,
  nucleiMinPauseS: 0.3,
  nucleiMinSoundingS: 0.1,
  nucleiIntensityFloor: 50,
  digits: 7,
  voice: false,
  voiceFloor: 75,
  voiceCeiling: 600,
  voiceWindowS: 0.1,
  formantCeilingHz: 5500,
});

/**
 * `mmprep audio --spill-after`'s default (extractAudio's spillAfterS): past 5 minutes of audio the per-frame stores go
 * to temp files (docs/audio.md "Streaming and memory"). Below it the in-memory path peaks about as high as the spilled
 * one does on an hour, and costs less CPU (the spilled path's own start-up, ~0.15 s, is paid back from ~8-10 minutes on).
 */
export const SPILL_AFTER_S = 300;

/** The frames after which the per-frame stores spill (extractAudio's spillAfterS in frames; undefined: never). */
export function spillAfterFrames(o: AudioOptions, spillAfterS: number = SPILL_AFTER_S): number | undefined {
  return Number.isFinite(spillAfterS) ? Math.floor((Math.max(0, spillAfterS) * o.sampleRate) / o.hopLength) : undefined;
}

/** Fills defaults and checks consistency; throws Error with a user-facing message on a bad combination. */
export function resolveAudioOptions(o: Partial<AudioOptions> = {}): AudioOptions {
  const r: AudioOptions = { ...AUDIO_DEFAULTS };
  for (const [k, v] of Object.entries(o)) if (v !== undefined && k in AUDIO_DEFAULTS) (r as unknown as Record<string, unknown>)[k] = v;
  const bad = (m: string): never => {
    throw new RangeError(m);
  };
  if (!(r.sampleRate >= 1000)) bad(`sample rate must be at least 1000 Hz, got ${r.sampleRate}`);
  if (!Number.isInteger(r.nFft) || r.nFft < 16 || (r.nFft & (r.nFft - 1)) !== 0) bad(`n_fft must be a power of two >= 16, got ${r.nFft}`);
  if (!Number.isInteger(r.winLength) || r.winLength < 2 || r.winLength > r.nFft) bad(`win length must be a whole number in 2..n_fft (${r.nFft}), got ${r.winLength}`);
  if (!Number.isInteger(r.hopLength) || r.hopLength < 1) bad(`hop must be a positive whole number, got ${r.hopLength}`);
  if (!Number.isInteger(r.nMels) || r.nMels < 1) bad(`n_mels must be a positive whole number, got ${r.nMels}`);
  if (!Number.isInteger(r.nMfcc) || r.nMfcc < 1 || r.nMfcc > r.nMels) bad(`n_mfcc must be in 1..n_mels (${r.nMels}), got ${r.nMfcc}`);
  const fmax = r.fmax ?? r.sampleRate / 2;
  if (!(r.fmin >= 0 && fmax > r.fmin && fmax <= r.sampleRate / 2)) bad(`need 0 <= fmin < fmax <= sr/2, got fmin ${r.fmin}, fmax ${fmax}`);
  if (!Number.isInteger(r.deltaWidth) || r.deltaWidth < 3 || r.deltaWidth % 2 === 0) bad(`delta width must be an odd whole number >= 3, got ${r.deltaWidth}`);
  if (!Number.isInteger(r.rmsFrameLength) || r.rmsFrameLength < 2) bad(`RMS frame length must be a whole number >= 2, got ${r.rmsFrameLength}`);
  if (!(r.f0Floor > 0 && r.f0Ceiling > r.f0Floor)) bad(`need 0 < f0 floor < f0 ceiling, got ${r.f0Floor} and ${r.f0Ceiling}`);
  if (r.f0Ceiling > r.sampleRate / 2) bad(`f0 ceiling ${r.f0Ceiling} Hz is above the Nyquist frequency ${r.sampleRate / 2} Hz`);
  // Fractions (Praat's 0.03 and 0.45): above 1 nothing can be voiced (a percentage typed, 45 for 0.45, gave every frame
  // unvoiced and a warning blaming the pitch floor, exit 0, until 2026-12-07).
  if (!(r.f0SilenceThreshold >= 0 && r.f0SilenceThreshold <= 1)) bad(`f0 silence threshold is a fraction of the global peak, 0..1 (Praat's standard 0.03), got ${r.f0SilenceThreshold}: above 1 every frame is silent`);
  if (!(r.f0VoicingThreshold >= 0 && r.f0VoicingThreshold <= 1)) bad(`f0 voicing threshold is a fraction, 0..1 (Praat's standard 0.45), got ${r.f0VoicingThreshold}: a normalised autocorrelation never exceeds 1, so every frame would be unvoiced`);
  if (!Number.isInteger(r.f0MaxCandidates) || r.f0MaxCandidates < 2) bad(`f0 max candidates must be a whole number >= 2, got ${r.f0MaxCandidates}`);
  if (r.topDb !== null && !(r.topDb >= 0)) bad(`top_db must be >= 0, got ${r.topDb}`);
  if (!(r.nucleiSilenceDb < 0)) bad(`nuclei silence threshold must be negative dB, got ${r.nucleiSilenceDb}`);
  if (!Number.isInteger(r.digits) || r.digits < 0 || r.digits > 17) bad(`digits must be a whole number 0..17, got ${r.digits}`);
  if (!(r.voiceFloor > 0 && r.voiceCeiling > r.voiceFloor)) bad(`need 0 < voice floor < voice ceiling, got ${r.voiceFloor} and ${r.voiceCeiling}`);
  // The voice measures read the recording at its own rate up to VOICE_MAX_RATE_HZ (voice-rate.ts), unknown here:
  // checked against the highest rate they may read at, and against the rate they read at once it is known (voiceRateCheck).
  const highest = Math.max(r.sampleRate, VOICE_MAX_RATE_HZ);
  if (r.voiceCeiling > highest / 2) bad(`voice ceiling ${r.voiceCeiling} Hz is above ${highest / 2} Hz, the Nyquist frequency of the highest rate the voice measures read a recording at (${highest} Hz)`);
  if (!(r.voiceWindowS > 0)) bad(`voice window must be > 0 s, got ${r.voiceWindowS}`);
  if (r.voice) formantCeilingCheck(r.formantCeilingHz, highest, bad);
  return r;
}

/**
 * The voice ceiling and the maximum formant against the rate the voice measures read this recording at (`rate`:
 * its own, voice-rate.ts, or --sr): a voice scientist's trial had `--voice-ceiling 9000` refused on a 44.1 kHz file
 * (checked against --sr's 8000 Hz Nyquist frequency while the voice reads 44.1 kHz) and `--formant-ceiling-hz 12000`
 * accepted at 16 kHz by a check whose message said "at most 8000". Throws RangeError with a user-facing message.
 */
export function voiceRateCheck(o: AudioOptions, rate: number, sourceRate: number | null | undefined): void {
  const bad = (m: string): never => {
    throw new RangeError(m);
  };
  const which = rate === sourceRate ? `the recording's own rate, ${rate} Hz` : `--sr, ${rate} Hz${typeof sourceRate === 'number' ? ` (the recording is at ${sourceRate} Hz)` : ''}`;
  if (o.voiceCeiling > rate / 2) bad(`voice ceiling ${o.voiceCeiling} Hz (--voice-ceiling) is above ${rate / 2} Hz, the Nyquist frequency of the rate the voice measures read this recording at (${which}): give --voice-ceiling at most ${rate / 2}`);
  formantCeilingCheck(o.formantCeilingHz, rate, bad, which);
}

/** Lowest maximum formant accepted: below it F1 and F2 of any voice would not fit under it (Praat's own advice is 5000-5500 for adults). */
export const MIN_FORMANT_CEILING_HZ = 1000;

/**
 * --formant-ceiling-hz at least MIN_FORMANT_CEILING_HZ and below the analysis rate: above its Nyquist frequency Praat's
 * To Formant up-samples (an 8 kHz sound to 11 kHz for 5500 Hz; formant.ts does the same), but at the rate itself it
 * up-samples by exactly 2 with Sound_upsample, another filter, not reproduced.
 */
function formantCeilingCheck(c: number, rate: number, bad: (m: string) => never, which = `the highest rate the voice measures read a recording at, ${rate} Hz`): void {
  if (!(c >= MIN_FORMANT_CEILING_HZ)) bad(`--formant-ceiling-hz must be at least ${MIN_FORMANT_CEILING_HZ} Hz (Praat's maximum formant: 5500 for adult female voices, 5000 for male, higher for children), got ${c}`);
  if (c >= rate) bad(`formant ceiling ${c} Hz (--formant-ceiling-hz) is not below ${which} (Praat would up-sample the sound by 2 or more): give --formant-ceiling-hz below ${rate}; up to ${rate / 2} Hz, its Nyquist frequency, the formants come from the recorded band, above it from an up-sampled sound whose top is empty (a warning says so)`);
}
