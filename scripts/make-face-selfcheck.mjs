#!/usr/bin/env node
/**
 * Writes src/face/selfcheck-frame.ts: the frame of the start-up orientation check (src/face/selfcheck.ts) and the
 * landmarks the wasm backend finds on it. The frame is fixtures/face/astronaut.png rendered at 144 x 144 (zoom 0.6:
 * outer-eye-corner distance ~35 px; turned 15 degrees clockwise, its eye midpoint left of and above the frame's
 * centre, at (56, 66), so that the picture mirrored, turned or transposed puts every checked point elsewhere (a centred
 * upright face mirrored is the same face); scripts/face-render.mjs, the same pixels with any ffmpeg build), in grey
 * levels (BlazeFace: det 0.86, mesh 1.0; the rgb render gives the same points within a pixel), deflated: ~17 kB,
 * ~23 kB as base64.
 *
 * Usage: npm run build && node scripts/make-face-selfcheck.mjs && npm run build
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeRgb, renderSimilarity } from './face-render.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { FaceEngine } = await import(join(ROOT, 'dist', 'face', 'engine.js'));
const { defaultModelDir } = await import(join(ROOT, 'dist', 'face', 'models.js'));
const { CHECK_POINTS } = await import(join(ROOT, 'dist', 'face', 'selfcheck.js'));
const { correctIris } = await import(join(ROOT, 'dist', 'face', 'gaze.js'));
const { ffmpegBinaries } = await import(join(ROOT, 'dist', 'media', 'ffmpeg-path.js'));

const S = 144;
const src = decodeRgb(ffmpegBinaries().ffmpeg.path, join(ROOT, 'fixtures', 'face', 'astronaut.png'));
const rgb = renderSimilarity(src, 512, 512, S, S, { sx: 225, sy: 125, ox: 56, oy: 66, scale: 0.6, rotation_deg: 15, mirror: false });
const gray = Buffer.alloc(S * S);
for (let i = 0; i < S * S; i++) gray[i] = Math.round(0.299 * rgb[3 * i] + 0.587 * rgb[3 * i + 1] + 0.114 * rgb[3 * i + 2]);
const data = new Uint8Array(S * S * 3);
for (let i = 0; i < S * S; i++) data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = gray[i];

const engine = await FaceEngine.create({ backend: 'wasm', modelDir: defaultModelDir(), maxFaces: 1, detectorMinConfidence: 0.1, selfCheck: false });
const r = await engine.analyse({ data, width: S, height: S, redetect: true });
if (r.faces.length !== 1 || r.faces[0].mesh.length < 478 * 3) throw new Error(`expected one face with 478 points, got ${r.faces.length}`);
const f = r.faces[0];
const mesh = Float64Array.from(f.mesh);
correctIris(mesh, f.iris_mode ?? 'human');
const points = Object.fromEntries(CHECK_POINTS.map(([k]) => [String(k), [mesh[3 * k], mesh[3 * k + 1]]]));
const b64 = deflateSync(gray, { level: 9 }).toString('base64');
const text = `/**
 * The start-up check's frame (selfcheck.ts): fixtures/face/astronaut.png at 144 x 144, turned 15 degrees and off
 * centre, in grey levels, deflated, and
 * the wasm backend's landmarks on it (det ${f.det_score}, mesh ${f.mesh_score.toFixed(3)}). Written by
 * \`node scripts/make-face-selfcheck.mjs\`; do not edit by hand.
 */
import type { CheckFrame } from './selfcheck.js';

export const CHECK_FRAME: CheckFrame = {
  width: ${S},
  height: ${S},
  points: ${JSON.stringify(points)},
  gray_deflate_base64:
    '${b64}',
};
`;
writeFileSync(join(ROOT, 'src', 'face', 'selfcheck-frame.ts'), text);
console.log(`wrote src/face/selfcheck-frame.ts: ${b64.length} base64 characters, det ${f.det_score}, mesh ${f.mesh_score.toFixed(3)}, points ${JSON.stringify(points)}`);
