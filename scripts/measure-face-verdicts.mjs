#!/usr/bin/env node
/**
 * Every face candidate the plausibility check judges, re-judged by two builds on the same meshes: `dump` runs the face
 * pipeline once (check off, extractFace's onPlausibility hands over each candidate's mesh, box, scores, cheek texture
 * and colour and the frame's colour) on
 *   - the tuning, held-out and fresh splits of `node scripts/measure-face-quality.mjs plausibility`, at
 *     --min-confidence 0.5 and 0.3 (scripts/face-plausibility-material.mjs);
 *   - every frame of OpenCV's Megamind.avi (animated film faces, blue skin), the robot clip of
 *     scripts/make-face-robot.mjs (ml.png) at 0.5 and 0.3, OpenCV's basketball1/2.png at 1x, 2x and 3x (640x480 up);
 *   - every 3rd (COLOUR_EVERY) human frame of the three splits altered by ffmpeg colour filters: saturation 0.2, sepia, tungsten (2700 K) and
 *     cool (12000 K) colour temperature, a green cast, dim (brightness -0.3, contrast 0.5), grey (a black-and-white
 *     camera);
 *   - a black-and-white photo held in view: the astronaut (fixtures/face/astronaut.png) grey, pasted on colour pictures;
 * and writes them to DIR/candidates.jsonl (one line a candidate, the mesh in full). `judge BEFORE_DIST` reads that file
 * and prints, per set, how many candidates each build keeps, every candidate whose verdict differs, and each set's
 * smallest margin to the colour bound (plausibility.ts GREY_FACE_*), from this build's dist/ and BEFORE_DIST (a copy
 * of an earlier build's dist/ folder).
 *
 * Usage: npm run build && node scripts/make-face-robot.mjs DIR && node scripts/measure-face-verdicts.mjs dump DIR
 *        node scripts/measure-face-verdicts.mjs judge DIR BEFORE_DIST
 * Needs Debian's opencv-doc and libdlib19.1 (their examples); python3-skimage's pictures are used when installed.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OPENCV = '/usr/share/doc/opencv-doc/examples/data';
const [mode, dir, beforeDist, afterDist = join(ROOT, 'dist')] = process.argv.slice(2);
if (!['dump', 'judge'].includes(mode) || !dir || (mode === 'judge' && !beforeDist)) throw new Error('usage: measure-face-verdicts.mjs dump DIR | judge DIR BEFORE_DIST');

/** Runs extractFace (check off) on a video file; each candidate goes to `take`. */
async function candidates(video, minConfidence, take) {
  const { extractFace } = await import(join(ROOT, 'dist', 'face', 'index.js'));
  const tmp = mkdtempSync(join(tmpdir(), 'mmprep-verdicts-'));
  try {
    await extractFace(video, { out: join(tmp, 'o.jsonl'), workers: 1, maxFaces: 3, plausibility: false, minConfidence, onPlausibility: take });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Frames (rgb24, w x h) through ffmpeg's `vf` (null: as they are) into a lossless clip at 1 fps; returns its path. */
function clipOf(ffmpeg, frames, w, h, vf, tmp) {
  const video = join(tmp, 'v.mkv');
  const args = ['-nostdin', '-y', '-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${w}x${h}`, '-r', '1', '-i', '-'];
  const r = spawnSync(ffmpeg, [...args, ...(vf ? ['-vf', vf] : []), '-c:v', 'ffv1', '-pix_fmt', 'bgr0', video], { input: Buffer.concat(frames), maxBuffer: 2 ** 31 });
  if (r.status !== 0) throw new Error(String(r.stderr));
  return video;
}

async function dump() {
  const q = await import('./measure-face-quality.mjs');
  const { material } = await import('./face-plausibility-material.mjs');
  const { ffmpegBinaries } = await import(join(ROOT, 'dist', 'media', 'ffmpeg-path.js'));
  const FFMPEG = ffmpegBinaries().ffmpeg.path;
  rmSync(join(dir, 'candidates.jsonl'), { force: true });
  const more = material(FFMPEG, q.W, q.H, q.astAt);
  const write = (set, kind, mc, names) => (c) => {
    const row = { set, kind, mc, name: names ? names[c.frame] : `${set}-${c.frame}`, frame: c.frame, det: c.det_score, mesh_score: c.mesh_score, yaw: c.yaw, box: c.box, skin: c.skin, look: c.look, frame_chroma: c.frame_chroma, crop_px: c.crop_px ?? null, mesh: Array.from(c.mesh) };
    appendFileSync(join(dir, 'candidates.jsonl'), `${JSON.stringify(row)}\n`);
  };
  const tmp = mkdtempSync(join(tmpdir(), 'mmprep-verdicts-'));
  const frameSet = async (set, kind, mc, frames, w = q.W, h = q.H, vf = null) => {
    if (frames.length === 0) return;
    const t0 = process.cpuUsage();
    await candidates(clipOf(FFMPEG, frames.map((f) => f.img), w, h, vf, tmp), mc, write(set, kind, mc, frames.map((f) => f.name)));
    const cpu = process.cpuUsage(t0);
    console.log(`${set} ${kind} at ${mc}: ${frames.length} frames (${((cpu.user + cpu.system) / 1e6).toFixed(1)} s main-thread CPU)`);
  };
  try {
    const splits = [
      ['tuning', () => q.nonFaceFrames(), () => q.humanFrames()],
      ['held-out', () => more.heldoutNonFaces(), () => more.heldoutHumans()],
      ['fresh', () => more.freshNonFaces(), () => more.freshHumans()],
    ];
    for (const mc of [0.5, 0.3]) await candidates(join(dir, 'robot_pan.mp4'), mc, write('robot', 'non-face', mc));
    for (const f of ['basketball1.png', 'basketball2.png']) {
      for (const s of [1, 2, 3]) {
        const [w, h] = [640 * s, 480 * s];
        const img = spawnSync(FFMPEG, ['-nostdin', '-v', 'error', '-i', join(OPENCV, f), '-vf', `scale=${w}:${h}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 28 }).stdout;
        await frameSet(`basketball-${s}x`, 'human', 0.5, [{ name: `${f}-${s}x`, img }], w, h);
      }
    }
    const bw = [];
    for (const bg of ['fruits.jpg', 'HappyFish.jpg', 'starry_night.jpg', 'orange.jpg', 'home.jpg', 'messi5.jpg']) {
      const vf = `[0:v]scale=${q.W}:${q.H}[bg];[1:v]format=gray,format=rgb24,scale=300:300[p];[bg][p]overlay=210:114`;
      const img = spawnSync(FFMPEG, ['-nostdin', '-v', 'error', '-i', join(OPENCV, bg), '-i', join(ROOT, 'fixtures', 'face', 'astronaut.png'), '-filter_complex', vf, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 28 }).stdout;
      bw.push({ name: `bw-photo-on-${bg}`, img });
    }
    await frameSet('bw-photo', 'photo', 0.5, bw);
    const humans = [];
    for (const [split, non, hum] of splits) {
      await frameSet(split, 'non-face', 0.5, non());
      const h = hum();
      await frameSet(split, 'human', 0.5, h);
      humans.push(...h);
    }
    await candidates(join(OPENCV, 'Megamind.avi'), 0.5, write('megamind-all', 'human', 0.5));
    // The colour-altered sets take every COLOUR_EVERY-th human frame of the three splits (CPU: 7 filters).
    const every = Number(process.env.COLOUR_EVERY ?? 3);
    const some = humans.filter((_, k) => k % every === 0);
    const filters = {
      sat02: 'eq=saturation=0.2',
      sepia: 'colorchannelmixer=.393:.769:.189:0:.349:.686:.168:0:.272:.534:.131',
      tungsten: 'colortemperature=temperature=2700',
      cool: 'colortemperature=temperature=12000',
      green: 'colorchannelmixer=rr=0.8:gg=1.0:bb=0.8',
      dim: 'eq=brightness=-0.3:contrast=0.5',
      grey: 'format=gray,format=rgb24',
    };
    for (const [k, vf] of Object.entries(filters)) await frameSet(`colour-${k}`, 'human', 0.5, some.map((f) => ({ ...f, name: `${f.name}-${k}` })), q.W, q.H, vf);
    for (const [split, non, hum] of splits) {
      await frameSet(split, 'non-face', 0.3, non());
      await frameSet(split, 'human', 0.3, hum());
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function judge() {
  const after = await import(join(afterDist, 'face', 'plausibility.js'));
  const before = await import(join(beforeDist, 'face', 'plausibility.js'));
  const sets = new Map();
  const rl = createInterface({ input: (await import('node:fs')).createReadStream(join(dir, 'candidates.jsonl')) });
  for await (const line of rl) {
    const c = JSON.parse(line);
    const scores = { det: c.det, mesh: c.mesh_score, yaw: c.yaw };
    const colour = { look: c.look, frame: c.frame_chroma, crop_px: c.crop_px };
    const wasWhy = before.implausibility(c.mesh, c.box, c.skin, scores, colour);
    const nowWhy = after.implausibility(c.mesh, c.box, c.skin, scores, colour);
    const key = `${c.set} ${c.kind} ${c.mc}`;
    const s = sets.get(key) ?? { n: 0, keptBefore: 0, keptAfter: 0, changed: [], margin: Infinity, marginAt: '' };
    s.n++;
    if (!wasWhy) s.keptBefore++;
    if (!nowWhy) s.keptAfter++;
    if (!wasWhy !== !nowWhy) s.changed.push(`${c.name} det ${c.det.toFixed(2)} mesh ${c.mesh_score.toFixed(2)}: ${wasWhy ?? 'kept'} -> ${nowWhy ?? 'kept'}`);
    const m = after.greyFaceMargin ? after.greyFaceMargin(colour) : null;
    if (m !== null && m < s.margin) [s.margin, s.marginAt] = [m, c.name];
    sets.set(key, s);
  }
  console.log('set kind min_confidence: candidates, kept before -> after, smallest margin to the grey-face bound (this build)');
  for (const [key, s] of sets) {
    console.log(`${key}: ${s.n} candidates, kept ${s.keptBefore} -> ${s.keptAfter}, margin ${Number.isFinite(s.margin) ? `${s.margin.toFixed(4)} (${s.marginAt})` : '-'}`);
    for (const l of s.changed) console.log(`   changed: ${l}`);
  }
}

if (mode === 'dump') {
  if (!existsSync(join(dir, 'robot_pan.mp4'))) throw new Error(`${dir}/robot_pan.mp4 missing: node scripts/make-face-robot.mjs ${dir}`);
  await dump();
} else await judge();
process.exit(0);
