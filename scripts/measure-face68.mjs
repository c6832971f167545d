#!/usr/bin/env node
/**
 * Measures mmprep's 68-point subset of the face mesh against dlib's 68-point shape predictor (iBUG 300-W model,
 * Debian libdlib-data) and prints the NME per region (mean point distance / dlib's outer-eye-corner distance 36-45).
 *
 * Material (all rendered here, deterministic; dlib and mmprep see the same pixels):
 *   A  astronaut.png (public domain, ../shared/media/faces or fixtures/face) at face widths 40-400 px, in-plane
 *      rotation to +-45 degrees, mirrored, box blur, low light with noise, H.264 CRF 35: split into A-even (used to
 *      choose mesh indices) and A-odd;
 *   B  held out (played no part in choosing): frames of OpenCV's sample Megamind.avi and messi5.jpg (Debian
 *      opencv-doc, /usr/share/doc/opencv-doc/examples/data), and their mirror images.
 * It compares the subset documented before (v0), the jaw the issue suggested, and the indices fitted here (per dlib
 * point, the mesh point with the least mean normalised distance on A-even), and prints the fitted table.
 *
 * Usage: npm run build && node scripts/measure-face68.mjs [--write-fixture]
 *   --write-fixture also writes fixtures/face/dlib68-reference.json: dlib's points on the frames test/face-quality
 *   renders from fixtures/face/astronaut.png (RENDERS below), with provenance.
 * Needs g++ and libdlib-dev/libdlib-data (apt-get install libdlib-dev libdlib-data) and ffmpeg.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { boxBlur, decodeRgb, lowLight, renderSimilarity } from './face-render.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { extractFace } = await import(join(ROOT, 'dist', 'face', 'index.js'));
const { ffmpegBinaries } = await import(join(ROOT, 'dist', 'media', 'ffmpeg-path.js'));
const { DLIB68_FROM_MESH, DLIB68_FROM_MESH_V0 } = await import(join(ROOT, 'dist', 'face', 'landmarks68.js'));
const FFMPEG = ffmpegBinaries().ffmpeg.path;
const DLIB_MODEL = '/usr/share/dlib/shape_predictor_68_face_landmarks.dat';
const OPENCV_DATA = '/usr/share/doc/opencv-doc/examples/data';
const W = 720;
const H = 528;
/** Astronaut face box centre and width in astronaut.png (dlib's box [175, 76, 265, 166]). */
const FACE = { x: 220, y: 121, w: 90 };

export const REGIONS68 = {
  jaw: range(0, 17),
  brows: range(17, 27),
  nose: range(27, 36),
  eyes: range(36, 48),
  mouth: range(48, 68),
};
function range(a, b) {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

/** Renders that the committed test makes from fixtures/face/astronaut.png (the fixture's dlib points). */
export const RENDERS = [
  { name: 'frontal-200', scale: 200 / 90, rotation_deg: 0, mirror: false },
  { name: 'rot-25-150', scale: 150 / 90, rotation_deg: 25, mirror: false },
  { name: 'mirror-rot-15-250', scale: 250 / 90, rotation_deg: -15, mirror: true },
  { name: 'frontal-100', scale: 100 / 90, rotation_deg: 0, mirror: false },
];
export const renderTransform = (r, w = W, h = H) => ({ scale: r.scale, rotation_deg: r.rotation_deg, mirror: r.mirror, sx: FACE.x, sy: FACE.y, ox: w / 2, oy: h / 2 });

function astronautFrames(src) {
  const frames = [];
  const add = (name, t, post) => {
    let img = renderSimilarity(src, 512, 512, W, H, { sx: FACE.x, sy: FACE.y, ox: W / 2, oy: H / 2, mirror: false, rotation_deg: 0, ...t });
    if (post) img = post(img);
    frames.push({ set: 'A', name, img });
  };
  for (const fw of [40, 60, 80, 100, 130, 160, 200, 250, 320, 400]) add(`size-${fw}`, { scale: fw / FACE.w });
  for (const rot of [-45, -35, -25, -15, -5, 5, 15, 25, 35, 45]) add(`rot${rot}`, { scale: 2 + (rot + 45) / 90 });
  for (const rot of [-20, -10, 0, 10, 20]) add(`mirror-rot${rot}`, { scale: 1.8 + rot / 40, mirror: true });
  for (const r of [1, 2, 3, 4]) add(`blur${r}`, { scale: 2.5, rotation_deg: 4 * r - 10 }, (img) => boxBlur(img, W, H, r));
  for (const g of [0.2, 0.3, 0.45]) add(`dark${g}`, { scale: 2.2, rotation_deg: 10 - 20 * g }, (img) => lowLight(img, g, 10, Math.round(g * 100)));
  return frames;
}

/** H.264 CRF 35 round trip (through this ffmpeg's libx264) of some astronaut renders. */
function crf35(src) {
  const ts = [0, 1, 2, 3, 4, 5].map((k) => ({ sx: FACE.x, sy: FACE.y, ox: W / 2 + 10 * k, oy: H / 2, mirror: k % 2 === 1, rotation_deg: 6 * k - 15, scale: 1.2 + 0.35 * k }));
  const raw = Buffer.concat(ts.map((t) => renderSimilarity(src, 512, 512, W, H, t)));
  const enc = spawnSync(FFMPEG, ['-nostdin', '-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-r', '10', '-i', '-', '-c:v', 'libx264', '-crf', '35', '-pix_fmt', 'yuv420p', '-f', 'matroska', '-'], { input: raw, maxBuffer: 1 << 30 });
  const dec = spawnSync(FFMPEG, ['-nostdin', '-v', 'error', '-f', 'matroska', '-i', '-', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { input: enc.stdout, maxBuffer: 1 << 30 });
  return ts.map((_, k) => ({ set: 'A', name: `crf35-${k}`, img: dec.stdout.subarray(k * W * H * 3, (k + 1) * W * H * 3) }));
}

function mirrorImg(img) {
  const out = Buffer.alloc(img.length);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) img.copy(out, 3 * (y * W + (W - 1 - x)), 3 * (y * W + x), 3 * (y * W + x) + 3);
  return out;
}

function heldOutFrames() {
  const frames = [];
  if (!existsSync(join(OPENCV_DATA, 'Megamind.avi'))) {
    console.error(`note: ${OPENCV_DATA} missing (apt-get install opencv-doc): no held-out set`);
    return frames;
  }
  const mm = execFileSync(FFMPEG, ['-nostdin', '-v', 'error', '-i', join(OPENCV_DATA, 'Megamind.avi'), '-vf', `select=not(mod(n\\,10)),scale=${W}:${H}`, '-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 });
  for (let k = 0; k * W * H * 3 < mm.length; k++) {
    const img = mm.subarray(k * W * H * 3, (k + 1) * W * H * 3);
    frames.push({ set: 'B', name: `megamind-${k * 10}`, img });
    frames.push({ set: 'B', name: `megamind-${k * 10}-mirror`, img: mirrorImg(img) });
  }
  const messi = execFileSync(FFMPEG, ['-nostdin', '-v', 'error', '-i', join(OPENCV_DATA, 'messi5.jpg'), '-vf', `scale=${W}:-2,pad=${W}:${H}:0:(oh-ih)/2:gray`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 28 });
  frames.push({ set: 'B', name: 'messi5', img: messi }, { set: 'B', name: 'messi5-mirror', img: mirrorImg(messi) });
  return frames;
}

function runDlib(dir, frames) {
  const bin = join(dir, 'dlib68');
  const cflags = execFileSync('pkg-config', ['--cflags', '--libs', 'dlib-1'], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean);
  execFileSync('g++', ['-O2', '-o', bin, join(ROOT, 'scripts', 'dlib68.cpp'), ...cflags]);
  const files = frames.map((f, i) => {
    const p = join(dir, `f${String(i).padStart(4, '0')}.png`);
    execFileSync(FFMPEG, ['-nostdin', '-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-i', '-', '-frames:v', '1', p], { input: f.img });
    return p;
  });
  const out = execFileSync(bin, [DLIB_MODEL, ...files], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return out.trim().split('\n').map((l) => JSON.parse(l).faces);
}

async function runMmprep(dir, frames) {
  const video = join(dir, 'all.mkv');
  // Lossless FFV1: mmprep decodes exactly the pixels dlib read from the PNGs.
  const r = spawnSync(FFMPEG, ['-nostdin', '-y', '-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-r', '1', '-i', '-', '-c:v', 'ffv1', '-pix_fmt', 'bgr0', video], { input: Buffer.concat(frames.map((f) => f.img)), maxBuffer: 2 ** 31 });
  if (r.status !== 0) throw new Error(String(r.stderr));
  const out = join(dir, 'all.jsonl');
  await extractFace(video, { out, maxFaces: 3, workers: 1 });
  return readFileSync(out, 'utf8').trim().split('\n').map((l) => {
    const rec = JSON.parse(l);
    return rec.face_found ? [rec, ...rec.faces] : [];
  });
}

const dist = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1]);

/** Pairs each dlib face with the mmprep face whose mesh centroid is nearest its box centre (within half a box). */
function pairs(dlibFaces, meshFaces) {
  const out = [];
  for (const d of dlibFaces) {
    const c = [(d.box[0] + d.box[2]) / 2, (d.box[1] + d.box[3]) / 2];
    let best = null;
    for (const m of meshFaces) {
      const lm = m.landmarks;
      const mc = [lm.reduce((s, p) => s + p[0], 0) / lm.length, lm.reduce((s, p) => s + p[1], 0) / lm.length];
      const e = dist(c, mc);
      if (e < 0.5 * (d.box[2] - d.box[0]) && (!best || e < best.e)) best = { e, m };
    }
    if (best) out.push({ dlib: d.points, mesh: best.m.landmarks, iod: dist(d.points[36], d.points[45]) });
  }
  return out;
}

function nmeTable(ps, map) {
  const row = {};
  for (const [region, idx] of Object.entries(REGIONS68)) {
    let s = 0;
    let n = 0;
    let worst = 0;
    for (const p of ps) {
      for (const j of idx) {
        const e = dist(p.mesh[map[j]], p.dlib[j]) / p.iod;
        s += e;
        n++;
        worst = Math.max(worst, e);
      }
    }
    row[region] = { mean: n ? s / n : null, max: worst };
  }
  let s = 0;
  for (const p of ps) for (let j = 0; j < 68; j++) s += dist(p.mesh[map[j]], p.dlib[j]) / p.iod;
  row.all = { mean: ps.length ? s / ps.length / 68 : null };
  return row;
}

/** Mirror partner of each mesh point, from the mesh's canonical UV layout (Human's facemeshcoords.ts UV468). */
function meshMirror() {
  const text = readFileSync(join(ROOT, 'node_modules', '@vladmandic', 'human', 'src', 'face', 'facemeshcoords.ts'), 'utf8');
  const block = text.slice(text.indexOf('export const UV468'), text.indexOf('];', text.indexOf('export const UV468')));
  const uv = [...block.matchAll(/\[\s*([0-9.e-]+)\s*,\s*([0-9.e-]+)\s*\]/g)].map((m) => [Number(m[1]), Number(m[2])]);
  if (uv.length !== 468) throw new Error(`UV468: ${uv.length} points`);
  return uv.map(([u, v]) => {
    let best = 0;
    let bestD = Infinity;
    uv.forEach(([a, b], j) => {
      const d = Math.hypot(a - (1 - u), b - v);
      if (d < bestD) {
        bestD = d;
        best = j;
      }
    });
    return best;
  });
}

/** dlib 68-point mirror partners (subject's right <-> left; midline points map to themselves). */
const DLIB_MIRROR = (() => {
  const m = range(0, 68);
  const pair = (a, b) => {
    m[a] = b;
    m[b] = a;
  };
  for (let j = 0; j < 8; j++) pair(j, 16 - j);
  for (let j = 0; j < 5; j++) pair(17 + j, 26 - j);
  pair(31, 35);
  pair(32, 34);
  [[36, 45], [37, 44], [38, 43], [39, 42], [40, 47], [41, 46], [48, 54], [49, 53], [50, 52], [55, 59], [56, 58], [60, 64], [61, 63], [65, 67]].forEach(([a, b]) => pair(a, b));
  return m;
})();

/**
 * Per dlib point j, the mesh point i whose mirror serves j's mirror: i minimises the summed mean normalised distance
 * err(i, j) + err(mirror(i), mirror(j)), so the subset is left/right symmetric (midline points: i and its mirror).
 */
function fitSymmetric(ps, mirror) {
  const err = (i, j) => {
    let s = 0;
    for (const p of ps) s += dist(p.mesh[i], p.dlib[j]) / p.iod;
    return s;
  };
  const E = range(0, 68).map((j) => range(0, 468).map((i) => err(i, j)));
  const map = new Array(68).fill(-1);
  for (let j = 0; j < 68; j++) {
    if (map[j] !== -1) continue;
    const jm = DLIB_MIRROR[j];
    let best = -1;
    let bestE = Infinity;
    for (let i = 0; i < 468; i++) {
      if (jm === j && mirror[i] !== i && i > mirror[i]) continue;
      const e = E[j][i] + E[jm][mirror[i]];
      if (e < bestE) {
        bestE = e;
        best = i;
      }
    }
    map[j] = best;
    if (jm !== j) map[jm] = mirror[best];
  }
  return map;
}

function fit(ps) {
  const map = [];
  for (let j = 0; j < 68; j++) {
    let best = -1;
    let bestE = Infinity;
    for (let i = 0; i < 468; i++) {
      let s = 0;
      for (const p of ps) s += dist(p.mesh[i], p.dlib[j]) / p.iod;
      if (s < bestE) {
        bestE = s;
        best = i;
      }
    }
    map.push(best);
  }
  return map;
}

async function main() {
  const writeFixture = process.argv.includes('--write-fixture');
  const srcFile = existsSync(join(ROOT, '..', 'shared', 'media', 'faces', 'astronaut.png')) ? join(ROOT, '..', 'shared', 'media', 'faces', 'astronaut.png') : join(ROOT, 'fixtures', 'face', 'astronaut.png');
  const src = decodeRgb(FFMPEG, srcFile);
  const frames = [...astronautFrames(src), ...crf35(src), ...heldOutFrames()];
  const fixtureSrc = decodeRgb(FFMPEG, join(ROOT, 'fixtures', 'face', 'astronaut.png'));
  const fixtureFrames = RENDERS.map((r) => ({ set: 'F', name: r.name, img: renderSimilarity(fixtureSrc, 512, 512, W, H, renderTransform(r)) }));
  const all = [...frames, ...fixtureFrames];
  const dir = mkdtempSync(join(tmpdir(), 'mmprep-face68-'));
  try {
    // FACE68_CACHE=file keeps dlib's and mmprep's results between runs (the script spends minutes on them).
    const cache = process.env.FACE68_CACHE;
    let dl;
    let mp;
    if (cache && existsSync(cache)) ({ dl, mp } = JSON.parse(readFileSync(cache, 'utf8')));
    else {
      dl = runDlib(dir, all);
      mp = await runMmprep(dir, all);
      if (cache) writeFileSync(cache, JSON.stringify({ dl, mp }));
    }
    const sets = { 'A-even': [], 'A-odd': [], 'B-even': [], 'B-odd': [], F: [] };
    const fixturePoints = [];
    let aIndex = 0;
    all.forEach((f, k) => {
      const ps = pairs(dl[k], mp[k]);
      if (f.set === 'A') {
        sets[aIndex++ % 2 === 0 ? 'A-even' : 'A-odd'].push(...ps);
      } else if (f.set === 'B') {
        // Split held-out film frames by source frame (a frame and its mirror image go to the same half).
        const k = Number(/-(\d+)/.exec(f.name)?.[1] ?? 0) / 10;
        sets[k % 2 === 0 ? 'B-even' : 'B-odd'].push(...ps);
      } else sets[f.set].push(...ps);
      if (f.set === 'F') fixturePoints.push({ render: f.name, dlib_faces: dl[k].length, points: dl[k][0]?.points ?? null });
    });
    const counts = Object.fromEntries(Object.entries(sets).map(([k, v]) => [k, v.length]));
    console.log(`frames: ${all.length} (A ${aIndex}, B ${frames.length - aIndex}, F ${fixtureFrames.length}); face pairs (dlib and mmprep both found): ${JSON.stringify(counts)}`);
    const mirror = meshMirror();
    const fitted = fit(sets['A-even']);
    const fittedSym = fitSymmetric([...sets['A-even'], ...sets['B-even']], mirror);
    const issueJaw = [127, 93, 132, 58, 172, 136, 149, 148, 152, 377, 378, 365, 397, 288, 361, 323, 356];
    const withIssueJaw = [...issueJaw, ...DLIB68_FROM_MESH_V0.slice(17)];
    const humanVtx = [127, 234, 132, 58, 172, 150, 149, 148, 152, 377, 378, 379, 397, 288, 361, 454, 356, 70, 63, 105, 66, 107, 336, 296, 334, 293, 300, 168, 6, 195, 4, 98, 97, 2, 326, 327, 33, 160, 158, 133, 153, 144, 362, 385, 387, 263, 373, 380, 57, 40, 37, 0, 267, 270, 287, 321, 314, 17, 84, 91, 78, 81, 13, 311, 308, 402, 14, 178];
    const maps = {
      'v0 (documented before)': DLIB68_FROM_MESH_V0,
      'issue jaw + v0': withIssueJaw,
      "Human's VTX68": humanVtx,
      'fit A-even': fitted,
      'sym. fit A+B-even': fittedSym,
      'shipped DLIB68_FROM_MESH': DLIB68_FROM_MESH,
    };
    console.log('\nNME per region: mean (max) of |mesh - dlib| / dlib IOD(36-45), in %');
    console.log(['set', 'subset', ...Object.keys(REGIONS68), 'all'].map((s) => s.padEnd(s === 'subset' ? 28 : 14)).join(''));
    for (const [setName, ps] of Object.entries(sets)) {
      for (const [mapName, map] of Object.entries(maps)) {
        const t = nmeTable(ps, map);
        const cells = Object.keys(REGIONS68).map((r) => `${(100 * t[r].mean).toFixed(1)} (${(100 * t[r].max).toFixed(0)})`.padEnd(14));
        console.log([setName.padEnd(14), mapName.padEnd(28), ...cells, (100 * t.all.mean).toFixed(2)].join(''));
      }
    }
    console.log(`\nsymmetric fit on A-even + B-even: ${JSON.stringify(fittedSym)}`);
    const changed = fittedSym.map((m, j) => (m !== DLIB68_FROM_MESH_V0[j] ? `${j}:${DLIB68_FROM_MESH_V0[j]}->${m}` : null)).filter(Boolean);
    console.log(`differs from v0 at: ${changed.join(' ')}`);
    if (writeFixture) {
      const fixture = {
        about: 'dlib 19.24 shape_predictor_68_face_landmarks.dat (Debian libdlib-data; HOG frontal detector, one up-sampling) on frames rendered from fixtures/face/astronaut.png (public domain) by scripts/face-render.mjs renderSimilarity with the transforms below (720x528, source face centre (220, 121) to the frame centre). Points are dlib pixel coordinates (integers). Made by `node scripts/measure-face68.mjs --write-fixture`.',
        width: W,
        height: H,
        renders: RENDERS.map((r, k) => ({ ...r, transform: renderTransform(r), dlib_points: fixturePoints[k].points })),
      };
      writeFileSync(join(ROOT, 'fixtures', 'face', 'dlib68-reference.json'), JSON.stringify(fixture) + '\n');
      console.log('wrote fixtures/face/dlib68-reference.json');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
