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
 */
export function rotatedCrop(rgb: Uint8Array, width: number, height: number, box: CropBox, angle: number, centerRaw: [number, number], size: number): Float32Array {
  // RotateWithOffset: radians and the centre reach the kernel as float32; sin and cos in float32 (the shipped 4.22
  // binary turns by +radians, as the tfjs cpu kernel does; the .cc in the repository says -radians).
  const rad = f(angle);
  const sin = f(Math.sin(rad));
  const cos = f(Math.cos(rad));
  const cx = f(width * centerRaw[0]);
  const cy = f(height * centerRaw[1]);
  // CropAndResize: the box as Human normalises it (float32 tensor), scales in float32.
  const y1 = f(box.startPoint[1] / height);
  const x1 = f(box.startPoint[0] / width);
  const y2 = f(box.endPoint[1] / height);
  const x2 = f(box.endPoint[0] / width);
  const hm1 = height - 1;
  const wm1 = width - 1;
  const hScale = size > 1 ? f(f(f(y2 - y1) * hm1) / (size - 1)) : 0;
  const wScale = size > 1 ? f(f(f(x2 - x1) * wm1) / (size - 1)) : 0;
  const out = new Float32Array(size * size * 3);
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
  // Source pixel index (or -1: black, outside the frame) of the four rotated pixels each output pixel blends.
  const src = new Int32Array(4 * size);
  const y1h = f(y1 * hm1);
  for (let yi = 0; yi < size; yi++) {
    const yInd = size > 1 ? f(y1h + f(yi * hScale)) : f(0.5 * (y1 + y2) * hm1);
    if (yInd < 0 || yInd > height - 1) continue; // extrapolation value 0
    const top = Math.floor(yInd);
    const bottom = Math.min(hm1, Math.ceil(yInd));
    const yLerp = f(yInd - top);
    const dyT = f(top - cy);
    const dyB = f(bottom - cy);
    const tSin = f(dyT * sin);
    const tCos = f(dyT * cos);
    const bSin = f(dyB * sin);
    const bCos = f(dyB * cos);
    for (let xi = 0; xi < size; xi++) {
      const l = left[xi];
      const r = right[xi];
      if (l < 0) {
        src[4 * xi] = -2; // outside the frame in the crop: extrapolation value
        continue;
      }
      src[4 * xi] = sourceIndex(colCos[l], colSin[l], tSin, tCos, cx, cy, width, height);
      src[4 * xi + 1] = sourceIndex(colCos[r], colSin[r], tSin, tCos, cx, cy, width, height);
      src[4 * xi + 2] = sourceIndex(colCos[l], colSin[l], bSin, bCos, cx, cy, width, height);
      src[4 * xi + 3] = sourceIndex(colCos[r], colSin[r], bSin, bCos, cx, cy, width, height);
    }
    let o = 3 * size * yi;
    for (let xi = 0; xi < size; xi++, o += 3) {
      const itl = src[4 * xi];
      if (itl === -2) continue;
      const itr = src[4 * xi + 1];
      const ibl = src[4 * xi + 2];
      const ibr = src[4 * xi + 3];
      const xl = xLerp[xi];
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
  return out;
}
