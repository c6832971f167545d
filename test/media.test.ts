import { chmodSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudioToArray, AudioDecoder } from '../src/media/decode-audio.js';
import { VideoDecoder } from '../src/media/decode-video.js';
import { probe } from '../src/media/probe.js';
import { ffmpegBinaries } from '../src/media/ffmpeg-path.js';
import { ffmpegSync, ffprobeJson } from './helpers/ffmpeg.js';
import { runCli, runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-media-');
const av = join(tmp.dir, 'av.mp4');
const stereo48 = join(tmp.dir, 'stereo 48k.wav');

beforeAll(() => {
  // 2 s of 30 fps video with a 1 kHz tone, rotation metadata 90 degrees.
  const raw = join(tmp.dir, 'raw.mp4');
  ffmpegSync(['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30', '-f', 'lavfi', '-i', 'sine=f=1000:sample_rate=48000', '-t', '2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', raw]);
  ffmpegSync(['-i', raw, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', av]);
  // Left channel +0.5 DC-free tone, right channel silent: the mono mix is their average.
  ffmpegSync(['-f', 'lavfi', '-i', 'sine=f=440:sample_rate=48000', '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=mono', '-filter_complex', '[0][1]amerge=inputs=2', '-t', '1', '-c:a', 'pcm_s16le', stereo48]);
});
afterAll(() => tmp.cleanup());

describe('probe', () => {
  it('reports container, streams, fps and rotation', async () => {
    const p = await probe(av);
    expect(p.container).toContain('mp4');
    expect(p.duration_s).toBeCloseTo(2, 1);
    const v = p.streams.find((s) => s.type === 'video')!;
    expect(v).toMatchObject({ codec: 'h264', width_px: 320, height_px: 240, fps_avg: 30, fps_real: 30, rotation_deg: 90 });
    const a = p.streams.find((s) => s.type === 'audio')!;
    expect(a).toMatchObject({ codec: 'aac', sample_rate_hz: 48000, channels: 1 });
  });

  it('CLI prints one JSON object per file and fails with exit 2 naming a bad file', async () => {
    const ok = await runCliInProcess(['probe', av]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout.trim()).streams).toHaveLength(2);
    // Units in the field names (house rule); the old unit-less names are gone.
    const out = JSON.parse(ok.stdout.trim());
    expect(out.bit_rate_bps).toBeGreaterThan(0);
    expect(Object.keys(out)).not.toContain('bit_rate');
    const [vs, as] = [out.streams.find((s: { type: string }) => s.type === 'video'), out.streams.find((s: { type: string }) => s.type === 'audio')];
    expect(vs).toMatchObject({ width_px: 320, height_px: 240, rotation_deg: 90 });
    expect(as).toMatchObject({ sample_rate_hz: 48000 });
    for (const old of ['sample_rate', 'width', 'height', 'rotation']) for (const st of out.streams) expect(Object.keys(st)).not.toContain(old);
    const txt = join(tmp.dir, 'notes.wav');
    writeFileSync(txt, 'this is text, not audio\n');
    const bad = await runCliInProcess(['probe', txt]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('notes.wav');
    const dir = join(tmp.dir, 'adir');
    mkdirSync(dir);
    const d = await runCliInProcess(['probe', dir]);
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/is a directory/);
  });

  it('a typo in a file name and a file cut short: one line each with what to do (exit 2)', async () => {
    const typo = await runCliInProcess(['probe', join(tmp.dir, 'av.mp')]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe(`mmprep: ${join(tmp.dir, 'av.mp')}: no such file: check the path\n`);
    const cut = join(tmp.dir, 'cut.mp4');
    writeFileSync(cut, readFileSync(av).subarray(0, 3000));
    const r = await runCliInProcess(['probe', cut]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mmprep: .*cut\.mp4: not a media file ffmpeg can read \(.+\): check that it is a complete audio or video file \(a copy cut short fails so\) and replace it\n$/);
    const noPicture = await runCli(['face', stereo48]);
    expect(noPicture.code).toBe(2);
    expect(noPicture.stderr).toBe(`mmprep: ${stereo48}: has no video stream: give a file with a picture (a camera recording)\n`);
    const noStream = await runCli(['audio', av, '--stream', '2']);
    expect(noStream.code).toBe(2);
    expect(noStream.stderr).toBe(`mmprep: ${av}: has 1 audio stream(s); --stream 2 does not exist: pass --stream 0\n`);
  });

  it('says so in one line when ffprobe itself crashes (the npm build does on MPEG-TS)', async () => {
    const crashing = join(tmp.dir, 'crashing-ffprobe');
    writeFileSync(crashing, '#!/bin/sh\nkill -SEGV $$\n');
    chmodSync(crashing, 0o755);
    const r = await runCli(['probe', av], { env: { MMPREP_FFPROBE: crashing } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('av.mp4');
    expect(r.stderr).toMatch(/ffprobe crashed \(SIGSEGV\).*set MMPREP_FFPROBE/);
  });
});

describe('audio decoding', () => {
  it('resamples to the requested rate and averages channels (librosa.to_mono)', async () => {
    const { samples, info } = await decodeAudioToArray(stereo48, { sampleRate: 16000 });
    expect(info.resampled).toBe(true);
    expect(info.downmixed).toBe(true);
    expect(samples.length).toBe(16000);
    // ffmpeg's sine source has amplitude 1/8; the average with a silent channel halves it.
    let peak = 0;
    for (let i = 1000; i < 15000; i++) peak = Math.max(peak, Math.abs(samples[i]));
    expect(peak).toBeGreaterThan(0.0625 * 0.97);
    expect(peak).toBeLessThan(0.0625 * 1.03);
  });

  it('averages 16-bit channels in floating point, not back into 16 bits (Praat\'s Convert to mono, librosa.to_mono)', async () => {
    // The file's own rate (no resampling): each sample is (L + R) / 2 of the WAV's int16 values, exactly. Averaged in
    // 16 bits, an odd L was rounded by half a step (1.5e-5): a stereo vowel's F3 median moved 1.4 % from Praat's.
    const { samples } = await decodeAudioToArray(stereo48, { sampleRate: 48000 });
    const wav = readFileSync(stereo48);
    const data = wav.indexOf('data', 12) + 8;
    let worst = 0;
    let odd = 0;
    for (let i = 0; i < samples.length; i++) {
      const l = wav.readInt16LE(data + 4 * i);
      const r = wav.readInt16LE(data + 4 * i + 2);
      if (l % 2 !== 0) odd++;
      worst = Math.max(worst, Math.abs(samples[i] - (l + r) / 2 / 32768));
    }
    expect(samples.length).toBe(48000);
    expect(odd).toBeGreaterThan(1000);
    expect(worst).toBeLessThan(1e-7);
  });

  it('float channels are averaged as before the integer fix: the same bytes as ffmpeg\'s pan alone', async () => {
    // The aformat step before pan converts integer samples only; a float stream (as AAC, Opus and MP3 decode) is passed
    // as it is, so its decode is byte-identical to the plain pan average mmprep used before 2026-12-05. Three channels:
    // weights of 1/3 round differently in double than in single precision, so a conversion to double would show.
    const f32 = join(tmp.dir, 'three-f32.wav');
    const plain = join(tmp.dir, 'three-f32-pan.f32');
    ffmpegSync(['-f', 'lavfi', '-i', 'sine=f=440:sample_rate=48000', '-f', 'lavfi', '-i', 'sine=f=660:sample_rate=48000', '-f', 'lavfi', '-i', 'anoisesrc=r=48000:a=0.1:seed=3', '-filter_complex', '[0][1][2]amerge=inputs=3', '-t', '0.5', '-c:a', 'pcm_f32le', f32]);
    const g = (1 / 3).toPrecision(17);
    ffmpegSync(['-i', f32, '-ac', '1', '-af', `pan=mono|c0=${g}*c0+${g}*c1+${g}*c2`, '-f', 'f32le', '-acodec', 'pcm_f32le', plain]);
    const { samples } = await decodeAudioToArray(f32, { sampleRate: 48000 });
    expect(samples.length).toBe(24000);
    expect(Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength).equals(readFileSync(plain))).toBe(true);
  });

  it('yields bounded chunks', async () => {
    const dec = await AudioDecoder.open(av, { chunkSamples: 1000 });
    let max = 0;
    let n = 0;
    for await (const c of dec) {
      max = Math.max(max, c.length);
      n += c.length;
    }
    expect(max).toBe(1000);
    expect(n).toBeGreaterThan(31000);
    expect(dec.samples).toBe(n);
  });
});

describe('video decoding', () => {
  it('applies rotation, gives ffprobe frame times, honours fps/start/end and maxSide', async () => {
    const dec = await VideoDecoder.open(av);
    expect([dec.geometry.width, dec.geometry.height]).toEqual([240, 320]);
    const times: number[] = [];
    for await (const f of dec) {
      expect(f.data.length).toBe(240 * 320 * 3);
      times.push(f.t_s);
    }
    const ref = (ffprobeJson(['-select_streams', 'v', '-show_entries', 'frame=pts_time', av]) as { frames: { pts_time: string }[] }).frames.map((f) => Number(f.pts_time));
    expect(times.length).toBe(ref.length);
    times.forEach((t, i) => expect(Math.abs(t - ref[i])).toBeLessThan(1e-6));

    const part = await VideoDecoder.open(av, { fps: 10, start: 0.5, end: 1.0, maxSide: 160 });
    const got: number[] = [];
    for await (const f of part) {
      expect([f.width, f.height]).toEqual([120, 160]);
      got.push(f.t_s);
    }
    expect(got).toEqual([0.5, 0.6, 0.7, 0.8, 0.9]);
  });
});

describe('ffmpeg processes', () => {
  it('an audio run starts ffmpeg only to decode: no capability queries (-formats, -encoders) before it', async () => {
    if (process.platform === 'win32') return;
    const log = join(tmp.dir, 'ffmpeg-calls.txt');
    const wrapper = join(tmp.dir, 'ffmpeg-logging.sh');
    writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> '${log}'\nexec '${ffmpegBinaries().ffmpeg.path}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    const calls = async (file: string) => {
      writeFileSync(log, '');
      const r = await runCli(['audio', file, '-o', join(tmp.dir, 'calls.jsonl')], { env: { MMPREP_FFMPEG: wrapper } });
      expect(r.code, r.stderr).toBe(0);
      return readFileSync(log, 'utf8').trim().split('\n');
    };
    // A mono source: the decode started beside ffprobe is the one used.
    const mono = await calls(av);
    expect(mono).toHaveLength(1);
    expect(mono[0]).toMatch(/-i .*av\.mp4/);
    // A stereo WAV: that decode is started with the downmix its header's channel count needs, and adopted (a mono
    // source's command was killed and the downmix started again before 2026-12-07); then both channels' first 120 s in
    // one run (-ac 2, interleaved; one run per channel before) for the one-speaker-per-channel check
    // (src/audio/channel-check.ts); nothing else.
    const stereo = await calls(stereo48);
    expect(stereo).toHaveLength(2);
    for (const c of stereo) expect(c).toMatch(/-i .*stereo 48k\.wav/);
    expect(stereo[0]).toMatch(/pan=mono\|c0=0\.5/);
    expect(stereo[1]).toMatch(/-ar 16000 -ac 2 -t 120 /);
    expect(stereo[1]).not.toMatch(/pan=/);
  });
});
