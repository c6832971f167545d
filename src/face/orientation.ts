/**
 * Which way up is a face? BlazeFace (Bazarevsky et al. 2019, "BlazeFace: Sub-millisecond Neural Face Detection on
 * Mobile GPUs") is trained on faces near upright: on a face turned past ~120 degrees it either finds nothing or finds
 * "an upright face" whose six keypoints are upside down (the mouth above the nose), and Human then cuts the mesh's
 * crop by those keypoints (facemeshutil.ts correctFaceRotation: angle of the mouth-nose line), so the mesh is laid
 * upright over the inverted face with a face score of 1 (docs/face.md "Upside-down and strongly rolled faces").
 *
 * The check: on every detector frame BlazeFace also runs on the frame turned by 180 degrees (an exact pixel
 * reversal), and each box it finds there is mapped back. A face read both ways is taken from the reading BlazeFace
 * scores higher by at least ORIENTATION_MARGIN: the one in which the face is nearer upright, where its keypoints are
 * reliable (measured on the fixture portrait: at 0-60 degrees of roll 0.81-0.90 upright against 0.55-0.70 turned;
 * at 135 the upright reading's keypoints put the crop 50-60 degrees off while the turned one scored 0.25 higher).
 * Within the margin, the frame's own reading is kept when the two readings' keypoint axes agree (within 90 degrees)
 * and the face is dropped and counted when they point opposite ways (no way to tell which is right). A face found
 * only turned is added (mapped back), since Human then cuts its crop by the mapped keypoints, which point the right
 * way. Everything after (mesh, iris, expression, tracking) runs once, on the frame as it is, in its own coordinates.
 */

/** A face box as Human's detector (S3 in the 3.3.6 bundle, face/blazeface.ts getBoxes) returns it, in input pixels. */
export interface DetectorBox {
  startPoint: [number, number];
  endPoint: [number, number];
  /** BlazeFace's six keypoints: eye, eye, nose, mouth, ear, ear (Human's blazeFaceLandmarks). */
  landmarks: Array<[number, number]>;
  confidence: number;
  size: [number, number];
}

/**
 * A frame whose every face (at --min-confidence or above) BlazeFace reads at least this sure, with its keypoints within
 * 45 degrees of upright, skips the turned reading: its cost (BlazeFace once more, ~25 CPU ms per detector frame at
 * 640x480) is then not paid on ordinary footage. Upside-down faces BlazeFace misread as upright scored 0.50-0.80
 * (the fixture portrait at 135-240 degrees, Megamind.avi at 150-240 degrees and with rotation metadata 180: about 80
 * readings); upright faces 0.78-0.97, 0.9 or more on 72 of the bench clip's 75 detector frames.
 */
export const SURE_UPRIGHT = 0.9;

/** Every face the frame's own reading has (at minConfidence or above) is surely upright (SURE_UPRIGHT); one at least. */
export function surelyUpright(upright: DetectorBox[], minConfidence: number): boolean {
  const faces = upright.filter((b) => b.confidence >= minConfidence);
  return faces.length > 0 && faces.every((b) => b.confidence >= SURE_UPRIGHT && Math.cos(upAxis(b) + Math.PI / 2) >= Math.SQRT1_2);
}

/** Detector-score lead one reading of a face needs over the opposite reading to be taken (see the module comment). */
export const ORIENTATION_MARGIN = 0.05;

/**
 * A reading taken over an opposite one by less than this lead is contested: the engine shows BlazeFace the face turned
 * upright by each reading's axis and takes the reading it then finds upright with the higher score (engine.ts
 * arbitrate). face_swapped.jpg (OpenCV's docs) turned 245 degrees: the upright reading scored 0.66 with its keypoints
 * 154 degrees off the face's axis, the turned (right) one 0.59; the mesh cut by the upright reading lay 0.87 IOD off
 * with mesh score 0.98 (docs/face.md "Upside-down and strongly rolled faces"). Right readings won by 0.11-0.35 on the
 * fixture portrait.
 */
export const ORIENTATION_CONFIRM = 0.15;

const NOSE = 2;
const MOUTH = 3;

/**
 * A box found on the frame reversed in both axes (turned 180 degrees) and scaled to fromW x fromH, in the frame's own
 * pixels (width x height); squared about its centre on its longer side, as Human squares a detector box (mt).
 */
export function unturnBox(b: DetectorBox, width: number, height: number, fromW = width, fromH = height): DetectorBox {
  const [sx, sy] = [width / fromW, height / fromH];
  const back = (q: [number, number]): [number, number] => [width - q[0] * sx, height - q[1] * sy];
  const [a, c] = [back(b.endPoint), back(b.startPoint)];
  const [mx, my, half] = [(a[0] + c[0]) / 2, (a[1] + c[1]) / 2, Math.max(c[0] - a[0], c[1] - a[1]) / 2];
  return {
    startPoint: [Math.round(mx - half), Math.round(my - half)],
    endPoint: [Math.round(mx + half), Math.round(my + half)],
    landmarks: b.landmarks.map(back),
    confidence: b.confidence,
    size: [Math.round(b.size[0] * sx), Math.round(b.size[1] * sy)],
  };
}

/** Direction (radians) from the mouth keypoint to the nose keypoint: the face's "up" in the picture. */
export function upAxis(b: DetectorBox): number {
  const [m, n] = [b.landmarks[MOUTH], b.landmarks[NOSE]];
  return Math.atan2(n[1] - m[1], n[0] - m[0]);
}

/** The two readings point opposite ways (their up axes more than 90 degrees apart). */
function opposite(a: DetectorBox, b: DetectorBox): boolean {
  return Math.cos(upAxis(a) - upAxis(b)) < 0;
}

/** The same face: the centre of one box inside the other. */
function sameFace(a: DetectorBox, b: DetectorBox): boolean {
  const inside = (p: [number, number], q: DetectorBox) => p[0] >= q.startPoint[0] && p[0] <= q.endPoint[0] && p[1] >= q.startPoint[1] && p[1] <= q.endPoint[1];
  const centre = (q: DetectorBox): [number, number] => [(q.startPoint[0] + q.endPoint[0]) / 2, (q.startPoint[1] + q.endPoint[1]) / 2];
  return inside(centre(a), b) || inside(centre(b), a);
}

export interface OrientedBoxes {
  boxes: DetectorBox[];
  /** Faces taken from the turned reading (turned past ~90 degrees, or found only that way). */
  turned: number;
  /**
   * Faces of `boxes` (`taken`) read the opposite way (`other`) with a lead under ORIENTATION_CONFIRM (see there);
   * `tie`: a lead under the margin too (the frame's own reading taken for now), which the arbitration must break or
   * leave the face out (doubtful).
   */
  contested: Array<{ taken: DetectorBox; other: DetectorBox; takenTurned: boolean; tie?: boolean }>;
  /** Faces of `boxes` whose turned reading agrees with the upright one (turnedAgrees): not faces, left out later. */
  agreeing: DetectorBox[];
}

/**
 * A weak reading (detector score under this) whose turned reading agrees with it is no face (turnedAgrees). Human
 * readings at det < 0.65 never agreed; sideways faces agree at 0.69-0.83 (docs/face.md, trial33).
 */
export const TURNED_AGREE_DET_MAX = 0.65;

/**
 * BlazeFace, shown the frame turned 180 degrees, reads a human face the wrong way up or not at all; a pattern with no
 * up (a squirrel's profile, trial33) it reads pointing the same way (axes within 90 degrees) and about as sure (within
 * ORIENTATION_CONFIRM). Only weak readings (both under TURNED_AGREE_DET_MAX) within ROLL_REFINE (60 degrees) of upright:
 * faces at 45-90 degrees of roll agree routinely (el_side.mp4, keypoints ~70 degrees off, det 0.69-0.83).
 */
export function turnedAgrees(u: DetectorBox, t: DetectorBox): boolean {
  const weak = Math.max(u.confidence, t.confidence) < TURNED_AGREE_DET_MAX;
  return weak && !opposite(u, t) && Math.abs(u.confidence - t.confidence) < ORIENTATION_CONFIRM && Math.abs(cropRoll(u)) <= ROLL_REFINE;
}

/**
 * Merges the detector's boxes on the frame (`upright`) and on the frame turned 180 degrees (`turned`, already mapped
 * back with unturnBox), as the module comment says. Candidates below `minConfidence` (--min-confidence) either way
 * are left as the detector gave them, and a face found only turned is added only from it up. With nothing turned to
 * take, `upright` is returned as it is.
 */
export function orientBoxes(upright: DetectorBox[], turned: DetectorBox[], maxFaces: number, minConfidence: number, margin = ORIENTATION_MARGIN): OrientedBoxes {
  const out: DetectorBox[] = [];
  const used = new Set<DetectorBox>();
  const contested: OrientedBoxes['contested'] = [];
  const agreeing: DetectorBox[] = [];
  let nTurned = 0;
  let nTie = 0;
  for (const u of upright) {
    const t = turned.find((c) => !used.has(c) && sameFace(u, c));
    if (t) used.add(t);
    // Both readings below --min-confidence: no face either way (the record's threshold rejects it), left as it was.
    const weak = !t || Math.max(u.confidence, t.confidence) < minConfidence;
    let taken: DetectorBox | null = null;
    let tie = false;
    if (weak || u.confidence >= t.confidence + margin || (!opposite(u, t) && t.confidence < u.confidence + margin)) taken = u;
    else if (t.confidence >= u.confidence + margin) {
      taken = t;
      nTurned++;
    } else {
      // Opposite readings within the margin: not decided here but by the upright views (engine.ts arbitrate), which
      // leave the face out (doubtful) when they do not break the tie. Before 2026-12-07 it was left out here: a still,
      // upright, frontal portrait read 0.758 upright and 0.714 turned lost every frame (ttrial57b), where its upright
      // view scores 0.95 and the other 0.76.
      taken = u;
      tie = true;
      nTie++;
    }
    out.push(taken);
    if (t && !weak && turnedAgrees(u, t)) agreeing.push(taken);
    if (t && !weak && opposite(u, t) && Math.abs(u.confidence - t.confidence) < ORIENTATION_CONFIRM) contested.push({ taken, other: taken === u ? t : u, takenTurned: taken === t, ...(tie ? { tie } : {}) });
  }
  const added = turned.filter((t) => !used.has(t) && t.confidence >= minConfidence && !out.some((o) => sameFace(o, t)));
  if (added.length === 0 && nTurned === 0 && nTie === 0) return { boxes: upright, turned: 0, contested, agreeing };
  // The faces read upright keep their places (Human's order, by score); faces found only turned fill what is left.
  const boxes = [...out, ...added.sort((a, b) => b.confidence - a.confidence)].slice(0, Math.max(1, maxFaces));
  const turnedKept = nTurned + added.filter((t) => boxes.includes(t)).length;
  return { boxes, turned: turnedKept, contested: contested.filter((c) => boxes.includes(c.taken)), agreeing: agreeing.filter((b) => boxes.includes(b)) };
}

/** Side of the view the arbitration shows BlazeFace (its input side: no resize), and the face's share of it. */
export const VIEW_SIDE = 256;
const VIEW_FACE_SHARE = 0.5;

/**
 * The picture around a reading's face turned so that the reading's axis (mouth to nose keypoint) points up: a
 * VIEW_SIDE square, the face box's longer side filling VIEW_FACE_SHARE of it, bilinear samples of `rgb` (3 bytes a
 * pixel) as float32 0..255 (the frame tensor's range), 0 outside the picture. View point q (from its centre) shows the
 * picture at c + R(phi + pi/2) q, phi the axis angle: the axis maps to the view's up.
 */
export function uprightView(rgb: Uint8Array, width: number, height: number, b: DetectorBox): Float32Array {
  const out = new Float32Array(VIEW_SIDE * VIEW_SIDE * 3);
  const side = Math.max(b.endPoint[0] - b.startPoint[0], b.endPoint[1] - b.startPoint[1]);
  const step = side / VIEW_FACE_SHARE / VIEW_SIDE;
  const [cx, cy] = [(b.startPoint[0] + b.endPoint[0]) / 2, (b.startPoint[1] + b.endPoint[1]) / 2];
  const th = upAxis(b) + Math.PI / 2;
  const [cos, sin] = [Math.cos(th) * step, Math.sin(th) * step];
  for (let j = 0; j < VIEW_SIDE; j++) {
    const qy = j + 0.5 - VIEW_SIDE / 2;
    for (let i = 0; i < VIEW_SIDE; i++) {
      const qx = i + 0.5 - VIEW_SIDE / 2;
      const x = cx + cos * qx - sin * qy - 0.5;
      const y = cy + sin * qx + cos * qy - 0.5;
      if (x < 0 || y < 0 || x > width - 1 || y > height - 1) continue;
      const [x0, y0] = [Math.floor(x), Math.floor(y)];
      const [x1, y1] = [Math.min(x0 + 1, width - 1), Math.min(y0 + 1, height - 1)];
      const [fx, fy] = [x - x0, y - y0];
      const o = 3 * (j * VIEW_SIDE + i);
      for (let ch = 0; ch < 3; ch++) {
        const top = rgb[3 * (y0 * width + x0) + ch] * (1 - fx) + rgb[3 * (y0 * width + x1) + ch] * fx;
        const bottom = rgb[3 * (y1 * width + x0) + ch] * (1 - fx) + rgb[3 * (y1 * width + x1) + ch] * fx;
        out[o + ch] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}

/**
 * BlazeFace's score for the face at the middle of an upright view (uprightView): the best box whose centre lies within
 * a quarter of the view from the middle and whose keypoints are within 45 degrees of upright; 0 when there is none.
 */
export function uprightScore(boxes: DetectorBox[]): number {
  let best = 0;
  for (const b of boxes) {
    const [mx, my] = [(b.startPoint[0] + b.endPoint[0]) / 2, (b.startPoint[1] + b.endPoint[1]) / 2];
    const centred = Math.hypot(mx - VIEW_SIDE / 2, my - VIEW_SIDE / 2) <= VIEW_SIDE / 4;
    if (centred && Math.cos(upAxis(b) + Math.PI / 2) >= Math.SQRT1_2) best = Math.max(best, b.confidence);
  }
  return best;
}

/**
 * A reading whose crop angle (Human's rotation of the mesh's crop: the mouth-to-nose keypoint axis, 0 upright) is
 * larger than this is re-read upright before the mesh (refineRolled). BlazeFace's keypoints on a strongly rolled face
 * can be 20-45 degrees off (the fixture portrait at zoom 1.6 turned 115 degrees: crop at 72.7 degrees where the face
 * is at 118.5), and the face mesh then follows its crop (its own roll 69.6: re-running it on a crop turned by its own
 * roll gives the same wrong mesh), 0.16-0.56 IOD off with mesh score 0.69-1 (docs/face.md before 87620485, which
 * replaced that list with "Strongly rolled readings": one such case, 0.38 IOD off, mesh score 1.0). Readings within 60
 * degrees are not touched (faces up to 45 degrees read within 3 degrees: docs/face.md, the portrait every 15 degrees);
 * a badly misread upright face is (a box-blurred portrait of the plausibility material, found only with it).
 */
export const ROLL_REFINE = Math.PI / 3;
/**
 * The upright view's correction is applied only beyond this (radians): BlazeFace's keypoint axis jitters by 3-8 degrees
 * from view to view, and the mesh is right on crops up to ~13 degrees off (measured: 0.03-0.05 IOD).
 */
export const ROLL_REFINE_MIN = (10 * Math.PI) / 180;

/**
 * A reading turned past 90 degrees is kept only when BlazeFace, shown the face turned upright by that reading's axis
 * (uprightView; read anyway by refineRolled), scores the centred upright face at least this (uprightScore). A blurred
 * upright face can be read upside down at 3-4 times its size (trial33: the portrait under gblur sigma 7 and 10, and a
 * motion blur; detector 0.60-0.84 on the turned frame): its upright view scored 0-0.56 (79 readings), and such frames
 * were kept with mesh score 0.9-0.98. Real faces turned 90-270 degrees (scripts/measure-face-turned.mjs, 11 sets, 522
 * readings past 90 degrees on detector frames) scored 0.70-0.98, median 0.87; the bound lies midway.
 */
export const UPRIGHT_VIEW_MIN = 0.63;

/** Human's crop angle for a reading (facemeshutil computeRotation of mouth and nose keypoints), in [-pi, pi). */
export function cropRoll(b: DetectorBox): number {
  const a = upAxis(b) + Math.PI / 2;
  return a - 2 * Math.PI * Math.floor((a + Math.PI) / (2 * Math.PI));
}

/**
 * The reading of the face in an upright view (uprightView of `b`) as a box in the picture's pixels: the view's
 * centred face (centre within a quarter of the view from the middle, score at least `minConfidence`, axis within 60
 * degrees of the view's up) mapped back, its keypoints and centre from the view, its side `b`'s; null when the view
 * shows no such face or its axis is within ROLL_REFINE_MIN of `b`'s (nothing to correct).
 */
export function refinedReading(b: DetectorBox, view: DetectorBox[], minConfidence: number): DetectorBox | null {
  const centred = (v: DetectorBox) => Math.hypot((v.startPoint[0] + v.endPoint[0]) / 2 - VIEW_SIDE / 2, (v.startPoint[1] + v.endPoint[1]) / 2 - VIEW_SIDE / 2) <= VIEW_SIDE / 4;
  const cands = view.filter((v) => v.confidence >= minConfidence && centred(v) && Math.abs(cropRoll(v)) <= Math.PI / 3);
  if (cands.length === 0) return null;
  const v = cands.reduce((p, q) => (q.confidence > p.confidence ? q : p));
  if (Math.abs(cropRoll(v)) <= ROLL_REFINE_MIN) return null;
  const side = Math.max(b.endPoint[0] - b.startPoint[0], b.endPoint[1] - b.startPoint[1]);
  const step = side / VIEW_FACE_SHARE / VIEW_SIDE;
  const [cx, cy] = [(b.startPoint[0] + b.endPoint[0]) / 2, (b.startPoint[1] + b.endPoint[1]) / 2];
  const th = upAxis(b) + Math.PI / 2;
  const [cos, sin] = [Math.cos(th) * step, Math.sin(th) * step];
  // View coordinate u (pixel edges at integers, as BlazeFace's) shows the picture at c + R(th) step (u - side / 2).
  const back = (u: [number, number]): [number, number] => {
    const [qx, qy] = [u[0] - VIEW_SIDE / 2, u[1] - VIEW_SIDE / 2];
    return [cx + cos * qx - sin * qy, cy + sin * qx + cos * qy];
  };
  const [mx, my] = back([(v.startPoint[0] + v.endPoint[0]) / 2, (v.startPoint[1] + v.endPoint[1]) / 2]);
  return {
    startPoint: [Math.round(mx - side / 2), Math.round(my - side / 2)],
    endPoint: [Math.round(mx + side / 2), Math.round(my + side / 2)],
    landmarks: v.landmarks.map(back),
    confidence: b.confidence,
    size: b.size,
  };
}
