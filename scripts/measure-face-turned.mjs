#!/usr/bin/env node
/**
 * Faces turned in the picture plane past 90 degrees: is the face found, and is its mesh on the right facial parts?
 * For each picture and zoom, a 400 x 400 lossless video (FFV1) holds the upright render, then for every angle a
 * black frame and the render turned by that angle three times (a detector frame and two tracked frames: the black
 * frame before is a scene cut, src/face/pool.ts). Rendered in JavaScript (scripts/face-render.mjs) about the face's
 * centre, so the true landmarks are the upright render's turned by the angle. A face counts as wrong when eye corners,
 * nose tip and mouth corners (33, 263, 1, 61, 291) lie more than 0.15 of the upright IOD off on average.
 * Pictures: fixtures/face/astronaut.png and, when Debian's opencv-doc is installed, OpenCV's face_swapped.jpg,
 * messi5.jpg (its largest face) and a frame of Megamind.avi (nothing of them is committed).
 *
 * Usage: npm run build && node scripts/measure-face-turned.mjs [--from 90] [--to 270] [--step 5] [--dist DIR]
 *   --dist: the build to measure (default dist/ of this checkout; e.g. another worktree's dist to compare).
 * Prints one line per angle with a wrong face or a miss, and per picture the count of right, wrong and missed frames.
 *   --contested: instead, every frame on the detector in this thread (FaceEngine), and every contested face (two
 *   opposite readings, a lead under ORIENTATION_CONFIRM, src/face/orientation.ts) listed with the arbitration's outcome
 *   (engine.ts arbitrate: reading kept, swapped for the other, or face left out) and whether the face is then right.
 *   --dump FILE: append the records of the faces found right past 90 degrees to FILE (JSON lines, with `set`).
 *   --pictures a,b: only these pictures (astronaut, face_swapped, messi5, megamind-24); --zooms 1,2: these zooms.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeRgb, forwardSimilarity, renderSimilarity } from './face-render.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
};
const DIST = resolve(arg('--dist', join(ROOT, 'dist')));
/** --dump FILE: the records of the faces found right past 90 degrees appended to FILE as JSON lines (to measure a check on). */
const DUMP = arg('--dump', null);
const { extractFace } = await import(join(DIST, 'face', 'index.js'));
const { ffmpegBinaries } = await import(join(DIST, 'media', 'ffmpeg-path.js'));
const FFMPEG = ffmpegBinaries().ffmpeg.path;
const OPENCV_HTML = '/usr/share/doc/opencv-doc/opencv4/html';
const OPENCV_DATA = '/usr/share/doc/opencv-doc/examples/data';
const W = 400;
const H = 400;
const WRONG_IOD = 0.15;
const POINTS = [33, 263, 1, 61, 291];

/** Picture, its face centre (source pixels) and the zooms measured. */
function pictures() {
  const out = [{ name: 'astronaut', file: join(ROOT, 'fixtures', 'face', 'astronaut.png'), sx: 225, sy: 150, zooms: [0.6, 1.1, 1.6] }];
  if (existsSync(OPENCV_HTML)) out.push({ name: 'face_swapped', file: join(OPENCV_HTML, 'face_swapped.jpg'), sx: 155, sy: 135, zooms: [0.9, 1.0, 1.2, 1.4] });
  if (existsSync(OPENCV_DATA)) {
    out.push({ name: 'messi5', file: join(OPENCV_DATA, 'messi5.jpg'), sx: 240, sy: 115, zooms: [3, 4] });
    out.push({ name: 'megamind-24', file: join(OPENCV_DATA, 'Megamind.avi'), frame: 24, sx: 324, sy: 282, zooms: [0.8, 1.2] });
  }
  return out;
}

function decode(p) {
  const args = ['-nostdin', '-v', 'error', '-i', p.file, '-vf', `select=eq(n\\,${p.frame ?? 0})`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'];
  const probe = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', p.file], { encoding: 'utf8' });
  const [w, h] = probe.trim().split(',').map(Number);
  return p.frame === undefined ? { data: decodeRgb(FFMPEG, p.file), w, h } : { data: execFileSync(FFMPEG, args, { maxBuffer: 1 << 28 }), w, h };
}

async function records(frames) {
  const dir = mkdtempSync(join(tmpdir(), 'mmprep-turned-'));
  try {
    const video = join(dir, 'v.mkv');
    const r = spawnSync(FFMPEG, ['-nostdin', '-y', '-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-r', '1', '-i', '-', '-c:v', 'ffv1', '-pix_fmt', 'bgr0', video], { input: Buffer.concat(frames), maxBuffer: 2 ** 31 });
    if (r.status !== 0) throw new Error(String(r.stderr));
    const out = join(dir, 'o.jsonl');
    const summary = await extractFace(video, { out, workers: 1, maxFaces: 1 });
    return { recs: readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l)), summary };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Mean distance of the checked points from the upright face's turned by `t`, in upright IODs. */
function offIod(rec, up, base, t) {
  const iod = Math.hypot(up.landmarks[33][0] - up.landmarks[263][0], up.landmarks[33][1] - up.landmarks[263][1]);
  let e = 0;
  for (const i of POINTS) {
    const src = [base.sx + (up.landmarks[i][0] - base.ox) / base.scale, base.sy + (up.landmarks[i][1] - base.oy) / base.scale];
    const q = forwardSimilarity(t, src[0], src[1]);
    e += Math.hypot(rec.landmarks[i][0] - q[0], rec.landmarks[i][1] - q[1]);
  }
  return e / (POINTS.length * iod);
}

async function sweep(p, img, zoom, angles) {
  const base = { sx: p.sx, sy: p.sy, ox: W / 2, oy: H / 2, mirror: false, scale: zoom, rotation_deg: 0 };
  const black = Buffer.alloc(W * H * 3);
  const frames = [black, renderSimilarity(img.data, img.w, img.h, W, H, base)];
  for (const a of angles) {
    const r = renderSimilarity(img.data, img.w, img.h, W, H, { ...base, rotation_deg: a });
    frames.push(black, r, r, r);
  }
  const { recs, summary } = await records(frames);
  const up = recs[1];
  const label = `${p.name} zoom ${zoom}`;
  if (!up.face_found) return console.log(`${label}: no face upright, skipped`);
  const n = { right: 0, wrong: 0, none: 0 };
  angles.forEach((a, k) => {
    const cells = recs.slice(3 + 4 * k, 6 + 4 * k).map((rec) => {
      if (!rec.face_found) return (n.none++, 'none');
      const e = offIod(rec, up, base, { ...base, rotation_deg: a });
      if (e > WRONG_IOD) n.wrong++;
      else n.right++;
      return `${e > WRONG_IOD ? 'WRONG' : 'right'} ${e.toFixed(2)} det ${rec.det_score} mesh ${rec.mesh_score.toFixed(2)} eyes ${rec.visibility_eye_right}/${rec.visibility_eye_left}`;
    });
    if (cells.some((c) => !c.startsWith('right'))) console.log(`${label} ${String(a).padStart(3)} deg: ${cells.join(' | ')}`);
  });
  console.log(`${label}: ${angles.length * 3} frames: right ${n.right}, wrong ${n.wrong}, no face ${n.none}; faces_rejected_orientation ${summary.faces_rejected_orientation}, faces_rejected_implausible ${summary.faces_rejected_implausible}`);
  // The scores of the faces found right with a roll past 90 degrees (what a bound on them would lose).
  const past = recs.slice(3).filter((rec, i) => i % 4 !== 3 && rec.face_found && Math.abs(rec.roll_deg) > 90 && offIod(rec, up, base, { ...base, rotation_deg: angles[Math.floor(i / 4)] }) <= WRONG_IOD);
  const lo = (k) => (past.length ? Math.min(...past.map((rec) => rec[k])).toFixed(2) : '-');
  console.log(`${label}: right past 90 deg ${past.length}: det min ${lo('det_score')}, mesh min ${lo('mesh_score')}, mesh under 0.9 ${past.filter((rec) => rec.mesh_score < 0.9).length}`);
  if (DUMP) appendFileSync(DUMP, past.map((rec) => JSON.stringify({ set: label, ...rec }) + '\n').join(''));
}

/**
 * Frames of one picture and zoom, each on the detector in this thread: every contested face (two opposite readings,
 * a narrow lead: orientation.ts ORIENTATION_CONFIRM) with the reading taken first, the one the arbitration kept (engine.ts
 * arbitrate), and whether the frame's face is then right.
 */
async function contestedSweep(engine, p, img, zoom, angles, found) {
  const base = { sx: p.sx, sy: p.sy, ox: W / 2, oy: H / 2, mirror: false, scale: zoom, rotation_deg: 0 };
  const analyse = (t) => engine.analyse({ data: renderSimilarity(img.data, img.w, img.h, W, H, t), width: W, height: H, redetect: true });
  const upright = (await analyse(base)).faces[0];
  if (!upright) return;
  const up = { landmarks: Array.from({ length: 478 }, (_, i) => [upright.mesh[3 * i], upright.mesh[3 * i + 1]]) };
  for (const a of angles) {
    const t = { ...base, rotation_deg: a };
    engine.probe = [];
    const faces = (await analyse(t)).faces;
    for (const c of engine.probe) {
      const f = faces[0];
      const e = f ? offIod({ landmarks: Array.from({ length: 478 }, (_, i) => [f.mesh[3 * i], f.mesh[3 * i + 1]]) }, up, base, t) : null;
      const row = { name: `${p.name} zoom ${zoom} ${a} deg`, ...c, off_iod: e };
      found.push(row);
      console.log(`${row.name}: taken ${c.taken.toFixed(2)}, other ${c.other.toFixed(2)} -> ${c.outcome}; face ${e === null ? 'none' : `${e > WRONG_IOD ? 'WRONG' : 'right'} ${e.toFixed(2)}`}`);
    }
  }
}

/** A FaceEngine whose arbitrations (engine.ts arbitrate, a private method wrapped) are recorded on `engine.probe`. */
async function probedEngine() {
  const { FaceEngine } = await import(join(DIST, 'face', 'engine.js'));
  const engine = await FaceEngine.create({ backend: 'wasm', maxFaces: 1, detectorMinConfidence: 0.1, minConfidence: 0.5 });
  const arbitrate = engine.arbitrate.bind(engine);
  engine.arbitrate = async (r, config, getBoxes) => {
    const boxes = await arbitrate(r, config, getBoxes);
    for (const c of r.contested) {
      const outcome = boxes.includes(c.taken) ? 'kept' : boxes.includes(c.other) ? 'swapped' : 'left out';
      engine.probe?.push({ taken: c.taken.confidence, other: c.other.confidence, outcome });
    }
    return boxes;
  };
  return engine;
}

const angles = [];
for (let a = Number(arg('--from', 90)); a <= Number(arg('--to', 270)); a += Number(arg('--step', 5))) angles.push(a);
console.log(`build ${DIST}; angles ${angles[0]}-${angles[angles.length - 1]} every ${arg('--step', 5)} deg`);
const contested = process.argv.includes('--contested');
const engine = contested ? await probedEngine() : null;
const found = [];
const only = arg('--pictures', null)?.split(',');
const zooms = arg('--zooms', null)?.split(',').map(Number);
for (const p of pictures().filter((q) => !only || only.includes(q.name))) {
  const img = decode(p);
  for (const zoom of zooms ?? p.zooms) await (engine ? contestedSweep(engine, p, img, zoom, angles, found) : sweep(p, img, zoom, angles));
}
if (engine) {
  const n = (o, wrong) => found.filter((c) => c.outcome === o && (wrong === undefined || (c.off_iod !== null && c.off_iod > WRONG_IOD) === wrong)).length;
  console.log(`contested faces: ${found.length}; kept ${n('kept')} (face wrong after: ${n('kept', true)}), swapped ${n('swapped')} (wrong after: ${n('swapped', true)}), left out ${n('left out')}`);
}
