/**
 * A new user's trial: a mono 8 kHz track and a 5.1 camera track went through `mmprep audio` and `mmprep extract` with
 * exit 0 and a note only inside audio.summary.json. Both now get a warning line on stderr (extract counts it);
 * a 16 kHz stereo file (the usual lav recording) gets none.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pitchRangeWarnings } from '../src/audio/pitch-range.js';
import { audioSourceWarnings } from '../src/audio/source-warnings.js';
import { resolveAudioOptions } from '../src/audio/options.js';
import { runCli, tempDir } from './helpers/cli.js';
import { audioInProcess } from './helpers/audio-lib.js';
import { ffmpegOutputs, ffmpegSync, ffprobeJson } from './helpers/ffmpeg.js';

const tmp = tempDir('mmprep-audio-src-warn-');
afterAll(() => tmp.cleanup());
const p = (n: string) => join(tmp.dir, n);
/** Three harmonics at `phase` (e.g. '700*t': a steady 700 Hz voice), for lavfi's aevalsrc. */
const harmonics = (phase: string) => `0.3*sin(2*PI*(${phase}))+0.2*sin(4*PI*(${phase}))+0.1*sin(6*PI*(${phase}))`;
const tone = 'sine=f=220:sample_rate=16000:d=1';
// The recordings of the tests below, made in one ffmpeg run (ffmpegOutputs: each file the bytes of its own run; ~0.15
// CPU s a start of Debian's ffmpeg, 13 starts before).
beforeAll(() => {
  ffmpegOutputs([
    ['-f', 'lavfi', '-i', 'sine=f=220:sample_rate=16000', '-f', 'lavfi', '-i', 'sine=f=330:sample_rate=16000', '-t', '2', '-map', '0', '-map', '1', '-c:a', 'flac', p('two-mics.mka')],
    ['-f', 'lavfi', '-i', 'sine=f=220:sample_rate=8000', '-t', '2', '-ac', '1', p('tel.wav')],
    ['-f', 'lavfi', '-i', 'sine=f=220:sample_rate=48000', '-t', '2', '-af', 'aformat=channel_layouts=5.1', p('surround.wav')],
    ['-f', 'lavfi', '-i', 'sine=f=220:sample_rate=16000', '-t', '2', '-ac', '2', p('lav.wav')],
    ['-f', 'lavfi', '-i', 'sine=f=220:sample_rate=16000', '-t', '2', '-af', 'volume=16', '-c:a', 'pcm_s16le', p('hot16.wav')],
    ['-f', 'lavfi', '-i', 'sine=f=220:sample_rate=16000', '-t', '2', '-af', 'volume=16', '-c:a', 'pcm_f32le', p('hotf.wav')],
    ['-f', 'lavfi', '-i', 'sine=f=220:sample_rate=8000', '-t', '2', '-af', 'volume=16', '-c:a', 'pcm_mulaw', p('hot-mulaw.wav')],
    ['-f', 'lavfi', '-i', 'sine=f=220:sample_rate=16000', '-t', '2', '-af', 'volume=16', '-c:a', 'pcm_u8', p('hot-u8.wav')],
    ['-f', 'lavfi', '-i', `aevalsrc=${harmonics('700*t')}:s=16000:d=1.5`, p('high.wav')],
    ['-f', 'lavfi', '-i', `aevalsrc=${harmonics('50*t')}:s=16000:d=1.5`, p('deep.wav')],
    ['-f', 'lavfi', '-i', `aevalsrc=${harmonics('700*t')}:s=16000:d=1.5`, p('high-v.wav')],
    ['-f', 'lavfi', '-i', 'sine=f=220:sample_rate=16000', '-t', '0.002', '-c:a', 'pcm_s16le', p('blip.wav')],
    ['-f', 'lavfi', '-i', 'sine=f=220:sample_rate=16000', '-t', '1', '-af', 'dcshift=0.2', '-c:a', 'pcm_s16le', p('dc.wav')],
    ['-f', 'lavfi', '-i', tone, '-c:a', 'pcm_u8', p('u8.wav')],
    ['-f', 'lavfi', '-i', tone, '-c:a', 'pcm_s16le', p('s16.wav')],
  ]);
});
// Each warning is shown once through the command (its stderr line, exit 0); the other runs, the negative controls
// among them, run extractAudio in this process and take the lines the command would print (helpers/audio-lib.ts).

describe('warnings about the recording itself', () => {
  it('says a band-limited (8 kHz) source and a surround track, and nothing for 16 kHz stereo', () => {
    const src = (sample_rate_hz: number, channels: number) => ({ sample_rate_hz: 16000, source: { stream_index: 0, codec: 'pcm_s16le', sample_rate_hz, channels, audio_streams: 1 } });
    expect(audioSourceWarnings(src(8000, 1), 'rec.wav')).toEqual([expect.stringMatching(/^recorded at 8000 Hz and analysed at 16000 Hz: nothing above 4000 Hz/)]);
    expect(audioSourceWarnings(src(48000, 6), 'rec.wav')).toEqual([expect.stringMatching(/^6 channels averaged to mono/)]);
    expect(audioSourceWarnings(src(16000, 2), 'rec.wav')).toEqual([]);
    expect(audioSourceWarnings(src(44100, 1), 'rec.wav')).toEqual([]);
    // With --voice the formants (up to 5500 Hz) of a source with nothing above 4 kHz are off too (speech made 8 kHz:
    // F2 median 1281 against 1718 Hz); before, only the MFCCs were said to be.
    const voice = (rate: number, on: boolean) => ({ ...src(rate, 1), params: { ...resolveAudioOptions({}), voice: on } });
    // With --voice, a source whose voice measures cannot be read at its own rate (below 11 kHz, above 48 kHz): Praat's
    // voice report works at the file's own rate, and the warning gives the command that analyses at it (10 ms frames where the hop is whole; the formant ceiling within
    // the file's Nyquist, which mmprep requires).
    const rate = (r: number, extra = '') => expect.stringMatching(new RegExp(`^--voice: analysed at 16000 Hz, but the recording is at ${r} Hz, .*jitter, shimmer and HNR depend on the analysis rate .*run mmprep audio rec\\.wav --voice ${extra}$`));
    // An 8 kHz file is read at its own rate too, its formants up-sampled to 11 kHz as Praat does (test/audio-voice.test.ts):
    // no rate warning (there was one, with --formant-ceiling-hz 4000 in its command); the formant band warning stays.
    expect(audioSourceWarnings(voice(8000, true), 'rec.wav')).toEqual([expect.stringMatching(/^recorded at 8000 Hz/), expect.stringMatching(/^--voice: nothing above 4000 Hz, but the formant analysis .* up to 5500 Hz\) .*f1_hz-f3_hz, b1_hz-b3_hz and their medians come out wrong/)]);
    // A maximum formant equal to the file's rate (Praat's Sound_upsample by exactly 2, not reproduced): read at --sr, the warning.
    const at8k = { ...voice(8000, true), params: { ...voice(8000, true).params, formantCeilingHz: 8000 } };
    expect(audioSourceWarnings(at8k, 'rec.wav')[2]).toEqual(rate(8000, '--sr 8000 --hop 80 --formant-ceiling-hz 4000 \\(the formants then up to 4000 Hz: a maximum formant of 8000 Hz makes Praat up-sample this file by exactly 2 with its Sound_upsample, which mmprep does not reproduce\\)'));
    expect(audioSourceWarnings(voice(8000, false), 'rec.wav')).toHaveLength(1);
    // 11.025-48 kHz: the voice measures read the file at its own rate (voice-rate.ts), so no warning.
    expect(audioSourceWarnings(voice(11025, true), 'rec.wav')).toEqual([expect.stringMatching(/^recorded at 11025 Hz/)]);
    expect(audioSourceWarnings(voice(44100, true), 'rec.wav')).toEqual([]);
    expect(audioSourceWarnings(voice(48000, true), 'rec.wav')).toEqual([]);
    // Above 48 kHz they are read at --sr: the warning, with the command.
    expect(audioSourceWarnings(voice(96000, true), 'my rec.wav')).toEqual([expect.stringMatching(/^--voice: analysed at 16000 Hz \(above 48000 Hz the voice measures are read at --sr\), but the recording is at 96000 Hz, .*run mmprep audio 'my rec.wav' --voice --sr 96000 --hop 960$/)]);
    // A voice ceiling above the file's Nyquist frequency: read at --sr, the warning.
    expect(audioSourceWarnings({ ...voice(11025, true), params: { ...voice(11025, true).params, voiceCeiling: 6000 } }, 'rec.wav')).toEqual([expect.stringMatching(/^recorded at 11025 Hz/), rate(11025, '--sr 11025')]);
    expect(audioSourceWarnings(voice(16000, true), 'rec.wav')).toEqual([]);
    expect(audioSourceWarnings(voice(48000, false), 'rec.wav')).toEqual([]);
    // The formant warning names the maximum formant used (--formant-ceiling-hz): within the band (the rate warning's
    // own command for an 8 kHz file) it is no warning; it said 5500 Hz whatever was given.
    const ceiling = (c: number, sr = 16000) => ({ ...voice(8000, true), sample_rate_hz: sr, params: { ...resolveAudioOptions({ sampleRate: sr }), voice: true, formantCeilingHz: c } });
    expect(audioSourceWarnings(ceiling(4000, 8000), 'rec.wav')).toEqual([]);
    // With a maximum formant within the 8 kHz file's band its voice measures are read at 8 kHz (voice-rate.ts): no rate warning.
    expect(audioSourceWarnings(ceiling(4000), 'rec.wav')).toEqual([expect.stringMatching(/^recorded at 8000 Hz/)]);
    expect(audioSourceWarnings(ceiling(5000), 'rec.wav')[1]).toMatch(/^--voice: nothing above 4000 Hz, but the formant analysis \(Praat's To Formant \(burg\), 5 formants up to 5000 Hz\) models the band up to 5000 Hz: .*sampled at 10000 Hz or more, or with --formant-ceiling-hz 4000 or less$/);
    // --sr equal to the file's rate: no warning.
    expect(audioSourceWarnings({ ...voice(48000, true), sample_rate_hz: 48000 }, 'rec.wav')).toEqual([]);
  });

  it('says a file with two audio streams (a second microphone) of which one is analysed, in mmprep audio and extract', async () => {
    const r = await runCli(['audio', p('two-mics.mka'), '-o', p('two.jsonl'), '--stream', '1', '--summary', p('two.summary.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`mmprep audio: ${p('two-mics.mka')}: warning: has 2 audio streams and only one is analysed (ffprobe's stream index 1)`);
    // The ffmpeg example names the file (was a literal FILE) and runs as given.
    const copy = `ffmpeg -i ${p('two-mics.mka')} -map 0:a:1 -c copy ${p('two-mics-a1.mka')}`;
    expect(r.stderr).toContain(`give each its own file (${copy})`);
    ffmpegSync(copy.split(' ').slice(1));
    expect(ffprobeJson(['-show_streams', p('two-mics-a1.mka')])).toMatchObject({ streams: [{ codec_type: 'audio', codec_name: 'flac' }] });
    expect(JSON.parse(readFileSync(p('two.summary.json'), 'utf8')).source).toMatchObject({ stream_index: 1, audio_streams: 2 });
    writeFileSync(p('m-two.csv'), 'session_id,speaker_id,lav_audio\nt1,spk,two-mics.mka\n');
    const x = await runCli(['extract', p('m-two.csv'), '-o', p('x-two'), '--only', 'audio', '--progress', 'none']);
    expect(x.code, x.stderr).toBe(0);
    expect(x.stderr).toMatch(/session t1 \(line 2\): warning: audio: two-mics\.mka: has 2 audio streams and only one is analysed \(ffprobe's stream index 0\)/);
    expect(x.stderr).toContain('(ffmpeg -i two-mics.mka -map 0:a:1 -c copy two-mics-a1.mka)');
    expect(JSON.parse(x.stdout.trim().split('\n').pop()!).warnings).toBe(1);
  });

  it('mmprep audio prints them on stderr, exit 0; the negative control prints none', async () => {
    const tel = await runCli(['audio', p('tel.wav'), '-o', p('tel.jsonl')]);
    expect(tel.code).toBe(0);
    expect(tel.stderr).toContain(`mmprep audio: ${p('tel.wav')}: warning: recorded at 8000 Hz and analysed at 16000 Hz: nothing above 4000 Hz`);
    const telVoice = await audioInProcess([p('tel.wav'), '--voice', '-o', p('tel-v.jsonl'), '--summary', p('tel-v.summary.json')]);
    expect(telVoice.stderr).toContain(`mmprep audio: ${p('tel.wav')}: warning: --voice: nothing above 4000 Hz, but the formant analysis`);
    // Every warning in the summary's notes too (a voice scientist's trial: the formant warning was on stderr only).
    const warned = [...telVoice.stderr.matchAll(/^mmprep audio: .*?: warning: (.*)$/gm)].map((m) => m[1]);
    expect(warned.length).toBe(2);
    const telNotes: string[] = JSON.parse(readFileSync(p('tel-v.summary.json'), 'utf8')).notes;
    for (const w of warned) expect(telNotes).toContain(w);
    const sur = await audioInProcess([p('surround.wav'), '-o', p('surround.jsonl')]);
    expect(sur.stderr).toContain(`mmprep audio: ${p('surround.wav')}: warning: 6 channels averaged to mono`);
    // The negative control through the command: no line from any of its checks.
    const lav = await runCli(['audio', p('lav.wav'), '-o', p('lav.jsonl')]);
    expect(lav.code, lav.stderr).toBe(0);
    expect(lav.stderr).not.toContain('warning');
  });
  it('a clipped integer recording is warned about on stderr; a float one above full scale is not called clipped', async () => {
    // lavfi's sine is at 1/8 of full scale: x16 peaks at 2. Before: only a summary note, which said "clipped at full scale" for a float file whose samples above it were kept.
    const i16 = await runCli(['audio', p('hot16.wav'), '-o', p('hot16.jsonl'), '--summary', p('hot16.summary.json')]);
    expect(i16.code, i16.stderr).toBe(0);
    expect(i16.stderr).toMatch(new RegExp(`^mmprep audio: ${p('hot16.wav')}: warning: clipped: \\d+\\.\\d\\d % of samples at full scale \\(the recording level was too high\\)`, 'm'));
    expect(i16.stderr.match(/warning/g)).toHaveLength(1);
    // The note is the warning's line, once.
    const hotNotes: string[] = JSON.parse(readFileSync(p('hot16.summary.json'), 'utf8')).notes;
    expect(hotNotes.filter((n) => n.startsWith('clipped'))).toEqual([i16.stderr.match(/warning: (clipped: .*)$/m)![1]]);
    const f32 = await audioInProcess([p('hotf.wav'), '-o', p('hotf.jsonl'), '--summary', p('hotf.summary.json')]);
    expect(f32.stderr).not.toContain('warning');
    const notes: string[] = JSON.parse(readFileSync(p('hotf.summary.json'), 'utf8')).notes;
    expect(notes.some((n) => n.startsWith('clipped'))).toBe(false);
    expect(notes).toContainEqual(expect.stringMatching(/^at or above full scale: .*a float recording \(pcm_f32le\) keeps samples above full scale and they were analysed as they are, not clipped/));
  });

  it("a G.711 or 8-bit recording is clipped at its codec's largest value, below full scale (mu-law 0.980, u8 127/128)", async () => {
    // A sine at twice full scale is clipped 67.4 % of the time (|2 sin| >= 0.98). Before: mu-law at its own 8 kHz
    // read clipped_ratio 0 and no warning; u8 counted only its negative side (-1), 33.7 %.
    for (const [file, sr] of [['hot-mulaw.wav', '8000'], ['hot-u8.wav', '16000']]) {
      const r = await audioInProcess([p(file), '--sr', sr, '-o', p('g711.jsonl'), '--summary', p('g711.summary.json')]);
      expect(r.stderr).toMatch(/warning: clipped: 6\d\.\d\d % of samples at full scale/);
      expect(JSON.parse(readFileSync(p('g711.summary.json'), 'utf8')).clipped_ratio).toBeCloseTo(0.674, 2);
    }
  });
});

/**
 * A voice outside the F0 search range (a new user's trial: a voice at 560-650 Hz reported at p5 311 Hz, half its
 * pitch, and one at 45-65 Hz with 7 % of frames voiced and a mean F0 of 313 Hz, both exit 0 with nothing said; Praat
 * gives the same numbers, its manual asks for a floor and ceiling around the speaker's range). Before: no warning.
 */
describe('a voice outside the pitch range', () => {
  const summary = (p5: number | null, p95: number | null, nVoiced: number, phonation: number, rmsMean = 0.1) => ({
    n_voiced_frames: nVoiced,
    f0_p5_hz: p5,
    f0_p95_hz: p95,
    phonation_time_s: phonation,
    hop_s: 0.01,
    functionals: { rms: { mean: rmsMean } } as never,
    params: { f0Floor: 65, f0Ceiling: 600 },
  });

  it('says which limit the track reaches, and nothing for a voice inside it, silence or too little sound', () => {
    expect(pitchRangeWarnings(summary(83, 117, 500, 10))).toEqual([]);
    expect(pitchRangeWarnings(summary(66.3, 88, 120, 2))).toEqual([expect.stringMatching(/^F0 reaches the pitch floor \(5th percentile 66\.3 Hz, floor 65 Hz\).*rerun with a lower --f0-floor \(e\.g\. 43\)$/)]);
    expect(pitchRangeWarnings(summary(311, 592, 500, 10))).toEqual([expect.stringMatching(/^the voice goes above the pitch ceiling \(600 Hz; F0 95th percentile 592\.0 Hz, 0\.0 % of voiced frames .*--f0-ceiling \(e\.g\. 900\)$/)]);
    // A steady voice above the ceiling, tracked at half (p95 350 Hz): said by the octave check, with enough frames.
    expect(pitchRangeWarnings({ ...summary(350, 350, 200, 2), f0_above_ceiling_ratio: 1 })).toEqual([expect.stringMatching(/^the voice goes above the pitch ceiling \(600 Hz; F0 95th percentile 350\.0 Hz, 100\.0 % of voiced frames/)]);
    expect(pitchRangeWarnings({ ...summary(100, 120, 500, 10), f0_above_ceiling_ratio: 0.019 })).toEqual([]);
    expect(pitchRangeWarnings({ ...summary(100, 120, 50, 1), f0_above_ceiling_ratio: 0.1 })).toEqual([]); // 5 frames
    expect(pitchRangeWarnings(summary(124, 577, 85, 10.5))).toEqual([expect.stringMatching(/^only 8\.1 % of the 10\.5 s of sound is voiced/)]);
    expect(pitchRangeWarnings(summary(null, null, 0, 3, 0))).toEqual([]); // digital silence: sounding in Praat's quirk
    expect(pitchRangeWarnings(summary(null, null, 0, 0.5))).toEqual([]);
  });

  it('with --voice, says when the F0 track reaches beyond the voice measures\' own range (--voice-floor / --voice-ceiling)', () => {
    const v = (p5: number, p95: number, params: object) => ({ ...summary(p5, p95, 500, 10), params: { f0Floor: 65, f0Ceiling: 600, voice: true, voiceFloor: 75, voiceCeiling: 600, ...params } });
    expect(pitchRangeWarnings(v(83, 117, {}))).toEqual([]);
    expect(pitchRangeWarnings(v(83, 117, { voice: false, f0Floor: 40 }))).toEqual([]);
    expect(pitchRangeWarnings(v(511, 696, { f0Ceiling: 900 }))).toEqual([expect.stringMatching(/^the voice goes above the voice measures' pitch range \(--voice-floor 75 to --voice-ceiling 600 Hz\): F0 95th percentile 696\.0 Hz; .*n_pulses, jitter and shimmer .* --voice-ceiling \(e\.g\. 1100\)$/)]);
    expect(pitchRangeWarnings(v(511, 696, { f0Ceiling: 900, voiceCeiling: 1000 }))).toEqual([]);
    expect(pitchRangeWarnings(v(42.7, 120, { f0Floor: 40 }))).toEqual([expect.stringMatching(/^the voice reaches the floor of the voice measures' pitch range .*F0 5th percentile 42\.7 Hz; .*hnr_db are unreliable; rerun with a lower --voice-floor \(e\.g\. 25\)$/)]);
    expect(pitchRangeWarnings(v(77.3, 120, {}))).toEqual([]); // real male speech has p5 78.7 Hz (cards_003)
    // Little voiced (whisper): the --voice figures come from stray pulses and are said to be unreliable too.
    expect(pitchRangeWarnings({ ...v(124, 577, {}), n_voiced_frames: 15, phonation_time_s: 9.7 })).toEqual([expect.stringMatching(/^only 1\.5 % of the 9\.7 s of sound is voiced .*; so are the --voice figures \(pulses, jitter, shimmer, HNR and formant medians/)]);
    // A voice below both floors (a trial's 55 Hz vowel: 0 pulses): --voice-floor named in the same line as --f0-floor,
    // not only after a rerun (with --f0-floor 43 --voice-floor 40 that vowel gave 164 pulses and no warning).
    expect(pitchRangeWarnings({ ...v(124, 577, {}), n_voiced_frames: 0, phonation_time_s: 3 })[0]).toContain('(rerun with a lower --f0-floor, e.g. 43, and a lower --voice-floor, e.g. 40)');
    expect(pitchRangeWarnings({ ...v(124, 577, { voice: false }), n_voiced_frames: 15, phonation_time_s: 9.7 })[0]).not.toContain('--voice');
  });

  it('mmprep audio warns on a steady voice above the ceiling and one wholly below the floor (exit 0, notes too)', async () => {
    // high.wav: three harmonics of a steady 700 Hz voice (tracked at 350 Hz, its p95 far from the ceiling); deep.wav of
    // a steady 50 Hz voice (made in beforeAll).
    const up = await runCli(['audio', p('high.wav'), '-o', p('high.jsonl'), '--summary', p('high.summary.json')]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(new RegExp(`^mmprep audio: ${p('high.wav')}: warning: the voice goes above the pitch ceiling \\(600 Hz; F0 95th percentile 350\\.0 Hz, 100\\.0 % of voiced frames`, 'm'));
    const sum = JSON.parse(readFileSync(p('high.summary.json'), 'utf8'));
    expect(sum).toMatchObject({ f0_above_ceiling_ratio: 1, f0_p95_hz: expect.closeTo(350, 0) });
    expect(sum.notes).toContainEqual(expect.stringMatching(/^the voice goes above the pitch ceiling/));
    const ok = await audioInProcess([p('high.wav'), '-o', p('high2.jsonl'), '--f0-ceiling', '900', '--summary', p('high2.summary.json')]);
    expect(ok.stderr).not.toContain('warning');
    expect(JSON.parse(readFileSync(p('high2.summary.json'), 'utf8'))).toMatchObject({ f0_above_ceiling_ratio: 0, f0_p5_hz: expect.closeTo(700, 0) });
    const deep = await audioInProcess([p('deep.wav'), '-o', p('deep.jsonl')]);
    expect(deep.stderr).toContain(`mmprep audio: ${p('deep.wav')}: warning: only 0.0 % of the 1.5 s of sound is voiced`);
    const fixed = await audioInProcess([p('deep.wav'), '-o', p('deep2.jsonl'), '--f0-floor', '43']);
    expect(fixed.stderr).not.toContain('warning');
  });

  it('mmprep audio --voice warns when the F0 range was widened and the voice range not (was silent: pulses an octave low)', async () => {
    // The warned run through the command, the run that must not warn in this process (the same analysis).
    const run = async (name: string, args: string[], how: 'cli' | 'lib') => {
      const cmd = [p('high-v.wav'), '--voice', '--f0-ceiling', '900', '-o', p(`${name}.jsonl`), '--summary', p(`${name}.json`), ...args];
      let stderr: string;
      if (how === 'cli') {
        const r = await runCli(['audio', ...cmd]);
        expect(r.code, r.stderr).toBe(0);
        stderr = r.stderr;
      } else stderr = (await audioInProcess(cmd)).stderr;
      return { stderr, sum: JSON.parse(readFileSync(p(`${name}.json`), 'utf8')) };
    };
    const low = await run('hv600', [], 'cli');
    expect(low.stderr).toMatch(new RegExp(`^mmprep audio: ${p('high-v.wav')}: warning: the voice goes above the voice measures' pitch range \\(--voice-floor 75 to --voice-ceiling 600 Hz\\): F0 95th percentile 700\\.\\d Hz`, 'm'));
    expect(low.sum.notes).toContainEqual(expect.stringMatching(/^the voice goes above the voice measures' pitch range/));
    const high = await run('hv1000', ['--voice-ceiling', '1000'], 'lib');
    expect(high.stderr).not.toContain('warning');
    // What the warning is about: at 600 Hz the pulses follow every second period.
    expect(high.sum.voice.n_pulses).toBeGreaterThan(1.8 * low.sum.voice.n_pulses);
  });
});

/**
 * A DC offset (a new user's trial: speech with a 0.3 offset gave mean rms_db -10 dB against -31 dB and mfcc_0 8 higher,
 * exit 0 with nothing said; librosa keeps the offset too, so the numbers are librosa's, but nothing said why).
 */
describe('a DC offset', () => {
  it('is a warning and a note with the mean; a centred recording has none', async () => {
    const src = (dc_offset: number) => ({ sample_rate_hz: 16000, dc_offset, source: { stream_index: 0, codec: 'pcm_s16le', sample_rate_hz: 16000, channels: 1, audio_streams: 1 } });
    expect(audioSourceWarnings(src(0.0013), 'rec.wav')).toEqual([]); // the TTS fixture's own
    // A file shorter than a few periods has a mean of its own: 2 ms of a 220 Hz tone (mean 0.07) is no offset.
    const blip = await audioInProcess([p('blip.wav'), '-o', p('blip.jsonl'), '--summary', p('blip.summary.json')]);
    const bs = JSON.parse(readFileSync(p('blip.summary.json'), 'utf8'));
    expect(bs.dc_offset).toBeGreaterThan(0.02);
    expect(blip.stderr).not.toContain('DC offset');
    expect(bs.notes.join('\n')).not.toContain('DC offset');
    expect(audioSourceWarnings(src(-0.05), 'rec.wav')).toEqual([expect.stringMatching(/^DC offset: the mean sample value is -0\.0500 of full scale .*no quiet frame reads below -26\.0 dB/)]);
    const r = await runCli(['audio', p('dc.wav'), '-o', p('dc.jsonl'), '--summary', p('dc.summary.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`mmprep audio: ${p('dc.wav')}: warning: DC offset: the mean sample value is 0.2000 of full scale`);
    const s = JSON.parse(readFileSync(p('dc.summary.json'), 'utf8'));
    expect(s.dc_offset).toBeCloseTo(0.2, 3);
    expect(s.notes).toContainEqual(expect.stringMatching(/^DC offset: /));
    // ZCR and the voice measures move too (a 220 Hz tone at 1/8 of full scale over a 0.2 offset never crosses zero;
    // speech with a 0.2 offset: shimmer 0.070 against 0.110 in Praat and mmprep alike): the line said only rms and MFCCs.
    expect(s.functionals.zcr.mean).toBe(0);
    expect(r.stderr).toMatch(/DC offset: .*zcr counts only the swings that cross it .*with --voice the pulses, jitter, shimmer and formants move as Praat's do; F0 and the syllables do not/);
  });
});

/**
 * An 8-bit recording (a legacy recorder's or an old corpus's WAV): its quantisation noise fills the pauses, whose rms_db
 * and MFCCs then measure the format (speech as 8-bit: quiet frames' mfcc_0 about 31 higher than the 16-bit original's).
 * Before: exit 0 with nothing said, in the summary either.
 */
describe('an 8-bit recording', () => {
  it('is a warning and a note naming the codec; 16-bit and mu-law get none of it', async () => {
    const r = await runCli(['audio', p('u8.wav'), '-o', p('u8.jsonl'), '--summary', p('u8.summary.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`mmprep audio: ${p('u8.wav')}: warning: 8-bit samples (pcm_u8): their quantisation noise, about 53 dB below full scale, fills the quiet frames`);
    expect(JSON.parse(readFileSync(p('u8.summary.json'), 'utf8')).notes).toContainEqual(expect.stringMatching(/^8-bit samples \(pcm_u8\)/));
    const ref = await audioInProcess([p('s16.wav'), '-o', p('s16.jsonl')]);
    expect(ref.stderr).not.toContain('warning');
    expect(audioSourceWarnings({ sample_rate_hz: 16000, source: { stream_index: 0, codec: 'pcm_mulaw', sample_rate_hz: 16000, channels: 1, audio_streams: 1 } }, 'rec.wav')).toEqual([]);
    expect(audioSourceWarnings({ sample_rate_hz: 16000, source: { stream_index: 0, codec: 'pcm_s8', sample_rate_hz: 16000, channels: 1, audio_streams: 1 } }, 'rec.aiff')).toEqual([expect.stringMatching(/^8-bit samples \(pcm_s8\)/)]);
  });
});

describe('empty mel bands', () => {
  it('are a warning as librosa gives one (44.1 kHz, n_fft 512, 128 bands: 11 empty); the defaults have none', () => {
    const src = (params: object) => ({ sample_rate_hz: 16000, source: { stream_index: 0, codec: 'pcm_s16le', sample_rate_hz: 16000, channels: 1, audio_streams: 1 }, params: { ...resolveAudioOptions({}), ...params } });
    expect(audioSourceWarnings(src({ sampleRate: 44100, nMels: 128 }), 'rec.wav')).toEqual([expect.stringMatching(/^11 of the 128 mel bands hold no FFT bin \(--n-mels 128 with --n-fft 512 at 44100 Hz/)]);
    expect(audioSourceWarnings(src({ sampleRate: 44100, nMels: 128, nFft: 2048 }), 'rec.wav')).toEqual([]);
    expect(audioSourceWarnings(src({}), 'rec.wav')).toEqual([]);
    expect(audioSourceWarnings(src({ nMels: 128 }), 'rec.wav')).toEqual([]); // 16 kHz: every band has a bin
  });
});
