/**
 * Deterministic renders of a still picture under a known similarity transform (zoom, in-plane rotation, mirror,
 * translation), bilinear sampling in plain JavaScript: the same pixels with any ffmpeg build. Used by
 * scripts/measure-face68.mjs and the face tests (test/face-quality.test.ts) to make frames whose geometry is known.
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

/** Separable box blur of radius r (rgb24), for the "blur" variants. */
export function boxBlur(img, w, h, r) {
  const tmp = Buffer.alloc(img.length);
  const out = Buffer.alloc(img.length);
  const pass = (from, to, horizontal) => {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let ch = 0; ch < 3; ch++) {
          let s = 0;
          let n = 0;
          for (let k = -r; k <= r; k++) {
            const xx = horizontal ? x + k : x;
            const yy = horizontal ? y : y + k;
            if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
            s += from[3 * (yy * w + xx) + ch];
            n++;
          }
          to[3 * (y * w + x) + ch] = Math.round(s / n);
        }
      }
    }
  };
  pass(img, tmp, true);
  pass(tmp, out, false);
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
