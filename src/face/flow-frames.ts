/**
 * The per-run side of `--flow`: the grey picture of each decoded frame and of the one before it, kept until the frame's
 * analysis comes back, then the flow fields of each face (flow.ts). Runs in the main thread, in frame order, so the
 * output does not depend on the worker count. With --fps the previous decoded frame (not the previous analysed one) is
 * used, so the flow is always between consecutive frames: pixels per frame. A frame that follows a gap in the stream
 * (a variable-frame-rate file that dropped frames, a recorder's stall) more than GAP_FACTOR times the stream's average
 * frame interval gets null flow with the gap as reason: pixels "per frame" would then cover several frames' motion,
 * and Farnebäck's pyramid underestimates such large steps (a trial, ttrial48b W9: 8.5 px read for 20 px over a 0.2 s
 * gap in a 25 fps file).
 */
import type { VideoFrame } from '../media/decode-video.js';
import { interOcular } from './features.js';
import { flowCrop, flowFields, greyFromRgb, loadOpenCV, regionBoxes, regionMotion, type FlowFields } from './flow.js';

export interface FlowFrame {
  /** Grey picture of the analysed frame (inference size). */
  grey?: Uint8Array;
  /** Grey picture of the decoded frame right before it; null on the first frame. */
  prevGrey?: Uint8Array | null;
  width?: number;
  height?: number;
  /** Seconds from the decoded frame before it; absent on the first frame. */
  gapS?: number;
}

/** A step longer than this many average frame intervals is a gap (the jitter of phone VFR video stays well under it). */
export const GAP_FACTOR = 1.5;

type Cv = Awaited<ReturnType<typeof loadOpenCV>>['cv'];

export class FlowContext {
  private previous: { index: number; t: number; grey: Uint8Array } | null = null;
  private current: { index: number; t: number; grey: Uint8Array } | null = null;
  /** `frameS`: the stream's average frame interval (1 / avg_frame_rate), null when ffprobe does not give one. */
  private constructor(
    private readonly cv: Cv,
    private readonly frameS: number | null,
  ) {}

  static async open(frameS: number | null): Promise<FlowContext> {
    return new FlowContext((await loadOpenCV()).cv, frameS !== null && frameS > 0 ? frameS : null);
  }

  /** Every decoded frame, analysed or not (its grey may be the next analysed frame's previous picture). */
  decoded(fr: VideoFrame): void {
    this.previous = this.current;
    this.current = { index: fr.index, t: fr.t_s, grey: greyFromRgb(fr.data, fr.width, fr.height) };
  }

  /** What an analysed frame keeps for its flow (called right after decoded() for the same frame). */
  frame(fr: VideoFrame): FlowFrame {
    const prev = this.previous && this.previous.index === fr.index - 1 ? this.previous : null;
    return { grey: this.current?.grey, prevGrey: prev?.grey ?? null, width: fr.width, height: fr.height, ...(prev ? { gapS: fr.t_s - prev.t } : {}) };
  }

  /** Flow fields of one face: `mesh` in inference pixels, `iodSrc` in source pixels, `scale` inference/source. */
  fields(f: FlowFrame, mesh: Float64Array, iodSrc: number | null, scale: number): FlowFields {
    if (!f.grey || !f.prevGrey || !f.width || !f.height) return flowFields(null, scale, iodSrc, 'no previous frame');
    if (mesh.length < 468 * 3) return flowFields(null, scale, iodSrc, 'no mesh');
    const gap = this.gapReason(f.gapS);
    if (gap) return flowFields(null, scale, iodSrc, gap);
    const boxes = regionBoxes(mesh, interOcular(mesh), f.width, f.height);
    const crop = flowCrop(Object.values(boxes), f.width, f.height);
    if (!crop) return flowFields(null, scale, iodSrc, 'face outside the picture');
    return flowFields(regionMotion(this.cv, f.prevGrey, f.grey, f.width, boxes, crop), scale, iodSrc, null);
  }

  private gapReason(gapS: number | undefined): string | null {
    if (gapS === undefined || this.frameS === null || gapS <= GAP_FACTOR * this.frameS) return null;
    return `a gap of ${gapS.toFixed(3)} s before this frame (the stream's frames are ${this.frameS.toFixed(3)} s apart on average): flow over a gap is not per frame and underestimates large steps`;
  }
}
