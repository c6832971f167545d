/** Picture brightness for the face summary (pure kernel: no models, no I/O). */

/** Samples a side for meanLuma: 64 x 64 = 4096 pixels a frame, as many as frameThumbnail reads. */
const LUMA_GRID = 64;

/**
 * Mean luma (0..255, ITU-R BT.601 weights: 0.299 R + 0.587 G + 0.114 B, as pupil.ts) of an RGB frame from a
 * LUMA_GRID x LUMA_GRID grid of pixels: what says a picture is too dark for the detector (summary mean_luma).
 */
export function meanLuma(data: Uint8Array, width: number, height: number): number {
  let sum = 0;
  for (let gy = 0; gy < LUMA_GRID; gy++) {
    const y = Math.min(height - 1, Math.floor(((gy + 0.5) * height) / LUMA_GRID));
    for (let gx = 0; gx < LUMA_GRID; gx++) {
      const i = 3 * (y * width + Math.min(width - 1, Math.floor(((gx + 0.5) * width) / LUMA_GRID)));
      sum += 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
    }
  }
  return sum / (LUMA_GRID * LUMA_GRID);
}
