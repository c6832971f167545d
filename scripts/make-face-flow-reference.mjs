#!/usr/bin/env node
/**
 * Makes fixtures/face/flow-reference.json: OpenCV's own Farnebäck flow (Debian's python3-opencv, run by
 * scripts/face-flow-reference.py) per landmark-guided region on a few frame pairs of fixtures/face/transform.mp4.
 * Steps: decode the frames with mmprep's decoder (rgb24, as `mmprep face` does), place the region boxes from Human's
 * mesh on the later frame of each pair (src/face/flow.ts regionBoxes), hand the raw frames and boxes to python3-opencv,
 * which computes flow on the whole frame, and store boxes + means with their provenance. test/face-flow.test.ts runs
 * mmprep's flow (opencv.js, on a crop) on the same frames and boxes and compares.
 * Usage: npm run build && node scripts/make-face-flow-reference.mjs   (needs /usr/bin/python3 with cv2: apt-get install
 * python3-opencv). Deterministic for a given ffmpeg build and OpenCV version (both recorded).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dist = (p) => import(join(ROOT, 'dist', p));
const { VideoDecoder } = await dist('media/decode-video.js');
const { ffmpegBinaries } = await dist('media/ffmpeg-path.js');
const { FaceEngine } = await dist('face/engine.js');
const { defaultModelDir } = await dist('face/models.js');
const { regionBoxes, FARNEBACK, FLOW_REGION_PAD_IOD, FLOW_CROP_MARGIN, FLOW_MIN_CROP } = await dist('face/flow.js');
const { interOcular } = await dist('face/features.js');

const VIDEO = 'fixtures/face/transform.mp4';
/** Later frame of each pair (the pair is k-1 -> k): moving frames away from the black ones (30-34, 60). */
const FRAMES = [8, 21, 45, 70];

const tmp = mkdtempSync(join(tmpdir(), 'mmprep-flowref-'));
try {
  const dec = await VideoDecoder.open(join(ROOT, VIDEO), { maxSide: 640, pixelFormat: 'rgb24' });
  const want = new Set(FRAMES.flatMap((k) => [k - 1, k]));
  const rgb = new Map();
  let width = 0;
  let height = 0;
  for await (const f of dec) {
    if (want.has(f.index)) rgb.set(f.index, f.data.slice(0, f.width * f.height * 3));
    width = f.width;
    height = f.height;
    dec.release?.(f.data);
  }
  const engine = await FaceEngine.create({ backend: 'wasm', modelDir: defaultModelDir(), maxFaces: 1, detectorMinConfidence: 0.1 });
  const pairs = [];
  for (const k of FRAMES) {
    const { faces } = await engine.analyse({ data: rgb.get(k).slice(), width, height, redetect: true });
    if (faces.length !== 1) throw new Error(`frame ${k}: expected one face, got ${faces.length}`);
    const boxes = regionBoxes(faces[0].mesh, interOcular(faces[0].mesh), width, height);
    const files = [k - 1, k].map((i) => {
      const file = join(tmp, `frame${i}.rgb`);
      writeFileSync(file, rgb.get(i));
      return file;
    });
    pairs.push({ prev: k - 1, next: k, boxes, prev_rgb: files[0], next_rgb: files[1] });
  }
  const job = join(tmp, 'job.json');
  writeFileSync(job, JSON.stringify({ width, height, farneback: FARNEBACK, pairs }));
  const ref = JSON.parse(execFileSync('/usr/bin/python3', [join(ROOT, 'scripts', 'face-flow-reference.py'), job], { encoding: 'utf8' }));
  const ffmpeg = ffmpegBinaries().ffmpeg;
  const version = execFileSync(ffmpeg.path, ['-version'], { encoding: 'utf8' }).split('\n')[0];
  const out = {
    provenance: {
      made_by: 'node scripts/make-face-flow-reference.mjs (scripts/face-flow-reference.py)',
      video: VIDEO,
      decoded_with: version,
      flow: `OpenCV ${ref.opencv} (Debian python3-opencv), cv2.calcOpticalFlowFarneback on the whole ${width}x${height} frame, grey by cv2.cvtColor(RGB2GRAY); numpy ${ref.numpy}`,
      boxes: `src/face/flow.ts regionBoxes on Human's mesh of the later frame (pad ${FLOW_REGION_PAD_IOD} IOD); mmprep computes on a crop: margin ${FLOW_CROP_MARGIN} px, at least ${FLOW_MIN_CROP} px a side`,
      units: 'dx, dy: mean flow vector; mag: mean magnitude; pixels per frame of the decoded picture',
    },
    width,
    height,
    farneback: FARNEBACK,
    pairs: pairs.map((p, i) => ({ prev: p.prev, next: p.next, boxes: p.boxes, regions: ref.pairs[i].regions })),
  };
  const round = (_k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1e6) / 1e6 : v);
  writeFileSync(join(ROOT, 'fixtures', 'face', 'flow-reference.json'), JSON.stringify(out, round, 1) + '\n');
  console.log(`wrote fixtures/face/flow-reference.json (${pairs.length} pairs, OpenCV ${ref.opencv})`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
