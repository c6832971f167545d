#!/usr/bin/env node
/**
 * Makes robot_pan.mp4 in DIR: OpenCV's ml.png (Debian opencv-doc; a grey cartoon robot in a mortarboard holding
 * coloured books and a diploma, 308x380, on white) scaled 1.17x (360x444) and panned through a 640x480 window, 30 frames
 * at 30 fps, H.264 (crf 12). ttrial52's clip (2x, panned; not committed) had the robot's face kept as a human face on
 * 20-24 of 30 frames; at 2x in a 640x480 window the detector reads it at 0.26-0.38 here, under --min-confidence, and at
 * 1.15-1.26x at 0.53-0.56, so this clip takes that size (18 of 30 frames kept at det 0.51-0.54 before the colour cue).
 * With `--fixtures`, also writes, for test/face-plausibility-turned.test.ts (numbers only, no picture committed):
 *   fixtures/face/robot-mesh.json      the candidate the plausibility check reads on the clip's first frame (mesh,
 *                                      scores, box, cheek texture and colour, the frame's colour);
 *   fixtures/face/voc-turned-mesh.json the same for the turned face of dlib's PASCAL VOC 2008_007676.jpg (libdlib19.1
 *                                      examples) fitted into 720x528, as the held-out split has it.
 * Decoded and encoded by the ffmpeg mmprep finds (Debian's 5.1 when written).
 *
 * Usage: npm run build && node scripts/make-face-plausibility53.mjs DIR [--fixtures]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PICTURE = '/usr/share/doc/opencv-doc/examples/data/ml.png';
const VOC = '/usr/share/doc/libdlib19.1/examples/faces/2008_007676.jpg';
const [W, H, N] = [640, 480, 30];
const dir = process.argv[2];
if (!dir) throw new Error('usage: node scripts/make-face-plausibility53.mjs DIR [--fixtures]');
mkdirSync(dir, { recursive: true });
const { ffmpegBinaries } = await import(join(ROOT, 'dist', 'media', 'ffmpeg-path.js'));
const FFMPEG = ffmpegBinaries().ffmpeg.path;
const clip = join(dir, 'robot_pan.mp4');
// The robot 360x444 on white, the window moving 2 px right a frame: the robot from x = 140 to 82 in the window.
const vf = `scale=360:444,pad=1000:480:300:18:white,crop=${W}:${H}:'160+2*n':0,format=yuv420p`;
execFileSync(FFMPEG, ['-nostdin', '-y', '-v', 'error', '-loop', '1', '-framerate', '30', '-i', PICTURE, '-vf', vf, '-frames:v', String(N), '-c:v', 'libx264', '-preset', 'medium', '-crf', '12', '-bitexact', clip]);
console.log(`wrote ${clip}`);

/** The candidates extractFace hands to the plausibility check (check off) on a video, at --min-confidence 0.5. */
async function candidatesOf(video) {
  const { extractFace } = await import(join(ROOT, 'dist', 'face', 'index.js'));
  const out = [];
  const tmp = mkdtempSync(join(tmpdir(), 'mmprep-p53-'));
  try {
    await extractFace(video, { out: join(tmp, 'o.jsonl'), workers: 1, maxFaces: 3, plausibility: false, minConfidence: 0.5, onPlausibility: (c) => out.push(c) });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}

const round = (v, d) => (v === null || v === undefined ? null : Math.round(v * 10 ** d) / 10 ** d);
/** One candidate as the test reads it: scores, box, cheek texture and colour, the frame's colour, crop side, mesh. */
const fixture = (about, c) => ({
  about,
  det_score: round(c.det_score, 4),
  mesh_score: round(c.mesh_score, 4),
  yaw: round(c.yaw, 4),
  box: c.box.map((v) => round(v, 3)),
  skin: round(c.skin, 4),
  look: c.look ? c.look.map((v) => round(v, 6)) : null,
  frame_chroma: round(c.frame_chroma, 6),
  crop_px: round(c.crop_px, 3),
  mesh: Array.from(c.mesh, (v) => round(v, 4)),
});

if (process.argv.includes('--fixtures')) {
  const robot = (await candidatesOf(clip)).find((c) => c.frame === 0);
  if (!robot) throw new Error('no candidate on the robot clip\'s first frame: fixtures/face/robot-mesh.json not written');
  const aboutRobot = "extractFace's plausibility candidate (check off) on frame 0 of robot_pan.mp4 (OpenCV's ml.png from opencv-doc, 1.17x, in a 640x480 window): a grey cartoon robot's face, 478 points flat x, y, z in inference pixels (z in the mesh model's 192-px crop units), the cheeks' chromaticity (look), the frame's colour (frame_chroma), as plausibility.ts reads them; scripts/make-face-plausibility53.mjs";
  writeFileSync(join(ROOT, 'fixtures', 'face', 'robot-mesh.json'), `${JSON.stringify(fixture(aboutRobot, robot))}\n`);
  console.log(`robot: det ${robot.det_score} mesh ${robot.mesh_score} look ${robot.look} frame_chroma ${robot.frame_chroma}: fixtures/face/robot-mesh.json`);
  // dlib's PASCAL VOC photo fitted into 720x528 as the held-out split has it (scripts/face-plausibility-material.mjs).
  const fit = 'scale=720:528:force_original_aspect_ratio=decrease,pad=720:528:(ow-iw)/2:(oh-ih)/2:gray';
  const voc = join(dir, 'voc-2008_007676.mkv');
  execFileSync(FFMPEG, ['-nostdin', '-y', '-v', 'error', '-i', VOC, '-vf', fit, '-frames:v', '1', '-c:v', 'ffv1', '-pix_fmt', 'bgr0', voc]);
  // The turned face whose far eye reads the wider with z in crop units (plausibility.ts FAR_EYE_WIDTH_NOTE).
  const turned = (await candidatesOf(voc)).filter((c) => Math.abs(c.yaw_proxy) > 0.3 && Math.abs(Math.log(c.eye_width_ratio)) > 0.6);
  if (turned.length !== 1) throw new Error(`${turned.length} turned candidates with a wide far eye on ${VOC}: fixtures/face/voc-turned-mesh.json not written`);
  const aboutVoc = "extractFace's plausibility candidate (check off) on dlib's PASCAL VOC photo 2008_007676.jpg (libdlib19.1 examples/faces) fitted into 720x528: a real face turned (yaw_proxy -0.32) whose far eye reads 1.87x as wide as the near one with z in crop units, 478 points flat x, y, z in inference pixels, with the crop side (crop_px); scripts/make-face-plausibility53.mjs";
  writeFileSync(join(ROOT, 'fixtures', 'face', 'voc-turned-mesh.json'), `${JSON.stringify(fixture(aboutVoc, turned[0]))}\n`);
  console.log(`voc: det ${turned[0].det_score} eye_width_ratio ${turned[0].eye_width_ratio} yaw_proxy ${turned[0].yaw_proxy}: fixtures/face/voc-turned-mesh.json`);
}
process.exit(0);
