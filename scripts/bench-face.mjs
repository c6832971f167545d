#!/usr/bin/env node
/**
 * `npm run bench:face`: frames per second of `mmprep face` on this machine, per stage and end to end, for the wasm and
 * cpu backends at 640x480 and 1280x720, on a moving-face video made here with ffmpeg (the fixture portrait moving
 * and rolling). Per stage: frames decoded once into memory, then analysed in this thread with the stages
 * switched on one by one (detect; + mesh; + iris; + expression): a stage's cost is the difference. Both wall-clock and
 * CPU-time rates are shown (CPU time is robust when other jobs load the machine). End to end: the `mmprep face` command
 * with 1 and 2 worker threads (the default is one per core), compared with the targets (45 fps at 640x480, 20 at 720p).
 * End to end is the `mmprep face` command as a user runs it (a child process: Node start-up, module loading, workers,
 * models, decode, analysis, JSONL), timed by wall clock and by the CPU time of its process tree (from this process's
 * /proc/self/stat children times, so it is robust to other jobs on the machine), beside the floor: ffmpeg alone
 * decoding the same clip to rgb24 at inference size. Also shown: start-up alone (the command on the first frame only)
 * and the cost of --flow. The per-stage rows run the detector on every frame; "all models, tracked" is the default
 * (detector every DETECT_EVERY frames, faces tracked between).
 * A second end-to-end pair at 640x480 on a long clip (same generator, --long-seconds, default 60: a typical session is
 * minutes, where start-up weighs little) beside its own ffmpeg floor; the short clip's rows stay (what a user sees on a
 * short clip, start-up included).
 * Options: --seconds N (clip length, default 6), --long-seconds N (long clip, default 60; 0 skips it), --cpu-frames N
 * (frames per cpu-backend stage, default 3), --quick (3 s clips, no long clip).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dist = (p) => import(join(ROOT, 'dist', p));
const { ffmpegBinaries } = await dist('media/ffmpeg-path.js');
const { VideoDecoder } = await dist('media/decode-video.js');
const { FramePool, DETECT_EVERY } = await dist('face/pool.js');
const { FaceRecordBuilder, DEFAULT_INFERENCE_SIDE } = await dist('face/extract.js');

const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const quick = process.argv.includes('--quick');
const SECONDS = arg('--seconds', quick ? 3 : 6);
const LONG_SECONDS = arg('--long-seconds', quick ? 0 : 60);
const CPU_FRAMES = arg('--cpu-frames', quick ? 2 : 3);
const FPS = 30;

const tmp = mkdtempSync(join(tmpdir(), 'mmprep-bench-face-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

function makeVideo(w, h, seconds = SECONDS) {
  const file = join(tmp, `moving_${w}x${h}_${seconds}s.mp4`);
  const s = Math.round(h * 0.62);
  execFileSync(ffmpegBinaries().ffmpeg.path, [
    '-nostdin', '-y', '-v', 'error', '-loop', '1', '-i', join(ROOT, 'fixtures', 'face', 'astronaut.png'),
    '-filter_complex',
    `color=c=gray:s=${w}x${h}:r=${FPS}:d=${seconds}[bg];[0]scale=${s}:${s},rotate=a='0.3*sin(2*PI*t/3)':c=gray[f];[bg][f]overlay=x='(W-w)/2+${Math.round(w / 7)}*sin(2*PI*t/4)':y='(H-h)/2+${Math.round(h / 16)}*sin(2*PI*t/5)':shortest=1`,
    '-t', String(seconds), '-c:v', 'libx264', '-crf', '23', '-pix_fmt', 'yuv420p', file,
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

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
/** CPU seconds of this process's waited-for children (and theirs): fields cutime + cstime of /proc/self/stat. */
function childCpuS() {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[13]) + Number(f[14])) / CLK_TCK;
}
/** Runs a command to completion; wall seconds and CPU seconds of its process tree. */
function timed(cmd, args) {
  const c0 = childCpuS();
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const wallS = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return { wallS, cpuS: childCpuS() - c0 };
}
function cli(file, args) {
  return timed(process.execPath, [join(ROOT, 'bin', 'mmprep.js'), 'face', file, '-o', join(tmp, 'out.jsonl'), ...args]);
}

function cpuS(u) {
  return (u.user + u.system) / 1e6;
}

async function timeStages(backend, frames) {
  // follows=false: the detector runs on every frame (each stage's own cost); 'tracked' is the default pipeline.
  const configs = [
    ['detect', { mesh: false, iris: false, expression: false }, false],
    ['mesh', { mesh: true, iris: false, expression: false }, false],
    ['iris', { mesh: true, iris: true, expression: false }, false],
    ['expression', { mesh: true, iris: true, expression: true }, false],
    ['tracked', { mesh: true, iris: true, expression: true }, true],
  ];
  const out = {};
  let results = null;
  for (const [name, stages, follows] of configs) {
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
      pool.submit(task(f), follows);
      res.push(await pool.next());
    }
    out[name] = { wallMs: (performance.now() - t0) / frames.length, cpuMs: (cpuS(process.cpuUsage(c0)) * 1000) / frames.length };
    await pool.close();
    if (name === 'expression') results = res;
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
    const { tracked, ...perStage } = cumulative;
    for (const [stage, v] of Object.entries(perStage)) {
      // A stage whose added time is within the noise (difference <= 0) shows '-'.
      const dw = v.wallMs - prev.wallMs;
      const dc = v.cpuMs - prev.cpuMs;
      rows.push({ size: `${w}x${h}`, backend, stage, wall: dw > 0 ? 1000 / dw : null, cpu: dc > 0 ? 1000 / dc : null });
      prev = v;
    }
    rows.push({ size: `${w}x${h}`, backend, stage: 'all models, one thread, detector on every frame', wall: 1000 / cumulative.expression.wallMs, cpu: 1000 / cumulative.expression.cpuMs });
    rows.push({ size: `${w}x${h}`, backend, stage: `all models, one thread, tracked (detector every ${DETECT_EVERY} frames)`, wall: 1000 / tracked.wallMs, cpu: 1000 / tracked.cpuMs });
    rows.push({ size: `${w}x${h}`, backend, stage: 'derived features + JSON', wall: 1000 / timeDerived(results, frames, dec.geometry), cpu: null });
  }
  const floor = (f) => timed(ffmpegBinaries().ffmpeg.path, ['-nostdin', '-v', 'error', '-i', f, '-vf', `scale=${dec.geometry.width}:${dec.geometry.height}`, '-pix_fmt', 'rgb24', '-f', 'null', '-']);
  e2e.push({ size: `${w}x${h}`, what: `floor: ffmpeg decode to rgb24 at inference size, ${SECONDS} s clip`, frames: dec.n, ...floor(file) });
  const startup = cli(file, ['--workers', '2', '--end', String(0.5 / FPS)]);
  // With --end at the first frame the clip is under 30 frames, so the command keeps one worker (extract.ts workersFor):
  // the second is started with the first and ended once its modules are loaded, before any model.
  e2e.push({ size: `${w}x${h}`, what: 'start-up: mmprep face on the first frame only, --workers 2 (one kept: under 30 frames)', frames: 1, ...startup, startup: true });
  for (const [what, args] of [['mmprep face, 1 worker', ['--workers', '1']], ['mmprep face, 2 workers', ['--workers', '2']], ['mmprep face --flow, 2 workers', ['--workers', '2', '--flow']]]) {
    e2e.push({ size: `${w}x${h}`, what: `${what}, ${SECONDS} s clip`, frames: dec.n, ...cli(file, args), target: w === 640 ? 45 : 20 });
  }
  if (w === 640 && LONG_SECONDS > 0) {
    // A session of typical length, where start-up is spread over many more frames. Same generator, same floor.
    const long = makeVideo(w, h, LONG_SECONDS);
    const run = cli(long, ['--workers', '2']);
    // One JSONL record per analysed frame (docs/face.md): the frame count of the long clip.
    const frames = readFileSync(join(tmp, 'out.jsonl'), 'utf8').split('\n').filter((l) => l.length > 0).length;
    e2e.push({ size: `${w}x${h}`, what: `floor: ffmpeg decode to rgb24 at inference size, ${LONG_SECONDS} s clip`, frames, ...floor(long) });
    e2e.push({ size: `${w}x${h}`, what: `mmprep face, 2 workers, ${LONG_SECONDS} s clip`, frames, ...run, target: 45 });
    rmSync(long, { force: true });
  }
}

console.log('\nPer stage (frames per second of that stage alone; wall clock | CPU time of this thread)');
console.log('| size | backend | stage | fps (wall) | fps (CPU time) |');
console.log('| --- | --- | --- | ---: | ---: |');
for (const r of rows) console.log(`| ${r.size} | ${r.backend} | ${r.stage} | ${fmt(r.wall)} | ${fmt(r.cpu)} |`);
console.log('\nEnd to end: the command as a user runs it (child process; Node start-up, models, decode, analysis, JSONL), wasm backend, mesh + iris + expression');
console.log('| size | what | frames | wall s | fps (wall) | CPU s (process tree) | CPU ms per frame | vs target |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of e2e) {
  const fps = r.startup ? null : r.frames / r.wallS;
  const vs = r.target ? `${(fps / r.target).toFixed(2)}x of ${r.target}` : '-';
  console.log(`| ${r.size} | ${r.what} | ${r.frames} | ${r.wallS.toFixed(2)} | ${fmt(fps)} | ${r.cpuS.toFixed(2)} | ${r.startup ? '-' : ((1000 * r.cpuS) / r.frames).toFixed(1)} | ${vs} |`);
}
console.log(`\nload average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (other jobs on the machine make wall-clock figures noisy)`);
