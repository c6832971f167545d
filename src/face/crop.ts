/**
 * The rotated face crop Human feeds the face mesh, computed from the frame's bytes for the output pixels only.
 *
 * Human (facemeshutil.ts correctFaceRotation) rotates the WHOLE frame (tf.image.rotateWithOffset: nearest source
 * pixel, black outside) and then cuts the face box out of the rotated frame (tf.image.cropAndResize, bilinear, to
 * size x size) and divides by 255. On tfjs-backend-wasm the whole-frame rotation was the most expensive single kernel
 * of a tracked frame (about 7 ms of CPU per 640x480 frame, more than the emotion model), although the crop reads only
 * 4 rotated pixels for each of its size x size outputs. rotatedCrop gives the same values from those pixels alone: it
 * follows the two wasm kernels step by step (tfjs-backend-wasm src/cc/kernels/RotateWithOffset.cc and
 * CropAndResize.cc with interpolate_bilinear_impl.cc, tfjs 4.22) in float32 arithmetic (Math.fround after each
 * operation; a float32 sum, product or quotient rounded from the exact double one is the float32 result). The test
 * (test/face-crop.test.ts) compares it with the two kernels on the fixture portrait.
 */
const f = Math.fround;

/** C's round() (half away from zero), as the wasm kernel rounds rotated coordinates. */
function roundHalfAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/** The rotation's constants (float32 values) and the frame's size. */
interface Rotation {
  cx: number;
  cy: number;
  sin: number;
  cos: number;
  width: number;
  height: number;
}

/**
 * Source indices (sourceIndex) of rotated rows over columns x0 .. x0 + n - 1, for the two rotated rows an output row
 * blends (top and bottom); a row is computed once and kept while the next output row still needs it.
 */
class RotatedRows {
  private readonly bufs: [Int32Array, Int32Array];
  private readonly ys = [NaN, NaN];
  constructor(
    n: number,
    private readonly x0: number,
    private readonly colCos: Float64Array,
    private readonly colSin: Float64Array,
    private readonly rot: Rotation,
  ) {
    this.bufs = [new Int32Array(n), new Int32Array(n)];
  }

  /** Row y's source indices; the row `keep` (if held) is not overwritten. */
  get(y: number, keep: number): Int32Array {
    if (this.ys[0] === y) return this.bufs[0];
    if (this.ys[1] === y) return this.bufs[1];
    const slot = this.ys[0] === keep ? 1 : 0;
    const out = this.bufs[slot];
    const { cx, cy, sin, cos, width, height } = this.rot;
    const dy = f(y - cy);
    const ySin = f(dy * sin);
    const yCos = f(dy * cos);
    for (let i = 0, x = this.x0; i < out.length; i++, x++) out[i] = sourceIndex(this.colCos[x], this.colSin[x], ySin, yCos, cx, cy, width, height);
    this.ys[slot] = y;
    return out;
  }
}

export interface CropBox {
  startPoint: [number, number];
  endPoint: [number, number];
}

/**
 * Index (3 * pixel) of the frame pixel the rotated image shows at the rotated pixel whose column terms are
 * (xCos, xSin) and row terms (ySin, yCos), or -1 (black) outside the frame: RotateWithOffset's nearest pixel.
 */
function sourceIndex(xCos: number, xSin: number, ySin: number, yCos: number, cx: number, cy: number, width: number, height: number): number {
  const sx = roundHalfAway(f(f(xCos - ySin) + cx));
  const sy = roundHalfAway(f(f(xSin + yCos) + cy));
  return sx >= 0 && sx < width && sy >= 0 && sy < height ? 3 * (sy * width + sx) : -1;
}

/**
 * `size` x `size` x 3 float32 values (0..1) of the frame `rgb` (width x height, 3 bytes a pixel) rotated by `angle`
 * radians about `centerRaw` (fractions of width and height, as Human passes them) and cut to `box` (frame pixels).
 * Only numbers go on to the kernel: Human's boxes and centres come from several places with different object shapes,
 * and each new shape made V8 throw away the optimised code of the whole kernel and compile it again (7 TurboFan
 * compiles of 18-136 ms in one engine's first 60 frames, `node --trace-opt --trace-deopt`; now one, plus two of
 * blendRow); this wrapper is small.
 */
export function rotatedCrop(rgb: Uint8Array, width: number, height: number, box: CropBox, angle: number, centerRaw: [number, number], size: number, into?: Float32Array): Float32Array {
  const out = into ?? new Float32Array(size * size * 3);
  if (out.length !== size * size * 3) throw new Error(`rotatedCrop: output of ${out.length} values for a ${size}x${size}x3 crop`);
  if (into) out.fill(0); // extrapolated pixels are 0 (a new Float32Array is zeroed already)
  cropKernel(out, rgb, width, height, box.startPoint[0], box.startPoint[1], box.endPoint[0], box.endPoint[1], angle, centerRaw[0], centerRaw[1], size);
  return out;
}

/**
 * rotatedCrop on plain numbers: box corners (bx1, by1)-(bx2, by2) in frame pixels, centre (cxRaw, cyRaw) as
 * fractions; writes every in-frame pixel of `out` (size x size x 3, zeroed by the caller).
 */
function cropKernel(out: Float32Array, rgb: Uint8Array, width: number, height: number, bx1: number, by1: number, bx2: number, by2: number, angle: number, cxRaw: number, cyRaw: number, size: number): void {
  // RotateWithOffset: radians and the centre reach the kernel as float32; sin and cos in float32 (the shipped 4.22
  // binary turns by +radians, as the tfjs cpu kernel does; the .cc in the repository says -radians).
  const rad = f(angle);
  const sin = f(Math.sin(rad));
  const cos = f(Math.cos(rad));
  const cx = f(width * cxRaw);
  const cy = f(height * cyRaw);
  // CropAndResize: the box as Human normalises it (float32 tensor), scales in float32.
  const y1 = f(by1 / height);
  const x1 = f(bx1 / width);
  const y2 = f(by2 / height);
  const x2 = f(bx2 / width);
  const hm1 = height - 1;
  const wm1 = width - 1;
  const hScale = size > 1 ? f(f(f(y2 - y1) * hm1) / (size - 1)) : 0;
  const wScale = size > 1 ? f(f(f(x2 - x1) * wm1) / (size - 1)) : 0;
  // The bilinear sample's columns depend on the output column only: left/right rotated-image columns and weight.
  const x1w = f(x1 * wm1);
  const left = new Int32Array(size).fill(-1);
  const right = new Int32Array(size);
  const xLerp = new Float64Array(size);
  for (let xi = 0; xi < size; xi++) {
    const xInd = size > 1 ? f(x1w + f(xi * wScale)) : f(0.5 * (x1 + x2) * wm1);
    if (xInd < 0 || xInd > width - 1) continue; // extrapolation value 0
    left[xi] = Math.floor(xInd);
    right[xi] = Math.min(wm1, Math.ceil(xInd));
    xLerp[xi] = f(xInd - left[xi]);
  }
  // The rotation's terms of a rotated-image column x: (x - cx) * cos and (x - cx) * sin, each rounded to float32.
  const colCos = new Float64Array(width);
  const colSin = new Float64Array(width);
  for (let x = 0; x < width; x++) {
    const dx = f(x - cx);
    colCos[x] = f(dx * cos);
    colSin[x] = f(dx * sin);
  }
  // Source pixel index (or -1: black, outside the frame) of the rotated pixels in columns x0..xEnd of a rotated row,
  // computed once per row: consecutive output rows share rotated rows (a row's bottom is often the next one's top).
  let x0 = width;
  let xEnd = -1;
  for (let xi = 0; xi < size; xi++) {
    if (left[xi] < 0) continue;
    x0 = Math.min(x0, left[xi]);
    xEnd = Math.max(xEnd, right[xi]);
  }
  const rows = new RotatedRows(Math.max(0, xEnd - x0 + 1), x0, colCos, colSin, { cx, cy, sin, cos, width, height });
  const y1h = f(y1 * hm1);
  for (let yi = 0; yi < size; yi++) {
    const yInd = size > 1 ? f(y1h + f(yi * hScale)) : f(0.5 * (y1 + y2) * hm1);
    if (yInd < 0 || yInd > height - 1) continue; // extrapolation value 0
    const top = Math.floor(yInd);
    const bottom = Math.min(hm1, Math.ceil(yInd));
    const rowT = rows.get(top, -1);
    const rowB = rows.get(bottom, top);
    blendRow(out, 3 * size * yi, rgb, rowT, rowB, left, right, xLerp, x0, f(yInd - top), size);
  }
}

/**
 * One output row: each pixel blends the four rotated pixels around it (top row rowT, bottom row rowB; source indices,
 * -1 black) as CropAndResize's bilinear step does, divided by 255. Its own function so that V8 optimises it as a
 * whole after a few rows (a row loop inside the kernel was compiled on the stack and again after each deopt).
 */
function blendRow(out: Float32Array, o: number, rgb: Uint8Array, rowT: Int32Array, rowB: Int32Array, left: Int32Array, right: Int32Array, xLerp: Float64Array, x0: number, yLerp: number, size: number): void {
  for (let xi = 0; xi < size; xi++, o += 3) {
    const l = left[xi] - x0;
    if (l < 0) continue; // outside the frame in the crop: extrapolation value
    const r = right[xi] - x0;
    const itl = rowT[l];
    const itr = rowT[r];
    const ibl = rowB[l];
    const ibr = rowB[r];
    const xl = xLerp[xi];
    if ((itl | itr | ibl | ibr) >= 0) {
      // All four inside the frame (the usual case): the same arithmetic without the black-pixel tests.
      for (let c = 0; c < 3; c++) {
        const vtl = rgb[itl + c];
        const vbl = rgb[ibl + c];
        const t = f(vtl + f((rgb[itr + c] - vtl) * xl));
        const b = f(vbl + f((rgb[ibr + c] - vbl) * xl));
        out[o + c] = f(f(t + f(f(b - t) * yLerp)) / 255);
      }
      continue;
    }
    for (let c = 0; c < 3; c++) {
      const vtl = itl < 0 ? 0 : rgb[itl + c];
      const vtr = itr < 0 ? 0 : rgb[itr + c];
      const vbl = ibl < 0 ? 0 : rgb[ibl + c];
      const vbr = ibr < 0 ? 0 : rgb[ibr + c];
      const t = f(vtl + f((vtr - vtl) * xl));
      const b = f(vbl + f((vbr - vbl) * xl));
      out[o + c] = f(f(t + f(f(b - t) * yLerp)) / 255);
    }
  }
}
