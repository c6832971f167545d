#!/usr/bin/env node
/**
 * `npm run bench:sync`: (1) `mmprep sync --search-s 60 --ends both` on a 2-hour AAC file (seek to the windows, do not
 * read the rest), beside the peer of reading the whole file (ffmpeg decoding it to null); (2) whole-file tone
 * scanning speed (audio seconds per second of wall time) on the same 2 hours, beside ffmpeg's decode alone (the
 * floor any scanner that reads the file pays). The 2-hour file is made in a temp dir from a 60 s chunk (speech-like
 * noise with a beep at 5 s) concatenated with stream copy, so nothing large is committed.
 * Options: --hours H (default 2), --runs N (best of N, default 3).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => join(ROOT, 'dist', p);
const { ffmpegBinaries } = await import(dist('media/ffmpeg-path.js'));
const { syncSession } = await import(dist('sync/session.js'));
const { scanAudioTone } = await import(dist('sync/scan-audio.js'));
const { probe } = await import(dist('media/probe.js'));
const { scanVideoFlash } = await import(dist('sync/scan-video.js'));

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const HOURS = arg('hours', 2);
const RUNS = arg('runs', 3);
const ffmpeg = ffmpegBinaries().ffmpeg.path;
const tmp = mkdtempSync(join(tmpdir(), 'mmprep-bench-sync-'));
const ff = (args) => execFileSync(ffmpeg, ['-nostdin', '-y', '-v', 'error', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
const best = async (fn) => {
  let b = Infinity;
  let out;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    out = await fn();
    b = Math.min(b, (performance.now() - t) / 1000);
  }
  return { s: b, out };
};

try {
  const chunk = join(tmp, 'chunk.m4a');
  ff(['-f', 'lavfi', '-i', 'anoisesrc=r=48000:a=0.05:c=pink:seed=1', '-f', 'lavfi', '-i', "aevalsrc='0.3*sin(2*PI*1000*t)*between(t,5,5.2)':s=48000", '-filter_complex', '[0][1]amix=inputs=2', '-t', '60', '-c:a', 'aac', '-b:a', '96k', chunk]);
  const n = Math.round(HOURS * 60);
  writeFileSync(join(tmp, 'list.txt'), Array.from({ length: n }, () => "file 'chunk.m4a'").join('\n') + '\n');
  const long = join(tmp, 'long.m4a');
  ff(['-f', 'concat', '-safe', '0', '-i', join(tmp, 'list.txt'), '-c', 'copy', long]);
  const dur = (await probe(long)).duration_s;
  const mb = statSync(long).size / 1e6;

  const seek = await best(() => syncSession([{ file: long }], { searchS: 60, ends: 'both' }));
  const e = seek.out.streams[0];
  const full = await best(() => spawnSync(ffmpeg, ['-nostdin', '-v', 'error', '-i', long, '-f', 'null', '-'], { stdio: 'ignore' }));
  const runsSave = RUNS;
  // Whole-file scanning: one run each (the long part).
  const decodeOnly = await (async () => {
    const t = performance.now();
    spawnSync(ffmpeg, ['-nostdin', '-v', 'error', '-i', long, '-map', '0:a:0', '-ar', '16000', '-ac', '1', '-f', 'f32le', '-'], { stdio: ['ignore', 'ignore', 'ignore'], maxBuffer: 1 << 30 });
    return (performance.now() - t) / 1000;
  })();
  const p = await probe(long);
  const t0 = performance.now();
  const scan = await scanAudioTone(long, [{ name: 'all', start_s: 0, duration_s: null }], { probed: p });
  const scanS = (performance.now() - t0) / 1000;
  const found = scan.windows[0].detections.length;

  // Video: flash search over a 60 s window of 1280x720 30 fps H.264 (decode to 160 px grey + scan).
  const vid = join(tmp, 'v720.mp4');
  ff(['-f', 'lavfi', '-i', 'mandelbrot=s=1280x720:r=30', '-vf', "drawbox=x=1200:y=20:w=50:h=50:color=white:t=fill:enable='between(t,5,5.2)'", '-t', '60', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', vid]);
  const vt = performance.now();
  const vscan = await scanVideoFlash(vid, [{ name: 'start', start_s: 0, duration_s: 60 }], {});
  const vS = (performance.now() - vt) / 1000;

  const rows = [
    ['what', 'seconds', 'x real time', 'note'],
    [`sync --search-s 60 --ends both (${(dur / 3600).toFixed(2)} h AAC, ${mb.toFixed(0)} MB)`, seek.s.toFixed(2), (dur / seek.s).toFixed(0), `pulses at ${e.pulses.start_s?.toFixed(3)} and ${e.pulses.end_s?.toFixed(3)} s (stream-copied chunks keep their 21 ms AAC priming); target < 2 s`],
    ['peer: ffmpeg decodes the whole file (-f null)', full.s.toFixed(2), (dur / full.s).toFixed(0), `seek is ${(full.s / seek.s).toFixed(0)}x faster`],
    ['whole-file tone scan (decode at 16 kHz + scan)', scanS.toFixed(2), (dur / scanS).toFixed(0), `${found} beeps found (expected ${n}); target >= 500x`],
    ['floor: ffmpeg decode to 16 kHz f32 PCM alone', decodeOnly.toFixed(2), (dur / decodeOnly).toFixed(0), `scan costs ${(scanS / decodeOnly).toFixed(2)}x the decode`],
    ['flash search, 60 s window of 1280x720 30 fps H.264', vS.toFixed(2), (60 / vS).toFixed(1), `${vscan.windows[0].frames} frames, flash at ${vscan.windows[0].detections[0]?.t_s.toFixed(3) ?? 'none'} s`],
  ];
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  console.log(`mmprep bench:sync  (${cpus().length} cores, ${cpus()[0]?.model ?? '?'}, best of ${runsSave} for the first two rows)`);
  for (const r of rows) console.log(r.map((v, c) => v.padEnd(w[c])).join('  '));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
