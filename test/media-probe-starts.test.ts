/**
 * One ffprobe run per input file of `mmprep sync` (src/media/probe-packets.ts): the probe and the packet times (stream
 * ends, clock jumps) were two runs per file, each start of a distribution's ffprobe ~0.15 CPU s before it reads a byte.
 * The one run's probe and packet read must equal the two runs' (the demo's FLAC and MP4, a Matroska whose clock jumps,
 * a WebM; an MPEG-TS whose sound starts mid-file, which keeps the two runs), and a file that is no media file is still
 * refused as before.
 */
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegBinaries } from '../src/media/ffmpeg-path.js';
import { readPacketTimes } from '../src/media/packet-times.js';
import { probeWithPacketTimes } from '../src/media/probe-packets.js';
import { probe } from '../src/media/probe.js';
import { FIXTURES, ROOT, runCli, tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

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

  it('a file that is no media file is refused as by probe()', async () => {
    const file = join(dir, 'bad.mp4');
    await expect(probeWithPacketTimes(file)).rejects.toThrow(/not a media file ffmpeg can read/);
  });
});
