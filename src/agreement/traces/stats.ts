/**
 * Agreement kernels on grid series (NaN = no value at that grid time). Pure functions; each returns null where the
 * figure is undefined and the caller gives the reason.
 */

/** Running sums of the pairs (x, y) both finite: enough for Pearson r and Lin's CCC. */
export class PairSums {
  n = 0;
  sx = 0;
  sy = 0;
  sxx = 0;
  syy = 0;
  sxy = 0;
  add(x: number, y: number): void {
    this.n++;
    this.sx += x;
    this.sy += y;
    this.sxx += x * x;
    this.syy += y * y;
    this.sxy += x * y;
  }
  /** Sums of the pairs of x[i] with y[i - lag], i within [from, to), both finite. */
  addSeries(x: ArrayLike<number>, y: ArrayLike<number>, lag = 0, from = 0, to = x.length): void {
    for (let i = Math.max(from, from + lag); i < Math.min(to, to + lag); i++) {
      const a = x[i];
      const b = y[i - lag];
      if (a === a && b === b) this.add(a, b);
    }
  }
  merge(o: PairSums): void {
    this.n += o.n;
    this.sx += o.sx;
    this.sy += o.sy;
    this.sxx += o.sxx;
    this.syy += o.syy;
    this.sxy += o.sxy;
  }
  /** Centred sums of squares and products (n times the population variances and covariance). */
  private centred(): { xx: number; yy: number; xy: number } {
    return { xx: this.sxx - (this.sx * this.sx) / this.n, yy: this.syy - (this.sy * this.sy) / this.n, xy: this.sxy - (this.sx * this.sy) / this.n };
  }
  /** Pearson r (R cor()), null with fewer than 3 pairs or a constant side. */
  pearson(): number | null {
    if (this.n < 3) return null;
    const { xx, yy, xy } = this.centred();
    if (!(xx > 1e-12 * Math.max(1, this.sxx) && yy > 1e-12 * Math.max(1, this.syy))) return null;
    return Math.max(-1, Math.min(1, xy / Math.sqrt(xx * yy)));
  }
  /**
   * Lin's (1989) concordance correlation coefficient 2 s_xy / (s_x^2 + s_y^2 + (mean_x - mean_y)^2) with the 1/n
   * (population) moments as Lin defines them (AVEC's measure); null with fewer than 3 pairs or both sides constant
   * and equal (0/0).
   */
  ccc(): number | null {
    if (this.n < 3) return null;
    const { xx, yy, xy } = this.centred();
    const d = this.sx / this.n - this.sy / this.n;
    const den = xx / this.n + yy / this.n + d * d;
    if (!(den > 0)) return null;
    return (2 * xy) / this.n / den;
  }
}

/**
 * Cronbach's alpha with the raters as items and the grid samples where every rater has a value as cases:
 * k/(k-1) * (1 - sum of the raters' variances / variance of the sum), psych::alpha's raw_alpha. Null with fewer than 2
 * raters or 2 cases, or a constant sum. A rater constant over those cases is left out of k, as psych::alpha does
 * (`dropped`).
 */
export function cronbachAlpha(series: ArrayLike<number>[]): { alpha: number | null; n: number; dropped: number } {
  const k = series.length;
  if (k < 2) return { alpha: null, n: 0, dropped: 0 };
  const len = series[0].length;
  const s = new Float64Array(k);
  const ss = new Float64Array(k);
  let n = 0;
  let st = 0;
  let sst = 0;
  for (let i = 0; i < len; i++) {
    let sum = 0;
    let ok = true;
    for (let r = 0; r < k; r++) {
      const v = series[r][i];
      if (v !== v) {
        ok = false;
        break;
      }
      sum += v;
    }
    if (!ok) continue;
    n++;
    for (let r = 0; r < k; r++) {
      s[r] += series[r][i];
      ss[r] += series[r][i] * series[r][i];
    }
    st += sum;
    sst += sum * sum;
  }
  if (n < 2) return { alpha: null, n, dropped: 0 };
  // psych::alpha deletes an item with no variance ("had no variance and was deleted but still is counted in the
  // score"): its variance is 0 and it adds a constant to the sum, so only k changes: k counts the moving raters
  let items = 0;
  let moving = 0;
  for (let r = 0; r < k; r++) {
    const v = ss[r] - (s[r] * s[r]) / n;
    items += v;
    if (v > 1e-12 * Math.max(1, ss[r])) moving++;
  }
  const total = sst - (st * st) / n;
  if (moving < 2 || !(total > 1e-12 * Math.max(1, sst))) return { alpha: null, n, dropped: k - moving };
  return { alpha: (moving / (moving - 1)) * (1 - items / total), n, dropped: k - moving };
}

/** At each index, the mean of the given series that have a value there (NaN where none has). */
export function meanSeries(series: ArrayLike<number>[], len: number): Float64Array {
  const out = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    let sum = 0;
    let c = 0;
    for (const x of series) {
      const v = x[i];
      if (v === v) {
        sum += v;
        c++;
      }
    }
    out[i] = c ? sum / c : NaN;
  }
  return out;
}
