/**
 * The per-run side of `--flow`: the grey picture of each decoded frame and of the one before it, kept until the frame's
 * analysis comes back, then the flow fields of each face (flow.ts). Runs in the main thread, in frame order, so the
 * output does not depend on the worker count. With --fps the previous decoded frame (not the previous analysed one) is
 * used, so the flow is always between consecutive frames: pixels per frame.
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
}

type Cv = Awaited<ReturnType<typeof loadOpenCV>>['cv'];

export class FlowContext {
  private previous: { index: number; grey: Uint8Array } | null = null;
  private current: { index: number; grey: Uint8Array } | null = null;
  private constructor(private readonly cv: Cv) {}

  static async open(): Promise<FlowContext> {
    return new FlowContext((await loadOpenCV()).cv);
  }

  /** Every decoded frame, analysed or not (its grey may be the next analysed frame's previous picture). */
  decoded(fr: VideoFrame): void {
    this.previous = this.current;
    this.current = { index: fr.index, grey: greyFromRgb(fr.data, fr.width, fr.height) };
  }

  /** What an analysed frame keeps for its flow (called right after decoded() for the same frame). */
  frame(fr: VideoFrame): FlowFrame {
    const prev = this.previous && this.previous.index === fr.index - 1 ? this.previous.grey : null;
    return { grey: this.current?.grey, prevGrey: prev, width: fr.width, height: fr.height };
  }

  /** Flow fields of one face: `mesh` in inference pixels, `iodSrc` in source pixels, `scale` inference/source. */
  fields(f: FlowFrame, mesh: Float64Array, iodSrc: number | null, scale: number): FlowFields {
    if (!f.grey || !f.prevGrey || !f.width || !f.height) return flowFields(null, scale, iodSrc, 'no previous frame');
    if (mesh.length < 468 * 3) return flowFields(null, scale, iodSrc, 'no mesh');
    const boxes = regionBoxes(mesh, interOcular(mesh), f.width, f.height);
    const crop = flowCrop(Object.values(boxes), f.width, f.height);
    if (!crop) return flowFields(null, scale, iodSrc, 'face outside the picture');
    return flowFields(regionMotion(this.cv, f.prevGrey, f.grey, f.width, boxes, crop), scale, iodSrc, null);
  }
}
