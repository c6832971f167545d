/**
 * Which face is the primary one? BlazeFace's boxes come out by score (Human's non-max suppression, as MediaPipe's
 * face detection), and with --max-faces 1 Human meshes only the top one: with two people in view, that could be the
 * smaller, farther face (an interviewer) on every frame, or switch between the two (a trial clip, 2026-12-04). A
 * recording's participant is the near face, so the detector is asked for PRIMARY_EXTRA_BOXES boxes more than
 * --max-faces, and the largest box among those about as sure as the top one (within PRIMARY_SCORE_MARGIN, and at
 * --min-confidence) goes first; the others follow in the detector's order. Only boxes are compared: no extra mesh runs.
 */
import type { DetectorBox } from './orientation.js';

/** Boxes asked of the detector beyond --max-faces, among which the primary face is chosen. */
export const PRIMARY_EXTRA_BOXES = 2;
/**
 * A box whose score is within this of the top box's counts as as sure a face (BlazeFace's scores of one frontal face
 * vary by 0.05-0.1 from frame to frame on the fixtures; background boxes score far below the faces).
 */
export const PRIMARY_SCORE_MARGIN = 0.25;
/** A box goes before the top-scoring one only when its area is at least this many times that box's (no flip-flop between faces of about one size). */
export const PRIMARY_AREA_RATIO = 1.2;

const area = (b: DetectorBox): number => (b.endPoint[0] - b.startPoint[0]) * (b.endPoint[1] - b.startPoint[1]);

/**
 * The detector's boxes (by score) reordered so that the primary face comes first, cut to `maxFaces`: the largest box
 * scoring at least `minConfidence` and within PRIMARY_SCORE_MARGIN of the top score, when its area is PRIMARY_AREA_RATIO
 * times the top box's or more; otherwise the top box. `passedOver` counts boxes at `minConfidence` larger by that ratio
 * than the box put first that were cut (scoring further below the top): a larger face in view that is not analysed.
 */
export function primaryFirst(boxes: DetectorBox[], maxFaces: number, minConfidence: number): { boxes: DetectorBox[]; passedOver: number } {
  if (boxes.length === 0) return { boxes, passedOver: 0 };
  const top = boxes.reduce((p, q) => (q.confidence > p.confidence ? q : p));
  let first = top;
  for (const b of boxes) {
    const sure = b.confidence >= minConfidence && b.confidence >= top.confidence - PRIMARY_SCORE_MARGIN;
    if (sure && area(b) >= PRIMARY_AREA_RATIO * area(top) && area(b) > area(first)) first = b;
  }
  const ordered = [first, ...boxes.filter((b) => b !== first).sort((p, q) => q.confidence - p.confidence)];
  const kept = ordered.slice(0, Math.max(1, maxFaces));
  const passedOver = ordered.slice(kept.length).filter((b) => b.confidence >= minConfidence && area(b) >= PRIMARY_AREA_RATIO * area(first)).length;
  return { boxes: kept, passedOver };
}
