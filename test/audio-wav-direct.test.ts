/**
 * A mono PCM WAV at the analysis rate is read without ffprobe and ffmpeg (src/media/wav-direct.ts): its probe result
 * is ffprobe's, its samples and chunks are ffmpeg's decode's, and `mmprep audio` writes the same bytes as through
 * ffmpeg; every other WAV (stereo, another rate or sample format, an extensible or cut header, S/PDIF in PCM) is left
 * to ffprobe and ffmpeg.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';
import { AudioDecoder, type AudioDecodeOptions } from '../src/media/decode-audio.js';
import { probe, type ProbeResult } from '../src/media/probe.js';
import { directWavProbe, printfF6, readWavSamples, wavLayoutOf } from '../src/media/wav-direct.js';
import { probeWithPacketTimes } from '../src/media/probe-packets.js';
import { readPacketTimes } from '../src/media/packet-times.js';
import { extractAudio } from '../src/audio/extract.js';

const tmp = tempDir('mmprep-wav-direct-');
const p = (name: string) => join(tmp.dir, name);
const speech = join(FIXTURES, 'audio', 'wav', 'cards_005.flac');

const chunk = (id: string, body: Buffer) => Buffer.concat([Buffer.from(id, 'latin1'), u32(body.length), body, body.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
};

/** A WAV of these chunks after 'RIFF' size 'WAVE'. */
function wav(chunks: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), ...chunks]);
  return Buffer.concat([Buffer.from('RIFF', 'latin1'), u32(body.length), body]);
}

function fmt(tag: number, channels: number, rate: number, bits: number, extra = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(16);
  const align = (channels * bits) / 8;
  b.writeUInt16LE(tag, 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(rate, 4);
  b.writeUInt32LE(rate * align, 8);
  b.writeUInt16LE(align, 12);
  b.writeUInt16LE(bits, 14);
  return chunk('fmt ', Buffer.concat([b, extra]));
}

let s16: Buffer; // 16-bit speech, 70001 samples (not a whole number of 16384-sample chunks), full-scale extremes at its start
let f32: Buffer;

beforeAll(() => {
  ffmpegSync(['-i', speech, '-t', '4.375', '-ar', '16000', '-ac', '1', '-f', 's16le', p('speech.raw')]);
  s16 = readFileSync(p('speech.raw')).subarray(0, 70001 * 2);
  s16.writeInt16LE(-32768, 0);
  s16.writeInt16LE(32767, 2);
  const fl = new Float32Array(s16.length / 2);
  for (let i = 0; i < fl.length; i++) fl[i] = (s16.readInt16LE(2 * i) / 30000) * (i % 7 === 0 ? 1.3 : 1); // some beyond full scale
  fl[5] = -0;
  f32 = Buffer.from(fl.buffer);
  // Odd-length LIST chunk (pad byte) before the data, another chunk after it: both skipped, as ffmpeg does.
  const list = chunk('LIST', Buffer.from('INFOISFT\x05\x00\x00\x00test\x00', 'latin1'));
  writeFileSync(p('s16.wav'), wav([fmt(1, 1, 16000, 16), list, chunk('data', s16), chunk('id3 ', Buffer.alloc(10))]));
  writeFileSync(p('f32.wav'), wav([fmt(3, 1, 16000, 32, Buffer.alloc(2)), chunk('data', f32)]));
  ffmpegSync(['-i', speech, '-t', '3', '-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le', p('ffmpeg-made.wav')]);
  // Not read directly:
  const stereo = Buffer.alloc(s16.length * 2);
  for (let i = 0; i < s16.length / 2; i++) stereo.writeInt16LE(s16.readInt16LE(2 * i), 4 * i);
  writeFileSync(p('stereo.wav'), wav([fmt(1, 2, 16000, 16), chunk('data', stereo)]));
  writeFileSync(p('44k.wav'), wav([fmt(1, 1, 44100, 16), chunk('data', s16)]));
  writeFileSync(p('s24.wav'), wav([fmt(1, 1, 16000, 24), chunk('data', s16.subarray(0, 3000))]));
  const ext = Buffer.alloc(24); // WAVE_FORMAT_EXTENSIBLE: cbSize 22, valid bits, mask, PCM GUID
  ext.writeUInt16LE(22, 0);
  ext.writeUInt16LE(16, 2);
  ext.writeUInt32LE(4, 4);
  Buffer.from('0100000000001000800000aa00389b71', 'hex').copy(ext, 8);
  writeFileSync(p('extensible.wav'), wav([fmt(0xfffe, 1, 16000, 16, ext), chunk('data', s16)]));
  const cut = wav([fmt(1, 1, 16000, 16), chunk('data', s16)]);
  writeFileSync(p('cut.wav'), cut.subarray(0, cut.length - 1000));
  const streamed = wav([fmt(1, 1, 16000, 16), chunk('data', s16)]);
  streamed.writeUInt32LE(0xffffffff, 12 + 24 + 4);
  writeFileSync(p('streamed.wav'), streamed);
  writeFileSync(p('odd-data.wav'), wav([fmt(1, 1, 16000, 16), chunk('data', s16.subarray(0, 3001))]));
  // Last packets whose length ffprobe prints as an exact tie (125 samples: 0.0078125 s; 375: 0.0234375 s).
  writeFileSync(p('tie.wav'), wav([fmt(1, 1, 16000, 16), chunk('data', s16.subarray(0, 2 * (3 * 2048 + 125)))]));
  writeFileSync(p('one125.wav'), wav([fmt(1, 1, 16000, 16), chunk('data', s16.subarray(0, 250))]));
  writeFileSync(p('tie-f32.wav'), wav([fmt(3, 1, 16000, 32), chunk('data', f32.subarray(0, 4 * (5 * 1024 + 375)))]));
  const spdif = Buffer.from(s16);
  Buffer.from([0x72, 0xf8, 0x1f, 0x4e]).copy(spdif, 4000);
  writeFileSync(p('spdif.wav'), wav([fmt(1, 1, 16000, 16), chunk('data', spdif)]));
  // Float samples that are not numbers (a program's division by zero): refused, read directly or through ffmpeg.
  const bad = new Float32Array(f32.buffer.slice(f32.byteOffset, f32.byteOffset + f32.byteLength));
  bad[40000] = NaN;
  writeFileSync(p('nan.wav'), wav([fmt(3, 1, 16000, 32), chunk('data', Buffer.from(bad.buffer))]));
  bad[40000] = Infinity;
  writeFileSync(p('inf-22k.wav'), wav([fmt(3, 1, 22050, 32), chunk('data', Buffer.from(bad.buffer))]));
  writeFileSync(p('rifx.wav'), Buffer.concat([Buffer.from('RIFX', 'latin1'), readFileSync(p('s16.wav')).subarray(4)]));
});
afterAll(() => tmp.cleanup());

/** The decoder's chunks (copies) for this probe result. */
async function chunksOf(file: string, probed: ProbeResult, more: AudioDecodeOptions = {}): Promise<Float32Array[]> {
  const dec = await AudioDecoder.open(file, { sampleRate: 16000, probed, detectTruncation: true, ...more });
  const out: Float32Array[] = [];
  for await (const c of dec) out.push(c.slice());
  return out;
}

const bytes = (cs: Float32Array[]) => Buffer.concat(cs.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));

describe('direct WAV read', () => {
  for (const name of ['s16.wav', 'f32.wav', 'ffmpeg-made.wav']) {
    it(`${name}: ffprobe's probe result, ffmpeg's samples in ffmpeg's chunks`, async () => {
      const direct = directWavProbe(p(name), { sampleRate: 16000 });
      expect(direct).not.toBeNull();
      const viaFfprobe = await probe(p(name));
      expect(direct).toEqual(viaFfprobe);
      const mine = await chunksOf(p(name), direct!);
      const theirs = await chunksOf(p(name), viaFfprobe, { viaFfmpeg: true });
      expect(mine.map((c) => c.length)).toEqual(theirs.map((c) => c.length));
      expect(mine.length).toBeGreaterThan(2);
      expect(bytes(mine).equals(bytes(theirs))).toBe(true);
    });
  }

  it('copiesChunks: a direct-read WAV comes in one reused chunk with the same samples (its reader and the pitch worker\'s); ffmpeg\'s chunks stay fresh', async () => {
    for (const name of ['s16.wav', 'f32.wav']) {
      const direct = directWavProbe(p(name), { sampleRate: 16000 })!;
      const fresh = await chunksOf(p(name), direct);
      const dec = await AudioDecoder.open(p(name), { sampleRate: 16000, probed: direct, copiesChunks: true });
      expect(dec.reusesChunks).toBe(true);
      const got: Float32Array[] = [];
      const buffers = new Set<ArrayBufferLike>();
      for await (const c of dec) {
        buffers.add(c.buffer);
        got.push(c.slice());
      }
      expect(buffers.size, name).toBe(1);
      expect(got.map((c) => c.length)).toEqual(fresh.map((c) => c.length));
      expect(bytes(got).equals(bytes(fresh)), name).toBe(true);
      const worker: Float32Array[] = [];
      for (const c of readWavSamples(wavLayoutOf(direct)!, 16384, true)) worker.push(c.slice());
      expect(bytes(worker).equals(bytes(fresh)), name).toBe(true);
    }
    const viaFfmpeg = await AudioDecoder.open(p('s16.wav'), { sampleRate: 16000, probed: await probe(p('s16.wav')), copiesChunks: true, viaFfmpeg: true });
    expect(viaFfmpeg.reusesChunks).toBe(false);
    const buffers = new Set<ArrayBufferLike>();
    for await (const c of viaFfmpeg) buffers.add(c.buffer);
    expect(buffers.size).toBeGreaterThan(2);
  });

  it("windows (sync's -ss/-t) of a WAV ffprobe read: ffmpeg's samples, chunks and no timestamp jumps, without ffmpeg", async () => {
    // s16.wav holds 56040 samples (3.5025 s). Times with more than 6 decimals (ffmpeg drops the rest: 2.9999687 s is
    // sample 47999, not 48000), times that round up (1.00004 s is sample 16001, 0.5000375 s 8001 samples), windows past
    // the end.
    const windows: Array<[number | undefined, number | undefined]> = [[1.23456789, 2.00003], [0.00003125, undefined], [2.9999687, 1], [2.5, 9], [3.4, 0.0123456], [1.00004, 0.5000375], [undefined, 3.1415926]];
    for (const [name, which] of [['s16.wav', windows], ['f32.wav', windows.slice(0, 2)]] as const) {
      const probed = await probe(p(name));
      for (const [start, duration] of which) {
        const o = { start, duration, timestampGaps: true, chunkSamples: 4096 };
        const dec = await AudioDecoder.open(p(name), { sampleRate: 16000, probed, copiesChunks: true, ...o });
        expect(dec.reusesChunks, `${name} ${start} ${duration}`).toBe(true); // read directly
        const mine: Float32Array[] = [];
        for await (const c of dec) mine.push(c.slice());
        expect(dec.gaps).toEqual([]);
        const theirs = await chunksOf(p(name), probed, { ...o, viaFfmpeg: true });
        expect(mine.map((c) => c.length), `${name} ${start} ${duration}`).toEqual(theirs.map((c) => c.length));
        expect(bytes(mine).equals(bytes(theirs)), `${name} ${start} ${duration}`).toBe(true);
      }
    }
  });

  it('a WAV written again since ffprobe read it, a seek to its end, a time in exponent notation: decoded by ffmpeg', async () => {
    const file = p('rewritten.wav');
    writeFileSync(file, readFileSync(p('s16.wav')));
    const probed = await probe(file);
    const direct = async (o: AudioDecodeOptions) => (await AudioDecoder.open(file, { sampleRate: 16000, probed, copiesChunks: true, ...o })).reusesChunks;
    expect(await direct({})).toBe(true);
    expect(await direct({ start: 4.4 })).toBe(false);
    expect(await direct({ start: 1e-7 })).toBe(false);
    expect(await direct({ start: 1, duration: 0 })).toBe(false);
    expect(await direct({ channel: 0 })).toBe(false);
    writeFileSync(file, wav([fmt(1, 1, 16000, 16), chunk('data', s16.subarray(0, 40000))]));
    expect(await direct({})).toBe(false);
  });

  it("sync's probe with packet times of such a WAV: ffprobe's probe and packet spans, without ffprobe", async () => {
    expect([printfF6(125 / 16000), printfF6(375 / 16000), printfF6(0.128), printfF6(2.5e-7), printfF6(3.5e-7)]).toEqual(['0.007812', '0.023438', '0.128000', '0.000000', '0.000000']);
    await new Promise((r) => setTimeout(r, 60)); // the files are older than probe-memo's racy bound: their reads are kept
    for (const name of ['s16.wav', 'f32.wav', 'ffmpeg-made.wav', 'tie.wav', 'one125.wav', 'tie-f32.wav']) {
      const mine = await probeWithPacketTimes(p(name));
      expect(wavLayoutOf(mine), name).toBeDefined(); // made without ffprobe
      expect(mine, name).toEqual(await probe(p(name)));
      copyFileSync(p(name), p(`copy-${name}`)); // another identity: its packets are ffprobe's
      const theirs = await readPacketTimes(await probe(p(`copy-${name}`)));
      expect(await readPacketTimes(mine), name).toEqual(theirs);
    }
    expect(wavLayoutOf(await probeWithPacketTimes(p('44k.wav')))).toBeUndefined();
  });

  it('other WAVs, other rates, another stream or one channel asked for: left to ffprobe and ffmpeg (null)', () => {
    for (const name of ['stereo.wav', '44k.wav', 's24.wav', 'extensible.wav', 'cut.wav', 'streamed.wav', 'odd-data.wav', 'spdif.wav', 'rifx.wav', 'no-such.wav']) {
      expect(directWavProbe(p(name), { sampleRate: 16000 }), name).toBeNull();
    }
    expect(directWavProbe(p('s16.wav'), { sampleRate: 22050 })).toBeNull();
    expect(directWavProbe(p('s16.wav'), { sampleRate: 16000, stream: 1 })).toBeNull();
    expect(directWavProbe(p('s16.wav'), { sampleRate: 16000, channel: 0 })).toBeNull();
    expect(directWavProbe(tmp.dir, { sampleRate: 16000 })).toBeNull();
  });

  it('mmprep audio reads such a file without ffprobe and ffmpeg, and writes the bytes of the decode through them', async () => {
    await extractAudio(p('s16.wav'), { probed: probe(p('s16.wav')), out: p('ref.jsonl'), summaryPath: p('ref.json') });
    // Neither binary can run: the command still succeeds, so it ran neither.
    const env = { MMPREP_FFMPEG: '/bin/false', MMPREP_FFPROBE: '/bin/false' };
    const r = await runCli(['audio', p('s16.wav'), '-o', p('cli.jsonl'), '--summary', p('cli.json')], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(p('cli.jsonl')).equals(readFileSync(p('ref.jsonl')))).toBe(true);
    expect(readFileSync(p('cli.json'), 'utf8')).toBe(readFileSync(p('ref.json'), 'utf8'));
    // A stereo file still needs them.
    const s = await runCli(['audio', p('stereo.wav'), '-o', p('st.jsonl')], { env });
    expect(s.code).not.toBe(0);
  });

  it('a float WAV with a NaN or infinite sample is refused in one line naming the sample, with no output (exit 0 with made-up features before)', async () => {
    const n = await runCli(['audio', p('nan.wav'), '-o', p('nan.jsonl')], { env: { MMPREP_FFMPEG: '/bin/false', MMPREP_FFPROBE: '/bin/false' } });
    expect(n.code).toBe(2);
    expect(n.stderr).toBe(`mmprep: ${p('nan.wav')}: sample 40000 (2.500 s into the audio analysed at 16000 Hz) is NaN, not a number a recording can hold: a floating-point file written with invalid values (a division by zero in the program that made it); the features around it would be undefined, so it is refused, as librosa refuses it; write the file again with those samples replaced (e.g. numpy.nan_to_num) or re-export it from the original\n`);
    // Through ffmpeg (resampled from 22.05 kHz: the infinity at 1.814 s spreads over soxr's filter, from 1.788 s), in
    // this process: the same refusal, naming the file.
    const i = extractAudio(p('inf-22k.wav'), { out: p('inf.jsonl') });
    await expect(i).rejects.toThrow(/^sample \d+ \(1\.(7[89]|8[01])\d s into the audio analysed at 16000 Hz\) is (NaN|-?infinity), not a number/);
    await expect(i).rejects.toMatchObject({ exitCode: 2, location: { file: p('inf-22k.wav') } });
    expect(existsSync(p('nan.jsonl')) || existsSync(p('inf.jsonl'))).toBe(false);
  });
});
