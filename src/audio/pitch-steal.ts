/**
 * The main thread's part of the pitch frames (frame-claims.ts): once its own streaming work is done it computes the
 * last frames of the file, block by block backwards, until it meets the pitch worker, whose thread was the command's
 * longest (issue 15: the main thread waited for the track 0.1-0.4 s with one core idle). It keeps the last TAIL_S
 * seconds of samples for this in its buffer (about 8 MB at 16 kHz), so it needs no second read of the file: from
 * where the file's expected length puts them on, the buffer then only grows (a span kept from a moving start cost a
 * copy of the span at each step, ~30 CPU ms per 10 minutes).
 */
import { FrameClaims } from './frame-claims.js';
import { PitchAnalyzer, type PitchFrames, type PitchParams } from './pitch.js';
import type { SampleBuffer } from './sample-buffer.js';

/** Seconds of samples the main thread keeps for the frames it may take (the most it can take is about this). */
export const TAIL_S = 120;
/** Frames per claim: both threads' claims are a compare-and-exchange of one shared word. */
export const CLAIM_FRAMES = 64;
/** Files shorter than this many frames are left to the worker (the main thread's first frames run cold code). */
export const STEAL_MIN_FRAMES = 6000;

export class PitchStealer {
  private readonly hop: number;
  private readonly tail: number;
  private readonly reach: number;
  /** The first sample kept (from the expected length; Infinity: none). */
  private keptFrom = Infinity;

  constructor(private readonly params: PitchParams, readonly claims: FrameClaims) {
    this.hop = params.hop;
    this.tail = Math.round(TAIL_S * params.sampleRate);
    // At least the samples a frame reads either side of its centre (PitchAnalyzer's reach: half the window + 1)
    this.reach = Math.ceil((((params.periodsPerWindow ?? 3) / 2 + 1) * params.sampleRate) / params.floor) + 2;
  }

  /** Keep the last TAIL_S seconds of a file expected to have `frames` frames. */
  keepTail(frames: number): void {
    this.keptFrom = Math.max(0, Math.floor(frames * this.hop) - this.tail);
  }

  /**
   * The first sample the main thread's buffer must keep when it has `end` samples (Infinity: none). A file running
   * on well past its expected length (a wrong duration in its header) keeps none: memory stays bounded.
   */
  keepFrom(end: number): number {
    if (end > this.keptFrom + 2 * this.tail) this.keptFrom = Infinity;
    return end < this.keptFrom ? Infinity : this.keptFrom;
  }

  /**
   * Frames from the end of the finished buffer backwards while the worker has not reached them; returns them in
   * frame order (null when it took none).
   */
  steal(buf: SampleBuffer): PitchFrames | null {
    if (this.keptFrom === Infinity) return null;
    const n = 1 + Math.floor((buf.total ?? 0) / this.hop);
    const lowest = Math.ceil((this.keptFrom + this.reach) / this.hop);
    const blocks: [number, number][] = [];
    let analyzer: PitchAnalyzer | null = null;
    // Not the worker's last few blocks: this thread's first frames cost it the analyser's set-up and cold code.
    const gap = 4 * CLAIM_FRAMES;
    for (let c = this.claims.back(n, CLAIM_FRAMES, lowest, gap); c; c = this.claims.back(n, CLAIM_FRAMES, lowest, gap)) {
      analyzer ??= new PitchAnalyzer({ ...this.params, spillAfter: undefined as unknown as number });
      for (let i = c[0]; i < c[1]; i++) analyzer.analyzeAt(buf, i * this.hop);
      blocks.push(c);
    }
    return analyzer ? inFrameOrder(analyzer.frames(), blocks, this.params.maxCandidates) : null;
  }
}

/** Frames computed block by block in the order of `blocks` ([from, to) each, descending), put in frame order. */
function inFrameOrder(f: PitchFrames, blocks: [number, number][], mc: number): PitchFrames {
  const out: PitchFrames = { count: f.count, nCand: new Float32Array(f.count), freq: new Float32Array(f.count * mc), strength: new Float32Array(f.count * mc), localPeak: new Float32Array(f.count) };
  let src = 0;
  let dst = f.count;
  for (const [from, to] of blocks) {
    const k = to - from;
    dst -= k;
    out.nCand.set(f.nCand.subarray(src, src + k), dst);
    out.localPeak.set(f.localPeak.subarray(src, src + k), dst);
    out.freq.set(f.freq.subarray(src * mc, (src + k) * mc), dst * mc);
    out.strength.set(f.strength.subarray(src * mc, (src + k) * mc), dst * mc);
    src += k;
  }
  return out;
}
