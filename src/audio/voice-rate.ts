/**
 * The rate the --voice measures read the signal at (docs/audio.md "The analysis rate"): the file's own, as Praat's
 * voice report does (its jitter, shimmer and HNR move with the rate by more than the stated tolerances), while the
 * other features stay at --sr. Not the file's own rate (then --sr, with a warning giving the command): an unknown
 * rate, one above VOICE_MAX_RATE_HZ (the voice's CPU cost grows with the samples), one whose Nyquist frequency is
 * below the voice pitch ceiling, or one equal to the maximum formant (Praat's To Formant then up-samples by exactly 2
 * with its Sound_upsample, another filter, not reproduced). A maximum formant above the file's Nyquist frequency is
 * read at the file's rate, as Praat does: an 8 kHz file is up-sampled to 11 kHz by sinc interpolation (formant.ts).
 */

/** The highest source rate the voice measures read at (Hz): 48 kHz costs about 3x the CPU of 16 kHz. */
export const VOICE_MAX_RATE_HZ = 48000;

/** The voice measures' rate for a source at `source` Hz (null: unknown) analysed at `sr` Hz. */
export function voiceRateHz(source: number | null | undefined, sr: number, formantCeilingHz: number, voiceCeilingHz: number): number {
  if (typeof source !== 'number' || !Number.isInteger(source) || source <= 0) return sr;
  if (source > VOICE_MAX_RATE_HZ || source === formantCeilingHz || source / 2 < voiceCeilingHz) return sr;
  return source;
}
