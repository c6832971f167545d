/**
 * Warnings that the voice lies outside the F0 search range (`--f0-floor`, `--f0-ceiling`). Praat's manual (Sound: To
 * Pitch (ac), "Pitch settings") asks for a floor and ceiling around the speaker's own range: a voice above the
 * ceiling is tracked at a subharmonic (an octave low), one below the floor is called unvoiced or tracked at a
 * multiple. Either way the F0 figures come out wrong with nothing said: a new user's trial found a voice shifted to
 * 560-650 Hz reported at p5 311 Hz (half its pitch), and one at 45-65 Hz with 7 % of frames voiced, mean F0 313 Hz
 * and 6 syllables against 35. mmprep's F0 equals Praat's there too; these checks say so on stderr (and in `notes`).
 */
import type { AudioSummary } from './extract.js';

/**
 * p95 within 5 % of the ceiling, p5 within 3 % of the floor count as reaching it. Measured: a harmonic glide from
 * 400 to 800 Hz (a quarter above the ceiling, tracked at half) has p95 580 Hz; real male speech at Praat's 75 Hz
 * floor has p5 78.7 Hz (fixtures cards_003), and its octave errors p95 up to 516 Hz (cards_002, as in Praat).
 */
const CEILING_FACTOR = 1.05;
const FLOOR_FACTOR = 1.03;
/**
 * Voiced frames whose octave above the ceiling is as strong (pitch.ts octaveAboveCeiling): at least this share and
 * MIN_ABOVE_FRAMES of them. Measured: real and TTS speech 0-1.9 % (fixtures), speech shifted to 560-650 Hz 16 %, the
 * 400-800 Hz glide 50 %, a steady 700 Hz voice (tracked at 350 Hz, p95 350) 100 %.
 */
const MIN_ABOVE_RATIO = 0.1;
const MIN_ABOVE_FRAMES = 10;
/** Voiced time over sounding time below this: the voice is mostly not tracked (speech has about 0.3-0.7). */
const MIN_VOICED_SHARE = 0.15;
/** The voicing check needs this much sounding time (s). */
const MIN_SOUNDING_S = 1;
/**
 * Voiced time over sounding time above this: continuous voicing, which speech never has (its consonants and pauses
 * are unvoiced). Measured: the speech fixtures 0.34-0.71 (fixtures/audio and fixtures/demo), the 10-minute bench
 * file 0.46; synthetic music (a melody of decaying piano-like notes, held chords with a drum, organ notes) 0.98-1.00,
 * the tone and harmonic fixtures 1.00.
 */
const MAX_SPEECH_VOICED_SHARE = 0.9;

export type PitchRangeFields = Pick<AudioSummary, 'n_voiced_frames' | 'f0_p5_hz' | 'f0_p95_hz' | 'phonation_time_s' | 'hop_s' | 'functionals'> & Partial<Pick<AudioSummary, 'f0_above_ceiling_ratio'>> & {
  params: Pick<AudioSummary['params'], 'f0Floor' | 'f0Ceiling'> & Partial<Pick<AudioSummary['params'], 'voice' | 'voiceFloor' | 'voiceCeiling'>>;
};

const AFFECTED = 'f0_hz, voiced, the F0 statistics and the syllable count are unreliable';

/**
 * One sentence per limit the track ran into (none for a voice inside the range). With little of the sound voiced the
 * few voiced frames are stray (a 45-65 Hz voice: p5 124, p95 577 Hz), so only that is said, not the edges they touch.
 */
export function pitchRangeWarnings(s: PitchRangeFields): string[] {
  const voiced = voicedShareWarning(s);
  return voiced ? [voiced] : [...edgeWarnings(s), ...voiceRangeWarnings(s)];
}

/** The F0 track reaches `ceiling`: its 95th percentile within 5 % of it, or (a ceiling not above the F0 track's) octaves above as strong. */
function reachesCeiling(s: PitchRangeFields, ceiling: number): boolean {
  const above = s.f0_above_ceiling_ratio ?? 0;
  const octaves = above >= MIN_ABOVE_RATIO && above * s.n_voiced_frames >= MIN_ABOVE_FRAMES;
  return (s.f0_p95_hz as number) * CEILING_FACTOR >= ceiling || (octaves && ceiling <= s.params.f0Ceiling);
}

/** The 5th / 95th F0 percentile at the floor / ceiling: part of the voice lies beyond it. */
function edgeWarnings(s: PitchRangeFields): string[] {
  if (s.f0_p5_hz === null || s.f0_p95_hz === null) return [];
  const { f0Floor: floor, f0Ceiling: ceiling } = s.params;
  const out: string[] = [];
  const above = s.f0_above_ceiling_ratio ?? 0;
  if (reachesCeiling(s, ceiling)) {
    const pct = (100 * above).toFixed(1);
    out.push(`the voice goes above the pitch ceiling (${ceiling} Hz; F0 95th percentile ${s.f0_p95_hz.toFixed(1)} Hz, ${pct} % of voiced frames with an octave above the ceiling as strong as their F0): a voice above the ceiling is tracked an octave low; ${AFFECTED}; rerun with a higher --f0-ceiling (e.g. ${Math.round(ceiling * 1.5)})`);
  }
  if (s.f0_p5_hz <= floor * FLOOR_FACTOR) {
    out.push(`F0 reaches the pitch floor (5th percentile ${s.f0_p5_hz.toFixed(1)} Hz, floor ${floor} Hz): a voice below the floor (creak, a deep voice) is unvoiced or tracked at a multiple of its F0; ${AFFECTED}; rerun with a lower --f0-floor (e.g. ${Math.round(floor / 1.5)})`);
  }
  return out;
}

/**
 * Voiced time over sounding time, or null when it says nothing: less than MIN_SOUNDING_S of sound, or digital
 * silence (it counts as sounding in Praat's silences, a flat contour).
 */
function voicedShare(s: PitchRangeFields): number | null {
  const silent = !(s.functionals.rms?.mean && s.functionals.rms.mean > 0);
  if (silent || s.phonation_time_s < MIN_SOUNDING_S) return null;
  return (s.n_voiced_frames * s.hop_s) / s.phonation_time_s;
}

/**
 * Why the speaking and articulation rates are not given (null: they are). The syllable nuclei are voiced intensity
 * peaks (de Jong & Wempe 2009, nuclei.ts), a count that means syllables only in speech: with hardly any voicing
 * (whisper, noise, a voice below the floor) no peak counts and the rate would read as 0, and in continuously voiced
 * sound (music, singing, a held vowel or tone) every note's onset counts (a synthetic melody of 0.25 s notes: 78
 * "syllables", 3.9 syl/s, a speaking rate in the range of speech).
 */
export function speakingRateReason(s: PitchRangeFields): string | null {
  const share = voicedShare(s);
  if (share === null) return null;
  const of = `${(100 * Math.min(1, share)).toFixed(1)} % of the ${s.phonation_time_s.toFixed(1)} s of sound is voiced (speech has 30-70 %)`;
  if (share < MIN_VOICED_SHARE) return `only ${of}: the syllable nuclei are voiced intensity peaks, so whisper, noise or a voice below the pitch floor give no rate`;
  if (share > MAX_SPEECH_VOICED_SHARE) return `${of}: continuous voicing is music, singing, a held vowel or a tone, not speech (its consonants and pauses are unvoiced), and its intensity peaks are not syllables`;
  return null;
}

/**
 * Why a sounding file has no rate at all: shorter than the 3 frames of the intensity contour the syllable nuclei need
 * (a 6.4 / floor s window, then two 0.8 / floor s steps: 160 ms at the 50 Hz --nuclei-intensity-floor), it has no
 * contour, so no syllable, pause or sounding time (its rate read 0 syl/s before 2026-12-07; Praat's To Intensity
 * refuses a sound shorter than its window).
 */
function tooShortForNuclei(s: Pick<AudioSummary, 'duration_s' | 'functionals' | 'params'>): string | null {
  const floor = s.params.nucleiIntensityFloor;
  const minS = (6.4 + 2 * 0.8) / floor;
  const sounds = (s.functionals.rms?.mean ?? 0) > 0;
  if (!sounds || s.duration_s > minS) return null;
  return `the sound (${Math.round(s.duration_s * 1000)} ms) is shorter than the ${Math.round(minS * 1000)} ms the intensity contour of the syllable nuclei needs (a ${Math.round((6.4 / floor) * 1000)} ms window and two steps at the ${floor} Hz --nuclei-intensity-floor): no syllable, pause or sounding time can be found`;
}

/** Sets speaking_rate_reason and, with a reason, the speaking and articulation rates to null (the counts stay). */
export function checkSpeakingRate(s: AudioSummary): void {
  const why = tooShortForNuclei(s) ?? speakingRateReason(s);
  s.speaking_rate_reason = why;
  if (why === null) return;
  s.speaking_rate_syl_s = null;
  s.articulation_rate_syl_s = null;
}

/**
 * Little of the sounding time voiced: a voice wholly below the floor is not tracked at all (a 50 Hz voice: no
 * voiced frame).
 */
function voicedShareWarning(s: PitchRangeFields): string | null {
  const share = voicedShare(s);
  if (share === null || share >= MIN_VOICED_SHARE) return null;
  const { f0Floor: floor } = s.params;
  const pct = (100 * share).toFixed(1);
  // With --voice the voice report's figures come from the few stray pulses (whisper: 63 pulses in 9.7 s, jitter 7.1 %).
  const voice = s.params.voice ? '; so are the --voice figures (pulses, jitter, shimmer, HNR and formant medians of a voice that is hardly there)' : '';
  const lower = Math.round(floor / 1.5);
  // The voice measures have their own floor (75 Hz): a 55 Hz vowel's trial run was told only --f0-floor, got 0 pulses,
  // and was told --voice-floor only after the rerun. Both in one line, the voice floor at most the F0 one.
  const { voiceFloor } = s.params;
  const both = s.params.voice && voiceFloor !== undefined ? `, and a lower --voice-floor, e.g. ${Math.max(5, Math.floor(Math.min(voiceFloor, lower) / 5) * 5)}` : '';
  return `only ${pct} % of the ${s.phonation_time_s.toFixed(1)} s of sound is voiced (speech has 30-70 %): a voice below the pitch floor of ${floor} Hz (rerun with a lower --f0-floor, e.g. ${lower}${both}), whisper or sound that is not speech; ${AFFECTED}${voice}`;
}

/**
 * With --voice, the voice measures' own pitch range (--voice-floor / --voice-ceiling, Praat's voice report 75-600 Hz)
 * against the F0 track's percentiles, as above: a user who followed the F0 warning (--f0-ceiling 900 for a voice
 * at 500-700 Hz) got the warning's silence while the pulses still followed the voice an octave low (1378 pulses
 * against 2426 at --voice-ceiling 900), and a 40-60 Hz voice at --f0-floor 40 had jitter 8.4 % and HNR -0.6 dB
 * against 2.5 % and 3.9 dB at --voice-floor 40; Praat's voice report says nothing either.
 */
function voiceRangeWarnings(s: PitchRangeFields): string[] {
  const { voice, voiceFloor, voiceCeiling } = s.params;
  if (!voice || voiceFloor === undefined || voiceCeiling === undefined || s.f0_p5_hz === null || s.f0_p95_hz === null) return [];
  const out: string[] = [];
  const range = `the voice measures' pitch range (--voice-floor ${voiceFloor} to --voice-ceiling ${voiceCeiling} Hz)`;
  if (reachesCeiling(s, voiceCeiling)) {
    out.push(`the voice goes above ${range}: F0 95th percentile ${s.f0_p95_hz.toFixed(1)} Hz; their glottal pulses follow a voice above the ceiling an octave low, so n_pulses, jitter and shimmer (and the formant medians' voiced frames) are unreliable; rerun with a higher --voice-ceiling (e.g. ${Math.ceil((Math.max(voiceCeiling, s.f0_p95_hz) * 1.5) / 100) * 100})`);
  }
  if (s.f0_p5_hz <= voiceFloor * FLOOR_FACTOR) {
    out.push(`the voice reaches the floor of ${range}: F0 5th percentile ${s.f0_p5_hz.toFixed(1)} Hz; periods longer than the floor's are not followed, so n_pulses, jitter, shimmer and hnr_db are unreliable; rerun with a lower --voice-floor (e.g. ${Math.floor(Math.min(voiceFloor, s.f0_p5_hz) / 1.5 / 5) * 5})`);
  }
  return out;
}
