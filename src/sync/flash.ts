/**
 * LED / screen flash onsets in a video stream.
 *
 * Frames are decoded small and grey. Each frame is reduced to a grid of cell means; candidate regions are squares of
 * 1 to 6 cells at every grid position plus the whole frame. The LED's region is found automatically as the region
 * whose brightness jumps most against its own frame-to-frame variation (jump over two frames divided by a robust
 * standard deviation of such jumps: a moving scene varies a lot everywhere, a fixed LED jumps once). The onset is
 * Only flash-shaped jumps count (lit for 0.03 to 2 s, then back to the level before), so a scene change or an object
 * that arrives and stays is not taken for the LED; an event seen in several overlapping regions is reported once,
 * from the region where it scores best. The onset is
 * refined below one frame by interpolating the region's brightness: a frame exposed over [t, t + T) shows the
 * fraction of T the flash was on, so brightness ramps from the level before to the level after across one frame
 * period and the onset is the 50 % crossing plus T/2 (the convention for a frame's time is its presentation time as
 * the start of its exposure; a camera with a short shutter makes the ramp steeper, not later).
 *
 * Memory is bounded: cell means are analysed in chunks of frames with overlap.
 */
import type { VideoFrame } from '../media/decode-video.js';

export interface FlashScanOptions {
  /** Cell size in (decoded) pixels (default 4). */
  cellPx?: number;
  /** Least jump score (jump over robust SD of jumps) for a flash (default 12). */
  minScore?: number;
  /** Least brightness jump, grey levels 0..255 (default 12). */
  minJump?: number;
  /** Shortest and longest flash accepted, seconds (defaults 0.03 and 2). */
  minFlashS?: number;
  maxFlashS?: number;
  /** Frames per analysis chunk (default 2400) and overlap (default 240). */
  chunkFrames?: number;
  overlapFrames?: number;
}

export interface FlashRegion {
  x_px: number;
  y_px: number;
  w_px: number;
  h_px: number;
}

export interface FlashDetection {
  /** Onset on the stream's own timeline, seconds. */
  t_s: number;
  /** Time the region stayed above half the jump, seconds. */
  duration_s: number | null;
  /** Brightness jump as a fraction of the grey range (0..1). */
  contrast: number;
  /** Jump over the robust SD of the region's frame-to-frame changes (a detection SNR). */
  score: number;
  level_before: number;
  level_after: number;
  /** The region (in display pixels of the source) that jumped most. */
  region: FlashRegion;
  /** 0..1 from the score (0.5 at 12, 0.95 at 19). */
  confidence: number;
  /**
   * Whether the detection stands clearly out of what a false pulse looks like in this same file (its own scores at
   * times without a pulse). A stream is only placed from a placeable detection unless the user forces a --pick.
   */
  placeable?: boolean;
  /** Why the detection is not placeable (one line), when it is not. */
  unplaceable_reason?: string;
  /** True when found by the audio-guided search (FlashGuide). */
  guided?: boolean;
}

export function flashConfidence(score: number): number {
  return 1 / (1 + Math.exp(-(score - 12) / 2.5));
}

interface Region {
  cx: number;
  cy: number;
  size: number; // cells; 0 = whole frame
}

function median(a: ArrayLike<number>): number {
  const s = Float64Array.from(a as ArrayLike<number>).sort();
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

const SIZES = [1, 2, 3, 4, 6];

export class FlashScanner {
  private readonly o: Required<FlashScanOptions>;
  private cols = 0;
  private rows = 0;
  private cellBuf: Float32Array[] = [];
  private times: number[] = [];
  private frameBase = 0;
  private acceptFrom = -Infinity;
  private readonly found: FlashDetection[] = [];
  /** Display pixels per decoded pixel. */
  private readonly scaleBack: number;
  private w = 0;
  private h = 0;

  constructor(scaleBack = 1, opts: FlashScanOptions = {}) {
    this.scaleBack = scaleBack;
    this.o = {
      cellPx: opts.cellPx ?? 4,
      minScore: opts.minScore ?? 12,
      minJump: opts.minJump ?? 12,
      minFlashS: opts.minFlashS ?? 0.03,
      maxFlashS: opts.maxFlashS ?? 2,
      chunkFrames: opts.chunkFrames ?? 2400,
      overlapFrames: opts.overlapFrames ?? 240,
    };
  }

  /** Grey frames (1 byte per pixel), in presentation order. */
  push(f: VideoFrame): void {
    const c = this.o.cellPx;
    if (this.cols === 0) {
      this.w = f.width;
      this.h = f.height;
      this.cols = Math.max(1, Math.floor(f.width / c));
      this.rows = Math.max(1, Math.floor(f.height / c));
    }
    const cells = new Float32Array(this.cols * this.rows + 1);
    const d = f.data;
    let total = 0;
    for (let y = 0; y < f.height; y++) {
      const row = y * f.width;
      const cy = Math.min(this.rows - 1, Math.floor(y / c));
      for (let x = 0; x < f.width; x++) {
        const v = d[row + x];
        total += v;
        const cx = Math.min(this.cols - 1, Math.floor(x / c));
        cells[cy * this.cols + cx] += v;
      }
    }
    // Cell means (edge cells absorb leftover pixels).
    for (let cy = 0; cy < this.rows; cy++) {
      const hh = cy === this.rows - 1 ? f.height - cy * c : c;
      for (let cx = 0; cx < this.cols; cx++) {
        const ww = cx === this.cols - 1 ? f.width - cx * c : c;
        cells[cy * this.cols + cx] /= ww * hh;
      }
    }
    cells[this.cols * this.rows] = total / (f.width * f.height);
    this.cellBuf.push(cells);
    this.times.push(f.t_s);
    if (this.cellBuf.length >= this.o.chunkFrames + this.o.overlapFrames) {
      const boundary = this.frameBase + this.cellBuf.length - this.o.overlapFrames;
      this.analyse(boundary);
      const drop = this.cellBuf.length - this.o.overlapFrames;
      this.cellBuf = this.cellBuf.slice(drop);
      this.times = this.times.slice(drop);
      this.frameBase += drop;
    }
  }

  finish(): FlashDetection[] {
    if (this.cellBuf.length) this.analyse(Infinity);
    this.cellBuf = [];
    this.times = [];
    return this.found.slice().sort((a, b) => a.t_s - b.t_s);
  }

  private series(r: Region): Float64Array {
    const n = this.cellBuf.length;
    const out = new Float64Array(n);
    if (r.size === 0) {
      const k = this.cols * this.rows;
      for (let i = 0; i < n; i++) out[i] = this.cellBuf[i][k];
      return out;
    }
    for (let i = 0; i < n; i++) {
      const cells = this.cellBuf[i];
      let s = 0;
      for (let y = r.cy; y < r.cy + r.size; y++) for (let x = r.cx; x < r.cx + r.size; x++) s += cells[y * this.cols + x];
      out[i] = s / (r.size * r.size);
    }
    return out;
  }

  private analyse(boundary: number): void {
    const n = this.cellBuf.length;
    if (n < 6) {
      this.acceptFrom = boundary;
      return;
    }
    const cols = this.cols;
    const rows = this.rows;
    const K = cols * rows;
    // Two-frame jumps per cell, summarised per region through per-frame integral images.
    const regions: Region[] = [{ cx: 0, cy: 0, size: 0 }];
    for (const s of SIZES) {
      if (s > cols || s > rows) continue;
      for (let cy = 0; cy + s <= rows; cy++) for (let cx = 0; cx + s <= cols; cx++) regions.push({ cx, cy, size: s });
    }
    const R = regions.length;
    const maxJump = new Float64Array(R).fill(-Infinity);
    // Robust SD of the jumps from their median absolute value (over a strided subsample of frames for speed).
    const absJ: Float32Array[] = [];
    const stride = Math.max(1, Math.floor(n / 400));
    const integ = new Float64Array((cols + 1) * (rows + 1));
    const regionMean = (img: Float64Array, r: Region): number => {
      if (r.size === 0) return NaN;
      const x0 = r.cx;
      const y0 = r.cy;
      const x1 = r.cx + r.size;
      const y1 = r.cy + r.size;
      const W = cols + 1;
      return (img[y1 * W + x1] - img[y0 * W + x1] - img[y1 * W + x0] + img[y0 * W + x0]) / (r.size * r.size);
    };
    for (let i = 2; i < n; i++) {
      const a = this.cellBuf[i];
      const b = this.cellBuf[i - 2];
      const W = cols + 1;
      for (let y = 0; y < rows; y++) {
        let rowSum = 0;
        for (let x = 0; x < cols; x++) {
          rowSum += a[y * cols + x] - b[y * cols + x];
          integ[(y + 1) * W + x + 1] = integ[y * W + x + 1] + rowSum;
        }
      }
      const sample = i % stride === 0;
      const row = sample ? new Float32Array(R) : null;
      for (let r = 0; r < R; r++) {
        const j = r === 0 ? a[K] - b[K] : regionMean(integ, regions[r]);
        if (j > maxJump[r]) maxJump[r] = j;
        if (row) row[r] = Math.abs(j);
      }
      if (row) absJ.push(row);
    }
    // Regions by jump score; the first (best-scoring) region whose jumps are flash-shaped (back down to the level
    // before within maxFlashS) is the LED. A scene change or an object that comes and stays is not a flash.
    const scored: Array<{ r: number; score: number; sd: number }> = [];
    const col = new Float64Array(absJ.length);
    for (let r = 0; r < R; r++) {
      if (maxJump[r] < this.o.minJump) continue;
      for (let i = 0; i < absJ.length; i++) col[i] = absJ[i][r];
      const sd = 1.4826 * median(col) + 0.5;
      const score = maxJump[r] / sd;
      if (score >= this.o.minScore) scored.push({ r, score, sd });
    }
    scored.sort((x, y) => y.score - x.score || x.r - y.r);
    const T = median(Array.from({ length: n - 1 }, (_, i) => this.times[i + 1] - this.times[i]));
    // Flash-shaped edges of the 200 best regions; one event seen in overlapping regions is kept once, from the
    // region where it scores best (so two different lights flashing are both reported, as candidates).
    const all: FlashDetection[] = [];
    for (const cand of scored.slice(0, 200)) all.push(...this.edges(regions[cand.r], maxJump[cand.r], cand.sd, T, n, boundary));
    all.sort((x, y) => y.score - x.score || x.t_s - y.t_s);
    const kept: FlashDetection[] = [];
    // Same light: regions that overlap or touch once each is grown by its own size on every side.
    const overlap = (a: FlashRegion, b: FlashRegion) => {
      const ga = Math.max(a.w_px, a.h_px);
      const gb = Math.max(b.w_px, b.h_px);
      return a.x_px - ga < b.x_px + b.w_px + gb && b.x_px - gb < a.x_px + a.w_px + ga && a.y_px - ga < b.y_px + b.h_px + gb && b.y_px - gb < a.y_px + a.h_px + ga;
    };
    for (const d of all) if (!kept.some((k) => Math.abs(k.t_s - d.t_s) < 2 * T && overlap(k.region, d.region))) kept.push(d);
    kept.sort((x, y) => x.t_s - y.t_s);
    this.found.push(...kept);
    this.acceptFrom = boundary;
  }

  /** Flash-shaped rising edges of one region's brightness. */
  private edges(reg: Region, J: number, sd: number, T: number, n: number, boundary: number): FlashDetection[] {
    const out: FlashDetection[] = [];
    const B = this.series(reg);
    // Rising edges of at least half the largest jump; one per flash.
    for (let i = 2; i < n; i++) {
      const jump = B[i] - B[i - 2];
      if (jump < 0.5 * J || jump < this.o.minJump) continue;
      // Levels before (frames i-7..i-3) and after (the brightest of i..i+2: the flash may last under 3 frames).
      const before = median(B.subarray(Math.max(0, i - 7), Math.max(1, i - 2)));
      let after = -Infinity;
      for (let q = i; q < Math.min(n, i + 3); q++) after = Math.max(after, B[q]);
      const amp = after - before;
      if (!(amp >= Math.max(this.o.minJump, 0.4 * J))) continue;
      // First frame at or above 50 %, interpolated against the previous one.
      let k = Math.max(1, i - 3);
      while (k < n && B[k] < before + 0.5 * amp) k++;
      if (k >= n) continue;
      const f0 = (B[k - 1] - before) / amp;
      const f1 = (B[k] - before) / amp;
      const frac = f1 > f0 ? Math.min(1, Math.max(0, (0.5 - f0) / (f1 - f0))) : 1;
      const t50 = this.times[k - 1] + frac * (this.times[k] - this.times[k - 1]);
      const onset = t50 + T / 2;
      // How long it stays above 50 %.
      let e = k;
      while (e < n && B[e] >= before + 0.5 * amp) e++;
      let duration: number | null = null;
      if (e < n) {
        const g0 = (B[e - 1] - before) / amp;
        const g1 = (B[e] - before) / amp;
        const fr = g0 > g1 ? Math.min(1, Math.max(0, (g0 - 0.5) / (g0 - g1))) : 0;
        duration = this.times[e - 1] + fr * (this.times[e] - this.times[e - 1]) + T / 2 - onset;
      }
      // Flash-shaped: back below 50 % within maxFlashS, and settled near the level before.
      const settled = e < n ? median(B.subarray(e, Math.min(n, e + 4))) : NaN;
      // ... and sudden: 80 % of the rise within three frame steps (a light switching on, not a scene changing).
      const sudden = k + 1 < n && k >= 2 && B[Math.min(n - 1, k + 1)] - B[k - 2] >= 0.8 * amp;
      const shaped = sudden && duration !== null && duration >= this.o.minFlashS && duration <= this.o.maxFlashS && Math.abs(settled - before) <= 0.3 * amp;
      const globalFrame = this.frameBase + k;
      const score = amp / sd;
      if (shaped && score >= this.o.minScore && globalFrame >= this.acceptFrom && globalFrame < boundary) {
        const px = this.o.cellPx * this.scaleBack;
        const region: FlashRegion =
          reg.size === 0
            ? { x_px: 0, y_px: 0, w_px: Math.round(this.w * this.scaleBack), h_px: Math.round(this.h * this.scaleBack) }
            : { x_px: Math.round(reg.cx * px), y_px: Math.round(reg.cy * px), w_px: Math.round(reg.size * px), h_px: Math.round(reg.size * px) };
        out.push({
          t_s: onset,
          duration_s: duration,
          contrast: amp / 255,
          score,
          level_before: before,
          level_after: after,
          region,
          confidence: flashConfidence(score),
        });
      }
      // Skip to where the region has fallen back below 50 %.
      i = Math.max(i, e);
    }
    return out;
  }
}
