/**
 * Praat's "To Intensity" (Sound_to_Intensity.cpp): mean-subtracted squared amplitude under a Kaiser-like window
 * (Bessel I0, 6.4 / floor s long), every 0.8 / floor s, in dB re 2e-5 Pa (4e-10 Pa^2); -300 dB for silence.
 * Frames sit at t = t0 + k * step from the first time the whole window fits; Praat centres its frames in the file,
 * which shifts them by less than one step.
 */
import { FrameStore, type SampleBuffer } from './sample-buffer.js';

/** Modified Bessel function of the first kind, order 0 (series; Praat's NUMbessel_i0_f). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

export class IntensityAnalyzer {
  readonly db = new FrameStore(1);
  next = 0;
  readonly step: number;
  readonly halfWindow: number;
  /** Centre sample of frame 0. */
  readonly c0: number;
  private readonly window: Float64Array;
  private readonly sumWindow: number;
  private readonly seg: Float64Array;

  constructor(
    readonly sampleRate: number,
    floor: number,
  ) {
    const stepS = 0.8 / floor;
    const windowDuration = 6.4 / floor;
    const halfWindowDuration = 0.5 * windowDuration;
    this.halfWindow = Math.floor(halfWindowDuration * sampleRate);
    this.step = stepS * sampleRate;
    this.c0 = this.halfWindow;
    const W = 2 * this.halfWindow + 1;
    this.window = new Float64Array(W);
    let sw = 0;
    for (let i = -this.halfWindow; i <= this.halfWindow; i++) {
      const x = i / sampleRate / halfWindowDuration;
      const root = 1 - x * x;
      const w = root <= 0 ? 0 : besselI0((2 * Math.PI * Math.PI + 0.5) * Math.sqrt(root));
      this.window[i + this.halfWindow] = w;
      sw += w;
    }
    this.sumWindow = sw;
    this.seg = new Float64Array(W);
  }

  /** Time (s) of frame k. */
  time(k: number): number {
    return Math.round(this.c0 + k * this.step) / this.sampleRate;
  }

  minNeeded(): number {
    return Math.round(this.c0 + this.next * this.step) - this.halfWindow;
  }

  pump(buf: SampleBuffer): void {
    const h = this.halfWindow;
    const W = 2 * h + 1;
    for (;;) {
      const c = Math.round(this.c0 + this.next * this.step);
      if (c + h >= (buf.total ?? buf.end)) break;
      const v = buf.view(c - h, W);
      const x: Float32Array | Float64Array = v ?? (buf.copy(this.seg, c - h, W), this.seg);
      let s = 0;
      for (let i = 0; i < W; i++) s += x[i];
      const mean = s / W;
      let sxw = 0;
      const w = this.window;
      for (let i = 0; i < W; i++) {
        const a = x[i] - mean;
        sxw += a * a * w[i];
      }
      const intensity = sxw / this.sumWindow;
      this.db.add(intensity < 1e-30 ? -300 : 10 * Math.log10(intensity / 4e-10));
      this.next++;
    }
  }
}
