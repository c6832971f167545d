/**
 * A face's look for the tracker (features.ts FaceTracker): the chromaticity of its cheek skin, (R, G) / (R + G + B)
 * over two discs on the cheekbones (landmarks.ts CHEEK_POINTS, radius CHEEK_RADIUS × the outer-eye-corner distance),
 * the colour cue of appearance-based re-identification reduced to its cheapest form (chromaticity is unchanged by the
 * light's intensity: Swain & Ballard 1991, colour indexing; skin chromaticity, Yang & Waibel 1996). The face mesh's
 * geometry does not tell people apart at the sizes met: its 3-D ratios (inner-canthus, nose, cheekbone width over the
 * inter-ocular distance) jitter by 0.02-0.05 from frame to frame on a 66 px face (whole-pixel mesh), and a mirrored face
 * has the same ones. Numeric kernel only: the pixels are the frame's (engine.ts), the decision is the tracker's.
 */
import { CHEEK_POINTS } from './landmarks.js';

/** (R, G) / (R + G + B) of the cheek skin. */
export type Look = readonly [number, number];

/** Cheek disc radius over the outer-eye-corner distance (0.15 varied twice as much within one person: measured for 38412870, not in docs/face.md). */
export const CHEEK_RADIUS = 0.25;

/**
 * Largest chromaticity distance between a face and a track hidden for a while (its mean look over its last frames)
 * for the face to take that track's id. Measured (docs/face.md "face_id"): one person within 2.5 s, 0.005 on the
 * portrait clips (moving, rolled), 0.038 on OpenCV's Megamind.avi (a real person turning under warm light, single
 * frames); the trial's other person (grey) where one had left, 0.061.
 */
export const LOOK_MAX_DISTANCE = 0.05;

/** The cheek skin's chromaticity in an rgb24 picture for a flat [x, y, z, ...] mesh (frame px); null when a disc leaves the picture. */
export function skinChroma(d: ArrayLike<number>, w: number, h: number, m: ArrayLike<number>): Look | null {
  const iod = Math.hypot(m[3 * 33] - m[3 * 263], m[3 * 33 + 1] - m[3 * 263 + 1]);
  if (!(iod > 0)) return null;
  const r = CHEEK_RADIUS * iod;
  let [sr, sg, sb, n] = [0, 0, 0, 0];
  for (const p of CHEEK_POINTS) {
    const [cx, cy] = [m[3 * p], m[3 * p + 1]];
    if (cx - r < 0 || cy - r < 0 || cx + r > w || cy + r > h) return null;
    for (let y = Math.floor(cy - r); y <= Math.ceil(cy + r); y++) {
      for (let x = Math.floor(cx - r); x <= Math.ceil(cx + r); x++) {
        if (x < 0 || y < 0 || x >= w || y >= h || (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 > r * r) continue;
        const o = 3 * (y * w + x);
        sr += d[o];
        sg += d[o + 1];
        sb += d[o + 2];
        n++;
      }
    }
  }
  const sum = sr + sg + sb;
  return n >= 16 && sum > 0 ? [sr / sum, sg / sum] : null;
}

/** Mean of looks (null for none). */
export function meanLook(looks: readonly Look[]): Look | null {
  if (looks.length === 0) return null;
  return [looks.reduce((s, l) => s + l[0], 0) / looks.length, looks.reduce((s, l) => s + l[1], 0) / looks.length];
}

/** Two looks are another person's: both known and further apart than LOOK_MAX_DISTANCE. */
export function otherLook(a: Look | null | undefined, b: Look | null | undefined): boolean {
  return !!a && !!b && Math.hypot(a[0] - b[0], a[1] - b[1]) > LOOK_MAX_DISTANCE;
}

/** A look's distance from grey (1/3, 1/3): 0 for a grey or white surface, 0.06-0.2 for skin in a colour picture. */
export function lookChroma(look: Look): number {
  return Math.hypot(look[0] - 1 / 3, look[1] - 1 / 3);
}

/** Pixels darker than this (R + G + B) carry no reliable chromaticity (sensor noise, compression) and are skipped. */
const FRAME_CHROMA_MIN_SUM = 60;
/** Every FRAME_CHROMA_STEP-th pixel of every FRAME_CHROMA_STEP-th row is read (19 200 of a 640x480 frame). */
const FRAME_CHROMA_STEP = 4;
const FRAME_CHROMA_BINS = 512;

/**
 * How coloured the frame is: the 99th percentile of its pixels' chromaticity distance from grey (lookChroma), on a
 * grid of every 4th pixel, dark pixels skipped: the colour of the most coloured 1 % of the picture, so a few coloured
 * things in view count (OpenCV's ml.png, a grey robot on white with coloured books: 0.16; its 95th percentile 0.03).
 * A grey (black-and-white) picture reads 0.0007 (the first bin's centre); null when no pixel is bright enough. A
 * histogram of 512 bins over [0, 2/3] (beyond the largest distance, 0.47) gives the percentile: deterministic, one pass.
 */
export function frameChroma(d: ArrayLike<number>, w: number, h: number, q = 0.99): number | null {
  const hist = new Uint32Array(FRAME_CHROMA_BINS);
  let n = 0;
  for (let y = FRAME_CHROMA_STEP >> 1; y < h; y += FRAME_CHROMA_STEP) {
    for (let x = FRAME_CHROMA_STEP >> 1; x < w; x += FRAME_CHROMA_STEP) {
      const o = 3 * (y * w + x);
      const sum = d[o] + d[o + 1] + d[o + 2];
      if (sum < FRAME_CHROMA_MIN_SUM) continue;
      const dr = d[o] / sum - 1 / 3;
      const dg = d[o + 1] / sum - 1 / 3;
      hist[Math.min(FRAME_CHROMA_BINS - 1, Math.floor(Math.sqrt(dr * dr + dg * dg) * 1.5 * FRAME_CHROMA_BINS))]++;
      n++;
    }
  }
  if (n === 0) return null;
  const rank = Math.ceil(q * n);
  let seen = 0;
  for (let b = 0; b < FRAME_CHROMA_BINS; b++) {
    seen += hist[b];
    if (seen >= rank) return (b + 0.5) / FRAME_CHROMA_BINS / 1.5;
  }
  return null;
}
