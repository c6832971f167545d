#!/usr/bin/env node
/**
 * `npm run bench:face`: frames per second of `mmprep face` on this machine, per stage and end to end, for the wasm and
 * cpu backends at 640x480 and 1280x720, on a moving-face video made here with ffmpeg (the fixture portrait moving
 * and rolling). Per stage: frames decoded once into memory, then analysed in this thread with the stages
 * switched on one by one (detect; + mesh; + iris; + expression): a stage's cost is the difference. Both wall-clock and
 * CPU-time rates are shown (CPU time is robust when other jobs load the machine). End to end: extractFace() with 1 and
 * 2 worker threads (the default is one per core), compared with the targets (30 fps at 640x480, 20 at 720p).
 * Options: --seconds N (clip length, default 6), --cpu-frames N (frames per cpu-backend stage, default 3), --quick.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dist = (p) => import(join(ROOT, 'dist', p));
const { ffmpegBinaries } = await dist('media/ffmpeg-path.js');
const { VideoDecoder } = await dist('media/decode-video.js');
const { FramePool } = await dist('face/pool.js');
const { extractFace, FaceRecordBuilder, DEFAULT_INFERENCE_SIDE } = await dist('face/extract.js');

const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const quick = process.argv.includes('--quick');
const SECONDS = arg('--seconds', quick ? 3 : 6);
const CPU_FRAMES = arg('--cpu-frames', quick ? 2 : 3);
const FPS = 30;

const tmp = mkdtempSync(join(tmpdir(), 'mmprep-bench-face-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

function makeVideo(w, h) {
  const file = join(tmp, `moving_${w}x${h}.mp4`);
  const s = Math.round(h * 0.62);
  execFileSync(ffmpegBinaries().ffmpeg.path, [
    '-nostdin', '-y', '-v', 'error', '-loop', '1', '-i', join(ROOT, 'fixtures', 'face', 'astronaut.png'),
    '-filter_complex',
    `color=c=gray:s=${w}x${h}:r=${FPS}:d=${SECONDS}[bg];[0]scale=${s}:${s},rotate=a='0.3*sin(2*PI*t/3)':c=gray[f];[bg][f]overlay=x='(W-w)/2+${Math.round(w / 7)}*sin(2*PI*t/4)':y='(H-h)/2+${Math.round(h / 16)}*sin(2*PI*t/5)':shortest=1`,
    '-t', String(SECONDS), '-c:v', 'libx264', '-crf', '23', '-pix_fmt', 'yuv420p', file,
  ]);
  return file;
}

async function decodeAll(file, max = Infinity) {
  const dec = await VideoDecoder.open(file, { maxSide: DEFAULT_INFERENCE_SIDE });
  const frames = [];
  const t0 = performance.now();
  let n = 0;
  for await (const f of dec) {
    n++;
    if (frames.length < max) frames.push({ data: f.data, width: f.width, height: f.height, t_s: f.t_s });
  }
  return { frames, n, wallS: (performance.now() - t0) / 1000, geometry: dec.geometry };
}

function cpuS(u) {
  return (u.user + u.system) / 1e6;
}

async function timeStages(backend, frames) {
  const configs = [
    ['detect', { mesh: false, iris: false, expression: false }],
    ['mesh', { mesh: true, iris: false, expression: false }],
    ['iris', { mesh: true, iris: true, expression: false }],
    ['expression', { mesh: true, iris: true, expression: true }],
  ];
  const out = {};
  let results = null;
  for (const [name, stages] of configs) {
    // One worker thread per configuration (a fresh tfjs instance), fed one frame at a time; this thread waits idle,
    // so the process CPU time is the worker's.
    const pool = new FramePool({ backend, maxFaces: 1, detectorMinConfidence: 0.1, stages }, 1);
    await pool.warm();
    const task = (f) => ({ data: f.data.slice(), width: f.width, height: f.height });
    pool.submit(task(frames[0])); // first frame compiles kernels
    await pool.next();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const res = [];
    for (const f of frames) {
      pool.submit(task(f));
      res.push(await pool.next());
    }
    out[name] = { wallMs: (performance.now() - t0) / frames.length, cpuMs: (cpuS(process.cpuUsage(c0)) * 1000) / frames.length };
    await pool.close();
    results = res;
  }
  return { cumulative: out, results };
}

function timeDerived(results, frames, geometry) {
  const b = new FaceRecordBuilder({ scale: geometry.scale, width: geometry.displayWidth, height: geometry.displayHeight, minConfidence: 0.5, normalized: false, blinkEar: 0.2 });
  const reps = Math.max(1, Math.ceil(300 / results.length));
  const t0 = performance.now();
  let k = 0;
  for (let r = 0; r < reps; r++) for (let i = 0; i < results.length; i++) JSON.stringify(b.build(k++, k / FPS, results[i].faces));
  return (performance.now() - t0) / (reps * results.length);
}

const fmt = (v) => (v === null || !Number.isFinite(v) ? '-' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const rows = [];
const e2e = [];
console.log(`mmprep face benchmark: ${availableParallelism()} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}, ${SECONDS} s clips at ${FPS} fps, inference side ${DEFAULT_INFERENCE_SIDE}`);
for (const [w, h] of [[640, 480], [1280, 720]]) {
  const file = makeVideo(w, h);
  const dec = await decodeAll(file, 45);
  rows.push({ size: `${w}x${h}`, backend: '-', stage: 'decode (ffmpeg, rgb24 at inference size)', wall: dec.n / dec.wallS, cpu: null });
  for (const backend of ['wasm', 'cpu']) {
    const frames = backend === 'wasm' ? dec.frames : dec.frames.slice(0, CPU_FRAMES);
    const { cumulative, results } = await timeStages(backend, frames);
    let prev = { wallMs: 0, cpuMs: 0 };
    for (const [stage, v] of Object.entries(cumulative)) {
      const dw = Math.max(v.wallMs - prev.wallMs, 1e-3);
      const dc = Math.max(v.cpuMs - prev.cpuMs, 1e-3);
      rows.push({ size: `${w}x${h}`, backend, stage, wall: 1000 / dw, cpu: 1000 / dc });
      prev = v;
    }
    rows.push({ size: `${w}x${h}`, backend, stage: 'all models, one thread', wall: 1000 / cumulative.expression.wallMs, cpu: 1000 / cumulative.expression.cpuMs });
    rows.push({ size: `${w}x${h}`, backend, stage: 'derived features + JSON', wall: 1000 / timeDerived(results, frames, dec.geometry), cpu: null });
  }
  for (const workers of [1, 2]) {
    const t0 = performance.now();
    const s = await extractFace(file, { out: join(tmp, 'out.jsonl'), workers });
    const wall = (performance.now() - t0) / 1000;
    e2e.push({ size: `${w}x${h}`, workers, frames: s.frames_analysed, fps: s.frames_analysed / wall, detection: s.detection_rate });
  }
}

console.log('\nPer stage (frames per second of that stage alone; wall clock | CPU time of this thread)');
console.log('| size | backend | stage | fps (wall) | fps (CPU time) |');
console.log('| --- | --- | --- | ---: | ---: |');
for (const r of rows) console.log(`| ${r.size} | ${r.backend} | ${r.stage} | ${fmt(r.wall)} | ${fmt(r.cpu)} |`);
console.log('\nEnd to end, wasm backend, mesh + iris + expression (mmprep face = extractFace, including decode and writing JSONL)');
console.log('| size | workers | frames | fps | vs target | vs 1 worker | detection rate |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of e2e) {
  const target = r.size === '640x480' ? 30 : 20;
  const one = e2e.find((x) => x.size === r.size && x.workers === 1);
  console.log(`| ${r.size} | ${r.workers} | ${r.frames} | ${fmt(r.fps)} | ${(r.fps / target).toFixed(2)}x of ${target} | ${(r.fps / one.fps).toFixed(2)}x | ${r.detection} |`);
}
console.log(`\nload average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (other jobs on the machine make wall-clock figures noisy)`);
