#!/usr/bin/env node
/**
 * Writes fixtures/face/orientation.mp4 and orientation.json: fixtures/face/astronaut.png turned in the picture plane
 * through the whole circle (upright, sideways, upside down), for test/face-orientation.test.ts. Each roll is shown on
 * two consecutive frames (the first goes to the face detector, the second is tracked from it: src/face/pool.ts,
 * engine.ts). Rendered in JavaScript (scripts/face-render.mjs: the same pixels with any ffmpeg build) about one centre,
 * so a frame's true landmarks are the upright frame's turned by its roll about that centre; H.264 at CRF 20, 10 fps.
 *
 * Also fixtures/face/orientation-contested.mp4 and .json: the portrait closer (zoom 2) at 219, 222 and 237 degrees,
 * each after a black frame (so it goes to the detector) and on two frames, where BlazeFace's upright reading points
 * the wrong way and beats the right, turned reading by only 0.05-0.07 (src/face/orientation.ts ORIENTATION_CONFIRM):
 * before the arbitration an upright mesh lay 0.86-0.97 IOD off on every one of these frames (det 0.74-0.85).
 *
 * Usage: node scripts/make-face-orientation-fixtures.mjs
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeRgb, renderSimilarity } from './face-render.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIR = join(ROOT, 'fixtures', 'face');
const FFMPEG = process.env.MMPREP_FFMPEG || 'ffmpeg';
const W = 400;
const H = 400;
/** Clockwise on screen, degrees; 0 first (the reference the test turns). */
const ROLLS = [0, 45, 90, 120, 135, 150, 165, 180, 195, 210, 225, 240, 270, 315];
/** astronaut.png's face centre (between the eyes and the mouth), where the picture is turned about. */
const FACE = { sx: 225, sy: 150 };
const SCALE = 1.1;

const src = decodeRgb(FFMPEG, join(DIR, 'astronaut.png'));
const transforms = ROLLS.map((r) => ({ ...FACE, ox: W / 2, oy: H / 2, scale: SCALE, rotation_deg: r, mirror: false }));
const frames = transforms.flatMap((t) => {
  const img = renderSimilarity(src, 512, 512, W, H, t);
  return [img, img];
});
/** H.264 at 10 fps of rgb24 frames W x H. */
function encode(out, list, crf = 20) {
  const args = ['-nostdin', '-y', '-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-r', '10', '-i', '-'];
  args.push('-c:v', 'libx264', '-crf', String(crf), '-pix_fmt', 'yuv420p', '-movflags', '+faststart', out);
  const r = spawnSync(FFMPEG, args, { input: Buffer.concat(list), maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(String(r.stderr));
}

const out = join(DIR, 'orientation.mp4');
encode(out, frames);
const meta = {
  source: 'fixtures/face/astronaut.png',
  made_by: 'node scripts/make-face-orientation-fixtures.mjs',
  width: W,
  height: H,
  fps: 10,
  centre: [W / 2, H / 2],
  frames_per_roll: 2,
  rolls_deg: ROLLS,
  transforms,
};
writeFileSync(join(DIR, 'orientation.json'), JSON.stringify(meta, null, 1) + '\n');
console.log(`wrote ${out} (${frames.length} frames) and orientation.json`);

// The contested readings: the upright render (reference, two frames), then per roll a black frame and two frames.
const CONTESTED = { rolls_deg: [219, 222, 237], scale: 2, crf: 12 };
const contested = [0, ...CONTESTED.rolls_deg].map((r) => ({ ...FACE, ox: W / 2, oy: H / 2, scale: CONTESTED.scale, rotation_deg: r, mirror: false }));
const black = Buffer.alloc(W * H * 3);
const cFrames = contested.flatMap((t, k) => {
  const img = renderSimilarity(src, 512, 512, W, H, t);
  return k === 0 ? [img, img] : [black, img, img];
});
const cOut = join(DIR, 'orientation-contested.mp4');
encode(cOut, cFrames, CONTESTED.crf);
const cMeta = {
  source: 'fixtures/face/astronaut.png',
  made_by: 'node scripts/make-face-orientation-fixtures.mjs',
  width: W,
  height: H,
  fps: 10,
  centre: [W / 2, H / 2],
  rolls_deg: CONTESTED.rolls_deg,
  frames: ['upright', 'upright', ...CONTESTED.rolls_deg.flatMap((r) => ['black', r, r])],
  transforms: contested,
};
writeFileSync(join(DIR, 'orientation-contested.json'), JSON.stringify(cMeta, null, 1) + '\n');
console.log(`wrote ${cOut} (${cFrames.length} frames) and orientation-contested.json`);
