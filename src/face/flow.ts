/**
 * Landmark-guided optical flow (`mmprep face --flow`): dense optical flow between consecutive decoded frames, computed
 * with OpenCV's Farnebäck implementation (cv::calcOpticalFlowFarneback; G. Farnebäck, "Two-Frame Motion Estimation
 * Based on Polynomial Expansion", SCIA 2003) from the npm build @techstark/opencv-js, and averaged inside boxes placed
 * by the face mesh (each eye, each brow, the mouth, each nasolabial area). OpenCV is loaded only when flow is asked
 * for (loadOpenCV). Checked against Debian's python3-opencv on fixture frames (scripts/make-face-flow-reference.mjs
 * and scripts/face-flow-reference.py, test/face-flow.test.ts).
 */
import { createRequire } from 'node:module';
import { InputError } from '../common/errors.js';
import { REGIONS } from './landmarks.js';

/** Regions (mesh indices; "right"/"left" are the subject's). Nasolabial: nose wing, the fold beside it, cheek. */
export const FLOW_REGIONS = {
  right_eye: REGIONS.rightEye,
  left_eye: REGIONS.leftEye,
  right_brow: REGIONS.rightBrow,
  left_brow: REGIONS.leftBrow,
  mouth: REGIONS.lipsOuter,
  right_nasolabial: [129, 64, 98, 203, 205, 206, 216, 92, 165],
  left_nasolabial: [358, 294, 327, 423, 425, 426, 436, 322, 391],
} as const;
export type FlowRegion = keyof typeof FLOW_REGIONS;
export const FLOW_REGION_NAMES = Object.keys(FLOW_REGIONS) as FlowRegion[];

/** Each region's box is the bounding box of its points grown by this fraction of the inter-ocular distance per side. */
export const FLOW_REGION_PAD_IOD = 0.1;
/**
 * Flow is computed on one crop around all of a face's boxes, grown by this many pixels per side so that the boxes are
 * far from the crop's edge (Farnebäck's 15-pixel window on a 3-level pyramid): inside the boxes it then agrees with
 * flow over the whole frame within the tolerance test/face-flow.test.ts states.
 */
export const FLOW_CROP_MARGIN = 32;
/** cv.calcOpticalFlowFarneback parameters: OpenCV's sample values (samples/python/opt_flow.py). */
export const FARNEBACK = { pyrScale: 0.5, levels: 3, winSize: 15, iterations: 3, polyN: 5, polySigma: 1.2, flags: 0 } as const;

/** [x0, y0, x1, y1): whole pixels of the picture the flow is computed on (the inference picture). */
export type PixelBox = [number, number, number, number];

/** Mean flow of one region: mean vector (dx, dy) and mean magnitude, in pixels per frame of the flow's picture. */
export interface RegionMotion {
  dx: number;
  dy: number;
  mag: number;
  pixels: number;
}

/**
 * 8-bit RGB to grey as OpenCV's cvtColor(COLOR_RGB2GRAY) does it for 8-bit images: fixed point with a 15-bit shift,
 * Y = (9798 R + 19235 G + 3735 B + 2^14) >> 15 (0.299, 0.587, 0.114 scaled by 2^15; imgproc color_rgb.simd.hpp
 * RGB2Gray<uchar>), so the JS grey equals OpenCV's byte for byte (the 14-bit variant differs on 1 pixel in 10^4).
 */
export function greyFromRgb(rgb: Uint8Array, width: number, height: number, out = new Uint8Array(width * height)): Uint8Array {
  for (let i = 0, j = 0; i < width * height; i++, j += 3) out[i] = (9798 * rgb[j] + 19235 * rgb[j + 1] + 3735 * rgb[j + 2] + 16384) >> 15;
  return out;
}

/** Boxes of each region from a flat [x, y, z, ...] mesh in the flow picture's pixels; null when off the picture. */
export function regionBoxes(mesh: ArrayLike<number>, iod: number, width: number, height: number): Record<FlowRegion, PixelBox | null> {
  const pad = FLOW_REGION_PAD_IOD * iod;
  const out = {} as Record<FlowRegion, PixelBox | null>;
  for (const name of FLOW_REGION_NAMES) {
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const i of FLOW_REGIONS[name]) {
      x0 = Math.min(x0, mesh[3 * i]);
      x1 = Math.max(x1, mesh[3 * i]);
      y0 = Math.min(y0, mesh[3 * i + 1]);
      y1 = Math.max(y1, mesh[3 * i + 1]);
    }
    const b: PixelBox = [Math.max(0, Math.floor(x0 - pad)), Math.max(0, Math.floor(y0 - pad)), Math.min(width, Math.ceil(x1 + pad) + 1), Math.min(height, Math.ceil(y1 + pad) + 1)];
    out[name] = b[2] - b[0] >= 2 && b[3] - b[1] >= 2 ? b : null;
  }
  return out;
}

/**
 * Smallest crop side: OpenCV's Farnebäck drops pyramid levels whose image would be under 32 pixels (optflowgf.cpp,
 * min_size), so a crop under 32 / 0.5^(levels-1) = 128 pixels would use fewer levels than the whole frame does (found
 * on a face near the picture's top edge: up to 9 px apart from the whole-frame flow).
 */
export const FLOW_MIN_CROP = 136;

/** One side of the crop: [lo - margin, hi + margin] grown to FLOW_MIN_CROP around its centre, within [0, size). */
function cropSide(lo: number, hi: number, size: number): [number, number] {
  let a = Math.max(0, lo - FLOW_CROP_MARGIN);
  let b = Math.min(size, hi + FLOW_CROP_MARGIN);
  const short = FLOW_MIN_CROP - (b - a);
  if (short > 0) {
    a = Math.max(0, a - Math.ceil(short / 2));
    b = Math.min(size, a + FLOW_MIN_CROP);
    a = Math.max(0, b - FLOW_MIN_CROP);
  }
  return [a, b];
}

/** The crop that holds every box plus FLOW_CROP_MARGIN (and at least FLOW_MIN_CROP per side), within the picture. */
export function flowCrop(boxes: Array<PixelBox | null>, width: number, height: number): PixelBox | null {
  const live = boxes.filter((b): b is PixelBox => b !== null);
  if (!live.length) return null;
  const [x0, x1] = cropSide(Math.min(...live.map((b) => b[0])), Math.max(...live.map((b) => b[2])), width);
  const [y0, y1] = cropSide(Math.min(...live.map((b) => b[1])), Math.max(...live.map((b) => b[3])), height);
  return [x0, y0, x1, y1];
}

/** Mean vector and mean magnitude of a flow field (interleaved dx, dy; `stride` values per row) inside a box. */
export function meanMotion(flow: Float32Array, stride: number, box: PixelBox, origin: [number, number] = [0, 0]): RegionMotion {
  let sx = 0;
  let sy = 0;
  let sm = 0;
  let n = 0;
  for (let y = box[1]; y < box[3]; y++) {
    const row = (y - origin[1]) * stride;
    for (let x = box[0]; x < box[2]; x++) {
      const k = row + 2 * (x - origin[0]);
      sx += flow[k];
      sy += flow[k + 1];
      sm += Math.hypot(flow[k], flow[k + 1]);
      n++;
    }
  }
  return { dx: sx / n, dy: sy / n, mag: sm / n, pixels: n };
}

/** The parts of opencv.js used here. */
interface CvMat {
  data: Uint8Array;
  data32F: Float32Array;
  delete(): void;
}
interface OpenCv {
  Mat: new (rows?: number, cols?: number, type?: number) => CvMat;
  CV_8UC1: number;
  CV_8UC3: number;
  COLOR_RGB2GRAY: number;
  matFromArray(rows: number, cols: number, type: number, values: number[]): CvMat;
  cvtColor(src: CvMat, dst: CvMat, code: number): void;
  calcOpticalFlowFarneback(prev: CvMat, next: CvMat, flow: CvMat, pyrScale: number, levels: number, winSize: number, iterations: number, polyN: number, polySigma: number, flags: number): void;
  getBuildInformation(): string;
}

let loading: Promise<{ cv: OpenCv; version: string }> | null = null;

/**
 * Loads opencv.js once per thread (about 11 MB of JavaScript with the WASM inlined; 0.3 s here). Emscripten's
 * runtime adds process-wide uncaughtException/unhandledRejection handlers; they are removed again so that mmprep's
 * own error handling stays as it is. The module object is thenable, so it is returned wrapped.
 */
export function loadOpenCV(): Promise<{ cv: OpenCv; version: string }> {
  loading ??= new Promise((resolve, reject) => {
    const before = { ex: process.listeners('uncaughtException'), rej: process.listeners('unhandledRejection') };
    const restore = () => {
      for (const l of process.listeners('uncaughtException')) if (!before.ex.includes(l)) process.off('uncaughtException', l);
      for (const l of process.listeners('unhandledRejection')) if (!before.rej.includes(l)) process.off('unhandledRejection', l);
    };
    let mod: OpenCv & { onRuntimeInitialized?: () => void };
    try {
      mod = createRequire(import.meta.url)('@techstark/opencv-js') as typeof mod;
    } catch (e) {
      restore();
      reject(new InputError(`--flow needs @techstark/opencv-js, which failed to load (${(e as Error).message.split('\n')[0]}): reinstall mmprep's dependencies`));
      return;
    }
    const done = () => {
      restore();
      const version = /Version control:\s*(\S+)/.exec(mod.getBuildInformation())?.[1] ?? 'unknown';
      resolve({ cv: mod, version });
    };
    if (typeof mod.Mat === 'function') done();
    else mod.onRuntimeInitialized = done;
  });
  return loading;
}

/** Farnebäck flow from `prev` to `next` (8-bit grey, same size) on the crop, then each box's mean motion. */
export function regionMotion(
  cv: OpenCv,
  prev: Uint8Array,
  next: Uint8Array,
  width: number,
  boxes: Record<FlowRegion, PixelBox | null>,
  crop: PixelBox,
): Record<FlowRegion, RegionMotion | null> {
  const [cx0, cy0, cx1, cy1] = crop;
  const w = cx1 - cx0;
  const h = cy1 - cy0;
  const a = new cv.Mat(h, w, cv.CV_8UC1);
  const b = new cv.Mat(h, w, cv.CV_8UC1);
  const flow = new cv.Mat();
  try {
    for (let y = 0; y < h; y++) {
      const src = (cy0 + y) * width + cx0;
      a.data.set(prev.subarray(src, src + w), y * w);
      b.data.set(next.subarray(src, src + w), y * w);
    }
    const f = FARNEBACK;
    cv.calcOpticalFlowFarneback(a, b, flow, f.pyrScale, f.levels, f.winSize, f.iterations, f.polyN, f.polySigma, f.flags);
    const field = flow.data32F;
    const out = {} as Record<FlowRegion, RegionMotion | null>;
    for (const name of FLOW_REGION_NAMES) {
      const box = boxes[name];
      out[name] = box ? meanMotion(field, 2 * w, box, [cx0, cy0]) : null;
    }
    return out;
  } finally {
    a.delete();
    b.delete();
    flow.delete();
  }
}

/** Record fields per region: mean magnitude in source pixels and in inter-ocular distances per frame, direction. */
export type FlowFields = { [K in FlowRegion as `flow_${K}_px`]: number | null } & { [K in FlowRegion as `flow_${K}_iod`]: number | null } & {
  [K in FlowRegion as `flow_${K}_dir_deg`]: number | null;
} & { flow_null_reason: string | null };

export const FLOW_FIELD_NAMES: ReadonlyArray<keyof FlowFields> = [
  ...FLOW_REGION_NAMES.flatMap((n) => [`flow_${n}_px`, `flow_${n}_iod`, `flow_${n}_dir_deg`] as Array<keyof FlowFields>),
  'flow_null_reason',
];

const round = (v: number, d: number) => {
  const k = 10 ** d;
  const x = Math.round(v * k) / k;
  return Object.is(x, -0) ? 0 : x;
};

/**
 * Turns region motions (flow picture's pixels) into record fields: `scale` is flow-picture pixels per source pixel,
 * `iodSrc` the inter-ocular distance in source pixels. Direction: of the mean vector, degrees, image axes (0 = to the
 * image's right, 90 = down), null when the region does not move (mean vector 0).
 */
export function flowFields(motion: Record<FlowRegion, RegionMotion | null> | null, scale: number, iodSrc: number | null, reason: string | null): FlowFields {
  const f = { flow_null_reason: reason } as Record<string, number | string | null>;
  const missing: string[] = [];
  for (const n of FLOW_REGION_NAMES) {
    const m = motion?.[n] ?? null;
    if (motion && !m) missing.push(n);
    const px = m ? m.mag / scale : null;
    f[`flow_${n}_px`] = px === null ? null : round(px, 4);
    f[`flow_${n}_iod`] = px === null || !iodSrc ? null : round(px / iodSrc, 6);
    f[`flow_${n}_dir_deg`] = m && (m.dx !== 0 || m.dy !== 0) ? round((Math.atan2(m.dy, m.dx) * 180) / Math.PI, 2) : null;
  }
  if (!reason && missing.length) f.flow_null_reason = `outside the picture: ${missing.join(', ')}`;
  const ordered = {} as Record<string, unknown>;
  for (const k of FLOW_FIELD_NAMES) ordered[k] = f[k];
  return ordered as FlowFields;
}
