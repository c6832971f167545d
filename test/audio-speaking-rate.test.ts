/**
 * The speaking rate is given only for sound whose voicing is like speech's (pitch-range.ts speakingRateReason): a
 * synthetic melody of 0.25 s piano-like notes had 78 "syllables" and 3.9 syl/s in 20 s, a rate in the range of
 * speech, with nothing said. Continuous voicing (music, tones) and next to none (noise) now give null rates with
 * speaking_rate_reason; every speech fixture keeps its rate, and digital silence its 0.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extractAudio, type AudioSummary } from '../src/audio/extract.js';
import { checkSpeakingRate } from '../src/audio/pitch-range.js';
import { resolveAudioOptions } from '../src/audio/options.js';
import { tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

const tmp = tempDir('mmprep-audio-rate-');
afterAll(() => tmp.cleanup());
const wav = (n: string) => join('fixtures', 'audio', 'wav', `${n}.flac`);
const summary = (file: string) => extractAudio(file, { out: null, keepSyncBeep: true });

describe('speaking rate only for speech-like voicing', () => {
  it('is null with a reason for a melody, a harmonic tone and white noise', async () => {
    const melody = join(tmp.dir, 'melody.wav');
    // Notes of 0.25 s (a step of 7 semitones each, modulo the octave) with three harmonics and a decay, 6 s.
    const note = "st(0,floor(t/0.25));st(1,220*pow(2,mod(ld(0)*7,12)/12))";
    ffmpegSync(['-f', 'lavfi', '-i', `aevalsrc='${note};(0.5*sin(2*PI*ld(1)*t)+0.25*sin(4*PI*ld(1)*t)+0.12*sin(6*PI*ld(1)*t))*exp(-6*mod(t,0.25))':s=16000:d=6`, '-c:a', 'pcm_s16le', melody]);
    const m = await summary(melody);
    expect(m.n_syllables).toBeGreaterThan(10); // the notes are still counted as the method counts them
    expect(m).toMatchObject({ speaking_rate_syl_s: null, articulation_rate_syl_s: null });
    expect(m.speaking_rate_reason).toMatch(/^9\d\.\d % of the 6\.0 s of sound is voiced \(speech has 30-70 %\): continuous voicing is music, singing, a held vowel or a tone, not speech/);
    const tone = await summary(wav('harm_150hz'));
    expect(tone.speaking_rate_syl_s).toBeNull();
    expect(tone.speaking_rate_reason).toMatch(/^100\.0 % of the 3\.0 s of sound is voiced/);
    const noise = await summary(wav('white_noise'));
    expect(noise.speaking_rate_syl_s).toBeNull();
    expect(noise.speaking_rate_reason).toMatch(/^only 0\.0 % of the 3\.0 s of sound is voiced \(speech has 30-70 %\): the syllable nuclei are voiced intensity peaks/);
  });

  it('keeps the rate of the speech fixtures, and 0 for digital silence', async () => {
    // The least and the most voiced of the speech fixtures (34 % and 71 % of their sound) and the slowest (0.64 syl/s).
    for (const n of ['cards_003', 'cards_004', 'speech_en1_p50_s175', 'speech_es1_p50_s175']) {
      const s = await summary(wav(n));
      expect(s.speaking_rate_reason, n).toBeNull();
      expect(s.speaking_rate_syl_s, n).toBeCloseTo(s.n_syllables / s.duration_s, 10);
    }
    const silence = await summary(wav('silence'));
    expect(silence).toMatchObject({ speaking_rate_syl_s: 0, speaking_rate_reason: null });
  });

  it('is null with a reason for a sound too short for the intensity contour (160 ms), not 0 syl/s', () => {
    const s = (duration_s: number, rms: number) => ({ duration_s, functionals: { rms: { mean: rms } }, params: { ...resolveAudioOptions({}) }, speaking_rate_syl_s: 0, articulation_rate_syl_s: null, speaking_rate_reason: null, n_voiced_frames: 5, hop_s: 0.01, phonation_time_s: 0, f0_p5_hz: null, f0_p95_hz: null }) as unknown as AudioSummary;
    const short = s(0.16, 0.1);
    checkSpeakingRate(short);
    expect(short.speaking_rate_syl_s).toBeNull();
    expect(short.speaking_rate_reason).toBe('the sound (160 ms) is shorter than the 160 ms the intensity contour of the syllable nuclei needs (a 128 ms window and two steps at the 50 Hz --nuclei-intensity-floor): no syllable, pause or sounding time can be found');
    // Digital silence keeps its rate 0 (nothing sounds), and a longer sound is judged by its voicing as before.
    for (const other of [s(0.1, 0), s(0.2, 0.1)]) {
      checkSpeakingRate(other);
      expect(other.speaking_rate_reason).toBeNull();
    }
  });
});
