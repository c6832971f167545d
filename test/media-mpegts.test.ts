/**
 * MPEG-TS with the npm-bundled ffprobe (@ffprobe-installer's N-66595, a static build): it died (SIGSEGV) on every
 * MPEG-TS file, ffmpeg's own output included, so `probe`, `audio`, `face`, `sync` and `extract` refused every .ts
 * (exit 2) unless MMPREP_FFPROBE named another ffprobe. The cause is its static glibc's iconv loading the system's
 * ISO 6937 module (built for another glibc) for the file's DVB service name: mmprep now runs its children with
 * GCONV_PATH set (src/media/ffmpeg-path.ts childEnv), and that build reads the file (measured on Debian 12, glibc
 * 2.36; an older system's module lists may still lead it to the module). An ffprobe that still crashes gets one line
 * naming the file, the build and what to do: the remux command, or MMPREP_FFPROBE.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

const tmp = tempDir('mmprep-mpegts-');
afterAll(() => tmp.cleanup());
const npmFfprobe = (createRequire(import.meta.url)('@ffprobe-installer/ffprobe') as { path: string }).path;
const ts = join(tmp.dir, 'cam.ts');

beforeAll(() => {
  // 1 s of a 1 kHz tone in MPEG-TS (its muxer writes the SDT with the service name that crashed the build).
  ffmpegSync(['-f', 'lavfi', '-i', 'sine=frequency=1000:duration=1', '-c:a', 'mp2', '-f', 'mpegts', ts]);
});

describe('MPEG-TS and the npm ffprobe', () => {
  it('the npm-bundled ffprobe reads an MPEG-TS file (was exit 2: ffprobe crashed (SIGSEGV))', async () => {
    const r = await runCli(['probe', ts], { env: { MMPREP_FFPROBE: npmFfprobe } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout) as { container: string; streams: Array<{ codec: string }>; duration_s: number };
    expect(p.container).toBe('mpegts');
    expect(p.streams.map((s) => s.codec)).toEqual(['mp2']);
    expect(p.duration_s).toBeGreaterThan(0.9);
  });

  it('an ffprobe that crashes: one line naming the file, the build and what to do (remux command, MMPREP_FFPROBE), exit 2', async () => {
    const crashing = join(tmp.dir, 'crashing-ffprobe');
    writeFileSync(crashing, '#!/bin/sh\nkill -SEGV $$\n');
    chmodSync(crashing, 0o755);
    const r = await runCli(['audio', 'cam.ts', '-o', 'a.jsonl'], { cwd: tmp.dir, env: { MMPREP_FFPROBE: crashing } });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mmprep: cam\.ts: ffprobe crashed \(SIGSEGV\) reading this file \(MPEG-TS\): a bug of the ffprobe at .*crashing-ffprobe, not of the file; copy its streams into Matroska and use that file: \S*ffmpeg -i cam\.ts -map '0:v\?' -map '0:a\?' -c copy cam-remuxed\.mkv, or set MMPREP_FFPROBE to another ffprobe build/);
  });
});
