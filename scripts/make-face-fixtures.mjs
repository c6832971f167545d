#!/usr/bin/env node
/**
 * Makes the face fixtures from fixtures/face/astronaut.png (public domain, see fixtures/face/PROVENANCE.md):
 *   transform.mp4   H.264, 640x480, 25 fps, 3 s: the portrait under a known zoom, translation and in-plane rotation
 *                   that change every frame, with black frames at known frame numbers;
 *   transform.webm  VP9, the same frames with slightly irregular frame times (variable frame rate);
 *   transform.json  the per-frame transform (source-image pixels -> video pixels) and the black frames.
 * Frames are rendered here (inverse affine warp with bilinear sampling), so the transform is exactly known,
 * then encoded by ffmpeg. Usage: node scripts/make-face-fixtures.mjs  (uses MMPREP_FFMPEG, else the npm ffmpeg).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIR = join(ROOT, 'fixtures', 'face');
const FFMPEG = process.env.MMPREP_FFMPEG || require('@ffmpeg-installer/ffmpeg').path;

export const W = 640;
export const H = 480;
export const FPS = 25;
export const N = 75;
export const BLACK = [30, 31, 32, 33, 34, 60];
const SRC = 512;

/** The transform of frame k: out = c + s * R(theta) * (p - c_src) + (tx, ty). */
export function transformAt(k) {
  const t = k / FPS;
  const s = 0.95 + 0.2 * Math.sin((2 * Math.PI * t) / 3);
  const theta_deg = 20 * Math.sin((2 * Math.PI * t) / 2.2);
  const tx = 50 * Math.sin((2 * Math.PI * t) / 1.9);
  const ty = 25 * Math.cos((2 * Math.PI * t) / 2.6) - 25;
  return { frame: k, scale: +s.toFixed(6), rotation_deg: +theta_deg.toFixed(6), tx_px: +tx.toFixed(6), ty_px: +ty.toFixed(6) };
}

function render(src, tr) {
  const out = Buffer.alloc(W * H * 3, 0);
  if (BLACK.includes(tr.frame)) return out;
  const th = (tr.rotation_deg * Math.PI) / 180;
  const c = Math.cos(th);
  const sn = Math.sin(th);
  const cx = W / 2 + tr.tx_px;
  const cy = H / 2 + tr.ty_px;
  const cs = SRC / 2;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      // inverse: p = c_src + R(-theta) (q - c) / s, pixel centres at +0.5
      const dx = (x + 0.5 - cx) / tr.scale;
      const dy = (y + 0.5 - cy) / tr.scale;
      const sx = cs + c * dx + sn * dy - 0.5;
      const sy = cs - sn * dx + c * dy - 0.5;
      const o = 3 * (y * W + x);
      if (sx < 0 || sy < 0 || sx > SRC - 1 || sy > SRC - 1) {
        out[o] = 96;
        out[o + 1] = 104;
        out[o + 2] = 112;
        continue;
      }
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(x0 + 1, SRC - 1);
      const y1 = Math.min(y0 + 1, SRC - 1);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let ch = 0; ch < 3; ch++) {
        const a = src[3 * (y0 * SRC + x0) + ch];
        const b = src[3 * (y0 * SRC + x1) + ch];
        const d = src[3 * (y1 * SRC + x0) + ch];
        const e = src[3 * (y1 * SRC + x1) + ch];
        out[o + ch] = Math.round((a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy);
      }
    }
  }
  return out;
}

function encode(file, frames, args) {
  const r = spawnSync(
    FFMPEG,
    ['-nostdin', '-y', '-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-r', String(FPS), '-i', '-', ...args, join(DIR, file)],
    { input: Buffer.concat(frames), maxBuffer: 1 << 30 },
  );
  if (r.status !== 0) throw new Error(`ffmpeg failed for ${file}: ${r.stderr}`);
  console.log(`${file}: ${statSync(join(DIR, file)).size} bytes`);
}

function main() {
  const src = execFileSync(FFMPEG, ['-nostdin', '-v', 'error', '-i', join(DIR, 'astronaut.png'), '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 26 });
  if (src.length !== SRC * SRC * 3) throw new Error('astronaut.png is not 512x512');
  const transforms = Array.from({ length: N }, (_, k) => transformAt(k));
  const frames = transforms.map((tr) => render(src, tr));
  encode('transform.mp4', frames, ['-c:v', 'libx264', '-preset', 'slow', '-crf', '26', '-pix_fmt', 'yuv420p', '-g', '25', '-movflags', '+faststart', '-metadata', 'comment=mmprep face fixture']);
  // VP9 with irregular frame times: frame k at k/25 s plus 0, 8 or 16 ms (the webm timebase is 1 ms).
  encode('transform.webm', frames, ['-vf', 'setpts=(N/25+0.008*mod(N\\,3))/TB', '-vsync', '0', '-c:v', 'libvpx-vp9', '-b:v', '0', '-crf', '40', '-deadline', 'good', '-cpu-used', '2', '-pix_fmt', 'yuv420p']);
  const meta = {
    about: 'Per-frame transform of fixtures/face/astronaut.png (512x512) into the video: out = c + scale * R(rotation) * (p - (256, 256)) + (tx, ty), c = (320, 240), R(a) = [[cos a, -sin a], [sin a, cos a]] in image coordinates (y down), so positive degrees turn the picture clockwise on screen. Made by scripts/make-face-fixtures.mjs.',
    width: W,
    height: H,
    fps: FPS,
    frames: N,
    source_size: SRC,
    black_frames: BLACK,
    transforms,
  };
  writeFileSync(join(DIR, 'transform.json'), JSON.stringify(meta, null, 1) + '\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
