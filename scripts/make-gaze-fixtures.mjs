#!/usr/bin/env node
/**
 * Writes fixtures/face/gaze-synthetic.json: where test/face-gaze.test.ts draws synthetic eyes of known rotation
 * (scripts/face-render.mjs drawEye) into renders of fixtures/face/astronaut.png. Per scene: the render's similarity
 * transform and both eyes' opening (eye contour), eyeball centre and radius in frame pixels, taken as
 * scripts/measure-gaze.mjs takes them (OpenFace's eyeball placement from the face mmprep finds on the render without
 * the synthetic eyes). The scenes are among measure-gaze's held-out ones (sizes and head rotations that played no part
 * in fitting src/face/gaze.ts GAZE_CALIBRATION). Numbers only: the test renders the pixels itself (deterministic JS).
 *
 * Usage: npm run build && node scripts/make-gaze-fixtures.mjs
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeRgb, renderSimilarity } from './face-render.mjs';
import { analyseFresh, eyeGeometry, faces, H, locate, W } from './measure-gaze.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { ffmpegBinaries } = await import(join(ROOT, 'dist', 'media', 'ffmpeg-path.js'));
const SCENES = [
  { name: 'io140', io: 140, rot: 0 },
  { name: 'io140-rot-20', io: 140, rot: -20 },
];

const src = decodeRgb(ffmpegBinaries().ffmpeg.path, join(ROOT, 'fixtures', 'face', 'astronaut.png'));
const [ast] = faces().filter((f) => f.name === 'astronaut');
await locate([ast]);
const scenes = SCENES.map((s) => ({ ...s, transform: { sx: ast.eyeMid[0], sy: ast.eyeMid[1], ox: W / 2, oy: H / 2 - 20, scale: s.io / ast.io, rotation_deg: s.rot, mirror: false } }));
const recs = await analyseFresh(scenes.map((s) => renderSimilarity(src, 512, 512, W, H, s.transform)));
const r2 = (v) => Math.round(v * 100) / 100;
const out = scenes.map((s, k) => {
  const geo = eyeGeometry(recs[k]);
  const eye = (e) => ({ opening: e.opening.map((p) => p.map(r2)), centre: e.centre.map(r2), radius: r2(e.radius) });
  return { name: s.name, transform: s.transform, right: eye(geo.right), left: eye(geo.left) };
});
const about =
  'Synthetic-eye scenes for test/face-gaze.test.ts: similarity transforms of fixtures/face/astronaut.png into a 720x528 frame and, per eye, the opening (eye contour), eyeball centre and radius (frame px) where the test draws eyeballs of known rotation (scripts/face-render.mjs drawEye). Made by `node scripts/make-gaze-fixtures.mjs` from the face mmprep finds on each render (OpenFace eyeball placement, scripts/measure-gaze.mjs).';
writeFileSync(join(ROOT, 'fixtures', 'face', 'gaze-synthetic.json'), JSON.stringify({ about, width: W, height: H, look: { iris: [92, 70, 58], sclera: [222, 214, 208], seed: 1 }, scenes: out }, null, 1) + '\n');
console.log(`wrote fixtures/face/gaze-synthetic.json: ${out.length} scenes`);
