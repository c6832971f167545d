#!/usr/bin/env node
/**
 * Remakes trial32's (2026-12-04) misread faces with ffmpeg, deterministically (docs/face.md "Upside-down and strongly
 * rolled faces"; test/face-flip.test.ts makes `palm` at test time with these same arguments):
 * - palm: fixtures/face/astronaut.png at 2x, a 640x480 window moving slowly over it (25 fps, 4 s), a flat
 *   skin-coloured ellipse (#D9A486, 76x46 px before the 2x) over the mouth from 1 s to 3 s.
 * - blur: the same window without the ellipse, gblur of sigma SIGMA (default 10) after it (3 s).
 * - board: OpenCV's board.jpg (/usr/share/doc/opencv-doc/examples/data/board.jpg; not committed), its 360x280 part at
 *   (0, 40) written as a JPEG (-q:v 2, boardCropArgs), then scaled 1.5x, a 480x360 window at (0, 30) turned 180
 *   degrees, still, 2 s at 25 fps: a capacitor kept as a face read upside down (found in a grid of 724 windows over the
 *   board at 1-1.75x, each turned 180 degrees). Fragile: without the JPEG step nothing is kept.
 * - defocus (trial33): the portrait on a grey picture, blurred with gblur sigma 10 (defocusArgs; SIGMA sets it too).
 * - larger-blur (trial33 larger_blur2): a large blurred dim head beside a small sharp one (largerBlurArgs).
 * - squirrel (trial33): OpenCV's squirrel_cls.jpg (not committed) re-encoded as a JPEG (-q:v 2, squirrelJpegArgs: the
 *   committed fixtures/face/squirrel.jpg), fitted to 640x480 and zoomed 1.084, still, 25 frames (squirrelArgs); with env
 *   SQUIRREL=/usr/share/doc/opencv-doc/examples/data/squirrel_cls.jpg.
 * H.264 CRF 18, yuv420p.
 *
 * Usage: node scripts/make-face-trial32.mjs OUTDIR [board.jpg]   (env MMPREP_FFMPEG: the ffmpeg to use)
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ASTRONAUT = join(ROOT, 'fixtures', 'face', 'astronaut.png');
/** The window over the portrait scaled to 1024x1024: the face near its middle, moving by +-12 / +-8 px. */
const WINDOW = "scale=1024:1024,crop=640:480:x='130+12*sin(2*PI*t/2)':y='50+8*sin(2*PI*t/3)'";
const H264 = ['-c:v', 'libx264', '-crf', '18', '-pix_fmt', 'yuv420p'];

/** ffmpeg arguments for the palm clip (see the module comment). */
export function palmArgs(out, src = ASTRONAUT) {
  const ellipse = "color=c=0xD9A486:s=76x46:r=25,format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='if(lte(pow((X-37.5)/38,2)+pow((Y-22.5)/23,2),1),255,0)'";
  const graph = `[0:v]format=rgb24[b];[b][1:v]overlay=x=184:y=126:enable='between(t,1,3)':shortest=1,${WINDOW}`;
  return ['-nostdin', '-y', '-v', 'error', '-loop', '1', '-framerate', '25', '-t', '4', '-i', src, '-f', 'lavfi', '-i', ellipse, '-filter_complex', graph, '-frames:v', '100', ...H264, out];
}

/** ffmpeg arguments for the blurred clip. */
export function blurArgs(out, sigma = 10, src = ASTRONAUT) {
  return ['-nostdin', '-y', '-v', 'error', '-loop', '1', '-framerate', '25', '-t', '3', '-i', src, '-filter_complex', `[0:v]format=rgb24,${WINDOW},gblur=sigma=${sigma}`, '-frames:v', '75', ...H264, out];
}

/**
 * ffmpeg arguments for trial33's defocused clip (docs/face.md, "No faces on non-faces", trial33): the portrait at
 * 480x480 on a grey 640x480 picture, moving by +-20 px (x = 80 + 20 sin 3t), gblur of sigma `sigma`, 25 fps, 2.4 s;
 * the trial's base.mp4 then defocus*.mp4 in one encode.
 */
export function defocusArgs(out, sigma = 10, src = ASTRONAUT) {
  const graph = `[1:v]scale=480:480[p];[0:v][p]overlay=x='80+20*sin(t*3)':y=0,gblur=sigma=${sigma}`;
  return ['-nostdin', '-y', '-v', 'error', '-f', 'lavfi', '-i', 'color=c=gray:s=640x480:r=25:d=2.4', '-loop', '1', '-framerate', '25', '-i', src, '-filter_complex', graph, '-frames:v', '60', ...H264, out];
}

/**
 * ffmpeg arguments for trial33's larger_blur2.mp4 in one encode: the portrait's head (its 256x256 part at (96, 20)) at
 * 320x320, gblur sigma 7, dimmed (eq brightness -0.3, contrast 0.45), at (20, 80) of a grey 640x480 picture, and the
 * same head mirrored and hue-shifted at 140x140 at (460, 150), sharp; still, 25 fps, `seconds` long; H.264 CRF 20
 * preset veryfast, as the trial's (with CRF 18 the large face's mesh held on every detector frame).
 */
export function largerBlurArgs(out, seconds = 1.2, src = ASTRONAUT) {
  const graph = "[1:v]crop=256:256:96:20,split[a][b];[a]scale=320:320,gblur=sigma=7,eq=brightness=-0.3:contrast=0.45[p];[b]hflip,hue=h=40:s=0.8,scale=140:140[q];[0:v][p]overlay=20:80[c];[c][q]overlay=460:150";
  return ['-nostdin', '-y', '-v', 'error', '-f', 'lavfi', '-i', `color=c=gray:s=640x480:r=25:d=${seconds}`, '-loop', '1', '-framerate', '25', '-i', src, '-filter_complex', graph, '-frames:v', String(Math.round(seconds * 25)), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', out];
}

/**
 * ffmpeg arguments for a side-by-side clip like trial33's adjacent_close.mp4: the portrait's head (its 190x220 part at
 * (130, 50)) as P at 162 px wide at (100, 60) of a grey 480x320 picture, drawn over Q, the same head mirrored at 152 px
 * wide at (`qx`, 60) (none when `qx` is null), still, 25 fps, 2 s; P leaves at 1 s, or with `pJump` it stays and
 * moves `pJump` px right at 1 s. With qx 240 the faces' centres are ~130 px apart, ~1.4 faces.
 */
export function sideBySideArgs(out, qx = 240, pJump = 0, src = ASTRONAUT) {
  const head = '[1:v]crop=190:220:130:50';
  const heads = qx === null ? `${head},scale=162:-2[p];[0:v]null[t]` : `${head},split[a][b];[a]scale=162:-2[p];[b]scale=152:-2,hflip[q];[0:v][q]overlay=x=${qx}:y=60[t]`;
  const pAt = pJump ? `x='100+${pJump}*gte(t,1)':y=60` : "x=100:y=60:enable='lt(t,1)'";
  const graph = `${heads};[t][p]overlay=${pAt}`;
  return ['-nostdin', '-y', '-v', 'error', '-f', 'lavfi', '-i', 'color=c=gray:s=480x320:r=25:d=2', '-loop', '1', '-framerate', '25', '-i', src, '-filter_complex', graph, '-frames:v', '50', ...H264, out];
}

/** ffmpeg arguments for the board's part as a JPEG (see the module comment). */
export function boardCropArgs(out, src) {
  return ['-nostdin', '-y', '-v', 'error', '-i', src, '-vf', 'crop=360:280:0:40', '-q:v', '2', out];
}

/** ffmpeg arguments for the board clip from the part boardCropArgs wrote (see the module comment). */
export function boardArgs(out, src) {
  const vf = 'scale=540:420,crop=480:360:0:30,hflip,vflip,format=yuv420p';
  return ['-nostdin', '-y', '-v', 'error', '-loop', '1', '-framerate', '25', '-t', '2', '-i', src, '-vf', vf, '-frames:v', '50', ...H264, out];
}

/** ffmpeg arguments for OpenCV's squirrel_cls.jpg re-encoded as the JPEG fixtures/face/squirrel.jpg. */
export function squirrelJpegArgs(out, src) {
  return ['-nostdin', '-y', '-v', 'error', '-i', src, '-q:v', '2', out];
}

/**
 * ffmpeg arguments for trial33's squirrel remade as a still clip: the JPEG fitted to 640x480, zoomed 1.084 (zoompan,
 * its top-left part), 25 frames at 25 fps. BlazeFace reads the squirrel's head as a face at det 0.58-0.59, read the
 * same way on the frame turned 180 degrees (docs/face.md "No faces on non-faces").
 */
export function squirrelArgs(out, src) {
  const vf = 'scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2,zoompan=z=1.084:d=1:s=640x480:fps=25';
  return ['-nostdin', '-y', '-v', 'error', '-loop', '1', '-i', src, '-vf', vf, '-frames:v', '25', ...H264, out];
}

/** Runs ffmpeg with `args`; throws with its stderr on failure. */
export function ffmpeg(args, bin = process.env.MMPREP_FFMPEG || 'ffmpeg') {
  const r = spawnSync(bin, args, { maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${String(r.stderr)}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [dir, board] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: node scripts/make-face-trial32.mjs OUTDIR [board.jpg]');
    process.exit(2);
  }
  ffmpeg(palmArgs(join(dir, 'palm.mp4')));
  ffmpeg(blurArgs(join(dir, 'blur.mp4'), Number(process.env.SIGMA || 10)));
  ffmpeg(defocusArgs(join(dir, 'defocus.mp4'), Number(process.env.SIGMA || 10)));
  ffmpeg(largerBlurArgs(join(dir, 'larger-blur.mp4')));
  if (board) ffmpeg(boardCropArgs(join(dir, 'board-part.jpg'), board));
  if (board) ffmpeg(boardArgs(join(dir, 'board.mp4'), join(dir, 'board-part.jpg')));
  if (process.env.SQUIRREL) ffmpeg(squirrelJpegArgs(join(dir, 'squirrel.jpg'), process.env.SQUIRREL));
  if (process.env.SQUIRREL) ffmpeg(squirrelArgs(join(dir, 'squirrel.mp4'), join(dir, 'squirrel.jpg')));
  console.log(`wrote ${dir}/palm.mp4, blur.mp4, defocus.mp4, larger-blur.mp4${board ? ', board.mp4' : ''}`);
}
