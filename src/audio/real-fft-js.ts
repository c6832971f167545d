/**
 * Forward DFT of a real frame of fixed length n (a power of two, >= 8) for the per-frame analyses (spectral frames,
 * pitch autocorrelation): X[k] = sum_j x[j] e^{-2 pi i jk/n}, k = 0 .. n/2.
 *
 * Algorithm: the n real samples are packed as m = n/2 complex values z[j] = x[2j] + i x[2j+1], read straight into
 * bit-reversed order (no separate permutation pass); an iterative radix-4 decimation-in-time FFT of m points
 * (preceded by one radix-2 stage when log2 m is odd) with per-stage precomputed twiddles w^k, w^2k, w^3k
 * (Cooley & Tukey 1965; the radix-4 butterfly as in Van Loan, "Computational Frameworks for the FFT", 1992,
 * section 2.3); then the real-input post-pass X[k] = (Z[k] + conj Z[m-k]) / 2 - (i/2) w_n^k (Z[k] - conj Z[m-k])
 * (Numerical Recipes 3rd ed., section 12.3.2). Split real/imaginary Float64Arrays, nothing allocated per frame.
 */
export class RealFftJs {
  readonly n: number;
  /** Spectrum of the last transform: re[k], im[k] for k = 0 .. n/2. */
  readonly re: Float64Array;
  readonly im: Float64Array;
  private readonly m: number;
  /** Bit reversal of 0 .. m-1 (log2 m bits). */
  private readonly rev: Int32Array;
  /** Radix-4 stages: for the stage of quarter-span h, twiddles at tw[off + 3k + 0..2] (cos) / tws (sin), k < h. */
  private readonly stages: { h: number; off: number }[];
  private readonly twc: Float64Array;
  private readonly tws: Float64Array;
  /** log2 m odd: a last radix-2 stage (span m/2, twiddles pc / ps at even k) follows the radix-4 stages. */
  private readonly radix2Last: boolean;
  /** Post-pass twiddles cos / sin(2 pi k / n), k = 0 .. m/2. */
  private readonly pc: Float64Array;
  private readonly ps: Float64Array;
  /** Complex work arrays of m points. */
  private readonly zr: Float64Array;
  private readonly zi: Float64Array;

  constructor(n: number) {
    if (n < 8 || (n & (n - 1)) !== 0) throw new RangeError(`RealFftJs: size ${n} is not a power of two >= 8`);
    this.n = n;
    const m = n >> 1;
    this.m = m;
    const bits = Math.log2(m);
    this.rev = new Int32Array(m);
    for (let j = 0; j < m; j++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((j >> b) & 1) << (bits - 1 - b);
      this.rev[j] = r;
    }
    this.radix2Last = (bits & 1) === 1;
    this.stages = [];
    let total = 0;
    for (let h = 4; 4 * h <= m; h *= 4) {
      this.stages.push({ h, off: total });
      total += 3 * h;
    }
    this.twc = new Float64Array(total);
    this.tws = new Float64Array(total);
    for (const { h, off } of this.stages) {
      for (let k = 0; k < h; k++) {
        for (let p = 1; p <= 3; p++) {
          const a = (-2 * Math.PI * p * k) / (4 * h);
          this.twc[off + 3 * k + p - 1] = Math.cos(a);
          this.tws[off + 3 * k + p - 1] = Math.sin(a);
        }
      }
    }
    this.pc = new Float64Array((m >> 1) + 1);
    this.ps = new Float64Array((m >> 1) + 1);
    for (let k = 0; k <= m >> 1; k++) {
      this.pc[k] = Math.cos((2 * Math.PI * k) / n);
      this.ps[k] = Math.sin((2 * Math.PI * k) / n);
    }
    this.zr = new Float64Array(m);
    this.zi = new Float64Array(m);
    this.re = new Float64Array(m + 1);
    this.im = new Float64Array(m + 1);
  }

  /** Transforms x[0 .. n) (read only) into re / im. */
  forward(x: Float64Array): void {
    this.complexFromReal(x);
    this.realPostPass();
  }

  /** Power spectrum of x[0 .. n): dst[k] = |X[k]|^2, k = 0 .. n/2 (re / im are not kept). */
  power(x: Float64Array, dst: Float64Array): void {
    this.complexFromReal(x);
    this.realPostPassPower(dst);
  }

  /** z[j] = x[2j] + i x[2j+1] in bit-reversed order, the first radix-4 stage done on loading, then the other
   * radix-4 stages and, when log2 m is odd, one radix-2 stage. */
  private complexFromReal(x: Float64Array): void {
    this.loadRadix4(x);
    for (const { h, off } of this.stages) this.radix4Stage(h, off);
    if (this.radix2Last) this.radix2Stage();
  }

  /** The last radix-2 DIT stage: Z[k], Z[k + m/2] = A[k] +- w_m^k B[k]; w_m^k = w_n^2k from the post-pass table. */
  private radix2Stage(): void {
    const { zr, zi, m, pc, ps } = this;
    const h = m >> 1;
    for (let k = 0; k < h; k++) {
      // w_n^{2k}: cos / sin tables hold k' = 0 .. m/2 of angle 2 pi k' / n; 2k > m/2 by symmetry cos(pi - a) = -cos a.
      const k2 = 2 * k;
      const c = k2 <= h ? pc[k2] : -pc[m - k2];
      const sn = k2 <= h ? ps[k2] : ps[m - k2];
      const wr = c;
      const wi = -sn;
      const br = zr[k + h];
      const bi = zi[k + h];
      const tr = br * wr - bi * wi;
      const ti = br * wi + bi * wr;
      const ar = zr[k];
      const ai = zi[k];
      zr[k] = ar + tr;
      zi[k] = ai + ti;
      zr[k + h] = ar - tr;
      zi[k + h] = ai - ti;
    }
  }

  /**
   * Load fused with the first radix-4 stage (quarter-span 1, every twiddle 1): positions j .. j+3 hold z[r],
   * z[r + m/2], z[r + m/4], z[r + 3m/4] (r = rev j), i.e. the sub-transforms A, C, B, D of bit-reversed order.
   */
  private loadRadix4(x: Float64Array): void {
    const { zr, zi, rev, m } = this;
    const q = m >> 1; // 2 * (m/4) in x
    for (let j = 0; j < m; j += 4) {
      const s = 2 * rev[j];
      const ar = x[s];
      const ai = x[s + 1];
      const br = x[s + q];
      const bi = x[s + q + 1];
      const cr = x[s + 2 * q];
      const ci = x[s + 2 * q + 1];
      const dr = x[s + 3 * q];
      const di = x[s + 3 * q + 1];
      const s0r = ar + cr;
      const s0i = ai + ci;
      const s1r = ar - cr;
      const s1i = ai - ci;
      const s2r = br + dr;
      const s2i = bi + di;
      const s3r = br - dr;
      const s3i = bi - di;
      zr[j] = s0r + s2r;
      zi[j] = s0i + s2i;
      zr[j + 2] = s0r - s2r;
      zi[j + 2] = s0i - s2i;
      // (A - C) -/+ i (B - D)
      zr[j + 1] = s1r + s3i;
      zi[j + 1] = s1i - s3r;
      zr[j + 3] = s1r - s3i;
      zi[j + 3] = s1i + s3r;
    }
  }

  /**
   * One radix-4 DIT stage of quarter-span h: in each block of 4h the sub-transforms A, C, B, D (bit-reversed order)
   * of length h combine into X[k + qh] = A + w^k B (-i)^q + w^2k C (-1)^q + w^3k D (i)^q, q = 0..3.
   */
  private radix4Stage(h: number, off: number): void {
    const { zr, zi, m, twc, tws } = this;
    const span = 4 * h;
    for (let k = 0; k < h; k++) {
      const t = off + 3 * k;
      const w1r = twc[t];
      const w1i = tws[t];
      const w2r = twc[t + 1];
      const w2i = tws[t + 1];
      const w3r = twc[t + 2];
      const w3i = tws[t + 2];
      for (let i0 = k; i0 < m; i0 += span) {
        const i1 = i0 + h;
        const i2 = i1 + h;
        const i3 = i2 + h;
        const ar = zr[i0];
        const ai = zi[i0];
        // C (at i1) * w^2k, B (at i2) * w^k, D (at i3) * w^3k
        const xr = zr[i1];
        const xi = zi[i1];
        const cr = xr * w2r - xi * w2i;
        const ci = xr * w2i + xi * w2r;
        const yr = zr[i2];
        const yi = zi[i2];
        const br = yr * w1r - yi * w1i;
        const bi = yr * w1i + yi * w1r;
        const vr = zr[i3];
        const vi = zi[i3];
        const dr = vr * w3r - vi * w3i;
        const di = vr * w3i + vi * w3r;
        const s0r = ar + cr;
        const s0i = ai + ci;
        const s1r = ar - cr;
        const s1i = ai - ci;
        const s2r = br + dr;
        const s2i = bi + di;
        const s3r = br - dr;
        const s3i = bi - di;
        zr[i0] = s0r + s2r;
        zi[i0] = s0i + s2i;
        zr[i2] = s0r - s2r;
        zi[i2] = s0i - s2i;
        zr[i1] = s1r + s3i;
        zi[i1] = s1i - s3r;
        zr[i3] = s1r - s3i;
        zi[i3] = s1i + s3r;
      }
    }
  }

  /** Z (m complex points) -> X[k], k = 0 .. m, of the n real points; both halves of each pair (k, m-k) at once. */
  private realPostPass(): void {
    const { zr, zi, m, re, im, pc, ps } = this;
    re[0] = zr[0] + zi[0];
    im[0] = 0;
    re[m] = zr[0] - zi[0];
    im[m] = 0;
    for (let k = 1; k <= m >> 1; k++) {
      const mk = m - k;
      // E = (Z[k] + conj Z[m-k]) / 2, O = (Z[k] - conj Z[m-k]) / 2i; X[k] = E + w^k O, X[m-k] = conj(E - w^k O)
      const er = 0.5 * (zr[k] + zr[mk]);
      const ei = 0.5 * (zi[k] - zi[mk]);
      const or = 0.5 * (zi[k] + zi[mk]);
      const oi = -0.5 * (zr[k] - zr[mk]);
      const c = pc[k];
      const s = -ps[k];
      const tr = or * c - oi * s;
      const ti = or * s + oi * c;
      re[k] = er + tr;
      im[k] = ei + ti;
      re[mk] = er - tr;
      im[mk] = ti - ei;
    }
  }

  /** As realPostPass, but writes |X[k]|^2 into dst only. */
  private realPostPassPower(dst: Float64Array): void {
    const { zr, zi, m, pc, ps } = this;
    const x0 = zr[0] + zi[0];
    const xm = zr[0] - zi[0];
    dst[0] = x0 * x0;
    dst[m] = xm * xm;
    for (let k = 1; k <= m >> 1; k++) {
      const mk = m - k;
      const er = 0.5 * (zr[k] + zr[mk]);
      const ei = 0.5 * (zi[k] - zi[mk]);
      const or = 0.5 * (zi[k] + zi[mk]);
      const oi = -0.5 * (zr[k] - zr[mk]);
      const c = pc[k];
      const s = -ps[k];
      const tr = or * c - oi * s;
      const ti = or * s + oi * c;
      const ar = er + tr;
      const ai = ei + ti;
      const br = er - tr;
      const bi = ti - ei;
      dst[k] = ar * ar + ai * ai;
      dst[mk] = br * br + bi * bi;
    }
  }
}
