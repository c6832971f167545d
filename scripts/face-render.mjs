/**
 * Deterministic renders of a still picture under a known similarity transform (zoom, in-plane rotation, mirror,
 * translation), bilinear sampling in plain JavaScript: the same pixels with any ffmpeg build. Used by
 * scripts/measure-face68.mjs and the face tests (test/face-quality.test.ts) to make frames whose geometry is known;
 * drawEye draws synthetic eyes of known rotation (scripts/measure-gaze.mjs, test/face-gaze.test.ts).
 */
import { execFileSync } from 'node:child_process';

/** Decodes a picture to rgb24 with ffmpeg (PNG decoding is lossless and identical across builds). */
export function decodeRgb(ffmpeg, file) {
  return execFileSync(ffmpeg, ['-nostdin', '-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-frames:v', '1', '-'], { maxBuffer: 1 << 28 });
}

/**
 * Renders `src` (rgb24, sw x sh) into a w x h frame: source point p maps to
 * out = (ox, oy) + scale * R(rotation_deg) * M * (p - (sx, sy)), M = mirror ? diag(-1, 1) : I,
 * R(a) = [[cos a, -sin a], [sin a, cos a]] in image coordinates (y down: positive degrees turn clockwise on screen).
 * Pixels outside the source are `bg` (rgb). Pixel centres at +0.5.
 */
export function renderSimilarity(src, sw, sh, w, h, t, bg = [96, 104, 112]) {
  const out = Buffer.alloc(w * h * 3);
  const th = (t.rotation_deg * Math.PI) / 180;
  const c = Math.cos(th);
  const sn = Math.sin(th);
  const mx = t.mirror ? -1 : 1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dx = (x + 0.5 - t.ox) / t.scale;
      const dy = (y + 0.5 - t.oy) / t.scale;
      const sx = t.sx + mx * (c * dx + sn * dy) - 0.5;
      const sy = t.sy + (-sn * dx + c * dy) - 0.5;
      const o = 3 * (y * w + x);
      if (sx < 0 || sy < 0 || sx > sw - 1 || sy > sh - 1) {
        out[o] = bg[0];
        out[o + 1] = bg[1];
        out[o + 2] = bg[2];
        continue;
      }
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(x0 + 1, sw - 1);
      const y1 = Math.min(y0 + 1, sh - 1);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let ch = 0; ch < 3; ch++) {
        const a = src[3 * (y0 * sw + x0) + ch];
        const b = src[3 * (y0 * sw + x1) + ch];
        const d = src[3 * (y1 * sw + x0) + ch];
        const e = src[3 * (y1 * sw + x1) + ch];
        out[o + ch] = Math.round((a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy);
      }
    }
  }
  return out;
}

/** Source point -> output pixel for renderSimilarity's transform. */
export function forwardSimilarity(t, x, y) {
  const th = (t.rotation_deg * Math.PI) / 180;
  const mx = t.mirror ? -1 : 1;
  const dx = mx * (x - t.sx);
  const dy = y - t.sy;
  return [t.ox + t.scale * (Math.cos(th) * dx - Math.sin(th) * dy), t.oy + t.scale * (Math.sin(th) * dx + Math.cos(th) * dy)];
}

/**
 * Separable box blur of radius r (rgb24), for the "blur" variants: each output is the rounded mean of the pixels within
 * r along the row (then the column) that lie inside the picture. A running sum along each line: the same integer sums
 * and counts, so the same bytes, as summing every window anew (50 frames of 640x400 at r = 2: 2.5 CPU s so, 0.3 now).
 */
export function boxBlur(img, w, h, r) {
  const row = w * 3;
  const tmp = Buffer.alloc(img.length);
  // Along each row: a running sum per channel.
  for (let y = 0; y < h; y++) {
    for (let ch = 0; ch < 3; ch++) {
      const base = y * row + ch;
      let s = 0;
      for (let k = 0; k < Math.min(r, w); k++) s += img[base + 3 * k];
      for (let x = 0; x < w; x++) {
        if (x + r < w) s += img[base + 3 * (x + r)];
        if (x > r) s -= img[base + 3 * (x - r - 1)];
        tmp[base + 3 * x] = Math.round(s / (Math.min(w - 1, x + r) - Math.max(0, x - r) + 1));
      }
    }
  }
  // Down the columns: a running sum per column and channel, moved a row at a time (rows stay contiguous in memory).
  const out = Buffer.alloc(img.length);
  const sums = new Float64Array(row);
  for (let y = 0; y < Math.min(r, h); y++) for (let i = 0; i < row; i++) sums[i] += tmp[y * row + i];
  for (let y = 0; y < h; y++) {
    if (y + r < h) for (let i = 0, a = (y + r) * row; i < row; i++) sums[i] += tmp[a + i];
    if (y > r) for (let i = 0, a = (y - r - 1) * row; i < row; i++) sums[i] -= tmp[a + i];
    const n = Math.min(h - 1, y + r) - Math.max(0, y - r) + 1;
    for (let i = 0, a = y * row; i < row; i++) out[a + i] = Math.round(sums[i] / n);
  }
  return out;
}

/** Low light: gain then deterministic pseudo-random noise (LCG), clamped. */
export function lowLight(img, gain, noise, seed = 1) {
  const out = Buffer.alloc(img.length);
  let s = seed >>> 0;
  for (let i = 0; i < img.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const v = img[i] * gain + ((s / 4294967296) * 2 - 1) * noise;
    out[i] = Math.max(0, Math.min(255, Math.round(v)));
  }
  return out;
}

/**
 * Moves the content of a disc by (dx, dy) pixels (an iris turned within the eye): inside radius r1 the picture is
 * displaced by the full amount, between r1 and r2 by an amount falling linearly to 0, outside unchanged.
 * Bilinear sampling; returns a new rgb24 buffer.
 */
export function warpDisc(img, w, h, cx, cy, r1, r2, dx, dy) {
  const out = Buffer.from(img);
  const R = Math.ceil(r2 + Math.hypot(dx, dy)) + 1;
  for (let y = Math.max(0, Math.floor(cy - R)); y <= Math.min(h - 1, Math.ceil(cy + R)); y++) {
    for (let x = Math.max(0, Math.floor(cx - R)); x <= Math.min(w - 1, Math.ceil(cx + R)); x++) {
      const rho = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      const k = rho <= r1 ? 1 : rho >= r2 ? 0 : (r2 - rho) / (r2 - r1);
      if (k === 0) continue;
      const sx = Math.max(0, Math.min(w - 1, x - k * dx));
      const sy = Math.max(0, Math.min(h - 1, y - k * dy));
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(x0 + 1, w - 1);
      const y1 = Math.min(y0 + 1, h - 1);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let ch = 0; ch < 3; ch++) {
        const a = img[3 * (y0 * w + x0) + ch];
        const b = img[3 * (y0 * w + x1) + ch];
        const d = img[3 * (y1 * w + x0) + ch];
        const e = img[3 * (y1 * w + x1) + ch];
        out[3 * (y * w + x) + ch] = Math.round((a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy);
      }
    }
  }
  return out;
}

/** Fills an ellipse (centre, semi-axes) with a colour plus deterministic texture of amplitude `tex` (occluder). */
export function fillEllipse(img, w, h, cx, cy, a, b, rgb, tex = 0) {
  const out = Buffer.from(img);
  for (let y = Math.max(0, Math.floor(cy - b)); y <= Math.min(h - 1, Math.ceil(cy + b)); y++) {
    for (let x = Math.max(0, Math.floor(cx - a)); x <= Math.min(w - 1, Math.ceil(cx + a)); x++) {
      const p = (x + 0.5 - cx) / a;
      const q = (y + 0.5 - cy) / b;
      if (p * p + q * q > 1) continue;
      const t = tex ? tex * Math.sin(x * 0.7 + 0.3 * y) * Math.cos(y * 0.5) : 0;
      for (let ch = 0; ch < 3; ch++) out[3 * (y * w + x) + ch] = Math.max(0, Math.min(255, Math.round(rgb[ch] + t)));
    }
  }
  return out;
}

/** Even-odd point-in-polygon test (polygon: array of [x, y]). */
function inPolygon(poly, x, y) {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Colour of a synthetic eyeball seen along the camera's z axis at picture point (x, y) (orthographic, as mmprep's
 * weak-perspective gaze model): sphere of `radius` px centred at `centre` (x, y), the gaze `g` a unit vector in camera
 * coordinates (x right, y down, z away from the camera). On the sphere, the angle from the gaze axis decides the
 * layer: pupil (radius 0.17 of the eyeball's: 2 mm of 12), textured iris (radial striations), dark limbal ring, iris
 * edge at asin(irisRatio) (0.49: 5.9 mm of 12), then sclera shaded towards the outline; a ray that misses the sphere
 * (the eye corners) sees dim sclera. Returns [r, g, b].
 */
function eyeballColour(e, x, y) {
  const dx = x - e.centre[0];
  const dy = y - e.centre[1];
  const d2 = dx * dx + dy * dy;
  const r2 = e.radius * e.radius;
  if (d2 >= r2) return e.sclera.map((v) => v * 0.55);
  const nz = -Math.sqrt(r2 - d2) / e.radius;
  const n = [dx / e.radius, dy / e.radius, nz];
  const cosA = n[0] * e.g[0] + n[1] * e.g[1] + n[2] * e.g[2];
  const s = Math.sqrt(Math.max(0, 1 - cosA * cosA)); // sine of the angle from the gaze axis
  const irisS = e.irisRatio ?? 0.49;
  const shade = 0.62 + 0.38 * -nz;
  if (cosA > 0 && s < 0.17) return [14, 12, 12];
  if (cosA > 0 && s < irisS) {
    // Azimuth around the gaze axis for the striations: project n on two axes perpendicular to g.
    const u = Math.abs(e.g[1]) < 0.9 ? norm3(cross3(e.g, [0, 1, 0])) : norm3(cross3(e.g, [1, 0, 0]));
    const v = cross3(e.g, u);
    const az = Math.atan2(n[0] * v[0] + n[1] * v[1] + n[2] * v[2], n[0] * u[0] + n[1] * u[1] + n[2] * u[2]);
    const t = s / irisS;
    const stria = 0.82 + 0.18 * Math.sin(az * 23 + 3 * t) * Math.sin(az * 7 + e.seed);
    const limbus = t > 0.86 ? 0.45 : 1 - 0.25 * t;
    return e.iris.map((c) => c * stria * limbus * (0.75 + 0.25 * shade));
  }
  return e.sclera.map((c) => c * shade);
}
const cross3 = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const norm3 = (a) => {
  const l = Math.hypot(a[0], a[1], a[2]);
  return [a[0] / l, a[1] / l, a[2] / l];
};

/**
 * Draws a synthetic eye (an eyeball of known radius turned to a known gaze: eyeballColour) into the eye opening of a
 * picture, under the lids: only pixels inside `eye.opening` (the eye contour, [x, y] points in order) change, each the
 * mean of 4 x 4 samples, a sample outside the opening keeping the picture's colour (anti-aliased lid edge); the upper
 * 30 % of the opening is darkened by up to 25 % towards the lid (its shadow). `eye`: { opening, centre: [x, y],
 * radius (px), g (unit gaze vector, camera coordinates), iris: [r, g, b], sclera: [r, g, b], seed }. Returns a new
 * rgb24 buffer; deterministic.
 */
export function drawEye(img, w, h, eye) {
  const out = Buffer.from(img);
  const xs = eye.opening.map((p) => p[0]);
  const ys = eye.opening.map((p) => p[1]);
  const top = Math.min(...ys);
  const bottom = Math.max(...ys);
  const N = 4;
  for (let y = Math.max(0, Math.floor(top)); y <= Math.min(h - 1, Math.ceil(bottom)); y++) {
    for (let x = Math.max(0, Math.floor(Math.min(...xs))); x <= Math.min(w - 1, Math.ceil(Math.max(...xs))); x++) {
      const o = 3 * (y * w + x);
      const acc = [0, 0, 0];
      let inside = 0;
      for (let j = 0; j < N; j++) {
        for (let i = 0; i < N; i++) {
          const px = x + (i + 0.5) / N;
          const py = y + (j + 0.5) / N;
          const c = inPolygon(eye.opening, px, py) ? (inside++, eyeballColour(eye, px, py)) : [img[o], img[o + 1], img[o + 2]];
          const lid = inPolygon(eye.opening, px, py) ? 1 - 0.25 * Math.max(0, 1 - (py - top) / (0.3 * (bottom - top))) : 1;
          for (let ch = 0; ch < 3; ch++) acc[ch] += c[ch] * lid;
        }
      }
      if (inside === 0) continue;
      for (let ch = 0; ch < 3; ch++) out[o + ch] = Math.max(0, Math.min(255, Math.round(acc[ch] / (N * N))));
    }
  }
  return out;
}
