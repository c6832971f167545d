/**
 * Two people crossing (a new user's trial, 2026-12-06, W1): A walks right in front of B, who walks left and is hidden
 * behind A for 1.1 s. Before the fix A took B's id 1 at 1.8 s (B's 0.6 s old box overlapped A's box more than A's own
 * box of the previous frame did) and B came back as id 2, exit 0. The boxes are the detector's on the trial's cross.mp4
 * (640x360, 160 px faces, 10 fps; `mmprep face cross.mp4 --max-faces 2`, ffmpeg 5.1), left to right on each frame; the
 * truth is the geometry the clip was drawn with: A's centre at x = 100 + 146.7 t, B's at 540 - 146.7 t (ttrial48b's
 * ids.py). FaceTracker alone: in-process, no decoding.
 */
import { describe, expect, it } from 'vitest';
import { FaceTracker, type Box } from '../src/face/features.js';

const FRAMES: Array<[number, Box[]]> = [
  [0.5, [[132, 142, 70, 78], [434, 144, 64, 75]]],
  [0.6, [[152, 144, 67, 77], [420, 144, 65, 75]]],
  [0.7, [[162, 142, 70, 78], [404, 144, 64, 75]]],
  [0.8, [[184, 142, 65, 77], [388, 142, 65, 78]]],
  [0.9, [[194, 142, 69, 78], [376, 142, 66, 77]]],
  [1, [[212, 142, 66, 78], [360, 144, 63, 75]]],
  [1.1, [[222, 142, 69, 78], [346, 144, 64, 75]]],
  [1.2, [[240, 144, 67, 77], [342, 146, 58, 72]]],
  [1.3, [[250, 142, 70, 78]]],
  [1.4, [[270, 144, 67, 77]]],
  [1.5, [[286, 144, 67, 77]]],
  [1.6, [[304, 142, 63, 78]]],
  [1.7, [[312, 144, 67, 76]]],
  [1.8, [[328, 144, 67, 76]]],
  [1.9, [[340, 144, 69, 76]]],
  [2, [[358, 144, 67, 76]]],
  [2.1, [[368, 142, 70, 77]]],
  [2.2, [[386, 144, 67, 77]]],
  [2.3, [[398, 142, 70, 77]]],
  [2.4, [[154, 144, 65, 76], [422, 144, 64, 76]]],
  [2.5, [[140, 142, 64, 76], [430, 144, 66, 76]]],
  [2.6, [[126, 142, 64, 76], [446, 144, 66, 76]]],
  [2.7, [[112, 142, 64, 76], [458, 142, 69, 77]]],
  [2.8, [[96, 144, 64, 75], [476, 144, 66, 76]]],
  [2.9, [[82, 142, 64, 76], [486, 142, 70, 77]]],
];

/** Who a box is by the drawn geometry: the person whose centre is nearer (B is hidden while they overlap). */
function whoIs(b: Box, t: number): 'A' | 'B' {
  const cx = b[0] + b[2] / 2;
  return Math.abs(cx - (100 + (440 * t) / 3)) <= Math.abs(cx - (540 - (440 * t) / 3)) ? 'A' : 'B';
}

describe('FaceTracker: two people crossing', () => {
  it('each keeps one id through the crossing (A 0, B 1); no one takes the hidden one\'s id', () => {
    const tracker = new FaceTracker();
    const ids: Record<'A' | 'B', Set<number>> = { A: new Set(), B: new Set() };
    for (const [t, boxes] of FRAMES) {
      tracker.assign(boxes, t).forEach((id, f) => ids[whoIs(boxes[f], t)].add(id));
    }
    // The first frame opens 0 for A (left) and 1 for B.
    expect([...ids.A]).toEqual([0]);
    expect([...ids.B]).toEqual([1]);
  });
});
