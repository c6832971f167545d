#!/usr/bin/env node
/**
 * Writes fixtures/face/basketball1-mesh.json: the face mesh Human 3.3.6 (wasm) gives on OpenCV's basketball1.png
 * (Debian opencv-doc; a smiling man, face ~36 px, head turned ~45 degrees) at its own size (640x480), with its detector
 * and mesh scores, Human's yaw, box and cheek texture, for test/face-plausibility-turned.test.ts. ttrial52: the check
 * dropped this real face (face_length_to_iod 0.92 under 1.0) because the mesh places the far eye's outer corner too far
 * out (plausibility.ts FAR_EYE_NOTE). The picture is decoded by the ffmpeg on PATH (Debian's 5.1 when written).
 *
 * Usage: npm run build && node scripts/make-face-trial52.mjs
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { FaceEngine } = await import(join(ROOT, 'dist', 'face', 'engine.js'));
const PICTURE = '/usr/share/doc/opencv-doc/examples/data/basketball1.png';
const [W, H] = [640, 480];

const rgb = execFileSync('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-i', PICTURE, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 24 });
if (rgb.length !== W * H * 3) throw new Error(`${PICTURE}: expected ${W}x${H} (apt-get install opencv-doc)`);
const engine = await FaceEngine.create({ backend: 'wasm', maxFaces: 1, detectorMinConfidence: 0.2 });
const r = await engine.analyse({ data: new Uint8Array(rgb), width: W, height: H, redetect: true });
const f = r.faces[0];
if (!f) throw new Error('no face read on the picture: the mesh this fixture holds was not made');
const round = (v, d) => Math.round(v * 10 ** d) / 10 ** d;
const out = {
  about: "Human 3.3.6 (wasm) on OpenCV's basketball1.png (opencv-doc) at 640x480: a real face turned ~45 degrees, 478 points flat x, y, z in the picture's pixels (z in the mesh model's crop units), as plausibility.ts reads it; scripts/make-face-trial52.mjs",
  width: W,
  height: H,
  det_score: round(f.det_score, 4),
  mesh_score: round(f.mesh_score, 4),
  yaw: f.yaw === null ? null : round(f.yaw, 4),
  box: f.box.map((v) => round(v, 2)),
  skin: f.skin === null || f.skin === undefined ? null : round(f.skin, 4),
  mesh: Array.from(f.mesh, (v) => round(v, 2)),
};
writeFileSync(join(ROOT, 'fixtures', 'face', 'basketball1-mesh.json'), `${JSON.stringify(out)}\n`);
console.log(`det ${out.det_score} mesh ${out.mesh_score} yaw ${out.yaw} box ${out.box} skin ${out.skin}: fixtures/face/basketball1-mesh.json`);
process.exit(0);
