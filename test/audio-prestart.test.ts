/**
 * The decode that `mmprep audio` starts beside ffprobe (PrestartedDecode, src/media/decode-audio.ts): adopted for a
 * mono source, killed and started again with the downmix for a stereo one, and killed when nobody adopts it; the
 * samples are those of a decode started after the probe either way.
 */
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';
import { AudioDecoder, PrestartedDecode } from '../src/media/decode-audio.js';
import { probe } from '../src/media/probe.js';

const tmp = tempDir('mmprep-prestart-');
const p = (name: string) => join(tmp.dir, name);
const speech = join(FIXTURES, 'audio', 'wav', 'cards_005.flac');

beforeAll(() => {
  // 30 s: more decoded output than the pipe buffers hold, so a killed ffmpeg cannot have finished first.
  ffmpegSync(['-i', speech, '-af', 'apad', '-t', '30', '-c:a', 'pcm_s16le', p('mono.wav')]);
  // Two different channels (speech and a 300 Hz tone): the downmix is their average, ffmpeg's -ac 1 weighs them otherwise.
  ffmpegSync(['-i', speech, '-f', 'lavfi', '-i', 'sine=f=300:sample_rate=16000', '-filter_complex', '[0]apad[a];[a][1]amerge=inputs=2', '-t', '30', '-ar', '44100', '-c:a', 'pcm_s16le', p('stereo.wav')]);
  ffmpegSync(['-i', p('stereo.wav'), '-t', '10', '-c:a', 'flac', p('stereo.flac')]);
});
afterAll(() => tmp.cleanup());

async function samples(file: string, prestarted?: PrestartedDecode): Promise<Float32Array> {
  const dec = await AudioDecoder.open(file, { sampleRate: 16000, probed: await probe(file), prestarted });
  const parts: Float32Array[] = [];
  for await (const c of dec) parts.push(c.slice());
  const out = new Float32Array(parts.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of parts) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** The ffmpeg process of a prestarted decode, once it has started. */
async function processOf(pre: PrestartedDecode): Promise<ChildProcess> {
  const cmd = (pre as unknown as { started: { cmd: { ffmpegProc?: ChildProcess; once: (e: string, f: () => void) => void } } }).started.cmd;
  if (!cmd.ffmpegProc) await new Promise<void>((res) => cmd.once('start', res));
  return cmd.ffmpegProc!;
}

const exited = (c: ChildProcess) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve(c.signalCode) : new Promise<string | null>((res) => c.once('exit', (_code, sig) => res(sig))));

describe('PrestartedDecode', () => {
  it('a mono source: the decoder adopts the prestarted run and reads the same samples', async () => {
    const pre = PrestartedDecode.start(p('mono.wav'), { sampleRate: 16000, stream: 0 })!;
    expect(pre).not.toBeNull();
    const proc = await processOf(pre);
    const got = await samples(p('mono.wav'), pre);
    expect(got.length).toBeGreaterThan(16000);
    expect(Buffer.from(got.buffer).equals(Buffer.from((await samples(p('mono.wav'))).buffer))).toBe(true);
    expect(await exited(proc)).toBeNull(); // it ran to its end: adopted, not killed
    pre.dispose(); // after adoption: nothing to do
  });

  it('a stereo source: the prestarted mono run is killed and the downmix started again (same samples as without it)', async () => {
    const pre = PrestartedDecode.start(p('stereo.flac'), { sampleRate: 16000, stream: 0 })!;
    const proc = await processOf(pre);
    const got = await samples(p('stereo.flac'), pre);
    expect(await exited(proc)).toBe('SIGKILL');
    expect(Buffer.from(got.buffer).equals(Buffer.from((await samples(p('stereo.flac'))).buffer))).toBe(true);
  });

  it("a stereo WAV: started with the downmix its header's channel count needs, and adopted (one ffmpeg start, was two)", async () => {
    const pre = PrestartedDecode.start(p('stereo.wav'), { sampleRate: 16000, stream: 0 })!;
    expect(pre.key).toMatch(/pan=mono\|c0=0\.5/);
    const proc = await processOf(pre);
    const got = await samples(p('stereo.wav'), pre);
    expect(await exited(proc)).toBeNull(); // it ran to its end: adopted, not killed
    expect(Buffer.from(got.buffer).equals(Buffer.from((await samples(p('stereo.wav'))).buffer))).toBe(true);
  });

  it('dispose() kills a run nobody adopted, also before it has started; no process for a path that is not a file', async () => {
    const pre = PrestartedDecode.start(p('mono.wav'), { sampleRate: 16000, stream: 0 })!;
    pre.dispose();
    expect(await exited(await processOf(pre))).toBe('SIGKILL');
    expect(PrestartedDecode.start(p('no-such.wav'), {})).toBeNull();
    expect(PrestartedDecode.start(tmp.dir, {})).toBeNull();
  });
});
