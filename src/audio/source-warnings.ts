/**
 * Warnings about the recording itself that change what the features mean, said on stderr (and counted by `extract`)
 * and added to the summary's notes (extract.ts addWarningsToNotes): a new user's trial fed a mono 8 kHz and a 5.1 camera track and got exit 0 with a note
 * only inside audio.summary.json.
 */
import { channelWarning } from './channel-check.js';
import { digitalSilenceRunsWarning, digitalSilenceWarning } from './silent-stream.js';
import { CLIPPED_NOTE_RATIO, clippingNote, dcOffsetNote, eightBitNote, isFloatPcm, type AudioSummary } from './extract.js';
import { melFilterBank } from './mel.js';
import { pitchRangeWarnings, type PitchRangeFields } from './pitch-range.js';
import type { SyncBeepSummary } from './sync-beep.js';
import { shellWord, siblingName } from '../common/shell.js';
import { voiceRateHz, VOICE_MAX_RATE_HZ } from './voice-rate.js';

/** `file`: the media file as the user gave it, named in the ffmpeg commands the warnings suggest. */
export function audioSourceWarnings(s: Pick<AudioSummary, 'sample_rate_hz' | 'source'> & Partial<Pick<AudioSummary, 'clipped_ratio' | 'dc_offset' | 'digital_silence' | 'duration_s' | 'params'> & PitchRangeFields & SyncBeepSummary>, file: string): string[] {
  const out: string[] = [];
  const silence = digitalSilenceWarning(s, file);
  if (silence) out.push(silence);
  const stretch = digitalSilenceRunsWarning(s);
  if (stretch) out.push(stretch);
  const damaged = s.source.decode_errors ?? 0;
  if (damaged > 0) {
    // A damaged AAC/MP3 stream decoded whole (the damaged packets skipped or patched), exit 0, no word before 2026-12-02.
    out.push(`ffmpeg reported ${damaged} decode error(s) (source.decode_errors): parts of the audio were decoded from damaged data (skipped or patched) and the features there may be wrong; re-encode from the original recording, or replace the file with an undamaged copy`);
  }
  const rate = s.source.sample_rate_hz;
  if (rate !== null && rate < s.sample_rate_hz) {
    out.push(
      `recorded at ${rate} Hz and analysed at ${s.sample_rate_hz} Hz: nothing above ${rate / 2} Hz, so the mel bands above it are empty and its MFCCs are not comparable with full-band recordings`,
    );
  }
  const formants = formantBandWarning(s);
  if (formants) out.push(formants);
  const voiceRate = voiceRateWarning(s, file);
  if (voiceRate) out.push(voiceRate);
  const ch = s.source.channels;
  if (ch !== null && ch > 2) {
    out.push(`${ch} channels averaged to mono (librosa.to_mono): every channel's sound is mixed; extract the speaker's channel first if one holds it (ffmpeg -af "pan=mono|c0=FC" for the centre of a 5.1 track)`);
  }
  const check = s.source.channel_check ? channelWarning(s.source.channel_check, file) : null;
  if (check) out.push(check);
  const clip = clippingWarning(s.clipped_ratio ?? 0, s.source.codec);
  if (clip) out.push(clip);
  const dc = dcOffsetNote(s.dc_offset ?? 0, s.duration_s);
  if (dc) out.push(dc);
  const eight = eightBitNote(s.source.codec);
  if (eight) out.push(eight);
  const n = s.source.audio_streams;
  if (n !== null && n !== undefined && n > 1) {
    // A recorder or a muxed camera file with a second microphone: one stream is analysed, the others are not.
    out.push(`has ${n} audio streams and only one is analysed (ffprobe's stream index ${s.source.stream_index}); the other microphones are not in the features: give each its own file (${streamCopyCommand(file)}) and, in a manifest, its own *_audio role; mmprep audio --stream N picks one`);
  }
  const mel = s.params ? emptyMelWarning(s.params) : null;
  if (mel) out.push(mel);
  // A voice outside the F0 search range (pitch-range.ts); a summary without the F0 fields (a unit test's) has none.
  if (s.params && s.functionals && s.n_voiced_frames !== undefined) out.push(...pitchRangeWarnings(s as PitchRangeFields));
  const beep = weakBeepWarning(s);
  if (beep) out.push(beep);
  return out;
}

/**
 * A tone taken for the sync beep that carries less power than the rest of the sound over it (snr_db < 0): the
 * detector (src/sync/tone/tone.ts) took the second harmonic of a steady voice at half the tone (a child's or a singer's
 * 500 Hz: its neighbours lie 500 Hz away, outside the prominence check), and its frames were then left out with only
 * a note. Since 2026-12-02 a tone phase-locked to its partial at half (a third, a quarter) of its frequency is
 * refused as a voice (src/sync/tone/tone-harmonic.ts) and its frames kept; what that test cannot see still comes here:
 * speech pitch-shifted by a phase vocoder (ffmpeg rubberband to 370-540 Hz: a 180 ms "beep" at SNR -7.3 dB, its
 * partials' phases not kept), a real beep under louder broadband noise. Measured before: a steady 500 Hz voice
 * -4.0 dB; real beeps in the tests' speech, reverberant and AAC at the generator's SNR 0 and 10 dB: 0.6 to 16.6 dB.
 */
function weakBeepWarning(s: Partial<SyncBeepSummary>): string | null {
  const weak = (s.sync_beeps ?? []).filter((b) => b.snr_db < 0);
  if (weak.length === 0) return null;
  const tone = s.sync_beep_tone_hz ?? 1000;
  const where = weak.map((b) => `${b.t_s.toFixed(3)}-${(b.t_s + b.duration_s).toFixed(3)} s (SNR ${b.snr_db.toFixed(1)} dB)`).join(', ');
  const n = weak.reduce((a, b) => a + b.n_frames, 0);
  return `a ${tone} Hz tone weaker than the rest of the sound over it was taken for the sync beep at ${where} and its ${n} frames left out (null pitch and voicing, not in the summary): a steady voice at ${tone / 2} Hz (a child's, singing) has its second harmonic there; if the recording has no beep there, rerun with --keep-sync-beep`;
}

/** Praat's voice-report formants: `To Formant (burg)` with a maximum formant of 5500 Hz (src/audio/voice.ts). */
const MAX_FORMANT_HZ = 5500;

/**
 * With --voice, a recording with nothing up to the formant analysis's 5500 Hz (an 8 kHz telephone track, or --sr
 * below 11 kHz): Burg's LPC spends poles on the empty band's edge and F1-F3 move, in Praat too. Measured on the speech
 * fixtures joined and made 8 kHz (mu-law; band-passed 300-3400 Hz): F1 / F2 / F3 medians 502-533 / 1261-1281 /
 * 2474-2517 Hz against 610 / 1718 / 2849, bandwidths 56-94 Hz against 184-204; MP3 and Opus at 16-22 kHz within 1-8 %.
 */
function formantBandWarning(s: Pick<AudioSummary, 'sample_rate_hz' | 'source'> & Partial<Pick<AudioSummary, 'params'>>): string | null {
  if (!s.params?.voice) return null;
  // The maximum formant used (--formant-ceiling-hz): one within the sound's band (4000 Hz for 8 kHz) is no warning.
  const ceiling = s.params.formantCeilingHz ?? MAX_FORMANT_HZ;
  // The band the voice measures read (voice-rate.ts: the file's own rate, or --sr).
  const voiceRate = voiceRateHz(s.source.sample_rate_hz, s.sample_rate_hz, ceiling, s.params.voiceCeiling ?? 600);
  const nyquist = Math.min(s.source.sample_rate_hz ?? Infinity, voiceRate) / 2;
  if (nyquist >= ceiling) return null;
  return `--voice: nothing above ${nyquist} Hz, but the formant analysis (Praat's To Formant (burg), 5 formants up to ${ceiling} Hz) models the band up to ${ceiling} Hz: f1_hz-f3_hz, b1_hz-b3_hz and their medians come out wrong (speech made 8 kHz: F2 median 1281 against 1718 Hz, bandwidths a third), in Praat too; use them only from recordings sampled at ${2 * ceiling} Hz or more, or with --formant-ceiling-hz ${nyquist} or less`;
}

/**
 * With --voice, a recording whose voice measures are not read at its own rate (voice-rate.ts: above 48 kHz, a
 * Nyquist frequency below the voice ceiling, or a rate equal to the maximum formant): Praat's voice report works at the file's own rate, and jitter,
 * shimmer and HNR move with the rate by more than the tolerances (ffmpeg's resampling moves the pulses and takes
 * away the noise above the new Nyquist). Measured (the voice report's figures, mmprep at 16 kHz against Praat 6.3.07
 * on the file; at --sr equal to the file's rate they agree to float rounding): espeak-ng speech at 22.05, 44.1 and
 * 48 kHz, Praat-synthesised vowels at 44.1 and 48 kHz (WAV, Opus, stereo): jitter (local) 0.01-20 % apart, the 11
 * jitter and shimmer figures up to 17 %, HNR up to 4.9 dB (fixtures/audio/wav/vowel_220hz_48k.flac: jitter 20 % low,
 * HNR 4.9 dB high); read speech made 8 kHz: jitter 13 %, F2 median 4 %.
 */
function voiceRateWarning(s: Pick<AudioSummary, 'sample_rate_hz' | 'source'> & Partial<Pick<AudioSummary, 'params'>>, file: string): string | null {
  const rate = s.source.sample_rate_hz;
  if (!s.params?.voice || rate === null || rate === s.sample_rate_hz) return null;
  if (voiceRateHz(rate, s.sample_rate_hz, s.params.formantCeilingHz ?? MAX_FORMANT_HZ, s.params.voiceCeiling ?? 600) === rate) return null;
  const hop = (rate * s.params.hopLength) / s.sample_rate_hz;
  const flags = [`--sr ${rate}`];
  if (Number.isInteger(hop)) flags.push(`--hop ${hop}`);
  // A maximum formant of exactly the file's rate: Praat up-samples by 2 with Sound_upsample, which mmprep does not reproduce.
  const ceiling = s.params.formantCeilingHz ?? MAX_FORMANT_HZ;
  const doubled = rate === ceiling;
  if (doubled) flags.push(`--formant-ceiling-hz ${rate / 2}`);
  const formants = doubled ? ` (the formants then up to ${rate / 2} Hz: a maximum formant of ${ceiling} Hz makes Praat up-sample this file by exactly 2 with its Sound_upsample, which mmprep does not reproduce)` : '';
  const why = rate > VOICE_MAX_RATE_HZ ? ` (above ${VOICE_MAX_RATE_HZ} Hz the voice measures are read at --sr)` : '';
  return `--voice: analysed at ${s.sample_rate_hz} Hz${why}, but the recording is at ${rate} Hz, the rate Praat's voice report works at on this file: jitter, shimmer and HNR depend on the analysis rate by more than the stated agreement with Praat (measured: jitter up to 20 %, HNR up to 4.9 dB apart); for Praat's figures of this file run mmprep audio ${shellWord(file)} --voice ${flags.join(' ')}${formants}`;
}

/** `ffmpeg -i cam.mkv -map 0:a:1 -c copy cam-a1.mka` for the file as given: Matroska audio takes any codec copied. */
function streamCopyCommand(file: string): string {
  return `ffmpeg -i ${shellWord(file)} -map 0:a:1 -c copy ${shellWord(siblingName(file, '-a1.mka'))}`;
}

/** A recording clipped by its integer format (one line per file); a float file's samples above full scale were kept. */
function clippingWarning(ratio: number, codec: string | null): string | null {
  if (ratio <= CLIPPED_NOTE_RATIO || isFloatPcm(codec)) return null;
  return clippingNote(ratio, codec);
}

/**
 * Mel bands with no FFT bin (too many --n-mels for --n-fft at the rate): librosa.filters.mel warns "Empty filters
 * detected in mel frequency basis" and so does this; their log-mel values sit at the top_db floor in every frame.
 */
export function emptyMelWarning(o: Pick<AudioSummary['params'], 'sampleRate' | 'nFft' | 'nMels' | 'fmin' | 'fmax'>): string | null {
  const bands = melFilterBank(o.sampleRate, o.nFft, o.nMels, o.fmin, o.fmax ?? o.sampleRate / 2);
  const empty = bands.filter((b) => b.weights.length === 0).length;
  if (empty === 0) return null;
  return `${empty} of the ${o.nMels} mel bands hold no FFT bin (--n-mels ${o.nMels} with --n-fft ${o.nFft} at ${o.sampleRate} Hz; librosa warns "Empty filters detected"): they are constant in every frame and the MFCCs are not comparable with a bank without empty bands; use fewer --n-mels or a larger --n-fft`;
}
