#!/usr/bin/env node
/**
 * Where `mmprep face`'s CPU time goes, in CPU time (robust when other jobs load the machine; wall-clock speed is
 * `npm run bench:face`). Build first (`npm run build`). Prints:
 * - start-up of one Human instance (module, WASM compile, models) and the first frame's extra cost (kernel set-up, JIT);
 * - per frame, one thread, the default pipeline (detector every DETECT_EVERY frames, tracked between): executions and
 *   CPU ms per frame of each model (model.execute + reading its outputs), of the rotated face crop (crop.ts, or Human's
 *   rotate-then-crop kernels with MMPREP_FACE_TF_CROP=1), and the rest (frame upload, Human's JavaScript, contrasts);
 * - end to end: the `mmprep face` command (child process, 2 workers) and the command on its first frame only, CPU
 *   seconds of the process tree (user + sys, like /usr/bin/time).
 * Input: the bench's clip (the fixture portrait moving and rolling, 640x480, 6 s at 30 fps, made here with ffmpeg), or
 * a video given as the first argument. Options: --frames N (frames in the per-frame part, default all), --no-e2e,
 * --description (the per-frame part with Human's description model on: its cost per call and per frame), --startup (one
 * engine's start-up and warm-up only: see startupProfile; --blocks N).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dist = (p) => import(join(ROOT, 'dist', p));
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const c0 = cpuMs();
const { ffmpegBinaries } = await dist('media/ffmpeg-path.js');
const { VideoDecoder } = await dist('media/decode-video.js');
const { FaceEngine } = await dist('face/engine.js');
const { DETECT_EVERY } = await dist('face/pool.js');
const { DEFAULT_INFERENCE_SIDE } = await dist('face/extract.js');
const importMs = cpuMs() - c0;

const tmp = mkdtempSync(join(tmpdir(), 'mmprep-profile-face-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
let file = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : null;
if (!file) {
  file = join(tmp, 'moving_640x480.mp4');
  // The bench's clip (scripts/bench-face.mjs makeVideo at 640x480, 6 s).
  execFileSync(ffmpegBinaries().ffmpeg.path, [
    '-nostdin', '-y', '-v', 'error', '-loop', '1', '-i', join(ROOT, 'fixtures', 'face', 'astronaut.png'),
    '-filter_complex',
    "color=c=gray:s=640x480:r=30:d=6[bg];[0]scale=298:298,rotate=a='0.3*sin(2*PI*t/3)':c=gray[f];[bg][f]overlay=x='(W-w)/2+91*sin(2*PI*t/4)':y='(H-h)/2+30*sin(2*PI*t/5)':shortest=1",
    '-t', '6', '-c:v', 'libx264', '-crf', '23', '-pix_fmt', 'yuv420p', file,
  ]);
}
console.log(`mmprep face CPU profile: ${file}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}${process.env.MMPREP_FACE_TF_CROP === '1' ? "; MMPREP_FACE_TF_CROP=1 (Human's own crop kernels)" : ''}`);

const frames = [];
const dec = await VideoDecoder.open(file, { maxSide: DEFAULT_INFERENCE_SIDE });
for await (const f of dec) {
  frames.push({ data: f.data, width: f.width, height: f.height });
  if (frames.length >= arg('--frames', Infinity)) break;
}

const setup = { backend: 'wasm', maxFaces: 1, detectorMinConfidence: 0.1, stages: process.argv.includes('--description') ? { description: true } : undefined };

if (process.argv.includes('--startup')) {
  await startupProfile(setup);
  process.exit(0);
}

/**
 * --startup: what one engine (one worker's share) costs before it reaches its steady rate, on the clip's first frames.
 * Thread CPU from /proc/thread-self/schedstat (ns; this thread only), process CPU from process.cpuUsage (this thread
 * plus V8's background threads, which compile hot JavaScript with TurboFan and mark the heap): their difference is the
 * background work. Prints FaceEngine.create (tfjs, Human's bundle, WASM, models), each
 * model's first call against its call on the first tracked frame / next detector frame, and CPU ms per frame of each
 * block of DETECT_EVERY frames (the clip is looped until --blocks N blocks, default 24).
 */
async function startupProfile(setup) {
  const threadMs = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  const both = () => ({ thread: threadMs(), proc: cpuMs() });
  const since = (a) => {
    const b = both();
    return `${(b.thread - a.thread).toFixed(0)} | ${(b.proc - a.proc - (b.thread - a.thread)).toFixed(0)}`;
  };
  // tfjs's packages are loaded by FaceEngine.create (their ES2017 builds for the wasm backend: backend.ts).
  let t = both();
  const engine = await FaceEngine.create(setup);
  const rows = [["FaceEngine.create: tfjs (ES2017 builds), Human's bundle, WASM backend, four models", since(t)]];
  const calls = {};
  for (const [name, m] of Object.entries(engine.human.models.models)) {
    if (!m?.execute) continue;
    const execute = m.execute.bind(m);
    m.execute = (...a) => {
      const t0 = threadMs();
      const r = execute(...a);
      for (const x of Array.isArray(r) ? r : [r]) x.dataSync();
      (calls[name] ??= []).push(threadMs() - t0);
      return r;
    };
  }
  const blocks = arg('--blocks', 24);
  const perBlock = [];
  for (let b = 0; b < blocks; b++) {
    t = both();
    for (let k = 0; k < DETECT_EVERY; k++) {
      const i = (b * DETECT_EVERY + k) % frames.length;
      await engine.analyse({ ...frames[i], redetect: k === 0 });
    }
    const [th, bg] = since(t).split(' | ').map(Number);
    perBlock.push(`${(th / DETECT_EVERY).toFixed(1)}+${(bg / DETECT_EVERY).toFixed(1)}`);
  }
  console.log('\nStart-up of one engine in this thread (CPU ms: this thread | V8 background threads):');
  for (const [what, v] of rows) console.log(`- ${what}: ${v}`);
  console.log(`\nModel calls, thread CPU ms: frame 1 (first call) / frame 2 / frame ${DETECT_EVERY + 1} (blazeface: frame 1 / frame ${DETECT_EVERY + 1}, the next detector frame)`);
  for (const [name, v] of Object.entries(calls)) {
    const later = name === 'blazeface' ? [v[1]] : [v[1], v[DETECT_EVERY]];
    console.log(`- ${name}: ${[v[0], ...later].map((x) => x?.toFixed(1)).join(' / ')}`);
  }
  console.log(`\nCPU ms per frame of each block of ${DETECT_EVERY} frames (this thread + background threads), blocks 1-${blocks}:`);
  console.log(perBlock.join(' '));
}
let c = cpuMs();
const engine = await FaceEngine.create(setup);
const createMs = cpuMs() - c;
const stats = new Map();
const count = (name, fn) => {
  const s = stats.get(name) ?? { n: 0, ms: 0 };
  stats.set(name, s);
  return (...a) => {
    const t = cpuMs();
    const r = fn(...a);
    s.n++;
    s.ms += cpuMs() - t;
    return r;
  };
};
for (const [name, m] of Object.entries(engine.human.models.models)) {
  if (!m?.execute) continue;
  const execute = m.execute.bind(m);
  // Reading the outputs makes the kernels run inside the count (tfjs-backend-wasm runs them at once anyway).
  m.execute = count(name, (...a) => {
    const r = execute(...a);
    for (const t of Array.isArray(r) ? r : [r]) t.dataSync();
    return r;
  });
}
const g = globalThis;
if (g.__mmprepRotateCrop) g.__mmprepRotateCrop = count('rotated crop (crop.ts)', g.__mmprepRotateCrop);
else engine.human.tf.image.rotateWithOffset = count('rotateWithOffset (Human, whole frame)', engine.human.tf.image.rotateWithOffset);

const analyse = (i) => engine.analyse({ ...frames[i], redetect: i % DETECT_EVERY === 0 });
c = cpuMs();
await analyse(0);
const firstMs = cpuMs() - c;
for (const s of stats.values()) Object.assign(s, { n: 0, ms: 0 });
c = cpuMs();
let detections = 0;
for (let i = 1; i < frames.length; i++) detections += (await analyse(i)).detections ?? 0;
const n = frames.length - 1;
const perFrame = (cpuMs() - c) / n;

console.log(`\nStart-up, one Human instance in this thread (CPU ms): modules ${importMs.toFixed(0)}, FaceEngine.create (bundle, WASM, models) ${createMs.toFixed(0)}, first frame ${firstMs.toFixed(0)} (steady frame ${perFrame.toFixed(1)})`);
console.log(`\nPer frame, one thread, frames 2-${frames.length} (detector on ${detections} of ${n}):`);
console.log('| part | runs per frame | CPU ms per run | CPU ms per frame |');
console.log('| --- | ---: | ---: | ---: |');
let parts = 0;
for (const [name, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms)) {
  parts += s.ms / n;
  console.log(`| ${name} | ${(s.n / n).toFixed(3)} | ${(s.ms / Math.max(1, s.n)).toFixed(2)} | ${(s.ms / n).toFixed(2)} |`);
}
console.log(`| rest (frame upload, Human's JavaScript and small kernels, contrasts) | - | - | ${(perFrame - parts).toFixed(2)} |`);
console.log(`| **total** | - | - | **${perFrame.toFixed(2)}** |`);

if (!process.argv.includes('--no-e2e')) {
  const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const childCpuS = () => {
    const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(f[13]) + Number(f[14])) / CLK_TCK;
  };
  const run = (args) => {
    const before = childCpuS();
    const t = performance.now();
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'mmprep.js'), 'face', file, '-o', join(tmp, 'out.jsonl'), ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return { cpuS: childCpuS() - before, wallS: (performance.now() - t) / 1000 };
  };
  const startup = run(['--workers', '2', '--end', String(0.5 / 30)]);
  const whole = run(['--workers', '2']);
  const total = frames.length;
  console.log(`\nEnd to end, \`mmprep face\` with 2 workers (CPU of the process tree, user + sys; wall clock only as a hint on a loaded machine):`);
  console.log(`- first frame only (start-up): ${startup.cpuS.toFixed(2)} CPU s (${startup.wallS.toFixed(2)} s wall)`);
  console.log(`- ${total} frames: ${whole.cpuS.toFixed(2)} CPU s, ${((1000 * whole.cpuS) / total).toFixed(1)} CPU ms per frame, ${((1000 * (whole.cpuS - startup.cpuS)) / (total - 1)).toFixed(1)} without start-up (${whole.wallS.toFixed(2)} s wall, ${(total / whole.wallS).toFixed(1)} fps)`);
}
