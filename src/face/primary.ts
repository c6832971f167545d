/**
 * Which face is the primary one? BlazeFace's boxes come out by score (Human's non-max suppression, as MediaPipe's
 * face detection), and with --max-faces 1 Human meshes only the top one: with two people in view, that could be the
 * smaller, farther face (an interviewer) on every frame, or switch between the two (a trial clip, 2026-12-04). A
 * recording's participant is the near face, so the detector is asked for PRIMARY_EXTRA_BOXES boxes more than
 * --max-faces, and the largest box among those about as sure as the top one (within PRIMARY_SCORE_MARGIN, and at
 * --min-confidence) goes first; the others follow in the detector's order. Only boxes are compared: no extra mesh runs.
 */
import { upAxis, type DetectorBox } from './orientation.js';

/** Boxes asked of the detector beyond --max-faces, among which the primary face is chosen. */
export const PRIMARY_EXTRA_BOXES = 2;
/**
 * A box whose score is within this of the top box's counts as as sure a face (BlazeFace's scores of one frontal face
 * vary by 0.05-0.1 from frame to frame on the fixtures; background boxes score far below the faces).
 */
export const PRIMARY_SCORE_MARGIN = 0.25;
/**
 * A box scoring under --min-confidence counts as a face left out (passedOver) from this score up. BlazeFace's boxes on
 * no face scored up to 0.34 on OpenCV's Megamind.avi (often 250-400 px and partly outside the picture, beside a face at
 * 0.9); a near face out of focus and in shade (test/face-two-people.test.ts) scored 0.4-0.5.
 */
export const WEAK_FACE_MIN = 0.4;
/** A box goes before the top-scoring one only when its area is at least this many times that box's (no flip-flop between faces of about one size). */
export const PRIMARY_AREA_RATIO = 1.2;

/**
 * Another face is counted (passedOver, notAnalysed) only when its keypoints put its up within this angle of the box put
 * first: people filmed together are upright together, and BlazeFace reads round patterns as faces at any rotation.
 * ttrial52 roll_ccw.mp4 (one face, the portrait turned 0 to -180 degrees): at 3.20 s the astronaut's helmet scored 0.58
 * in a box 1.55 times the face's, read upright (crop angle 4 degrees) beside the face read at -79, and was counted as a
 * larger face and another face not analysed; 83 degrees apart. The same 60 degrees as orientation.ts ROLL_REFINE: a
 * face's keypoint axis is within 3-8 degrees of its roll up to 45 degrees of roll, 20-45 off beyond 60 (docs/face.md).
 */
export const OTHER_FACE_MAX_TURN = Math.PI / 3;

const area = (b: DetectorBox): number => (b.endPoint[0] - b.startPoint[0]) * (b.endPoint[1] - b.startPoint[1]);

/**
 * The detector's boxes (by score) reordered so that the primary face comes first, cut to `maxFaces`: the largest of the
 * top 1 + PRIMARY_EXTRA_BOXES boxes scoring at least `minConfidence` and within PRIMARY_SCORE_MARGIN of the top score,
 * when its area is PRIMARY_AREA_RATIO times the top box's or more; otherwise the top box. The candidates are the same
 * boxes whatever `maxFaces` (the detector's non-max suppression picks boxes in score order, so its first boxes do not
 * depend on how many it is asked for): the primary face does not depend on --max-faces (trial32). `passedOver` counts
 * the boxes larger by that ratio than a box put first at `minConfidence` that no record will carry: cut (scoring at
 * `minConfidence` but further below the top), or scoring under `minConfidence` but at least WEAK_FACE_MIN (a near face out of focus or in shade);
 * a box holding the centre of the box put first is not another face but that one read larger (a blurred face: trial33),
 * and a box turned more than OTHER_FACE_MAX_TURN from it is a pattern, not another person (ttrial52: a helmet).
 */
export function primaryFirst(boxes: DetectorBox[], maxFaces: number, minConfidence: number): { boxes: DetectorBox[]; passedOver: number; notAnalysed: number } {
  if (boxes.length === 0) return { boxes, passedOver: 0, notAnalysed: 0 };
  const candidates = boxes.slice(0, 1 + PRIMARY_EXTRA_BOXES);
  const top = candidates.reduce((p, q) => (q.confidence > p.confidence ? q : p));
  let first = top;
  for (const b of candidates) {
    const sure = b.confidence >= minConfidence && b.confidence >= top.confidence - PRIMARY_SCORE_MARGIN;
    if (sure && area(b) >= PRIMARY_AREA_RATIO * area(top) && area(b) > area(first)) first = b;
  }
  const ordered = [first, ...boxes.filter((b) => b !== first).sort((p, q) => q.confidence - p.confidence)];
  const kept = ordered.slice(0, Math.max(1, maxFaces));
  // A larger box around the primary face's own centre is that face read larger (a blurred face, trial33), not another.
  const larger = (b: DetectorBox) => area(b) >= PRIMARY_AREA_RATIO * area(first) && !holdsCentre(b, first) && sameWayUp(b, first);
  const cut = ordered.slice(kept.length).filter((b) => b.confidence >= minConfidence && larger(b)).length;
  const weak = first.confidence >= minConfidence ? ordered.slice(1).filter((b) => b.confidence < minConfidence && b.confidence >= WEAK_FACE_MIN && larger(b)).length : 0;
  return { boxes: kept, passedOver: cut + weak, notAnalysed: notAnalysed(ordered.slice(kept.length), kept, minConfidence) };
}

/**
 * The boxes past --max-faces that are other faces at `minConfidence` (any size): not a box holding a kept face's centre
 * or held by one (that face read twice). With --max-faces 1, a second person in view (W9 of ttrial47: one camera
 * filming two participants, the records following one of them and nothing said).
 */
function notAnalysed(cut: DetectorBox[], kept: DetectorBox[], minConfidence: number): number {
  return cut.filter((b) => b.confidence >= minConfidence && !kept.some((k) => holdsCentre(b, k) || holdsCentre(k, b)) && sameWayUp(b, kept[0])).length;
}

/** The keypoints of `b` put its up within OTHER_FACE_MAX_TURN of `first`'s (true when either box has no keypoints). */
function sameWayUp(b: DetectorBox, first: DetectorBox): boolean {
  if (b.landmarks.length < 4 || first.landmarks.length < 4) return true;
  return Math.cos(upAxis(b) - upAxis(first)) >= Math.cos(OTHER_FACE_MAX_TURN);
}

/** The centre of box `inner` lies inside box `b`. */
function holdsCentre(b: DetectorBox, inner: DetectorBox): boolean {
  const [cx, cy] = [(inner.startPoint[0] + inner.endPoint[0]) / 2, (inner.startPoint[1] + inner.endPoint[1]) / 2];
  return cx >= b.startPoint[0] && cx <= b.endPoint[0] && cy >= b.startPoint[1] && cy <= b.endPoint[1];
}

/** A box by its corners: all overlapsFace reads of a detector box. */
export type Corners = Pick<DetectorBox, 'startPoint' | 'endPoint'>;

/** The box's centre lies inside the face box [x, y, w, h] (same pixels), or the face box's centre inside the box. */
export function overlapsFace(b: Corners, face: readonly number[]): boolean {
  const [x, y, w, h] = face;
  const [bx, by] = [(b.startPoint[0] + b.endPoint[0]) / 2, (b.startPoint[1] + b.endPoint[1]) / 2];
  const [fx, fy] = [x + w / 2, y + h / 2];
  const inFace = bx >= x && bx <= x + w && by >= y && by <= y + h;
  return inFace || (fx >= b.startPoint[0] && fx <= b.endPoint[0] && fy >= b.startPoint[1] && fy <= b.endPoint[1]);
}
