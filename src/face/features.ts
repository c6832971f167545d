/**
 * Derived per-face features computed from the mesh in source-image pixels: eye and mouth aspect ratios, inter-ocular
 * distance, blink flag, regional landmark speed, and the tracker that keeps face ids stable across frames.
 */
import { meanLook, otherLook, type Look } from './appearance.js';
import { EAR_POINTS, IOD_POINTS, MAR_POINTS, REGIONS } from './landmarks.js';

type Mesh = Float64Array; // flat x,y,z

/** The 2-D extent of the 468 face-mesh points (the iris points excluded): min and max x and y. */
export function meshBounds(m: ArrayLike<number>): { x0: number; y0: number; x1: number; y1: number } {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < 468; i++) {
    x0 = Math.min(x0, m[3 * i]);
    x1 = Math.max(x1, m[3 * i]);
    y0 = Math.min(y0, m[3 * i + 1]);
    y1 = Math.max(y1, m[3 * i + 1]);
  }
  return { x0, y0, x1, y1 };
}

function dist2d(m: Mesh, a: number, b: number): number {
  return Math.hypot(m[3 * a] - m[3 * b], m[3 * a + 1] - m[3 * b + 1]);
}

/** Eye aspect ratio (Soukupová & Čech 2016, "Real-Time Eye Blink Detection using Facial Landmarks"). */
export function eyeAspectRatio(m: Mesh, p: readonly number[]): number | null {
  const w = dist2d(m, p[0], p[3]);
  if (!(w > 0)) return null;
  return (dist2d(m, p[1], p[5]) + dist2d(m, p[2], p[4])) / (2 * w);
}

/** Mouth aspect ratio: mean inner-lip opening over three vertical pairs divided by inner-lip width. */
export function mouthAspectRatio(m: Mesh): number | null {
  const w = dist2d(m, MAR_POINTS.corners[0], MAR_POINTS.corners[1]);
  if (!(w > 0)) return null;
  let s = 0;
  for (const [a, b] of MAR_POINTS.pairs) s += dist2d(m, a, b);
  return s / MAR_POINTS.pairs.length / w;
}

export function interOcular(m: Mesh): number {
  return dist2d(m, IOD_POINTS[0], IOD_POINTS[1]);
}

export const EAR = { right: EAR_POINTS.right, left: EAR_POINTS.left };

export const MOTION_REGIONS = {
  brow: [...REGIONS.rightBrow, ...REGIONS.leftBrow],
  eye: [...REGIONS.rightEye, ...REGIONS.leftEye],
  mouth: [...REGIONS.lipsOuter, ...REGIONS.lipsInner],
} as const;

/**
 * Mean 2-D speed of a region's landmarks between two frames, in inter-ocular distances per second (displacement
 * divided by the mean IOD of the two frames and by the time between them).
 */
export function regionSpeed(prev: Mesh, cur: Mesh, idx: readonly number[], iod: number, dt: number): number | null {
  if (!(dt > 0) || !(iod > 0)) return null;
  let s = 0;
  for (const i of idx) s += Math.hypot(cur[3 * i] - prev[3 * i], cur[3 * i + 1] - prev[3 * i + 1]);
  return s / idx.length / iod / dt;
}

export type Box = [number, number, number, number];

function iou(a: Box, b: Box): number {
  const x0 = Math.max(a[0], b[0]);
  const y0 = Math.max(a[1], b[1]);
  const x1 = Math.min(a[0] + a[2], b[0] + b[2]);
  const y1 = Math.min(a[1] + a[3], b[1] + b[3]);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const u = a[2] * a[3] + b[2] * b[3] - inter;
  return u > 0 ? inter / u : 0;
}

function centreDistance(a: Box, b: Box): number {
  return Math.hypot(a[0] + a[2] / 2 - (b[0] + b[2] / 2), a[1] + a[3] / 2 - (b[1] + b[3] / 2));
}

interface Track {
  id: number;
  box: Box;
  lastT: number;
  /** The track's recent boxes and their times (up to VELOCITY_BOXES, oldest first), for its velocity. */
  past: Array<{ box: Box; t: number }>;
  /** The looks (appearance.ts) of its recent faces (up to VELOCITY_BOXES; faces without one add none). */
  looks: Look[];
}

/** How many recent boxes a track's velocity is measured over (0.4 s at 10 fps): a box shrinking behind another face moves its centre for a frame or two. */
const VELOCITY_BOXES = 5;

/** A track's box moved on to time t at its recent velocity (centre displacement over its kept boxes; constant size). */
function predictedBox(tr: Track, t: number): Box {
  const first = tr.past[0];
  const span = tr.lastT - first.t;
  if (!(span > 0)) return tr.box;
  const [cx0, cy0] = [first.box[0] + first.box[2] / 2, first.box[1] + first.box[3] / 2];
  const [cx1, cy1] = [tr.box[0] + tr.box[2] / 2, tr.box[1] + tr.box[3] / 2];
  const dt = t - tr.lastT;
  return [tr.box[0] + ((cx1 - cx0) / span) * dt, tr.box[1] + ((cy1 - cy0) / span) * dt, tr.box[2], tr.box[3]];
}

/**
 * Box tracker in two passes, as SORT (Bewley et al. 2016, constant-velocity prediction, then overlap matching) and
 * DeepSORT's matching cascade (Wojke et al. 2017: tracks seen most recently are matched first): (1) the tracks seen on
 * the previous analysed frame take faces first, each face by its overlap with the track's box moved on at the track's
 * velocity (IoU > 0.2, or centre within half the box size when it moved fast), greedily, highest first; (2) older tracks
 * (hidden for a while, up to `maxGapS`) only take faces left unmatched, by the same test against their predicted box;
 * (3) faces still unmatched open new ids (0, 1, 2, ... in order of appearance): a face that matches no track with
 * confidence gets a new id, never another person's. In pass (2) a face whose look (appearance.ts: its cheek skin's
 * chromaticity) differs from the hidden track's recent mean by more than LOOK_MAX_DISTANCE is another person and does
 * not take that id (DeepSORT's appearance gate, with a colour cue for its deep embedding): before 2026-12-06 someone
 * appearing where a person had left under 2 s before took that person's id (a new user's trial, W7; test
 * face-tracker-look). Pass (1) has no such gate: a face on consecutive analysed frames keeps its id. Before 2026-12-06 one pass over all open tracks let a hidden
 * person's stale box (1.2 s old) outbid the one-frame-old box of the face that had walked over it: two people crossing
 * swapped ids, exit 0 (a new user's trial, W1; test face-tracker-cross). A track not seen for `maxGapS` seconds is
 * closed. Deterministic: ties go to the lower id.
 */
export class FaceTracker {
  private tracks: Track[] = [];
  private nextId = 0;
  private lastFrameT: number | null = null;
  /** Per id opened because a hidden track's look refused its face: that track's id (another person where it was). */
  private readonly openedAgainstLook = new Map<number, number>();
  constructor(private readonly maxGapS = 2) {}

  /**
   * The id of the hidden track whose look refused this id's first face, when the id was opened that way: a face where
   * that track would have taken it, of another look (another person, appearance.ts). Undefined otherwise.
   */
  refusedByLook(id: number): number | undefined {
    return this.openedAgainstLook.get(id);
  }

  /** `looks[f]`: face f's look (appearance.ts skinChroma), null or absent when not measured (no gate for it). */
  assign(boxes: Box[], t: number, looks: ReadonlyArray<Look | null> = []): number[] {
    this.tracks = this.tracks.filter((tr) => t - tr.lastT <= this.maxGapS);
    const ids = new Array<number>(boxes.length).fill(-1);
    const fresh = (tr: Track) => tr.lastT === this.lastFrameT;
    const refused = new Map<number, number>();
    this.matchPass(boxes, t, ids, this.tracks.filter(fresh), looks, false);
    this.matchPass(boxes, t, ids, this.tracks.filter((tr) => !fresh(tr)), looks, true, refused);
    boxes.forEach((b, f) => {
      if (ids[f] === -1) {
        ids[f] = this.nextId++;
        const against = refused.get(f);
        if (against !== undefined) this.openedAgainstLook.set(ids[f], against);
        const look = looks[f];
        this.tracks.push({ id: ids[f], box: b, lastT: t, past: [{ box: b, t }], looks: look ? [look] : [] });
      }
    });
    this.lastFrameT = t;
    return ids;
  }

  /**
   * Greedy matching of the faces still without an id to `tracks` (see the class), updating the matched tracks; with
   * `gate`, a face of another look than the track's (appearance.ts otherLook) is not its face; `refused` then gets,
   * per such face, the lowest id of the tracks that would have taken it but for its look.
   */
  private matchPass(boxes: Box[], t: number, ids: number[], tracks: Track[], looks: ReadonlyArray<Look | null>, gate: boolean, refused?: Map<number, number>): void {
    const pairs: Array<{ f: number; tr: Track; score: number }> = [];
    for (const tr of tracks) {
      const at = predictedBox(tr, t);
      const trackLook = gate ? meanLook(tr.looks) : null;
      boxes.forEach((b, f) => {
        if (ids[f] !== -1) return;
        const o = iou(b, at);
        const near = centreDistance(b, at) < 0.5 * Math.max(b[2], b[3], at[2], at[3]);
        if (!(o > 0.2 || near)) return;
        if (!otherLook(trackLook, looks[f])) pairs.push({ f, tr, score: o + (near ? 0.01 : 0) });
        else if (refused && (refused.get(f) ?? Infinity) > tr.id) refused.set(f, tr.id);
      });
    }
    pairs.sort((a, b) => b.score - a.score || a.tr.id - b.tr.id || a.f - b.f);
    const used = new Set<Track>();
    for (const p of pairs) {
      if (ids[p.f] !== -1 || used.has(p.tr)) continue;
      ids[p.f] = p.tr.id;
      used.add(p.tr);
      p.tr.box = boxes[p.f];
      p.tr.lastT = t;
      p.tr.past = [...p.tr.past, { box: boxes[p.f], t }].slice(-VELOCITY_BOXES);
      const look = looks[p.f];
      if (look) p.tr.looks = [...p.tr.looks, look].slice(-VELOCITY_BOXES);
    }
  }
}
