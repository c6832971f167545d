#!/usr/bin/env node
/**
 * Measures what the face quality checks are calibrated on, and prints it:
 *   plausibility  features of every mesh above --min-confidence (plausibility check off) on non-faces (tuning: OpenCV's
 *                 baboon.jpg and 19 variants, generated patterns) and on human material (tuning: astronaut.png renders,
 *                 OpenCV's Megamind.avi, vtest.avi and messi5.jpg, fixtures/face/transform.mp4), then on the held-out
 *                 and fresh sets of scripts/face-plausibility-material.mjs: src/face/plausibility.ts must pass every
 *                 human mesh and reject every non-face. The figures and verdicts are the product's own (extractFace's
 *                 onPlausibility: the check's mesh, z in crop units, and the cheek texture on the inference picture);
 *   visibility    region contrast of uncovered and covered regions (flat and textured patches over an eye, a brow, the
 *                 mouth) and of an eye drawn closed;
 *   roll          yaw/pitch/roll and the gimbal flag over in-plane rotations to 180 degrees;
 *   gaze          gaze angles when the irises of the portrait are moved by known amounts, and on mirror images.
 * OpenCV's samples come from Debian's opencv-doc (apt-get install opencv-doc): nothing of them is committed.
 * Usage: npm run build && node scripts/measure-face-quality.mjs [plausibility|visibility|roll|gaze|write-nonface-fixture ...]
 *   (PLAUSIBILITY_MIN_CONFIDENCE=0.3 lowers the threshold for every set in `plausibility`)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { boxBlur, decodeRgb, fillEllipse, lowLight, renderSimilarity, warpDisc } from './face-render.mjs';
import { material } from './face-plausibility-material.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { extractFace } = await import(join(ROOT, 'dist', 'face', 'index.js'));
const { ffmpegBinaries } = await import(join(ROOT, 'dist', 'media', 'ffmpeg-path.js'));
const { plausibilityFeatures, PLAUSIBLE, POSE_BOUNDS, implausibility } = await import(join(ROOT, 'dist', 'face', 'plausibility.js'));
const { skinContrast } = await import(join(ROOT, 'dist', 'face', 'visibility.js'));
const FFMPEG = ffmpegBinaries().ffmpeg.path;
const OPENCV = '/usr/share/doc/opencv-doc/examples/data';
const W = 720;
const H = 528;
const FACE = { x: 220, y: 121 };

const ast = decodeRgb(FFMPEG, join(ROOT, 'fixtures', 'face', 'astronaut.png'));
const astAt = (t) => renderSimilarity(ast, 512, 512, W, H, { sx: FACE.x, sy: FACE.y, ox: W / 2, oy: H / 2, mirror: false, rotation_deg: 0, scale: 2, ...t });

function raw(file, vf) {
  return execFileSync(FFMPEG, ['-nostdin', '-v', 'error', '-i', file, '-vf', vf, '-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 });
}
const split = (buf) => Array.from({ length: Math.floor(buf.length / (W * H * 3)) }, (_, k) => buf.subarray(k * W * H * 3, (k + 1) * W * H * 3));
const fit = `scale=${W}:${H}:force_original_aspect_ratio=decrease,pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2:gray`;

async function analyse(frames, opts = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mmprep-faceq-'));
  try {
    const video = join(dir, 'v.mkv');
    const r = spawnSync(FFMPEG, ['-nostdin', '-y', '-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-r', '1', '-i', '-', '-c:v', 'ffv1', '-pix_fmt', 'bgr0', video], { input: Buffer.concat(frames), maxBuffer: 2 ** 31 });
    if (r.status !== 0) throw new Error(String(r.stderr));
    const out = join(dir, 'o.jsonl');
    await extractFace(video, { out, workers: 1, maxFaces: 3, plausibility: false, ...opts });
    return readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const facesOf = (rec) => (rec.face_found ? [rec, ...rec.faces] : []);
const flat = (lm) => Float64Array.from(lm.flat());

function nonFaceFrames() {
  const b = join(OPENCV, 'baboon.jpg');
  const variants = {
    'baboon': fit,
    'baboon-mirror': `hflip,${fit}`,
    'baboon-small': `scale=256:256,${fit.replace(/^scale=[^,]+,/, '')}`,
    'baboon-crop': `crop=360:360:76:40,${fit}`,
    'baboon-rot20': `rotate=20*PI/180:fillcolor=gray,${fit}`,
    'baboon-rot-20': `rotate=-20*PI/180:fillcolor=gray,${fit}`,
    'baboon-blur': `gblur=sigma=3,${fit}`,
    'baboon-dark': `eq=brightness=-0.3:contrast=0.6,${fit}`,
    'baboon-gray': `format=gray,format=rgb24,${fit}`,
    'baboon-noise': `noise=alls=30:allf=t,${fit}`,
  };
  // The issue's sizes: the picture at 120-700 px in the frame, and rotated by 45 degrees.
  for (const s of [120, 180, 260, 360, 480, 600, 700]) variants[`baboon-${s}px`] = `scale=${s}:${s},pad=${Math.max(W, s)}:${Math.max(H, s)}:(ow-iw)/2:(oh-ih)/2:gray,crop=${W}:${H}`;
  for (const a of [-45, 45, 90]) variants[`baboon-rot${a}`] = `rotate=${a}*PI/180:fillcolor=gray,${fit}`;
  const frames = Object.entries(variants).map(([name, vf]) => ({ name, img: raw(b, vf) }));
  const pat = (name, f) => {
    const img = Buffer.alloc(W * H * 3);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) img.fill(f(x, y), 3 * (y * W + x), 3 * (y * W + x) + 3);
    frames.push({ name, img });
  };
  pat('checker', (x, y) => ((Math.floor(x / 40) + Math.floor(y / 40)) % 2 ? 230 : 30));
  pat('noise', (x, y) => ((x * 7919 + y * 104729 + ((x * y) % 97) * 31) % 256));
  for (const p of [8, 15, 25]) pat(`rings-${p}`, (x, y) => (Math.floor(Math.hypot(x - W / 2, y - H / 2) / p) % 2 ? 220 : 40));
  pat('checker-small', (x, y) => ((Math.floor(x / 12) + Math.floor(y / 12)) % 2 ? 230 : 30));
  pat('stripes', (x, y) => (Math.floor(x / 20) % 2 ? 210 : 50));
  pat('gradient-blobs', (x, y) => Math.round(128 + 60 * Math.sin(x / 37) * Math.cos(y / 23) + 40 * Math.sin((x + y) / 51)));
  // Two dark discs and a bar: the most schematic "face".
  pat('smiley', (x, y) => (Math.hypot(x - 300, y - 220) < 25 || Math.hypot(x - 420, y - 220) < 25 || (Math.abs(y - 340) < 10 && Math.abs(x - 360) < 80) ? 30 : 200));
  return frames;
}

function humanFrames() {
  const frames = [];
  for (const fw of [50, 80, 130, 200, 300, 400]) frames.push({ name: `astronaut-${fw}px`, img: astAt({ scale: fw / 90 }) });
  for (const rot of [-45, -30, 30, 45]) frames.push({ name: `astronaut-rot${rot}`, img: astAt({ rotation_deg: rot }) });
  frames.push({ name: 'astronaut-mirror', img: astAt({ mirror: true, scale: 2.5 }) });
  frames.push({ name: 'astronaut-blur', img: boxBlur(astAt({ scale: 2.5 }), W, H, 3) });
  frames.push({ name: 'astronaut-dark', img: lowLight(astAt({ scale: 2.5 }), 0.25, 10) });
  if (existsSync(OPENCV)) {
    split(raw(join(OPENCV, 'Megamind.avi'), `select=not(mod(n\\,5)),${fit}`)).forEach((img, k) => frames.push({ name: `megamind-${k * 5}`, img }));
    split(raw(join(OPENCV, 'vtest.avi'), `select=not(mod(n\\,40)),${fit}`)).forEach((img, k) => frames.push({ name: `vtest-${k * 40}`, img }));
    frames.push({ name: 'messi5', img: raw(join(OPENCV, 'messi5.jpg'), fit) });
  }
  split(raw(join(ROOT, 'fixtures', 'face', 'transform.mp4'), fit)).forEach((img, k) => frames.push({ name: `transform-${k}`, img }));
  return frames;
}

/**
 * Features and verdict of every face found (check off) on a set of frames, as the product computes them: extractFace's
 * onPlausibility hands over each candidate's figures (on the mesh the check reads: inference pixels, z in the mesh
 * model's crop units; the records' landmarks carry z on the x, y pixel scale, so ratios taken from them are not the
 * check's) and the cheek texture measured on the inference picture.
 */
async function plausibilityRows(frames, minConfidence) {
  const rows = [];
  await analyse(frames.map((f) => f.img), { minConfidence, onPlausibility: (c) => rows.push({ ...c, name: frames[c.frame].name, det: c.det_score, mesh: c.mesh_score }) });
  return rows;
}

/**
 * Every set at one --min-confidence (PLAUSIBILITY_MIN_CONFIDENCE, default 0.5; the older NONFACE_MIN_CONFIDENCE is
 * taken too): non-face meshes kept and human meshes rejected per set, with the cases named.
 */
async function plausibility() {
  const mc = Number(process.env.PLAUSIBILITY_MIN_CONFIDENCE ?? process.env.NONFACE_MIN_CONFIDENCE ?? 0.5);
  const more = material(FFMPEG, W, H, astAt);
  const sets = [
    ['tuning', 'non-face', nonFaceFrames()],
    ['tuning', 'human', humanFrames()],
    ['held-out', 'non-face', more.heldoutNonFaces()],
    ['held-out', 'human', more.heldoutHumans()],
    ['fresh', 'non-face', more.freshNonFaces()],
    ['fresh', 'human', more.freshHumans()],
  ];
  const keys = [...Object.keys(PLAUSIBLE), 'asymmetry', 'eye_width_ratio', 'yaw_proxy', 'skin'];
  const fmt = (r) => `${r.name.slice(0, 34).padEnd(34)} det ${r.det.toFixed(2)} mesh ${r.mesh.toFixed(2)} ` + keys.map((k) => `${k} ${r[k]?.toFixed(3)}`).join(' ') + (r.why ? `  REJECTED (${r.why})` : '  kept');
  const summary = [];
  const humans = [];
  for (const [split, kind, frames] of sets) {
    const rows = await plausibilityRows(frames, mc);
    const wrong = rows.filter((r) => (kind === 'human' ? r.why : !r.why));
    for (const r of kind === 'non-face' ? rows : wrong) console.log(`${split} ${kind} ${fmt(r)}`);
    if (kind === 'human') humans.push(...rows);
    summary.push(`${split.padEnd(8)} ${kind.padEnd(8)} ${frames.length} frames, ${rows.length} meshes: ${kind === 'human' ? 'rejected' : 'kept'} ${wrong.length}` + (wrong.length ? ` (${wrong.map((r) => r.name).join(', ')})` : ''));
  }
  for (const k of keys) {
    const v = humans.map((r) => r[k]).filter((x) => x !== null && x !== undefined).sort((a, b) => a - b);
    const q = (p) => v[Math.min(v.length - 1, Math.round(p * (v.length - 1)))];
    console.log(`human (all sets) ${k.padEnd(18)} min ${q(0).toFixed(3)} p1 ${q(0.01).toFixed(3)} median ${q(0.5).toFixed(3)} p99 ${q(0.99).toFixed(3)} max ${q(1).toFixed(3)}`);
  }
  console.log(`\nPlausibility check at --min-confidence ${mc} (check off while measuring; the verdict is what it would do):`);
  for (const l of summary) console.log(l);
}

const pt = (lm, i) => lm[i];
const mid = (lm, a, b) => [(lm[a][0] + lm[b][0]) / 2, (lm[a][1] + lm[b][1]) / 2];
const dst = (p, q) => Math.hypot(p[0] - q[0], p[1] - q[1]);

/** Occluders over regions of the frontal render (scale 2.5): placed from the uncovered frame's landmarks. */
async function visibility() {
  const base = astAt({ scale: 2.5 });
  const [ref] = await analyse([base]);
  const lm = ref.landmarks;
  const skin = [196, 150, 130];
  const eyeR = mid(lm, 33, 133);
  const eyeL = mid(lm, 362, 263);
  const ew = dst(pt(lm, 33), pt(lm, 133));
  const mouth = mid(lm, 61, 291);
  const mw = dst(pt(lm, 61), pt(lm, 291));
  const browR = mid(lm, 70, 107);
  const bw = dst(pt(lm, 70), pt(lm, 107));
  const frames = {
    uncovered: base,
    'eye_right flat skin': fillEllipse(base, W, H, eyeR[0], eyeR[1], 0.9 * ew, 0.6 * ew, skin),
    'eye_right textured skin': fillEllipse(base, W, H, eyeR[0], eyeR[1], 0.9 * ew, 0.6 * ew, skin, 12),
    'eye_right grey card': fillEllipse(base, W, H, eyeR[0], eyeR[1], 0.9 * ew, 0.6 * ew, [120, 120, 120]),
    'eye_left flat skin': fillEllipse(base, W, H, eyeL[0], eyeL[1], 0.9 * ew, 0.6 * ew, skin),
    'both eyes flat skin': fillEllipse(fillEllipse(base, W, H, eyeL[0], eyeL[1], 0.9 * ew, 0.6 * ew, skin), W, H, eyeR[0], eyeR[1], 0.9 * ew, 0.6 * ew, skin),
    'mouth flat skin': fillEllipse(base, W, H, mouth[0], mouth[1], 0.8 * mw, 0.5 * mw, skin),
    'brow_right flat skin': fillEllipse(base, W, H, browR[0], browR[1], 0.8 * bw, 0.35 * bw, skin),
    // An eye drawn closed: skin over the eye with a dark lash line along the lower lid.
    'eye_right drawn closed': (() => {
      let img = fillEllipse(base, W, H, eyeR[0], eyeR[1], 0.7 * ew, 0.4 * ew, skin, 4);
      img = fillEllipse(img, W, H, eyeR[0], eyeR[1] + 0.05 * ew, 0.55 * ew, 0.05 * ew, [40, 30, 30]);
      return img;
    })(),
    'low light uncovered': lowLight(base, 0.25, 8),
    'blur uncovered': boxBlur(base, W, H, 2),
  };
  const recs = await analyse(Object.values(frames), { maxFaces: 1 });
  console.log('\nVisibility (record fields) and blink per frame:');
  Object.keys(frames).forEach((name, k) => {
    const r = recs[k];
    if (!r.face_found) return console.log(`${name.padEnd(26)} no face`);
    const v = ['eye_right', 'eye_left', 'brow_right', 'brow_left', 'mouth'].map((x) => `${x} ${r['visibility_' + x]}`).join(' ');
    console.log(`${name.padEnd(26)} ${v}  ear ${r.ear_right}/${r.ear_left} blink ${r.blink} (${r.blink_null_reason}) mesh ${r.mesh_score}`);
  });
}

async function roll() {
  const rolls = [0, 30, 60, 65, 70, 75, 80, 85, 90, 95, 100, 120, 150, 180, -60, -75, -85, -90, -100];
  const recs = await analyse(rolls.map((r) => astAt({ rotation_deg: r, scale: 1.8 })), { maxFaces: 1 });
  console.log('\nRoll sweep (render rotation, clockwise positive): yaw/pitch/roll_deg, gimbal flag');
  rolls.forEach((rot, k) => {
    const r = recs[k];
    console.log(`${String(rot).padStart(5)}  ${r.face_found ? `yaw ${r.yaw_deg} pitch ${r.pitch_deg} roll ${r.roll_deg} lock ${r.pose_gimbal_lock}` : 'no face'}`);
  });
}

async function gaze() {
  const scale = 3;
  const base = astAt({ scale });
  const [ref] = await analyse([base]);
  const lm = ref.landmarks;
  const irisR = lm[473];
  const irisL = lm[468];
  const rIris = (dst(lm[473], lm[474]) + dst(lm[468], lm[469])) / 2;
  const io3 = Math.hypot(lm[33][0] - lm[263][0], lm[33][1] - lm[263][1], lm[33][2] - lm[263][2]);
  const eyeballPx = (12 * io3) / 90;
  console.log(`\nGaze: iris centres ${irisR.slice(0, 2)} ${irisL.slice(0, 2)} (render px), iris radius ${rIris.toFixed(1)} px, eyeball radius ${eyeballPx.toFixed(1)} px; baseline angles x ${ref.gaze_angle_x_rad} y ${ref.gaze_angle_y_rad}`);
  const shifts = [[-4, 0], [-2, 0], [2, 0], [4, 0], [0, -2], [0, 2]];
  const frames = [];
  for (const [dx, dy] of shifts) {
    let img = warpDisc(base, W, H, irisR[0], irisR[1], 1.1 * rIris, 1.8 * rIris, dx, dy);
    img = warpDisc(img, W, H, irisL[0], irisL[1], 1.1 * rIris, 1.8 * rIris, dx, dy);
    frames.push(img);
  }
  const mirror = (img) => {
    const out = Buffer.alloc(img.length);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) img.copy(out, 3 * (y * W + (W - 1 - x)), 3 * (y * W + x), 3 * (y * W + x) + 3);
    return out;
  };
  const recs = await analyse([...frames, ...frames.map(mirror), mirror(base)], { maxFaces: 1 });
  const n = shifts.length;
  console.log(`mirror of the unshifted render: x ${recs[2 * n].gaze_angle_x_rad} y ${recs[2 * n].gaze_angle_y_rad}`);
  shifts.forEach(([dx, dy], k) => {
    const r = recs[k];
    const m = recs[n + k];
    const want = [Math.asin(dx / eyeballPx), Math.asin(dy / eyeballPx)];
    console.log(`shift (${dx}, ${dy}) px: expected change (${want[0].toFixed(3)}, ${want[1].toFixed(3)}) rad; got x ${r.gaze_angle_x_rad} y ${r.gaze_angle_y_rad} (change ${(r.gaze_angle_x_rad - ref.gaze_angle_x_rad).toFixed(3)}, ${(r.gaze_angle_y_rad - ref.gaze_angle_y_rad).toFixed(3)}); mirrored x ${m.gaze_angle_x_rad} y ${m.gaze_angle_y_rad}; vis ${r.visibility_eye_right}/${r.visibility_eye_left}`);
  });
}

/**
 * fixtures/face/nonface-meshes.json (numbers only; the pictures are not committed), from the tuning and held-out sets at
 * --min-confidence 0.3 with the check off: `meshes`, the non-face meshes the check rejects, and `human_meshes`, turned
 * human faces (|yaw_proxy| > 0.45) that only the pose allowance keeps, each with the cheek texture measured on its frame.
 */
async function writeNonfaceFixture() {
  const { writeFileSync } = await import('node:fs');
  const more = material(FFMPEG, W, H, astAt);
  const keep = (frames, recs, test) =>
    frames.flatMap((f, k) =>
      facesOf(recs[k]).flatMap((face) => {
        // The verdict on the numbers as stored (rounded), so that the test sees what the filter saw.
        const landmarks = face.landmarks.slice(0, 468).map((p) => p.map((v) => Math.round(v * 10) / 10));
        const r4 = (v) => (v === null ? null : Math.round(v * 1e4) / 1e4);
        const skin = r4(skinContrast(f.img, W, H, flat(face.landmarks)));
        const m = flat(landmarks);
        const why = implausibility(m, face.det_bbox_px, skin);
        if (!test(why, plausibilityFeatures(m, face.det_bbox_px))) return [];
        return [{ name: f.name, det_score: face.det_score, mesh_score: face.mesh_score, det_bbox_px: face.det_bbox_px, skin_contrast: skin, rejected_for: why, landmarks }];
      }),
    );
  const non = [...nonFaceFrames(), ...more.heldoutNonFaces()];
  const meshes = keep(non, await analyse(non.map((f) => f.img), { minConfidence: 0.3 }), (why) => why !== null);
  const hum = more.heldoutHumans().filter((f) => /^(dlib-|ocv-basketball)/.test(f.name));
  const turned = (why, f) => why === null && Math.abs(f.yaw_proxy) > 0.45 && (f.asymmetry > POSE_BOUNDS.asymmetry.base || Math.abs(Math.log(f.eye_width_ratio)) > POSE_BOUNDS.log_eye_width_ratio.base);
  const human_meshes = keep(hum, await analyse(hum.map((f) => f.img), { minConfidence: 0.3 }), turned);
  const about = 'Face meshes (468 points, source pixels of a 720x528 frame) that Human 3.3.6 returned with --min-confidence 0.3 and the plausibility check off. `meshes`: on variants of OpenCV sample data baboon.jpg (Debian opencv-doc; OpenCV samples licence), generated patterns and pictures without human faces (opencv-doc, libdlib19.1 examples dogs.jpg, python3-skimage data), each rejected by the check (`rejected_for`). `human_meshes`: turned human faces in dlib example photos (PASCAL VOC) and OpenCV basketball frames, kept only thanks to the pose allowance. skin_contrast: the cheek texture measured on the frame. Numbers only, no picture. Made by `node scripts/measure-face-quality.mjs write-nonface-fixture`.';
  writeFileSync(join(ROOT, 'fixtures', 'face', 'nonface-meshes.json'), JSON.stringify({ about, meshes, human_meshes }) + '\n');
  console.log(`wrote fixtures/face/nonface-meshes.json: ${meshes.length} non-face meshes, ${human_meshes.length} turned human meshes`);
  for (const m of meshes) console.log(`  non-face ${m.name}: ${m.rejected_for}`);
  for (const m of human_meshes) console.log(`  human ${m.name}`);
}

export { nonFaceFrames, humanFrames, astAt, analyse, W, H };

const what = process.argv.slice(2);
const want = (k) => what.length === 0 || what.includes(k);
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (want('plausibility')) await plausibility();
  if (want('visibility')) await visibility();
  if (want('roll')) await roll();
  if (want('gaze')) await gaze();
  if (what.includes('write-nonface-fixture')) await writeNonfaceFixture();
}
