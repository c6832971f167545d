/**
 * A stereo recorder with one speaker's lavalier per channel was averaged to mono (librosa.to_mono) with only a note
 * in the summary: two people's speech in one feature track, exit 0. Now `mmprep audio` and `extract` warn when the
 * two channels are different signals (their level difference swings by tens of dB as each speaks) or one is
 * silent (the average halves the level), and `mmprep audio --channel N` analyses one channel alone, byte for byte as
 * that channel split out with ffmpeg. Controls: one speaker heard by two microphones (delayed, quieter, different room
 * echoes) and dual mono get no warning.
 */
import { execSync } from 'node:child_process';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_S, channelWarning } from '../src/audio/channel-check.js';
import { digitalSilenceWarning } from '../src/audio/silent-stream.js';
import { decodeAudioToArray } from '../src/media/decode-audio.js';
import { ffmpegBinaries } from '../src/media/ffmpeg-path.js';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';
import { audioInProcess } from './helpers/audio-lib.js';

const tmp = tempDir('mmprep-stereo-spk-');
const p = (n: string) => join(tmp.dir, n);
const A = join(FIXTURES, 'demo', 's01_lav.flac');
const B = join(FIXTURES, 'demo', 's03_lav.flac');
beforeAll(() => {
  // Two people, each on their own lav, each lav hearing the other 20 dB down and 3 ms late.
  // (join + pan, not amix: the npm 2018 ffmpeg's amix has no normalize option.)
  const two = '[0]asplit[a1][a2];[1]asplit[b1][b2];[a2]adelay=3[ad];[b2]adelay=3[bd];[a1][b1][ad][bd]join=inputs=4:channel_layout=4.0,pan=stereo|c0=c0+0.1*c3|c1=c1+0.1*c2';
  ffmpegSync(['-i', A, '-i', B, '-filter_complex', two, '-c:a', 'pcm_s16le', p('two.wav')]);
  // One person, two microphones: different echoes, 2 ms and 2 dB apart.
  const room = '[0]asplit[a1][a2];[a1]aecho=0.8:0.7:23|41:0.4|0.3[l];[a2]adelay=2,aecho=0.8:0.7:31|57:0.35|0.3,volume=0.8[r];[l][r]join=inputs=2:channel_layout=stereo';
  ffmpegSync(['-i', A, '-filter_complex', room, '-c:a', 'pcm_s16le', p('room.wav')]);
  ffmpegSync(['-i', A, '-ac', '2', '-c:a', 'pcm_s16le', p('dual.wav')]);
  ffmpegSync(['-i', A, '-af', 'pan=stereo|c0=c0|c1=0*c0', '-c:a', 'pcm_s16le', p('left-only.wav')]);
  ffmpegSync(['-i', p('two.wav'), '-af', 'pan=mono|c0=c1', '-c:a', 'pcm_s16le', p('right.wav')]);
});
afterAll(() => tmp.cleanup());

/**
 * `mmprep audio` of the two speakers' file under a name with a quote and a space (a copy of two.wav): one run for the
 * first two tests, the warning and its summary, and how the warning's ffmpeg split names the file (each ran the
 * command on the same bytes until 2026-12-05, ~1.5 CPU s a run).
 */
const TAKE = "Sam's take 1.wav";
let takeRun: ReturnType<typeof runCli> | undefined;
const take = () =>
  (takeRun ??= (async () => {
    copyFileSync(p('two.wav'), p(TAKE));
    return runCli(['audio', p(TAKE), '-o', p('take.jsonl'), '--summary', p('take.json')]);
  })());

describe('a stereo file with one speaker per channel', () => {
  it('mmprep audio warns, and the summary has the check; one speaker on two microphones and dual mono do not', async () => {
    const two = await take();
    expect(two.code, two.stderr).toBe(0);
    expect(two.stderr).toMatch(/Sam's take 1\.wav: warning: its 2 channels are different signals \(the level of channel 0 against channel 1 swings from -\d+\.\d+ to \d+\.\d+ dB over the first [\d.]+ s; .*mmprep audio --channel 0 \(or 1\)/);
    const check = JSON.parse(readFileSync(p('take.json'), 'utf8')).source.channel_check;
    expect(check.level_difference_db[2] - check.level_difference_db[0]).toBeGreaterThan(30);
    // The warning is in the summary's notes too (a voice scientist's trial found it on stderr only).
    expect(JSON.parse(readFileSync(p('take.json'), 'utf8')).notes).toContain(two.stderr.match(/warning: (its 2 channels are different signals.*)$/m)![1]);
    // The harder control (room) through the command, dual mono in this process (helpers/audio-lib.ts: extractAudio and
    // the lines the command would print).
    for (const f of ['room', 'dual']) {
      const args = [p(`${f}.wav`), '-o', p(`${f}.jsonl`), '--summary', p(`${f}.json`)];
      const r = f === 'room' ? await runCli(['audio', ...args]) : { code: 0, ...(await audioInProcess(args)) };
      expect(r.code).toBe(0);
      expect(r.stderr).not.toContain('warning');
      const c = JSON.parse(readFileSync(p(`${f}.json`), 'utf8')).source.channel_check;
      expect(c.level_difference_db[2] - c.level_difference_db[0]).toBeLessThan(4);
    }
    const left = await audioInProcess([p('left-only.wav'), '-o', p('left.jsonl')]);
    expect(left.stderr).toContain('warning: channel 1 of 2 is silent (-200 dBFS against');
    // extract has no --channel: the line also gives the ffmpeg copy of the live channel for the manifest
    expect(left.stderr).toContain(`analyse channel 0 alone with mmprep audio --channel 0; for extract, keep that channel (ffmpeg -i ${p('left-only.wav')} -af "pan=mono|c0=c0" ${p('left-only-left.wav')}) and name that file in the manifest`);
  });

  it('--channel N of a silent channel says that channel is digital silence, not the stream (was "audio stream 0 is digital silence")', () => {
    const summary = (channel?: number) => ({ functionals: { rms: { n: 100, mean: 0 } }, source: { audio_streams: 1, channels: 2, ...(channel === undefined ? {} : { channel }) } });
    expect(digitalSilenceWarning(summary(1), 'rec.wav')).toBe("channel 1 of audio stream 0's 2 channels is digital silence throughout (every sample 0): its features are those of silence (every frame unvoiced, rms 0), not of a recording; analyse another channel (mmprep audio --channel 0)");
    expect(digitalSilenceWarning(summary(), 'rec.wav')).toMatch(/^the average of audio stream 0's 2 channels is digital silence/);
  });

  it("the warning's ffmpeg split names the file as given, quoted for the shell, and runs as pasted (was a literal FILE)", async () => {
    const r = await take();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/\bFILE\b/);
    const q = (f: string) => `'${p(f).replace(/'/g, `'\\''`)}'`;
    const cmd = `ffmpeg -i ${q("Sam's take 1.wav")} -af "pan=mono|c0=c0" ${q("Sam's take 1-left.wav")}`;
    expect(r.stderr).toContain(`split them (${cmd}, c1 and -right for the right)`);
    execSync(`${ffmpegBinaries().ffmpeg.path} -v error -nostdin${cmd.slice('ffmpeg'.length)}`, { stdio: 'pipe' });
    expect(statSync(p("Sam's take 1-left.wav")).size).toBeGreaterThan(100_000);
  });

  it('--channel 1 analyses the right channel alone: the same bytes as that channel split out; a channel that does not exist is exit 2', async () => {
    const c1 = await runCli(['audio', p('two.wav'), '--channel', '1', '-o', p('c1.jsonl'), '--summary', p('c1.json')]);
    expect(c1.code, c1.stderr).toBe(0);
    expect(c1.stderr).toBe('');
    await audioInProcess([p('right.wav'), '-o', p('right.jsonl')]); // in this process: the command's bytes, another run
    expect(readFileSync(p('c1.jsonl')).equals(readFileSync(p('right.jsonl')))).toBe(true);
    const s = JSON.parse(readFileSync(p('c1.json'), 'utf8'));
    expect(s.source).toMatchObject({ channels: 2, channel: 1 });
    expect(s.downmixed).toBe(false);
    expect(s.notes).toContain('analysed channel 1 of 2 alone (--channel 1)');
    const bad = await runCli(['audio', p('two.wav'), '--channel', '2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`mmprep: ${p('two.wav')}: has 2 channel(s) in its audio stream; --channel 2 does not exist: pass --channel 0..1\n`);
  });

  it('channels that cancel when averaged (one polarity inverted) are a warning with the level left; was exit 0 with digital silence and nothing said', async () => {
    ffmpegSync(['-i', A, '-af', 'pan=stereo|c0=c0|c1=-1*c0', '-c:a', 'pcm_s16le', p('inverted.wav')]);
    ffmpegSync(['-i', A, '-af', 'pan=stereo|c0=c0|c1=-0.9*c0', '-c:a', 'pcm_s16le', p('inverted09.wav')]);
    const inv = await runCli(['audio', p('inverted.wav'), '-o', p('inv.jsonl'), '--summary', p('inv.json')]);
    expect(inv.code, inv.stderr).toBe(0);
    expect(inv.stderr).toMatch(/inverted\.wav: warning: its 2 channels cancel when averaged \(one channel's polarity is inverted, correlation -1\.00, over the first [\d.]+ s\): the average analysed is (digital silence|\d+\.\d dB below the louder channel .*), so rms_db.*mmprep audio --channel 0 \(or 1\)/);
    const s = JSON.parse(readFileSync(p('inv.json'), 'utf8'));
    expect(s.n_voiced_frames).toBe(0); // what the warning is about: the average holds no speech
    expect(s.source.channel_check.mix_level_dbfs).toBeLessThan(s.source.channel_check.level_dbfs[0] - 60);
    const part = await audioInProcess([p('inverted09.wav'), '-o', p('inv09.jsonl')]);
    expect(part.stderr).toMatch(/inverted09\.wav: warning: its 2 channels cancel when averaged .* is 2[56]\.\d dB below the louder channel/);
  });

  it('extract says it too, counted in warnings', async () => {
    writeFileSync(p('m.csv'), 'session_id,speaker_id,lav_audio\nt1,spk,two.wav\n');
    const x = await runCli(['extract', p('m.csv'), '-o', p('x'), '--only', 'audio', '--progress', 'none']);
    expect(x.code, x.stderr).toBe(0);
    expect(x.stderr).toMatch(/session t1 \(line 2\): warning: audio: two\.wav: its 2 channels are different signals/);
    expect(JSON.parse(x.stdout.trim().split('\n').pop()!).warnings).toBe(1);
  });

  it("the check's one decode of both channels (-ac 2, interleaved) gives each channel's own decode (pan), for PCM and AAC at 48 kHz", async () => {
    // Two starts before 2026-12-07 (one per channel), one now: the same samples, byte for byte, with either ffmpeg
    // (also FLAC, MP3, Opus and 24-bit WAV, checked once by hand: docs/benchmarks-history.md).
    ffmpegSync(['-i', p('two.wav'), '-t', '4', '-ar', '48000', '-c:a', 'aac', p('two.m4a')]);
    for (const f of ['two.wav', 'two.m4a']) {
      const opts = { sampleRate: 16000, duration: CHECK_S };
      const [both, c0, c1] = await Promise.all([decodeAudioToArray(p(f), { ...opts, pair: true }), decodeAudioToArray(p(f), { ...opts, channel: 0 }), decodeAudioToArray(p(f), { ...opts, channel: 1 })]);
      expect(both.samples.length, f).toBe(2 * c0.samples.length);
      const split = [0, 1].map((ch) => Float32Array.from({ length: c0.samples.length }, (_, i) => both.samples[2 * i + ch]));
      expect(Buffer.from(split[0].buffer).equals(Buffer.from(c0.samples.buffer)), `${f} channel 0`).toBe(true);
      expect(Buffer.from(split[1].buffer).equals(Buffer.from(c1.samples.buffer)), `${f} channel 1`).toBe(true);
    }
  });

  it('the thresholds: a spread over 12 dB, a channel over 30 dB below the other', () => {
    const c = (d: [number, number, number] | null, l: [number, number] = [-20, -21]) => ({ seconds: 120, correlation: 0.1, level_dbfs: l, level_difference_db: d });
    expect(channelWarning(c([-3, 1, 8.9]), 'rec.wav')).toBeNull();
    expect(channelWarning(c([-3, 1, 9.1]), 'rec.wav')).toMatch(/^its 2 channels are different signals/);
    expect(channelWarning(c(null), 'rec.wav')).toBeNull();
    expect(channelWarning(c([0, 0, 0], [-20, -51]), 'rec.wav')).toMatch(/^channel 1 of 2 is silent \(-51 dBFS against -20 dBFS/);
    // The average over 10 dB below the louder channel: they cancel (one silent channel costs 6 dB, no cancelling).
    expect(channelWarning({ ...c([0, 0, 0], [-20, -20]), mix_level_dbfs: -29.9 }, 'rec.wav')).toBeNull();
    expect(channelWarning({ ...c([0, 0, 0], [-20, -20]), correlation: -0.95, mix_level_dbfs: -30.1 }, 'rec.wav')).toMatch(/^its 2 channels cancel when averaged \(one channel's polarity is inverted, correlation -0\.95, .* 10\.1 dB below the louder channel \(-30\.1 dBFS against -20 dBFS\)/);
    expect(channelWarning({ ...c([0, 0, 0], [-20, -20]), mix_level_dbfs: -200 }, 'rec.wav')).toMatch(/the average analysed is digital silence/);
  });
});
