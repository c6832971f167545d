import { describe, expect, it } from 'vitest';
import type { VideoFrame } from '../src/media/decode-video.js';
import { FlashScanner } from '../src/sync/flash/flash.js';

// A camera without sound in a start-only session: the reference microphone's beep still says how long the pulse is.
// A held-out scene (make-sync-scenes --variant 1, v1-mandelbrot-led10-x332y4-25-crf30-pump-180deg) had a 0.14 s
// brighten-and-return (a slide change and the subject's head crossing) placed as the flash by the unguided search;
// the pulse was 0.34 s long. Frames are made here (grey, 25 fps, a little deterministic noise), no ffmpeg.
function frames(events: Array<{ t: number; d: number; x: number }>, seconds = 8): VideoFrame[] {
  const W = 64;
  const H = 36;
  let a = 7;
  const u = () => ((a = (a * 1103515245 + 12345) % 2147483648) / 2147483648);
  const out: VideoFrame[] = [];
  for (let i = 0; i < seconds * 25; i++) {
    const t = i / 25;
    const data = new Uint8Array(W * H);
    for (let k = 0; k < data.length; k++) data[k] = 90 + Math.floor(u() * 6);
    for (const e of events) {
      const lit = Math.max(0, Math.min(t + 0.04, e.t + e.d) - Math.max(t, e.t)) / 0.04;
      for (let y = 4; y < 12; y++) for (let x = e.x; x < e.x + 8; x++) data[y * W + x] += Math.round(120 * lit);
    }
    out.push({ index: i, t_s: t, width: W, height: H, data } as unknown as VideoFrame);
  }
  return out;
}

function scan(f: VideoFrame[], pulseS: number | null) {
  const s = new FlashScanner(1, { pulseS });
  for (const x of f) s.push(x);
  return s.finish();
}

describe('unguided flash search checked against the pulse length from the reference (issue 11)', () => {
  it('a 0.14 s event is placeable when the length is unknown, not when the reference says 0.34 s', () => {
    const f = frames([{ t: 5.013, d: 0.14, x: 40 }]);
    expect(scan(f, null).filter((d) => d.placeable).map((d) => Math.round(d.t_s * 10) / 10)).toEqual([5]);
    expect(scan(f, 0.34).filter((d) => d.placeable)).toEqual([]);
  });

  it('a 0.34 s pulse agrees with the reference\'s 0.34 s and is placed within a quarter frame; the 0.14 s event says why not', () => {
    const f = frames([{ t: 3.0123, d: 0.34, x: 8 }]);
    const placed = scan(f, 0.34).filter((d) => d.placeable);
    expect(placed).toHaveLength(1);
    expect(Math.abs(placed[0].t_s - 3.0123) * 25).toBeLessThan(0.25);
    const short = scan(frames([{ t: 5.013, d: 0.14, x: 40 }]), 0.34);
    expect(short.map((d) => d.unplaceable_reason).join('\n')).toMatch(/lit 0\.1\d\d s, but the reference's beep lasted 0\.340 s/);
  });
});
