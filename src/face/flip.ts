/**
 * A face does not turn half round between two frames: a reading whose in-plane angle differs from the same face's
 * last kept reading by more than FLIP_LIMIT, within FLIP_MEMORY_S, is a misreading, not a turn (docs/face.md
 * "Upside-down and strongly rolled faces", trial32). A flat skin-coloured patch over an upright face's mouth (a palm)
 * made BlazeFace read the face upside down on some detector frames, and the mesh was laid upside down over it with the
 * box moved onto the forehead (roll about +-177 degrees, mesh score 0.8-1), between frames read upright.
 *
 * Streaming: only past records decide (the kept faces of the last FLIP_MEMORY_S, at most a few per frame). The memory
 * is cleared by a frame on which no face was seen at all (no candidate, none left out): the face left the picture or
 * the shot changed, so the next reading starts afresh (fixtures/face/orientation-contested.mp4: black frames between
 * the portrait upright and turned 219-237 degrees). A camera turned while filming turns the face gradually: each kept
 * frame moves the reference (the portrait turned in steps of up to 45 degrees every 0.1 s, orientation.mp4, is kept).
 */

/** Largest change (radians) of a face's in-plane angle from its last kept reading that is taken as a turn: 90 degrees. */
export const FLIP_LIMIT = Math.PI / 2;
/** How long (seconds) a kept reading serves as the reference for the same face. */
export const FLIP_MEMORY_S = 0.5;

/** A face as the flip check sees it: in-plane angle (radians), box centre and side (any one pixel scale), time (s). */
export interface FacePose {
  angle: number;
  cx: number;
  cy: number;
  side: number;
  t: number;
}

/**
 * In-plane angle of a flat [x, y, z, ...] face mesh (MediaPipe's 468/478 points): the direction from the upper lip
 * (13) to the nose bridge (168), 0 upright, +-pi upside down (the line Human rotates its crop by: facemeshutil.ts).
 */
export function meshAngle(mesh: Float64Array): number {
  const [dx, dy] = [mesh[3 * 168] - mesh[3 * 13], mesh[3 * 168 + 1] - mesh[3 * 13 + 1]];
  return Math.atan2(dx, -dy);
}

/** The difference of two angles (radians) brought into [0, pi]. */
export function angleGap(a: number, b: number): number {
  const d = Math.abs(a - b) % (2 * Math.PI);
  return d > Math.PI ? 2 * Math.PI - d : d;
}

export class FlipCheck {
  private recent: FacePose[] = [];

  /**
   * Whether `face` is flipped against the same face's last kept reading: the latest remembered face (within
   * FLIP_MEMORY_S) whose centre lies within the larger of the two sides, its angle more than FLIP_LIMIT away.
   */
  flipped(face: FacePose): boolean {
    const ref = this.reference(face);
    return ref !== null && angleGap(face.angle, ref.angle) > FLIP_LIMIT;
  }

  private reference(face: FacePose): FacePose | null {
    for (let i = this.recent.length - 1; i >= 0; i--) {
      const r = this.recent[i];
      if (face.t - r.t > FLIP_MEMORY_S) break;
      if (Math.hypot(face.cx - r.cx, face.cy - r.cy) <= Math.max(face.side, r.side)) return r;
    }
    return null;
  }

  /** The faces kept on a frame at time t become the references (older ones beyond FLIP_MEMORY_S are dropped). */
  keep(faces: FacePose[], t: number): void {
    this.recent = this.recent.filter((r) => t - r.t <= FLIP_MEMORY_S).concat(faces);
  }

  /** No face seen at all on a frame: nothing to compare the next reading with. */
  forget(): void {
    this.recent = [];
  }
}

/**
 * A face read turned past 90 degrees is kept only with a mesh score of at least this. Readings past 90 degrees come
 * from the detector's turned or re-read views (orientation.ts), where a pattern can be taken for an upside-down face:
 * a capacitor on OpenCV's board.jpg turned 180 degrees (scripts/make-face-trial32.mjs board) was kept on 34 of 50
 * frames at -149 to -161 degrees, det 0.56, mesh score 0.53-0.84, every plausibility bound passed. Real faces found
 * right past 90 degrees: docs/face.md "Flipped readings" (measured with scripts/measure-face-turned.mjs).
 */
export const ROLLED_MIN_MESH_SCORE = 0.9;

/** A face whose mesh (flat [x, y, z, ...]) is turned past 90 degrees with a mesh score under ROLLED_MIN_MESH_SCORE. */
export function unsureRolled(mesh: Float64Array, meshScore: number): boolean {
  return mesh.length >= 468 * 3 && Math.abs(meshAngle(mesh)) > Math.PI / 2 && meshScore < ROLLED_MIN_MESH_SCORE;
}
