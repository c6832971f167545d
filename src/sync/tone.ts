/**
 * Tone-burst onsets (the 1 kHz sync beep) in a stream of mono PCM.
 *
 * Method: a sliding quadrature demodulator at the tone frequency (the complex single-bin DFT that the Goertzel
 * algorithm computes; Goertzel 1958, Lyons "Understanding DSP" 13.17) gives the tone's amplitude and phase in 10 ms
 * windows on a 2 ms grid. Candidate bursts are runs of windows whose narrow-band power exceeds the chunk's median
 * narrow-band power (the floor) by `thresholdDb`; a burst is kept when it lasts long enough, its measured frequency
 * is within `maxFreqDevHz` of the tone and its phase advances linearly (a sustained speech harmonic or a musical
 * note near the tone drifts in phase and is rejected). The onset is then refined below one sample period: with a
 * boxcar window of N samples, the window amplitude grows linearly from 0 to full while the window slides onto the
 * burst, so a least-squares line through the noise-corrected rising edge (25 % to 65 % of the plateau) crosses zero
 * one sample before the first tone sample.
 *
 * Memory is bounded: samples are analysed in chunks of `chunkS` seconds with `overlapS` seconds of overlap.
 */

import FFT from 'fft.js';

export interface ToneScanOptions {
  /** Tone frequency in Hz (default 1000). */
  toneHz?: number;
  /** Shortest burst accepted, seconds (default 0.05). */
  minDurationS?: number;
  /** Longest burst accepted, seconds (default 5). */
  maxDurationS?: number;
  /** Narrow-band power over the floor needed to start a candidate, dB (default 12). */
  thresholdDb?: number;
  /** Lowest accepted broadband SNR of a burst (tone power against everything else while it sounds), dB (default -10). */
  minSnrDb?: number;
  /** Least prominence of the tone over other spectral components 60 to 450 Hz away, dB (default 6). */
  minProminenceDb?: number;
  /** Largest accepted deviation of the measured frequency from toneHz, Hz (default max(5, 0.5 % of toneHz)). */
  maxFreqDevHz?: number;
  /** Analysis chunk length in seconds (default 30) and overlap between chunks (default 6). */
  chunkS?: number;
  overlapS?: number;
}

export interface ToneDetection {
  /** Onset on the stream's own timeline, seconds. */
  t_s: number;
  /** Burst length at half amplitude, seconds. */
  duration_s: number;
  /** Frequency measured from the phase slope, Hz. */
  freq_hz: number;
  /** Tone power against everything else in the signal while it sounds, dB. */
  snr_db: number;
  /** Tone power against the narrow-band floor around the tone frequency, dB (what detection relies on). */
  band_snr_db: number;
  /** Tone RMS level, dB re full scale (a full-scale sine is 0 dBFS). */
  level_dbfs: number;
  /** Tone power over the strongest other spectral component 60 to 450 Hz away, dB. */
  prominence_db: number;
  /** 0..1, from the narrow-band SNR (0.5 at 12 dB, 0.98 at 22 dB). */
  confidence: number;
  /** Whether the onset is trustworthy enough to place a stream by (e.g. band SNR >= 0 dB); see session placement. */
  placeable?: boolean;
  /** Why the detection is not placeable (one line), when it is not. */
  unplaceable_reason?: string;
  /** Estimated standard uncertainty of the onset, seconds (null when unknown). */
  onset_sd_s?: number | null;
}

const BLOCK_S = 0.002;
const WIN_BLOCKS = 5;
/** The part of the rising edge fitted, as fractions of the plateau (low enough to end before early reflections). */
const FIT_LO = 0.25;
const FIT_HI = 0.65;

function median(a: ArrayLike<number>): number {
  const s = Float64Array.from(a as ArrayLike<number>).sort();
  if (s.length === 0) return 0;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Confidence of a detection from its narrow-band SNR (logistic, 0.5 at 12 dB). */
export function toneConfidence(bandSnrDb: number): number {
  return 1 / (1 + Math.exp(-(bandSnrDb - 12) / 2.5));
}

/** Streaming tone-burst detector: push() PCM chunks in order, then finish(). */
export class ToneScanner {
  readonly sampleRate: number;
  readonly toneHz: number;
  private readonly t0: number;
  private readonly o: Required<ToneScanOptions>;
  private readonly buf: Float32Array;
  private filled = 0;
  /** Global sample index of buf[0]. */
  private bufStart = 0;
  /** Onsets at or after this global sample index are new (earlier ones were reported by the previous chunk). */
  private acceptFrom = -Infinity;
  private readonly found: ToneDetection[] = [];
  private readonly cosT: Float64Array | null;
  private readonly sinT: Float64Array | null;
  private readonly period: number;
  /** Samples in the sliding windows. */
  readonly blockN: number;
  readonly winN: number;
  /** Length of the CUSUM tangent fits, seconds. */
  private readonly tangentS = 0.003;

  /** t0: time of the first pushed sample on the stream's timeline. */
  constructor(sampleRate: number, t0: number, opts: ToneScanOptions = {}) {
    this.sampleRate = sampleRate;
    this.t0 = t0;
    const toneHz = opts.toneHz ?? 1000;
    this.toneHz = toneHz;
    if (!(toneHz > 0 && toneHz < sampleRate / 2)) throw new RangeError(`tone frequency ${toneHz} Hz must be between 0 and ${sampleRate / 2} Hz`);
    this.o = {
      toneHz,
      minDurationS: opts.minDurationS ?? 0.05,
      maxDurationS: opts.maxDurationS ?? 5,
      thresholdDb: opts.thresholdDb ?? 12,
      minSnrDb: opts.minSnrDb ?? -10,
      minProminenceDb: opts.minProminenceDb ?? 6,
      maxFreqDevHz: opts.maxFreqDevHz ?? Math.max(5, 0.005 * toneHz),
      chunkS: opts.chunkS ?? 30,
      overlapS: opts.overlapS ?? 6,
    };
    if (this.o.overlapS < this.o.maxDurationS + 0.5) this.o.overlapS = this.o.maxDurationS + 0.5;
    this.buf = new Float32Array(Math.round((this.o.chunkS + this.o.overlapS) * sampleRate));
    this.blockN = Math.max(1, Math.round(BLOCK_S * sampleRate));
    this.winN = this.blockN * WIN_BLOCKS;
    // Exact periodic table of the reference oscillator when the tone has an integer frequency.
    const period = Number.isInteger(toneHz) ? sampleRate / gcd(sampleRate, toneHz) : 0;
    if (period > 0 && period <= 1 << 20 && Number.isInteger(period)) {
      this.period = period;
      this.cosT = new Float64Array(period);
      this.sinT = new Float64Array(period);
      for (let i = 0; i < period; i++) {
        const ph = (2 * Math.PI * toneHz * i) / sampleRate;
        this.cosT[i] = Math.cos(ph);
        this.sinT[i] = Math.sin(ph);
      }
    } else {
      this.period = 0;
      this.cosT = null;
      this.sinT = null;
    }
  }

  private osc(g: number): [number, number] {
    if (this.cosT && this.sinT) {
      const k = g % this.period;
      return [this.cosT[k], this.sinT[k]];
    }
    const ph = (2 * Math.PI * this.toneHz * g) / this.sampleRate;
    return [Math.cos(ph), Math.sin(ph)];
  }

  push(chunk: Float32Array): void {
    let i = 0;
    while (i < chunk.length) {
      const take = Math.min(chunk.length - i, this.buf.length - this.filled);
      this.buf.set(chunk.subarray(i, i + take), this.filled);
      this.filled += take;
      i += take;
      if (this.filled === this.buf.length) {
        const keep = Math.round(this.o.overlapS * this.sampleRate);
        const boundary = this.bufStart + this.buf.length - keep;
        this.analyse(this.buf, this.filled, boundary);
        this.buf.copyWithin(0, this.buf.length - keep);
        this.filled = keep;
        this.bufStart += this.buf.length - keep;
      }
    }
  }

  finish(): ToneDetection[] {
    if (this.filled > 0) this.analyse(this.buf, this.filled, Infinity);
    this.filled = 0;
    return this.found.slice().sort((a, b) => a.t_s - b.t_s);
  }

  /** Analyses x[0..n) (global start bufStart); keeps bursts whose onset lies in [acceptFrom, boundary). */
  private analyse(x: Float32Array, n: number, boundary: number): void {
    const B = this.blockN;
    const N = this.winN;
    const nb = Math.floor(n / B);
    const nw = nb - WIN_BLOCKS + 1;
    if (nw < 3) {
      this.acceptFrom = boundary;
      return;
    }
    const bre = new Float64Array(nb);
    const bim = new Float64Array(nb);
    const ben = new Float64Array(nb);
    const g0 = this.bufStart;
    if (this.cosT && this.sinT) {
      const P = this.period;
      const c = this.cosT;
      const s = this.sinT;
      let k = g0 % P;
      for (let b = 0, i = 0; b < nb; b++) {
        let re = 0;
        let im = 0;
        let en = 0;
        for (let j = 0; j < B; j++, i++) {
          const v = x[i];
          re += v * c[k];
          im -= v * s[k];
          en += v * v;
          if (++k === P) k = 0;
        }
        bre[b] = re;
        bim[b] = im;
        ben[b] = en;
      }
    } else {
      for (let b = 0, i = 0; b < nb; b++) {
        let re = 0;
        let im = 0;
        let en = 0;
        for (let j = 0; j < B; j++, i++) {
          const v = x[i];
          const [c, s] = this.osc(g0 + i);
          re += v * c;
          im -= v * s;
          en += v * v;
        }
        bre[b] = re;
        bim[b] = im;
        ben[b] = en;
      }
    }
    // Windows of WIN_BLOCKS blocks: complex sum W, tone power (A^2/2 with A = 2|W|/N), total power.
    const wre = new Float64Array(nw);
    const wim = new Float64Array(nw);
    const tp = new Float64Array(nw);
    const tot = new Float64Array(nw);
    {
      let re = 0;
      let im = 0;
      let en = 0;
      for (let b = 0; b < WIN_BLOCKS - 1; b++) {
        re += bre[b];
        im += bim[b];
        en += ben[b];
      }
      for (let w = 0; w < nw; w++) {
        const e = w + WIN_BLOCKS - 1;
        re += bre[e];
        im += bim[e];
        en += ben[e];
        wre[w] = re;
        wim[w] = im;
        tp[w] = (2 * (re * re + im * im)) / (N * N);
        tot[w] = Math.max(en / N, 0);
        re -= bre[w];
        im -= bim[w];
        en -= ben[w];
      }
    }
    const floor = Math.max(median(tp), 1e-14);
    const thr = floor * 10 ** (this.o.thresholdDb / 10);
    // Runs above threshold, bridging dips of up to 3 windows (6 ms).
    const runs: Array<[number, number]> = [];
    for (let w = 0; w < nw; w++) {
      if (tp[w] <= thr) continue;
      let e = w;
      let gap = 0;
      for (let v = w + 1; v < nw; v++) {
        if (tp[v] > thr) {
          e = v;
          gap = 0;
        } else if (++gap > 3) break;
      }
      runs.push([w, e]);
      w = e;
    }
    for (const [w0, w1] of runs) {
      const det = this.measure(x, n, w0, w1, wre, wim, tp, tot, floor);
      if (!det) continue;
      const onsetGlobal = Math.round((det.t_s - this.t0) * this.sampleRate);
      if (onsetGlobal < this.acceptFrom || onsetGlobal >= boundary) continue;
      this.found.push(det);
    }
    this.acceptFrom = boundary;
  }

  /**
   * Maximum-likelihood onset of a sinusoid of known frequency in noise, started from a coarse onset c (samples):
   * amplitude and phase come from the N samples just after c (before early reflections arrive); y[n] = 2 x[n]
   * cos(w n + psi) has mean 0 before the onset and A after it, so the onset maximises the CUSUM statistic
   * S(t) = sum_{n=t}^{M} (y[n] - A/2) (Page 1954; Hinkley 1971 for a change in mean). S is a tent with slopes +-A/2
   * around its peak; intersecting the two lines fitted with those slopes places the onset below one sample.
   */
  private changePoint(x: Float32Array, n: number, c: number): number | null {
    const N = this.winN;
    const g0 = this.bufStart;
    const lead = Math.round(0.0005 * this.sampleRate);
    const a0 = Math.round(c) + lead;
    const a1 = a0 + N;
    const from = Math.round(c) - 2 * N;
    if (from < 0 || a1 >= n) return null;
    let re = 0;
    let im = 0;
    for (let i = a0; i < a1; i++) {
      const [co, si] = this.osc(g0 + i);
      re += x[i] * co;
      im -= x[i] * si;
    }
    const m = Math.hypot(re, im);
    if (!(m > 0)) return null;
    const ur = re / m;
    const ui = im / m;
    const A = (2 * m) / N;
    // Reverse cumulative sums of y - A/2 from M = a1 down to `from`.
    const len = a1 - from;
    const S = new Float64Array(len + 1);
    for (let k = len - 1; k >= 0; k--) {
      const i = from + k;
      const [co, si] = this.osc(g0 + i);
      const y = 2 * (x[i] * co * ur - x[i] * si * ui);
      S[k] = S[k + 1] + y - A / 2;
    }
    let best = 0;
    for (let k = 1; k < len; k++) if (S[k] > S[best]) best = k;
    const h = Math.max(4, Math.round(this.tangentS * this.sampleRate));
    if (best - h < 0 || best + h > len) return from + best;
    let c1 = 0;
    let c2 = 0;
    for (let k = best - h; k < best; k++) c1 += S[k] - (A / 2) * k;
    for (let k = best + 1; k <= best + h; k++) c2 += S[k] + (A / 2) * k;
    c1 /= h;
    c2 /= h;
    const t = (c2 - c1) / A;
    return Math.abs(t - best) <= h ? from + t : from + best;
  }

  private measure(
    x: Float32Array,
    n: number,
    w0: number,
    w1: number,
    wre: Float64Array,
    wim: Float64Array,
    tp: Float64Array,
    tot: Float64Array,
    chunkFloor: number,
  ): ToneDetection | null {
    let floor = chunkFloor;
    const B = this.blockN;
    const N = this.winN;
    const sr = this.sampleRate;
    // A run can merge with neighbouring in-band sound (speech harmonics near the tone): keep its longest stretch
    // whose power stays within 6 dB of the run's upper-quartile power (a window half on the burst is 6 dB down).
    {
      const vals = Float64Array.from(tp.subarray(w0, w1 + 1)).sort();
      const level = vals[Math.floor((vals.length - 1) * 0.75)];
      let bestA = w0;
      let bestB = w0 - 1;
      let a = -1;
      for (let w = w0; w <= w1 + 1; w++) {
        const ok = w <= w1 && tp[w] >= level / 4;
        if (ok && a < 0) a = w;
        if (!ok && a >= 0) {
          if (w - 1 - a > bestB - bestA) {
            bestA = a;
            bestB = w - 1;
          }
          a = -1;
        }
      }
      w0 = bestA;
      w1 = bestB;
    }
    // Plateau: windows wholly inside the burst.
    let p0 = w0 + 3;
    let p1 = w1 - 3;
    if (p1 < p0) {
      const mid = (w0 + w1) >> 1;
      p0 = mid;
      p1 = mid;
    }
    if ((w1 - w0 + 1) * B < (this.o.minDurationS * sr) / 2) return null;
    let pt = 0;
    let ptot = 0;
    for (let w = p0; w <= p1; w++) {
      pt += tp[w];
      ptot += tot[w];
    }
    const np = p1 - p0 + 1;
    pt /= np;
    ptot /= np;
    // Frequency and phase linearity from the plateau's phase track.
    let freq = this.toneHz;
    let phaseResid = 0;
    if (np >= 3) {
      const ph: number[] = [];
      let prev = Math.atan2(wim[p0], wre[p0]);
      let acc = prev;
      ph.push(acc);
      for (let w = p0 + 1; w <= p1; w++) {
        const a = Math.atan2(wim[w], wre[w]);
        let d = a - prev;
        d -= 2 * Math.PI * Math.round(d / (2 * Math.PI));
        acc += d;
        ph.push(acc);
        prev = a;
      }
      const m = ph.length;
      const [slope, icpt] = fitLine(ph, 0, m - 1);
      let r2 = 0;
      for (let i = 0; i < m; i++) r2 += (ph[i] - icpt - slope * i) ** 2;
      phaseResid = Math.sqrt(r2 / m);
      freq = this.toneHz + (slope * sr) / (2 * Math.PI * B);
    }
    if (Math.abs(freq - this.toneHz) > this.o.maxFreqDevHz) return null;
    if (phaseResid > 0.6) return null;
    // Local floor: the narrow-band power just before the burst (speech there may be louder than the chunk median).
    {
      const a = Math.max(0, w0 - 60);
      const b = Math.max(0, w0 - WIN_BLOCKS);
      if (b - a >= 10) floor = Math.max(floor, median(tp.subarray(a, b)));
    }
    const toneP0 = Math.max(pt - floor, 1e-20);
    if (10 * Math.log10(toneP0 / Math.max(ptot - toneP0, 1e-20)) < this.o.minSnrDb) return null;

    // Per-sample sliding window amplitude around the rising and falling edges, noise-corrected in power.
    // The edges are fitted on W projected onto the burst's own phase: additive noise then averages out instead of
    // biasing a magnitude upward (which would pull the fitted onset early at low SNR).
    const phasor = (a: number, b: number): [number, number, number] => {
      let re = 0;
      let im = 0;
      for (let w = a; w <= b; w++) {
        re += wre[w];
        im += wim[w];
      }
      const m = Math.hypot(re, im) || 1;
      return [re / m, im / m, m / (b - a + 1)];
    };
    const edge = (from: number, to: number, rising: boolean): number | null => {
      const [ur, ui, zp] = rising ? phasor(p0, Math.min(p1, p0 + 10)) : phasor(Math.max(p0, p1 - 10), p1);
      // Amplitudes of windows ending at from..to; returns the fitted zero crossing (rising) or full->zero crossing.
      from = Math.max(N - 1, from);
      to = Math.min(n - 1, to);
      if (to - from < 8) return null;
      const a = new Float64Array(to - from + 1);
      // Sliding update for speed.
      let re = 0;
      let im = 0;
      const g0 = this.bufStart;
      for (let i = from - N + 1; i <= from; i++) {
        const [c, s] = this.osc(g0 + i);
        re += x[i] * c;
        im -= x[i] * s;
      }
      for (let e = from; e <= to; e++) {
        if (e > from) {
          const [c1, s1] = this.osc(g0 + e);
          re += x[e] * c1;
          im -= x[e] * s1;
          const o = e - N;
          const [c0, s0] = this.osc(g0 + o);
          re -= x[o] * c0;
          im += x[o] * s0;
        }
        a[e - from] = re * ur + im * ui;
      }
      // Find the 50 % crossing of the edge, then walk out to 20 % and 80 %.
      const L = a.length;
      let i50 = -1;
      if (rising) {
        for (let i = 0; i < L; i++) if (a[i] >= 0.5 * zp) { i50 = i; break; }
      } else {
        for (let i = L - 1; i >= 0; i--) if (a[i] >= 0.5 * zp) { i50 = i; break; }
      }
      if (i50 < 0) return null;
      let lo = i50;
      let hi = i50;
      if (rising) {
        while (lo > 0 && a[lo - 1] >= FIT_LO * zp) lo--;
        while (hi < L - 1 && a[hi + 1] <= FIT_HI * zp) hi++;
      } else {
        while (lo > 0 && a[lo - 1] <= FIT_HI * zp) lo--;
        while (hi < L - 1 && a[hi + 1] >= FIT_LO * zp) hi++;
      }
      if (hi - lo < 2) return from + i50;
      // Least-squares line over [lo, hi]; then refit twice over a span fixed in time relative to the fitted zero
      // (FIT_LO..FIT_HI of the ramp's N samples), so that noise does not choose the points.
      const fit = (l: number, h: number): [number, number] | null => {
        l = Math.max(0, Math.round(l));
        h = Math.min(L - 1, Math.round(h));
        if (h - l + 1 < 3) return null;
        const [slope, icpt] = fitLine(a, l, h);
        return Math.abs(slope) > 0 ? [slope, icpt] : null;
      };
      let f = fit(lo, hi);
      if (!f) return from + i50;
      let z = -f[1] / f[0];
      for (let it = 0; it < 2; it++) {
        const g = rising ? fit(z + FIT_LO * N, z + FIT_HI * N) : fit(z - FIT_HI * N, z - FIT_LO * N);
        if (!g) break;
        f = g;
        z = -f[1] / f[0];
      }
      // Rising: the window ending at z holds no tone sample. Falling: the window ending at z has just left the burst.
      return from + z;
    };
    const riseFrom = w0 * B - N;
    const riseTo = (w0 + WIN_BLOCKS) * B + N;
    const z0 = edge(riseFrom, riseTo, true);
    if (z0 === null) return null;
    const onset = this.changePoint(x, n, z0 + 1) ?? z0 + 1; // the window ending at z0 holds no tone sample
    const fallFrom = w1 * B;
    const fallTo = (w1 + WIN_BLOCKS) * B + 2 * N;
    const zEnd = edge(fallFrom, fallTo, false);
    // Falling line reaches zero when the window has left the burst: last tone sample = zEnd - N.
    const end = zEnd === null ? (w1 + WIN_BLOCKS) * B : zEnd - N + 1;
    const duration = (end - onset) / sr;
    if (duration < this.o.minDurationS || duration > this.o.maxDurationS) return null;
    const toneP = Math.max(pt - floor, 1e-20);
    const rest = Math.max(ptot - toneP, 1e-20);
    const bandSnr = 10 * Math.log10(toneP / floor);
    const prominence = this.prominence(x, Math.ceil(onset + 0.1 * N), Math.floor(end - 0.1 * N));
    if (prominence < this.o.minProminenceDb) return null;
    return {
      t_s: this.t0 + (this.bufStart + onset) / sr,
      duration_s: duration,
      freq_hz: freq,
      snr_db: 10 * Math.log10(toneP / rest),
      band_snr_db: bandSnr,
      level_dbfs: 10 * Math.log10(toneP / 0.5),
      prominence_db: prominence,
      confidence: toneConfidence(bandSnr),
    };
  }

  /**
   * How far the tone stands above the strongest other component between 60 and 450 Hz away (Hann-windowed DFT over
   * the burst, at most 250 ms of it). A voiced-speech harmonic that happens to sit on the tone frequency has its
   * neighbours f0 +- F0 about as strong; a beep stands well clear of them.
   */
  private prominence(x: Float32Array, a: number, b: number): number {
    const sr = this.sampleRate;
    b = Math.min(b, a + Math.round(0.25 * sr));
    if (b - a < 16) return 0;
    const len = b - a;
    const win = new Float64Array(len);
    for (let i = 0; i < len; i++) win[i] = x[a + i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / len));
    const pow = (f: number): number => {
      const w = (2 * Math.PI * f) / sr;
      // Goertzel recurrence for one frequency.
      const c = 2 * Math.cos(w);
      let s1 = 0;
      let s2 = 0;
      for (let i = 0; i < len; i++) {
        const s0 = win[i] + c * s1 - s2;
        s2 = s1;
        s1 = s0;
      }
      return s1 * s1 + s2 * s2 - c * s1 * s2;
    };
    const p0 = pow(this.toneHz);
    let other = 1e-30;
    const step = Math.max(5, Math.min(20, sr / len / 2));
    for (let d = 60; d <= 450; d += step) {
      for (const f of [this.toneHz - d, this.toneHz + d]) if (f > 20 && f < sr / 2 - 20) other = Math.max(other, pow(f));
    }
    return 10 * Math.log10(Math.max(p0, 1e-30) / other);
  }
}

/** Tone bursts in an in-memory signal (tests, short clips). */
export function findToneBursts(samples: Float32Array, sampleRate: number, t0 = 0, opts: ToneScanOptions = {}): ToneDetection[] {
  const s = new ToneScanner(sampleRate, t0, opts);
  s.push(samples);
  return s.finish();
}

/**
 * The frequency of the most prominent tone burst at any frequency (200 Hz to 6 kHz), for a hint when none is found at
 * the expected one: a spectrogram peak that stays in one 15.6 Hz bin, 20 dB over that bin's median, for 80 ms, then
 * confirmed (and its onset measured) by the tone-burst detector at that frequency rounded to 10 Hz.
 */
export function findOtherToneBurst(samples: Float32Array, sampleRate: number, t0 = 0, skipHz?: number): { hz: number; t_s: number } | null {
  const size = 1024;
  const hop = 256;
  const nF = Math.floor((samples.length - size) / hop) + 1;
  if (nF < 8) return null;
  const kLo = Math.ceil((200 / sampleRate) * size);
  const kHi = Math.min(size / 2 - 2, Math.floor((6000 / sampleRate) * size));
  const nk = kHi - kLo + 1;
  const peakBin = new Int32Array(nF);
  const peakPow = new Float64Array(nF);
  const pw = new Float32Array(nF * nk);
  const win = new Float64Array(size);
  for (let i = 0; i < size; i++) win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size);
  const fft = new FFT(size);
  const frame = new Array<number>(size).fill(0);
  const spec = fft.createComplexArray() as number[];
  for (let f = 0; f < nF; f++) {
    for (let i = 0; i < size; i++) frame[i] = samples[f * hop + i] * win[i];
    fft.realTransform(spec, frame);
    let best = kLo;
    for (let k = kLo; k <= kHi; k++) {
      const p = spec[2 * k] * spec[2 * k] + spec[2 * k + 1] * spec[2 * k + 1];
      pw[f * nk + (k - kLo)] = p;
      if (p > pw[f * nk + (best - kLo)]) best = k;
    }
    peakBin[f] = best;
    peakPow[f] = pw[f * nk + (best - kLo)];
  }
  const med = new Float64Array(nk);
  const col = new Float64Array(nF);
  for (let k = 0; k < nk; k++) {
    for (let f = 0; f < nF; f++) col[f] = pw[f * nk + k];
    med[k] = median(col) + 1e-20;
  }
  const cands: Array<{ k: number; strength: number }> = [];
  for (let f = 0; f < nF; ) {
    const k = peakBin[f];
    let e = f;
    while (e + 1 < nF && Math.abs(peakBin[e + 1] - k) <= 1 && peakPow[e + 1] > 100 * med[k - kLo]) e++;
    const frames = e - f + 1;
    const hz = (k * sampleRate) / size;
    if (frames >= Math.ceil((0.08 * sampleRate) / hop) && peakPow[f] > 100 * med[k - kLo] && !(skipHz && Math.abs(hz - skipHz) < 20)) {
      cands.push({ k, strength: peakPow[f] / med[k - kLo] });
    }
    f = e + 1;
  }
  // Strongest first; a sustained speech harmonic is a spectral candidate too, so each is confirmed by the detector
  // (phase linearity, prominence over neighbours).
  cands.sort((x, y) => y.strength - x.strength || x.k - y.k);
  const tried = new Set<number>();
  let best: ToneDetection | null = null;
  for (const c of cands) {
    const hz = Math.round((c.k * sampleRate) / size / 10) * 10;
    if (tried.has(hz) || tried.size >= 12) continue;
    tried.add(hz);
    for (const h of [hz, hz - 10, hz + 10]) {
      const d = findToneBursts(samples, sampleRate, t0, { toneHz: h, maxFreqDevHz: 10, minProminenceDb: 15 });
      for (const x of d) if (!best || x.prominence_db > best.prominence_db) best = x;
      if (d.length) break;
    }
  }
  if (best) return { hz: Math.round(best.freq_hz), t_s: best.t_s };
  return null;
}

/** Least-squares line y[i] = icpt + slope * i over indices lo..hi (inclusive). */
function fitLine(y: ArrayLike<number>, lo: number, hi: number): [slope: number, icpt: number] {
  const m = hi - lo + 1;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = lo; i <= hi; i++) {
    sx += i;
    sy += y[i];
    sxx += i * i;
    sxy += i * y[i];
  }
  const slope = (m * sxy - sx * sy) / (m * sxx - sx * sx);
  return [slope, (sy - slope * sx) / m];
}
