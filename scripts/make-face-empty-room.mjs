#!/usr/bin/env node
/**
 * Writes fixtures/face/empty-room-mesh.json: the face mesh Human 3.3.6 (wasm) put over an armchair and a bookshelf in
 * an empty room (ttrial44a item 2), which every ratio of src/face/plausibility.ts PLAUSIBLE let through, with its
 * detector and mesh scores, box and cheek texture, for test/face-weak-detection.test.ts. The clip is the trial's:
 * dlib's examples/video_frames (Debian libdlib19.1; Boost Software License) as H.264 at 30 fps, CRF 23, yuv420p, made
 * with the ffmpeg on PATH (Debian's 5.1 when written; another x264 may place the mesh a little elsewhere), and its
 * frame 114 (0-based; t 3.8 s) analysed alone, as on a detector frame.
 *
 * Usage: npm run build && node scripts/make-face-empty-room.mjs
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { FaceEngine } = await import(join(ROOT, 'dist', 'face', 'engine.js'));
const FRAMES = '/usr/share/doc/libdlib19.1/examples/video_frames';
const FRAME = 114;
const [W, H] = [320, 240];

const dir = mkdtempSync(join(tmpdir(), 'mmprep-empty-room-'));
try {
  if (!readdirSync(FRAMES).some((f) => f.endsWith('.jpg'))) throw new Error(`no frames in ${FRAMES} (apt-get install libdlib19.1)`);
  const clip = join(dir, 'empty.mp4');
  const ff = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y'];
  execFileSync('ffmpeg', [...ff, '-framerate', '30', '-pattern_type', 'glob', '-i', `${FRAMES}/*.jpg`, '-vf', 'format=yuv420p', '-c:v', 'libx264', '-crf', '23', clip]);
  const rgb = execFileSync('ffmpeg', [...ff, '-i', clip, '-vf', `select=eq(n\\,${FRAME})`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 24 });
  const engine = await FaceEngine.create({ backend: 'wasm', maxFaces: 1, detectorMinConfidence: 0.2 });
  const r = await engine.analyse({ data: new Uint8Array(rgb), width: W, height: H, redetect: true });
  const f = r.faces[0];
  if (!f) throw new Error('no face read on the frame: the mesh this fixture holds was not made');
  const round = (v, d) => Math.round(v * 10 ** d) / 10 ** d;
  const out = {
    about: `Human 3.3.6 (wasm) on frame ${FRAME} of dlib's examples/video_frames as H.264 (an empty room): the mesh over an armchair and a bookshelf, 468/478 points flat x, y, z in the frame's pixels (z in the mesh model's crop units), as plausibility.ts reads it; scripts/make-face-empty-room.mjs`,
    width: W,
    height: H,
    det_score: round(f.det_score, 4),
    mesh_score: round(f.mesh_score, 4),
    yaw: f.yaw === null ? null : round(f.yaw, 4),
    box: f.box.map((v) => round(v, 2)),
    skin: f.skin === null || f.skin === undefined ? null : round(f.skin, 4),
    mesh: Array.from(f.mesh, (v) => round(v, 2)),
  };
  writeFileSync(join(ROOT, 'fixtures', 'face', 'empty-room-mesh.json'), `${JSON.stringify(out)}\n`);
  console.log(`det ${out.det_score} mesh ${out.mesh_score} yaw ${out.yaw} box ${out.box} skin ${out.skin}: fixtures/face/empty-room-mesh.json`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
