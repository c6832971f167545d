/**
 * One ffprobe run per input file of `mmprep sync` (src/media/probe-packets.ts): the probe and the packet times (stream
 * ends, clock jumps) were two runs per file, each start of a distribution's ffprobe ~0.15 CPU s before it reads a byte.
 * The one run's probe and packet read must equal the two runs' (the demo's FLAC and MP4, a Matroska whose clock jumps,
 * a WebM; an MPEG-TS whose sound starts mid-file, which keeps the two runs), and a file that is no media file is still
 * refused as before.
 */
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegBinaries } from '../src/media/ffmpeg-path.js';
import { readPacketTimes } from '../src/media/packet-times.js';
import { probeWithPacketTimes } from '../src/media/probe-packets.js';
import { IdentityMemo, racy } from '../src/media/probe-memo.js';
import { firstSampleTime, pickStream, probe } from '../src/media/probe.js';
import { FIXTURES, ROOT, runCli, tempDir } from './helpers/cli.js';
import { ffmpegOutputs, ffmpegSync } from './helpers/ffmpeg.js';

const { dir, cleanup } = tempDir('mmprep-probe-starts-');
afterAll(() => cleanup());

/** An ffprobe that logs each start (its arguments, one line) to $LOG, then runs the real one. */
function loggingFfprobe(): string {
  const file = join(dir, 'ffprobe');
  writeFileSync(file, `#!/bin/sh\necho "$*" >> "$LOG"\nexec '${ffmpegBinaries().ffprobe.path}' "$@"\n`);
  chmodSync(file, 0o755);
  return file;
}

/** Runs an ES module script in a child Node with `env` added; its stdout. */
async function runNode(script: string, env: NodeJS.ProcessEnv): Promise<string> {
  return (await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env }, maxBuffer: 1 << 26 })).stdout;
}

beforeAll(() => {
  for (const f of ['s01_camera.mp4', 's01_lav.flac']) copyFileSync(join(FIXTURES, 'demo', f), join(dir, f));
  // A Matroska picture whose timestamps jump 5 s ahead after 1 s (a clock jump).
  ffmpegSync(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=25:duration=2', '-vf', 'setpts=PTS+if(gte(N\\,25)\\,5/TB\\,0)', '-vsync', 'passthrough', '-c:v', 'mpeg4', join(dir, 'jump.mkv')]);
  // An MPEG-TS joined from a picture alone (8 s) and a picture with sound (2 s): the sound's stream starts mid-file,
  // and a probe alone does not know its codec (read as mp3, 0 Hz) where one after every packet does (mp2, 44100 Hz).
  ffmpegSync(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=25:duration=8', '-c:v', 'mpeg2video', '-f', 'mpegts', join(dir, 'v.ts')]);
  ffmpegSync(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=25:duration=2', '-f', 'lavfi', '-i', 'sine=duration=2', '-c:v', 'mpeg2video', '-c:a', 'mp2', '-streamid', '0:300', '-streamid', '1:301', '-f', 'mpegts', join(dir, 'av.ts')]);
  writeFileSync(join(dir, 'late.ts'), Buffer.concat([readFileSync(join(dir, 'v.ts')), readFileSync(join(dir, 'av.ts'))]));
  copyFileSync(join(dir, 'late.ts'), join(dir, 'late-ts.mp4')); // its name says MP4: tried, and refused by its format
  ffmpegSync(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=25:duration=2', '-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000:duration=2', '-c:v', 'libvpx', '-c:a', 'libopus', join(dir, 'a.webm')]);
  writeFileSync(join(dir, 'bad.mp4'), 'not media\n');
  // Two WAVs of the same size (16 000 bytes of samples): 1 s at 8 kHz, 0.5 s at 16 kHz.
  ffmpegOutputs([
    ['-f', 'lavfi', '-i', 'sine=sample_rate=8000:duration=1', '-c:a', 'pcm_s16le', join(dir, 'w8k.wav')],
    ['-f', 'lavfi', '-i', 'sine=sample_rate=16000:duration=0.5', '-c:a', 'pcm_s16le', join(dir, 'w16k.wav')],
  ]);
});

describe.runIf(process.platform === 'linux')('one ffprobe run per input', () => {
  it('mmprep sync of the demo s01 starts ffprobe twice (once per file), not four times', async () => {
    const log = join(dir, 'sync.log');
    writeFileSync(log, '');
    // TMPDIR: the decoder's showinfo note for this throwaway wrapper path goes with the test's folder.
    const r = await runCli(['sync', 's01_lav.flac', 's01_camera.mp4', '-o', 'sync.json'], { cwd: dir, env: { MMPREP_FFPROBE: loggingFfprobe(), LOG: log, TMPDIR: dir } });
    expect(r.code, r.stderr).toBe(0);
    const starts = readFileSync(log, 'utf8').trim().split('\n');
    expect(starts, starts.join('\n')).toHaveLength(2);
    for (const f of ['s01_lav.flac', 's01_camera.mp4']) expect(starts.filter((s) => s.endsWith(f) && /-show_streams/.test(s) && /packet=/.test(s))).toHaveLength(1);
  });

  it('the one run (in a child, one ffprobe start for each FLAC, MP4, Matroska, WebM) gives the probe and the packet read of two runs; MPEG-TS keeps two', async () => {
    const names = ['s01_lav.flac', 's01_camera.mp4', 'jump.mkv', 'a.webm', 'late.ts', 'late-ts.mp4'];
    const log = join(dir, 'lib.log');
    writeFileSync(log, '');
    const script = `const { probeWithPacketTimes } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/media/probe-packets.js')).href)});
const { readPacketTimes } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/media/packet-times.js')).href)});
const out = [];
for (const f of ${JSON.stringify(names.map((n) => join(dir, n)))}) { const p = await probeWithPacketTimes(f); out.push({ p, read: await readPacketTimes(p) }); }
process.stdout.write(JSON.stringify(out));`;
    const child = await runNode(script, { MMPREP_FFPROBE: loggingFfprobe(), LOG: log });
    const starts = readFileSync(log, 'utf8').trim().split('\n');
    expect(starts.filter((x) => /late\.ts$/.test(x)), 'late.ts: a probe and a packet read').toHaveLength(2);
    expect(starts.filter((x) => /late-ts\.mp4$/.test(x)), 'late-ts.mp4: the one run refused by its format, then two').toHaveLength(3);
    expect(starts, starts.join('\n')).toHaveLength(4 + 2 + 3);
    const one = JSON.parse(child) as Array<{ p: unknown; read: { spans: Array<{ packets: number }>; jumps: unknown[] } }>;
    for (const [i, name] of names.entries()) {
      const p = await probe(join(dir, name));
      expect(one[i].p, name).toEqual(JSON.parse(JSON.stringify(p)));
      expect(one[i].read, name).toEqual(JSON.parse(JSON.stringify(await readPacketTimes(p))));
      expect(one[i].read.spans.every((s) => s.packets > 0), name).toBe(true);
    }
    expect(one[names.indexOf('jump.mkv')].read.jumps.length).toBeGreaterThan(0);
    expect(one[names.indexOf('late.ts')].p).toMatchObject({ streams: [{ type: 'video' }, { type: 'video' }, { type: 'audio', sample_rate_hz: 0 }] });
  });

  it('a file is probed once per process (packet probe, plain probes, at once or after), again when written in place', async () => {
    // Each file changed 1 h ago by its times, its status change (ctime) seconds ago at most: old enough to be kept.
    const hourAgo = new Date(Date.now() - 3_600_000);
    const [lav, cam, wav, webm] = ['kept-lav.flac', 'kept-cam.mp4', 'kept.wav', 'kept.webm'].map((n) => join(dir, n));
    copyFileSync(join(dir, 's01_lav.flac'), lav);
    copyFileSync(join(dir, 's01_camera.mp4'), cam);
    copyFileSync(join(dir, 'w8k.wav'), wav);
    copyFileSync(join(dir, 'a.webm'), webm);
    for (const f of [lav, cam, wav, webm]) utimesSync(f, hourAgo, hourAgo);
    expect(statSync(join(dir, 'w16k.wav')).size, 'the rewrite keeps the size').toBe(statSync(wav).size);
    const log = join(dir, 'memo.log');
    writeFileSync(log, '');
    const lib = (m: string) => JSON.stringify(pathToFileURL(join(ROOT, `dist/media/${m}.js`)).href);
    // The WAV written again in place (same inode and size) with its modification time put back: only its ctime differs.
    const script = `const { firstSampleTime, pickStream, probe } = await import(${lib('probe')});
const { probeWithPacketTimes } = await import(${lib('probe-packets')});
const { readPacketTimes } = await import(${lib('packet-times')});
const { readFileSync, utimesSync, writeFileSync } = await import('node:fs');
const [lav, cam, wav, w16k] = ${JSON.stringify([lav, cam, wav, join(dir, 'w16k.wav')])};
const packetsFirst = await probeWithPacketTimes(lav);
const plainAfter = await Promise.all([probe(lav), probe(lav)]);
await readPacketTimes(plainAfter[0]);
const together = await Promise.all([probe(cam), probeWithPacketTimes(cam), probe(cam)]);
const before = [await probe(wav), await probe(wav)];
writeFileSync(wav, readFileSync(w16k));
utimesSync(wav, ${hourAgo.getTime() / 1000}, ${hourAgo.getTime() / 1000});
const after = await probe(wav);
const wp = await probe(${JSON.stringify(webm)});
const opus = () => firstSampleTime(wp, pickStream(wp, 'audio'));
const firstTimes = [...(await Promise.all([opus(), opus()])), await opus()];
const bad = [await probeWithPacketTimes(${JSON.stringify(join(dir, 'bad.mp4'))}).catch((e) => e.message), await probe(${JSON.stringify(join(dir, 'bad.mp4'))}).catch((e) => e.message)];
process.stdout.write(JSON.stringify({ packetsFirst, plainAfter, together, before, after, bad, firstTimes }));`;
    const out = JSON.parse(await runNode(script, { MMPREP_FFPROBE: loggingFfprobe(), LOG: log }));
    const starts = readFileSync(log, 'utf8').trim().split('\n');
    const of = (f: string) => starts.filter((x) => x.endsWith(f));
    expect(of(lav), 'the demo FLAC: one run for its probe and packets').toHaveLength(1);
    expect(of(lav)[0]).toMatch(/-show_streams.*packet=/);
    expect(of(cam), 'three callers at once: one run').toHaveLength(1);
    expect(of(wav), 'the WAV: once, then again after it was written').toHaveLength(2);
    expect(of('bad.mp4'), 'no media: the packet probe\'s one run fails as a probe (not run again), and is not kept').toHaveLength(2);
    expect(of(webm), 'the WebM: its probe, and one read of its Opus stream\'s first frame for three callers (firstSampleTime)').toHaveLength(2);
    expect(of(webm)[1]).toMatch(/-select_streams 1 .*-read_intervals/);
    expect(starts, starts.join('\n')).toHaveLength(8);
    const wp = await probe(join(dir, 'a.webm'));
    const opusT0 = await firstSampleTime(wp, pickStream(wp, 'audio'));
    expect(opusT0, 'the first decoded frame, not the first packet (-0.007 s)').toBeGreaterThan(wp.streams[1].start_time_s as number);
    expect(out.firstTimes).toEqual([opusT0, opusT0, opusT0]);
    const refused = await probe(join(dir, 'bad.mp4')).catch((e: Error) => e.message);
    expect(refused).toMatch(/^not a media file ffmpeg can read \(.*Invalid data found/);
    expect(out.bad).toEqual([refused, refused]);
    // The packet probe's reading is the plain probe's (of another process: nothing kept there).
    const plain = JSON.parse(JSON.stringify(await probe(lav)));
    for (const p of [out.packetsFirst, ...out.plainAfter]) expect(p).toEqual(plain);
    for (const p of out.together) expect(p).toEqual(out.together[0]);
    expect(out.before.map((p: { streams: Array<{ sample_rate_hz: number }> }) => p.streams[0].sample_rate_hz)).toEqual([8000, 8000]);
    expect(out.after.streams[0].sample_rate_hz).toBe(16000);
  });

  it('a file changed within its filesystem\'s timestamp tick of the read is not kept (racy, as git calls it)', async () => {
    const now = 1_796_000_000_123_456_789n;
    const ms = 1_000_000n;
    expect(racy(now - 10n * ms, now), 'changed 10 ms before').toBe(true);
    expect(racy(now - 60n * ms, now), 'changed 60 ms before, times in ns').toBe(false);
    expect(racy(now + 5n * ms, now), 'changed after the read (a clock set back)').toBe(true);
    const wholeSecond = 1_795_999_999_000_000_000n; // 1.12 s before `now`: FAT, ext3 or HFS+ times
    expect(racy(wholeSecond, now), 'coarse times, 1.12 s before').toBe(true);
    expect(racy(wholeSecond - 1_000n * ms, now), 'coarse times, 2.12 s before').toBe(false);
    // The memo reads a racy identity each time it is asked, a settled one once; a failed read is not kept.
    const memo = new IdentityMemo<number>(4);
    let reads = 0;
    const read = () => Promise.resolve(++reads);
    for (const racyId of [true, true, false, false]) void memo.once({ key: `k${racyId}`, size: 1, racy: racyId }, read);
    expect(reads).toBe(3);
    const failing = { key: 'bad', size: 1, racy: false };
    await expect(memo.once(failing, () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await memo.once(failing, read)).toBe(4);
  });

  it('a file that is no media file is refused as by probe()', async () => {
    const file = join(dir, 'bad.mp4');
    await expect(probeWithPacketTimes(file)).rejects.toThrow(/not a media file ffmpeg can read/);
  });
});
