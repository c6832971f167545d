#!/usr/bin/env node
/**
 * Can Human's iris model be mirror-averaged at test time (run each eye crop and its left-right flip, flip the second
 * result back, average)? Only if the model labels its points by anatomy: then point i of the flipped crop's result,
 * flipped back, lies where point i of the crop's own result does. This runs the model both ways on the eye crops of
 * three faces (fixtures/face/astronaut.png; face_swapped.jpg and messi5.jpg from Debian's opencv-doc when installed), at
 * two sizes and mirrored (src/face/iris.ts 'mirror' mode, with its captured raw outputs), and prints, per model point,
 * which points of the flipped-back result lie nearest (votes), and the mean distance at the same index, in pixels of
 * the model's 64-pixel crop. docs/face.md "Gaze" has the result (2026-11-30).
 * Usage: npm run build && node scripts/measure-iris-mirror.mjs
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeRgb, renderSimilarity } from './face-render.mjs';

process.env.MMPREP_IRIS_MODE = 'mirror';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { FaceEngine } = await import(join(ROOT, 'dist', 'face', 'engine.js'));
const { ffmpegBinaries } = await import(join(ROOT, 'dist', 'media', 'ffmpeg-path.js'));
const { IRIS_MODEL_POINTS } = await import(join(ROOT, 'dist', 'face', 'iris.js'));
const { ffmpeg, ffprobe } = ffmpegBinaries();
const W = 720;
const H = 528;
const files = [join(ROOT, 'fixtures', 'face', 'astronaut.png'), '/usr/share/doc/opencv-doc/opencv4/html/face_swapped.jpg', '/usr/share/doc/opencv-doc/examples/data/messi5.jpg'].filter(existsSync);

const engine = await FaceEngine.create({ backend: 'wasm', maxFaces: 1, detectorMinConfidence: 0.2 });
const captured = (globalThis.__mmprepIrisCapture = []);
for (const f of files) {
  const rgb = decodeRgb(ffmpeg.path, f);
  const [w, h] = String(spawnSync(ffprobe.path, ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', f]).stdout).trim().split(',').map(Number);
  for (const mirror of [false, true]) {
    for (const zoom of [1, 1.5]) {
      const s = Math.min(W / w, H / h) * zoom;
      const img = renderSimilarity(rgb, w, h, W, H, { sx: w / 2, sy: h / 2, ox: W / 2, oy: H / 2, scale: s, rotation_deg: 0, mirror });
      await engine.analyse({ data: new Uint8Array(img), width: W, height: H, redetect: true });
    }
  }
}
// Rows 0-1: Human's two crops; rows 2-3: the same crops flipped (iris.ts installIrisHook).
const N = IRIS_MODEL_POINTS * 3;
const votes = Array.from({ length: IRIS_MODEL_POINTS }, () => new Map());
const same = Array.from({ length: IRIS_MODEL_POINTS }, () => []);
for (const v of captured) {
  for (const eye of [0, 1]) {
    const at = (row, i) => [v[row * N + 3 * i], v[row * N + 3 * i + 1]];
    const back = (i) => {
      const [x, y] = at(eye + 2, i);
      return [64 - x, y];
    };
    for (let i = 0; i < IRIS_MODEL_POINTS; i++) {
      const a = at(eye, i);
      let best = -1;
      let bd = Infinity;
      for (let j = 0; j < IRIS_MODEL_POINTS; j++) {
        const b = back(j);
        const d = Math.hypot(a[0] - b[0], a[1] - b[1]);
        if (d < bd) [bd, best] = [d, j];
      }
      votes[i].set(best, (votes[i].get(best) ?? 0) + 1);
      const b = back(i);
      same[i].push(Math.hypot(a[0] - b[0], a[1] - b[1]));
    }
  }
}
const mean = (a) => a.reduce((s, x) => s + x, 0) / a.length;
console.log(`${captured.length} frames, ${2 * captured.length} eye crops; per model point: mean distance at the same index (64-px crop) and the nearest points of the flipped-back result (index x votes)`);
for (let i = 0; i < IRIS_MODEL_POINTS; i++) {
  const v = [...votes[i]].sort((a, b) => b[1] - a[1]).map(([j, c]) => `${j}x${c}`).join(' ');
  console.log(`${String(i).padStart(2)} ${i < 71 ? 'contour' : 'iris   '} same index ${mean(same[i]).toFixed(1)} px; nearest ${v}`);
}
const contour = same.slice(0, 71).flat();
console.log(`contour points: same index ${mean(contour).toFixed(1)} px on average; corners (0, 8) ${mean([...same[0], ...same[8]]).toFixed(1)} px; iris centre (71) ${mean(same[71]).toFixed(1)} px`);
