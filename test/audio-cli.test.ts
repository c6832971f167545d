/** `mmprep audio` end to end (built CLI): outputs, determinism, --sync, and every bad input of issue 2 item 6. */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { BIN, FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { ffmpegOutputs, ffmpegSync } from './helpers/ffmpeg.js';
import { extractAudio } from '../src/audio/extract.js';
import { resolveAudioOptions } from '../src/audio/options.js';

const tmp = tempDir('mmprep-audio-');
const D = tmp.dir;
const speech = join(FIXTURES, 'audio', 'wav', 'cards_005.flac');
const p = (name: string) => join(D, name);

beforeAll(() => {
  // The files made from the fixture or lavfi alone in one ffmpeg run (ffmpegOutputs: each the bytes of its own run;
  // ~0.15 CPU s a start of Debian's ffmpeg), then those made from them. clipped: speech amplified 20x (hard clipping at
  // full scale); two-streams: a 150 Hz and a 300 Hz harmonic tone.
  ffmpegOutputs([
    ['-i', speech, '-c:a', 'pcm_s16le', p('speech.wav')],
    ['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10', '-t', '1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', p('video-only.mp4')],
    ['-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-t', '2', '-c:a', 'pcm_s16le', p('silence.wav')],
    ['-i', speech, '-af', 'volume=20', '-c:a', 'pcm_s16le', p('clipped.wav')],
    ['-i', speech, '-ar', '8000', '-c:a', 'pcm_s16le', p('speech-8k.wav')],
    ['-i', speech, '-ar', '48000', '-ac', '2', '-c:a', 'pcm_s16le', p('speech-48k-stereo.wav')],
    ['-f', 'lavfi', '-i', 'sine=f=150:sample_rate=16000', '-f', 'lavfi', '-i', 'sine=f=300:sample_rate=16000', '-map', '0', '-map', '1', '-t', '1', '-c:a', 'aac', p('two-streams.m4a')],
  ]);
  // truncated WAV: the header still declares the full data chunk
  copyFileSync(p('speech.wav'), p('truncated.wav'));
  truncateSync(p('truncated.wav'), Math.floor(statSync(p('speech.wav')).size / 2));
  // video + AAC audio; a truncated copy without its moov atom, and a faststart copy cut short
  ffmpegSync(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10', '-i', p('speech.wav'), '-t', '3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', p('av.mp4')]);
  ffmpegSync(['-i', p('av.mp4'), '-c', 'copy', '-movflags', '+faststart', p('av-fast.mp4')]);
  copyFileSync(p('av.mp4'), p('truncated.mp4'));
  truncateSync(p('truncated.mp4'), Math.floor(statSync(p('av.mp4')).size * 0.8));
  copyFileSync(p('av-fast.mp4'), p('truncated-fast.mp4'));
  truncateSync(p('truncated-fast.mp4'), Math.floor(statSync(p('av-fast.mp4')).size * 0.8));
  writeFileSync(p('notes.wav'), 'this is a text file, not audio\n');
  writeFileSync(p('empty.wav'), '');
  mkdirSync(p('a-directory.wav'));
  copyFileSync(p('speech.wav'), p(`-odd name "quoted" it's.wav`));
});
afterAll(() => tmp.cleanup());

/** `mmprep audio` on the FLAC fixture to stdout: one run, read by the tests of the default output and of its rounding. */
let flacToStdout: ReturnType<typeof runCli> | undefined;
const stdoutRun = () => (flacToStdout ??= runCli(['audio', speech]));

/** Files in D whose name says they are temp or partial outputs. */
const leftovers = () => readdirSync(D).filter((f) => f.startsWith('out') || f.endsWith('.tmp'));

// The analysis results of a file (silence, clipping, resampling, a video's or another stream's audio) are read from
// extractAudio in this process (the function `mmprep audio` runs; a process start-up each fewer); the command's own
// contracts (stdout, CSV, --sync, a reader that stops early, odd names, --stream out of range, bad input) run it.
describe('mmprep audio: output', () => {
  it('writes one record per frame and a summary; byte-identical on a second run', async () => {
    const a = await runCli(['audio', p('speech.wav'), '-o', p('r1.jsonl'), '--summary', p('s1.json')]);
    expect(a.code, a.stderr).toBe(0);
    // The second run in this process (extractAudio, what the command runs): another process, same bytes.
    await extractAudio(p('speech.wav'), { out: p('r2.jsonl'), summaryPath: p('s2.json') });
    const r1 = readFileSync(p('r1.jsonl'));
    expect(r1.equals(readFileSync(p('r2.jsonl')))).toBe(true);
    expect(readFileSync(p('s1.json')).equals(readFileSync(p('s2.json')))).toBe(true);
    const lines = r1.toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
    const s = JSON.parse(readFileSync(p('s1.json'), 'utf8'));
    expect(lines).toHaveLength(1 + Math.floor(s.n_samples / 160));
    expect(Object.keys(lines[0])).toEqual(['t_s', 'mfcc', 'delta', 'delta2', 'f0_hz', 'voiced', 'voiced_prob', 'rms', 'rms_db', 'zcr']);
    expect(lines[0].mfcc).toHaveLength(13);
    expect(lines[5].t_s).toBeCloseTo(0.05, 12);
    expect(lines.some((l) => l.voiced && l.f0_hz > 60)).toBe(true);
    expect(s.n_syllables).toBeGreaterThan(5);
    expect(s.speaking_rate_syl_s).toBeCloseTo(s.n_syllables / s.duration_s, 10);
    expect(s.functionals.mfcc_0).toMatchObject({ n: lines.length });
    for (const k of ['mean', 'sd', 'p5', 'p50', 'p95', 'slope_per_s']) expect(typeof s.functionals.rms[k]).toBe('number');
    expect(s.resampled).toBe(false);
  });

  it('the rounded JSONL keeps the librosa tolerances (7 significant digits)', async () => {
    const r = await stdoutRun();
    expect(r.code, r.stderr).toBe(0);
    const recs = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const L = JSON.parse(gunzipSync(readFileSync(join(FIXTURES, 'audio', 'expected', 'librosa', 'cards_005.json.gz'))).toString('utf8'));
    expect(recs).toHaveLength(L.n_frames);
    let worst = 0;
    let worstRms = 0;
    recs.forEach((x, i) => {
      for (let k = 0; k < 13; k++) worst = Math.max(worst, Math.abs(x.mfcc[k] - L.mfcc[i][k]), Math.abs(x.delta[k] - L.delta[i][k]), Math.abs(x.delta2[k] - L.delta2[i][k]));
      worstRms = Math.max(worstRms, Math.abs(x.rms - L.rms[i]) / L.rms[i] - 5e-6);
      expect(Math.round(x.zcr * 512)).toBe(Math.round(L.zcr[i] * 512));
    });
    expect(worst).toBeLessThan(0.01);
    expect(worstRms).toBeLessThan(1e-5);
  });

  it('stdout by default; CSV with flattened columns; --sync puts t_s on the reference clock', async () => {
    // The FLAC the WAV was made from (the same samples): its records on stdout are those written with -o.
    const out = await stdoutRun();
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(readFileSync(p('r1.jsonl'), 'utf8'));
    const csv = await runCli(['audio', p('speech.wav'), '--format', 'csv']);
    const header = csv.stdout.split('\n')[0].split(',');
    expect(header.slice(0, 3)).toEqual(['t_s', 'mfcc_0', 'mfcc_1']);
    expect(header).toContain('delta2_12');
    expect(header.slice(-6)).toEqual(['f0_hz', 'voiced', 'voiced_prob', 'rms', 'rms_db', 'zcr']);
    writeFileSync(
      p('sync.json'),
      JSON.stringify({ version: 1, reference: { file: 'speech.wav', kind: 'audio', stream: 0 }, streams: [{ file: 'speech.wav', kind: 'audio', stream: 0, offset_s: 1.5, drift_ppm: 0, method: 'test', confidence: 1 }] }),
    );
    const synced = await runCli(['audio', p('speech.wav'), '--sync', p('sync.json'), '--summary', p('s-sync.json')]);
    expect(synced.code, synced.stderr).toBe(0);
    const recs = synced.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(recs[10].t_src_s).toBeCloseTo(0.1, 12);
    expect(recs[10].t_s).toBeCloseTo(1.6, 12);
    expect(JSON.parse(readFileSync(p('s-sync.json'), 'utf8')).t_start_s).toBe(1.5);
  });

  it('a reader that stops early (| head) ends the output quietly: exit 0, no EPIPE trace', () => {
    for (const fmt of ['jsonl', 'csv']) {
      const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" audio "${p('speech.wav')}" --format ${fmt} | head -c 100 >/dev/null; echo "\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
      expect(r.stdout.trim(), r.stderr).toBe('0');
      expect(r.stderr).not.toMatch(/EPIPE|Error/);
    }
  });

  it('silence only: valid output, every frame unvoiced, speaking rate 0', async () => {
    await extractAudio(p('silence.wav'), { out: p('sil.jsonl'), summaryPath: p('sil.json') });
    const recs = readFileSync(p('sil.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(recs).toHaveLength(201);
    expect(recs.every((x) => x.voiced === false && x.f0_hz === null)).toBe(true);
    const s = JSON.parse(readFileSync(p('sil.json'), 'utf8'));
    expect(s).toMatchObject({ voiced_ratio: 0, n_syllables: 0, speaking_rate_syl_s: 0, f0_mean_hz: null, f0_reason: 'no voiced frame' });
    // said, not silent (a trial's camera whose first stream was a silent input: exit 0, nothing said of it)
    expect(s.notes).toContain("audio stream 0 is digital silence throughout (every sample 0): its features are those of silence (every frame unvoiced, rms 0), not of a recording; check the recorder's input (a muted or unplugged microphone) and that this is the recording meant");
  });

  it('a clipped file is analysed and flagged in the summary', async () => {
    await extractAudio(p('clipped.wav'), { out: p('clip.jsonl'), summaryPath: p('clip.json') });
    const s = JSON.parse(readFileSync(p('clip.json'), 'utf8'));
    expect(s.clipped_ratio).toBeGreaterThan(0.01);
    expect(s.notes.join(' ')).toMatch(/clipped/);
  });

  it('8 kHz and 48 kHz stereo input are resampled (and downmixed), and the summary says so', async () => {
    await extractAudio(p('speech-8k.wav'), { out: p('r8.jsonl'), summaryPath: p('s8.json') });
    const s8 = JSON.parse(readFileSync(p('s8.json'), 'utf8'));
    expect(s8).toMatchObject({ resampled: true, downmixed: false, sample_rate_hz: 16000, source: { sample_rate_hz: 8000, channels: 1 } });
    expect(s8.notes.join(' ')).toMatch(/resampled from 8000 Hz to 16000 Hz/);
    await extractAudio(p('speech-48k-stereo.wav'), { out: p('r48.jsonl'), summaryPath: p('s48.json') });
    const s48 = JSON.parse(readFileSync(p('s48.json'), 'utf8'));
    expect(s48).toMatchObject({ resampled: true, downmixed: true, source: { sample_rate_hz: 48000, channels: 2 } });
    expect(s48.notes.join(' ')).toMatch(/downmixed 2 channels/);
    // Same speech at another rate: about the same duration and F0.
    const s16 = JSON.parse(readFileSync(p('s1.json'), 'utf8'));
    expect(Math.abs(s48.duration_s - s16.duration_s)).toBeLessThan(0.01);
    expect(Math.abs(s48.functionals.f0_hz.p50 - s16.functionals.f0_hz.p50)).toBeLessThan(5);
  });

  it('reads the audio of a video file, and --stream picks the audio stream', async () => {
    await extractAudio(p('av.mp4'), { out: p('av.jsonl'), summaryPath: p('av.json') });
    expect(JSON.parse(readFileSync(p('av.json'), 'utf8')).duration_s).toBeGreaterThan(2.9);
    for (const [stream, hz] of [[0, 150], [1, 300]] as const) {
      await extractAudio(p('two-streams.m4a'), { stream, out: null, summaryPath: p(`st${stream}.json`) });
      const s = JSON.parse(readFileSync(p(`st${stream}.json`), 'utf8'));
      expect(s.source.stream_index).toBe(stream);
      expect(Math.abs(s.functionals.f0_hz.p50 / hz - 1)).toBeLessThan(0.01);
    }
    const bad = await runCli(['audio', p('two-streams.m4a'), '--stream', '2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--stream 2 does not exist/);
  });

  it('a name beginning with "-" and holding spaces and quotes works (after --)', async () => {
    const name = `-odd name "quoted" it's.wav`;
    const r = await runCli(['audio', '--summary', p('odd.json'), '--', p(name)]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(p('odd.json'), 'utf8')).file).toBe(p(name));
    const rel = await runCli(['audio', '-o', p('odd.jsonl'), '--', name], { cwd: D });
    expect(rel.code, rel.stderr).toBe(0);
    const missing = await runCli(['audio', '--', `-no such "file" it's.wav`], { cwd: D });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`-no such "file" it's.wav`);
  });
});

describe('pitch worker thread', () => {
  it('gives the same features as the in-process analysis (built library in dist/)', async () => {
    const lib = (await import(join(FIXTURES, '..', 'dist', 'audio', 'features.js'))) as typeof import('../src/audio/features.js');
    const a = await lib.computeAudioFeatures(p('speech.wav'), {}, { threads: true });
    const b = await lib.computeAudioFeatures(p('speech.wav'), {}, { threads: false });
    expect(Array.from(a.f0)).toEqual(Array.from(b.f0));
    expect(Array.from(a.voicedProb)).toEqual(Array.from(b.voicedProb));
    expect(a.nuclei).toEqual(b.nuclei);
    expect(a.f0.some((v) => v > 0)).toBe(true);
  });
});

describe('mmprep audio: bad input (one line naming the file, exit 2, nothing partial left)', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['missing file', 'does-not-exist.wav', /no such file/],
    ['a directory', 'a-directory.wav', /is a directory/],
    ['a text file renamed .wav', 'notes.wav', /not a media file|cannot decode/],
    ['a video with no audio stream', 'video-only.mp4', /has no audio stream/],
    ['a zero-length file', 'empty.wav', /empty file \(0 bytes\): a copy or recording that did not finish\? replace it with the full file/],
    ['a truncated WAV', 'truncated.wav', /truncated: the WAV header declares \d+ bytes of audio data but the file holds \d+ \(a copy or upload that did not finish\? replace it with the full file\)$/],
    ['a truncated MP4 (moov atom lost)', 'truncated.mp4', /truncated|moov/],
    ['a truncated MP4 (faststart, data cut short)', 'truncated-fast.mp4', /truncated: decoded [\d.]+ s of audio but the header declares [\d.]+ s \(a copy or upload that did not finish\? replace it with the full file, or keep the part that decodes: ffmpeg -i \/\S+\/truncated-fast\.mp4 -c copy \/\S+\/truncated-fast-remuxed\.mp4, and use that file\)$/],
  ];
  it.each(cases)('%s', async (_what, name, message) => {
    const r = await runCli(['audio', p(name), '-o', p('out.jsonl'), '--summary', p('out.summary.json')]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(p(name));
    expect(lines[0]).toMatch(message);
    expect(r.stdout).toBe('');
    expect(existsSync(p('out.jsonl'))).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('bad parameters are exit 2 with one line', async () => {
    const r = await runCli(['audio', p('speech.wav'), '--n-fft', '500']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('mmprep: bad parameters: --n-fft: n_fft must be a power of two >= 16, got 500\n');
    // The line names the flags to change (a new user's trial: "need 0 < f0 floor < f0 ceiling" named none).
    const f0 = await runCli(['audio', p('speech.wav'), '--f0-floor', '700']);
    expect(f0.code).toBe(2);
    expect(f0.stderr).toBe('mmprep: bad parameters: --f0-floor/--f0-ceiling (defaults 65 and 600 Hz): need 0 < f0 floor < f0 ceiling, got 700 and 600\n');
    // A percentage typed for Praat's fraction: every frame unvoiced, exit 0, before.
    const v = await runCli(['audio', p('speech.wav'), '--f0-voicing-threshold', '45']);
    expect(v.code).toBe(2);
    expect(v.stderr).toBe("mmprep: bad parameters: --f0-voicing-threshold: f0 voicing threshold is a fraction, 0..1 (Praat's standard 0.45), got 45: a normalised autocorrelation never exceeds 1, so every frame would be unvoiced\n");
    expect(() => resolveAudioOptions({ f0SilenceThreshold: 3 })).toThrow(/^f0 silence threshold is a fraction of the global peak, 0\.\.1 .*got 3/);
    expect(resolveAudioOptions({ f0SilenceThreshold: 1, f0VoicingThreshold: 0 }).f0VoicingThreshold).toBe(0);
    const c = await runCli(['audio', p('speech.wav'), '--format', 'xml']);
    expect(c.code).toBe(2);
  });
});

describe('mmprep audio of a camera file whose sound starts later on its timeline (ttrial55)', () => {
  // Without --sync t_s counts from the sound's first sample, mmprep face's from the file's timeline: an MPEG-TS camcorder
  // file (both streams at 1.378 s) gave audio and face records 1.378 s apart with no word. Probe readings only.
  const stream = (type: 'audio' | 'video', start: number) => ({ index: type === 'video' ? 0 : 1, type, codec: type === 'video' ? 'h264' : 'aac', sample_rate_hz: null, channels: null, width_px: null, height_px: null, fps_avg: null, fps_real: null, start_time_s: start, duration_s: 1, rotation_deg: 0, sample_aspect_ratio: null, n_frames: null });
  const probe = (streams: ReturnType<typeof stream>[]) => ({ file: 'cam.mts', container: 'mpegts', duration_s: 1, start_time_s: 1.378, size_bytes: 1, bit_rate_bps: 1, streams });
  it('notes the first sample\'s time when the file has a picture; not at 0, not for a sound-only file', async () => {
    const { lateSoundNote } = await import('../src/cli/audio.js');
    expect(await lateSoundNote(probe([stream('video', 1.4), stream('audio', 1.378)]), 0)).toMatch(/^t_s counts from the sound's first sample, which is at 1\.378 s on the file's timeline, .* add 1\.378 s to these t_s to pair them with its face records/);
    expect(await lateSoundNote(probe([stream('video', 0), stream('audio', 0)]), 0)).toBeNull();
    expect(await lateSoundNote(probe([stream('audio', 0.069)]), 0)).toBeNull(); // an MP3's encoder delay: no face to pair
  });
});
